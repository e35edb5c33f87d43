// The buddy allocator case by case: split and merge at every order, merging
// across pageblocks, fallback and stealing, watermarks and lowmem_reserve, the
// zonelists, the per-cpu lists, compound pages, the API around alloc_pages(),
// and every misuse refused with the lists untouched.
#include "tests/host/page_alloc_test.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>

namespace {

using namespace page_alloc_test;
using mm_fixture::srat;

class PageAlloc : public PageAllocBoot {};

// The head of the largest free movable block of @z (order >= 1).
struct page *get_page_from_free_area_for_test(struct zone *z)
{
	for (int o = MAX_PAGE_ORDER; o >= 1; o--)
		if (!list_empty(&z->free_area[o].free_list[MIGRATE_MOVABLE]))
			return list_first_entry(&z->free_area[o].free_list[MIGRATE_MOVABLE], struct page, buddy_list);
	return nullptr;
}

// Which zone a fresh MOVABLE/UNMOVABLE request lands in on the small machine:
// DMA32 (the highest populated).
TEST_F(PageAlloc, SplitsTheSmallestBlockAtEveryOrder)
{
	boot_small();
	disable_pcp();
	struct zone *z = zone_of(0, ZONE_DMA32);
	for (unsigned order = 0; order <= MAX_PAGE_ORDER; order++) {
		std::vector<unsigned long> before(NR_PAGE_ORDERS);
		for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
			before[o] = z->free_area[o].nr_free;
		// The smallest order >= order with a free movable block.
		unsigned from = order;
		while (from <= MAX_PAGE_ORDER && list_empty(&z->free_area[from].free_list[MIGRATE_MOVABLE]))
			from++;
		ASSERT_LE(from, MAX_PAGE_ORDER);
		struct page *page = alloc_pages(GFP_HIGHUSER_MOVABLE & ~__GFP_HIGHMEM, order);
		ASSERT_NE(page, nullptr) << order;
		pfn_t pfn = page_to_pfn(page);
		EXPECT_EQ(pfn % (1UL << order), 0u) << "order " << order << " block not naturally aligned";
		EXPECT_EQ(page_zone(page), z);
		// expand(): one block of every order from `order` to `from - 1` more.
		for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
			unsigned long want = before[o];
			if (o == from)
				want--;
			if (o >= order && o < from)
				want++;
			EXPECT_EQ(z->free_area[o].nr_free, want) << "alloc order " << order << " from " << from
								 << ", nr_free[" << o << "]";
		}
		check_invariants({{pfn, {order, false}}});
		__free_pages(page, order);
		for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
			EXPECT_EQ(z->free_area[o].nr_free, before[o]) << "free of order " << order << " did not merge back";
		check_invariants({});
	}
	EXPECT_EQ(nr_bad_pages, 0u);
}

// An order-10 block split into pages and freed in random order merges back,
// whatever the alignment of each free.
TEST_F(PageAlloc, MergesBackAtEveryAlignment)
{
	boot_small();
	disable_pcp();
	snapshot s0 = take_snapshot();
	std::mt19937 rng(7);
	for (unsigned order = 0; order <= MAX_PAGE_ORDER; order++) {
		struct page *page = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
		ASSERT_NE(page, nullptr);
		split_page(page, MAX_PAGE_ORDER);
		// Free in blocks of 2^order pages? split_page made order-0 pages:
		// free them in a random order, but keep one block of 2^order aligned
		// pages to free last, so the final merges happen at every level.
		std::vector<unsigned long> idx(1UL << MAX_PAGE_ORDER);
		for (unsigned long i = 0; i < idx.size(); i++)
			idx[i] = i;
		std::shuffle(idx.begin(), idx.end(), rng);
		std::stable_partition(idx.begin(), idx.end(), [&](unsigned long i) { return (i >> order) != 1; });
		for (unsigned long i : idx)
			__free_pages(page + i, 0);
		EXPECT_EQ(take_snapshot(), s0) << "split at order " << order;
	}
	check_invariants({});
	EXPECT_EQ(nr_bad_pages, 0u);
}

// Two pageblocks of different mergeable types merge into one order-10 block;
// an isolated or high-atomic pageblock keeps its own.
TEST_F(PageAlloc, MergingAcrossPageblocks)
{
	boot_small();
	disable_pcp();
	snapshot s0 = take_snapshot();
	for (int second : {MIGRATE_UNMOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_HIGHATOMIC, MIGRATE_ISOLATE}) {
		struct page *page = alloc_pages(GFP_HIGHUSER_MOVABLE & ~__GFP_HIGHMEM, MAX_PAGE_ORDER);
		ASSERT_NE(page, nullptr);
		struct zone *z = page_zone(page);
		unsigned long ten = z->free_area[MAX_PAGE_ORDER].nr_free;
		split_page(page, MAX_PAGE_ORDER);
		set_pageblock_migratetype(page, MIGRATE_MOVABLE);
		set_pageblock_migratetype(page + pageblock_nr_pages, second);
		for (unsigned long i = 0; i < (1UL << MAX_PAGE_ORDER); i++)
			__free_pages(page + i, 0);
		bool merge = second < MIGRATE_PCPTYPES;
		EXPECT_EQ(z->free_area[MAX_PAGE_ORDER].nr_free, ten + (merge ? 1 : 0)) << migratetype_names[second];
		EXPECT_EQ(PageBuddy(page + pageblock_nr_pages), !merge);
		if (!merge) {
			EXPECT_EQ(buddy_order(page), pageblock_order);
			EXPECT_EQ(buddy_order(page + pageblock_nr_pages), pageblock_order);
			// Isolated pages are not free for the watermarks.
			if (second == MIGRATE_ISOLATE) {
				EXPECT_EQ(zone_page_state(z, NR_FREE_PAGES), s0.free_pages[1] - (long)pageblock_nr_pages);
			}
			// Undo: the block back to movable, re-freed as one.
			struct page *b = page + pageblock_nr_pages;
			del_page_from_free_list(b, z, pageblock_order);
			if (second != MIGRATE_ISOLATE)
				z->vm_stat[NR_FREE_PAGES] -= pageblock_nr_pages;
			set_pageblock_migratetype(b, MIGRATE_MOVABLE);
			__free_one_page(b, page_to_pfn(b), z, pageblock_order, MIGRATE_MOVABLE, FPI_NONE);
		}
		set_pageblock_migratetype(page, MIGRATE_MOVABLE);
		set_pageblock_migratetype(page + pageblock_nr_pages, MIGRATE_MOVABLE);
		EXPECT_EQ(take_snapshot(), s0) << migratetype_names[second];
		check_invariants({});
	}
}

