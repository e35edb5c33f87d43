// The slab allocator: SLUB, mirroring mm/slub.c, mm/slab_common.c, mm/slab.h and
// include/linux/slab.h of Linux 6.1 (with a few later touches that are named
// where they appear, chief of them the per-CPU sheaves of 6.18/7.0). Caches
// of equal-sized objects carved out of buddy pages (kmem_cache_*), the kmalloc
// size classes built on them, and SLUB's debugging (slub_debug=: red zones,
// poisoning, consistency checks, owner tracking). With init_on_alloc= or
// init_on_free= (mm/page_alloc.h) objects are cleared as Linux clears them
// (slab_want_init_on_alloc(), slab_want_init_on_free() in mm/slub_internal.h).
// As Debian builds it, the freelist is hardened (CONFIG_SLAB_FREELIST_HARDENED)
// and new slabs hand out their objects in a shuffled order
// (CONFIG_SLAB_FREELIST_RANDOM; slab_freelist_random=0 turns it off).
//
// Where we differ from Linux:
// - One CPU: the app runs on the boot CPU before ExitBootServices, so there is
//   one kmem_cache_cpu (cpu 0), kept inside the kmem_cache itself (Linux
//   allocates it with alloc_percpu()). The fast paths keep SLUB's shape
//   (c->freelist, c->slab, c->tid, c->partial: CONFIG_SLUB_CPU_PARTIAL as
//   Debian builds it; the sheaves in front of them) but update them with
//   plain stores where Linux uses this_cpu_cmpxchg_double() or a local lock,
//   and take no locks (nothing runs concurrently).
// - The sheaves stop where Linux 7.0's series removes the CPU slab: caches
//   with sheaves refill them from the node's slabs and keep no CPU partial
//   list (as 7.0), while the CPU slab and the CPU partial list stay for the
//   caches without sheaves (boot, debug, SLAB_NOLEAKTRACE).
// - No memcg accounting, no KASAN/KFENCE/kmemleak hooks, no RCU-delayed freeing
//   (SLAB_TYPESAFE_BY_RCU is accepted and only changes the layout), no cache
//   merging (every kmem_cache_create() makes a cache), no sysfs.
// - Misuse is reported Linux-style and refused instead of being acted on:
//   freeing to the wrong cache leaks the object rather than freeing it to the
//   cache it belongs to (cache_from_obj()), and SLAB_PANIC reports instead of
//   panicking.
// - Linux's struct slab is the slab view of struct page (mm/mm_types.h) here:
//   a slab is named by the struct page of its first page.
#pragma once

#include "lib/list.h"
#include "lib/types.h"
#include "mm/gfp.h"
#include "mm/memblock.h" // MAX_NUMNODES, NUMA_NO_NODE
#include "mm/mm_types.h"

/* Flags to pass to kmem_cache_create() (include/linux/slab.h, same values). */
typedef unsigned int slab_flags_t;

#define SLAB_CONSISTENCY_CHECKS	((slab_flags_t)0x00000100U) /* debug: slow checks on alloc/free */
#define SLAB_RED_ZONE		((slab_flags_t)0x00000400U) /* debug: guard bytes around each object */
#define SLAB_POISON		((slab_flags_t)0x00000800U) /* debug: fill free/new objects with known bytes */
#define SLAB_KMALLOC		((slab_flags_t)0x00001000U) /* marks the kmalloc size-class caches (Linux 6.5) */
#define SLAB_HWCACHE_ALIGN	((slab_flags_t)0x00002000U) /* start each object on a cache-line boundary */
#define SLAB_CACHE_DMA		((slab_flags_t)0x00004000U) /* take slab pages from ZONE_DMA */
#define SLAB_CACHE_DMA32	((slab_flags_t)0x00008000U) /* take slab pages from ZONE_DMA32 */
#define SLAB_STORE_USER		((slab_flags_t)0x00010000U) /* debug: record who last allocated/freed each object */
#define SLAB_RECLAIM_ACCOUNT	((slab_flags_t)0x00020000U) /* pages count as reclaimable */
#define SLAB_PANIC		((slab_flags_t)0x00040000U) /* creation failure is fatal in Linux (here: report) */
#define SLAB_TYPESAFE_BY_RCU	((slab_flags_t)0x00080000U) /* RCU-delayed slab freeing (layout only here) */
#define SLAB_TRACE		((slab_flags_t)0x00200000U) /* log every alloc and free */
#define SLAB_NOLEAKTRACE	((slab_flags_t)0x00800000U) /* no kmemleak tracking (no effect) */
#define SLAB_ACCOUNT		((slab_flags_t)0x04000000U) /* memcg charging (no effect) */
#define SLAB_NO_USER_FLAGS	((slab_flags_t)0x10000000U) /* slub_debug= does not apply to this cache */

