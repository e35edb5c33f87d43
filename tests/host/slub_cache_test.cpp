// kmem_cache_* on the real buddy allocator: bootstrap order, layout and slab
// order, the CPU slab and the partial lists, constructors, shrink, destroy.
// The tests of the CPU slab and the partial lists create SLAB_NOLEAKTRACE
// caches: those have no sheaves (calculate_sheaf_capacity(), as in Linux
// 7.0), so every free reaches the slabs. slub_sheaves_test.cpp covers sheaves.
#include <string.h>

#include <algorithm>
#include <set>
#include <vector>

#include "tests/host/slub_test.h"

namespace {

using slub_test::buddy_snapshot;
using slub_test::free_pages_now;
using slub_test::shrink_all;
using slub_test::objects_in_use;
using slub_test::Slub;

class SlubCache : public Slub {};

TEST_F(SlubCache, BootstrapMovesTheBootCachesIntoSlabs)
{
	bring_up_small();
	setup_allocator();
	EXPECT_EQ(slab_state, DOWN);
	EXPECT_FALSE(slab_is_available());
	ASSERT_EQ(kmem_cache_init(), 0);
	EXPECT_EQ(slab_state, FULL);
	EXPECT_TRUE(slab_is_available());
	std::string log = console();
	EXPECT_NE(log.find("SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=1, Nodes=1"), std::string::npos) << log;

	// Both bootstrap caches now live in objects of kmem_cache, not in static storage.
	ASSERT_NE(kmem_cache, nullptr);
	ASSERT_NE(kmem_cache_node, nullptr);
	EXPECT_FALSE(slab_is_boot_cache(kmem_cache));
	EXPECT_FALSE(slab_is_boot_cache(kmem_cache_node));
	EXPECT_EQ(virt_to_cache(kmem_cache), kmem_cache);
	EXPECT_EQ(virt_to_cache(kmem_cache_node), kmem_cache);
	// Every cache's node structure is an object of kmem_cache_node, whose slabs point at the copy.
	struct kmem_cache *s;
	unsigned n = 0;
	list_for_each_entry(s, &slab_caches, list)
	{
		EXPECT_FALSE(slab_is_boot_cache(s)) << s->name;
		ASSERT_NE(s->node[0], nullptr) << s->name;
		EXPECT_EQ(virt_to_cache(s->node[0]), kmem_cache_node) << s->name;
		EXPECT_EQ(s->cpu_slab, &s->cpu_slab_cpu0) << s->name;
		n++;
	}
	// kmem_cache_node, kmem_cache, and 13 kmalloc classes of 4 types.
	EXPECT_EQ(n, 2u + 13u * NR_KMALLOC_TYPES);
	// The first two on the list (newest first) are the last made: the list ends with the bootstrap pair.
	EXPECT_EQ(list_last_entry(&slab_caches, struct kmem_cache, list), kmem_cache);
	EXPECT_EQ(list_prev_entry(kmem_cache, list), kmem_cache_node);
	// Slabs are buddy pages marked PageSlab, head of their block.
	struct page *slab = virt_to_page(kmem_cache);
	EXPECT_TRUE(PageSlab(slab));
	EXPECT_EQ(slab->slab_cache, kmem_cache);
	// A second kmem_cache_init() is refused.
	EXPECT_EQ(kmem_cache_init(), -EINVAL);
}

TEST_F(SlubCache, KmemCacheCreateRefusesBadInputAndCreatesNothing)
{
	boot();
	unsigned long before = free_pages_now();
	size_t ncaches = 0;
	struct kmem_cache *s;
	list_for_each_entry(s, &slab_caches, list) ncaches++;

	EXPECT_EQ(kmem_cache_create(nullptr, 32, 0, 0, nullptr), nullptr);
	EXPECT_EQ(kmem_cache_create("", 32, 0, 0, nullptr), nullptr);
	EXPECT_EQ(kmem_cache_create("zero", 0, 0, 0, nullptr), nullptr);
	EXPECT_EQ(kmem_cache_create("huge", KMALLOC_MAX_SIZE + 1, 0, 0, nullptr), nullptr);
	EXPECT_EQ(kmem_cache_create("align3", 32, 3, 0, nullptr), nullptr);
	EXPECT_EQ(kmem_cache_create("badflag", 32, 0, 0x1, nullptr), nullptr);
	EXPECT_EQ(kmem_cache_create("a_name_that_is_far_too_long_for_the_buffer", 32, 0, 0, nullptr), nullptr);
	std::string log = console();
	EXPECT_NE(log.find("kmem_cache_create(zero) integrity check failed"), std::string::npos) << log;
	EXPECT_NE(log.find("kmem_cache_create(align3): alignment 3 is not a power of two"), std::string::npos);
	EXPECT_NE(log.find("kmem_cache_create(badflag): unknown flags 0x1"), std::string::npos);
	EXPECT_NE(log.find("kmem_cache_create(align3) failed with error -22"), std::string::npos);
	EXPECT_EQ(kmem_cache_create("panic", 0, 0, SLAB_PANIC, nullptr), nullptr);
	EXPECT_NE(console().find("kmem_cache_create: Failed to create slab 'panic'"), std::string::npos);

	size_t after = 0;
	list_for_each_entry(s, &slab_caches, list) after++;
	EXPECT_EQ(after, ncaches);
	EXPECT_EQ(free_pages_now(), before);
}

TEST_F(SlubCache, LayoutAndOrderFollowCalculateSizes)
{
	boot();
	struct {
		unsigned idx, size, order, objects;
	} classes[] = {
		// Linux 6.1 calculate_order() with one CPU (min_objects 8).
		{3, 8, 0, 512},	  {4, 16, 0, 256},  {5, 32, 0, 128},   {6, 64, 0, 64},  {1, 96, 0, 42},
		{7, 128, 0, 32},  {2, 192, 0, 21},  {8, 256, 0, 16},   {9, 512, 0, 8},  {10, 1024, 1, 8},
		{11, 2048, 2, 8}, {12, 4096, 3, 8}, {13, 8192, 3, 4},
	};
	for (auto &c : classes) {
		struct kmem_cache *s = kmalloc_caches[KMALLOC_NORMAL][c.idx];
		ASSERT_NE(s, nullptr) << c.size;
		EXPECT_EQ(s->object_size, c.size);
		EXPECT_EQ(s->size, c.size);
		EXPECT_EQ(slab_cache_order(s), c.order) << s->name;
		EXPECT_EQ(slab_cache_objects(s), c.objects) << s->name;
		// Without debugging the free pointer sits in the middle of the object.
		EXPECT_EQ(s->offset, (c.size / 2) & ~7u) << s->name;
		// min_partial: ilog2(size) / 2 clamped to [5, 10].
		EXPECT_EQ(s->min_partial, std::min(10ul, std::max(5ul, (unsigned long)(63 - __builtin_clzl(c.size)) / 2)));
		// Power-of-two kmalloc sizes are naturally aligned.
		if (is_power_of_2(c.size)) {
			EXPECT_EQ(s->align, c.size) << s->name;
		}
	}
	EXPECT_STREQ(kmalloc_caches[KMALLOC_DMA][6]->name, "dma-kmalloc-64");
	EXPECT_STREQ(kmalloc_caches[KMALLOC_RECLAIM][10]->name, "kmalloc-rcl-1k");
	EXPECT_STREQ(kmalloc_caches[KMALLOC_DMA32][13]->name, "dma32-kmalloc-8k");

	// A constructor moves the free pointer outside the object.
	struct kmem_cache *c = kmem_cache_create("ctor40", 40, 0, SLAB_HWCACHE_ALIGN, [](void *p) { memset(p, 1, 40); });
	ASSERT_NE(c, nullptr);
	EXPECT_EQ(c->offset, 40u);
	EXPECT_EQ(c->align, 64u);
	EXPECT_EQ(c->size, 64u);
	// HWCACHE_ALIGN on small objects: half a line is enough for 20 bytes.
	struct kmem_cache *h = kmem_cache_create("hw20", 20, 0, SLAB_HWCACHE_ALIGN, nullptr);
	ASSERT_NE(h, nullptr);
	EXPECT_EQ(h->align, 32u);
	EXPECT_EQ(h->size, 32u);
	EXPECT_EQ(kmem_cache_destroy(c), 0);
	EXPECT_EQ(kmem_cache_destroy(h), 0);
}

TEST_F(SlubCache, AllocFreeGivesDistinctAlignedObjectsInTheirSlab)
{
	boot();
	auto before = slub_test::slab_quiet_snapshot();
	struct kmem_cache *s = kmem_cache_create("t48", 48, 16, 0, nullptr);
	ASSERT_NE(s, nullptr);
	EXPECT_EQ(s->size, 48u);
	std::set<void *> seen;
	std::vector<void *> objs;
	for (int i = 0; i < 1000; i++) {
		void *p = kmem_cache_alloc(s, GFP_KERNEL);
		ASSERT_NE(p, nullptr);
		EXPECT_TRUE(seen.insert(p).second) << "object handed out twice";
		EXPECT_EQ((uintptr_t)p % 16, 0u);
		struct page *slab = compound_head(virt_to_page(p));
		EXPECT_TRUE(PageSlab(slab));
		EXPECT_EQ(slab->slab_cache, s);
		u8 *base = (u8 *)page_address(slab);
		EXPECT_EQ(((u8 *)p - base) % s->size, 0u);
		EXPECT_LE((u8 *)p + 48, base + (PAGE_SIZE << compound_order(slab)));
		memset(p, i & 0xff, 48);
		objs.push_back(p);
	}
	EXPECT_EQ(objects_in_use(s), 1000u);
	for (size_t i = 0; i < objs.size(); i++) {
		u8 *p = (u8 *)objs[i];
		for (int b = 0; b < 48; b++)
			ASSERT_EQ(p[b], (u8)(i & 0xff)) << "object " << i << " byte " << b;
	}
	// Free in an order that is not LIFO: every other one, then the rest.
	for (size_t i = 0; i < objs.size(); i += 2)
		kmem_cache_free(s, objs[i]);
	EXPECT_EQ(objects_in_use(s), 500u);
	for (size_t i = 1; i < objs.size(); i += 2)
		kmem_cache_free(s, objs[i]);
	EXPECT_EQ(objects_in_use(s), 0u);
	struct kmem_cache_stats st;
	kmem_cache_get_stats(s, &st);
	// The CPU slab, the CPU partial list, min_partial empty slabs on the
	// node's partial list and the slabs of the objects in sheaves may stay;
	// shrink releases them.
	EXPECT_GT(st.sheaf_objects, 0u);
	EXPECT_LE(st.sheaf_objects, (2 + MAX_FULL_SHEAVES) * s->sheaf_capacity);
	EXPECT_LE(st.nr_slabs, 1 + s->cpu_partial_slabs + s->min_partial + st.sheaf_objects);
	EXPECT_EQ(kmem_cache_shrink(s), 0);
	kmem_cache_get_stats(s, &st);
	EXPECT_EQ(st.nr_slabs, 0u);
	EXPECT_EQ(st.sheaf_objects, 0u);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
	EXPECT_EQ(slub_test::slab_quiet_snapshot(), before);
	EXPECT_EQ(slab_errors_reported(), 0u);
}

TEST_F(SlubCache, FastPathReusesTheLastFreedObject)
{
	boot();
	struct kmem_cache *s = kmem_cache_create("lifo", 64, 0, SLAB_NOLEAKTRACE, nullptr);
	ASSERT_NE(s, nullptr);
	void *a = kmem_cache_alloc(s, GFP_KERNEL);
	void *b = kmem_cache_alloc(s, GFP_KERNEL);
	unsigned long tid = s->cpu_slab->tid;
	kmem_cache_free(s, a);
	EXPECT_EQ((void *)s->cpu_slab->freelist, a);
	EXPECT_GT(s->cpu_slab->tid, tid);
	EXPECT_EQ(kmem_cache_alloc(s, GFP_KERNEL), a);
	// The stored free pointer is hardened: not the plain address of the next object.
	void *c = kmem_cache_alloc(s, GFP_KERNEL);
	void *next = s->cpu_slab->freelist;
	ASSERT_NE(next, nullptr);
	kmem_cache_free(s, c);
	void *stored = *(void **)((u8 *)c + s->offset);
	EXPECT_NE(stored, next);
	EXPECT_EQ((unsigned long)stored, (unsigned long)next ^ s->random ^
						 __builtin_bswap64((unsigned long)c + s->offset));
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
}

TEST_F(SlubCache, FullSlabsGoToTheFullListAndBackToTheCpuPartialList)
{
	boot();
	struct kmem_cache *s = kmem_cache_create("k512", 512, 0, SLAB_NOLEAKTRACE, nullptr);
	ASSERT_NE(s, nullptr);
	unsigned per = slab_cache_objects(s);
	std::vector<void *> objs;
	for (unsigned i = 0; i < 3 * per; i++)
		objs.push_back(kmem_cache_alloc(s, GFP_KERNEL));
	struct kmem_cache_stats st;
	kmem_cache_get_stats(s, &st);
	EXPECT_EQ(st.nr_slabs, 3u);
	// Two exhausted slabs left the CPU for the full list; the third is the CPU slab.
	EXPECT_EQ(st.nr_full, 2u);
	EXPECT_EQ(st.nr_partial, 0u);
	EXPECT_TRUE(st.has_cpu_slab);
	// A free into a full slab freezes it onto the CPU partial list, not the node's.
	struct page *first = compound_head(virt_to_page(objs[0]));
	kmem_cache_free(s, objs[0]);
	kmem_cache_get_stats(s, &st);
	EXPECT_EQ(st.nr_full, 1u);
	EXPECT_EQ(st.nr_partial, 0u);
	EXPECT_EQ(st.nr_cpu_partial, 1u);
	EXPECT_EQ(s->cpu_slab->partial, first);
	EXPECT_EQ(first->slabs, 1);
	EXPECT_EQ(first->next, nullptr);
	EXPECT_EQ(st.free_objects, 1u);
	for (size_t i = 1; i < objs.size(); i++)
		kmem_cache_free(s, objs[i]);
	// Both once-full slabs are on the CPU partial list, empty and frozen.
	kmem_cache_get_stats(s, &st);
	EXPECT_EQ(st.nr_full, 0u);
	EXPECT_EQ(st.nr_cpu_partial, 2u);
	EXPECT_EQ(s->cpu_slab->partial->slabs, 2);
	EXPECT_EQ(st.free_objects, st.total_objects);
	// flush_all() (shrink) unfreezes them to the node; shrink frees the empty ones.
	EXPECT_EQ(kmem_cache_shrink(s), 0);
	kmem_cache_get_stats(s, &st);
	EXPECT_EQ(st.nr_cpu_partial, 0u);
	EXPECT_EQ(st.nr_slabs, 0u);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
}

// CONFIG_SLUB_CPU_PARTIAL's limits (set_cpu_partial(), Linux 6.1): objects
// by size, kept as slabs counted half free; none for debug caches.
TEST_F(SlubCache, CpuPartialLimitsBySize)
{
	boot();
	struct {
		unsigned size, objects;
	} cases[] = {{64, 120}, {192, 120}, {256, 52}, {512, 52}, {1024, 24}, {2048, 24}, {4096, 6}, {8192, 6}};
	for (auto c : cases) {
		struct kmem_cache *s = kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(c.size)];
		ASSERT_NE(s, nullptr) << c.size;
		EXPECT_EQ(s->cpu_partial, c.objects) << s->name;
		unsigned per = slab_cache_objects(s);
		EXPECT_EQ(s->cpu_partial_slabs, (2 * c.objects + per - 1) / per) << s->name;
	}
	struct kmem_cache *d = kmem_cache_create("dbg", 100, 0, SLAB_RED_ZONE, nullptr);
	ASSERT_NE(d, nullptr);
	EXPECT_EQ(d->cpu_partial, 0u);
	EXPECT_EQ(kmem_cache_destroy(d), 0);
}

