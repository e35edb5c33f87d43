// paging/init_64.cpp: split_mem_range() against hand-derived Linux results, and
// the direct map of real-world-shaped memblock layouts.
#include "lib/errno.h"
#include "tests/host/paging_test.h"

using namespace paging_test;

namespace {

using V = std::vector<unsigned long>;
constexpr unsigned M2 = 1u << PG_LEVEL_2M, G1 = 1u << PG_LEVEL_1G;

struct mr_t {
	unsigned long start, end;
	unsigned mask;
	bool operator==(const mr_t &o) const { return start == o.start && end == o.end && mask == o.mask; }
};

void PrintTo(const mr_t &m, std::ostream *os)
{
	char buf[80];
	snprintf(buf, sizeof(buf), "[%#lx-%#lx) mask %#x", m.start, m.end, m.mask);
	*os << buf;
}

std::vector<mr_t> split(unsigned long start, unsigned long end)
{
	map_range mr[NR_RANGE_MR] = {};
	int n = split_mem_range(mr, 0, start, end);
	std::vector<mr_t> out;
	for (int i = 0; i < n; i++)
		out.push_back({ mr[i].start, mr[i].end, mr[i].page_size_mask });
	return out;
}

// No memblock memory: adjust_range_page_size_mask() promotes nothing.
class SplitMemRange : public Paging {
	void add_window_memory() override {}
};

TEST_F(SplitMemRange, HeadMiddleTail)
{
	page_size_mask = M2 | G1;
	host_console_take();
	// QEMU's 128M: 1M..128M-128K.
	EXPECT_EQ(split(0x100000, 0x7fe0000),
		  (std::vector<mr_t>{ { 0x100000, 0x200000, 0 },
				      { 0x200000, 0x7e00000, M2 },
				      { 0x7e00000, 0x7fe0000, 0 } }));
	EXPECT_EQ(console_lines(), (std::vector<std::string>{
					   " [mem 0x00100000-0x001fffff] page 4k",
					   " [mem 0x00200000-0x07dfffff] page 2M",
					   " [mem 0x07e00000-0x07fdffff] page 4k",
				   }));
	// 4G..10G: all 1G.
	EXPECT_EQ(split(0x100000000, 0x280000000),
		  (std::vector<mr_t>{ { 0x100000000, 0x280000000, M2 | G1 } }));
	EXPECT_EQ(console_lines(), (std::vector<std::string>{ " [mem 0x100000000-0x27fffffff] page 1G" }));
	// The 2M range up to 1G and the 2M tail after it merge.
	EXPECT_EQ(split(0x1000, 0x40203000),
		  (std::vector<mr_t>{ { 0x1000, 0x200000, 0 },
				      { 0x200000, 0x40200000, M2 },
				      { 0x40200000, 0x40203000, 0 } }));
	// All five pieces.
	EXPECT_EQ(split(0x1000, 0xc0201000),
		  (std::vector<mr_t>{ { 0x1000, 0x200000, 0 },
				      { 0x200000, 0x40000000, M2 },
				      { 0x40000000, 0xc0000000, M2 | G1 },
				      { 0xc0000000, 0xc0200000, M2 },
				      { 0xc0200000, 0xc0201000, 0 } }));
	console_lines();
	// Without gbpages the middle is 2M and everything 2M merges.
	page_size_mask = M2;
	EXPECT_EQ(split(0x1000, 0xc0201000),
		  (std::vector<mr_t>{ { 0x1000, 0x200000, 0 },
				      { 0x200000, 0xc0200000, M2 },
				      { 0xc0200000, 0xc0201000, 0 } }));
	// Smaller than 2M, inside one 2M block.
	EXPECT_EQ(split(0x9000, 0x9f000), (std::vector<mr_t>{ { 0x9000, 0x9f000, 0 } }));
	// Not even one page.
	EXPECT_EQ(split(0x9000, 0x9000), (std::vector<mr_t>{}));
}

// adjust_range_page_size_mask(): RAM around the head and tail lets them use large pages.
TEST_F(SplitMemRange, AdjustPromotesWhenTheBlockIsRam)
{
	ASSERT_EQ(memblock_add(0, 0x80000000), 0);
	page_size_mask = M2 | G1;
	host_console_take();
	// [0, 1G) is all RAM: every piece may use 1G, and they merge into one.
	EXPECT_EQ(split(0x100000, 0x7fe0000), (std::vector<mr_t>{ { 0x100000, 0x7fe0000, M2 | G1 } }));
	EXPECT_EQ(console_lines(), (std::vector<std::string>{ " [mem 0x00100000-0x07fdffff] page 1G" }));
	page_size_mask = M2;
	EXPECT_EQ(split(0x100000, 0x7fe0000), (std::vector<mr_t>{ { 0x100000, 0x7fe0000, M2 } }));
	// A 4k head whose 2M block is RAM becomes 2M...
	EXPECT_EQ(split(0x7ff00000, 0x7ffff000), (std::vector<mr_t>{ { 0x7ff00000, 0x7ffff000, M2 } }));
	// ... but not once the block reaches past the end of RAM.
	ASSERT_EQ(memblock_remove(0x7ff00000, 0x100000), 0);
	EXPECT_EQ(split(0x7fe00000, 0x7fe01000), (std::vector<mr_t>{ { 0x7fe00000, 0x7fe01000, 0 } }));
}

// A PC-like layout: low RAM below 640K, RAM up to 3G less 128K, and 4G..6G+2M+20K.
// The table pages come from the window (current limit), the RAM above it is
// never touched: the direct map only writes tables.
class DirectMap : public Paging {
protected:
	void add_window_memory() override
	{
		ASSERT_EQ(memblock_add(0x1000, 0x9e000), 0);
		ASSERT_EQ(memblock_add(0x100000, 0xbffe0000 - 0x100000), 0);
		ASSERT_EQ(memblock_add(0x100000000, 0x80205000), 0);
	}