/* mm/slab.h: internal flags. */
#define __OBJECT_POISON		((slab_flags_t)0x80000000U) /* set when SLAB_POISON may actually poison */
/*
 * SLAB_NO_OBJ_EXT (Linux 6.10; our value): set on the two boot caches, which
 * Linux 7.0 recognises by it to give them no sheaves.
 */
#define SLAB_NO_OBJ_EXT		((slab_flags_t)0x40000000U)

/* The debug flags slub_debug= may set (SLAB_DEBUG_FLAGS of mm/slab.h). */
#define SLAB_DEBUG_FLAGS (SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | SLAB_CONSISTENCY_CHECKS)
/* Flags that make SLUB leave the per-cpu fast path (SLAB_NO_CMPXCHG / kmem_cache_debug()). */
#define SLAB_DEBUG_FLAGS_SLOW (SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | SLAB_CONSISTENCY_CHECKS)

/* The flags kmem_cache_create() accepts (CACHE_CREATE_MASK). */
#define CACHE_CREATE_MASK (SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | SLAB_RECLAIM_ACCOUNT | \
			   SLAB_PANIC | SLAB_TYPESAFE_BY_RCU | SLAB_NOLEAKTRACE | SLAB_ACCOUNT |          \
			   SLAB_NO_USER_FLAGS | SLAB_KMALLOC | SLAB_DEBUG_FLAGS)

/* include/linux/poison.h: the bytes SLUB writes into objects and red zones. */
#define SLUB_RED_INACTIVE	0xbb	/* red zone of a free object */
#define SLUB_RED_ACTIVE		0xcc	/* red zone of an allocated object */
#define POISON_INUSE		0x5a	/* padding filler (slab tail, object padding) */
#define POISON_FREE		0x6b	/* fills a freed object, to catch late writes */
#define POISON_END		0xa5	/* last byte of a poisoned object */

/* ZERO_SIZE_PTR: what kmalloc(0) returns; kfree() and ksize() accept it. */
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

/* x86-64: L1_CACHE_BYTES, ARCH_KMALLOC_MINALIGN (= __alignof__(unsigned long long)). */
constexpr unsigned int cache_line_size() { return 64; }
#define ARCH_KMALLOC_MINALIGN 8
#define ARCH_SLAB_MINALIGN 8

/*
 * kmalloc size classes (include/linux/slab.h, SLUB, x86-64): kmalloc-8 up to
 * kmalloc-8k (KMALLOC_SHIFT_HIGH = PAGE_SHIFT + 1), plus kmalloc-96 and
 * kmalloc-192 at indices 1 and 2. Larger requests go to the page allocator,
 * up to KMALLOC_MAX_SIZE (the largest buddy block).
 */