// Unmovable requests on a machine of movable pageblocks steal, in fallbacks[]
// order, and claim whole pageblocks.
TEST_F(PageAlloc, FallbackStealsWholePageblocksInFallbackOrder)
{
	boot_small();
	disable_pcp();
	auto count_blocks = [](struct zone *z, int mt) {
		unsigned long n = 0;
		for (pfn_t pfn = z->zone_start_pfn; pfn < zone_end_pfn(z); pfn += pageblock_nr_pages)
			if (page_zone(pfn_to_page(pfn)) == z && get_pageblock_migratetype(pfn_to_page(pfn)) == mt)
				n++;
		return n;
	};
	struct zone *z = zone_of(0, ZONE_DMA32);
	ASSERT_EQ(count_blocks(z, MIGRATE_UNMOVABLE), 0u);
	// The largest movable block (order 10) is taken: both its pageblocks change type.
	struct page *u = alloc_pages(GFP_KERNEL, 0);
	ASSERT_NE(u, nullptr);
	EXPECT_EQ(get_pageblock_migratetype(u), MIGRATE_UNMOVABLE);
	EXPECT_EQ(count_blocks(z, MIGRATE_UNMOVABLE), 2u);
	const unsigned long ublock = page_to_pfn(u) & ~((1UL << MAX_PAGE_ORDER) - 1);
	auto block_of = [](struct page *p) { return page_to_pfn(p) & ~((1UL << MAX_PAGE_ORDER) - 1); };
	// A second unmovable page comes from the unmovable lists: no new steal.
	struct page *u2 = alloc_pages(GFP_KERNEL, 0);
	ASSERT_NE(u2, nullptr);
	EXPECT_EQ(block_of(u2), ublock);
	EXPECT_EQ(count_blocks(z, MIGRATE_UNMOVABLE), 2u);
	check_invariants({{page_to_pfn(u), {0, false}}, {page_to_pfn(u2), {0, false}}});
	__free_pages(u, 0);
	__free_pages(u2, 0);
	// The block is whole again, an unmovable order-10 block among movable
	// ones: a reclaimable request falls back to unmovable first
	// (fallbacks[RECLAIMABLE]) at the same order, and claims both pageblocks.
	struct page *r = alloc_pages(GFP_KERNEL | __GFP_RECLAIMABLE, 0);
	ASSERT_NE(r, nullptr);
	EXPECT_EQ(block_of(r), ublock) << "not stolen from the unmovable block";
	EXPECT_EQ(count_blocks(z, MIGRATE_RECLAIMABLE), 2u);
	EXPECT_EQ(count_blocks(z, MIGRATE_UNMOVABLE), 0u);
	__free_pages(r, 0);
	// And an unmovable one prefers reclaimable to movable (fallbacks[UNMOVABLE]).
	struct page *u3 = alloc_pages(GFP_KERNEL, 0);
	ASSERT_NE(u3, nullptr);
	EXPECT_EQ(block_of(u3), ublock);
	EXPECT_EQ(count_blocks(z, MIGRATE_UNMOVABLE), 2u);
	EXPECT_EQ(count_blocks(z, MIGRATE_RECLAIMABLE), 0u);
	// With no unmovable or reclaimable block at the top order, the largest
	// block of any fallback type is taken: a movable order-10 block.
	struct page *big = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	ASSERT_NE(big, nullptr);
	EXPECT_NE(block_of(big), ublock);
	EXPECT_EQ(count_blocks(z, MIGRATE_UNMOVABLE), 4u);
	check_invariants({{page_to_pfn(u3), {0, false}}, {page_to_pfn(big), {MAX_PAGE_ORDER, false}}});
	__free_pages(u3, 0);
	__free_pages(big, MAX_PAGE_ORDER);
	check_invariants({});
	EXPECT_EQ(nr_bad_pages, 0u);
}

// A steal smaller than a pageblock takes the whole pageblock when most of it is free.
TEST_F(PageAlloc, SmallStealClaimsAMostlyFreePageblock)
{
	boot_ram(40 * MB);
	disable_pcp();
	struct zone *dma = zone_of(0, ZONE_DMA);
	// Hold every movable DMA block of a pageblock or more.
	live_map live;
	std::vector<std::pair<struct page *, unsigned>> held;
	for (int order = MAX_PAGE_ORDER; order >= (int)pageblock_order; order--)
		// __GFP_MEMALLOC: past the watermarks, so that no big block is left.
		while (struct page *p = alloc_pages(GFP_DMA | __GFP_MOVABLE | __GFP_MEMALLOC | __GFP_NOWARN, order))
			held.push_back({p, (unsigned)order});
	ASSERT_FALSE(held.empty());
	for (unsigned o = pageblock_order; o <= MAX_PAGE_ORDER; o++)
		ASSERT_EQ(dma->free_area[o].nr_free, 0u);
	// Free one pageblock, take one movable page of it: the rest is free, in blocks < order 9.
	auto [big, big_order] = held.back();
	held.pop_back();
	struct page *block = big;
	if (big_order > pageblock_order) {
		split_page(big, big_order);
		for (unsigned long i = pageblock_nr_pages; i < (1UL << big_order); i++)
			held.push_back({big + i, 0});
		for (unsigned long i = 0; i < pageblock_nr_pages; i++)
			__free_pages(big + i, 0);
	} else {
		__free_pages(big, big_order);
	}
	struct page *m = alloc_pages(GFP_DMA | __GFP_MOVABLE, 0);
	ASSERT_NE(m, nullptr);
	ASSERT_EQ(pageblock_start_pfn(page_to_pfn(m)), page_to_pfn(block));
	ASSERT_EQ(get_pageblock_migratetype(block), MIGRATE_MOVABLE);
	// An unmovable DMA page: no unmovable lists, so steal from the movable
	// pageblock; 511 of its 512 pages are free: it becomes unmovable.
	struct page *u = alloc_pages(GFP_DMA, 0);
	ASSERT_NE(u, nullptr);
	EXPECT_EQ(pageblock_start_pfn(page_to_pfn(u)), page_to_pfn(block));
	EXPECT_EQ(get_pageblock_migratetype(block), MIGRATE_UNMOVABLE);
	for (unsigned o = 0; o < pageblock_order; o++)
		EXPECT_TRUE(list_empty(&dma->free_area[o].free_list[MIGRATE_MOVABLE])) << o;
	for (auto [p, o] : held)
		live[page_to_pfn(p)] = {o, false};
	live[page_to_pfn(m)] = {0, false};
	live[page_to_pfn(u)] = {0, false};
	check_invariants(live);
	for (auto [p, o] : held)
		__free_pages(p, o);
	__free_pages(m, 0);
	__free_pages(u, 0);
	check_invariants({});
	EXPECT_EQ(nr_bad_pages, 0u);
}

