// The allocator-independent half of the slab allocator, mirroring
// mm/slab_common.c of Linux 6.1: kmem_cache_create()/destroy()/shrink(), the
// kmalloc caches and kmalloc()/kfree()/ksize()/krealloc(), large kmalloc from
// the page allocator, kmem_cache_init()'s order, /proc/slabinfo, and the
// slub_debug= option (parsed in mm/slub.c in Linux).
#include "mm/slab.h"

#include <string.h>

#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/random.h"
#include "mm/numa.h"
#include "mm/page_alloc.h"
#include "mm/slub_internal.h"
#include "mm/sparse.h"

struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];

/*
 * size_index: the kmalloc index of sizes up to 192 bytes, in 8-byte steps
 * (size_index_elem()), so that 72..96 use kmalloc-96 and 136..192 kmalloc-192.
 */
u8 size_index[24] = {
	3, /* 8 */   4, /* 16 */  5, /* 24 */  5, /* 32 */  6, /* 40 */  6, /* 48 */
	6, /* 56 */  6, /* 64 */  1, /* 72 */  1, /* 80 */  1, /* 88 */  1, /* 96 */
	7, /* 104 */ 7, /* 112 */ 7, /* 120 */ 7, /* 128 */ 2, /* 136 */ 2, /* 144 */
	2, /* 152 */ 2, /* 160 */ 2, /* 168 */ 2, /* 176 */ 2, /* 184 */ 2, /* 192 */
};

/* kmalloc_info[]: names and sizes of the kmalloc caches by index. */
static const struct {
	const char *name[NR_KMALLOC_TYPES];
	unsigned int size;
} kmalloc_info[KMALLOC_SHIFT_HIGH + 1] = {
	{{nullptr, nullptr, nullptr, nullptr}, 0},
	{{"kmalloc-96", "kmalloc-rcl-96", "dma-kmalloc-96", "dma32-kmalloc-96"}, 96},
	{{"kmalloc-192", "kmalloc-rcl-192", "dma-kmalloc-192", "dma32-kmalloc-192"}, 192},
	{{"kmalloc-8", "kmalloc-rcl-8", "dma-kmalloc-8", "dma32-kmalloc-8"}, 8},
	{{"kmalloc-16", "kmalloc-rcl-16", "dma-kmalloc-16", "dma32-kmalloc-16"}, 16},
	{{"kmalloc-32", "kmalloc-rcl-32", "dma-kmalloc-32", "dma32-kmalloc-32"}, 32},
	{{"kmalloc-64", "kmalloc-rcl-64", "dma-kmalloc-64", "dma32-kmalloc-64"}, 64},
	{{"kmalloc-128", "kmalloc-rcl-128", "dma-kmalloc-128", "dma32-kmalloc-128"}, 128},
	{{"kmalloc-256", "kmalloc-rcl-256", "dma-kmalloc-256", "dma32-kmalloc-256"}, 256},
	{{"kmalloc-512", "kmalloc-rcl-512", "dma-kmalloc-512", "dma32-kmalloc-512"}, 512},
	{{"kmalloc-1k", "kmalloc-rcl-1k", "dma-kmalloc-1k", "dma32-kmalloc-1k"}, 1024},
	{{"kmalloc-2k", "kmalloc-rcl-2k", "dma-kmalloc-2k", "dma32-kmalloc-2k"}, 2048},
	{{"kmalloc-4k", "kmalloc-rcl-4k", "dma-kmalloc-4k", "dma32-kmalloc-4k"}, 4096},
	{{"kmalloc-8k", "kmalloc-rcl-8k", "dma-kmalloc-8k", "dma32-kmalloc-8k"}, 8192},
};

/* ---- slub_debug= ---- */

/* DEBUG_DEFAULT_FLAGS: slub_debug with no letters. */
#define DEBUG_DEFAULT_FLAGS (SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)

static slab_flags_t slub_debug;
struct slub_debug_block {
	slab_flags_t flags;
	char slabs[96];
};
static struct slub_debug_block slub_debug_blocks[8];
static unsigned int nr_slub_debug_blocks;

slab_flags_t slub_debug_flags(void)
{
	return slub_debug;
}

/*
 * parse_slub_debug_flags(): the option letters of one block, up to ',' or the
 * end. No letters: DEBUG_DEFAULT_FLAGS. -EINVAL on a letter we do not have.
 */