#define KMALLOC_SHIFT_LOW	3
#define KMALLOC_SHIFT_HIGH	((int)PAGE_SHIFT + 1)
#define KMALLOC_SHIFT_MAX	(10 + PAGE_SHIFT)	/* MAX_PAGE_ORDER + PAGE_SHIFT */
#define KMALLOC_MIN_SIZE	(1 << KMALLOC_SHIFT_LOW)
#define KMALLOC_MAX_CACHE_SIZE	(1UL << KMALLOC_SHIFT_HIGH)
#define KMALLOC_MAX_SIZE	(1UL << KMALLOC_SHIFT_MAX)
#define KMALLOC_MAX_ORDER	(KMALLOC_SHIFT_MAX - PAGE_SHIFT)

/*
 * enum kmalloc_cache_type. Linux has no DMA32 kmalloc caches (kmalloc() with
 * __GFP_DMA32 is in GFP_SLAB_BUG_MASK and warns); the issue asks for them, so
 * KMALLOC_DMA32 ("dma32-kmalloc-<n>") is ours. No KMALLOC_CGROUP (no memcg).
 */
enum kmalloc_cache_type {
	KMALLOC_NORMAL = 0,
	KMALLOC_RECLAIM,
	KMALLOC_DMA,
	KMALLOC_DMA32,
	NR_KMALLOC_TYPES
};

/*
 * Objects per slab and slab order in one word, as struct
 * kmem_cache_order_objects: order in the high 16 bits.
 */
struct kmem_cache_order_objects {
	unsigned int x;
};

/*
 * struct kmem_cache_cpu: the slab this CPU allocates from. freelist is the
 * lockless freelist: objects of c->slab only this CPU takes and gives back;
 * other frees go to slab->freelist. tid changes on every operation (Linux
 * uses it to detect preemption between reading and the cmpxchg).
 */
struct kmem_cache_cpu {
	void **freelist;	/* first free object this CPU may hand out */
	unsigned long tid;	/* bumped on each operation */
	struct page *slab;	/* the slab allocations come from now */
	struct page *partial;	/* frozen, partly used slabs kept for this CPU (CONFIG_SLUB_CPU_PARTIAL) */
};

/*
 * Sheaves (Linux 6.18, "percpu sheaves"; on most caches from Linux 7.0): a
 * per-CPU caching layer of object arrays in front of the slabs. A free puts
 * the object's address into the CPU's main sheaf, an allocation takes the
 * last one put there; only when the main sheaf is empty (or full) do the
 * spare sheaf, the node's barn of full and empty sheaves, or the slabs
 * themselves come in (refill and flush, many objects at a time). Objects in a
 * sheaf count as allocated in their slab.
 *
 * struct slab_sheaf: the 32-byte header of Linux's on 64-bit (its capacity
 * rounding depends on it), then the object pointers. Allocated with kmalloc.
 */
struct slab_sheaf {
	struct list_head barn_list;	/* on the barn's full or empty list */
	struct kmem_cache *cache;	/* the cache the objects belong to */
	unsigned int size;		/* objects held: objects[0..size) */
	int node;			/* Linux: the node of an rcu_free sheaf (no RCU here: unused) */
	void *objects[];
};

/* Linux's 64-bit header size: calculate_sheaf_capacity()'s rounding gives its capacities with it. */
static_assert(offsetof(struct slab_sheaf, objects) == 32, "struct slab_sheaf header");

/* struct slub_percpu_sheaves: the CPU's main sheaf (never null) and an optional spare. */
struct slub_percpu_sheaves {
	struct slab_sheaf *main;	/* allocations take from it, frees go into it */
	struct slab_sheaf *spare;	/* empty, full or anything between; may be null */
};

/* struct node_barn: a node's stock of full and empty sheaves, shared by its CPUs. */
struct node_barn {
	struct list_head sheaves_full;
	struct list_head sheaves_empty;
	unsigned int nr_full;
	unsigned int nr_empty;
};

/* The barn takes at most this many full sheaves from a CPU (Linux's MAX_EMPTY_SHEAVES only limits RCU frees). */
#define MAX_FULL_SHEAVES	10

