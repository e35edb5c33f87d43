// The direct map; see init_64.h for what mirrors Linux and where we differ.
#include "paging/init_64.h"

#include <string.h>

#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/memblock.h"

unsigned int page_size_mask = 1u << PG_LEVEL_2M;
unsigned long direct_pages_count[PG_LEVEL_NUM];

namespace {

/* Why kernel_physical_mapping_init() stopped (Linux panics instead). */
int kpmi_error;

// The direct map's __va()/__pa() (not the platform's, which reach the tables).
inline virt_addr_t dm_va(unsigned long paddr)
{
	return page_offset_base + paddr;
}
inline unsigned long dm_pa(virt_addr_t vaddr)
{
	return vaddr - page_offset_base;
}

void update_page_count(int level, unsigned long pages)
{
	direct_pages_count[level] += pages;
}

// A new table page, or nullptr with kpmi_error set (Linux: alloc_low_page()
// panics).
void *kpmi_alloc(void)
{
	void *p = alloc_low_page();

	if (!p) {
		pr_err("init_memory_mapping: out of memory for page tables\n");
		kpmi_error = -ENOMEM;
	}
	return p;
}

// An existing table about to be written: it must be one of ours.
bool kpmi_owned(const void *table)
{
	if (pgtable_page_owned(__pa(table)))
		return true;
	pr_err("init_memory_mapping: table %#lx is not the app's; not writing it\n", (u64)__pa(table));
	kpmi_error = -EPERM;
	return false;
}

int save_mr(struct map_range *mr, int nr_range, pfn_t start_pfn,
	    pfn_t end_pfn, unsigned long page_size_mask)
{
	if (start_pfn < end_pfn) {
		if (nr_range >= NR_RANGE_MR) {
			pr_err("run out of range for init_memory_mapping\n");
			return nr_range;
		}
		mr[nr_range].start = (u64)PFN_PHYS(start_pfn);
		mr[nr_range].end = (u64)PFN_PHYS(end_pfn);
		mr[nr_range].page_size_mask = page_size_mask;
		nr_range++;
	}
	return nr_range;
}

/*
 * adjust_range_page_size_mask(): a 4K (or 2M) range may still use 2M (or 1G)
 * pages when the whole 2M (1G) block around it is RAM of one memblock region.
 */
void adjust_range_page_size_mask(struct map_range *mr, int nr_range)
{
	for (int i = 0; i < nr_range; i++) {
		if ((page_size_mask & (1 << PG_LEVEL_2M)) &&
		    !(mr[i].page_size_mask & (1 << PG_LEVEL_2M))) {
			unsigned long start = round_down(mr[i].start, PMD_SIZE);
			unsigned long end = round_up(mr[i].end, PMD_SIZE);

			if (memblock_is_region_memory(phys_addr_t(start), end - start))
				mr[i].page_size_mask |= 1 << PG_LEVEL_2M;
		}
		if ((page_size_mask & (1 << PG_LEVEL_1G)) &&
		    !(mr[i].page_size_mask & (1 << PG_LEVEL_1G))) {
			unsigned long start = round_down(mr[i].start, PUD_SIZE);
			unsigned long end = round_up(mr[i].end, PUD_SIZE);

			if (memblock_is_region_memory(phys_addr_t(start), end - start))
				mr[i].page_size_mask |= 1 << PG_LEVEL_1G;
		}
	}
}

const char *page_size_string(struct map_range *mr)
{
	if (mr->page_size_mask & (1 << PG_LEVEL_1G))
		return "1G";
	if (mr->page_size_mask & (1 << PG_LEVEL_2M))
		return "2M";
	return "4k";
}

/* phys_pte_init(): 4K pages for [paddr, paddr_end) inside one pte table. */
unsigned long phys_pte_init(pte_t *pte_page, unsigned long paddr, unsigned long paddr_end,
			    pgprot_t prot)
{
	unsigned long pages = 0, paddr_next;
	unsigned long paddr_last = paddr_end;
	/* Linux indexes with paddr: the same index, PAGE_OFFSET being 1G-aligned */
	pte_t *pte = pte_page + pte_index(dm_va(paddr));
	int i = pte_index(dm_va(paddr));

	for (; i < PTRS_PER_PTE; i++, paddr = paddr_next, pte++) {
		paddr_next = (paddr & PAGE_MASK) + PAGE_SIZE;
		if (paddr >= paddr_end)
			continue;	/* Linux clears it when not RAM in e820 */

		/* already mapped: keep the entry as it is and count it (as Linux does) */
		if (!pte_none(*pte)) {
			pages++;
			continue;
		}

		pages++;
		set_pte(pte, pfn_pte(pfn_t(paddr >> PAGE_SHIFT), prot));
		paddr_last = (paddr & PAGE_MASK) + PAGE_SIZE;
	}

	update_page_count(PG_LEVEL_4K, pages);
	return paddr_last;
}

/* phys_pmd_init(): 2M pages, or pte tables, for [paddr, paddr_end) in one pmd table. */
unsigned long phys_pmd_init(pmd_t *pmd_page, unsigned long paddr, unsigned long paddr_end,
			    unsigned long page_size_mask, pgprot_t prot)
{
	unsigned long pages = 0, paddr_next;
	unsigned long paddr_last = paddr_end;
	int i = pmd_index(dm_va(paddr));	/* Linux: pmd_index(paddr), the same */

	for (; i < PTRS_PER_PMD; i++, paddr = paddr_next) {
		pmd_t *pmd = pmd_page + pmd_index(dm_va(paddr));
		pte_t *pte;
		pgprot_t new_prot = prot;

		paddr_next = (paddr & PMD_MASK) + PMD_SIZE;
		if (paddr >= paddr_end)
			continue;	/* Linux clears it when not RAM in e820 */

		if (!pmd_none(*pmd)) {
			if (!pmd_large(*pmd)) {
				pte = pmd_page_vaddr(*pmd);
				if (!kpmi_owned(pte))
					return 0;
				paddr_last = phys_pte_init(pte, paddr, paddr_end, prot);
				continue;
			}
			/*
			 * A 2M leaf is already here. When 2M pages are allowed
			 * it stays; if not, it is broken into a pte table that
			 * keeps its protection (Linux: pte_clrhuge(); we also
			 * return the PAT bit to its 4K position).
			 */
			if (page_size_mask & (1 << PG_LEVEL_2M)) {
				pages++;
				paddr_last = paddr_next;
				continue;
			}
			new_prot = pgprot_large_2_4k(pmd_pgprot(*pmd));
		}

		if (page_size_mask & (1 << PG_LEVEL_2M)) {
			pages++;
			/* Linux: prot_sethuge(prot); PAT, if any, moves to bit 12 */
			set_pmd(pmd, pfn_pmd(pfn_t(paddr >> PAGE_SHIFT),
					     prot_sethuge(pgprot_4k_2_large(prot))));
			paddr_last = paddr_next;
			continue;
		}

		pte = (pte_t *)kpmi_alloc();
		if (!pte)
			return 0;
		paddr_last = phys_pte_init(pte, paddr, paddr_end, new_prot);
		set_pmd(pmd, __pmd((u64)__pa(pte) | _PAGE_TABLE));	/* pmd_populate_kernel() */
	}
	update_page_count(PG_LEVEL_2M, pages);
	return paddr_last;
}

/* phys_pud_init(): 1G pages, or pmd tables, in one pud table. */
unsigned long phys_pud_init(pud_t *pud_page, unsigned long paddr, unsigned long paddr_end,
			    unsigned long page_size_mask, pgprot_t _prot)
{
	unsigned long pages = 0, paddr_next;
	unsigned long paddr_last = paddr_end;
	virt_addr_t vaddr = dm_va(paddr);
	int i = pud_index(vaddr);

	for (; i < PTRS_PER_PUD; i++, paddr = paddr_next) {
		pud_t *pud;
		pmd_t *pmd;
		pgprot_t prot = _prot;

		vaddr = dm_va(paddr);
		pud = pud_page + pud_index(vaddr);
		paddr_next = (paddr & PUD_MASK) + PUD_SIZE;

		if (paddr >= paddr_end)
			continue;	/* Linux clears it when not RAM in e820 */

		if (!pud_none(*pud)) {
			if (!pud_large(*pud)) {
				pmd = pud_pgtable(*pud);
				if (!kpmi_owned(pmd))
					return 0;
				paddr_last = phys_pmd_init(pmd, paddr, paddr_end,
							   page_size_mask, prot);
				if (kpmi_error)
					return 0;
				continue;
			}
			if (page_size_mask & (1 << PG_LEVEL_1G)) {
				pages++;
				paddr_last = paddr_next;
				continue;
			}
			prot = pgprot_large_2_4k(pud_pgprot(*pud));
		}

		if (page_size_mask & (1 << PG_LEVEL_1G)) {
			pages++;
			set_pud(pud, pfn_pud(pfn_t(paddr >> PAGE_SHIFT),
					     prot_sethuge(pgprot_4k_2_large(prot))));
			paddr_last = paddr_next;
			continue;
		}

		pmd = (pmd_t *)kpmi_alloc();
		if (!pmd)
			return 0;
		paddr_last = phys_pmd_init(pmd, paddr, paddr_end, page_size_mask, prot);
		set_pud(pud, __pud((u64)__pa(pmd) | _PAGE_TABLE));	/* pud_populate() */
		if (kpmi_error)
			return 0;
	}

	update_page_count(PG_LEVEL_1G, pages);
	return paddr_last;
}

/* phys_p4d_init(): with 4 levels the p4d is folded and this is phys_pud_init(). */
unsigned long phys_p4d_init(p4d_t *p4d_page, unsigned long paddr, unsigned long paddr_end,
			    unsigned long page_size_mask, pgprot_t prot)
{
	virt_addr_t vaddr, vaddr_end, vaddr_next;
	unsigned long paddr_last = paddr_end;

	if (!pgtable_l5_enabled())
		return phys_pud_init((pud_t *)p4d_page, paddr, paddr_end, page_size_mask, prot);

	vaddr = dm_va(paddr);
	vaddr_end = dm_va(paddr_end);
	for (; vaddr < vaddr_end; vaddr = vaddr_next) {
		p4d_t *p4d = p4d_page + p4d_index(vaddr);
		pud_t *pud;

		vaddr_next = (vaddr & P4D_MASK) + P4D_SIZE;
		paddr = dm_pa(vaddr);

		if (!p4d_none(*p4d)) {
			pud = p4d_pgtable(*p4d);
			if (!kpmi_owned(pud))
				return 0;
			paddr_last = phys_pud_init(pud, paddr, dm_pa(vaddr_end),
						   page_size_mask, prot);
			if (kpmi_error)
				return 0;
			continue;
		}

		pud = (pud_t *)kpmi_alloc();
		if (!pud)
			return 0;
		paddr_last = phys_pud_init(pud, paddr, dm_pa(vaddr_end), page_size_mask, prot);
		set_p4d(p4d, __p4d((u64)__pa(pud) | _PAGE_TABLE));	/* p4d_populate() */
		if (kpmi_error)
			return 0;
	}
	return paddr_last;
}

} // namespace

