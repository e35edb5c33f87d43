// The buddy allocator's free lists, mirroring mm/page_alloc.c (Linux 6.1):
// struct pages of free blocks on zone->free_area[order].free_list[migratetype],
// the first page of each block marked PageBuddy with its order in
// page->private, and freeing that merges a block with its buddy at
// pfn ^ (1 << order) for as long as the buddy is free too.
//
// Also the boot-time hand-over (memblock_free_pages(), __free_pages_core(),
// reserve_bootmem_region()) that memblock_free_all() drives.
//
// And the allocation side (Linux 6.1's get_page_from_freelist() and what it
// calls): zonelists, watermarks and lowmem_reserve, per-cpu lists, migratetype
// fallback with pageblock stealing, high-atomic reserves, compound pages, the
// free-side checks (bad_page()), and the reports (warn_alloc(),
// show_free_areas(); /proc/buddyinfo, pagetypeinfo and zoneinfo in
// mm/vmstat.cpp). See docs/buddy.md.
//
// Where we differ from Linux:
// - One CPU (the boot CPU, before ExitBootServices): no zone->lock, per-cpu
//   lists for CPU 0 only, no IPIs to drain other CPUs, vmstat counters are
//   plain per-zone words.
// - Nothing reclaims, compacts or kills: the slow path retries with the min
//   watermark (and, for allocations that could reclaim, once more after
//   draining the pcp lists and releasing a high-atomic reserve, as Linux does
//   when direct reclaim made no progress) and then fails. __GFP_NOFAIL cannot
//   loop forever here: it fails with a warning.
// - The order of every allocated block is recorded in spare bits of its first
//   page's flags (PAGE_ALLOC_ORDER below), so that a free with the wrong order,
//   a double free or a free of memory that was never allocated is refused with
//   a bad_page() report before anything changes. Linux keeps no such record
//   (page_owner does, in page_ext) and corrupts its lists on a wrong order.
// - No guard pages, no KASAN/KMSAN, no page poisoning, no page_owner, no CMA,
//   no memory hotplug. init_on_alloc=, init_on_free= and page_alloc.shuffle=
//   (mm/shuffle.h) are here, off by default.
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
static inline pfn_t __find_buddy_pfn(pfn_t page_pfn, unsigned int order)
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
static inline struct page *find_buddy_page_pfn(struct page *page, pfn_t pfn, unsigned int order,
					       pfn_t *buddy_pfn)
{
	pfn_t __buddy_pfn = __find_buddy_pfn(pfn, order);
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
void __free_one_page(struct page *page, pfn_t pfn, struct zone *zone, unsigned int order,
		     int migratetype, fpi_t fpi_flags);

/*
 * __free_pages_core(): hand a block of boot memory to the buddy allocator: clear
 * PageReserved and the refcount of each page, count the pages as managed by the
 * zone, and free the block to the tail of its list.
 */
void __free_pages_core(struct page *page, unsigned int order);
// __free_pages_core() without its loop over the pages, for a block whose struct
// pages are already as that loop leaves them (refcount 0, not reserved).
void __free_pages_core_ready(struct page *page, unsigned int order);

/* memblock_free_pages(): mm/internal.h's entry point for memblock_free_all(). */
void memblock_free_pages(struct page *page, pfn_t pfn, unsigned int order);

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
 * PAGE_ALLOC_ORDER: 1 + the order of an allocated block, in four bits of its
 * first page's flags between the page flags and the zone field (where Linux
 * would put LAST_CPUPID, unused in this configuration); 0 on every page that is
 * not the first page of a block the page allocator handed out.
 */
constexpr int PAGE_ALLOC_ORDER_WIDTH = 4;
constexpr int PAGE_ALLOC_ORDER_PGSHIFT = ZONES_PGSHIFT - 8 - PAGE_ALLOC_ORDER_WIDTH;
constexpr unsigned long PAGE_ALLOC_ORDER_MASK = (1UL << PAGE_ALLOC_ORDER_WIDTH) - 1;
static_assert(PAGE_ALLOC_ORDER_PGSHIFT >= NR_PAGEFLAGS, "above the page flags");
static_assert(NR_PAGE_ORDERS < (1u << PAGE_ALLOC_ORDER_WIDTH), "order + 1 fits");

