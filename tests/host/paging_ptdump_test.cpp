// paging/ptdump.cpp: Linux's dump_pagetables.c format, line by line, for small
// crafted tables.
#include "tests/host/paging_test.h"

using namespace paging_test;

namespace {

using Ptdump = Paging;
using L = std::vector<std::string>;

L dump(pgd_t *pgd, virt_addr_t start, virt_addr_t last)
{
	host_console_take();
	ptdump_walk_pgd_level(pgd, start, last);
	L lines = console_lines();
	if (!lines.empty() && lines.back().empty())
		lines.pop_back();
	return lines;
}

TEST_F(Ptdump, SmallTableUserHalf)
{
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(map_pages(pgd, 0x200000, 0x200000, 3 * SZ_4K, PAGE_KERNEL, 0), 0);
	ASSERT_EQ(map_pages(pgd, SZ_1G, SZ_1G, SZ_2M, __pgprot(__PAGE_KERNEL_EXEC | _PAGE_PCD), PG_SIZE_2M), 0);
	EXPECT_EQ(dump(pgd, 0, 0x00007fffffffffffUL), (L{
		"---[ User Space ]---",
		"0x0000000000000000-0x0000000000200000           2M                               pmd",
		"0x0000000000200000-0x0000000000203000          12K     RW                 GLB NX pte",
		"0x0000000000203000-0x0000000000400000        2036K                               pte",
		"0x0000000000400000-0x0000000040000000        1020M                               pmd",
		"0x0000000040000000-0x0000000040200000           2M     RW     PCD PSE     GLB x  pmd",
		"0x0000000040200000-0x0000000080000000        1022M                               pmd",
		"0x0000000080000000-0x0000008000000000         510G                               pud",
		"0x0000008000000000-0x0000800000000000      130560G                               p4d",
	}));
}

TEST_F(Ptdump, AttributesAndPat)
{
	pgd_t *pgd = new_pgd();
	// 4K: USR, ro, PWT, PAT (bit 7), x. 2M: PAT in bit 12, no global.
	ASSERT_EQ(map_pages(pgd, 0x1000, 0x1000, SZ_4K,
			    __pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_PWT | _PAGE_PAT), 0), 0);
	ASSERT_EQ(map_pages(pgd, 0x2000, 0x2000, SZ_4K, PAGE_KERNEL_RO, 0), 0);
	ASSERT_EQ(map_pages(pgd, 0x3000, 0x3000, SZ_4K, PAGE_KERNEL_RO, 0), 0);
	ASSERT_EQ(map_pages(pgd, 0x200000, 0x200000, SZ_2M,
			    __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_PAT | _PAGE_NX), PG_SIZE_2M), 0);
	EXPECT_EQ(dump(pgd, 0, 0x3fffff), (L{
		"---[ User Space ]---",
		"0x0000000000000000-0x0000000000001000           4K                               pte",
		"0x0000000000001000-0x0000000000002000           4K USR ro PWT         PAT     x  pte",
		"0x0000000000002000-0x0000000000004000           8K     ro                 GLB NX pte",
		"0x0000000000004000-0x0000000000200000        2032K                               pte",
		"0x0000000000200000-0x0000000000400000           2M     RW         PSE PAT     NX pmd",
	}));
}

TEST_F(Ptdump, MarkersAndKernelHalf)
{
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(map_pages(pgd, page_offset_base, 0, SZ_2M, PAGE_KERNEL, PG_SIZE_2M), 0);
	// A range starting in the direct map starts with its marker.
	EXPECT_EQ(dump(pgd, page_offset_base, page_offset_base + 2 * SZ_2M - 1), (L{
		"---[ Low Kernel Mapping ]---",
		"0xffff888000000000-0xffff888000200000           2M     RW         PSE     GLB NX pmd",
		"0xffff888000200000-0xffff888000400000           2M                               pmd",
	}));
}

TEST_F(Ptdump, WholeSpaceOfAnEmptyTable)
{
	pgd_t *pgd = new_pgd();
	// Runs break at the markers; one inside a hole entry shows at the next entry.
	EXPECT_EQ(dump(pgd, 0, ~0UL), (L{
		"---[ User Space ]---",
		"0x0000000000000000-0xffff800000000000    16777088T                               p4d",
		"---[ Kernel Space ]---",
		"0xffff800000000000-0xffff888000000000        8704G                               p4d",
		"---[ Low Kernel Mapping ]---",
		"0xffff888000000000-0xffffc90000000000       66048G                               p4d",
		"---[ vmalloc() Area ]---",
		"0xffffc90000000000-0xffffea0000000000          33T                               p4d",
		"---[ Vmemmap ]---",
		"0xffffea0000000000-0x0000000000000000          22T                               p4d",
	}));
}

TEST_F(Ptdump, FiveLevelNamesThePgd)
{
	paging_set_levels(true);
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(map_pages(pgd, 0x1000, 0x1000, SZ_4K, PAGE_KERNEL, 0), 0);
	EXPECT_EQ(dump(pgd, 0, 0x00ffffffffffffffUL), (L{
		"---[ User Space ]---",
		"0x0000000000000000-0x0000000000001000           4K                               pte",
		"0x0000000000001000-0x0000000000002000           4K     RW                 GLB NX pte",
		"0x0000000000002000-0x0000000000200000        2040K                               pte",
		"0x0000000000200000-0x0000000040000000        1022M                               pmd",
		"0x0000000040000000-0x0000008000000000         511G                               pud",
		"0x0000008000000000-0x0001000000000000      261632G                               p4d",
		"0x0001000000000000-0x0100000000000000       65280T                               pgd",
	}));
}

TEST_F(Ptdump, SummaryCounts)
{
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(map_pages(pgd, page_offset_base, 0, SZ_1G + SZ_2M + SZ_4K, PAGE_KERNEL,
			    PG_SIZE_2M | PG_SIZE_1G), 0);
	host_console_take();
	ptdump_summary(pgd, page_offset_base, ~0UL);
	EXPECT_EQ(console_lines(), (L{
		"DirectMap4k:           4 kB",
		"DirectMap2M:        2048 kB",
		"DirectMap1G:     1048576 kB",
	}));
	unsigned long nr[PG_LEVEL_NUM];
	ptdump_count_pages(pgd, 0, page_offset_base - 1, nr);
	EXPECT_EQ(nr[PG_LEVEL_4K] + nr[PG_LEVEL_2M] + nr[PG_LEVEL_1G], 0UL);
}

} // namespace
