// The buddy allocator (mm/page_alloc.c, Linux 6.1): the free lists and the boot
// hand-over, the allocation side (zonelists, watermarks, per-cpu lists,
// migratetype fallback), the checks of a free and the failure reports. See
// mm/page_alloc.h for where we differ from Linux, docs/buddy.md for the design.
#include "mm/page_alloc.h"

#include <stdarg.h>
#include <string.h>

#include "lib/platform.h"
#include "lib/printk.h"
#include "mm/mm_init.h"
#include "lib/vsprintf.h"
#include "mm/mm_init.h"
#include "mm/numa.h"
#include "mm/shuffle.h"

const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable",
	"Movable",
	"Reclaimable",
	"HighAtomic",
	"Isolate",
};

/*
 * fallbacks[]: which migratetypes an allocation may steal from when its own
 * lists are empty, in order of preference (Linux 6.1's table without its
 * MIGRATE_TYPES terminator, as Linux 6.4 has it).
 */
const int fallbacks[MIGRATE_TYPES][MIGRATE_PCPTYPES - 1] = {
	[MIGRATE_UNMOVABLE] = {MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE},
	[MIGRATE_MOVABLE] = {MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE},
	[MIGRATE_RECLAIMABLE] = {MIGRATE_UNMOVABLE, MIGRATE_MOVABLE},
	[MIGRATE_HIGHATOMIC] = {MIGRATE_TYPES, MIGRATE_TYPES},
	[MIGRATE_ISOLATE] = {MIGRATE_TYPES, MIGRATE_TYPES},
};

/* Linux's defaults: min_free_kbytes before init_per_zone_wmark_min() is 1024. */
int min_free_kbytes = 1024;
int user_min_free_kbytes = -1;
int watermark_scale_factor = 10;
/* vm.lowmem_reserve_ratio: DMA 256, DMA32 256, NORMAL 32, MOVABLE 0 (and DEVICE). */
int sysctl_lowmem_reserve_ratio[MAX_NR_ZONES] = {256, 256, 32, 0, 0};
unsigned long totalreserve_pages;
enum zone_type policy_zone = ZONE_DMA;
unsigned long nr_bad_pages;
bool page_alloc_fast_paths = true;
bool check_pages_enabled;
bool init_on_alloc;
bool init_on_free;

namespace {

constinit unsigned long _totalram_pages = 0;
/* Fewer pages than pageblocks' worth of all migratetypes: do not group. */
constinit bool page_group_by_mobility_disabled = false;

/* The first four page-flag bits Linux checks at free, and all of them at prep. */
constexpr unsigned long PAGE_FLAGS_CHECK_AT_FREE =
	(1UL << PG_lru) | (1UL << PG_locked) | (1UL << PG_private) | (1UL << PG_private_2) |
	(1UL << PG_writeback) | (1UL << PG_reserved) | (1UL << PG_slab) | (1UL << PG_active) |
	(1UL << PG_unevictable) | (1UL << PG_mlocked);
constexpr unsigned long PAGE_FLAGS_CHECK_AT_PREP = (1UL << NR_PAGEFLAGS) - 1;

/* page->index holds a pcp page's migratetype (set_pcppage_migratetype()). */
inline int get_pcppage_migratetype(const struct page *page)
{
	return (int)page->index;
}
inline void set_pcppage_migratetype(struct page *page, int migratetype)
{
	page->index = (pgoff_t)migratetype;
}

inline bool is_migrate_isolate(int mt)
{
	return mt == MIGRATE_ISOLATE;
}
inline bool is_migrate_highatomic(int mt)
{
	return mt == MIGRATE_HIGHATOMIC;
}

/*
 * migratetype_is_mergeable(): pageblocks of the per-cpu types merge with each
 * other; isolated and high-atomic blocks keep to themselves.
 */
inline bool migratetype_is_mergeable(int mt)
{
	return mt < MIGRATE_PCPTYPES;
}

inline void __mod_zone_page_state(struct zone *zone, enum zone_stat_item item, long delta)
{
	zone->vm_stat[item] += delta;
}

/* __mod_zone_freepage_state(): no CMA, so only NR_FREE_PAGES. */
inline void __mod_zone_freepage_state(struct zone *zone, long nr_pages, int migratetype)
{
	(void)migratetype;
	__mod_zone_page_state(zone, NR_FREE_PAGES, nr_pages);
}

inline struct per_cpu_pages *this_cpu_pcp(struct zone *zone)
{
	/* this_cpu_ptr(zone->per_cpu_pageset): the boot CPU is the only one. */
	return &zone->per_cpu_pageset[0];
}

/*
 * buddy_merge_likely(): if the block's buddy one order up is free, this block
 * is likely to merge with it soon; put it at the tail so it stays free.
 */
bool buddy_merge_likely(pfn_t pfn, pfn_t buddy_pfn, struct page *page, unsigned int order)
{
	if (order >= MAX_PAGE_ORDER - 1)
		return false;
	pfn_t higher_page_pfn = buddy_pfn & pfn;
	struct page *higher_page = page + (higher_page_pfn - pfn);
	return find_buddy_page_pfn(higher_page, higher_page_pfn, order + 1, nullptr) != nullptr;
}

inline struct page *get_page_from_free_area(struct free_area *area, int migratetype)
{
	return list_first_entry_or_null(&area->free_list[migratetype], struct page, buddy_list);
}

inline bool free_area_empty(const struct free_area *area, int migratetype)
{
	return list_empty(&area->free_list[migratetype]);
}

} // namespace

void add_to_free_list(struct page *page, struct zone *zone, unsigned int order, int migratetype)
{
	struct free_area *area = &zone->free_area[order];

	list_add(&page->buddy_list, &area->free_list[migratetype]);
	area->nr_free++;
}

void add_to_free_list_tail(struct page *page, struct zone *zone, unsigned int order, int migratetype)
{
	struct free_area *area = &zone->free_area[order];

	list_add_tail(&page->buddy_list, &area->free_list[migratetype]);
	area->nr_free++;
}

void move_to_free_list(struct page *page, struct zone *zone, unsigned int order, int migratetype)
{
	struct free_area *area = &zone->free_area[order];

	list_move_tail(&page->buddy_list, &area->free_list[migratetype]);
}

void del_page_from_free_list(struct page *page, struct zone *zone, unsigned int order)
{
	list_del(&page->buddy_list);
	__ClearPageBuddy(page);
	set_page_private(page, 0);
	zone->free_area[order].nr_free--;
}

void zone_init_free_lists(struct zone *zone)
{
	for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++) {
		for (int t = 0; t < MIGRATE_TYPES; t++)
			INIT_LIST_HEAD(&zone->free_area[order].free_list[t]);
		zone->free_area[order].nr_free = 0;
	}
	zone->vm_stat[NR_FREE_PAGES] = 0;
}

void __free_one_page(struct page *page, pfn_t pfn, struct zone *zone, unsigned int order,
		     int migratetype, fpi_t fpi_flags)
{
	pfn_t buddy_pfn = 0;
	pfn_t combined_pfn;
	struct page *buddy;
	bool to_tail;

	/* Isolated pages are not free for the watermarks (Linux: same test). */
	if (likely(!is_migrate_isolate(migratetype)))
		__mod_zone_freepage_state(zone, 1L << order, migratetype);

	while (order < MAX_PAGE_ORDER) {
		buddy = find_buddy_page_pfn(page, pfn, order, &buddy_pfn);
		if (!buddy)
			goto done_merging;

		if (unlikely(order >= pageblock_order)) {
			/*
			 * Blocks of a pageblock or more merge across pageblocks
			 * only where both types are mergeable; below that the
			 * buddy lies in the same pageblock.
			 */
			int buddy_mt = get_pageblock_migratetype(buddy);

			if (migratetype != buddy_mt &&
			    (!migratetype_is_mergeable(migratetype) || !migratetype_is_mergeable(buddy_mt)))
				goto done_merging;
		}

		del_page_from_free_list(buddy, zone, order);
		combined_pfn = buddy_pfn & pfn;
		page = page + (combined_pfn - pfn);
		pfn = combined_pfn;
		order++;
	}

done_merging:
	set_buddy_order(page, order);

	if (fpi_flags & FPI_TO_TAIL)
		to_tail = true;
	else if (is_shuffle_order(order))
		to_tail = shuffle_pick_tail();
	else
		to_tail = buddy_merge_likely(pfn, buddy_pfn, page, order);

	if (to_tail)
		add_to_free_list_tail(page, zone, order, migratetype);
	else
		add_to_free_list(page, zone, order, migratetype);
}

/* kernel_init_pages(): clear @numpages pages through the direct map. */
static void kernel_init_pages(struct page *page, unsigned long numpages)
{
	memset(page_address(page), 0, numpages << PAGE_SHIFT);
}

void __free_pages_core(struct page *page, unsigned int order)
{
	unsigned int nr_pages = 1u << order;
	struct page *p = page;

	for (unsigned int loop = 0; loop < nr_pages; loop++, p++) {
		__ClearPageReserved(p);
		set_page_count(p, 0);
	}
	__free_pages_core_ready(page, order);
}

void __free_pages_core_ready(struct page *page, unsigned int order)
{
	page_zone(page)->managed_pages += 1UL << order;
	/* __free_pages_ok() -> free_pages_prepare(): init_on_free clears all memory at boot. */
	if (want_init_on_free())
		kernel_init_pages(page, 1UL << order);

	/* __free_pages_ok(): the block's pageblock decides its list. */
	pfn_t pfn = page_to_pfn(page);
	__free_one_page(page, pfn, page_zone(page), order, get_pfnblock_migratetype(page, pfn), FPI_TO_TAIL);
}

void memblock_free_pages(struct page *page, pfn_t pfn, unsigned int order)
{
	/* Deferred pages are initialised and freed by page_alloc_init_late(). */
	if (early_page_uninitialised(pfn))
		return;
	/* memmap_init_streaming: memmap_init() left memory alone; its struct pages now, once. */
	if (memmap_init_streaming && memblock_init_free_pages(pfn, order)) {
		__free_pages_core_ready(page, order);
		return;
	}
	__free_pages_core(page, order);
}

void reserve_bootmem_region(phys_addr_t start, phys_addr_t end)
{
	pfn_t start_pfn = PFN_DOWN(start);
	pfn_t end_pfn = PFN_UP(end);

	for (; start_pfn < end_pfn; start_pfn++) {
		if (pfn_valid(start_pfn)) {
			struct page *page = pfn_to_page(start_pfn);

			if (memmap_init_streaming && init_reserved_page_streaming(start_pfn))
				continue;
			init_reserved_page(start_pfn);
			INIT_LIST_HEAD(&page->lru);
			__SetPageReserved(page);
		}
	}
}

unsigned long zone_free_pages(const struct zone *zone)
{
	unsigned long pages = 0;

	if (!zone->initialized)
		return 0;
	for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++)
		pages += zone->free_area[order].nr_free << order;
	return pages;
}

unsigned long nr_free_pages(void)
{
	unsigned long pages = 0;
	struct zone *zone;

	for_each_zone(zone)
		pages += zone_free_pages(zone);
	return pages;
}

unsigned long totalram_pages(void)
{
	return _totalram_pages;
}

void totalram_pages_add(long count)
{
	_totalram_pages += count;
}

void page_alloc_reset(void)
{
	_totalram_pages = 0;
	min_free_kbytes = 1024;
	user_min_free_kbytes = -1;
	watermark_scale_factor = 10;
	totalreserve_pages = 0;
	policy_zone = ZONE_DMA;
	nr_bad_pages = 0;
	page_alloc_fast_paths = true;
	check_pages_enabled = false;
	init_on_alloc = false;
	init_on_free = false;
	page_group_by_mobility_disabled = false;
}

/* ---------------------------------------------------------------------------
 * Zonelists (build_all_zonelists() and friends).
 */

int numa_node_id(void)
{
	int nid = first_online_node();
	return nid < MAX_NUMNODES ? nid : 0;
}