static inline bool page_alloc_allocated(const struct page *page)
{
	return (page->flags >> PAGE_ALLOC_ORDER_PGSHIFT) & PAGE_ALLOC_ORDER_MASK;
}
/* The order the block starting at @page was allocated with (if allocated). */
static inline unsigned int page_alloc_order(const struct page *page)
{
	return (unsigned int)((page->flags >> PAGE_ALLOC_ORDER_PGSHIFT) & PAGE_ALLOC_ORDER_MASK) - 1;
}
static inline void set_page_alloc_order(struct page *page, unsigned int order)
{
	page->flags = (page->flags & ~(PAGE_ALLOC_ORDER_MASK << PAGE_ALLOC_ORDER_PGSHIFT)) |
		      ((unsigned long)(order + 1) << PAGE_ALLOC_ORDER_PGSHIFT);
}
static inline void clear_page_alloc_order(struct page *page)
{
	page->flags &= ~(PAGE_ALLOC_ORDER_MASK << PAGE_ALLOC_ORDER_PGSHIFT);
}

/*
 * gfp_zone(): the highest zone an allocation may use (GFP_ZONE_TABLE of
 * include/linux/gfp.h for DMA, DMA32, no HIGHMEM). A combination Linux calls
 * GFP_ZONE_BAD (e.g. __GFP_DMA | __GFP_DMA32) gives -1 here: the allocation is
 * refused with an error.
 */
int gfp_zone(gfp_t flags);

/*
 * gfp_migratetype(): __GFP_MOVABLE / __GFP_RECLAIMABLE select the free lists
 * (both at once is a caller bug: Linux warns; we refuse the allocation).
 */
static inline int gfp_migratetype(gfp_t gfp_flags)
{
	return (int)((gfp_flags & GFP_MOVABLE_MASK) >> GFP_MOVABLE_SHIFT);
}

/* gfp_zonelist(): __GFP_THISNODE keeps to the node's own zones. */
static inline int gfp_zonelist(gfp_t flags)
{
	return (flags & __GFP_THISNODE) ? ZONELIST_NOFALLBACK : ZONELIST_FALLBACK;
}

static inline struct zonelist *node_zonelist(int nid, gfp_t flags)
{
	return NODE_DATA(nid)->node_zonelists + gfp_zonelist(flags);
}

/*
 * Walking a zonelist (include/linux/mmzone.h): the zones at or below
 * @highest_zoneidx on the nodes of @nodes (all nodes when null).
 */
static inline struct zoneref *next_zones_zonelist(struct zoneref *z, int highest_zoneidx, const nodemask_t *nodes)
{
	while (z->zone && (zonelist_zone_idx(z) > highest_zoneidx ||
			   (nodes && !node_isset(zonelist_node_idx(z), *nodes))))
		z++;
	return z;
}

static inline struct zoneref *first_zones_zonelist(struct zonelist *zonelist, int highest_zoneidx,
						   const nodemask_t *nodes)
{
	return next_zones_zonelist(zonelist->_zonerefs, highest_zoneidx, nodes);
}

#define for_each_zone_zonelist_nodemask(zone, z, zlist, highidx, nodemask)                          \
	for (z = first_zones_zonelist(zlist, highidx, nodemask), zone = zonelist_zone(z); zone;      \
	     z = next_zones_zonelist(++z, highidx, nodemask), zone = zonelist_zone(z))

#define for_next_zone_zonelist_nodemask(zone, z, highidx, nodemask)                                 \
	for (zone = z->zone; zone; z = next_zones_zonelist(++z, highidx, nodemask), zone = zonelist_zone(z))

#define for_each_zone_zonelist(zone, z, zlist, highidx)                                             \
	for_each_zone_zonelist_nodemask(zone, z, zlist, highidx, nullptr)

/*
 * The node the boot CPU belongs to (numa_node_id() on CPU 0). Nothing maps
 * CPUs to nodes here (the SRAT's CPU affinity is not kept), so it is the first
 * online node, where firmware runs CPU 0 on the machines we know.
 */
int numa_node_id(void);

