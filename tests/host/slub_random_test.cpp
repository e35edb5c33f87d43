// A randomized differential test: kmalloc/kfree/krealloc and kmem_cache_* driven
// by a seeded random trace, checked against a reference model of live objects
// (address -> size, cache, fill byte) after every step and, in depth, every few
// hundred steps: no object handed out twice or overlapping another, every
// object inside its slab at an object boundary, contents intact, the cache
// counts equal to the model's, and at the end every page back in the buddy.
#include <string.h>

#include <map>
#include <set>
#include <random>
#include <vector>

#include "tests/host/slub_test.h"

namespace {

using slub_test::buddy_snapshot;
using slub_test::objects_in_use;
using slub_test::Slub;

struct live {
	size_t size;		 // bytes the caller may use
	struct kmem_cache *cache; // nullptr: kmalloc
	u8 fill;
};

class SlubRandom : public Slub, public ::testing::WithParamInterface<std::tuple<unsigned, const char *>> {
protected:
	std::map<uintptr_t, live> model;
	std::vector<struct kmem_cache *> caches;

	void fill(void *p, const live &l) { memset(p, l.fill, l.size); }

	void expect_intact(uintptr_t a, const live &l)
	{
		const u8 *p = (const u8 *)a;
		for (size_t i = 0; i < l.size; i++)
			ASSERT_EQ(p[i], l.fill) << "object " << (void *)p << " byte " << i << " of " << l.size;
	}

	void add(void *p, size_t size, struct kmem_cache *cache, u8 f)
	{
		ASSERT_NE(p, nullptr);
		uintptr_t a = (uintptr_t)p;
		// Not handed out twice, not overlapping a neighbour.
		auto next = model.lower_bound(a);
		ASSERT_TRUE(next == model.end() || next->first >= a + size) << "overlaps the next live object";
		if (next != model.begin()) {
			auto prev = std::prev(next);
			ASSERT_LE(prev->first + prev->second.size, a) << "overlaps the previous live object";
		}
		live l{size, cache, f};
		model[a] = l;
		fill(p, l);
	}