namespace {

/*
 * node_distance(): without an ACPI SLIT (not parsed here) Linux's
 * __node_distance() gives LOCAL_DISTANCE to itself and REMOTE_DISTANCE to
 * every other node.
 */
constexpr int LOCAL_DISTANCE = 10;
constexpr int REMOTE_DISTANCE = 20;
inline int node_distance(int a, int b)
{
	return a == b ? LOCAL_DISTANCE : REMOTE_DISTANCE;
}

int node_load[MAX_NUMNODES];

/* N_MEMORY: an online node with present memory. */
inline bool node_has_memory(int nid)
{
	return node_online(nid) && NODE_DATA(nid) && NODE_DATA(nid)->node_present_pages;
}

/*
 * find_next_best_node(): the nearest node not yet used, preferring nodes after
 * @node on a tie and spreading equal-distance nodes by node_load. Linux also
 * penalises nodes with CPUs; we do not know which nodes have CPUs.
 */
int find_next_best_node(int node, nodemask_t *used_node_mask)
{
	int min_val = 0x7fffffff;
	int best_node = NUMA_NO_NODE;

	/* @node itself comes first, while it is not yet in the mask. */
	if (!node_isset(node, *used_node_mask)) {
		node_set(node, *used_node_mask);
		return node;
	}

	for (int n = 0; n < MAX_NUMNODES; n++) {
		if (!node_has_memory(n) || node_isset(n, *used_node_mask))
			continue;
		int val = node_distance(node, n);
		/* On equal distance, a node numbered below @node loses to one above it. */
		val += (n < node);
		val *= MAX_NUMNODES;
		val += node_load[n];
		if (val < min_val) {
			min_val = val;
			best_node = n;
		}
	}
	if (best_node >= 0)
		node_set(best_node, *used_node_mask);
	return best_node;
}

/*
 * build_zonerefs_node(): the node's populated zones, highest first. Linux 6.1
 * takes every zone with present pages (populated_zone(), since 5.18's "mm,
 * page_alloc: fix build_zonerefs_node()"), not only those with managed pages:
 * the zonelists are built before the hand-over, and a zone whose pages are all
 * reserved stays in them, its watermarks failing every allocation.
 */
int build_zonerefs_node(pg_data_t *pgdat, struct zoneref *zonerefs)
{
	int nr_zones = 0;
	int zone_type = MAX_NR_ZONES;

	do {
		zone_type--;
		struct zone *zone = pgdat->node_zones + zone_type;
		if (populated_zone(zone)) {
			zonerefs[nr_zones].zone = zone;
			zonerefs[nr_zones].zone_idx = zone_type;
			nr_zones++;
			/* check_highest_zone() */
			if (zone_type > policy_zone && zone_type != ZONE_MOVABLE)
				policy_zone = (enum zone_type)zone_type;
		}
	} while (zone_type);
	return nr_zones;
}

void build_zonelists(pg_data_t *pgdat)
{
	int node_order[MAX_NUMNODES];
	int node, nr_nodes = 0;
	nodemask_t used_mask = {};
	int local_node = pgdat->node_id, prev_node = local_node;

	while ((node = find_next_best_node(local_node, &used_mask)) >= 0) {
		/*
		 * Bump node_load of the first node taken at each new distance,
		 * so the zonelists built after this one lead with a different
		 * node of that group and the fallback load rotates among them.
		 */
		if (node_distance(local_node, node) != node_distance(local_node, prev_node))
			node_load[node] += 1;
		node_order[nr_nodes++] = node;
		prev_node = node;
	}

	/* build_zonelists_in_node_order(): every node's zones, nearest node first. */
	struct zoneref *zonerefs = pgdat->node_zonelists[ZONELIST_FALLBACK]._zonerefs;
	for (int i = 0; i < nr_nodes; i++)
		zonerefs += build_zonerefs_node(NODE_DATA(node_order[i]), zonerefs);
	zonerefs->zone = nullptr;
	zonerefs->zone_idx = 0;

	/* build_thisnode_zonelists(): __GFP_THISNODE's list, the node alone. */
	zonerefs = pgdat->node_zonelists[ZONELIST_NOFALLBACK]._zonerefs;
	zonerefs += build_zonerefs_node(pgdat, zonerefs);
	zonerefs->zone = nullptr;
	zonerefs->zone_idx = 0;

	char line[32 + 4 * MAX_NUMNODES];
	int n = scnprintf(line, sizeof(line), "Fallback order for Node %d: ", local_node);
	for (int i = 0; i < nr_nodes; i++)
		n += scnprintf(line + n, sizeof(line) - n, "%d ", node_order[i]);
	pr_info("%s\n", line);
}

/* nr_free_zone_pages(): managed pages above the high watermark in the zonelist. */
unsigned long nr_free_zone_pages(int offset)
{
	unsigned long sum = 0;
	int nid = numa_node_id();

	if (!NODE_DATA(nid))
		return 0;
	struct zonelist *zonelist = node_zonelist(nid, GFP_KERNEL);
	struct zoneref *z;
	struct zone *zone;
	for_each_zone_zonelist(zone, z, zonelist, offset) {
		unsigned long size = zone_managed_pages(zone);
		unsigned long high = high_wmark_pages(zone);
		if (size > high)
			sum += size - high;
	}
	return sum;
}

} // namespace

unsigned long nr_free_buffer_pages(void)
{
	return nr_free_zone_pages(gfp_zone(GFP_USER));
}

void build_all_zonelists(void)
{
	int nid;

	memset(node_load, 0, sizeof(node_load));
	policy_zone = ZONE_DMA;
	for_each_online_node(nid) {
		if (NODE_DATA(nid))
			build_zonelists(NODE_DATA(nid));
	}

	long vm_total_pages = (long)nr_free_zone_pages(gfp_zone(GFP_HIGHUSER_MOVABLE));
	/*
	 * With less memory than one pageblock per migratetype, grouping by
	 * mobility cannot help: switch it off.
	 */
	page_group_by_mobility_disabled = vm_total_pages < (long)(pageblock_nr_pages * MIGRATE_TYPES);
	pr_info("Built %u zonelists, mobility grouping %s.  Total pages: %ld\n", (unsigned)num_online_nodes(),
		page_group_by_mobility_disabled ? "off" : "on", vm_total_pages);
	pr_info("Policy zone: %s\n", zone_names[policy_zone]);
}

/* ---------------------------------------------------------------------------
 * Per-cpu pagesets.
 */

namespace {

constexpr int BOOT_PAGESET_HIGH = 0;
constexpr int BOOT_PAGESET_BATCH = 1;

void per_cpu_pages_init(struct per_cpu_pages *pcp)
{
	memset(pcp, 0, sizeof(*pcp));
	for (int pindex = 0; pindex < NR_PCP_LISTS; pindex++)
		INIT_LIST_HEAD(&pcp->lists[pindex]);
	/*
	 * Boot pagesets: pages freed to them go straight back to the buddy
	 * (high 0), so nothing stays on a list before the real limits are set.
	 */
	pcp->high = BOOT_PAGESET_HIGH;
	pcp->batch = BOOT_PAGESET_BATCH;
	pcp->free_factor = 0;
}

/*
 * zone_highsize(): the pcp high limit, the low watermark split across the CPUs
 * local to the zone (one here, CPU 0; or all online CPUs for a node without
 * CPUs: also one), at least 4 batches.
 */
int zone_highsize(struct zone *zone, int batch)
{
	int nr_split_cpus = 1;
	int high = (int)(low_wmark_pages(zone) / nr_split_cpus);
	return kmax(high, batch << 2);
}

void zone_set_pageset_high_and_batch(struct zone *zone)
{
	int new_batch = kmax(1, zone_batchsize(zone));
	int new_high = zone_highsize(zone, new_batch);

	if (zone->pageset_high == new_high && zone->pageset_batch == new_batch)
		return;
	zone->pageset_high = new_high;
	zone->pageset_batch = new_batch;
	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		zone->per_cpu_pageset[cpu].high = new_high;
		zone->per_cpu_pageset[cpu].batch = new_batch;
	}
}

} // namespace

void zone_pcp_init(struct zone *zone)
{
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		per_cpu_pages_init(&zone->per_cpu_pageset[cpu]);
	zone->pageset_high = BOOT_PAGESET_HIGH;
	zone->pageset_batch = BOOT_PAGESET_BATCH;
}

void setup_per_cpu_pageset(void)
{
	struct zone *zone;

	for_each_populated_zone(zone)
		if (zone->initialized)
			zone_set_pageset_high_and_batch(zone);
}

/* ---------------------------------------------------------------------------
 * Watermarks and lowmem_reserve.
 */

namespace {

/* int_sqrt(): the integer square root, bit by bit. */
unsigned long int_sqrt(unsigned long x)
{
	unsigned long b, m, y = 0;

	if (x <= 1)
		return x;
	m = 1UL << ((63 - __builtin_clzl(x)) & ~1UL);
	while (m != 0) {
		b = y + m;
		y >>= 1;
		if (x >= b) {
			x -= b;
			y += m;
		}
		m >>= 2;
	}
	return y;
}

/* mult_frac(x, n, d) without overflowing x * n. */
inline unsigned long mult_frac(unsigned long x, unsigned long n, unsigned long d)
{
	return (x / d) * n + ((x % d) * n) / d;
}

void calculate_totalreserve_pages(void)
{
	unsigned long reserve_pages = 0;
	struct zone *zone;

	for_each_zone(zone) {
		long max = 0;
		unsigned long managed_pages = zone_managed_pages(zone);

		/* The largest lowmem_reserve[] entry, over this zone and the ones above it, */
		for (int j = zone_idx(zone); j < MAX_NR_ZONES; j++)
			if (zone->lowmem_reserve[j] > max)
				max = zone->lowmem_reserve[j];
		/* plus the high watermark, which is held back too; at most the managed pages. */
		max += (long)high_wmark_pages(zone);
		if ((unsigned long)max > managed_pages)
			max = (long)managed_pages;
		reserve_pages += (unsigned long)max;
	}
	totalreserve_pages = reserve_pages;
}

void __setup_per_zone_wmarks(void)
{
	unsigned long pages_min = (unsigned long)min_free_kbytes >> (PAGE_SHIFT - 10);
	unsigned long lowmem_pages = 0;
	struct zone *zone;

	/*
	 * Lowmem: the managed pages of every zone but HIGHMEM, which x86-64 does
	 * not have, so ZONE_MOVABLE counts too. A 2023 change after 6.1
	 * ("mm/min_free_kbytes: modify min_free_kbytes calculation rules") left
	 * ZONE_MOVABLE out and gave it HIGHMEM's small min; 6.1, mirrored here
	 * and run by Debian 12, shares min_free_kbytes over it like any zone
	 * (tests/host/linux_zoneinfo_test.cpp replays that kernel's numbers).
	 */
	for_each_zone(zone)
		lowmem_pages += zone_managed_pages(zone);

	for_each_zone(zone) {
		unsigned long tmp = lowmem_pages ? pages_min * zone_managed_pages(zone) / lowmem_pages : 0;

		/* The zone's proportionate share of min_free_kbytes. */
		zone->_watermark[WMARK_MIN] = tmp;

		/*
		 * The min->low, low->high and high->promo steps: the zone's
		 * managed pages times watermark_scale_factor / 10000, and no
		 * less than a quarter of its min share (which matters when the
		 * zone is small).
		 */
		tmp = kmax(tmp >> 2, mult_frac(zone_managed_pages(zone), (unsigned long)watermark_scale_factor, 10000));

		zone->watermark_boost = 0;
		zone->_watermark[WMARK_LOW] = min_wmark_pages(zone) + tmp;
		zone->_watermark[WMARK_HIGH] = low_wmark_pages(zone) + tmp;
		zone->_watermark[WMARK_PROMO] = high_wmark_pages(zone) + tmp;
	}

	/* totalreserve_pages follows from what was just set: recompute it. */
	calculate_totalreserve_pages();
}

} // namespace

