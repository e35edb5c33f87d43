// The buddy allocator's self-test on the machine's RAM (see buddy_selftest.h).
//
// Every block the test holds is linked through a small header in its own first
// page, so the test needs no memory of its own: the list of live blocks lives in
// the blocks. Every page of every block carries a tag derived from its physical
// address and the allocation's serial number; a page handed out twice, or not
// backed by writable RAM, fails the check before the free.
#include "efi/buddy_selftest.h"

#include <string.h>

#include "efi/console.h"
#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/memblock.h"
#include "mm/numa.h"
#include "mm/page_alloc.h"

namespace {

enum { BUDDY_TEST_OFF, BUDDY_TEST_QUICK, BUDDY_TEST_FULL };
constinit int buddy_test_mode = BUDDY_TEST_QUICK;
constinit bool show_zoneinfo_req = false;
constinit bool show_pagetypeinfo_req = false;

constexpr u64 BLOCK_MAGIC = 0x6275646479746573ULL; /* "buddytes" */

/* The header at the start of every held block. */
struct held_block {
	u64 magic;
	struct held_block *next;
	u32 order;
	u32 gfp;
	u64 serial;
};

struct test_state {
	struct held_block *head;
	unsigned long blocks, pages, serial;
	unsigned long allocs, failures, bad;
	unsigned long words_checked;
};

inline u64 tag(phys_addr_t pa, u64 serial)
{
	return ((u64)pa * 0x9e3779b97f4a7c15ULL) ^ (serial << 1) ^ 0xa5a5000000000001ULL;
}

/* Words of a page the test writes: both ends (quick), or all of them (full). */
template <typename Fn>
inline void for_each_test_word(u64 *page_va, bool first_page, Fn fn)
{
	constexpr unsigned words = PAGE_SIZE / sizeof(u64);
	unsigned start = first_page ? sizeof(held_block) / sizeof(u64) : 0;
	if (buddy_test_mode == BUDDY_TEST_FULL) {
		for (unsigned w = start; w < words; w++)
			fn(&page_va[w]);
	} else {
		fn(&page_va[start]);
		fn(&page_va[words - 1]);
	}
}

void write_block(struct page *page, unsigned order, u64 serial)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		u64 *va = (u64 *)page_address(page + i);
		for_each_test_word(va, i == 0, [&](u64 *w) { *w = tag(__pa(w), serial); });
	}
}

unsigned verify_block(struct test_state *st, struct page *page, unsigned order, u64 serial)
{
	unsigned bad = 0;
	for (unsigned long i = 0; i < (1UL << order); i++) {
		u64 *va = (u64 *)page_address(page + i);
		for_each_test_word(va, i == 0, [&](u64 *w) {
			st->words_checked++;
			if (*(volatile u64 *)w != tag(__pa(w), serial) && bad++ < 4)
				pr_err("buddy_test: word at %#llx of block pfn %#lx order %u reads %#llx, wrote %#llx\n",
				       (unsigned long long)__pa(w), (unsigned long)page_to_pfn(page), order,
				       (unsigned long long)*w,
				       (unsigned long long)tag(__pa(w), serial));
		});
	}
	return bad;
}