/*
 * __kernel_physical_mapping_init(): walk the pgd entries of the direct-map
 * range, reusing or allocating the next level (p4d table, or pud table when the
 * p4d is folded).
 */
unsigned long kernel_physical_mapping_init(pgd_t *pgd_base, unsigned long paddr_start,
					   unsigned long paddr_end,
					   unsigned long page_size_mask, pgprot_t prot)
{
	virt_addr_t vaddr, vaddr_end, vaddr_next;
	unsigned long paddr_last;

	kpmi_error = 0;
	paddr_last = paddr_end;
	vaddr = dm_va(paddr_start);
	vaddr_end = dm_va(paddr_end);

	for (; vaddr < vaddr_end; vaddr = vaddr_next) {
		pgd_t *pgd = pgd_offset_pgd(pgd_base, vaddr);
		p4d_t *p4d;

		vaddr_next = (vaddr & PGDIR_MASK) + PGDIR_SIZE;

		if (pgd_val(*pgd)) {
			p4d = pgd_pgtable(*pgd);
			if (!kpmi_owned(p4d))
				return 0;
			paddr_last = phys_p4d_init(p4d, dm_pa(vaddr), dm_pa(vaddr_end),
						   page_size_mask, prot);
			if (kpmi_error)
				return 0;
			continue;
		}

		if (!kpmi_owned(pgd_base))
			return 0;
		p4d = (p4d_t *)kpmi_alloc();
		if (!p4d)
			return 0;
		paddr_last = phys_p4d_init(p4d, dm_pa(vaddr), dm_pa(vaddr_end),
					   page_size_mask, prot);
		/* pgd_populate(), or p4d_populate() on the folded p4d: the same store */
		set_pgd(pgd, __pgd((u64)__pa(p4d) | _PAGE_TABLE));
		if (kpmi_error)
			return 0;
	}
	/* Linux: sync_global_pgds() - there is only one top-level table here. */
	return paddr_last;
}

