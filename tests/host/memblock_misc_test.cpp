// mm/memblock.cpp: iterators, growth of the region arrays past
// INIT_MEMBLOCK_REGIONS, memblock_dump_all() output and memblock=debug.
#include "tests/host/memblock_test.h"

#include <stdio.h>

#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/platform.h"

using namespace memblock_test;

namespace {

/* iterators */

using MemblockIter = Memblock;

std::vector<range> free_ranges(int nid, memblock_flags flags, bool reverse,
			       std::vector<int> *nids = nullptr)
{
	std::vector<range> v;
	phys_addr_t start, end;
	int rnid;
	u64 i;

	if (reverse) {
		for_each_free_mem_range_reverse(i, nid, flags, &start, &end, &rnid) {
			v.push_back({ start, end - start });
			if (nids)
				nids->push_back(rnid);
		}
	} else {
		for_each_free_mem_range(i, nid, flags, &start, &end, &rnid) {
			v.push_back({ start, end - start });
			if (nids)
				nids->push_back(rnid);
		}
	}
	return v;
}

// memory: [1M,2M) [3M,4M) [5M,6M)
// reserved: [1M+64K,+64K) [3M,+1M) [5M+512K,+2M)
void three_banks()
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_add(3 * SZ_1M, SZ_1M);
	memblock_add(5 * SZ_1M, SZ_1M);
	memblock_reserve(SZ_1M + SZ_64K, SZ_64K);
	memblock_reserve(3 * SZ_1M, SZ_1M);
	memblock_reserve(5 * SZ_1M + 512 * SZ_1K, SZ_2M);
}

TEST_F(MemblockIter, FreeRangesSkipReserved)
{
	three_banks();

	std::vector<range> expect = { { SZ_1M, SZ_64K },
				      { SZ_1M + 2 * SZ_64K, SZ_1M - 2 * SZ_64K },
				      { 5 * SZ_1M, 512 * SZ_1K } };
	EXPECT_EQ(free_ranges(NUMA_NO_NODE, MEMBLOCK_NONE, false), expect);
}

TEST_F(MemblockIter, FreeRangesReverse)
{
	three_banks();

	std::vector<range> expect = { { 5 * SZ_1M, 512 * SZ_1K },
				      { SZ_1M + 2 * SZ_64K, SZ_1M - 2 * SZ_64K },
				      { SZ_1M, SZ_64K } };
	EXPECT_EQ(free_ranges(NUMA_NO_NODE, MEMBLOCK_NONE, true), expect);
}

TEST_F(MemblockIter, FreeRangesWithoutReservationsAreTheMemory)
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_add(SZ_4K, SZ_4K);

	std::vector<range> expect = { { SZ_4K, SZ_4K }, { SZ_1M, SZ_1M } };
	EXPECT_EQ(free_ranges(NUMA_NO_NODE, MEMBLOCK_NONE, false), expect);
	EXPECT_EQ(free_ranges(NUMA_NO_NODE, MEMBLOCK_NONE, true),
		  (std::vector<range>{ { SZ_1M, SZ_1M }, { SZ_4K, SZ_4K } }));
}

TEST_F(MemblockIter, EmptyYieldsNothing)
{
	EXPECT_TRUE(free_ranges(NUMA_NO_NODE, MEMBLOCK_NONE, false).empty());
	EXPECT_TRUE(free_ranges(NUMA_NO_NODE, MEMBLOCK_NONE, true).empty());

	memblock_reserve(SZ_1M, SZ_1M);	/* reserved but no memory */
	EXPECT_TRUE(free_ranges(NUMA_NO_NODE, MEMBLOCK_NONE, false).empty());

	int n = 0;
	u64 i;
	for_each_mem_range(i, NULL, NULL)
		n++;
	EXPECT_EQ(n, 0);
}

TEST_F(MemblockIter, FullyReservedYieldsNothing)
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_reserve(0, (4 * SZ_1M));

	EXPECT_TRUE(free_ranges(NUMA_NO_NODE, MEMBLOCK_NONE, false).empty());
	EXPECT_TRUE(free_ranges(NUMA_NO_NODE, MEMBLOCK_NONE, true).empty());
}

