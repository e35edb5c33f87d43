#include "efi/slab_selftest.h"

#include <string.h>

#include "efi/console.h"
#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/vsprintf.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/slub_internal.h"

namespace {

unsigned long selftest_ops = 20000;
bool slabinfo_midway;

// xorshift64*: a reproducible trace from the printed seed.
u64 rng_state;
u64 rnd()
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

// nr_free of every order of every zone of every node, flattened.
constexpr unsigned SNAP_MAX = MAX_NUMNODES * MAX_NR_ZONES * NR_PAGE_ORDERS;
struct buddy_snapshot {
	unsigned long nr_free[SNAP_MAX];
	unsigned n;
	unsigned long pages;
};

void take_snapshot(buddy_snapshot *s)
{
	struct zone *zone;
	drain_all_pages(nullptr); // the per-cpu lists back to the free lists
	s->n = 0;
	for_each_zone(zone) {
		for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
			s->nr_free[s->n++] = zone->initialized ? zone->free_area[o].nr_free : 0;
	}
	s->pages = nr_free_pages();
}

bool same_snapshot(const buddy_snapshot *a, const buddy_snapshot *b)
{
	return a->n == b->n && a->pages == b->pages && !memcmp(a->nr_free, b->nr_free, a->n * sizeof(a->nr_free[0]));
}

// Every cache's CPU slab back to the lists and empty slabs to the buddy.
void shrink_all()
{
	struct kmem_cache *s;
	list_for_each_entry(s, &slab_caches, list) kmem_cache_shrink(s);
}

// A snapshot two of which compare: where a sheaf lives is chance, so every
// sheaf and barn is freed first and every cache shrunk; the sheaves are set
// up again after the snapshot. false if they cannot be.
bool quiet_snapshot(buddy_snapshot *s)
{
	slab_sheaves_off();
	shrink_all();
	take_snapshot(s);
	if (slab_sheaves_on()) {
		pr_err("slab: self-test: no memory to set the sheaves up again\n");
		return false;
	}
	return true;
}

// One live object of the churn.
struct live {
	u8 *p;
	unsigned size;
	struct kmem_cache *cache; // nullptr: kmalloc
	u8 fill;
};

constexpr unsigned NCACHES = 8;
constexpr u8 CTOR_BYTE = 0xc3;
unsigned long ctor_runs;

// A constructor that marks the whole object: a constructed object is all CTOR_BYTE.
void selftest_ctor(void *p)
{
	struct kmem_cache *s = virt_to_cache(p);
	ctor_runs++;
	memset(p, CTOR_BYTE, s ? s->object_size : 8);
}

bool intact(const live *l)
{
	for (unsigned i = 0; i < l->size; i++)
		if (l->p[i] != l->fill)
			return false;
	return true;
}

// The churn: many caches and every kmalloc class, random sizes, lifetimes and
// orders of free, every object filled and verified before it is freed.
unsigned churn(unsigned long ops)
{
	static const struct {
		const char *name;
		unsigned size, align;
		slab_flags_t flags;
		bool ctor;
	} specs[NCACHES] = {
		{"selftest_24", 24, 0, 0, false},	   {"selftest_40_hw", 40, 0, SLAB_HWCACHE_ALIGN, false},
		{"selftest_100_ctor", 100, 0, 0, true},	   {"selftest_200_a64", 200, 64, 0, false},
		{"selftest_700", 700, 0, 0, false},	   {"selftest_1500_ctor", 1500, 0, SLAB_HWCACHE_ALIGN, true},
		{"selftest_3000_dma32", 3000, 0, SLAB_CACHE_DMA32, false}, {"selftest_12k", 12000, 0, 0, false},
	};
	struct kmem_cache *caches[NCACHES];
	unsigned bad = 0;
	const unsigned max_live = 2048;

	for (unsigned i = 0; i < NCACHES; i++) {
		caches[i] = kmem_cache_create(specs[i].name, specs[i].size, specs[i].align, specs[i].flags,
					      specs[i].ctor ? selftest_ctor : nullptr);
		if (!caches[i]) {
			pr_err("slab: self-test: kmem_cache_create(%s) failed\n", specs[i].name);
			for (unsigned j = 0; j < i; j++)
				kmem_cache_destroy(caches[j]);
			return 1;
		}
	}
	live *table = (live *)kcalloc(max_live, sizeof(live), GFP_KERNEL);
	if (!table) {
		pr_err("slab: self-test: no memory for the table of live objects\n");
		return 1;
	}

	unsigned nlive = 0;
	unsigned long allocs = 0, frees = 0, large = 0, ctor_checked = 0, zeroed_checked = 0, classes_hit = 0;
	bool class_seen[KMALLOC_SHIFT_HIGH + 1] = {};
	u64 t0 = tsc_now_ns();
	for (unsigned long op = 0; op < ops && !bad; op++) {
		// Grow for the first half, shrink in the second: lifetimes vary.
		unsigned grow = op < ops / 2 ? 60 : 40;
		if (nlive < max_live && (nlive == 0 || rnd() % 100 < grow)) {
			live l = {};
			gfp_t gfp = GFP_KERNEL;
			l.fill = (u8)(rnd() | 1);
			unsigned kind = rnd() % 16;
			if (kind < 8) {
				// Every kmalloc class is hit: a size in a random class's range.
				unsigned idx = 1 + rnd() % KMALLOC_SHIFT_HIGH;
				unsigned hi = idx == 1 ? 96 : idx == 2 ? 192 : 1u << idx;
				unsigned lo = idx == 1 ? 65 : idx == 2 ? 129 : idx == 3 ? 1 : (1u << (idx - 1)) + 1;
				if (idx == 7)
					lo = 97;
				if (idx == 8)
					lo = 193;
				l.size = lo + rnd() % (hi - lo + 1);
				gfp = (rnd() % 8) ? GFP_KERNEL : GFP_KERNEL | __GFP_ZERO;
				l.p = (u8 *)kmalloc(l.size, gfp);
				if (l.p && ksize(l.p) != hi) {
					pr_err("slab: self-test: kmalloc(%u) gave ksize %zu, not the %u class\n", l.size,
					       ksize(l.p), hi);
					bad++;
				}
				if (!class_seen[idx]) {
					class_seen[idx] = true;
					classes_hit++;
				}
			} else if (kind < 9) {
				l.size = 8193 + rnd() % (60 * 1024);
				l.p = (u8 *)kmalloc(l.size, GFP_KERNEL);
				large++;
			} else {
				unsigned c = rnd() % NCACHES;
				l.cache = caches[c];
				l.size = caches[c]->object_size;
				l.p = (u8 *)kmem_cache_alloc(l.cache, GFP_KERNEL);
				if (l.p && specs[c].ctor) {
					// A fresh or reused object of a ctor cache is constructed.
					for (unsigned i = 0; i < l.size; i++)
						if (l.p[i] != CTOR_BYTE) {
							pr_err("slab: self-test: %s object %px byte %u is %#x, not constructed\n",
							       l.cache->name, l.p, i, l.p[i]);
							bad++;
							break;
						}
					ctor_checked++;
				}
			}
			if (!l.p) {
				pr_err("slab: self-test: allocation of %u bytes failed\n", l.size);
				bad++;
				break;
			}
			// __GFP_ZERO, init_on_alloc or init_on_free: the object reads zero.
			struct kmem_cache *from = l.cache ? l.cache : virt_to_cache(l.p);
			bool zero = from ? slab_want_init_on_alloc(gfp, from) || slab_want_init_on_free(from)
					 : want_init_on_alloc(gfp) || want_init_on_free();
			if (zero) {
				for (unsigned i = 0; i < l.size; i++)
					if (l.p[i]) {
						pr_err("slab: self-test: %u-byte object %px byte %u is %#x, not cleared\n",
						       l.size, l.p, i, l.p[i]);
						bad++;
						break;
					}
				zeroed_checked++;
			}
			memset(l.p, l.fill, l.size);
			table[nlive++] = l;
			allocs++;
		} else {
			unsigned i = rnd() % nlive;
			live l = table[i];
			table[i] = table[--nlive];
			if (!intact(&l)) {
				pr_err("slab: self-test: object %px (%u bytes) was overwritten while live\n", l.p, l.size);
				bad++;
			}
			if (l.cache) {
				// Give a ctor cache its object back constructed, as Linux requires.
				if (l.cache->ctor)
					memset(l.p, CTOR_BYTE, l.size);
				kmem_cache_free(l.cache, l.p);
			} else {
				kfree(l.p);
			}
			frees++;
		}
		if (slabinfo_midway && op == ops / 2) {
			slabinfo_show();
			slab_caches_summary();
		}
	}
	// Everything else, in a random order.
	while (nlive) {
		unsigned i = rnd() % nlive;
		live l = table[i];
		table[i] = table[--nlive];
		if (!intact(&l)) {
			pr_err("slab: self-test: object %px (%u bytes) was overwritten while live\n", l.p, l.size);
			bad++;
		}
		if (l.cache) {
			if (l.cache->ctor)
				memset(l.p, CTOR_BYTE, l.size);
			kmem_cache_free(l.cache, l.p);
		} else {
			kfree(l.p);
		}
		frees++;
	}
	u64 t = tsc_now_ns() - t0;
	kfree(table);
	for (unsigned i = 0; i < NCACHES; i++) {
		if (kmem_cache_destroy(caches[i])) {
			pr_err("slab: self-test: kmem_cache_destroy(%s) refused\n", specs[i].name);
			bad++;
		}
	}
	if (classes_hit != 13 && ops >= 1000) {
		pr_err("slab: self-test: only %lu of the 13 kmalloc classes were exercised\n", classes_hit);
		bad++;
	}
	pr_info("slab: churn: %lu allocations (%lu large, all 13 kmalloc classes: %s), %lu frees, %lu constructed "
		"objects checked, %lu constructor calls, %lu objects checked cleared, in %llu us: %s\n",
		allocs, large, classes_hit == 13 ? "yes" : "no", frees, ctor_checked, ctor_runs, zeroed_checked,
		(unsigned long long)(t / 1000), bad ? "FAILED" : "ok");
	return bad;
}

// One injected corruption: @what is done, and it must raise the error count.
unsigned expect_report(const char *what, unsigned long before)
{
	bool ok = slab_errors_reported() > before;
	pr_info("slab: injected %s: %s\n", what, ok ? "detected" : "NOT DETECTED");
	return ok ? 0 : 1;
}

// Corruptions in caches with full debugging (and in kmalloc-64 if slub_debug=
// red-zones it); each is reported Linux-style and nothing is corrupted for good.
unsigned inject(void)
{
	const slab_flags_t dbg = SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER;
	unsigned bad = 0;
	unsigned long e;

	struct kmem_cache *a = kmem_cache_create("selftest_debug", 64, 0, dbg, nullptr);
	struct kmem_cache *b = kmem_cache_create("selftest_other", 64, 0, 0, nullptr);
	if (!a || !b) {
		pr_err("slab: injection caches could not be created\n");
		return 1;
	}
	pr_info("slab: injecting corruptions; each must be reported below\n");

	// Out-of-bounds write into the right red zone: the free is refused, the bytes restored.
	u8 *p = (u8 *)kmem_cache_alloc(a, GFP_KERNEL);
	e = slab_errors_reported();
	p[64] = 0x00;
	kmem_cache_free(a, p);
	bad += expect_report("write past the end (right red zone)", e);
	kmem_cache_free(a, p); // repaired: now it goes

	// Write before the start (left red zone).
	p = (u8 *)kmem_cache_alloc(a, GFP_KERNEL);
	e = slab_errors_reported();
	p[-1] = 0x00;
	kmem_cache_free(a, p);
	bad += expect_report("write before the start (left red zone)", e);
	kmem_cache_free(a, p);

	// Double free.
	p = (u8 *)kmem_cache_alloc(a, GFP_KERNEL);
	u8 *keep = (u8 *)kmem_cache_alloc(a, GFP_KERNEL);
	kmem_cache_free(a, p);
	e = slab_errors_reported();
	kmem_cache_free(a, p);
	bad += expect_report("double free", e);

	// Write after free: found when the empty slab is checked and discarded.
	kmem_cache_free(a, keep);
	e = slab_errors_reported();
	p[5] = 0x00;
	kmem_cache_shrink(a);
	bad += expect_report("write after free", e);

	// Corrupt free pointer of a free object: found the same way.
	p = (u8 *)kmem_cache_alloc(a, GFP_KERNEL);
	keep = (u8 *)kmem_cache_alloc(a, GFP_KERNEL);
	kmem_cache_free(a, p);
	kmem_cache_free(a, keep);
	e = slab_errors_reported();
	*(unsigned long *)(p + a->offset) ^= 0x1000;
	kmem_cache_shrink(a);
	bad += expect_report("corrupted free pointer", e);

	// Free to the wrong cache.
	p = (u8 *)kmem_cache_alloc(a, GFP_KERNEL);
	e = slab_errors_reported();
	kmem_cache_free(b, p);
	bad += expect_report("free to the wrong cache", e);
	kmem_cache_free(a, p);

	// Free of pointers that are not from a slab: a stack address, a buddy page, inside a large kmalloc.
	int local;
	e = slab_errors_reported();
	kfree(&local);
	bad += expect_report("kfree of a stack address", e);
	struct page *page = alloc_pages(GFP_KERNEL, 0);
	if (page) {
		e = slab_errors_reported();
		kfree(page_address(page));
		bad += expect_report("kfree of a page from alloc_pages", e);
		__free_pages(page, 0);
	}
	u8 *big = (u8 *)kmalloc(20000, GFP_KERNEL);
	e = slab_errors_reported();
	kfree(big + 64);
	bad += expect_report("kfree inside a large kmalloc", e);
	kfree(big);

	// Double free in a cache without debugging: the hardened freelist's naive check.
	p = (u8 *)kmem_cache_alloc(b, GFP_KERNEL);
	kmem_cache_free(b, p);
	e = slab_errors_reported();
	kmem_cache_free(b, p);
	bad += expect_report("double free without slub_debug", e);

	// kmalloc-64 itself when slub_debug= red-zones it.
	struct kmem_cache *k64 = kmalloc_caches[KMALLOC_NORMAL][6];
	if (k64->flags & SLAB_RED_ZONE) {
		p = (u8 *)kmalloc(64, GFP_KERNEL);
		e = slab_errors_reported();
		p[64] = 0x00;
		kfree(p);
		bad += expect_report("kmalloc-64 write past the end", e);
		kfree(p);
	}

	// kmem_cache_destroy() with a live object is refused.
	p = (u8 *)kmem_cache_alloc(b, GFP_KERNEL);
	e = slab_errors_reported();
	if (kmem_cache_destroy(b) != -EBUSY)
		bad++;
	bad += expect_report("kmem_cache_destroy with a live object", e);
	kmem_cache_free(b, p);

	if (kmem_cache_destroy(a) || kmem_cache_destroy(b)) {
		pr_err("slab: the injection caches could not be destroyed after repair\n");
		bad++;
	}
	return bad;
}

/*
 * A new slab on real RAM hands out its objects in its cache's order: every
 * slot once, following random_seq from one place (CONFIG_SLAB_FREELIST_RANDOM)
 * or in address order. SLAB_NOLEAKTRACE: no sheaves, so each allocation takes
 * the next object the slab gives.
 */
unsigned check_new_slab_order(void)
{
	struct kmem_cache *s = kmem_cache_create("selftest_order", 128, 0, SLAB_NOLEAKTRACE, nullptr);
	void *objs[64];
	unsigned per, n, bad = 0;

	if (!s) {
		pr_err("slab: cannot create selftest_order\n");
		return 1;
	}
	per = slab_cache_objects(s);
	if (per < 2 || per > ARRAY_SIZE(objs)) {
		pr_err("slab: selftest_order has %u objects a slab\n", per);
		kmem_cache_destroy(s);
		return 1;
	}
	for (n = 0; n < per; n++) {
		objs[n] = kmem_cache_alloc(s, GFP_KERNEL);
		if (!objs[n])
			break;
	}
	bool ok = n == per;
	u8 *base = ok ? (u8 *)page_address(compound_head(virt_to_page(objs[0]))) + s->red_left_pad : nullptr;
	u64 seen = 0;
	for (unsigned i = 0; ok && i < per; i++) {
		unsigned long off = (unsigned long)((u8 *)objs[i] - base);
		ok = off % s->size == 0 && off / s->size < per && !(seen & (1ULL << (off / s->size)));
		seen |= 1ULL << (off / s->size);
	}
	unsigned from = 0;
	if (ok && s->random_seq) {
		for (from = 0; from < per; from++) {
			unsigned i = 0;
			while (i < per && objs[i] == base + s->random_seq[(from + i) % per])
				i++;
			if (i == per)
				break;
		}
		ok = from < per;
	} else if (ok) {
		for (unsigned i = 0; ok && i < per; i++)
			ok = objs[i] == base + (size_t)i * s->size;
	}
	if (s->random_seq)
		pr_info("slab: a new %s slab handed out its %u objects in random_seq's order from slot %u: %s\n",
			s->name, per, from, ok ? "yes" : "NO");
	else
		pr_info("slab: a new %s slab handed out its %u objects in address order: %s\n", s->name, per,
			ok ? "yes" : "NO");
	bad += !ok;
	for (unsigned i = 0; i < n; i++)
		kmem_cache_free(s, objs[i]);
	if (kmem_cache_destroy(s))
		bad++;
	return bad;
}

/*
 * The cost of a kmalloc(64) + kfree() pair on this machine, from the TSC (the
 * fast paths, unless slub_debug covers kmalloc-64; docs/slab.md).
 */
void time_kmalloc_pairs(void)
{
	constexpr unsigned pairs = 1u << 16;

	kfree(kmalloc(64, GFP_KERNEL));
	u64 t0 = tsc_now_ns();
	for (unsigned i = 0; i < pairs; i++) {
		void *p = kmalloc(64, GFP_KERNEL);
		asm volatile("" : : "r"(p) : "memory");
		kfree(p);
	}
	u64 ps = (tsc_now_ns() - t0) * 1000 / pairs;
	bool debug = kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(64)]->flags & SLAB_DEBUG_FLAGS;
	pr_info("slab: TSC: kmalloc(64)+kfree pair %llu.%01llu ns (%u pairs%s)\n", (unsigned long long)(ps / 1000),
		(unsigned long long)(ps % 1000 / 100), pairs, debug ? ", slub_debug's checks" : "");
}

} // namespace