/* Allocate, check where the block is, tag it, hold it. false when it failed. */
bool take(struct test_state *st, gfp_t gfp, unsigned order, int nid)
{
	struct page *page = nid == NUMA_NO_NODE ? alloc_pages(gfp, order) : alloc_pages_node(nid, gfp, order);
	st->allocs++;
	if (!page) {
		st->failures++;
		return false;
	}
	pfn_t pfn = page_to_pfn(page);
	int highest = gfp_zone(gfp);
	if ((pfn & ((1UL << order) - 1)) || page_zonenum(page) > highest ||
	    ((gfp & __GFP_THISNODE) && page_to_nid(page) != nid) || page_count(page) != 1) {
		pr_err("buddy_test: alloc_pages(%#x, %u) gave pfn %#lx (node %d zone %d, refcount %d): misplaced\n",
		       gfp, order, (unsigned long)pfn, page_to_nid(page), page_zonenum(page), page_count(page));
		st->bad++;
	}
	if (gfp & __GFP_ZERO) {
		const u64 *w = (const u64 *)page_address(page);
		for (unsigned long i = 0; i < (PAGE_SIZE << order) / sizeof(u64); i++)
			if (w[i]) {
				pr_err("buddy_test: __GFP_ZERO block pfn %#lx order %u not zeroed\n", (unsigned long)pfn,
				       order);
				st->bad++;
				break;
			}
	} else if (want_init_on_alloc(gfp) || want_init_on_free()) {
		/* Cleared when handed out, or when freed (and at the hand-over): the test's words read zero. */
		unsigned long nonzero = 0;
		for (unsigned long i = 0; i < (1UL << order); i++)
			for_each_test_word((u64 *)page_address(page + i), false, [&](u64 *w) {
				st->words_checked++;
				nonzero += *(volatile u64 *)w != 0;
			});
		if (nonzero) {
			pr_err("buddy_test: block pfn %#lx order %u not cleared (%s): %lu words not zero\n",
			       (unsigned long)pfn, order,
			       want_init_on_free() ? "init_on_free" : "init_on_alloc", nonzero);
			st->bad++;
		}
	}
	if ((gfp & __GFP_COMP) && order && (!PageHead(page) || compound_order(page) != order)) {
		pr_err("buddy_test: __GFP_COMP block pfn %#lx is not a compound page of order %u\n",
		       (unsigned long)pfn, order);
		st->bad++;
	}
	struct held_block *hb = (struct held_block *)page_address(page);
	hb->magic = BLOCK_MAGIC;
	hb->next = st->head;
	hb->order = order;
	hb->gfp = gfp;
	hb->serial = ++st->serial;
	write_block(page, order, hb->serial);
	st->head = hb;
	st->blocks++;
	st->pages += 1UL << order;
	return true;
}

/* Verify every held block, then free them all. */
void release_all(struct test_state *st)
{
	struct held_block *hb = st->head;
	while (hb) {
		struct held_block *next = hb->next;
		struct page *page = virt_to_page(hb);
		if (hb->magic != BLOCK_MAGIC) {
			pr_err("buddy_test: block header at %#llx overwritten\n", (unsigned long long)__pa(hb));
			st->bad++;
			break;
		}
		unsigned order = hb->order;
		st->bad += verify_block(st, page, order, hb->serial);
		hb->magic = 0;
		__free_pages(page, order);
		hb = next;
	}
	st->head = nullptr;
	st->blocks = st->pages = 0;
}

/* The zone modifiers that make @zone the highest zone of a request. */
gfp_t gfp_for_zone(int zid)
{
	switch (zid) {
	case ZONE_DMA:
		return GFP_DMA;
	case ZONE_DMA32:
		return GFP_DMA32;
	case ZONE_MOVABLE:
		return __GFP_HIGHMEM | __GFP_MOVABLE;
	default:
		return 0;
	}
}

/* The post-boot free lists: nr_free per node, zone and order. */
constexpr int SNAP_NODES = 8;
constinit unsigned long snap[SNAP_NODES][MAX_NR_ZONES][NR_PAGE_ORDERS];

void take_snap(void)
{
	struct zone *zone;
	for_each_zone(zone) {
		int nid = zone_to_nid(zone);
		if (nid >= SNAP_NODES)
			break;
		for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
			snap[nid][zone_idx(zone)][o] = zone->free_area[o].nr_free;
	}
}

unsigned compare_snap(void)
{
	unsigned diffs = 0;
	struct zone *zone;
	for_each_zone(zone) {
		int nid = zone_to_nid(zone), z = zone_idx(zone);
		if (nid >= SNAP_NODES)
			break;
		for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
			unsigned long now = zone->free_area[o].nr_free;
			if (now != snap[nid][z][o] && diffs++ < 8)
				pr_err("buddy_test: Node %d zone %s order %u: nr_free %lu, after boot %lu\n", nid,
				       zone_names[z], o, now, snap[nid][z][o]);
		}
	}
	return diffs;
}