TEST_F(MemblockIter, FreeRangesByNode)
{
	memblock_add_node(SZ_1M, SZ_1M, 0, MEMBLOCK_NONE);
	memblock_add_node(SZ_2M, SZ_1M, 1, MEMBLOCK_NONE);
	memblock_reserve(SZ_2M - SZ_4K, 2 * SZ_4K);	/* straddles the nodes */

	std::vector<int> nids;
	EXPECT_EQ(free_ranges(1, MEMBLOCK_NONE, false, &nids),
		  (std::vector<range>{ { SZ_2M + SZ_4K, SZ_1M - SZ_4K } }));
	EXPECT_EQ(nids, (std::vector<int>{ 1 }));

	nids.clear();
	EXPECT_EQ(free_ranges(NUMA_NO_NODE, MEMBLOCK_NONE, true, &nids),
		  (std::vector<range>{ { SZ_2M + SZ_4K, SZ_1M - SZ_4K }, { SZ_1M, SZ_1M - SZ_4K } }));
	EXPECT_EQ(nids, (std::vector<int>{ 1, 0 }));
}

TEST_F(MemblockIter, FreeRangesFlags)
{
	memblock_add(SZ_1M, 3 * SZ_1M);
	memblock_mark_nomap(SZ_1M, SZ_1M);
	memblock_mark_mirror(3 * SZ_1M, SZ_1M);

	// nomap memory is skipped unless asked for.
	EXPECT_EQ(free_ranges(NUMA_NO_NODE, MEMBLOCK_NONE, false),
		  (std::vector<range>{ { SZ_2M, SZ_1M }, { 3 * SZ_1M, SZ_1M } }));
	EXPECT_EQ(free_ranges(NUMA_NO_NODE, MEMBLOCK_NOMAP, false),
		  (std::vector<range>{ { SZ_1M, SZ_1M }, { SZ_2M, SZ_1M }, { 3 * SZ_1M, SZ_1M } }));
	// MEMBLOCK_MIRROR: mirrored memory only.
	EXPECT_EQ(free_ranges(NUMA_NO_NODE, MEMBLOCK_MIRROR, true),
		  (std::vector<range>{ { 3 * SZ_1M, SZ_1M } }));
}

TEST_F(MemblockIter, MemRangeSkipsNomapAndGoesBothWays)
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_add(3 * SZ_1M, SZ_1M);
	memblock_add_node(5 * SZ_1M, SZ_1M, 0, MEMBLOCK_HOTPLUG);
	memblock_add(7 * SZ_1M, SZ_1M);
	memblock_mark_nomap(7 * SZ_1M, SZ_1M);
	memblock_reserve(SZ_1M, SZ_4K);	/* not excluded: no type_b */

	std::vector<range> fwd, rev;
	phys_addr_t start, end;
	u64 i;
	for_each_mem_range(i, &start, &end)
		fwd.push_back({ start, end - start });
	for_each_mem_range_rev(i, &start, &end)
		rev.push_back({ start, end - start });

	std::vector<range> expect = { { SZ_1M, SZ_1M }, { 3 * SZ_1M, SZ_1M }, { 5 * SZ_1M, SZ_1M } };
	EXPECT_EQ(fwd, expect);
	EXPECT_EQ(rev, (std::vector<range>(expect.rbegin(), expect.rend())));
}

TEST_F(MemblockIter, ReservedMemRange)
{
	memblock_reserve(SZ_1M, SZ_4K);
	memblock_reserve(SZ_1G, SZ_64K);

	std::vector<range> v;
	phys_addr_t start, end;
	u64 i;
	for_each_reserved_mem_range(i, &start, &end)
		v.push_back({ start, end - start });

	EXPECT_EQ(v, (std::vector<range>{ { SZ_1M, SZ_4K }, { SZ_1G, SZ_64K } }));
}

