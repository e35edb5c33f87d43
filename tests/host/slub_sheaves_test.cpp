// Sheaves (Linux 6.18, on most caches from 7.0): the per-CPU arrays of free
// objects in front of the slabs. Capacity by size, the order in which frees
// fill main, spare, barn and then go to the slabs (and allocations take them
// back), the bypasses, and the kmalloc caches whose sheaves are their own
// objects.
#include <cstring>
#include <set>
#include <vector>

#include "tests/host/slub_test.h"

namespace {

using slub_test::objects_in_use;
using slub_test::Slub;

class SlubSheaves : public Slub {
protected:
	static struct kmem_cache_stats stats(struct kmem_cache *s)
	{
		struct kmem_cache_stats st;
		kmem_cache_get_stats(s, &st);
		return st;
	}
	static struct slub_percpu_sheaves *pcs(struct kmem_cache *s) { return s->cpu_sheaves; }
	static struct node_barn *barn(struct kmem_cache *s) { return s->node[first_online_node()]->barn; }
};

// Half of set_cpu_partial()'s objects, grown to fill the kmalloc class of the
// sheaf (a 32-byte header, then the pointers): 60, 28, 12 or 4 objects.
TEST_F(SlubSheaves, CapacityBySizeFillsTheSheafsKmallocClass)
{
	boot();
	struct {
		unsigned size, capacity, sheaf_bytes;
	} cases[] = {{8, 60, 512},   {64, 60, 512},   {192, 60, 512},  {256, 28, 256}, {512, 28, 256},
		     {1024, 12, 128}, {2048, 12, 128}, {4096, 4, 64},   {8192, 4, 64}};
	for (auto c : cases) {
		struct kmem_cache *s = kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(c.size)];
		ASSERT_NE(s, nullptr) << c.size;
		EXPECT_EQ(s->sheaf_capacity, c.capacity) << s->name;
		// The main sheaf is a kmalloc object of that class.
		EXPECT_EQ(ksize(pcs(s)->main), c.sheaf_bytes) << s->name;
		EXPECT_EQ(pcs(s)->main->cache, s);
		EXPECT_NE(barn(s), nullptr) << s->name;
	}
	// The other kmalloc types get theirs when they are created.
	EXPECT_EQ(kmalloc_caches[KMALLOC_DMA][6]->sheaf_capacity, 60u);
	// None for the boot caches, debug caches and SLAB_NOLEAKTRACE ones: their
	// main sheaf is the shared empty one, and they have no barn.
	for (struct kmem_cache *s : {kmem_cache, kmem_cache_node}) {
		EXPECT_EQ(s->sheaf_capacity, 0u) << s->name;
		EXPECT_EQ(pcs(s)->main->size, 0u);
		EXPECT_EQ(barn(s), nullptr);
	}
	struct kmem_cache *d = kmem_cache_create("dbg", 100, 0, SLAB_RED_ZONE, nullptr);
	struct kmem_cache *n = kmem_cache_create("noleak", 100, 0, SLAB_NOLEAKTRACE, nullptr);
	struct kmem_cache *p = kmem_cache_create("plain", 100, 0, 0, nullptr);
	ASSERT_TRUE(d && n && p);
	EXPECT_EQ(d->sheaf_capacity, 0u);
	EXPECT_EQ(n->sheaf_capacity, 0u);
	EXPECT_EQ(pcs(d)->main, pcs(n)->main);
	EXPECT_EQ(p->sheaf_capacity, 60u);
	for (struct kmem_cache *s : {d, n, p})
		EXPECT_EQ(kmem_cache_destroy(s), 0);
}

