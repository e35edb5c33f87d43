// tools/dmesg.cpp: the dmesg parser, and the replay of real Linux boots
// (tests/replay/*.dmesg: Debian's 6.1 on this project's QEMU machines, and real
// machines) whose zone, node, unavailable-range and Memory lines must come out
// as their kernel printed them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/platform.h"
#include "tests/host/replay_fixture.h"
#include "tests/host/zones_test.h"
#include "tools/dmesg.h"

namespace {

// The lines free_area_init() and x86_numa_init() print, in order.
bool is_zone_line(const std::string &l)
{
	static const char *const prefixes[] = {
		"Zone ranges:", "  DMA ", "  DMA32 ", "  Normal ", "  Movable ", "  Device ",
		"Movable zone start for each node", "  Node ", "Early memory node ranges", "  node ",
		"Initmem setup node", "No NUMA configuration found", "NUMA turned off", "Faking a node at",
	};
	for (const char *p : prefixes)
		if (l.rfind(p, 0) == 0)
			return !(l.rfind("  DMA zone:", 0) == 0 || l.rfind("  DMA32 zone:", 0) == 0 ||
				 l.rfind("  Normal zone:", 0) == 0 || l.rfind("  Movable zone:", 0) == 0);
	return l.rfind("On node ", 0) == 0 && l.find("pages in unavailable ranges") != std::string::npos;
}

std::vector<std::string> zone_lines(const std::vector<std::string> &lines)
{
	std::vector<std::string> out;
	for (const std::string &l : lines)
		if (is_zone_line(l))
			out.push_back(l);
	return out;
}

// The second number of "Memory: %luK/%luK available".
std::string physpages_k(const std::vector<std::string> &lines)
{
	for (const std::string &l : lines) {
		if (l.rfind("Memory: ", 0) != 0)
			continue;
		size_t slash = l.find('/'), k = l.find("K available");
		if (slash != std::string::npos && k != std::string::npos)
			return l.substr(slash + 1, k - slash - 1);
	}
	return "";
}

std::string last_pfn(const std::vector<std::string> &lines)
{
	for (const std::string &l : lines)
		if (l.rfind("last_pfn = ", 0) == 0)
			return l; // the first one: e820__end_of_ram_pfn()
	return "";
}

class Replay : public ::testing::Test {
protected:
	void SetUp() override
	{
		printk_reset();
		host_console_take();
	}
	void TearDown() override
	{
		memblock_reset();
		e820_reset();
		numa_reset();
		mm_init_reset();
	}
	std::vector<std::string> run(const std::string &text, const replay_options &opt = {})
	{
		dmesg_parse(text, &log);
		EXPECT_EQ(replay_dmesg(log, opt), 0);
		return console_messages(host_console_take());
	}
	dmesg_log log;
};

class ReplayLinux61 : public Replay, public ::testing::WithParamInterface<const char *> {};

TEST_P(ReplayLinux61, ZoneLinesAndPhyspagesMatchTheKernel)
{
	std::string text = replay_fixture::read(GetParam());
	dmesg_log linux_log;
	dmesg_parse(text, &linux_log);
	std::vector<std::string> expected = zone_lines(linux_log.messages);
	// The fixture must hold what is compared: the whole block, one node at least
	// and at least one unavailable range.
	ASSERT_GE(expected.size(), 12u);
	ASSERT_FALSE(lines_starting(expected, "Initmem setup node 0").empty());
	ASSERT_FALSE(lines_starting(expected, "On node 0, zone").empty());
	std::string expected_k = physpages_k(linux_log.messages);
	ASSERT_FALSE(expected_k.empty());

	std::vector<std::string> ours = run(text);

	// mm/e820.cpp follows Linux >= 6.11, whose e820__end_ram_pfn() counts ACPI
	// data too; 6.1 counts RAM only. They differ only when mem= cuts RAM below an
	// ACPI data range (the mem=256M capture): then max_pfn, the fake node and the
	// top zone end there.
	std::string linux_last = last_pfn(linux_log.messages), our_last = last_pfn(ours);
	ASSERT_FALSE(linux_last.empty());
	if (linux_last != our_last) {
		EXPECT_STREQ(GetParam(), "linux-6.1-512M-mem256M.dmesg") << linux_last << " vs " << our_last;
		EXPECT_EQ(linux_last, "last_pfn = 0x10000 max_arch_pfn = 0x400000000");
		EXPECT_EQ(our_last, "last_pfn = 0x1f77e max_arch_pfn = 0x400000000");
		for (std::string &l : expected) {
			if (l == "Faking a node at [mem 0x0000000000000000-0x000000000fffffff]")
				l = "Faking a node at [mem 0x0000000000000000-0x000000001f77dfff]";
			if (l == "  DMA32    [mem 0x0000000001000000-0x000000000fffffff]")
				l = "  DMA32    [mem 0x0000000001000000-0x000000001f77dfff]";
		}
	}

	EXPECT_EQ(zone_lines(ours), expected);
	EXPECT_EQ(physpages_k(ours), expected_k);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ReplayLinux61,
			 ::testing::Values("linux-6.1-160M.dmesg", "linux-6.1-192M.dmesg", "linux-6.1-256M.dmesg",
					   "linux-6.1-512M.dmesg", "linux-6.1-4G.dmesg",
					   "linux-6.1-512M-mem256M.dmesg", "linux-6.1-512M-memmap.dmesg",
					   "linux-6.1-512M-memmap256M.dmesg"),
			 [](const ::testing::TestParamInfo<const char *> &info) {
				 std::string n = info.param;
				 n = n.substr(10, n.size() - 10 - 6); // after "linux-6.1-", before ".dmesg"
				 for (char &c : n)
					 if (c == '-')
						 c = '_';
				 return "m" + n;
			 });

// Boots of real machines (tests/replay/real-*.dmesg, sources in docs/replay.md):
// laptops, a desktop and two-socket servers, kernels 5.14 to 6.18, their
// firmware's e820 tables as they came. What depends on the table, the command
// line and the SRAT must come out as the kernel printed it. Two of the kernels
// were built without some options, which removes lines ours always print.
struct real_machine {
	const char *fixture;
	bool zone_device; // CONFIG_ZONE_DEVICE: "  Device   empty"
	bool numa;        // CONFIG_NUMA: "No NUMA configuration found", "Faking a node at"
	unsigned nodes;   // nodes the SRAT gives (1 without one)
	bool la57;        // 5-level paging: max_arch_pfn = 0x10000000000
};
void PrintTo(const real_machine &m, std::ostream *os)
{
	*os << m.fixture;
}

class ReplayRealMachine : public Replay, public ::testing::WithParamInterface<real_machine> {};

TEST_P(ReplayRealMachine, ZoneLinesLastPfnAndPhyspagesMatchTheKernel)
{
	const real_machine &m = GetParam();
	std::string text = replay_fixture::read(m.fixture);
	dmesg_log linux_log;
	dmesg_parse(text, &linux_log);
	std::vector<std::string> expected = zone_lines(linux_log.messages);
	ASSERT_GE(expected.size(), 12u);
	ASSERT_EQ(lines_starting(expected, "Initmem setup node").size(), m.nodes);
	ASSERT_GE(lines_starting(expected, "On node 0, zone").size(), 2u);
	std::string expected_k = physpages_k(linux_log.messages);
	ASSERT_FALSE(expected_k.empty());
	EXPECT_EQ(linux_log.la57, m.la57);

	std::vector<std::string> ours = run(text);
	std::vector<std::string> got = zone_lines(ours);
	// What the kernel's configuration left out, and only that.
	auto drop = [&got](const char *prefix) {
		size_t before = got.size();
		std::erase_if(got, [prefix](const std::string &l) { return l.rfind(prefix, 0) == 0; });
		EXPECT_EQ(before - got.size(), 1u) << prefix;
	};
	if (!m.zone_device)
		drop("  Device ");
	if (!m.numa) {
		drop("No NUMA configuration found");
		drop("Faking a node at");
	}

	EXPECT_EQ(got, expected);
	EXPECT_EQ(last_pfn(ours), last_pfn(linux_log.messages));
	EXPECT_EQ(physpages_k(ours), expected_k);
}

INSTANTIATE_TEST_SUITE_P(
	Fixtures, ReplayRealMachine,
	::testing::Values(real_machine{ "real-lenovo-82gk-5.19.dmesg", true, true, 1, false },
			  real_machine{ "real-lenovo-ideapad-320-15ikb-5.15.dmesg", false, false, 1, false },
			  real_machine{ "real-lenovo-thinkpad-w520-6.12.dmesg", true, true, 1, false },
			  real_machine{ "real-lenovo-yoga-83jr-6.18.dmesg", true, true, 1, false },
			  real_machine{ "real-msi-x99a-6.14.dmesg", true, true, 1, false },
			  real_machine{ "real-supermicro-x11dai-2node-6.6.dmesg", false, true, 2, false },
			  real_machine{ "real-supermicro-h13dsg-2node-5.14el9.dmesg", true, true, 2, true }),
	[](const ::testing::TestParamInfo<real_machine> &info) {
		std::string n = info.param.fixture;
		n = n.substr(5, n.size() - 5 - 6); // after "real-", before ".dmesg"
		for (char &c : n)
			if (c == '-' || c == '.')
				c = '_';
		return n;
	});

TEST_F(Replay, EfiMemoryMapAloneGivesTheSameZones)
{
	std::string with_e820 = replay_fixture::read("linux-6.1-512M.dmesg");
	dmesg_log linux_log;
	dmesg_parse(with_e820, &linux_log);

	std::vector<std::string> ours = run(replay_fixture::read("linux-6.1-512M-efi-only.dmesg"));
	EXPECT_TRUE(log.bios_e820.empty());
	EXPECT_EQ(log.efi_mem.size(), 234u);
	EXPECT_EQ(lines_starting(ours, "BIOS-e820: "), lines_starting(linux_log.messages, "BIOS-e820: "));
	EXPECT_EQ(zone_lines(ours), zone_lines(linux_log.messages));
}

TEST_F(Replay, MemblockMemoryIsTheKernels)
{
	// The memmap= capture: the kernel image range is put back as RAM after the
	// memmap= hole (e820_add_kernel_range()), so no hole appears at 32M.
	std::vector<std::string> ours = run(replay_fixture::read("linux-6.1-512M-memmap.dmesg"));
	ASSERT_EQ(log.events.size(), 5u);
	EXPECT_EQ(log.events[2].kind, dmesg_e820_event::KERNEL_RANGE);
	EXPECT_TRUE(log.events[2].after_userdef);
	EXPECT_EQ(log.events[2].start, 0x1600000u);
	EXPECT_EQ(log.events[2].size, 0x3e30000u - 0x1600000u);
	EXPECT_FALSE(lines_starting(ours, ".text .data .bss are not marked as E820_TYPE_RAM!").empty());
	EXPECT_TRUE(memblock_is_region_memory(0x900000, 0x1ea00000 - 0x900000));
}

TEST_F(Replay, CommandLineOptionsAreAppended)
{
	replay_options opt;
	opt.extra_cmdline = "mem=256M kernelcore=128M";
	std::vector<std::string> ours = run(replay_fixture::read("linux-6.1-512M.dmesg"), opt);
	EXPECT_EQ(lines_starting(ours, "Command line: ").at(0).find("mem=256M kernelcore=128M") != std::string::npos,
		  true);
	EXPECT_FALSE(lines_starting(ours, "user-defined physical RAM map:").empty());
	EXPECT_EQ(lines_starting(ours, "  Node 0: ").size(), 1u);
	EXPECT_FALSE(memblock_is_memory(0x10000000));
}

TEST_F(Replay, SratLinesMakeNodes)
{
	std::string text =
		"[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable\n"
		"[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable\n"
		"[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000017fffffff] usable\n"
		"[    0.000000] ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]\n"
		"[    0.000000] ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x7fffffff]\n"
		"[    0.000000] SRAT: Node 1 PXM 1 [mem 0x100000000-0x17fffffff] hotplug\n";
	std::vector<std::string> ours = run(text);
	ASSERT_EQ(log.srat.size(), 3u);
	EXPECT_TRUE(log.srat[2].hotplug);
	EXPECT_EQ(log.srat[2].node, 1);
	EXPECT_EQ(log.srat[2].end, 0x180000000u);
	EXPECT_EQ(lines_starting(ours, "Initmem setup node"), (std::vector<std::string>{
		"Initmem setup node 0 [mem 0x0000000000001000-0x000000007fffffff]",
		"Initmem setup node 1 [mem 0x0000000100000000-0x000000017fffffff]",
	}));
	replay_options off;
	off.numa_off = true;
	ours = run(text, off);
	EXPECT_EQ(lines_starting(ours, "NUMA turned off").size(), 1u);
}

TEST(DmesgPrefix, EveryFormOfTheSameLine)
{
	const char *const forms[] = {
		"[    0.000000] Zone ranges:",
		"<6>[    0.000000] Zone ranges:",
		"<6>Zone ranges:",
		"kernel: [    0.000000] Zone ranges:",
		"kernel: Zone ranges:",
		"Jan  2 03:04:05 myhost kernel: [    0.000000] Zone ranges:",
		"Jan 12 03:04:05 myhost kernel: Zone ranges:",
		"2024-01-02T03:04:05+0100 myhost kernel: Zone ranges:",
		"2024-01-02T03:04:05.123456+01:00 myhost kernel: [    0.000000] Zone ranges:",
		"[Tue Jan  2 03:04:05 2024] Zone ranges:",
		"Zone ranges:",
		"[    0.000000] Zone ranges:\r",
	};
	for (const char *f : forms) {
		std::string msg;
		EXPECT_TRUE(dmesg_strip_prefix(f, &msg)) << f;
		EXPECT_EQ(msg, "Zone ranges:") << f;
	}
	std::string msg;
	EXPECT_FALSE(dmesg_strip_prefix("Jan 12 03:04:05 myhost systemd[1]: Zone ranges:", &msg));
	// A message that starts with brackets of its own keeps them.
	EXPECT_TRUE(dmesg_strip_prefix("[    1.000000] [Firmware Bug]: TSC doesn't count", &msg));
	EXPECT_EQ(msg, "[Firmware Bug]: TSC doesn't count");
}

TEST(DmesgParse, E820TablesInEveryWidth)
{
	dmesg_log log;
	dmesg_parse("[    0.000000] Command line: root=/dev/sda mem=1G\n"
		    "[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		    "[    0.000000] BIOS-e820: [mem 0x0009fc00-0x0009ffff] reserved\n"
		    "[    0.000000]  BIOS-e820: 00000000000f0000 - 0000000000100000 (reserved)\n"
		    "[    0.000000]  BIOS-e820: 0000000000100000 - 000000003fff0000 (usable)\n"
		    "[    0.000000] BIOS-e820: [mem 0x000000003fff0000-0x000000003fffffff] ACPI data\n"
		    "[    0.000000] BIOS-e820: [mem 0x0000000040000000-0x000000004fffffff] persistent (type 12)\n"
		    "[    0.000000] BIOS-e820: [mem 0x0000000050000000-0x000000005fffffff] soft reserved\n"
		    "[    0.000000] BIOS-e820: [mem 0x0000000060000000-0x000000006fffffff] banana\n"
		    "[    0.000000] something else\n"
		    "[    0.000000] BIOS-e820: [mem 0x0000000070000000-0x000000007fffffff] usable\n"
		    "[    0.000000] Kernel command line: ignored=1\n",
		    &log);
	EXPECT_EQ(log.cmdline, "root=/dev/sda mem=1G");
	ASSERT_EQ(log.bios_e820.size(), 7u);
	EXPECT_EQ(log.bios_e820[0].size, 0x9fc00u);
	EXPECT_EQ(log.bios_e820[1].addr, 0x9fc00u);
	EXPECT_EQ(log.bios_e820[1].type, E820_TYPE_RESERVED);
	EXPECT_EQ(log.bios_e820[2].addr, 0xf0000u);
	EXPECT_EQ(log.bios_e820[2].size, 0x10000u); // old format: exclusive end
	EXPECT_EQ(log.bios_e820[3].type, E820_TYPE_RAM);
	EXPECT_EQ(log.bios_e820[4].type, E820_TYPE_ACPI);
	EXPECT_EQ(log.bios_e820[5].type, E820_TYPE_PRAM);
	EXPECT_EQ(log.bios_e820[6].type, E820_TYPE_SOFT_RESERVED);
	// The table ended at "something else": a later BIOS-e820 line is not part of it.
}

TEST(DmesgParse, E820ChangesUntilMemblockIsSetUp)
{
	dmesg_log log;
	dmesg_parse("BIOS-e820: [mem 0x0000000000000000-0x000000007fffffff] usable\n"
		    "e820: update [mem 0x1de30018-0x1de39c57] usable ==> usable\n"
		    "e820: remove [mem 0x10000000-0xfffffffffffffffe] usable\n"
		    "user-defined physical RAM map:\n"
		    ".text .data .bss are not marked as E820_TYPE_RAM!\n"
		    "e820: remove [mem 0x01600000-0x03e2ffff] \n"
		    "e820: update [mem 0x00000000-0x00000fff] usable ==> reserved\n"
		    "e820 update range: 0000000000000000 - 0000000000010000 (usable) ==> (reserved)\n"
		    "e820 remove range: 00000000000a0000 - 0000000000100000 (usable)\n"
		    "e820: remove [mem 0x20000000-0x2fffffff] \n"
		    "MEMBLOCK configuration:\n"
		    "esrt: Reserving ESRT space from 0x000000007b1d1a18 to 0x000000007b1d1a50.\n"
		    "e820: update [mem 0x7b1d1000-0x7b1d1fff] usable ==> reserved\n",
		    &log);
	ASSERT_EQ(log.events.size(), 7u);
	EXPECT_EQ(log.events[0].kind, dmesg_e820_event::UPDATE);
	EXPECT_EQ(log.events[0].old_type, E820_TYPE_RAM);
	EXPECT_EQ(log.events[0].new_type, E820_TYPE_RESERVED_KERN);
	EXPECT_EQ(log.events[0].size, 0x1de39c58u - 0x1de30018u);
	EXPECT_FALSE(log.events[0].after_userdef);
	EXPECT_EQ(log.events[1].kind, dmesg_e820_event::REMOVE);
	EXPECT_TRUE(log.events[1].check_type);
	EXPECT_EQ(log.events[1].start + log.events[1].size, 0xffffffffffffffffu);
	EXPECT_EQ(log.events[2].kind, dmesg_e820_event::KERNEL_RANGE);
	EXPECT_TRUE(log.events[2].after_userdef);
	EXPECT_EQ(log.events[3].new_type, E820_TYPE_RESERVED);
	EXPECT_EQ(log.events[4].size, 0x10000u);
	EXPECT_EQ(log.events[5].kind, dmesg_e820_event::REMOVE);
	EXPECT_EQ(log.events[5].start, 0xa0000u);
	EXPECT_EQ(log.events[6].kind, dmesg_e820_event::REMOVE); // no warning before it
	EXPECT_FALSE(log.events[6].check_type);
	EXPECT_TRUE(log.frozen);
	EXPECT_EQ(log.ignored_after_freeze, 1u);
}

TEST(DmesgParse, EfiMemoryDescriptors)
{
	dmesg_log log;
	dmesg_parse("[    0.000000] efi: mem07: [Conventional|   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] "
		    "range=[0x0000000001500000-0x0000000017bfffff] (359MB)\n"
		    "[    0.000000] efi: mem80: [Runtime Data|RUN|  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] "
		    "range=[0x000000001eaa0000-0x000000001eba1fff] (1MB)\n"
		    "[    0.000000] efi: mem81: [Conventional|   |  |  |SP|  |  |  |  |  |  |   |WB|WT|WC|UC] "
		    "range=[0x0000000100000000-0x00000001ffffffff] (4096MB)\n",
		    &log);
	ASSERT_EQ(log.efi_mem.size(), 3u);
	EXPECT_EQ(log.efi_mem[0].type, (u32)EFI_CONVENTIONAL_MEMORY);
	EXPECT_EQ(log.efi_mem[0].phys_addr, 0x1500000u);
	EXPECT_EQ(log.efi_mem[0].num_pages, (0x17c00000u - 0x1500000u) >> 12);
	EXPECT_EQ(log.efi_mem[0].attribute, EFI_MEMORY_WB | EFI_MEMORY_WT | EFI_MEMORY_WC | EFI_MEMORY_UC);
	EXPECT_EQ(log.efi_mem[1].type, (u32)EFI_RUNTIME_SERVICES_DATA);
	EXPECT_TRUE(log.efi_mem[1].attribute & EFI_MEMORY_RUNTIME);
	EXPECT_TRUE(log.efi_mem[2].attribute & EFI_MEMORY_SP);
}

TEST(DmesgParse, E820TypeNames)
{
	e820_type t;
	EXPECT_TRUE(dmesg_parse_e820_type("(ACPI NVS)", &t));
	EXPECT_EQ(t, E820_TYPE_NVS);
	EXPECT_TRUE(dmesg_parse_e820_type("unusable", &t));
	EXPECT_EQ(t, E820_TYPE_UNUSABLE);
	EXPECT_TRUE(dmesg_parse_e820_type("type 17", &t));
	EXPECT_EQ((u32)t, 17u);
	EXPECT_FALSE(dmesg_parse_e820_type("usable-ish", &t));
}

} // namespace
