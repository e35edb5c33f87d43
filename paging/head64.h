// The app's two top-level tables, mirroring arch/x86/kernel/head64.c and
// head_64.S: early_top_pgt (what the kernel runs on first) and init_top_pgt
// (swapper_pg_dir, with the direct map), sharing the high kernel mapping
// level3_kernel_pgt -> level2_kernel_pgt at __START_KERNEL_map.
//
// Where we differ from Linux:
// - The tables are allocated from memblock (alloc_low_pages()), not in the image.
// - Both tables start as a copy of the firmware's present top-level entries, so
//   the firmware's identity map (and its lower tables, shared, never written)
//   stays usable; Linux's early_top_pgt has an identity map of the kernel only,
//   and init_top_pgt has none once booted.
// - The image is only 4K-aligned, so level2_kernel_pgt points to pte tables
//   mapping each section with its own protection; Linux's 2M-aligned image uses
//   2M pmds. phys_base is the image's lowest address rounded down to 2M, so
//   offsets inside a 2M page are the same in both views.
// - No fixmap (level2_fixmap_pgt) and no identity entries (level3_ident_pgt).
#pragma once

#include "paging/pgtable.h"

/* __va() of each table, nullptr until built. */
extern pgd_t *early_top_pgt;
extern pgd_t *init_top_pgt;
extern p4d_t *level4_kernel_pgt;	/* 5-level only: slot 511 of the top table */
extern pud_t *level3_kernel_pgt;
extern pmd_t *level2_kernel_pgt;

/* The physical address __START_KERNEL_map maps (Linux's phys_base). */
extern phys_addr_t phys_base;

/* mm/init-mm.c, reduced to the one field used here. */
struct mm_struct {
	pgd_t *pgd;
};
extern struct mm_struct init_mm;

struct kernel_image_section {
	phys_addr_t pa;
	u64 size;
	pgprot_t prot;	/* 4K form, e.g. PAGE_KERNEL_RX */
	const char *name;
};

/* The top-level slot of the high kernel mapping (L4_START_KERNEL). */
#define L4_START_KERNEL 511

/*
 * Build early_top_pgt: the firmware's present entries of its top-level table at
 * @fw_top_pa (read through __va()), then slot 511 -> [level4_kernel_pgt ->]
 * level3_kernel_pgt -> level2_kernel_pgt -> pte tables mapping each section at
 * __START_KERNEL_va(sec.pa). Returns 0; -EEXIST if the firmware uses slot 511
 * or a direct-map slot; -EINVAL for unaligned or empty sections, or when already
 * built; -E2BIG if the image spans more than KERNEL_IMAGE_SIZE; -ENOMEM.
 */
int build_early_top_pgt(phys_addr_t fw_top_pa, const struct kernel_image_section *sec,
			unsigned nr_sec);

/*
 * Build init_top_pgt: the firmware's present entries (same rule), slot 511
 * shared with early_top_pgt (same level3_kernel_pgt or level4_kernel_pgt), then
 * init_mem_mapping(); sets init_mm.pgd. 0 or -errno (-EINVAL before
 * build_early_top_pgt()).
 */
int build_init_top_pgt(phys_addr_t fw_top_pa);

/* The high-mapping alias of the image address @pa (Linux: __pa_symbol()'s inverse). */
virt_addr_t __START_KERNEL_va(phys_addr_t pa);

/*
 * Forget the tables and counters (frees nothing; free_pgtable_pages() first if
 * they should go back to memblock) and restore the paging defaults:
 * 4-level, __supported_pte_mask ~0, page_size_mask 2M, direct_pages_count zero.
 */
void paging_reset(void);