void setup_per_zone_wmarks(void)
{
	__setup_per_zone_wmarks();
	/*
	 * The pcp high limit is derived from the low watermark (zone_highsize()),
	 * so new watermarks call for new pcp high and batch values.
	 */
	setup_per_cpu_pageset();
}

void setup_per_zone_lowmem_reserve(void)
{
	pg_data_t *pgdat;

	for_each_online_pgdat(pgdat) {
		for (int i = 0; i < MAX_NR_ZONES - 1; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			int ratio = sysctl_lowmem_reserve_ratio[i];
			bool clear = !ratio || !zone_managed_pages(zone);
			unsigned long managed_pages = 0;

			for (int j = i + 1; j < MAX_NR_ZONES; j++) {
				struct zone *upper_zone = &pgdat->node_zones[j];

				managed_pages += zone_managed_pages(upper_zone);
				zone->lowmem_reserve[j] = clear ? 0 : (long)(managed_pages / (unsigned long)ratio);
			}
		}
	}

	/* totalreserve_pages follows from what was just set: recompute it. */
	calculate_totalreserve_pages();
}

void calculate_min_free_kbytes(void)
{
	unsigned long lowmem_kbytes = nr_free_buffer_pages() * (PAGE_SIZE >> 10);
	int new_min_free_kbytes = (int)int_sqrt(lowmem_kbytes * 16);

	if (new_min_free_kbytes > user_min_free_kbytes)
		min_free_kbytes = kmax(128, kmin(new_min_free_kbytes, 262144));
	else
		pr_warn("min_free_kbytes is not updated to %d because user defined value %d is preferred\n",
			new_min_free_kbytes, user_min_free_kbytes);
}

void init_per_zone_wmark_min(void)
{
	calculate_min_free_kbytes();
	setup_per_zone_wmarks();
	setup_per_zone_lowmem_reserve();
}

/* ---------------------------------------------------------------------------
 * The allocation side.
 */

int gfp_zone(gfp_t flags)
{
	/*
	 * GFP_ZONE_TABLE for x86-64 (ZONE_DMA and ZONE_DMA32, no HIGHMEM, so
	 * __GFP_HIGHMEM means NORMAL, and MOVABLE only with HIGHMEM), indexed by
	 * the four zone modifier bits; -1 where Linux has GFP_ZONE_BAD.
	 */
	static constexpr signed char table[16] = {
		[0] = ZONE_NORMAL,
		[___GFP_DMA] = ZONE_DMA,
		[___GFP_HIGHMEM] = ZONE_NORMAL,
		[___GFP_DMA | ___GFP_HIGHMEM] = -1,
		[___GFP_DMA32] = ZONE_DMA32,
		[___GFP_DMA | ___GFP_DMA32] = -1,
		[___GFP_DMA32 | ___GFP_HIGHMEM] = -1,
		[___GFP_DMA | ___GFP_DMA32 | ___GFP_HIGHMEM] = -1,
		[___GFP_MOVABLE] = ZONE_NORMAL,
		[___GFP_MOVABLE | ___GFP_DMA] = ZONE_DMA,
		[___GFP_MOVABLE | ___GFP_HIGHMEM] = ZONE_MOVABLE,
		[___GFP_MOVABLE | ___GFP_DMA | ___GFP_HIGHMEM] = -1,
		[___GFP_MOVABLE | ___GFP_DMA32] = ZONE_DMA32,
		[___GFP_MOVABLE | ___GFP_DMA | ___GFP_DMA32] = -1,
		[___GFP_MOVABLE | ___GFP_DMA32 | ___GFP_HIGHMEM] = -1,
		[___GFP_MOVABLE | ___GFP_DMA | ___GFP_DMA32 | ___GFP_HIGHMEM] = -1,
	};
	return table[flags & GFP_ZONEMASK];
}

namespace {

/* struct alloc_context (mm/internal.h). */
struct alloc_context {
	struct zonelist *zonelist;
	const nodemask_t *nodemask;
	struct zoneref *preferred_zoneref;
	int migratetype;
	int highest_zoneidx;
};

/* __zone_watermark_unusable_free(): the high-atomic reserve and the order's own size. */
inline long __zone_watermark_unusable_free(struct zone *z, unsigned int order, unsigned int alloc_flags)
{
	const bool alloc_harder = (alloc_flags & (ALLOC_HARDER | ALLOC_OOM));
	long unusable_free = (1L << order) - 1;

	/*
	 * Without ALLOC_HARDER/ALLOC_OOM the high-atomic reserve is off limits:
	 * count all of nr_reserved_highatomic as unusable. Some of it may be in
	 * use already, so this can be too much, but it needs no list walk.
	 */
	if (likely(!alloc_harder))
		unusable_free += (long)z->nr_reserved_highatomic;
	return unusable_free;
}

} // namespace

bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark, int highest_zoneidx,
			 unsigned int alloc_flags, long free_pages)
{
	long min = (long)mark;
	const bool alloc_harder = (alloc_flags & (ALLOC_HARDER | ALLOC_OOM));

	/* A negative result is fine: every comparison below is signed. */
	free_pages -= __zone_watermark_unusable_free(z, order, alloc_flags);

	if (alloc_flags & ALLOC_HIGH)
		min -= min / 2;

	if (unlikely(alloc_harder)) {
		/*
		 * ALLOC_OOM cuts min by half again, ALLOC_HARDER by a quarter:
		 * an OOM victim is about to exit and give its memory back.
		 */
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
		else
			min -= min / 4;
	}

	/*
	 * The order-0 test applies to every order: below min plus the lowmem
	 * reserve, no request is served, whatever large blocks are free.
	 */
	if (free_pages <= min + z->lowmem_reserve[highest_zoneidx])
		return false;

	/* For order 0 that test is the whole answer. */
	if (!order)
		return true;

	/* Higher orders also need a block of @order or more on a list this caller may use. */
	for (unsigned int o = order; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &z->free_area[o];

		if (!area->nr_free)
			continue;
		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
			if (!free_area_empty(area, mt))
				return true;
		}
		if (alloc_harder && !free_area_empty(area, MIGRATE_HIGHATOMIC))
			return true;
	}
	return false;
}

bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark, int highest_zoneidx,
		       unsigned int alloc_flags)
{
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
				   zone_page_state(z, NR_FREE_PAGES));
}

namespace {

inline bool zone_watermark_fast(struct zone *z, unsigned int order, unsigned long mark, int highest_zoneidx,
				unsigned int alloc_flags)
{
	long free_pages = zone_page_state(z, NR_FREE_PAGES);

	/*
	 * A quick answer for order 0 alone; when it says no (and for every
	 * higher order) __zone_watermark_ok() does the full computation.
	 */
	if (!order) {
		long usable_free = free_pages;
		long reserved = __zone_watermark_unusable_free(z, 0, alloc_flags);

		/* The reserve figure can exceed what is free: clamp at zero. */
		usable_free -= kmin(usable_free, reserved);
		if (usable_free > (long)mark + z->lowmem_reserve[highest_zoneidx])
			return true;
	}
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags, free_pages);
}

/*
 * expand(): the 2^@high block at @page serves a 2^@low request: its upper
 * halves go back to the free lists one order down at a time.
 */
inline void expand(struct zone *zone, struct page *page, unsigned int low, unsigned int high, int migratetype)
{
	unsigned long size = 1UL << high;

	while (high > low) {
		high--;
		size >>= 1;
		add_to_free_list(&page[size], zone, high, migratetype);
		set_buddy_order(&page[size], high);
	}
}

/* __rmqueue_smallest(): the smallest free block of @migratetype that fits. */
inline struct page *__rmqueue_smallest(struct zone *zone, unsigned int order, int migratetype)
{
	for (unsigned int current_order = order; current_order < NR_PAGE_ORDERS; ++current_order) {
		struct free_area *area = &zone->free_area[current_order];
		struct page *page = get_page_from_free_area(area, migratetype);
		if (!page)
			continue;
		del_page_from_free_list(page, zone, current_order);
		expand(zone, page, order, current_order, migratetype);
		set_pcppage_migratetype(page, migratetype);
		return page;
	}
	return nullptr;
}

int move_freepages(struct zone *zone, pfn_t start_pfn, pfn_t end_pfn, int migratetype,
		   int *num_movable)
{
	int pages_moved = 0;

	for (pfn_t pfn = start_pfn; pfn <= end_pfn;) {
		struct page *page = pfn_to_page(pfn);

		if (!PageBuddy(page)) {
			/*
			 * Linux counts pages on the LRU or __PageMovable here;
			 * nothing is on an LRU before user space exists.
			 */
			pfn++;
			continue;
		}
		unsigned int order = buddy_order(page);
		move_to_free_list(page, zone, order, migratetype);
		pfn += 1UL << order;
		pages_moved += 1 << order;
	}
	(void)num_movable;
	return pages_moved;
}

} // namespace

int move_freepages_block(struct zone *zone, struct page *page, int migratetype, int *num_movable)
{
	pfn_t start_pfn, end_pfn, pfn;

	if (num_movable)
		*num_movable = 0;

	pfn = page_to_pfn(page);
	start_pfn = pageblock_start_pfn(pfn);
	end_pfn = start_pfn + pageblock_nr_pages - 1;

	/* Stay inside the zone: trim the start, give up if the end is outside. */
	if (!zone_spans_pfn(zone, start_pfn))
		start_pfn = pfn;
	if (!zone_spans_pfn(zone, end_pfn))
		return 0;

	return move_freepages(zone, start_pfn, end_pfn, migratetype, num_movable);
}

