#include "efi/mm_core.h"

#include <string.h>

#include "efi/acpi.h"
#include "efi/buddy_selftest.h"
#include "efi/console.h"
#include "efi/slab_selftest.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "mm/memblock.h"
#include "mm/mm_init.h"
#include "mm/numa.h"
#include "mm/page_alloc.h"
#include "mm/sparse.h"
#include "paging/head64.h"
#include "paging/pgtable.h"

namespace {

// Microseconds per GiB of memory covered, for the TSC figures.
u64 us_per_gib(u64 ns, unsigned long pages)
{
	u64 gib_pages = 1ULL << (30 - PAGE_SHIFT);
	return pages ? ns * gib_pages / pages / 1000 : 0;
}

// A spread of struct pages: the bytes read through vmemmap are the bytes at the
// physical address the page tables give, read through the direct map; a write
// through one is seen through the other; and the page says the zone and node
// that span it.
unsigned check_vmemmap(void)
{
	constexpr unsigned SAMPLES = 64;
	pfn_t first = PFN_DOWN(memblock_start_of_DRAM()), last = PFN_DOWN(memblock_end_of_DRAM());
	unsigned long step = kmax((last - first) / SAMPLES, 1UL);
	unsigned bad = 0, checked = 0;

	for (pfn_t pfn = first; pfn < last && checked < SAMPLES; pfn += step) {
		if (!pfn_valid(pfn))
			continue;
		struct page *page = pfn_to_page(pfn);
		pt_translation t;
		if (!translate_va(init_top_pgt, virt_addr_t(page), &t)) {
			pr_err("vmemmap: struct page of pfn %#lx at %p is not mapped\n", (unsigned long)pfn, page);
			bad++;
			continue;
		}
		struct page *alias = (struct page *)__va(t.pa);
		if (memcmp(alias, page, sizeof(*page))) {
			pr_err("vmemmap: struct page of pfn %#lx differs from the direct map at %p\n",
			       (unsigned long)pfn, alias);
			bad++;
		}
		unsigned long saved = alias->memcg_data;
		alias->memcg_data = 0x5a5a5a5a00000000UL ^ (unsigned long)pfn;
		if (*(volatile unsigned long *)&page->memcg_data != (0x5a5a5a5a00000000UL ^ (unsigned long)pfn)) {
			pr_err("vmemmap: a write through the direct map is not seen at %p\n", page);
			bad++;
		}
		alias->memcg_data = saved;
		if (memblock_is_memory(PFN_PHYS(pfn))) {
			struct zone *zone = page_zone(page);
			if (!zone_spans_pfn(zone, pfn) || page_to_nid(page) != early_pfn_to_nid(pfn)) {
				pr_err("vmemmap: pfn %#lx says node %d zone %s, which does not span it\n",
				       (unsigned long)pfn,
				       page_to_nid(page), zone->name);
				bad++;
			}
		}
		checked++;
	}
	pr_info("vmemmap: %u struct pages read through vmemmap and the direct map: %s\n", checked,
		bad ? "MISMATCH" : "ok");
	return bad;
}

// Every free block is memory the app owns and memblock has free; every page of
// every zone is free, reserved or a hole, and the counts add up.
unsigned check_free_areas(const owned_memory *owned)
{
	unsigned bad = 0;
	unsigned long blocks = 0;
	struct zone *zone;

	for_each_zone(zone) {
		if (!zone->initialized)
			continue;
		for (unsigned order = 0; order < NR_PAGE_ORDERS; order++) {
			for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
				struct page *page;
				list_for_each_entry(page, &zone->free_area[order].free_list[mt], buddy_list)
				{
					pfn_t pfn = page_to_pfn(page);
					phys_addr_t pa = PFN_PHYS(pfn);
					u64 size = PAGE_SIZE << order;
					if (!owned_contains(owned, pa, size) ||
					    memblock_is_region_reserved(pa, size) || buddy_order(page) != order ||
					    !zone_spans_pfn(zone, pfn + (1UL << order) - 1)) {
						if (bad++ < 8)
							pr_err("buddy: free block [mem %#018llx-%#018llx] order %u is "
							       "not owned, free memory of its zone\n",
							       (unsigned long long)pa,
							       (unsigned long long)(pa + size - 1), order);
					}
					blocks++;
				}
			}
		}

		unsigned long free = 0, reserved = 0, hole = 0;
		for (pfn_t pfn = zone->zone_start_pfn; pfn < zone_end_pfn(zone); pfn++) {
			if (!pfn_valid(pfn)) {
				hole++;
				continue;
			}
			struct page *page = pfn_to_page(pfn);
			if (PageBuddy(page)) {
				unsigned long n = 1UL << buddy_order(page);
				free += n;
				pfn += n - 1;
			} else if (PageReserved(page)) {
				if (memblock_is_memory(PFN_PHYS(pfn)))
					reserved++;
				else
					hole++;
			} else {
				if (bad++ < 8)
					pr_err("buddy: pfn %#lx is neither free nor reserved\n", (unsigned long)pfn);
			}
		}
		bool ok = free + reserved + hole == zone->spanned_pages && free == zone_free_pages(zone) &&
			  hole == zone->spanned_pages - zone->present_pages && free == zone->managed_pages;
		pr_info("On node %d, zone %s: %lu free + %lu reserved + %lu in holes = %lu spanned: %s\n",
			zone_to_nid(zone), zone->name, free, reserved, hole, zone->spanned_pages, ok ? "ok" : "MISMATCH");
		if (!ok)
			bad++;
	}
	pr_info("buddy: %lu free blocks, all owned by the app: %s\n", blocks, bad ? "NO" : "yes");
	return bad;
}

} // namespace