/* A light fingerprint of every zone's state, for "misuse changed nothing". */
u64 lists_fingerprint(void)
{
	u64 h = 0;
	struct zone *zone;
	for_each_zone(zone) {
		if (!zone->initialized)
			continue;
		for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
			h = h * 1000003 + zone->free_area[o].nr_free;
		h = h * 1000003 + (u64)zone_page_state(zone, NR_FREE_PAGES);
		h = h * 1000003 + (u64)zone->per_cpu_pageset[0].count;
	}
	return h;
}

/* Phase 1: every order of every zone of every node, in all three types. */
void test_orders(struct test_state *st)
{
	static const gfp_t types[] = {GFP_KERNEL, GFP_KERNEL | __GFP_MOVABLE, GFP_KERNEL | __GFP_RECLAIMABLE};
	const int per = buddy_test_mode == BUDDY_TEST_FULL ? 4 : 2;
	struct zone *zone;

	for_each_zone(zone) {
		if (!managed_zone(zone))
			continue;
		int nid = zone_to_nid(zone), z = zone_idx(zone);
		for (unsigned order = 0; order <= MAX_PAGE_ORDER; order++) {
			for (unsigned t = 0; t < ARRAY_SIZE(types); t++) {
				if (z == ZONE_MOVABLE && t != 1)
					continue;
				gfp_t gfp = (types[t] & ~GFP_ZONEMASK) | gfp_for_zone(z) | __GFP_THISNODE |
					    __GFP_NOWARN;
				if (z == ZONE_MOVABLE || t == 1)
					gfp |= __GFP_MOVABLE;
				if (order == 3 || order == 9)
					gfp |= __GFP_COMP;
				if (order <= 2 && t == 0)
					gfp |= __GFP_ZERO;
				for (int i = 0; i < per; i++)
					take(st, gfp, order, nid);
			}
		}
		unsigned long held = st->pages;
		release_all(st);
		pr_info("buddy_test: Node %d %s: orders 0-%u x Unmovable/Movable/Reclaimable: %lu pages "
			"held, verified, freed\n",
			nid, zone->name, MAX_PAGE_ORDER, held);
	}
}

/* Phase 2: drain memory to the watermarks; failures must be answers. */
void test_drain(struct test_state *st)
{
	unsigned long before_fail = st->failures;

	for (int order = MAX_PAGE_ORDER; order >= 0; order--)
		while (take(st, GFP_KERNEL | __GFP_NOWARN, (unsigned)order, NUMA_NO_NODE))
			;
	while (take(st, GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 0, NUMA_NO_NODE))
		;
	/*
	 * The pcp lists hold pages that NR_FREE_PAGES does not count; a failed
	 * request that could reclaim drains them back (as Linux after direct
	 * reclaim). Drain them now, then go below min with the requests that
	 * may and cannot reclaim, so that nothing drains behind the check.
	 */
	drain_all_pages(nullptr);
	while (take(st, GFP_ATOMIC | __GFP_NOWARN, 0, NUMA_NO_NODE))
		;
	while (take(st, GFP_DMA32 | __GFP_HIGH | __GFP_NOWARN, 0, NUMA_NO_NODE))
		;
	while (take(st, GFP_DMA | __GFP_HIGH | __GFP_NOWARN, 0, NUMA_NO_NODE))
		;
	while (take(st, (GFP_HIGHUSER_MOVABLE & ~__GFP_DIRECT_RECLAIM) | __GFP_NOWARN, 0, NUMA_NO_NODE))
		;

	/* Every zone is now at (or under, for the reliefs) its min watermark. */
	struct zone *zone;
	for_each_zone(zone) {
		if (!managed_zone(zone))
			continue;
		int nid = zone_to_nid(zone), z = zone_idx(zone);
		int highest = z == ZONE_MOVABLE ? ZONE_MOVABLE : z == ZONE_DMA ? ZONE_DMA : ZONE_NORMAL;
		/* The deepest relief each zone was drained with. */
		unsigned flags = z == ZONE_MOVABLE ? ALLOC_WMARK_MIN
				 : ALLOC_WMARK_MIN | ALLOC_HIGH | (z == ZONE_NORMAL ? ALLOC_HARDER : 0);
		bool ok = zone_watermark_ok(zone, 0, min_wmark_pages(zone), highest, flags);
		pr_info("buddy_test: drained Node %d %s: free %ld pages, min %lu low %lu high %lu, "
			"reserve %ld: %s\n",
			nid, zone->name, zone_page_state(zone, NR_FREE_PAGES), min_wmark_pages(zone),
			low_wmark_pages(zone), high_wmark_pages(zone), zone->lowmem_reserve[highest],
			ok ? "STILL ABOVE" : "at the watermark");
		if (ok)
			st->bad++;
	}
	unsigned long held = st->pages;
	/* One failure out loud: Linux's warning with the zones' state. */
	pr_info("buddy_test: one more GFP_KERNEL page must fail, with the allocation-failure report:\n");
	struct page *page = alloc_pages(GFP_KERNEL, 0);
	if (page) {
		pr_err("buddy_test: GFP_KERNEL allocation succeeded below the watermark\n");
		__free_pages(page, 0);
		st->bad++;
	}
	pr_info("buddy_test: drained: %lu blocks, %lu pages (%lu MiB) held and tagged, %lu failures answered\n",
		st->blocks, held, held >> (20 - PAGE_SHIFT), st->failures - before_fail);
	release_all(st);
}

