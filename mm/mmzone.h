// Zones and nodes, mirroring include/linux/mmzone.h (and the few constants of
// include/linux/nodemask.h and asm/sparsemem.h the zone sizing needs).
//
// Only what can be computed before struct pages exist: the zone spans and page
// counts of every node. The free lists (struct free_area) belong to the buddy
// allocator and are added there; nothing here depends on them.
#pragma once

#include "lib/types.h"
#include "lib/list.h"
#include "mm/memblock.h" // MAX_NUMNODES, NUMA_NO_NODE

/*
 * The zones of x86-64 with Debian's configuration (CONFIG_ZONE_DMA,
 * CONFIG_ZONE_DMA32, CONFIG_ZONE_DEVICE; no HIGHMEM). Linux builds the enum from
 * the config; the order is its order, and the names are zone_names[].
 */
enum zone_type {
	ZONE_DMA,
	ZONE_DMA32,
	ZONE_NORMAL,
	ZONE_MOVABLE,
	ZONE_DEVICE,
	__MAX_NR_ZONES
};

constexpr int MAX_NR_ZONES = __MAX_NR_ZONES;

// "DMA", "DMA32", "Normal", "Movable", "Device", as Linux prints them.
extern const char *const zone_names[MAX_NR_ZONES];

/*
 * Sections (asm/sparsemem.h, x86-64): 128 MiB. Macros as in Linux, and only when
 * nobody defined them first, so that the sparse memory model can own them.
 */
#ifndef SECTION_SIZE_BITS
#define SECTION_SIZE_BITS 27
#endif
#ifndef PFN_SECTION_SHIFT
#define PFN_SECTION_SHIFT (SECTION_SIZE_BITS - PAGE_SHIFT)
#endif
#ifndef PAGES_PER_SECTION
#define PAGES_PER_SECTION (1UL << PFN_SECTION_SHIFT)
#endif
#ifndef PAGE_SECTION_MASK
#define PAGE_SECTION_MASK (~(PAGES_PER_SECTION - 1))
#endif

/*
 * Buddy orders: blocks of 2^0 .. 2^MAX_PAGE_ORDER pages, the largest 4 MiB.
 * Linux 6.1 calls the count of orders MAX_ORDER (11); Linux 6.8 renamed it
 * NR_PAGE_ORDERS and the largest order MAX_PAGE_ORDER (10). We use the new names.
 */
constexpr unsigned MAX_PAGE_ORDER = 10;
constexpr unsigned NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1;
#define MAX_ORDER_NR_PAGES (1UL << MAX_PAGE_ORDER)

/*
 * Migrate types (include/linux/mmzone.h): which kind of allocation a pageblock
 * serves, so that unmovable allocations do not scatter over all of memory.
 * PCPTYPES: the types with per-cpu lists. CMA is not configured.
 */
enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES, /* count of the types that have pcp lists */
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_ISOLATE, /* isolated pageblocks: never allocated from */
	MIGRATE_TYPES
};

// "Unmovable", "Movable", ... as /proc/pagetypeinfo prints them.
extern const char *const migratetype_names[MIGRATE_TYPES];

/*
 * struct free_area: the free blocks of one order in a zone, one list per
 * migratetype, linked through page->buddy_list of each block's first page.
 */
struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;
};

/*
 * Watermarks (enum zone_watermarks): a zone below WMARK_MIN serves only
 * allocations allowed to dip into the reserve (__GFP_HIGH, __GFP_ATOMIC); below
 * WMARK_LOW Linux would wake kswapd; WMARK_HIGH is where kswapd stops.
 * WMARK_PROMO (memory tiering) is computed as Linux does and never used.
 */
enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	WMARK_PROMO,
	NR_WMARK
};

/*
 * Per-zone counters (enum zone_stat_item), reduced to the ones this allocator
 * keeps: NR_FREE_PAGES is the pages on the buddy lists outside isolated
 * pageblocks (pages on per-cpu lists are not free in this sense), as Linux's
 * __mod_zone_freepage_state() keeps it.
 */
enum zone_stat_item {
	NR_FREE_PAGES,
	NR_VM_ZONE_STAT_ITEMS
};

/*
 * Per-cpu lists (struct per_cpu_pages): orders 0..PAGE_ALLOC_COSTLY_ORDER of the
 * three pcp migratetypes, plus one list for pageblock-order (THP) blocks, as
 * Linux 6.1 with CONFIG_TRANSPARENT_HUGEPAGE. count is in pages.
 */