int setup_slab_selftest(const char *val)
{
	u64 n;
	if (!val || !kstrtou64(val, 0, &n) || n > 10000000)
		return -EINVAL;
	selftest_ops = (unsigned long)n;
	return 0;
}

int setup_slabinfo_opt(const char *val)
{
	if (val)
		return -EINVAL;
	slabinfo_midway = true;
	return 0;
}

/*
 * CONFIG_SLAB_FREELIST_RANDOM, for the reader: the first slots of kmalloc-64's
 * random_seq, the order every new kmalloc-64 slab hands its objects out in,
 * starting at a random one of them (Linux prints nothing).
 */
static void report_freelist_random(void)
{
	struct kmem_cache *s = kmalloc_caches[KMALLOC_NORMAL][6];
	char order[64];
	size_t n = 0;

	if (!s || !s->random_seq) {
		pr_info("slab: freelist randomization off (slab_freelist_random=0): new slabs hand out their "
			"objects in address order\n");
		return;
	}
	for (unsigned i = 0; i < 8; i++)
		n += scnprintf(order + n, sizeof(order) - n, " %u", s->random_seq[i] / s->size);
	pr_info("slab: freelist randomization on (CONFIG_SLAB_FREELIST_RANDOM): a new %s slab hands out "
		"its %u objects in the order%s ... from a random place in it\n",
		s->name, slab_cache_objects(s), order);
}

