// init_on_alloc= and init_on_free= (mm/page_alloc.h, mm/mm_init.cpp): the page
// allocator and the slab allocator clear what they hand out, or what comes
// back. Each case runs with the option off too, to show the memory would have
// kept the pattern otherwise.
#include <gtest/gtest.h>

#include <string.h>

// The standard headers before the project's (whose __init clashes with libstdc++).
#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "host/platform.h"
#include "mm/mm_init.h"
#include "mm/page_alloc.h"
#include "mm/setup.h"
#include "mm/slab.h"
#include "tests/host/page_alloc_test.h"
#include "tests/host/slub_test.h"

namespace {

constexpr u8 kPattern = 0xa5;

// The number of bytes of [p, p + n) that are not zero.
size_t nonzero_bytes(const void *p, size_t n)
{
	size_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += ((const u8 *)p)[i] != 0;
	return bad;
}

// Every byte of [p, p + n) is @v.
bool all_bytes(const void *p, size_t n, u8 v)
{
	for (size_t i = 0; i < n; i++)
		if (((const u8 *)p)[i] != v)
			return false;
	return true;
}

// Set the options as the command line would and let them take effect.
void set_init_on(bool alloc, bool free)
{
	ASSERT_EQ(early_init_on_alloc(alloc ? "1" : "0"), 0);
	ASSERT_EQ(early_init_on_free(free ? "1" : "0"), 0);
	mem_debugging_and_hardening_init();
}

// Every free block (the pcp lists drained first) filled with @v; returns the
// number of blocks and counts in *dirty those with a byte that is not zero.
unsigned long walk_free_blocks(int fill, unsigned long *dirty)
{
	unsigned long blocks = 0;
	drain_all_pages(nullptr);
	*dirty = 0;
	for (struct zone *zone : page_alloc_test::all_zones()) {
		for (unsigned order = 0; order < NR_PAGE_ORDERS; order++) {
			for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
				struct page *page;
				list_for_each_entry(page, &zone->free_area[order].free_list[mt], buddy_list)
				{
					if (fill >= 0)
						memset(page_address(page), fill, PAGE_SIZE << order);
					*dirty += !all_bytes(page_address(page), PAGE_SIZE << order, 0);
					blocks++;
				}
			}
		}
	}
	return blocks;
}

class MemInitPages : public page_alloc_test::PageAllocBoot {};

// Nothing is applied before mem_debugging_and_hardening_init(); then the keys,
// check_pages with them, and Linux's "mem auto-init:" line. A bad value is
// refused and leaves the setting.
TEST_F(MemInitPages, OptionsTakeEffectAtMemInitAndTurnTheChecksOn)
{
	char unknown[64] = "";
	EXPECT_EQ(parse_early_param("init_on_alloc=1 init_on_free=on", PARAMS_MEMORY, nullptr, unknown,
				    sizeof(unknown)),
		  PARSE_OK);
	EXPECT_STREQ(unknown, "");
	EXPECT_FALSE(init_on_alloc);
	EXPECT_FALSE(init_on_free);
	EXPECT_FALSE(check_pages_enabled);
	for (const char *bad : {"init_on_alloc=banana", "init_on_free", "init_on_free=2", "init_on_alloc="}) {
		host_console_take();
		EXPECT_EQ(parse_early_param(bad, PARAMS_MEMORY, nullptr, unknown, sizeof(unknown)), PARSE_MALFORMED)
			<< bad;
		EXPECT_NE(host_console_take().find(std::string(bad).substr(0, 11)), std::string::npos)
			<< bad << ": no error naming it";
	}
	host_console_take();
	mem_debugging_and_hardening_init();
	report_meminit();
	EXPECT_TRUE(init_on_alloc);
	EXPECT_TRUE(init_on_free);
	EXPECT_TRUE(check_pages_enabled) << "init_on_alloc/free want the page checks (Linux 6.3+)";
	std::string log = host_console_take();
	EXPECT_NE(log.find("mem auto-init: stack:off, heap alloc:on, heap free:on\n"), std::string::npos) << log;
	EXPECT_NE(log.find("mem auto-init: clearing system memory may take some time...\n"), std::string::npos)
		<< log;

	EXPECT_EQ(parse_early_param("init_on_free=0", PARAMS_MEMORY, nullptr, unknown, sizeof(unknown)),
		  PARSE_OK);
	check_pages_enabled = false;
	mem_debugging_and_hardening_init();
	report_meminit();
	EXPECT_TRUE(init_on_alloc);
	EXPECT_FALSE(init_on_free);
	EXPECT_TRUE(check_pages_enabled);
	log = host_console_take();
	EXPECT_NE(log.find("mem auto-init: stack:off, heap alloc:on, heap free:off\n"), std::string::npos) << log;
	EXPECT_EQ(log.find("clearing"), std::string::npos) << log;
}

