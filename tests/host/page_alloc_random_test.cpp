// A randomized differential test of the buddy allocator: long sequences of
// allocations and frees of random orders and flags (and now and then a misuse)
// against a model that knows which blocks are live. After every step: the full
// invariant check of the free lists, the pcp lists and the struct pages, free
// pages equal to managed minus what the model holds, a tag written in every
// page of every live block still there (no two live blocks overlap), and every
// failure explained by the watermarks of every zone it could have used.
#include "tests/host/page_alloc_test.h"

#include <algorithm>
#include <random>
#include <tuple>

namespace {

using namespace page_alloc_test;

// (seed, check_pages): each sequence runs without and with the checks of every
// page of a block (Linux 6.3+'s check_pages), which change which path a block
// takes but no answer.
class PageAllocRandom : public PageAllocBoot, public ::testing::WithParamInterface<std::tuple<unsigned, bool>> {
protected:
	unsigned seed() const { return std::get<0>(GetParam()); }
	bool check_pages() const { return std::get<1>(GetParam()); }
};

u64 tag_of(pfn_t pfn, unsigned long serial)
{
	return 0x5eed000000000000ULL ^ (serial << 24) ^ pfn.val;
}

// The slow path's alloc_flags, from Linux's gfp_to_alloc_flags() (here, independently).
unsigned slowpath_flags(gfp_t gfp)
{
	unsigned f = ALLOC_WMARK_MIN;
	if (gfp & __GFP_HIGH)
		f |= ALLOC_HIGH;
	if ((gfp & __GFP_ATOMIC) && !(gfp & __GFP_NOMEMALLOC))
		f |= ALLOC_HARDER;
	return f;
}

TEST_P(PageAllocRandom, MatchesTheModel)
{
	boot_ram(40 * MB);
	check_pages_enabled = check_pages();
	drain_all_pages(nullptr);
	const snapshot s0 = take_snapshot();
	unsigned long managed = 0;
	for (struct zone *z : all_zones())
		managed += zone_managed_pages(z);
	ASSERT_EQ(check_invariants({}), managed);

	std::mt19937 rng(seed());
	const gfp_t gfps[] = {
		GFP_KERNEL,
		GFP_KERNEL | __GFP_MOVABLE,
		GFP_KERNEL | __GFP_RECLAIMABLE,
		GFP_KERNEL | __GFP_COMP,
		GFP_DMA,
		GFP_DMA32 | __GFP_MOVABLE,
		GFP_NOWAIT,
		GFP_KERNEL | __GFP_HIGH,
		GFP_ATOMIC, /* order 0 only: see below */
	};
	live_map live;
	std::map<pfn_t, unsigned long> serial_of;
	std::vector<std::pair<pfn_t, unsigned>> recently_freed;
	unsigned long serial = 0, held = 0, fails = 0, misuse = 0;
	const int steps = 1200;

	for (int step = 0; step < steps; step++) {
		unsigned r = rng() % 100;
		// Phases: fill memory for a while (past what it holds: every seed
		// runs it out), then free most of it.
		bool filling = (step / 300) % 2 == 0;
		if (live.empty() || r < (filling ? 80u : 35u)) {
			unsigned order;
			unsigned ro = rng() % 100;
			order = ro < 50 ? 0 : ro < 70 ? 1 + rng() % 3 : ro < 95 ? 4 + rng() % 5 : 9 + rng() % 2;
			gfp_t gfp = gfps[rng() % ARRAY_SIZE(gfps)];
			/*
			 * High-order GFP_ATOMIC would set a high-atomic reserve
			 * aside, which keeps its pageblock from merging: the end
			 * state would differ by design. Tested on its own.
			 */
			if ((gfp & __GFP_ATOMIC) && order)
				gfp = GFP_KERNEL | __GFP_HIGH;
			gfp |= __GFP_NOWARN;
			struct page *page = alloc_pages(gfp, order);
			if (!page) {
				fails++;
				int highest = gfp_zone(gfp);
				for (struct zone *z : all_zones()) {
					if (zone_idx(z) > highest)
						continue;
					EXPECT_FALSE(zone_watermark_ok(z, order, min_wmark_pages(z), highest, slowpath_flags(gfp)))
						<< "step " << step << ": order " << order << " gfp " << std::hex << gfp
						<< " failed though " << z->name << " was above its watermark";
				}
			} else {
				pfn_t pfn = page_to_pfn(page);
				EXPECT_LE(page_zonenum(page), gfp_zone(gfp)) << step;
				bool comp = (gfp & __GFP_COMP) && order;
				auto next = live.lower_bound(pfn);
				if (next != live.end()) {
					ASSERT_GE(next->first, pfn + (1UL << order)) << "overlaps a live block at step " << step;
				}
				if (next != live.begin()) {
					auto prev = std::prev(next);
					ASSERT_LE(prev->first + (1UL << prev->second.order), pfn) << "overlap at step " << step;
				}
				live[pfn] = {order, comp};
				serial_of[pfn] = ++serial;
				for (unsigned long i = 0; i < (1UL << order); i++)
					*(u64 *)page_address(page + i) = tag_of(pfn + i, serial);
				held += 1UL << order;
			}
		} else if (r < 97 || recently_freed.empty()) {
			auto it = live.begin();
			std::advance(it, rng() % live.size());
			pfn_t pfn = it->first;
			live_block b = it->second;
			struct page *page = pfn_to_page(pfn);
			for (unsigned long i = 0; i < (1UL << b.order); i++)
				ASSERT_EQ(*(u64 *)page_address(page + i), tag_of(pfn + i, serial_of[pfn]))
					<< "page " << pfn + i << " of a live block was overwritten (step " << step << ")";
			live.erase(it);
			__free_pages(page, b.order);
			held -= 1UL << b.order;
			recently_freed.push_back({pfn, b.order});
			if (recently_freed.size() > 16)
				recently_freed.erase(recently_freed.begin());
		} else {
			// Misuse: a double free, or a live block freed with the wrong order.
			unsigned long bad = nr_bad_pages;
			snapshot before = take_snapshot();
			auto [pfn, order] = recently_freed[rng() % recently_freed.size()];
			if (!live.count(pfn)) {
				__free_pages(pfn_to_page(pfn), order);
			} else {
				unsigned o = live[pfn].order;
				__free_pages(pfn_to_page(pfn), o == MAX_PAGE_ORDER ? o - 1 : o + 1);
			}
			host_console_take();
			EXPECT_EQ(nr_bad_pages, bad + 1) << "misuse not detected at step " << step;
			EXPECT_EQ(take_snapshot(), before) << "misuse changed the lists at step " << step;
			misuse++;
		}
		ASSERT_EQ(check_invariants(live), managed - held) << "step " << step;
		if (::testing::Test::HasFailure())
			break;
		if (step % 200 == 199) {
			drain_all_pages(nullptr);
			ASSERT_EQ(check_invariants(live), managed - held);
		}
	}
	host_console_take();
	EXPECT_GT(fails, 0u) << "the sequence never ran memory out";
	EXPECT_GT(misuse, 0u);
	for (auto [pfn, b] : live)
		__free_pages(pfn_to_page(pfn), b.order);
	drain_all_pages(nullptr);
	EXPECT_EQ(check_invariants({}), managed);
	EXPECT_EQ(take_snapshot().nr_free, s0.nr_free) << "the free lists did not return to their first state";
	EXPECT_EQ(nr_bad_pages, misuse);
}



// Everything the allocator's next answers depend on, in order: each zone's
// free count, every free list and every pcp list (pfns in list order), and
// the pcp counters.
std::vector<long> allocator_state()
{
	std::vector<long> v;
	for (struct zone *z : all_zones()) {
		v.push_back(zone_page_state(z, NR_FREE_PAGES));
		for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
			v.push_back((long)z->free_area[o].nr_free);
			for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
				struct page *p;
				list_for_each_entry(p, &z->free_area[o].free_list[mt], buddy_list)
					v.push_back((long)page_to_pfn(p).val);
				v.push_back(-1);
			}
		}
		struct per_cpu_pages *pcp = &z->per_cpu_pageset[0];
		v.insert(v.end(), {pcp->count, pcp->free_factor});
		for (int i = 0; i < NR_PCP_LISTS; i++) {
			struct page *p;
			list_for_each_entry(p, &pcp->lists[i], pcp_list)
				v.push_back((long)page_to_pfn(p).val);
			v.push_back(-2);
		}
	}
	return v;
}

