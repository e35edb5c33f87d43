// Shared fixture for the sparse / vmemmap host tests: simulated physical memory
// in a memfd ([0, PHYS_SIZE), the __va() window), a vmemmap window covering the
// struct pages of [0, PHYS_LIMIT), and pristine memblock, paging, sparse and
// printk state. Tests lay out memblock themselves (RAM may lie above PHYS_SIZE:
// memblock's current limit keeps every allocation inside the memfd, and a
// section's memory map never needs the RAM it describes).
#pragma once

#include <gtest/gtest.h>
#include <stdio.h>
#include <string.h>

#include <string>
#include <vector>

#include "host/platform.h"
#include "lib/errno.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "mm/memblock.h"
#include "mm/page_flags.h"
#include "mm/sparse.h"
#include "paging/head64.h"
#include "paging/pgtable.h"
#include "tests/host/paging_test.h"
#include "tests/host/types_test.h"

namespace sparse_test {

using paging_test::console_lines;

class Sparse : public ::testing::Test {
protected:
	static constexpr u64 PHYS_SIZE = 256 * SZ_1M;
	static constexpr u64 PHYS_LIMIT = 64 * SZ_1G;
	u8 *phys = nullptr;

	void SetUp() override
	{
		memblock_reset();
		paging_reset();
		sparse_reset();
		printk_reset();
		console_loglevel = CONSOLE_LOGLEVEL_MOTORMOUTH;
		host_console_take();
		phys = (u8 *)host_phys_memfd_create(PHYS_SIZE);
		ASSERT_NE(phys, nullptr);
		ASSERT_EQ((uintptr_t)phys % SZ_1G, 0u);
		ASSERT_NE(host_vmemmap_window_create(PHYS_LIMIT), nullptr);
		memblock_set_current_limit(PHYS_SIZE);
	}

	void TearDown() override
	{
		sparse_reset();
		paging_reset();
		memblock_reset();
		printk_reset();
		host_console_take();
		host_phys_memfd_destroy();
	}

	// Switch to 5-level paging; done before anything is allocated.
	static void five_level()
	{
		paging_set_levels(true);
		sparse_reset();
	}

	pgd_t *new_pgd()
	{
		pgd_t *pgd = (pgd_t *)alloc_low_page();
		EXPECT_NE(pgd, nullptr);
		return pgd;
	}

	// The usual machine: RAM [1M, PHYS_SIZE) on node 0.
	static void add_low_ram(int nid = 0)
	{
		ASSERT_EQ(memblock_add_node(SZ_1M, PHYS_SIZE - SZ_1M, nid, MEMBLOCK_NONE), 0);
	}

	// Reserve everything in [lo, hi) except the given free ranges (sorted).
	static void reserve_except(phys_addr_t lo, phys_addr_t hi,
				   const std::vector<std::pair<phys_addr_t, phys_addr_t>> &free)
	{
		phys_addr_t cur = lo;
		for (auto [s, e] : free) {
			if (s > cur) {
				ASSERT_EQ(memblock_reserve(cur, s - cur), 0);
			}
			cur = e;
		}
		if (hi > cur) {
			ASSERT_EQ(memblock_reserve(cur, hi - cur), 0);
		}
	}

	// What a %p prints here.
	static std::string ptr(const void *p)
	{
		char buf[32];
		snprintf(buf, sizeof(buf), "0x%016lx", (unsigned long)(uintptr_t)p);
		return buf;
	}

	static std::string pmd_line(virt_addr_t va_start, virt_addr_t va_end_excl,
				    phys_addr_t pa_start, phys_addr_t pa_end_excl, int nid)
	{
		char buf[160];
		snprintf(buf, sizeof(buf), " [%lx-%lx] PMD -> [%s-%s] on node %d", va_start.val,
			 (va_end_excl - 1).val, ptr(__va(pa_start)).c_str(),
			 ptr((const u8 *)__va(pa_end_excl - 1)).c_str(), nid);
		return buf;
	}

	static std::string summary(unsigned long pmds, unsigned long base, unsigned long sections)
	{
		char buf[160];
		snprintf(buf, sizeof(buf),
			 "vmemmap: %lu PMDs (2M), %lu base pages, memmap %lu KiB for %lu sections",
			 pmds, base, (pmds * SZ_2M + base * SZ_4K) >> 10, sections);
		return buf;
	}

	// sparse_init()'s last line: the memmap of @sections present sections out
	// of @spanned in [@start, @end), against FLATMEM's mem_map over that span.
	static std::string memory_model(unsigned long sections, unsigned long spanned, u64 start, u64 end,
					unsigned long memmap_kib, unsigned long flatmem_kib)
	{
		char buf[240];
		snprintf(buf, sizeof(buf),
			 "memory model: SPARSEMEM_VMEMMAP, memmap for %lu of the %lu sections in [mem 0x%016lx-0x%016lx]: "
			 "%lu KiB; FLATMEM's mem_map over the same span would be %lu KiB",
			 sections, spanned, start, end - 1, memmap_kib, flatmem_kib);
		return buf;
	}

	// The translation of the struct page of @pfn in @pgd.
	static pt_translation memmap_of(pgd_t *pgd, pfn_t pfn)
	{
		pt_translation t{};
		EXPECT_TRUE(translate_va(pgd, pfn_to_vmemmap_va(pfn), &t)) << "pfn " << pfn;
		return t;
	}

	static bool memmap_mapped(pgd_t *pgd, pfn_t pfn)
	{
		pt_translation t{};
		return translate_va(pgd, pfn_to_vmemmap_va(pfn), &t);
	}
};

} // namespace sparse_test
