// CONFIG_SLAB_FREELIST_RANDOM: every cache gets a shuffled order of its slab's
// slots (random_seq, made once kmalloc works); a new slab hands out its objects
// in that order from a random place on, wrapping (shuffle_freelist() with
// next_freelist_entry()); slab_freelist_random=0 keeps address order.
#include <algorithm>
#include <set>
#include <vector>

#include "tests/host/slub_test.h"

namespace {

using slub_test::objects_in_use;
using slub_test::Slub;

class SlubFreelistRandom : public Slub {
protected:
	// The offsets of @s->random_seq, in slab order: each a multiple of the
	// object size, together every slot once.
	static void expect_permutation(struct kmem_cache *s)
	{
		unsigned count = slab_cache_objects(s);
		ASSERT_NE(s->random_seq, nullptr) << s->name;
		std::set<unsigned> slots;
		bool moved = false;
		for (unsigned i = 0; i < count; i++) {
			unsigned off = s->random_seq[i];
			ASSERT_EQ(off % s->size, 0u) << s->name << " entry " << i;
			ASSERT_LT(off / s->size, count) << s->name << " entry " << i;
			slots.insert(off / s->size);
			moved |= off != i * s->size;
		}
		EXPECT_EQ(slots.size(), count) << s->name;
		// A shuffle of 4 or more slots that leaves every one in place is
		// a 1 in 24 chance at worst: tolerated for small caches only.
		if (count >= 16) {
			EXPECT_TRUE(moved) << s->name << ": random_seq is the identity";
		}
	}

