// mm/efi_memmap.cpp: EFI memory map -> e820 as Linux's x86 EFI stub (setup_e820)
// does it, the validation of firmware descriptors, and efi=debug printing.
#include <gtest/gtest.h>
#include <string.h>

#include <string>
#include <vector>

#include "host/platform.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/e820.h"
#include "tests/host/e820_test.h"
#include "mm/efi_memmap.h"

namespace {

std::vector<std::string> console_lines()
{
	std::string s = host_console_take();
	std::vector<std::string> lines;
	size_t pos = 0;
	while (pos < s.size()) {
		size_t nl = s.find('\n', pos);
		std::string line = s.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
		const std::string stamp = "[    0.000000] ";
		if (line.compare(0, stamp.size(), stamp) == 0)
			line = line.substr(stamp.size());
		lines.push_back(line);
		if (nl == std::string::npos)
			break;
		pos = nl + 1;
	}
	return lines;
}

efi_memory_desc_t desc(u32 type, u64 phys, u64 pages, u64 attr = EFI_MEMORY_WB)
{
	efi_memory_desc_t d;
	memset(&d, 0, sizeof(d));
	d.type = type;
	d.phys_addr = phys;
	d.num_pages = pages;
	d.attribute = attr;
	return d;
}

// A firmware-style buffer: descriptors every @desc_size bytes, the bytes between
// them (and the pad and virt_addr fields) filled with junk, starting @offset bytes
// into the vector so that the map need not be aligned.
struct fw_map {
	std::vector<u8> buf;
	size_t offset;
	size_t size;
	const void *data() const { return buf.data() + offset; }
};

fw_map make_map(const std::vector<efi_memory_desc_t> &descs, size_t desc_size = 48,
		size_t offset = 0)
{
	fw_map m;
	m.offset = offset;
	m.size = descs.size() * desc_size;
	m.buf.assign(offset + m.size, 0xa5);
	for (size_t i = 0; i < descs.size(); i++) {
		efi_memory_desc_t d = descs[i];
		d.pad = 0xdeadbeef;
		d.virt_addr = 0x5a5a5a5a5a5a5a5aULL;
		memcpy(m.buf.data() + offset + i * desc_size, &d, sizeof(d));
	}
	return m;
}

constexpr u32 RAM = E820_TYPE_RAM;
constexpr u32 RES = E820_TYPE_RESERVED;
constexpr u32 ACPI = E820_TYPE_ACPI;
constexpr u32 NVS = E820_TYPE_NVS;

struct e820_table out;
struct e820_table before;

class EfiMemmap : public ::testing::Test {
protected:
	void SetUp() override
	{
		e820_reset();
		printk_reset();
		console_loglevel = 8;
		host_console_take();
		efi_nosoftreserve = false;
		// A recognisable pattern: a failed conversion must leave all of it.
		memset(&out, 0x3c, sizeof(out));
		out.nr_entries = 7;
		memcpy(&before, &out, sizeof(out));
	}
	void TearDown() override
	{
		efi_nosoftreserve = false;
		e820_reset();
		printk_reset();
		host_console_take();
	}
	int convert(const fw_map &m, size_t desc_size = 48, u32 version = 1)
	{
		return efi_memmap_to_e820(m.data(), m.size, desc_size, version, &out);
	}
	bool out_untouched() { return memcmp(&out, &before, sizeof(out)) == 0; }
};

TEST_F(EfiMemmap, EveryTypeMapsLikeSetupE820)
{
	// One descriptor per type, with gaps between them so that nothing merges.
	struct {
		u32 efi;
		u32 e820; // 0: left out
	} cases[] = {
		{EFI_RESERVED_TYPE, RES},
		{EFI_LOADER_CODE, RAM},
		{EFI_LOADER_DATA, RAM},
		{EFI_BOOT_SERVICES_CODE, RAM},
		{EFI_BOOT_SERVICES_DATA, RAM},
		{EFI_RUNTIME_SERVICES_CODE, RES},
		{EFI_RUNTIME_SERVICES_DATA, RES},
		{EFI_CONVENTIONAL_MEMORY, RAM},
		{EFI_UNUSABLE_MEMORY, E820_TYPE_UNUSABLE},
		{EFI_ACPI_RECLAIM_MEMORY, ACPI},
		{EFI_ACPI_MEMORY_NVS, NVS},
		{EFI_MEMORY_MAPPED_IO, RES},
		{EFI_MEMORY_MAPPED_IO_PORT_SPACE, RES},
		{EFI_PAL_CODE, RES},
		{EFI_PERSISTENT_MEMORY, E820_TYPE_PMEM},
		{EFI_UNACCEPTED_MEMORY, 0},
		{EFI_MAX_MEMORY_TYPE, 0},     // undefined: left out, as setup_e820()
		{0x12345, 0},                 // undefined: left out
		{0x70000000, 0},              // OEM: left out
		{0x80000001, 0},              // OS loader: left out
		{0xffffffff, 0},
	};
	std::vector<efi_memory_desc_t> descs;
	std::vector<range> want;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		u64 phys = 0x100000 * (i + 1);
		descs.push_back(desc(cases[i].efi, phys, 2));
		if (cases[i].e820)
			want.push_back({phys, 0x2000, cases[i].e820});
	}
	ASSERT_EQ(convert(make_map(descs)), 0);
	EXPECT_EQ(entries_of(&out), want);

