// early_top_pgt and init_top_pgt; see head64.h for what mirrors Linux and where
// we differ.
#include "paging/head64.h"

#include <string.h>

#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/memblock.h"
#include "paging/init_64.h"

pgd_t *early_top_pgt;
pgd_t *init_top_pgt;
p4d_t *level4_kernel_pgt;
pud_t *level3_kernel_pgt;
pmd_t *level2_kernel_pgt;
phys_addr_t phys_base;
struct mm_struct init_mm;

namespace {

// The top-level slots the direct map of memblock.memory will use.
void direct_map_slots(unsigned long *first, unsigned long *last)
{
	phys_addr_t end = memblock_end_of_DRAM();

	*first = pgd_index(page_offset_base);
	*last = end ? pgd_index(page_offset_base + (u64)end - 1) : *first;
}

/*
 * Copy the firmware's present top-level entries into @pgd, sharing its lower
 * tables. The slots the app needs for itself must be free in the firmware's.
 */
int copy_firmware_top(pgd_t *pgd, phys_addr_t fw_top_pa, const char *name)
{
	const pgd_t *fw = (const pgd_t *)__va(fw_top_pa);
	unsigned long dm_first, dm_last;
	unsigned i, copied = 0;

	if (!fw) {
		pr_err("paging: the firmware's top-level table at %#lx is not reachable\n", (u64)fw_top_pa);
		return -EINVAL;
	}
	direct_map_slots(&dm_first, &dm_last);
	for (i = 0; i < PTRS_PER_PGD; i++) {
		pgdval_t v = pgd_val(fw[i]);

		if (!(v & _PAGE_PRESENT))
			continue;
		if (i == L4_START_KERNEL) {
			pr_err("paging: the firmware uses top-level slot %u, which %s needs for __START_KERNEL_map\n",
			       i, name);
			return -EEXIST;
		}
		if (i >= dm_first && i <= dm_last) {
			pr_err("paging: the firmware uses top-level slot %u, which %s needs for the direct map at %#lx\n",
			       i, name, (unsigned long)page_offset_base);
			return -EEXIST;
		}
		set_pgd(&pgd[i], __pgd(v));
		copied++;
	}
	pr_debug("paging: %s: %u top-level entries shared with the firmware's table at %#lx\n",
		 name, copied, (u64)fw_top_pa);
	return 0;
}

// Give back the pages of a build that failed early, newest first.
void free_tables(void *a, void *b, void *c, void *d)
{
	void *t[] = { d, c, b, a };

	for (void *p : t)
		if (p)
			free_pgtable_page(p);
}

void forget_early(void)
{
	early_top_pgt = nullptr;
	level4_kernel_pgt = nullptr;
	level3_kernel_pgt = nullptr;
	level2_kernel_pgt = nullptr;
}

} // namespace

virt_addr_t __START_KERNEL_va(phys_addr_t pa)
{
	return __START_KERNEL_map + (pa - phys_base);
}