// Frees go into the main sheaf; a full main trades places with an empty
// spare; then full sheaves go to the barn, up to MAX_FULL_SHEAVES; beyond
// that the full spare is flushed to the slabs and reused. Objects in sheaves
// count as allocated in their slabs. Allocations take them back in reverse.
TEST_F(SlubSheaves, FreesFillMainSpareBarnThenTheSlabsAndAllocationsTakeThemBack)
{
	boot();
	struct kmem_cache *s = kmem_cache_create("sh64", 64, 0, 0, nullptr);
	ASSERT_NE(s, nullptr);
	const unsigned cap = s->sheaf_capacity;
	ASSERT_EQ(cap, 60u);
	const unsigned total = 20 * cap;
	std::vector<void *> objs;
	std::set<void *> seen;
	for (unsigned i = 0; i < total; i++) {
		void *p = kmem_cache_alloc(s, GFP_KERNEL);
		ASSERT_NE(p, nullptr);
		ASSERT_TRUE(seen.insert(p).second) << "object handed out twice";
		objs.push_back(p);
	}
	// Every allocation came from a sheaf refilled from the slabs, cap at a time:
	// the last refill's sheaf is empty now, the one before it is the spare.
	struct kmem_cache_stats st = stats(s);
	EXPECT_EQ(st.sheaf_objects, 0u);
	EXPECT_FALSE(st.has_cpu_slab) << "refills go through no CPU slab";
	EXPECT_EQ(pcs(s)->main->size, 0u);
	ASSERT_NE(pcs(s)->spare, nullptr);
	EXPECT_EQ(pcs(s)->spare->size, 0u);
	EXPECT_EQ(barn(s)->nr_full, 0u);
	const unsigned long slab_free = st.free_objects;

	unsigned freed = 0;
	auto free_next = [&] { kmem_cache_free(s, objs[total - 1 - freed++]); };
	// cap frees: the main sheaf fills; the slabs see nothing.
	while (freed < cap)
		free_next();
	st = stats(s);
	EXPECT_EQ(pcs(s)->main->size, cap);
	EXPECT_EQ(st.sheaf_objects, cap);
	EXPECT_EQ(st.free_objects, slab_free);
	EXPECT_EQ(objects_in_use(s), total - cap);
	// One more: the empty spare becomes main, the full main the spare.
	struct slab_sheaf *first = pcs(s)->main;
	free_next();
	EXPECT_EQ(pcs(s)->spare, first);
	EXPECT_EQ(pcs(s)->main->size, 1u);
	// Then each full main goes to the barn, up to MAX_FULL_SHEAVES.
	while (freed < (2 + MAX_FULL_SHEAVES) * cap)
		free_next();
	EXPECT_EQ(barn(s)->nr_full, (unsigned)MAX_FULL_SHEAVES);
	EXPECT_EQ(pcs(s)->main->size, cap);
	EXPECT_EQ(pcs(s)->spare->size, cap);
	st = stats(s);
	EXPECT_EQ(st.sheaf_objects, (2 + MAX_FULL_SHEAVES) * cap);
	EXPECT_EQ(st.free_objects, slab_free);
	// The barn is full: the spare's objects go to the slabs, the full main
	// becomes the spare and the emptied sheaf the main.
	struct slab_sheaf *old_main = pcs(s)->main, *old_spare = pcs(s)->spare;
	free_next();
	EXPECT_EQ(pcs(s)->spare, old_main);
	EXPECT_EQ(pcs(s)->main, old_spare);
	EXPECT_EQ(pcs(s)->main->size, 1u);
	EXPECT_EQ(barn(s)->nr_full, (unsigned)MAX_FULL_SHEAVES);
	st = stats(s);
	EXPECT_EQ(st.sheaf_objects, (2 + MAX_FULL_SHEAVES) * cap - cap + 1);
	EXPECT_EQ(st.free_objects, slab_free + cap);
	// Slabs that were full and got objects back: on the node's partial list,
	// not frozen onto a CPU partial list (none with sheaves).
	EXPECT_EQ(st.nr_cpu_partial, 0u);
	EXPECT_EQ(st.nr_partial + st.nr_full, st.nr_slabs);
	EXPECT_GT(st.nr_partial, 0u);
	EXPECT_EQ(objects_in_use(s), total - freed);
	while (freed < total)
		free_next();
	EXPECT_EQ(objects_in_use(s), 0u);
	EXPECT_LE(stats(s).sheaf_objects, (2 + MAX_FULL_SHEAVES) * cap);

	// Allocations: last freed first, through main, spare, then the barn's
	// full sheaves (their empty ones left in the barn).
	EXPECT_EQ(kmem_cache_alloc(s, GFP_KERNEL), objs[0]);
	kmem_cache_free(s, objs[0]);
	unsigned long cached = stats(s).sheaf_objects, in_slabs = stats(s).free_objects;
	const unsigned in_main_and_spare = pcs(s)->main->size + pcs(s)->spare->size;
	std::vector<void *> again;
	for (unsigned i = 0; i < in_main_and_spare + 1; i++)
		again.push_back(kmem_cache_alloc(s, GFP_KERNEL));
	EXPECT_EQ(barn(s)->nr_full, (unsigned)MAX_FULL_SHEAVES - 1);
	EXPECT_EQ(barn(s)->nr_empty, 1u);
	EXPECT_EQ(stats(s).sheaf_objects, cached - again.size());
	EXPECT_EQ(stats(s).free_objects, in_slabs) << "the slabs were not touched";
	for (void *p : again)
		kmem_cache_free(s, p);

	// Shrink: every sheaf's objects back to the slabs, the barn emptied,
	// every slab back to the buddy.
	EXPECT_EQ(kmem_cache_shrink(s), 0);
	st = stats(s);
	EXPECT_EQ(st.sheaf_objects, 0u);
	EXPECT_EQ(st.nr_slabs, 0u);
	EXPECT_EQ(st.nr_barn_full + st.nr_barn_empty, 0u);
	EXPECT_EQ(pcs(s)->spare, nullptr);
	EXPECT_EQ(slab_errors_reported(), 0u);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
}