	std::vector<std::string> log = console_lines();
	ASSERT_EQ(log.size(), 3u);
	EXPECT_EQ(log[0], "efi: mem15: unaccepted memory [0x0000000001000000-0x0000000001001fff] "
			  "left out: accepting memory is not supported");
	EXPECT_EQ(log[1], "efi: [Firmware Bug]: mem16: invalid memory type 0x10, left out of e820");
	EXPECT_EQ(log[2], "efi: [Firmware Bug]: mem17: invalid memory type 0x12345, left out of e820");
}

TEST_F(EfiMemmap, SpecificPurposeMemoryIsSoftReserved)
{
	auto m = make_map({desc(EFI_CONVENTIONAL_MEMORY, 0x100000000ULL, 0x1000, EFI_MEMORY_WB | EFI_MEMORY_SP),
			   desc(EFI_BOOT_SERVICES_DATA, 0x200000000ULL, 0x10, EFI_MEMORY_SP),
			   desc(EFI_MEMORY_MAPPED_IO, 0x300000000ULL, 0x10, EFI_MEMORY_SP),
			   desc(EFI_CONVENTIONAL_MEMORY, 0x400000000ULL, 0x10, EFI_MEMORY_WB)});
	ASSERT_EQ(convert(m), 0);
	EXPECT_EQ(entries_of(&out),
		  (std::vector<range>{{0x100000000ULL, 0x1000000, E820_TYPE_SOFT_RESERVED},
				      {0x200000000ULL, 0x10000, E820_TYPE_SOFT_RESERVED},
				      {0x300000000ULL, 0x10000, RES},
				      {0x400000000ULL, 0x10000, RAM}}));

	efi_nosoftreserve = true;
	ASSERT_EQ(convert(m), 0);
	EXPECT_EQ(entries_of(&out), (std::vector<range>{{0x100000000ULL, 0x1000000, RAM},
						       {0x200000000ULL, 0x10000, RAM},
						       {0x300000000ULL, 0x10000, RES},
						       {0x400000000ULL, 0x10000, RAM}}));
}