// Linux's formulas: min_free_kbytes = sqrt(16 * lowmem KiB), shared by the
// zones in proportion to their managed pages; low and high a quarter of min
// or watermark_scale_factor/10000 of the zone above it.
TEST_F(PageAlloc, WatermarksFollowMinFreeKbytes)
{
	ASSERT_EQ(memblock_add(MB, 255 * MB), 0);
	ASSERT_EQ(memblock_add(4 * GB, 512 * MB), 0);
	ASSERT_EQ(memblock_reserve(MB, MB), 0);
	bring_up();
	setup_allocator();
	unsigned long lowmem = 0;
	for (struct zone *z : all_zones())
		if (zone_idx(z) <= ZONE_NORMAL)
			lowmem += zone_managed_pages(z);
	long want = (long)std::floor(std::sqrt((double)lowmem * 4 * 16));
	EXPECT_EQ(min_free_kbytes, std::clamp(want, 128L, 262144L));
	// The documented anchors of init_per_zone_wmark_min(): ~768M of lowmem
	// sits between the 512MB (2896k) and 1024MB (4096k) entries.
	EXPECT_GT(min_free_kbytes, 2896);
	EXPECT_LT(min_free_kbytes, 4096);
	unsigned long pages_min = (unsigned long)min_free_kbytes / 4, sum_min = 0;
	for (struct zone *z : all_zones()) {
		unsigned long share = pages_min * zone_managed_pages(z) / lowmem;
		EXPECT_EQ(min_wmark_pages(z), share) << z->name;
		unsigned long gap = std::max(share / 4, zone_managed_pages(z) * 10 / 10000);
		EXPECT_EQ(low_wmark_pages(z), share + gap) << z->name;
		EXPECT_EQ(high_wmark_pages(z), share + 2 * gap) << z->name;
		sum_min += share;
	}
	EXPECT_LE(pages_min - sum_min, all_zones().size());
	// watermark_scale_factor widens the gaps.
	watermark_scale_factor = 200;
	setup_per_zone_wmarks();
	struct zone *n = zone_of(0, ZONE_NORMAL);
	EXPECT_EQ(low_wmark_pages(n) - min_wmark_pages(n),
		  std::max(min_wmark_pages(n) / 4, zone_managed_pages(n) * 200 / 10000));
	// lowmem_reserve: the managed pages of the zones above, over the ratio.
	setup_per_zone_lowmem_reserve();
	struct zone *dma = zone_of(0, ZONE_DMA), *d32 = zone_of(0, ZONE_DMA32);
	EXPECT_EQ(dma->lowmem_reserve[ZONE_DMA], 0);
	EXPECT_EQ(dma->lowmem_reserve[ZONE_DMA32], (long)(zone_managed_pages(d32) / 256));
	EXPECT_EQ(dma->lowmem_reserve[ZONE_NORMAL], (long)((zone_managed_pages(d32) + zone_managed_pages(n)) / 256));
	EXPECT_EQ(d32->lowmem_reserve[ZONE_NORMAL], (long)(zone_managed_pages(n) / 256));
	EXPECT_EQ(d32->lowmem_reserve[ZONE_DMA32], 0);
	EXPECT_EQ(n->lowmem_reserve[ZONE_MOVABLE], 0);
}

// Draining a zone stops exactly at its watermark (plus lowmem_reserve);
// __GFP_HIGH and __GFP_ATOMIC go deeper, as far as Linux lets them.
TEST_F(PageAlloc, AllocationsStopAtTheWatermarks)
{
	boot_ram(48 * MB);
	disable_pcp();
	live_map live;
	std::vector<struct page *> pages;
	auto drain = [&](gfp_t gfp) {
		unsigned long n = 0;
		while (struct page *p = alloc_pages(gfp | __GFP_NOWARN, 0)) {
			pages.push_back(p);
			live[page_to_pfn(p)] = {0, false};
			n++;
		}
		return n;
	};
	EXPECT_GT(drain(GFP_KERNEL), 0u);
	for (struct zone *z : all_zones()) {
		long reserve = z->lowmem_reserve[ZONE_NORMAL];
		EXPECT_EQ(zone_page_state(z, NR_FREE_PAGES), (long)min_wmark_pages(z) + reserve) << z->name;
		EXPECT_FALSE(zone_watermark_ok(z, 0, min_wmark_pages(z), ZONE_NORMAL, ALLOC_WMARK_MIN)) << z->name;
	}
	// The failure is an answer, with Linux's warning and the zone state.
	host_console_take();
	EXPECT_EQ(alloc_pages(GFP_KERNEL, 0), nullptr);
	std::string m = host_console_take();
	EXPECT_NE(m.find("swapper/0: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), nodemask=(null)"),
		  std::string::npos)
		<< m;
	EXPECT_NE(m.find("Node 0 DMA32 free:"), std::string::npos) << m;
	EXPECT_NE(m.find("lowmem_reserve[]:"), std::string::npos) << m;
	EXPECT_NE(m.find("Node 0 DMA32: "), std::string::npos) << m;
	// __GFP_NOWARN: silent.
	EXPECT_EQ(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0), nullptr);
	EXPECT_EQ(host_console_take(), "");
	// GFP_ATOMIC: min - min/2 (ALLOC_HIGH), then - a quarter (ALLOC_HARDER).
	EXPECT_GT(drain(GFP_ATOMIC), 0u);
	for (struct zone *z : all_zones()) {
		long min = (long)min_wmark_pages(z);
		min -= min / 2;
		min -= min / 4;
		EXPECT_EQ(zone_page_state(z, NR_FREE_PAGES), min + z->lowmem_reserve[ZONE_NORMAL]) << z->name;
	}
	// GFP_DMA has no reserve below it: the DMA zone drains to its own min.
	drain(GFP_DMA | __GFP_HIGH);
	struct zone *dma = zone_of(0, ZONE_DMA);
	long dmin = (long)min_wmark_pages(dma);
	EXPECT_EQ(zone_page_state(dma, NR_FREE_PAGES), dmin - dmin / 2);
	for (struct page *p : pages)
		EXPECT_LE(page_zonenum(p), ZONE_DMA32);
	check_invariants(live);
	for (struct page *p : pages)
		__free_pages(p, 0);
	check_invariants({});
	EXPECT_EQ(nr_bad_pages, 0u);
}

