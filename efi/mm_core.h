// Nodes, the memory map and zones on the real machine, then the hand-over of free
// memory to the buddy allocator: what Linux does between initmem_init() and
// mem_init() (x86_numa_init(), paging_init() = sparse_init() + zone_sizes_init(),
// memblock_free_all()). Runs on init_top_pgt: the vmemmap lives there.
#pragma once

#include "mm/owned.h"

// The whole stage with its checks: struct pages read through vmemmap agree with
// the direct map, every free block is owned memory, and per zone free +
// reserved + hole = spanned. Returns the number of failed checks.
unsigned efi_mm_core_init(const owned_memory *owned);