namespace {

void change_pageblock_range(struct page *pageblock_page, unsigned int start_order, int migratetype)
{
	int nr_pageblocks = 1 << (start_order - pageblock_order);

	while (nr_pageblocks--) {
		set_pageblock_migratetype(pageblock_page, migratetype);
		pageblock_page += pageblock_nr_pages;
	}
}

/*
 * can_steal_fallback(): when stealing from another type, take the whole
 * pageblock if the stolen block is large, or if the allocation is of a type
 * that pollutes (unmovable, reclaimable): better to claim the block for it
 * than to scatter it over many blocks.
 */
bool can_steal_fallback(unsigned int order, int start_mt)
{
	if (order >= pageblock_order)
		return true;
	if (order >= pageblock_order / 2 || start_mt == MIGRATE_RECLAIMABLE || start_mt == MIGRATE_UNMOVABLE ||
	    page_group_by_mobility_disabled)
		return true;
	return false;
}

/*
 * steal_suitable_fallback(): @page, a free block of another type, will serve
 * @start_type. A block of a pageblock or more changes type whole; otherwise,
 * with @whole_block, the free pages of its pageblock move to @start_type and
 * the pageblock changes type if at least half of it is free or alike.
 */
void steal_suitable_fallback(struct zone *zone, struct page *page, unsigned int alloc_flags, int start_type,
			     bool whole_block)
{
	unsigned int current_order = buddy_order(page);
	int free_pages, movable_pages, alike_pages;
	int old_block_type;

	(void)alloc_flags;
	old_block_type = get_pageblock_migratetype(page);

	/*
	 * A HIGHATOMIC block (Linux can get here through a race) keeps its
	 * type: retyping it would throw nr_reserved_highatomic off.
	 */
	if (is_migrate_highatomic(old_block_type))
		goto single_page;

	/* The block spans whole pageblocks: all of them change to @start_type. */
	if (current_order >= pageblock_order) {
		change_pageblock_range(page, current_order, start_type);
		goto single_page;
	}

	/* The caller may not claim the pageblock: move this block only. */
	if (!whole_block)
		goto single_page;

	free_pages = move_freepages_block(zone, page, start_type, &movable_pages);
	/*
	 * alike_pages: used pages of the pageblock that suit @start_type. A
	 * movable request takes the movable count move_freepages_block() just
	 * reported; the other types are estimated below.
	 */
	if (start_type == MIGRATE_MOVABLE) {
		alike_pages = movable_pages;
	} else {
		/*
		 * In a MOVABLE block, every used page that is not movable suits
		 * an unmovable or reclaimable request. Between UNMOVABLE and
		 * RECLAIMABLE blocks the used non-movable pages cannot be told
		 * apart, so none of them count.
		 */
		if (old_block_type == MIGRATE_MOVABLE)
			alike_pages = (int)pageblock_nr_pages - (free_pages + movable_pages);
		else
			alike_pages = 0;
	}

	/* Nothing moved: the pageblock reaches past the end of the zone. */
	if (!free_pages)
		goto single_page;

	/*
	 * Retype the pageblock when at least half of it is free or alike (or
	 * when mobility grouping is off anyway).
	 */
	if (free_pages + alike_pages >= (1 << (pageblock_order - 1)) || page_group_by_mobility_disabled)
		set_pageblock_migratetype(page, start_type);

	return;

single_page:
	move_to_free_list(page, zone, current_order, start_type);
}

/*
 * find_suitable_fallback(): the first type in fallbacks[@migratetype] with a
 * free block of @order; *can_steal says whether to take its pageblock.
 */
int find_suitable_fallback(struct free_area *area, unsigned int order, int migratetype, bool only_stealable,
			   bool *can_steal)
{
	*can_steal = false;
	if (area->nr_free == 0)
		return -1;

	for (int i = 0; i < MIGRATE_PCPTYPES - 1; i++) {
		int fallback_mt = fallbacks[migratetype][i];
		if (fallback_mt == MIGRATE_TYPES)
			break;
		if (free_area_empty(area, fallback_mt))
			continue;
		if (can_steal_fallback(order, migratetype))
			*can_steal = true;
		if (!only_stealable)
			return fallback_mt;
		if (*can_steal)
			return fallback_mt;
	}
	return -1;
}

/*
 * __rmqueue_fallback(): steal the largest free block of a fallback type (to
 * claim a whole pageblock and keep types apart), except for movable
 * allocations that cannot claim: those take the smallest block that fits.
 */
bool __rmqueue_fallback(struct zone *zone, int order, int start_migratetype, unsigned int alloc_flags)
{
	struct free_area *area;
	int current_order;
	int min_order = order;
	struct page *page;
	int fallback_mt;
	bool can_steal;

	/*
	 * ALLOC_NOFRAGMENT: steal whole pageblocks only, never a smaller block
	 * that would mix types inside a pageblock. When no local zone has one,
	 * get_page_from_freelist() walks the zonelist again without the flag.
	 */
	if (alloc_flags & ALLOC_NOFRAGMENT)
		min_order = pageblock_order;

	/*
	 * Largest order first: a big free block suggests a pageblock that is
	 * mostly free, a cheap stand-in for counting free pages per pageblock.
	 */
	for (current_order = MAX_PAGE_ORDER; current_order >= min_order; --current_order) {
		area = &zone->free_area[current_order];
		fallback_mt = find_suitable_fallback(area, current_order, start_migratetype, false, &can_steal);
		if (fallback_mt == -1)
			continue;

		/*
		 * A movable request that may not claim the pageblock splits the
		 * smallest block that fits rather than this large one: movable
		 * pages left in foreign pageblocks can be migrated later, so
		 * scattering them is harmless, and the large blocks stay whole.
		 */
		if (!can_steal && start_migratetype == MIGRATE_MOVABLE && current_order > order)
			goto find_smallest;

		goto do_steal;
	}

	return false;

find_smallest:
	for (current_order = order; current_order < (int)NR_PAGE_ORDERS; current_order++) {
		area = &zone->free_area[current_order];
		fallback_mt = find_suitable_fallback(area, current_order, start_migratetype, false, &can_steal);
		if (fallback_mt != -1)
			break;
	}
	/* Unreachable while the lists are unchanged: some order above @order had one. */
	if (current_order == (int)NR_PAGE_ORDERS)
		return false;

do_steal:
	page = get_page_from_free_area(area, fallback_mt);
	steal_suitable_fallback(zone, page, alloc_flags, start_migratetype, can_steal);
	return true;
}

/* __rmqueue(): the requested type, else a stolen block (and then again). */
inline struct page *__rmqueue(struct zone *zone, unsigned int order, int migratetype, unsigned int alloc_flags)
{
	struct page *page;

retry:
	page = __rmqueue_smallest(zone, order, migratetype);
	if (unlikely(!page)) {
		if (__rmqueue_fallback(zone, (int)order, migratetype, alloc_flags))
			goto retry;
	}
	return page;
}

/*
 * page_expected_state()-like check of a page about to be handed out or taken
 * back: the reason it is bad, or nullptr.
 */
const char *page_bad_reason(const struct page *page, unsigned long flags, int expected_refcount)
{
	if (unlikely(atomic_read(&page->_mapcount) != -1))
		return PageBuddy(page) ? "PageBuddy: the page is free" : "nonzero mapcount";
	if (unlikely(page->mapping != nullptr))
		return "non-NULL mapping";
	if (unlikely(page_ref_count(page) != expected_refcount))
		return expected_refcount ? "unexpected _refcount" : "nonzero _refcount";
	if (unlikely(page->flags & flags))
		return flags == PAGE_FLAGS_CHECK_AT_PREP ? "PAGE_FLAGS_CHECK_AT_PREP flag(s) set"
							 : "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
	if (unlikely(page->memcg_data))
		return "page still charged to cgroup";
	return nullptr;
}

/*
 * page_state_mismatch(): zero exactly when page_bad_reason(@page, @flags,
 * @expected_refcount) finds nothing, as one folded test without branches, for
 * the loops over every page of a block; the reason is looked up only when this
 * is not zero.
 */
inline unsigned long page_state_mismatch(const struct page *page, unsigned long flags, int expected_refcount)
{
	return (unsigned int)(atomic_read(&page->_mapcount) + 1) | (unsigned long)page->mapping |
	       (unsigned int)(page_ref_count(page) - expected_refcount) | (page->flags & flags) | page->memcg_data;
}

/* check_new_page(): one page leaving the free lists must look free. */
__attribute__((noinline)) bool check_new_page(struct page *p)
{
	if (likely(!(page_state_mismatch(p, PAGE_FLAGS_CHECK_AT_PREP, 0) | page_alloc_allocated(p) |
		     (p->compound_head & 1))))
		return false;
	const char *reason = page_bad_reason(p, PAGE_FLAGS_CHECK_AT_PREP, 0);
	bad_page(p, reason ? reason : "allocated page on a free list");
	return true;
}

/*
 * check_new_pages(): with check_pages, every page of a block leaving the free
 * lists (or a pcp list) must look free; a bad one is reported and its block
 * is left out (leaked, as Linux). Inline, so that without check_pages the
 * allocation pays one test of the flag (Linux: a static branch).
 */
__attribute__((always_inline)) inline bool check_new_pages(struct page *page, unsigned int order)
{
	if (is_check_pages_enabled()) {
		for (unsigned long i = 0; i < (1UL << order); i++)
			if (check_new_page(page + i))
				return true;
	}
	return false;
}

/* rmqueue_bulk(): @count blocks of @order onto a pcp list; returns how many. */
int rmqueue_bulk(struct zone *zone, unsigned int order, int count, struct list_head *list, int migratetype,
		 unsigned int alloc_flags)
{
	int i, allocated = 0;

	for (i = 0; i < count; ++i) {
		struct page *page = __rmqueue(zone, order, migratetype, alloc_flags);
		if (unlikely(page == nullptr))
			break;
		/*
		 * No check here: since Linux 6.3 the pages are checked (with
		 * check_pages) when __rmqueue_pcplist() hands them out.
		 *
		 * expand() hands back the halves of a split block in ascending
		 * pfn order; appending keeps the pcp list in that order, so
		 * the pages leave it in physical order too.
		 */
		list_add_tail(&page->pcp_list, list);
		allocated++;
	}
	/* Every block taken, good or bad, left the free count. */
	__mod_zone_page_state(zone, NR_FREE_PAGES, -((long)i << order));
	return allocated;
}

/* __rmqueue_pcplist(): a block off the pcp list, refilling it by a batch. */
inline struct page *__rmqueue_pcplist(struct zone *zone, unsigned int order, int migratetype,
				      unsigned int alloc_flags, struct per_cpu_pages *pcp, struct list_head *list)
{
	struct page *page;

	do {
		if (list_empty(list)) {
			int batch = pcp->batch;
			int alloced;

			/*
			 * Higher orders refill fewer blocks (batch >> order, at
			 * least 2). A batch of 1 (boot pageset, tiny zone) means
			 * the list is not meant to keep pages, and it stays 1.
			 */
			if (batch > 1)
				batch = kmax(batch >> order, 2);
			alloced = rmqueue_bulk(zone, order, batch, list, migratetype, alloc_flags);

			pcp->count += alloced << order;
			if (unlikely(list_empty(list)))
				return nullptr;
		}

		page = list_first_entry(list, struct page, pcp_list);
		list_del(&page->pcp_list);
		pcp->count -= 1 << order;
	} while (check_new_pages(page, order));
	return page;
}

inline struct page *rmqueue_pcplist(struct zone *zone, unsigned int order, int migratetype,
				    unsigned int alloc_flags)
{
	struct per_cpu_pages *pcp = this_cpu_pcp(zone);

	/*
	 * Each allocation halves free_factor, which nr_pcp_free() raises on
	 * every free: frees that follow allocations drain smaller batches.
	 */
	pcp->free_factor >>= 1;
	struct list_head *list = &pcp->lists[order_to_pindex(migratetype, order)];
	return __rmqueue_pcplist(zone, order, migratetype, alloc_flags, pcp, list);
}

struct page *rmqueue_buddy(struct zone *zone, unsigned int order, unsigned int alloc_flags, int migratetype)
{
	struct page *page;

