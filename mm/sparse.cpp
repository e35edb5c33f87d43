// Sparse memory mappings: mm/sparse.c of Linux 6.1 for SPARSEMEM_EXTREME +
// SPARSEMEM_VMEMMAP (x86-64). The differences are listed in mm/sparse.h and
// docs/sparse.md.
#include "mm/sparse.h"

#include "lib/errno.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "mm/memblock.h"
#include "mm/mmzone.h"

// x86-64: L1_CACHE_SHIFT 6; INTERNODE_CACHE_SHIFT is the same without VSMP.
static constexpr u64 SMP_CACHE_BYTES = 64;
static constexpr unsigned INTERNODE_CACHE_SHIFT = 6;

/*
 * mem_section: the table of section roots, kept for the life of the system. Only
 * the pointer is static (the image's .data stays small); the table and its roots
 * come from memblock.
 */
struct mem_section **mem_section;
constinit bool sparse_memmap_ready = false;
unsigned long __highest_present_section_nr;

struct page *vmemmap;

void sparse_vmemmap_reset(void);	/* sparse_vmemmap.cpp */

/*
 * The node to ask memblock for on behalf of @nid: @nid itself if some
 * memblock.memory region belongs to it, else NUMA_NO_NODE (regions added
 * without a node, which memory_present() filed under node 0).
 */
int sparse_alloc_nid(int nid)
{
	struct memblock_region *r;

	for_each_mem_region(r) {
		if (memblock_get_region_node(r) == nid)
			return nid;
	}
	return NUMA_NO_NODE;
}

static struct mem_section *sparse_index_alloc(int nid)
{
	unsigned long array_size = SECTIONS_PER_ROOT * sizeof(struct mem_section);
	struct mem_section *section;

	section = (struct mem_section *)memblock_alloc_node(array_size, SMP_CACHE_BYTES,
							    sparse_alloc_nid(nid));
	if (!section)
		pr_err("%s: Failed to allocate %lu bytes nid=%d\n", __func__, array_size, nid);
	return section;
}

static int sparse_index_init(unsigned long section_nr, int nid)
{
	unsigned long root = SECTION_NR_TO_ROOT(section_nr);
	struct mem_section *section;

	/*
	 * An existing root is fine: memory_present() cares only that the
	 * section's root exists.
	 */
	if (mem_section[root])
		return -EEXIST;

	section = sparse_index_alloc(nid);
	if (!section)
		return -ENOMEM;

	mem_section[root] = section;
	return 0;
}

/*
 * Until sparse_init() stores the real memory map, section_mem_map has nothing
 * else to hold, so the section's node id is parked in its upper bits rather than
 * in a table of its own; sparse_init_one_section() wipes it when the map arrives.
 */
static inline unsigned long sparse_encode_early_nid(int nid)
{
	return (unsigned long)nid << SECTION_NID_SHIFT;
}

/* Clamp [*start_pfn, *end_pfn) to the pfns SPARSEMEM can describe (MAX_PHYSMEM_BITS). */
void mminit_validate_memmodel_limits(pfn_t *start_pfn, pfn_t *end_pfn)
{
	pfn_t max_sparsemem_pfn = pfn_t(1UL << (MAX_PHYSMEM_BITS - PAGE_SHIFT));

	/*
	 * Pfns past what the section table can cover are refused: the range is
	 * cut back to the limit. (Linux prints these with mminit_dprintk() only
	 * under mminit_loglevel, and WARN_ON_ONCE()s.)
	 */
	if (*start_pfn > max_sparsemem_pfn) {
		pr_warn("mminit::pfnvalidation Start of range %lu -> %lu exceeds SPARSEMEM max %lu\n",
			(unsigned long)*start_pfn, (unsigned long)*end_pfn, (unsigned long)max_sparsemem_pfn);
		*start_pfn = max_sparsemem_pfn;
		*end_pfn = max_sparsemem_pfn;
	} else if (*end_pfn > max_sparsemem_pfn) {
		pr_warn("mminit::pfnvalidation End of range %lu -> %lu exceeds SPARSEMEM max %lu\n",
			(unsigned long)*start_pfn, (unsigned long)*end_pfn, (unsigned long)max_sparsemem_pfn);
		*end_pfn = max_sparsemem_pfn;
	}
}

/*
 * Also track the highest present section number: with a big physical address
 * space NR_MEM_SECTIONS is huge, and the loops that search for present sections
 * (next_present_section_nr()) stop at this bound instead of scanning them all.
 */
static void __section_mark_present(struct mem_section *ms, unsigned long section_nr)
{
	if (section_nr > __highest_present_section_nr)
		__highest_present_section_nr = section_nr;

	ms->section_mem_map |= SECTION_MARKED_PRESENT;
}