constexpr unsigned PAGE_ALLOC_COSTLY_ORDER = 3;
constexpr int NR_PCP_THP = 1;
constexpr int NR_LOWORDER_PCP_LISTS = MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1);
constexpr int NR_PCP_LISTS = NR_LOWORDER_PCP_LISTS + NR_PCP_THP;

struct per_cpu_pages {
	int count;		/* pages on all the lists */
	int high;		/* above this count, pages go back to the buddy */
	int batch;		/* pages moved per refill or drain */
	short free_factor;	/* shift applied to batch when freeing */
	short expire;		/* (remote drains; unused with one CPU) */
	struct list_head lists[NR_PCP_LISTS];
};

/*
 * The app runs on the boot CPU only (boot services are single-threaded), so
 * Linux's __percpu pointer becomes one embedded pageset: CPU 0's.
 */
constexpr int NR_CPUS = 1;

/* arch/x86/include/asm/dma.h: the ISA DMA limit and the 32-bit DMA limit. */
constexpr pfn_t MAX_DMA_PFN = pfn_t((16UL * 1024 * 1024) >> PAGE_SHIFT);
constexpr pfn_t MAX_DMA32_PFN = pfn_t(1UL << (32 - PAGE_SHIFT));

struct pglist_data;

/*
 * struct zone: the fields that exist before the page allocator. Linux keeps
 * managed_pages in an atomic_long_t; here it is a plain count, set by
 * free_area_init() to present_pages minus the memmap estimate (as v5.x's
 * free_area_init_core()) and later adjusted by whoever frees pages to the buddy.
 */
struct zone {
	pfn_t zone_start_pfn;
	unsigned long spanned_pages; // pfns from zone_start_pfn to zone_end_pfn(), holes counted
	unsigned long present_pages; // spanned_pages less the pfns memblock.memory lacks
	unsigned long managed_pages; // present_pages - memmap - dma_reserve
	const char *name;
	struct pglist_data *zone_pgdat;
	int node;
	bool initialized;

	/* The buddy allocator's free lists (mm/page_alloc.cpp). */
	struct free_area free_area[NR_PAGE_ORDERS];

	/* The allocator's side (mm/page_alloc.cpp), set up after the hand-over. */
	unsigned long _watermark[NR_WMARK];
	unsigned long watermark_boost; /* always 0: nothing boosts (no kswapd) */
	unsigned long nr_reserved_highatomic;
	/*
	 * Pages an allocation that may use a higher zone must leave in this one:
	 * lowmem_reserve[j] applies when the allocation's highest zone is j.
	 */
	long lowmem_reserve[MAX_NR_ZONES];
	struct per_cpu_pages per_cpu_pageset[NR_CPUS];
	int pageset_high;
	int pageset_batch;
	/* NR_FREE_PAGES and friends (Linux: atomic_long_t vm_stat[]). */
	long vm_stat[NR_VM_ZONE_STAT_ITEMS];
};

/*
 * Zonelists: the zones an allocation on a node tries, in order. ZONELIST_FALLBACK
 * holds every node's zones (nearest node first), ZONELIST_NOFALLBACK only the
 * node's own (__GFP_THISNODE). Each zoneref caches the zone's index.
 */
enum {
	ZONELIST_FALLBACK,
	ZONELIST_NOFALLBACK,
	MAX_ZONELISTS
};

constexpr int MAX_ZONES_PER_ZONELIST = MAX_NUMNODES * MAX_NR_ZONES;

struct zoneref {
	struct zone *zone;
	int zone_idx;
};

struct zonelist {
	struct zoneref _zonerefs[MAX_ZONES_PER_ZONELIST + 1];
};

/*
 * struct pglist_data (pg_data_t): one per NUMA node.
 */
typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	int nr_zones; // index of the highest populated zone + 1
	pfn_t node_start_pfn;
	unsigned long node_present_pages; // pages of RAM in the node
	unsigned long node_spanned_pages; // pfns from node_start_pfn to the node's end, holes counted
	int node_id;
	// CONFIG_DEFERRED_STRUCT_PAGE_INIT: the first pfn whose struct page waits
	// for page_alloc_init_late() (ULONG_MAX: none).
	pfn_t first_deferred_pfn;
	/* build_all_zonelists() (mm/page_alloc.cpp). */
	struct zonelist node_zonelists[MAX_ZONELISTS];
} pg_data_t;