	do {
		page = nullptr;
		if (order > 0 && (alloc_flags & ALLOC_HARDER))
			page = __rmqueue_smallest(zone, order, MIGRATE_HIGHATOMIC);
		if (!page) {
			page = __rmqueue(zone, order, migratetype, alloc_flags);
			if (!page)
				return nullptr;
		}
		__mod_zone_freepage_state(zone, -(1L << order), get_pcppage_migratetype(page));
	} while (check_new_pages(page, order));
	return page;
}

/* rmqueue(): the pcp lists for the orders they hold, else the buddy lists. */
inline struct page *rmqueue(struct zone *zone, unsigned int order, unsigned int alloc_flags, int migratetype)
{
	if (likely(pcp_allowed_order(order))) {
		struct page *page = rmqueue_pcplist(zone, order, migratetype, alloc_flags);
		if (likely(page))
			return page;
	}
	return rmqueue_buddy(zone, order, alloc_flags, migratetype);
}

void prep_compound_page(struct page *page, unsigned int order)
{
	unsigned long nr_pages = 1UL << order;

	__SetPageHead(page);
	for (unsigned long i = 1; i < nr_pages; i++) {
		struct page *p = page + i;
		/* prep_compound_tail() */
		p->mapping = TAIL_MAPPING;
		set_compound_head(p, page);
		set_page_private(p, 0);
	}
	/* prep_compound_head(): the first tail page's fields (over its mapping). */
	set_compound_page_dtor(page, COMPOUND_PAGE_DTOR);
	set_compound_order(page, order);
	atomic_set(compound_mapcount_ptr(page), -1);
	atomic_set(compound_pincount_ptr(page), 0);
}

/* post_alloc_hook() and prep_new_page(), but for the clearing of the block. */
inline void prep_new_page_noinit(struct page *page, unsigned int order, gfp_t gfp_flags)
{
	set_page_private(page, 0);
	set_page_count(page, 1); /* set_page_refcounted() */
	set_page_alloc_order(page, order);

	if (order && (gfp_flags & __GFP_COMP))
		prep_compound_page(page, order);
}

/* post_alloc_hook() and prep_new_page(). */
inline void prep_new_page(struct page *page, unsigned int order, gfp_t gfp_flags)
{
	prep_new_page_noinit(page, order, gfp_flags);
	/* kernel_init_pages() for __GFP_ZERO or init_on_alloc; with init_on_free the block was cleared when freed. */
	if (!want_init_on_free() && want_init_on_alloc(gfp_flags))
		kernel_init_pages(page, 1U << order);
}

/*
 * alloc_flags_nofragment(): a NORMAL allocation with a DMA32 zone next to it
 * first tries every local zone before stealing blocks smaller than a
 * pageblock from another migratetype (ALLOC_NOFRAGMENT).
 */
inline unsigned int alloc_flags_nofragment(struct zone *zone, gfp_t gfp_mask)
{
	unsigned int alloc_flags = (gfp_mask & __GFP_KSWAPD_RECLAIM); /* ALLOC_KSWAPD */

	if (!zone)
		return alloc_flags;
	if (zone_idx(zone) != ZONE_NORMAL)
		return alloc_flags;
	/*
	 * The zone below NORMAL is DMA32 (the assert checks the numbering),
	 * taken to be on the same node. With several nodes, only a populated
	 * DMA32 there makes NOFRAGMENT worth it.
	 */
	static_assert(ZONE_NORMAL - ZONE_DMA32 == 1, "");
	if (num_online_nodes() > 1 && !populated_zone(zone - 1))
		return alloc_flags;
	return alloc_flags | ALLOC_NOFRAGMENT;
}

/*
 * get_page_from_freelist(): the first zone of the zonelist, within the
 * allocation's highest zone and nodemask, whose watermark allows it.
 */
struct page *get_page_from_freelist(gfp_t gfp_mask, unsigned int order, unsigned int alloc_flags,
				    const struct alloc_context *ac)
{
	struct zoneref *z;
	struct zone *zone;
	bool no_fallback;

retry:
	no_fallback = alloc_flags & ALLOC_NOFRAGMENT;
	z = ac->preferred_zoneref;
	for_next_zone_zonelist_nodemask(zone, z, ac->highest_zoneidx, ac->nodemask)
	{
		/*
		 * When allocating, a NOFRAGMENT request stays on the local node
		 * while it can; on remote nodes it may fragment.
		 */
		if (no_fallback && num_online_nodes() > 1 && zone != ac->preferred_zoneref->zone) {
			int local_nid = zone_to_nid(ac->preferred_zoneref->zone);
			if (zone_to_nid(zone) != local_nid) {
				alloc_flags &= ~ALLOC_NOFRAGMENT;
				goto retry;
			}
		}

		unsigned long mark = wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK);
		if (!zone_watermark_fast(zone, order, mark, ac->highest_zoneidx, alloc_flags)) {
			/* ALLOC_NO_WATERMARKS is tested only after a failed watermark: the common case skips it. */
			if (!(alloc_flags & ALLOC_NO_WATERMARKS))
				continue; /* no reclaim: node_reclaim_mode is 0 */
		}

		struct page *page = rmqueue(zone, order, alloc_flags, ac->migratetype);
		if (page) {
			prep_new_page(page, order, gfp_mask);
			/*
			 * A high-order ALLOC_HARDER success may set its pageblock
			 * aside as high-atomic reserve for later such requests.
			 */
			if (unlikely(order && (alloc_flags & ALLOC_HARDER)))
				reserve_highatomic_pageblock(page, zone, order);
			return page;
		}
	}

	/*
	 * Every zone refused under ALLOC_NOFRAGMENT (a single node can get here
	 * too): allow fragmenting fallbacks and walk the zonelist once more.
	 */
	if (no_fallback) {
		alloc_flags &= ~ALLOC_NOFRAGMENT;
		goto retry;
	}
	return nullptr;
}

/* gfp_to_alloc_flags(): the slow path's watermark (min) and its reliefs. */
unsigned int gfp_to_alloc_flags(gfp_t gfp_mask)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;

	/* Shared bit values: __GFP_HIGH is ALLOC_HIGH and __GFP_KSWAPD_RECLAIM is ALLOC_KSWAPD. */
	alloc_flags |= (gfp_mask & (__GFP_HIGH | __GFP_KSWAPD_RECLAIM));

	if (gfp_mask & __GFP_ATOMIC) {
		/* __GFP_NOMEMALLOC keeps even an atomic request out of the reserves. */
		if (!(gfp_mask & __GFP_NOMEMALLOC))
			alloc_flags |= ALLOC_HARDER;
		/* An atomic request may leave its cpuset's nodes rather than fail. */
		alloc_flags &= ~ALLOC_CPUSET;
	}
	return alloc_flags;
}

/* __gfp_pfmemalloc_flags(): __GFP_MEMALLOC ignores the watermarks. */
unsigned int __gfp_pfmemalloc_flags(gfp_t gfp_mask)
{
	if (unlikely(gfp_mask & __GFP_NOMEMALLOC))
		return 0;
	if (gfp_mask & __GFP_MEMALLOC)
		return ALLOC_NO_WATERMARKS;
	return 0;
}

struct page *__alloc_pages_slowpath(gfp_t gfp_mask, unsigned int order, struct alloc_context *ac)
{
	bool can_direct_reclaim = gfp_mask & __GFP_DIRECT_RECLAIM;
	unsigned int alloc_flags = gfp_to_alloc_flags(gfp_mask);
	unsigned int reserve_flags;
	bool drained = false;
	struct page *page;

	/*
	 * Look up the first zone of the walk again: in Linux the first attempt
	 * may have run under a different nodemask.
	 */
	ac->preferred_zoneref = first_zones_zonelist(ac->zonelist, ac->highest_zoneidx, ac->nodemask);
	if (!ac->preferred_zoneref->zone)
		goto nopage;

retry:
	/* The min watermark, and what __GFP_HIGH / __GFP_ATOMIC allow below it. */
	page = get_page_from_freelist(gfp_mask, order, alloc_flags, ac);
	if (page)
		return page;

	reserve_flags = __gfp_pfmemalloc_flags(gfp_mask);
	if (reserve_flags) {
		page = get_page_from_freelist(gfp_mask, order, reserve_flags, ac);
		if (page)
			return page;
	}

	/*
	 * Direct reclaim would run here and find nothing to reclaim. Linux then
	 * releases a high-atomic reserve and drains the per-cpu lists before
	 * trying once more (__alloc_pages_direct_reclaim()).
	 */
	if (can_direct_reclaim && !drained) {
		unreserve_highatomic_pageblock(ac->zonelist, ac->highest_zoneidx, ac->migratetype, false);
		drain_all_pages(nullptr);
		drained = true;
		goto retry;
	}

nopage:
	if (gfp_mask & __GFP_NOFAIL)
		pr_warn("page allocation: __GFP_NOFAIL cannot be met here (nothing to reclaim); failing\n");
	warn_alloc(gfp_mask, ac->nodemask, "page allocation failure: order:%u", order);
	return nullptr;
}

/* prepare_alloc_pages(): the allocation context; false (with an error) for bad input. */
bool prepare_alloc_pages(gfp_t gfp_mask, unsigned int order, int preferred_nid, const nodemask_t *nodemask,
			 struct alloc_context *ac)
{
	int zone = gfp_zone(gfp_mask);
	if (unlikely(zone < 0 || (gfp_mask & GFP_MOVABLE_MASK) == GFP_MOVABLE_MASK ||
		     preferred_nid < 0 || preferred_nid >= MAX_NUMNODES || !NODE_DATA(preferred_nid))) {
		char flags[256];
		format_gfp_flags(flags, sizeof(flags), gfp_mask);
		if (zone < 0)
			pr_err("page allocation: invalid zone modifiers in mode:%#x(%s), order:%u\n", gfp_mask,
			       flags, order);
		else if ((gfp_mask & GFP_MOVABLE_MASK) == GFP_MOVABLE_MASK)
			pr_err("page allocation: __GFP_MOVABLE and __GFP_RECLAIMABLE together in mode:%#x(%s)\n",
			       gfp_mask, flags);
		else
			pr_err("page allocation: node %d is not online, mode:%#x(%s), order:%u\n", preferred_nid,
			       gfp_mask, flags, order);
		return false;
	}
	ac->highest_zoneidx = zone;
	ac->zonelist = node_zonelist(preferred_nid, gfp_mask);
	ac->nodemask = nodemask;
	ac->migratetype = gfp_migratetype(gfp_mask);
	/*
	 * preferred_zoneref: where get_page_from_freelist() begins its walk
	 * (Linux also charges its NUMA statistics to this zone).
	 */
	ac->preferred_zoneref = first_zones_zonelist(ac->zonelist, ac->highest_zoneidx, ac->nodemask);
	return true;
}

} // namespace

void reserve_highatomic_pageblock(struct page *page, struct zone *zone, unsigned int order)
{
	(void)order;
	/*
	 * The reserve stays below about 1% of the zone's managed pages plus one
	 * pageblock (Linux tests this unlocked; an overshoot by a block is fine).
	 */
	unsigned long max_managed = (zone_managed_pages(zone) / 100) + pageblock_nr_pages;
	if (zone->nr_reserved_highatomic >= max_managed)
		return;

	/* Claim the pageblock of @page for the reserve, */
	int mt = get_pageblock_migratetype(page);
	/* if it has a mergeable (pcp) type: never an isolated or high-atomic one. */
	if (migratetype_is_mergeable(mt)) {
		zone->nr_reserved_highatomic += pageblock_nr_pages;
		set_pageblock_migratetype(page, MIGRATE_HIGHATOMIC);
		move_freepages_block(zone, page, MIGRATE_HIGHATOMIC, nullptr);
	}
}

bool unreserve_highatomic_pageblock(struct zonelist *zonelist, int highest_zoneidx, int migratetype, bool force)
{
	struct zoneref *z;
	struct zone *zone;

	for_each_zone_zonelist(zone, z, zonelist, highest_zoneidx) {
		/* A zone keeps its last reserved pageblock unless @force asks for everything. */
		if (!force && zone->nr_reserved_highatomic <= pageblock_nr_pages)
			continue;

		for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++) {
			struct page *page = get_page_from_free_area(&zone->free_area[order], MIGRATE_HIGHATOMIC);
			if (!page)
				continue;

			/*
			 * Only a pageblock still typed HIGHATOMIC lowers the count:
			 * in Linux a racing free can leave blocks of an already
			 * converted pageblock on the HIGHATOMIC list, and each
			 * pageblock must be subtracted just once.
			 */
			if (is_migrate_highatomic(get_pageblock_migratetype(page)))
				zone->nr_reserved_highatomic -=
					kmin((unsigned long)pageblock_nr_pages, zone->nr_reserved_highatomic);

			/*
			 * Give the pageblock straight to the caller's migratetype,
			 * bypassing steal_suitable_fallback()'s rules.
			 */
			set_pageblock_migratetype(page, migratetype);
			if (move_freepages_block(zone, page, migratetype, nullptr))
				return true;
		}
	}
	return false;
}