// The default: both off, the checks left as they were, Linux's line says so.
TEST_F(MemInitPages, OffByDefault)
{
	boot_small();
	EXPECT_FALSE(init_on_alloc);
	EXPECT_FALSE(init_on_free);
	EXPECT_FALSE(check_pages_enabled);
	report_meminit();
	std::string log = host_console_take();
	EXPECT_NE(log.find("mem auto-init: stack:off, heap alloc:off, heap free:off\n"), std::string::npos) << log;
	EXPECT_EQ(log.find("clearing"), std::string::npos) << log;
}

// init_on_alloc: with every free block holding a pattern, every block handed
// out is cleared, at every kind of order (pcp, buddy, pageblock), compound or
// not, on the fast paths and Linux's. Off, the pattern is still there.
TEST_F(MemInitPages, InitOnAllocClearsEveryBlockHandedOut)
{
	boot_small();
	for (bool on : {false, true}) {
		set_init_on(on, false);
		EXPECT_EQ(check_pages_enabled, on);
		unsigned long dirty;
		walk_free_blocks(kPattern, &dirty);
		for (bool fast : {true, false}) {
			page_alloc_fast_paths = fast;
			for (gfp_t comp : {gfp_t(0), gfp_t(__GFP_COMP)}) {
				for (unsigned order : {0u, 1u, 3u, 4u, 9u}) {
					if (comp && !order)
						continue;
					std::string what = std::string(on ? "on" : "off") + ", order " +
							   std::to_string(order) + (comp ? " compound" : "") +
							   (fast ? " (fast paths)" : " (Linux's paths)");
					size_t bytes = PAGE_SIZE << order;
					for (int round = 0; round < 2; round++) {
						struct page *p = alloc_pages(GFP_KERNEL | comp, order);
						ASSERT_NE(p, nullptr) << what;
						if (on)
							EXPECT_EQ(nonzero_bytes(page_address(p), bytes), 0u) << what;
						else
							EXPECT_TRUE(all_bytes(page_address(p), bytes, kPattern)) << what;
						/* freed dirty: the next allocation of this order may take it */
						memset(page_address(p), kPattern, bytes);
						__free_pages(p, order);
					}
				}
			}
		}
	}
	EXPECT_EQ(nr_bad_pages, 0u);
	EXPECT_EQ(host_console_take(), "");
}

// init_on_free: a block is cleared as it is freed, before it reaches a pcp
// list or the buddy, on every path; it is not cleared again when handed out
// (Linux skips init_on_alloc then). A free that is refused clears nothing.
TEST_F(MemInitPages, InitOnFreeClearsEveryBlockFreed)
{
	boot_small();
	set_init_on(true, true);
	for (bool fast : {true, false}) {
		page_alloc_fast_paths = fast;
		for (gfp_t comp : {gfp_t(0), gfp_t(__GFP_COMP)}) {
			for (unsigned order : {0u, 2u, 5u, 10u}) {
				if (comp && !order)
					continue;
				std::string what = "order " + std::to_string(order) + (comp ? " compound" : "") +
						   (fast ? " (fast paths)" : " (Linux's paths)");
				size_t bytes = PAGE_SIZE << order;
				struct page *p = alloc_pages(GFP_KERNEL | comp, order);
				ASSERT_NE(p, nullptr) << what;
				memset(page_address(p), kPattern, bytes);
				__free_pages(p, order);
				EXPECT_EQ(nonzero_bytes(page_address(p), bytes), 0u) << what << ": not cleared by the free";
				// Free memory is nobody's; the test writes it to see that the next
				// allocation does not clear the block a second time.
				memset(page_address(p), kPattern, bytes);
				struct page *q = alloc_pages(GFP_KERNEL | comp, order);
				ASSERT_EQ(q, p) << what << ": not the block just freed";
				EXPECT_TRUE(all_bytes(page_address(q), bytes, kPattern)) << what << ": cleared twice";
				memset(page_address(q), 0, bytes);
				__free_pages(q, order);
			}
		}
	}
	// A refused free (the wrong order) leaves the block and its bytes alone.
	struct page *p = alloc_pages(GFP_KERNEL, 2);
	ASSERT_NE(p, nullptr);
	memset(page_address(p), kPattern, PAGE_SIZE << 2);
	__free_pages(p, 1);
	EXPECT_EQ(nr_bad_pages, 1u);
	EXPECT_TRUE(all_bytes(page_address(p), PAGE_SIZE << 2, kPattern)) << "a refused free cleared the block";
	host_console_take();
	nr_bad_pages = 0;
	__free_pages(p, 2);
	EXPECT_EQ(nr_bad_pages, 0u);
	EXPECT_EQ(nonzero_bytes(page_address(p), PAGE_SIZE << 2), 0u);
}

