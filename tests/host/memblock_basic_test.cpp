// mm/memblock.cpp: adding, reserving, removing and freeing ranges, merging,
// flags and nodes, and the query helpers. Modelled on the cases of Linux's
// tools/testing/memblock/tests/basic_api.c (written anew for GoogleTest).
#include "tests/host/memblock_test.h"

#include "lib/errno.h"
#include "lib/platform.h"

using namespace memblock_test;

namespace {

using MemblockInit = Memblock;

TEST_F(MemblockInit, PristineStateAfterReset)
{
	EXPECT_NE(memblock.memory.regions, nullptr);
	EXPECT_EQ(memblock.memory.cnt, 0UL);
	EXPECT_EQ(memblock.memory.max, (unsigned long)INIT_MEMBLOCK_REGIONS);
	EXPECT_EQ(memblock.memory.total_size, 0ULL);
	EXPECT_STREQ(memblock.memory.name, "memory");

	EXPECT_NE(memblock.reserved.regions, nullptr);
	EXPECT_EQ(memblock.reserved.cnt, 0UL);
	EXPECT_EQ(memblock.reserved.max, (unsigned long)INIT_MEMBLOCK_RESERVED_REGIONS);
	EXPECT_EQ(memblock.reserved.total_size, 0ULL);
	EXPECT_STREQ(memblock.reserved.name, "reserved");

	EXPECT_FALSE(memblock.bottom_up);
	EXPECT_FALSE(memblock_bottom_up());
	EXPECT_EQ(memblock.current_limit, MEMBLOCK_ALLOC_ANYWHERE);
	EXPECT_EQ(memblock_get_current_limit(), MEMBLOCK_ALLOC_ANYWHERE);
	EXPECT_FALSE(memblock_debug);
}

TEST_F(MemblockInit, ResetUndoesEverything)
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_reserve(SZ_1M, SZ_4K);
	memblock_set_bottom_up(true);
	memblock_set_current_limit(SZ_16M);
	ASSERT_EQ(early_memblock("debug"), 0);

	memblock_reset();

	EXPECT_EQ(memblock.memory.cnt, 0UL);
	EXPECT_EQ(memblock.reserved.cnt, 0UL);
	EXPECT_EQ(memblock_phys_mem_size(), 0ULL);
	EXPECT_EQ(memblock_reserved_size(), 0ULL);
	EXPECT_FALSE(memblock_bottom_up());
	EXPECT_EQ(memblock_get_current_limit(), MEMBLOCK_ALLOC_ANYWHERE);
	EXPECT_FALSE(memblock_debug);
	EXPECT_FALSE(memblock_is_memory(SZ_1M));
}

/* memblock_add */

using MemblockAdd = Memblock;

TEST_F(MemblockAdd, Simple)
{
	EXPECT_EQ(memblock_add(SZ_1G, (4 * SZ_1M)), 0);

	EXPECT_EQ(mem(0).base, SZ_1G);
	EXPECT_EQ(mem(0).size, 4 * SZ_1M);
	EXPECT_EQ(mem(0).flags, MEMBLOCK_NONE);
	EXPECT_EQ(mem(0).nid, NUMA_NO_NODE);
	EXPECT_EQ(memblock.memory.cnt, 1UL);
	EXPECT_EQ(memblock.memory.total_size, 4 * SZ_1M);
	EXPECT_EQ(memblock.reserved.cnt, 0UL);
}

TEST_F(MemblockAdd, NodeAndFlags)
{
	EXPECT_EQ(memblock_add_node(SZ_1M, SZ_16M, 1, MEMBLOCK_HOTPLUG), 0);

	EXPECT_EQ(mem(0).base, SZ_1M);
	EXPECT_EQ(mem(0).size, SZ_16M);
	EXPECT_EQ(mem(0).nid, 1);
	EXPECT_EQ(mem(0).flags, MEMBLOCK_HOTPLUG);
	EXPECT_EQ(memblock.memory.cnt, 1UL);
	EXPECT_EQ(memblock.memory.total_size, SZ_16M);
}

TEST_F(MemblockAdd, Disjoint)
{
	memblock_add(SZ_1G, 2 * SZ_4K);
	memblock_add(SZ_1G + 4 * SZ_4K, 2 * SZ_4K);

	EXPECT_EQ(regions_of(memblock.memory),
		  (std::vector<range>{ { SZ_1G, 2 * SZ_4K },
				       { SZ_1G + 4 * SZ_4K, 2 * SZ_4K } }));
	EXPECT_EQ(memblock.memory.total_size, 4 * SZ_4K);
}

TEST_F(MemblockAdd, DisjointOutOfOrderIsSorted)
{
	memblock_add(SZ_1G, SZ_4K);
	memblock_add(SZ_1M, SZ_4K);
	memblock_add(SZ_16M, SZ_4K);

	EXPECT_EQ(regions_of(memblock.memory),
		  (std::vector<range>{ { SZ_1M, SZ_4K }, { SZ_16M, SZ_4K },
				       { SZ_1G, SZ_4K } }));
}