TEST_F(EfiMemmap, ContiguousSameTypeDescriptorsMerge)
{
	auto m = make_map({desc(EFI_CONVENTIONAL_MEMORY, 0x0, 0x10),
			   desc(EFI_BOOT_SERVICES_DATA, 0x10000, 0x10),
			   desc(EFI_LOADER_CODE, 0x20000, 0x10),
			   desc(EFI_RUNTIME_SERVICES_DATA, 0x30000, 0x1),
			   desc(EFI_RESERVED_TYPE, 0x31000, 0x1),
			   desc(EFI_CONVENTIONAL_MEMORY, 0x32000, 0x1),
			   // gap: same type, not contiguous
			   desc(EFI_CONVENTIONAL_MEMORY, 0x40000, 0x1),
			   // contiguous but before the previous one: the stub only looks back one
			   desc(EFI_CONVENTIONAL_MEMORY, 0x3f000, 0x1),
			   // a zero-page descriptor is skipped and does not break merging
			   desc(EFI_CONVENTIONAL_MEMORY, 0x99000, 0),
			   desc(EFI_CONVENTIONAL_MEMORY, 0x40000, 0x1),
			   // an unaccepted range in between is left out: no merge across it
			   desc(EFI_UNACCEPTED_MEMORY, 0x41000, 0x1),
			   desc(EFI_CONVENTIONAL_MEMORY, 0x42000, 0x1)});
	ASSERT_EQ(convert(m), 0);
	EXPECT_EQ(entries_of(&out), (std::vector<range>{{0x0, 0x30000, RAM},
						       {0x30000, 0x2000, RES},
						       {0x32000, 0x1000, RAM},
						       {0x40000, 0x1000, RAM},
						       {0x3f000, 0x2000, RAM},
						       {0x42000, 0x1000, RAM}}));
	std::vector<std::string> log = console_lines();
	EXPECT_EQ(log[0], "efi: [Firmware Bug]: mem08: descriptor of zero pages at 0x0000000000099000 ignored");
}

TEST_F(EfiMemmap, DescriptorStrideIsTheFirmwares)
{
	std::vector<efi_memory_desc_t> descs = {
		desc(EFI_CONVENTIONAL_MEMORY, 0x0, 0xa0),
		desc(EFI_ACPI_MEMORY_NVS, 0x100000, 0x8),
		desc(EFI_CONVENTIONAL_MEMORY, 0x108000, 0x100),
		desc(EFI_MEMORY_MAPPED_IO, 0xffc00000, 0x400, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME)};
	std::vector<range> want = {{0x0, 0xa0000, RAM},
				   {0x100000, 0x8000, NVS},
				   {0x108000, 0x100000, RAM},
				   {0xffc00000, 0x400000, RES}};
	for (size_t stride : {40, 48, 56, 64, 4096}) {
		for (size_t offset : {0, 1, 4}) {
			memset(&out, 0, sizeof(out));
			ASSERT_EQ(convert(make_map(descs, stride, offset), stride), 0)
				<< "stride " << stride << " offset " << offset;
			EXPECT_EQ(entries_of(&out), want) << "stride " << stride << " offset " << offset;
		}
	}
	// Reading the same buffer with the wrong stride gives garbage: the stride matters.
	auto m48 = make_map(descs, 48);
	memset(&out, 0, sizeof(out));
	int r = efi_memmap_to_e820(m48.data(), 40 * 4, 40, 1, &out);
	EXPECT_TRUE(r != 0 || entries_of(&out) != want);
}

TEST_F(EfiMemmap, InvalidGeometryIsRejected)
{
	auto m = make_map({desc(EFI_CONVENTIONAL_MEMORY, 0x0, 1), desc(EFI_CONVENTIONAL_MEMORY, 0x1000, 1),
			   desc(EFI_CONVENTIONAL_MEMORY, 0x2000, 1)},
			  48);
	for (size_t bad : {0, 8, 24, 36, 39, 44, 52}) {
		EXPECT_EQ(efi_memmap_to_e820(m.data(), m.size, bad, 1, &out), -EINVAL) << bad;
		EXPECT_TRUE(out_untouched()) << bad;
	}
	EXPECT_EQ(console_lines()[0],
		  "efi: memory map: descriptor size 0 is invalid (at least 40, a multiple of 8)");

	EXPECT_EQ(efi_memmap_to_e820(m.data(), m.size - 8, 48, 1, &out), -EINVAL);
	EXPECT_EQ(efi_memmap_to_e820(m.data(), 47, 48, 1, &out), -EINVAL);
	EXPECT_EQ(efi_memmap_to_e820(m.data(), 0, 48, 1, &out), -EINVAL);
	EXPECT_EQ(efi_memmap_to_e820(nullptr, m.size, 48, 1, &out), -EINVAL);
	EXPECT_TRUE(out_untouched());
	EXPECT_EQ(console_lines(),
		  (std::vector<std::string>{
			  "efi: memory map: size 136 is not a multiple of the descriptor size 48",
			  "efi: memory map: size 47 is not a multiple of the descriptor size 48",
			  "efi: memory map: empty",
			  "efi: memory map: no buffer"}));
	EXPECT_EQ(efi_memmap_to_e820(m.data(), m.size, 48, 1, nullptr), -EINVAL);
}

