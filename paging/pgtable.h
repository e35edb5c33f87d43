// Walking and changing x86-64 page tables reached through __va(phys), so the same
// code runs in the app (firmware identity map, later the direct map) and on the
// host (simulated physical memory). Mirrors the entry walkers of
// arch/x86/include/asm/pgtable.h, alloc_low_pages() of arch/x86/mm/init.c, and
// split_large_page()/__change_page_attr()/lookup_address_in_pgd() of
// arch/x86/mm/pat/set_memory.c.
//
// Where we differ from Linux:
// - Every table page the library allocates is recorded, and only those pages are
//   ever written or freed: a table shared with the firmware (reached through a
//   copied top-level entry) is never modified; a change that would write one is
//   refused with -EPERM.
// - A request is checked completely before anything is written (a dry run that
//   also counts the table pages needed, which are then allocated up front): a
//   refused request (-EINVAL, -EEXIST, -EFAULT, -EPERM, -ENOMEM) leaves every
//   table byte-identical. Linux panics or leaves partial work.
// - Protections passed in are in 4K form (bit 7 is _PAGE_PAT); for 2M/1G leaves
//   they are converted with pgprot_4k_2_large() and get _PAGE_PSE.
// - Splitting keeps every attribute of the large page; Linux's
//   __split_large_page() also sets _PAGE_GLOBAL on present entries.
// - Tables emptied by unmap_pages() are not freed (free_pgtable_pages() does).
#pragma once

#include "lib/platform.h"
#include "paging/pgtable_types.h"

