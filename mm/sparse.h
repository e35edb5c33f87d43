// SPARSEMEM with SPARSEMEM_EXTREME and SPARSEMEM_VMEMMAP, as x86-64 configures it:
// the memory sections of include/linux/mmzone.h, mm/sparse.c (memory_present,
// memblocks_present, sparse_init, sparse_init_nid, the sparse buffer) and
// mm/sparse-vmemmap.c with arch/x86/mm/init_64.c (vmemmap_populate and its
// hugepage / base-page paths). Linux 6.1. See docs/sparse.md.
//
// Physical memory is cut into 128 MiB sections. A section with RAM in it is
// "present"; sparse_init() gives every present section a memory map: the 32768
// struct pages of the section, at pfn_to_page(first pfn) = vmemmap + pfn, backed
// by a 2 MiB page (or 512 4 KiB pages) mapped in the vmemmap region of the page
// tables.
//
// Where we differ from Linux:
// - vmemmap_populate() and everything that maps takes the top-level table
//   explicitly (Linux: init_mm.pgd), and maps with paging/'s map_pages(): the
//   table pages come from alloc_low_pages() (memblock, below the current limit,
//   recorded), not node-local vmemmap_alloc_block_zero() pages.
// - `vmemmap` (Linux: vmemmap_base cast to struct page *) is where the CPU
//   reaches the struct pages. The page tables always use VMEMMAP_START; in the
//   app the two are the same. On the host, the platform points vmemmap at a
//   window where it mirrors each mapping onto simulated physical memory
//   (platform_vmemmap_mapped()). sparse_init() sets it to VMEMMAP_START if
//   nothing else did.
// - Nothing panics: allocation failures return -ENOMEM (memory_present,
//   memblocks_present) or drop the sections concerned as Linux's
//   sparse_init_nid() failure path does; sparse_init() reports it.
// - Memory ranges memblock has no node for (NUMA_NO_NODE: memblock_add() before
//   any NUMA init) count as node 0, as on a kernel without NUMA; allocations for
//   a node no memblock region belongs to ask for NUMA_NO_NODE.
// - No memory hotplug (no section_activate/deactivate, no online/offline), no
//   altmap, no compound-page vmemmap optimisation, no vmemmap_verify() warning,
//   no NODE_NOT_IN_PAGE_FLAGS table, no page_ext, no KMSAN.
#pragma once

#include "lib/types.h"
#include "mm/mm_types.h"
#include "paging/pgtable.h"

/*
 * arch/x86/include/asm/sparsemem.h. MAX_PHYSMEM_BITS (paging/pgtable_types.h)
 * follows the paging mode at run time, as Linux with CONFIG_X86_5LEVEL; so do
 * SECTIONS_SHIFT, NR_MEM_SECTIONS and NR_SECTION_ROOTS (why mem_section is
 * allocated at run time in Linux too).
 */
#define SECTION_SIZE_BITS	27	/* 128 MiB */
#define SECTIONS_SHIFT		(MAX_PHYSMEM_BITS - SECTION_SIZE_BITS)

#define PA_SECTION_SHIFT	(SECTION_SIZE_BITS)
#define PFN_SECTION_SHIFT	(SECTION_SIZE_BITS - PAGE_SHIFT)
#define NR_MEM_SECTIONS		(1UL << SECTIONS_SHIFT)
#define PAGES_PER_SECTION	(1UL << PFN_SECTION_SHIFT)
#define PAGE_SECTION_MASK	(~(PAGES_PER_SECTION - 1))

/* Subsections: the 2 MiB granularity of hotplug (and of pfn_valid() for them). */
#define SUBSECTION_SHIFT	21
#define SUBSECTION_SIZE		(1UL << SUBSECTION_SHIFT)
#define PFN_SUBSECTION_SHIFT	(SUBSECTION_SHIFT - PAGE_SHIFT)
#define PAGES_PER_SUBSECTION	(1UL << PFN_SUBSECTION_SHIFT)
#define PAGE_SUBSECTION_MASK	(~(PAGES_PER_SUBSECTION - 1))
#define SUBSECTIONS_PER_SECTION	(1UL << (SECTION_SIZE_BITS - SUBSECTION_SHIFT))

/*
 * The pageblock bits of a section (pageblock-flags.h): pageblock_order 9
 * (HUGETLB_PAGE_ORDER), NR_PAGEBLOCK_BITS 4.
 */