unsigned efi_slab_init(void)
{
	u64 t0 = tsc_now_ns();
	int err = kmem_cache_init();
	if (err) {
		pr_err("slab: kmem_cache_init failed (%d)\n", err);
		return 1;
	}
	pr_info("slab: kmem_cache_init in %llu us, slub_debug flags %#x\n",
		(unsigned long long)((tsc_now_ns() - t0) / 1000), slub_debug_flags());
	report_freelist_random();
	return 0;
}

unsigned efi_slab_selftest(void)
{
	unsigned bad = 0;
	buddy_snapshot *before, *after;

	if (slab_state != FULL)
		return 0;
	if (!selftest_ops) {
		pr_info("slab: self-test skipped (slab_selftest=0)\n");
		slabinfo_show();
		slab_caches_summary();
		return 0;
	}
	before = (buddy_snapshot *)kmalloc(sizeof(*before), GFP_KERNEL);
	after = (buddy_snapshot *)kmalloc(sizeof(*after), GFP_KERNEL);
	if (!before || !after) {
		pr_err("slab: self-test: no memory for the buddy snapshots\n");
		return 1;
	}
	rng_state = (__builtin_ia32_rdtsc() | 1) * 0x9e3779b97f4a7c15ULL;
	pr_info("slab: self-test: %lu operations, seed %#llx\n", selftest_ops, (unsigned long long)rng_state);
	unsigned long errors = slab_errors_reported();

	if (!quiet_snapshot(before))
		bad++;
	bad += churn(selftest_ops);
	bad += check_new_slab_order();
	if (slab_errors_reported() != errors) {
		pr_err("slab: the churn raised %lu slab errors\n", slab_errors_reported() - errors);
		bad++;
	}
	time_kmalloc_pairs();
	if (!quiet_snapshot(after))
		bad++;
	bool same = same_snapshot(before, after);
	pr_info("slab: every slab page went back to the buddy (free lists as before the test): %s\n",
		same ? "yes" : "NO");
	if (!same) {
		pr_err("slab: %lu free pages before the test, %lu after\n", before->pages, after->pages);
		bad++;
	}

	bad += inject();
	if (!quiet_snapshot(after))
		bad++;
	same = same_snapshot(before, after);
	pr_info("slab: after the injected corruptions, free lists as before the test: %s\n", same ? "yes" : "NO");
	if (!same)
		bad++;

	kfree(before);
	kfree(after);
	slabinfo_show();
	slab_caches_summary();
	pr_info("slab: self-test %s\n", bad ? "FAILED" : "passed");
	return bad;
}
