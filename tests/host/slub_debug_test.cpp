// slub_debug: the option's syntax, the debug layout, and each kind of misuse
// detected, reported in Linux's words, and refused without corrupting the cache.
#include <string.h>

#include <vector>

#include "tests/host/slub_test.h"

namespace {

using slub_test::buddy_snapshot;
using slub_test::objects_in_use;
using slub_test::Slub;

constexpr slab_flags_t FZPU = SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER;

class SlubDebug : public Slub {
protected:
	bool has(const std::string &log, const char *needle) { return log.find(needle) != std::string::npos; }
};

TEST_F(SlubDebug, OptionSyntax)
{
	EXPECT_EQ(setup_slub_debug(nullptr), 0);
	EXPECT_EQ(slub_debug_flags(), FZPU);
	EXPECT_EQ(setup_slub_debug("FZ"), 0);
	EXPECT_EQ(slub_debug_flags(), SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE);
	EXPECT_EQ(setup_slub_debug("pu"), 0);
	EXPECT_EQ(slub_debug_flags(), SLAB_POISON | SLAB_STORE_USER);
	EXPECT_EQ(setup_slub_debug("-"), 0);
	EXPECT_EQ(slub_debug_flags(), 0u);

	// Per cache: only the named caches, others untouched; '*' ends a prefix.
	EXPECT_EQ(setup_slub_debug("FZ,kmalloc-64"), 0);
	EXPECT_EQ(slub_debug_flags(), 0u);
	EXPECT_EQ(kmem_cache_flags(64, 0, "kmalloc-64"), SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE);
	EXPECT_EQ(kmem_cache_flags(64, 0, "kmalloc-640"), 0u);
	EXPECT_EQ(setup_slub_debug("P,dentry*,kmalloc-8;T,foo"), 0);
	EXPECT_EQ(kmem_cache_flags(8, 0, "dentry_cache"), SLAB_POISON);
	EXPECT_EQ(kmem_cache_flags(8, 0, "kmalloc-8"), SLAB_POISON);
	EXPECT_EQ(kmem_cache_flags(8, 0, "foo"), SLAB_TRACE);
	EXPECT_EQ(kmem_cache_flags(8, 0, "bar"), 0u);
	// A global block and a named one.
	EXPECT_EQ(setup_slub_debug("Z;FP,kmalloc-*"), 0);
	EXPECT_EQ(kmem_cache_flags(8, 0, "kmalloc-8"), SLAB_CONSISTENCY_CHECKS | SLAB_POISON);
	EXPECT_EQ(kmem_cache_flags(8, 0, "other"), SLAB_RED_ZONE);
	EXPECT_EQ(kmem_cache_flags(8, SLAB_NO_USER_FLAGS, "other"), SLAB_NO_USER_FLAGS);

	// Bad input: an error, and the previous setting stands.
	EXPECT_EQ(setup_slub_debug("FQ"), -EINVAL);
	EXPECT_EQ(setup_slub_debug("F,"), -EINVAL);
	EXPECT_NE(console().find("slub_debug option 'Q' unknown"), std::string::npos);
	EXPECT_EQ(slub_debug_flags(), SLAB_RED_ZONE);
	EXPECT_EQ(kmem_cache_flags(8, 0, "kmalloc-8"), SLAB_CONSISTENCY_CHECKS | SLAB_POISON);
}

TEST_F(SlubDebug, DebugLayoutOfKmalloc64)
{
	boot("FZPU");
	struct kmem_cache *s = kmalloc_caches[KMALLOC_NORMAL][6];
	EXPECT_EQ(s->flags & FZPU, FZPU);
	EXPECT_TRUE(s->flags & __OBJECT_POISON);
	// [left red zone 64 (align 64)][object 64][right red zone 8][free ptr 8][2 tracks][pad]
	EXPECT_EQ(s->red_left_pad, 64u);
	EXPECT_EQ(s->inuse, 72u);
	EXPECT_EQ(s->offset, 72u);
	EXPECT_EQ(s->size, ALIGN(64 + 72 + 8 + 2 * sizeof(struct track), 64));
	u8 *p = (u8 *)kmalloc(64, GFP_KERNEL);
	ASSERT_NE(p, nullptr);
	EXPECT_EQ((uintptr_t)p % 64, 0u);
	// Allocated: red zones active, the object still poisoned until written.
	for (int i = 1; i <= 64; i++)
		ASSERT_EQ(p[-i], SLUB_RED_ACTIVE);
	for (int i = 0; i < 8; i++)
		ASSERT_EQ(p[64 + i], SLUB_RED_ACTIVE);
	EXPECT_EQ(p[0], POISON_FREE);
	EXPECT_EQ(p[63], POISON_END);
	kfree(p);
	// Freed: poisoned again, red zones inactive.
	EXPECT_EQ(p[0], POISON_FREE);
	EXPECT_EQ(p[64], SLUB_RED_INACTIVE);
	EXPECT_EQ(slab_errors_reported(), 0u);
	// Debug caches never use the CPU freelist.
	EXPECT_EQ(s->cpu_slab->slab, nullptr);
}

TEST_F(SlubDebug, RightRedzoneOverwriteIsReportedRestoredAndTheFreeRefused)
{
	boot("FZPU");
	u8 *p = (u8 *)kmalloc(64, GFP_KERNEL);
	struct kmem_cache *s = virt_to_cache(p);
	unsigned long used = objects_in_use(s);
	p[64] = 0x42; // one byte past the object
	kfree(p);
	std::string log = console();
	EXPECT_TRUE(has(log, "BUG kmalloc-64 (Not tainted): Right Redzone overwritten")) << log;
	EXPECT_TRUE(has(log, "First byte 0x42 instead of 0xcc")) << log;
	EXPECT_TRUE(has(log, "INFO: ") || has(log, "Slab 0x")) << log;
	EXPECT_TRUE(has(log, "Allocated in 0x")) << log;
	EXPECT_TRUE(has(log, "Redzone  0x")) << log;
	EXPECT_FALSE(has(log, "\001")) << "a log level inside a line";
	EXPECT_TRUE(has(log, "Object   0x")) << log;
	EXPECT_TRUE(has(log, "FIX kmalloc-64: Restoring Right Redzone")) << log;
	EXPECT_TRUE(has(log, "FIX kmalloc-64: Object at")) << log;
	EXPECT_EQ(p[64], SLUB_RED_ACTIVE);
	EXPECT_EQ(objects_in_use(s), used) << "a refused free changed the counts";
	EXPECT_EQ(slab_errors_reported(), 1u);
	// Repaired: the object can now be freed, and the next report says Tainted.
	kfree(p);
	EXPECT_EQ(objects_in_use(s), used - 1);
	u8 *q = (u8 *)kmalloc(64, GFP_KERNEL);
	q[-1] = 0;
	kfree(q);
	EXPECT_TRUE(has(console(), "BUG kmalloc-64 (Tainted: B): Left Redzone overwritten"));
	kfree(q);
}

TEST_F(SlubDebug, DoubleFreeIsReportedAndChangesNothing)
{
	boot("FZPU");
	void *p = kmalloc(100, GFP_KERNEL);
	void *other = kmalloc(100, GFP_KERNEL);
	struct kmem_cache *s = virt_to_cache(p);
	// kmalloc-128 also holds the random_seq of caches of 17 to 32 objects a slab.
	unsigned long others = objects_in_use(s) - 2;
	kfree(p);
	unsigned long used = objects_in_use(s);
	kfree(p);
	std::string log = console();
	EXPECT_TRUE(has(log, "BUG kmalloc-128 (Not tainted): Object already free")) << log;
	EXPECT_EQ(objects_in_use(s), used);
	// The freelist is intact: two allocations give two different objects.
	void *a = kmalloc(100, GFP_KERNEL);
	void *b = kmalloc(100, GFP_KERNEL);
	EXPECT_NE(a, b);
	kfree(a);
	kfree(b);
	kfree(other);
	EXPECT_EQ(objects_in_use(s), others);
}

TEST_F(SlubDebug, DoubleFreeWithoutDebuggingIsCaughtByTheHardenedFreelist)
{
	boot();
	void *p = kmalloc(100, GFP_KERNEL);
	struct kmem_cache *s = virt_to_cache(p);
	unsigned long used = objects_in_use(s);
	kfree(p);
	kfree(p);
	EXPECT_TRUE(has(console(), "BUG kmalloc-128 (Not tainted): Object already free"));
	EXPECT_EQ(objects_in_use(s), used - 1);
	void *a = kmalloc(100, GFP_KERNEL);
	void *b = kmalloc(100, GFP_KERNEL);
	EXPECT_NE(a, b) << "the double free corrupted the freelist";
	kfree(a);
	kfree(b);
}

TEST_F(SlubDebug, WriteAfterFreeIsFoundWhenTheObjectIsReusedOrTheSlabDiscarded)
{
	boot("FZPU");
	struct kmem_cache *s = kmem_cache_create("uaf", 200, 0, 0, nullptr);
	ASSERT_NE(s, nullptr);
	EXPECT_TRUE(s->flags & __OBJECT_POISON);
	u8 *p = (u8 *)kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p);
	p[10] = 0x00;
	// kmem_cache_shrink() discards the empty slab: every object is checked first.
	auto before = slub_test::free_pages_now();
	kmem_cache_shrink(s);
	std::string log = console();
	EXPECT_TRUE(has(log, "BUG uaf (Not tainted): Poison overwritten")) << log;
	EXPECT_TRUE(has(log, "First byte 0x0 instead of 0x6b")) << log;
	EXPECT_TRUE(has(log, "FIX uaf: Restoring Poison")) << log;
	EXPECT_GT(slub_test::free_pages_now(), before) << "the slab was not freed";