/* Phase 3: misuse is refused and changes nothing. */
void test_misuse(struct test_state *st)
{
	unsigned long bad0 = nr_bad_pages;
	unsigned expect = 0;
	struct page *p = alloc_pages(GFP_KERNEL, 2);
	struct page *q = alloc_pages(GFP_KERNEL, 0);
	if (!p || !q) {
		pr_err("buddy_test: no memory for the misuse checks\n");
		st->bad++;
		return;
	}
	__free_pages(q, 0);
	u64 fp = lists_fingerprint();
	pr_info("buddy_test: misuse follows; each must be refused with a bad page report (check_pages %s)\n",
		is_check_pages_enabled() ? "on: the pages inside a block too" : "off: the first page of a block");
	__free_pages(q, 0); /* double free */
	__free_pages(p, 1); /* wrong order */
	__free_pages(p, 3);
	__free_pages(p + 1, 0); /* not the first page */
	__free_pages(p, MAX_PAGE_ORDER + 1);
	expect += 5;
	/*
	 * With check_pages, a page inside a block is checked too: a flag left
	 * on the last page of the order-2 block makes its free refused.
	 */
	if (is_check_pages_enabled()) {
		p[3].flags |= 1UL << PG_lru;
		__free_pages(p, 2);
		p[3].flags &= ~(1UL << PG_lru);
		expect++;
	}
	/* A reserved page: the first valid page memblock.reserved has. */
	for (unsigned long i = 0; i < memblock.reserved.cnt; i++) {
		pfn_t pfn = PFN_UP(memblock.reserved.regions[i].base);
		if (pfn_valid(pfn) && PageReserved(pfn_to_page(pfn)) &&
		    pfn < PFN_DOWN(memblock.reserved.regions[i].base + memblock.reserved.regions[i].size)) {
			__free_pages(pfn_to_page(pfn), 0);
			expect++;
			break;
		}
	}
	if (alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1) || alloc_pages(GFP_DMA | GFP_DMA32, 0))
		st->bad++;
	unsigned long refused = nr_bad_pages - bad0;
	bool same = lists_fingerprint() == fp;
	pr_info("buddy_test: misuse: %lu of %u refused, free lists %s\n", refused, expect,
		same ? "unchanged" : "CHANGED");
	if (refused != expect || !same)
		st->bad++;
	__free_pages(p, 2);
}

/*
 * The cost of an order-0 alloc_pages() + __free_pages() pair on this machine,
 * from the TSC: with the fast paths, then Linux's path alone (docs/buddy.md).
 * The page comes off and goes back onto the same pcp list; a warm-up fills it.
 */
