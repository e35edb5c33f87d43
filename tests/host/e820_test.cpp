// mm/e820.cpp: the sanitizer, range updates, trim_bios_range(), mem=/memmap= and
// the printed lines, against what Linux's arch/x86/kernel/e820.c does.
#include <gtest/gtest.h>
#include <string.h>

#include <string>
#include <vector>

#include "host/platform.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/e820.h"
#include "tests/host/e820_test.h"

namespace {

void fill(struct e820_table *t, const std::vector<range> &v)
{
	t->nr_entries = (u32)v.size();
	for (size_t i = 0; i < v.size(); i++)
		t->entries[i] = {v[i].addr, v[i].size, (e820_type)v[i].type};
}

// Console output since the last call, one string per line, timestamps removed.
std::vector<std::string> console_lines()
{
	std::string s = host_console_take();
	std::vector<std::string> lines;
	size_t pos = 0;
	while (pos < s.size()) {
		size_t nl = s.find('\n', pos);
		std::string line = s.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
		const std::string stamp = "[    0.000000] ";
		if (line.compare(0, stamp.size(), stamp) == 0)
			line = line.substr(stamp.size());
		lines.push_back(line);
		if (nl == std::string::npos)
			break;
		pos = nl + 1;
	}
	return lines;
}

constexpr u32 RAM = E820_TYPE_RAM;
constexpr u32 RES = E820_TYPE_RESERVED;
constexpr u32 ACPI = E820_TYPE_ACPI;
constexpr u32 NVS = E820_TYPE_NVS;
constexpr u32 UNUSABLE = E820_TYPE_UNUSABLE;
constexpr u32 PMEM = E820_TYPE_PMEM;
constexpr u32 PRAM = E820_TYPE_PRAM;
constexpr u32 SOFT = E820_TYPE_SOFT_RESERVED;

struct e820_table scratch;
struct e820_table snapshot;

class E820 : public ::testing::Test {
protected:
	void SetUp() override
	{
		e820_reset();
		printk_reset();
		console_loglevel = 8; // show KERN_DEBUG
		host_console_take();
		memset(&scratch, 0, sizeof(scratch));
	}
	void TearDown() override
	{
		e820_reset();
		printk_reset();
		host_console_take();
	}

	// Install @v as the main table, as if sanitized firmware data.
	void set_main(const std::vector<range> &v) { fill(e820_table, v); }