// r2 overlaps the beginning of r1: one region from r2.base.
TEST_F(MemblockAdd, OverlapTop)
{
	phys_addr_t r1_base = 512 * SZ_1M, r2_base = 256 * SZ_1M;
	u64 r1_size = SZ_1G, r2_size = 512 * SZ_1M;
	u64 total = (r1_base - r2_base) + r1_size;

	memblock_add(r1_base, r1_size);
	memblock_add(r2_base, r2_size);

	EXPECT_EQ(regions_of(memblock.memory), (std::vector<range>{ { r2_base, total } }));
	EXPECT_EQ(memblock.memory.total_size, total);
}

// r2 overlaps the end of r1: one region from r1.base.
TEST_F(MemblockAdd, OverlapBottom)
{
	phys_addr_t r1_base = SZ_128M, r2_base = 256 * SZ_1M;
	u64 r1_size = 512 * SZ_1M, r2_size = SZ_1G;
	u64 total = (r2_base - r1_base) + r2_size;

	memblock_add(r1_base, r1_size);
	memblock_add(r2_base, r2_size);

	EXPECT_EQ(regions_of(memblock.memory), (std::vector<range>{ { r1_base, total } }));
	EXPECT_EQ(memblock.memory.total_size, total);
}

TEST_F(MemblockAdd, Within)
{
	memblock_add(8 * SZ_1M, 32 * SZ_1M);
	memblock_add(SZ_16M, SZ_1M);

	EXPECT_EQ(regions_of(memblock.memory), (std::vector<range>{ { 8 * SZ_1M, 32 * SZ_1M } }));
	EXPECT_EQ(memblock.memory.total_size, 32 * SZ_1M);
}

TEST_F(MemblockAdd, Twice)
{
	memblock_add(16 * SZ_1K, SZ_2M);
	memblock_add(16 * SZ_1K, SZ_2M);

	EXPECT_EQ(memblock.memory.cnt, 1UL);
	EXPECT_EQ(memblock.memory.total_size, SZ_2M);
}

// r3 exactly fills the gap between r1 and r2: everything merges.
TEST_F(MemblockAdd, BetweenFillsGap)
{
	memblock_add(SZ_1G, 8 * SZ_1K);
	memblock_add(SZ_1G + 16 * SZ_1K, 8 * SZ_1K);
	ASSERT_EQ(memblock.memory.cnt, 2UL);

	memblock_add(SZ_1G + 8 * SZ_1K, 8 * SZ_1K);

	EXPECT_EQ(regions_of(memblock.memory), (std::vector<range>{ { SZ_1G, 24 * SZ_1K } }));
	EXPECT_EQ(memblock.memory.total_size, 24 * SZ_1K);
}

// r3 overlaps both r1 and r2 and covers the gap: one region, no double count.
TEST_F(MemblockAdd, SpanningTwoRegions)
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_add(4 * SZ_1M, SZ_1M);
	memblock_add(SZ_1M + SZ_64K, 4 * SZ_1M);

	EXPECT_EQ(regions_of(memblock.memory), (std::vector<range>{ { SZ_1M, 4 * SZ_1M + SZ_64K } }));
	EXPECT_EQ(memblock.memory.total_size, 4 * SZ_1M + SZ_64K);
}

// A region crossing the end of the address space is capped.
TEST_F(MemblockAdd, NearMaxIsCapped)
{
	phys_addr_t base = PHYS_ADDR_MAX - SZ_1M;

	memblock_add(base, SZ_2M);

	EXPECT_EQ(mem(0).base, base);
	EXPECT_EQ(mem(0).size, PHYS_ADDR_MAX - base);
	EXPECT_EQ(memblock.memory.total_size, PHYS_ADDR_MAX - base);
}

TEST_F(MemblockAdd, ZeroSizeIsNoop)
{
	EXPECT_EQ(memblock_add(SZ_1M, 0), 0);
	EXPECT_EQ(memblock.memory.cnt, 0UL);
	EXPECT_EQ(memblock.memory.total_size, 0ULL);
}

TEST_F(MemblockAdd, AdjacentSameAttributesMerge)
{
	memblock_add_node(SZ_1M, SZ_1M, 2, MEMBLOCK_HOTPLUG);
	memblock_add_node(SZ_2M, SZ_1M, 2, MEMBLOCK_HOTPLUG);

	EXPECT_EQ(memblock.memory.cnt, 1UL);
	EXPECT_EQ(mem(0).size, SZ_2M);
	EXPECT_EQ(mem(0).nid, 2);
	EXPECT_EQ(mem(0).flags, MEMBLOCK_HOTPLUG);
}

TEST_F(MemblockAdd, AdjacentDifferentFlagsDoNotMerge)
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_add_node(SZ_2M, SZ_1M, NUMA_NO_NODE, MEMBLOCK_HOTPLUG);

	ASSERT_EQ(memblock.memory.cnt, 2UL);
	EXPECT_EQ(mem(0).flags, MEMBLOCK_NONE);
	EXPECT_EQ(mem(1).flags, MEMBLOCK_HOTPLUG);
	EXPECT_EQ(memblock.memory.total_size, SZ_2M);
}

