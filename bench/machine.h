// The simulated machine the mm benchmarks run on: physical memory in a memfd
// behind __va(), a vmemmap window, and the app's bring-up (efi/mm_core.cpp) in
// steps, so that each benchmark stops where its subject starts. One per
// benchmark run; the destructor tears everything down.
#pragma once

#include "host/platform.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/memblock.h"
#include "mm/mm_init.h"
#include "mm/numa.h"
#include "mm/page_alloc.h"
#include "mm/sparse.h"
#include "paging/head64.h"
#include "paging/pgtable.h"

namespace bench {

class sim_machine {
public:
	// @phys bytes of simulated memory (memblock allocates only there), struct
	// pages for RAM below @vmemmap_limit. The caller lays out memblock next.
	sim_machine(u64 phys, u64 vmemmap_limit)
	{
		memblock_reset();
		paging_reset();
		sparse_reset();
		numa_reset();
		mm_init_reset();
		printk_reset();
		console_loglevel = 1; // quiet: only the timing matters
		ok = host_phys_memfd_create(phys) && host_vmemmap_window_create(vmemmap_limit);
		if (ok)
			memblock_set_current_limit(phys_addr_t(phys)); // the end of simulated RAM
	}
	~sim_machine()
	{
		sparse_reset();
		paging_reset();
		numa_reset();
		mm_init_reset();
		memblock_reset();
		host_phys_memfd_destroy();
		host_console_take();
	}

	// One node (no SRAT), sparse_init() into a fresh page table, the zones
	// sized and memmap_init() run (zone_sizes_init()).
	bool size_zones()
	{
		if (!ok)
			return false;
		max_pfn = max_low_pfn = PFN_DOWN(memblock_end_of_DRAM());
		ok = x86_numa_init(no_srat) == 0 && sparse_init((pgd_t *)alloc_low_page()) == 0;
		if (!ok)
			return false;
		memblock_find_dma_reserve();
		zone_sizes_init();
		host_console_take();
		return true;
	}

	// memblock_free_all() and the deferred struct pages (page_alloc_init_late()).
	void hand_over()
	{
		build_all_zonelists();
		mem_debugging_and_hardening_init();
		memblock_free_all();
		page_alloc_init_late();
		host_console_take();
	}

	// The rest of the allocator's set-up after the hand-over, in Linux's order.
	void allocator_up()
	{
		setup_per_cpu_pageset();
		init_per_zone_wmark_min();
		host_console_take();
	}

	// RAM [1M, @ram) on one node with 16 MiB of "kernel" reserved, brought up
	// to a working page allocator.
	bool boot_small(u64 ram)
	{
		if (!ok)
			return false;
		memblock_add(SZ_1M, ram - SZ_1M);
		memblock_reserve(SZ_1M, 16 * SZ_1M);
		if (!size_zones())
			return false;
		hand_over();
		allocator_up();
		return true;
	}

	bool ok = false;

private:
	static int no_srat() { return -ENOENT; }
};

} // namespace bench
