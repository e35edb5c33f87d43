// kmalloc and friends: size classes, ksize, kzalloc/kcalloc/krealloc, DMA and
// DMA32 caches, kmalloc_node, and large kmalloc as compound buddy pages.
#include <string.h>

#include <vector>

#include "tests/host/slub_test.h"

namespace {

using slub_test::buddy_snapshot;
using slub_test::Slub;

class SlubKmalloc : public Slub {};

TEST_F(SlubKmalloc, EverySizeGoesToTheSmallestClassThatHoldsIt)
{
	boot();
	const unsigned classes[] = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};
	for (size_t size = 1; size <= 8192; size++) {
		unsigned want = 0;
		for (unsigned c : classes)
			if (c >= size) {
				want = c;
				break;
			}
		void *p = kmalloc(size, GFP_KERNEL);
		ASSERT_NE(p, nullptr) << size;
		struct kmem_cache *s = virt_to_cache(p);
		ASSERT_NE(s, nullptr) << size;
		ASSERT_EQ(s->object_size, want) << size;
		ASSERT_EQ(ksize(p), want) << size;
		ASSERT_EQ(kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(size)], s) << size;
		// Power-of-two classes are naturally aligned.
		if (is_power_of_2(want)) {
			ASSERT_EQ((uintptr_t)p % want, 0u) << size;
		}
		memset(p, 0xab, size);
		kfree(p);
	}
	EXPECT_EQ(slab_errors_reported(), 0u);
}

