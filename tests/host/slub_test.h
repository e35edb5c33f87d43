// The slab suites' machine: MmBoot's small machine up to the buddy hand-over,
// then kmem_cache_init() as the app calls it. Helpers read the buddy free lists
// (to prove every slab page went back) and the console (to check reports).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/platform.h"
#include "mm/slab.h"
#include "mm/slub_internal.h"
#include "tests/host/mm_fixture.h"

namespace slub_test {

// nr_free of every order of every zone: equal before and after means every
// page came back and merged as it was.
inline std::vector<unsigned long> buddy_snapshot()
{
	std::vector<unsigned long> v;
	drain_all_pages(nullptr); // pages on the per-cpu lists back to the free lists
	struct zone *zone;
	for_each_zone(zone) {
		for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
			v.push_back(zone->initialized ? zone->free_area[o].nr_free : 0);
	}
	return v;
}

// Free pages with the per-cpu lists drained.
inline unsigned long free_pages_now()
{
	drain_all_pages(nullptr);
	return nr_free_pages();
}

// Every cache's CPU slab flushed and its empty slabs freed (kmem_cache and
// kmem_cache_node too).
inline void shrink_all()
{
	struct kmem_cache *s;
	list_for_each_entry(s, &slab_caches, list) kmem_cache_shrink(s);
}

// The buddy snapshot two of which can be compared: every sheaf and barn freed
// (where they live is chance), every cache shrunk; then the sheaves are set
// up again, after the snapshot.
inline std::vector<unsigned long> slab_quiet_snapshot()
{
	slab_sheaves_off();
	shrink_all();
	std::vector<unsigned long> v = buddy_snapshot();
	EXPECT_EQ(slab_sheaves_on(), 0);
	return v;
}

class Slub : public mm_fixture::MmBoot {
protected:
	void SetUp() override
	{
		MmBoot::SetUp();
		slab_reset();
	}
	void TearDown() override
	{
		slab_reset();
		MmBoot::TearDown();
	}

	// The page allocator's set-up after the hand-over (the zonelists were
	// built before it), as efi/mm_core.cpp does it.
	static void setup_allocator()
	{
		setup_per_cpu_pageset();
		init_per_zone_wmark_min();
	}

	// The machine, optionally slub_debug=@debug, then kmem_cache_init().
	void boot(const char *debug = nullptr)
	{
		bring_up_small();
		setup_allocator();
		if (debug) {
			ASSERT_EQ(setup_slub_debug(debug), 0);
		}
		before_init = nr_free_pages();
		ASSERT_EQ(kmem_cache_init(), 0);
		ASSERT_EQ(slab_state, FULL);
		console();
	}

	std::string console() { return host_console_take(); }

	unsigned long before_init = 0;
};

// Objects currently allocated in @s, from its stats.
inline unsigned long objects_in_use(struct kmem_cache *s)
{
	struct kmem_cache_stats st;
	kmem_cache_get_stats(s, &st);
	return st.total_objects - st.free_objects - st.sheaf_objects;
}

} // namespace slub_test