/* struct kmem_cache_node: a node's slabs that are neither the CPU's nor in a list elsewhere. */
struct kmem_cache_node {
	struct node_barn *barn;	/* sheaves of this node (caches with sheaves only) */
	unsigned long nr_partial;
	struct list_head partial;
	/* CONFIG_SLUB_DEBUG's counts: every slab of the node, and their objects. */
	unsigned long nr_slabs;
	unsigned long total_objects;
	/*
	 * Full slabs. Linux keeps this list only with SLAB_STORE_USER; we keep it
	 * always (slow paths only), so that kmem_cache_destroy() can list every
	 * live object and the self-test can account for every slab.
	 */
	struct list_head full;
	unsigned long nr_full;
};

/* struct track (SLAB_STORE_USER): who last allocated / freed an object. */
struct track {
	unsigned long addr;	/* caller's return address */
	int cpu;		/* CPU it ran on */
	int pid;		/* task id at the time */
	unsigned long when;	/* timestamp (ns; Linux: jiffies) */
};

enum track_item { TRACK_ALLOC, TRACK_FREE };

/* Slab cache management (SLUB's struct kmem_cache). */
struct kmem_cache {
	struct kmem_cache_cpu *cpu_slab;	/* -> cpu_slab_cpu0 */
	struct slub_percpu_sheaves *cpu_sheaves;	/* -> cpu_sheaves_cpu0 */
	/*
	 * ours: the one CPU's sheaves, in the first cache line beside the
	 * capacity, so that kmalloc() and kfree() read one line of the cache
	 * (Linux reads this one and the per-CPU structure)
	 */
	struct slub_percpu_sheaves cpu_sheaves_cpu0;
	unsigned int sheaf_capacity;	/* objects per sheaf; 0: the cache has no sheaves */
	/* flags and min_partial steer the slow paths (e.g. how many partial slabs a node keeps) */
	slab_flags_t flags;
	unsigned long min_partial;
	unsigned int size;		/* bytes per object slot, metadata included */
	unsigned int object_size;	/* bytes the caller asked for */
	unsigned int reciprocal_size;	/* (1 << 32) / size rounded up, for obj_to_index() */
	unsigned int offset;		/* where in an object the free pointer lives */
	/* CONFIG_SLUB_CPU_PARTIAL: object budget of the CPU's partial list */
	unsigned int cpu_partial;
	/* the same budget expressed in slabs */
	unsigned int cpu_partial_slabs;
	struct kmem_cache_order_objects oo;
	/* fallback order/objects when the preferred order cannot be had */
	struct kmem_cache_order_objects min;
	gfp_t allocflags;		/* gfp bits added to every slab page allocation */
	int refcount;			/* kmem_cache_destroy() frees when this drops to 0 */
	void (*ctor)(void *);
	unsigned int inuse;		/* metadata (track etc.) starts here */
	unsigned int align;		/* object alignment in bytes */
	unsigned int red_left_pad;	/* bytes of red zone before each object */
	const char *name;		/* for reports and slabinfo only */
	struct list_head list;		/* link on slab_caches */
	unsigned long random;		/* CONFIG_SLAB_FREELIST_HARDENED */
	/* CONFIG_SLAB_FREELIST_RANDOM: the offsets of a slab's objects, shuffled */
	unsigned int *random_seq;
	char name_buf[32];		/* ours: kmem_cache_create() copies the name */
	struct kmem_cache_cpu cpu_slab_cpu0;	/* ours: the one CPU's kmem_cache_cpu */
	struct kmem_cache_node *node[MAX_NUMNODES];
};
static_assert(offsetof(struct kmem_cache, sheaf_capacity) + sizeof(unsigned int) <= 64,
	      "the fast paths' fields share the first cache line");

/* slab_state (mm/slab.h): how far kmem_cache_init() has got. */
enum slab_state {
	DOWN,		/* nothing can be allocated yet */
	PARTIAL,	/* SLUB: the kmem_cache_node cache works */
	UP,		/* caches work; late setup still pending */
	FULL		/* bootstrap finished */
};
extern enum slab_state slab_state;
bool slab_is_available(void);

