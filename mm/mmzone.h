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
	MIGRATE_PCPTYPES, /* the number of types on the pcp lists */
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_ISOLATE, /* can't allocate from here */
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

/* arch/x86/include/asm/dma.h: the ISA DMA limit and the 32-bit DMA limit. */
constexpr unsigned long MAX_DMA_PFN = (16UL * 1024 * 1024) >> PAGE_SHIFT;
constexpr unsigned long MAX_DMA32_PFN = 1UL << (32 - PAGE_SHIFT);

struct pglist_data;

/*
 * struct zone: the fields that exist before the page allocator. Linux keeps
 * managed_pages in an atomic_long_t; here it is a plain count, set by
 * free_area_init() to present_pages minus the memmap estimate (as v5.x's
 * free_area_init_core()) and later adjusted by whoever frees pages to the buddy.
 */
struct zone {
	unsigned long zone_start_pfn;
	unsigned long spanned_pages; // zone_end_pfn - zone_start_pfn, holes included
	unsigned long present_pages; // spanned_pages - absent pages (memblock.memory)
	unsigned long managed_pages; // present_pages - memmap - dma_reserve
	const char *name;
	struct pglist_data *zone_pgdat;
	int node;
	bool initialized;

	/* The buddy allocator's free lists (mm/page_alloc.cpp). */
	struct free_area free_area[NR_PAGE_ORDERS];
};

/*
 * struct pglist_data (pg_data_t): one per NUMA node.
 */
typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	int nr_zones; // number of populated zones, highest populated zone + 1
	unsigned long node_start_pfn;
	unsigned long node_present_pages; // total number of physical pages
	unsigned long node_spanned_pages; // total size of physical page range, including holes
	int node_id;
	// CONFIG_DEFERRED_STRUCT_PAGE_INIT: the first pfn whose struct page waits
	// for page_alloc_init_late() (ULONG_MAX: none).
	unsigned long first_deferred_pfn;
} pg_data_t;

// arch/x86/include/asm/mmzone_64.h: allocated by alloc_node_data() (mm/numa.cpp).
extern pg_data_t *node_data[MAX_NUMNODES];
#define NODE_DATA(nid) (node_data[(nid)])

static inline unsigned long zone_end_pfn(const struct zone *zone)
{
	return zone->zone_start_pfn + zone->spanned_pages;
}

static inline bool zone_spans_pfn(const struct zone *zone, unsigned long pfn)
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

static inline unsigned long pgdat_end_pfn(const pg_data_t *pgdat)
{
	return pgdat->node_start_pfn + pgdat->node_spanned_pages;
}