static int parse_slub_debug_flags(const char *str, const char *end, slab_flags_t *flags)
{
	if (str == end) {
		*flags = DEBUG_DEFAULT_FLAGS;
		return 0;
	}
	*flags = 0;
	for (; str < end; str++) {
		switch (*str | 0x20) {
		case '-':
			*flags = 0;
			break;
		case 'f':
			*flags |= SLAB_CONSISTENCY_CHECKS;
			break;
		case 'z':
			*flags |= SLAB_RED_ZONE;
			break;
		case 'p':
			*flags |= SLAB_POISON;
			break;
		case 'u':
			*flags |= SLAB_STORE_USER;
			break;
		case 't':
			*flags |= SLAB_TRACE;
			break;
		default:
			pr_err("slub_debug option '%c' unknown (F Z P U T and - are supported)\n", *str);
			return -EINVAL;
		}
	}
	return 0;
}

int setup_slub_debug(const char *str)
{
	struct slub_debug_block blocks[ARRAY_SIZE(slub_debug_blocks)];
	unsigned int nr = 0;
	slab_flags_t global = 0;
	bool have_global = false;

	if (!str || !*str) {
		slub_debug = DEBUG_DEFAULT_FLAGS;
		nr_slub_debug_blocks = 0;
		return 0;
	}
	while (*str) {
		const char *semi = strchr(str, ';');
		const char *end = semi ? semi : str + strlen(str);
		const char *comma = str;
		slab_flags_t flags;

		while (comma < end && *comma != ',')
			comma++;
		if (parse_slub_debug_flags(str, comma, &flags))
			return -EINVAL;
		if (comma < end) {
			size_t len = end - comma - 1;
			if (!len || nr == ARRAY_SIZE(blocks) || len >= sizeof(blocks[0].slabs)) {
				pr_err("slub_debug: bad or too long cache list in '%s'\n", str);
				return -EINVAL;
			}
			blocks[nr].flags = flags;
			memcpy(blocks[nr].slabs, comma + 1, len);
			blocks[nr].slabs[len] = '\0';
			nr++;
		} else {
			global = flags;
			have_global = true;
		}
		str = semi ? semi + 1 : end;
	}
	slub_debug = have_global ? global : 0;
	memcpy(slub_debug_blocks, blocks, sizeof(blocks[0]) * nr);
	nr_slub_debug_blocks = nr;
	return 0;
}

/* Does @name match an entry of the comma-separated @list ('*' ends a prefix)? */
static bool slab_name_in_list(const char *list, const char *name)
{
	size_t namelen = strlen(name);
	while (*list) {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);
		if (len && list[len - 1] == '*') {
			if (namelen >= len - 1 && !strncmp(list, name, len - 1))
				return true;
		} else if (len == namelen && !strncmp(list, name, len)) {
			return true;
		}
		if (!end)
			break;
		list = end + 1;
	}
	return false;
}

/* kmem_cache_flags(): the debug flags slub_debug= gives cache @name. */
slab_flags_t kmem_cache_flags(unsigned int object_size, slab_flags_t flags, const char *name)
{
	slab_flags_t block_flags = slub_debug;

	if (flags & SLAB_NO_USER_FLAGS)
		return flags;
	for (unsigned int i = 0; i < nr_slub_debug_blocks; i++) {
		if (slab_name_in_list(slub_debug_blocks[i].slabs, name)) {
			block_flags = slub_debug_blocks[i].flags;
			break;
		}
	}
	return flags | block_flags;
}

/* ---- Cache creation and destruction ---- */

/*
 * calculate_alignment(): SLAB_HWCACHE_ALIGN aligns to the cache line, or to a
 * fraction of it for small objects, so that two small objects can share a line.
 */
unsigned int calculate_alignment(slab_flags_t flags, unsigned int align, unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = cache_line_size();
		while (size <= ralign / 2)
			ralign /= 2;
		align = kmax(align, ralign);
	}
	align = kmax<unsigned int>(align, ARCH_SLAB_MINALIGN);
	return (unsigned int)ALIGN(align, sizeof(void *));
}

void strncpy_name(struct kmem_cache *s, const char *name)
{
	size_t len = kmin(strlen(name), sizeof(s->name_buf) - 1);
	memcpy(s->name_buf, name, len);
	s->name_buf[len] = '\0';
	s->name = s->name_buf;
}

