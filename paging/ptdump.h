// A page-table dump in the format of Linux's arch/x86/mm/dump_pagetables.c
// (ptdump_walk_pgd_level() to dmesg, Linux 6.x), and page counts by size as
// arch_report_meminfo()'s DirectMap lines.
//
// Where we differ from Linux:
// - Any range [start, last] of any top-level table can be dumped; the first
//   marker printed is the one the range starts in (Linux always walks the whole
//   space and starts with "User Space").
// - Only the markers of areas this project has: User Space, Kernel Space, Low
//   Kernel Mapping, vmalloc() Area, Vmemmap, High Kernel Mapping, Modules, End
//   Modules. The hypervisor guard hole is not skipped.
// - A 2M/1G page's flags are taken with its own frame mask, so its PAT bit
//   (bit 12) is shown; Linux masks every level with PTE_FLAGS_MASK, which drops it.
// As Linux (generic ptdump walker, CONFIG_X86_5LEVEL) on 4-level paging, the
// top-level entries are named "p4d" (the pgd level is folded into it).
#pragma once

#include "paging/pgtable.h"

/* Print the runs of [start, last] (inclusive) of @pgd with pr_info(). */
void ptdump_walk_pgd_level(pgd_t *pgd, virt_addr_t start, virt_addr_t last);

/* Present leaves overlapping [start, last], by level (nr[PG_LEVEL_4K] ...). */
void ptdump_count_pages(pgd_t *pgd, virt_addr_t start, virt_addr_t last,
			unsigned long nr[PG_LEVEL_NUM]);

/* "DirectMap4k:  N kB" / 2M / 1G lines (arch_report_meminfo()) for [start, last]. */
void ptdump_summary(pgd_t *pgd, virt_addr_t start, virt_addr_t last);