	// On allocation: the corrupt object is caught and its slab taken out of use.
	u8 *a = (u8 *)kmem_cache_alloc(s, GFP_KERNEL);
	u8 *b = (u8 *)kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, b);
	b[199 - 1] = 0x11;
	u8 *c = (u8 *)kmem_cache_alloc(s, GFP_KERNEL);
	log = console();
	EXPECT_TRUE(has(log, "BUG uaf (Tainted: B): Poison overwritten")) << log;
	EXPECT_TRUE(has(log, "FIX uaf: Marking all objects used")) << log;
	ASSERT_NE(c, nullptr);
	EXPECT_NE(c, b) << "the corrupt object was handed out";
	kmem_cache_free(s, a);
	kmem_cache_free(s, c);
}

TEST_F(SlubDebug, FreeOfAPointerNotFromASlab)
{
	boot("FZPU");
	slub_test::shrink_all();
	unsigned long free = slub_test::free_pages_now();
	int local;
	kfree(&local);
	std::string log = console();
	EXPECT_TRUE(has(log, "kfree: object pointer")) << log;
	EXPECT_TRUE(has(log, "not from kmalloc")) << log;
	// A buddy page that is not a kmalloc block.
	struct page *page = alloc_pages(GFP_KERNEL, 0);
	ASSERT_NE(page, nullptr);
	kfree(page_address(page));
	EXPECT_TRUE(has(console(), "is not from a slab or kmalloc_large"));
	EXPECT_EQ(page_ref_count(page), 1);
	// Inside a large kmalloc, not at its start.
	u8 *big = (u8 *)kmalloc(20000, GFP_KERNEL);
	kfree(big + PAGE_SIZE);
	EXPECT_TRUE(has(console(), "is not from a slab or kmalloc_large"));
	kfree(big);
	// Inside a slab object (debug caches check the object boundary).
	u8 *obj = (u8 *)kmalloc(64, GFP_KERNEL);
	kfree(obj + 8);
	log = console();
	// The reports above were refusals, not corruption: no taint yet.
	EXPECT_TRUE(has(log, "BUG kmalloc-64 (Not tainted): Invalid object pointer")) << log;
	kfree(obj);
	__free_pages(page, 0);
	slub_test::shrink_all();
	EXPECT_EQ(slub_test::free_pages_now(), free);
	EXPECT_EQ(slab_errors_reported(), 4u);
	// kmem_cache_free() of memory that is no slab.
	struct kmem_cache *s = kmalloc_caches[KMALLOC_NORMAL][6];
	kmem_cache_free(s, &local);
	EXPECT_TRUE(has(console(), "kmem_cache_free: kmalloc-64: object"));
}