void time_order0_pairs(struct test_state *st)
{
	constexpr unsigned pairs = 1u << 16;
	u64 ps[2];
	const bool fast_paths = page_alloc_fast_paths;

	for (int way = 0; way < 2; way++) {
		page_alloc_fast_paths = way == 0;
		__free_pages(alloc_pages(GFP_KERNEL, 0), 0);
		u64 t0 = tsc_now_ns();
		for (unsigned i = 0; i < pairs; i++) {
			struct page *page = alloc_pages(GFP_KERNEL, 0);
			if (unlikely(!page)) {
				pr_err("buddy_test: TSC: order-0 allocation failed after %u pairs\n", i);
				st->bad++;
				break;
			}
			__free_pages(page, 0);
		}
		ps[way] = (tsc_now_ns() - t0) * 1000 / pairs;
	}
	page_alloc_fast_paths = fast_paths;
	pr_info("buddy_test: TSC: order-0 alloc_pages+__free_pages pair %llu.%01llu ns with the fast paths, "
		"%llu.%01llu ns by Linux's path (%u pairs each)\n",
		(unsigned long long)(ps[0] / 1000), (unsigned long long)(ps[0] % 1000 / 100),
		(unsigned long long)(ps[1] / 1000), (unsigned long long)(ps[1] % 1000 / 100), pairs);
}

} // namespace

int setup_buddy_test(const char *val)
{
	/* In the order of BUDDY_TEST_OFF, _QUICK, _FULL. */
	static const char *const modes[] = {"off", "quick", "full"};
	int mode = match_string(modes, ARRAY_SIZE(modes), val);

	if (mode < 0)
		return mode;
	buddy_test_mode = mode;
	return 0;
}

int setup_buddyinfo_opt(const char *val)
{
	if (!val)
		return -EINVAL;
	/* A comma-separated list. */
	const char *p = val;
	while (*p) {
		const char *e = p;
		while (*e && *e != ',')
			e++;
		size_t n = (size_t)(e - p);
		if (n == 8 && !strncmp(p, "zoneinfo", n))
			show_zoneinfo_req = true;
		else if (n == 12 && !strncmp(p, "pagetypeinfo", n))
			show_pagetypeinfo_req = true;
		else if (n == 3 && !strncmp(p, "all", n))
			show_zoneinfo_req = show_pagetypeinfo_req = true;
		else
			return -EINVAL;
		p = *e ? e + 1 : e;
	}
	return 0;
}

void buddy_show_requested(void)
{
	if (show_pagetypeinfo_req) {
		pr_info("/proc/pagetypeinfo:\n");
		show_pagetypeinfo();
	}
	if (show_zoneinfo_req) {
		pr_info("/proc/zoneinfo:\n");
		show_zoneinfo();
	}
}

unsigned buddy_selftest(void)
{
	if (buddy_test_mode == BUDDY_TEST_OFF) {
		pr_info("buddy_test: off\n");
		return 0;
	}
	static struct test_state st;
	memset(&st, 0, sizeof(st));
	u64 t0 = tsc_now_ns();

	drain_all_pages(nullptr);
	take_snap();
	unsigned long free0 = nr_free_pages();
	if (want_init_on_alloc(GFP_KERNEL) || want_init_on_free())
		pr_info("buddy_test: %s: every block handed out must read zero\n",
			want_init_on_free() ? "init_on_free" : "init_on_alloc");
	pr_info("buddy_test: %s: /proc/buddyinfo before:\n", buddy_test_mode == BUDDY_TEST_FULL ? "full" : "quick");
	show_buddyinfo();

	test_orders(&st);
	test_drain(&st);
	test_misuse(&st);
	time_order0_pairs(&st);

	drain_all_pages(nullptr);
	pr_info("buddy_test: /proc/buddyinfo after:\n");
	show_buddyinfo();
	unsigned diffs = compare_snap();
	bool same = !diffs && nr_free_pages() == free0;
	pr_info("buddy_test: free lists identical to the post-boot state: %s\n", same ? "yes" : "NO");
	if (!same)
		st.bad++;
	u64 us = (tsc_now_ns() - t0) / 1000;
	pr_info("buddy_test: %lu allocations, %lu failures as answers, %lu words verified, %llu ms: %s\n", st.allocs,
		st.failures, st.words_checked, (unsigned long long)(us / 1000), st.bad ? "FAILED" : "passed");
	return (unsigned)st.bad;
}