TEST_F(MemblockAdd, AdjacentDifferentNodesDoNotMerge)
{
	memblock_add_node(SZ_1M, SZ_1M, 0, MEMBLOCK_NONE);
	memblock_add_node(SZ_2M, SZ_1M, 1, MEMBLOCK_NONE);
	memblock_add(3 * SZ_1M, SZ_1M);

	ASSERT_EQ(memblock.memory.cnt, 3UL);
	EXPECT_EQ(mem(0).nid, 0);
	EXPECT_EQ(mem(1).nid, 1);
	EXPECT_EQ(mem(2).nid, NUMA_NO_NODE);
}

// Overlapping parts keep the existing region's attributes; only the new
// parts get the new ones.
TEST_F(MemblockAdd, OverlapKeepsExistingAttributes)
{
	memblock_add_node(SZ_2M, SZ_1M, 1, MEMBLOCK_NONE);
	memblock_add_node(SZ_1M, 3 * SZ_1M, 0, MEMBLOCK_NONE);

	EXPECT_EQ(regions_of(memblock.memory),
		  (std::vector<range>{ { SZ_1M, SZ_1M }, { SZ_2M, SZ_1M }, { 3 * SZ_1M, SZ_1M } }));
	EXPECT_EQ(mem(0).nid, 0);
	EXPECT_EQ(mem(1).nid, 1);
	EXPECT_EQ(mem(2).nid, 0);
	EXPECT_EQ(memblock.memory.total_size, 3 * SZ_1M);
}

/* memblock_reserve */

using MemblockReserve = Memblock;

TEST_F(MemblockReserve, Simple)
{
	EXPECT_EQ(memblock_reserve(2 * SZ_1G, SZ_128M), 0);

	EXPECT_EQ(rsv(0).base, 2 * SZ_1G);
	EXPECT_EQ(rsv(0).size, SZ_128M);
	EXPECT_EQ(rsv(0).flags, MEMBLOCK_NONE);
	EXPECT_EQ(rsv(0).nid, NUMA_NO_NODE);
	EXPECT_EQ(memblock.reserved.cnt, 1UL);
	EXPECT_EQ(memblock.reserved.total_size, SZ_128M);
	EXPECT_EQ(memblock.memory.cnt, 0UL);
}

TEST_F(MemblockReserve, Disjoint)
{
	memblock_reserve(256 * SZ_1M, SZ_16M);
	memblock_reserve(512 * SZ_1M, 512 * SZ_1M);

	EXPECT_EQ(regions_of(memblock.reserved),
		  (std::vector<range>{ { 256 * SZ_1M, SZ_16M }, { 512 * SZ_1M, 512 * SZ_1M } }));
	EXPECT_EQ(memblock.reserved.total_size, SZ_16M + 512 * SZ_1M);
}

TEST_F(MemblockReserve, OverlapTop)
{
	memblock_reserve(SZ_1G, SZ_1G);
	memblock_reserve(SZ_128M, SZ_1G);

	EXPECT_EQ(regions_of(memblock.reserved),
		  (std::vector<range>{ { SZ_128M, SZ_1G - SZ_128M + SZ_1G } }));
	EXPECT_EQ(memblock.reserved.total_size, 2 * SZ_1G - SZ_128M);
}

TEST_F(MemblockReserve, OverlapBottom)
{
	memblock_reserve(2 * SZ_1K, 128 * SZ_1K);
	memblock_reserve(128 * SZ_1K, 128 * SZ_1K);

	EXPECT_EQ(regions_of(memblock.reserved), (std::vector<range>{ { 2 * SZ_1K, 254 * SZ_1K } }));
	EXPECT_EQ(memblock.reserved.total_size, 254 * SZ_1K);
}

TEST_F(MemblockReserve, Within)
{
	memblock_reserve(SZ_1M, 8 * SZ_1M);
	memblock_reserve(SZ_2M, SZ_64K);

	EXPECT_EQ(regions_of(memblock.reserved), (std::vector<range>{ { SZ_1M, 8 * SZ_1M } }));
	EXPECT_EQ(memblock.reserved.total_size, 8 * SZ_1M);
}

TEST_F(MemblockReserve, Twice)
{
	memblock_reserve(16 * SZ_1K, SZ_2M);
	memblock_reserve(16 * SZ_1K, SZ_2M);

	EXPECT_EQ(memblock.reserved.cnt, 1UL);
	EXPECT_EQ(memblock.reserved.total_size, SZ_2M);
}

TEST_F(MemblockReserve, BetweenFillsGap)
{
	memblock_reserve(SZ_1G, 8 * SZ_1K);
	memblock_reserve(SZ_1G + 16 * SZ_1K, 8 * SZ_1K);
	memblock_reserve(SZ_1G + 8 * SZ_1K, 8 * SZ_1K);

	EXPECT_EQ(regions_of(memblock.reserved), (std::vector<range>{ { SZ_1G, 24 * SZ_1K } }));
	EXPECT_EQ(memblock.reserved.total_size, 24 * SZ_1K);
}