unsigned efi_mm_core_init(const owned_memory *owned)
{
	unsigned bad = 0;

	numa_reset();
	sparse_reset();

	// setup_arch(): the ACPI tables, then initmem_init() (NUMA from the SRAT).
	efi_acpi_init();
	if (x86_numa_init(efi_srat_init)) {
		pr_err("uefi-mm: NUMA setup failed\n");
		return 1;
	}

	// paging_init(): sparse_init() then zone_sizes_init(), which ends in memmap_init().
	if (memmap_init_streaming)
		pr_info("uefi-mm: memmap_init=streaming: each struct page written once, in its final state, at "
			"the hand-over\n");
	else
		pr_info("uefi-mm: memmap_init=linux: struct pages written by memmap_init(), then again at the "
			"hand-over, as Linux\n");
	u64 t0 = tsc_now_ns();
	int err = sparse_init(init_top_pgt);
	u64 t_sparse = tsc_now_ns() - t0;
	if (err) {
		pr_err("uefi-mm: sparse_init failed (%d)\n", err);
		return 1;
	}
	memblock_find_dma_reserve();
	zone_sizes_init();

	// mm_core_init(): the zonelists first (their "Total pages" is the estimate
	// free_area_init() left in managed_pages, as Linux prints it), then the
	// boot options of the page checks and of clearing (init_on_alloc=,
	// init_on_free=) take effect, then mem_init(): the hand-over to the buddy
	// allocator.
	build_all_zonelists();
	mem_debugging_and_hardening_init();
	report_meminit();
	unsigned long memblock_free = memblock_free_pages_count();
	t0 = tsc_now_ns();
	unsigned long freed = memblock_free_all();
	u64 t_free = tsc_now_ns() - t0;
	mem_print_totals();
	// page_alloc_init_late(): the deferred struct pages, initialised and freed.
	page_alloc_init_late();
	u64 t_deferred = deferred_init_ns;
	// Every struct page is initialised now (the deferred ones too).
	bad += check_vmemmap();
	if (freed != memblock_free || nr_free_pages() != freed || totalram_pages() != freed) {
		pr_err("buddy: memblock_free_all freed %lu pages; memblock had %lu free, the lists hold %lu\n", freed,
		       memblock_free, nr_free_pages());
		bad++;
	}
	show_buddyinfo();
	bad += check_free_areas(owned);

	// The rest of the allocator's set-up, in Linux's order: setup_per_cpu_pageset()
	// (start_kernel()), then init_per_zone_wmark_min() (an initcall).
	setup_per_cpu_pageset();
	init_per_zone_wmark_min();

	// The cost of struct pages and the hand-over, per GiB of the pages concerned.
	unsigned long pages = memmap_pages_initialised;
	u64 t_all = memmap_init_ns + t_free + t_deferred;
	pr_info("uefi-mm: TSC: sparse_init %llu us; memmap_init %llu us, memblock_free_all %llu us, deferred "
		"init %llu us: %lu struct pages, %lu pages freed, %llu us/GiB\n",
		(unsigned long long)(t_sparse / 1000), (unsigned long long)(memmap_init_ns / 1000),
		(unsigned long long)(t_free / 1000), (unsigned long long)(t_deferred / 1000), pages, freed,
		(unsigned long long)us_per_gib(t_all, pages));

	// The buddy allocator on this RAM (buddy_test=), then the dumps asked for.
	bad += buddy_selftest();
	buddy_show_requested();
	// mm_core_init() -> kmem_cache_init(), then the slab allocator's self-test.
	bad += efi_slab_init();
	bad += efi_slab_selftest();
	pr_info("uefi-mm: nodes, zones, memmap and buddy hand-over %s\n", bad ? "FAILED" : "ok");
	return bad;
}