TEST_F(EfiMemmap, MisalignedDescriptorIsRejected)
{
	auto m = make_map({desc(EFI_CONVENTIONAL_MEMORY, 0x0, 1), desc(EFI_CONVENTIONAL_MEMORY, 0x1800, 1)});
	EXPECT_EQ(convert(m), -EINVAL);
	EXPECT_TRUE(out_untouched());
	EXPECT_EQ(console_lines(), (std::vector<std::string>{
					   "efi: mem01: physical address 0x0000000000001800 is not 4 KiB aligned"}));
}

TEST_F(EfiMemmap, DescriptorsBeyondThePhysicalAddressSpaceAreRejected)
{
	const u64 limit = 1ULL << 52;
	struct {
		u64 phys, pages;
	} bad[] = {
		{0xfffffffffffff000ULL, 2},      // wraps around 2^64
		{0x0, 1ULL << 52},               // num_pages << 12 overflows
		{0x1000, ~0ULL},
		{limit, 1},                      // starts at 2^52
		{limit - 0x1000, 2},             // ends one page above
	};
	for (auto &b : bad) {
		auto m = make_map({desc(EFI_CONVENTIONAL_MEMORY, 0x0, 1), desc(EFI_RESERVED_TYPE, b.phys, b.pages)});
		EXPECT_EQ(convert(m), -ERANGE) << std::hex << b.phys << " " << b.pages;
		EXPECT_TRUE(out_untouched());
	}
	EXPECT_EQ(console_lines()[0],
		  "efi: mem01: [0xfffffffffffff000 + 2 pages] reaches beyond the 52-bit physical address space");

	// Ending exactly at 2^52 is fine.
	auto m = make_map({desc(EFI_CONVENTIONAL_MEMORY, 0x0, 1), desc(EFI_RESERVED_TYPE, limit - 0x2000, 2)});
	ASSERT_EQ(convert(m), 0);
	EXPECT_EQ(entries_of(&out), (std::vector<range>{{0x0, 0x1000, RAM}, {limit - 0x2000, 0x2000, RES}}));
}

TEST_F(EfiMemmap, UnexpectedDescriptorVersionOnlyWarns)
{
	auto m = make_map({desc(EFI_CONVENTIONAL_MEMORY, 0x0, 1)});
	ASSERT_EQ(convert(m, 48, 2), 0);
	EXPECT_EQ(entries_of(&out), (std::vector<range>{{0x0, 0x1000, RAM}}));
	EXPECT_EQ(console_lines(), (std::vector<std::string>{"efi: Unexpected EFI_MEMORY_DESCRIPTOR version 2"}));
}

TEST_F(EfiMemmap, ThousandsOfDescriptors)
{
	// 3000 contiguous descriptors alternating RAM and reserved: 3000 entries.
	std::vector<efi_memory_desc_t> descs;
	for (u64 i = 0; i < 3000; i++)
		descs.push_back(desc(i % 2 ? EFI_RUNTIME_SERVICES_DATA : EFI_BOOT_SERVICES_DATA,
				     0x100000 + i * 0x3000, 3));
	ASSERT_EQ(convert(make_map(descs)), 0);
	ASSERT_EQ(out.nr_entries, 3000u);
	std::vector<range> got = entries_of(&out);
	for (u32 i = 0; i < 3000; i++)
		ASSERT_EQ(got[i], (range{0x100000 + i * 0x3000ULL, 0x3000, i % 2 ? RES : RAM})) << i;

	// 20000 contiguous RAM-like descriptors of assorted types: one entry.
	descs.clear();
	const u32 ram_types[] = {EFI_CONVENTIONAL_MEMORY, EFI_LOADER_CODE, EFI_LOADER_DATA,
				 EFI_BOOT_SERVICES_CODE, EFI_BOOT_SERVICES_DATA};
	for (u64 i = 0; i < 20000; i++)
		descs.push_back(desc(ram_types[i % 5], 0x100000000ULL + i * 0x1000, 1));
	ASSERT_EQ(convert(make_map(descs)), 0);
	EXPECT_EQ(entries_of(&out), (std::vector<range>{{0x100000000ULL, 20000 * 0x1000ULL, RAM}}));

	// Then sanitized and printed through e820.
	ASSERT_EQ(e820__memory_setup(&out), 0);
	EXPECT_EQ(e820_table->nr_entries, 1u);
}