TEST_F(MemblockIter, MemPfnRangeWholePagesOnly)
{
	memblock_add_node(0x1800, 0x3800, 0, MEMBLOCK_NONE);		/* pfns [2, 5) */
	memblock_add_node(0x10100, 0x800, 0, MEMBLOCK_NONE);		/* no whole page */
	memblock_add_node(SZ_1M, SZ_1M, 1, MEMBLOCK_NONE);		/* [256, 512) */

	struct pfns {
		pfn_t s, e;
		int nid;
		bool operator==(const pfns &o) const { return s == o.s && e == o.e && nid == o.nid; }
	};
	auto walk = [](int want) {
		std::vector<pfns> v;
		pfn_t s, e;
		int nid, i;
		for_each_mem_pfn_range(i, want, &s, &e, &nid)
			v.push_back({ s, e, nid });
		return v;
	};

	std::vector<pfns> all = { { 2, 5, 0 }, { 256, 512, 1 } };
	EXPECT_EQ(walk(MAX_NUMNODES), all);
	EXPECT_EQ(walk(NUMA_NO_NODE), all);
	EXPECT_EQ(walk(1), (std::vector<pfns>{ { 256, 512, 1 } }));
	EXPECT_TRUE(walk(2).empty());
}

TEST_F(MemblockIter, RegionIterators)
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_add((4 * SZ_1M), SZ_1M);
	memblock_reserve(SZ_1M, SZ_4K);

	struct memblock_region *r;
	phys_addr_t total = 0;
	int n = 0;
	for_each_mem_region(r) {
		total += r->size;
		n++;
	}
	EXPECT_EQ(n, 2);
	EXPECT_EQ(total, SZ_2M);

	n = 0;
	for_each_reserved_mem_region(r) {
		EXPECT_EQ(r->base, SZ_1M);
		n++;
	}
	EXPECT_EQ(n, 1);
}

/* growing the region arrays */

using MemblockGrow = MemblockPhys;

constexpr int INIT = INIT_MEMBLOCK_REGIONS;
constexpr u64 RGN_SIZE = 24;	/* sizeof(struct memblock_region) */

static_assert(sizeof(struct memblock_region) == RGN_SIZE);

// Small disjoint 4K ranges at [1M + i * 8K), for i < 256 below 3M.
phys_addr_t small(int i)
{
	return phys_addr_t(SZ_1M + (u64)i * 2 * SZ_4K);
}

bool array_in_window(const void *p, const u8 *phys, u64 size)
{
	return (const u8 *)p >= phys && (const u8 *)p < phys + size;
}

TEST_F(MemblockGrow, MemoryDoublesPast128)
{
	memblock_allow_resize();
	memblock_add(8 * SZ_1M, 4 * SZ_1M);
	for (int i = 0; i < INIT - 1; i++)
		ASSERT_EQ(memblock_add(small(i), SZ_4K), 0);
	ASSERT_EQ(memblock.memory.cnt, (unsigned long)INIT);
	ASSERT_EQ(memblock.memory.max, (unsigned long)INIT);

	std::vector<range> expect = regions_of(memblock.memory);
	ASSERT_EQ(memblock_add(small(INIT - 1), SZ_4K), 0);
	expect.insert(expect.end() - 1, { small(INIT - 1), SZ_4K });

	EXPECT_EQ(memblock.memory.cnt, (unsigned long)INIT + 1);
	EXPECT_EQ(memblock.memory.max, 2UL * INIT);
	EXPECT_EQ(regions_of(memblock.memory), expect);
	EXPECT_EQ(memblock_phys_mem_size(), 4 * SZ_1M + INIT * SZ_4K);

	// The new array is page-aligned memory from the top, reserved.
	constexpr u64 new_size = PAGE_SIZE * 2;	/* 256 * 24 bytes rounded up */
	EXPECT_TRUE(array_in_window(memblock.memory.regions, phys, PHYS_SIZE));
	EXPECT_EQ(__pa(memblock.memory.regions), 12 * SZ_1M - new_size);
	EXPECT_EQ(regions_of(memblock.reserved),
		  (std::vector<range>{ { 12 * SZ_1M - new_size, new_size } }));
	EXPECT_EQ(memblock.reserved.max, (unsigned long)INIT_MEMBLOCK_RESERVED_REGIONS);

	// The unused half is zeroed.
	EXPECT_EQ(memblock.memory.regions[2 * INIT - 1].size, 0ULL);
}