TEST_F(MemblockReserve, BetweenLeavesGaps)
{
	memblock_reserve(SZ_1M, SZ_4K);
	memblock_reserve(SZ_2M, SZ_4K);
	memblock_reserve(SZ_1M + SZ_64K, SZ_4K);

	EXPECT_EQ(regions_of(memblock.reserved),
		  (std::vector<range>{ { SZ_1M, SZ_4K }, { SZ_1M + SZ_64K, SZ_4K }, { SZ_2M, SZ_4K } }));
}

TEST_F(MemblockReserve, NearMaxIsCapped)
{
	phys_addr_t base = PHYS_ADDR_MAX - SZ_1M;

	memblock_reserve(base, SZ_2M);

	EXPECT_EQ(rsv(0).base, base);
	EXPECT_EQ(rsv(0).size, PHYS_ADDR_MAX - base);
	EXPECT_EQ(memblock.reserved.total_size, PHYS_ADDR_MAX - base);
}

// Reserved memory does not need to be memory.
TEST_F(MemblockReserve, IndependentOfMemory)
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_reserve(SZ_1G, SZ_4K);

	EXPECT_EQ(memblock.memory.cnt, 1UL);
	EXPECT_EQ(memblock.reserved.cnt, 1UL);
	EXPECT_TRUE(memblock_is_reserved(SZ_1G));
	EXPECT_FALSE(memblock_is_memory(SZ_1G));
}

/* memblock_remove */

using MemblockRemove = Memblock;

TEST_F(MemblockRemove, Simple)
{
	memblock_add(2 * SZ_1K, SZ_4K);
	memblock_add(128 * SZ_1K, 4 * SZ_1M);

	EXPECT_EQ(memblock_remove(2 * SZ_1K, SZ_4K), 0);

	EXPECT_EQ(regions_of(memblock.memory), (std::vector<range>{ { 128 * SZ_1K, 4 * SZ_1M } }));
	EXPECT_EQ(memblock.memory.total_size, 4 * SZ_1M);
}

TEST_F(MemblockRemove, Absent)
{
	memblock_add(512 * SZ_1K, 4 * SZ_1M);

	EXPECT_EQ(memblock_remove(64 * SZ_1M, SZ_1G), 0);

	EXPECT_EQ(regions_of(memblock.memory), (std::vector<range>{ { 512 * SZ_1K, 4 * SZ_1M } }));
	EXPECT_EQ(memblock.memory.total_size, 4 * SZ_1M);
}

// The removed range covers the start of the region.
TEST_F(MemblockRemove, OverlapTop)
{
	memblock_add(32 * SZ_1M, 32 * SZ_1M);
	memblock_remove(SZ_2M, 32 * SZ_1M);

	phys_addr_t end = 32 * SZ_1M + 32 * SZ_1M;
	phys_addr_t cut = SZ_2M + 32 * SZ_1M;
	EXPECT_EQ(regions_of(memblock.memory), (std::vector<range>{ { cut, end - cut } }));
	EXPECT_EQ(memblock.memory.total_size, end - cut);
}

// The removed range covers the end of the region.
TEST_F(MemblockRemove, OverlapBottom)
{
	memblock_add(SZ_2M, 64 * SZ_1M);
	memblock_remove(32 * SZ_1M, 256 * SZ_1M);

	EXPECT_EQ(regions_of(memblock.memory), (std::vector<range>{ { SZ_2M, 30 * SZ_1M } }));
	EXPECT_EQ(memblock.memory.total_size, 30 * SZ_1M);
}

// The removed range is inside the region: it splits in two.
TEST_F(MemblockRemove, WithinSplits)
{
	memblock_add_node(SZ_1M, 32 * SZ_1M, 3, MEMBLOCK_HOTPLUG);
	memblock_remove(SZ_16M, SZ_1M);

	EXPECT_EQ(regions_of(memblock.memory),
		  (std::vector<range>{ { SZ_1M, 15 * SZ_1M }, { 17 * SZ_1M, 16 * SZ_1M } }));
	EXPECT_EQ(memblock.memory.total_size, 31 * SZ_1M);
	// Both halves keep the node and the flags.
	EXPECT_EQ(mem(0).nid, 3);
	EXPECT_EQ(mem(1).nid, 3);
	EXPECT_EQ(mem(0).flags, MEMBLOCK_HOTPLUG);
	EXPECT_EQ(mem(1).flags, MEMBLOCK_HOTPLUG);
}