	struct ram {
		u64 start, end;
	};
	const std::vector<ram> rams = { { 0x1000, 0x9f000 }, { 0x100000, 0xbffe0000 },
					{ 0x100000000, 0x180205000 } };

	pgd_t *pgd = nullptr;

	void build()
	{
		pgd = new_pgd();
		ASSERT_EQ(init_mem_mapping(pgd), 0);
	}

	void expect_mapped(u64 pa)
	{
		pt_translation t;
		ASSERT_TRUE(translate_va(pgd, page_offset_base + pa, &t)) << std::hex << pa;
		ASSERT_EQ(t.pa, pa);
		ASSERT_EQ(t.flags, pgprot_val(PAGE_KERNEL)) << std::hex << pa;
	}
	void expect_hole(u64 pa)
	{
		pt_translation t;
		ASSERT_FALSE(translate_va(pgd, page_offset_base + pa, &t)) << std::hex << pa;
	}

	// Every page within 4M of a boundary and one page per 1M elsewhere; holes
	// the same way, up to 8G.
	void check_every_ram_page_and_no_hole()
	{
		auto is_ram = [&](u64 pa) {
			for (auto &r : rams)
				if (pa >= r.start && pa < r.end)
					return true;
			return false;
		};
		auto near_boundary = [&](u64 pa) {
			for (auto &r : rams)
				if ((pa + 4 * SZ_1M > r.start && pa < r.start + 4 * SZ_1M) ||
				    (pa + 4 * SZ_1M > r.end && pa < r.end + 4 * SZ_1M))
					return true;
			return false;
		};
		for (u64 pa = 0; pa < 8 * SZ_1G;) {
			if (is_ram(pa))
				expect_mapped(pa);
			else
				expect_hole(pa);
			if (HasFatalFailure())
				return;
			pa += near_boundary(pa) ? SZ_4K : SZ_1M;
		}
	}
};

TEST_F(DirectMap, GbPages)
{
	page_size_mask = M2 | G1;
	host_console_take();
	build();
	check_every_ram_page_and_no_hole();
	// Hand-derived from split_mem_range():
	//  [0x1000-0x9f000)      4k: 158
	//  [0x100000-0x200000)   4k: 256     [0x200000-1G) 2M: 511    [1G-2G) 1G: 1
	//  [2G-0xbfe00000)       2M: 511     [0xbfe00000-0xbffe0000) 4k: 480
	//  [4G-6G) 1G: 2         [6G-6G+2M) 2M: 1     [6G+2M-6G+2M+20K) 4k: 5
	EXPECT_EQ(counts(pgd, page_offset_base, page_offset_base + 8 * SZ_1G - 1), (V{ 899, 1023, 3 }));
	EXPECT_EQ(direct_pages_count[PG_LEVEL_4K], 899UL);
	EXPECT_EQ(direct_pages_count[PG_LEVEL_2M], 1023UL);
	EXPECT_EQ(direct_pages_count[PG_LEVEL_1G], 3UL);
	pt_translation t;
	ASSERT_TRUE(translate_va(pgd, page_offset_base + 0x1400abcd0, &t));
	EXPECT_EQ(t.level, PG_LEVEL_1G);
	ASSERT_TRUE(translate_va(pgd, page_offset_base + 0x180001000, &t));
	EXPECT_EQ(t.level, PG_LEVEL_2M);
	// Nothing outside the direct map.
	EXPECT_EQ(counts(pgd, 0, page_offset_base - 1), (V{ 0, 0, 0 }));

	auto lines = console_lines();
	std::vector<std::string> want = {
		"init_memory_mapping: [mem 0x00001000-0x0009efff]",
		" [mem 0x00001000-0x0009efff] page 4k",
		"init_memory_mapping: [mem 0x00100000-0xbffdffff]",
		" [mem 0x00100000-0x001fffff] page 4k",
		" [mem 0x00200000-0x3fffffff] page 2M",
		" [mem 0x40000000-0x7fffffff] page 1G",
		" [mem 0x80000000-0xbfdfffff] page 2M",
		" [mem 0xbfe00000-0xbffdffff] page 4k",
		"init_memory_mapping: [mem 0x100000000-0x180204fff]",
		" [mem 0x100000000-0x17fffffff] page 1G",
		" [mem 0x180000000-0x1801fffff] page 2M",
		" [mem 0x180200000-0x180204fff] page 4k",
	};
	EXPECT_EQ(lines, want);
}

TEST_F(DirectMap, NoGbPages)
{
	page_size_mask = M2;
	build();
	check_every_ram_page_and_no_hole();
	EXPECT_EQ(counts(pgd, page_offset_base, page_offset_base + 8 * SZ_1G - 1), (V{ 899, 2559, 0 }));
	EXPECT_EQ(direct_pages_count[PG_LEVEL_2M], 2559UL);
	EXPECT_EQ(direct_pages_count[PG_LEVEL_1G], 0UL);
}

TEST_F(DirectMap, FiveLevel)
{
	paging_set_levels(true);
	page_size_mask = M2 | G1;
	build();
	EXPECT_EQ(page_offset_base, __PAGE_OFFSET_BASE_L5);
	check_every_ram_page_and_no_hole();
	EXPECT_EQ(counts(pgd, page_offset_base, page_offset_base + 8 * SZ_1G - 1), (V{ 899, 1023, 3 }));
	// pgd[273] -> p4d table -> pud table.
	ASSERT_TRUE(pgd_present(pgd[273]));
	p4d_t *p4d = p4d_offset(pgd_offset_pgd(pgd, page_offset_base), page_offset_base);
	ASSERT_TRUE(p4d_present(*p4d));
	EXPECT_TRUE(pud_large(*pud_offset(p4d, page_offset_base + SZ_1G)));
}

TEST_F(DirectMap, TablesComeFromMemblockAndGoBack)
{
	u64 reserved = memblock_reserved_size();
	page_size_mask = M2 | G1;
	build();
	// pgd; pud; pmd for [0,1G), pte for [0,2M); pmd for [2G,3G), pte for the
	// tail; pmd [6G,7G), pte for its tail.
	EXPECT_EQ(pgtable_pages_allocated(), 1UL + 1 + 2 + 2 + 2);
	EXPECT_EQ(memblock_reserved_size(), reserved + pgtable_pages_allocated() * SZ_4K);
	// All below the current limit, inside the window.
	struct memblock_region *r;
	for_each_reserved_mem_region(r)
		EXPECT_LE(r->base + r->size, PHYS_SIZE);
	free_pgtable_pages();
	EXPECT_EQ(memblock_reserved_size(), reserved);
}

TEST_F(DirectMap, RunsOutOfTablePages)
{
	// Only two free pages: the pgd and one more; the direct map needs eight.
	u64 i;
	phys_addr_t s, e;
	std::vector<std::pair<phys_addr_t, phys_addr_t>> free_ranges;
	for_each_free_mem_range(i, NUMA_NO_NODE, MEMBLOCK_NONE, &s, &e, nullptr)
		if (s < PHYS_SIZE)
			free_ranges.push_back({ s, kmin<phys_addr_t>(e, PHYS_SIZE) });
	for (auto &r : free_ranges)
		memblock_reserve(r.first, r.second - r.first);
	memblock_phys_free(0x2000, 2 * SZ_4K);
	pgd = new_pgd();
	EXPECT_EQ(init_mem_mapping(pgd), -ENOMEM);
	free_pgtable_pages();
	EXPECT_EQ(memblock_reserved_size(), PHYS_SIZE - 0x1000 - 2 * SZ_4K - (0x100000 - 0x9f000));
}

} // namespace
