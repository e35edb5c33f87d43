// memmap_init() and memblock_free_all() over crafted machines and the memory maps
// of real laptops: every struct page initialised, every free memblock page on the
// buddy lists in maximal naturally aligned blocks, every other page reserved, and
// the counts adding up per zone:
// free + reserved + hole = spanned.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "mm/e820.h"
#include "mm/setup.h"
#include "tests/host/mm_fixture.h"
#include "tests/host/replay_fixture.h"
#include "tests/host/zones_test.h"
#include "tools/dmesg.h"

namespace {

using mm_fixture::MmBoot;
using mm_fixture::srat;

constexpr u64 MB = SZ_1M, GB = SZ_1G;

// What the free lists say, pfn by pfn.
struct buddy_state {
	std::map<pfn_t, unsigned> blocks; // first pfn -> order
	std::set<pfn_t> free_pfns;
	unsigned long nr_free_pages = 0;
};

class FreeAll : public MmBoot {
protected:
	buddy_state walk_free_lists()
	{
		buddy_state st;
		struct zone *zone;
		for_each_zone(zone) {
			if (!zone->initialized)
				continue;
			mm_fixture::walk_free_blocks(zone, [&](struct page *page, pfn_t pfn, unsigned order, int mt) {
				EXPECT_EQ(get_pageblock_migratetype(page), mt) << pfn;
				st.blocks[pfn] = order;
				for (pfn_t p = pfn; p < pfn + (1UL << order); p++) {
					EXPECT_TRUE(st.free_pfns.insert(p).second) << "pfn " << p << " on two free blocks";
					EXPECT_TRUE(zone_spans_pfn(zone, p)) << p;
					EXPECT_EQ(page_count(pfn_to_page(p)), 0) << p;
					EXPECT_FALSE(PageReserved(pfn_to_page(p))) << p;
				}
				st.nr_free_pages += 1UL << order;
			});
		}
		return st;
	}

	// Every block is maximal: its buddy is not a free block of the same order
	// and zone (a missed merge).
	void expect_merged(const buddy_state &st)
	{
		for (auto [pfn, order] : st.blocks) {
			if (order == MAX_PAGE_ORDER)
				continue;
			auto it = st.blocks.find(pfn ^ (1UL << order));
			if (it != st.blocks.end() && it->second == order) {
				EXPECT_NE(page_zone(pfn_to_page(pfn)), page_zone(pfn_to_page(it->first)))
					<< "blocks " << pfn << " and " << it->first << " should have merged";
			}
		}
	}

	// Conservation over every pfn of every zone.
	void expect_conservation(const buddy_state &st)
	{
		EXPECT_EQ(st.free_pfns, expect_free) << "the free pages are not memblock's free pages";
		struct zone *zone;
		for_each_zone(zone) {
			if (zone_is_empty(zone))
				continue;
			int nid = zone_to_nid(zone), z = zone_idx(zone);
			unsigned long free = 0, reserved = 0, hole = 0;
			for (pfn_t pfn = zone->zone_start_pfn; pfn < zone_end_pfn(zone); pfn++) {
				bool is_mem = memblock_is_memory(PFN_PHYS(pfn)) &&
					      memblock_is_memory(PFN_PHYS(pfn) + PAGE_SIZE - 1);
				if (st.free_pfns.count(pfn)) {
					EXPECT_TRUE(is_mem) << pfn;
					EXPECT_FALSE(memblock_is_region_reserved(PFN_PHYS(pfn), PAGE_SIZE)) << pfn;
					free++;
					continue;
				}
				if (!pfn_valid(pfn)) {
					// A section without memory: no memory map at all.
					EXPECT_FALSE(is_mem) << pfn;
					hole++;
					continue;
				}
				struct page *page = pfn_to_page(pfn);
				EXPECT_TRUE(PageReserved(page)) << "pfn " << pfn << " neither free nor reserved";
				EXPECT_EQ(page_count(page), 1) << pfn;
				EXPECT_EQ(page_mapcount(page), 0) << pfn;
				EXPECT_FALSE(PageBuddy(page)) << pfn;
				if (is_mem) {
					EXPECT_EQ(page_to_nid(page), nid) << pfn;
					EXPECT_EQ(page_zonenum(page), z) << pfn;
					reserved++;
				} else {
					// As Linux, a hole's pages belong to the zone and
					// node of the memory after it (memmap_init()).
					EXPECT_GE(page_zonenum(page), z) << pfn;
					hole++;
				}
			}
			EXPECT_EQ(free + reserved + hole, zone->spanned_pages) << zone->name;
			EXPECT_EQ(hole, zone->spanned_pages - zone->present_pages) << zone->name;
			EXPECT_EQ(free, zone_free_pages(zone)) << zone->name;
			EXPECT_EQ(zone->managed_pages, free) << zone->name;
		}
	}