// Zonelists: the local node's zones from the highest down, then the other
// node's; __GFP_THISNODE only the node's own.
TEST_F(PageAlloc, ZonelistOrderAndNodes)
{
	// Node 0: DMA, DMA32 and 256M of NORMAL; node 1: 512M of NORMAL.
	const u64 split = 4 * GB + 256 * MB;
	ASSERT_EQ(memblock_add(MB, split - MB), 0);
	ASSERT_EQ(memblock_add(split, 512 * MB), 0);
	ASSERT_EQ(memblock_reserve(MB, MB), 0);
	srat = {{0, split, 0}, {split, split + 512 * MB, 1}};
	// The zonelists are built before the hand-over, as mm_core_init() does:
	// their "Total pages" is the estimate free_area_init() left in the zones'
	// managed pages (present less the memmap and dma_reserve), not the pages
	// the hand-over frees (which the 1M reservation above makes fewer).
	unsigned long estimate = 0;
	after_memmap_init = [&] {
		struct zone *z;
		for_each_zone(z)
			estimate += zone_managed_pages(z);
	};
	bring_up();
	unsigned long managed = 0;
	struct zone *z;
	for_each_zone(z)
		managed += zone_managed_pages(z);
	EXPECT_LT(managed, estimate);
	setup_allocator();
	std::string log = host_console_take();
	EXPECT_NE(log.find("Fallback order for Node 0: 0 1 "), std::string::npos) << log;
	EXPECT_NE(log.find("Fallback order for Node 1: 1 0 "), std::string::npos) << log;
	EXPECT_NE(log.find("Built 2 zonelists, mobility grouping on.  Total pages: " + std::to_string(estimate) + "\n"),
		  std::string::npos) << log;
	EXPECT_NE(log.find("Policy zone: Normal"), std::string::npos) << log;
	auto list = [](int nid, int which) {
		std::vector<std::pair<int, int>> v;
		for (struct zoneref *z = NODE_DATA(nid)->node_zonelists[which]._zonerefs; z->zone; z++)
			v.push_back({zone_to_nid(z->zone), z->zone_idx});
		return v;
	};
	using V = std::vector<std::pair<int, int>>;
	EXPECT_EQ(list(0, ZONELIST_FALLBACK), (V{{0, ZONE_NORMAL}, {0, ZONE_DMA32}, {0, ZONE_DMA}, {1, ZONE_NORMAL}}));
	EXPECT_EQ(list(1, ZONELIST_FALLBACK), (V{{1, ZONE_NORMAL}, {0, ZONE_NORMAL}, {0, ZONE_DMA32}, {0, ZONE_DMA}}));
	EXPECT_EQ(list(1, ZONELIST_NOFALLBACK), (V{{1, ZONE_NORMAL}}));
	// Allocations land where the zonelist says (struct pages only: no writes).
	struct page *p1 = alloc_pages_node(1, GFP_KERNEL | __GFP_THISNODE, 0);
	ASSERT_NE(p1, nullptr);
	EXPECT_EQ(page_to_nid(p1), 1);
	struct page *p0 = alloc_pages(GFP_KERNEL, 3);
	ASSERT_NE(p0, nullptr);
	EXPECT_EQ(page_to_nid(p0), 0);
	EXPECT_EQ(page_zonenum(p0), ZONE_NORMAL);
	struct page *d = alloc_pages_node(1, GFP_DMA32, 0);
	ASSERT_NE(d, nullptr);
	EXPECT_EQ(page_to_nid(d), 0);
	EXPECT_EQ(page_zonenum(d), ZONE_DMA32);
	struct page *dm = alloc_pages(GFP_DMA, 0);
	ASSERT_NE(dm, nullptr);
	EXPECT_EQ(page_zonenum(dm), ZONE_DMA);
	// Node 1 has no DMA32 of its own: __GFP_THISNODE cannot be met.
	host_console_take();
	EXPECT_EQ(alloc_pages_node(1, GFP_DMA32 | __GFP_THISNODE, 0), nullptr);
	EXPECT_NE(host_console_take().find("page allocation failure: order:0"), std::string::npos);
	// A node that is not online is refused with an error.
	EXPECT_EQ(alloc_pages_node(5, GFP_KERNEL, 0), nullptr);
	EXPECT_NE(host_console_take().find("node 5, which is not online"), std::string::npos);
	__free_pages(p1, 0);
	__free_pages(p0, 3);
	__free_pages(d, 0);
	__free_pages(dm, 0);
	drain_all_pages(nullptr);
	EXPECT_EQ(nr_free_pages(), freed);
	EXPECT_EQ(nr_bad_pages, 0u);
}

// The per-cpu lists: refilled by a batch, LIFO, bounded by high, drained back.
TEST_F(PageAlloc, PerCpuListsBatchHighAndDrain)
{
	boot_small();
	snapshot s0 = take_snapshot();
	struct zone *z = zone_of(0, ZONE_DMA32);
	struct per_cpu_pages *pcp = &z->per_cpu_pageset[0];
	EXPECT_EQ(pcp->batch, zone_batchsize(z));
	EXPECT_EQ(pcp->high, std::max((int)low_wmark_pages(z), pcp->batch * 4));
	EXPECT_EQ(pcp->count, 0);
	long free0 = zone_page_state(z, NR_FREE_PAGES);
	struct page *a = alloc_pages(GFP_KERNEL, 0);
	ASSERT_NE(a, nullptr);
	// One batch left the buddy; the rest of it waits on the pcp list.
	EXPECT_EQ(zone_page_state(z, NR_FREE_PAGES), free0 - pcp->batch);
	EXPECT_EQ(pcp->count, pcp->batch - 1);
	__free_pages(a, 0);
	EXPECT_EQ(pcp->count, pcp->batch);
	// LIFO: the page just freed is the next one handed out.
	struct page *b = alloc_pages(GFP_KERNEL, 0);
	EXPECT_EQ(a, b);
	__free_pages(b, 0);
	// Order 1..3 have their own lists; their batch is scaled by the order.
	struct page *c = alloc_pages(GFP_KERNEL, 2);
	ASSERT_NE(c, nullptr);
	EXPECT_EQ(pcp->count, pcp->batch + (std::max(pcp->batch >> 2, 2) - 1) * 4);
	__free_pages(c, 2);
	// Freeing many pages never leaves more than high on the lists.
	std::vector<struct page *> v;
	for (int i = 0; i < 3 * pcp->high; i++) {
		struct page *p = alloc_pages(GFP_KERNEL, 0);
		ASSERT_NE(p, nullptr);
		v.push_back(p);
	}
	for (struct page *p : v) {
		__free_pages(p, 0);
		EXPECT_LT(pcp->count, pcp->high);
	}
	check_invariants({});
	drain_all_pages(nullptr);
	EXPECT_EQ(pcp->count, 0);
	EXPECT_EQ(take_snapshot(), s0);
}

