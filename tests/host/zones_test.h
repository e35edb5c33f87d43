// Shared by the zone, NUMA and replay suites: a clean mm state with simulated RAM
// behind __va(), and the console split into messages.
#pragma once

#include <gtest/gtest.h>

#include <sys/mman.h>

#include <string>
#include <vector>

#include "tests/host/types_test.h"
#include "host/platform.h"
#include "lib/printk.h"
#include "mm/e820.h"
#include "mm/memblock.h"
#include "mm/mm_init.h"
#include "mm/numa.h"

// The console's lines without the "[    0.000000] " timestamp.
inline std::vector<std::string> console_messages(const std::string &out)
{
	std::vector<std::string> lines;
	size_t pos = 0;
	while (pos < out.size()) {
		size_t nl = out.find('\n', pos);
		std::string l = out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
		pos = nl == std::string::npos ? out.size() : nl + 1;
		if (l.size() > 15 && l[0] == '[' && l[14] == ' ')
			l = l.substr(15);
		lines.push_back(l);
	}
	return lines;
}

inline std::vector<std::string> lines_starting(const std::vector<std::string> &lines, const char *prefix)
{
	std::vector<std::string> out;
	for (const std::string &l : lines)
		if (l.rfind(prefix, 0) == 0)
			out.push_back(l);
	return out;
}

class MmStateTest : public ::testing::Test {
protected:
	static constexpr size_t WINDOW = 64ULL << 30; // address space only (MAP_NORESERVE)

	void SetUp() override
	{
		window = mmap(nullptr, WINDOW, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			      -1, 0);
		ASSERT_NE(window, MAP_FAILED);
		host_set_phys_window(window, WINDOW);
		printk_reset();
		memblock_reset();
		e820_reset();
		numa_reset();
		mm_init_reset();
		host_console_take();
	}
	void TearDown() override
	{
		host_set_phys_window(nullptr, 0);
		munmap(window, WINDOW);
		memblock_reset();
		e820_reset();
		numa_reset();
		mm_init_reset();
	}

	// memblock.memory = @ranges ([start, end) in bytes), max_pfn = the end.
	void add_memory(std::initializer_list<std::pair<u64, u64>> ranges)
	{
		for (const auto &r : ranges)
			ASSERT_EQ(memblock_add(phys_addr_t(r.first), r.second - r.first), 0);
		max_pfn = max_low_pfn = PFN_DOWN(memblock_end_of_DRAM());
	}

	std::vector<std::string> take_messages() { return console_messages(host_console_take()); }

	void *window = MAP_FAILED;
};