	void take_snapshot() { memcpy(&snapshot, e820_table, sizeof(snapshot)); }
	bool unchanged() { return memcmp(&snapshot, e820_table, sizeof(snapshot)) == 0; }
};

// ---- sanitizer -------------------------------------------------------------------

TEST_F(E820, ReservedInsideRamSplitsRamIntoThree)
{
	fill(&scratch, {{0x100000, 0x1000000, RAM}, {0x400000, 0x2000, RES}});
	ASSERT_EQ(e820__update_table(&scratch), 0);
	EXPECT_EQ(entries_of(&scratch), (std::vector<range>{{0x100000, 0x300000, RAM},
							   {0x400000, 0x2000, RES},
							   {0x402000, 0xcfe000, RAM}}));
}

TEST_F(E820, HigherTypeWinsEveryKindOfOverlap)
{
	// Partial overlap from the left and from the right, containment both ways,
	// identical ranges: the higher type value always takes the overlap.
	fill(&scratch, {{0x0, 0x10000, RAM}, {0x8000, 0x10000, ACPI}});
	ASSERT_EQ(e820__update_table(&scratch), 0);
	EXPECT_EQ(entries_of(&scratch),
		  (std::vector<range>{{0x0, 0x8000, RAM}, {0x8000, 0x10000, ACPI}}));

	fill(&scratch, {{0x8000, 0x10000, RAM}, {0x0, 0x10000, NVS}});
	ASSERT_EQ(e820__update_table(&scratch), 0);
	EXPECT_EQ(entries_of(&scratch),
		  (std::vector<range>{{0x0, 0x10000, NVS}, {0x10000, 0x8000, RAM}}));

	// The lower type inside the higher one disappears.
	fill(&scratch, {{0x0, 0x10000, UNUSABLE}, {0x4000, 0x1000, RES}});
	ASSERT_EQ(e820__update_table(&scratch), 0);
	EXPECT_EQ(entries_of(&scratch), (std::vector<range>{{0x0, 0x10000, UNUSABLE}}));

	fill(&scratch, {{0x1000, 0x1000, RAM}, {0x1000, 0x1000, PMEM}, {0x1000, 0x1000, RES}});
	ASSERT_EQ(e820__update_table(&scratch), 0);
	EXPECT_EQ(entries_of(&scratch), (std::vector<range>{{0x1000, 0x1000, PMEM}}));

	// SOFT_RESERVED (0xefffffff) beats everything, RESERVED_KERN (128) beats PRAM.
	fill(&scratch, {{0x0, 0x3000, E820_TYPE_RESERVED_KERN}, {0x1000, 0x1000, SOFT},
			{0x0, 0x3000, PRAM}});
	ASSERT_EQ(e820__update_table(&scratch), 0);
	EXPECT_EQ(entries_of(&scratch), (std::vector<range>{{0x0, 0x1000, E820_TYPE_RESERVED_KERN},
							   {0x1000, 0x1000, SOFT},
							   {0x2000, 0x1000, E820_TYPE_RESERVED_KERN}}));
}

// The example drawn in the comment above Linux's e820__update_table().
TEST_F(E820, LinuxSampleMap)
{
	const u64 U = 0x1000;
	fill(&scratch, {{4 * U, 2 * U, 2},  {22 * U, 1 * U, 4}, {4 * U, 4 * U, 1},
			{1 * U, 2 * U, 4},  {0 * U, 8 * U, 1},  {20 * U, 2 * U, 3},
			{11 * U, 2 * U, 4}, {10 * U, 5 * U, 3}, {14 * U, 2 * U, 2},
			{19 * U, 4 * U, 2}, {9 * U, 9 * U, 1},  {21 * U, 2 * U, 1},
			{17 * U, 1 * U, 4}});
	ASSERT_EQ(e820__update_table(&scratch), 0);
	EXPECT_EQ(entries_of(&scratch),
		  (std::vector<range>{{0 * U, 1 * U, 1},  {1 * U, 2 * U, 4},  {3 * U, 1 * U, 1},
				      {4 * U, 2 * U, 2},  {6 * U, 2 * U, 1},  {9 * U, 1 * U, 1},
				      {10 * U, 1 * U, 3}, {11 * U, 2 * U, 4}, {13 * U, 2 * U, 3},
				      {15 * U, 1 * U, 2}, {16 * U, 1 * U, 1}, {17 * U, 1 * U, 4},
				      {19 * U, 1 * U, 2}, {20 * U, 2 * U, 3}, {22 * U, 1 * U, 4}}));
}

TEST_F(E820, UnsortedInputComesOutSorted)
{
	fill(&scratch, {{0x100000000ULL, 0x40000000, RAM}, {0xfec00000, 0x1000, RES},
			{0x0, 0x9fc00, RAM}, {0x100000, 0x7ee0000, RAM}, {0x9fc00, 0x400, RES}});
	ASSERT_EQ(e820__update_table(&scratch), 0);
	EXPECT_EQ(entries_of(&scratch),
		  (std::vector<range>{{0x0, 0x9fc00, RAM},
				      {0x9fc00, 0x400, RES},
				      {0x100000, 0x7ee0000, RAM},
				      {0xfec00000, 0x1000, RES},
				      {0x100000000ULL, 0x40000000, RAM}}));
}

TEST_F(E820, ZeroLengthEntriesAreDropped)
{
	fill(&scratch, {{0x5000, 0, RES}, {0x0, 0x4000, RAM}, {0x2000, 0, ACPI}, {0x9000, 0x1000, NVS}});
	ASSERT_EQ(e820__update_table(&scratch), 0);
	EXPECT_EQ(entries_of(&scratch), (std::vector<range>{{0x0, 0x4000, RAM}, {0x9000, 0x1000, NVS}}));
}

TEST_F(E820, AdjacentSameTypeMergedDifferentTypeKept)
{
	fill(&scratch, {{0x3000, 0x1000, RAM}, {0x0, 0x1000, RAM}, {0x1000, 0x2000, RAM},
			{0x4000, 0x1000, RES}, {0x5000, 0x1000, RAM}, {0x7000, 0x1000, RAM}});
	ASSERT_EQ(e820__update_table(&scratch), 0);
	EXPECT_EQ(entries_of(&scratch), (std::vector<range>{{0x0, 0x4000, RAM},
							   {0x4000, 0x1000, RES},
							   {0x5000, 0x1000, RAM},
							   {0x7000, 0x1000, RAM}}));
}

TEST_F(E820, IdenticalDuplicatesCollapse)
{
	fill(&scratch, {{0x1000, 0x3000, ACPI}, {0x1000, 0x3000, ACPI}, {0x1000, 0x3000, ACPI}});
	ASSERT_EQ(e820__update_table(&scratch), 0);
	EXPECT_EQ(entries_of(&scratch), (std::vector<range>{{0x1000, 0x3000, ACPI}}));
}

TEST_F(E820, PramAndSoftReservedAreNeverMerged)
{
	fill(&scratch, {{0x0, 0x1000, PRAM}, {0x1000, 0x1000, PRAM}, {0x4000, 0x1000, SOFT},
			{0x5000, 0x1000, SOFT}, {0x8000, 0x1000, RAM}, {0x9000, 0x1000, RAM}});
	ASSERT_EQ(e820__update_table(&scratch), 0);
	EXPECT_EQ(entries_of(&scratch), (std::vector<range>{{0x0, 0x1000, PRAM},
							   {0x1000, 0x1000, PRAM},
							   {0x4000, 0x1000, SOFT},
							   {0x5000, 0x1000, SOFT},
							   {0x8000, 0x2000, RAM}}));
}

TEST_F(E820, DoesNothingForOneEntryOrAWrappingEntry)
{
	fill(&scratch, {{0x1000, 0x1000, RAM}});
	memcpy(&snapshot, &scratch, sizeof(scratch));
	EXPECT_EQ(e820__update_table(&scratch), -1);
	EXPECT_EQ(memcmp(&snapshot, &scratch, sizeof(scratch)), 0);

	fill(&scratch, {{0x2000, 0x1000, RAM}, {0x0, 0x1000, RAM}, {0xfffffffffffff000ULL, 0x2000, RES}});
	memcpy(&snapshot, &scratch, sizeof(scratch));
	EXPECT_EQ(e820__update_table(&scratch), -1);
	EXPECT_EQ(memcmp(&snapshot, &scratch, sizeof(scratch)), 0);

	// An entry ending exactly at 2^64 wraps too (addr + size == 0).
	fill(&scratch, {{0x0, 0x1000, RAM}, {0xfffffffffffff000ULL, 0x1000, RES}});
	EXPECT_EQ(e820__update_table(&scratch), -1);
	// But one ending at 2^64 - 1 is fine.
	fill(&scratch, {{0xffffffffffffe000ULL, 0x1fff, RES}, {0x0, 0x1000, RAM}});
	ASSERT_EQ(e820__update_table(&scratch), 0);
	EXPECT_EQ(entries_of(&scratch),
		  (std::vector<range>{{0x0, 0x1000, RAM}, {0xffffffffffffe000ULL, 0x1fff, RES}}));
}

// 3000 small ranges, shuffled: 1500 RAM blocks, each with a reserved hole in its
// middle. Every RAM tail merges with the next block's head.
TEST_F(E820, ThousandsOfInterleavedRanges)
{
	const u32 n = 1500;
	std::vector<range> in;
	for (u32 i = 0; i < n; i++) {
		u64 base = 0x100000 + (u64)i * 0x2000;
		in.push_back({base, 0x2000, RAM});
		in.push_back({base + 0x1000, 0x800, RES});
	}
	u64 seed = 12345;
	for (size_t i = in.size() - 1; i > 0; i--) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		std::swap(in[i], in[(seed >> 33) % (i + 1)]);
	}
	fill(&scratch, in);
	ASSERT_EQ(e820__update_table(&scratch), 0);