#define SECTION_BLOCKFLAGS_BITS	((1UL << (PFN_SECTION_SHIFT - 9)) * 4)

/*
 * __pa(MAX_DMA_ADDRESS): memmap allocations prefer memory above the 16 MiB of
 * ZONE_DMA (memblock drops the limit when nothing is free above it).
 */
#define VMEMMAP_ALLOC_GOAL	(16UL << 20)

struct mem_section_usage {
	unsigned long subsection_map[SUBSECTIONS_PER_SECTION / 64];
	/* The section's pageblock bits; without SPARSEMEM Linux keeps them in struct zone. */
	unsigned long pageblock_flags[0];
};

struct mem_section {
	/*
	 * The (encoded) mem_map address, i.e. vmemmap: mem_map minus the
	 * section's first pfn, so that adding a pfn gives its struct page. The
	 * low bits hold the SECTION_* flags. Before sparse_init() the bits above
	 * them hold the section's node instead (sparse_encode_early_nid()).
	 */
	unsigned long section_mem_map;
	struct mem_section_usage *usage;
};

static_assert(sizeof(struct mem_section) == 16, "two words, as Linux without page_ext");

/* SPARSEMEM_EXTREME: a table of roots, each a page of sections. */
#define SECTIONS_PER_ROOT	(PAGE_SIZE / sizeof(struct mem_section))
#define SECTION_NR_TO_ROOT(sec)	((sec) / SECTIONS_PER_ROOT)
#define NR_SECTION_ROOTS	((NR_MEM_SECTIONS + SECTIONS_PER_ROOT - 1) / SECTIONS_PER_ROOT)
#define SECTION_ROOT_MASK	(SECTIONS_PER_ROOT - 1)

/*
 * NR_SECTION_ROOTS pointers, allocated from memblock by the first
 * memory_present(); each root (a page of struct mem_section) by
 * sparse_index_init() when a section in it becomes present.
 */
extern struct mem_section **mem_section;
extern unsigned long __highest_present_section_nr;
/*
 * Ours: sparse_init() has run, so present sections have their memory map and
 * memmap_init() initialises struct pages (the zone sizing alone, as in the
 * replay tool, runs without).
 */
extern bool sparse_memmap_ready;

/* Section flags (mmzone.h, Linux 6.1 with CONFIG_ZONE_DEVICE, as Debian). */
enum {
	SECTION_MARKED_PRESENT_BIT,
	SECTION_HAS_MEM_MAP_BIT,
	SECTION_IS_ONLINE_BIT,
	SECTION_IS_EARLY_BIT,
	SECTION_TAINT_ZONE_DEVICE_BIT,
	SECTION_MAP_LAST_BIT,
};

#define SECTION_MARKED_PRESENT	(1UL << SECTION_MARKED_PRESENT_BIT)
#define SECTION_HAS_MEM_MAP	(1UL << SECTION_HAS_MEM_MAP_BIT)
#define SECTION_IS_ONLINE	(1UL << SECTION_IS_ONLINE_BIT)
#define SECTION_IS_EARLY	(1UL << SECTION_IS_EARLY_BIT)
#define SECTION_TAINT_ZONE_DEVICE (1UL << SECTION_TAINT_ZONE_DEVICE_BIT)
#define SECTION_MAP_MASK	(~((1UL << SECTION_MAP_LAST_BIT) - 1))
#define SECTION_NID_SHIFT	SECTION_MAP_LAST_BIT

static inline unsigned long pfn_to_section_nr(pfn_t pfn)
{
	return pfn >> PFN_SECTION_SHIFT;
}
static inline pfn_t section_nr_to_pfn(unsigned long sec)
{
	return pfn_t(sec << PFN_SECTION_SHIFT);
}

static inline struct mem_section *__nr_to_section(unsigned long nr)
{
	unsigned long root = SECTION_NR_TO_ROOT(nr);

	if (unlikely(root >= NR_SECTION_ROOTS))
		return nullptr;
	if (!mem_section || !mem_section[root])
		return nullptr;
	return &mem_section[root][nr & SECTION_ROOT_MASK];
}

static inline struct mem_section *__pfn_to_section(pfn_t pfn)
{
	return __nr_to_section(pfn_to_section_nr(pfn));
}

static inline struct page *__section_mem_map_addr(const struct mem_section *section)
{
	unsigned long map = section->section_mem_map;

	map &= SECTION_MAP_MASK;
	return (struct page *)map;
}