namespace {

/* prep_new_page()'s clearing of a __GFP_ZERO block, out of line (see __alloc_pages()). */
__attribute__((noinline)) struct page *prep_new_page_zeroed(struct page *page, unsigned int order)
{
	memset(page_address(page), 0, PAGE_SIZE << order);
	return page;
}

/*
 * rmqueue_pcplist_fast(): __alloc_pages()'s first attempt at a pcp order up to
 * PAGE_ALLOC_COSTLY_ORDER, cut to what can change its answer when the answer
 * is a block off a pcp list (not in Linux; docs/buddy.md).
 * get_page_from_freelist() tries the first zone of the zonelist first; if that
 * zone passes its low watermark and its pcp list for (migratetype, order)
 * holds a block, rmqueue_pcplist() hands out the list's first block. That is
 * all this does: no alloc_context, no zonelist walk, no ALLOC_NOFRAGMENT (it
 * only steers the fallback of a refill). Anything else (bad input, another
 * order, an empty list, a zone below its watermark, check_pages on) returns
 * nullptr and takes the full path, whose answer is then the same as Linux's.
 * At order 0 nothing here calls out, so that the fast path saves no registers
 * (a call to check_new_pages() here made the order-0 pair 1-2 ns slower).
 */
__attribute__((always_inline)) inline struct page *rmqueue_pcplist_fast(gfp_t gfp, unsigned int order,
									int preferred_nid)
{
	int highest_zoneidx = gfp_zone(gfp);

	if (unlikely(order > PAGE_ALLOC_COSTLY_ORDER || highest_zoneidx < 0 ||
		     (gfp & GFP_MOVABLE_MASK) == GFP_MOVABLE_MASK || (unsigned int)preferred_nid >= MAX_NUMNODES))
		return nullptr;
	pg_data_t *pgdat = NODE_DATA(preferred_nid);
	if (unlikely(!pgdat))
		return nullptr;
	struct zone *zone = first_zones_zonelist(pgdat->node_zonelists + gfp_zonelist(gfp), highest_zoneidx,
						 nullptr)->zone;
	if (unlikely(!zone))
		return nullptr;

	struct per_cpu_pages *pcp = this_cpu_pcp(zone);
	struct list_head *list = &pcp->lists[order_to_pindex(gfp_migratetype(gfp), order)];
	/* With check_pages, Linux's path takes the block and checks it. */
	if (list_empty(list) || is_check_pages_enabled())
		return nullptr;
	/*
	 * zone_watermark_fast() with ALLOC_WMARK_LOW (it reads no other
	 * alloc_flags bit but ALLOC_HARDER, ALLOC_OOM and ALLOC_HIGH, none
	 * here). At order 0, when its quick test fails __zone_watermark_ok()
	 * fails too: the full path finds the same.
	 */
	if (order) {
		if (!zone_watermark_ok(zone, order, low_wmark_pages(zone), highest_zoneidx, ALLOC_WMARK_LOW))
			return nullptr;
	} else {
		long usable_free = zone_page_state(zone, NR_FREE_PAGES);
		usable_free -= kmin(usable_free, (long)zone->nr_reserved_highatomic);
		if (unlikely(usable_free <= (long)low_wmark_pages(zone) + zone->lowmem_reserve[highest_zoneidx]))
			return nullptr;
	}

	/* rmqueue_pcplist() on a list that needs no refill. */
	pcp->free_factor >>= 1;
	struct page *page = list_first_entry(list, struct page, pcp_list);
	list_del(&page->pcp_list);
	pcp->count -= 1 << order;
	/*
	 * prep_new_page(), but for the clearing: __GFP_ZERO's is the caller's,
	 * and init_on_alloc/free turn check_pages on, which keeps them off
	 * this path.
	 */
	prep_new_page_noinit(page, order, gfp);
	return page;
}

/*
 * __alloc_pages() as Linux has it; out of line so that the fast path above
 * pays for none of its registers.
 */
__attribute__((noinline)) struct page *__alloc_pages_full(gfp_t gfp, unsigned int order, int preferred_nid,
							  nodemask_t *nodemask)
{
	struct alloc_context ac;

	/* Code below indexes arrays by order: refuse an impossible one first. */
	if (unlikely(order > MAX_PAGE_ORDER)) {
		if (!(gfp & __GFP_NOWARN))
			pr_warn("WARNING: CPU: 0 PID: 0 at mm/page_alloc.c __alloc_pages: order %u > MAX_PAGE_ORDER "
				"(%u), mode:%#x\n",
				order, MAX_PAGE_ORDER, gfp);
		return nullptr;
	}

	if (unlikely(!prepare_alloc_pages(gfp, order, preferred_nid, nodemask, &ac)))
		return nullptr;

	/* First allocation attempt: the low watermark. */
	unsigned int alloc_flags = ALLOC_WMARK_LOW | alloc_flags_nofragment(ac.preferred_zoneref->zone, gfp);
	struct page *page = get_page_from_freelist(gfp, order, alloc_flags, &ac);
	if (likely(page))
		return page;

	return __alloc_pages_slowpath(gfp, order, &ac);
}

/* The fast path at orders 1..PAGE_ALLOC_COSTLY_ORDER, with its own fallback. */
__attribute__((noinline)) struct page *__alloc_pages_pcp_order(gfp_t gfp, unsigned int order, int preferred_nid)
{
	struct page *page = rmqueue_pcplist_fast(gfp, order, preferred_nid);
	if (!page)
		return __alloc_pages_full(gfp, order, preferred_nid, nullptr);
	if (gfp & __GFP_ZERO)
		return prep_new_page_zeroed(page, order);
	return page;
}

} // namespace

struct page *__alloc_pages(gfp_t gfp, unsigned int order, int preferred_nid, nodemask_t *nodemask)
{
	if (likely(!nodemask && page_alloc_fast_paths)) {
		if (likely(order == 0)) {
			struct page *page = rmqueue_pcplist_fast(gfp, 0, preferred_nid);
			if (likely(page)) {
				if (unlikely(gfp & __GFP_ZERO))
					return prep_new_page_zeroed(page, 0); /* a tail call */
				return page;
			}
		} else if (order <= PAGE_ALLOC_COSTLY_ORDER) {
			return __alloc_pages_pcp_order(gfp, order, preferred_nid);
		}
	}
	return __alloc_pages_full(gfp, order, preferred_nid, nodemask);
}

struct page *alloc_pages_node(int nid, gfp_t gfp_mask, unsigned int order)
{
	if (nid == NUMA_NO_NODE)
		nid = numa_node_id();
	if (unlikely(nid < 0 || nid >= MAX_NUMNODES || !node_online(nid))) {
		if (!(gfp_mask & __GFP_NOWARN))
			pr_err("page allocation: alloc_pages_node() on node %d, which is not online\n", nid);
		return nullptr;
	}
	return __alloc_pages(gfp_mask, order, nid, nullptr);
}

struct page *alloc_pages(gfp_t gfp_mask, unsigned int order)
{
	/* The default memory policy: the local node (of the boot CPU). */
	return __alloc_pages(gfp_mask, order, numa_node_id(), nullptr);
}

virt_addr_t __get_free_pages(gfp_t gfp_mask, unsigned int order)
{
	struct page *page = alloc_pages(gfp_mask & ~__GFP_HIGHMEM, order);
	if (!page)
		return 0;
	return virt_addr_t(page_address(page));
}

virt_addr_t get_zeroed_page(gfp_t gfp_mask)
{
	return __get_free_page(gfp_mask | __GFP_ZERO);
}

/* ---------------------------------------------------------------------------
 * Freeing.
 */

namespace {

/*
 * free_pages_prepare(), read-only half: the head must be in the state an
 * allocation left it, with its one reference, and with check_pages every other
 * page of the block too. The reason of the first bad page (and that page), or
 * nullptr.
 */
const char *free_pages_check(struct page *page, unsigned int order, struct page **bad)
{
	bool compound = PageHead(page);
	const char *reason;

	*bad = page;
	reason = page_bad_reason(page, PAGE_FLAGS_CHECK_AT_FREE, 1);
	if (reason)
		return reason;
	if (!is_check_pages_enabled())
		return nullptr;

	for (unsigned long i = 1; i < (1UL << order); i++) {
		struct page *p = page + i;
		*bad = p;
		if (compound) {
			/* free_tail_pages_check() */
			if (i >= 2 && p->mapping != TAIL_MAPPING)
				return "corrupted mapping in tail page";
			if (unlikely(!PageTail(p)))
				return "PageTail not set";
			if (unlikely(compound_head(p) != page))
				return "compound_head not consistent";
			if (i == 1 && atomic_read(compound_mapcount_ptr(page)) != -1)
				return "nonzero compound_mapcount";
			/* The first tail page's mapping is its compound fields: skip it. */
			if (atomic_read(&p->_mapcount) != -1)
				return "nonzero mapcount";
			if (page_ref_count(p) != 0)
				return "nonzero _refcount";
			if (p->flags & PAGE_FLAGS_CHECK_AT_FREE)
				return "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
			if (p->memcg_data)
				return "page still charged to cgroup";
		} else if (likely(!(page_state_mismatch(p, PAGE_FLAGS_CHECK_AT_FREE, 0) | (p->compound_head & 1) |
				    page_alloc_allocated(p)))) {
			continue;
		} else {
			if (PageTail(p))
				return "PageTail set on a page of a non-compound block";
			reason = page_bad_reason(p, PAGE_FLAGS_CHECK_AT_FREE, 0);
			if (reason)
				return reason;
		}
		if (page_alloc_allocated(p))
			return "freeing a block that contains another allocation";
	}
	return nullptr;
}

/* free_pages_prepare(), the writing half: the block is clean again (and cleared, with init_on_free). */
void free_pages_clean(struct page *page, unsigned int order)
{
	bool compound = PageHead(page);

	if (want_init_on_free())
		kernel_init_pages(page, 1UL << order);

	for (unsigned long i = 1; i < (1UL << order); i++) {
		struct page *p = page + i;
		if (compound) {
			p->mapping = nullptr;
			clear_compound_head(p);
		}
		p->flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
	}
	if (compound)
		atomic_set(&page[1]._mapcount, -1);
	page->flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
	clear_page_alloc_order(page);
	set_page_private(page, 0);
}

/* free_one_page(): straight to the buddy lists. */
void free_one_page(struct zone *zone, struct page *page, pfn_t pfn, unsigned int order, int migratetype)
{
	__free_one_page(page, pfn, zone, order, migratetype, FPI_NONE);
}

/*
 * free_pcppages_bulk(): @count pages from the pcp lists back to the buddy,
 * round-robin over the lists, starting with the one just freed to.
 */
void free_pcppages_bulk(struct zone *zone, int count, struct per_cpu_pages *pcp, int pindex)
{
	int min_pindex = 0;
	int max_pindex = NR_PCP_LISTS - 1;

	/* Start one before @pindex: the first ++ below lands on it. */
	count = kmin(pcp->count, count);
	pindex = pindex - 1;

	while (count > 0) {
		struct list_head *list;
		int nr_pages;

		/* Next non-empty list in turn; empty lists at either end narrow the range. */
		do {
			if (++pindex > max_pindex)
				pindex = min_pindex;
			list = &pcp->lists[pindex];
			if (!list_empty(list))
				break;
			if (pindex == max_pindex)
				max_pindex--;
			if (pindex == min_pindex)
				min_pindex++;
		} while (1);

		unsigned int order = pindex_to_order((unsigned int)pindex);
		nr_pages = 1 << order;
		do {
			struct page *page = list_last_entry(list, struct page, pcp_list);
			int mt = get_pcppage_migratetype(page);

			/* Unlink first: __free_one_page() reuses the same list links. */
			list_del(&page->pcp_list);
			count -= nr_pages;
			pcp->count -= nr_pages;
			__free_one_page(page, page_to_pfn(page), zone, order, mt, FPI_NONE);
		} while (count > 0 && !list_empty(list));
	}
}

inline int nr_pcp_free(struct per_cpu_pages *pcp, int high, int batch, bool free_high)
{
	int min_nr_free, max_nr_free;

	/* free_high: empty the pcp entirely. */
	if (unlikely(free_high))
		return pcp->count;

	/* high below batch: a disabled pcp or a boot pageset; one page at a time. */
	if (unlikely(high < batch))
		return 1;

	/* Free at least one batch and at most high - batch pages. */
	min_nr_free = batch;
	max_nr_free = high - batch;

	/*
	 * free_factor counts frees since the last allocation; each one doubles
	 * the batch, until it reaches the upper bound.
	 */
	batch <<= pcp->free_factor;
	if (batch < max_nr_free)
		pcp->free_factor++;
	return kmax(min_nr_free, kmin(batch, max_nr_free));
}

inline int nr_pcp_high(struct per_cpu_pages *pcp, bool free_high)
{
	int high = pcp->high;

	if (unlikely(!high || free_high))
		return 0;
	/* No ZONE_RECLAIM_ACTIVE: nothing reclaims. */
	return high;
}

inline void free_unref_page_commit(struct zone *zone, struct per_cpu_pages *pcp, struct page *page,
				   int migratetype, unsigned int order)
{
	int pindex = (int)order_to_pindex(migratetype, order);

	list_add(&page->pcp_list, &pcp->lists[pindex]);
	pcp->count += 1 << order;

	/*
	 * Higher-order blocks (up to PAGE_ALLOC_COSTLY_ORDER) parked on the pcp
	 * keep the buddy lists fragmented: while the pcp only sees frees
	 * (free_factor nonzero), flush it completely.
	 */
	bool free_high = (pcp->free_factor && order && order <= PAGE_ALLOC_COSTLY_ORDER);
	int high = nr_pcp_high(pcp, free_high);
	if (pcp->count >= high)
		free_pcppages_bulk(zone, nr_pcp_free(pcp, high, pcp->batch, free_high), pcp, pindex);
}

/*
 * @v, opaque to the compiler: it cannot turn the branches that produce these
 * constants back into arithmetic on the value they test.
 */
__attribute__((always_inline)) inline int branch_constant(int v)
{
	asm volatile("" : "+r"(v));
	return v;
}

/* free_unref_page() once the pageblock's migratetype is known (the fast path has it). */
__attribute__((always_inline)) inline void __free_unref_page(struct page *page, pfn_t pfn,
							   unsigned int order, int migratetype)
{
	set_pcppage_migratetype(page, migratetype);
	/*
	 * The pcp lists exist for the first MIGRATE_PCPTYPES types only. A
	 * block of an isolated pageblock skips them and goes straight to the
	 * buddy (isolation is about to take it); a HIGHATOMIC one is filed as
	 * movable, so that it can still be found and reclaimed later.
	 *
	 * Ours, for speed only: one branch per type, each giving its own
	 * constant (branch_constant()), so the CPU predicts the list and files
	 * the page without waiting for the pageblock bits to come from the
	 * section's usage map; computed from the bits, the list address would
	 * end a chain of dependent loads. The answer is the same.
	 */
	int pcp_type;
	if (migratetype == MIGRATE_UNMOVABLE) {
		pcp_type = branch_constant(MIGRATE_UNMOVABLE);
	} else if (migratetype == MIGRATE_MOVABLE) {
		pcp_type = branch_constant(MIGRATE_MOVABLE);
	} else if (migratetype == MIGRATE_RECLAIMABLE) {
		pcp_type = branch_constant(MIGRATE_RECLAIMABLE);
	} else {
		if (unlikely(is_migrate_isolate(migratetype))) {
			free_one_page(page_zone(page), page, pfn, order, migratetype);
			return;
		}
		pcp_type = MIGRATE_MOVABLE;
	}

	struct zone *zone = page_zone(page);
	free_unref_page_commit(zone, this_cpu_pcp(zone), page, pcp_type, order);
}

/* free_unref_page(): a block of a pcp order onto the pcp list of its pageblock's type. */
inline void free_unref_page(struct page *page, unsigned int order)
{
	pfn_t pfn = page_to_pfn(page);
	__free_unref_page(page, pfn, order, get_pfnblock_migratetype(page, pfn));
}

/* free_the_page(): pcp orders through the pcp lists, others to the buddy. */
inline void free_the_page(struct page *page, unsigned int order)
{
	free_pages_clean(page, order);
	if (pcp_allowed_order(order)) {
		free_unref_page(page, order);
	} else {
		/* __free_pages_ok() */
		pfn_t pfn = page_to_pfn(page);
		free_one_page(page_zone(page), page, pfn, order, get_pfnblock_migratetype(page, pfn));
	}
}

/*
 * The checks of a free before anything changes: the page must be the first
 * page of a block this allocator handed out with @order and not freed since.
 */
bool free_pages_valid(struct page *page, unsigned int order)
{
	pfn_t pfn = page_to_pfn(page);
	char reason[96];

	if (unlikely(!pfn_valid(pfn))) {
		nr_bad_pages++;
		pr_alert("BUG: Bad page state in process swapper/0  pfn:%05lx\n", (unsigned long)pfn);
		pr_alert("page:%p is not a struct page (no memory map for pfn %#lx); not freed\n", page,
			 (unsigned long)pfn);
		return false;
	}
	if (unlikely(order > MAX_PAGE_ORDER)) {
		scnprintf(reason, sizeof(reason), "freed with order %u > MAX_PAGE_ORDER", order);
		bad_page(page, reason);
		return false;
	}
	if (unlikely(PageBuddy(page))) {
		bad_page(page, "freeing a free page (PageBuddy): double free?");
		return false;
	}
	if (unlikely(PageTail(page))) {
		bad_page(page, "freeing a tail page of a compound page");
		return false;
	}
	if (unlikely(page_ref_count(page) <= 0)) {
		bad_page(page, "page_ref_count(page) == 0: not allocated, or freed already");
		return false;
	}
	if (unlikely(!page_alloc_allocated(page))) {
		bad_page(page, PageReserved(page) ? "freeing a reserved page (PG_reserved)"
						  : "not a block the page allocator handed out");
		return false;
	}
	if (unlikely(page_alloc_order(page) != order)) {
		scnprintf(reason, sizeof(reason), "freed with order %u, allocated with order %u", order,
			  page_alloc_order(page));
		bad_page(page, reason);
		return false;
	}
	return true;
}

} // namespace

