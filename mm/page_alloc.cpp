// The buddy allocator's free side and the boot hand-over (mm/page_alloc.c,
// Linux 6.1). See mm/page_alloc.h.
#include "mm/page_alloc.h"

#include "lib/printk.h"
#include "mm/mm_init.h"
#include "lib/vsprintf.h"
#include "mm/numa.h"

const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable",
	"Movable",
	"Reclaimable",
	"HighAtomic",
	"Isolate",
};

namespace {

constinit unsigned long _totalram_pages = 0;

/*
 * migratetype_is_mergeable(): pageblocks of the per-cpu types merge with each
 * other; isolated and high-atomic blocks keep to themselves.
 */
inline bool migratetype_is_mergeable(int mt)
{
	return mt < MIGRATE_PCPTYPES;
}

/*
 * buddy_merge_likely(): if the block's buddy one order up is free, this block
 * is likely to merge with it soon; put it at the tail so it stays free.
 */
bool buddy_merge_likely(unsigned long pfn, unsigned long buddy_pfn, struct page *page, unsigned int order)
{
	if (order >= MAX_PAGE_ORDER - 1)
		return false;
	unsigned long higher_page_pfn = buddy_pfn & pfn;
	struct page *higher_page = page + (higher_page_pfn - pfn);
	return find_buddy_page_pfn(higher_page, higher_page_pfn, order + 1, nullptr) != nullptr;
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
}

void __free_one_page(struct page *page, unsigned long pfn, struct zone *zone, unsigned int order,
		     int migratetype, fpi_t fpi_flags)
{
	unsigned long buddy_pfn = 0;
	unsigned long combined_pfn;
	struct page *buddy;
	bool to_tail;

	while (order < MAX_PAGE_ORDER) {
		buddy = find_buddy_page_pfn(page, pfn, order, &buddy_pfn);
		if (!buddy)
			goto done_merging;

		if (order >= pageblock_order) {
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
	else
		to_tail = buddy_merge_likely(pfn, buddy_pfn, page, order);

	if (to_tail)
		add_to_free_list_tail(page, zone, order, migratetype);
	else
		add_to_free_list(page, zone, order, migratetype);
}

void __free_pages_core(struct page *page, unsigned int order)
{
	unsigned int nr_pages = 1u << order;
	struct page *p = page;

	for (unsigned int loop = 0; loop < nr_pages; loop++, p++) {
		__ClearPageReserved(p);
		set_page_count(p, 0);
	}
	page_zone(page)->managed_pages += nr_pages;

	/* __free_pages_ok(): the block's pageblock decides its list. */
	unsigned long pfn = page_to_pfn(page);
	__free_one_page(page, pfn, page_zone(page), order, get_pfnblock_migratetype(page, pfn), FPI_TO_TAIL);
}

void memblock_free_pages(struct page *page, unsigned long pfn, unsigned int order)
{
	/* Deferred pages are initialised and freed by page_alloc_init_late(). */
	if (early_page_uninitialised(pfn))
		return;
	__free_pages_core(page, order);
}

void reserve_bootmem_region(phys_addr_t start, phys_addr_t end)
{
	unsigned long start_pfn = PFN_DOWN(start);
	unsigned long end_pfn = PFN_UP(end);

	for (; start_pfn < end_pfn; start_pfn++) {
		if (pfn_valid(start_pfn)) {
			struct page *page = pfn_to_page(start_pfn);

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
	int nid;

	for_each_online_node(nid) {
		if (!NODE_DATA(nid))
			continue;
		for (int z = 0; z < MAX_NR_ZONES; z++)
			pages += zone_free_pages(&NODE_DATA(nid)->node_zones[z]);
	}
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
}

void show_buddyinfo(void)
{
	int nid;
	char line[160];

	for_each_online_node(nid) {
		if (!NODE_DATA(nid))
			continue;
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zone = &NODE_DATA(nid)->node_zones[z];
			if (!populated_zone(zone) || !zone->initialized)
				continue;
			/* frag_show_print(): /proc/buddyinfo's line */
			int n = scnprintf(line, sizeof(line), "Node %d, zone %8s ", nid, zone->name);
			for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++)
				n += scnprintf(line + n, sizeof(line) - n, "%6lu ", zone->free_area[order].nr_free);
			pr_info("%s\n", line);
		}
	}
}