TEST_F(MemblockRemove, OnlyRegionLeavesEmptyArray)
{
	memblock_add(SZ_2M, SZ_4K);
	memblock_remove(SZ_2M, SZ_4K);

	EXPECT_EQ(memblock.memory.cnt, 0UL);
	EXPECT_EQ(memblock.memory.total_size, 0ULL);
	EXPECT_EQ(mem(0).base, 0ULL);
	EXPECT_EQ(mem(0).size, 0ULL);

	// And the array is usable again.
	memblock_add(SZ_1M, SZ_4K);
	EXPECT_EQ(regions_of(memblock.memory), (std::vector<range>{ { SZ_1M, SZ_4K } }));
}

TEST_F(MemblockRemove, FromEmptyArray)
{
	EXPECT_EQ(memblock_remove(SZ_1M, SZ_1M), 0);
	EXPECT_EQ(memblock.memory.cnt, 0UL);
	EXPECT_EQ(memblock.memory.total_size, 0ULL);
}

// The removed range touches several regions: covered ones vanish, partly
// covered ones are trimmed.
TEST_F(MemblockRemove, AcrossSeveralRegions)
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_add(3 * SZ_1M, SZ_1M);
	memblock_add(5 * SZ_1M, SZ_1M);
	memblock_add(7 * SZ_1M, SZ_1M);

	memblock_remove(SZ_1M + SZ_64K * 8, 6 * SZ_1M);

	EXPECT_EQ(regions_of(memblock.memory),
		  (std::vector<range>{ { SZ_1M, SZ_64K * 8 }, { 7 * SZ_1M + SZ_64K * 8, SZ_64K * 8 } }));
	EXPECT_EQ(memblock.memory.total_size, SZ_1M);
}

TEST_F(MemblockRemove, NearMax)
{
	phys_addr_t base = PHYS_ADDR_MAX - SZ_2M;

	memblock_add(base, SZ_1M);
	memblock_remove(base + SZ_64K, (4 * SZ_1M));	/* capped at the top */

	EXPECT_EQ(regions_of(memblock.memory), (std::vector<range>{ { base, SZ_64K } }));
	EXPECT_EQ(memblock.memory.total_size, SZ_64K);
}

TEST_F(MemblockRemove, DoesNotTouchReserved)
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_reserve(SZ_1M, SZ_4K);
	memblock_remove(SZ_1M, SZ_1M);

	EXPECT_EQ(memblock.memory.cnt, 0UL);
	EXPECT_EQ(regions_of(memblock.reserved), (std::vector<range>{ { SZ_1M, SZ_4K } }));
}

/* memblock_phys_free / memblock_free */

using MemblockFree = Memblock;

TEST_F(MemblockFree, Simple)
{
	memblock_reserve((4 * SZ_1M), SZ_1M);
	memblock_reserve(8 * SZ_1M, SZ_1M);

	EXPECT_EQ(memblock_phys_free((4 * SZ_1M), SZ_1M), 0);

	EXPECT_EQ(regions_of(memblock.reserved), (std::vector<range>{ { 8 * SZ_1M, SZ_1M } }));
	EXPECT_EQ(memblock.reserved.total_size, SZ_1M);
}

TEST_F(MemblockFree, Absent)
{
	memblock_reserve(2 * SZ_1M, 8 * SZ_1K);
	memblock_phys_free(SZ_16M + 128 * SZ_1K, 128 * SZ_1K);

	EXPECT_EQ(regions_of(memblock.reserved), (std::vector<range>{ { 2 * SZ_1M, 8 * SZ_1K } }));
	EXPECT_EQ(memblock.reserved.total_size, 8 * SZ_1K);
}

TEST_F(MemblockFree, OverlapTop)
{
	memblock_reserve(8 * SZ_1M, 32 * SZ_1M);
	memblock_phys_free(SZ_1M, 8 * SZ_1M);	/* frees [8M, 9M) */

	EXPECT_EQ(regions_of(memblock.reserved), (std::vector<range>{ { 9 * SZ_1M, 31 * SZ_1M } }));
	EXPECT_EQ(memblock.reserved.total_size, 31 * SZ_1M);
}

TEST_F(MemblockFree, OverlapBottom)
{
	memblock_reserve(8 * SZ_1M, 32 * SZ_1M);
	memblock_phys_free(32 * SZ_1M, 32 * SZ_1M);

	EXPECT_EQ(regions_of(memblock.reserved), (std::vector<range>{ { 8 * SZ_1M, 24 * SZ_1M } }));
	EXPECT_EQ(memblock.reserved.total_size, 24 * SZ_1M);
}

TEST_F(MemblockFree, WithinSplits)
{
	memblock_reserve(SZ_1M, 8 * SZ_1M);
	memblock_phys_free(SZ_2M, SZ_1M);

	EXPECT_EQ(regions_of(memblock.reserved),
		  (std::vector<range>{ { SZ_1M, SZ_1M }, { 3 * SZ_1M, 6 * SZ_1M } }));
	EXPECT_EQ(memblock.reserved.total_size, 7 * SZ_1M);
}

TEST_F(MemblockFree, OnlyRegionLeavesEmptyArray)
{
	memblock_reserve(SZ_2M, SZ_4K);
	memblock_phys_free(SZ_2M, SZ_4K);

	EXPECT_EQ(memblock.reserved.cnt, 0UL);
	EXPECT_EQ(memblock.reserved.total_size, 0ULL);
}