	std::vector<range> want;
	want.push_back({0x100000, 0x1000, RAM});
	for (u32 i = 0; i < n; i++) {
		u64 base = 0x100000 + (u64)i * 0x2000;
		want.push_back({base + 0x1000, 0x800, RES});
		want.push_back({base + 0x1800, i + 1 < n ? 0x1800ULL : 0x800ULL, RAM});
	}
	ASSERT_EQ(scratch.nr_entries, 2 * n + 1);
	EXPECT_EQ(entries_of(&scratch), want);
}

// 3000 nested ranges: the worst case for the set of overlapping entries.
TEST_F(E820, ThousandsOfNestedRanges)
{
	const u64 n = 3000, U = 0x1000;
	std::vector<range> in;
	for (u64 k = 0; k < n; k++)
		in.push_back({k * U, (2 * n - 2 * k) * U, k % 2 ? RES : RAM});
	fill(&scratch, in);
	ASSERT_EQ(e820__update_table(&scratch), 0);
	EXPECT_EQ(entries_of(&scratch), (std::vector<range>{{0, U, RAM},
							   {U, (2 * n - 2) * U, RES},
							   {(2 * n - 1) * U, U, RAM}}));
}

// Against a painter: every 4K unit takes the highest type covering it; runs of
// one type form the entries (PRAM/SOFT_RESERVED left out: they never merge).
TEST_F(E820, RandomTablesMatchAReferencePainter)
{
	const u32 types[] = {RAM, RES, ACPI, NVS, UNUSABLE, PMEM, 6, 128};
	const u32 units = 64;
	u64 seed = 42;
	auto next = [&seed](u32 mod) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		return (u32)((seed >> 33) % mod);
	};
	for (int iter = 0; iter < 2000; iter++) {
		u32 n = 2 + next(40);
		std::vector<range> in;
		u32 paint[units] = {};
		for (u32 i = 0; i < n; i++) {
			u32 start = next(units);
			u32 len = next(units - start + 1); // may be 0
			u32 type = types[next(ARRAY_SIZE(types))];
			in.push_back({(u64)start * 0x1000, (u64)len * 0x1000, type});
			for (u32 u = start; u < start + len; u++)
				paint[u] = paint[u] > type ? paint[u] : type;
		}
		std::vector<range> want;
		for (u32 u = 0; u < units; u++) {
			if (!paint[u])
				continue;
			if (!want.empty() && want.back().type == paint[u] &&
			    want.back().addr + want.back().size == (u64)u * 0x1000)
				want.back().size += 0x1000;
			else
				want.push_back({(u64)u * 0x1000, 0x1000, paint[u]});
		}
		fill(&scratch, in);
		ASSERT_EQ(e820__update_table(&scratch), 0);
		ASSERT_EQ(entries_of(&scratch), want) << "iteration " << iter;
	}
}

// ---- range_update / range_remove -------------------------------------------------