TEST_F(EfiMemmap, TooManyEntriesIsE2big)
{
	std::vector<efi_memory_desc_t> descs;
	for (u64 i = 0; i < E820_MAX_ENTRIES; i++)
		descs.push_back(desc(EFI_CONVENTIONAL_MEMORY, i * 0x2000, 1));
	ASSERT_EQ(convert(make_map(descs)), 0);
	EXPECT_EQ(out.nr_entries, E820_MAX_ENTRIES);

	memcpy(&before, &out, sizeof(out));
	descs.push_back(desc(EFI_CONVENTIONAL_MEMORY, E820_MAX_ENTRIES * 0x2000ULL, 1));
	EXPECT_EQ(convert(make_map(descs)), -E2BIG);
	EXPECT_TRUE(out_untouched());
	EXPECT_EQ(console_lines(), (std::vector<std::string>{
					   "efi: memory map needs more than E820_MAX_ENTRIES (3200) e820 entries"}));
	// One more descriptor that merges still fits.
	descs.back() = desc(EFI_CONVENTIONAL_MEMORY, (E820_MAX_ENTRIES - 1) * 0x2000ULL + 0x1000, 1);
	EXPECT_EQ(convert(make_map(descs)), 0);
}

TEST_F(EfiMemmap, TypeAttrFormat)
{
	char buf[64];
	efi_memory_desc_t d = desc(EFI_CONVENTIONAL_MEMORY, 0, 1,
				   EFI_MEMORY_UC | EFI_MEMORY_WC | EFI_MEMORY_WT | EFI_MEMORY_WB);
	EXPECT_STREQ(efi_md_typeattr_format(buf, sizeof(buf), &d),
		     "[Conventional|   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]");

	d = desc(EFI_RUNTIME_SERVICES_CODE, 0, 1,
		 EFI_MEMORY_RUNTIME | EFI_MEMORY_MORE_RELIABLE | EFI_MEMORY_CPU_CRYPTO | EFI_MEMORY_SP |
			 EFI_MEMORY_NV | EFI_MEMORY_XP | EFI_MEMORY_RP | EFI_MEMORY_WP | EFI_MEMORY_RO |
			 EFI_MEMORY_UCE);
	EXPECT_STREQ(efi_md_typeattr_format(buf, sizeof(buf), &d),
		     "[Runtime Code|RUN|  |MR|CC|SP|NV|XP|RP|WP|RO|UCE|  |  |  |  ]");

	d = desc(EFI_MEMORY_MAPPED_IO, 0, 1, 0);
	EXPECT_STREQ(efi_md_typeattr_format(buf, sizeof(buf), &d),
		     "[MMIO        |   |  |  |  |  |  |  |  |  |  |   |  |  |  |  ]");

	// Hot-pluggable has its own column, right after RUN (as Linux prints it).
	d = desc(EFI_CONVENTIONAL_MEMORY, 0, 1, EFI_MEMORY_WB | EFI_MEMORY_HOT_PLUGGABLE);
	EXPECT_STREQ(efi_md_typeattr_format(buf, sizeof(buf), &d),
		     "[Conventional|   |HP|  |  |  |  |  |  |  |  |   |WB|  |  |  ]");

	// Unknown attribute bits: the raw value instead of the columns.
	d = desc(EFI_UNACCEPTED_MEMORY, 0, 1, EFI_MEMORY_WB | (1ULL << 21));
	EXPECT_STREQ(efi_md_typeattr_format(buf, sizeof(buf), &d), "[Unaccepted  |attr=0x0000000000200008]");

	// Unknown type: its number, unpadded. With the HP column the line is 65 bytes,
	// one more than the 64-byte buffer Linux's efi_print_memmap() uses too, so the
	// closing bracket is cut there as here.
	d = desc(0x70000001, 0, 1, EFI_MEMORY_UC);
	EXPECT_STREQ(efi_md_typeattr_format(buf, sizeof(buf), &d),
		     "[type=1879048193|   |  |  |  |  |  |  |  |  |  |   |  |  |  |UC");

	// Too small a buffer: truncated, still terminated.
	char small[8];
	EXPECT_STREQ(efi_md_typeattr_format(small, sizeof(small), &d), "[type=1");
}

