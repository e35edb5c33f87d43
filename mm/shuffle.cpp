#include "mm/shuffle.h"

#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/random.h"
#include "mm/page_alloc.h"

bool page_alloc_shuffle_key;

int shuffle_param_set(const char *val)
{
	bool on;

	/* param_set_bool(): a bare "page_alloc.shuffle" means yes */
	if (kstrtobool(val ? val : "1", &on))
		return -EINVAL;
	if (on)
		page_alloc_shuffle_key = true;
	return 0;
}

void shuffle_reset(void)
{
	page_alloc_shuffle_key = false;
}

/* One random word serves 64 picks. */
bool shuffle_pick_tail(void)
{
	static u64 rand;
	static u8 rand_bits;
	bool ret;

	if (!rand_bits) {
		rand = get_random_u64();
		rand_bits = 64;
	}
	ret = rand & 1;
	rand >>= 1;
	rand_bits--;
	return ret;
}

/*
 * shuffle_valid_page(): the pfns are picked at random, so each must be asked:
 * does it have a struct page, is that the first page of a free block, of @zone,
 * of exactly @order? Linux asks pfn_to_online_page(); without hotplug every
 * section with a memory map is online.
 */
static struct page *shuffle_valid_page(struct zone *zone, pfn_t pfn, unsigned int order)
{
	if (!pfn_valid(pfn))
		return nullptr;
	struct page *page = pfn_to_page(pfn);
	if (!PageBuddy(page))
		return nullptr;
	if (page_zone(page) != zone)
		return nullptr;
	if (buddy_order(page) != order)
		return nullptr;
	return page;
}

unsigned long __shuffle_zone(struct zone *z)
{
	const unsigned int order = SHUFFLE_ORDER;
	const unsigned long order_pages = 1UL << order;
	pfn_t start_pfn = ALIGN(z->zone_start_pfn, order_pages);
	pfn_t end_pfn = zone_end_pfn(z);
	unsigned long swapped = 0;

	/* Linux holds zone->lock and drops it every 100 blocks; one CPU here. */
	for (pfn_t i = start_pfn; i < end_pfn; i += order_pages) {
		struct page *page_i = shuffle_valid_page(z, i, order);
		struct page *page_j = nullptr;
		pfn_t j = 0;
		int retry;

		if (!page_i)
			continue;

		for (retry = 0; retry < SHUFFLE_RETRY; retry++) {
			/* a random block-aligned pfn of the zone's span */
			j = z->zone_start_pfn + ALIGN_DOWN(get_random_long() % z->spanned_pages, order_pages);
			page_j = shuffle_valid_page(z, j, order);
			if (page_j && page_j != page_i)
				break;
		}
		if (retry >= SHUFFLE_RETRY)
			continue;	/* Linux: pr_debug("failed to swap") */

		/* Same order and migratetype: the two sit on the same free list. */
		if (get_pageblock_migratetype(page_i) != get_pageblock_migratetype(page_j))
			continue;

		list_swap(&page_i->buddy_list, &page_j->buddy_list);
		swapped++;
	}
	return swapped;
}

void __shuffle_free_memory(pg_data_t *pgdat)
{
	for (int zid = 0; zid < MAX_NR_ZONES; zid++) {
		struct zone *z = &pgdat->node_zones[zid];

		if (!z->spanned_pages)
			continue;
		unsigned long blocks = z->free_area[SHUFFLE_ORDER].nr_free;
		unsigned long swapped = __shuffle_zone(z);
		/* Ours: Linux shuffles silently (pr_debug per swap). */
		pr_info("page_alloc: shuffled node %d zone %s: %lu of %lu order-%u free blocks swapped\n",
			pgdat->node_id, zone_names[zid], swapped, blocks, SHUFFLE_ORDER);
	}
}
