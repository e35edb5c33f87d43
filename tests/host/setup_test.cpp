// mm/setup.cpp: the early-parameter phases and memblock built for an app that owns
// only part of RAM (memblock_setup_owned), including region-array growth.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <string.h>

#include <vector>

#include "tests/host/types_test.h"
#include "host/platform.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "mm/e820.h"
#include "mm/memblock.h"
#include "mm/page_alloc.h"
#include "mm/setup.h"

namespace {

struct range {
	u64 start, end;
	bool operator==(const range &o) const { return start == o.start && end == o.end; }
};

std::vector<range> free_ranges()
{
	std::vector<range> out;
	u64 i;
	phys_addr_t s, e;
	for_each_free_mem_range(i, NUMA_NO_NODE, MEMBLOCK_NONE, &s, &e, nullptr)
		out.push_back({(u64)s, (u64)e});
	return out;
}

std::vector<range> memory_ranges()
{
	std::vector<range> out;
	struct memblock_region *r;
	for_each_mem_region(r)
		out.push_back({(u64)r->base, (u64)r->base + r->size});
	return out;
}

class SetupOwned : public ::testing::Test {
protected:
	void SetUp() override
	{
		printk_reset();
		memblock_reset();
		e820_reset();
		host_console_take();
	}
	void TearDown() override
	{
		host_set_phys_window(nullptr, 0);
		free(phys);
		memblock_reset();
		e820_reset();
	}
	void add_owned(u64 base, u64 size) { owned.ranges[owned.nr++] = {phys_addr_t(base), size}; owned.total += size; }
	void *phys = nullptr;
	owned_memory owned{};
};

TEST_F(SetupOwned, OnlyOwnedUsableMemoryIsFree)
{
	e820__range_add(0x1000, 0x9e000, E820_TYPE_RAM);
	e820__range_add(0x100000, 0x1ff00000, E820_TYPE_RAM);   // 1M..512M
	e820__range_add(0x20000000, 0x100000, E820_TYPE_RESERVED);
	e820__range_add(0x100000000, 0x40000000, E820_TYPE_RAM); // 4G..5G
	// Owned: part of low RAM, two ranges in the middle (one touching the next), one
	// above 4G, and one that is not usable RAM at all (must never become free).
	add_owned(0x10000, 0x10000);
	add_owned(0x400000, 0x200000);
	add_owned(0x600000, 0x100000);
	add_owned(0x100000000 + 0x1000000, 0x2000000);
	add_owned(0x20000000, 0x100000);

	ASSERT_EQ(memblock_setup_owned(&owned), 0);

	EXPECT_EQ(memory_ranges(), (std::vector<range>{{0x1000, 0x9f000},
							{0x100000, 0x20000000},
							{0x100000000, 0x140000000}}));
	EXPECT_EQ(free_ranges(), (std::vector<range>{{0x10000, 0x20000},
						      {0x400000, 0x700000},
						      {0x101000000, 0x103000000}}));
	EXPECT_EQ(memblock_check_free_is_owned(&owned), 0u);
	EXPECT_EQ(memblock_phys_mem_size() - memblock_reserved_size(), 0x10000u + 0x300000u + 0x2000000u);
}

TEST_F(SetupOwned, OwnedRangeTrimmedAwayByMemIsNotMemory)
{
	e820__range_add(0x100000, 0x3ff00000, E820_TYPE_RAM);
	ASSERT_EQ(parse_memopt("512M"), 0);
	add_owned(0x1000000, 0x1000000);   // 16M..32M: kept
	add_owned(0x30000000, 0x1000000);  // above mem=512M: gone
	ASSERT_EQ(memblock_setup_owned(&owned), 0);
	EXPECT_EQ(memory_ranges(), (std::vector<range>{{0x100000, 0x20000000}}));
	EXPECT_EQ(free_ranges(), (std::vector<range>{{0x1000000, 0x2000000}}));
}

TEST_F(SetupOwned, NoOwnedMemoryMeansNothingFree)
{
	e820__range_add(0x100000, 0x1000000, E820_TYPE_RAM);
	ASSERT_EQ(memblock_setup_owned(&owned), 0);
	EXPECT_TRUE(free_ranges().empty());
	EXPECT_EQ(memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE), 0u);
}

// 300 owned fragments need 301 reserved regions: memblock.reserved grows twice
// (128 -> 256 -> 512) while the gaps are reserved. The grown arrays must come from
// owned memory, never from a gap that is still waiting to be reserved.
TEST_F(SetupOwned, RegionArrayGrowthStaysInOwnedMemory)
{
	const u64 size = 64 * SZ_1M;
	phys = calloc(1, size);
	ASSERT_NE(phys, nullptr);
	host_set_phys_window(phys, size);

	e820__range_add(0x1000, size - 0x1000, E820_TYPE_RAM);
	for (u64 i = 0; i < 300; i++)
		add_owned(SZ_1M + i * 0x20000, 0x10000);

	ASSERT_EQ(memblock_setup_owned(&owned), 0);
	EXPECT_GE(memblock.reserved.max, 512u);
	phys_addr_t arr = __pa(memblock.reserved.regions);
	EXPECT_TRUE(owned_contains(&owned, arr, memblock.reserved.max * sizeof(memblock_region)))
		<< std::hex << arr;
	EXPECT_EQ(memblock_check_free_is_owned(&owned), 0u);
	// Owned memory minus what the grown arrays took is free.
	u64 free_bytes = 0;
	for (const range &r : free_ranges())
		free_bytes += r.end - r.start;
	EXPECT_GT(free_bytes, 300 * 0x10000u - 4 * 0x10000u);
}

