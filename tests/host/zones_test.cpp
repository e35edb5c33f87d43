// mm/mm_init.cpp: zone boundaries, spanned/present/absent counts, ZONE_MOVABLE
// placement, the unavailable-range walk and the v5.x debug lines, on crafted maps.
#include "tests/host/zones_test.h"

#include <algorithm>
#include <map>

#include "lib/errno.h"
#include "mm/mmzone.h"

namespace {

constexpr u64 MB = SZ_1M;
constexpr u64 GB = SZ_1G;

class Zones : public MmStateTest {
protected:
	// Dummy NUMA (one node) and the zones, as the app does it.
	void size_zones()
	{
		ASSERT_EQ(x86_numa_init(nullptr), 0);
		zone_sizes_init();
	}
	const struct zone &zone(int nid, zone_type z) { return NODE_DATA(nid)->node_zones[z]; }

	// Over every pfn up to the end of the last section: the walk visits each pfn
	// exactly once, its present parts are memory and sum to each zone's
	// present_pages, its holes are not memory, and for every zone spanned =
	// present + absent with absent counted pfn by pfn.
	void check_conservation()
	{
		struct part {
			int nid;
			zone_type zid;
			pfn_t s, e;
			bool hole;
		};
		std::vector<part> parts;
		memmap_walk(
			[](int nid, zone_type zid, pfn_t s, pfn_t e, bool hole, void *data) {
				static_cast<std::vector<part> *>(data)->push_back({nid, zid, s, e, hole});
			},
			&parts);
		std::sort(parts.begin(), parts.end(), [](const part &a, const part &b) { return a.s < b.s; });
		pfn_t next = 0;
		std::map<std::pair<int, int>, unsigned long> present;
		for (const part &p : parts) {
			ASSERT_EQ(p.s, next) << "gap or overlap in the walk at pfn " << std::hex << next;
			ASSERT_LT(p.s, p.e);
			next = p.e;
			for (pfn_t pfn = p.s; pfn < p.e; pfn += 1) {
				bool mem = memblock_is_memory(PFN_PHYS(pfn));
				ASSERT_EQ(mem, !p.hole) << "pfn " << std::hex << pfn;
				if (!p.hole) {
					const struct zone &z = zone(p.nid, p.zid);
					ASSERT_TRUE(zone_spans_pfn(&z, pfn)) << "pfn " << std::hex << pfn;
				}
			}
			if (!p.hole)
				present[{p.nid, p.zid}] += p.e - p.s;
		}
		EXPECT_EQ(next, round_up(max_pfn, PAGES_PER_SECTION));

		pg_data_t *pgdat;
		for_each_online_pgdat(pgdat) {
			int nid = pgdat->node_id;
			unsigned long node_present = 0, node_spanned = 0;
			for (int z = 0; z < MAX_NR_ZONES; z++) {
				const struct zone &zn = pgdat->node_zones[z];
				unsigned long absent = 0;
				for (pfn_t pfn = zn.zone_start_pfn; pfn < zone_end_pfn(&zn); pfn++)
					if (!memblock_is_memory(PFN_PHYS(pfn)))
						absent++;
				EXPECT_EQ(zn.spanned_pages, zn.present_pages + absent) << zone_names[z];
				EXPECT_EQ(zn.present_pages, (present[{nid, z}])) << zone_names[z];
				node_present += zn.present_pages;
				node_spanned += zn.spanned_pages;
			}
			EXPECT_EQ(pgdat->node_present_pages, node_present);
			EXPECT_EQ(pgdat->node_spanned_pages, node_spanned);
		}
	}
};

TEST_F(Zones, DmaOnlyMachine)
{
	add_memory({{0x1000, 0x9f000}, {0x100000, 8 * MB}});
	size_zones();
	auto m = take_messages();

	EXPECT_EQ(lines_starting(m, "  DMA"), (std::vector<std::string>{
		"  DMA      [mem 0x0000000000001000-0x00000000007fffff]",
		"  DMA32    empty",
		"  DMA zone: 32 pages used for memmap",
		"  DMA zone: 0 pages reserved",
		"  DMA zone: 1950 pages, LIFO batch:0",
	}));
	EXPECT_EQ(lines_starting(m, "  Normal"), std::vector<std::string>{"  Normal   empty"});
	EXPECT_EQ(lines_starting(m, "  Device"), std::vector<std::string>{"  Device   empty"});
	EXPECT_EQ(lines_starting(m, "On node 0, zone"), (std::vector<std::string>{
		"On node 0, zone DMA: 1 pages in unavailable ranges",
		"On node 0, zone DMA: 97 pages in unavailable ranges",
		"On node 0, zone DMA: 30720 pages in unavailable ranges",
	}));
	const struct zone &dma = zone(0, ZONE_DMA);
	EXPECT_EQ(dma.zone_start_pfn, 1u);
	EXPECT_EQ(dma.spanned_pages, 0x7ffu);
	EXPECT_EQ(dma.present_pages, 0x9eu + 0x700u);
	EXPECT_EQ(zone(0, ZONE_DMA32).spanned_pages, 0u);
	EXPECT_EQ(NODE_DATA(0)->nr_zones, 1);
	EXPECT_EQ(get_num_physpages(), 0x9eu + 0x700u);
	check_conservation();
}

// A public x86-64 dmesg of a kernel that prints both the v5.x debug lines and the
// unavailable ranges (8 GiB guest, dma_reserve 21):
//   On node 0 totalpages: 8388469
//     DMA zone: 64 pages used for memmap / 21 pages reserved / 3998 pages, LIFO batch:0
//     DMA32 zone: 12224 pages used for memmap / 782295 pages, LIFO batch:63
//     Normal zone: 118784 pages used for memmap / 7602176 pages, LIFO batch:63
//   On node 0, zone DMA: 1 / DMA: 97 / Normal: 41 pages in unavailable ranges
TEST_F(Zones, RamAbove4GMatchesARealLog)
{
	add_memory({{0x1000, 0x9f000}, {0x100000, 0xbffd7000}, {0x100000000, 0x840000000}});
	ASSERT_EQ(x86_numa_init(nullptr), 0);
	set_dma_reserve(21);
	zone_sizes_init();
	auto m = take_messages();

	EXPECT_EQ(lines_starting(m, "Zone ranges:").size(), 1u);
	EXPECT_EQ(lines_starting(m, "  DMA32    ["),
		  std::vector<std::string>{"  DMA32    [mem 0x0000000001000000-0x00000000ffffffff]"});
	EXPECT_EQ(lines_starting(m, "  Normal   ["),
		  std::vector<std::string>{"  Normal   [mem 0x0000000100000000-0x000000083fffffff]"});
	std::vector<std::string> expected = {
		"Initmem setup node 0 [mem 0x0000000000001000-0x000000083fffffff]",
		"On node 0 totalpages: 8388469",
		"  DMA zone: 64 pages used for memmap",
		"  DMA zone: 21 pages reserved",
		"  DMA zone: 3998 pages, LIFO batch:0",
		"  DMA32 zone: 12224 pages used for memmap",
		"  DMA32 zone: 782295 pages, LIFO batch:63",
		"  Normal zone: 118784 pages used for memmap",
		"  Normal zone: 7602176 pages, LIFO batch:63",
		"On node 0, zone DMA: 1 pages in unavailable ranges",
		"On node 0, zone DMA: 97 pages in unavailable ranges",
		"On node 0, zone Normal: 41 pages in unavailable ranges",
	};
	auto it = std::find(m.begin(), m.end(), expected[0]);
	ASSERT_NE(it, m.end());
	EXPECT_EQ(std::vector<std::string>(it, it + expected.size()), expected);
	EXPECT_EQ(zone(0, ZONE_DMA).managed_pages, 3998u - 64 - 21);
	check_conservation();
}

TEST_F(Zones, OlderStructPageSize)
{
	add_memory({{0x1000, 0x9f000}, {0x100000, 0xbffd7000}});
	memmap_struct_page_size = 56;
	size_zones();
	auto m = take_messages();
	// 4095 * 56 bytes: 56 pages, as kernels with a 56-byte struct page printed.
	EXPECT_EQ(lines_starting(m, "  DMA zone: 56 pages used for memmap").size(), 1u);
	EXPECT_EQ(calc_memmap_size(0xff000, 782295), 10696u);
}

TEST_F(Zones, KernelcoreMovesTheRestAbove4GToMovable)
{
	add_memory({{0x100000, 1 * GB}, {4 * GB, 5 * GB}});
	ASSERT_EQ(cmdline_parse_kernelcore("512M"), 0);
	size_zones();
	auto m = take_messages();

	EXPECT_EQ(lines_starting(m, "  Node 0: "), std::vector<std::string>{"  Node 0: 0x0000000100000000"});
	EXPECT_EQ(zone_movable_start_pfn(0), 0x100000u);
	EXPECT_EQ(zone(0, ZONE_NORMAL).spanned_pages, 0u);
	EXPECT_EQ(zone(0, ZONE_MOVABLE).zone_start_pfn, 0x100000u);
	EXPECT_EQ(zone(0, ZONE_MOVABLE).present_pages, 0x40000u);
	// The gap below 4 GiB is charged to Movable, the zone of the range after it;
	// its sections have no memory, so nothing is printed for it.
	EXPECT_TRUE(lines_starting(m, "On node 0, zone Movable").empty());
	check_conservation();
}

TEST_F(Zones, MovablecoreTakesTheTopOfDma32)
{
	add_memory({{0x100000, 2 * GB}});
	ASSERT_EQ(cmdline_parse_movablecore("256M"), 0);
	size_zones();
	auto m = take_messages();

	EXPECT_EQ(lines_starting(m, "  Node 0: "), std::vector<std::string>{"  Node 0: 0x0000000070000000"});
	EXPECT_EQ(zone_end_pfn(&zone(0, ZONE_DMA32)), 0x70000u);
	EXPECT_EQ(zone(0, ZONE_MOVABLE).spanned_pages, 0x10000u);
	EXPECT_EQ(zone(0, ZONE_MOVABLE).present_pages, 0x10000u);
	EXPECT_EQ(lines_starting(m, "  Movable zone: 65536 pages, LIFO batch:15").size(), 1u);
	check_conservation();
}

TEST_F(Zones, KernelcorePercent)
{
	add_memory({{0, 2 * GB}});
	ASSERT_EQ(cmdline_parse_kernelcore("25%"), 0);
	size_zones();
	// 25% of 0x80000 pages stay in the kernel zones: DMA (0x1000) + DMA32 up to 0x20000.
	EXPECT_EQ(zone_movable_start_pfn(0), 0x20000u);
	EXPECT_EQ(zone(0, ZONE_MOVABLE).present_pages, 0x60000u);
	check_conservation();
}

TEST_F(Zones, KernelcoreLargerThanMemoryMeansNoMovable)
{
	add_memory({{0, 1 * GB}});
	ASSERT_EQ(cmdline_parse_kernelcore("4G"), 0);
	size_zones();
	auto m = take_messages();
	EXPECT_EQ(zone_movable_start_pfn(0), 0u);
	EXPECT_TRUE(lines_starting(m, "  Node ").empty());
	EXPECT_EQ(zone(0, ZONE_MOVABLE).spanned_pages, 0u);
}

TEST_F(Zones, KernelcoreMirrorWithoutMirrorIsIgnored)
{
	add_memory({{0, 1 * GB}});
	ASSERT_EQ(cmdline_parse_kernelcore("mirror"), 0);
	size_zones();
	auto m = take_messages();
	EXPECT_EQ(lines_starting(m, "The system has no mirror memory, ignore kernelcore=mirror.").size(), 1u);
	EXPECT_EQ(zone_movable_start_pfn(0), 0u);
}

TEST_F(Zones, KernelcoreMirrorPutsUnmirroredMemoryAbove4GInMovable)
{
	add_memory({{0, 1 * GB}, {4 * GB, 6 * GB}});
	ASSERT_EQ(memblock_mark_mirror(0, 1 * GB), 0);
	ASSERT_EQ(memblock_mark_mirror(4 * GB, 1 * GB), 0);
	ASSERT_EQ(cmdline_parse_kernelcore("mirror"), 0);
	size_zones();
	EXPECT_EQ(zone_movable_start_pfn(0), 0x140000u);
	// Normal spans 4G..6G but only its mirrored half is present; Movable the rest.
	EXPECT_EQ(zone(0, ZONE_NORMAL).present_pages, 0x40000u);
	EXPECT_EQ(zone(0, ZONE_MOVABLE).present_pages, 0x40000u);
}

TEST_F(Zones, CoreParametersRejectGarbage)
{
	EXPECT_EQ(cmdline_parse_kernelcore(nullptr), -EINVAL);
	EXPECT_EQ(cmdline_parse_kernelcore(""), -EINVAL);
	EXPECT_EQ(cmdline_parse_kernelcore("banana"), -EINVAL);
	EXPECT_EQ(cmdline_parse_kernelcore("101%"), -EINVAL);
	EXPECT_EQ(cmdline_parse_kernelcore("x%"), -EINVAL);
	EXPECT_EQ(cmdline_parse_movablecore("12Q"), -EINVAL);
	EXPECT_EQ(cmdline_parse_movablecore("100%"), 0);
	EXPECT_EQ(cmdline_parse_movablecore("0x1000000"), 0);
}

TEST_F(Zones, DmaReserveFromMemblock)
{
	add_memory({{0x1000, 0x9f000}, {0x100000, 64 * MB}});
	ASSERT_EQ(memblock_reserve(0x100000, 0x200000), 0); // 512 pages below 16 MiB
	ASSERT_EQ(memblock_reserve(32 * MB, MB), 0);          // above 16 MiB: not DMA
	size_zones();
	host_console_take();
	memblock_find_dma_reserve();
	zone_sizes_init();
	auto m = take_messages();
	EXPECT_EQ(lines_starting(m, "  DMA zone: 512 pages reserved").size(), 1u);
}

TEST_F(Zones, MemoryTotals)
{
	add_memory({{0x1000, 0x9f000}, {0x100000, 64 * MB}});
	ASSERT_EQ(memblock_reserve(0x100000, 0x100000), 0);
	size_zones();
	host_console_take();
	unsigned long present = 0x9e + (64 * MB - 0x100000) / PAGE_SIZE;
	EXPECT_EQ(get_num_physpages(), present);
	mem_print_totals();
	auto m = take_messages();
	// The free count excludes the reservation above and NODE_DATA.
	unsigned long nd = PFN_UP(sizeof(pg_data_t));
	char line[128];
	snprintf(line, sizeof(line), "Memory: %luK/%luK available (%luK reserved)", (present - 256 - nd) * 4,
		 present * 4, (256 + nd) * 4UL);
	EXPECT_EQ(lines_starting(m, "Memory: "), std::vector<std::string>{line});
}

TEST_F(Zones, HoleAtAZoneBoundaryGoesToTheZoneAbove)
{
	// A hole 14M..18M straddles the DMA/DMA32 boundary: Linux charges all of it to
	// DMA32, the zone of the range after it.
	add_memory({{0x1000, 14 * MB}, {18 * MB, 200 * MB}});
	size_zones();
	auto m = take_messages();
	EXPECT_EQ(lines_starting(m, "On node 0, zone"), (std::vector<std::string>{
		"On node 0, zone DMA: 1 pages in unavailable ranges",
		"On node 0, zone DMA32: 1024 pages in unavailable ranges",
		"On node 0, zone DMA32: 14336 pages in unavailable ranges",
	}));
	check_conservation();
}

TEST_F(Zones, ValidPagesFollowMemorySections)
{
	add_memory({{0, 64 * MB}, {1 * GB, 1 * GB + 8 * MB}});
	// Sections 0 and 8 hold memory, 1..7 do not.
	EXPECT_TRUE(early_section_present(0));
	EXPECT_TRUE(early_section_present(PFN_DOWN(100 * MB)));
	EXPECT_FALSE(early_section_present(PFN_DOWN(200 * MB)));
	EXPECT_TRUE(early_section_present(PFN_DOWN(1 * GB + 100 * MB)));
	EXPECT_EQ(valid_pages_in_range(0, PFN_DOWN(2 * GB)), 2 * PAGES_PER_SECTION);
	EXPECT_EQ(valid_pages_in_range(PFN_DOWN(64 * MB), PFN_DOWN(1 * GB)), PFN_DOWN(64 * MB));
}

} // namespace