TEST_F(SlubDebug, FreeToTheWrongCacheIsRefused)
{
	boot();
	struct kmem_cache *a = kmem_cache_create("cache_a", 64, 0, 0, nullptr);
	struct kmem_cache *b = kmem_cache_create("cache_b", 64, 0, 0, nullptr);
	void *p = kmem_cache_alloc(a, GFP_KERNEL);
	kmem_cache_free(b, p);
	EXPECT_TRUE(has(console(), "kmem_cache_free: Wrong slab cache. cache_b but object is from cache_a"));
	EXPECT_EQ(objects_in_use(a), 1u);
	EXPECT_EQ(objects_in_use(b), 0u);
	EXPECT_EQ(kmem_cache_destroy(a), -EBUSY);
	kmem_cache_free(a, p);
	EXPECT_EQ(kmem_cache_destroy(a), 0);
	EXPECT_EQ(kmem_cache_destroy(b), 0);
}

TEST_F(SlubDebug, CorruptFreePointerIsCaught)
{
	boot("FZPU");
	struct kmem_cache *s = kmem_cache_create("fpc", 48, 0, 0, nullptr);
	void *a = kmem_cache_alloc(s, GFP_KERNEL);
	void *b = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, a);
	// Overwrite the stored (hardened) free pointer of the free object.
	*(unsigned long *)((u8 *)a + s->offset) = 0x4141414141414141UL;
	kmem_cache_free(s, b); // on_freelist() walks through a
	std::string log = console();
	EXPECT_TRUE(has(log, "BUG fpc (Not tainted): Freechain corrupt") || has(log, "Freepointer corrupt")) << log;
	// Nothing crashed; the cache can still be shrunk (the lost objects stay lost).
	kmem_cache_shrink(s);
}