// __GFP_COMP: a head and tails pointing at it; freed clean.
TEST_F(PageAlloc, CompoundPages)
{
	boot_small();
	for (unsigned order : {1u, 3u, 4u, 9u, 10u}) {
		struct page *head = alloc_pages(GFP_KERNEL | __GFP_COMP, order);
		ASSERT_NE(head, nullptr);
		EXPECT_TRUE(PageHead(head));
		EXPECT_FALSE(PageTail(head));
		EXPECT_EQ(compound_order(head), order);
		EXPECT_EQ(compound_nr(head), 1UL << order);
		for (unsigned long i = 1; i < (1UL << order); i++) {
			EXPECT_TRUE(PageTail(head + i)) << i;
			EXPECT_EQ(compound_head(head + i), head) << i;
		}
		check_invariants({{page_to_pfn(head), {order, true}}});
		// A tail cannot be freed, nor the head with another order.
		unsigned long bad = nr_bad_pages;
		__free_pages(head + 1, 0);
		__free_pages(head, order - 1);
		EXPECT_EQ(nr_bad_pages, bad + 2);
		check_invariants({{page_to_pfn(head), {order, true}}});
		__free_pages(head, order);
		for (unsigned long i = 0; i < (1UL << order); i++) {
			EXPECT_FALSE(PageTail(head + i)) << i;
			EXPECT_FALSE(PageHead(head + i)) << i;
		}
		check_invariants({});
	}
	host_console_take();
}

// The rest of the API: addresses, zeroed pages, split_page, reference counts.
TEST_F(PageAlloc, AddressesZeroingAndSplit)
{
	boot_small();
	virt_addr_t addr = __get_free_pages(GFP_KERNEL, 2);
	ASSERT_NE(addr, 0u);
	struct page *page = virt_to_page((void *)addr);
	EXPECT_EQ(page_to_pfn(page) % 4, 0u);
	EXPECT_EQ(page_address(page), (void *)addr);
	memset((void *)addr, 0xa5, 4 * PAGE_SIZE);
	free_pages(addr, 2);
	// The same memory again, zeroed this time.
	virt_addr_t z = __get_free_pages(GFP_KERNEL | __GFP_ZERO, 2);
	ASSERT_NE(z, 0u);
	const u8 *b = (const u8 *)z;
	EXPECT_TRUE(std::all_of(b, b + 4 * PAGE_SIZE, [](u8 c) { return c == 0; }));
	free_pages(z, 2);
	virt_addr_t g = get_zeroed_page(GFP_KERNEL);
	ASSERT_NE(g, 0u);
	EXPECT_EQ(*(const u64 *)g, 0u);
	free_page(g);
	// split_page(): four independent pages.
	struct page *s = alloc_pages(GFP_KERNEL, 2);
	ASSERT_NE(s, nullptr);
	split_page(s, 2);
	live_map live;
	for (int i = 0; i < 4; i++)
		live[page_to_pfn(s + i)] = {0, false};
	check_invariants(live);
	for (int i : {2, 0, 3, 1})
		__free_pages(s + i, 0);
	// An extra reference keeps the first page; the rest of the block is freed.
	struct page *r = alloc_pages(GFP_KERNEL, 3);
	ASSERT_NE(r, nullptr);
	page_ref_inc(r);
	__free_pages(r, 3);
	EXPECT_EQ(page_ref_count(r), 1);
	check_invariants({{page_to_pfn(r), {0, false}}});
	__free_pages(r, 0);
	check_invariants({});
	EXPECT_EQ(nr_bad_pages, 0u);
}

// Misuse is reported (bad_page) and changes nothing.
TEST_F(PageAlloc, MisuseIsDetectedAndChangesNothing)
{
	boot_small();
	struct page *p = alloc_pages(GFP_KERNEL, 2);
	struct page *q = alloc_pages(GFP_KERNEL, 0);
	ASSERT_NE(p, nullptr);
	ASSERT_NE(q, nullptr);
	__free_pages(q, 0); // now on a pcp list
	live_map live = {{page_to_pfn(p), {2, false}}};
	host_console_take();
	snapshot s = take_snapshot();
	struct case_ {
		const char *what;
		std::function<void()> act;
		const char *expect;
	} cases[] = {
		{"double free (pcp)", [&] { __free_pages(q, 0); }, "page_ref_count(page) == 0"},
		{"wrong order (smaller)", [&] { __free_pages(p, 1); }, "freed with order 1, allocated with order 2"},
		{"wrong order (larger)", [&] { __free_pages(p, 3); }, "freed with order 3, allocated with order 2"},
		{"order above MAX_PAGE_ORDER", [&] { __free_pages(p, 11); }, "freed with order 11 > MAX_PAGE_ORDER"},
		{"page inside the block", [&] { __free_pages(p + 1, 0); }, "page_ref_count(page) == 0"},
		{"reserved page", [&] { __free_pages(pfn_to_page(PFN_DOWN(SZ_1M)), 0); }, "freeing a reserved page"},
		{"never allocated (in a free block)",
		 [&] {
			 struct zone *z = zone_of(0, ZONE_DMA32);
			 struct page *f = get_page_from_free_area_for_test(z);
			 __free_pages(f + 1, 0);
		 },
		 "page_ref_count(page) == 0"},
		{"free block head", [&] { __free_pages(get_page_from_free_area_for_test(zone_of(0, ZONE_DMA32)), 0); },
		 "freeing a free page (PageBuddy)"},
		{"unaligned address", [&] { free_pages(virt_addr_t(page_address(p)) + 8, 2); }, "not a page address"},
	};
	for (auto &c : cases) {
		unsigned long bad = nr_bad_pages;
		c.act();
		std::string m = host_console_take();
		EXPECT_EQ(nr_bad_pages, bad + 1) << c.what;
		EXPECT_NE(m.find(c.expect), std::string::npos) << c.what << ":\n" << m;
		EXPECT_EQ(take_snapshot(), s) << c.what;
		check_invariants(live);
	}
	// Allocation requests that cannot be right: refused, nothing taken.
	EXPECT_EQ(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1), nullptr);
	EXPECT_NE(host_console_take().find("order 11 > MAX_PAGE_ORDER"), std::string::npos);
	EXPECT_EQ(alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER + 1), nullptr);
	EXPECT_EQ(host_console_take(), "");
	EXPECT_EQ(alloc_pages(GFP_DMA | GFP_DMA32, 0), nullptr);
	EXPECT_NE(host_console_take().find("invalid zone modifiers in mode:0x5(GFP_DMA|GFP_DMA32)"), std::string::npos);
	EXPECT_EQ(alloc_pages(GFP_KERNEL | __GFP_MOVABLE | __GFP_RECLAIMABLE, 0), nullptr);
	EXPECT_NE(host_console_take().find("__GFP_MOVABLE and __GFP_RECLAIMABLE together"), std::string::npos);
	EXPECT_EQ(take_snapshot(), s);
	// And the block still frees fine with its own order.
	__free_pages(p, 2);
	check_invariants({});
}