/* Index of @address in each level's table (pgtable.h / pgtable_64.h). */
static inline unsigned long pgd_index(virt_addr_t address)
{
	return ((unsigned long)address >> PGDIR_SHIFT) & (PTRS_PER_PGD - 1);
}
static inline unsigned long p4d_index(virt_addr_t address)
{
	return ((unsigned long)address >> P4D_SHIFT) & (PTRS_PER_P4D - 1);
}
static inline unsigned long pud_index(virt_addr_t address)
{
	return ((unsigned long)address >> PUD_SHIFT) & (PTRS_PER_PUD - 1);
}
static inline unsigned long pmd_index(virt_addr_t address)
{
	return ((unsigned long)address >> PMD_SHIFT) & (PTRS_PER_PMD - 1);
}
static inline unsigned long pte_index(virt_addr_t address)
{
	return ((unsigned long)address >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
}

/* The table an entry points to, through __va(). */
static inline p4d_t *pgd_pgtable(pgd_t pgd)
{
	return (p4d_t *)__va(phys_addr_t(pgd_val(pgd) & PTE_PFN_MASK));
}
static inline pud_t *p4d_pgtable(p4d_t p4d)
{
	return (pud_t *)__va(phys_addr_t(p4d_val(p4d) & PTE_PFN_MASK));
}
static inline pmd_t *pud_pgtable(pud_t pud)
{
	return (pmd_t *)__va(phys_addr_t(pud_val(pud) & pud_pfn_mask(pud)));
}
static inline pte_t *pmd_page_vaddr(pmd_t pmd)
{
	return (pte_t *)__va(phys_addr_t(pmd_val(pmd) & pmd_pfn_mask(pmd)));
}

static inline pgd_t *pgd_offset_pgd(pgd_t *pgd, virt_addr_t address)
{
	return pgd + pgd_index(address);
}

/* With 4 levels the p4d is folded: the pgd entry is the p4d entry (Linux). */
static inline p4d_t *p4d_offset(pgd_t *pgd, virt_addr_t address)
{
	if (!pgtable_l5_enabled())
		return (p4d_t *)pgd;
	return pgd_pgtable(*pgd) + p4d_index(address);
}
static inline pud_t *pud_offset(p4d_t *p4d, virt_addr_t address)
{
	return p4d_pgtable(*p4d) + pud_index(address);
}
static inline pmd_t *pmd_offset(pud_t *pud, virt_addr_t address)
{
	return pud_pgtable(*pud) + pmd_index(address);
}
static inline pte_t *pte_offset_kernel(pmd_t *pmd, virt_addr_t address)
{
	return pmd_page_vaddr(*pmd) + pte_index(address);
}

/* Writing entries (native_set_pte() and friends: one 8-byte store). */
static inline void native_set_pte(pte_t *ptep, pte_t pte) { *(volatile pteval_t *)&ptep->pte = pte_val(pte); }
static inline void native_set_pmd(pmd_t *pmdp, pmd_t pmd) { *(volatile pmdval_t *)&pmdp->pmd = pmd_val(pmd); }
static inline void native_set_pud(pud_t *pudp, pud_t pud) { *(volatile pudval_t *)&pudp->pud = pud_val(pud); }
static inline void native_set_p4d(p4d_t *p4dp, p4d_t p4d) { *(volatile p4dval_t *)&p4dp->p4d = p4d_val(p4d); }
static inline void native_set_pgd(pgd_t *pgdp, pgd_t pgd) { *(volatile pgdval_t *)&pgdp->pgd = pgd_val(pgd); }
#define set_pte(ptep, pte)	native_set_pte(ptep, pte)
#define set_pmd(pmdp, pmd)	native_set_pmd(pmdp, pmd)
#define set_pud(pudp, pud)	native_set_pud(pudp, pud)
#define set_p4d(p4dp, p4d)	native_set_p4d(p4dp, p4d)
#define set_pgd(pgdp, pgd)	native_set_pgd(pgdp, pgd)

/*
 * Table pages. alloc_low_pages() as init.c's once the brk buffer is used up:
 * memblock_phys_alloc(PAGE_SIZE * num, PAGE_SIZE) below memblock's current
 * limit, zeroed through __va(). Returns __va() of the first page, or nullptr.
 * Every page is recorded (up to PGTABLE_RECORD_MAX separate blocks; adjacent
 * allocations merge) until free_pgtable_pages() gives them all back.
 */
#define PGTABLE_RECORD_MAX 1024
void *alloc_low_pages(unsigned int num);
static inline void *alloc_low_page(void)
{
	return alloc_low_pages(1);
}
void free_pgtable_pages(void);
/* Give back one page from alloc_low_pages() (the newest first, preferably). */
void free_pgtable_page(void *table);
unsigned long pgtable_pages_allocated(void);
/* Did the library allocate the page at @pa? */
bool pgtable_page_owned(phys_addr_t pa);
/* Forget the record (paging_reset()); frees nothing. */
void pgtable_forget_pages(void);

/* page_size_mask bits, as init.c. */
#define PG_SIZE_2M	(1u << PG_LEVEL_2M)
#define PG_SIZE_1G	(1u << PG_LEVEL_1G)

/*
 * Map [va, va + size) to [pa, pa + size) with @prot (4K form, must be present),
 * each piece with the largest page that the alignment of va and pa, the size
 * left and @page_size_mask allow (4K always). Existing tables are descended
 * into; an identical existing mapping (same frame, same attributes up to
 * Accessed/Dirty) is accepted as is. Returns 0, -EINVAL (not 4K-aligned, size 0,
 * wrapping, non-canonical or crossing the canonical hole, bad prot), -EEXIST
 * (some page mapped elsewhere or with other attributes), -EPERM (would write a
 * table the library does not own) or -ENOMEM.
 */
int map_pages(pgd_t *pgd, virt_addr_t va, phys_addr_t pa, u64 size, pgprot_t prot,
	      unsigned int page_size_mask);

/*
 * Clear the leaves of [va, va + size); a large page only partly covered is split
 * first (attributes kept). Unmapped parts are skipped. 0, -EINVAL, -EPERM, -ENOMEM.
 */
int unmap_pages(pgd_t *pgd, virt_addr_t va, u64 size);

/*
 * Split the large page mapping @va: a 1G page (PG_LEVEL_1G) into 512 2M pages,
 * a 2M page (PG_LEVEL_2M) into 512 4K pages, keeping every attribute (the PAT
 * bit moves from bit 12 to bit 7 and PSE is dropped for 4K). 0, -EINVAL (no
 * large page of that level there), -EPERM or -ENOMEM.
 */
int split_large_page(pgd_t *pgd, virt_addr_t va, enum pg_level level);

/*
 * Like set_memory_*(): for every page of [va, va + size), new = (old & ~clear) |
 * set (4K form; converted for large pages), masked by __supported_pte_mask.
 * Large pages are split only where the range covers them partly and their
 * attributes would change. 0, -EINVAL, -EFAULT (some page is not mapped: Linux's
 * __cpa_process_fault()), -EPERM or -ENOMEM.
 */
int change_page_attr(pgd_t *pgd, virt_addr_t va, u64 size, pgprot_t set, pgprot_t clear);

/*
 * A software walk (lookup_address_in_pgd() plus the effective protection that
 * dump_pagetables.c computes). flags: _PAGE_PRESENT; _PAGE_RW and _PAGE_USER only
 * if set at every level; _PAGE_NX if set at any level; and the leaf's PWT, PCD,
 * PAT (always reported in 4K form, bit 7), GLOBAL, DIRTY, ACCESSED.
 */
struct pt_translation {
	phys_addr_t pa;
	enum pg_level level;
	u64 flags;
};
bool translate_va(pgd_t *pgd, virt_addr_t va, struct pt_translation *out);

/* The leaf entry (value) mapping @va, its level, or false (lookup_address_in_pgd()). */
bool lookup_address_in_pgd(pgd_t *pgd, virt_addr_t va, u64 *entry, enum pg_level *level);