TEST_F(E820, RangeUpdateSplitsEntries)
{
	set_main({{0x0, 0x100000, RAM}, {0x100000, 0x100000, ACPI}});
	// Strictly inside: head kept in place, middle and tail appended.
	EXPECT_EQ(e820__range_update(0x1000, 0x1000, E820_TYPE_RAM, E820_TYPE_RESERVED), 0x1000u);
	EXPECT_EQ(entries_of(e820_table), (std::vector<range>{{0x0, 0x1000, RAM},
							     {0x100000, 0x100000, ACPI},
							     {0x1000, 0x1000, RES},
							     {0x2000, 0xfe000, RAM}}));
	EXPECT_EQ(console_lines(), (std::vector<std::string>{
					   "e820: update [mem 0x00001000-0x00001fff] usable ==> reserved"}));

	// Over the head of the RAM tail entry and beyond it into ACPI (other type, untouched).
	EXPECT_EQ(e820__range_update(0xf0000, 0x20000, E820_TYPE_RAM, E820_TYPE_UNUSABLE), 0x10000u);
	ASSERT_EQ(e820__update_table(e820_table), 0);
	EXPECT_EQ(entries_of(e820_table), (std::vector<range>{{0x0, 0x1000, RAM},
							     {0x1000, 0x1000, RES},
							     {0x2000, 0xee000, RAM},
							     {0xf0000, 0x10000, UNUSABLE},
							     {0x100000, 0x100000, ACPI}}));

	// A whole entry is retyped in place; the tail of another one is split off.
	EXPECT_EQ(e820__range_update(0x1000, 0x2000, E820_TYPE_RESERVED, E820_TYPE_NVS), 0x1000u);
	EXPECT_EQ(e820_table->entries[1].type, E820_TYPE_NVS);
	EXPECT_EQ(e820__range_update(0xe0000, 0x20000, E820_TYPE_RAM, E820_TYPE_ACPI), 0x10000u);
	ASSERT_EQ(e820__update_table(e820_table), 0);
	EXPECT_EQ(entries_of(e820_table), (std::vector<range>{{0x0, 0x1000, RAM},
							     {0x1000, 0x1000, NVS},
							     {0x2000, 0xde000, RAM},
							     {0xe0000, 0x10000, ACPI},
							     {0xf0000, 0x10000, UNUSABLE},
							     {0x100000, 0x100000, ACPI}}));

	// No entry of the old type: nothing changes.
	take_snapshot();
	EXPECT_EQ(e820__range_update(0x0, 0x200000, E820_TYPE_PMEM, E820_TYPE_RAM), 0u);
	EXPECT_TRUE(unchanged());
	// Same old and new type (Linux's BUG_ON): refused.
	EXPECT_EQ(e820__range_update(0x0, 0x1000, E820_TYPE_RAM, E820_TYPE_RAM), 0u);
	EXPECT_TRUE(unchanged());
}

TEST_F(E820, RangeUpdateTableWorksOnTheGivenTable)
{
	fill(&scratch, {{0x0, 0x10000, RAM}});
	set_main({{0x0, 0x10000, RAM}});
	EXPECT_EQ(e820__range_update_table(&scratch, 0x0, 0x10000, E820_TYPE_RAM, E820_TYPE_RESERVED),
		  0x10000u);
	EXPECT_EQ(entries_of(&scratch), (std::vector<range>{{0x0, 0x10000, RES}}));
	EXPECT_EQ(entries_of(e820_table), (std::vector<range>{{0x0, 0x10000, RAM}}));
}

TEST_F(E820, RangeRemoveSplitsAndEmptiesEntries)
{
	set_main({{0x0, 0x10000, RAM}, {0x10000, 0x10000, RES}, {0x20000, 0x10000, RAM}});
	// Inside the first: head kept, tail appended.
	EXPECT_EQ(e820__range_remove(0x4000, 0x1000, E820_TYPE_RAM, true), 0x1000u);
	EXPECT_EQ(entries_of(e820_table), (std::vector<range>{{0x0, 0x4000, RAM},
							     {0x10000, 0x10000, RES},
							     {0x20000, 0x10000, RAM},
							     {0x5000, 0xb000, RAM}}));
	EXPECT_EQ(console_lines(),
		  (std::vector<std::string>{"e820: remove [mem 0x00004000-0x00004fff] usable"}));

	// check_type: only RAM goes; the reserved entry in the middle stays. The
	// third entry is covered entirely: it becomes an empty entry.
	EXPECT_EQ(e820__range_remove(0x8000, 0x30000, E820_TYPE_RAM, true), 0x8000u + 0x10000u);
	EXPECT_EQ(entries_of(e820_table), (std::vector<range>{{0x0, 0x4000, RAM},
							     {0x10000, 0x10000, RES},
							     {0x0, 0x0, 0},
							     {0x5000, 0x3000, RAM}}));

	// Without check_type every type goes, and no type is printed (trailing space
	// as in Linux).
	EXPECT_EQ(e820__range_remove(0x2000, 0x10000, E820_TYPE_RAM, false), 0x2000u + 0x3000u + 0x2000u);
	EXPECT_EQ(console_lines()[1], "e820: remove [mem 0x00002000-0x00011fff] ");
	ASSERT_EQ(e820__update_table(e820_table), 0);
	EXPECT_EQ(entries_of(e820_table),
		  (std::vector<range>{{0x0, 0x2000, RAM}, {0x12000, 0xe000, RES}}));
}

TEST_F(E820, RangeRemoveClampsAtTheTopOfTheAddressSpace)
{
	set_main({{0x0, 0x80000000, RAM}, {0x100000000ULL, 0x100000000ULL, RAM}});
	EXPECT_EQ(e820__range_remove(0x40000000, ~0ULL, E820_TYPE_RAM, true),
		  0x40000000u + 0x100000000ULL);
	EXPECT_EQ(console_lines()[0], "e820: remove [mem 0x40000000-0xfffffffffffffffe] usable");
	// The emptied entry is left for the sanitizer to drop.
	EXPECT_EQ(e820_table->nr_entries, 2u);
	EXPECT_EQ(e820_table->entries[1].size, 0u);
	ASSERT_EQ(e820__update_table(e820_table), 0);
	EXPECT_EQ(entries_of(e820_table), (std::vector<range>{{0x0, 0x40000000, RAM}}));
}

