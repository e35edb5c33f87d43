// A machine brought up on the host as the app brings it up: memblock laid out by
// the test, then x86_numa_init() (a fake SRAT), sparse_init() into a fresh page
// table, zone_sizes_init() (memmap_init()), memblock_free_all() and
// page_alloc_init_late() (deferred struct pages), on the
// simulated physical memory and vmemmap window of the sparse fixture. The buddy
// and slab suites start from here.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <vector>

#include "tests/host/sparse_test.h"
#include "tests/host/types_test.h"
#include "mm/mm_init.h"
#include "mm/numa.h"
#include "mm/page_alloc.h"

namespace mm_fixture {

struct node_block {
	phys_addr_t start, end;
	int nid;
};
// The SRAT the next bring_up() sees (empty: no NUMA, one node).
inline std::vector<node_block> srat;

inline int fake_srat()
{
	if (srat.empty())
		return -ENOENT;
	for (const auto &b : srat) {
		node_set(b.nid, numa_nodes_parsed);
		numa_add_memblk(b.nid, b.start, b.end);
	}
	return 0;
}

// Every block on @zone's free lists, each checked as it must be (PageBuddy with
// its order, naturally aligned, in its zone), then handed to @fn; and each
// order's nr_free equal to the blocks found.
inline void walk_free_blocks(struct zone *zone,
			     const std::function<void(struct page *, pfn_t pfn, unsigned order, int mt)> &fn)
{
	for (unsigned order = 0; order < NR_PAGE_ORDERS; order++) {
		unsigned long n = 0;
		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct page *page;
			list_for_each_entry(page, &zone->free_area[order].free_list[mt], buddy_list)
			{
				pfn_t pfn = page_to_pfn(page);
				EXPECT_TRUE(PageBuddy(page)) << pfn;
				EXPECT_EQ(buddy_order(page), order) << pfn;
				EXPECT_EQ(pfn & ((1UL << order) - 1), 0u) << "unaligned block at " << pfn;
				EXPECT_EQ(page_zone(page), zone) << pfn;
				fn(page, pfn, order, mt);
				n++;
			}
		}
		EXPECT_EQ(zone->free_area[order].nr_free, n) << zone->name << " order " << order;
	}
}

class MmBoot : public sparse_test::Sparse {
protected:
	void SetUp() override
	{
		Sparse::SetUp();
		numa_reset();
		mm_init_reset();
		srat.clear();
	}
	void TearDown() override
	{
		numa_reset();
		mm_init_reset();
		Sparse::TearDown();
	}

	// The app's order of calls after memblock is set up (efi/mm_core.cpp).
	// Memory the test added must lie below PHYS_SIZE wherever pages will be
	// touched (page contents); struct pages may describe RAM anywhere.
	void bring_up()
	{
		max_pfn = max_low_pfn = PFN_DOWN(memblock_end_of_DRAM());
		ASSERT_EQ(x86_numa_init(fake_srat), 0);
		pgd_t *pgd = new_pgd();
		ASSERT_EQ(sparse_init(pgd), 0);
		memblock_find_dma_reserve();
		if (after_sparse_init)
			after_sparse_init();
		zone_sizes_init();
		if (after_memmap_init)
			after_memmap_init();
		// The free ranges as memblock has them now, before the hand-over.
		u64 i;
		phys_addr_t s, e;
		for_each_free_mem_range(i, NUMA_NO_NODE, MEMBLOCK_NONE, &s, &e, nullptr)
			for (pfn_t pfn = PFN_UP(s); pfn < PFN_DOWN(e); pfn++)
				expect_free.insert(pfn);
		// mm_core_init(): the zonelists, init_on_alloc=/init_on_free= take
		// effect, then the hand-over.
		build_all_zonelists();
		mem_debugging_and_hardening_init();
		freed = memblock_free_all();
		mem_print_totals();	// mem_init_print_info()'s "Memory:" line
		// The deferred struct pages of the highest zones, as the app does next.
		page_alloc_init_late();
	}

	// A small machine whose pages all lie in the simulated memory: RAM
	// [1M, PHYS_SIZE) on one node, the first 2 MiB of it reserved.
	void bring_up_small()
	{
		add_low_ram();
		ASSERT_EQ(memblock_reserve(SZ_1M, SZ_1M), 0);
		bring_up();
	}

	// Run by bring_up() after sparse_init() and after zone_sizes_init()
	// (memmap_init()), before memblock_free_all().
	std::function<void()> after_sparse_init, after_memmap_init;
	std::set<pfn_t> expect_free; // pfns memblock had free
	unsigned long freed = 0;	     // what memblock_free_all() returned
};

} // namespace mm_fixture