TEST_F(SetupOwned, CheckReportsFreeMemoryThatIsNotOwned)
{
	e820__range_add(0x100000, 0x1000000, E820_TYPE_RAM);
	add_owned(0x200000, 0x100000);
	ASSERT_EQ(memblock_setup_owned(&owned), 0);
	ASSERT_EQ(memblock_check_free_is_owned(&owned), 0u);
	host_console_take();
	memblock_phys_free(0x800000, 0x1000); // a bug that frees firmware memory
	EXPECT_EQ(memblock_check_free_is_owned(&owned), 1u);
	EXPECT_NE(host_console_take().find("free range [mem 0x0000000000800000-0x0000000000800fff] is not owned"),
		  std::string::npos);
}

TEST(OwnedContains, AdjacentRangesAndHoles)
{
	owned_memory o{};
	o.ranges[o.nr++] = {0x3000, 0x1000};
	o.ranges[o.nr++] = {0x1000, 0x2000};
	EXPECT_TRUE(owned_contains(&o, 0x1000, 0x3000));
	EXPECT_TRUE(owned_contains(&o, 0x2800, 0x1000));
	EXPECT_FALSE(owned_contains(&o, 0x1000, 0x3001));
	EXPECT_FALSE(owned_contains(&o, 0x0, 0x1001));
}

class EarlyParams : public ::testing::Test {
protected:
	void SetUp() override
	{
		printk_reset();
		memblock_reset();
		e820_reset();
		e820__range_add(0x100000, 0x3ff00000, E820_TYPE_RAM);
		e820__update_table(e820_table);
		host_console_take();
	}
	void TearDown() override
	{
		printk_reset();
		memblock_reset();
		e820_reset();
	}
	char unknown[128];
};

TEST_F(EarlyParams, ConsolePhaseAppliesOnlyConsoleParameters)
{
	ASSERT_EQ(parse_early_param("mem=256M loglevel=3 memblock=debug", PARAMS_CONSOLE, nullptr, unknown,
				    sizeof(unknown)),
		  PARSE_OK);
	EXPECT_EQ(console_loglevel, 3);
	EXPECT_FALSE(memblock_debug);
	EXPECT_EQ(e820_table->entries[0].size, 0x3ff00000u);
}

TEST_F(EarlyParams, MemoryPhaseAppliesTheRestAndReportsUnknown)
{
	ASSERT_EQ(parse_early_param("mem=256M loglevel=3 memblock=debug wat=1", PARAMS_MEMORY, nullptr, unknown,
				    sizeof(unknown)),
		  PARSE_OK);
	EXPECT_EQ(console_loglevel, CONSOLE_LOGLEVEL_APP_DEFAULT);
	EXPECT_TRUE(memblock_debug);
	EXPECT_EQ(e820_table->entries[0].addr + e820_table->entries[0].size, 256 * SZ_1M);
	EXPECT_STREQ(unknown, "wat=1");
}

TEST_F(EarlyParams, MalformedMemoryParameterChangesNothing)
{
	struct e820_table before;
	memcpy(&before, e820_table, sizeof(before));
	EXPECT_EQ(parse_early_param("mem=banana", PARAMS_MEMORY, nullptr, unknown, sizeof(unknown)), PARSE_MALFORMED);
	EXPECT_EQ(parse_early_param("memmap=64M@junk", PARAMS_MEMORY, nullptr, unknown, sizeof(unknown)),
		  PARSE_MALFORMED);
	EXPECT_EQ(memcmp(&before, e820_table, sizeof(before)), 0);
	// ...and the console phase already rejects a malformed console parameter.
	EXPECT_EQ(parse_early_param("loglevel=loud", PARAMS_CONSOLE, nullptr, unknown, sizeof(unknown)),
		  PARSE_MALFORMED);
}

// check_pages= turns the checks of every page of a block on and off, with
// kstrtobool()'s words; a value it does not know is refused, the setting kept.
TEST_F(EarlyParams, CheckPages)
{
	check_pages_enabled = false;
	EXPECT_EQ(parse_early_param("check_pages=1", PARAMS_CONSOLE, nullptr, unknown, sizeof(unknown)), PARSE_OK);
	EXPECT_FALSE(check_pages_enabled) << "applied in the console phase";
	EXPECT_EQ(parse_early_param("check_pages=1", PARAMS_MEMORY, nullptr, unknown, sizeof(unknown)), PARSE_OK);
	EXPECT_TRUE(check_pages_enabled);
	EXPECT_STREQ(unknown, "");
	EXPECT_EQ(parse_early_param("check_pages=off", PARAMS_MEMORY, nullptr, unknown, sizeof(unknown)), PARSE_OK);
	EXPECT_FALSE(check_pages_enabled);
	check_pages_enabled = true;
	for (const char *bad : {"check_pages=banana", "check_pages", "check_pages=", "check_pages=2"}) {
		host_console_take();
		EXPECT_EQ(parse_early_param(bad, PARAMS_MEMORY, nullptr, unknown, sizeof(unknown)), PARSE_MALFORMED)
			<< bad;
		EXPECT_NE(host_console_take().find("check_pages"), std::string::npos) << bad << ": no error naming it";
		EXPECT_TRUE(check_pages_enabled) << bad;
	}
	check_pages_enabled = false;
}

} // namespace