TEST_F(SlubDebug, PerCacheOptionLeavesOtherCachesFast)
{
	boot("FZ,kmalloc-64");
	EXPECT_TRUE(kmalloc_caches[KMALLOC_NORMAL][6]->flags & SLAB_RED_ZONE);
	EXPECT_FALSE(kmalloc_caches[KMALLOC_NORMAL][7]->flags & SLAB_DEBUG_FLAGS);
	EXPECT_FALSE(kmalloc_caches[KMALLOC_NORMAL][6]->flags & SLAB_POISON);
	u8 *p = (u8 *)kmalloc(60, GFP_KERNEL);
	p[64] = 1;
	kfree(p);
	EXPECT_TRUE(has(console(), "BUG kmalloc-64 (Not tainted): Right Redzone overwritten"));
	kfree(p);
	void *q = kmalloc(128, GFP_KERNEL);
	EXPECT_NE(kmalloc_caches[KMALLOC_NORMAL][7]->cpu_slab->slab, nullptr);
	kfree(q);
}

TEST_F(SlubDebug, TraceLogsAllocAndFree)
{
	boot("T,trace_me");
	struct kmem_cache *s = kmem_cache_create("trace_me", 32, 0, 0, nullptr);
	void *p = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p);
	std::string log = console();
	EXPECT_TRUE(has(log, "TRACE trace_me alloc 0x")) << log;
	EXPECT_TRUE(has(log, "TRACE trace_me free 0x")) << log;
	kmem_cache_destroy(s);
}

TEST_F(SlubDebug, DebugChurnLeavesTheBuddyAsItWasAndReportsNothing)
{
	boot("FZPU");
	auto before = slub_test::slab_quiet_snapshot();
	std::vector<void *> v;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 3000; i++)
			v.push_back(kmalloc(1 + (i * 37) % 9000, GFP_KERNEL));
		for (size_t i = 0; i < v.size(); i += 3)
			kfree(v[i]);
		for (size_t i = 1; i < v.size(); i += 3)
			kfree(v[i]);
		for (size_t i = 2; i < v.size(); i += 3)
			kfree(v[i]);
		v.clear();
	}
	EXPECT_EQ(slab_errors_reported(), 0u) << console();
	// kmalloc-* caches had no slabs before this test's allocations except what kmem_cache_init made.
	EXPECT_EQ(slub_test::slab_quiet_snapshot(), before);
}

} // namespace