// A full CPU partial list goes back to the node when the next slab comes:
// empty slabs beyond min_partial to the page allocator, the others to the
// node's partial list. Allocation then takes the CPU partial list first.
TEST_F(SlubCache, CpuPartialListDrainsAtItsLimitAndFeedsTheCpu)
{
	boot();
	struct kmem_cache *s = kmem_cache_create("k1k", 1024, 0, SLAB_NOLEAKTRACE, nullptr);
	ASSERT_NE(s, nullptr);
	const unsigned per = slab_cache_objects(s), limit = s->cpu_partial_slabs;
	ASSERT_GE(limit, 1u);
	// limit + min_partial + 3 full slabs, then the CPU slab.
	const unsigned nfull = limit + (unsigned)s->min_partial + 3;
	std::vector<std::vector<void *>> slabs(nfull + 1);
	for (auto &v : slabs)
		for (unsigned i = 0; i < per; i++)
			v.push_back(kmem_cache_alloc(s, GFP_KERNEL));
	for (unsigned k = 0; k < nfull; k++)
		ASSERT_NE(compound_head(virt_to_page(slabs[k][0])), s->cpu_slab->slab);
	unsigned long free_before = free_pages_now();

	// Empty the first `limit` full slabs: each is frozen onto the CPU partial list.
	for (unsigned k = 0; k < limit; k++)
		for (void *p : slabs[k])
			kmem_cache_free(s, p);
	struct kmem_cache_stats st;
	kmem_cache_get_stats(s, &st);
	EXPECT_EQ(st.nr_cpu_partial, limit);
	EXPECT_EQ(st.nr_partial, 0u);
	EXPECT_EQ(free_pages_now(), free_before) << "nothing went back to the buddy yet";

	// One free into the next full slab drains the list: node partial is empty,
	// so min_partial of the empty slabs stay on it, the rest go to the buddy.
	kmem_cache_free(s, slabs[limit][0]);
	kmem_cache_get_stats(s, &st);
	EXPECT_EQ(st.nr_cpu_partial, 1u);
	EXPECT_EQ(s->cpu_slab->partial, compound_head(virt_to_page(slabs[limit][0])));
	unsigned to_node = std::min<unsigned>(limit, s->min_partial);
	EXPECT_EQ(st.nr_partial, to_node);
	EXPECT_EQ(free_pages_now(), free_before + (limit - to_node) * (1u << slab_cache_order(s)));

	// Allocation: the CPU slab is full, so the next object comes from the
	// CPU partial slab (the one just freed into), not from the node.
	void *p = kmem_cache_alloc(s, GFP_KERNEL);
	EXPECT_EQ(p, slabs[limit][0]);
	EXPECT_EQ(s->cpu_slab->partial, nullptr);
	kmem_cache_get_stats(s, &st);
	EXPECT_EQ(st.nr_partial, to_node);
	kmem_cache_free(s, p);

	// With the CPU slab used up again and no CPU partial list, the node's
	// partial slabs come: the first as the CPU slab, then more than half of
	// cpu_partial_slabs onto the CPU partial list (get_partial_node()).
	EXPECT_EQ(kmem_cache_alloc(s, GFP_KERNEL), p);
	void *q = kmem_cache_alloc(s, GFP_KERNEL);
	ASSERT_NE(q, nullptr);
	unsigned moved = std::min<unsigned>(to_node - 1, limit / 2 + 1);
	kmem_cache_get_stats(s, &st);
	EXPECT_EQ(st.nr_cpu_partial, moved);
	EXPECT_EQ(st.nr_partial, to_node - 1 - moved);
	kmem_cache_free(s, q);
	kmem_cache_free(s, p);

	for (unsigned k = limit; k <= nfull; k++)
		for (size_t i = (k == limit ? 1 : 0); i < slabs[k].size(); i++)
			kmem_cache_free(s, slabs[k][i]);
	EXPECT_EQ(objects_in_use(s), 0u);
	EXPECT_EQ(slab_errors_reported(), 0u);
	EXPECT_EQ(kmem_cache_shrink(s), 0);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
}