/* The list of all caches, and the two bootstrap caches (mm/slab_common.c). */
extern struct list_head slab_caches;
extern struct kmem_cache *kmem_cache;
extern struct kmem_cache *kmem_cache_node;
extern struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];

/*
 * Helpers of include/asm-generic/bitops and getorder.h the allocator needs.
 * fls(0) = 0, fls(1) = 1, fls(0x80000000) = 32; get_order(size): the order of
 * the smallest block of 2^order pages holding @size bytes (size > 0).
 */
static inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}
static inline int ilog2(unsigned long n)
{
	return 63 - __builtin_clzl(n);
}
static inline int get_order(unsigned long size)
{
	if (size <= PAGE_SIZE)
		return 0;
	return 64 - __builtin_clzl((size - 1) >> PAGE_SHIFT);
}

/* ---- The kmem_cache API (include/linux/slab.h) ---- */

/*
 * kmem_cache_init(): SLUB's bootstrap (kmem_cache_node and kmem_cache from
 * static storage, then moved to slab-allocated copies) and the kmalloc caches.
 * Needs the buddy allocator. Returns 0, or -ENOMEM when the page allocator
 * cannot provide the first slabs.
 */
int kmem_cache_init(void);

/*
 * kmem_cache_create(): a cache of @size-byte objects aligned to @align (0 or a
 * power of two) with @flags (CACHE_CREATE_MASK) and an optional constructor run
 * once per object when its slab is made. nullptr with a report on bad input.
 */
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags, void (*ctor)(void *));
/*
 * kmem_cache_destroy(): refused with a report (Objects remaining ... on
 * __kmem_cache_shutdown()) while objects are live; the cache then stays usable.
 * Returns 0 or -EBUSY (Linux returns nothing).
 */
int kmem_cache_destroy(struct kmem_cache *s);
/* kmem_cache_shrink(): release empty slabs; 1 if slabs remain, else 0. */
int kmem_cache_shrink(struct kmem_cache *s);

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfpflags);
void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t gfpflags, int node);
void kmem_cache_free(struct kmem_cache *s, void *x);
static inline void *kmem_cache_zalloc(struct kmem_cache *k, gfp_t flags)
{
	return kmem_cache_alloc(k, flags | __GFP_ZERO);
}

/* ---- kmalloc (include/linux/slab.h, mm/slab_common.c) ---- */

void *__kmalloc(size_t size, gfp_t flags);
void *__kmalloc_node(size_t size, gfp_t flags, int node);
void *kmalloc_large(size_t size, gfp_t flags);
void *kmalloc_large_node(size_t size, gfp_t flags, int node);
void kfree(const void *objp);
size_t ksize(const void *objp);
/* kmalloc_size_roundup(): the bytes kmalloc(@size) really gives (its size class, or whole pages). */
size_t kmalloc_size_roundup(size_t size);
void *krealloc(const void *objp, size_t new_size, gfp_t flags);

/* kmalloc_index(): the size class of @size (0 for 0 bytes, -1 above the largest). */
static inline int kmalloc_index(size_t size)
{
	if (!size)
		return 0;
	if (size <= KMALLOC_MIN_SIZE)
		return KMALLOC_SHIFT_LOW;
	if (KMALLOC_MIN_SIZE <= 32 && size > 64 && size <= 96)
		return 1;
	if (KMALLOC_MIN_SIZE <= 64 && size > 128 && size <= 192)
		return 2;
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return -1;
	return 64 - __builtin_clzl(size - 1);
}

/* kmalloc_type(): which set of caches the gfp flags ask for. */
static inline enum kmalloc_cache_type kmalloc_type(gfp_t flags)
{
	if (likely((flags & (__GFP_DMA | __GFP_DMA32 | __GFP_RECLAIMABLE)) == 0))
		return KMALLOC_NORMAL;
	if (flags & __GFP_DMA)
		return KMALLOC_DMA;
	if (flags & __GFP_DMA32)
		return KMALLOC_DMA32;
	return KMALLOC_RECLAIM;
}

