// struct page, the page flags, lib/list.h, and the memory sections of
// mm/sparse.cpp: memory_present / memblocks_present, pfn_valid, the section
// encoding after sparse_init(), the usage maps, the failure path.
#include "tests/host/sparse_test.h"

#include "mm/mmzone.h"

#include <stddef.h>

#include <algorithm>
#include <set>

using namespace sparse_test;

namespace {

// Every zone of mm/mmzone.h fits the zone field of page->flags.
static_assert(MAX_NR_ZONES <= (1 << ZONES_SHIFT));

// ---- struct page ----

TEST(StructPage, LayoutMatchesLinux61)
{
	EXPECT_EQ(sizeof(struct page), 64u);
	EXPECT_EQ(offsetof(struct page, flags), 0u);
	EXPECT_EQ(offsetof(struct page, lru), 8u);
	EXPECT_EQ(offsetof(struct page, mapping), 24u);
	EXPECT_EQ(offsetof(struct page, index), 32u);
	EXPECT_EQ(offsetof(struct page, private_), 40u);
	EXPECT_EQ(offsetof(struct page, _mapcount), 48u);
	EXPECT_EQ(offsetof(struct page, page_type), 48u);
	EXPECT_EQ(offsetof(struct page, _refcount), 52u);
	EXPECT_EQ(offsetof(struct page, memcg_data), 56u);

	// The union views overlay each other as in Linux.
	struct page p;
	memset(&p, 0, sizeof(p));
	p.lru.next = (struct list_head *)0x1234;
	EXPECT_EQ(p.compound_head, 0x1234u);
	EXPECT_EQ((unsigned long)p.slab_list.next, 0x1234u);
	EXPECT_EQ(p._words[0], 0x1234u);
	p.private_ = 7;
	EXPECT_EQ(p.counters, 7u);
	EXPECT_EQ(p._words[4], 7u);
	atomic_set(&p._mapcount, -1);
	EXPECT_EQ(p.page_type, 0xffffffffu);
}

TEST(StructPage, ZoneAndNodeAtTheTopOfFlags)
{
	struct page p;
	memset(&p, 0xff, sizeof(p));
	mm_zero_struct_page(&p);
	for (unsigned i = 0; i < sizeof(p); i++)
		ASSERT_EQ(((u8 *)&p)[i], 0) << i;

	__SetPageReserved(&p);
	set_page_links(&p, 2, 37, 0x12345);
	EXPECT_EQ(page_zonenum(&p), 2);
	EXPECT_EQ(page_to_nid(&p), 37);
	EXPECT_EQ(p.flags, (37UL << 58) | (2UL << 55) | (1UL << PG_reserved));
	EXPECT_EQ(page_zone_id(&p), (37 << 3) | 2);

	// Changing one field leaves the other and the flag bits alone.
	set_page_node(&p, 63);
	EXPECT_EQ(page_to_nid(&p), 63);
	EXPECT_EQ(page_zonenum(&p), 2);
	set_page_zone(&p, ZONE_DEVICE);
	EXPECT_EQ(page_zonenum(&p), ZONE_DEVICE);
	EXPECT_EQ(page_to_nid(&p), 63);
	EXPECT_TRUE(PageReserved(&p));
	EXPECT_EQ(p.flags & ((1UL << NR_PAGEFLAGS) - 1), 1UL << PG_reserved);

	// Every page flag stays below the fields.
	for (int f = 0; f < NR_PAGEFLAGS; f++)
		EXPECT_LT(f, ZONES_PGSHIFT);
}

TEST(StructPage, ReservedBit)
{
	struct page p{};
	EXPECT_FALSE(PageReserved(&p));
	SetPageReserved(&p);
	EXPECT_TRUE(PageReserved(&p));
	EXPECT_EQ(p.flags, 1UL << 12);	// PG_reserved is bit 12 in 6.1
	ClearPageReserved(&p);
	EXPECT_FALSE(PageReserved(&p));
	__SetPageReserved(&p);
	EXPECT_EQ(p.flags, 1UL << 12);
	__ClearPageReserved(&p);
	EXPECT_EQ(p.flags, 0u);
}

TEST(StructPage, BuddyIsAPageTypeClearedFromMinusOne)
{
	struct page p{};
	// A zeroed _mapcount reads as "mapped once": no type.
	EXPECT_FALSE(PageBuddy(&p));
	EXPECT_FALSE(page_has_type(&p));

	page_mapcount_reset(&p);
	EXPECT_EQ(atomic_read(&p._mapcount), -1);
	EXPECT_EQ(page_mapcount(&p), 0);
	EXPECT_EQ(p.page_type, 0xffffffffu);
	EXPECT_FALSE(PageBuddy(&p));
	EXPECT_FALSE(page_has_type(&p));

	__SetPageBuddy(&p);
	EXPECT_EQ(p.page_type, 0xffffff7fu);
	EXPECT_TRUE(PageBuddy(&p));
	EXPECT_TRUE(page_has_type(&p));
	EXPECT_FALSE(PageTable(&p));
	EXPECT_FALSE(PageOffline(&p));
	EXPECT_FALSE(PageGuard(&p));

	__ClearPageBuddy(&p);
	EXPECT_EQ(atomic_read(&p._mapcount), -1);
	EXPECT_FALSE(PageBuddy(&p));

	__SetPageTable(&p);
	EXPECT_TRUE(PageTable(&p));
	EXPECT_FALSE(PageBuddy(&p));
}

TEST(StructPage, RefCount)
{
	struct page p{};
	init_page_count(&p);
	EXPECT_EQ(page_count(&p), 1);
	page_ref_inc(&p);
	EXPECT_EQ(page_ref_count(&p), 2);
	EXPECT_FALSE(page_ref_dec_and_test(&p));
	EXPECT_TRUE(page_ref_dec_and_test(&p));
	set_page_count(&p, 5);
	EXPECT_EQ(p._refcount.counter, 5);
	set_page_private(&p, 3);
	EXPECT_EQ(page_private(&p), 3u);
}

// ---- lib/list.h ----

// The order of @head's pages, as indices into @pages, walked both ways (a
// broken back link shows as a mismatch between the two).
static std::vector<int> list_order(struct list_head *head, struct page *pages)
{
	std::vector<int> fwd, back;
	struct page *pos;
	list_for_each_entry(pos, head, lru)
		fwd.push_back(int(pos - pages));
	list_for_each_entry_reverse(pos, head, lru)
		back.insert(back.begin(), int(pos - pages));
	EXPECT_EQ(fwd, back);
	return fwd;
}

// list_swap() (mm/shuffle.cpp swaps free blocks with it): apart, neighbours
// both ways round, ends of the list, and across two lists.
TEST(List, SwapApartNeighboursAndAcrossLists)
{
	LIST_HEAD(head);
	LIST_HEAD(other);
	struct page pages[6]{};
	for (int i = 0; i < 4; i++)
		list_add_tail(&pages[i].lru, &head);

	list_swap(&pages[0].lru, &pages[3].lru);	/* the two ends */
	EXPECT_EQ(list_order(&head, pages), (std::vector<int>{ 3, 1, 2, 0 }));
	list_swap(&pages[1].lru, &pages[2].lru);	/* neighbours, first before second */
	EXPECT_EQ(list_order(&head, pages), (std::vector<int>{ 3, 2, 1, 0 }));
	list_swap(&pages[1].lru, &pages[2].lru);	/* neighbours, second before first */
	EXPECT_EQ(list_order(&head, pages), (std::vector<int>{ 3, 1, 2, 0 }));

	list_add_tail(&pages[4].lru, &other);
	list_add_tail(&pages[5].lru, &other);
	list_swap(&pages[1].lru, &pages[5].lru);	/* across lists */
	EXPECT_EQ(list_order(&head, pages), (std::vector<int>{ 3, 5, 2, 0 }));
	EXPECT_EQ(list_order(&other, pages), (std::vector<int>{ 4, 1 }));
}

TEST(List, QueueStackAndIteration)
{
	LIST_HEAD(head);
	struct page pages[4]{};
	EXPECT_TRUE(list_empty(&head));

	list_add_tail(&pages[1].lru, &head);
	list_add_tail(&pages[2].lru, &head);
	list_add(&pages[0].lru, &head);
	list_add_tail(&pages[3].lru, &head);
	EXPECT_FALSE(list_empty(&head));
	EXPECT_EQ(list_first_entry(&head, struct page, lru), &pages[0]);
	EXPECT_EQ(list_last_entry(&head, struct page, lru), &pages[3]);

	std::vector<struct page *> seen;
	struct page *pos;
	list_for_each_entry(pos, &head, lru)
		seen.push_back(pos);
	EXPECT_EQ(seen, (std::vector<struct page *>{ &pages[0], &pages[1], &pages[2], &pages[3] }));

	seen.clear();
	list_for_each_entry_reverse(pos, &head, lru)
		seen.push_back(pos);
	EXPECT_EQ(seen, (std::vector<struct page *>{ &pages[3], &pages[2], &pages[1], &pages[0] }));

	list_del(&pages[1].lru);
	EXPECT_EQ(pages[1].lru.next, LIST_POISON1);
	EXPECT_EQ(pages[1].lru.prev, LIST_POISON2);
	EXPECT_EQ(list_next_entry(&pages[0], lru), &pages[2]);
	EXPECT_EQ(list_prev_entry(&pages[2], lru), &pages[0]);

	list_move_tail(&pages[0].lru, &head);
	EXPECT_EQ(list_first_entry(&head, struct page, lru), &pages[2]);
	EXPECT_TRUE(list_is_last(&pages[0].lru, &head));

	struct page *n;
	int count = 0;
	list_for_each_entry_safe(pos, n, &head, lru) {
		list_del_init(&pos->lru);
		EXPECT_TRUE(list_empty(&pos->lru));
		count++;
	}
	EXPECT_EQ(count, 3);
	EXPECT_TRUE(list_empty(&head));
	EXPECT_EQ(list_first_entry_or_null(&head, struct page, lru), nullptr);

	list_add(&pages[3].lru, &head);
	EXPECT_TRUE(list_is_singular(&head));
	EXPECT_EQ(container_of(head.next, struct page, lru), &pages[3]);
}

// ---- constants ----

TEST(SparseConstants, FourAndFiveLevel)
{
	paging_reset();
	EXPECT_EQ(PFN_SECTION_SHIFT, 15);
	EXPECT_EQ(PAGES_PER_SECTION, 32768u);
	EXPECT_EQ(SECTIONS_PER_ROOT, 256u);
	EXPECT_EQ(MAX_PHYSMEM_BITS, 46);
	EXPECT_EQ(NR_MEM_SECTIONS, 1UL << 19);
	EXPECT_EQ(NR_SECTION_ROOTS, 2048u);
	EXPECT_EQ(section_map_size(), SZ_2M);
	EXPECT_EQ(usemap_size(), 32u);
	EXPECT_EQ(mem_section_usage_size(), 40u);
	EXPECT_EQ(SUBSECTIONS_PER_SECTION, 64u);
	EXPECT_EQ(SECTION_NID_SHIFT, 5);

	paging_set_levels(true);
	EXPECT_EQ(MAX_PHYSMEM_BITS, 52);
	EXPECT_EQ(NR_MEM_SECTIONS, 1UL << 25);
	EXPECT_EQ(NR_SECTION_ROOTS, 131072u);
	paging_reset();
}

// ---- memory_present ----

TEST_F(Sparse, MemblocksPresentMarksSectionsWithRamOnly)
{
	// Node 0: [1M, 200M) (sections 0 and 1, a hole at the end of 1);
	// node 1: [4G + 64M, 4G + 192M) (sections 32 and 33, no RAM here);
	// node 0 again: a page at 64G (section 512, another root).
	ASSERT_EQ(memblock_add_node(SZ_1M, 199 * SZ_1M, 0, MEMBLOCK_NONE), 0);
	ASSERT_EQ(memblock_add_node(SZ_4G + 64 * SZ_1M, 128 * SZ_1M, 1, MEMBLOCK_NONE), 0);
	ASSERT_EQ(memblock_add_node(64 * SZ_1G, SZ_4K, 0, MEMBLOCK_NONE), 0);
	u64 reserved = memblock_reserved_size();

	ASSERT_EQ(memblocks_present(), 0);
	ASSERT_NE(mem_section, nullptr);

	std::set<unsigned long> expect = { 0, 1, 32, 33, 512 };
	for (unsigned long nr = 0; nr < 1024; nr++) {
		EXPECT_EQ(!!present_section_nr(nr), expect.count(nr) == 1) << nr;
		EXPECT_FALSE(valid_section_nr(nr)) << nr;
	}
	EXPECT_EQ(__highest_present_section_nr, 512u);
	EXPECT_EQ(first_present_section_nr(), 0u);
	EXPECT_EQ(next_present_section_nr(1), 32u);
	EXPECT_EQ(next_present_section_nr(33), 512u);
	EXPECT_EQ(next_present_section_nr(512), -1UL);

	EXPECT_EQ(sparse_early_nid(__nr_to_section(0)), 0);
	EXPECT_EQ(sparse_early_nid(__nr_to_section(1)), 0);
	EXPECT_EQ(sparse_early_nid(__nr_to_section(32)), 1);
	EXPECT_EQ(sparse_early_nid(__nr_to_section(33)), 1);
	EXPECT_EQ(sparse_early_nid(__nr_to_section(512)), 0);
	EXPECT_EQ(__nr_to_section(32)->section_mem_map,
		  (1UL << SECTION_NID_SHIFT) | SECTION_IS_ONLINE | SECTION_MARKED_PRESENT);
	EXPECT_TRUE(online_section_nr(33));

	// Roots 0 and 2 exist (sections 0..255, 512..767), root 1 does not.
	EXPECT_NE(mem_section[0], nullptr);
	EXPECT_EQ(mem_section[1], nullptr);
	EXPECT_NE(mem_section[2], nullptr);
	EXPECT_EQ(__nr_to_section(300), nullptr);
	EXPECT_FALSE(present_section_nr(300));
	// The root table (2048 pointers) and two roots of a page each, from memblock.
	EXPECT_EQ(memblock_reserved_size() - reserved, 2048 * 8 + 2 * PAGE_SIZE);
	EXPECT_TRUE(memblock_is_region_reserved(__pa(mem_section), 2048 * 8));
	EXPECT_TRUE(memblock_is_region_reserved(__pa(mem_section[2]), PAGE_SIZE));

	// Nothing has a memory map yet.
	EXPECT_FALSE(pfn_valid(0x100));
	EXPECT_TRUE(pfn_in_present_section(0x100));
	EXPECT_FALSE(pfn_in_present_section(section_nr_to_pfn(2)));
}

TEST_F(Sparse, MemoryPresentIsIdempotentAndKeepsTheFirstNode)
{
	add_low_ram();	// for the tables; memblocks_present() is not called
	ASSERT_EQ(memory_present(3, 0x100, 0x200), 0);
	u64 reserved = memblock_reserved_size();
	unsigned long before = __nr_to_section(0)->section_mem_map;
	EXPECT_EQ(sparse_early_nid(__nr_to_section(0)), 3);

	ASSERT_EQ(memory_present(3, 0x100, 0x200), 0);
	ASSERT_EQ(memory_present(5, 0x7000, 0x8000), 0);	// same section, other node
	EXPECT_EQ(__nr_to_section(0)->section_mem_map, before);
	EXPECT_EQ(memblock_reserved_size(), reserved);
	EXPECT_FALSE(present_section_nr(1));
}

TEST_F(Sparse, RangesWithoutANodeAreNodeZero)
{
	ASSERT_EQ(memblock_add(SZ_1M, PHYS_SIZE - SZ_1M), 0);	// NUMA_NO_NODE
	ASSERT_EQ(memblock_add_node(SZ_4G, SZ_128M, 2, MEMBLOCK_NONE), 0);
	ASSERT_EQ(memblocks_present(), 0);
	ASSERT_TRUE(present_section_nr(0));
	ASSERT_TRUE(present_section_nr(1));
	ASSERT_TRUE(present_section_nr(32));
	EXPECT_EQ(sparse_early_nid(__nr_to_section(0)), 0);
	EXPECT_EQ(sparse_early_nid(__nr_to_section(1)), 0);
	EXPECT_EQ(sparse_early_nid(__nr_to_section(32)), 2);
	// Node 0 has no region of its own: its allocations may come from anywhere.
	EXPECT_EQ(sparse_alloc_nid(0), NUMA_NO_NODE);
	EXPECT_EQ(sparse_alloc_nid(2), 2);

	pgd_t *pgd = new_pgd();
	ASSERT_EQ(sparse_init(pgd), 0);
	EXPECT_EQ(vmemmap_nr_pmds, 3u);
	pt_translation t0 = memmap_of(pgd, 0);
	EXPECT_EQ(memmap_of(pgd, PAGES_PER_SECTION).pa, t0.pa + SZ_2M);	// one buffer
}

TEST_F(Sparse, RangesPastMaxPhysmemBitsAreClampedIn4LevelOnly)
{
	pfn_t max_pfn4 = pfn_t(1UL << (46 - PAGE_SHIFT));
	add_low_ram();

	// Straddling the limit: only the part below counts.
	ASSERT_EQ(memory_present(0, max_pfn4 - PAGES_PER_SECTION, max_pfn4 + PAGES_PER_SECTION), 0);
	auto lines = console_lines();
	ASSERT_EQ(lines.size(), 1u);
	char want[160];
	snprintf(want, sizeof(want), "mminit::pfnvalidation End of range %lu -> %lu exceeds SPARSEMEM max %lu",
		 (max_pfn4 - PAGES_PER_SECTION).val, (max_pfn4 + PAGES_PER_SECTION).val, max_pfn4.val);
	EXPECT_EQ(lines[0], want);
	unsigned long last = pfn_to_section_nr(max_pfn4) - 1;
	EXPECT_TRUE(present_section_nr(last));
	EXPECT_EQ(__highest_present_section_nr, last);
	EXPECT_EQ(__nr_to_section(last + 1), nullptr);	// past NR_MEM_SECTIONS

	// Wholly above: nothing.
	ASSERT_EQ(memory_present(0, max_pfn4 + 5 * PAGES_PER_SECTION, max_pfn4 + 6 * PAGES_PER_SECTION), 0);
	lines = console_lines();
	ASSERT_FALSE(lines.empty());
	EXPECT_EQ(lines[0].rfind("mminit::pfnvalidation Start of range", 0), 0u) << lines[0];
	EXPECT_EQ(__highest_present_section_nr, last);
}

TEST_F(Sparse, FiveLevelAcceptsRamAbove64TiB)
{
	five_level();
	add_low_ram();
	pfn_t pfn = 1UL << (46 - PAGE_SHIFT);	// 64 TiB
	ASSERT_EQ(memory_present(0, pfn, pfn + 1), 0);
	EXPECT_EQ(console_lines().size(), 0u);
	EXPECT_TRUE(present_section_nr(pfn_to_section_nr(pfn)));
	EXPECT_EQ(__highest_present_section_nr, 1UL << 19);
	// The 5-level root table: 131072 pointers.
	EXPECT_TRUE(memblock_is_region_reserved(__pa(mem_section), 131072 * 8));
}

TEST_F(Sparse, PfnValidRejectsWrappingAndHugePfns)
{
	add_low_ram();
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(sparse_init(pgd), 0);
	EXPECT_TRUE(pfn_valid(0x1000));
	// PFN_PHYS(pfn) would drop the top bits and land on pfn 0x1000.
	EXPECT_FALSE(pfn_valid(0x1000 | (1UL << 60)));
	EXPECT_FALSE(pfn_valid(section_nr_to_pfn(NR_MEM_SECTIONS)));
	EXPECT_FALSE(pfn_valid(~0UL));
}

// ---- after sparse_init ----

TEST_F(Sparse, PfnValidCoversWholeEarlySectionsIncludingHoles)
{
	// Section 0: RAM [1M, 100M), a hole [100M, 101M), RAM [101M, 120M): holes
	// inside the section and RAM not 2M-aligned. Sections 1..31 none. Section 32:
	// [4G + 1M, 4G + 3M) above 4 GiB.
	ASSERT_EQ(memblock_add(SZ_1M, 99 * SZ_1M), 0);
	ASSERT_EQ(memblock_add(101 * SZ_1M, 19 * SZ_1M), 0);
	ASSERT_EQ(memblock_add(SZ_4G + SZ_1M, 2 * SZ_1M), 0);
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(sparse_init(pgd), 0);

	for (pfn_t pfn = 0; pfn < PAGES_PER_SECTION; pfn += 97)
		ASSERT_TRUE(pfn_valid(pfn)) << pfn;
	EXPECT_TRUE(pfn_valid(PFN_DOWN(100 * SZ_1M)));	// the hole
	EXPECT_TRUE(pfn_valid(PAGES_PER_SECTION - 1));	// past the RAM, same section
	EXPECT_FALSE(pfn_valid(PAGES_PER_SECTION));
	EXPECT_FALSE(pfn_valid(PFN_DOWN(SZ_4G) - 1));
	EXPECT_TRUE(pfn_valid(PFN_DOWN(SZ_4G)));
	EXPECT_TRUE(pfn_valid(PFN_DOWN(SZ_4G + SZ_128M) - 1));
	EXPECT_FALSE(pfn_valid(PFN_DOWN(SZ_4G + SZ_128M)));

	for (unsigned long nr : { 0UL, 32UL }) {
		const struct mem_section *ms = __nr_to_section(nr);
		EXPECT_EQ(ms->section_mem_map & ~SECTION_MAP_MASK,
			  SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP | SECTION_IS_ONLINE |
				  SECTION_IS_EARLY) << nr;
		EXPECT_TRUE(early_section(ms));
	}
}

TEST_F(Sparse, SectionMemMapEncodesVmemmap)
{
	// Node 1 RAM, so the node bits would show if they were left.
	ASSERT_EQ(memblock_add_node(SZ_1M, PHYS_SIZE - SZ_1M, 1, MEMBLOCK_NONE), 0);
	ASSERT_EQ(memblock_add_node(SZ_4G, SZ_128M, 1, MEMBLOCK_NONE), 0);
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(sparse_init(pgd), 0);

	for (unsigned long nr : { 0UL, 1UL, 32UL }) {
		struct mem_section *ms = __nr_to_section(nr);
		ASSERT_TRUE(valid_section(ms)) << nr;
		// Encoded: mem_map - first pfn = vmemmap, node bits gone.
		EXPECT_EQ(ms->section_mem_map & SECTION_MAP_MASK, (unsigned long)vmemmap) << nr;
		EXPECT_EQ(__section_mem_map_addr(ms), vmemmap);
		EXPECT_EQ(sparse_decode_mem_map(ms->section_mem_map, nr),
			  pfn_to_page(section_nr_to_pfn(nr)));
		EXPECT_EQ(sparse_encode_mem_map(pfn_to_page(section_nr_to_pfn(nr)), nr),
			  (unsigned long)vmemmap);
	}
}

TEST_F(Sparse, UsageMapsAreZeroedPerSectionAndSubsectionsSettable)
{
	ASSERT_EQ(memblock_add(SZ_1M, PHYS_SIZE - SZ_1M), 0);	// sections 0, 1
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(sparse_init(pgd), 0);

	struct mem_section *ms0 = __nr_to_section(0), *ms1 = __nr_to_section(1);
	ASSERT_NE(ms0->usage, nullptr);
	EXPECT_EQ((char *)ms1->usage - (char *)ms0->usage, 40);	// one allocation for the node
	EXPECT_TRUE(memblock_is_region_reserved(__pa(ms0->usage), 80));
	const u8 *u = (const u8 *)ms0->usage;
	for (int i = 0; i < 80; i++)
		ASSERT_EQ(u[i], 0) << i;

	// [1M, 5M + 4K): subsections 0..2 of section 0 (2M each).
	subsection_map_init(PFN_DOWN(SZ_1M), PFN_DOWN(4 * SZ_1M) + 1);
	EXPECT_EQ(ms0->usage->subsection_map[0], 0x7u);
	EXPECT_TRUE(pfn_section_valid(ms0, PFN_DOWN(4 * SZ_1M)));
	EXPECT_FALSE(pfn_section_valid(ms0, PFN_DOWN(6 * SZ_1M)));

	// A range across the boundary sets the last subsection of 0 and the first of 1.
	subsection_map_init(PFN_DOWN(SZ_128M - SZ_1M), PFN_DOWN(2 * SZ_1M));
	EXPECT_EQ(ms0->usage->subsection_map[0], 0x7u | (1UL << 63));
	EXPECT_EQ(ms1->usage->subsection_map[0], 0x1u);
	EXPECT_EQ(ms0->usage->pageblock_flags[0], 0u);
}

TEST_F(Sparse, NoPresentSectionsIsNotAnError)
{
	add_low_ram();
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(memblock_remove(SZ_1M, PHYS_SIZE - SZ_1M), 0);
	EXPECT_EQ(sparse_init(pgd), 0);
	EXPECT_EQ(vmemmap_nr_pmds + vmemmap_nr_base_pages, 0u);
	EXPECT_EQ(first_present_section_nr(), -1UL);
	EXPECT_EQ(console_lines(), (std::vector<std::string>{ "vmemmap: no present sections" }));
	EXPECT_EQ(sparse_init(nullptr), -EINVAL);
}

TEST_F(Sparse, BackingFailureDropsTheRestOfTheNode)
{
	// Sections 0 and 1 with RAM. Free: one 2M block at 32M (section 0 gets a
	// PMD), and 64 scattered pages higher up: too few for section 1's 512
	// base pages.
	add_low_ram();
	std::vector<std::pair<phys_addr_t, phys_addr_t>> free = { { 32 * SZ_1M, 34 * SZ_1M } };
	free.push_back({ 100 * SZ_1M, 100 * SZ_1M + 64 * SZ_4K });
	reserve_except(SZ_1M, PHYS_SIZE, free);
	pgd_t *pgd = (pgd_t *)alloc_low_page();
	ASSERT_NE(pgd, nullptr);

	EXPECT_EQ(sparse_init(pgd), -ENOMEM);
	auto lines = console_lines();
	EXPECT_NE(std::find(lines.begin(), lines.end(),
			    "sparse_init_nid: node[0] memory map backing failed. Some memory will not be available."),
		  lines.end());
	EXPECT_TRUE(valid_section_nr(0));
	EXPECT_TRUE(pfn_valid(0));
	EXPECT_EQ(__nr_to_section(1)->section_mem_map, 0u);
	EXPECT_FALSE(present_section_nr(1));
	EXPECT_FALSE(pfn_valid(PAGES_PER_SECTION));
	EXPECT_EQ(vmemmap_nr_pmds, 1u);
	EXPECT_LT(vmemmap_nr_base_pages, 64u);
	EXPECT_EQ(memmap_of(pgd, 0).pa, 32 * SZ_1M);
}

} // namespace