TEST_F(SlubCache, EmptySlabsBeyondMinPartialGoBackToTheBuddy)
{
	boot();
	struct kmem_cache *s = kmem_cache_create("k256", 256, 0, SLAB_NOLEAKTRACE, nullptr);
	ASSERT_NE(s, nullptr);
	unsigned per = slab_cache_objects(s);
	std::vector<void *> objs;
	const unsigned nslabs = 20;
	for (unsigned i = 0; i < nslabs * per; i++)
		objs.push_back(kmem_cache_alloc(s, GFP_KERNEL));
	unsigned long free_before = free_pages_now();
	for (void *p : objs)
		kmem_cache_free(s, p);
	struct kmem_cache_stats st;
	kmem_cache_get_stats(s, &st);
	// The CPU slab, at most cpu_partial_slabs on the CPU partial list and
	// min_partial empty slabs on the node remain.
	unsigned kept = 1 + s->cpu_partial_slabs + s->min_partial;
	ASSERT_LT(kept, nslabs);
	EXPECT_LE(st.nr_slabs, kept);
	EXPECT_GE(free_pages_now(), free_before + (nslabs - kept));
	EXPECT_EQ(kmem_cache_shrink(s), 0);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
}

int ctor_calls;
void ctor_fill(void *p)
{
	ctor_calls++;
	memset(p, 0xc7, 100);
}

