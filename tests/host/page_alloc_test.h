// The buddy allocator's host suites share this: a machine brought up to the
// hand-over (MmBoot), then Linux's allocator set-up (zonelists, pcp, watermarks),
// a snapshot of the free lists, and a full invariant check of the free lists,
// the pcp lists and every struct page against a model of the live allocations.
#pragma once

#include <gtest/gtest.h>

// The standard headers first: the mm headers define Linux's macros.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/host/mm_fixture.h"
#include "mm/page_alloc.h"

namespace page_alloc_test {

constexpr u64 MB = SZ_1M, GB = SZ_1G;

// A live allocation the test holds: order and whether it is compound.
struct live_block {
	unsigned order;
	bool compound;
};
using live_map = std::map<pfn_t, live_block>; // first pfn -> block

// Zone @zid of node @nid.
inline struct zone *zone_of(int nid, int zid)
{
	return &NODE_DATA(nid)->node_zones[zid];
}

inline std::vector<struct zone *> all_zones()
{
	std::vector<struct zone *> v;
	struct zone *zone;
	for_each_populated_zone(zone)
		if (zone->initialized)
			v.push_back(zone);
	return v;
}

// nr_free of every order of every zone, NR_FREE_PAGES and pcp counts.
struct snapshot {
	std::vector<unsigned long> nr_free;
	std::vector<long> free_pages;
	std::vector<int> pcp;
	bool operator==(const snapshot &o) const = default;
};

inline snapshot take_snapshot()
{
	snapshot s;
	for (struct zone *zone : all_zones()) {
		for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
			s.nr_free.push_back(zone->free_area[o].nr_free);
		s.free_pages.push_back(zone_page_state(zone, NR_FREE_PAGES));
		s.pcp.push_back(zone->per_cpu_pageset[0].count);
	}
	return s;
}

class PageAllocBoot : public mm_fixture::MmBoot {
protected:
	// The rest of the set-up after the hand-over (bring_up() built the
	// zonelists before it), as efi/mm_core.cpp does.
	void setup_allocator()
	{
		setup_per_cpu_pageset();
		init_per_zone_wmark_min();
	}

	void boot_small()
	{
		bring_up_small();
		setup_allocator();
		host_console_take();
	}

	// RAM [1M, @end) on one node, the first MiB of it reserved.
	void boot_ram(u64 end)
	{
		ASSERT_EQ(memblock_add(MB, end - MB), 0);
		ASSERT_EQ(memblock_reserve(MB, MB), 0);
		bring_up();
		setup_allocator();
		host_console_take();
	}

	// Pages go straight between the buddy lists and the caller (the boot
	// pageset: batch 1, high 0), so that a test sees the buddy alone.
	static void disable_pcp()
	{
		drain_all_pages(nullptr);
		for (struct zone *zone : all_zones()) {
			zone->per_cpu_pageset[0].high = 0;
			zone->per_cpu_pageset[0].batch = 1;
		}
	}

