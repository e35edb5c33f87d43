// The direct map of RAM at PAGE_OFFSET, mirroring arch/x86/mm/init.c
// (split_mem_range(), init_memory_mapping(), init_mem_mapping()) and
// arch/x86/mm/init_64.c (kernel_physical_mapping_init() and phys_*_init()).
//
// Where we differ from Linux:
// - The top-level table is a parameter (Linux writes init_top_pgt through
//   pgd_offset_k()).
// - init_mem_mapping() maps each memblock.memory range in ascending order, once;
//   Linux maps [0, 1M) whatever it holds (ISA range), then the rest top-down in
//   growing steps so that new tables can come from memory mapped already. Our
//   tables are reached through the firmware's identity map (or the host window),
//   so neither is needed, and the direct map covers RAM only.
// - Running out of table pages, or an existing table that is not the app's,
//   stops with an error (Linux panics); what was mapped up to then stays.
// - Entries beyond the range are not cleared when absent from e820 (Linux's
//   phys_*_init() do it for tables reused from earlier mappings; ours are new).
#pragma once

#include "paging/pgtable.h"

/* init.c: the page sizes the direct map may use. 2M always; 1G with pdpe1gb. */
extern unsigned int page_size_mask;

/* init.c's direct_pages_count[] (update_page_count()), per pg_level. */
extern unsigned long direct_pages_count[PG_LEVEL_NUM];

struct map_range {
	unsigned long start;
	unsigned long end;
	unsigned page_size_mask;
};

#define NR_RANGE_MR 5

/*
 * Cut [start, end) into up to NR_RANGE_MR ranges as Linux: a 4K head up to the
 * first 2M boundary, 2M up to the first 1G boundary, 1G in the middle, 2M, a 4K
 * tail; then adjust_range_page_size_mask() (a range whose surrounding 2M/1G
 * block is all one memblock.memory region may use that size) and merging of
 * adjacent ranges with the same mask. Prints " [mem ...] page 4k/2M/1G" at
 * KERN_DEBUG. Returns the number of ranges.
 */
int split_mem_range(struct map_range *mr, int nr_range, unsigned long start, unsigned long end);

/*
 * Map [paddr_start, paddr_end) at page_offset_base + paddr in @pgd with @prot
 * (4K form; large pages get PSE). Returns the end of what was mapped (Linux's
 * paddr_last), or 0 on failure (-ENOMEM, or a table that is not the app's).
 */
unsigned long kernel_physical_mapping_init(pgd_t *pgd, unsigned long paddr_start,
					   unsigned long paddr_end,
					   unsigned long page_size_mask, pgprot_t prot);

/*
 * Print "init_memory_mapping: [mem ...]" (KERN_DEBUG), split the range and map
 * each piece. Returns the end pfn mapped (Linux: ret >> PAGE_SHIFT), 0 on failure.
 */
unsigned long init_memory_mapping(pgd_t *pgd, unsigned long start, unsigned long end,
				  pgprot_t prot);

/* The direct map of every memblock.memory range with PAGE_KERNEL: 0 or -errno. */
int init_mem_mapping(pgd_t *pgd);