TEST_F(MemblockGrow, MemoryDoublesTwiceAndFreesTheOldArray)
{
	memblock_allow_resize();
	memblock_add(8 * SZ_1M, 4 * SZ_1M);
	for (int i = 0; i < 2 * INIT; i++)
		ASSERT_EQ(memblock_add(small(i), SZ_4K), 0);

	EXPECT_EQ(memblock.memory.cnt, 2UL * INIT + 1);
	EXPECT_EQ(memblock.memory.max, 4UL * INIT);
	for (int i = 0; i < 2 * INIT; i++)
		ASSERT_EQ((range{ mem(i).base, mem(i).size }), (range{ small(i), SZ_4K })) << i;

	// 256 * 24 bytes round up to 2 pages, 512 * 24 bytes are exactly 3.
	constexpr u64 first = 2 * PAGE_SIZE;
	constexpr u64 second = ALIGN(4 * INIT * RGN_SIZE, PAGE_SIZE);
	ASSERT_EQ(second, 3 * PAGE_SIZE);
	EXPECT_EQ(__pa(memblock.memory.regions), 12 * SZ_1M - first - second);
	// Only the current array stays reserved.
	EXPECT_EQ(regions_of(memblock.reserved),
		  (std::vector<range>{ { 12 * SZ_1M - first - second, second } }));
}

TEST_F(MemblockGrow, ReservedDoublesPast128)
{
	memblock_allow_resize();
	memblock_add(SZ_1M, 15 * SZ_1M);
	for (int i = 0; i <= INIT; i++)
		ASSERT_EQ(memblock_reserve(small(i), SZ_4K), 0);

	constexpr u64 new_size = 2 * PAGE_SIZE;
	EXPECT_EQ(memblock.reserved.max, 2UL * INIT);
	EXPECT_EQ(memblock.reserved.cnt, (unsigned long)INIT + 2);	/* + the array */
	EXPECT_EQ(__pa(memblock.reserved.regions), SZ_16M - new_size);
	EXPECT_TRUE(memblock_is_region_reserved(SZ_16M - new_size, new_size));
	EXPECT_EQ(memblock_reserved_size(), (INIT + 1) * SZ_4K + new_size);
	for (int i = 0; i <= INIT; i++)
		ASSERT_EQ((range{ rsv(i).base, rsv(i).size }), (range{ small(i), SZ_4K })) << i;
	EXPECT_EQ(memblock.memory.max, (unsigned long)INIT);
}

// The reservation that triggers the growth sits exactly where the new array
// would go: the array must go elsewhere.
TEST_F(MemblockGrow, ReservedGrowthAvoidsTheNewRange)
{
	constexpr u64 new_size = 2 * PAGE_SIZE;

	memblock_allow_resize();
	memblock_add(SZ_1M, 15 * SZ_1M);
	for (int i = 0; i < INIT; i++)
		ASSERT_EQ(memblock_reserve(small(i), SZ_4K), 0);

	ASSERT_EQ(memblock_reserve(SZ_16M - new_size, new_size), 0);

	EXPECT_EQ(__pa(memblock.reserved.regions), SZ_16M - 2 * new_size);
	// The array and the new range are adjacent and merged.
	EXPECT_EQ(memblock.reserved.cnt, (unsigned long)INIT + 1);
	EXPECT_EQ((range{ rsv(INIT).base, rsv(INIT).size }),
		  (range{ SZ_16M - 2 * new_size, 2 * new_size }));
}

// Growing memory while reserved is full too: reserved grows first, and both
// new arrays end up reserved.
TEST_F(MemblockGrow, MemoryGrowthWithFullReservedArray)
{
	constexpr u64 new_size = 2 * PAGE_SIZE;

	memblock_allow_resize();
	memblock_add(8 * SZ_1M, 4 * SZ_1M);
	for (int i = 0; i < INIT - 1; i++)
		ASSERT_EQ(memblock_add(small(i), SZ_4K), 0);
	for (int i = 0; i < INIT; i++)	/* outside memory, above 12M + 64K */
		ASSERT_EQ(memblock_reserve(phys_addr_t(12 * SZ_1M + SZ_64K + i * 4 * SZ_4K), SZ_4K), 0);
	ASSERT_EQ(memblock.reserved.cnt, (unsigned long)INIT);

	ASSERT_EQ(memblock_add(small(INIT - 1), SZ_4K), 0);

	EXPECT_EQ(memblock.memory.cnt, (unsigned long)INIT + 1);
	EXPECT_EQ(memblock.memory.max, 2UL * INIT);
	EXPECT_EQ(memblock.reserved.max, 2UL * INIT);
	EXPECT_EQ(__pa(memblock.memory.regions), 12 * SZ_1M - new_size);
	EXPECT_EQ(__pa(memblock.reserved.regions), 12 * SZ_1M - 2 * new_size);
	EXPECT_TRUE(memblock_is_region_reserved(12 * SZ_1M - 2 * new_size, 2 * new_size));
	// Both arrays merged into one reservation below the 128 small ones.
	EXPECT_EQ(memblock.reserved.cnt, (unsigned long)INIT + 1);
	EXPECT_EQ((range{ rsv(0).base, rsv(0).size }),
		  (range{ 12 * SZ_1M - 2 * new_size, 2 * new_size }));
	EXPECT_EQ(mem(INIT - 1).base, small(INIT - 1));
}