int create_boot_cache(struct kmem_cache *s, const char *name, unsigned int size, slab_flags_t flags,
		      unsigned int useroffset, unsigned int usersize)
{
	unsigned int align = ARCH_KMALLOC_MINALIGN;
	int err;

	/* Power-of-two kmalloc sizes get natural alignment, whatever the debug options do. */
	if (is_power_of_2(size))
		align = kmax(align, size);

	memset(s, 0, offsetof(struct kmem_cache, node));
	strncpy_name(s, name);
	s->size = s->object_size = size;
	s->align = calculate_alignment(flags, align, size);
	err = __kmem_cache_create(s, flags);
	if (err) {
		pr_err("Creation of kmalloc slab %s size=%u failed. Reason %d\n", name, size, err);
		return err;
	}
	s->refcount = -1; /* -1 keeps boot caches out of merging (Linux) */
	list_add(&s->list, &slab_caches);
	return 0;
}

static bool slab_cache_listed(const struct kmem_cache *s)
{
	struct kmem_cache *t;
	list_for_each_entry(t, &slab_caches, list) if (t == s) return true;
	return false;
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *s;
	int err = -EINVAL;

	/* kmem_cache_sanity_check(), and what would make the layout meaningless. */
	if (!name || !*name || !size || size > KMALLOC_MAX_SIZE) {
		pr_err("kmem_cache_create(%s) integrity check failed\n", name ? name : "(null)");
		goto out;
	}
	if (strlen(name) >= sizeof(s->name_buf)) {
		pr_err("kmem_cache_create(%s): name longer than %zu characters\n", name, sizeof(s->name_buf) - 1);
		goto out;
	}
	if (flags & ~CACHE_CREATE_MASK) {
		pr_err("kmem_cache_create(%s): unknown flags %#x\n", name, flags & ~CACHE_CREATE_MASK);
		goto out;
	}
	if (align && (!is_power_of_2(align) || align > PAGE_SIZE)) {
		pr_err("kmem_cache_create(%s): alignment %u is not a power of two up to %llu\n", name, align,
		       (unsigned long long)PAGE_SIZE);
		goto out;
	}
	if (slab_state < UP) {
		pr_err("kmem_cache_create(%s): the slab allocator is not up (kmem_cache_init)\n", name);
		goto out;
	}

	err = -ENOMEM;
	s = (struct kmem_cache *)kmem_cache_zalloc(kmem_cache, GFP_KERNEL);
	if (!s)
		goto out;
	strncpy_name(s, name);
	s->object_size = s->size = size;
	s->align = calculate_alignment(flags, align, size);
	s->ctor = ctor;
	err = __kmem_cache_create(s, flags);
	if (err) {
		cache_random_seq_destroy(s);
		kmem_cache_free(kmem_cache, s);
		goto out;
	}
	s->refcount = 1;
	list_add(&s->list, &slab_caches);
	return s;

out:
	slab_count_errors();
	if (flags & SLAB_PANIC)
		pr_err("kmem_cache_create: Failed to create slab '%s'. Error %d (SLAB_PANIC: reported, not panicking)\n",
		       name ? name : "(null)", err);
	else
		pr_warn("kmem_cache_create(%s) failed with error %d\n", name ? name : "(null)", err);
	return nullptr;
}

int kmem_cache_destroy(struct kmem_cache *s)
{
	if (!s)
		return 0;
	if (!slab_cache_listed(s)) {
		pr_err("kmem_cache_destroy: %px is not a slab cache\n", s);
		slab_count_errors();
		return -EINVAL;
	}
	if ((s->flags & SLAB_KMALLOC) || s == kmem_cache || s == kmem_cache_node) {
		pr_err("kmem_cache_destroy %s: a kmalloc or bootstrap cache is never destroyed\n", s->name);
		slab_count_errors();
		return -EPERM;
	}
	if (--s->refcount)
		return 0;
	if (__kmem_cache_shutdown(s)) {
		s->refcount++;
		pr_err("kmem_cache_destroy %s: Slab cache still has objects when called from 0x%lx\n", s->name,
		       (unsigned long)__builtin_return_address(0));
		slab_count_errors();
		return -EBUSY;
	}
	list_del(&s->list);
	cache_random_seq_destroy(s); /* __kmem_cache_release() */
	kmem_cache_free(kmem_cache, s);
	return 0;
}

int kmem_cache_shrink(struct kmem_cache *s)
{
	return __kmem_cache_shrink(s);
}

/* ---- CONFIG_SLAB_FREELIST_RANDOM (mm/slab_common.c) ---- */

bool slab_freelist_random = true;