	// Every live object: in a slab of its cache at an object boundary, or a
	// large kmalloc block; intact. Every cache's count equals the model's.
	void check_all()
	{
		std::map<struct kmem_cache *, unsigned long> per_cache;
		for (auto &[a, l] : model) {
			expect_intact(a, l);
			struct page *head = compound_head(virt_to_page((void *)a));
			if (PageSlab(head)) {
				struct kmem_cache *s = head->slab_cache;
				if (l.cache) {
					ASSERT_EQ(s, l.cache);
				}
				u8 *base = (u8 *)page_address(head);
				size_t off = a - (uintptr_t)base - ((s->flags & SLAB_RED_ZONE) ? s->red_left_pad : 0);
				ASSERT_EQ(off % s->size, 0u) << "not at an object boundary";
				ASSERT_LE(a + l.size, (uintptr_t)base + (PAGE_SIZE << compound_order(head))) << "outside its slab";
				ASSERT_LE(l.size, s->object_size);
				per_cache[s]++;
			} else {
				ASSERT_TRUE(PageHead(head));
				ASSERT_EQ((uintptr_t)page_address(head), a);
				ASSERT_GE(PAGE_SIZE << compound_order(head), l.size);
			}
		}
		struct kmem_cache *s;
		// The sheaves: each object once, of its cache, not live; the sheaves
		// and barns themselves, and the caches' random_seq arrays, are kmalloc
		// objects the model does not know.
		std::set<void *> cached;
		list_for_each_entry(s, &slab_caches, list)
		{
			if (s->random_seq)
				per_cache[virt_to_cache(s->random_seq)]++;
			if (!s->sheaf_capacity) {
				ASSERT_EQ(s->cpu_sheaves->main->size, 0u) << s->name;
				ASSERT_EQ(s->cpu_sheaves->spare, nullptr) << s->name;
				continue;
			}
			std::vector<struct slab_sheaf *> sheaves = {s->cpu_sheaves->main};
			if (s->cpu_sheaves->spare)
				sheaves.push_back(s->cpu_sheaves->spare);
			int nid;
			for_each_online_node(nid) {
				struct node_barn *barn = s->node[nid] ? s->node[nid]->barn : nullptr;
				if (!barn)
					continue;
				per_cache[virt_to_cache(barn)]++;
				unsigned full = 0, empty = 0;
				struct slab_sheaf *sheaf;
				list_for_each_entry(sheaf, &barn->sheaves_full, barn_list)
				{
					ASSERT_EQ(sheaf->size, s->sheaf_capacity) << s->name;
					sheaves.push_back(sheaf);
					full++;
				}
				list_for_each_entry(sheaf, &barn->sheaves_empty, barn_list)
				{
					ASSERT_EQ(sheaf->size, 0u) << s->name;
					sheaves.push_back(sheaf);
					empty++;
				}
				ASSERT_EQ(barn->nr_full, full) << s->name;
				ASSERT_EQ(barn->nr_empty, empty) << s->name;
			}
			for (struct slab_sheaf *sheaf : sheaves) {
				per_cache[virt_to_cache(sheaf)]++;
				ASSERT_EQ(sheaf->cache, s);
				ASSERT_LE(sheaf->size, s->sheaf_capacity) << s->name;
				for (unsigned i = 0; i < sheaf->size; i++) {
					void *o = sheaf->objects[i];
					ASSERT_EQ(virt_to_cache(o), s) << s->name;
					ASSERT_TRUE(cached.insert(o).second) << s->name << ": object twice in sheaves";
					ASSERT_EQ(model.count((uintptr_t)o), 0u) << s->name << ": live object in a sheaf";
				}
			}
		}
		list_for_each_entry(s, &slab_caches, list)
		{
			if (s == kmem_cache || s == kmem_cache_node)
				continue;
			ASSERT_EQ(objects_in_use(s), per_cache[s]) << s->name;
			// Every slab's freelist stays inside the slab and adds up with inuse.
			int nid;
			for_each_online_node(nid) {
				struct kmem_cache_node *n = s->node[nid];
				if (!n)
					continue;
				unsigned long slabs = 0;
				auto check_slab = [&](struct page *slab, bool frozen) {
					unsigned long nfree;
					ASSERT_EQ(slab_validate(s, slab, &nfree), 0) << s->name;
					ASSERT_EQ(slab->slab_cache, s);
					ASSERT_TRUE(PageSlab(slab));
					ASSERT_EQ(nfree + (slab->counters & 0xffff), (slab->counters >> 16) & 0x7fff)
						<< s->name << ": free + inuse != objects";
					ASSERT_EQ((slab->counters >> 31) & 1, frozen ? 1u : 0u) << s->name;
					slabs++;
				};
				for (struct list_head *lh : {&n->partial, &n->full}) {
					struct page *slab;
					list_for_each_entry(slab, lh, slab_list)
						ASSERT_NO_FATAL_FAILURE(check_slab(slab, false));
				}
				// The CPU partial list: frozen slabs with free objects, its
				// head counting them; none for debug caches.
				struct page *head = s->cpu_slab->partial;
				int listed = 0;
				for (struct page *slab = head; slab; slab = slab->next, listed++) {
					ASSERT_EQ(s->flags & SLAB_DEBUG_FLAGS, 0u) << s->name;
					ASSERT_NE(slab->freelist, nullptr) << s->name;
					if (page_to_nid(slab) == nid) {
						ASSERT_NO_FATAL_FAILURE(check_slab(slab, true));
					}
				}
				if (head) {
					ASSERT_EQ(head->slabs, listed) << s->name;
					ASSERT_LE((unsigned)listed, s->cpu_partial_slabs) << s->name;
				}
				struct page *cpu = s->cpu_slab->slab;
				ASSERT_EQ(slabs + (cpu && page_to_nid(cpu) == nid ? 1 : 0), n->nr_slabs) << s->name;
			}
		}
	}

