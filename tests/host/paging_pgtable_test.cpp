// paging/pgtable_types.h and paging/pgtable.cpp: entries, map/unmap/split/
// change_page_attr/translate at every level, refusals leaving tables untouched.
#include "lib/errno.h"
#include "tests/host/paging_test.h"

using namespace paging_test;

namespace {

using PgTable = Paging;
using V = std::vector<unsigned long>;

constexpr unsigned ALL = PG_SIZE_2M | PG_SIZE_1G;

TEST(PgtableTypes, MasksAndConversions)
{
	EXPECT_EQ(PTE_PFN_MASK, 0x000ffffffffff000ULL);
	EXPECT_EQ(PTE_FLAGS_MASK, 0xfff0000000000fffULL);
	EXPECT_EQ(_PAGE_NX, 1ULL << 63);
	EXPECT_EQ(_PAGE_PAT, _PAGE_PSE);
	EXPECT_EQ(_PAGE_PAT_LARGE, 1ULL << 12);
	EXPECT_EQ(_PAGE_TABLE, 0x67ULL);
	EXPECT_EQ(_KERNPG_TABLE, 0x63ULL);
	EXPECT_EQ(__PAGE_KERNEL, 0x8000000000000163ULL);
	EXPECT_EQ(__PAGE_KERNEL_RX, 0x161ULL);
	EXPECT_EQ(__PAGE_KERNEL_LARGE, 0x80000000000001e3ULL);

	// PAT moves between bit 7 (4K) and bit 12 (large); PSE is dropped for 4K.
	EXPECT_EQ(protval_4k_2_large(_PAGE_PRESENT | _PAGE_PAT), _PAGE_PRESENT | _PAGE_PAT_LARGE);
	EXPECT_EQ(protval_large_2_4k(_PAGE_PRESENT | _PAGE_PSE | _PAGE_PAT_LARGE),
		  _PAGE_PRESENT | _PAGE_PAT);
	EXPECT_EQ(protval_large_2_4k(_PAGE_PRESENT | _PAGE_PSE), _PAGE_PRESENT);

	// Large frames are masked to their size; flags of a large entry keep bit 12.
	pmd_t pmd = pfn_pmd(0x12345, __pgprot(__PAGE_KERNEL_LARGE | _PAGE_PAT_LARGE));
	EXPECT_EQ(pmd_val(pmd) & PTE_PFN_MASK & ~_PAGE_PAT_LARGE, 0x12200000ULL);
	EXPECT_EQ(pmd_pfn(pmd), 0x12200UL);
	EXPECT_TRUE(pmd_flags(pmd) & _PAGE_PAT_LARGE);
	EXPECT_TRUE(pmd_large(pmd));
	EXPECT_FALSE(pmd_large(__pmd(_PAGE_PSE)));	// not present
	EXPECT_FALSE(pmd_large(__pmd(0x1000 | _PAGE_TABLE)));
	pud_t pud = pfn_pud(0x40000 + 7, __pgprot(__PAGE_KERNEL_LARGE));
	EXPECT_EQ(pud_pfn(pud), 0x40000UL);
	EXPECT_TRUE(pud_large(pud));
	pte_t pte = pfn_pte(0xabcde, PAGE_KERNEL);
	EXPECT_EQ(pte_val(pte), 0xabcde000ULL | __PAGE_KERNEL);
	EXPECT_TRUE(pte_present(pte));
	EXPECT_TRUE(pte_none(__pte(0)));
}

TEST_F(PgTable, SupportedMaskDropsNxAndGlobal)
{
	__supported_pte_mask &= ~(_PAGE_NX | _PAGE_GLOBAL);
	EXPECT_EQ(pgprot_val(PAGE_KERNEL), (u64)(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY));
	// Even a protection built by hand loses NX in a present entry (massage_pgprot()).
	EXPECT_EQ(pte_val(pfn_pte(1, __pgprot(__PAGE_KERNEL))) & (_PAGE_NX | _PAGE_GLOBAL), 0ULL);
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(map_pages(pgd, 0x400000, 0x400000, SZ_4K, __pgprot(__PAGE_KERNEL), 0), 0);
	u64 e;
	pg_level level;
	ASSERT_TRUE(lookup_address_in_pgd(pgd, 0x400000, &e, &level));
	EXPECT_EQ(e & _PAGE_NX, 0ULL);
	EXPECT_EQ(e, 0x400000ULL | _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY);
}

TEST(PgtableTypes, Canonical)
{
	paging_set_levels(false);
	EXPECT_TRUE(va_is_canonical(0x00007fffffffffffUL));
	EXPECT_FALSE(va_is_canonical(0x0000800000000000UL));
	EXPECT_FALSE(va_is_canonical(0xffff7fffffffffffUL));
	EXPECT_TRUE(va_is_canonical(0xffff800000000000UL));
	EXPECT_EQ(page_offset_base, 0xffff888000000000UL);
	EXPECT_EQ(PGDIR_SHIFT, 39);
	EXPECT_EQ(pgd_index(0xffff888000000000UL), 273UL);
	EXPECT_EQ(pgd_index(__START_KERNEL_map), 511UL);
	EXPECT_EQ(pud_index(__START_KERNEL_map), 510UL);
	paging_set_levels(true);
	EXPECT_TRUE(va_is_canonical(0x0000800000000000UL));
	EXPECT_TRUE(va_is_canonical(0x00ffffffffffffffUL));
	EXPECT_FALSE(va_is_canonical(0x0100000000000000UL));
	EXPECT_TRUE(va_is_canonical(0xff00000000000000UL));
	EXPECT_EQ(page_offset_base, 0xff11000000000000UL);
	EXPECT_EQ(PGDIR_SHIFT, 48);
	EXPECT_EQ(PTRS_PER_P4D, 512);
	EXPECT_EQ(pgd_index(0xff11000000000000UL), 273UL);
	paging_set_levels(false);
}

TEST_F(PgTable, Map4kAndTranslate)
{
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(map_pages(pgd, 0x12345000, 0x2000000, SZ_4K, PAGE_KERNEL, ALL), 0);
	EXPECT_EQ(pgtable_pages_allocated(), 4UL);	// pgd, pud, pmd, pte

	pt_translation t;
	ASSERT_TRUE(translate_va(pgd, 0x12345678, &t));
	EXPECT_EQ(t.pa, 0x2000678ULL);
	EXPECT_EQ(t.level, PG_LEVEL_4K);
	EXPECT_EQ(t.flags, pgprot_val(PAGE_KERNEL));
	EXPECT_FALSE(translate_va(pgd, 0x12344fff, &t));
	EXPECT_FALSE(translate_va(pgd, 0x12346000, &t));

	// Walk by hand with Linux's accessors.
	pgd_t *pgdp = pgd_offset_pgd(pgd, 0x12345000);
	ASSERT_TRUE(pgd_present(*pgdp));
	EXPECT_EQ(pgd_flags(*pgdp), _PAGE_TABLE);
	p4d_t *p4d = p4d_offset(pgdp, 0x12345000);
	EXPECT_EQ((void *)p4d, (void *)pgdp);	// folded with 4 levels
	pud_t *pud = pud_offset(p4d, 0x12345000);
	pmd_t *pmd = pmd_offset(pud, 0x12345000);
	pte_t *pte = pte_offset_kernel(pmd, 0x12345000);
	EXPECT_FALSE(pud_large(*pud));
	EXPECT_FALSE(pmd_large(*pmd));
	EXPECT_EQ(pte_pfn(*pte), 0x2000UL);
	EXPECT_EQ(pte_val(*pte), 0x2000000ULL | __PAGE_KERNEL);
}

TEST_F(PgTable, LargestPageThatFits)
{
	pgd_t *pgd = new_pgd();
	// 3G at 1G-aligned va and pa: three 1G pages.
	ASSERT_EQ(map_pages(pgd, 0x40000000, 0x40000000, 3 * SZ_1G, PAGE_KERNEL, ALL), 0);
	EXPECT_EQ(counts(pgd, 0, ~0UL), (V{ 0, 0, 3 }));
	// Without 1G allowed: 2M pages.
	ASSERT_EQ(map_pages(pgd, 0x200000000, 0x40000000, SZ_1G, PAGE_KERNEL, PG_SIZE_2M), 0);
	EXPECT_EQ(counts(pgd, 0x200000000, 0x23fffffff), (V{ 0, 512, 0 }));
	// pa only 2M-aligned: 2M pages even where 1G is allowed.
	ASSERT_EQ(map_pages(pgd, 0x300000000, 0x40200000, SZ_1G, PAGE_KERNEL, ALL), 0);
	EXPECT_EQ(counts(pgd, 0x300000000, 0x33fffffff), (V{ 0, 512, 0 }));
	// va and pa apart by 4K: all 4K.
	ASSERT_EQ(map_pages(pgd, 0x400000000, 0x40001000, 4 * SZ_2M, PAGE_KERNEL, ALL), 0);
	EXPECT_EQ(counts(pgd, 0x400000000, 0x43fffffff), (V{ 2048, 0, 0 }));
	// 4K-only mask.
	ASSERT_EQ(map_pages(pgd, 0x500000000, 0x40000000, SZ_2M, PAGE_KERNEL, 0), 0);
	EXPECT_EQ(counts(pgd, 0x500000000, 0x53fffffff), (V{ 512, 0, 0 }));

	pt_translation t;
	ASSERT_TRUE(translate_va(pgd, 0x7fffffff, &t));
	EXPECT_EQ(t.pa, 0x7fffffffULL);
	EXPECT_EQ(t.level, PG_LEVEL_1G);
	EXPECT_EQ(t.flags, pgprot_val(PAGE_KERNEL));	// reported in 4K form
	ASSERT_TRUE(translate_va(pgd, 0x300000000 + 0x345678, &t));
	EXPECT_EQ(t.pa, 0x40200000ULL + 0x345678);
	EXPECT_EQ(t.level, PG_LEVEL_2M);
	ASSERT_TRUE(translate_va(pgd, 0x400000000 + 0x7ff123, &t));
	EXPECT_EQ(t.pa, 0x40001000ULL + 0x7ff123);
	EXPECT_EQ(t.level, PG_LEVEL_4K);
}

TEST_F(PgTable, RangeAcross1GBoundary)
{
	pgd_t *pgd = new_pgd();
	virt_addr_t va = SZ_1G - SZ_2M - SZ_4K;
	u64 size = 2 * SZ_2M + 2 * SZ_4K;
	phys_addr_t pa = phys_addr_t(0x100000000ULL + (u64)va);	// same alignment as va
	ASSERT_EQ(map_pages(pgd, va, pa, size, PAGE_KERNEL_EXEC, ALL), 0);
	// 4K head, 2M up to 1G, 2M after it, 4K tail.
	EXPECT_EQ(counts(pgd, 0, ~0UL), (V{ 2, 2, 0 }));
	for (unsigned long off = 0; off < size; off += SZ_4K) {
		pt_translation t;
		ASSERT_TRUE(translate_va(pgd, va + off, &t)) << std::hex << off;
		ASSERT_EQ(t.pa, pa + off);
		ASSERT_EQ(t.flags, pgprot_val(PAGE_KERNEL_EXEC));
	}
	pt_translation t;
	EXPECT_FALSE(translate_va(pgd, va - SZ_4K, &t));
	EXPECT_FALSE(translate_va(pgd, va + size, &t));
	ASSERT_TRUE(translate_va(pgd, SZ_1G, &t));
	EXPECT_EQ(t.level, PG_LEVEL_2M);
}

TEST_F(PgTable, RangeAcross512GBoundary)
{
	pgd_t *pgd = new_pgd();
	virt_addr_t va = 512 * SZ_1G - SZ_4K;
	ASSERT_EQ(map_pages(pgd, va, 0x3000000, 2 * SZ_4K, PAGE_KERNEL, ALL), 0);
	EXPECT_TRUE(pgd_present(pgd[0]));
	EXPECT_TRUE(pgd_present(pgd[1]));
	EXPECT_EQ(pgtable_pages_allocated(), 1UL + 2 * 3);
	pt_translation t;
	ASSERT_TRUE(translate_va(pgd, va, &t));
	EXPECT_EQ(t.pa, 0x3000000ULL);
	ASSERT_TRUE(translate_va(pgd, va + SZ_4K, &t));
	EXPECT_EQ(t.pa, 0x3001000ULL);
}

TEST_F(PgTable, HighHalfAndTopOfAddressSpace)
{
	pgd_t *pgd = new_pgd();
	// The very last page: va + size wraps to 0, which is not "wrapping".
	ASSERT_EQ(map_pages(pgd, 0xfffffffffffff000UL, 0x5000, SZ_4K, PAGE_KERNEL_RO, 0), 0);
	ASSERT_EQ(map_pages(pgd, page_offset_base, 0, SZ_1G, PAGE_KERNEL, ALL), 0);
	pt_translation t;
	ASSERT_TRUE(translate_va(pgd, 0xffffffffffffffffUL, &t));
	EXPECT_EQ(t.pa, 0x5fffULL);
	EXPECT_EQ(t.flags, pgprot_val(PAGE_KERNEL_RO));
	EXPECT_EQ(t.flags & _PAGE_RW, 0ULL);
	ASSERT_TRUE(translate_va(pgd, page_offset_base + 0x1234567, &t));
	EXPECT_EQ(t.pa, 0x1234567ULL);
	EXPECT_EQ(t.level, PG_LEVEL_1G);
	EXPECT_TRUE(pgd_present(pgd[273]));
	EXPECT_TRUE(pgd_present(pgd[511]));
}

TEST_F(PgTable, BadRequestsLeaveTablesUntouched)
{
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(map_pages(pgd, 0x200000, 0x200000, SZ_2M, PAGE_KERNEL, ALL), 0);
	auto before = tables(pgd);
	unsigned long pages = pgtable_pages_allocated();
	u64 reserved = memblock_reserved_size();

	// Alignment, size, wrapping, canonical form.
	EXPECT_EQ(map_pages(pgd, 0x400800, 0x400000, SZ_4K, PAGE_KERNEL, 0), -EINVAL);
	EXPECT_EQ(map_pages(pgd, 0x400000, 0x400800, SZ_4K, PAGE_KERNEL, 0), -EINVAL);
	EXPECT_EQ(map_pages(pgd, 0x400000, 0x400000, 0x800, PAGE_KERNEL, 0), -EINVAL);
	EXPECT_EQ(map_pages(pgd, 0x400000, 0x400000, 0, PAGE_KERNEL, 0), -EINVAL);
	EXPECT_EQ(map_pages(pgd, 0xfffffffffffff000UL, 0, 2 * SZ_4K, PAGE_KERNEL, 0), -EINVAL);
	EXPECT_EQ(map_pages(pgd, 0x0000800000000000UL, 0, SZ_4K, PAGE_KERNEL, 0), -EINVAL);
	EXPECT_EQ(map_pages(pgd, 0xffff7ffffffff000UL, 0, SZ_4K, PAGE_KERNEL, 0), -EINVAL);
	// Crossing the canonical hole: start and end are canonical, the range is not.
	EXPECT_EQ(map_pages(pgd, 0x00007ffffffff000UL, 0, 0xffff800000000000UL - 0x00007ffffffff000UL + SZ_4K,
			    PAGE_KERNEL, 0), -EINVAL);
	EXPECT_EQ(map_pages(pgd, 0x00007ffffffff000UL, 0, 2 * SZ_4K, PAGE_KERNEL, 0), -EINVAL);
	// pa wrapping or beyond 52 bits; a protection that is not present or has frame bits.
	EXPECT_EQ(map_pages(pgd, 0x400000, 0xfffffffffffff000ULL, 2 * SZ_4K, PAGE_KERNEL, 0), -EINVAL);
	EXPECT_EQ(map_pages(pgd, 0x400000, 1ULL << 52, SZ_4K, PAGE_KERNEL, 0), -EINVAL);
	EXPECT_EQ(map_pages(pgd, 0x400000, 0x400000, SZ_4K, __pgprot(_PAGE_RW), 0), -EINVAL);
	EXPECT_EQ(map_pages(pgd, 0x400000, 0x400000, SZ_4K, __pgprot(__PAGE_KERNEL | 0x1000), 0), -EINVAL);
	EXPECT_EQ(unmap_pages(pgd, 0x201000, 0x800), -EINVAL);
	EXPECT_EQ(change_page_attr(pgd, 0x200800, SZ_4K, __pgprot(0), __pgprot(_PAGE_RW)), -EINVAL);

	// Overlapping a mapping elsewhere or with other attributes; the part before
	// the overlap would need new tables: none are allocated.
	EXPECT_EQ(map_pages(pgd, 0x1000, 0x2000, SZ_2M, PAGE_KERNEL, ALL), -EEXIST);
	EXPECT_EQ(tables(pgd), before);
	EXPECT_EQ(pgtable_pages_allocated(), pages);
	EXPECT_EQ(map_pages(pgd, 0x100000000UL, 0x1000000, SZ_1G + SZ_2M, PAGE_KERNEL, ALL), 0);
	before = tables(pgd);
	pages = pgtable_pages_allocated();
	reserved = memblock_reserved_size();
	EXPECT_EQ(map_pages(pgd, 0x1ff000, 0x1ff000, 2 * SZ_4K, PAGE_KERNEL_RO, 0), -EEXIST);
	EXPECT_EQ(map_pages(pgd, 0x300000, 0x300000, SZ_4K, PAGE_KERNEL_RO, 0), -EEXIST);
	EXPECT_EQ(map_pages(pgd, 0x300000, 0x301000, SZ_4K, PAGE_KERNEL, 0), -EEXIST);
	EXPECT_EQ(map_pages(pgd, 0x140000000UL, 0x42000000, SZ_4K, PAGE_KERNEL, 0), -EEXIST);
	// Unmapped pages cannot change attributes (Linux: -EFAULT).
	EXPECT_EQ(change_page_attr(pgd, 0x3ff000, 2 * SZ_4K, __pgprot(0), __pgprot(_PAGE_RW)), -EFAULT);

	EXPECT_EQ(tables(pgd), before);
	EXPECT_EQ(pgtable_pages_allocated(), pages);
	EXPECT_EQ(memblock_reserved_size(), reserved);

	// The same mapping again, or part of it, is fine and allocates nothing: a 4K
	// piece of a 2M page with the same frame and attributes is not split.
	EXPECT_EQ(map_pages(pgd, 0x200000, 0x200000, SZ_2M, PAGE_KERNEL, ALL), 0);
	EXPECT_EQ(map_pages(pgd, 0x201000, 0x201000, SZ_4K, PAGE_KERNEL, 0), 0);
	EXPECT_EQ(map_pages(pgd, 0x140000000UL, 0x40000000 + 0x1000000, SZ_4K, PAGE_KERNEL, 0), 0);
	EXPECT_EQ(tables(pgd), before);
	EXPECT_EQ(pgtable_pages_allocated(), pages);
}

TEST_F(PgTable, OutOfMemoryLeavesTablesUntouched)
{
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(map_pages(pgd, 0x200000, 0x200000, SZ_4K, PAGE_KERNEL, 0), 0);
	// Leave exactly two free pages.
	u64 i;
	phys_addr_t s, e;
	std::vector<std::pair<phys_addr_t, phys_addr_t>> free_ranges;
	for_each_free_mem_range(i, NUMA_NO_NODE, MEMBLOCK_NONE, &s, &e, nullptr)
		free_ranges.push_back({ s, e });
	for (auto &r : free_ranges)
		memblock_reserve(r.first, r.second - r.first);
	memblock_phys_free(0x1000, 2 * SZ_4K);

	auto before = tables(pgd);
	unsigned long pages = pgtable_pages_allocated();
	u64 reserved = memblock_reserved_size();
	// A new pud, pmd and pte table are needed: three pages.
	EXPECT_EQ(map_pages(pgd, 0x8000000000UL, 0, SZ_4K, PAGE_KERNEL, 0), -ENOMEM);
	EXPECT_EQ(tables(pgd), before);
	EXPECT_EQ(pgtable_pages_allocated(), pages);
	EXPECT_EQ(memblock_reserved_size(), reserved);
	// A split needs one page: fine.
	ASSERT_EQ(map_pages(pgd, 0x400000, 0x400000, SZ_2M, PAGE_KERNEL, ALL), 0);
	EXPECT_EQ(pgtable_pages_allocated(), pages);
	EXPECT_EQ(unmap_pages(pgd, 0x400000, SZ_4K), 0);
	EXPECT_EQ(pgtable_pages_allocated(), pages + 1);
}

TEST_F(PgTable, UnmapSplitsPartlyCoveredLargePages)
{
	pgd_t *pgd = new_pgd();
	pgprot_t prot = __pgprot(__PAGE_KERNEL | _PAGE_PCD | _PAGE_PAT);
	ASSERT_EQ(map_pages(pgd, SZ_1G, 0x80000000, SZ_1G, prot, ALL), 0);
	EXPECT_EQ(counts(pgd, 0, ~0UL), (V{ 0, 0, 1 }));
	unsigned long pages = pgtable_pages_allocated();

	// One page out of the middle of a 1G page: 1G -> 2M, then that 2M -> 4K.
	ASSERT_EQ(unmap_pages(pgd, SZ_1G + 5 * SZ_2M + 7 * SZ_4K, SZ_4K), 0);
	EXPECT_EQ(counts(pgd, 0, ~0UL), (V{ 511, 511, 0 }));
	EXPECT_EQ(pgtable_pages_allocated(), pages + 2);

	pt_translation t;
	EXPECT_FALSE(translate_va(pgd, SZ_1G + 5 * SZ_2M + 7 * SZ_4K, &t));
	for (unsigned long off : { 0UL, 5 * SZ_2M, 5 * SZ_2M + 6 * SZ_4K, 5 * SZ_2M + 8 * SZ_4K, SZ_1G - 1 }) {
		ASSERT_TRUE(translate_va(pgd, virt_addr_t(SZ_1G) + off, &t)) << std::hex << off;
		EXPECT_EQ(t.pa, 0x80000000ULL + off);
		EXPECT_EQ(t.flags, pgprot_val(prot)) << std::hex << off;	// PCD and PAT kept
	}

	// A whole 2M page and a whole 1G page go without splitting.
	ASSERT_EQ(unmap_pages(pgd, SZ_1G, SZ_2M), 0);
	EXPECT_EQ(counts(pgd, 0, ~0UL), (V{ 511, 510, 0 }));
	ASSERT_EQ(map_pages(pgd, 4 * SZ_1G, 0, SZ_1G, PAGE_KERNEL, ALL), 0);
	ASSERT_EQ(unmap_pages(pgd, 4 * SZ_1G, SZ_1G), 0);
	EXPECT_EQ(counts(pgd, 4 * SZ_1G, 5 * SZ_1G - 1), (V{ 0, 0, 0 }));
	EXPECT_EQ(pgtable_pages_allocated(), pages + 2);
	// Unmapping nothing is fine.
	EXPECT_EQ(unmap_pages(pgd, 8 * SZ_1G, SZ_1G), 0);
}

TEST_F(PgTable, SplitKeepsEveryAttribute)
{
	pgd_t *pgd = new_pgd();
	// PAT, PCD, PWT, NX, GLOBAL, no RW, USER.
	pgprotval_t prot4k = _PAGE_PRESENT | _PAGE_USER | _PAGE_PWT | _PAGE_PCD | _PAGE_ACCESSED |
			     _PAGE_PAT | _PAGE_GLOBAL | _PAGE_NX;
	ASSERT_EQ(map_pages(pgd, 3 * SZ_1G, 7 * SZ_1G, SZ_1G, __pgprot(prot4k), ALL), 0);
	u64 e;
	pg_level level;
	ASSERT_TRUE(lookup_address_in_pgd(pgd, 3 * SZ_1G, &e, &level));
	ASSERT_EQ(level, PG_LEVEL_1G);
	EXPECT_EQ(e, 7 * SZ_1G | protval_4k_2_large(prot4k) | _PAGE_PSE);
	EXPECT_EQ(e & _PAGE_PAT_LARGE, _PAGE_PAT_LARGE);

	EXPECT_EQ(split_large_page(pgd, 3 * SZ_1G + 0x1234, PG_LEVEL_2M), -EINVAL);
	ASSERT_EQ(split_large_page(pgd, 3 * SZ_1G + 0x1234, PG_LEVEL_1G), 0);
	EXPECT_EQ(counts(pgd, 0, ~0UL), (V{ 0, 512, 0 }));
	ASSERT_TRUE(lookup_address_in_pgd(pgd, 3 * SZ_1G + 3 * SZ_2M, &e, &level));
	ASSERT_EQ(level, PG_LEVEL_2M);
	// Still large form: PSE, PAT in bit 12.
	EXPECT_EQ(e, (7 * SZ_1G + 3 * SZ_2M) | protval_4k_2_large(prot4k) | _PAGE_PSE);

	ASSERT_EQ(split_large_page(pgd, 3 * SZ_1G + 3 * SZ_2M, PG_LEVEL_2M), 0);
	EXPECT_EQ(counts(pgd, 0, ~0UL), (V{ 512, 511, 0 }));
	ASSERT_TRUE(lookup_address_in_pgd(pgd, 3 * SZ_1G + 3 * SZ_2M + 8 * SZ_4K, &e, &level));
	ASSERT_EQ(level, PG_LEVEL_4K);
	// 4K form: PAT in bit 7, no PSE, bit 12 is the frame's.
	EXPECT_EQ(e, (7 * SZ_1G + 3 * SZ_2M + 8 * SZ_4K) | prot4k);
	EXPECT_TRUE(e & _PAGE_PAT);

	pt_translation t;
	ASSERT_TRUE(translate_va(pgd, 3 * SZ_1G + 3 * SZ_2M + 8 * SZ_4K + 1, &t));
	EXPECT_EQ(t.flags, prot4k);	// USER kept through the split tables
	ASSERT_TRUE(translate_va(pgd, 3 * SZ_1G + 4 * SZ_2M, &t));
	EXPECT_EQ(t.flags, prot4k);

	EXPECT_EQ(split_large_page(pgd, 3 * SZ_1G + 3 * SZ_2M, PG_LEVEL_2M), -EINVAL);
	EXPECT_EQ(split_large_page(pgd, 0x123000, PG_LEVEL_2M), -EINVAL);
}

TEST_F(PgTable, ChangePageAttrSplitsOnlyWhereNeeded)
{
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(map_pages(pgd, SZ_1G, SZ_1G, SZ_1G, PAGE_KERNEL_EXEC, PG_SIZE_2M), 0);
	unsigned long pages = pgtable_pages_allocated();

	// A whole 2M page read-only: no split.
	ASSERT_EQ(change_page_attr(pgd, SZ_1G + SZ_2M, SZ_2M, __pgprot(0), __pgprot(_PAGE_RW)), 0);
	EXPECT_EQ(counts(pgd, 0, ~0UL), (V{ 0, 512, 0 }));
	EXPECT_EQ(pgtable_pages_allocated(), pages);
	pt_translation t;
	ASSERT_TRUE(translate_va(pgd, SZ_1G + SZ_2M + 5, &t));
	EXPECT_EQ(t.flags, pgprot_val(PAGE_KERNEL_RX));

	// Part of a 2M page, with a change that changes nothing: no split either.
	ASSERT_EQ(change_page_attr(pgd, SZ_1G + SZ_4K, SZ_4K, __pgprot(_PAGE_RW), __pgprot(0)), 0);
	EXPECT_EQ(pgtable_pages_allocated(), pages);

	// NX and cache-disable on [1G + 4M - 8K, 1G + 6M + 4K): the 2M page at 1G + 4M
	// is covered whole and changes in place; the pages on either side are split.
	ASSERT_EQ(change_page_attr(pgd, SZ_1G + 2 * SZ_2M - 2 * SZ_4K, SZ_2M + 3 * SZ_4K,
				   __pgprot(_PAGE_NX | _PAGE_PCD), __pgprot(0)), 0);
	EXPECT_EQ(counts(pgd, 0, ~0UL), (V{ 1024, 510, 0 }));
	EXPECT_EQ(pgtable_pages_allocated(), pages + 2);
	ASSERT_TRUE(translate_va(pgd, SZ_1G + 2 * SZ_2M - 3 * SZ_4K, &t));
	EXPECT_EQ(t.flags, pgprot_val(PAGE_KERNEL_RX));	// before the range, split, unchanged
	EXPECT_EQ(t.level, PG_LEVEL_4K);
	ASSERT_TRUE(translate_va(pgd, SZ_1G + 2 * SZ_2M - 2 * SZ_4K, &t));
	EXPECT_EQ(t.flags, pgprot_val(PAGE_KERNEL_RX) | _PAGE_NX | _PAGE_PCD);
	ASSERT_TRUE(translate_va(pgd, SZ_1G + 2 * SZ_2M + SZ_4K, &t));
	EXPECT_EQ(t.flags, pgprot_val(PAGE_KERNEL_EXEC) | _PAGE_NX | _PAGE_PCD);
	EXPECT_EQ(t.level, PG_LEVEL_2M);
	ASSERT_TRUE(translate_va(pgd, SZ_1G + 3 * SZ_2M, &t));
	EXPECT_EQ(t.flags, pgprot_val(PAGE_KERNEL_EXEC) | _PAGE_NX | _PAGE_PCD);
	EXPECT_EQ(t.level, PG_LEVEL_4K);
	ASSERT_TRUE(translate_va(pgd, SZ_1G + 3 * SZ_2M + SZ_4K, &t));
	EXPECT_EQ(t.flags, pgprot_val(PAGE_KERNEL_EXEC));
	EXPECT_EQ(t.level, PG_LEVEL_4K);
	EXPECT_EQ(t.pa, SZ_1G + 3 * SZ_2M + SZ_4K);

	// PAT on a whole 2M page lands in bit 12.
	ASSERT_EQ(change_page_attr(pgd, SZ_1G + 10 * SZ_2M, SZ_2M, __pgprot(_PAGE_PAT), __pgprot(0)), 0);
	u64 e;
	pg_level level;
	ASSERT_TRUE(lookup_address_in_pgd(pgd, SZ_1G + 10 * SZ_2M, &e, &level));
	EXPECT_EQ(level, PG_LEVEL_2M);
	EXPECT_EQ(e, (SZ_1G + 10 * SZ_2M) | __PAGE_KERNEL_LARGE_EXEC | _PAGE_PAT_LARGE);
}

TEST_F(PgTable, FirmwareTablesAreNeverWritten)
{
	// A "firmware" pud table: memory the library did not allocate.
	phys_addr_t fw_pud = memblock_phys_alloc(SZ_4K, SZ_4K);
	ASSERT_NE(fw_pud, 0ULL);
	u64 *fp = (u64 *)__va(fw_pud);
	memset(fp, 0, SZ_4K);
	fp[0] = 0 | __PAGE_KERNEL_LARGE_EXEC;	// identity 1G page
	pgd_t *pgd = new_pgd();
	pgd[0] = __pgd((u64)fw_pud | _PAGE_TABLE);
	std::vector<u8> fw(fp, fp + 512);
	auto before = tables(pgd);
	unsigned long pages = pgtable_pages_allocated();

	pt_translation t;
	ASSERT_TRUE(translate_va(pgd, 0x1234567, &t));
	EXPECT_EQ(t.pa, 0x1234567ULL);
	EXPECT_EQ(t.level, PG_LEVEL_1G);
	EXPECT_EQ(map_pages(pgd, SZ_1G, SZ_1G, SZ_4K, PAGE_KERNEL, 0), -EPERM);
	EXPECT_EQ(unmap_pages(pgd, 0, SZ_4K), -EPERM);
	EXPECT_EQ(split_large_page(pgd, 0, PG_LEVEL_1G), -EPERM);
	EXPECT_EQ(change_page_attr(pgd, 0, SZ_1G, __pgprot(_PAGE_NX), __pgprot(0)), -EPERM);
	EXPECT_EQ(std::vector<u8>(fp, fp + 512), fw);
	EXPECT_EQ(tables(pgd), before);
	EXPECT_EQ(pgtable_pages_allocated(), pages);
	// Mapping what is already there identically needs no write: fine.
	EXPECT_EQ(map_pages(pgd, SZ_2M, SZ_2M, SZ_2M, PAGE_KERNEL_EXEC, ALL), 0);
	// Slots of the app's own are.
	EXPECT_EQ(map_pages(pgd, 512 * SZ_1G, 0, SZ_4K, PAGE_KERNEL, 0), 0);
	EXPECT_EQ(std::vector<u8>(fp, fp + 512), fw);
	EXPECT_FALSE(pgtable_page_owned(fw_pud));
	EXPECT_TRUE(pgtable_page_owned(__pa(pgd)));
}

TEST_F(PgTable, FiveLevel)
{
	paging_set_levels(true);
	pgd_t *pgd = new_pgd();
	virt_addr_t va = 0x0000800000000000UL - SZ_4K;	// 128T - 4K: canonical only with 5 levels
	ASSERT_EQ(map_pages(pgd, va, 0x7000000, 2 * SZ_4K, PAGE_KERNEL, ALL), 0);
	// pgd, then p4d, pud, pmd, pte tables for each side of the 128T boundary
	// (which is a p4d boundary: both sides share the pgd entry 0).
	EXPECT_EQ(pgtable_pages_allocated(), 1UL + 1 + 2 * 3);
	EXPECT_TRUE(pgd_present(pgd[0]));
	p4d_t *p4d = p4d_offset(pgd_offset_pgd(pgd, va), va);
	EXPECT_NE((void *)p4d, (void *)pgd);
	EXPECT_EQ(p4d_index(va), 255UL);
	EXPECT_TRUE(p4d_present(*p4d));
	EXPECT_TRUE(p4d_present(*p4d_offset(pgd_offset_pgd(pgd, va + SZ_4K), va + SZ_4K)));
	pt_translation t;
	ASSERT_TRUE(translate_va(pgd, va + SZ_4K + 8, &t));
	EXPECT_EQ(t.pa, 0x7001008ULL);
	EXPECT_EQ(t.flags, pgprot_val(PAGE_KERNEL));

	// A 1G page in the direct map at the 5-level PAGE_OFFSET, and the top page.
	ASSERT_EQ(map_pages(pgd, page_offset_base + SZ_1G, SZ_1G, SZ_1G, PAGE_KERNEL, ALL), 0);
	ASSERT_TRUE(translate_va(pgd, page_offset_base + SZ_1G + 0xabc, &t));
	EXPECT_EQ(t.level, PG_LEVEL_1G);
	EXPECT_EQ(t.pa, SZ_1G + 0xabc);
	EXPECT_TRUE(pgd_present(pgd[273]));
	EXPECT_EQ(map_pages(pgd, 0x0100000000000000UL, 0, SZ_4K, PAGE_KERNEL, 0), -EINVAL);
	ASSERT_EQ(unmap_pages(pgd, page_offset_base + SZ_1G, SZ_4K), 0);
	EXPECT_EQ(counts(pgd, 0, ~0UL), (V{ 2 + 511, 511, 0 }));

	// The same request is refused with 4 levels, where 128T is non-canonical.
	paging_reset();
	memblock_reset();
	ASSERT_EQ(memblock_add(PAGE_SIZE, PHYS_SIZE - PAGE_SIZE), 0);
	pgd = new_pgd();
	EXPECT_EQ(map_pages(pgd, va, 0x7000000, 2 * SZ_4K, PAGE_KERNEL, ALL), -EINVAL);
}

TEST_F(PgTable, FreeGivesEveryPageBack)
{
	u64 reserved = memblock_reserved_size();
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(map_pages(pgd, 0, 0, 64 * SZ_2M, PAGE_KERNEL, 0), 0);
	ASSERT_EQ(map_pages(pgd, page_offset_base, 0, 3 * SZ_1G + SZ_4K, PAGE_KERNEL, ALL), 0);
	ASSERT_EQ(unmap_pages(pgd, page_offset_base + SZ_4K, SZ_4K), 0);
	// A separately placed block too (bottom-up for one allocation).
	memblock_set_bottom_up(true);
	ASSERT_NE(alloc_low_pages(3), nullptr);
	memblock_set_bottom_up(false);
	unsigned long pages = pgtable_pages_allocated();
	EXPECT_EQ(pages, 1 + 1 + 1 + 64 + 1 + 1 + 1 + 1 + 1 + 3UL);
	EXPECT_EQ(memblock_reserved_size(), reserved + pages * SZ_4K);
	free_pgtable_pages();
	EXPECT_EQ(pgtable_pages_allocated(), 0UL);
	EXPECT_EQ(memblock_reserved_size(), reserved);
	EXPECT_FALSE(pgtable_page_owned(__pa(pgd)));
}

} // namespace
