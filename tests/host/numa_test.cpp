// mm/numa.cpp: numa_add_memblk() validation, numa_cleanup_meminfo() merging and
// overlaps, the coverage check and its fallback, NODE_DATA on its own node, and
// the zones of a two-node machine.
#include "tests/host/zones_test.h"

#include "lib/errno.h"
#include "lib/platform.h"
#include "mm/mmzone.h"

namespace {

constexpr u64 GB = SZ_1G;

// What the SRAT parser would add; the test sets it before x86_numa_init().
std::vector<numa_memblk> srat_blocks;
int srat_calls;

int fake_srat_init(void)
{
	srat_calls++;
	for (const numa_memblk &b : srat_blocks) {
		if (numa_add_memblk(b.nid, b.start, b.end) < 0)
			return -EINVAL;
		node_set(b.nid, numa_nodes_parsed);
	}
	return srat_blocks.empty() ? -ENOENT : 0;
}

class Numa : public MmStateTest {
protected:
	void SetUp() override
	{
		MmStateTest::SetUp();
		srat_blocks.clear();
		srat_calls = 0;
	}
	// Low RAM with the usual holes on node 0, 4G..6G on node 1.
	void two_node_machine()
	{
		add_memory({{0x1000, 0x9f000}, {0x100000, 2 * GB}, {4 * GB, 6 * GB}});
		srat_blocks = {{0, 0xa0000, 0}, {0x100000, 2 * GB, 0}, {4 * GB, 6 * GB, 1}};
	}
	int nid_of(phys_addr_t addr)
	{
		struct memblock_region *r;
		for_each_mem_region(r)
			if (r->base <= addr && addr < r->base + r->size)
				return r->nid;
		return -100;
	}
};

TEST_F(Numa, AddMemblkValidates)
{
	EXPECT_EQ(numa_add_memblk(0, 0x1000, 0x1000), 0); // empty: ignored
	EXPECT_EQ(numa_meminfo.nr_blks, 0);
	EXPECT_EQ(numa_add_memblk(-1, 0, 0x1000), -EINVAL);
	EXPECT_EQ(numa_add_memblk(MAX_NUMNODES, 0, 0x1000), -EINVAL);
	EXPECT_EQ(numa_add_memblk(0, 0x2000, 0x1000), -EINVAL);
	EXPECT_NE(host_console_take().find("Warning: invalid memblk node 0 [mem 0x00002000-0x00000fff]"),
		  std::string::npos);
	EXPECT_EQ(numa_meminfo.nr_blks, 0);
	for (int i = 0; i < NR_NODE_MEMBLKS; i++)
		ASSERT_EQ(numa_add_memblk(i % MAX_NUMNODES, phys_addr_t((u64)i << 20), phys_addr_t(((u64)i << 20) + 0x1000)), 0);
	EXPECT_EQ(numa_add_memblk(0, 1ULL << 40, (1ULL << 40) + 0x1000), -ENOSPC);
	EXPECT_NE(host_console_take().find("too many memblk ranges"), std::string::npos);
}

TEST_F(Numa, TwoNodes)
{
	two_node_machine();
	ASSERT_EQ(memblock_reserve(0x200000, 0x1000), 0);
	ASSERT_EQ(memblock_reserve(5 * GB, 0x1000), 0);
	ASSERT_EQ(x86_numa_init(fake_srat_init), 0);
	auto m = take_messages();
	EXPECT_EQ(srat_calls, 1);
	EXPECT_EQ(lines_starting(m, "NUMA: Node 0"),
		  std::vector<std::string>{"NUMA: Node 0 [mem 0x00000000-0x0009ffff] + [mem 0x00100000-0x7fffffff] -> "
					   "[mem 0x00000000-0x7fffffff]"});
	EXPECT_TRUE(lines_starting(m, "No NUMA configuration found").empty());
	EXPECT_EQ(num_online_nodes(), 2);
	EXPECT_TRUE(node_online(0));
	EXPECT_TRUE(node_online(1));

	// NODE_DATA lives on its own node and says so.
	ASSERT_NE(NODE_DATA(0), nullptr);
	ASSERT_NE(NODE_DATA(1), nullptr);
	phys_addr_t pa0 = __pa(NODE_DATA(0)), pa1 = __pa(NODE_DATA(1));
	EXPECT_LT(pa0, 2 * GB);
	EXPECT_GE(pa1, 4 * GB);
	EXPECT_LT(pa1, 6 * GB);
	EXPECT_EQ(early_pfn_to_nid(PFN_DOWN(pa0)), 0);
	EXPECT_EQ(early_pfn_to_nid(PFN_DOWN(pa1)), 1);
	EXPECT_TRUE(memblock_is_reserved(pa0));
	EXPECT_TRUE(memblock_is_reserved(pa1));
	char line[96];
	snprintf(line, sizeof(line), "NODE_DATA(1) allocated [mem %#010llx-%#010llx]", (unsigned long long)pa1,
		 (unsigned long long)(pa1 + round_up(sizeof(pg_data_t), PAGE_SIZE) - 1));
	EXPECT_EQ(lines_starting(m, "NODE_DATA(1)"), std::vector<std::string>{line});
	EXPECT_TRUE(lines_starting(m, "    NODE_DATA").empty());

	// memblock knows the nodes, memory and reservations alike.
	EXPECT_EQ(nid_of(0x1000), 0);
	EXPECT_EQ(nid_of(GB), 0);
	EXPECT_EQ(nid_of(5 * GB), 1);
	// Reservations made before get their node; NODE_DATA itself, allocated
	// after, has none (Linux's dump shows it without "on node" too).
	struct memblock_region *r;
	for_each_reserved_mem_region(r) {
		if (r->base == 0x200000)
			EXPECT_EQ(r->nid, 0);
		else if (r->base == 5 * GB)
			EXPECT_EQ(r->nid, 1);
		else
			EXPECT_EQ(r->nid, NUMA_NO_NODE) << std::hex << r->base;
	}

	zone_sizes_init();
	m = take_messages();
	EXPECT_EQ(lines_starting(m, "  node "), (std::vector<std::string>{
		"  node   0: [mem 0x0000000000001000-0x000000000009efff]",
		"  node   0: [mem 0x0000000000100000-0x000000007fffffff]",
		"  node   1: [mem 0x0000000100000000-0x000000017fffffff]",
	}));
	EXPECT_EQ(lines_starting(m, "Initmem"), (std::vector<std::string>{
		"Initmem setup node 0 [mem 0x0000000000001000-0x000000007fffffff]",
		"Initmem setup node 1 [mem 0x0000000100000000-0x000000017fffffff]",
	}));
	EXPECT_EQ(NODE_DATA(0)->node_zones[ZONE_NORMAL].spanned_pages, 0u);
	EXPECT_EQ(NODE_DATA(1)->node_zones[ZONE_DMA32].spanned_pages, 0u);
	EXPECT_EQ(NODE_DATA(1)->node_zones[ZONE_NORMAL].present_pages, PFN_DOWN(2 * GB));
	EXPECT_EQ(NODE_DATA(1)->node_zones[ZONE_NORMAL].zone_pgdat, NODE_DATA(1));
	EXPECT_EQ(NODE_DATA(1)->node_zones[ZONE_NORMAL].node, 1);
	EXPECT_EQ(get_num_physpages(), 0x9eu + PFN_DOWN(2 * GB) - 0x100 + PFN_DOWN(2 * GB));
	EXPECT_EQ(lines_starting(m, "On node 1 totalpages: 524288").size(), 1u);
	EXPECT_EQ(lines_starting(m, "On node 0, zone"), (std::vector<std::string>{
		"On node 0, zone DMA: 1 pages in unavailable ranges",
		"On node 0, zone DMA: 97 pages in unavailable ranges",
	}));
}

TEST_F(Numa, OverlapAcrossNodesFallsBackToOneNode)
{
	add_memory({{0, 4 * GB}});
	srat_blocks = {{0, 2 * GB, 0}, {GB, 4 * GB, 1}};
	ASSERT_EQ(x86_numa_init(fake_srat_init), 0);
	auto m = take_messages();
	EXPECT_EQ(lines_starting(m, "node 0 "),
		  std::vector<std::string>{"node 0 [mem 0x00000000-0x7fffffff] overlaps with node 1 [mem "
					   "0x40000000-0xffffffff]"});
	EXPECT_EQ(lines_starting(m, "No NUMA configuration found").size(), 1u);
	EXPECT_EQ(lines_starting(m, "Faking a node at"),
		  std::vector<std::string>{"Faking a node at [mem 0x0000000000000000-0x00000000ffffffff]"});
	EXPECT_EQ(num_online_nodes(), 1);
	EXPECT_EQ(nid_of(3 * GB), 0);
}

TEST_F(Numa, OverlapWithItselfIsMerged)
{
	add_memory({{0, 4 * GB}});
	srat_blocks = {{0, 3 * GB, 0}, {2 * GB, 4 * GB, 0}};
	ASSERT_EQ(x86_numa_init(fake_srat_init), 0);
	auto m = take_messages();
	EXPECT_EQ(lines_starting(m, "Warning: node 0 ").size(), 1u);
	EXPECT_EQ(numa_meminfo.nr_blks, 1);
	EXPECT_EQ(numa_meminfo.blk[0].end, 4 * GB);
	EXPECT_TRUE(lines_starting(m, "No NUMA").empty());
}

TEST_F(Numa, NodesMustCoverMemory)
{
	add_memory({{0, 4 * GB}});
	srat_blocks = {{0, 2 * GB, 0}};
	ASSERT_EQ(x86_numa_init(fake_srat_init), 0);
	auto m = take_messages();
	EXPECT_EQ(lines_starting(m, "NUMA: nodes only cover"),
		  std::vector<std::string>{"NUMA: nodes only cover 2048MB of your 4096MB e820 RAM. Not used."});
	EXPECT_EQ(lines_starting(m, "No NUMA configuration found").size(), 1u);
	EXPECT_EQ(num_online_nodes(), 1);
	EXPECT_EQ(nid_of(3 * GB), 0);
}

TEST_F(Numa, OneMegabyteOfSlack)
{
	add_memory({{0, 4 * GB}});
	srat_blocks = {{0, 4 * GB - SZ_1M + PAGE_SIZE, 0}};
	ASSERT_EQ(x86_numa_init(fake_srat_init), 0);
	EXPECT_TRUE(lines_starting(take_messages(), "NUMA: nodes only cover").empty());
}

TEST_F(Numa, BlocksWithoutMemoryAreSetAside)
{
	add_memory({{0, 2 * GB}});
	// Node 1 is a hot-plug range with no memory yet: not a node of its own.
	srat_blocks = {{0, 2 * GB, 0}, {8 * GB, 16 * GB, 1}};
	ASSERT_EQ(x86_numa_init(fake_srat_init), 0);
	EXPECT_EQ(numa_meminfo.nr_blks, 1);
	EXPECT_EQ(num_online_nodes(), 1);
	EXPECT_FALSE(node_online(1));
}

TEST_F(Numa, TinyNodeGetsNoNodeData)
{
	add_memory({{0, 2 * GB}, {2 * GB, 2 * GB + 2 * SZ_1M}});
	srat_blocks = {{0, 2 * GB, 0}, {2 * GB, 2 * GB + 2 * SZ_1M, 1}};
	ASSERT_EQ(x86_numa_init(fake_srat_init), 0);
	EXPECT_TRUE(node_online(0));
	EXPECT_FALSE(node_online(1));
	EXPECT_EQ(NODE_DATA(1), nullptr);
}

TEST_F(Numa, DummyWhenNoSrat)
{
	add_memory({{0x1000, 0x9f000}, {0x100000, 512 * SZ_1M}});
	ASSERT_EQ(x86_numa_init(fake_srat_init), 0); // srat_blocks empty: -ENOENT
	auto m = take_messages();
	EXPECT_EQ(srat_calls, 1);
	EXPECT_EQ(lines_starting(m, "No NUMA configuration found").size(), 1u);
	EXPECT_EQ(lines_starting(m, "Faking a node at"),
		  std::vector<std::string>{"Faking a node at [mem 0x0000000000000000-0x000000001fffffff]"});
	// NODE_DATA: sizeof(pg_data_t) in whole pages, at the top of the node.
	char line[96];
	snprintf(line, sizeof(line), "NODE_DATA(0) allocated [mem %#010llx-0x1fffffff]",
		 (unsigned long long)(512 * SZ_1M - round_up(sizeof(pg_data_t), PAGE_SIZE)));
	EXPECT_EQ(lines_starting(m, line).size(), 1u);
}

TEST_F(Numa, NumaOffSkipsTheSrat)
{
	two_node_machine();
	ASSERT_EQ(numa_setup("off"), 0);
	ASSERT_EQ(x86_numa_init(fake_srat_init), 0);
	auto m = take_messages();
	EXPECT_EQ(srat_calls, 0);
	EXPECT_EQ(lines_starting(m, "NUMA turned off").size(), 1u);
	EXPECT_EQ(num_online_nodes(), 1);
	EXPECT_EQ(numa_setup("banana"), -EINVAL);
	EXPECT_EQ(numa_setup("noacpi"), 0);
	EXPECT_EQ(numa_setup("fake=4"), 0);
}

TEST_F(Numa, OnlineNodeIteration)
{
	nodemask_t m = {};
	node_set(3, m);
	node_set(17, m);
	node_set(63, m);
	std::vector<int> seen;
	int nid;
	for_each_node_mask(nid, m)
		seen.push_back(nid);
	EXPECT_EQ(seen, (std::vector<int>{3, 17, 63}));
	EXPECT_EQ(nodes_weight(m), 3);
	EXPECT_EQ(next_node(0, m), 3);
	EXPECT_EQ(next_node(3, m), 3);
	EXPECT_EQ(next_node(4, m), 17);
	EXPECT_EQ(next_node(63, m), 63);
	EXPECT_EQ(next_node(64, m), MAX_NUMNODES);
	node_set(0, m);
	EXPECT_EQ(next_node(0, m), 0);
	nodemask_t none = {};
	EXPECT_EQ(next_node(0, none), MAX_NUMNODES);
	seen.clear();
	for_each_node_mask(nid, none)
		seen.push_back(nid);
	EXPECT_TRUE(seen.empty());
	node_clear(0, m);
	node_clear(17, m);
	EXPECT_FALSE(node_isset(17, m));
	EXPECT_FALSE(node_online(-1));
}

} // namespace