static inline int present_section(const struct mem_section *section)
{
	return section && (section->section_mem_map & SECTION_MARKED_PRESENT);
}
static inline int present_section_nr(unsigned long nr)
{
	return present_section(__nr_to_section(nr));
}
static inline int valid_section(const struct mem_section *section)
{
	return section && (section->section_mem_map & SECTION_HAS_MEM_MAP);
}
static inline int valid_section_nr(unsigned long nr)
{
	return valid_section(__nr_to_section(nr));
}
static inline int early_section(const struct mem_section *section)
{
	return section && (section->section_mem_map & SECTION_IS_EARLY);
}
static inline int online_section(const struct mem_section *section)
{
	return section && (section->section_mem_map & SECTION_IS_ONLINE);
}
static inline int online_section_nr(unsigned long nr)
{
	return online_section(__nr_to_section(nr));
}

static inline int subsection_map_index(pfn_t pfn)
{
	return (int)((pfn & ~PAGE_SECTION_MASK) / PAGES_PER_SUBSECTION);
}

static inline int pfn_section_valid(const struct mem_section *ms, pfn_t pfn)
{
	int idx = subsection_map_index(pfn);

	return (ms->usage->subsection_map[idx / 64] >> (idx % 64)) & 1;
}

/*
 * pfn_valid(): has @pfn a struct page? Linux 6.1's SPARSEMEM version: the
 * section must have a memory map; early sections (all of them at boot) count
 * as valid over their whole 128 MiB, holes included, since their memory map
 * covers it; others (hotplug, none here) by subsection. pfn_valid_section()
 * does the work and gives back the section (nullptr for an invalid pfn), for
 * a caller that goes on to read the section's pageblock bits.
 */
static inline const struct mem_section *pfn_valid_section(pfn_t pfn)
{
	const struct mem_section *ms;

	/* Upper bits set would wrap PFN_PHYS() onto a valid pfn */
	if (PFN_DOWN(PFN_PHYS(pfn)) != pfn)
		return nullptr;
	if (pfn_to_section_nr(pfn) >= NR_MEM_SECTIONS)
		return nullptr;
	ms = __pfn_to_section(pfn);
	if (!valid_section(ms))
		return nullptr;
	return early_section(ms) || pfn_section_valid(ms, pfn) ? ms : nullptr;
}

static inline int pfn_valid(pfn_t pfn)
{
	return pfn_valid_section(pfn) != nullptr;
}

static inline int pfn_in_present_section(pfn_t pfn)
{
	if (pfn_to_section_nr(pfn) >= NR_MEM_SECTIONS)
		return 0;
	return present_section(__pfn_to_section(pfn));
}

/* The next present section after @section_nr, or -1 (Linux 6.1 sparse.c). */
static inline unsigned long next_present_section_nr(unsigned long section_nr)
{
	while (++section_nr <= __highest_present_section_nr) {
		if (present_section_nr(section_nr))
			return section_nr;
	}
	return -1UL;
}

#define for_each_present_section_nr(start, section_nr)		\
	for (section_nr = next_present_section_nr((start) - 1);	\
	     section_nr != -1UL;					\
	     section_nr = next_present_section_nr(section_nr))

static inline unsigned long first_present_section_nr(void)
{
	return next_present_section_nr(-1UL);
}

/*
 * The virtual memory map. pfn_to_page()/page_to_pfn() are pure arithmetic on
 * `vmemmap` (SPARSEMEM_VMEMMAP's __pfn_to_page/__page_to_pfn); the page tables
 * map the struct page of @pfn at pfn_to_vmemmap_va(@pfn).
 */
extern struct page *vmemmap;

static inline struct page *pfn_to_page(pfn_t pfn)
{
	return vmemmap + (unsigned long)pfn;
}
static inline pfn_t page_to_pfn(const struct page *page)
{
	return pfn_t((unsigned long)(page - vmemmap));
}
static inline virt_addr_t pfn_to_vmemmap_va(pfn_t pfn)
{
	return VMEMMAP_START + (unsigned long)pfn * sizeof(struct page);
}

/* mm/sparse.c */

/*
 * Record [start, end) (pfns) as present on node @nid: allocate the root table
 * and the roots needed, and mark each section present, online, with @nid
 * encoded (sections already marked keep theirs). Linux's static
 * memory_present(). 0 or -ENOMEM.
 */