	// Every invariant of the free lists, the pcp lists and the struct pages,
	// given the blocks the test holds. Returns the number of free pages
	// (buddy + pcp).
	unsigned long check_invariants(const live_map &live)
	{
		std::map<pfn_t, unsigned> free_blocks; // buddy: pfn -> order
		std::set<pfn_t> pcp_pfns;
		unsigned long free_total = 0;

		for (struct zone *zone : all_zones()) {
			long counted = 0;
			mm_fixture::walk_free_blocks(zone, [&](struct page *, pfn_t pfn, unsigned order, int mt) {
				EXPECT_TRUE(zone_spans_pfn(zone, pfn + (1UL << order) - 1)) << pfn;
				EXPECT_TRUE(free_blocks.emplace(pfn, order).second) << pfn << " twice";
				if (mt != MIGRATE_ISOLATE)
					counted += 1L << order;
			});
			EXPECT_EQ(zone_page_state(zone, NR_FREE_PAGES), counted) << zone->name;

			struct per_cpu_pages *pcp = &zone->per_cpu_pageset[0];
			int pcp_pages = 0;
			for (int pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
				unsigned order = pindex_to_order(pindex);
				struct page *page;
				list_for_each_entry(page, &pcp->lists[pindex], pcp_list)
				{
					pfn_t pfn = page_to_pfn(page);
					EXPECT_FALSE(PageBuddy(page)) << pfn;
					EXPECT_EQ(page_ref_count(page), 0) << pfn;
					EXPECT_FALSE(page_alloc_allocated(page)) << pfn;
					EXPECT_EQ(page_zone(page), zone) << pfn;
					EXPECT_EQ(pfn & ((1UL << order) - 1), 0u) << pfn;
					// The list is the one of the type recorded in the page
					// (set_pcppage_migratetype(), kept in page->index):
					// HIGHATOMIC blocks go on the movable list.
					if (pindex < NR_LOWORDER_PCP_LISTS) {
						int mt = (int)page->index;
						int list_mt = mt < MIGRATE_PCPTYPES ? mt : MIGRATE_MOVABLE;
						EXPECT_NE(mt, MIGRATE_ISOLATE) << pfn;
						EXPECT_EQ(order_to_pindex(list_mt, order), (unsigned)pindex) << pfn;
					}
					for (pfn_t p = pfn; p < pfn + (1UL << order); p++)
						EXPECT_TRUE(pcp_pfns.insert(p).second) << p << " twice on pcp";
					pcp_pages += 1 << order;
				}
			}
			EXPECT_EQ(pcp->count, pcp_pages) << zone->name;
			EXPECT_LE(pcp->count, kmax(pcp->high, 1 << MAX_PAGE_ORDER)) << zone->name;
			free_total += counted + pcp_pages;
		}

		// Free blocks: disjoint, not allocated, not on pcp, maximal where
		// merging is allowed; their other pages look free.
		std::set<pfn_t> free_pfns;
		for (auto [pfn, order] : free_blocks) {
			for (pfn_t p = pfn; p < pfn + (1UL << order); p++) {
				EXPECT_TRUE(free_pfns.insert(p).second) << p << " in two free blocks";
				EXPECT_FALSE(pcp_pfns.count(p)) << p << " free and on pcp";
				struct page *page = pfn_to_page(p);
				EXPECT_EQ(page_ref_count(page), 0) << p;
				EXPECT_FALSE(page_alloc_allocated(page)) << p;
				EXPECT_FALSE(PageTail(page)) << p;
				EXPECT_FALSE(PageReserved(page)) << p;
				EXPECT_EQ(page->flags & ((1UL << NR_PAGEFLAGS) - 1), 0u) << p;
				if (p != pfn) {
					EXPECT_FALSE(PageBuddy(page)) << p;
				}
			}
			if (order < MAX_PAGE_ORDER) {
				auto it = free_blocks.find(pfn ^ (1UL << order));
				if (it != free_blocks.end() && it->second == order &&
				    page_zone_id(pfn_to_page(pfn)) == page_zone_id(pfn_to_page(it->first))) {
					int a = get_pageblock_migratetype(pfn_to_page(pfn));
					int b = get_pageblock_migratetype(pfn_to_page(it->first));
					bool may_merge = order < pageblock_order || a == b ||
							 (a < MIGRATE_PCPTYPES && b < MIGRATE_PCPTYPES);
					EXPECT_FALSE(may_merge) << "buddies " << pfn << " and " << it->first
								<< " of order " << order << " did not merge";
				}
			}
		}

		// Live blocks: in no free list, heads with one reference and their
		// order, compound tails pointing at the head.
		for (auto [pfn, b] : live) {
			struct page *head = pfn_to_page(pfn);
			EXPECT_EQ(pfn & ((1UL << b.order) - 1), 0u) << pfn;
			EXPECT_EQ(page_ref_count(head), 1) << pfn;
			EXPECT_TRUE(page_alloc_allocated(head)) << pfn;
			EXPECT_EQ(page_alloc_order(head), b.order) << pfn;
			EXPECT_EQ(PageHead(head), b.compound && b.order > 0) << pfn;
			for (pfn_t p = pfn; p < pfn + (1UL << b.order); p++) {
				EXPECT_FALSE(free_pfns.count(p)) << p << " allocated and free";
				EXPECT_FALSE(pcp_pfns.count(p)) << p << " allocated and on pcp";
				struct page *page = pfn_to_page(p);
				EXPECT_FALSE(PageBuddy(page)) << p;
				if (p != pfn) {
					EXPECT_EQ(page_ref_count(page), 0) << p;
					EXPECT_FALSE(page_alloc_allocated(page)) << p;
					EXPECT_EQ(PageTail(page), b.compound) << p;
					if (b.compound) {
						EXPECT_EQ(compound_head(page), head) << p;
					}
				}
			}
			if (b.compound && b.order > 0) {
				EXPECT_EQ(compound_order(head), b.order) << pfn;
			}
		}
		// Live blocks do not overlap each other.
		pfn_t prev_end = 0;
		for (auto [pfn, b] : live) {
			EXPECT_GE(pfn, prev_end) << "live blocks overlap at " << pfn;
			prev_end = pfn + (1UL << b.order);
		}
		return free_total;
	}
};

} // namespace page_alloc_test