namespace {

/*
 * free_unref_page_fast(): the free of a block of a pcp order up to
 * PAGE_ALLOC_COSTLY_ORDER in exactly the state alloc_pages() left it (not in
 * Linux; docs/buddy.md). free_pages_valid() and free_pages_check() read the
 * same few fields of the first page one test at a time, each with its own
 * report; here each field is read once and the tests are folded into one:
 * allocated with @order, one reference, no page type (so not PageBuddy), not
 * a tail, no mapping, no memcg, none of the PAGE_FLAGS_CHECK_AT_FREE flags;
 * with check_pages, the other pages of the block as free_pages_check() wants
 * them, one folded test each. A block that fails goes down the full path,
 * which finds out what is wrong and reports it. One section lookup serves pfn_valid() and the
 * pageblock's migratetype. Compound blocks (__GFP_COMP: slabs, large kmalloc)
 * have their own loop, free_tail_pages_check()'s tests folded the same way.
 */
__attribute__((always_inline)) inline bool free_unref_page_fast(struct page *page, unsigned int order)
{
	constexpr unsigned long flags_mask = PAGE_FLAGS_CHECK_AT_FREE | (1UL << PG_head) |
					     (PAGE_ALLOC_ORDER_MASK << PAGE_ALLOC_ORDER_PGSHIFT);
	const unsigned long flags_allocated = (unsigned long)(order + 1) << PAGE_ALLOC_ORDER_PGSHIFT;
	pfn_t pfn = page_to_pfn(page);

	/* pfn_valid(), keeping the section for the pageblock bits. */
	const struct mem_section *ms = pfn_valid_section(pfn);
	if (unlikely(!ms))
		return false;
	unsigned long flags = page->flags;
	bool compound = order && (flags & (1UL << PG_head));
	unsigned long bad = ((flags & flags_mask) ^ (flags_allocated | ((unsigned long)compound << PG_head))) |
			    (page->compound_head & 1) | page_state_mismatch(page, 0, 1);
	/* Without check_pages, Linux's free_pages_prepare() checks no other page. */
	if (is_check_pages_enabled()) {
		/* init_on_free (which turns check_pages on): the full path clears the block. */
		if (want_init_on_free())
			return false;
		if (compound) {
			/* free_tail_pages_check(): each tail points at the head. */
			const unsigned long tail_head = (unsigned long)page + 1;
			bad |= (unsigned int)(atomic_read(compound_mapcount_ptr(page)) + 1);
			for (unsigned long i = 1; i < (1UL << order); i++) {
				struct page *p = page + i;
				bad |= (p->compound_head ^ tail_head) | (unsigned int)(atomic_read(&p->_mapcount) + 1) |
				       (unsigned int)page_ref_count(p) | (p->flags & PAGE_FLAGS_CHECK_AT_FREE) |
				       p->memcg_data | page_alloc_allocated(p);
				/* The first tail's mapping is its compound fields. */
				if (i >= 2)
					bad |= (unsigned long)p->mapping ^ (unsigned long)TAIL_MAPPING;
			}
		} else {
			for (unsigned long i = 1; i < (1UL << order); i++) {
				struct page *p = page + i;
				bad |= page_state_mismatch(p, PAGE_FLAGS_CHECK_AT_FREE, 0) | (p->compound_head & 1) |
				       page_alloc_allocated(p);
			}
		}
	}
	if (unlikely(bad))
		return false;

	/* free_pages_prepare() and free_unref_page() for the block. */
	int migratetype = (int)section_pfnblock_flags_mask(ms, pfn, MIGRATETYPE_MASK);
	set_page_count(page, 0);
	if (compound) {
		free_pages_clean(page, order);
	} else {
		for (unsigned long i = 1; i < (1UL << order); i++)
			page[i].flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
		page->flags = flags & ~(PAGE_FLAGS_CHECK_AT_PREP | (PAGE_ALLOC_ORDER_MASK << PAGE_ALLOC_ORDER_PGSHIFT));
		set_page_private(page, 0);
	}
	__free_unref_page(page, pfn, order, migratetype);
	return true;
}

/* __free_pages() with every check, out of line as __alloc_pages_full(). */
__attribute__((noinline)) void __free_pages_full(struct page *page, unsigned int order)
{
	if (unlikely(!free_pages_valid(page, order)))
		return;

	/* Read PageHead while our reference still pins the page. */
	bool head = PageHead(page);

	if (page_ref_count(page) == 1) {
		/*
		 * put_page_testzero() would reach zero: check the whole block
		 * first, so that a bad one is reported untouched. (One CPU: no
		 * other reference can appear meanwhile.)
		 */
		struct page *bad;
		const char *reason = free_pages_check(page, order, &bad);
		if (unlikely(reason)) {
			bad_page(bad, reason);
			return;
		}
		set_page_count(page, 0);
		free_the_page(page, order);
		return;
	}

	page_ref_dec_and_test(page);
	if (!head) {
		/*
		 * Someone else holds a reference to the first page (Linux: a
		 * speculative get_page()): it stays, an order-0 allocation of
		 * theirs; the rest of the block is freed now.
		 */
		set_page_alloc_order(page, 0);
		while (order-- > 0) {
			struct page *p = page + (1UL << order);
			struct page *bad;
			/*
			 * The sub-blocks have no reference of their own
			 * (refcount 0). Their pages were inside the block: as
			 * for any page there, only check_pages checks them.
			 */
			set_page_count(p, 1);
			set_page_alloc_order(p, order);
			const char *reason = is_check_pages_enabled() ? free_pages_check(p, order, &bad) : nullptr;
			if (unlikely(reason)) {
				bad_page(bad, reason);
				continue;
			}
			set_page_count(p, 0);
			free_the_page(p, order);
		}
	}
}

/* The fast path at orders 1..PAGE_ALLOC_COSTLY_ORDER, with its own fallback. */
__attribute__((noinline)) void __free_pages_pcp_order(struct page *page, unsigned int order)
{
	if (!free_unref_page_fast(page, order))
		__free_pages_full(page, order);
}

} // namespace

void __free_pages(struct page *page, unsigned int order)
{
	if (likely(page_alloc_fast_paths)) {
		if (likely(order == 0)) {
			if (likely(free_unref_page_fast(page, 0)))
				return;
		} else if (order <= PAGE_ALLOC_COSTLY_ORDER) {
			return __free_pages_pcp_order(page, order);
		}
	}
	__free_pages_full(page, order);
}

void free_pages(virt_addr_t addr, unsigned int order)
{
	if (addr == 0)
		return;
	if (unlikely(!IS_ALIGNED(addr, PAGE_SIZE))) {
		nr_bad_pages++;
		pr_alert("BUG: free_pages(%#lx, %u): not a page address; nothing freed\n", (unsigned long)addr,
			 order);
		return;
	}
	__free_pages(virt_to_page((void *)addr), order);
}