TEST_F(SlubCache, ConstructorRunsOncePerObjectWhenTheSlabIsMade)
{
	boot();
	ctor_calls = 0;
	struct kmem_cache *s = kmem_cache_create("ctor100", 100, 0, 0, ctor_fill);
	ASSERT_NE(s, nullptr);
	void *p = kmem_cache_alloc(s, GFP_KERNEL);
	ASSERT_NE(p, nullptr);
	// The first allocation filled a sheaf: as many slabs as that took were made.
	struct kmem_cache_stats st;
	kmem_cache_get_stats(s, &st);
	const int constructed = (int)(st.nr_slabs * slab_cache_objects(s));
	EXPECT_EQ(st.nr_slabs, (s->sheaf_capacity + slab_cache_objects(s) - 1) / slab_cache_objects(s));
	EXPECT_EQ(ctor_calls, constructed);
	for (int i = 0; i < 100; i++)
		ASSERT_EQ(((u8 *)p)[i], 0xc7);
	// Freed and reallocated objects are not constructed again (the caller keeps them constructed).
	kmem_cache_free(s, p);
	void *q = kmem_cache_alloc(s, GFP_KERNEL);
	EXPECT_EQ(ctor_calls, constructed);
	for (int i = 0; i < 100; i++)
		ASSERT_EQ(((u8 *)q)[i], 0xc7) << "free pointer inside a constructed object";
	kmem_cache_free(s, q);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
}