TEST_F(MemblockFree, DoesNotTouchMemory)
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_reserve(SZ_1M, SZ_1M);
	memblock_phys_free(SZ_1M, SZ_1M);

	EXPECT_EQ(regions_of(memblock.memory), (std::vector<range>{ { SZ_1M, SZ_1M } }));
	EXPECT_EQ(memblock.reserved.cnt, 0UL);
}

TEST_F(MemblockPhys, FreeTakesVirtualAddress)
{
	memblock_reserve(SZ_1M, SZ_64K);
	void *p = __va(SZ_1M + SZ_4K);
	ASSERT_NE(p, nullptr);

	memblock_free(p, SZ_4K);

	EXPECT_EQ(regions_of(memblock.reserved),
		  (std::vector<range>{ { SZ_1M, SZ_4K }, { SZ_1M + 2 * SZ_4K, SZ_64K - 2 * SZ_4K } }));

	memblock_free(nullptr, SZ_4K);	/* no-op */
	EXPECT_EQ(memblock.reserved.cnt, 2UL);
}

/* flags, nodes and merging */

using MemblockFlags = Memblock;

TEST_F(MemblockFlags, MarkHotplugSplitsAndClearMergesBack)
{
	memblock_add(SZ_1M, 4 * SZ_1M);

	EXPECT_EQ(memblock_mark_hotplug(SZ_2M, SZ_1M), 0);
	ASSERT_EQ(memblock.memory.cnt, 3UL);
	EXPECT_EQ(mem(0).flags, MEMBLOCK_NONE);
	EXPECT_EQ(mem(1).flags, MEMBLOCK_HOTPLUG);
	EXPECT_EQ((range{ mem(1).base, mem(1).size }), (range{ SZ_2M, SZ_1M }));
	EXPECT_EQ(mem(2).flags, MEMBLOCK_NONE);
	EXPECT_EQ(memblock.memory.total_size, 4 * SZ_1M);

	EXPECT_EQ(memblock_clear_hotplug(SZ_2M, SZ_1M), 0);
	EXPECT_EQ(regions_of(memblock.memory), (std::vector<range>{ { SZ_1M, 4 * SZ_1M } }));
	EXPECT_EQ(mem(0).flags, MEMBLOCK_NONE);
}

TEST_F(MemblockFlags, MarkAcrossRegionsMergesMarkedParts)
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_add(SZ_2M, SZ_1M);	/* merges with the first */
	memblock_add_node(3 * SZ_1M, SZ_1M, NUMA_NO_NODE, MEMBLOCK_HOTPLUG);
	ASSERT_EQ(memblock.memory.cnt, 2UL);

	memblock_mark_hotplug(SZ_1M, 2 * SZ_1M);

	EXPECT_EQ(regions_of(memblock.memory), (std::vector<range>{ { SZ_1M, 3 * SZ_1M } }));
	EXPECT_EQ(mem(0).flags, MEMBLOCK_HOTPLUG);
}

TEST_F(MemblockFlags, NomapAndMirror)
{
	memblock_add(SZ_1M, 3 * SZ_1M);

	memblock_mark_nomap(SZ_1M, SZ_1M);
	memblock_mark_mirror(3 * SZ_1M, SZ_1M);

	ASSERT_EQ(memblock.memory.cnt, 3UL);
	EXPECT_TRUE(memblock_is_nomap(&mem(0)));
	EXPECT_FALSE(memblock_is_nomap(&mem(1)));
	EXPECT_TRUE(memblock_is_mirror(&mem(2)));
	EXPECT_FALSE(memblock_is_map_memory(SZ_1M));
	EXPECT_TRUE(memblock_is_map_memory(SZ_2M));
	EXPECT_TRUE(memblock_is_memory(SZ_1M));

	memblock_clear_nomap(SZ_1M, SZ_1M);
	EXPECT_EQ(memblock.memory.cnt, 2UL);
	EXPECT_TRUE(memblock_is_map_memory(SZ_1M));
}

TEST_F(MemblockFlags, ReservedMarkNoinit)
{
	memblock_reserve(SZ_1M, SZ_1M);
	EXPECT_EQ(memblock_reserved_mark_noinit(SZ_1M, SZ_64K), 0);

	ASSERT_EQ(memblock.reserved.cnt, 2UL);
	EXPECT_TRUE(memblock_is_reserved_noinit(&rsv(0)));
	EXPECT_FALSE(memblock_is_reserved_noinit(&rsv(1)));
	EXPECT_EQ(memblock.memory.cnt, 0UL);
}