int split_mem_range(struct map_range *mr, int nr_range, unsigned long start, unsigned long end)
{
	pfn_t start_pfn, end_pfn, limit_pfn;
	pfn_t pfn;
	int i;

	limit_pfn = PFN_DOWN(phys_addr_t(end));

	/* leading part below the first 2M boundary: 4K pages */
	pfn = start_pfn = PFN_DOWN(phys_addr_t(start));
	end_pfn = round_up(pfn, PFN_DOWN(PMD_SIZE));
	if (end_pfn > limit_pfn)
		end_pfn = limit_pfn;
	if (start_pfn < end_pfn) {
		nr_range = save_mr(mr, nr_range, start_pfn, end_pfn, 0);
		pfn = end_pfn;
	}

	/* from there to a 1G boundary (or the last 2M boundary): 2M pages */
	start_pfn = round_up(pfn, PFN_DOWN(PMD_SIZE));
	end_pfn = round_up(pfn, PFN_DOWN(PUD_SIZE));
	if (end_pfn > round_down(limit_pfn, PFN_DOWN(PMD_SIZE)))
		end_pfn = round_down(limit_pfn, PFN_DOWN(PMD_SIZE));
	if (start_pfn < end_pfn) {
		nr_range = save_mr(mr, nr_range, start_pfn, end_pfn,
				   page_size_mask & (1 << PG_LEVEL_2M));
		pfn = end_pfn;
	}

	/* whole 1G blocks: 1G pages where allowed */
	start_pfn = round_up(pfn, PFN_DOWN(PUD_SIZE));
	end_pfn = round_down(limit_pfn, PFN_DOWN(PUD_SIZE));
	if (start_pfn < end_pfn) {
		nr_range = save_mr(mr, nr_range, start_pfn, end_pfn,
				   page_size_mask & ((1 << PG_LEVEL_2M) | (1 << PG_LEVEL_1G)));
		pfn = end_pfn;
	}

	/* what is left after the last 1G boundary, in whole 2M blocks */
	start_pfn = round_up(pfn, PFN_DOWN(PMD_SIZE));
	end_pfn = round_down(limit_pfn, PFN_DOWN(PMD_SIZE));
	if (start_pfn < end_pfn) {
		nr_range = save_mr(mr, nr_range, start_pfn, end_pfn,
				   page_size_mask & (1 << PG_LEVEL_2M));
		pfn = end_pfn;
	}

	/* the final piece past the last 2M boundary: 4K pages */
	start_pfn = pfn;
	end_pfn = limit_pfn;
	nr_range = save_mr(mr, nr_range, start_pfn, end_pfn, 0);

	adjust_range_page_size_mask(mr, nr_range);

	/* coalesce neighbours that touch and use the same page sizes */
	for (i = 0; nr_range > 1 && i < nr_range - 1; i++) {
		unsigned long old_start;

		if (mr[i].end != mr[i + 1].start ||
		    mr[i].page_size_mask != mr[i + 1].page_size_mask)
			continue;
		/* fold mr[i + 1] into mr[i]: shift the rest down one slot */
		old_start = mr[i].start;
		memmove(&mr[i], &mr[i + 1], (nr_range - 1 - i) * sizeof(struct map_range));
		mr[i--].start = old_start;
		nr_range--;
	}

	for (i = 0; i < nr_range; i++)
		pr_debug(" [mem %#010lx-%#010lx] page %s\n", mr[i].start, mr[i].end - 1,
			 page_size_string(&mr[i]));

	return nr_range;
}