TEST_F(SlubKmalloc, ZeroSizeAndNull)
{
	boot();
	EXPECT_EQ(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	EXPECT_EQ(ksize(ZERO_SIZE_PTR), 0u);
	EXPECT_EQ(ksize(nullptr), 0u);
	kfree(ZERO_SIZE_PTR);
	kfree(nullptr);
	EXPECT_EQ(slab_errors_reported(), 0u);
}

TEST_F(SlubKmalloc, KzallocAndKcallocZeroAndKcallocRefusesOverflow)
{
	boot();
	for (size_t size : {24ul, 100ul, 3000ul, 20000ul}) {
		u8 *p = (u8 *)kmalloc(size, GFP_KERNEL);
		memset(p, 0x77, size);
		kfree(p);
		u8 *q = (u8 *)kzalloc(size, GFP_KERNEL);
		ASSERT_NE(q, nullptr);
		for (size_t i = 0; i < size; i++)
			ASSERT_EQ(q[i], 0) << size << " byte " << i;
		kfree(q);
	}
	u32 *a = (u32 *)kcalloc(100, sizeof(u32), GFP_KERNEL);
	ASSERT_NE(a, nullptr);
	EXPECT_EQ(ksize(a), 512u);
	for (int i = 0; i < 100; i++)
		EXPECT_EQ(a[i], 0u);
	kfree(a);
	EXPECT_EQ(kcalloc(SIZE_MAX / 2, 4, GFP_KERNEL), nullptr);
	EXPECT_EQ(kmalloc_array(1ul << 40, 1ul << 40, GFP_KERNEL), nullptr);
}

TEST_F(SlubKmalloc, KreallocKeepsTheContents)
{
	boot();
	u8 *p = (u8 *)kmalloc(20, GFP_KERNEL);
	for (int i = 0; i < 20; i++)
		p[i] = (u8)i;
	// Within the object (ksize 32): the same pointer.
	EXPECT_EQ(krealloc(p, 30, GFP_KERNEL), p);
	u8 *q = (u8 *)krealloc(p, 1000, GFP_KERNEL);
	ASSERT_NE(q, nullptr);
	EXPECT_NE(q, p);
	EXPECT_EQ(ksize(q), 1024u);
	for (int i = 0; i < 20; i++)
		ASSERT_EQ(q[i], i);
	// Grow into a large kmalloc and back.
	u8 *r = (u8 *)krealloc(q, 100000, GFP_KERNEL);
	ASSERT_NE(r, nullptr);
	EXPECT_EQ(ksize(r), 32u * PAGE_SIZE);
	for (int i = 0; i < 20; i++)
		ASSERT_EQ(r[i], i);
	EXPECT_EQ(krealloc(r, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	u8 *n = (u8 *)krealloc(nullptr, 50, GFP_KERNEL);
	EXPECT_EQ(ksize(n), 64u);
	kfree(n);
	// A wild pointer is refused and nothing is allocated.
	int local;
	unsigned long free = slub_test::free_pages_now();
	EXPECT_EQ(krealloc(&local, 100, GFP_KERNEL), nullptr);
	EXPECT_NE(console().find("krealloc: object pointer"), std::string::npos);
	EXPECT_EQ(slub_test::free_pages_now(), free);
}

TEST_F(SlubKmalloc, LargeKmallocIsACompoundBuddyBlockAndKfreeReturnsIt)
{
	boot();
	auto before = buddy_snapshot();
	for (size_t size : {8193ul, 16384ul, 70000ul, 1ul << 20, KMALLOC_MAX_SIZE}) {
		u8 *p = (u8 *)kmalloc(size, GFP_KERNEL);
		ASSERT_NE(p, nullptr) << size;
		struct page *page = virt_to_page(p);
		EXPECT_FALSE(PageSlab(page));
		EXPECT_TRUE(PageHead(page)) << size;
		EXPECT_EQ(page_address(page), p);
		unsigned order = get_order(size);
		EXPECT_EQ(compound_order(page), order);
		EXPECT_EQ(compound_head(page + (1u << order) - 1), page);
		EXPECT_EQ(ksize(p), PAGE_SIZE << order);
		EXPECT_EQ(virt_to_cache(p), nullptr);
		memset(p, 0x5c, size);
		EXPECT_NE(buddy_snapshot(), before);
		kfree(p);
		EXPECT_EQ(buddy_snapshot(), before) << size;
	}
	EXPECT_EQ(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL), nullptr);
	EXPECT_NE(console().find("is above KMALLOC_MAX_SIZE"), std::string::npos);
	EXPECT_EQ(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN), nullptr);
	EXPECT_EQ(console(), "");
	EXPECT_EQ(slab_errors_reported(), 0u);
}

TEST_F(SlubKmalloc, DmaAndDma32CachesUseTheirZones)
{
	boot();
	for (size_t size : {8ul, 96ul, 1000ul, 8192ul}) {
		void *d = kmalloc(size, GFP_KERNEL | GFP_DMA);
		void *d32 = kmalloc(size, GFP_KERNEL | GFP_DMA32);
		void *r = kmalloc(size, GFP_KERNEL | __GFP_RECLAIMABLE);
		ASSERT_NE(d, nullptr);
		ASSERT_NE(d32, nullptr);
		ASSERT_NE(r, nullptr);
		EXPECT_STREQ(virt_to_cache(d)->name, kmalloc_caches[KMALLOC_DMA][kmalloc_index(size)]->name);
		EXPECT_EQ(strncmp(virt_to_cache(d)->name, "dma-kmalloc-", 12), 0);
		EXPECT_EQ(strncmp(virt_to_cache(d32)->name, "dma32-kmalloc-", 14), 0);
		EXPECT_EQ(strncmp(virt_to_cache(r)->name, "kmalloc-rcl-", 12), 0);
		EXPECT_LT(__pa(d), PFN_PHYS(MAX_DMA_PFN)) << size;
		EXPECT_EQ(page_zonenum(virt_to_page(d)), ZONE_DMA);
		EXPECT_LE(page_zonenum(virt_to_page(d32)), ZONE_DMA32);
		kfree(d);
		kfree(d32);
		kfree(r);
	}
	// Large DMA kmalloc comes from ZONE_DMA too.
	void *big = kmalloc(64 * 1024, GFP_DMA);
	ASSERT_NE(big, nullptr);
	EXPECT_EQ(page_zonenum(virt_to_page(big)), ZONE_DMA);
	kfree(big);
}

TEST_F(SlubKmalloc, KmallocNodeOnASingleNodeAndABadNode)
{
	boot();
	void *p = kmalloc_node(100, GFP_KERNEL, 0);
	ASSERT_NE(p, nullptr);
	EXPECT_EQ(page_to_nid(virt_to_page(p)), 0);
	// An offline node falls back to any node, as Linux does for nodes without slab_nodes.
	void *q = kmalloc_node(100, GFP_KERNEL, 5);
	ASSERT_NE(q, nullptr);
	void *r = kzalloc_node(9000, GFP_KERNEL, 0);
	ASSERT_NE(r, nullptr);
	EXPECT_EQ(((u8 *)r)[8999], 0);
	kfree(p);
	kfree(q);
	kfree(r);
	EXPECT_EQ(slab_errors_reported(), 0u);
}

class SlubNuma : public Slub {};

TEST_F(SlubNuma, KmallocNodeServesEachNodeFromItsOwnMemory)
{
	// Two nodes of 127 MiB each inside the simulated RAM.
	mm_fixture::srat = {{0, 128 * SZ_1M, 0}, {128 * SZ_1M, 256 * SZ_1M, 1}};
	add_low_ram();
	ASSERT_EQ(memblock_reserve(SZ_1M, SZ_1M), 0);
	bring_up();
	setup_allocator();
	ASSERT_EQ(kmem_cache_init(), 0);
	EXPECT_NE(console().find("Nodes=2"), std::string::npos);
	struct kmem_cache *s = kmalloc_caches[KMALLOC_NORMAL][7];
	ASSERT_NE(s->node[0], nullptr);
	ASSERT_NE(s->node[1], nullptr);
	// kmalloc-128 holds some sheaves of other kmalloc caches already.
	const unsigned long in_use = slub_test::objects_in_use(s);
	std::vector<void *> objs;
	for (int i = 0; i < 200; i++) {
		int nid = i & 1;
		void *p = kmalloc_node(128, GFP_KERNEL, nid);
		ASSERT_NE(p, nullptr);
		EXPECT_EQ(page_to_nid(virt_to_page(p)), nid) << i;
		objs.push_back(p);
	}
	// The sheaves are node 0's (the CPU's): a node-1 object is freed to its
	// slab, a node-0 one into the main sheaf.
	struct slab_sheaf *main = s->cpu_sheaves->main;
	unsigned size = main->size;
	ASSERT_LT(size + 1, s->sheaf_capacity);
	kfree(objs[1]);
	EXPECT_EQ(s->cpu_sheaves->main, main);
	EXPECT_EQ(main->size, size);
	kfree(objs[0]);
	EXPECT_EQ(main->size, size + 1);
	EXPECT_EQ(main->objects[size], objs[0]);
	for (size_t i = 2; i < objs.size(); i++)
		kfree(objs[i]);
	EXPECT_EQ(slub_test::objects_in_use(s), in_use);
	EXPECT_EQ(slab_errors_reported(), 0u);
}

} // namespace