// The order-0 fast paths (page_alloc_fast_paths) are a shortcut, not a
// policy: one random sequence of allocations, frees and misuses, run once
// with them and once without, gets the same block for every request, the
// same reports, and leaves the allocator in the same state after every step.
TEST_P(PageAllocRandom, FastPathsChangeNoAnswer)
{
	struct run {
		std::vector<long> answers;              // pfn, or -1 for a failure
		std::vector<std::vector<long>> states;  // after every 50th step
		std::string log;
		unsigned long bad_pages;
	};
	auto one_run = [&](bool fast) {
		run out;
		page_alloc_fast_paths = fast;
		check_pages_enabled = check_pages();
		std::mt19937 rng(seed());
		const gfp_t gfps[] = {GFP_KERNEL, GFP_KERNEL | __GFP_MOVABLE, GFP_KERNEL | __GFP_RECLAIMABLE,
				      GFP_DMA, GFP_DMA32, GFP_KERNEL | __GFP_ZERO, GFP_NOWAIT,
				      GFP_KERNEL | __GFP_COMP};
		std::vector<std::pair<struct page *, unsigned>> live, freed;
		for (int step = 0; step < 4000; step++) {
			unsigned r = rng() % 100;
			bool filling = (step / 500) % 2 == 0;
			if (live.empty() || r < (filling ? 75u : 35u)) {
				unsigned ro = rng() % 100;
				unsigned order = ro < 70 ? 0 : ro < 90 ? 1 + rng() % 3 : 4 + rng() % 6;
				struct page *p = alloc_pages(gfps[rng() % ARRAY_SIZE(gfps)] | __GFP_NOWARN, order);
				out.answers.push_back(p ? (long)page_to_pfn(p).val : -1);
				if (p)
					live.push_back({p, order});
			} else if (r < 98 || freed.empty()) {
				size_t i = rng() % live.size();
				__free_pages(live[i].first, live[i].second);
				freed.push_back(live[i]);
				live[i] = live.back();
				live.pop_back();
			} else {
				// A double free, caught on whichever path.
				auto [p, order] = freed[rng() % freed.size()];
				bool still_free = std::none_of(live.begin(), live.end(),
							       [&](auto &b) { return b.first == p; });
				if (still_free)
					__free_pages(p, order);
			}
			if (step % 50 == 0)
				out.states.push_back(allocator_state());
		}
		for (auto [p, order] : live)
			__free_pages(p, order);
		out.states.push_back(allocator_state());
		out.log = host_console_take();
		out.bad_pages = nr_bad_pages;
		return out;
	};

	boot_ram(16 * MB);
	run full = one_run(false);
	TearDown();
	SetUp();
	boot_ram(16 * MB);
	run fast = one_run(true);

	ASSERT_GT(full.bad_pages, 0u) << "the sequence made no misuse";
	ASSERT_GT(std::count(full.answers.begin(), full.answers.end(), -1L), 0) << "no allocation failed";
	EXPECT_EQ(fast.answers, full.answers);
	EXPECT_EQ(fast.bad_pages, full.bad_pages);
	EXPECT_EQ(fast.log, full.log);
	ASSERT_EQ(fast.states.size(), full.states.size());
	for (size_t i = 0; i < full.states.size(); i++)
		ASSERT_EQ(fast.states[i], full.states[i]) << "the allocators differ after step " << i * 50;
}

INSTANTIATE_TEST_SUITE_P(Seeds, PageAllocRandom, ::testing::Combine(::testing::Values(1u, 2u, 3u), ::testing::Bool()));

} // namespace