unsigned long init_memory_mapping(pgd_t *pgd, unsigned long start, unsigned long end,
				  pgprot_t prot)
{
	struct map_range mr[NR_RANGE_MR];
	unsigned long ret = 0;
	int nr_range, i;

	pr_debug("init_memory_mapping: [mem %#010lx-%#010lx]\n", start, end - 1);

	memset(mr, 0, sizeof(mr));
	nr_range = split_mem_range(mr, 0, start, end);

	for (i = 0; i < nr_range; i++) {
		ret = kernel_physical_mapping_init(pgd, mr[i].start, mr[i].end,
						   mr[i].page_size_mask, prot);
		if (!ret)
			return 0;
	}
	/* Linux: add_pfn_range_mapped(start >> PAGE_SHIFT, ret >> PAGE_SHIFT) */
	return ret >> PAGE_SHIFT;
}

/*
 * init_mem_mapping() / init_range_memory_mapping(): every memblock.memory range
 * (whole pages, for_each_mem_pfn_range()) with PAGE_KERNEL.
 */
int init_mem_mapping(pgd_t *pgd)
{
	pfn_t start_pfn, end_pfn;
	int i;

	for_each_mem_pfn_range(i, MAX_NUMNODES, &start_pfn, &end_pfn, nullptr) {
		unsigned long start = (u64)PFN_PHYS(start_pfn);	/* paddr, as Linux's init_64.c */
		unsigned long end = (u64)PFN_PHYS(end_pfn);

		if (start >= end)
			continue;
		if (!init_memory_mapping(pgd, start, end, PAGE_KERNEL))
			return kpmi_error ? kpmi_error : -ENOMEM;
	}
	return 0;
}