// ---- a realistic OVMF map (QEMU q35, 512 MiB) --------------------------------------

std::vector<efi_memory_desc_t> ovmf_q35_512m()
{
	const u64 WB = EFI_MEMORY_UC | EFI_MEMORY_WC | EFI_MEMORY_WT | EFI_MEMORY_WB;
	const u64 RT = WB | EFI_MEMORY_RUNTIME;
	return {
		desc(EFI_CONVENTIONAL_MEMORY, 0x0, 0xa0, WB),
		desc(EFI_CONVENTIONAL_MEMORY, 0x100000, 0x700, WB),
		desc(EFI_ACPI_MEMORY_NVS, 0x800000, 0x8, WB),
		desc(EFI_CONVENTIONAL_MEMORY, 0x808000, 0x3, WB),
		desc(EFI_ACPI_MEMORY_NVS, 0x80b000, 0x1, WB),
		desc(EFI_CONVENTIONAL_MEMORY, 0x80c000, 0x4, WB),
		desc(EFI_ACPI_MEMORY_NVS, 0x810000, 0xf0, WB),
		desc(EFI_BOOT_SERVICES_DATA, 0x900000, 0x700, WB),
		desc(EFI_LOADER_CODE, 0x1000000, 0x100, WB),
		desc(EFI_CONVENTIONAL_MEMORY, 0x1100000, 0x1d7ef, WB),
		desc(EFI_RESERVED_TYPE, 0x1e8ef000, 0x200, WB),
		desc(EFI_RUNTIME_SERVICES_DATA, 0x1eaef000, 0x40, RT),
		desc(EFI_ACPI_RECLAIM_MEMORY, 0x1eb2f000, 0x10, WB),
		desc(EFI_ACPI_MEMORY_NVS, 0x1eb3f000, 0x80, WB),
		desc(EFI_BOOT_SERVICES_DATA, 0x1ebbf000, 0x300, WB),
		desc(EFI_LOADER_DATA, 0x1eebf000, 0x9c, WB),
		desc(EFI_RUNTIME_SERVICES_CODE, 0x1ef5b000, 0x4, RT),
		desc(EFI_ACPI_MEMORY_NVS, 0x1ef5f000, 0x2, WB),
		desc(EFI_BOOT_SERVICES_CODE, 0x1ef61000, 0x1000, WB),
		desc(EFI_CONVENTIONAL_MEMORY, 0x1ff61000, 0x77, WB),
		desc(EFI_RESERVED_TYPE, 0x1ffd8000, 0x28, WB),
		desc(EFI_MEMORY_MAPPED_IO, 0xb0000000, 0x10000, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME),
		desc(EFI_RESERVED_TYPE, 0xfeffc000, 0x4, WB),
		desc(EFI_MEMORY_MAPPED_IO, 0xffc00000, 0x400, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME),
	};
}

