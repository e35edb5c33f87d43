// The /proc files of the page allocator, mirroring mm/vmstat.c of Linux 6.1:
// /proc/buddyinfo (frag_show_print()), /proc/pagetypeinfo
// (pagetypeinfo_showfree_print(), pagetypeinfo_showblockcount_print()) and
// /proc/zoneinfo (zoneinfo_show_print()), each line printed with printk as the
// seq_file would show it.
//
// Where we differ: zoneinfo has only the counters this allocator keeps
// (nr_free_pages; no per-node LRU, writeback or NUMA event counters), one CPU
// in its pagesets, and no "vm stats threshold" (no per-cpu counter deltas).
#include <string.h>

#include "lib/printk.h"
#include "lib/vsprintf.h"
#include "mm/numa.h"
#include "mm/page_alloc.h"

namespace {

/* Zone stat names (vmstat_text[]). */
const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS] = {"nr_free_pages"};

/* Walk every populated zone that the free lists cover, in node and zone order. */
template <typename Fn>
void for_each_initialized_zone(Fn fn)
{
	struct zone *zone;

	for_each_populated_zone(zone)
		if (zone->initialized)
			fn(zone_to_nid(zone), zone);
}

} // namespace

void show_buddyinfo(void)
{
	char line[160];

	for_each_initialized_zone([&](int nid, struct zone *zone) {
		/* frag_show_print(): /proc/buddyinfo's line */
		int n = scnprintf(line, sizeof(line), "Node %d, zone %8s ", nid, zone->name);
		for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++)
			n += scnprintf(line + n, sizeof(line) - n, "%6lu ", zone->free_area[order].nr_free);
		pr_info("%s\n", line);
	});
}

void show_pagetypeinfo(void)
{
	char line[256];
	int n;

	/* pagetypeinfo_show() */
	pr_info("Page block order: %d\n", pageblock_order);
	pr_info("Pages per block:  %lu\n", pageblock_nr_pages);
	pr_info("\n");

	/* pagetypeinfo_showfree() */
	n = scnprintf(line, sizeof(line), "%-43s ", "Free pages count per migrate type at order");
	for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++)
		n += scnprintf(line + n, sizeof(line) - n, "%6d ", order);
	pr_info("%s\n", line);
	for_each_initialized_zone([&](int nid, struct zone *zone) {
		for (int mtype = 0; mtype < MIGRATE_TYPES; mtype++) {
			int k = scnprintf(line, sizeof(line), "Node %4d, zone %8s, type %12s ", nid, zone->name,
					  migratetype_names[mtype]);
			for (unsigned int order = 0; order < NR_PAGE_ORDERS; order++) {
				unsigned long freecount = 0;
				struct list_head *curr;
				list_for_each(curr, &zone->free_area[order].free_list[mtype])
					freecount++;
				k += scnprintf(line + k, sizeof(line) - k, "%6lu ", freecount);
			}
			pr_info("%s\n", line);
		}
	});

	/* pagetypeinfo_showblockcount() */
	pr_info("\n");
	n = scnprintf(line, sizeof(line), "%-23s", "Number of blocks type ");
	for (int mtype = 0; mtype < MIGRATE_TYPES; mtype++)
		n += scnprintf(line + n, sizeof(line) - n, "%12s ", migratetype_names[mtype]);
	pr_info("%s\n", line);
	for_each_initialized_zone([&](int nid, struct zone *zone) {
		unsigned long count[MIGRATE_TYPES] = {};
		pfn_t start_pfn = zone->zone_start_pfn;
		pfn_t end_pfn = zone_end_pfn(zone);

		/* Pageblocks whose first page is valid and in this zone. */
		for (pfn_t pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages) {
			if (!pfn_valid(pfn))
				continue;
			struct page *page = pfn_to_page(pfn);
			if (page_zone(page) != zone)
				continue;
			int mtype = get_pageblock_migratetype(page);
			if (mtype < MIGRATE_TYPES)
				count[mtype]++;
		}
		int k = scnprintf(line, sizeof(line), "Node %d, zone %8s ", nid, zone->name);
		for (int mtype = 0; mtype < MIGRATE_TYPES; mtype++)
			k += scnprintf(line + k, sizeof(line) - k, "%12lu ", count[mtype]);
		pr_info("%s\n", line);
	});
}

void show_zoneinfo(void)
{
	struct zone *zone;
	char line[256];

	for_each_zone(zone) {
		/* zoneinfo_show_print(): empty zones of a node are shown too. */
		pr_info("Node %d, zone %8s\n", zone_to_nid(zone), zone_names[zone_idx(zone)]);
		pr_info("  pages free     %lu\n", (unsigned long)zone_page_state(zone, NR_FREE_PAGES));
		pr_info("        boost    %lu\n", zone->watermark_boost);
		pr_info("        min      %lu\n", min_wmark_pages(zone));
		pr_info("        low      %lu\n", low_wmark_pages(zone));
		pr_info("        high     %lu\n", high_wmark_pages(zone));
		pr_info("        spanned  %lu\n", zone->spanned_pages);
		pr_info("        present  %lu\n", zone->present_pages);
		pr_info("        managed  %lu\n", zone_managed_pages(zone));
		pr_info("        cma      %lu\n", 0UL);
		int n = scnprintf(line, sizeof(line), "        protection: (%ld", zone->lowmem_reserve[0]);
		for (int i = 1; i < MAX_NR_ZONES; i++)
			n += scnprintf(line + n, sizeof(line) - n, ", %ld", zone->lowmem_reserve[i]);
		pr_info("%s)\n", line);
		if (!populated_zone(zone) || !zone->initialized)
			continue;
		for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
			pr_info("      %-12s %lu\n", zone_stat_names[i],
				(unsigned long)zone_page_state(zone, (enum zone_stat_item)i));
		pr_info("  pagesets\n");
		for (int cpu = 0; cpu < NR_CPUS; cpu++) {
			const struct per_cpu_pages *pcp = &zone->per_cpu_pageset[cpu];
			pr_info("    cpu: %i\n", cpu);
			pr_info("              count: %i\n", pcp->count);
			pr_info("              high:  %i\n", pcp->high);
			pr_info("              batch: %i\n", pcp->batch);
		}
		pr_info("  node_unreclaimable:  %u\n", 0u);
		pr_info("  start_pfn:           %lu\n", (unsigned long)zone->zone_start_pfn);
	}
}
