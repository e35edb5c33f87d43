// Shared fixture and helpers for the paging/ host tests: simulated physical
// memory [0, PHYS_SIZE) given to memblock (minus page 0), so that
// alloc_low_pages() works, and pristine paging, memblock and printk state.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <string.h>

#include <map>
#include <string>
#include <vector>

#include "tests/host/types_test.h"
#include "host/platform.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "mm/memblock.h"
#include "paging/head64.h"
#include "paging/init_64.h"
#include "paging/pgtable.h"
#include "paging/ptdump.h"

namespace paging_test {

// The console lines printed since the last call, without the timestamp.
inline std::vector<std::string> console_lines()
{
	std::string out = host_console_take();
	std::vector<std::string> lines;
	size_t pos = 0;
	while (pos < out.size()) {
		size_t nl = out.find('\n', pos);
		std::string line = out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
		pos = nl == std::string::npos ? out.size() : nl + 1;
		if (line.size() > 0 && line[0] == '[') {
			size_t close = line.find("] ");
			if (close != std::string::npos)
				line = line.substr(close + 2);
		}
		lines.push_back(line);
	}
	return lines;
}

class Paging : public ::testing::Test {
protected:
	static constexpr u64 PHYS_SIZE = 64 * SZ_1M;
	u8 *phys = nullptr;

	void SetUp() override
	{
		memblock_reset();
		paging_reset();
		printk_reset();
		console_loglevel = CONSOLE_LOGLEVEL_MOTORMOUTH;
		host_console_take();
		phys = (u8 *)aligned_alloc(SZ_4K, PHYS_SIZE);
		ASSERT_NE(phys, nullptr);
		memset(phys, 0x5a, PHYS_SIZE);
		host_set_phys_window(phys, PHYS_SIZE);
		add_window_memory();
		memblock_set_current_limit(PHYS_SIZE);
	}

	// Overridden by tests that build their own memblock layout.
	virtual void add_window_memory() { ASSERT_EQ(memblock_add(PAGE_SIZE, PHYS_SIZE - PAGE_SIZE), 0); }

	void TearDown() override
	{
		paging_reset();
		memblock_reset();
		printk_reset();
		host_console_take();
		host_set_phys_window(nullptr, 0);
		free(phys);
	}

	pgd_t *new_pgd()
	{
		pgd_t *pgd = (pgd_t *)alloc_low_page();
		EXPECT_NE(pgd, nullptr);
		return pgd;
	}

	// Every table page reachable from @pgd (its own page included) and its bytes.
	std::map<phys_addr_t, std::vector<u8>> tables(pgd_t *pgd)
	{
		std::map<phys_addr_t, std::vector<u8>> out;
		collect(__pa(pgd), PGDIR_SHIFT, out);
		return out;
	}

	void collect(phys_addr_t table, unsigned shift, std::map<phys_addr_t, std::vector<u8>> &out)
	{
		const u8 *p = (const u8 *)__va(table);
		out[table] = std::vector<u8>(p, p + PAGE_SIZE);
		if (shift == PAGE_SHIFT)
			return;
		const u64 *e = (const u64 *)p;
		for (int i = 0; i < 512; i++) {
			if (!(e[i] & _PAGE_PRESENT))
				continue;
			if ((shift == PMD_SHIFT || shift == PUD_SHIFT) && (e[i] & _PAGE_PSE))
				continue;
			collect(phys_addr_t(e[i] & PTE_PFN_MASK), shift - 9, out);
		}
	}

	static std::vector<unsigned long> counts(pgd_t *pgd, virt_addr_t start, virt_addr_t last)
	{
		unsigned long nr[PG_LEVEL_NUM];
		ptdump_count_pages(pgd, start, last, nr);
		return { nr[PG_LEVEL_4K], nr[PG_LEVEL_2M], nr[PG_LEVEL_1G] };
	}
};

} // namespace paging_test