int setup_slab_freelist_random(const char *val)
{
	bool on;

	if (!val || kstrtobool(val, &on)) {
		pr_err("slab_freelist_random=%s: expected 0 or 1\n", val ? val : "");
		return -EINVAL;
	}
	slab_freelist_random = on;
	return 0;
}

/* freelist_randomize(): 0 .. count - 1, Fisher-Yates shuffled. */
static void freelist_randomize(unsigned int *list, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		list[i] = i;
	for (i = count - 1; i > 0; i--) {
		unsigned int r = get_random_u32_below(i + 1);
		unsigned int t = list[i];

		list[i] = list[r];
		list[r] = t;
	}
}

int cache_random_seq_create(struct kmem_cache *s, unsigned int count, gfp_t gfp)
{
	if (count < 2 || s->random_seq)
		return 0;
	s->random_seq = (unsigned int *)kcalloc(count, sizeof(unsigned int), gfp);
	if (!s->random_seq)
		return -ENOMEM;
	freelist_randomize(s->random_seq, count);
	return 0;
}

void cache_random_seq_destroy(struct kmem_cache *s)
{
	kfree(s->random_seq);
	s->random_seq = nullptr;
}

/* ---- kmalloc ---- */

static void new_kmalloc_cache(int idx, enum kmalloc_cache_type type, slab_flags_t flags)
{
	struct kmem_cache *s;

	if (type == KMALLOC_RECLAIM)
		flags |= SLAB_RECLAIM_ACCOUNT;
	else if (type == KMALLOC_DMA)
		flags |= SLAB_CACHE_DMA;
	else if (type == KMALLOC_DMA32)
		flags |= SLAB_CACHE_DMA32;

	/* create_kmalloc_cache() */
	s = (struct kmem_cache *)kmem_cache_zalloc(kmem_cache, GFP_NOWAIT);
	if (!s || create_boot_cache(s, kmalloc_info[idx].name[type], kmalloc_info[idx].size, flags | SLAB_KMALLOC,
				    0, kmalloc_info[idx].size)) {
		pr_err("kmem_cache_init: no %s cache\n", kmalloc_info[idx].name[type]);
		if (s)
			kmem_cache_free(kmem_cache, s);
		return;
	}
	s->refcount = 1;
	kmalloc_caches[type][idx] = s;
}

/* create_kmalloc_caches(): every class of every type, kmalloc-96 after -64 and -192 after -128. */
static int create_kmalloc_caches(slab_flags_t flags)
{
	int i;
	int type;

	for (type = KMALLOC_NORMAL; type < NR_KMALLOC_TYPES; type++) {
		for (i = KMALLOC_SHIFT_LOW; i <= KMALLOC_SHIFT_HIGH; i++) {
			if (!kmalloc_caches[type][i])
				new_kmalloc_cache(i, (enum kmalloc_cache_type)type, flags);
			if (KMALLOC_MIN_SIZE <= 32 && i == 6 && !kmalloc_caches[type][1])
				new_kmalloc_cache(1, (enum kmalloc_cache_type)type, flags);
			if (KMALLOC_MIN_SIZE <= 64 && i == 7 && !kmalloc_caches[type][2])
				new_kmalloc_cache(2, (enum kmalloc_cache_type)type, flags);
		}
	}
	for (type = KMALLOC_NORMAL; type < NR_KMALLOC_TYPES; type++)
		for (i = 1; i <= KMALLOC_SHIFT_HIGH; i++)
			if (kmalloc_info[i].size && !kmalloc_caches[type][i])
				return -ENOMEM;

	/* kmalloc_caches[] is filled in: kmalloc() works from here on */
	slab_state = UP;
	return 0;
}

int kmem_cache_init(void)
{
	int node, nr_nodes = 0;

	if (slab_state != DOWN) {
		pr_err("kmem_cache_init: called twice\n");
		return -EINVAL;
	}
	if (kmem_cache_init_slub())
		return -ENOMEM;
	if (create_kmalloc_caches(0))
		return -ENOMEM;
	if (init_freelist_randomization())
		return -ENOMEM;
	if (bootstrap_kmalloc_sheaves())
		return -ENOMEM;

	for_each_online_node(node) nr_nodes++;
	pr_info("SLUB: HWalign=%d, Order=%u-%u, MinObjects=%u, CPUs=%u, Nodes=%u\n", cache_line_size(),
		slub_min_order_value(), slub_max_order_value(), slub_min_objects_value(), 1, nr_nodes);
	/* kmem_cache_init_late() and slab_sysfs_init(): nothing more to do here. */
	slab_state = FULL;
	return 0;
}