/* alloc_flags (mm/internal.h, Linux 6.1). */
constexpr unsigned int ALLOC_WMARK_MIN = WMARK_MIN;
constexpr unsigned int ALLOC_WMARK_LOW = WMARK_LOW;
constexpr unsigned int ALLOC_WMARK_HIGH = WMARK_HIGH;
constexpr unsigned int ALLOC_NO_WATERMARKS = 0x04;
constexpr unsigned int ALLOC_WMARK_MASK = ALLOC_NO_WATERMARKS - 1;
constexpr unsigned int ALLOC_OOM = 0x08;
constexpr unsigned int ALLOC_HARDER = 0x10;
constexpr unsigned int ALLOC_HIGH = 0x20;
constexpr unsigned int ALLOC_CPUSET = 0x40;
constexpr unsigned int ALLOC_CMA = 0x80;
constexpr unsigned int ALLOC_NOFRAGMENT = 0x100;
constexpr unsigned int ALLOC_KSWAPD = 0x800;
static_assert(ALLOC_HIGH == __GFP_HIGH && ALLOC_KSWAPD == __GFP_KSWAPD_RECLAIM, "as Linux relies on");

/* Linux's fallbacks[]: the migratetypes to steal from, in order. */
extern const int fallbacks[MIGRATE_TYPES][MIGRATE_PCPTYPES - 1];

/*
 * __zone_watermark_ok() / zone_watermark_ok(): would @z still have more than
 * @mark free pages (lowered for ALLOC_HIGH/ALLOC_HARDER), plus
 * lowmem_reserve[@highest_zoneidx], after an allocation of @order, and a free
 * block of at least @order?
 */
bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark, int highest_zoneidx,
			 unsigned int alloc_flags, long free_pages);
bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark, int highest_zoneidx,
		       unsigned int alloc_flags);

/*
 * The allocator's set-up, in Linux's order: build_all_zonelists() after
 * zone_sizes_init() and before memblock_free_all() (mm_core_init(); "Built N
 * zonelists..." with the managed-page estimate of free_area_init() as "Total
 * pages"), then after the hand-over setup_per_cpu_pageset() (pcp high and
 * batch) and init_per_zone_wmark_min() (min_free_kbytes, the watermarks,
 * lowmem_reserve, and the pcp limits again, which follow the low watermark).
 */
void build_all_zonelists(void);
void setup_per_cpu_pageset(void);
void init_per_zone_wmark_min(void);
/* What init_per_zone_wmark_min() calls; for tests and sysctl-like changes. */
void setup_per_zone_wmarks(void);
void setup_per_zone_lowmem_reserve(void);
void calculate_min_free_kbytes(void);
/* nr_free_buffer_pages(): managed pages above the high watermark, zones <= NORMAL. */
unsigned long nr_free_buffer_pages(void);
/* zone_pcp_init(): the boot pageset (batch 1, high 0: nothing stays on the lists). */
void zone_pcp_init(struct zone *zone);

/* vm.min_free_kbytes, vm.watermark_scale_factor, vm.lowmem_reserve_ratio. */
extern int min_free_kbytes;
extern int user_min_free_kbytes;
extern int watermark_scale_factor;
extern int sysctl_lowmem_reserve_ratio[MAX_NR_ZONES];
/* totalreserve_pages: high watermark plus the largest lowmem_reserve, all zones. */
extern unsigned long totalreserve_pages;
/* Policy zone: the highest zone below MOVABLE with memory (mempolicy's limit). */
extern enum zone_type policy_zone;

/* The per-cpu lists: the pcp list of @migratetype/@order, and draining. */
static inline unsigned int order_to_pindex(int migratetype, unsigned int order)
{
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return NR_LOWORDER_PCP_LISTS; /* pageblock_order (THP) */
	return order * MIGRATE_PCPTYPES + (unsigned int)migratetype;
}
static inline unsigned int pindex_to_order(unsigned int pindex)
{
	return pindex < (unsigned int)NR_LOWORDER_PCP_LISTS ? pindex / MIGRATE_PCPTYPES : pageblock_order;
}
static inline bool pcp_allowed_order(unsigned int order)
{
	return order <= PAGE_ALLOC_COSTLY_ORDER || order == pageblock_order;
}
/* Return every page on @zone's (every zone's when null) pcp lists to the buddy. */
void drain_local_pages(struct zone *zone);
void drain_all_pages(struct zone *zone);
/* Pages on the per-cpu lists of every zone (show_free_areas()'s free_pcp). */
unsigned long nr_pcp_pages(void);