TEST_F(SlubCache, ZallocZeroes)
{
	boot();
	struct kmem_cache *s = kmem_cache_create("z200", 200, 0, 0, nullptr);
	void *p = kmem_cache_alloc(s, GFP_KERNEL);
	memset(p, 0xff, 200);
	kmem_cache_free(s, p);
	u8 *q = (u8 *)kmem_cache_zalloc(s, GFP_KERNEL);
	ASSERT_EQ((void *)q, p);
	for (int i = 0; i < 200; i++)
		ASSERT_EQ(q[i], 0) << i;
	kmem_cache_free(s, q);
	kmem_cache_destroy(s);
}

TEST_F(SlubCache, DestroyRefusesWhileObjectsAreLiveAndListsThem)
{
	boot();
	struct kmem_cache *s = kmem_cache_create("leaky", 128, 0, 0, nullptr);
	ASSERT_NE(s, nullptr);
	void *a = kmem_cache_alloc(s, GFP_KERNEL);
	void *b = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, a);
	unsigned long errors = slab_errors_reported();
	EXPECT_EQ(kmem_cache_destroy(s), -EBUSY);
	std::string log = console();
	EXPECT_NE(log.find("BUG leaky (Not tainted): Objects remaining in leaky on __kmem_cache_shutdown()"),
		  std::string::npos)
		<< log;
	char obj[64];
	snprintf(obj, sizeof(obj), "Object %#018lx @offset=", (unsigned long)b);
	EXPECT_NE(log.find(obj), std::string::npos) << log;
	snprintf(obj, sizeof(obj), "Object %#018lx @offset=", (unsigned long)a);
	EXPECT_EQ(log.find(obj), std::string::npos) << "a free object listed as remaining";
	EXPECT_NE(log.find("kmem_cache_destroy leaky: Slab cache still has objects when called from"),
		  std::string::npos);
	EXPECT_GT(slab_errors_reported(), errors);
	// The cache still works and is still listed.
	EXPECT_EQ(virt_to_cache(b), s);
	void *c = kmem_cache_alloc(s, GFP_KERNEL);
	ASSERT_NE(c, nullptr);
	kmem_cache_free(s, c);
	kmem_cache_free(s, b);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
	// Destroying it again, or something that is not a cache, is refused.
	struct kmem_cache fake = {};
	EXPECT_EQ(kmem_cache_destroy(&fake), -EINVAL);
	EXPECT_EQ(kmem_cache_destroy(kmalloc_caches[KMALLOC_NORMAL][6]), -EPERM);
	EXPECT_EQ(kmem_cache_destroy(kmem_cache), -EPERM);
}