// Refills bypass the CPU slab (Linux 7.0's __refill_objects()): the node's
// partial slabs give their whole freelists and stay unfrozen, on the full
// list; then a new slab gives its first objects in address order, without a
// free pointer ever written into them, and only the rest is linked (7.1's
// slab_obj_iter). Address order is slab_freelist_random=0's.
TEST_F(SlubSheaves, RefillTakesWholePartialSlabsThenNewSlabObjectsInAddressOrder)
{
	ASSERT_EQ(setup_slab_freelist_random("0"), 0);
	boot();
	struct kmem_cache *s = kmem_cache_create("refill", 64, 0, 0, nullptr);
	ASSERT_NE(s, nullptr);
	const unsigned cap = s->sheaf_capacity, per = slab_cache_objects(s), size = s->size;
	ASSERT_EQ(cap, 60u);
	ASSERT_EQ(per, 64u);
	auto inuse = [](struct page *slab) { return (unsigned)(slab->counters & 0xffff); };
	auto nr_free = [&](struct page *slab) {
		unsigned long n = ~0ul;
		EXPECT_EQ(slab_validate(s, slab, &n), 0);
		return n;
	};

	// The first allocation: a sheaf filled from new slab A, which keeps the
	// rest; the sheaf hands out its last object first.
	std::vector<void *> held{kmem_cache_alloc(s, GFP_KERNEL)};
	ASSERT_NE(held[0], nullptr);
	struct page *a = compound_head(virt_to_page(held[0]));
	u8 *a0 = (u8 *)page_address(a);
	EXPECT_EQ(held[0], a0 + (cap - 1) * size);
	for (unsigned i = 0; i < cap - 1; i++)
		ASSERT_EQ(pcs(s)->main->objects[i], a0 + i * size) << i;
	EXPECT_EQ(inuse(a), cap);
	EXPECT_EQ(a->freelist, a0 + cap * size);
	EXPECT_EQ(nr_free(a), per - cap);
	struct kmem_cache_stats st = stats(s);
	EXPECT_FALSE(st.has_cpu_slab);
	EXPECT_EQ(st.nr_partial, 1u);
	EXPECT_EQ(st.nr_full, 0u);

	while (pcs(s)->main->size)
		held.push_back(kmem_cache_alloc(s, GFP_KERNEL));
	// A page full of 0xab, freed: the per-cpu list gives it to the next slab.
	struct page *pg = alloc_pages(GFP_KERNEL, 0);
	ASSERT_NE(pg, nullptr);
	memset(page_address(pg), 0xab, PAGE_SIZE);
	__free_pages(pg, 0);

	// The next refill: A's whole freelist, then new slab B for the rest.
	void *next = kmem_cache_alloc(s, GFP_KERNEL);
	ASSERT_NE(next, nullptr);
	held.push_back(next);
	struct page *b = compound_head(virt_to_page(next));
	ASSERT_EQ(b, pg) << "the new slab is not the page just freed";
	u8 *b0 = (u8 *)page_address(b);
	const unsigned from_a = per - cap, from_b = cap - from_a;
	struct slab_sheaf *main = pcs(s)->main;
	ASSERT_EQ(main->size, cap - 1);
	for (unsigned i = 0; i < from_a; i++)
		EXPECT_EQ(main->objects[i], a0 + (cap + i) * size) << i;
	for (unsigned j = 0; j + 1 < from_b; j++)
		EXPECT_EQ(main->objects[from_a + j], b0 + j * size) << j;
	EXPECT_EQ(next, b0 + (from_b - 1) * size);
	EXPECT_EQ(inuse(a), per);
	EXPECT_EQ(a->freelist, nullptr);
	EXPECT_EQ((a->counters >> 31) & 1, 0u) << "A frozen";
	EXPECT_EQ(inuse(b), from_b);
	EXPECT_EQ(b->freelist, b0 + from_b * size);
	EXPECT_EQ(nr_free(b), per - from_b);
	// B's objects handed out were never linked: the pattern is still where
	// their free pointer would be; the linked ones have one.
	const u64 pattern = 0xababababababababull;
	for (unsigned j = 0; j < per; j++) {
		u64 word;
		memcpy(&word, b0 + j * size + s->offset, sizeof(word));
		if (j < from_b)
			EXPECT_EQ(word, pattern) << "object " << j << " got a free pointer";
		else
			EXPECT_NE(word, pattern) << "object " << j << " not linked";
	}
	st = stats(s);
	EXPECT_FALSE(st.has_cpu_slab);
	EXPECT_EQ(st.nr_cpu_partial, 0u);
	EXPECT_EQ(st.nr_full, 1u);
	EXPECT_EQ(st.nr_partial, 1u);
	EXPECT_EQ(objects_in_use(s), held.size());

	for (void *p : held)
		kmem_cache_free(s, p);
	EXPECT_EQ(objects_in_use(s), 0u);
	EXPECT_EQ(slab_errors_reported(), 0u);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
}