// The order-0 free fast path folds its checks into one test: a page that
// differs in any one field from what alloc_pages() left is still caught (by
// the full path, with its reason) and nothing changes; put right, it frees.
TEST_F(PageAlloc, OrderZeroFreeCatchesEachBadField)
{
	boot_small();
	ASSERT_TRUE(page_alloc_fast_paths);
	struct case_ {
		const char *what;
		std::function<void(struct page *)> spoil, mend;
		const char *expect;
	} cases[] = {
		{"mapping", [](struct page *p) { p->mapping = (struct address_space *)0x1234; },
		 [](struct page *p) { p->mapping = nullptr; }, "non-NULL mapping"},
		{"memcg", [](struct page *p) { p->memcg_data = 8; }, [](struct page *p) { p->memcg_data = 0; },
		 "page still charged to cgroup"},
		{"mapcount", [](struct page *p) { atomic_set(&p->_mapcount, 0); },
		 [](struct page *p) { atomic_set(&p->_mapcount, -1); }, "nonzero mapcount"},
		{"PG_lru", [](struct page *p) { p->flags |= 1UL << PG_lru; },
		 [](struct page *p) { p->flags &= ~(1UL << PG_lru); }, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set"},
		{"PG_slab", [](struct page *p) { p->flags |= 1UL << PG_slab; },
		 [](struct page *p) { p->flags &= ~(1UL << PG_slab); }, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set"},
		{"PageTail", [](struct page *p) { p->compound_head = (unsigned long)(p - 1) | 1; },
		 [](struct page *p) { p->compound_head = 0; }, "freeing a tail page"},
		{"refcount 0", [](struct page *p) { set_page_count(p, 0); }, [](struct page *p) { set_page_count(p, 1); },
		 "page_ref_count(page) == 0"},
		{"allocated order", [](struct page *p) { set_page_alloc_order(p, 1); },
		 [](struct page *p) { set_page_alloc_order(p, 0); }, "freed with order 0, allocated with order 1"},
		{"not allocated", [](struct page *p) { clear_page_alloc_order(p); },
		 [](struct page *p) { set_page_alloc_order(p, 0); }, "not a block the page allocator handed out"},
	};
	__free_pages(alloc_pages(GFP_KERNEL, 0), 0); // the pcp list filled
	const snapshot s0 = take_snapshot();
	for (auto &c : cases) {
		struct page *p = alloc_pages(GFP_KERNEL, 0);
		ASSERT_NE(p, nullptr);
		snapshot s = take_snapshot();
		unsigned long bad = nr_bad_pages;
		c.spoil(p);
		__free_pages(p, 0);
		std::string m = host_console_take();
		EXPECT_EQ(nr_bad_pages, bad + 1) << c.what;
		EXPECT_NE(m.find(c.expect), std::string::npos) << c.what << ":\n" << m;
		EXPECT_EQ(take_snapshot(), s) << c.what;
		c.mend(p);
		__free_pages(p, 0);
		EXPECT_EQ(nr_bad_pages, bad + 1) << c.what;
		EXPECT_EQ(host_console_take(), "") << c.what;
		EXPECT_EQ(take_snapshot(), s0) << c.what << ": not back on the pcp list";
		check_invariants({});
	}
	// A second reference is no error: the free drops it and the page stays.
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	ASSERT_NE(p, nullptr);
	snapshot s = take_snapshot();
	page_ref_inc(p);
	__free_pages(p, 0);
	EXPECT_EQ(page_ref_count(p), 1);
	EXPECT_EQ(take_snapshot(), s);
	__free_pages(p, 0);
	EXPECT_EQ(host_console_take(), "");
	check_invariants({});
}

// With check_pages, every page of a block is checked, on its way back
// (free_pages_check()) and on its way out of the free lists (check_new_pages()),
// each field with its reason.
TEST_F(PageAlloc, WithCheckPagesEveryPageOfABlockIsChecked)
{
	boot_small();
	check_pages_enabled = true;
	struct case_ {
		const char *what;
		std::function<void(struct page *)> spoil, mend;
		const char *expect_free, *expect_alloc;
	} cases[] = {
		{"mapping", [](struct page *p) { p->mapping = (struct address_space *)0x1234; },
		 [](struct page *p) { p->mapping = nullptr; }, "non-NULL mapping", "non-NULL mapping"},
		{"memcg", [](struct page *p) { p->memcg_data = 8; }, [](struct page *p) { p->memcg_data = 0; },
		 "page still charged to cgroup", "page still charged to cgroup"},
		{"mapcount", [](struct page *p) { atomic_set(&p->_mapcount, 0); },
		 [](struct page *p) { atomic_set(&p->_mapcount, -1); }, "nonzero mapcount", "nonzero mapcount"},
		{"refcount", [](struct page *p) { set_page_count(p, 1); }, [](struct page *p) { set_page_count(p, 0); },
		 "nonzero _refcount", "nonzero _refcount"},
		{"PG_lru", [](struct page *p) { p->flags |= 1UL << PG_lru; },
		 [](struct page *p) { p->flags &= ~(1UL << PG_lru); }, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set",
		 "PAGE_FLAGS_CHECK_AT_PREP flag(s) set"},
		{"PageTail", [](struct page *p) { p->compound_head = (unsigned long)(p - 1) | 1; },
		 [](struct page *p) { p->compound_head = 0; }, "PageTail set on a page of a non-compound block",
		 "allocated page on a free list"},
		{"allocated", [](struct page *p) { set_page_alloc_order(p, 0); },
		 [](struct page *p) { clear_page_alloc_order(p); }, "contains another allocation",
		 "allocated page on a free list"},
	};
	for (auto &c : cases) {
		// The free side: a page inside an order-2 block (a pcp order, the fast
		// path's tail checks) and inside an order-4 block (the buddy's).
		unsigned long bad = nr_bad_pages;
		struct page *p = nullptr;
		for (unsigned order : {2u, 4u}) {
			unsigned long inner = order == 2 ? 3 : 5;
			p = alloc_pages(GFP_KERNEL, order);
			ASSERT_NE(p, nullptr);
			snapshot s = take_snapshot();
			c.spoil(p + inner);
			__free_pages(p, order);
			std::string m = host_console_take();
			EXPECT_EQ(nr_bad_pages, bad + 1) << c.what << " order " << order;
			EXPECT_NE(m.find(c.expect_free), std::string::npos) << c.what << " order " << order << ":\n" << m;
			EXPECT_EQ(take_snapshot(), s) << c.what << " order " << order;
			c.mend(p + inner);
			__free_pages(p, order);
			EXPECT_EQ(host_console_take(), "") << c.what;
			check_invariants({});
			nr_bad_pages = bad;
		}

		// The allocation side: the same page, spoiled while its block is free.
		// Order-4 blocks are taken until the one holding it comes out: it is
		// reported and left out (Linux leaks it), and never handed out.
		c.spoil(p + 5);
		std::vector<struct page *> got;
		bool reported = false;
		while (!reported) {
			struct page *q = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 4);
			reported = nr_bad_pages == bad + 1;
			if (!q)
				break;
			EXPECT_FALSE(q <= p + 5 && p + 5 < q + 16) << c.what << ": the bad page was handed out";
			got.push_back(q);
		}
		std::string m = host_console_take();
		EXPECT_TRUE(reported) << c.what;
		EXPECT_NE(m.find(c.expect_alloc), std::string::npos) << c.what << ":\n" << m;
		for (struct page *q : got)
			__free_pages(q, 4);
		nr_bad_pages = bad;
		// The leaked block is lost to this machine: boot again for the next case.
		TearDown();
		SetUp();
		boot_small();
		check_pages_enabled = true;
	}
}

// Without check_pages (the default, as in Linux 6.3+ without debugging or
// hardening options) no page of a block but the first is read: a flag left on
// a page inside a block, of a pcp order (the fast path and Linux's) or not,
// compound or not, goes unnoticed and is cleared by the free
// (free_pages_prepare()); a free block holding a spoiled page is handed out as
// it is. The first page is checked either way.
TEST_F(PageAlloc, WithoutCheckPagesOnlyTheFirstPageIsChecked)
{
	boot_small();
	ASSERT_FALSE(check_pages_enabled);
	const snapshot s0 = take_snapshot();
	for (bool fast : {true, false}) {
		page_alloc_fast_paths = fast;
		for (gfp_t comp : {gfp_t(0), gfp_t(__GFP_COMP)}) {
			for (unsigned order : {2u, 4u}) {
				std::string what = "order " + std::to_string(order) + (comp ? " compound" : "") +
						   (fast ? " (fast paths)" : " (Linux's paths)");
				struct page *p = alloc_pages(GFP_KERNEL | comp, order);
				ASSERT_NE(p, nullptr) << what;
				p[3].flags |= 1UL << PG_lru;
				__free_pages(p, order);
				EXPECT_EQ(host_console_take(), "") << what;
				EXPECT_EQ(nr_bad_pages, 0u) << what;
				EXPECT_FALSE(p[3].flags & (1UL << PG_lru)) << what << ": not cleared by the free";
				check_invariants({});

				// The first page: refused, nothing changed.
				p = alloc_pages(GFP_KERNEL | comp, order);
				ASSERT_NE(p, nullptr) << what;
				snapshot s = take_snapshot();
				p->flags |= 1UL << PG_lru;
				__free_pages(p, order);
				std::string m = host_console_take();
				EXPECT_NE(m.find("PAGE_FLAGS_CHECK_AT_FREE flag(s) set"), std::string::npos) << what << m;
				EXPECT_EQ(nr_bad_pages, 1u) << what;
				EXPECT_EQ(take_snapshot(), s) << what;
				p->flags &= ~(1UL << PG_lru);
				__free_pages(p, order);
				nr_bad_pages = 0;
				check_invariants({});
			}
		}
		drain_all_pages(nullptr);
		EXPECT_EQ(take_snapshot(), s0) << (fast ? "fast paths" : "Linux's paths");
	}
	page_alloc_fast_paths = true;

	// A block whose first page keeps another reference frees the rest as
	// sub-blocks; their first pages were inside the block, and are not read either.
	struct page *r = alloc_pages(GFP_KERNEL, 3);
	ASSERT_NE(r, nullptr);
	page_ref_inc(r);
	r[4].flags |= 1UL << PG_lru;
	__free_pages(r, 3);
	EXPECT_EQ(host_console_take(), "");
	EXPECT_EQ(nr_bad_pages, 0u);
	EXPECT_FALSE(r[4].flags & (1UL << PG_lru)) << "not cleared by the free";
	check_invariants({{page_to_pfn(r), {0, false}}});
	__free_pages(r, 0);

	// The allocation side: a flag left on a page of a free order-4 block, and on
	// a free order-0 page on a pcp list; both are handed out unread.
	struct page *p = alloc_pages(GFP_KERNEL, 4);
	ASSERT_NE(p, nullptr);
	__free_pages(p, 4);
	p[5].flags |= 1UL << PG_lru;
	EXPECT_EQ(alloc_pages(GFP_KERNEL, 4), p);
	__free_pages(p, 4);
	struct page *q = alloc_pages(GFP_KERNEL, 0);
	ASSERT_NE(q, nullptr);
	__free_pages(q, 0);
	atomic_set(&q->_mapcount, 0);
	EXPECT_EQ(alloc_pages(GFP_KERNEL, 0), q);
	atomic_set(&q->_mapcount, -1);
	__free_pages(q, 0);
	EXPECT_EQ(host_console_take(), "");
	EXPECT_EQ(nr_bad_pages, 0u);
	check_invariants({});
}

// With check_pages, a page is checked when it leaves a pcp list (Linux 6.3+:
// in __rmqueue_pcplist(), no longer when rmqueue_bulk() fills the list): a
// spoiled one is reported and left out, by the fast path and by Linux's, and
// the next page on the list is handed out instead.
TEST_F(PageAlloc, WithCheckPagesAPcpPageIsCheckedWhenHandedOut)
{
	for (bool fast : {true, false}) {
		boot_small();
		check_pages_enabled = true;
		page_alloc_fast_paths = fast;
		const char *what = fast ? "fast paths" : "Linux's paths";
		struct page *a = alloc_pages(GFP_KERNEL, 0);
		struct page *b = alloc_pages(GFP_KERNEL, 0);
		ASSERT_TRUE(a && b) << what;
		__free_pages(b, 0);
		__free_pages(a, 0); // a first on the list, b after it
		a->mapping = (struct address_space *)0x1234;
		struct page *got = alloc_pages(GFP_KERNEL, 0);
		std::string m = host_console_take();
		EXPECT_EQ(got, b) << what;
		EXPECT_EQ(nr_bad_pages, 1u) << what;
		EXPECT_NE(m.find("non-NULL mapping"), std::string::npos) << what << ":\n" << m;
		EXPECT_EQ(a->pcp_list.next, LIST_POISON1) << what << ": the bad page is off the list";
		__free_pages(got, 0);
		a->mapping = nullptr;
		TearDown();
		SetUp();
	}
}

// A freed block of a pcp order goes to the pcp list of its pageblock's type,
// HIGHATOMIC to the movable one (free_unref_page()), by the fast path and by
// Linux's; the next allocation of that type takes it back.
TEST_F(PageAlloc, FreedBlocksGoToThePcpListOfTheirPageblocksType)
{
	boot_small();
	struct {
		int block_mt, list_mt;
		gfp_t gfp;
	} cases[] = {
		{MIGRATE_UNMOVABLE, MIGRATE_UNMOVABLE, GFP_KERNEL},
		{MIGRATE_MOVABLE, MIGRATE_MOVABLE, GFP_KERNEL | __GFP_MOVABLE},
		{MIGRATE_RECLAIMABLE, MIGRATE_RECLAIMABLE, GFP_KERNEL | __GFP_RECLAIMABLE},
		{MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE, GFP_KERNEL | __GFP_MOVABLE},
	};
	for (bool fast : {true, false}) {
		page_alloc_fast_paths = fast;
		for (auto c : cases) {
			for (unsigned order : {0u, 2u}) {
				std::string what = std::string(migratetype_names[c.block_mt]) + " order " +
						   std::to_string(order) + (fast ? " (fast paths)" : " (Linux's paths)");
				struct page *page = alloc_pages(GFP_KERNEL, order);
				ASSERT_NE(page, nullptr) << what;
				struct zone *z = page_zone(page);
				int was = get_pageblock_migratetype(page);
				set_pageblock_migratetype(page, c.block_mt);
				__free_pages(page, order);
				struct list_head *list = &z->per_cpu_pageset[0].lists[order_to_pindex(c.list_mt, order)];
				EXPECT_EQ(list->next, &page->pcp_list) << what;
				EXPECT_EQ(alloc_pages(c.gfp, order), page) << what;
				set_pageblock_migratetype(page, was);
				__free_pages(page, order);
				check_invariants({});
			}
		}
	}
	page_alloc_fast_paths = true;
}

// With check_pages, a compound block (__GFP_COMP: slabs, large kmalloc) is
// checked tail by tail on free (free_tail_pages_check()), at a pcp order (order
// 2: the fast path's compound loop) and above (order 4: the full path): each
// spoiled field is reported, the free refused with the free lists untouched,
// and the mended block then frees silently.
TEST_F(PageAlloc, WithCheckPagesEveryTailOfACompoundBlockIsChecked)
{
	boot_small();
	check_pages_enabled = true;
	struct case_ {
		const char *what;
		unsigned long tail; // which page of the block is spoiled (0: the head)
		std::function<void(struct page *)> spoil, mend;
		const char *expect;
	} cases[] = {
		{"compound_head", 3,
		 [](struct page *p) { p->compound_head = (unsigned long)(p - 1) | 1; },
		 [](struct page *p) { p->compound_head = (unsigned long)(p - 3) | 1; }, "compound_head not consistent"},
		{"PageTail", 2, [](struct page *p) { p->compound_head = 0; },
		 [](struct page *p) { p->compound_head = (unsigned long)(p - 2) | 1; }, "PageTail not set"},
		{"TAIL_MAPPING", 2, [](struct page *p) { p->mapping = nullptr; },
		 [](struct page *p) { p->mapping = TAIL_MAPPING; }, "corrupted mapping in tail page"},
		{"compound_mapcount", 0, [](struct page *p) { atomic_set(compound_mapcount_ptr(p), 0); },
		 [](struct page *p) { atomic_set(compound_mapcount_ptr(p), -1); }, "nonzero compound_mapcount"},
		{"mapcount", 1, [](struct page *p) { atomic_set(&p->_mapcount, 0); },
		 [](struct page *p) { atomic_set(&p->_mapcount, -1); }, "nonzero mapcount"},
		{"refcount", 3, [](struct page *p) { set_page_count(p, 1); }, [](struct page *p) { set_page_count(p, 0); },
		 "nonzero _refcount"},
		{"PG_lru", 1, [](struct page *p) { p->flags |= 1UL << PG_lru; },
		 [](struct page *p) { p->flags &= ~(1UL << PG_lru); }, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set"},
		{"memcg", 2, [](struct page *p) { p->memcg_data = 8; }, [](struct page *p) { p->memcg_data = 0; },
		 "page still charged to cgroup"},
		{"allocated", 3, [](struct page *p) { set_page_alloc_order(p, 0); },
		 [](struct page *p) { clear_page_alloc_order(p); }, "contains another allocation"},
	};
	for (auto &c : cases) {
		for (unsigned order : {2u, 4u}) {
			unsigned long bad = nr_bad_pages;
			struct page *p = alloc_pages(GFP_KERNEL | __GFP_COMP, order);
			ASSERT_NE(p, nullptr);
			ASSERT_TRUE(PageHead(p));
			snapshot s = take_snapshot();
			c.spoil(p + c.tail);
			__free_pages(p, order);
			std::string m = host_console_take();
			EXPECT_EQ(nr_bad_pages, bad + 1) << c.what << " order " << order;
			EXPECT_NE(m.find(c.expect), std::string::npos) << c.what << " order " << order << ":\n" << m;
			EXPECT_EQ(take_snapshot(), s) << c.what << " order " << order;
			c.mend(p + c.tail);
			__free_pages(p, order);
			EXPECT_EQ(host_console_take(), "") << c.what << " order " << order;
			check_invariants({});
			nr_bad_pages = bad;
		}
	}
}

// The reports in Linux's formats.
TEST_F(PageAlloc, ProcFilesInLinuxFormats)
{
	boot_small();
	host_console_take();
	show_buddyinfo();
	std::string b = host_console_take();
	EXPECT_NE(b.find("Node 0, zone    DMA32 "), std::string::npos) << b;
	show_pagetypeinfo();
	std::string t = host_console_take();
	EXPECT_NE(t.find("Page block order: 9"), std::string::npos) << t;
	EXPECT_NE(t.find("Pages per block:  512"), std::string::npos) << t;
	EXPECT_NE(t.find("Free pages count per migrate type at order       0      1"), std::string::npos) << t;
	EXPECT_NE(t.find("Node    0, zone    DMA32, type      Movable "), std::string::npos) << t;
	EXPECT_NE(t.find("Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate "),
		  std::string::npos)
		<< t;
	show_zoneinfo();
	std::string zi = host_console_take();
	char want[64];
	snprintf(want, sizeof(want), "        min      %lu\n", min_wmark_pages(zone_of(0, ZONE_DMA32)));
	EXPECT_NE(zi.find("Node 0, zone    DMA32\n"), std::string::npos) << zi;
	EXPECT_NE(zi.find(want), std::string::npos) << zi;
	EXPECT_NE(zi.find("        protection: (0, 0, 0, 0, 0)"), std::string::npos) << zi;
	EXPECT_NE(zi.find("              batch: "), std::string::npos) << zi;
	char gfp[128];
	format_gfp_flags(gfp, sizeof(gfp), GFP_ATOMIC | __GFP_NOWARN | __GFP_COMP);
	EXPECT_STREQ(gfp, "GFP_ATOMIC|__GFP_NOWARN|__GFP_COMP");
	format_gfp_flags(gfp, sizeof(gfp), GFP_HIGHUSER_MOVABLE | __GFP_ZERO);
	EXPECT_STREQ(gfp, "GFP_HIGHUSER_MOVABLE|__GFP_ZERO");
}

} // namespace