TEST_F(E820, RangeAddIgnoresEntriesBeyondTheTable)
{
	for (u32 i = 0; i < E820_MAX_ENTRIES; i++)
		e820__range_add((u64)i * 0x2000, 0x1000, E820_TYPE_RAM);
	ASSERT_EQ(e820_table->nr_entries, E820_MAX_ENTRIES);
	take_snapshot();
	host_console_take();
	e820__range_add(0x100000000ULL, 0x1000, E820_TYPE_RAM);
	EXPECT_TRUE(unchanged());
	EXPECT_EQ(console_lines()[0],
		  "e820: too many entries; ignoring [mem 0x100000000-0x100000fff]");
}

// ---- printing ----------------------------------------------------------------------

TEST_F(E820, PrintTableLinesAndTypeNames)
{
	set_main({{0x0, 0x9fc00, RAM},
		  {0x9fc00, 0x400, RES},
		  {0x100000, 0x1000, ACPI},
		  {0x101000, 0x1000, NVS},
		  {0x102000, 0x1000, UNUSABLE},
		  {0x103000, 0x1000, PMEM},
		  {0x104000, 0x1000, PRAM},
		  {0x105000, 0x1000, SOFT},
		  {0x106000, 0x1000, E820_TYPE_RESERVED_KERN},
		  {0x107000, 0x1000, 6},
		  {0x100000000ULL, 0x3c0000000ULL, 20}});
	e820__print_table("BIOS-e820");
	EXPECT_EQ(console_lines(),
		  (std::vector<std::string>{
			  "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable",
			  "BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved",
			  "BIOS-e820: [mem 0x0000000000100000-0x0000000000100fff] ACPI data",
			  "BIOS-e820: [mem 0x0000000000101000-0x0000000000101fff] ACPI NVS",
			  "BIOS-e820: [mem 0x0000000000102000-0x0000000000102fff] unusable",
			  "BIOS-e820: [mem 0x0000000000103000-0x0000000000103fff] persistent (type 7)",
			  "BIOS-e820: [mem 0x0000000000104000-0x0000000000104fff] persistent (type 12)",
			  "BIOS-e820: [mem 0x0000000000105000-0x0000000000105fff] soft reserved",
			  "BIOS-e820: [mem 0x0000000000106000-0x0000000000106fff] usable",
			  "BIOS-e820: [mem 0x0000000000107000-0x0000000000107fff] type 6",
			  "BIOS-e820: [mem 0x0000000100000000-0x00000004bfffffff] type 20"}));
}

TEST_F(E820, DebugMessagesFollowTheLoglevel)
{
	set_main({{0x0, 0x10000, RAM}});
	console_loglevel = CONSOLE_LOGLEVEL_DEFAULT; // 7: KERN_DEBUG hidden
	e820__range_update(0x0, 0x1000, E820_TYPE_RAM, E820_TYPE_RESERVED);
	EXPECT_EQ(host_console_take(), "");
	// The update happened regardless.
	EXPECT_EQ(e820_table->nr_entries, 2u);
}

TEST_F(E820, UpdateTablePrintOnlyWhenSanitized)
{
	set_main({{0x0, 0x10000, RAM}});
	e820__update_table_print();
	EXPECT_EQ(host_console_take(), "");

	set_main({{0x1000, 0x1000, RAM}, {0x0, 0x1000, RAM}});
	e820__update_table_print();
	EXPECT_EQ(console_lines(), (std::vector<std::string>{
					   "modified physical RAM map:",
					   "modified: [mem 0x0000000000000000-0x0000000000001fff] usable"}));
}

// ---- queries -----------------------------------------------------------------------

TEST_F(E820, MappedAnyAllAndEntryType)
{
	set_main({{0x0, 0x9f000, RAM}, {0x9f000, 0x1000, RES}, {0x100000, 0x100000, RAM},
		  {0x200000, 0x100000, RAM}});
	fill(e820_table_firmware, {{0x0, 0x100000, ACPI}});

	EXPECT_TRUE(e820__mapped_any(0x9e000, 0xa0000, E820_TYPE_RESERVED));
	EXPECT_FALSE(e820__mapped_any(0xa0000, 0x100000, (e820_type)0));
	EXPECT_TRUE(e820__mapped_any(0xa0000, 0x100001, (e820_type)0));
	EXPECT_FALSE(e820__mapped_any(0x0, 0x9f000, E820_TYPE_RESERVED)); // end is exclusive

	EXPECT_TRUE(e820__mapped_all(0x1000, 0x9f000, E820_TYPE_RAM));
	EXPECT_FALSE(e820__mapped_all(0x1000, 0xa0000, E820_TYPE_RAM));
	EXPECT_TRUE(e820__mapped_all(0x1000, 0xa0000, (e820_type)0));
	EXPECT_FALSE(e820__mapped_all(0x1000, 0x101000, (e820_type)0)); // the hole
	EXPECT_TRUE(e820__mapped_all(0x100000, 0x300000, E820_TYPE_RAM)); // across two entries

	EXPECT_EQ(e820__get_entry_type(0x9f000, 0xa0000), (int)E820_TYPE_RESERVED);
	EXPECT_EQ(e820__get_entry_type(0x180000, 0x280000), (int)E820_TYPE_RAM);
	EXPECT_EQ(e820__get_entry_type(0xa0000, 0xb0000), -EINVAL);

	EXPECT_TRUE(e820__mapped_raw_any(0x0, 0x1000, E820_TYPE_ACPI));
	EXPECT_FALSE(e820__mapped_raw_any(0x0, 0x1000, E820_TYPE_RAM));
}