	void remove(uintptr_t a)
	{
		auto it = model.find(a);
		ASSERT_NE(it, model.end());
		ASSERT_NO_FATAL_FAILURE(expect_intact(a, it->second));
		if (it->second.cache)
			kmem_cache_free(it->second.cache, (void *)a);
		else
			kfree((void *)a);
		model.erase(it);
	}
};

TEST_P(SlubRandom, TraceAgainstAReferenceModel)
{
	auto [seed, debug] = GetParam();
	boot(*debug ? debug : nullptr);
	auto before = slub_test::slab_quiet_snapshot();
	std::mt19937_64 rng(seed);

	static int ctor_runs;
	ctor_runs = 0;
	for (unsigned i = 0; i < 12; i++) {
		char name[32];
		snprintf(name, sizeof(name), "rnd%u", i);
		unsigned size = 1 + (unsigned)(rng() % 3000);
		unsigned align = (i % 4 == 0) ? 64 : 0;
		caches.push_back(kmem_cache_create(name, size, align, (i % 5 == 1) ? SLAB_HWCACHE_ALIGN : 0,
						   (i % 6 == 2) ? +[](void *) { ctor_runs++; } : nullptr));
		ASSERT_NE(caches.back(), nullptr);
	}

	const int steps = 20000;
	for (int step = 0; step < steps; step++) {
		unsigned op = rng() % 100;
		bool grow = step < steps * 3 / 4;
		if (model.empty() || (grow ? op < 60 : op < 35)) {
			u8 f = (u8)rng();
			unsigned kind = rng() % 10;
			if (kind < 5) {
				// kmalloc of a random size; mostly small, sometimes large.
				size_t size = (rng() % 20) ? 1 + rng() % 1024 : 1 + rng() % 40000;
				gfp_t gfp = (rng() % 10 == 0) ? GFP_KERNEL | __GFP_ZERO : GFP_KERNEL;
				void *p = kmalloc(size, gfp);
				if (gfp & __GFP_ZERO) {
					for (size_t i = 0; i < size; i++)
						ASSERT_EQ(((u8 *)p)[i], 0);
				}
				ASSERT_NO_FATAL_FAILURE(add(p, size, nullptr, f));
			} else {
				struct kmem_cache *s = caches[rng() % caches.size()];
				ASSERT_NO_FATAL_FAILURE(add(kmem_cache_alloc(s, GFP_KERNEL), s->object_size, s, f));
			}
		} else if (op < 90 || !grow) {
			// Free a random live object (random order of frees).
			auto it = model.begin();
			std::advance(it, rng() % model.size());
			ASSERT_NO_FATAL_FAILURE(remove(it->first));
		} else {
			// krealloc of a random kmalloc object.
			auto it = model.begin();
			std::advance(it, rng() % model.size());
			if (it->second.cache)
				continue;
			live l = it->second;
			size_t nsize = 1 + rng() % 12000;
			ASSERT_NO_FATAL_FAILURE(expect_intact(it->first, l));
			u8 *q = (u8 *)krealloc((void *)it->first, nsize, GFP_KERNEL);
			model.erase(it);
			ASSERT_NE(q, nullptr);
			for (size_t i = 0; i < std::min(nsize, l.size); i++)
				ASSERT_EQ(q[i], l.fill) << "krealloc lost byte " << i;
			ASSERT_NO_FATAL_FAILURE(add(q, nsize, nullptr, l.fill));
		}
		if (step % 500 == 0) {
			ASSERT_NO_FATAL_FAILURE(check_all());
		}
	}
	ASSERT_NO_FATAL_FAILURE(check_all());
	while (!model.empty())
		ASSERT_NO_FATAL_FAILURE(remove(model.begin()->first));
	ASSERT_NO_FATAL_FAILURE(check_all());
	for (auto *s : caches)
		ASSERT_EQ(kmem_cache_destroy(s), 0);
	EXPECT_EQ(slub_test::slab_quiet_snapshot(), before) << "slab pages did not all go back to the buddy";
	EXPECT_EQ(slab_errors_reported(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, SlubRandom,
			 ::testing::Combine(::testing::Values(1u, 2u, 3u), ::testing::Values("", "FZPU")));

} // namespace
