// Virtual memory map support: mm/sparse-vmemmap.c of Linux 6.1
// (__populate_section_memmap, vmemmap_populate_basepages, vmemmap_alloc_block,
// vmemmap_alloc_block_buf) and the x86-64 side of arch/x86/mm/init_64.c
// (vmemmap_populate, vmemmap_populate_hugepages, vmemmap_populate_print_last).
//
// The struct pages of pfn N live at VMEMMAP_START + N * sizeof(struct page) in
// the page tables. Each section's 2 MiB of struct pages is mapped with one 2 MiB
// page when a PMD-aligned 2 MiB block can be had (from the node's sparse buffer,
// else from memblock), otherwise with 512 4 KiB pages.
//
// Where we differ (see also mm/sparse.h):
// - Mapping goes through map_pages() on the pgd passed in; its table pages come
//   from alloc_low_pages(). A map_pages() failure frees the block just taken and
//   returns the error (Linux's set_pmd()/set_pte() cannot fail: its tables were
//   allocated first by vmemmap_p?d_populate()).
// - After each mapping, platform_vmemmap_mapped() tells the platform (a no-op in
//   the app; the host mirrors it into its vmemmap window).
// - The PMD entry is what map_pages() makes of PAGE_KERNEL at 2 MiB: Linux's
//   PAGE_KERNEL_LARGE (PSE set, the same bits).
// - No vmemmap_verify() ("potential offnode page_structs"), no
//   vmemmap_use_sub_pmd() bookkeeping (boot maps whole sections, always
//   PMD-aligned), no altmap, no sync_global_pgds() (one pgd).
#include "mm/sparse.h"

#include "lib/errno.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "mm/memblock.h"

unsigned long vmemmap_nr_pmds;
unsigned long vmemmap_nr_base_pages;

/* The current run of contiguous PMD blocks, for the debug lines (init_64.c). */
static virt_addr_t addr_start, addr_end;
static char *p_start, *p_end;
static int node_start;

void sparse_vmemmap_reset(void)
{
	vmemmap_nr_pmds = 0;
	vmemmap_nr_base_pages = 0;
	addr_start = addr_end = 0;
	p_start = p_end = nullptr;
	node_start = 0;
}

/*
 * Early (no slab): __earlyonly_bootmem_alloc(node, size, size,
 * __pa(MAX_DMA_ADDRESS)), i.e. size-aligned, preferring @node, not zeroed.
 */
void *vmemmap_alloc_block(unsigned long size, int node)
{
	return memblock_alloc_try_nid_raw(size, size, VMEMMAP_ALLOC_GOAL,
					  MEMBLOCK_ALLOC_ACCESSIBLE, sparse_alloc_nid(node));
}

/*
 * The sparse buffer first, memblock once it is used up. Early callers should keep
 * to one size, or the buffer is carved with alignment gaps.
 */
void *vmemmap_alloc_block_buf(unsigned long size, int node)
{
	void *ptr = sparse_buffer_alloc(size);

	if (!ptr)
		ptr = vmemmap_alloc_block(size, node);
	return ptr;
}

static inline virt_addr_t pmd_addr_end(virt_addr_t addr, virt_addr_t end)
{
	virt_addr_t boundary = (addr + PMD_SIZE) & PMD_MASK;

	return (boundary - 1 < end - 1) ? boundary : end;
}

/*
 * The pmd entry for @addr, or nullptr when a level above has no table (then
 * the pmd is as good as none: map_pages() will build the path).
 */
static pmd_t *vmemmap_pmd_lookup(pgd_t *pgd, virt_addr_t addr)
{
	pgd_t *pgdp = pgd_offset_pgd(pgd, addr);
	p4d_t *p4d;
	pud_t *pud;

	if (!pgd_present(*pgdp))
		return nullptr;
	p4d = p4d_offset(pgdp, addr);
	if (!p4d_present(*p4d))
		return nullptr;
	pud = pud_offset(p4d, addr);
	if (!pud_present(*pud) || pud_large(*pud))
		return nullptr;
	return pmd_offset(pud, addr);
}

/*
 * vmemmap_populate_range() with no reuse: a 4 KiB block for every page of
 * [start, end) not mapped yet (vmemmap_pte_populate(): pte_none()).
 */