/*
 * __kmalloc_large_node(): a compound page block straight from the buddy
 * allocator. We clear it ourselves for __GFP_ZERO rather than rely on the page
 * allocator's zeroing.
 */
void *__kmalloc_large_node(size_t size, gfp_t flags, int node)
{
	struct page *page;
	unsigned int order = get_order(size);
	bool zero = flags & __GFP_ZERO;

	if (order > MAX_PAGE_ORDER) {
		if (!(flags & __GFP_NOWARN))
			pr_warn("kmalloc: %zu bytes is above KMALLOC_MAX_SIZE (%lu)\n", size, KMALLOC_MAX_SIZE);
		return nullptr;
	}
	flags = (flags | __GFP_COMP) & ~__GFP_ZERO;
	if (node == NUMA_NO_NODE || !node_online(node))
		page = alloc_pages(flags, order);
	else
		page = alloc_pages_node(node, flags, order);
	if (!page)
		return nullptr;
	void *ptr = page_address(page);
	if (zero)
		memset(ptr, 0, PAGE_SIZE << order);
	return ptr;
}

void *kmalloc_large(size_t size, gfp_t flags)
{
	return __kmalloc_large_node(size, flags, NUMA_NO_NODE);
}

void *kmalloc_large_node(size_t size, gfp_t flags, int node)
{
	return __kmalloc_large_node(size, flags, node);
}

/*
 * The head page of a pointer, or nullptr (reported) for one that has no
 * struct page or lies in a free block.
 */
struct page *kmalloc_head_page(const void *object, const char *func)
{
	pfn_t pfn = PFN_DOWN(__pa(object));
	if (!pfn_valid(pfn)) {
		pr_err("%s: object pointer %px has no struct page: not from kmalloc\n", func, object);
		slab_count_errors();
		return nullptr;
	}
	return compound_head(pfn_to_page(pfn));
}

/*
 * A kmalloc_large() block: the head of a compound page, the pointer at its
 * start, in use. Linux frees whatever page it is given (warning for order
 * 0); we report anything else and leave it alone.
 */
bool is_large_kmalloc(struct page *page, const void *object, const char *func)
{
	if (!PageHead(page) || PageBuddy(page) || page_ref_count(page) <= 0 || object != page_address(page)) {
		pr_err("%s: object pointer %px is not from a slab or kmalloc_large (page pfn %#lx)\n", func, object,
		       (unsigned long)page_to_pfn(page));
		slab_count_errors();
		return false;
	}
	return true;
}

/* free_large_kmalloc() */
void free_large_kmalloc(struct page *page, void *object)
{
	__free_pages(page, compound_order(page));
}

/* slab_ksize(): how much of the object the caller may use. */
static size_t slab_ksize(const struct kmem_cache *s)
{
	/* Red zone or poison checks own the bytes after object_size, so only object_size is usable. */
	if (s->flags & (SLAB_RED_ZONE | SLAB_POISON))
		return s->object_size;
	/* A free pointer or track records sit at s->inuse; the caller may use everything before them. */
	if (s->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_STORE_USER))
		return s->inuse;
	/* No metadata after the object: the whole slot, padding included, is usable. */
	return s->size;
}

/* __ksize(); -1 for a pointer that is neither a slab object nor a large kmalloc. */
static long __ksize_checked(const void *object, const char *func)
{
	struct page *page = kmalloc_head_page(object, func);
	if (!page)
		return -1;
	if (unlikely(!PageSlab(page))) {
		if (!is_large_kmalloc(page, object, func))
			return -1;
		return (long)(PAGE_SIZE << compound_order(page));
	}
	return (long)slab_ksize(page->slab_cache);
}

size_t kmalloc_size_roundup(size_t size)
{
	int index;

	if (!size)
		return 0;
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return PAGE_SIZE << get_order(size);
	index = kmalloc_index(size);
	return index == 1 ? 96 : index == 2 ? 192 : (size_t)1 << index;
}

size_t ksize(const void *objp)
{
	if (unlikely(ZERO_OR_NULL_PTR(objp)))
		return 0;
	long ks = __ksize_checked(objp, "ksize");
	return ks < 0 ? 0 : (size_t)ks;
}