TEST_F(E820, EndOfRamPfn)
{
	set_main({{0x0, 0x9f000, RAM},
		  {0x100000, 0x7fee0000, RAM},
		  {0x7ffe0000, 0x20000, RES},
		  {0xfeffc000, 0x4000, RES},
		  {0x100000000ULL, 0x40000000, RAM},
		  {0x140000000ULL, 0x1000, ACPI},
		  {0x200000000ULL, 0x1000, NVS}});
	EXPECT_EQ(e820__end_of_ram_pfn(), 0x140001ul); // ACPI data counts, NVS does not
	EXPECT_EQ(e820__end_of_low_ram_pfn(), 0x7ffe0ul);
	EXPECT_EQ(console_lines(), (std::vector<std::string>{
					   "last_pfn = 0x140001 max_arch_pfn = 0x400000000",
					   "last_pfn = 0x7ffe0 max_arch_pfn = 0x400000000"}));

	// RAM crossing 4G: the low end is capped at 4G exactly.
	set_main({{0x0, 0x9f000, RAM}, {0x100000, 0x13ff00000ULL, RAM}});
	EXPECT_EQ(e820__end_of_low_ram_pfn(), 0x100000ul);
	// RAM beyond the 46-bit limit of 4-level paging is cut at MAX_ARCH_PFN.
	set_main({{0x0, 0x1000000000000ULL, RAM}});
	EXPECT_EQ(e820__end_of_ram_pfn(), MAX_ARCH_PFN);
	EXPECT_EQ(MAX_ARCH_PFN, 0x400000000ul);
	// With 5-level paging MAXMEM is 4 PiB (52 bits): the same RAM is all counted,
	// and the line says so, as on a 5-level Linux (an EPYC 9654's dmesg, say).
	paging_set_levels(true);
	EXPECT_EQ(MAX_ARCH_PFN, 0x10000000000ul);
	console_lines();
	EXPECT_EQ(e820__end_of_ram_pfn(), 0x1000000000ul);
	set_main({{0x0, 0x20000000000000ULL, RAM}});
	EXPECT_EQ(e820__end_of_ram_pfn(), 0x10000000000ul);
	paging_set_levels(false);
	EXPECT_EQ(console_lines(), (std::vector<std::string>{
					   "last_pfn = 0x1000000000 max_arch_pfn = 0x10000000000",
					   "last_pfn = 0x10000000000 max_arch_pfn = 0x10000000000"}));
}

// ---- memory setup and trim_bios_range ----------------------------------------------

TEST_F(E820, MemorySetupSanitizesCopiesAndPrints)
{
	fill(&scratch, {{0x100000, 0x1ff00000, RAM}, {0x0, 0xa0000, RAM}, {0x0, 0x0, RES},
			{0x1ff00000, 0x100000, RES}, {0xfffc0000, 0x40000, RES}});
	ASSERT_EQ(e820__memory_setup(&scratch), 0);
	std::vector<range> want = {{0x0, 0xa0000, RAM},
				   {0x100000, 0x1fe00000, RAM},
				   {0x1ff00000, 0x100000, RES},
				   {0xfffc0000, 0x40000, RES}};
	EXPECT_EQ(entries_of(e820_table), want);
	EXPECT_EQ(entries_of(e820_table_firmware), want);
	EXPECT_EQ(console_lines(),
		  (std::vector<std::string>{
			  "BIOS-provided physical RAM map:",
			  "BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable",
			  "BIOS-e820: [mem 0x0000000000100000-0x000000001fefffff] usable",
			  "BIOS-e820: [mem 0x000000001ff00000-0x000000001fffffff] reserved",
			  "BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved"}));

	// Later changes touch e820_table only.
	e820__range_update(0x0, 0x1000, E820_TYPE_RAM, E820_TYPE_RESERVED);
	EXPECT_EQ(entries_of(e820_table_firmware), want);
}

TEST_F(E820, MemorySetupRejectsEmptyAndWrappingMaps)
{
	set_main({{0x0, 0x1000, RAM}});
	take_snapshot();
	fill(&scratch, {});
	EXPECT_EQ(e820__memory_setup(&scratch), -EINVAL);
	EXPECT_EQ(e820__memory_setup(nullptr), -EINVAL);
	fill(&scratch, {{0x0, 0x1000, RAM}, {0xffffffff00000000ULL, 0x100000000ULL, RES}});
	EXPECT_EQ(e820__memory_setup(&scratch), -EINVAL);
	EXPECT_TRUE(unchanged());
	EXPECT_EQ(e820_table_firmware->nr_entries, 0u);
}