	void check_all()
	{
		buddy_state st = walk_free_lists();
		EXPECT_EQ(st.nr_free_pages, nr_free_pages());
		EXPECT_EQ(freed, expect_free.size());
		EXPECT_EQ(totalram_pages(), freed);
		expect_merged(st);
		expect_conservation(st);
	}

};

TEST_F(FreeAll, OneNodeWithHolesAndReservations)
{
	// Low RAM with the usual hole, a hole in the middle of DMA32, RAM ending in the
	// middle of a section and not 2 MiB aligned, RAM above 4 GiB.
	ASSERT_EQ(memblock_add(0x1000, 0x9f000 - 0x1000), 0);
	ASSERT_EQ(memblock_add(MB, 100 * MB - MB), 0);
	ASSERT_EQ(memblock_add(120 * MB + 0x5000, 300 * MB - 120 * MB - 0x5000), 0);
	ASSERT_EQ(memblock_add(4 * GB, 200 * MB + 0x3000), 0);
	// Firmware and the "kernel": reservations, some not page aligned.
	ASSERT_EQ(memblock_reserve(0x1000, 0x1000), 0);
	ASSERT_EQ(memblock_reserve(16 * MB - 0x800, 0x1000), 0); // straddles DMA/DMA32
	ASSERT_EQ(memblock_reserve(33 * MB + 123, 5 * PAGE_SIZE), 0);
	ASSERT_EQ(memblock_reserve(4 * GB + 64 * MB, 2 * MB), 0);
	bring_up();
	auto m = host_console_take();
	EXPECT_NE(m.find("Zone ranges:"), std::string::npos);
	EXPECT_NE(m.find("pages in unavailable ranges"), std::string::npos);
	// Normal (4G..4G+200M) is the highest zone: its pages past the first section
	// boundary after 128 MiB waited for page_alloc_init_late().
	EXPECT_NE(m.find("node 0 deferred pages initialised in"), std::string::npos);
	EXPECT_EQ(NODE_DATA(0)->first_deferred_pfn, ULONG_MAX);
	check_all();
	// Two reserved pages around 16 MiB, one on each side of the boundary.
	EXPECT_TRUE(PageReserved(pfn_to_page(PFN_DOWN(16 * MB) - 1)));
	EXPECT_TRUE(PageReserved(pfn_to_page(PFN_DOWN(16 * MB))));
}

// Without deferred init the buddy ends in exactly the same state.
TEST_F(FreeAll, DeferredInitEndsLikeEagerInit)
{
	auto layout = [] {
		ASSERT_EQ(memblock_add(MB, 511 * MB), 0);
		ASSERT_EQ(memblock_reserve(MB, MB), 0);
		ASSERT_EQ(memblock_reserve(100 * MB + 0x1800, 3 * PAGE_SIZE), 0);
	};
	layout();
	bring_up();
	auto snapshot = [] {
		std::vector<unsigned long> v;
		for (int z = 0; z < MAX_NR_ZONES; z++)
			for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
				v.push_back(NODE_DATA(0)->node_zones[z].free_area[o].nr_free);
		return v;
	};
	// "Memory: %luK/%luK available (%luK reserved)" as mem_init_print_info():
	// what the buddy has (part of it before the deferred pages), the present
	// pages, and those less totalram_pages() (which counts the deferred ones).
	auto memory_line = [](const std::string &log, unsigned long *avail, unsigned long *phys,
			      unsigned long *reserved) {
		size_t at = log.find("Memory: ");
		return at != std::string::npos &&
		       sscanf(log.c_str() + at, "Memory: %luK/%luK available (%luK reserved)", avail, phys,
			      reserved) == 3;
	};
	const unsigned long present = 511 * MB / PAGE_SIZE;
	unsigned long avail, phys, reserved;
	auto deferred = snapshot();
	std::string log = host_console_take();
	EXPECT_NE(log.find("node 0 deferred pages initialised"), std::string::npos);
	ASSERT_TRUE(memory_line(log, &avail, &phys, &reserved)) << log;
	EXPECT_EQ(phys, present * 4);
	EXPECT_EQ(totalram_pages(), freed);
	EXPECT_EQ(reserved, (present - freed) * 4);
	EXPECT_LT(avail, freed * 4);	// the deferred pages were not free yet
	EXPECT_GT(avail, 0u);
	check_all();
	TearDown();
	SetUp();
	deferred_struct_pages_enabled = false;
	layout();
	bring_up();
	EXPECT_EQ(snapshot(), deferred);
	log = host_console_take();
	EXPECT_EQ(log.find("deferred pages initialised"), std::string::npos);
	ASSERT_TRUE(memory_line(log, &avail, &phys, &reserved)) << log;
	EXPECT_EQ(phys, present * 4);
	EXPECT_EQ(reserved, (present - freed) * 4);
	EXPECT_EQ(avail, freed * 4);
	check_all();
}

TEST_F(FreeAll, StructPagesAreInitialised)
{
	ASSERT_EQ(memblock_add(MB, 255 * MB), 0);
	ASSERT_EQ(memblock_reserve(MB, MB), 0);
	bring_up();
	// Every pageblock of the zone ranges is MOVABLE; flags hold zone and node.
	EXPECT_EQ(get_pageblock_migratetype(pfn_to_page(PFN_DOWN(200 * MB))), MIGRATE_MOVABLE);
	EXPECT_EQ(page_zonenum(pfn_to_page(PFN_DOWN(8 * MB))), ZONE_DMA);
	EXPECT_EQ(page_zonenum(pfn_to_page(PFN_DOWN(20 * MB))), ZONE_DMA32);
	// pfn 0 is a hole (below the first RAM) with a memory map: reserved, DMA.
	EXPECT_TRUE(PageReserved(pfn_to_page(0)));
	EXPECT_EQ(page_zonenum(pfn_to_page(0)), ZONE_DMA);
	EXPECT_EQ(memmap_pages_initialised, PAGES_PER_SECTION * 2);
	check_all();
}

TEST_F(FreeAll, TwoNodes)
{
	ASSERT_EQ(memblock_add(MB, 2 * GB - MB), 0);
	ASSERT_EQ(memblock_add(4 * GB, 2 * GB), 0);
	srat = {{0, 2 * GB, 0}, {4 * GB, 6 * GB, 1}};
	bring_up();
	ASSERT_TRUE(node_online(1));
	EXPECT_EQ(page_to_nid(pfn_to_page(PFN_DOWN(5 * GB))), 1);
	EXPECT_EQ(page_to_nid(pfn_to_page(PFN_DOWN(1 * GB))), 0);
	EXPECT_GT(zone_free_pages(&NODE_DATA(1)->node_zones[ZONE_NORMAL]), 0u);
	check_all();
}

TEST_F(FreeAll, KernelcoreMakesAMovableZone)
{
	ASSERT_EQ(cmdline_parse_kernelcore("1G"), 0);
	ASSERT_EQ(memblock_add(MB, 3 * GB - MB), 0);
	ASSERT_EQ(memblock_add(4 * GB, 2 * GB), 0);
	bring_up();
	EXPECT_GT(NODE_DATA(0)->node_zones[ZONE_MOVABLE].spanned_pages, 0u);
	EXPECT_GT(zone_free_pages(&NODE_DATA(0)->node_zones[ZONE_MOVABLE]), 0u);
	check_all();
}

// Freeing a reserved 4 MiB block page by page, in random order, ends as one
// order-10 block: every free merges with its buddies as far as they are free.
TEST_F(FreeAll, PageByPageFreesMergeIntoOneBlock)
{
	ASSERT_EQ(memblock_add(MB, 255 * MB), 0);
	const u64 base = 64 * MB;
	ASSERT_EQ(memblock_reserve(base, 4 * MB), 0);
	bring_up();
	unsigned long before10 = NODE_DATA(0)->node_zones[ZONE_DMA32].free_area[MAX_PAGE_ORDER].nr_free;
	std::vector<pfn_t> pfns;
	for (pfn_t pfn = PFN_DOWN(base); pfn < PFN_DOWN(base + 4 * MB); pfn++)
		pfns.push_back(pfn);
	std::mt19937 rng(42);
	std::shuffle(pfns.begin(), pfns.end(), rng);
	for (pfn_t pfn : pfns)
		__free_pages_core(pfn_to_page(pfn), 0);
	struct zone *z = &NODE_DATA(0)->node_zones[ZONE_DMA32];
	EXPECT_EQ(z->free_area[MAX_PAGE_ORDER].nr_free, before10 + 1);
	struct page *head = pfn_to_page(PFN_DOWN(base));
	EXPECT_TRUE(PageBuddy(head));
	EXPECT_EQ(buddy_order(head), MAX_PAGE_ORDER);
	memblock_phys_free(base, 4 * MB);
	for (pfn_t pfn : pfns)
		expect_free.insert(pfn);
	freed += pfns.size();
	totalram_pages_add((long)pfns.size());
	check_all();
}

// Blocks never merge across pageblocks when one of them is isolated.
TEST_F(FreeAll, IsolatedPageblockDoesNotMerge)
{
	ASSERT_EQ(memblock_add(MB, 255 * MB), 0);
	const u64 base = 64 * MB;
	ASSERT_EQ(memblock_reserve(base, 4 * MB), 0);
	bring_up();
	struct page *second = pfn_to_page(PFN_DOWN(base) + pageblock_nr_pages);
	set_pageblock_migratetype(second, MIGRATE_ISOLATE);
	__free_pages_core(pfn_to_page(PFN_DOWN(base)), pageblock_order);
	__free_pages_core(second, pageblock_order);
	struct page *first = pfn_to_page(PFN_DOWN(base));
	ASSERT_TRUE(PageBuddy(first));
	EXPECT_EQ(buddy_order(first), pageblock_order);
	EXPECT_TRUE(PageBuddy(second));
	EXPECT_EQ(buddy_order(second), pageblock_order);
	// The isolated block sits on the ISOLATE list.
	struct zone *z = page_zone(second);
	EXPECT_FALSE(list_empty(&z->free_area[pageblock_order].free_list[MIGRATE_ISOLATE]));
}

// The whole hand-over on the memory maps of two real laptops, their firmware's
// e820 tables and the kernels' own changes to them (tests/replay/real-*.dmesg,
// docs/replay.md): 1-page RAM ranges between reserved ones, ACPI NVS pages in
// low memory, holes in the middle of pageblocks and sections, RAM above 4 GiB.
// (The bigger machines' memory maps do not fit the simulated memory.)
class FreeAllRealMachine : public FreeAll, public ::testing::WithParamInterface<const char *> {
protected:
	void TearDown() override
	{
		e820_reset();
		FreeAll::TearDown();
	}
};

TEST_P(FreeAllRealMachine, EveryFreePageOnTheFreeListsOnce)
{
	dmesg_log log;
	dmesg_parse(replay_fixture::read(GetParam()), &log);
	e820_reset();
	ASSERT_EQ(replay_e820(log, replay_options{}), 0);
	e820__memblock_setup();
	ASSERT_GE(memblock.memory.cnt, 6u);
	// What Linux always reserves and the pages the app's bring-up used (say).
	ASSERT_EQ(memblock_reserve(0, PAGE_SIZE), 0);
	ASSERT_EQ(memblock_reserve(SZ_1M, SZ_1M), 0);
	bring_up();
	// memmap_init() met the holes the kernel met, in its order.
	auto unavailable = [](const std::vector<std::string> &lines) {
		std::vector<std::string> out;
		for (const std::string &l : lines)
			if (l.find("pages in unavailable ranges") != std::string::npos)
				out.push_back(l);
		return out;
	};
	std::vector<std::string> ours = console_messages(host_console_take());
	EXPECT_GE(unavailable(log.messages).size(), 7u);
	EXPECT_EQ(unavailable(ours), unavailable(log.messages));
	EXPECT_FALSE(lines_starting(ours, "node 0 deferred pages initialised in").empty());
	check_all();
	EXPECT_GT(freed, PFN_DOWN(3 * SZ_1G));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FreeAllRealMachine,
			 ::testing::Values("real-lenovo-82gk-5.19.dmesg", "real-lenovo-ideapad-320-15ikb-5.15.dmesg"),
			 [](const ::testing::TestParamInfo<const char *> &info) {
				 std::string n = info.param;
				 return n.find("82gk") != std::string::npos ? "lenovo_82gk" : "ideapad_320";
			 });

} // namespace