// init_on_free clears all memory at the hand-over (memblock_free_all()): the
// free memory is filled with a pattern before it, every free block reads zero
// after. Off, the pattern stays.
TEST_F(MemInitPages, InitOnFreeClearsAllMemoryAtTheHandOver)
{
	for (bool on : {false, true}) {
		if (on) {
			TearDown();
			SetUp();
		}
		ASSERT_EQ(early_init_on_free(on ? "1" : "0"), 0);
		after_memmap_init = [] {
			u64 i;
			phys_addr_t s, e;
			for_each_free_mem_range(i, NUMA_NO_NODE, MEMBLOCK_NONE, &s, &e, nullptr)
				memset(__va(s), kPattern, e - s);
		};
		boot_small();
		ASSERT_EQ(init_on_free, on);
		unsigned long dirty;
		unsigned long blocks = walk_free_blocks(-1, &dirty);
		ASSERT_GT(blocks, 10u);
		EXPECT_EQ(dirty, on ? 0 : blocks) << (on ? "on" : "off");
	}
}

class MemInitSlab : public slub_test::Slub {};

// A cache's object and a kmalloc object, freed with a pattern and taken again
// (the same object, from the sheaf): cleared with init_on_alloc, as it was
// left without. A cache with a constructor keeps what the constructor made.
TEST_F(MemInitSlab, InitOnAllocClearsObjectsButNotConstructedOnes)
{
	boot();
	struct kmem_cache *s = kmem_cache_create("meminit200", 200, 0, 0, nullptr);
	struct kmem_cache *c = kmem_cache_create("meminit-ctor", 100, 0, 0, [](void *p) { memset(p, 0xc7, 100); });
	ASSERT_NE(s, nullptr);
	ASSERT_NE(c, nullptr);
	for (bool on : {false, true}) {
		set_init_on(on, false);
		void *p = kmem_cache_alloc(s, GFP_KERNEL);
		memset(p, kPattern, 200);
		kmem_cache_free(s, p);
		void *q = kmem_cache_alloc(s, GFP_KERNEL);
		ASSERT_EQ(q, p);
		EXPECT_EQ(nonzero_bytes(q, 200), on ? 0u : 200u) << (on ? "on" : "off");
		kmem_cache_free(s, q);

		p = kmalloc(64, GFP_KERNEL);
		memset(p, kPattern, 64);
		kfree(p);
		q = kmalloc(64, GFP_KERNEL);
		ASSERT_EQ(q, p);
		EXPECT_EQ(nonzero_bytes(q, 64), on ? 0u : 64u) << (on ? "on" : "off");
		kfree(q);

		p = kmem_cache_alloc(c, GFP_KERNEL);
		EXPECT_TRUE(all_bytes(p, 100, 0xc7)) << "a constructed object was cleared";
		kmem_cache_free(c, p);
	}
	EXPECT_EQ(kmem_cache_destroy(s), 0);
	EXPECT_EQ(kmem_cache_destroy(c), 0);
	EXPECT_EQ(console(), "");
}