TEST_F(E820, TrimBiosRange)
{
	// Firmware claiming the whole first megabyte as RAM.
	set_main({{0x0, 0x100000, RAM}, {0x100000, 0x7ff00000, RAM}});
	trim_bios_range();
	EXPECT_EQ(entries_of(e820_table), (std::vector<range>{{0x0, 0x1000, RES},
							     {0x1000, 0x9f000, RAM},
							     {0x100000, 0x7ff00000, RAM}}));
	EXPECT_EQ(console_lines(), (std::vector<std::string>{
					   "e820: update [mem 0x00000000-0x00000fff] usable ==> reserved",
					   "e820: remove [mem 0x000a0000-0x000fffff] usable"}));

	// A typical BIOS map: only the first page changes; the reserved part of the
	// legacy area stays.
	set_main({{0x0, 0x9fc00, RAM}, {0x9fc00, 0x400, RES}, {0xf0000, 0x10000, RES},
		  {0x100000, 0x1000000, RAM}});
	trim_bios_range();
	EXPECT_EQ(entries_of(e820_table), (std::vector<range>{{0x0, 0x1000, RES},
							     {0x1000, 0x9ec00, RAM},
							     {0x9fc00, 0x400, RES},
							     {0xf0000, 0x10000, RES},
							     {0x100000, 0x1000000, RAM}}));

	// RAM straddling 640K and 1M.
	set_main({{0x0, 0x9f000, RES}, {0x9f000, 0x200000, RAM}});
	trim_bios_range();
	EXPECT_EQ(entries_of(e820_table), (std::vector<range>{{0x0, 0x9f000, RES},
							     {0x9f000, 0x1000, RAM},
							     {0x100000, 0x19f000, RAM}}));
}

// ---- mem= and memmap= -----------------------------------------------------------

class E820Params : public E820 {
protected:
	void SetUp() override
	{
		E820::SetUp();
		set_main({{0x0, 0x9f000, RAM},
			  {0x9f000, 0x1000, RES},
			  {0x100000, 0x7fee0000, RAM},
			  {0x7ffe0000, 0x20000, RES},
			  {0x100000000ULL, 0x80000000, RAM}});
		take_snapshot();
	}
	void expect_rejected(int (*parse)(const char *), const char *val)
	{
		EXPECT_EQ(parse(val), -EINVAL) << (val ? val : "(null)");
		EXPECT_TRUE(unchanged()) << (val ? val : "(null)");
		// Nothing to sanitize or print afterwards either.
		host_console_take();
		EXPECT_EQ(e820__finish_early_params(), 0);
		EXPECT_EQ(host_console_take(), "") << (val ? val : "(null)");
	}
};

TEST_F(E820Params, MemLimitsRam)
{
	ASSERT_EQ(parse_memopt("512M"), 0);
	ASSERT_EQ(e820__finish_early_params(), 0);
	EXPECT_EQ(console_lines(),
		  (std::vector<std::string>{
			  "e820: remove [mem 0x20000000-0xfffffffffffffffe] usable",
			  "user-defined physical RAM map:",
			  "user: [mem 0x0000000000000000-0x000000000009efff] usable",
			  "user: [mem 0x000000000009f000-0x000000000009ffff] reserved",
			  "user: [mem 0x0000000000100000-0x000000001fffffff] usable",
			  "user: [mem 0x000000007ffe0000-0x000000007fffffff] reserved"}));
}

TEST_F(E820Params, MemAcceptsHexAndEverySuffix)
{
	ASSERT_EQ(parse_memopt("0x140000000"), 0);
	ASSERT_EQ(e820__finish_early_params(), 0);
	EXPECT_EQ(entries_of(e820_table).back(), (range{0x100000000ULL, 0x40000000, RAM}));

	ASSERT_EQ(parse_memopt("3g"), 0);
	ASSERT_EQ(parse_memopt("1048576K"), 0);
	ASSERT_EQ(e820__finish_early_params(), 0);
	EXPECT_EQ(entries_of(e820_table).size(), 4u);
	EXPECT_EQ(entries_of(e820_table)[2], (range{0x100000, 0x3ff00000, RAM}));
}

TEST_F(E820Params, MalformedMemChangesNothing)
{
	expect_rejected(parse_memopt, "banana");
	expect_rejected(parse_memopt, "0");
	expect_rejected(parse_memopt, "0G");
	expect_rejected(parse_memopt, "");
	expect_rejected(parse_memopt, nullptr);
	expect_rejected(parse_memopt, "1Gxyz");
	expect_rejected(parse_memopt, "1G ");
	expect_rejected(parse_memopt, "-1G");
	expect_rejected(parse_memopt, "99999999999999999999");
	expect_rejected(parse_memopt, "32E");
}

TEST_F(E820Params, MemNopentiumIsRefusedOn64Bit)
{
	EXPECT_EQ(parse_memopt("nopentium"), -EINVAL);
	EXPECT_TRUE(unchanged());
	EXPECT_EQ(console_lines(), (std::vector<std::string>{
					   "mem=nopentium ignored! (only supported on x86_32)"}));
}

TEST_F(E820Params, MemmapExactmapReplacesTheMap)
{
	ASSERT_EQ(parse_memmap_opt("exactmap,640K@0,0x1ff00000@1M,4K$0x9f000"), 0);
	ASSERT_EQ(e820__finish_early_params(), 0);
	EXPECT_EQ(entries_of(e820_table), (std::vector<range>{{0x0, 0x9f000, RAM},
							     {0x9f000, 0x1000, RES},
							     {0x100000, 0x1ff00000, RAM}}));
	EXPECT_EQ(console_lines(),
		  (std::vector<std::string>{
			  "user-defined physical RAM map:",
			  "user: [mem 0x0000000000000000-0x000000000009efff] usable",
			  "user: [mem 0x000000000009f000-0x000000000009ffff] reserved",
			  "user: [mem 0x0000000000100000-0x000000001fffffff] usable"}));
	// The firmware's copy is not the user's.
	EXPECT_EQ(e820_table_firmware->nr_entries, 0u);
}

