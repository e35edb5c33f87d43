// mm/srat.cpp: SRAT parsing from crafted tables (QEMU's among them), the PXM -> node
// maps, the exact lines Linux 6.1 prints, and malformed tables rejected without a
// read past the buffer (each table sits in a heap block of exactly its size, so
// ASan reports any overrun).
#include <gtest/gtest.h>

#include <string.h>

#include <memory>
#include <string>
#include <vector>

#include "host/platform.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/memblock.h"
#include "mm/numa.h"
#include "mm/srat.h"
#include "tests/host/paging_test.h"

namespace {

using lines = std::vector<std::string>;

using paging_test::console_lines;

// An SRAT as QEMU's build_srat() lays it out: "BOCHS " / "BXPC    " / "BXPC",
// table revision 1, then the subtables in the order they are added.
class srat_builder {
public:
	explicit srat_builder(u8 revision = 1)
	{
		put("SRAT", 4);
		put32(0); // length, set by bytes()
		put8(revision);
		put8(0); // checksum, set by bytes()
		put("BOCHS ", 6);
		put("BXPC    ", 8);
		put32(1);
		put("BXPC", 4);
		put32(1);
		put32(1); // table revision ("Reserved" = 1 in QEMU)
		put64(0);
	}
	srat_builder &cpu(u8 pxm, u8 apic_id, u32 flags = ACPI_SRAT_CPU_ENABLED)
	{
		put8(ACPI_SRAT_TYPE_CPU_AFFINITY);
		put8(16);
		put8(pxm);
		put8(apic_id);
		put32(flags);
		put8(0); // local SAPIC EID
		put8(0);
		put8(0);
		put8(0); // proximity domain [31:8]
		put32(0); // clock domain
		return *this;
	}
	srat_builder &x2apic(u32 pxm, u32 apic_id, u32 flags = ACPI_SRAT_CPU_ENABLED)
	{
		put8(ACPI_SRAT_TYPE_X2APIC_CPU_AFFINITY);
		put8(24);
		put16(0);
		put32(pxm);
		put32(apic_id);
		put32(flags);
		put32(0);
		put32(0);
		return *this;
	}
	srat_builder &mem(u32 pxm, u64 base, u64 len, u32 flags = ACPI_SRAT_MEM_ENABLED, u8 length = 40)
	{
		size_t start = b.size();
		put8(ACPI_SRAT_TYPE_MEMORY_AFFINITY);
		put8(length);
		put32(pxm);
		put16(0);
		put64(base);
		put64(len);
		put32(0);
		put32(flags);
		put64(0);
		b.resize(start + length); // a short (or long) entry as its length says
		return *this;
	}
	srat_builder &raw(std::vector<u8> bytes)
	{
		b.insert(b.end(), bytes.begin(), bytes.end());
		return *this;
	}
	// The table with its length and checksum filled in.
	std::vector<u8> bytes(bool good_checksum = true) const
	{
		std::vector<u8> t = b;
		u32 len = (u32)t.size();
		memcpy(&t[4], &len, 4);
		t[9] = 0;
		if (good_checksum)
			t[9] = (u8)(0 - acpi_tb_checksum(t.data(), t.size()));
		else
			t[9] = (u8)(0x5a - acpi_tb_checksum(t.data(), t.size()));
		return t;
	}

private:
	std::vector<u8> b;
	void put(const char *s, size_t n) { b.insert(b.end(), s, s + n); }
	void put8(u8 v) { b.push_back(v); }
	void put16(u16 v) { b.insert(b.end(), (u8 *)&v, (u8 *)&v + 2); }
	void put32(u32 v) { b.insert(b.end(), (u8 *)&v, (u8 *)&v + 4); }
	void put64(u64 v) { b.insert(b.end(), (u8 *)&v, (u8 *)&v + 8); }
};

// A heap copy of exactly @n bytes, so that ASan catches a read past the end.
struct exact_buf {
	std::unique_ptr<u8[]> p;
	size_t n;
	exact_buf(const std::vector<u8> &v, size_t n) : p(new u8[n]), n(n) { memcpy(p.get(), v.data(), n); }
	explicit exact_buf(const std::vector<u8> &v) : exact_buf(v, v.size()) {}
};

int parse(const std::vector<u8> &t)
{
	exact_buf buf(t);
	return acpi_numa_parse_srat(buf.p.get(), buf.n);
}

struct blk {
	u64 start, end;
	int nid;
	bool operator==(const blk &o) const { return start == o.start && end == o.end && nid == o.nid; }
};

void PrintTo(const blk &b, std::ostream *os)
{
	char s[80];
	snprintf(s, sizeof(s), "{%#llx, %#llx, node %d}", (unsigned long long)b.start, (unsigned long long)b.end,
		 b.nid);
	*os << s;
}

std::vector<blk> memblks()
{
	std::vector<blk> v;
	for (int i = 0; i < numa_meminfo.nr_blks; i++)
		v.push_back({(u64)numa_meminfo.blk[i].start, (u64)numa_meminfo.blk[i].end, numa_meminfo.blk[i].nid});
	return v;
}

class Srat : public ::testing::Test {
protected:
	void SetUp() override
	{
		printk_reset();
		memblock_reset();
		numa_reset();
		acpi_numa_reset();
		host_console_take();
	}
	void TearDown() override
	{
		memblock_reset();
		numa_reset();
		acpi_numa_reset();
	}
};

TEST_F(Srat, OneNode)
{
	auto t = srat_builder().cpu(0, 0).mem(0, 0, 0xa0000).mem(0, SZ_1M, 511 * SZ_1M).bytes();
	EXPECT_EQ(parse(t), 0);
	EXPECT_EQ(console_lines(), (lines{
					   "SRAT: PXM 0 -> APIC 0x00 -> Node 0",
					   "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]",
					   "ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x1fffffff]",
				   }));
	EXPECT_EQ(memblks(), (std::vector<blk>{{0, 0xa0000, 0}, {SZ_1M, 512 * SZ_1M, 0}}));
	EXPECT_EQ(acpi_srat_stats.cpus, 1u);
	EXPECT_EQ(acpi_srat_stats.memblks, 2u);
	EXPECT_EQ(numa_nodes_parsed.bits, 1u);
	EXPECT_EQ(acpi_srat_revision, 1);
}

// QEMU 7.2 (hw/i386/acpi-build.c build_srat) on q35 with "-smp 2 -numa
// node,mem=1G,cpus=0 -numa node,mem=1G,cpus=1": a processor entry per possible
// CPU, node 0's memory split around the 640K-1M hole, node 1 above it, and disabled
// all-zero entries padding the memory entries to nodes + 2.
std::vector<u8> qemu_two_nodes_1g()
{
	return srat_builder()
		.cpu(0, 0)
		.cpu(1, 1)
		.mem(0, 0, 640 * SZ_1K)
		.mem(0, SZ_1M, SZ_1G - SZ_1M)
		.mem(1, SZ_1G, SZ_1G)
		.mem(0, 0, 0, 0)
		.bytes();
}

TEST_F(Srat, QemuTwoNodes)
{
	auto t = qemu_two_nodes_1g();
	ASSERT_EQ(t.size(), 0xf0u);
	acpi_tb_print_table_header(0x7fb7c000, (const struct acpi_table_header *)t.data());
	EXPECT_EQ(parse(t), 0);
	EXPECT_EQ(console_lines(), (lines{
					   "ACPI: SRAT 0x000000007FB7C000 0000F0 (v01 BOCHS  BXPC     00000001 BXPC 00000001)",
					   "SRAT: PXM 0 -> APIC 0x00 -> Node 0",
					   "SRAT: PXM 1 -> APIC 0x01 -> Node 1",
					   "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]",
					   "ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x3fffffff]",
					   "ACPI: SRAT: Node 1 PXM 1 [mem 0x40000000-0x7fffffff]",
				   }));
	EXPECT_EQ(memblks(), (std::vector<blk>{{0, 0xa0000, 0}, {SZ_1M, SZ_1G, 0}, {SZ_1G, 2 * SZ_1G, 1}}));
	EXPECT_EQ(acpi_srat_stats.cpus, 2u);
	EXPECT_EQ(acpi_srat_stats.memblks, 3u);
	EXPECT_EQ(numa_nodes_parsed.bits, 3u);
	EXPECT_EQ(pxm_to_node(1), 1);
	EXPECT_EQ(node_to_pxm(1), 1);
}

// The SRAT OVMF handed over on QEMU 7.2 with ovmf/run-qemu.sh NUMA=1G,1G SMP=2 (read
// from 0x7F775000 by a throwaway EFI build): exactly what the builder above makes.
const u8 qemu72_srat_1g_1g[] = {
	0x53, 0x52, 0x41, 0x54, 0xf0, 0x00, 0x00, 0x00, 0x01, 0xd4, 0x42, 0x4f,
	0x43, 0x48, 0x53, 0x20, 0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20,
	0x01, 0x00, 0x00, 0x00, 0x42, 0x58, 0x50, 0x43, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x28, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x28, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x28, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

TEST_F(Srat, QemuRealBytes)
{
	std::vector<u8> t(qemu72_srat_1g_1g, qemu72_srat_1g_1g + sizeof(qemu72_srat_1g_1g));
	EXPECT_EQ(t, qemu_two_nodes_1g());
	EXPECT_EQ(parse(t), 0);
	EXPECT_EQ(console_lines(), (lines{
					   "SRAT: PXM 0 -> APIC 0x00 -> Node 0",
					   "SRAT: PXM 1 -> APIC 0x01 -> Node 1",
					   "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]",
					   "ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x3fffffff]",
					   "ACPI: SRAT: Node 1 PXM 1 [mem 0x40000000-0x7fffffff]",
				   }));
}

// The same with "-numa node,mem=2G x2" (4G): q35 keeps 2G below 4G, so node 1's
// memory is moved above the PCI hole, and node 1 has no CPU with "-smp 1".
TEST_F(Srat, QemuTwoNodesAbove4G)
{
	auto t = srat_builder()
			 .cpu(0, 0)
			 .mem(0, 0, 640 * SZ_1K)
			 .mem(0, SZ_1M, 2 * SZ_1G - SZ_1M)
			 .mem(1, SZ_4G, 2 * SZ_1G)
			 .mem(0, 0, 0, 0)
			 .bytes();
	EXPECT_EQ(parse(t), 0);
	EXPECT_EQ(console_lines(), (lines{
					   "SRAT: PXM 0 -> APIC 0x00 -> Node 0",
					   "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]",
					   "ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x7fffffff]",
					   "ACPI: SRAT: Node 1 PXM 1 [mem 0x100000000-0x17fffffff]",
				   }));
	EXPECT_EQ(numa_nodes_parsed.bits, 3u);
}

TEST_F(Srat, PxmToNodeInOrderOfFirstAppearance)
{
	auto t = srat_builder().mem(5, 0, SZ_1G).mem(2, SZ_1G, SZ_1G).mem(5, 2 * SZ_1G, SZ_1G).bytes();
	EXPECT_EQ(parse(t), 0);
	EXPECT_EQ(console_lines(), (lines{
					   "ACPI: SRAT: Node 0 PXM 5 [mem 0x00000000-0x3fffffff]",
					   "ACPI: SRAT: Node 1 PXM 2 [mem 0x40000000-0x7fffffff]",
					   "ACPI: SRAT: Node 0 PXM 5 [mem 0x80000000-0xbfffffff]",
				   }));
	EXPECT_EQ(pxm_to_node(5), 0);
	EXPECT_EQ(pxm_to_node(2), 1);
	EXPECT_EQ(pxm_to_node(3), NUMA_NO_NODE);
	EXPECT_EQ(pxm_to_node(-1), NUMA_NO_NODE);
	EXPECT_EQ(pxm_to_node(MAX_PXM_DOMAINS), NUMA_NO_NODE);
	EXPECT_EQ(node_to_pxm(0), 5);
	EXPECT_EQ(node_to_pxm(1), 2);
	EXPECT_EQ(node_to_pxm(2), PXM_INVAL);
	EXPECT_EQ(node_to_pxm(MAX_NUMNODES), PXM_INVAL);
	EXPECT_EQ(memblks(), (std::vector<blk>{{0, SZ_1G, 0}, {SZ_1G, 2 * SZ_1G, 1}, {2 * SZ_1G, 3 * SZ_1G, 0}}));
}

// acpi_numa_init() parses the processor affinities first: their PXMs get nodes first,
// wherever the memory entries sit in the table.
TEST_F(Srat, ProcessorAffinitiesAllocateNodesFirst)
{
	auto t = srat_builder().mem(5, 0, SZ_1G).mem(2, SZ_1G, SZ_1G).cpu(2, 0).cpu(5, 1).bytes();
	EXPECT_EQ(parse(t), 0);
	EXPECT_EQ(console_lines(), (lines{
					   "SRAT: PXM 2 -> APIC 0x00 -> Node 0",
					   "SRAT: PXM 5 -> APIC 0x01 -> Node 1",
					   "ACPI: SRAT: Node 1 PXM 5 [mem 0x00000000-0x3fffffff]",
					   "ACPI: SRAT: Node 0 PXM 2 [mem 0x40000000-0x7fffffff]",
				   }));
}

TEST_F(Srat, X2apicAffinity)
{
	auto t = srat_builder().x2apic(1, 0x100).x2apic(0, 0x10000).mem(1, 0, SZ_1G).bytes();
	EXPECT_EQ(parse(t), 0);
	EXPECT_EQ(console_lines(), (lines{
					   "SRAT: PXM 1 -> APIC 0x0100 -> Node 0",
					   "SRAT: PXM 0 -> APIC 0x10000 -> Node 1 skipped apicid that is too big",
					   "ACPI: SRAT: Node 0 PXM 1 [mem 0x00000000-0x3fffffff]",
				   }));
	EXPECT_EQ(acpi_srat_stats.cpus, 1u);
}

TEST_F(Srat, DisabledEntriesSkipped)
{
	auto t = srat_builder().cpu(7, 0, 0).mem(7, 0, SZ_1G, 0).mem(3, SZ_1G, SZ_1G).mem(7, 2 * SZ_1G, SZ_1G,
										  ACPI_SRAT_MEM_HOT_PLUGGABLE)
			 .bytes();
	EXPECT_EQ(parse(t), 0);
	EXPECT_EQ(console_lines(), (lines{"ACPI: SRAT: Node 0 PXM 3 [mem 0x40000000-0x7fffffff]"}));
	EXPECT_EQ(pxm_to_node(7), NUMA_NO_NODE);
	EXPECT_EQ(memblks(), (std::vector<blk>{{SZ_1G, 2 * SZ_1G, 0}}));
	EXPECT_EQ(acpi_srat_stats.cpus, 0u);
	EXPECT_EQ(acpi_srat_stats.memblks, 1u);
}

TEST_F(Srat, NoEnabledMemoryIsNoNumaInformation)
{
	auto t = srat_builder().cpu(0, 0).mem(0, 0, SZ_1G, 0).mem(0, 0, 0, 0).bytes();
	EXPECT_EQ(parse(t), -ENOENT);
	EXPECT_EQ(console_lines(), (lines{"SRAT: PXM 0 -> APIC 0x00 -> Node 0"}));
	EXPECT_EQ(numa_meminfo.nr_blks, 0);
	EXPECT_EQ(parse(srat_builder().bytes()), -ENOENT);
	EXPECT_EQ(console_lines(), lines{});
}

TEST_F(Srat, HotplugAndNonVolatile)
{
	memblock_add(0, 4 * SZ_1G);
	host_console_take();
	auto t = srat_builder()
			 .mem(0, 0, SZ_1G)
			 .mem(0, SZ_1G, SZ_1G, ACPI_SRAT_MEM_ENABLED | ACPI_SRAT_MEM_HOT_PLUGGABLE)
			 .mem(1, 2 * SZ_1G, SZ_1G, ACPI_SRAT_MEM_ENABLED | ACPI_SRAT_MEM_NON_VOLATILE)
			 .mem(2, 3 * SZ_1G, SZ_1G,
			      ACPI_SRAT_MEM_ENABLED | ACPI_SRAT_MEM_HOT_PLUGGABLE | ACPI_SRAT_MEM_NON_VOLATILE)
			 .bytes();
	EXPECT_EQ(parse(t), 0);
	EXPECT_EQ(console_lines(), (lines{
					   "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x3fffffff]",
					   "ACPI: SRAT: Node 0 PXM 0 [mem 0x40000000-0x7fffffff] hotplug",
					   "ACPI: SRAT: Node 1 PXM 1 [mem 0x80000000-0xbfffffff] non-volatile",
					   "ACPI: SRAT: Node 2 PXM 2 [mem 0xc0000000-0xffffffff] hotplug non-volatile",
				   }));
	EXPECT_EQ(acpi_srat_stats.hotplug, 2u);
	// memblock_mark_hotplug() split memory at the hot-pluggable ranges.
	std::vector<std::pair<u64, bool>> regions;
	struct memblock_region *r;
	for_each_mem_region(r)
		regions.push_back({(u64)r->base, memblock_is_hotpluggable(r)});
	EXPECT_EQ(regions, (std::vector<std::pair<u64, bool>>{
				   {0, false}, {SZ_1G, true}, {2 * SZ_1G, false}, {3 * SZ_1G, true}}));
}

// Up to revision 1, a memory affinity's PXM is its low 8 bits (Linux ignores the rest).
TEST_F(Srat, Revision1MemoryPxmIs8Bit)
{
	EXPECT_EQ(parse(srat_builder(1).mem(0x305, 0, SZ_1G).bytes()), 0);
	EXPECT_EQ(console_lines(), (lines{"ACPI: SRAT: Node 0 PXM 5 [mem 0x00000000-0x3fffffff]"}));

	numa_reset();
	EXPECT_EQ(parse(srat_builder(3).mem(0x305, 0, SZ_1G).bytes()), -ENOENT);
	EXPECT_EQ(console_lines(), (lines{
					   "ACPI: SRAT: Too many proximity domains.",
					   "ACPI: SRAT: SRAT not used.",
				   }));
}

TEST_F(Srat, TooManyProximityDomains)
{
	srat_builder b(2);
	for (u32 pxm = 0; pxm <= (u32)MAX_NUMNODES; pxm++)
		b.mem(pxm, pxm * SZ_1G, SZ_1G);
	EXPECT_EQ(parse(b.bytes()), -EINVAL);
	lines l = console_lines();
	ASSERT_EQ(l.size(), (size_t)MAX_NUMNODES + 2);
	EXPECT_EQ(l[0], "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x3fffffff]");
	EXPECT_EQ(l[MAX_NUMNODES - 1], "ACPI: SRAT: Node 63 PXM 63 [mem 0xfc0000000-0xfffffffff]");
	EXPECT_EQ(l[MAX_NUMNODES], "ACPI: SRAT: Too many proximity domains.");
	EXPECT_EQ(l[MAX_NUMNODES + 1], "ACPI: SRAT: SRAT not used.");
	EXPECT_EQ(pxm_to_node(MAX_NUMNODES), NUMA_NO_NODE);
	EXPECT_EQ(acpi_srat_stats.memblks, (unsigned)MAX_NUMNODES);
}

TEST_F(Srat, ShortEntriesRejectTheSrat)
{
	// A memory affinity shorter than 40 bytes, inside the table.
	EXPECT_EQ(parse(srat_builder().mem(0, 0, SZ_1G).mem(1, SZ_1G, SZ_1G, ACPI_SRAT_MEM_ENABLED, 32).bytes()),
		  -EINVAL);
	EXPECT_EQ(console_lines(), (lines{
					   "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x3fffffff]",
					   "ACPI: SRAT: Unexpected header length: 32",
					   "ACPI: SRAT: SRAT not used.",
				   }));
	// A processor affinity of the wrong length: no message of its own in Linux.
	numa_reset();
	EXPECT_EQ(parse(srat_builder().raw({0, 8, 0, 0, 1, 0, 0, 0}).mem(0, 0, SZ_1G).bytes()), -ENOENT);
	EXPECT_EQ(console_lines(), (lines{"ACPI: SRAT: SRAT not used."}));
	EXPECT_EQ(numa_meminfo.nr_blks, 0);
}

TEST_F(Srat, ZeroLengthSubtable)
{
	auto t = srat_builder().mem(0, 0, SZ_1G).raw({1, 0, 0, 0}).mem(1, SZ_1G, SZ_1G).bytes();
	EXPECT_EQ(parse(t), -EINVAL);
	EXPECT_EQ(console_lines(), (lines{
					   "ACPI: [SRAT:0x01] Invalid zero length",
					   "ACPI: SRAT: SRAT not used.",
				   }));
	EXPECT_EQ(numa_meminfo.nr_blks, 0);
}

TEST_F(Srat, SubtableOverrunningTheTable)
{
	// The last memory affinity says 40 bytes; the table ends 20 bytes into it.
	auto full = srat_builder().mem(0, 0, SZ_1G).mem(1, SZ_1G, SZ_1G).bytes();
	std::vector<u8> t(full.begin(), full.end() - 20);
	u32 len = (u32)t.size();
	memcpy(&t[4], &len, 4);
	t[9] = 0;
	t[9] = (u8)(0 - acpi_tb_checksum(t.data(), t.size()));
	EXPECT_EQ(parse(t), -EINVAL);
	EXPECT_EQ(console_lines(),
		  (lines{
			  "ACPI: [Firmware Bug]: [SRAT:0x01] subtable at offset 0x58 of length 40 runs past the table's end at 0x6c",
			  "ACPI: SRAT: SRAT not used.",
		  }));
	EXPECT_EQ(numa_meminfo.nr_blks, 0);
}

// Linux's walk stops when no room is left beyond a subtable header: one or two
// trailing bytes are ignored, not read as a subtable.
TEST_F(Srat, TrailingBytesIgnored)
{
	EXPECT_EQ(parse(srat_builder().mem(0, 0, SZ_1G).raw({1, 40}).bytes()), 0);
	EXPECT_EQ(console_lines(), (lines{"ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x3fffffff]"}));
}

TEST_F(Srat, OtherSubtableTypesSkipped)
{
	std::vector<u8> generic_initiator(32, 0);
	generic_initiator[0] = ACPI_SRAT_TYPE_GENERIC_AFFINITY;
	generic_initiator[1] = 32;
	std::vector<u8> gicc(18, 0);
	gicc[0] = ACPI_SRAT_TYPE_GICC_AFFINITY;
	gicc[1] = 18;
	EXPECT_EQ(parse(srat_builder().raw(generic_initiator).raw(gicc).mem(0, 0, SZ_1G).bytes()), 0);
	EXPECT_EQ(console_lines(), (lines{"ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x3fffffff]"}));
}

TEST_F(Srat, BadHeader)
{
	auto good = srat_builder().mem(0, 0, SZ_1G).bytes();

	// Shorter than a table header.
	EXPECT_EQ(acpi_numa_parse_srat(good.data(), 0), -EINVAL);
	EXPECT_EQ(acpi_numa_parse_srat(nullptr, 100), -EINVAL);
	exact_buf small(good, 20);
	EXPECT_EQ(acpi_numa_parse_srat(small.p.get(), small.n), -EINVAL);
	EXPECT_EQ(console_lines(), (lines{
					   "ACPI: SRAT: 0 bytes cannot hold a table header",
					   "ACPI: SRAT: 100 bytes cannot hold a table header",
					   "ACPI: SRAT: 20 bytes cannot hold a table header",
				   }));

	// Not an SRAT.
	auto apic = good;
	memcpy(&apic[0], "AP\x01" "C", 4);
	EXPECT_EQ(parse(apic), -EINVAL);
	EXPECT_EQ(console_lines(), (lines{"ACPI: SRAT: table signature is [AP?C], not [SRAT]"}));

	// The header claims more than the buffer holds (a truncated copy).
	exact_buf truncated(good, good.size() - 1);
	EXPECT_EQ(acpi_numa_parse_srat(truncated.p.get(), truncated.n), -EINVAL);
	EXPECT_EQ(console_lines(),
		  (lines{
			  "ACPI: [Firmware Bug]: SRAT: invalid table length 0x58 (0x57 bytes mapped, 0x30 at least)",
			  "ACPI: SRAT: SRAT not used.",
		  }));

	// A length too small for the SRAT's fixed part.
	auto tiny = good;
	u32 len = 40;
	memcpy(&tiny[4], &len, 4);
	EXPECT_EQ(parse(tiny), -EINVAL);
	EXPECT_EQ(console_lines(),
		  (lines{
			  "ACPI: [Firmware Bug]: SRAT: invalid table length 0x28 (0x58 bytes mapped, 0x30 at least)",
			  "ACPI: SRAT: SRAT not used.",
		  }));
	EXPECT_EQ(numa_meminfo.nr_blks, 0);

	// A buffer longer than the table: only the table is parsed.
	auto longer = good;
	longer.resize(good.size() + 64, 0xff);
	EXPECT_EQ(parse(longer), 0);
	EXPECT_EQ(console_lines(), (lines{"ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x3fffffff]"}));
}

// ACPICA only warns about a bad checksum (ACPI_CHECKSUM_ABORT is off) and Linux uses
// the table; so does acpi_numa_parse_srat().
TEST_F(Srat, BadChecksumWarnsAndParses)
{
	auto t = srat_builder().mem(0, 0, SZ_1G).bytes(false);
	u8 stored = t[9];
	t[9] = 0;
	u8 should_be = (u8)(0 - acpi_tb_checksum(t.data(), t.size()));
	t[9] = stored;
	ASSERT_NE(stored, should_be);
	EXPECT_EQ(parse(t), 0);
	char want[128];
	snprintf(want, sizeof(want),
		 "ACPI BIOS Warning (bug): Incorrect checksum in table [SRAT] - 0x%02X, should be 0x%02X", stored,
		 should_be);
	EXPECT_EQ(console_lines(), (lines{want, "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x3fffffff]"}));
}

TEST_F(Srat, ParsingAgainStartsAfresh)
{
	EXPECT_EQ(parse(srat_builder().mem(4, 0, SZ_1G).raw({1, 0, 0}).bytes()), -EINVAL);
	EXPECT_TRUE(srat_disabled());
	host_console_take();
	numa_reset();
	EXPECT_EQ(parse(srat_builder().mem(9, 0, SZ_1G).bytes()), 0);
	EXPECT_FALSE(srat_disabled());
	EXPECT_EQ(pxm_to_node(9), 0);
	EXPECT_EQ(pxm_to_node(4), NUMA_NO_NODE);
	acpi_numa_reset();
	EXPECT_EQ(pxm_to_node(9), NUMA_NO_NODE);
	EXPECT_EQ(node_to_pxm(0), PXM_INVAL);
}

// ACPICA's acpi_tb_print_table_header() lines, as on OVMF under QEMU.
TEST(AcpiTableHeader, Formats)
{
	printk_reset();
	host_console_take();

	struct acpi_table_rsdp rsdp = {};
	memcpy(rsdp.signature, "RSD PTR ", 8);
	memcpy(rsdp.oem_id, "BOCHS ", 6);
	rsdp.revision = 2;
	rsdp.length = 36;
	acpi_tb_print_table_header(0x7fbfa014, (const struct acpi_table_header *)&rsdp);
	rsdp.revision = 0;
	acpi_tb_print_table_header(0xf5a60, (const struct acpi_table_header *)&rsdp);

	struct acpi_table_header xsdt = {};
	memcpy(xsdt.signature, "XSDT", 4);
	xsdt.length = 0x5c;
	xsdt.revision = 1;
	memcpy(xsdt.oem_id, "BOCHS ", 6);
	memcpy(xsdt.oem_table_id, "BXPC    ", 8);
	xsdt.oem_revision = 1;
	xsdt.asl_compiler_revision = 0x1000013; // asl_compiler_id all NULs
	acpi_tb_print_table_header(0x7fbf90e8, &xsdt);

	struct acpi_table_header odd = xsdt;
	memcpy(odd.signature, "S\x7fT\x01", 4);
	memcpy(odd.oem_id, "AB\0DEF", 6);
	acpi_tb_print_table_header(0x123456789abcULL, &odd);

	u8 facs[64] = {'F', 'A', 'C', 'S', 0x40};
	acpi_tb_print_table_header(0x7fbdd000, (const struct acpi_table_header *)facs);

	EXPECT_EQ(console_lines(), (lines{
					   "ACPI: RSDP 0x000000007FBFA014 000024 (v02 BOCHS )",
					   "ACPI: RSDP 0x00000000000F5A60 000014 (v00 BOCHS )",
					   "ACPI: XSDT 0x000000007FBF90E8 00005C (v01 BOCHS  BXPC     00000001      01000013)",
					   "ACPI: S?T? 0x0000123456789ABC 00005C (v01 AB     BXPC     00000001      01000013)",
					   "ACPI: FACS 0x000000007FBDD000 000040",
				   }));
}

TEST(AcpiTableHeader, Checksum)
{
	const u8 bytes[] = {1, 2, 3, 250};
	EXPECT_EQ(acpi_tb_checksum(bytes, 4), 0);
	EXPECT_EQ(acpi_tb_checksum(bytes, 3), 6);
	EXPECT_EQ(acpi_tb_checksum(bytes, 0), 0);
}

} // namespace
