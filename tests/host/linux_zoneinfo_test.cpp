// The watermarks, lowmem_reserve and pcp limits of a real Linux 6.1, replayed:
// tests/replay/linux-6.1-*.zoneinfo are Debian's kernel on this project's QEMU
// machines (printed by tests/qemu/linux_init.cpp after it made the kernel set
// them again from its final managed pages). Given that kernel's managed pages
// per zone and its min_free_kbytes, __setup_per_zone_wmarks(),
// setup_per_zone_lowmem_reserve() and the pcp set-up here must print the same
// min, low, high, protection, pcp high and batch.
#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/host/page_alloc_test.h"
#include "tests/host/replay_fixture.h"

namespace {

using namespace page_alloc_test;

struct linux_zone {
	unsigned long managed = 0, min = 0, low = 0, high = 0;
	std::vector<long> protection;
	long pcp_high = -1, pcp_batch = -1; // -1: no pageset printed (an empty zone)
};

struct linux_zoneinfo {
	int min_free_kbytes = -1;
	std::map<std::string, linux_zone> zones; // node 0's, by name
};

// Is @line @words and then exactly one more word, left in *rest? "Node 0,
// zone DMA32" against {"Node", "0,", "zone"} leaves "DMA32".
bool words_then(const std::string &line, std::initializer_list<const char *> words, std::string *rest)
{
	std::istringstream ls(line);
	std::string w;
	for (const char *want : words)
		if (!(ls >> w) || w != want)
			return false;
	return bool(ls >> *rest) && !(ls >> w);
}

// An unsigned decimal number and nothing else.
bool number(const std::string &s, unsigned long *v)
{
	if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
		return false;
	*v = std::stoul(s);
	return true;
}

// /proc/zoneinfo's lines for node 0: min_free_kbytes (printed by linux_init),
// each zone's min, low, high, managed, protection and pageset high and batch.
linux_zoneinfo read_zoneinfo(const std::string &name)
{
	linux_zoneinfo info;
	std::ifstream in(replay_fixture::path(name));
	EXPECT_TRUE(in.good()) << "cannot read " << replay_fixture::path(name);
	linux_zone *z = nullptr;
	std::string line, rest;
	unsigned long v;
	while (std::getline(in, line)) {
		if (words_then(line, {"min_free_kbytes"}, &rest) && number(rest, &v)) {
			info.min_free_kbytes = (int)v;
		} else if (line.rfind("Node 0, zone", 0) == 0 && words_then(line, {"Node", "0,", "zone"}, &rest)) {
			z = &info.zones[rest];
		} else if (!z || line.empty() || line[0] != ' ') {
			continue;
		} else if (words_then(line, {"min"}, &rest) && number(rest, &v)) {
			z->min = v;
		} else if (words_then(line, {"low"}, &rest) && number(rest, &v)) {
			z->low = v;
		} else if (words_then(line, {"high"}, &rest) && number(rest, &v)) {
			z->high = v;
		} else if (words_then(line, {"managed"}, &rest) && number(rest, &v)) {
			z->managed = v;
		} else if (words_then(line, {"high:"}, &rest) && number(rest, &v)) {
			z->pcp_high = (long)v;
		} else if (words_then(line, {"batch:"}, &rest) && number(rest, &v)) {
			z->pcp_batch = (long)v;
		} else if (size_t open = line.find("protection: ("); open != std::string::npos &&
			   line.find_first_not_of(' ') == open && line.back() == ')') {
			std::stringstream ss(line.substr(open + 13, line.size() - open - 14));
			std::string item;
			while (std::getline(ss, item, ','))
				z->protection.push_back(std::stol(item));
		}
	}
	return info;
}

class LinuxZoneinfo : public PageAllocBoot, public ::testing::WithParamInterface<const char *> {};

TEST_P(LinuxZoneinfo, WatermarksReserveAndPcpLimitsAsLinuxSetThem)
{
	linux_zoneinfo linux = read_zoneinfo(GetParam());
	ASSERT_GT(linux.min_free_kbytes, 0);
	ASSERT_EQ(linux.zones.count("DMA32"), 1u);
	// DMA, DMA32 and Normal populated; their managed pages are then Linux's.
	ASSERT_EQ(memblock_add(MB, 255 * MB), 0);
	ASSERT_EQ(memblock_add(4 * GB, 512 * MB), 0);
	ASSERT_EQ(memblock_reserve(MB, MB), 0);
	bring_up();
	setup_allocator();
	host_console_take();
	int checked = 0;
	for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
		struct zone *zone = zone_of(0, zid);
		auto it = linux.zones.find(zone->name);
		ASSERT_NE(it, linux.zones.end()) << zone->name;
		zone->managed_pages = it->second.managed;
	}
	min_free_kbytes = linux.min_free_kbytes;
	ASSERT_EQ(watermark_scale_factor, 10);
	setup_per_zone_wmarks();
	setup_per_zone_lowmem_reserve();
	for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
		struct zone *zone = zone_of(0, zid);
		const linux_zone &l = linux.zones[zone->name];
		EXPECT_EQ(min_wmark_pages(zone), l.min) << zone->name;
		EXPECT_EQ(low_wmark_pages(zone), l.low) << zone->name;
		EXPECT_EQ(high_wmark_pages(zone), l.high) << zone->name;
		ASSERT_EQ(l.protection.size(), (size_t)MAX_NR_ZONES) << zone->name;
		for (int j = 0; j < MAX_NR_ZONES; j++)
			EXPECT_EQ(zone->lowmem_reserve[j], l.protection[j]) << zone->name << " protection " << j;
		if (l.pcp_high >= 0) {
			EXPECT_EQ(zone->per_cpu_pageset[0].high, l.pcp_high) << zone->name;
			EXPECT_EQ(zone->per_cpu_pageset[0].batch, l.pcp_batch) << zone->name;
			checked++;
		}
	}
	EXPECT_GE(checked, 2) << "no pagesets in " << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Debian61, LinuxZoneinfo,
			 ::testing::Values("linux-6.1-512M.zoneinfo", "linux-6.1-4G.zoneinfo"),
			 [](const ::testing::TestParamInfo<const char *> &i) {
				 std::string s = i.param;
				 return s.substr(10, s.find('.', 10) - 10);
			 });

} // namespace