void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	void *ret;
	size_t ks = 0;

	if (unlikely(!new_size)) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	if (likely(!ZERO_OR_NULL_PTR(p))) {
		long k = __ksize_checked(p, "krealloc");
		if (k < 0)
			return nullptr; /* reported; @p untouched */
		ks = (size_t)k;
	}
	/*
	 * Big enough already: return it (Linux also re-poisons the unused tail;
	 * we do not). With __GFP_ZERO or init_on_alloc the spare bytes are
	 * cleared, so that a later krealloc() growing into them finds zeroes
	 * (Linux's "mm: krealloc: consider spare memory for __GFP_ZERO", 2024).
	 */
	if (ks >= new_size) {
		if (want_init_on_alloc(flags))
			memset((u8 *)p + new_size, 0, ks - new_size);
		return (void *)p;
	}

	ret = __kmalloc_node(new_size, flags, NUMA_NO_NODE);
	if (ret && p && !ZERO_OR_NULL_PTR(p)) {
		memcpy(ret, p, ks);
		kfree(p);
	}
	return ret;
}

/* ---- Inspection ---- */

/* /proc/slabinfo (mm/slab_common.c: print_slabinfo_header(), cache_show()), newest cache first. */
void slabinfo_show(void)
{
	struct kmem_cache *s;

	pr_info("slabinfo - version: 2.1\n");
	pr_info("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables "
		"<limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	list_for_each_entry(s, &slab_caches, list)
	{
		struct slabinfo sinfo;
		get_slabinfo(s, &sinfo);
		pr_info("%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu\n", s->name,
			sinfo.active_objs, sinfo.num_objs, s->size, sinfo.objects_per_slab, 1 << sinfo.cache_order, 0u,
			0u, 0u, sinfo.active_slabs, sinfo.num_slabs, 0UL);
	}
}

/*
 * A summary per cache that holds slabs (the rest counted on one line): layout
 * (object size, size with metadata, free pointer offset, alignment, order,
 * objects per slab), debug flags, slabs by state, objects in use, pages, and
 * the internal fragmentation (slab bytes not holding object_size bytes).
 */
void slab_caches_summary(void)
{
	struct kmem_cache *s;
	unsigned long empty = 0, total_pages = 0;

	list_for_each_entry(s, &slab_caches, list)
	{
		struct kmem_cache_stats st;
		kmem_cache_get_stats(s, &st);
		if (!st.nr_slabs) {
			empty++;
			continue;
		}
		total_pages += st.pages;
		/* objects in sheaves are allocated as far as their slabs know, free to callers */
		unsigned long used = st.total_objects - st.free_objects - st.sheaf_objects;
		unsigned long bytes = st.pages * PAGE_SIZE;
		unsigned long waste = bytes - used * s->object_size;
		char dbg[8];
		int k = 0;
		if (s->flags & SLAB_CONSISTENCY_CHECKS)
			dbg[k++] = 'F';
		if (s->flags & SLAB_RED_ZONE)
			dbg[k++] = 'Z';
		if (s->flags & SLAB_POISON)
			dbg[k++] = 'P';
		if (s->flags & SLAB_STORE_USER)
			dbg[k++] = 'U';
		if (s->flags & SLAB_TRACE)
			dbg[k++] = 'T';
		if (!k)
			dbg[k++] = '-';
		dbg[k] = '\0';
		pr_info("slab: %-17s obj %5u size %5u offset %4u align %4u order %u objs/slab %3u debug %-5s: "
			"slabs %lu (partial %lu full %lu cpu %u cpu_partial %lu), sheaf %u (%lu cached, barn %lu+%lu), "
			"objects %lu/%lu used, %lu pages, %lu%% unused\n",
			s->name, s->object_size, s->size, s->offset, s->align, slab_cache_order(s),
			slab_cache_objects(s), dbg, st.nr_slabs, st.nr_partial, st.nr_full, st.has_cpu_slab ? 1 : 0,
			st.nr_cpu_partial, st.sheaf_capacity, st.sheaf_objects, st.nr_barn_full, st.nr_barn_empty, used,
			st.total_objects, st.pages, bytes ? waste * 100 / bytes : 0);
	}
	pr_info("slab: %lu pages in slabs, %lu caches without slabs\n", total_pages, empty);
}

void slab_reset(void)
{
	slub_reset();
	memset(kmalloc_caches, 0, sizeof(kmalloc_caches));
	slub_debug = 0;
	nr_slub_debug_blocks = 0;
	slab_freelist_random = true;
}
