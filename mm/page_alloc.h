// The buddy allocator's free lists, mirroring mm/page_alloc.c (Linux 6.1):
// struct pages of free blocks on zone->free_area[order].free_list[migratetype],
// the first page of each block marked PageBuddy with its order in
// page->private, and freeing that merges a block with its buddy at
// pfn ^ (1 << order) for as long as the buddy is free too.
//
// Also the boot-time hand-over (memblock_free_pages(), __free_pages_core(),
// reserve_bootmem_region()) that memblock_free_all() drives.
//
// Where we differ from Linux:
// - One CPU, no zone->lock, no per-cpu lists, no vm events or vmstat counters
//   beyond nr_free per order and managed_pages.
// - No page shuffling (CONFIG_SHUFFLE_PAGE_ALLOCATOR off), no guard pages, no
//   KASAN/KMSAN/init_on_free, no page_owner.
#pragma once

#include "lib/platform.h"
#include "lib/types.h"
#include "mm/gfp.h"
#include "mm/mmzone.h"
#include "mm/numa.h" // nodemask_t
#include "mm/page_flags.h"
#include "mm/pageblock_flags.h"
#include "mm/sparse.h"

/* FPI flags (fpi_t): how __free_one_page() files a block. */
typedef unsigned int fpi_t;
constexpr fpi_t FPI_NONE = 0;
/* Put the block at the tail of its list: it will be allocated last. */
constexpr fpi_t FPI_TO_TAIL = 1u << 1;

static inline struct zone *page_zone(const struct page *page)
{
	return &NODE_DATA(page_to_nid(page))->node_zones[page_zonenum(page)];
}

static inline pg_data_t *page_pgdat(const struct page *page)
{
	return NODE_DATA(page_to_nid(page));
}

/* The order of a free block, valid while PageBuddy. */
static inline unsigned int buddy_order(const struct page *page)
{
	return (unsigned int)page_private(page);
}

static inline void set_buddy_order(struct page *page, unsigned int order)
{
	set_page_private(page, order);
	__SetPageBuddy(page);
}

/* Linux's __find_buddy_pfn(): the pfn of the block @pfn merges with at @order. */
static inline unsigned long __find_buddy_pfn(unsigned long page_pfn, unsigned int order)
{
	return page_pfn ^ (1UL << order);
}

/*
 * page_is_buddy(): @buddy is free, of the same @order, and in the same zone as
 * @page (page_zone_id() holds node and zone). The memory map of a whole
 * MAX_ORDER block always exists (it lies in one section), so reading @buddy is
 * safe whenever @page is valid.
 */
static inline bool page_is_buddy(const struct page *page, const struct page *buddy, unsigned int order)
{
	if (!PageBuddy(buddy))
		return false;
	if (buddy_order(buddy) != order)
		return false;
	return page_zone_id(page) == page_zone_id(buddy);
}

/* find_buddy_page_pfn(): the buddy of @page at @order if it is free, else nullptr. */
static inline struct page *find_buddy_page_pfn(struct page *page, unsigned long pfn, unsigned int order,
					       unsigned long *buddy_pfn)
{
	unsigned long __buddy_pfn = __find_buddy_pfn(pfn, order);
	struct page *buddy = page + (__buddy_pfn - pfn);

	if (buddy_pfn)
		*buddy_pfn = __buddy_pfn;
	if (page_is_buddy(page, buddy, order))
		return buddy;
	return nullptr;
}

/* The free list helpers: nr_free follows every add and delete. */
void add_to_free_list(struct page *page, struct zone *zone, unsigned int order, int migratetype);
void add_to_free_list_tail(struct page *page, struct zone *zone, unsigned int order, int migratetype);
void move_to_free_list(struct page *page, struct zone *zone, unsigned int order, int migratetype);
void del_page_from_free_list(struct page *page, struct zone *zone, unsigned int order);

/* Empty lists, nr_free 0 (init_currently_empty_zone()). */
void zone_init_free_lists(struct zone *zone);

/*
 * __free_one_page(): put the 2^@order block at @pfn on @zone's free lists,
 * merging with free buddies; merging across pageblocks of different
 * migratetypes stops where one of them is not mergeable (ISOLATE, HIGHATOMIC).
 */
void __free_one_page(struct page *page, unsigned long pfn, struct zone *zone, unsigned int order,
		     int migratetype, fpi_t fpi_flags);

/*
 * __free_pages_core(): hand a block of boot memory to the buddy allocator: clear
 * PageReserved and the refcount of each page, count the pages as managed by the
 * zone, and free the block to the tail of its list.
 */
void __free_pages_core(struct page *page, unsigned int order);

/* memblock_free_pages(): mm/internal.h's entry point for memblock_free_all(). */
void memblock_free_pages(struct page *page, unsigned long pfn, unsigned int order);

/*
 * reserve_bootmem_region(): every page of [start, end) (bytes, rounded out to
 * pages) that has a memory map becomes PageReserved with an empty lru.
 */
void reserve_bootmem_region(phys_addr_t start, phys_addr_t end);

/* Free pages on the buddy lists: of one zone, and of every zone of every node. */
unsigned long zone_free_pages(const struct zone *zone);
unsigned long nr_free_pages(void);

/* totalram_pages(): pages managed by the buddy allocator (all zones). */
unsigned long totalram_pages(void);
void totalram_pages_add(long count);

/* Forget totalram (tests, app re-runs). The zones belong to NODE_DATA. */
void page_alloc_reset(void);

/* /proc/buddyinfo: "Node N, zone NAME" and nr_free of each order. */
void show_buddyinfo(void);

/*
 * The allocation API (mm/page_alloc.c, include/linux/gfp.h, mm.h). The contract
 * the slab allocator builds on; see docs/buddy.md.
 *
 * alloc_pages() returns the first struct page of a naturally aligned block of
 * 2^@order pages with refcount 1 (each page with __GFP_COMP: a compound page,
 * head PageHead, tails pointing at it), or nullptr when it cannot be met (with
 * a warning unless __GFP_NOWARN). __free_pages() drops a reference and frees the
 * block when it was the last; freeing what is not an allocated block of that
 * order is reported (bad_page) and changes nothing.
 */
struct page *alloc_pages(gfp_t gfp_mask, unsigned int order);
struct page *alloc_pages_node(int nid, gfp_t gfp_mask, unsigned int order);
struct page *__alloc_pages(gfp_t gfp, unsigned int order, int preferred_nid, nodemask_t *nodemask);
void __free_pages(struct page *page, unsigned int order);
#define alloc_page(gfp_mask) alloc_pages(gfp_mask, 0)
#define __free_page(page) __free_pages((page), 0)

/* The same by direct-map address. */
unsigned long __get_free_pages(gfp_t gfp_mask, unsigned int order);
unsigned long get_zeroed_page(gfp_t gfp_mask);
void free_pages(unsigned long addr, unsigned int order);
#define __get_free_page(gfp_mask) __get_free_pages((gfp_mask), 0)
#define free_page(addr) free_pages((addr), 0)

/* split_page(): an order-n non-compound block becomes 2^n order-0 pages. */
void split_page(struct page *page, unsigned int order);

/* page_address() / virt_to_page() through the direct map (__va/__pa). */
static inline void *page_address(const struct page *page)
{
	return __va(PFN_PHYS(page_to_pfn(page)));
}
static inline struct page *virt_to_page(const void *addr)
{
	return pfn_to_page(PFN_DOWN(__pa(addr)));
}