int build_early_top_pgt(phys_addr_t fw_top_pa, const struct kernel_image_section *sec,
			unsigned nr_sec)
{
	phys_addr_t lo = PHYS_ADDR_MAX, hi = 0;
	unsigned i;
	int err;

	if (early_top_pgt || !nr_sec)
		return -EINVAL;
	for (i = 0; i < nr_sec; i++) {
		if (!sec[i].size || !IS_ALIGNED(sec[i].pa, PAGE_SIZE) ||
		    sec[i].pa + sec[i].size < sec[i].pa)
			return -EINVAL;
		lo = kmin(lo, sec[i].pa);
		hi = kmax(hi, round_up(sec[i].pa + sec[i].size, PAGE_SIZE));
	}
	if (hi - round_down(lo, PMD_SIZE) > KERNEL_IMAGE_SIZE) {
		pr_err("paging: the image [%#lx-%#lx] is larger than KERNEL_IMAGE_SIZE\n", (u64)lo, (u64)(hi - 1));
		return -E2BIG;
	}

	/* head_64.S: early_top_pgt[511] -> level3_kernel_pgt[510] -> level2_kernel_pgt */
	pgd_t *pgd = (pgd_t *)alloc_low_page();
	p4d_t *p4d = pgtable_l5_enabled() ? (p4d_t *)alloc_low_page() : nullptr;
	pud_t *pud = (pud_t *)alloc_low_page();
	pmd_t *pmd = (pmd_t *)alloc_low_page();

	if (!pgd || !pud || !pmd || (pgtable_l5_enabled() && !p4d)) {
		free_tables(pgd, p4d, pud, pmd);
		return -ENOMEM;
	}
	err = copy_firmware_top(pgd, fw_top_pa, "early_top_pgt");
	if (err) {
		free_tables(pgd, p4d, pud, pmd);
		return err;
	}
	phys_base = round_down(lo, PMD_SIZE);
	set_pud(&pud[pud_index(__START_KERNEL_map)], __pud((u64)__pa(pmd) | _KERNPG_TABLE));
	if (p4d) {
		set_p4d(&p4d[p4d_index(__START_KERNEL_map)], __p4d((u64)__pa(pud) | _PAGE_TABLE));
		set_pgd(&pgd[L4_START_KERNEL], __pgd((u64)__pa(p4d) | _PAGE_TABLE));
	} else {
		set_pgd(&pgd[L4_START_KERNEL], __pgd((u64)__pa(pud) | _PAGE_TABLE));
	}
	early_top_pgt = pgd;
	level4_kernel_pgt = p4d;
	level3_kernel_pgt = pud;
	level2_kernel_pgt = pmd;

	for (i = 0; i < nr_sec; i++) {
		u64 size = round_up(sec[i].size, PAGE_SIZE);
		virt_addr_t va = __START_KERNEL_va(sec[i].pa);

		err = map_pages(early_top_pgt, va, sec[i].pa, size, sec[i].prot, 0);
		if (err) {
			pr_err("paging: mapping the image's %s at %#lx failed (%d)\n",
			       sec[i].name ? sec[i].name : "section", (unsigned long)va, err);
			return err;	/* the tables stay recorded; free_pgtable_pages() */
		}
		pr_debug("paging: image %s [mem %#018lx-%#018lx] at [%#018lx-%#018lx] prot %#lx\n",
			 sec[i].name ? sec[i].name : "section", (u64)sec[i].pa, (u64)(sec[i].pa + size - 1),
			 (unsigned long)va, (unsigned long)(va + size - 1), pgprot_val(sec[i].prot));
	}

	pr_debug("paging: early_top_pgt at %#lx\n", (u64)__pa(early_top_pgt));
	if (level4_kernel_pgt)
		pr_debug("paging: level4_kernel_pgt at %#lx\n", (u64)__pa(level4_kernel_pgt));
	pr_debug("paging: level3_kernel_pgt at %#lx\n", (u64)__pa(level3_kernel_pgt));
	pr_debug("paging: level2_kernel_pgt at %#lx\n", (u64)__pa(level2_kernel_pgt));
	for (i = 0; i < PTRS_PER_PMD; i++)
		if (pmd_present(level2_kernel_pgt[i]))
			pr_debug("paging: level2_kernel_pgt[%u] -> pte table at %#lx\n", i,
				 pmd_val(level2_kernel_pgt[i]) & PTE_PFN_MASK);
	return 0;
}

int build_init_top_pgt(phys_addr_t fw_top_pa)
{
	int err;

	if (!early_top_pgt || init_top_pgt)
		return -EINVAL;
	pgd_t *pgd = (pgd_t *)alloc_low_page();

	if (!pgd)
		return -ENOMEM;
	err = copy_firmware_top(pgd, fw_top_pa, "init_top_pgt");
	if (err) {
		free_tables(pgd, nullptr, nullptr, nullptr);
		return err;
	}
	/* head_64.S: both tables point at the same level3_kernel_pgt */
	set_pgd(&pgd[L4_START_KERNEL], early_top_pgt[L4_START_KERNEL]);
	init_top_pgt = pgd;
	pr_debug("paging: init_top_pgt at %#lx\n", (u64)__pa(init_top_pgt));

	err = init_mem_mapping(init_top_pgt);
	if (err)
		return err;
	init_mm.pgd = init_top_pgt;
	return 0;
}

void paging_reset(void)
{
	forget_early();
	init_top_pgt = nullptr;
	init_mm.pgd = nullptr;
	phys_base = 0;
	pgtable_forget_pages();
	paging_set_levels(false);
	__supported_pte_mask = ~u64(0);
	page_size_mask = 1u << PG_LEVEL_2M;
	memset(direct_pages_count, 0, sizeof(direct_pages_count));
}
