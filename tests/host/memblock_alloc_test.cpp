// mm/memblock.cpp: the allocator, top-down and bottom-up. Modelled on the
// cases of Linux's tools/testing/memblock/tests/alloc_*api.c (written anew).
//
// Simulated RAM: one memory region [MEM_BASE, MEM_END) inside the 16 MiB
// physical window of MemblockPhys, so that memblock_alloc() can zero through
// __va() and the tests can look at the bytes.
#include "tests/host/memblock_test.h"

#include "lib/platform.h"

using namespace memblock_test;

namespace {

constexpr phys_addr_t MEM_BASE = SZ_1M;
constexpr u64 MEM_SIZE = 4 * SZ_1M;
constexpr phys_addr_t MEM_END = MEM_BASE + MEM_SIZE;
constexpr u64 CACHE = 64;	/* SMP_CACHE_BYTES */

class MemblockAlloc : public MemblockPhys {
protected:
	void SetUp() override
	{
		MemblockPhys::SetUp();
		ASSERT_EQ(memblock_add(MEM_BASE, MEM_SIZE), 0);
	}

	static phys_addr_t pa(void *p) { return p ? __pa(p) : 0; }
};

/* top-down (the default) */

using MemblockAllocTopDown = MemblockAlloc;

TEST_F(MemblockAllocTopDown, SimpleTakesTheTopAndZeroes)
{
	void *p = memblock_alloc((2 * SZ_1K), CACHE);

	ASSERT_NE(p, nullptr);
	EXPECT_EQ(pa(p), MEM_END - (2 * SZ_1K));
	EXPECT_EQ(regions_of(memblock.reserved), (std::vector<range>{ { MEM_END - (2 * SZ_1K), (2 * SZ_1K) } }));
	EXPECT_EQ(memblock_reserved_size(), (2 * SZ_1K));
	EXPECT_EQ(rsv(0).flags, MEMBLOCK_NONE);
	EXPECT_EQ(rsv(0).nid, NUMA_NO_NODE);
	EXPECT_TRUE(all_bytes(MEM_END - (2 * SZ_1K), (2 * SZ_1K), 0));
	EXPECT_EQ(phys[(MEM_END - (2 * SZ_1K) - 1).val], 0xaa);
}

TEST_F(MemblockAllocTopDown, ExactFitOfAllMemory)
{
	void *p = memblock_alloc(MEM_SIZE, SZ_4K);

	EXPECT_EQ(pa(p), MEM_BASE);
	EXPECT_EQ(regions_of(memblock.reserved), (std::vector<range>{ { MEM_BASE, MEM_SIZE } }));
	EXPECT_EQ(memblock_alloc(CACHE, CACHE), nullptr);
}

// The only gap between two reservations has exactly the requested size.
TEST_F(MemblockAllocTopDown, ExactFitOfAGap)
{
	memblock_reserve(MEM_END - SZ_1M, SZ_1M);
	memblock_reserve(MEM_BASE, MEM_SIZE - SZ_1M - SZ_64K);

	void *p = memblock_alloc(SZ_64K, SZ_4K);

	EXPECT_EQ(pa(p), MEM_END - SZ_1M - SZ_64K);
	EXPECT_EQ(regions_of(memblock.reserved), (std::vector<range>{ { MEM_BASE, MEM_SIZE } }));
	EXPECT_EQ(memblock_reserved_size(), MEM_SIZE);
}

// A reservation at the top: the block goes right below it and merges.
TEST_F(MemblockAllocTopDown, BeforeReservedMerges)
{
	memblock_reserve(MEM_END - SZ_64K, SZ_64K);

	void *p = memblock_alloc(16 * SZ_1K, SZ_4K);

	EXPECT_EQ(pa(p), MEM_END - SZ_64K - 16 * SZ_1K);
	EXPECT_EQ(regions_of(memblock.reserved),
		  (std::vector<range>{ { MEM_END - SZ_64K - 16 * SZ_1K, SZ_64K + 16 * SZ_1K } }));
}

// A reservation at the bottom: the block still comes from the top.
TEST_F(MemblockAllocTopDown, AfterReservedStaysApart)
{
	memblock_reserve(MEM_BASE, SZ_64K);

	void *p = memblock_alloc(16 * SZ_1K, SZ_4K);

	EXPECT_EQ(pa(p), MEM_END - 16 * SZ_1K);
	EXPECT_EQ(regions_of(memblock.reserved),
		  (std::vector<range>{ { MEM_BASE, SZ_64K }, { MEM_END - 16 * SZ_1K, 16 * SZ_1K } }));
}

// Between two reservations with room to spare: below the upper one.
TEST_F(MemblockAllocTopDown, InBetweenMergesWithUpper)
{
	memblock_reserve(MEM_END - SZ_64K, SZ_64K);
	memblock_reserve(MEM_END - SZ_1M, SZ_64K);

	void *p = memblock_alloc(16 * SZ_1K, SZ_4K);

	EXPECT_EQ(pa(p), MEM_END - SZ_64K - 16 * SZ_1K);
	EXPECT_EQ(regions_of(memblock.reserved),
		  (std::vector<range>{ { MEM_END - SZ_1M, SZ_64K },
				       { MEM_END - SZ_64K - 16 * SZ_1K, SZ_64K + 16 * SZ_1K } }));
}

// A block that would fit at the very top of an unaligned gap is aligned down
// and does not touch (so does not merge with) the reservation above.
TEST_F(MemblockAllocTopDown, AlignmentBelowUnalignedReservation)
{
	memblock_reserve(MEM_END - SZ_64K + 0x100, SZ_64K - 0x100);

	phys_addr_t got = memblock_phys_alloc(SZ_4K, SZ_64K);

	EXPECT_EQ(got, MEM_END - 2 * SZ_64K);
	EXPECT_EQ(memblock.reserved.cnt, 2UL);
}

TEST_F(MemblockAllocTopDown, AlignmentAndSizeNotRounded)
{
	phys_addr_t got = memblock_phys_alloc(100, SZ_64K);

	EXPECT_EQ(got, MEM_END - SZ_64K);
	EXPECT_TRUE(IS_ALIGNED(got, SZ_64K));
	EXPECT_EQ(regions_of(memblock.reserved), (std::vector<range>{ { MEM_END - SZ_64K, 100 } }));
	EXPECT_EQ(memblock_reserved_size(), 100ULL);
}

// align == 0 means SMP_CACHE_BYTES.
TEST_F(MemblockAllocTopDown, ZeroAlignMeansCacheLine)
{
	memblock_reserve(MEM_END - 100, 100);

	phys_addr_t got = memblock_phys_alloc(10, 0);

	EXPECT_EQ(got, MEM_END - 128);
}

TEST_F(MemblockAllocTopDown, LimitedByCurrentLimit)
{
	memblock_set_current_limit(MEM_BASE + SZ_1M);

	EXPECT_EQ(pa(memblock_alloc(SZ_4K, SZ_4K)), MEM_BASE + SZ_1M - SZ_4K);
	EXPECT_EQ(memblock_phys_alloc(SZ_4K, SZ_4K), MEM_BASE + SZ_1M - 2 * SZ_4K);
	// A larger max_addr is capped at the limit as well.
	EXPECT_EQ(pa(memblock_alloc_try_nid(SZ_4K, SZ_4K, 0, MEM_END, NUMA_NO_NODE)),
		  MEM_BASE + SZ_1M - 3 * SZ_4K);
	// memblock_phys_alloc_range() with an explicit end is not limited.
	EXPECT_EQ(memblock_phys_alloc_range(SZ_4K, SZ_4K, 0, MEMBLOCK_ALLOC_ANYWHERE),
		  MEM_END - SZ_4K);
	// Nothing at all fits below the limit: failure, not an address above it.
	memblock_set_current_limit(MEM_BASE);
	EXPECT_EQ(memblock_alloc(SZ_4K, SZ_4K), nullptr);
}

TEST_F(MemblockAllocTopDown, NoleaktraceMeansCurrentLimit)
{
	memblock_set_current_limit(MEM_BASE + SZ_1M);

	EXPECT_EQ(memblock_phys_alloc_range(SZ_4K, SZ_4K, 0, MEMBLOCK_ALLOC_NOLEAKTRACE),
		  MEM_BASE + SZ_1M - SZ_4K);
}

TEST_F(MemblockAllocTopDown, MinAndMaxAddr)
{
	void *p = memblock_alloc_try_nid(SZ_4K, SZ_4K, MEM_BASE + SZ_1M,
					 MEM_BASE + SZ_2M, NUMA_NO_NODE);

	EXPECT_EQ(pa(p), MEM_BASE + SZ_2M - SZ_4K);

	phys_addr_t got = memblock_phys_alloc_range(SZ_4K, SZ_4K, MEM_BASE + SZ_1M,
						    MEM_BASE + SZ_1M + SZ_4K);
	EXPECT_EQ(got, MEM_BASE + SZ_1M);
}

// Nothing free above min_addr: memblock_alloc_try_nid() drops the lower limit.
TEST_F(MemblockAllocTopDown, TryNidRetriesWithoutMinAddr)
{
	memblock_reserve(MEM_BASE + SZ_1M, MEM_SIZE - SZ_1M);

	void *p = memblock_alloc_try_nid(SZ_4K, SZ_4K, MEM_BASE + SZ_2M,
					 MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE);
	EXPECT_EQ(pa(p), MEM_BASE + SZ_1M - SZ_4K);

	EXPECT_EQ(pa(memblock_alloc_from(SZ_4K, SZ_4K, MEM_BASE + SZ_2M)),
		  MEM_BASE + SZ_1M - 2 * SZ_4K);
	EXPECT_EQ(pa(memblock_alloc_try_nid_raw(SZ_4K, SZ_4K, MEM_BASE + SZ_2M,
						MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE)),
		  MEM_BASE + SZ_1M - 3 * SZ_4K);

	// The physical range API has no such fallback.
	EXPECT_EQ(memblock_phys_alloc_range(SZ_4K, SZ_4K, MEM_BASE + SZ_2M,
					    MEMBLOCK_ALLOC_ANYWHERE), 0ULL);
}

// The max_addr limit is never dropped.
TEST_F(MemblockAllocTopDown, TryNidKeepsMaxAddr)
{
	memblock_reserve(MEM_BASE, SZ_1M);

	EXPECT_EQ(memblock_alloc_try_nid(SZ_4K, SZ_4K, MEM_BASE, MEM_BASE + SZ_1M,
					 NUMA_NO_NODE), nullptr);
	EXPECT_EQ(memblock_reserved_size(), SZ_1M);
}

TEST_F(MemblockAllocTopDown, SmallGapsFail)
{
	// Reserve every other 8K in the top 64K, then everything below it.
	for (phys_addr_t a = MEM_END - SZ_64K; a < MEM_END; a += 16 * SZ_1K)
		memblock_reserve(a, 8 * SZ_1K);
	memblock_reserve(MEM_BASE, MEM_SIZE - SZ_64K);
	std::vector<range> before = regions_of(memblock.reserved);

	EXPECT_EQ(memblock_alloc(16 * SZ_1K, SZ_4K), nullptr);
	EXPECT_EQ(memblock_phys_alloc(8 * SZ_1K + 1, 1), 0ULL);
	EXPECT_EQ(regions_of(memblock.reserved), before);

	// But a block that fits does.
	EXPECT_EQ(memblock_phys_alloc(8 * SZ_1K, SZ_4K), MEM_END - 8 * SZ_1K);
}

TEST_F(MemblockAllocTopDown, AllReservedFails)
{
	memblock_reserve(MEM_BASE, MEM_SIZE);

	EXPECT_EQ(memblock_alloc(SZ_4K, SZ_4K), nullptr);
	EXPECT_EQ(memblock_phys_alloc(1, 1), 0ULL);
	EXPECT_EQ(memblock.reserved.cnt, 1UL);
	EXPECT_EQ(memblock_reserved_size(), MEM_SIZE);
}

TEST_F(MemblockAllocTopDown, NoMemoryFails)
{
	memblock_remove(MEM_BASE, MEM_SIZE);

	EXPECT_EQ(memblock_alloc(SZ_4K, SZ_4K), nullptr);
	EXPECT_EQ(memblock_phys_alloc_range(SZ_4K, SZ_4K, 0, MEMBLOCK_ALLOC_ANYWHERE), 0ULL);
	EXPECT_EQ(memblock.reserved.cnt, 0UL);
}

TEST_F(MemblockAllocTopDown, TooLargeFails)
{
	EXPECT_EQ(memblock_alloc(MEM_SIZE + SZ_4K, SZ_4K), nullptr);
	EXPECT_EQ(memblock.reserved.cnt, 0UL);
}

TEST_F(MemblockAllocTopDown, SuccessiveAllocationsGoDown)
{
	phys_addr_t a = memblock_phys_alloc(SZ_4K, SZ_4K);
	phys_addr_t b = memblock_phys_alloc(SZ_4K, SZ_4K);
	phys_addr_t c = memblock_phys_alloc(100, SZ_4K);

	EXPECT_EQ(a, MEM_END - SZ_4K);
	EXPECT_EQ(b, MEM_END - 2 * SZ_4K);
	EXPECT_EQ(c, MEM_END - 3 * SZ_4K);
	// The 100-byte block is not rounded up, so there is a hole above it.
	EXPECT_EQ(regions_of(memblock.reserved),
		  (std::vector<range>{ { MEM_END - 3 * SZ_4K, 100 }, { MEM_END - 2 * SZ_4K, 2 * SZ_4K } }));
}

/* bottom-up */

class MemblockAllocBottomUp : public MemblockAlloc {
protected:
	void SetUp() override
	{
		MemblockAlloc::SetUp();
		memblock_set_bottom_up(true);
	}
};

TEST_F(MemblockAllocBottomUp, SimpleTakesTheBottomAndZeroes)
{
	void *p = memblock_alloc((2 * SZ_1K), CACHE);

	ASSERT_NE(p, nullptr);
	EXPECT_EQ(pa(p), MEM_BASE);
	EXPECT_EQ(regions_of(memblock.reserved), (std::vector<range>{ { MEM_BASE, (2 * SZ_1K) } }));
	EXPECT_TRUE(all_bytes(MEM_BASE, (2 * SZ_1K), 0));
	EXPECT_EQ(phys[(MEM_BASE + (2 * SZ_1K)).val], 0xaa);
}

TEST_F(MemblockAllocBottomUp, ExactFitOfAGap)
{
	memblock_reserve(MEM_BASE, SZ_1M);
	memblock_reserve(MEM_BASE + SZ_1M + SZ_64K, MEM_SIZE - SZ_1M - SZ_64K);

	void *p = memblock_alloc(SZ_64K, SZ_4K);

	EXPECT_EQ(pa(p), MEM_BASE + SZ_1M);
	EXPECT_EQ(regions_of(memblock.reserved), (std::vector<range>{ { MEM_BASE, MEM_SIZE } }));
}

TEST_F(MemblockAllocBottomUp, AfterReservedMerges)
{
	memblock_reserve(MEM_BASE, SZ_64K);

	void *p = memblock_alloc(16 * SZ_1K, SZ_4K);

	EXPECT_EQ(pa(p), MEM_BASE + SZ_64K);
	EXPECT_EQ(regions_of(memblock.reserved),
		  (std::vector<range>{ { MEM_BASE, SZ_64K + 16 * SZ_1K } }));
}

TEST_F(MemblockAllocBottomUp, BeforeReservedStaysApart)
{
	memblock_reserve(MEM_END - SZ_64K, SZ_64K);

	void *p = memblock_alloc(16 * SZ_1K, SZ_4K);

	EXPECT_EQ(pa(p), MEM_BASE);
	EXPECT_EQ(memblock.reserved.cnt, 2UL);
}

TEST_F(MemblockAllocBottomUp, InBetweenMergesWithLower)
{
	memblock_reserve(MEM_BASE, SZ_64K);
	memblock_reserve(MEM_BASE + SZ_1M, SZ_64K);

	void *p = memblock_alloc(16 * SZ_1K, SZ_4K);

	EXPECT_EQ(pa(p), MEM_BASE + SZ_64K);
	EXPECT_EQ(regions_of(memblock.reserved),
		  (std::vector<range>{ { MEM_BASE, SZ_64K + 16 * SZ_1K }, { MEM_BASE + SZ_1M, SZ_64K } }));
}

TEST_F(MemblockAllocBottomUp, AlignmentAndSizeNotRounded)
{
	memblock_reserve(MEM_BASE, 0x100);

	phys_addr_t a = memblock_phys_alloc(100, SZ_64K);
	phys_addr_t b = memblock_phys_alloc(100, SZ_4K);

	EXPECT_EQ(a, MEM_BASE + SZ_64K);
	EXPECT_EQ(b, MEM_BASE + SZ_4K);
	EXPECT_EQ(regions_of(memblock.reserved),
		  (std::vector<range>{ { MEM_BASE, 0x100 }, { MEM_BASE + SZ_4K, 100 }, { MEM_BASE + SZ_64K, 100 } }));
	// The next one starts right after the first 100 bytes, aligned.
	EXPECT_EQ(memblock_phys_alloc(8, 8), MEM_BASE + 0x100);
}

TEST_F(MemblockAllocBottomUp, LimitedByCurrentLimit)
{
	memblock_reserve(MEM_BASE, SZ_64K);
	memblock_set_current_limit(MEM_BASE + SZ_64K + 8 * SZ_1K);

	EXPECT_EQ(memblock_alloc(16 * SZ_1K, SZ_4K), nullptr);
	EXPECT_EQ(pa(memblock_alloc(8 * SZ_1K, SZ_4K)), MEM_BASE + SZ_64K);
	EXPECT_EQ(memblock_alloc(SZ_4K, SZ_4K), nullptr);
}

TEST_F(MemblockAllocBottomUp, MinAddr)
{
	EXPECT_EQ(pa(memblock_alloc_from(SZ_4K, SZ_4K, MEM_BASE + SZ_1M)), MEM_BASE + SZ_1M);
	// Unaligned min_addr is rounded up to the alignment.
	EXPECT_EQ(pa(memblock_alloc_from(SZ_4K, SZ_64K, MEM_BASE + SZ_2M + 1)),
		  MEM_BASE + SZ_2M + SZ_64K);
}

TEST_F(MemblockAllocBottomUp, TryNidRetriesWithoutMinAddr)
{
	memblock_reserve(MEM_BASE + SZ_1M, MEM_SIZE - SZ_1M);

	void *p = memblock_alloc_try_nid(SZ_4K, SZ_4K, MEM_BASE + SZ_2M,
					 MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE);
	EXPECT_EQ(pa(p), MEM_BASE);
}

TEST_F(MemblockAllocBottomUp, FailuresAsTopDown)
{
	EXPECT_EQ(memblock_alloc(MEM_SIZE + 1, 1), nullptr);
	memblock_reserve(MEM_BASE, MEM_SIZE);
	EXPECT_EQ(memblock_alloc(1, 1), nullptr);
	EXPECT_EQ(memblock.reserved.cnt, 1UL);
}

/* the first page */

using MemblockAllocFirstPage = MemblockPhys;

TEST_F(MemblockAllocFirstPage, TopDownNeverReturnsPageZero)
{
	memblock_add(0, 2 * SZ_4K);

	EXPECT_EQ(memblock_phys_alloc(SZ_4K, SZ_4K), SZ_4K);
	EXPECT_EQ(memblock_phys_alloc(SZ_4K, SZ_4K), 0ULL);
	EXPECT_EQ(memblock_phys_alloc(1, 1), 0ULL);
	EXPECT_FALSE(memblock_is_reserved(0));
}

TEST_F(MemblockAllocFirstPage, BottomUpStartsAtPageSize)
{
	memblock_add(0, 4 * SZ_4K);
	memblock_set_bottom_up(true);

	EXPECT_EQ(memblock_phys_alloc(16, 16), SZ_4K);
	EXPECT_EQ(memblock_phys_alloc_range(16, 16, 0, SZ_4K), 0ULL);
}

TEST_F(MemblockAllocFirstPage, OnlyPageZeroFails)
{
	memblock_add(0, SZ_4K);

	EXPECT_EQ(memblock_alloc(16, 16), nullptr);
	EXPECT_EQ(memblock_find_in_range_node(16, 16, 0, MEMBLOCK_ALLOC_ANYWHERE,
					      NUMA_NO_NODE, MEMBLOCK_NONE), 0ULL);
}

/* raw and low variants */

TEST_F(MemblockAllocTopDown, RawDoesNotZero)
{
	void *p = memblock_alloc_raw(SZ_4K, SZ_4K);
	void *q = memblock_alloc_try_nid_raw(SZ_4K, SZ_4K, 0, MEMBLOCK_ALLOC_ACCESSIBLE,
					     NUMA_NO_NODE);

	EXPECT_EQ(pa(p), MEM_END - SZ_4K);
	EXPECT_EQ(pa(q), MEM_END - 2 * SZ_4K);
	EXPECT_TRUE(all_bytes(MEM_END - 2 * SZ_4K, 2 * SZ_4K, 0xaa));
}

TEST_F(MemblockAllocTopDown, LowStaysBelow4G)
{
	memblock_add(8 * SZ_1G, SZ_16M);	/* outside the window: physical only */

	EXPECT_EQ(memblock_phys_alloc(SZ_4K, SZ_4K), 8 * SZ_1G + SZ_16M - SZ_4K);
	EXPECT_EQ(pa(memblock_alloc_low(SZ_4K, SZ_4K)), MEM_END - SZ_4K);
}

TEST_F(MemblockAllocTopDown, FindInRangeDoesNotReserve)
{
	phys_addr_t a = memblock_find_in_range(0, MEMBLOCK_ALLOC_ANYWHERE, SZ_4K, SZ_4K);
	phys_addr_t b = memblock_find_in_range(0, MEMBLOCK_ALLOC_ANYWHERE, SZ_4K, SZ_4K);

	EXPECT_EQ(a, MEM_END - SZ_4K);
	EXPECT_EQ(b, a);
	EXPECT_EQ(memblock.reserved.cnt, 0UL);
}

/* nodes, mirror, nomap */

class MemblockAllocNuma : public MemblockPhys {
protected:
	// node 0: [MEM_BASE, MEM_BASE + 2M), node 1: [MEM_BASE + 2M, MEM_END)
	void SetUp() override
	{
		MemblockPhys::SetUp();
		memblock_add_node(MEM_BASE, SZ_2M, 0, MEMBLOCK_NONE);
		memblock_add_node(MEM_BASE + SZ_2M, SZ_2M, 1, MEMBLOCK_NONE);
	}
};

TEST_F(MemblockAllocNuma, PrefersRequestedNode)
{
	EXPECT_EQ(memblock_phys_alloc_try_nid(SZ_4K, SZ_4K, 0), MEM_BASE + SZ_2M - SZ_4K);
	EXPECT_EQ(memblock_phys_alloc_try_nid(SZ_4K, SZ_4K, 1), MEM_END - SZ_4K);
	EXPECT_EQ(__pa(memblock_alloc_node(SZ_4K, SZ_4K, 0)), MEM_BASE + SZ_2M - 2 * SZ_4K);
	// Any node: the top of everything.
	EXPECT_EQ(memblock_phys_alloc_try_nid(SZ_4K, SZ_4K, NUMA_NO_NODE), MEM_END - 2 * SZ_4K);
	// MAX_NUMNODES is the deprecated spelling of "any node".
	EXPECT_EQ(memblock_phys_alloc_try_nid(SZ_4K, SZ_4K, MAX_NUMNODES), MEM_END - 3 * SZ_4K);
}

TEST_F(MemblockAllocNuma, ReservationsCarryNoNode)
{
	memblock_phys_alloc_try_nid(SZ_4K, SZ_4K, 0);
	memblock_reserve(MEM_BASE + SZ_2M - 2 * SZ_4K, SZ_4K);

	ASSERT_EQ(memblock.reserved.cnt, 1UL);
	EXPECT_EQ(rsv(0).nid, NUMA_NO_NODE);
	EXPECT_EQ(rsv(0).size, 2 * SZ_4K);
}

TEST_F(MemblockAllocNuma, FullNodeFallsBackUnlessExact)
{
	memblock_reserve(MEM_BASE + SZ_2M, SZ_2M);	/* node 1 full */

	EXPECT_EQ(memblock_alloc_exact_nid_raw(SZ_4K, SZ_4K, 0, MEMBLOCK_ALLOC_ACCESSIBLE, 1),
		  nullptr);
	EXPECT_EQ(memblock_phys_alloc_try_nid(SZ_4K, SZ_4K, 1), MEM_BASE + SZ_2M - SZ_4K);
	EXPECT_EQ(__pa(memblock_alloc_exact_nid_raw(SZ_4K, SZ_4K, 0,
						    MEMBLOCK_ALLOC_ACCESSIBLE, 0)),
		  MEM_BASE + SZ_2M - 2 * SZ_4K);
}

TEST_F(MemblockAllocNuma, FindInRangeNodeFiltersNodes)
{
	EXPECT_EQ(memblock_find_in_range_node(SZ_4K, SZ_4K, 0, MEMBLOCK_ALLOC_ANYWHERE, 0,
					      MEMBLOCK_NONE), MEM_BASE + SZ_2M - SZ_4K);
	EXPECT_EQ(memblock_find_in_range_node(SZ_4K, SZ_4K, 0, MEMBLOCK_ALLOC_ANYWHERE, 7,
					      MEMBLOCK_NONE), 0ULL);
}

TEST_F(MemblockAllocTopDown, MirrorPreferredThenFallback)
{
	memblock_mark_mirror(MEM_BASE, SZ_1M);
	host_console_take();

	EXPECT_EQ(memblock_phys_alloc(SZ_4K, SZ_4K), MEM_BASE + SZ_1M - SZ_4K);
	EXPECT_EQ(host_console_take(), "");

	// Mirror exhausted: a warning, then any memory.
	memblock_reserve(MEM_BASE, SZ_1M);
	EXPECT_EQ(memblock_phys_alloc(SZ_4K, SZ_4K), MEM_END - SZ_4K);
	std::vector<std::string> lines = console_lines();
	ASSERT_FALSE(lines.empty());
	EXPECT_EQ(lines[0], "Could not allocate 0x0000000000001000 bytes of mirrored memory");
}

TEST_F(MemblockAllocTopDown, SkipsNomapButNotHotplug)
{
	memblock_mark_nomap(MEM_END - SZ_1M, SZ_1M);
	EXPECT_EQ(memblock_phys_alloc(SZ_4K, SZ_4K), MEM_END - SZ_1M - SZ_4K);

	// Without movable_node, hotpluggable memory is ordinary memory.
	memblock_mark_hotplug(MEM_BASE, SZ_1M);
	memblock_reserve(MEM_BASE + SZ_1M, MEM_SIZE - 2 * SZ_1M);
	EXPECT_EQ(memblock_phys_alloc(SZ_4K, SZ_4K), MEM_BASE + SZ_1M - SZ_4K);
}

// A full reserved array that may not grow: the allocation fails cleanly.
TEST_F(MemblockAllocTopDown, FailsWhenReservedArrayFull)
{
	for (int i = 0; i < INIT_MEMBLOCK_RESERVED_REGIONS; i++)
		ASSERT_EQ(memblock_reserve(MEM_BASE + i * 2 * SZ_4K, SZ_4K), 0);
	std::vector<range> before = regions_of(memblock.reserved);

	EXPECT_EQ(memblock_alloc(SZ_4K, SZ_4K), nullptr);
	EXPECT_EQ(memblock_phys_alloc(SZ_4K, SZ_4K), 0ULL);
	EXPECT_EQ(regions_of(memblock.reserved), before);
	EXPECT_EQ(memblock.reserved.max, (unsigned long)INIT_MEMBLOCK_RESERVED_REGIONS);
}

} // namespace