// An empty main and spare and no full sheaf in the barn: a caller that may
// not block gets its object from the slabs, and no sheaf is made.
TEST_F(SlubSheaves, AnAllocationThatMayNotBlockDoesNotRefill)
{
	boot();
	struct kmem_cache *s = kmem_cache_create("nowait", 64, 0, 0, nullptr);
	ASSERT_NE(s, nullptr);
	ASSERT_EQ(pcs(s)->main->size, 0u);
	ASSERT_EQ(pcs(s)->spare, nullptr);
	void *p = kmem_cache_alloc(s, GFP_NOWAIT);
	ASSERT_NE(p, nullptr);
	EXPECT_EQ(pcs(s)->main->size, 0u);
	EXPECT_EQ(pcs(s)->spare, nullptr);
	EXPECT_EQ(objects_in_use(s), 1u);
	EXPECT_EQ(stats(s).sheaf_objects, 0u);
	// A blocking one fills a new sheaf; the empty main stays as the spare.
	struct slab_sheaf *empty = pcs(s)->main;
	void *q = kmem_cache_alloc(s, GFP_KERNEL);
	ASSERT_NE(q, nullptr);
	EXPECT_EQ(pcs(s)->spare, empty);
	EXPECT_EQ(pcs(s)->main->size, s->sheaf_capacity - 1);
	kmem_cache_free(s, p);
	kmem_cache_free(s, q);
	EXPECT_EQ(objects_in_use(s), 0u);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
}

// A second free of the object that tops the main sheaf is reported and
// refused; the object is handed out once.
TEST_F(SlubSheaves, FreeingTheSameObjectTwiceInARowIsCaught)
{
	boot();
	void *p = kmalloc(100, GFP_KERNEL);
	ASSERT_NE(p, nullptr);
	struct kmem_cache *s = virt_to_cache(p);
	ASSERT_TRUE(s && s->sheaf_capacity);
	kfree(p);
	unsigned before = pcs(s)->main->size;
	kfree(p);
	EXPECT_EQ(pcs(s)->main->size, before);
	EXPECT_EQ(slab_errors_reported(), 1u);
	EXPECT_NE(console().find("Object already free"), std::string::npos);
	void *a = kmalloc(100, GFP_KERNEL);
	void *b = kmalloc(100, GFP_KERNEL);
	EXPECT_EQ(a, p);
	EXPECT_NE(b, p);
	kfree(a);
	kfree(b);
}

// A kmalloc cache's sheaves are objects of kmalloc-64..512, kmalloc-512's
// possibly its own: the nested allocation takes the slab path instead of
// making a sheaf for the sheaf. Churn every class, then check that every
// page comes back.
TEST_F(SlubSheaves, KmallocCachesFeedTheirOwnSheaves)
{
	boot();
	auto before = slub_test::slab_quiet_snapshot();
	std::vector<void *> v;
	std::set<void *> live;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 4000; i++) {
			void *p = kmalloc(1 + (i * 131) % 8192, GFP_KERNEL);
			ASSERT_NE(p, nullptr);
			ASSERT_TRUE(live.insert(p).second) << "object handed out twice";
			v.push_back(p);
		}
		for (size_t i = 0; i < v.size(); i += 2) {
			live.erase(v[i]);
			kfree(v[i]);
		}
		for (size_t i = 1; i < v.size(); i += 2) {
			live.erase(v[i]);
			kfree(v[i]);
		}
		v.clear();
	}
	struct kmem_cache *k512 = kmalloc_caches[KMALLOC_NORMAL][9];
	EXPECT_GT(stats(k512).nr_barn_full, 0u);
	EXPECT_EQ(slab_errors_reported(), 0u) << console();
	EXPECT_EQ(slub_test::slab_quiet_snapshot(), before);
}

} // namespace