TEST_F(E820Params, MemmapExactmapWithOneRange)
{
	// Linux panics here (its sanitizer refuses a one-entry map); we keep it.
	ASSERT_EQ(parse_memmap_opt("exactmap,256M@0"), 0);
	ASSERT_EQ(e820__finish_early_params(), 0);
	EXPECT_EQ(entries_of(e820_table), (std::vector<range>{{0x0, 0x10000000, RAM}}));
}

TEST_F(E820Params, MemmapTypedRanges)
{
	ASSERT_EQ(parse_memmap_opt("64M$0x10000000"), 0);
	ASSERT_EQ(parse_memmap_opt("4K#0x20000000,1G!4G"), 0);
	ASSERT_EQ(parse_memmap_opt("1M@0x200000000"), 0);
	ASSERT_EQ(e820__finish_early_params(), 0);
	EXPECT_EQ(entries_of(e820_table), (std::vector<range>{{0x0, 0x9f000, RAM},
							     {0x9f000, 0x1000, RES},
							     {0x100000, 0xff00000, RAM},
							     {0x10000000, 0x4000000, RES},
							     {0x14000000, 0xc000000, RAM},
							     {0x20000000, 0x1000, ACPI},
							     {0x20001000, 0x5ffdf000, RAM},
							     {0x7ffe0000, 0x20000, RES},
							     {0x100000000ULL, 0x40000000, PRAM},
							     {0x140000000ULL, 0x40000000, RAM},
							     {0x200000000ULL, 0x100000, RAM}}));
}

TEST_F(E820Params, MemmapPercentUpdatesAddsAndRemoves)
{
	// -old+new: update.
	ASSERT_EQ(parse_memmap_opt("16M%0x20000000-1+2"), 0);
	EXPECT_EQ(console_lines()[0], "e820: update [mem 0x20000000-0x20ffffff] usable ==> reserved");
	// +new only: add.
	ASSERT_EQ(parse_memmap_opt("1M%0x300000000+12"), 0);
	// -old only: remove that type.
	ASSERT_EQ(parse_memmap_opt("0x20000%0x7ffe0000-2"), 0);
	EXPECT_EQ(console_lines()[0], "e820: remove [mem 0x7ffe0000-0x7fffffff] reserved");
	// Neither: remove any type.
	ASSERT_EQ(parse_memmap_opt("1M%0xf0000"), 0);
	EXPECT_EQ(console_lines()[0], "e820: remove [mem 0x000f0000-0x001effff] ");
	ASSERT_EQ(e820__finish_early_params(), 0);
	EXPECT_EQ(entries_of(e820_table), (std::vector<range>{{0x0, 0x9f000, RAM},
							     {0x9f000, 0x1000, RES},
							     {0x1f0000, 0x1fe10000, RAM},
							     {0x20000000, 0x1000000, RES},
							     {0x21000000, 0x5efe0000, RAM},
							     {0x100000000ULL, 0x80000000, RAM},
							     {0x300000000ULL, 0x100000, PRAM}}));
}

TEST_F(E820Params, MemmapPlainSizeIsMem)
{
	ASSERT_EQ(parse_memmap_opt("2G"), 0);
	EXPECT_EQ(console_lines()[0], "e820: remove [mem 0x80000000-0xfffffffffffffffe] usable");
	ASSERT_EQ(e820__finish_early_params(), 0);
	EXPECT_EQ(entries_of(e820_table).size(), 4u);
	EXPECT_EQ(entries_of(e820_table).back(), (range{0x7ffe0000, 0x20000, RES}));
}

TEST_F(E820Params, MalformedMemmapChangesNothing)
{
	const char *bad[] = {
		"",
		",",
		"1G@garbage",
		"1Gxyz",
		"1G@",
		"@1G",
		"1G@1G,",
		",1G@1G",
		"exactmap,1G@garbage",  // the valid first item must not be applied either
		"1G@0,2G$4G,oops",
		"exactmapx",
		"0",
		"1G@1G@2G",
		"1G%",
		"1G%1G-",
		"1G%1G+",
		"1G%1G-1+1",            // same old and new type
		"1G%1G+2-1",            // wrong order
		"1G%1G-1-2",
		"1G%1G-x",
		"1G%1G-0",
		"1G%1G+0x100000000",   // type wider than 32 bits
		"32E@0",                // size overflows
		"2G@0xffffffffc0000000", // wraps past 2^64
		"1G%0xfffffffff0000000+1",
		"1G$-1",
		"1G 1G",
	};
	for (const char *val : bad)
		expect_rejected(parse_memmap_opt, val);
	expect_rejected(parse_memmap_opt, nullptr);
}

TEST_F(E820Params, FinishEarlyParamsWithoutParamsDoesNothing)
{
	EXPECT_EQ(e820__finish_early_params(), 0);
	EXPECT_EQ(host_console_take(), "");
	EXPECT_TRUE(unchanged());
}

TEST_F(E820Params, ResetForgetsUserMap)
{
	ASSERT_EQ(parse_memopt("1G"), 0);
	e820_reset();
	EXPECT_EQ(e820_table->nr_entries, 0u);
	host_console_take();
	EXPECT_EQ(e820__finish_early_params(), 0);
	EXPECT_EQ(host_console_take(), "");
}

} // namespace