int vmemmap_populate_basepages(pgd_t *pgd, virt_addr_t start, virt_addr_t end, int node)
{
	virt_addr_t addr = start;

	for (; addr < end; addr += PAGE_SIZE) {
		enum pg_level level;
		u64 entry;
		void *p;
		int ret;

		if (lookup_address_in_pgd(pgd, addr, &entry, &level))
			continue;
		p = vmemmap_alloc_block_buf(PAGE_SIZE, node);
		if (!p)
			return -ENOMEM;
		ret = map_pages(pgd, addr, __pa(p), PAGE_SIZE, PAGE_KERNEL, 0);
		if (ret) {
			memblock_free(p, PAGE_SIZE);
			return ret;
		}
		platform_vmemmap_mapped(addr, __pa(p), PAGE_SIZE);
		vmemmap_nr_base_pages++;
	}
	return 0;
}

int vmemmap_populate_hugepages(pgd_t *pgd, virt_addr_t start, virt_addr_t end, int node)
{
	virt_addr_t addr;
	virt_addr_t next;

	for (addr = start; addr < end; addr = next) {
		pmd_t *pmd;

		next = pmd_addr_end(addr, end);

		pmd = vmemmap_pmd_lookup(pgd, addr);
		if (!pmd || pmd_none(*pmd)) {
			char *p = (char *)vmemmap_alloc_block_buf(PMD_SIZE, node);

			if (p) {
				virt_addr_t va = addr & PMD_MASK;
				int ret;

				ret = map_pages(pgd, va, __pa(p), PMD_SIZE, PAGE_KERNEL, PG_SIZE_2M);
				if (ret) {
					memblock_free(p, PMD_SIZE);
					return ret;
				}
				platform_vmemmap_mapped(va, __pa(p), PMD_SIZE);
				vmemmap_nr_pmds++;

				/* a new run begins unless this block directly follows the last, same node */
				if (p_end != p || node_start != node) {
					if (p_start)
						pr_debug(" [%lx-%lx] PMD -> [%p-%p] on node %d\n",
							 (unsigned long)addr_start, (unsigned long)(addr_end - 1),
							 (void *)p_start, (void *)(p_end - 1), node_start);
					addr_start = addr;
					node_start = node;
					p_start = p;
				}

				addr_end = addr + PMD_SIZE;
				p_end = p + PMD_SIZE;
				continue;
			}
		} else if (pmd_large(*pmd)) {
			/* Already mapped (Linux: vmemmap_verify(), vmemmap_use_sub_pmd()) */
			continue;
		}
		if (vmemmap_populate_basepages(pgd, addr, next, node))
			return -ENOMEM;
	}
	return 0;
}

int vmemmap_populate(pgd_t *pgd, virt_addr_t start, virt_addr_t end, int node)
{
	/* Linux: VM_BUG_ON */
	if (!IS_ALIGNED(start, PAGE_SIZE) || !IS_ALIGNED(end, PAGE_SIZE) || start >= end)
		return -EINVAL;

	/* x86-64 always has X86_FEATURE_PSE */
	if (end - start < PAGES_PER_SECTION * sizeof(struct page))
		return vmemmap_populate_basepages(pgd, start, end, node);
	return vmemmap_populate_hugepages(pgd, start, end, node);
}

void vmemmap_populate_print_last(void)
{
	if (p_start) {
		pr_debug(" [%lx-%lx] PMD -> [%p-%p] on node %d\n",
			 (unsigned long)addr_start, (unsigned long)(addr_end - 1), (void *)p_start,
			 (void *)(p_end - 1), node_start);
		p_start = nullptr;
		p_end = nullptr;
		node_start = 0;
	}
}

struct page *__populate_section_memmap(pgd_t *pgd, pfn_t pfn,
				       unsigned long nr_pages, int nid)
{
	virt_addr_t start = pfn_to_vmemmap_va(pfn);
	virt_addr_t end = start + nr_pages * sizeof(struct page);

	/* Linux: WARN_ON_ONCE */
	if (!IS_ALIGNED(pfn, PAGES_PER_SUBSECTION) || !IS_ALIGNED(nr_pages, PAGES_PER_SUBSECTION)) {
		pr_err("%s: pfn %#lx nr_pages %#lx not subsection-aligned\n", __func__, (unsigned long)pfn, nr_pages);
		return nullptr;
	}

	if (vmemmap_populate(pgd, start, end, nid) < 0)
		return nullptr;

	return pfn_to_page(pfn);
}