// arch/x86/include/asm/mmzone_64.h: allocated by alloc_node_data() (mm/numa.cpp).
extern pg_data_t *node_data[MAX_NUMNODES];
#define NODE_DATA(nid) (node_data[(nid)])

static inline pfn_t zone_end_pfn(const struct zone *zone)
{
	return zone->zone_start_pfn + zone->spanned_pages;
}

static inline bool zone_spans_pfn(const struct zone *zone, pfn_t pfn)
{
	return zone->zone_start_pfn <= pfn && pfn < zone_end_pfn(zone);
}

static inline bool zone_is_empty(const struct zone *zone)
{
	return zone->spanned_pages == 0;
}

static inline bool populated_zone(const struct zone *zone)
{
	return zone->present_pages != 0;
}

static inline int zone_to_nid(const struct zone *zone)
{
	return zone->node;
}

// The zone's index in its node (Linux's zone_idx() macro).
static inline enum zone_type zone_idx(const struct zone *zone)
{
	return (enum zone_type)(zone - zone->zone_pgdat->node_zones);
}

static inline pfn_t pgdat_end_pfn(const pg_data_t *pgdat)
{
	return pgdat->node_start_pfn + pgdat->node_spanned_pages;
}

/*
 * Walking the nodes and zones (mm/mmzone.cpp, as Linux's mm/mmzone.c). A node
 * is online once alloc_node_data() gave it its pg_data_t; next_zone() follows
 * zone->zone_pgdat, which free_area_init() sets for every zone of every online
 * node, so the zone walks are for after free_area_init().
 */
// The pg_data_t of the first online node; NULL when no node is online (Linux
// always has one; here numa_reset() leaves none).
pg_data_t *first_online_pgdat(void);
// The pg_data_t of the next online node after @pgdat's, or NULL after the last.
pg_data_t *next_online_pgdat(pg_data_t *pgdat);
// The zone after @zone: its node's next zone, else the first zone of the next
// online node; NULL after the last zone of the last online node.
struct zone *next_zone(struct zone *zone);

// The first zone of the first online node, NULL when none is online (the start
// of for_each_zone(), which Linux writes as first_online_pgdat()->node_zones).
static inline struct zone *first_online_zone(void)
{
	pg_data_t *pgdat = first_online_pgdat();
	return pgdat ? pgdat->node_zones : nullptr;
}

// Linux's for_each_online_pgdat(): every online node's pg_data_t, by node id.
#define for_each_online_pgdat(pgdat) \
	for ((pgdat) = first_online_pgdat(); (pgdat); (pgdat) = next_online_pgdat(pgdat))

// Linux's for_each_zone(): all MAX_NR_ZONES zones of every online node, empty
// ones included, in node then zone order.
#define for_each_zone(zone) for ((zone) = first_online_zone(); (zone); (zone) = next_zone(zone))

// Linux's for_each_populated_zone(): for_each_zone() without the zones that have
// no present pages.
#define for_each_populated_zone(zone)      \
	for_each_zone(zone)                \
		if (!populated_zone(zone)) { \
		} else

/* The watermarks in pages (wmark_pages() and friends; no boost here). */
static inline unsigned long wmark_pages(const struct zone *z, int i)
{
	return z->_watermark[i] + z->watermark_boost;
}
static inline unsigned long min_wmark_pages(const struct zone *z)
{
	return wmark_pages(z, WMARK_MIN);
}
static inline unsigned long low_wmark_pages(const struct zone *z)
{
	return wmark_pages(z, WMARK_LOW);
}
static inline unsigned long high_wmark_pages(const struct zone *z)
{
	return wmark_pages(z, WMARK_HIGH);
}

static inline unsigned long zone_managed_pages(const struct zone *zone)
{
	return zone->managed_pages;
}

/* managed_zone(): the zone has pages the buddy allocator manages. */
static inline bool managed_zone(const struct zone *zone)
{
	return zone_managed_pages(zone) != 0;
}

static inline long zone_page_state(const struct zone *zone, enum zone_stat_item item)
{
	long x = zone->vm_stat[item];
	return x < 0 ? 0 : x;
}

static inline struct zone *zonelist_zone(const struct zoneref *zoneref)
{
	return zoneref->zone;
}
static inline int zonelist_zone_idx(const struct zoneref *zoneref)
{
	return zoneref->zone_idx;
}
static inline int zonelist_node_idx(const struct zoneref *zoneref)
{
	return zone_to_nid(zoneref->zone);
}
