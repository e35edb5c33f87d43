// Shared fixtures and helpers for the memblock host tests (in the spirit of
// Linux's tools/testing/memblock: every test starts from a pristine memblock).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

#include "tests/host/types_test.h"
#include "host/platform.h"
#include "lib/printk.h"
#include "mm/memblock.h"

namespace memblock_test {

inline memblock_region &mem(int i) { return memblock.memory.regions[i]; }
inline memblock_region &rsv(int i) { return memblock.reserved.regions[i]; }

// A region as {base, size}, for compact expectations in plain numbers.
struct range {
	u64 base;
	u64 size;
	range(u64 b, u64 s) : base(b), size(s) {}
	range(phys_addr_t b, u64 s) : base(b.val), size(s) {}
	bool operator==(const range &o) const { return base == o.base && size == o.size; }
};

inline void PrintTo(const range &r, std::ostream *os)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "[%#llx +%#llx)", (unsigned long long)r.base,
		 (unsigned long long)r.size);
	*os << buf;
}

inline std::vector<range> regions_of(const memblock_type &type)
{
	std::vector<range> v;
	for (unsigned long i = 0; i < type.cnt; i++)
		v.push_back({ (u64)type.regions[i].base, type.regions[i].size });
	return v;
}

// The console lines printed since the last call, without printk's
// "[    0.000000] " timestamp.
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

// Pristine memblock and printk state around every test.
class Memblock : public ::testing::Test {
protected:
	void SetUp() override
	{
		memblock_reset();
		printk_reset();
		console_loglevel = CONSOLE_LOGLEVEL_MOTORMOUTH;
		host_console_take();
	}

	void TearDown() override
	{
		memblock_reset();
		printk_reset();
		host_console_take();
	}
};

// Plus simulated physical memory [0, PHYS_SIZE) so that __va()/__pa() work
// (needed by memblock_alloc*() and by array doubling). The window is filled
// with 0xaa so that zeroing can be checked.
class MemblockPhys : public Memblock {
protected:
	static constexpr u64 PHYS_SIZE = SZ_16M;
	u8 *phys = nullptr;

	void SetUp() override
	{
		Memblock::SetUp();
		phys = (u8 *)aligned_alloc(SZ_4K, PHYS_SIZE);
		ASSERT_NE(phys, nullptr);
		memset(phys, 0xaa, PHYS_SIZE);
		host_set_phys_window(phys, PHYS_SIZE);
	}

	void TearDown() override
	{
		Memblock::TearDown();
		host_set_phys_window(nullptr, 0);
		free(phys);
	}

	bool all_bytes(phys_addr_t base, u64 size, u8 v) const
	{
		for (u64 i = 0; i < size; i++)
			if (phys[(u64)base + i] != v)
				return false;
		return true;
	}
};

} // namespace memblock_test