// Room for the new memory array but none for growing the full reserved array:
// the growth must fail as a whole, not leave the new memory array unreserved.
TEST_F(MemblockGrow, MemoryGrowthFailsIfReservedCannotGrow)
{
	constexpr u64 new_size = 2 * PAGE_SIZE;

	memblock_allow_resize();
	memblock_add(8 * SZ_1M, new_size);	/* the only 8K of free memory */
	for (int i = 0; i < INIT - 1; i++)
		ASSERT_EQ(memblock_add(small(i), SZ_4K), 0);
	for (int i = 0; i < INIT; i++)	/* outside memory */
		ASSERT_EQ(memblock_reserve(phys_addr_t(12 * SZ_1M + i * 4 * SZ_4K), SZ_4K), 0);
	struct memblock_region *mem_array = memblock.memory.regions;
	struct memblock_region *rsv_array = memblock.reserved.regions;
	std::vector<range> mem_before = regions_of(memblock.memory);
	std::vector<range> rsv_before = regions_of(memblock.reserved);

	EXPECT_EQ(memblock_add(small(INIT - 1), SZ_4K), -ENOMEM);

	EXPECT_EQ(memblock.memory.regions, mem_array);
	EXPECT_EQ(memblock.reserved.regions, rsv_array);
	EXPECT_EQ(memblock.memory.max, (unsigned long)INIT);
	EXPECT_EQ(memblock.reserved.max, (unsigned long)INIT);
	EXPECT_EQ(regions_of(memblock.memory), mem_before);
	EXPECT_EQ(regions_of(memblock.reserved), rsv_before);
	EXPECT_FALSE(memblock_is_region_reserved(8 * SZ_1M, new_size));
}

TEST_F(MemblockGrow, RefusedBeforeAllowResize)
{
	for (int i = 0; i < INIT; i++)
		ASSERT_EQ(memblock_add(small(i), SZ_4K), 0);
	for (int i = 0; i < INIT; i++)
		ASSERT_EQ(memblock_reserve(small(i), 2 * SZ_1K), 0);
	struct memblock_region *mem_array = memblock.memory.regions;
	struct memblock_region *rsv_array = memblock.reserved.regions;
	std::vector<range> mem_before = regions_of(memblock.memory);
	std::vector<range> rsv_before = regions_of(memblock.reserved);

	EXPECT_EQ(memblock_add(small(INIT), SZ_4K), -ENOMEM);
	EXPECT_EQ(memblock_reserve(small(INIT), SZ_4K), -ENOMEM);
	// Splitting (isolating) needs two spare slots, so it is refused too.
	EXPECT_EQ(memblock_remove(small(3) + SZ_1K, SZ_1K), -ENOMEM);
	EXPECT_EQ(memblock_phys_free(small(3), SZ_1K), -ENOMEM);
	EXPECT_EQ(memblock_mark_hotplug(small(3), SZ_1K), -ENOMEM);

	EXPECT_EQ(memblock.memory.regions, mem_array);
	EXPECT_EQ(memblock.reserved.regions, rsv_array);
	EXPECT_EQ(memblock.memory.max, (unsigned long)INIT);
	EXPECT_EQ(memblock.reserved.max, (unsigned long)INIT);
	EXPECT_EQ(regions_of(memblock.memory), mem_before);
	EXPECT_EQ(regions_of(memblock.reserved), rsv_before);
	EXPECT_EQ(memblock_phys_mem_size(), INIT * SZ_4K);
	EXPECT_EQ(memblock_reserved_size(), INIT * 2 * SZ_1K);

	// Adding inside existing regions needs no slot and still works.
	EXPECT_EQ(memblock_add(small(5), SZ_4K), 0);
	EXPECT_EQ(memblock.memory.cnt, (unsigned long)INIT);
}

