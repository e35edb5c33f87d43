// paging/head64.cpp: early_top_pgt and init_top_pgt over a firmware-built table,
// 4-level and 5-level.
#include "lib/errno.h"
#include "tests/host/paging_test.h"

using namespace paging_test;

namespace {

constexpr phys_addr_t IMAGE = 0x3401000;	// not 2M-aligned, as a UEFI image

class Head64 : public Paging {
protected:
	std::vector<phys_addr_t> fw_pages;
	phys_addr_t fw_top = 0;
	kernel_image_section sec[4] = {
		{ IMAGE, 0x1000, PAGE_KERNEL_RO, "headers" },
		{ IMAGE + 0x1000, 0x5000, PAGE_KERNEL_RX, "text" },
		{ IMAGE + 0x6000, 0x2000, PAGE_KERNEL_RO, "rodata" },
		{ IMAGE + 0x8000, 0x2800, PAGE_KERNEL, "data" },	// size rounded up
	};

	// A page the "firmware" owns: reserved in memblock, not the library's.
	u64 *fw_page()
	{
		phys_addr_t pa = memblock_phys_alloc(SZ_4K, SZ_4K);
		EXPECT_NE(pa, 0ULL);
		fw_pages.push_back(pa);
		u64 *p = (u64 *)__va(pa);
		memset(p, 0, SZ_4K);
		return p;
	}

	// The firmware's identity map: 4G with 1G pages, plus one 2M page at 512G
	// through a pmd table; a non-present but non-zero slot.
	void build_firmware_tables()
	{
		u64 *top = fw_page();
		fw_top = __pa(top);
		u64 *lower = top;
		if (pgtable_l5_enabled()) {
			lower = fw_page();
			top[0] = (u64)__pa(lower) | _PAGE_TABLE;
		}
		u64 *pud = fw_page();
		for (u64 i = 0; i < 4; i++)
			pud[i] = i * SZ_1G | __PAGE_KERNEL_LARGE_EXEC;
		lower[0] = (u64)__pa(pud) | _PAGE_TABLE;
		u64 *pud1 = fw_page();
		u64 *pmd = fw_page();
		pmd[0] = 0x200000 | __PAGE_KERNEL_LARGE_EXEC | _PAGE_PCD;
		pud1[0] = (u64)__pa(pmd) | _PAGE_TABLE;
		lower[1] = (u64)__pa(pud1) | _PAGE_TABLE;
		if (!pgtable_l5_enabled())
			top[300] = 0x2;	// not present: not copied
	}

	std::vector<u8> fw_bytes()
	{
		std::vector<u8> out;
		for (phys_addr_t pa : fw_pages) {
			const u8 *p = (const u8 *)__va(pa);
			out.insert(out.end(), p, p + SZ_4K);
		}
		return out;
	}