// init_on_free clears an object as it is freed, on every path it can take:
// the sheaves, a cache without them (the CPU slab and other slabs), a debug
// cache (slub_debug=F) and kmalloc. Only the free pointer, written after,
// may be non-zero, and it is wiped when the object is handed out again. A
// constructed object is left as it is.
TEST_F(MemInitSlab, InitOnFreeClearsObjectsOnEveryPath)
{
	boot();
	set_init_on(false, true);
	struct {
		const char *name;
		slab_flags_t flags;
	} kinds[] = {
		{"meminit-sheaves", 0},
		{"meminit-nosheaves", SLAB_NOLEAKTRACE},
		{"meminit-debug", SLAB_CONSISTENCY_CHECKS},
	};
	for (auto &k : kinds) {
		struct kmem_cache *s = kmem_cache_create(k.name, 96, 0, k.flags, nullptr);
		ASSERT_NE(s, nullptr) << k.name;
		// Enough objects for several slabs, freed in an order that reaches
		// slabs other than the CPU's, and a full sheaf.
		const unsigned n = 3 * slab_cache_objects(s) + s->sheaf_capacity + 1;
		std::vector<void *> objs;
		for (unsigned i = 0; i < n; i++) {
			objs.push_back(kmem_cache_alloc(s, GFP_KERNEL));
			ASSERT_NE(objs.back(), nullptr);
			memset(objs.back(), kPattern, 96);
		}
		for (unsigned i = 0; i < n; i++) {
			void *p = objs[i % 2 ? n - 1 - i / 2 : i / 2]; /* from both ends */
			kmem_cache_free(s, p);
			u8 copy[96];
			memcpy(copy, p, 96);
			if (s->offset < 96)
				memset(copy + s->offset, 0, sizeof(void *));
			EXPECT_EQ(nonzero_bytes(copy, 96), 0u) << k.name << ": object " << i;
		}
		// Taken again (from sheaves, slab freelists and the CPU slab), with the
		// free pointer wiped (maybe_wipe_obj_freeptr()): all zero.
		for (unsigned i = 0; i < n; i++) {
			objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
			ASSERT_NE(objs[i], nullptr);
			EXPECT_EQ(nonzero_bytes(objs[i], 96), 0u) << k.name << ": object " << i << " handed out";
		}
		for (void *p : objs)
			kmem_cache_free(s, p);
		EXPECT_EQ(kmem_cache_destroy(s), 0) << k.name;
	}
	void *p = kmalloc(512, GFP_KERNEL);
	memset(p, kPattern, 512);
	kfree(p);
	EXPECT_EQ(nonzero_bytes(p, 512), 0u) << "kmalloc-512";

	struct kmem_cache *c = kmem_cache_create("meminit-ctor", 100, 0, 0, [](void *q) { memset(q, 0xc7, 100); });
	p = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, p);
	EXPECT_TRUE(all_bytes(p, 100, 0xc7)) << "a constructed object was cleared";
	EXPECT_EQ(kmem_cache_destroy(c), 0);
	EXPECT_EQ(console(), "");
}

// An object freed twice in a row heads the CPU freelist: the second free is
// reported and refused before anything is cleared, so its free pointer still
// links the freelist (clearing it first would lose the objects behind it).
TEST_F(MemInitSlab, InitOnFreeLeavesAnObjectFreedTwiceAsItIs)
{
	boot();
	set_init_on(false, true);
	struct kmem_cache *s = kmem_cache_create("meminit-twice", 64, 0, SLAB_NOLEAKTRACE, nullptr);
	ASSERT_NE(s, nullptr);
	void *a = kmem_cache_alloc(s, GFP_KERNEL);
	void *b = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	kmem_cache_free(s, b);
	EXPECT_NE(console().find("Object already free"), std::string::npos);
	void *x = kmem_cache_alloc(s, GFP_KERNEL);
	void *y = kmem_cache_alloc(s, GFP_KERNEL);
	EXPECT_EQ(x, b);
	EXPECT_EQ(y, a) << "the freelist lost the objects behind the object freed twice";
	kmem_cache_free(s, x);
	kmem_cache_free(s, y);
	EXPECT_EQ(kmem_cache_destroy(s), 0);
}

// krealloc() within the object clears the bytes past the new size with
// init_on_alloc (or __GFP_ZERO), so that growing into them later finds zeroes.
TEST_F(MemInitSlab, KreallocClearsTheSpareBytes)
{
	boot();
	for (bool on : {false, true}) {
		set_init_on(on, false);
		u8 *p = (u8 *)kmalloc(100, GFP_KERNEL);
		memset(p, kPattern, 128);
		u8 *q = (u8 *)krealloc(p, 40, GFP_KERNEL);
		ASSERT_EQ(q, p);
		EXPECT_TRUE(all_bytes(q, 40, kPattern));
		EXPECT_EQ(nonzero_bytes(q + 40, 88), on ? 0u : 88u) << (on ? "on" : "off");
		memset(q + 40, kPattern, 88);
		q = (u8 *)krealloc(q, 60, GFP_KERNEL | __GFP_ZERO);
		EXPECT_EQ(nonzero_bytes(q + 60, 68), 0u) << "__GFP_ZERO";
		kfree(q);
	}
}

} // namespace