void split_page(struct page *page, unsigned int order)
{
	if (unlikely(PageCompound(page) || !page_count(page) || !page_alloc_allocated(page) ||
		     page_alloc_order(page) != order)) {
		nr_bad_pages++;
		dump_page(page, PageCompound(page) ? "split_page() of a compound page"
						   : "split_page() of a page that is not an allocated block of this order");
		return;
	}
	for (unsigned long i = 1; i < (1UL << order); i++) {
		set_page_count(page + i, 1); /* set_page_refcounted() */
		set_page_alloc_order(page + i, 0);
	}
	set_page_alloc_order(page, 0);
}

/* ---------------------------------------------------------------------------
 * Draining the per-cpu lists.
 */

void drain_local_pages(struct zone *zone)
{
	if (zone) {
		struct per_cpu_pages *pcp = this_cpu_pcp(zone);
		if (pcp->count)
			free_pcppages_bulk(zone, pcp->count, pcp, 0);
		return;
	}
	for_each_populated_zone(zone)
		if (zone->initialized)
			drain_local_pages(zone);
}

void drain_all_pages(struct zone *zone)
{
	/* One CPU: draining all CPUs is draining this one. */
	drain_local_pages(zone);
}

unsigned long nr_pcp_pages(void)
{
	unsigned long pages = 0;
	struct zone *zone;

	for_each_zone(zone)
		if (zone->initialized)
			for (int cpu = 0; cpu < NR_CPUS; cpu++)
				pages += (unsigned long)zone->per_cpu_pageset[cpu].count;
	return pages;
}

/* ---------------------------------------------------------------------------
 * Reports.
 */

namespace {

/* Linux's pageflag_names[] (include/trace/events/mmflags.h), in bit order. */
const char *const pageflag_names[NR_PAGEFLAGS] = {
	"locked", "referenced", "uptodate", "dirty", "lru", "active", "workingset", "waiters", "error",
	"slab", "owner_priv_1", "arch_1", "reserved", "private", "private_2", "writeback", "head",
	"mappedtodisk", "reclaim", "swapbacked", "unevictable", "mlocked", "hwpoison", "young", "idle",
};

/* gfpflag_names[]: the combinations first, as __def_gfpflag_names. */
const struct {
	gfp_t mask;
	const char *name;
} gfpflag_names[] = {
	{GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE"},
	{GFP_HIGHUSER, "GFP_HIGHUSER"},
	{GFP_USER, "GFP_USER"},
	{GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT"},
	{GFP_KERNEL, "GFP_KERNEL"},
	{GFP_NOFS, "GFP_NOFS"},
	{GFP_ATOMIC, "GFP_ATOMIC"},
	{GFP_NOIO, "GFP_NOIO"},
	{GFP_NOWAIT, "GFP_NOWAIT"},
	{GFP_DMA, "GFP_DMA"},
	{__GFP_HIGHMEM, "__GFP_HIGHMEM"},
	{GFP_DMA32, "GFP_DMA32"},
	{__GFP_HIGH, "__GFP_HIGH"},
	{__GFP_ATOMIC, "__GFP_ATOMIC"},
	{__GFP_IO, "__GFP_IO"},
	{__GFP_FS, "__GFP_FS"},
	{__GFP_NOWARN, "__GFP_NOWARN"},
	{__GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL"},
	{__GFP_NOFAIL, "__GFP_NOFAIL"},
	{__GFP_NORETRY, "__GFP_NORETRY"},
	{__GFP_COMP, "__GFP_COMP"},
	{__GFP_ZERO, "__GFP_ZERO"},
	{__GFP_NOMEMALLOC, "__GFP_NOMEMALLOC"},
	{__GFP_MEMALLOC, "__GFP_MEMALLOC"},
	{__GFP_HARDWALL, "__GFP_HARDWALL"},
	{__GFP_THISNODE, "__GFP_THISNODE"},
	{__GFP_RECLAIMABLE, "__GFP_RECLAIMABLE"},
	{__GFP_MOVABLE, "__GFP_MOVABLE"},
	{__GFP_ACCOUNT, "__GFP_ACCOUNT"},
	{__GFP_WRITE, "__GFP_WRITE"},
	{__GFP_RECLAIM, "__GFP_RECLAIM"},
	{__GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM"},
	{__GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM"},
};

/* format_flags() of lib/vsprintf.c: names of the masks that are fully set, then the rest in hex. */
template <typename Names>
int format_flags(char *buf, size_t size, unsigned long flags, const Names &names)
{
	int n = 0;
	bool first = true;

	for (const auto &e : names) {
		unsigned long mask = e.mask;
		if ((flags & mask) != mask || !mask)
			continue;
		n += scnprintf(buf + n, size - n, "%s%s", first ? "" : "|", e.name);
		flags &= ~mask;
		first = false;
	}
	if (flags)
		n += scnprintf(buf + n, size - n, "%s%#lx", first ? "" : "|", flags);
	if (n == 0 && size)
		buf[0] = '\0';
	return n;
}

} // namespace

int format_gfp_flags(char *buf, size_t size, gfp_t gfp)
{
	if (!gfp)
		return scnprintf(buf, size, "none");
	return format_flags(buf, size, gfp, gfpflag_names);
}

void dump_page(struct page *page, const char *reason)
{
	char flags[200];
	int n = 0;
	unsigned long f = page->flags & ((1UL << NR_PAGEFLAGS) - 1);

	for (int bit = 0; bit < NR_PAGEFLAGS; bit++)
		if (f & (1UL << bit))
			n += scnprintf(flags + n, sizeof(flags) - n, "%s%s", n ? "|" : "", pageflag_names[bit]);
	n += scnprintf(flags + n, sizeof(flags) - n, "%szone=%d|node=%d", n ? "|" : "", page_zonenum(page),
		       page_to_nid(page));

	/* __dump_page() */
	pr_warn("page:%p refcount:%d mapcount:%d mapping:%p index:%#lx pfn:%#lx\n", page, page_ref_count(page),
		PageBuddy(page) || page_has_type(page) ? 0 : page_mapcount(page), page->mapping, page->index,
		(unsigned long)page_to_pfn(page));
	if (PageHead(page) || PageTail(page)) {
		struct page *head = compound_head(page);
		pr_warn("head:%p order:%u compound_mapcount:%d compound_pincount:%d\n", head, compound_order(head),
			PageHead(head) ? atomic_read(compound_mapcount_ptr(head)) + 1 : 0,
			PageHead(head) ? atomic_read(compound_pincount_ptr(head)) : 0);
	}
	if (PageBuddy(page))
		pr_warn("page_type: buddy order:%u\n", buddy_order(page));
	pr_warn("flags: %#lx(%s)\n", page->flags, flags);
	const unsigned long *raw = (const unsigned long *)page;
	pr_warn("raw: %016lx %016lx %016lx %016lx\n", raw[0], raw[1], raw[2], raw[3]);
	pr_warn("raw: %016lx %016lx %016lx %016lx\n", raw[4], raw[5], raw[6], raw[7]);
	if (page_alloc_allocated(page))
		pr_warn("page_alloc: first page of a block allocated with order %u\n", page_alloc_order(page));
	if (reason)
		pr_warn("page dumped because: %s\n", reason);
}

void bad_page(struct page *page, const char *reason)
{
	nr_bad_pages++;
	pr_alert("BUG: Bad page state in process %s  pfn:%05lx\n", "swapper/0", (unsigned long)page_to_pfn(page));
	dump_page(page, reason);
	/*
	 * Linux now resets the mapcount and leaks the page. Here nothing is
	 * changed: the free was refused, and the page (maybe free, on a list)
	 * stays exactly as it was.
	 */
	pr_alert("page_alloc: the free was refused; the free lists are untouched\n");
}

void warn_alloc(gfp_t gfp_mask, const nodemask_t *nodemask, const char *fmt, ...)
{
	char msg[96], flags[256], nodes[8 * MAX_NUMNODES + 8];
	va_list args;

	if (gfp_mask & __GFP_NOWARN)
		return;

	va_start(args, fmt);
	vscnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	format_gfp_flags(flags, sizeof(flags), gfp_mask);
	if (!nodemask) {
		scnprintf(nodes, sizeof(nodes), "(null)");
	} else {
		int n = 0, nid;
		nodes[0] = '\0';
		for_each_node_mask(nid, *nodemask)
			n += scnprintf(nodes + n, sizeof(nodes) - n, "%s%d", n ? "," : "", nid);
	}
	/* The boot task is Linux's swapper/0. */
	pr_warn("%s: %s, mode:%#x(%s), nodemask=%s\n", "swapper/0", msg, gfp_mask, flags, nodes);
	pr_warn("CPU: 0 PID: 0 Comm: swapper/0\n");
	/* warn_alloc_show_mem() -> __show_mem() */
	pr_info("Mem-Info:\n");
	show_free_areas();
	unsigned long physpages = get_num_physpages();
	pr_info("%lu pages RAM\n", physpages);
	pr_info("0 pages HighMem/MovableOnly\n");
	pr_info("%lu pages reserved\n", physpages - totalram_pages());
}

void show_free_areas(void)
{
	static const char types[MIGRATE_TYPES] = {'U', 'M', 'E', 'H', 'I'};
	unsigned long free_pcp = nr_pcp_pages();
	char line[640];
	struct zone *zone;

	pr_info(" free:%lu free_pcp:%lu free_cma:0\n", (unsigned long)[] {
			unsigned long sum = 0;
			struct zone *z;
			for_each_zone(z)
				sum += (unsigned long)zone_page_state(z, NR_FREE_PAGES);
			return sum;
		}(),
		free_pcp);

#define K(x) ((x) << (PAGE_SHIFT - 10))
	for_each_populated_zone(zone) {
		if (!zone->initialized)
			continue;
		unsigned long pcp = (unsigned long)zone->per_cpu_pageset[0].count;
		pr_info("Node %d %s free:%lukB boost:%lukB min:%lukB low:%lukB high:%lukB "
			"reserved_highatomic:%luKB present:%lukB managed:%lukB free_pcp:%lukB local_pcp:%lukB "
			"free_cma:0kB\n",
			zone_to_nid(zone), zone->name, K((unsigned long)zone_page_state(zone, NR_FREE_PAGES)),
			K(zone->watermark_boost), K(min_wmark_pages(zone)), K(low_wmark_pages(zone)),
			K(high_wmark_pages(zone)), K(zone->nr_reserved_highatomic), K(zone->present_pages),
			K(zone_managed_pages(zone)), K(pcp), K(pcp));
		int n = scnprintf(line, sizeof(line), "lowmem_reserve[]:");
		for (int i = 0; i < MAX_NR_ZONES; i++)
			n += scnprintf(line + n, sizeof(line) - n, " %ld", zone->lowmem_reserve[i]);
		pr_info("%s\n", line);
	}

	for_each_populated_zone(zone) {
		if (!zone->initialized)
			continue;
		unsigned long total = 0;
		int n = scnprintf(line, sizeof(line), "Node %d %s: ", zone_to_nid(zone), zone->name);
		for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++) {
			struct free_area *area = &zone->free_area[order];
			unsigned long nr = area->nr_free;
			total += nr << order;
			n += scnprintf(line + n, sizeof(line) - n, "%lu*%lukB ", nr, K(1UL) << order);
			if (nr) {
				/* show_migration_types() */
				char tmp[MIGRATE_TYPES + 1];
				int t = 0;
				for (int mt = 0; mt < MIGRATE_TYPES; mt++)
					if (!free_area_empty(area, mt))
						tmp[t++] = types[mt];
				tmp[t] = '\0';
				n += scnprintf(line + n, sizeof(line) - n, "(%s) ", tmp);
			}
		}
		scnprintf(line + n, sizeof(line) - n, "= %lukB", K(total));
		pr_info("%s\n", line);
	}
#undef K
}
