// page_alloc.shuffle= (mm/shuffle.cpp): the option, the shuffle of the free
// lists after the hand-over, and the random end for freed top-order blocks.
#include "tests/host/page_alloc_test.h"

#include "mm/setup.h"
#include "mm/shuffle.h"

namespace {

using namespace page_alloc_test;

// The pfns of @zone's order-SHUFFLE_ORDER movable blocks, in list order.
std::vector<pfn_t> top_list(struct zone *zone)
{
	std::vector<pfn_t> v;
	struct page *page;
	list_for_each_entry(page, &zone->free_area[SHUFFLE_ORDER].free_list[MIGRATE_MOVABLE], buddy_list)
		v.push_back(page_to_pfn(page));
	return v;
}

// Every free pfn, checked block by block (walk_free_blocks()).
std::set<pfn_t> free_pfns()
{
	std::set<pfn_t> s;
	for (struct zone *zone : all_zones())
		mm_fixture::walk_free_blocks(zone, [&](struct page *, pfn_t pfn, unsigned order, int) {
			for (pfn_t p = pfn; p < pfn + (1UL << order); p++)
				EXPECT_TRUE(s.insert(p).second) << "pfn " << p << " on two free blocks";
		});
	return s;
}

class Shuffle : public PageAllocBoot {
protected:
	// The small machine (RAM [1M, 256M)): its DMA32 zone has some sixty free
	// 4 MiB blocks.
	struct zone *dma32() { return zone_of(0, ZONE_DMA32); }
};

TEST_F(Shuffle, OptionIsABooleanThatOnlyTurnsItOn)
{
	char unknown[64] = "";
	EXPECT_EQ(parse_early_param("page_alloc.shuffle=0", PARAMS_MEMORY, nullptr, unknown, sizeof(unknown)),
		  PARSE_OK);
	EXPECT_FALSE(page_alloc_shuffle_key);
	for (const char *bad : {"page_alloc.shuffle=banana", "page_alloc.shuffle=2"}) {
		host_console_take();
		EXPECT_EQ(parse_early_param(bad, PARAMS_MEMORY, nullptr, unknown, sizeof(unknown)), PARSE_MALFORMED)
			<< bad;
		EXPECT_NE(host_console_take().find("page_alloc.shuffle"), std::string::npos) << bad << ": no error naming it";
		EXPECT_FALSE(page_alloc_shuffle_key) << bad;
	}
	// A bare name means yes (param_set_bool()), and like Linux's static key
	// it cannot be turned off again.
	EXPECT_EQ(parse_early_param("page_alloc.shuffle", PARAMS_MEMORY, nullptr, unknown, sizeof(unknown)), PARSE_OK);
	EXPECT_TRUE(page_alloc_shuffle_key);
	EXPECT_EQ(parse_early_param("page_alloc.shuffle=off", PARAMS_MEMORY, nullptr, unknown, sizeof(unknown)),
		  PARSE_OK);
	EXPECT_TRUE(page_alloc_shuffle_key);
	EXPECT_STREQ(unknown, "");
}

// Off (the default): memblock_free_all() frees upwards and files each block at
// the tail, so the top-order list is in address order and nothing is printed.
TEST_F(Shuffle, OffLeavesTheTopOrderListInAddressOrder)
{
	bring_up_small();
	setup_allocator();
	EXPECT_EQ(host_console_take().find("shuffled"), std::string::npos);
	std::vector<pfn_t> list = top_list(dma32());
	ASSERT_GE(list.size(), 32u);
	EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
}

// On: the same free blocks, every invariant holding, in another order, and a
// line per zone saying how many were swapped.
TEST_F(Shuffle, OnPermutesTheTopOrderBlocksAndKeepsEveryFreePage)
{
	ASSERT_EQ(shuffle_param_set("1"), 0);
	bring_up_small();
	setup_allocator();
	std::string log = host_console_take();

	EXPECT_EQ(free_pfns(), expect_free) << "the shuffle lost or added free pages";
	check_invariants({});
	std::vector<pfn_t> list = top_list(dma32());
	ASSERT_GE(list.size(), 32u);
	EXPECT_FALSE(std::is_sorted(list.begin(), list.end()))
		<< "still in address order after the shuffle (chance: 1 in 32!)";

	const char *want = "page_alloc: shuffled node 0 zone DMA32: ";
	size_t at = log.find(want);
	ASSERT_NE(at, std::string::npos) << log;
	unsigned long swapped = 0, blocks = 0;
	ASSERT_EQ(sscanf(log.c_str() + at + strlen(want), "%lu of %lu", &swapped, &blocks), 2);
	EXPECT_EQ(blocks, dma32()->free_area[SHUFFLE_ORDER].nr_free);
	EXPECT_GT(swapped, blocks / 2);
	EXPECT_LE(swapped, blocks);
}

// 64 times: allocate a top-order movable block and free it again; count where
// the freed block lands on its list.
void free_ends(struct zone *zone, unsigned *heads, unsigned *tails)
{
	struct list_head *list = &zone->free_area[SHUFFLE_ORDER].free_list[MIGRATE_MOVABLE];
	*heads = *tails = 0;
	for (int i = 0; i < 64; i++) {
		struct page *page = alloc_pages(GFP_HIGHUSER_MOVABLE, SHUFFLE_ORDER);
		ASSERT_NE(page, nullptr);
		__free_pages(page, SHUFFLE_ORDER);
		if (list->next == &page->buddy_list)
			(*heads)++;
		else if (list->prev == &page->buddy_list)
			(*tails)++;
		else
			ADD_FAILURE() << "freed block at neither end";
	}
}

// Off: a freed top-order block goes to the head of its list
// (buddy_merge_likely() is false at the top orders).
TEST_F(Shuffle, OffFreedTopOrderBlocksGoToTheHead)
{
	boot_small();
	unsigned heads, tails;
	free_ends(dma32(), &heads, &tails);
	EXPECT_EQ(heads, 64u);
	check_invariants({});
}

// On: to a random end (shuffle_pick_tail()); 64 frees see both ends (the
// chance of one end only is 2^-63).
TEST_F(Shuffle, OnFreedTopOrderBlocksGoToARandomEnd)
{
	ASSERT_EQ(shuffle_param_set("1"), 0);
	boot_small();
	unsigned heads, tails;
	free_ends(dma32(), &heads, &tails);
	EXPECT_GT(heads, 0u);
	EXPECT_GT(tails, 0u);
	EXPECT_EQ(heads + tails, 64u);
	check_invariants({});
}

} // namespace