TEST_F(EfiMemmap, OvmfMapConvertedSanitizedAndTrimmed)
{
	auto m = make_map(ovmf_q35_512m(), 48);
	ASSERT_EQ(convert(m), 0);
	EXPECT_EQ(out.nr_entries, 19u);
	ASSERT_EQ(e820__memory_setup(&out), 0);
	EXPECT_EQ(console_lines(),
		  (std::vector<std::string>{
			  "BIOS-provided physical RAM map:",
			  "BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable",
			  "BIOS-e820: [mem 0x0000000000100000-0x00000000007fffff] usable",
			  "BIOS-e820: [mem 0x0000000000800000-0x0000000000807fff] ACPI NVS",
			  "BIOS-e820: [mem 0x0000000000808000-0x000000000080afff] usable",
			  "BIOS-e820: [mem 0x000000000080b000-0x000000000080bfff] ACPI NVS",
			  "BIOS-e820: [mem 0x000000000080c000-0x000000000080ffff] usable",
			  "BIOS-e820: [mem 0x0000000000810000-0x00000000008fffff] ACPI NVS",
			  "BIOS-e820: [mem 0x0000000000900000-0x000000001e8eefff] usable",
			  "BIOS-e820: [mem 0x000000001e8ef000-0x000000001eb2efff] reserved",
			  "BIOS-e820: [mem 0x000000001eb2f000-0x000000001eb3efff] ACPI data",
			  "BIOS-e820: [mem 0x000000001eb3f000-0x000000001ebbefff] ACPI NVS",
			  "BIOS-e820: [mem 0x000000001ebbf000-0x000000001ef5afff] usable",
			  "BIOS-e820: [mem 0x000000001ef5b000-0x000000001ef5efff] reserved",
			  "BIOS-e820: [mem 0x000000001ef5f000-0x000000001ef60fff] ACPI NVS",
			  "BIOS-e820: [mem 0x000000001ef61000-0x000000001ffd7fff] usable",
			  "BIOS-e820: [mem 0x000000001ffd8000-0x000000001fffffff] reserved",
			  "BIOS-e820: [mem 0x00000000b0000000-0x00000000bfffffff] reserved",
			  "BIOS-e820: [mem 0x00000000feffc000-0x00000000feffffff] reserved",
			  "BIOS-e820: [mem 0x00000000ffc00000-0x00000000ffffffff] reserved"}));

	trim_bios_range();
	EXPECT_EQ(console_lines(),
		  (std::vector<std::string>{"e820: update [mem 0x00000000-0x00000fff] usable ==> reserved",
					    "e820: remove [mem 0x000a0000-0x000fffff] usable"}));
	e820__print_table("trimmed");
	std::vector<std::string> lines = console_lines();
	ASSERT_EQ(lines.size(), 20u);
	EXPECT_EQ(lines[0], "trimmed: [mem 0x0000000000000000-0x0000000000000fff] reserved");
	EXPECT_EQ(lines[1], "trimmed: [mem 0x0000000000001000-0x000000000009ffff] usable");
	EXPECT_EQ(lines[2], "trimmed: [mem 0x0000000000100000-0x00000000007fffff] usable");
	EXPECT_EQ(lines[19], "trimmed: [mem 0x00000000ffc00000-0x00000000ffffffff] reserved");

	// The firmware copy keeps the untrimmed first entry.
	EXPECT_EQ(e820_table_firmware->nr_entries, 19u);
	EXPECT_EQ(e820_table_firmware->entries[0].addr, 0u);
	EXPECT_EQ(e820_table_firmware->entries[0].size, 0xa0000u);

	EXPECT_EQ(e820__end_of_ram_pfn(), 0x1ffd8ul);
	EXPECT_EQ(console_lines(),
		  (std::vector<std::string>{"last_pfn = 0x1ffd8 max_arch_pfn = 0x400000000"}));
}

TEST_F(EfiMemmap, PrintMemmapLikeEfiDebug)
{
	std::vector<efi_memory_desc_t> descs = ovmf_q35_512m();
	auto m = make_map(descs, 48, 3);
	efi_print_memmap(m.data(), m.size, 48);
	std::vector<std::string> lines = console_lines();
	ASSERT_EQ(lines.size(), descs.size());
	EXPECT_EQ(lines[0], "efi: mem00: [Conventional|   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] "
			    "range=[0x0000000000000000-0x000000000009ffff] (0MB)");
	EXPECT_EQ(lines[9], "efi: mem09: [Conventional|   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] "
			    "range=[0x0000000001100000-0x000000001e8eefff] (471MB)");
	EXPECT_EQ(lines[11], "efi: mem11: [Runtime Data|RUN|  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] "
			     "range=[0x000000001eaef000-0x000000001eb2efff] (0MB)");
	EXPECT_EQ(lines[21], "efi: mem21: [MMIO        |RUN|  |  |  |  |  |  |  |  |  |   |  |  |  |UC] "
			     "range=[0x00000000b0000000-0x00000000bfffffff] (256MB)");

	// Bad geometry: a complaint, no lines.
	efi_print_memmap(m.data(), m.size, 44);
	EXPECT_EQ(console_lines(),
		  (std::vector<std::string>{
			  "efi: memory map: descriptor size 44 is invalid (at least 40, a multiple of 8)"}));
}

} // namespace