	void expect_image(pgd_t *pgd)
	{
		for (auto &s : sec) {
			for (u64 off = 0; off < round_up(s.size, SZ_4K); off += SZ_4K) {
				pt_translation t;
				virt_addr_t va = __START_KERNEL_va(s.pa + off);
				ASSERT_TRUE(translate_va(pgd, va + 0x10, &t)) << s.name;
				EXPECT_EQ(t.pa, s.pa + off + 0x10);
				EXPECT_EQ(t.level, PG_LEVEL_4K);
				EXPECT_EQ(t.flags, pgprot_val(s.prot)) << s.name;
			}
		}
		pt_translation t;
		EXPECT_FALSE(translate_va(pgd, __START_KERNEL_map, &t));
		EXPECT_FALSE(translate_va(pgd, __START_KERNEL_va(IMAGE + 0xb000), &t));
		// The firmware's identity map, through its shared tables.
		ASSERT_TRUE(translate_va(pgd, 0xc0001234, &t));
		EXPECT_EQ(t.pa, 0xc0001234ULL);
		EXPECT_EQ(t.level, PG_LEVEL_1G);
		ASSERT_TRUE(translate_va(pgd, 512 * SZ_1G + 0x1000, &t));
		EXPECT_EQ(t.pa, 0x201000ULL);
		EXPECT_EQ(t.flags & _PAGE_PCD, _PAGE_PCD);
	}
};

TEST_F(Head64, EarlyAndInitTopPgt)
{
	build_firmware_tables();
	auto fw = fw_bytes();
	u64 reserved = memblock_reserved_size();

	ASSERT_EQ(build_early_top_pgt(fw_top, sec, 4), 0);
	ASSERT_NE(early_top_pgt, nullptr);
	EXPECT_EQ(phys_base, 0x3400000ULL);
	EXPECT_EQ(__START_KERNEL_va(IMAGE), 0xffffffff80001000UL);
	const pgd_t *fwp = (const pgd_t *)__va(fw_top);
	EXPECT_EQ(pgd_val(early_top_pgt[0]), pgd_val(fwp[0]));
	EXPECT_EQ(pgd_val(early_top_pgt[1]), pgd_val(fwp[1]));
	EXPECT_EQ(pgd_val(early_top_pgt[300]), 0ULL);
	EXPECT_EQ(pgd_val(early_top_pgt[511]), (u64)__pa(level3_kernel_pgt) | _PAGE_TABLE);
	EXPECT_EQ(pud_val(level3_kernel_pgt[510]), (u64)__pa(level2_kernel_pgt) | _KERNPG_TABLE);
	EXPECT_TRUE(pmd_present(level2_kernel_pgt[0]));
	EXPECT_FALSE(pmd_present(level2_kernel_pgt[1]));
	EXPECT_EQ(level4_kernel_pgt, nullptr);
	expect_image(early_top_pgt);
	EXPECT_EQ(pgtable_pages_allocated(), 4UL);	// pgd, pud, pmd, one pte table
	for (int i = 2; i < 511; i++) {
		if (i == 300)
			continue;
		EXPECT_EQ(pgd_val(early_top_pgt[i]), 0ULL) << i;
	}

	ASSERT_EQ(build_init_top_pgt(fw_top), 0);
	ASSERT_NE(init_top_pgt, nullptr);
	EXPECT_EQ(init_mm.pgd, init_top_pgt);
	EXPECT_NE(init_top_pgt, early_top_pgt);
	// Slot 511 is shared: the same level3_kernel_pgt.
	EXPECT_EQ(pgd_val(init_top_pgt[511]), pgd_val(early_top_pgt[511]));
	EXPECT_EQ(pgd_val(init_top_pgt[0]), pgd_val(fwp[0]));
	expect_image(init_top_pgt);
	// The direct map of the window's RAM [4K, 64M), not page 0.
	pt_translation t;
	EXPECT_FALSE(translate_va(early_top_pgt, page_offset_base + 0x1000, &t));
	EXPECT_FALSE(translate_va(init_top_pgt, page_offset_base, &t));
	ASSERT_TRUE(translate_va(init_top_pgt, page_offset_base + 0x1000, &t));
	EXPECT_EQ(t.pa, 0x1000ULL);
	EXPECT_EQ(t.flags, pgprot_val(PAGE_KERNEL));
	ASSERT_TRUE(translate_va(init_top_pgt, page_offset_base + PHYS_SIZE - 1, &t));
	EXPECT_EQ(t.pa, PHYS_SIZE - 1);
	EXPECT_EQ(t.level, PG_LEVEL_2M);
	EXPECT_FALSE(translate_va(init_top_pgt, page_offset_base + PHYS_SIZE, &t));
	// init: pgd, pud, pmd, pte for [4K, 2M).
	EXPECT_EQ(pgtable_pages_allocated(), 8UL);

	// The firmware's tables were never written.
	EXPECT_EQ(fw_bytes(), fw);

	auto lines = console_lines();
	auto has = [&](const std::string &s) {
		for (auto &l : lines)
			if (l.find(s) != std::string::npos)
				return true;
		return false;
	};
	char buf[80];
	snprintf(buf, sizeof(buf), "level3_kernel_pgt at %#lx", (u64)__pa(level3_kernel_pgt));
	EXPECT_TRUE(has(buf));
	snprintf(buf, sizeof(buf), "init_top_pgt at %#lx", (u64)__pa(init_top_pgt));
	EXPECT_TRUE(has(buf));
	EXPECT_TRUE(has("init_memory_mapping: [mem 0x00001000-0x03ffffff]"));

	free_pgtable_pages();
	EXPECT_EQ(memblock_reserved_size(), reserved);
	EXPECT_EQ(fw_bytes(), fw);
}

TEST_F(Head64, FirmwareSlotCollisions)
{
	build_firmware_tables();
	u64 *top = (u64 *)__va(fw_top);
	u64 reserved = memblock_reserved_size();

	top[511] = top[1];
	EXPECT_EQ(build_early_top_pgt(fw_top, sec, 4), -EEXIST);
	EXPECT_EQ(early_top_pgt, nullptr);
	EXPECT_EQ(pgtable_pages_allocated(), 0UL);
	EXPECT_EQ(memblock_reserved_size(), reserved);
	auto lines = console_lines();
	ASSERT_FALSE(lines.empty());
	EXPECT_NE(lines[0].find("slot 511"), std::string::npos) << lines[0];

	top[511] = 0;
	top[273] = top[1];
	EXPECT_EQ(build_early_top_pgt(fw_top, sec, 4), -EEXIST);
	EXPECT_EQ(pgtable_pages_allocated(), 0UL);
	top[273] = 0;

	// RAM above 512G needs slot 274 too.
	ASSERT_EQ(memblock_add(600 * SZ_1G, SZ_1G), 0);
	top[274] = top[1];
	EXPECT_EQ(build_early_top_pgt(fw_top, sec, 4), -EEXIST);
	top[274] = 0;
	EXPECT_EQ(memblock_reserved_size(), reserved);

	ASSERT_EQ(build_early_top_pgt(fw_top, sec, 4), 0);
	// init_top_pgt checks the same slots.
	top[274] = top[1];
	EXPECT_EQ(build_init_top_pgt(fw_top), -EEXIST);
	EXPECT_EQ(init_top_pgt, nullptr);
	EXPECT_EQ(pgtable_pages_allocated(), 4UL);
}

TEST_F(Head64, BadRequests)
{
	build_firmware_tables();
	EXPECT_EQ(build_init_top_pgt(fw_top), -EINVAL);	// early_top_pgt first
	kernel_image_section bad[2] = { sec[0], sec[1] };
	bad[1].pa += 0x800;
	EXPECT_EQ(build_early_top_pgt(fw_top, bad, 2), -EINVAL);
	EXPECT_EQ(build_early_top_pgt(fw_top, sec, 0), -EINVAL);
	bad[1] = sec[1];
	bad[1].pa = IMAGE + SZ_1G;
	EXPECT_EQ(build_early_top_pgt(fw_top, bad, 2), -E2BIG);
	EXPECT_EQ(pgtable_pages_allocated(), 0UL);
	// Two sections over the same page with different protections.
	bad[1] = sec[1];
	bad[1].pa = IMAGE;
	EXPECT_EQ(build_early_top_pgt(fw_top, bad, 2), -EEXIST);
	free_pgtable_pages();
	paging_reset();
	ASSERT_EQ(build_early_top_pgt(fw_top, sec, 4), 0);
	EXPECT_EQ(build_early_top_pgt(fw_top, sec, 4), -EINVAL);	// built already
}

TEST_F(Head64, FiveLevel)
{
	paging_set_levels(true);
	page_size_mask = (1u << PG_LEVEL_2M) | (1u << PG_LEVEL_1G);
	build_firmware_tables();
	auto fw = fw_bytes();

	ASSERT_EQ(build_early_top_pgt(fw_top, sec, 4), 0);
	ASSERT_NE(level4_kernel_pgt, nullptr);
	EXPECT_EQ(pgd_val(early_top_pgt[511]), (u64)__pa(level4_kernel_pgt) | _PAGE_TABLE);
	EXPECT_EQ(p4d_val(level4_kernel_pgt[511]), (u64)__pa(level3_kernel_pgt) | _PAGE_TABLE);
	EXPECT_EQ(pud_val(level3_kernel_pgt[510]), (u64)__pa(level2_kernel_pgt) | _KERNPG_TABLE);
	expect_image(early_top_pgt);

	ASSERT_EQ(build_init_top_pgt(fw_top), 0);
	EXPECT_EQ(pgd_val(init_top_pgt[511]), pgd_val(early_top_pgt[511]));
	expect_image(init_top_pgt);
	pt_translation t;
	ASSERT_TRUE(translate_va(init_top_pgt, 0xff11000000000000UL + 0x2345678, &t));
	EXPECT_EQ(t.pa, 0x2345678ULL);
	EXPECT_EQ(t.flags, pgprot_val(PAGE_KERNEL));
	EXPECT_FALSE(translate_va(init_top_pgt, 0xffff888000000000UL + 0x2345678, &t));
	EXPECT_EQ(fw_bytes(), fw);
}

} // namespace