int memory_present(int nid, pfn_t start, pfn_t end);

/* memory_present() for every memblock.memory range. 0 or -ENOMEM. */
int memblocks_present(void);

/*
 * Give every present section its memory map, node by node: the usage maps,
 * the sparse buffer, __populate_section_memmap() into @pgd, then
 * vmemmap_populate_print_last() and our summary line. Calls
 * memblocks_present() first, as Linux 6.1 (a second call changes nothing).
 * 0; -EINVAL without @pgd; -ENOMEM if root tables could not be allocated or
 * some node's sections had to be dropped ("memory map backing failed").
 */
int sparse_init(pgd_t *pgd);

/* Clamp a pfn range to MAX_PHYSMEM_BITS, with Linux's warning. */
void mminit_validate_memmodel_limits(pfn_t *start_pfn, pfn_t *end_pfn);

/* The early nid stored in a present section before sparse_init(). */
static inline int sparse_early_nid(const struct mem_section *section)
{
	return (int)(section->section_mem_map >> SECTION_NID_SHIFT);
}

unsigned long sparse_encode_mem_map(struct page *mem_map, unsigned long pnum);
struct page *sparse_decode_mem_map(unsigned long coded_mem_map, unsigned long pnum);

/* sizeof(struct page) * PAGES_PER_SECTION rounded up to PMD_SIZE: 2 MiB. */
unsigned long section_map_size(void);
/* The pageblock bitmap (32 bytes) and the whole usage (40 bytes). */
unsigned long usemap_size(void);
size_t mem_section_usage_size(void);

/*
 * The per-node sparse buffer: one PMD-aligned block of size bytes on node @nid
 * (memblock_alloc_exact_nid_raw), handed out by sparse_buffer_alloc() in
 * size-aligned pieces; sparse_buffer_fini() frees what is left.
 */
void sparse_buffer_init(unsigned long size, int nid);
void *sparse_buffer_alloc(unsigned long size);
void sparse_buffer_fini(void);

/*
 * Set the subsection bits of [pfn, pfn + nr_pages) in the usage maps of sections
 * that have a memory map (Linux calls it from free_area_init() for each memblock
 * range; pfn_valid() of early sections does not need it).
 */
void subsection_map_init(pfn_t pfn, unsigned long nr_pages);

/*
 * Forget all sparse state (mem_section, highest present section, counters, the
 * buffer, the print state). Frees nothing. For tests. `vmemmap` is left alone:
 * it belongs to the platform (the host's window). The root table is sized for
 * the paging mode of the first memory_present(): reset after paging_set_levels().
 */
void sparse_reset(void);

/* mm/sparse-vmemmap.c, arch/x86/mm/init_64.c */

/*
 * Map the memory map of [pfn, pfn + nr_pages) (subsection-aligned) into @pgd.
 * Returns pfn_to_page(pfn), or nullptr on failure.
 */
struct page *__populate_section_memmap(pgd_t *pgd, pfn_t pfn,
				       unsigned long nr_pages, int nid);

/*
 * x86's vmemmap_populate(): [start, end) of the vmemmap region (page-table
 * addresses, 4K-aligned) with 2 MiB pages where a whole section is asked for,
 * else (and where no 2 MiB block can be had) with 4 KiB pages. 0, -EINVAL,
 * -ENOMEM (or a map_pages() error).
 */
int vmemmap_populate(pgd_t *pgd, virt_addr_t start, virt_addr_t end, int node);
int vmemmap_populate_hugepages(pgd_t *pgd, virt_addr_t start, virt_addr_t end, int node);
int vmemmap_populate_basepages(pgd_t *pgd, virt_addr_t start, virt_addr_t end, int node);

/* A block for the memory map: from the sparse buffer, else from memblock. */
void *vmemmap_alloc_block(unsigned long size, int node);
void *vmemmap_alloc_block_buf(unsigned long size, int node);

/* Print the last run of " [start-end] PMD -> [p-p_end] on node N". */
void vmemmap_populate_print_last(void);

/* Internal: the node memblock is asked for on behalf of @nid (see above). */
int sparse_alloc_nid(int nid);
void sparse_vmemmap_reset(void);

/* Ours: what vmemmap_populate() mapped since sparse_reset(). */
extern unsigned long vmemmap_nr_pmds;
extern unsigned long vmemmap_nr_base_pages;