TEST_F(MemblockFlags, SetNodeSplitsAndMerges)
{
	memblock_add(SZ_1M, 4 * SZ_1M);

	EXPECT_EQ(memblock_set_node(SZ_2M, SZ_1M, &memblock.memory, 1), 0);
	ASSERT_EQ(memblock.memory.cnt, 3UL);
	EXPECT_EQ(mem(0).nid, NUMA_NO_NODE);
	EXPECT_EQ(mem(1).nid, 1);
	EXPECT_EQ((range{ mem(1).base, mem(1).size }), (range{ SZ_2M, SZ_1M }));
	EXPECT_EQ(mem(2).nid, NUMA_NO_NODE);

	// Giving everything the same node merges it all again.
	memblock_set_node(0, U64_MAX, &memblock.memory, 0);
	EXPECT_EQ(regions_of(memblock.memory), (std::vector<range>{ { SZ_1M, 4 * SZ_1M } }));
	EXPECT_EQ(mem(0).nid, 0);
	EXPECT_EQ(memblock.memory.total_size, 4 * SZ_1M);
}

TEST_F(MemblockFlags, SetNodeOnReserved)
{
	memblock_reserve(SZ_1M, SZ_1M);
	memblock_set_node(SZ_1M, SZ_64K, &memblock.reserved, 5);

	ASSERT_EQ(memblock.reserved.cnt, 2UL);
	EXPECT_EQ(rsv(0).nid, 5);
	EXPECT_EQ(rsv(1).nid, NUMA_NO_NODE);
}

/* memblock_isolate_range */

TEST_F(MemblockFlags, IsolateRangeSplitsAtBoundaries)
{
	int start, end;

	memblock_add(SZ_1M, SZ_1M);
	memblock_add(3 * SZ_1M, SZ_1M);
	memblock_add(5 * SZ_1M, SZ_1M);

	EXPECT_EQ(memblock_isolate_range(&memblock.memory, SZ_1M + SZ_64K,
					 4 * SZ_1M, &start, &end), 0);

	// [1M,1M+64K) [1M+64K,2M) [3M,4M) [5M,5M+64K) [5M+64K,6M)
	EXPECT_EQ(memblock.memory.cnt, 5UL);
	EXPECT_EQ(start, 1);
	EXPECT_EQ(end, 4);
	EXPECT_EQ((range{ mem(3).base, mem(3).size }), (range{ 5 * SZ_1M, SZ_64K }));
	EXPECT_EQ(memblock.memory.total_size, 3 * SZ_1M);

	// Nothing inside: both 0.
	EXPECT_EQ(memblock_isolate_range(&memblock.memory, SZ_1G, SZ_1M, &start, &end), 0);
	EXPECT_EQ(start, 0);
	EXPECT_EQ(end, 0);
}

TEST_F(MemblockFlags, InsertAndMergeDirectly)
{
	struct memblock_type *t = &memblock.memory;

	memblock_insert_region(t, 0, SZ_2M, SZ_1M, NUMA_NO_NODE, MEMBLOCK_NONE);
	memblock_insert_region(t, 0, SZ_1M, SZ_1M, NUMA_NO_NODE, MEMBLOCK_NONE);
	memblock_insert_region(t, 2, 3 * SZ_1M, SZ_1M, 1, MEMBLOCK_NONE);
	EXPECT_EQ(t->cnt, 3UL);
	EXPECT_EQ(t->total_size, 3 * SZ_1M);

	memblock_merge_regions(t);
	EXPECT_EQ(regions_of(*t), (std::vector<range>{ { SZ_1M, SZ_2M }, { 3 * SZ_1M, SZ_1M } }));
}

/* queries */

using MemblockQuery = Memblock;

TEST_F(MemblockQuery, OverlapsRegion)
{
	memblock_reserve(SZ_1M, SZ_1M);

	EXPECT_TRUE(memblock_overlaps_region(&memblock.reserved, SZ_1M, SZ_1M));
	EXPECT_TRUE(memblock_overlaps_region(&memblock.reserved, 0, SZ_1M + 1));
	EXPECT_TRUE(memblock_overlaps_region(&memblock.reserved, SZ_2M - 1, SZ_1M));
	EXPECT_TRUE(memblock_overlaps_region(&memblock.reserved, SZ_1M + SZ_4K, SZ_4K));
	EXPECT_TRUE(memblock_overlaps_region(&memblock.reserved, 0, U64_MAX));
	EXPECT_FALSE(memblock_overlaps_region(&memblock.reserved, 0, SZ_1M));
	EXPECT_FALSE(memblock_overlaps_region(&memblock.reserved, SZ_2M, SZ_1M));
	EXPECT_FALSE(memblock_overlaps_region(&memblock.memory, SZ_1M, SZ_1M));
	// Capped instead of wrapping around.
	EXPECT_FALSE(memblock_overlaps_region(&memblock.reserved, (4 * SZ_1M), U64_MAX));

	EXPECT_TRUE(memblock_is_region_reserved(SZ_1M + SZ_64K, (4 * SZ_1M)));
	EXPECT_FALSE(memblock_is_region_reserved((4 * SZ_1M), (4 * SZ_1M)));
}