/* Mark the sections of pfns [start, end) present, tagged with node @nid. */
int memory_present(int nid, pfn_t start, pfn_t end)
{
	pfn_t pfn;

	if (unlikely(!mem_section)) {
		unsigned long size, align;

		size = sizeof(struct mem_section *) * NR_SECTION_ROOTS;
		align = 1UL << INTERNODE_CACHE_SHIFT;
		mem_section = (struct mem_section **)memblock_alloc(size, align);
		if (!mem_section) {
			pr_err("%s: Failed to allocate %lu bytes align=0x%lx\n",
			       __func__, size, align);
			return -ENOMEM;
		}
	}

	/* Ours: a range no NUMA init gave a node is node 0, as without NUMA. */
	if (!numa_valid_node(nid))
		nid = 0;

	start &= PAGE_SECTION_MASK;
	mminit_validate_memmodel_limits(&start, &end);
	for (pfn = start; pfn < end; pfn += PAGES_PER_SECTION) {
		unsigned long section = pfn_to_section_nr(pfn);
		struct mem_section *ms;

		if (sparse_index_init(section, nid) == -ENOMEM)
			return -ENOMEM;

		ms = __nr_to_section(section);
		if (!ms->section_mem_map) {
			ms->section_mem_map = sparse_encode_early_nid(nid) | SECTION_IS_ONLINE;
			__section_mark_present(ms, section);
		}
	}
	return 0;
}

/*
 * Boot-time helper: memory_present() on each memblock.memory range, so that
 * every section holding RAM ends up present.
 */