	// Is @seq (object addresses) random_seq of @s read cyclically from some
	// place, in the slab at @base, skipping offsets at or past @limit (a slab
	// of the fallback order)? The place is returned in *@pos.
	static bool follows_seq(struct kmem_cache *s, u8 *base, const std::vector<void *> &seq, unsigned *pos,
				unsigned long limit = ~0ul)
	{
		unsigned count = slab_cache_objects(s);
		for (unsigned p = 0; p < count; p++) {
			unsigned q = p;
			bool ok = s->random_seq[p] < limit;
			for (unsigned i = 0; i < seq.size() && ok; i++) {
				while (s->random_seq[q % count] >= limit)
					q++;
				ok = seq[i] == base + s->random_seq[q++ % count];
			}
			if (ok) {
				*pos = p;
				return true;
			}
		}
		return false;
	}
};

TEST_F(SlubFreelistRandom, OptionTakesKstrtoboolWordsAndRefusesTheRest)
{
	ASSERT_TRUE(slab_freelist_random); // the default, as Debian's kernels
	EXPECT_EQ(setup_slab_freelist_random("off"), 0);
	EXPECT_FALSE(slab_freelist_random);
	EXPECT_EQ(setup_slab_freelist_random("maybe"), -EINVAL);
	EXPECT_EQ(setup_slab_freelist_random(nullptr), -EINVAL);
	EXPECT_FALSE(slab_freelist_random); // refused: nothing changed
	EXPECT_EQ(setup_slab_freelist_random("1"), 0);
	EXPECT_TRUE(slab_freelist_random);
	EXPECT_NE(console().find("slab_freelist_random=maybe: expected 0 or 1"), std::string::npos);
}

// kmem_cache_init(): init_freelist_randomization() gives the boot and kmalloc
// caches theirs; a cache made later gets its own in kmem_cache_create().
TEST_F(SlubFreelistRandom, EveryCacheHasAPermutationOfItsSlots)
{
	boot();
	struct kmem_cache *s;
	unsigned caches = 0;
	list_for_each_entry(s, &slab_caches, list)
	{
		if (slab_cache_objects(s) < 2) {
			EXPECT_EQ(s->random_seq, nullptr) << s->name;
			continue;
		}
		ASSERT_NO_FATAL_FAILURE(expect_permutation(s));
		caches++;
	}
	EXPECT_GE(caches, 2u + 4 * 13); // kmem_cache, kmem_cache_node, 4 kmalloc types
	struct kmem_cache *c = kmem_cache_create("rnd", 200, 0, 0, nullptr);
	ASSERT_NE(c, nullptr);
	ASSERT_NO_FATAL_FAILURE(expect_permutation(c));
	EXPECT_EQ(kmem_cache_destroy(c), 0);
}

// A cache with sheaves: the first sheaf is filled from a new slab in
// random_seq's order from a random place, the rest of the slab linked on in
// the same order; the sheaf hands its objects out last first.
TEST_F(SlubFreelistRandom, NewSlabFillsTheSheafInRandomSeqOrder)
{
	boot();
	struct kmem_cache *s = kmem_cache_create("rnd64", 64, 0, 0, nullptr);
	ASSERT_NE(s, nullptr);
	const unsigned cap = s->sheaf_capacity, per = slab_cache_objects(s);
	ASSERT_EQ(cap, 60u);
	ASSERT_EQ(per, 64u);

	void *first = kmem_cache_alloc(s, GFP_KERNEL);
	ASSERT_NE(first, nullptr);
	struct page *slab = compound_head(virt_to_page(first));
	u8 *base = (u8 *)page_address(slab);
	struct slab_sheaf *main = s->cpu_sheaves->main;
	std::vector<void *> order(main->objects, main->objects + main->size);
	order.push_back(first);
	unsigned pos;
	ASSERT_TRUE(follows_seq(s, base, order, &pos)) << "the sheaf is not random_seq from one place";
	EXPECT_EQ(slab->freelist, base + s->random_seq[(pos + cap) % per]);

	// Every object of the slab once: the sheaf's 60 first, the 4 the slab
	// kept with the next refill (handed out after the new slab's).
	std::vector<void *> held{first};
	for (unsigned i = 1; i < 2 * cap; i++) {
		void *p = kmem_cache_alloc(s, GFP_KERNEL);
		ASSERT_NE(p, nullptr);
		held.push_back(p);
	}
	std::set<void *> in_slab;
	for (void *p : held)
		if (compound_head(virt_to_page(p)) == slab)
			in_slab.insert(p);
	EXPECT_EQ(in_slab.size(), per);
	std::vector<void *> sorted(held.begin(), held.begin() + cap);
	std::sort(sorted.begin(), sorted.end());
	EXPECT_NE(std::vector<void *>(held.begin(), held.begin() + cap), sorted) << "handed out in address order";
	std::reverse(sorted.begin(), sorted.end());
	EXPECT_NE(std::vector<void *>(held.begin(), held.begin() + cap), sorted) << "in reverse address order";
	for (void *p : held)
		kmem_cache_free(s, p);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
}

// A debug cache takes objects one by one from the slab (no sheaves): the
// allocations themselves follow random_seq, past its red zone on the left.
TEST_F(SlubFreelistRandom, DebugCacheAllocationsFollowRandomSeq)
{
	boot("FZPU");
	struct kmem_cache *s = kmem_cache_create("rnddbg", 100, 0, 0, nullptr);
	ASSERT_NE(s, nullptr);
	ASSERT_EQ(s->sheaf_capacity, 0u);
	const unsigned per = slab_cache_objects(s);
	ASSERT_GE(per, 8u);
	std::vector<void *> held;
	for (unsigned i = 0; i < per; i++) {
		void *p = kmem_cache_alloc(s, GFP_KERNEL);
		ASSERT_NE(p, nullptr);
		held.push_back(p);
	}
	struct page *slab = compound_head(virt_to_page(held[0]));
	for (void *p : held)
		ASSERT_EQ(compound_head(virt_to_page(p)), slab);
	unsigned pos;
	EXPECT_TRUE(follows_seq(s, (u8 *)page_address(slab) + s->red_left_pad, held, &pos));
	EXPECT_EQ(std::set<void *>(held.begin(), held.end()).size(), per);
	for (void *p : held)
		kmem_cache_free(s, p);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
	EXPECT_EQ(console().find("BUG"), std::string::npos);
}

// No block above order 0 is free: the slab comes at s->min's order, with
// fewer objects than random_seq has entries, and hands them out in its order
// all the same, skipping the slots it lacks.
TEST_F(SlubFreelistRandom, FallbackOrderSlabSkipsTheSlotsItLacks)
{
	boot("FZPU");
	struct kmem_cache *s = kmem_cache_create("rndmin", 1000, 0, 0, nullptr);
	ASSERT_NE(s, nullptr);
	const unsigned per = slab_cache_objects(s);
	ASSERT_GE(per, 8u);
	// Every page taken (no watermark held back), then every other one given
	// back: the free pages have no free buddy.
	min_free_kbytes = 0;
	setup_per_zone_wmarks();
	std::vector<struct page *> pages;
	for (gfp_t gfp : {GFP_KERNEL, GFP_DMA32, GFP_DMA})
		while (struct page *p = alloc_pages(gfp | __GFP_NOWARN, 0))
			pages.push_back(p);
	ASSERT_GT(pages.size(), 1000u);
	std::vector<struct page *> kept;
	for (struct page *p : pages) {
		if (page_to_pfn(p) & 1)
			__free_pages(p, 0);
		else
			kept.push_back(p);
	}

	std::vector<void *> held{kmem_cache_alloc(s, GFP_KERNEL)};
	ASSERT_NE(held[0], nullptr);
	struct page *slab = compound_head(virt_to_page(held[0]));
	const unsigned n = (unsigned)(slab->counters >> 16) & 0x7fff;
	EXPECT_FALSE(PageHead(slab)); // order 0
	ASSERT_GE(n, 2u);
	ASSERT_LT(n, per);
	for (unsigned i = 1; i < n; i++) {
		held.push_back(kmem_cache_alloc(s, GFP_KERNEL));
		ASSERT_EQ(compound_head(virt_to_page(held.back())), slab) << i;
	}
	unsigned pos;
	EXPECT_TRUE(follows_seq(s, (u8 *)page_address(slab) + s->red_left_pad, held, &pos,
				(unsigned long)n * s->size));
	EXPECT_EQ(std::set<void *>(held.begin(), held.end()).size(), n);
	for (void *p : held)
		kmem_cache_free(s, p);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
	for (struct page *p : kept)
		__free_pages(p, 0);
	EXPECT_EQ(console().find("BUG"), std::string::npos);
}

// The seq is a kmalloc object: kmem_cache_destroy() frees it. (Sheaves off:
// kmalloc-256's own sheaves are kmalloc-256 objects that come and go.)
TEST_F(SlubFreelistRandom, DestroyFreesTheSeq)
{
	boot();
	slab_sheaves_off();
	struct kmem_cache *k256 = kmalloc_caches[KMALLOC_NORMAL][8];
	ASSERT_STREQ(k256->name, "kmalloc-256");
	unsigned long before = objects_in_use(k256);
	struct kmem_cache *s = kmem_cache_create("rnd64", 64, 0, 0, nullptr); // 64 slots: 256 bytes
	ASSERT_NE(s, nullptr);
	EXPECT_EQ(virt_to_cache(s->random_seq), k256);
	EXPECT_EQ(objects_in_use(k256), before + 1);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
	EXPECT_EQ(objects_in_use(k256), before);
	EXPECT_EQ(slab_sheaves_on(), 0);
}

TEST_F(SlubFreelistRandom, OffMeansNoSeqAndAddressOrder)
{
	ASSERT_EQ(setup_slab_freelist_random("0"), 0);
	boot("FZPU");
	struct kmem_cache *s;
	list_for_each_entry(s, &slab_caches, list) EXPECT_EQ(s->random_seq, nullptr) << s->name;
	struct kmem_cache *c = kmem_cache_create("seq", 100, 0, 0, nullptr);
	ASSERT_NE(c, nullptr);
	EXPECT_EQ(c->random_seq, nullptr);
	void *a = kmem_cache_alloc(c, GFP_KERNEL), *b = kmem_cache_alloc(c, GFP_KERNEL);
	EXPECT_EQ((u8 *)b - (u8 *)a, (long)c->size);
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	EXPECT_EQ(kmem_cache_destroy(c), 0);
}

} // namespace