static inline void *kmalloc(size_t size, gfp_t flags)
{
	return __kmalloc(size, flags);
}
static inline void *kmalloc_node(size_t size, gfp_t flags, int node)
{
	return __kmalloc_node(size, flags, node);
}
static inline void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}
static inline void *kzalloc_node(size_t size, gfp_t flags, int node)
{
	return kmalloc_node(size, flags | __GFP_ZERO, node);
}
/* kmalloc_array()/kcalloc(): nullptr when n * size overflows. */
static inline void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;
	if (unlikely(__builtin_mul_overflow(n, size, &bytes)))
		return nullptr;
	return __kmalloc(bytes, flags);
}
static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

/* ---- slub_debug=, inspection, and what tests and the self-test need ---- */

/*
 * setup_slub_debug(): the slub_debug= option with Linux's syntax,
 * "slub_debug[=options[,slabs][;[options[,slabs]]...]": options are the letters
 * F Z P U T (consistency checks, red zone, poison, store user, trace), '-' for
 * none, no letters for F Z P U; slabs are cache names, '*' matching any tail.
 * Applies to caches created afterwards. -EINVAL (nothing changed) on an unknown
 * letter or a malformed list.
 */
int setup_slub_debug(const char *str);

/* /proc/slabinfo (slabinfo - version: 2.1), every cache. */
void slabinfo_show(void);
/* A per-cache summary: layout, order, slabs and objects by state. */
void slab_caches_summary(void);

/*
 * What a cache holds now, from its node counts and lists: slabs and objects in
 * them, objects in use (cpu freelist objects count as free, unlike slabinfo's
 * active_objs, which counts them in use as Linux does).
 */
struct kmem_cache_stats {
	unsigned long nr_slabs, nr_partial, nr_full, total_objects, free_objects, pages;
	bool has_cpu_slab;
	unsigned long nr_cpu_partial;	/* slabs on the CPU's partial list */
	unsigned int sheaf_capacity;	/* 0: no sheaves */
	unsigned long sheaf_objects;	/* objects held in the CPU's sheaves and the barns */
	unsigned long nr_barn_full, nr_barn_empty;	/* sheaves in the barns */
};
void kmem_cache_get_stats(struct kmem_cache *s, struct kmem_cache_stats *st);

/*
 * The number of slab errors reported so far (every "BUG <cache> (...)" and the
 * refusals of misuse). Tests and the self-test compare it before and after.
 */
unsigned long slab_errors_reported(void);

/*
 * CONFIG_SLAB_FREELIST_RANDOM (on in Debian's kernels, and here by default):
 * a new slab hands out its objects in an order shuffled once per cache,
 * starting at a random place in it (shuffle_freelist()). The project's option
 * slab_freelist_random=0|1 (kstrtobool's words; Linux has only the Kconfig)
 * sets it before kmem_cache_init(): -EINVAL, nothing changed, on anything else.
 */
extern bool slab_freelist_random;
int setup_slab_freelist_random(const char *val);

/* The current global slub_debug flags (from slub_debug=). */
slab_flags_t slub_debug_flags(void);

/*
 * Ours, for buddy snapshots (self-test, tests): slab_sheaves_off() flushes
 * and frees every sheaf and barn, leaving the caches without sheaves;
 * slab_sheaves_on() sets them up again (0 or -ENOMEM).
 */
void slab_sheaves_off(void);
int slab_sheaves_on(void);

/* Forget every cache and slub_debug= (tests, app re-runs). Pages are not freed. */
void slab_reset(void);

/* For tests: the cache a pointer's slab belongs to, or nullptr. */
struct kmem_cache *virt_to_cache(const void *obj);