int memblocks_present(void)
{
	pfn_t start, end;
	int i, nid;

	for_each_mem_pfn_range(i, MAX_NUMNODES, &start, &end, &nid) {
		int ret = memory_present(nid, start, end);

		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The stored value is mem_map shifted back by the section's first pfn (in
 * struct pages), so that adding any pfn of the section yields its struct page
 * and a struct page minus it yields the pfn. (Integer arithmetic here: the same
 * value as Linux's pointer subtraction.)
 */
unsigned long sparse_encode_mem_map(struct page *mem_map, unsigned long pnum)
{
	unsigned long coded_mem_map =
		(unsigned long)mem_map - (unsigned long)section_nr_to_pfn(pnum) * sizeof(struct page);

	static_assert(SECTION_MAP_LAST_BIT <= 15, "fits below PFN_SECTION_SHIFT");
	if (coded_mem_map & ~SECTION_MAP_MASK)
		pr_err("%s: mem_map %p for section %lu is misaligned\n", __func__,
		       (void *)mem_map, pnum);
	return coded_mem_map;
}

/* Inverse of sparse_encode_mem_map(): the section's first struct page. */
struct page *sparse_decode_mem_map(unsigned long coded_mem_map, unsigned long pnum)
{
	/* the SECTION_* flags in the low bits are not part of the address */
	coded_mem_map &= SECTION_MAP_MASK;
	return (struct page *)(coded_mem_map + (unsigned long)section_nr_to_pfn(pnum) * sizeof(struct page));
}

static void sparse_init_one_section(struct mem_section *ms, unsigned long pnum,
				    struct page *mem_map,
				    struct mem_section_usage *usage, unsigned long flags)
{
	ms->section_mem_map &= ~SECTION_MAP_MASK;
	ms->section_mem_map |= sparse_encode_mem_map(mem_map, pnum) |
			       SECTION_HAS_MEM_MAP | flags;
	ms->usage = usage;
}

static unsigned long usemap_longs(void)
{
	return (SECTION_BLOCKFLAGS_BITS + 63) / 64;
}

unsigned long usemap_size(void)
{
	return usemap_longs() * sizeof(unsigned long);
}

size_t mem_section_usage_size(void)
{
	return sizeof(struct mem_section_usage) + usemap_size();
}

/*
 * The usage maps of a node's sections. Linux with CONFIG_MEMORY_HOTREMOVE tries
 * the section of the node's pglist_data first; there is no pglist_data here, so
 * this is the !HOTREMOVE variant: zeroed, on the node.
 */
static struct mem_section_usage *sparse_early_usemaps_alloc_pgdat_section(int nid,
									  unsigned long size)
{
	return (struct mem_section_usage *)memblock_alloc_node(size, SMP_CACHE_BYTES,
							       sparse_alloc_nid(nid));
}

unsigned long section_map_size(void)
{
	return ALIGN(sizeof(struct page) * PAGES_PER_SECTION, PMD_SIZE);
}

static char *sparsemap_buf;
static char *sparsemap_buf_end;

static void sparse_buffer_free(unsigned long size)
{
	if (!sparsemap_buf || size == 0) {
		pr_err("%s: nothing to free\n", __func__);
		return;
	}
	memblock_free(sparsemap_buf, size);
}

void sparse_buffer_init(unsigned long size, int nid)
{
	phys_addr_t addr = VMEMMAP_ALLOC_GOAL;

	if (sparsemap_buf)	/* previous node's buffer never released */
		pr_err("%s: the previous buffer was not finished\n", __func__);
	/*
	 * Most takers are __populate_section_memmap() calls, whose blocks vmemmap
	 * maps with 2 MiB PMDs, so the buffer starts on a section_map_size()
	 * boundary (Linux: memmap_alloc(size, section_map_size(), addr, nid, true)).
	 */
	sparsemap_buf = (char *)memblock_alloc_exact_nid_raw(size, section_map_size(), addr,
							     MEMBLOCK_ALLOC_ACCESSIBLE,
							     sparse_alloc_nid(nid));
	sparsemap_buf_end = sparsemap_buf ? sparsemap_buf + size : nullptr;
}

void sparse_buffer_fini(void)
{
	unsigned long size = sparsemap_buf_end - sparsemap_buf;

	if (sparsemap_buf && size > 0)
		sparse_buffer_free(size);
	sparsemap_buf = nullptr;
	sparsemap_buf_end = nullptr;
}

void *sparse_buffer_alloc(unsigned long size)
{
	char *ptr = nullptr;

	if (sparsemap_buf) {
		unsigned long p = (unsigned long)sparsemap_buf;

		ptr = (char *)((p + size - 1) / size * size);	/* roundup() */
		if (ptr + size > sparsemap_buf_end) {
			ptr = nullptr;
		} else {
			/* give back the gap the alignment skipped */
			if ((unsigned long)(ptr - sparsemap_buf) > 0)
				sparse_buffer_free((unsigned long)(ptr - sparsemap_buf));
			sparsemap_buf = ptr + size;
		}
	}
	return ptr;
}

/*
 * Give each present section of [pnum_begin, pnum_end), all on node @nid, its
 * usage map and memory map; map_count says how many of them are present. Ours:
 * returns 0 or -ENOMEM and counts the sections it gave a memory map in *@nr_done.
 */
static int sparse_init_nid(pgd_t *pgd, int nid, unsigned long pnum_begin,
			   unsigned long pnum_end, unsigned long map_count,
			   unsigned long *nr_done)
{
	struct mem_section_usage *usage;
	unsigned long pnum;
	struct page *map;

	usage = sparse_early_usemaps_alloc_pgdat_section(nid, mem_section_usage_size() * map_count);
	if (!usage) {
		pr_err("%s: node[%d] usemap allocation failed\n", __func__, nid);
		goto failed;
	}
	sparse_buffer_init(map_count * section_map_size(), nid);
	for_each_present_section_nr(pnum_begin, pnum) {
		pfn_t pfn = section_nr_to_pfn(pnum);

		if (pnum >= pnum_end)
			break;

		map = __populate_section_memmap(pgd, pfn, PAGES_PER_SECTION, nid);
		if (!map) {
			pr_err("%s: node[%d] memory map backing failed. Some memory will not be available.\n",
			       __func__, nid);
			pnum_begin = pnum;
			sparse_buffer_fini();
			goto failed;
		}
		sparse_init_one_section(__nr_to_section(pnum), pnum, map, usage,
					SECTION_IS_EARLY);
		usage = (struct mem_section_usage *)((char *)usage + mem_section_usage_size());
		(*nr_done)++;
	}
	sparse_buffer_fini();
	return 0;
failed:
	/* Out of memory: the sections not yet done lose their present mark. */
	for_each_present_section_nr(pnum_begin, pnum) {
		struct mem_section *ms;

		if (pnum >= pnum_end)
			break;
		ms = __nr_to_section(pnum);
		ms->section_mem_map = 0;
	}
	return -ENOMEM;
}

/*
 * What the memory map costs here, and what it would cost under FLATMEM: one
 * mem_map array over every pfn from the first to the last page of RAM, holes
 * included, as Linux's alloc_node_mem_map() sizes it (the node's span rounded
 * out to MAX_ORDER_NR_PAGES). x86-64 builds SPARSEMEM only (FLATMEM is for
 * 32-bit without NUMA), so Linux prints nothing like it; the line is ours, for
 * readers comparing the memory models on their machine's real holes.
 */
static void sparse_print_memory_model(unsigned long nr_sections, unsigned long memmap_kib)
{
	pfn_t start = ALIGN_DOWN(PFN_DOWN(memblock_start_of_DRAM()), MAX_ORDER_NR_PAGES);
	pfn_t end = ALIGN(PFN_UP(memblock_end_of_DRAM()), MAX_ORDER_NR_PAGES);
	unsigned long spanned = pfn_to_section_nr(end + (PAGES_PER_SECTION - 1)) - pfn_to_section_nr(start);

	pr_info("memory model: SPARSEMEM_VMEMMAP, memmap for %lu of the %lu sections in [mem %#018llx-%#018llx]: "
		"%lu KiB; FLATMEM's mem_map over the same span would be %lu KiB\n",
		nr_sections, spanned, (unsigned long long)PFN_PHYS(start).val,
		(unsigned long long)PFN_PHYS(end).val - 1, memmap_kib,
		(unsigned long)((end - start) * sizeof(struct page)) >> 10);
}

/*
 * Walk the present sections in runs of one node and set up each run with
 * sparse_init_nid(): usage maps, memory maps, and their record in mem_section.
 */
int sparse_init(pgd_t *pgd)
{
	unsigned long pnum_end, pnum_begin, map_count = 1;
	unsigned long nr_pmds = vmemmap_nr_pmds, nr_base = vmemmap_nr_base_pages;
	unsigned long nr_sections = 0;
	int nid_begin, ret = 0;

	if (!pgd)
		return -EINVAL;
	if (memblocks_present())
		return -ENOMEM;
	if (!vmemmap)
		vmemmap = (struct page *)VMEMMAP_START;

	sparse_memmap_ready = true;
	pnum_begin = first_present_section_nr();
	if (pnum_begin == -1UL) {
		pr_info("vmemmap: no present sections\n");
		return 0;
	}
	nid_begin = sparse_early_nid(__nr_to_section(pnum_begin));

	/* (Linux sets up pageblock_order here for HUGETLB_PAGE_SIZE_VARIABLE.) */

	for_each_present_section_nr(pnum_begin + 1, pnum_end) {
		int nid = sparse_early_nid(__nr_to_section(pnum_end));

		if (nid == nid_begin) {
			map_count++;
			continue;
		}
		/* the node changed: set up the finished run [pnum_begin, pnum_end) */
		if (sparse_init_nid(pgd, nid_begin, pnum_begin, pnum_end, map_count, &nr_sections))
			ret = -ENOMEM;
		nid_begin = nid;
		pnum_begin = pnum_end;
		map_count = 1;
	}
	/* then the final run (pnum_end is -1 here: every section above) */
	if (sparse_init_nid(pgd, nid_begin, pnum_begin, pnum_end, map_count, &nr_sections))
		ret = -ENOMEM;
	vmemmap_populate_print_last();

	nr_pmds = vmemmap_nr_pmds - nr_pmds;
	nr_base = vmemmap_nr_base_pages - nr_base;
	pr_info("vmemmap: %lu PMDs (2M), %lu base pages, memmap %lu KiB for %lu sections\n",
		nr_pmds, nr_base, (nr_pmds * PMD_SIZE + nr_base * PAGE_SIZE) >> 10, nr_sections);
	sparse_print_memory_model(nr_sections, (nr_pmds * PMD_SIZE + nr_base * PAGE_SIZE) >> 10);
	return ret;
}

static void subsection_mask_set(unsigned long *map, pfn_t pfn, unsigned long nr_pages)
{
	int idx = subsection_map_index(pfn);
	int end = subsection_map_index(pfn + nr_pages - 1);

	for (int i = idx; i <= end; i++)	/* bitmap_set(map, idx, end - idx + 1) */
		map[i / 64] |= 1UL << (i % 64);
}

void subsection_map_init(pfn_t pfn, unsigned long nr_pages)
{
	unsigned long nr, start_sec, end_sec;

	if (!nr_pages)
		return;
	start_sec = pfn_to_section_nr(pfn);
	end_sec = pfn_to_section_nr(pfn + nr_pages - 1);

	for (nr = start_sec; nr <= end_sec; nr++) {
		struct mem_section *ms;
		unsigned long pfns;

		pfns = min_t(unsigned long, nr_pages,
			     PAGES_PER_SECTION - (pfn & ~PAGE_SECTION_MASK));
		ms = __nr_to_section(nr);
		/* Ours: a section without a memory map has no usage to mark. */
		if (valid_section(ms))
			subsection_mask_set(ms->usage->subsection_map, pfn, pfns);

		pfn += pfns;
		nr_pages -= pfns;
	}
}

void sparse_reset(void)
{
	mem_section = nullptr;
	sparse_memmap_ready = false;
	__highest_present_section_nr = 0;
	sparsemap_buf = nullptr;
	sparsemap_buf_end = nullptr;
	sparse_vmemmap_reset();
}