TEST_F(MemblockQuery, IsReservedAndIsMemory)
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_add((4 * SZ_1M), SZ_1M);
	memblock_reserve(SZ_1M + SZ_4K, SZ_4K);

	EXPECT_TRUE(memblock_is_memory(SZ_1M));
	EXPECT_TRUE(memblock_is_memory(SZ_2M - 1));
	EXPECT_FALSE(memblock_is_memory(SZ_2M));
	EXPECT_FALSE(memblock_is_memory(SZ_1M - 1));
	EXPECT_TRUE(memblock_is_memory((4 * SZ_1M) + SZ_64K));
	EXPECT_FALSE(memblock_is_memory(0));

	EXPECT_FALSE(memblock_is_reserved(SZ_1M));
	EXPECT_TRUE(memblock_is_reserved(SZ_1M + SZ_4K));
	EXPECT_TRUE(memblock_is_reserved(SZ_1M + 2 * SZ_4K - 1));
	EXPECT_FALSE(memblock_is_reserved(SZ_1M + 2 * SZ_4K));
}

TEST_F(MemblockQuery, EmptyArraysAnswerNo)
{
	EXPECT_FALSE(memblock_is_memory(0));
	EXPECT_FALSE(memblock_is_reserved(0));
	EXPECT_FALSE(memblock_is_region_memory(0, SZ_4K));
	EXPECT_EQ(memblock_start_of_DRAM(), 0ULL);
	EXPECT_EQ(memblock_end_of_DRAM(), 0ULL);
}

TEST_F(MemblockQuery, IsRegionMemory)
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_add(SZ_2M + SZ_4K, SZ_1M);

	EXPECT_TRUE(memblock_is_region_memory(SZ_1M, SZ_1M));
	EXPECT_TRUE(memblock_is_region_memory(SZ_1M + SZ_4K, SZ_4K));
	EXPECT_FALSE(memblock_is_region_memory(SZ_1M, SZ_1M + 1));
	EXPECT_FALSE(memblock_is_region_memory(SZ_1M - SZ_4K, SZ_64K));
	// Spanning the hole between two regions is not "a subset of a block".
	EXPECT_FALSE(memblock_is_region_memory(SZ_1M, 2 * SZ_1M));
}

TEST_F(MemblockQuery, StartEndAndSizes)
{
	memblock_add(SZ_16M, SZ_1M);
	memblock_add(SZ_1M, SZ_1M);
	memblock_add((4 * SZ_1M), SZ_4K);
	memblock_reserve(SZ_1M, SZ_4K);
	memblock_reserve(SZ_1G, SZ_64K);

	EXPECT_EQ(memblock_start_of_DRAM(), SZ_1M);
	EXPECT_EQ(memblock_end_of_DRAM(), SZ_16M + SZ_1M);
	EXPECT_EQ(memblock_phys_mem_size(), 2 * SZ_1M + SZ_4K);
	EXPECT_EQ(memblock_reserved_size(), SZ_4K + SZ_64K);
}

TEST_F(MemblockQuery, TrimMemory)
{
	memblock_add(SZ_1M, SZ_2M);			/* aligned: untouched */
	memblock_add((4 * SZ_1M) + 0x800, SZ_1M);		/* both ends trimmed */
	memblock_add(8 * SZ_1M + 0x100, 0x800);		/* less than a page: gone */
	memblock_add(SZ_16M, SZ_4K + 0x10);		/* end trimmed */

	memblock_trim_memory(SZ_4K);

	EXPECT_EQ(regions_of(memblock.memory),
		  (std::vector<range>{ { SZ_1M, SZ_2M },
				       { (4 * SZ_1M) + SZ_4K, SZ_1M - SZ_4K },
				       { SZ_16M, SZ_4K } }));
	EXPECT_EQ(memblock_phys_mem_size(), SZ_2M + SZ_1M - SZ_4K + SZ_4K);
}

TEST_F(MemblockQuery, TrimMemoryCanEmptyTheArray)
{
	memblock_add(0x100, 0x200);
	memblock_add(SZ_4K + 0x100, 0x200);

	memblock_trim_memory(SZ_4K);

	EXPECT_EQ(memblock.memory.cnt, 0UL);
	EXPECT_EQ(memblock_phys_mem_size(), 0ULL);
}

TEST_F(MemblockQuery, CurrentLimitAndDirection)
{
	memblock_set_current_limit(SZ_1G);
	EXPECT_EQ(memblock_get_current_limit(), SZ_1G);
	memblock_set_bottom_up(true);
	EXPECT_TRUE(memblock_bottom_up());
	memblock_set_bottom_up(false);
	EXPECT_FALSE(memblock_bottom_up());
}

TEST_F(MemblockQuery, CapSize)
{
	u64 size = SZ_1M;
	EXPECT_EQ(memblock_cap_size(SZ_1G, &size), SZ_1M);
	EXPECT_EQ(size, SZ_1M);

	size = SZ_1M;
	EXPECT_EQ(memblock_cap_size(PHYS_ADDR_MAX - SZ_4K, &size), SZ_4K);
	EXPECT_EQ(size, SZ_4K);
}

} // namespace