/*
 * move_freepages_block(): every free block of @page's pageblock goes to
 * @migratetype's lists; returns the pages moved (0 when the pageblock is not
 * wholly inside the zone).
 */
int move_freepages_block(struct zone *zone, struct page *page, int migratetype, int *num_movable);

/*
 * The high-atomic reserve: a pageblock set aside for high-order atomic
 * allocations once one of them succeeds in the slow path; released (to the
 * allocation's migratetype) when memory runs out, or all of them with @force.
 */
void reserve_highatomic_pageblock(struct page *page, struct zone *zone, unsigned int order);
bool unreserve_highatomic_pageblock(struct zonelist *zonelist, int highest_zoneidx, int migratetype,
				    bool force);

/*
 * The checks of a free: bad_page() prints Linux's "BUG: Bad page state" report
 * with dump_page(); every refused free counts in nr_bad_pages (Linux taints
 * the kernel instead).
 */
void bad_page(struct page *page, const char *reason);
void dump_page(struct page *page, const char *reason);
extern unsigned long nr_bad_pages;

/*
 * check_pages_enabled (Linux 6.3+, "mm, page_alloc: reduce page alloc/free
 * sanity checks"; the check_pages= boot option of Linux 6.19): whether every
 * struct page of a block is checked when it is handed out (check_new_pages())
 * and when it comes back (free_pages_prepare()'s tail pages). Off by default,
 * as in a kernel without CONFIG_DEBUG_VM, debug_pagealloc, page poisoning or
 * init_on_alloc/free (init_on_alloc=1 or init_on_free=1 turn it on). Unlike
 * Linux, the first page of every freed block is checked either way: that is
 * where a double free, a wrong order, a free of a page never handed out or of
 * a reserved page shows (docs/buddy.md).
 */
extern bool check_pages_enabled;
static inline bool is_check_pages_enabled(void)
{
	return unlikely(check_pages_enabled);
}

/*
 * init_on_alloc and init_on_free (Linux 5.3, "mm: security: introduce
 * init_on_alloc=1 and init_on_free=1 boot options"; static keys there, set by
 * mem_debugging_and_hardening_init() from the boot options): every block the
 * page allocator hands out, and every slab object, is cleared when allocated,
 * or when freed. Off by default, as an upstream kernel without
 * CONFIG_INIT_ON_ALLOC_DEFAULT_ON (Debian's kernels have init_on_alloc on).
 * Either one turns check_pages_enabled on, as in Linux 6.3+; the fast paths
 * rely on that and leave such allocations to Linux's path.
 */
extern bool init_on_alloc;
extern bool init_on_free;
static inline bool want_init_on_alloc(gfp_t flags)
{
	if (unlikely(init_on_alloc))
		return true;
	return flags & __GFP_ZERO;
}
static inline bool want_init_on_free(void)
{
	return unlikely(init_on_free);
}

/*
 * The order-0 fast paths ahead of __alloc_pages() and __free_pages() (not in
 * Linux; docs/buddy.md): on by default; off, every call takes Linux's path.
 * Either way the same blocks are handed out and the same checks made.
 */
extern bool page_alloc_fast_paths;

/* warn_alloc(): "page allocation failure: order:N, mode:..." and the state. */
void warn_alloc(gfp_t gfp_mask, const nodemask_t *nodemask, const char *fmt, ...) __printf(3, 4);
/* %pGg: the names of @gfp's flags as Linux prints them ("GFP_KERNEL|__GFP_ZERO"). */
int format_gfp_flags(char *buf, size_t size, gfp_t gfp);
/* show_free_areas() (show_mem()): Mem-Info, per zone and per order totals. */
void show_free_areas(void);

/* /proc/pagetypeinfo and /proc/zoneinfo as Linux prints them (mm/vmstat.cpp). */
void show_pagetypeinfo(void);
void show_zoneinfo(void);

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

/* The same by direct-map address (Linux's unsigned long; here a virt_addr_t, 0 for none). */
virt_addr_t __get_free_pages(gfp_t gfp_mask, unsigned int order);
virt_addr_t get_zeroed_page(gfp_t gfp_mask);
void free_pages(virt_addr_t addr, unsigned int order);
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