std::string hex_words(const unsigned char *p)
{
	std::string out;
	char buf[24];
	for (size_t w = 0; w < sizeof(struct page) / 8; w++) {
		u64 v;
		memcpy(&v, p + 8 * w, 8);
		snprintf(buf, sizeof(buf), "%s%016llx", w ? " " : "", (unsigned long long)v);
		out += buf;
	}
	return out;
}

// memmap_init_streaming (the default) writes the struct pages of free memory
// once, in memblock_free_all() or page_alloc_init_late(); Linux's sequence
// (false) writes them in memmap_init() and again when freeing. Both must leave
// every struct page byte for byte the same, also when memblock changes between
// memmap_init() and memblock_free_all(), and with or without deferred init. The
// memory map starts as garbage, so a struct page left unwritten shows.
TEST_F(FreeAll, StreamingInitEndsLikeLinuxInit)
{
	enum change { none, reserve_free_memory, free_reserved_memory };
	struct result {
		std::vector<unsigned char> pages;
		std::vector<int> pageblock_types;
		std::vector<unsigned long> nr_free;
		unsigned long initialised;
	};
	auto run = [this](bool streaming, bool deferred, change what) {
		SetUp();
		expect_free.clear();
		memmap_init_streaming = streaming;
		deferred_struct_pages_enabled = deferred;
		EXPECT_EQ(memblock_add(0x1000, 0x9f000 - 0x1000), 0);
		EXPECT_EQ(memblock_add(MB, 300 * MB - MB), 0);
		EXPECT_EQ(memblock_add(4 * GB, 200 * MB + 0x3000), 0);
		EXPECT_EQ(memblock_reserve(MB, 2 * MB), 0);
		EXPECT_EQ(memblock_reserve(40 * MB + 0x800, 0x3000), 0);
		EXPECT_EQ(memblock_reserve(4 * GB + 150 * MB, 4 * MB), 0);
		after_sparse_init = [] {
			for (pfn_t pfn = 0; pfn < max_pfn; pfn++)
				if (pfn_valid(pfn))
					memset(pfn_to_page(pfn), 0xa5, sizeof(struct page));
		};
		after_memmap_init = [what] {
			if (what == reserve_free_memory) {
				// In a low zone, and in the deferred part of the highest.
				EXPECT_EQ(memblock_reserve(77 * MB + 0x400, 0x2000), 0);
				EXPECT_EQ(memblock_reserve(4 * GB + 190 * MB, 3 * PAGE_SIZE), 0);
			} else if (what == free_reserved_memory) {
				EXPECT_EQ(memblock_phys_free(MB, 2 * MB), 0);
				EXPECT_EQ(memblock_phys_free(4 * GB + 150 * MB, 4 * MB), 0);
			}
		};
		bring_up();
		host_console_take();
		check_all();
		result r;
		for (pfn_t pfn = 0; pfn < max_pfn; pfn++) {
			if (!pfn_valid(pfn))
				continue;
			// Pointers into the memory map become offsets in it: the
			// host's vmemmap window moves between runs.
			u64 copy[sizeof(struct page) / 8];
			memcpy(copy, pfn_to_page(pfn), sizeof(copy));
			const u64 map = (u64)pfn_to_page(0), map_end = (u64)pfn_to_page(max_pfn);
			for (u64 &w : copy)
				if (w >= map && w < map_end)
					w = (w - map) | (1ULL << 63);
			auto *b = reinterpret_cast<const unsigned char *>(copy);
			r.pages.insert(r.pages.end(), b, b + sizeof(struct page));
			if (pageblock_aligned(pfn))
				r.pageblock_types.push_back(get_pageblock_migratetype(pfn_to_page(pfn)));
		}
		for (int z = 0; z < MAX_NR_ZONES; z++)
			for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
				r.nr_free.push_back(NODE_DATA(0)->node_zones[z].free_area[o].nr_free);
		r.initialised = memmap_pages_initialised;
		after_sparse_init = after_memmap_init = nullptr;
		TearDown();
		return r;
	};
	TearDown();
	for (bool deferred : {true, false}) {
		for (change what : {none, reserve_free_memory, free_reserved_memory}) {
			SCOPED_TRACE(testing::Message() << "deferred " << deferred << ", change " << what);
			result linux_way = run(false, deferred, what);
			result streamed = run(true, deferred, what);
			ASSERT_EQ(streamed.pages.size(), linux_way.pages.size());
			for (size_t i = 0; i < streamed.pages.size(); i += sizeof(struct page))
				ASSERT_TRUE(!memcmp(&streamed.pages[i], &linux_way.pages[i], sizeof(struct page)))
					<< "struct page #" << i / sizeof(struct page) << " of the valid pfns differs: "
					<< hex_words(&streamed.pages[i]) << " vs Linux's " << hex_words(&linux_way.pages[i]);
			EXPECT_EQ(streamed.pageblock_types, linux_way.pageblock_types);
			EXPECT_EQ(streamed.nr_free, linux_way.nr_free);
			EXPECT_EQ(streamed.initialised, linux_way.initialised);
		}
	}
	SetUp();
}