TEST_F(MemblockGrow, FailsCleanlyWithoutFreeMemory)
{
	memblock_allow_resize();
	// Only 4K pieces: no room for an 8K array anywhere.
	for (int i = 0; i < INIT; i++)
		ASSERT_EQ(memblock_add(small(i), SZ_4K), 0);
	struct memblock_region *mem_array = memblock.memory.regions;
	std::vector<range> before = regions_of(memblock.memory);
	host_console_take();

	EXPECT_EQ(memblock_add(small(INIT), SZ_4K), -ENOMEM);

	EXPECT_EQ(memblock.memory.regions, mem_array);
	EXPECT_EQ(memblock.memory.max, (unsigned long)INIT);
	EXPECT_EQ(regions_of(memblock.memory), before);
	EXPECT_EQ(memblock.reserved.cnt, 0UL);
	std::vector<std::string> lines = console_lines();
	ASSERT_FALSE(lines.empty());
	EXPECT_EQ(lines[0], "memblock: Failed to double memory array from 128 to 256 entries !");
}

TEST_F(MemblockGrow, DebugReportsTheDoubling)
{
	memblock_allow_resize();
	memblock_add(8 * SZ_1M, 4 * SZ_1M);
	for (int i = 0; i < INIT - 1; i++)
		memblock_add(small(i), SZ_4K);
	memblock_debug = true;
	host_console_take();

	memblock_add(small(INIT - 1), SZ_4K);

	std::vector<std::string> lines = console_lines();
	ASSERT_GE(lines.size(), 2u);
	EXPECT_EQ(lines[1], "memblock: memory is doubled to 256 at "
			    "[0x0000000000bfe000-0x0000000000bff7ff]");
}

/* memblock_dump_all */

using MemblockDump = Memblock;

TEST_F(MemblockDump, LinuxFormat)
{
	memblock_add(0x1000, 0x1000);
	memblock_add_node(SZ_1M, SZ_1M, 1, MEMBLOCK_HOTPLUG);
	memblock_reserve(SZ_1M, SZ_4K);
	host_console_take();

	__memblock_dump_all();

	std::vector<std::string> expect = {
		"MEMBLOCK configuration:",
		" memory size = 0x0000000000101000 reserved size = 0x0000000000001000",
		" memory.cnt  = 0x2",
		" memory[0x0]\t[0x0000000000001000-0x0000000000001fff], 0x0000000000001000 bytes flags: 0x0",
		" memory[0x1]\t[0x0000000000100000-0x00000000001fffff], 0x0000000000100000 bytes on node 1 flags: 0x1",
		" reserved.cnt  = 0x1",
		" reserved[0x0]\t[0x0000000000100000-0x0000000000100fff], 0x0000000000001000 bytes flags: 0x0",
	};
	EXPECT_EQ(console_lines(), expect);
}

TEST_F(MemblockDump, Empty)
{
	__memblock_dump_all();

	std::vector<std::string> expect = {
		"MEMBLOCK configuration:",
		" memory size = 0x0000000000000000 reserved size = 0x0000000000000000",
		" memory.cnt  = 0x0",
		" reserved.cnt  = 0x0",
	};
	EXPECT_EQ(console_lines(), expect);
}

TEST_F(MemblockDump, DumpAllOnlyWithMemblockDebug)
{
	memblock_add(0x1000, 0x1000);

	memblock_dump_all();
	EXPECT_EQ(host_console_take(), "");

	memblock_debug = true;
	memblock_dump_all();
	std::vector<std::string> lines = console_lines();
	ASSERT_EQ(lines.size(), 5u);
	EXPECT_EQ(lines[0], "MEMBLOCK configuration:");
	EXPECT_EQ(lines[3], " memory[0x0]\t[0x0000000000001000-0x0000000000001fff], "
			    "0x0000000000001000 bytes flags: 0x0");
}