TEST_F(SlubCache, ManyCachesCreatedAndDestroyedLeaveTheBuddyAsItWas)
{
	boot();
	auto before = slub_test::slab_quiet_snapshot();
	std::vector<struct kmem_cache *> caches;
	for (unsigned i = 0; i < 40; i++) {
		char name[32];
		snprintf(name, sizeof(name), "c%u", i);
		caches.push_back(kmem_cache_create(name, 8 + i * 97, (i % 3) ? 0 : 64, 0, nullptr));
		ASSERT_NE(caches.back(), nullptr);
	}
	std::vector<std::pair<struct kmem_cache *, void *>> objs;
	for (unsigned i = 0; i < 4000; i++) {
		struct kmem_cache *s = caches[(i * 7) % caches.size()];
		objs.push_back({s, kmem_cache_alloc(s, GFP_KERNEL)});
		ASSERT_NE(objs.back().second, nullptr);
	}
	for (auto &o : objs)
		kmem_cache_free(o.first, o.second);
	for (auto *s : caches)
		EXPECT_EQ(kmem_cache_destroy(s), 0);
	// The struct kmem_caches and their nodes took slabs of kmem_cache and kmem_cache_node.
	EXPECT_EQ(slub_test::slab_quiet_snapshot(), before);
}

TEST_F(SlubCache, OutOfMemoryIsReportedAndReturnsNull)
{
	boot();
	auto before = buddy_snapshot();
	struct kmem_cache *s = kmem_cache_create("big", 1 << 20, 0, 0, nullptr);
	ASSERT_NE(s, nullptr);
	std::vector<void *> objs;
	for (;;) {
		void *p = kmem_cache_alloc(s, GFP_KERNEL);
		if (!p)
			break;
		objs.push_back(p);
		ASSERT_LT(objs.size(), 1000u);
	}
	EXPECT_GT(objs.size(), 100u);
	std::string log = console();
	EXPECT_NE(log.find("SLUB: Unable to allocate memory on node -1"), std::string::npos) << log.substr(0, 2000);
	EXPECT_NE(log.find("  cache: big, object size: 1048576, buffer size: 1048576"), std::string::npos);
	for (void *p : objs)
		kmem_cache_free(s, p);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
	EXPECT_EQ(buddy_snapshot(), before);
}

} // namespace