TEST_F(MemblockDump, NodeZeroIsPrintedNoNodeIsNot)
{
	memblock_add_node(SZ_1M, SZ_4K, 0, MEMBLOCK_NOMAP);
	memblock_add_node(SZ_2M, SZ_4K, NUMA_NO_NODE, MEMBLOCK_MIRROR);
	host_console_take();

	__memblock_dump_all();

	std::vector<std::string> lines = console_lines();
	ASSERT_EQ(lines.size(), 6u);
	EXPECT_EQ(lines[3], " memory[0x0]\t[0x0000000000100000-0x0000000000100fff], "
			    "0x0000000000001000 bytes on node 0 flags: 0x4");
	EXPECT_EQ(lines[4], " memory[0x1]\t[0x0000000000200000-0x0000000000200fff], "
			    "0x0000000000001000 bytes flags: 0x2");
}

/* memblock=debug */

using MemblockDebug = Memblock;

TEST_F(MemblockDebug, EarlyParam)
{
	EXPECT_EQ(early_memblock(nullptr), -EINVAL);
	EXPECT_FALSE(memblock_debug);
	EXPECT_EQ(early_memblock(""), -EINVAL);
	EXPECT_EQ(early_memblock("verbose"), -EINVAL);
	EXPECT_EQ(early_memblock("debugx"), -EINVAL);
	EXPECT_FALSE(memblock_debug);

	EXPECT_EQ(early_memblock("debug"), 0);
	EXPECT_TRUE(memblock_debug);
}

TEST_F(MemblockDebug, ThroughParseArgs)
{
	const kernel_param params[] = { { "memblock", early_memblock } };
	char unknown[64];

	EXPECT_EQ(parse_args("memblock=verbose", params, 1, unknown, sizeof(unknown)),
		  PARSE_MALFORMED);
	EXPECT_FALSE(memblock_debug);
	host_console_take();

	EXPECT_EQ(parse_args("foo memblock=debug", params, 1, unknown, sizeof(unknown)),
		  PARSE_OK);
	EXPECT_TRUE(memblock_debug);
}

TEST_F(MemblockDebug, MessagesOnlyWhenEnabled)
{
	memblock_add(0x1000, 0x1000);
	memblock_reserve(0x1000, 0x1000);
	EXPECT_EQ(host_console_take(), "");

	memblock_debug = true;
	memblock_add(0x1000, 0x1000);
	memblock_add_node(SZ_1M, SZ_4K, 2, MEMBLOCK_HOTPLUG);
	memblock_reserve(0x1000, 0x1000);
	memblock_phys_free(0x1000, 0x1000);
	memblock_remove(SZ_1M, SZ_4K);

	// Each line ends with the caller, as Linux's %pS of _RET_IP_ (here the
	// function name only: GoogleTest's TestBody).
	std::vector<std::string> expect = {
		"memblock_add: [0x0000000000001000-0x0000000000001fff] TestBody",
		"memblock_add_node: [0x0000000000100000-0x0000000000100fff] nid=2 flags=1 TestBody",
		"memblock_reserve: [0x0000000000001000-0x0000000000001fff] TestBody",
		"memblock_phys_free: [0x0000000000001000-0x0000000000001fff] TestBody",
		"memblock_remove: [0x0000000000100000-0x0000000000100fff] TestBody",
	};
	EXPECT_EQ(console_lines(), expect);
}

TEST_F(MemblockDebug, AllocationMessages)
{
	memblock_add(SZ_1M, SZ_1M);
	memblock_debug = true;

	phys_addr_t got = memblock_phys_alloc_range(SZ_4K, SZ_4K, 0, SZ_2M);

	std::vector<std::string> lines = console_lines();
	ASSERT_EQ(lines.size(), 2u);
	EXPECT_EQ(lines[0], "memblock_phys_alloc_range: 4096 bytes align=0x1000 "
			    "from=0x0000000000000000 max_addr=0x0000000000200000 TestBody");
	// The reservation is made by the allocator, and says so (as in Linux).
	EXPECT_EQ(lines[1], "memblock_reserve: [0x00000000001ff000-0x00000000001fffff] memblock_alloc_range_nid");
	EXPECT_EQ(got, SZ_2M - SZ_4K);
}

} // namespace
