// SLUB, mirroring mm/slub.c of Linux 6.1: slabs of objects carved out of buddy
// pages, a free pointer inside each free object, a per-cpu slab with its
// lockless freelist, per-node partial lists, and the debugging of
// CONFIG_SLUB_DEBUG (red zones, poisoning, consistency checks, owner tracking).
// The debug caches take the slow paths of Linux 6.2 (alloc_single_from_new_slab(),
// free_to_partial_list()): every debug alloc and free works on the node lists,
// never through the per-cpu freelist. Most caches have the per-CPU sheaves of
// Linux 6.18/7.0 in front, refilled from the node's slabs as in 7.0, and new
// slabs hand out objects through 7.1's slab_obj_iter. See mm/slab.h for where
// we differ.
#define pr_fmt(fmt) fmt

#include "mm/slab.h"

#include <string.h>

#include "lib/errno.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "lib/random.h"
#include "lib/vsprintf.h"
#include "mm/numa.h"
#include "mm/page_alloc.h"
#include "mm/slub_internal.h"
#include "mm/sparse.h"

enum slab_state slab_state = DOWN;
LIST_HEAD(slab_caches);
struct kmem_cache *kmem_cache;
struct kmem_cache *kmem_cache_node;

/* slub_min_order / slub_max_order / slub_min_objects: Linux's defaults. */
static unsigned int slub_min_order;
static unsigned int slub_max_order = 3; /* PAGE_ALLOC_COSTLY_ORDER */
static unsigned int slub_min_objects;

/* Where the objects, pages and counts were reported as broken (tests compare it). */
static unsigned long slab_errors;
static bool slab_tainted; /* add_taint(TAINT_BAD_PAGE) */

#define OO_SHIFT 16
#define OO_MASK ((1U << OO_SHIFT) - 1)
#define MAX_OBJS_PER_PAGE 32767 /* the objects field of counters has 15 bits */
#define MIN_PARTIAL 5
#define MAX_PARTIAL 10

/* Linux's DEACTIVATE_TO_HEAD / DEACTIVATE_TO_TAIL (enum stat_item values there). */
#define DEACTIVATE_TO_HEAD 0
#define DEACTIVATE_TO_TAIL 1

/* GFP_RECLAIM_MASK | GFP_CONSTRAINT_MASK (mm/internal.h): what new_slab() passes on. */
#define GFP_RECLAIM_MASK                                                                                      \
	(__GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_NOWARN | __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | \
	 __GFP_NORETRY | __GFP_MEMALLOC | __GFP_NOMEMALLOC | __GFP_ATOMIC)
#define GFP_CONSTRAINT_MASK (__GFP_HARDWALL | __GFP_THISNODE)

unsigned long slab_errors_reported(void)
{
	return slab_errors;
}

bool slab_is_available(void)
{
	return slab_state >= UP;
}

/* ---- struct slab over struct page: the counters word and the page helpers ---- */

/*
 * counters: inuse:16, objects:15, frozen:1, as struct slab's bitfields on
 * x86-64 (inuse in the low bits).
 */
static inline unsigned int slab_inuse(const struct page *slab)
{
	return slab->counters & 0xffff;
}
static inline unsigned int slab_objects(const struct page *slab)
{
	return (slab->counters >> 16) & 0x7fff;
}
static inline bool slab_frozen(const struct page *slab)
{
	return (slab->counters >> 31) & 1;
}
static inline void set_slab_counters(struct page *slab, unsigned int inuse, unsigned int objects, bool frozen)
{
	slab->counters = (inuse & 0xffff) | ((unsigned long)(objects & 0x7fff) << 16) | ((unsigned long)frozen << 31);
}
static inline void set_slab_inuse(struct page *slab, unsigned int inuse)
{
	set_slab_counters(slab, inuse, slab_objects(slab), slab_frozen(slab));
}
static inline void set_slab_frozen(struct page *slab, bool frozen)
{
	set_slab_counters(slab, slab_inuse(slab), slab_objects(slab), frozen);
}

static inline void *slab_address(const struct page *slab)
{
	return page_address(slab);
}
static inline int slab_nid(const struct page *slab)
{
	return page_to_nid(slab);
}
static inline unsigned int slab_order(const struct page *slab)
{
	return compound_order(slab);
}
static inline size_t slab_size(const struct page *slab)
{
	return PAGE_SIZE << slab_order(slab);
}

/*
 * virt_to_slab(): the slab an address lies in, or nullptr. Linux goes through
 * virt_to_folio(); we also refuse addresses without a struct page, so that
 * kfree() of a wild pointer is reported instead of reading a random page.
 */
static inline struct page *virt_to_head_page_checked(const void *x)
{
	pfn_t pfn = PFN_DOWN(__pa(x));
	if (unlikely(!pfn_valid(pfn)))
		return nullptr;
	return compound_head(pfn_to_page(pfn));
}

struct kmem_cache *virt_to_cache(const void *obj)
{
	struct page *page = virt_to_head_page_checked(obj);
	if (!page || !PageSlab(page))
		return nullptr;
	return page->slab_cache;
}

static inline unsigned int oo_order(struct kmem_cache_order_objects x)
{
	return x.x >> OO_SHIFT;
}
static inline unsigned int oo_objects(struct kmem_cache_order_objects x)
{
	return x.x & OO_MASK;
}
static inline unsigned int order_objects(unsigned int order, unsigned int size)
{
	return (unsigned int)((PAGE_SIZE << order) / size);
}
static inline struct kmem_cache_order_objects oo_make(unsigned int order, unsigned int size)
{
	struct kmem_cache_order_objects x = {(order << OO_SHIFT) + order_objects(order, size)};
	return x;
}

static inline struct kmem_cache_node *get_node(struct kmem_cache *s, int node)
{
	return s->node[node];
}

/*
 * numa_mem_id(): the node of the running CPU. The app has no CPU-to-node map,
 * so the boot CPU's node is taken as the first online node.
 */
static inline int numa_mem_id(void)
{
	return first_online_node();
}

/*
 * raw_cpu_ptr(s->cpu_slab): the one CPU's kmem_cache_cpu. It lives inside the
 * cache, so its address needs no load of s->cpu_slab (one dependent load less
 * on the fast paths).
 */
static inline struct kmem_cache_cpu *raw_cpu_slab(struct kmem_cache *s)
{
	return &s->cpu_slab_cpu0;
}

/* kmem_cache_debug(): a cache with debugging takes the slow paths only. */
static inline bool kmem_cache_debug(const struct kmem_cache *s)
{
	return unlikely(s->flags & SLAB_DEBUG_FLAGS);
}
static inline bool kmem_cache_debug_flags(const struct kmem_cache *s, slab_flags_t flags)
{
	return unlikely(s->flags & flags);
}

static inline void *fixup_red_left(const struct kmem_cache *s, void *p)
{
	if (kmem_cache_debug_flags(s, SLAB_RED_ZONE))
		p = (u8 *)p + s->red_left_pad;
	return p;
}
static inline void *restore_red_left(const struct kmem_cache *s, void *p)
{
	if (s->flags & SLAB_RED_ZONE)
		p = (u8 *)p - s->red_left_pad;
	return p;
}

#define for_each_object(__p, __s, __addr, __objects)                                               \
	for (__p = fixup_red_left(__s, __addr); (u8 *)__p < (u8 *)(__addr) + (__objects) * (__s)->size; \
	     __p = (u8 *)__p + (__s)->size)

/* ---- The free pointer: inside free objects, hardened ---- */

static inline unsigned long swab64(unsigned long x)
{
	return __builtin_bswap64(x);
}

/*
 * freelist_ptr(): CONFIG_SLAB_FREELIST_HARDENED. The stored free pointer is
 * ptr ^ s->random ^ swab(address where it is stored), so an overwrite with
 * plain data or a leaked stored value does not give a usable pointer.
 */
static inline void *freelist_ptr(const struct kmem_cache *s, void *ptr, unsigned long ptr_addr)
{
	return (void *)((unsigned long)ptr ^ s->random ^ swab64(ptr_addr));
}

static inline void *get_freepointer(const struct kmem_cache *s, void *object)
{
	unsigned long ptr_addr = (unsigned long)object + s->offset;
	return freelist_ptr(s, *(void **)ptr_addr, ptr_addr);
}

/* get_freepointer_safe(): Linux reads with copy_from_kernel_nofault under DEBUG_PAGEALLOC. */
static inline void *get_freepointer_safe(const struct kmem_cache *s, void *object)
{
	return get_freepointer(s, object);
}

static inline void set_freepointer(const struct kmem_cache *s, void *object, void *fp)
{
	unsigned long freeptr_addr = (unsigned long)object + s->offset;
	*(void **)freeptr_addr = freelist_ptr(s, fp, freeptr_addr);
}

static inline bool freeptr_outside_object(const struct kmem_cache *s)
{
	return s->offset >= s->inuse;
}

/* get_info_end(): where the tracking data lies (after an outside free pointer). */
static inline unsigned int get_info_end(const struct kmem_cache *s)
{
	if (freeptr_outside_object(s))
		return s->inuse + sizeof(void *);
	return s->inuse;
}

static inline unsigned int size_from_object(const struct kmem_cache *s)
{
	if (s->flags & SLAB_RED_ZONE)
		return s->size - s->red_left_pad;
	return s->size;
}

/* next_tid(): TID_STEP is the number of CPUs rounded up; one CPU: 1. */
static inline unsigned long next_tid(unsigned long tid)
{
	return tid + 1;
}

/* ---- Reports: Linux's formats ---- */

static const char *print_tainted(void)
{
	return slab_tainted ? "Tainted: B" : "Not tainted";
}

static void add_taint_bad_page(void)
{
	slab_tainted = true;
}

static __printf(2, 3) void slab_bug(struct kmem_cache *s, const char *fmt, ...)
{
	char buf[160];
	va_list args;
	va_start(args, fmt);
	vscnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	slab_errors++;
	pr_err("=============================================================================\n");
	pr_err("BUG %s (%s): %s\n", s->name, print_tainted(), buf);
	pr_err("-----------------------------------------------------------------------------\n\n");
}

static __printf(2, 3) void slab_fix(struct kmem_cache *s, const char *fmt, ...)
{
	char buf[160];
	va_list args;
	va_start(args, fmt);
	vscnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	pr_err("FIX %s: %s\n", s->name, buf);
}

/*
 * print_section(): print_hex_dump(DUMP_PREFIX_ADDRESS, 16 bytes a row, bytes,
 * with ASCII). Linux dumps up to a page; we stop at 128 bytes to keep the
 * console of a TCG guest readable.
 */
static void print_section(const char *level, const char *text, const u8 *addr, unsigned int length)
{
	length = kmin(length, 128u);
	for (unsigned int i = 0; i < length; i += 16) {
		char line[16 * 3 + 2 + 16 + 1];
		unsigned int n = kmin(16u, length - i), pos = 0;
		for (unsigned int j = 0; j < n; j++) {
			static const char hex[] = "0123456789abcdef";
			line[pos++] = hex[addr[i + j] >> 4];
			line[pos++] = hex[addr[i + j] & 15];
			line[pos++] = ' ';
		}
		for (unsigned int j = n; j < 16; j++) {
			line[pos++] = ' ';
			line[pos++] = ' ';
			line[pos++] = ' ';
		}
		line[pos++] = ' ';
		for (unsigned int j = 0; j < n; j++) {
			u8 c = addr[i + j];
			line[pos++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		line[pos] = '\0';
		/* printk() takes the level from the format only: pick the format by level. */
		if (!strcmp(level, KERN_INFO))
			pr_info("%s%px: %s\n", text, addr + i, line);
		else
			pr_err("%s%px: %s\n", text, addr + i, line);
	}
}

static struct track *get_track(struct kmem_cache *s, void *object, enum track_item alloc)
{
	u8 *p = (u8 *)object + get_info_end(s);
	return (struct track *)p + alloc;
}

static void set_track(struct kmem_cache *s, void *object, enum track_item alloc, unsigned long addr)
{
	struct track *p = get_track(s, object, alloc);
	p->addr = addr;
	p->cpu = 0;
	p->pid = 0;
	p->when = platform_clock_ns();
}

static void init_tracking(struct kmem_cache *s, void *object)
{
	if (!(s->flags & SLAB_STORE_USER))
		return;
	memset(get_track(s, object, TRACK_ALLOC), 0, 2 * sizeof(struct track));
}

static void print_track(const char *s, const struct track *t, u64 now)
{
	if (!t->addr)
		return;
	/* Linux: "%s in %pS age=%lu cpu=%u pid=%d" with age in jiffies; ours in ms. */
	pr_err("%s in 0x%lx age=%llu cpu=%u pid=%d\n", s, t->addr, (unsigned long long)((now - t->when) / 1000000),
	       t->cpu, t->pid);
}

static void print_tracking(struct kmem_cache *s, void *object)
{
	u64 now = platform_clock_ns();
	if (!(s->flags & SLAB_STORE_USER))
		return;
	print_track("Allocated", get_track(s, object, TRACK_ALLOC), now);
	print_track("Freed", get_track(s, object, TRACK_FREE), now);
}

static void print_slab_info(const struct page *slab)
{
	pr_err("Slab %px objects=%u used=%u fp=%px flags=%#lx\n", slab, slab_objects(slab), slab_inuse(slab),
	       slab->freelist, slab->flags & ((1UL << NR_PAGEFLAGS) - 1));
}

static void print_trailer(struct kmem_cache *s, struct page *slab, u8 *p)
{
	unsigned int off;
	u8 *addr = (u8 *)slab_address(slab);

	print_tracking(s, p);
	print_slab_info(slab);
	pr_err("Object %px @offset=%tu fp=%px\n\n", p, p - addr, get_freepointer(s, p));

	if (s->flags & SLAB_RED_ZONE)
		print_section(KERN_ERR, "Redzone  ", p - s->red_left_pad, s->red_left_pad);
	else if (p > addr + 16)
		print_section(KERN_ERR, "Bytes b4 ", p - 16, 16);

	print_section(KERN_ERR, "Object   ", p, kmin<unsigned int>(s->object_size, PAGE_SIZE));
	if (s->flags & SLAB_RED_ZONE)
		print_section(KERN_ERR, "Redzone  ", p + s->object_size, s->inuse - s->object_size);

	off = get_info_end(s);
	if (s->flags & SLAB_STORE_USER)
		off += 2 * sizeof(struct track);
	if (off != size_from_object(s))
		/* the rest of the slot after the metadata is padding */
		print_section(KERN_ERR, "Padding  ", p + off, size_from_object(s) - off);
}

static void object_err(struct kmem_cache *s, struct page *slab, u8 *object, const char *reason)
{
	slab_bug(s, "%s", reason);
	print_trailer(s, slab, object);
	add_taint_bad_page();
}

static __printf(3, 4) void slab_err(struct kmem_cache *s, struct page *slab, const char *fmt, ...)
{
	char buf[160];
	va_list args;
	va_start(args, fmt);
	vscnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	slab_bug(s, "%s", buf);
	print_slab_info(slab);
	add_taint_bad_page();
}

/* memchr_inv(): the first byte in [start, start + bytes) that is not @c, or nullptr. */
static u8 *memchr_inv(const void *start, int c, size_t bytes)
{
	const u8 *p = (const u8 *)start;
	for (size_t i = 0; i < bytes; i++)
		if (p[i] != (u8)c)
			return (u8 *)p + i;
	return nullptr;
}

static void restore_bytes(struct kmem_cache *s, const char *message, u8 data, u8 *from, u8 *to)
{
	slab_fix(s, "Restoring %s %px-%px=0x%x", message, from, to - 1, data);
	memset(from, data, to - from);
}

static int check_bytes_and_report(struct kmem_cache *s, struct page *slab, u8 *object, const char *what, u8 *start,
				  unsigned int value, unsigned int bytes)
{
	u8 *fault, *end;
	u8 *addr = (u8 *)slab_address(slab);

	fault = memchr_inv(start, value, bytes);
	if (!fault)
		return 1;

	end = start + bytes;
	while (end > fault && end[-1] == value)
		end--;

	slab_bug(s, "%s overwritten", what);
	pr_err("%px-%px @offset=%tu. First byte 0x%x instead of 0x%x\n", fault, end - 1, fault - addr, fault[0],
	       value);
	print_trailer(s, slab, object);
	add_taint_bad_page();

	restore_bytes(s, what, value, fault, end);
	return 0;
}

/* init_object(): red zones to @val, a free object's bytes to the poison. */
static void init_object(struct kmem_cache *s, void *object, u8 val)
{
	u8 *p = (u8 *)object;

	if (s->flags & SLAB_RED_ZONE)
		memset(p - s->red_left_pad, val, s->red_left_pad);

	if (s->flags & __OBJECT_POISON) {
		memset(p, POISON_FREE, s->object_size - 1);
		p[s->object_size - 1] = POISON_END;
	}

	if (s->flags & SLAB_RED_ZONE)
		memset(p + s->object_size, val, s->inuse - s->object_size);
}

/* check_valid_pointer(): nullptr or the start of an object of @slab. */
static int check_valid_pointer(struct kmem_cache *s, struct page *slab, void *object)
{
	u8 *base;

	if (!object)
		return 1;

	base = (u8 *)slab_address(slab);
	object = restore_red_left(s, object);
	if ((u8 *)object < base || (u8 *)object >= base + slab_objects(slab) * s->size ||
	    ((u8 *)object - base) % s->size)
		return 0;
	return 1;
}

static int check_pad_bytes(struct kmem_cache *s, struct page *slab, u8 *p)
{
	unsigned long off = get_info_end(s); /* past the free pointer */

	if (s->flags & SLAB_STORE_USER)
		/* the two track records come next; padding starts after them */
		off += 2 * sizeof(struct track);

	if (size_from_object(s) == off)
		return 1;

	return check_bytes_and_report(s, slab, p, "Object padding", p + off, POISON_INUSE, size_from_object(s) - off);
}

/* slab_pad_check(): the bytes after the last object of a poisoned slab. */
static void slab_pad_check(struct kmem_cache *s, struct page *slab)
{
	u8 *start, *fault, *end, *pad;
	int length, remainder;

	if (!(s->flags & SLAB_POISON))
		return;

	start = (u8 *)slab_address(slab);
	length = (int)slab_size(slab);
	end = start + length;
	remainder = length % s->size;
	if (!remainder)
		return;

	pad = end - remainder;
	fault = memchr_inv(pad, POISON_INUSE, remainder);
	if (!fault)
		return;
	while (end > fault && end[-1] == POISON_INUSE)
		end--;

	slab_err(s, slab, "Padding overwritten. %px-%px @offset=%tu", fault, end - 1, fault - start);
	print_section(KERN_ERR, "Padding ", pad, remainder);

	restore_bytes(s, "slab padding", POISON_INUSE, fault, end);
}

static int check_object(struct kmem_cache *s, struct page *slab, void *object, u8 val)
{
	u8 *p = (u8 *)object;
	u8 *endobject = p + s->object_size;
	int ret = 1;

	if (s->flags & SLAB_RED_ZONE) {
		if (!check_bytes_and_report(s, slab, p, "Left Redzone", p - s->red_left_pad, val, s->red_left_pad))
			ret = 0;
		if (!check_bytes_and_report(s, slab, p, "Right Redzone", endobject, val, s->inuse - s->object_size))
			ret = 0;
	} else {
		if ((s->flags & SLAB_POISON) && s->object_size < s->inuse) {
			if (!check_bytes_and_report(s, slab, p, "Alignment padding", endobject, POISON_INUSE,
						    s->inuse - s->object_size))
				ret = 0;
		}
	}

	if (s->flags & SLAB_POISON) {
		if (val != SLUB_RED_ACTIVE && (s->flags & __OBJECT_POISON) &&
		    (!check_bytes_and_report(s, slab, p, "Poison", p, POISON_FREE, s->object_size - 1) ||
		     !check_bytes_and_report(s, slab, p, "End Poison", p + s->object_size - 1, POISON_END, 1)))
			ret = 0;
		/* result ignored: check_pad_bytes() reports and restores the padding itself */
		check_pad_bytes(s, slab, p);
	}

	if (!freeptr_outside_object(s) && val == SLUB_RED_ACTIVE)
		/* free pointer inside the object: user data there now, nothing to check */
		return ret;

	/* the stored next pointer must be nullptr or an object of this slab */
	if (!check_valid_pointer(s, slab, get_freepointer(s, p))) {
		object_err(s, slab, p, "Freepointer corrupt");
		/* cut the chain here: the objects after it are lost to this slab, but nothing follows a bad pointer */
		set_freepointer(s, p, nullptr);
		ret = 0;
	}
	return ret;
}

static int check_slab(struct kmem_cache *s, struct page *slab)
{
	int maxobj;

	if (!PageSlab(slab)) {
		slab_err(s, slab, "Not a valid slab page");
		return 0;
	}

	maxobj = order_objects(slab_order(slab), s->size);
	if ((int)slab_objects(slab) > maxobj) {
		slab_err(s, slab, "objects %u > max %u", slab_objects(slab), maxobj);
		return 0;
	}
	if (slab_inuse(slab) > slab_objects(slab)) {
		slab_err(s, slab, "inuse %u > max %u", slab_inuse(slab), slab_objects(slab));
		return 0;
	}
	return 1;
}

/* on_freelist(): is @search on @slab's freelist? Repairs a corrupt chain. */
static int on_freelist(struct kmem_cache *s, struct page *slab, void *search)
{
	int nr = 0;
	void *fp;
	void *object = nullptr;
	int max_objects;

	fp = slab->freelist;
	while (fp && nr <= (int)slab_objects(slab)) {
		if (fp == search)
			return 1;
		if (!check_valid_pointer(s, slab, fp)) {
			if (object) {
				object_err(s, slab, (u8 *)object, "Freechain corrupt");
				set_freepointer(s, object, nullptr);
			} else {
				slab_err(s, slab, "Freepointer corrupt");
				slab->freelist = nullptr;
				set_slab_inuse(slab, slab_objects(slab));
				slab_fix(s, "Freelist cleared");
				return 0;
			}
			break;
		}
		object = fp;
		fp = get_freepointer(s, object);
		nr++;
	}

	max_objects = order_objects(slab_order(slab), s->size);
	if (max_objects > MAX_OBJS_PER_PAGE)
		max_objects = MAX_OBJS_PER_PAGE;

	if ((int)slab_objects(slab) != max_objects) {
		slab_err(s, slab, "Wrong number of objects. Found %d but should be %d", slab_objects(slab),
			 max_objects);
		set_slab_counters(slab, slab_inuse(slab), max_objects, slab_frozen(slab));
		slab_fix(s, "Number of objects adjusted");
	}
	if ((int)slab_inuse(slab) != (int)slab_objects(slab) - nr) {
		slab_err(s, slab, "Wrong object count. Counter is %d but counted were %d", slab_inuse(slab),
			 slab_objects(slab) - nr);
		set_slab_inuse(slab, slab_objects(slab) - nr);
		slab_fix(s, "Object count adjusted");
	}
	return search == nullptr;
}

static void trace(struct kmem_cache *s, struct page *slab, void *object, int alloc)
{
	if (s->flags & SLAB_TRACE) {
		pr_info("TRACE %s %s %px inuse=%d fp=%px\n", s->name, alloc ? "alloc" : "free", object,
			slab_inuse(slab), slab->freelist);
		if (!alloc)
			print_section(KERN_INFO, "Object ", (u8 *)object, s->object_size);
	}
}

/* ---- Node lists ---- */

static inline void add_partial(struct kmem_cache_node *n, struct page *slab, int tail)
{
	n->nr_partial++;
	if (tail == DEACTIVATE_TO_TAIL)
		list_add_tail(&slab->slab_list, &n->partial);
	else
		list_add(&slab->slab_list, &n->partial);
}

static inline void remove_partial(struct kmem_cache_node *n, struct page *slab)
{
	list_del(&slab->slab_list);
	n->nr_partial--;
}

static void add_full(struct kmem_cache_node *n, struct page *slab)
{
	list_add(&slab->slab_list, &n->full);
	n->nr_full++;
}

static void remove_full(struct kmem_cache_node *n, struct page *slab)
{
	list_del(&slab->slab_list);
	n->nr_full--;
}

static inline void inc_slabs_node(struct kmem_cache *s, int node, int objects)
{
	struct kmem_cache_node *n = get_node(s, node);
	n->nr_slabs++;
	n->total_objects += objects;
}

static inline void dec_slabs_node(struct kmem_cache *s, int node, int objects)
{
	struct kmem_cache_node *n = get_node(s, node);
	n->nr_slabs--;
	n->total_objects -= objects;
}

/* ---- Debug processing on alloc and free ---- */

static void setup_object_debug(struct kmem_cache *s, void *object)
{
	if (!kmem_cache_debug_flags(s, SLAB_STORE_USER | SLAB_RED_ZONE | __OBJECT_POISON))
		return;
	init_object(s, object, SLUB_RED_INACTIVE);
	init_tracking(s, object);
}

static void setup_slab_debug(struct kmem_cache *s, struct page *slab, void *addr)
{
	if (!kmem_cache_debug_flags(s, SLAB_POISON))
		return;
	memset(addr, POISON_INUSE, slab_size(slab));
}

static int alloc_consistency_checks(struct kmem_cache *s, struct page *slab, void *object)
{
	if (!check_slab(s, slab))
		return 0;

	if (!check_valid_pointer(s, slab, object)) {
		object_err(s, slab, (u8 *)object, "Freelist Pointer check fails");
		return 0;
	}

	if (!check_object(s, slab, object, SLUB_RED_INACTIVE))
		return 0;

	return 1;
}

static bool alloc_debug_processing(struct kmem_cache *s, struct page *slab, void *object, unsigned long addr)
{
	if (s->flags & SLAB_CONSISTENCY_CHECKS) {
		if (!alloc_consistency_checks(s, slab, object))
			goto bad;
	}

	/* checks passed: record the owner, trace, and mark the red zones active */
	if (s->flags & SLAB_STORE_USER)
		set_track(s, object, TRACK_ALLOC, addr);
	trace(s, slab, object, 1);
	init_object(s, object, SLUB_RED_ACTIVE);
	return true;

bad:
	if (PageSlab(slab)) {
		/*
		 * The slab cannot be trusted any more. Counting every object
		 * as allocated and dropping its freelist means no later
		 * allocation hands out (or walks) its remaining objects.
		 */
		slab_fix(s, "Marking all objects used");
		set_slab_inuse(slab, slab_objects(slab));
		slab->freelist = nullptr;
	}
	return false;
}

static int free_consistency_checks(struct kmem_cache *s, struct page *slab, void *object, unsigned long addr)
{
	if (!check_valid_pointer(s, slab, object)) {
		slab_err(s, slab, "Invalid object pointer %px", object);
		return 0;
	}

	if (on_freelist(s, slab, object)) {
		object_err(s, slab, (u8 *)object, "Object already free");
		return 0;
	}

	if (!check_object(s, slab, object, SLUB_RED_ACTIVE))
		return 0;

	if (unlikely(s != slab->slab_cache)) {
		if (!PageSlab(slab)) {
			slab_err(s, slab, "Attempt to free object(%px) outside of slab", object);
		} else if (!slab->slab_cache) {
			pr_err("SLUB <none>: no slab for object %px.\n", object);
			slab_errors++;
		} else {
			object_err(s, slab, (u8 *)object, "page slab pointer corrupt.");
		}
		return 0;
	}
	return 1;
}

/* free_debug_processing() for one object (Linux 6.2 checks a bulk of them). */
static bool free_debug_processing(struct kmem_cache *s, struct page *slab, void *object, unsigned long addr)
{
	if (s->flags & SLAB_CONSISTENCY_CHECKS) {
		if (!check_slab(s, slab))
			goto out;
		if (!free_consistency_checks(s, slab, object, addr))
			goto out;
	}

	if (s->flags & SLAB_STORE_USER)
		set_track(s, object, TRACK_FREE, addr);
	trace(s, slab, object, 0);
	/* safe to poison: with SLAB_POISON the free pointer lives outside the object, so init_object() keeps it */
	init_object(s, object, SLUB_RED_INACTIVE);
	return true;

out:
	slab_fix(s, "Object at %px not freed", object);
	return false;
}

/* ---- Slabs: allocate, set up, free ---- */

static void *setup_object(struct kmem_cache *s, void *object)
{
	setup_object_debug(s, object);
	if (unlikely(s->ctor))
		s->ctor(object);
	return object;
}

static struct page *alloc_slab_page(gfp_t flags, int node, struct kmem_cache_order_objects oo)
{
	struct page *page;
	unsigned int order = oo_order(oo);

	if (node == NUMA_NO_NODE)
		page = alloc_pages(flags, order);
	else
		page = alloc_pages_node(node, flags, order);
	if (!page)
		return nullptr;
	/* __folio_set_slab(): the head page says "slab"; the tails point at it. */
	__SetPageSlab(page);
	return page;
}

static struct page *allocate_slab(struct kmem_cache *s, gfp_t flags, int node)
{
	struct page *slab;
	struct kmem_cache_order_objects oo = s->oo;
	gfp_t alloc_gfp;
	void *start;

	flags |= s->allocflags;

	/*
	 * The preferred order may fail quietly and at once (no retry, no
	 * warning): there is s->min to fall back to.
	 */
	alloc_gfp = (flags | __GFP_NOWARN | __GFP_NORETRY) & ~__GFP_NOFAIL;
	if (oo_order(oo) == oo_order(s->min))
		alloc_gfp = flags;

	slab = alloc_slab_page(alloc_gfp, node, oo);
	if (unlikely(!slab)) {
		oo = s->min;
		alloc_gfp = flags;
		/* preferred order unavailable (fragmentation?): retry at s->min, enough for one object */
		slab = alloc_slab_page(alloc_gfp, node, oo);
		if (unlikely(!slab))
			return nullptr;
	}

	set_slab_counters(slab, 0, oo_objects(oo), false);
	slab->slab_cache = s;
	slab->freelist = nullptr;

	start = slab_address(slab);
	setup_slab_debug(s, slab, start);
	/* constructors and debug state: every object, once, as the slab is made */
	if (unlikely(s->ctor || kmem_cache_debug(s))) {
		void *p;
		for_each_object(p, s, start, oo_objects(oo)) setup_object(s, p);
	}
	return slab;
}

/*
 * ---- The objects of a new slab (Linux 7.1's slab_obj_iter) ----
 *
 * allocate_slab() links no freelist: whoever takes the new slab hands out
 * the objects it wants first and links only the rest (build_slab_freelist()),
 * so objects handed out at once never get a free pointer written into them.
 * The order is address order, or with CONFIG_SLAB_FREELIST_RANDOM the
 * cache's random_seq read from a random place on (shuffle_freelist()'s
 * order), skipping the slots a slab of the fallback order s->min lacks.
 */
struct slab_obj_iter {
	unsigned int pos;
	void *start;
	/* CONFIG_SLAB_FREELIST_RANDOM */
	bool random;
	unsigned int freelist_count;	/* entries in s->random_seq: oo_objects(s->oo) */
	unsigned long page_limit;	/* bytes of objects this slab has */
};

/*
 * init_cache_random_seq() (CONFIG_SLAB_FREELIST_RANDOM): the cache's
 * shuffled object indexes, turned into offsets in the slab.
 */
static int init_cache_random_seq(struct kmem_cache *s)
{
	unsigned int count = oo_objects(s->oo);
	int err;

	if (!slab_freelist_random || s->random_seq)
		return 0;
	err = cache_random_seq_create(s, count, GFP_KERNEL);
	if (err) {
		pr_err("SLUB: Unable to initialize free list for %s\n", s->name);
		return err;
	}
	if (s->random_seq)
		for (unsigned int i = 0; i < count; i++)
			s->random_seq[i] *= s->size;
	return 0;
}

/* init_freelist_randomization(): the caches made before kmalloc worked. */
int init_freelist_randomization(void)
{
	struct kmem_cache *s;

	list_for_each_entry(s, &slab_caches, list)
		if (init_cache_random_seq(s))
			return -ENOMEM;
	return 0;
}

static inline void init_slab_obj_iter(struct kmem_cache *s, struct page *slab, struct slab_obj_iter *iter)
{
	iter->pos = 0;
	iter->start = fixup_red_left(s, slab_address(slab));
	iter->random = s->random_seq && slab_objects(slab) >= 2;
	if (iter->random) {
		iter->freelist_count = oo_objects(s->oo);
		iter->page_limit = (unsigned long)slab_objects(slab) * s->size;
		iter->pos = get_random_u32_below(iter->freelist_count);
	}
}

/* next_freelist_entry(): the next offset of random_seq this slab has, wrapping. */
static void *next_freelist_entry(struct kmem_cache *s, struct slab_obj_iter *iter)
{
	unsigned long idx;

	do {
		idx = s->random_seq[iter->pos];
		if (++iter->pos >= iter->freelist_count)
			iter->pos = 0;
	} while (unlikely(idx >= iter->page_limit));
	return (u8 *)iter->start + idx;
}

static inline void *next_slab_obj(struct kmem_cache *s, struct slab_obj_iter *iter)
{
	if (iter->random)
		return next_freelist_entry(s, iter);
	return (u8 *)iter->start + (size_t)iter->pos++ * s->size;
}

/* build_slab_freelist(): the slab's objects not handed out (objects - inuse) linked, in order. */
static void build_slab_freelist(struct kmem_cache *s, struct page *slab, struct slab_obj_iter *iter)
{
	unsigned int nr = slab_objects(slab) - slab_inuse(slab);
	void *cur, *next;

	if (!nr) {
		slab->freelist = nullptr;
		return;
	}
	cur = next_slab_obj(s, iter);
	slab->freelist = cur;
	for (unsigned int i = 1; i < nr; i++) {
		next = next_slab_obj(s, iter);
		set_freepointer(s, cur, next);
		cur = next;
	}
	set_freepointer(s, cur, nullptr);
}

static struct page *new_slab(struct kmem_cache *s, gfp_t flags, int node)
{
	return allocate_slab(s, flags & (GFP_RECLAIM_MASK | GFP_CONSTRAINT_MASK), node);
}

static void __free_slab(struct kmem_cache *s, struct page *slab)
{
	unsigned int order = slab_order(slab);

	__ClearPageSlab(slab);
	/* folio->mapping = NULL; and the rest of the slab view, so the page allocator sees a clean page. */
	slab->slab_cache = nullptr;
	slab->freelist = nullptr;
	slab->counters = 0;
	slab->slab_list.next = LIST_POISON1;
	slab->slab_list.prev = LIST_POISON2;
	INIT_LIST_HEAD(&slab->lru);
	__free_pages(slab, order);
}

static void free_slab(struct kmem_cache *s, struct page *slab)
{
	if (kmem_cache_debug_flags(s, SLAB_CONSISTENCY_CHECKS)) {
		void *p;
		slab_pad_check(s, slab);
		for_each_object(p, s, slab_address(slab), slab_objects(slab)) check_object(s, slab, p,
											 SLUB_RED_INACTIVE);
	}
	__free_slab(s, slab);
}

static void discard_slab(struct kmem_cache *s, struct page *slab)
{
	dec_slabs_node(s, slab_nid(slab), slab_objects(slab));
	free_slab(s, slab);
}

/*
 * ---- CPU partial lists (CONFIG_SLUB_CPU_PARTIAL, on in Debian's kernels) ----
 *
 * Beside its CPU slab, a CPU keeps a few frozen slabs with free objects,
 * singly linked through slab->next (over slab_list), the head slab holding
 * the count in slab->slabs. A free into a full slab puts it there instead of
 * on the node's partial list; the CPU takes its next slab from there before
 * going to the node. When the list has cpu_partial_slabs slabs, the next one
 * to come sends all of them back to the node lists (__unfreeze_partials()).
 */

static inline bool cache_has_sheaves(const struct kmem_cache *s)
{
	return s->sheaf_capacity != 0;
}

/*
 * Debug caches keep every slab on the node lists, where the checks find
 * them. So do caches with sheaves (ours, as Linux 7.0 has no CPU partial
 * lists at all): their sheaves are refilled from the node's partial list
 * (__refill_objects()), where a slab frozen on the CPU's would be missed.
 */
static inline bool kmem_cache_has_cpu_partial(const struct kmem_cache *s)
{
	return !kmem_cache_debug(s) && !cache_has_sheaves(s);
}

static inline struct page *slub_percpu_partial(struct kmem_cache_cpu *c)
{
	return c->partial;
}

static inline void slub_set_percpu_partial(struct kmem_cache_cpu *c, struct page *slab)
{
	c->partial = slab->next;
}

/*
 * slub_set_cpu_partial(): the limit is given in objects (sysfs' cpu_partial)
 * but kept in slabs, counting each slab on the list as half free.
 */
static void slub_set_cpu_partial(struct kmem_cache *s, unsigned int nr_objects)
{
	unsigned int per_slab = oo_objects(s->oo);

	s->cpu_partial = nr_objects;
	s->cpu_partial_slabs = (nr_objects * 2 + per_slab - 1) / per_slab;
}

/* set_cpu_partial(): Linux 6.1's objects per CPU, fewer the bigger they are. */
static void set_cpu_partial(struct kmem_cache *s)
{
	unsigned int nr_objects;

	/* by debug only: a cache's sheaves come and go (slab_sheaves_off()), its limit stays */
	if (kmem_cache_debug(s))
		nr_objects = 0;
	else if (s->size >= PAGE_SIZE)
		nr_objects = 6;
	else if (s->size >= 1024)
		nr_objects = 24;
	else if (s->size >= 256)
		nr_objects = 52;
	else
		nr_objects = 120;
	slub_set_cpu_partial(s, nr_objects);
}

/*
 * __unfreeze_partials(): the slabs of a CPU partial list back to their node:
 * unfrozen, on the partial list, or to the page allocator if empty and the
 * node has min_partial partial slabs already.
 */
static void __unfreeze_partials(struct kmem_cache *s, struct page *partial_slab)
{
	struct page *slab, *slab_to_discard = nullptr;

	while (partial_slab) {
		struct kmem_cache_node *n;

		slab = partial_slab;
		partial_slab = slab->next;
		n = get_node(s, slab_nid(slab));
		set_slab_frozen(slab, false);
		if (unlikely(!slab_inuse(slab) && n->nr_partial >= s->min_partial)) {
			slab->next = slab_to_discard;
			slab_to_discard = slab;
		} else {
			add_partial(n, slab, DEACTIVATE_TO_TAIL);
		}
	}

	while (slab_to_discard) {
		slab = slab_to_discard;
		slab_to_discard = slab->next;
		discard_slab(s, slab);
	}
}

/* unfreeze_partials(): the whole CPU partial list back to the nodes. */
static void unfreeze_partials(struct kmem_cache *s)
{
	struct kmem_cache_cpu *c = raw_cpu_slab(s);
	struct page *partial_slab = slub_percpu_partial(c);

	c->partial = nullptr;
	if (partial_slab)
		__unfreeze_partials(s, partial_slab);
}

/*
 * put_cpu_partial(): @slab, frozen, to the head of the CPU partial list. With
 * @drain, a list that is full already goes back to the nodes first and @slab
 * starts a new one; without (get_partial_node() filling it), it just grows.
 */
static void put_cpu_partial(struct kmem_cache *s, struct page *slab, int drain)
{
	struct kmem_cache_cpu *c = raw_cpu_slab(s);
	struct page *oldslab = slub_percpu_partial(c);
	struct page *slab_to_unfreeze = nullptr;
	int slabs = 0;

	if (oldslab) {
		if (drain && oldslab->slabs >= (int)s->cpu_partial_slabs) {
			slab_to_unfreeze = oldslab;
			oldslab = nullptr;
		} else {
			slabs = oldslab->slabs;
		}
	}
	slab->slabs = slabs + 1;
	slab->next = oldslab;
	c->partial = slab;

	if (slab_to_unfreeze)
		__unfreeze_partials(s, slab_to_unfreeze);
}

/* ---- Partial slabs ---- */

/*
 * acquire_slab(): take @slab off the node's partial list, frozen, and return
 * its freelist. @mode set: for the CPU slab, the freelist is taken and every
 * object counted in use; clear: for the CPU partial list, the slab keeps it.
 */
static void *acquire_slab(struct kmem_cache *s, struct kmem_cache_node *n, struct page *slab, int mode)
{
	void *freelist = slab->freelist;
	if (mode) {
		slab->freelist = nullptr;
		set_slab_counters(slab, slab_objects(slab), slab_objects(slab), true);
	} else {
		set_slab_frozen(slab, true);
	}
	remove_partial(n, slab);
	return freelist;
}

/* alloc_single_from_partial() (Linux 6.2): a debug cache takes one object. */
static void *alloc_single_from_partial(struct kmem_cache *s, struct kmem_cache_node *n, struct page *slab,
				       unsigned long addr)
{
	void *object = slab->freelist;
	slab->freelist = get_freepointer(s, object);
	set_slab_inuse(slab, slab_inuse(slab) + 1);

	if (!alloc_debug_processing(s, slab, object, addr)) {
		/* Marked all used: on the full list (Linux leaves it on none). */
		remove_partial(n, slab);
		add_full(n, slab);
		return nullptr;
	}

	if (slab_inuse(slab) == slab_objects(slab)) {
		remove_partial(n, slab);
		add_full(n, slab);
	}
	return object;
}

/* alloc_single_from_new_slab() (Linux 6.2). */
static void *alloc_single_from_new_slab(struct kmem_cache *s, struct page *slab, unsigned long addr)
{
	int nid = slab_nid(slab);
	struct kmem_cache_node *n = get_node(s, nid);
	struct slab_obj_iter iter;
	void *object;

	init_slab_obj_iter(s, slab, &iter);
	object = next_slab_obj(s, &iter);
	set_slab_inuse(slab, 1);
	build_slab_freelist(s, slab, &iter);
	/* alloc_debug_processing() checks the object's free pointer: a valid one */
	set_freepointer(s, object, slab->freelist);

	inc_slabs_node(s, nid, slab_objects(slab));
	if (!alloc_debug_processing(s, slab, object, addr)) {
		/* Checks failing on a slab made a moment ago: keep it out of use. */
		add_full(n, slab);
		return nullptr;
	}

	if (slab_inuse(slab) == slab_objects(slab))
		add_full(n, slab);
	else
		add_partial(n, slab, DEACTIVATE_TO_HEAD);
	return object;
}

/*
 * get_partial_node(): partial slabs of node @n. The first becomes the CPU
 * slab: acquired, its freelist returned and the slab in *ret_slab. Then, as
 * Linux does, more go to the CPU partial list, until it holds more than half
 * of cpu_partial_slabs. For a debug cache: one object.
 */
static void *get_partial_node(struct kmem_cache *s, struct kmem_cache_node *n, struct page **ret_slab,
			      unsigned long addr)
{
	struct page *slab, *slab2;
	void *object = nullptr;
	unsigned int partial_slabs = 0;

	if (!n || !n->nr_partial)
		return nullptr;

	list_for_each_entry_safe(slab, slab2, &n->partial, slab_list)
	{
		void *t;

		if (kmem_cache_debug(s)) {
			object = alloc_single_from_partial(s, n, slab, addr);
			if (object)
				break;
			continue;
		}
		t = acquire_slab(s, n, slab, object == nullptr);
		if (!t) /* cannot happen on one CPU: a partial slab has free objects */
			break;
		if (!object) {
			*ret_slab = slab;
			object = t;
		} else {
			put_cpu_partial(s, slab, 0);
			partial_slabs++;
		}
		if (!kmem_cache_has_cpu_partial(s) || partial_slabs > s->cpu_partial_slabs / 2)
			break;
	}
	return object;
}

/* get_any_partial(): another node's partial slab (Linux weighs by distance; we take node order). */
static void *get_any_partial(struct kmem_cache *s, int skip, struct page **ret_slab, unsigned long addr)
{
	int nid;
	for_each_online_node(nid) {
		if (nid == skip)
			continue;
		struct kmem_cache_node *n = get_node(s, nid);
		if (n && n->nr_partial > s->min_partial) {
			void *object = get_partial_node(s, n, ret_slab, addr);
			if (object)
				return object;
		}
	}
	return nullptr;
}

static void *get_partial(struct kmem_cache *s, int node, struct page **ret_slab, unsigned long addr)
{
	void *object;
	int searchnode = node;

	if (node == NUMA_NO_NODE)
		searchnode = numa_mem_id();

	object = get_partial_node(s, get_node(s, searchnode), ret_slab, addr);
	if (object || node != NUMA_NO_NODE)
		return object;

	return get_any_partial(s, searchnode, ret_slab, addr);
}

/*
 * deactivate_slab(): the CPU stops allocating from @slab. The objects left on
 * the CPU freelist go back to the slab's freelist; the slab is unfrozen and
 * filed by what it holds now: freed if empty and the node has enough partial
 * slabs, else partial, else full.
 */
static void deactivate_slab(struct kmem_cache *s, struct page *slab, void *freelist)
{
	struct kmem_cache_node *n = get_node(s, slab_nid(slab));
	int tail = DEACTIVATE_TO_HEAD;
	unsigned int nr_free = 0;
	void *freelist_tail = nullptr;

	if (slab->freelist)
		tail = DEACTIVATE_TO_TAIL;

	for (void *p = freelist; p; p = get_freepointer(s, p)) {
		freelist_tail = p;
		nr_free++;
	}
	if (freelist_tail) {
		set_freepointer(s, freelist_tail, slab->freelist);
		slab->freelist = freelist;
	}
	set_slab_counters(slab, slab_inuse(slab) - nr_free, slab_objects(slab), false);

	if (!slab_inuse(slab) && n->nr_partial >= s->min_partial)
		discard_slab(s, slab);
	else if (slab->freelist)
		add_partial(n, slab, tail);
	else
		add_full(n, slab);
}

static inline void flush_slab(struct kmem_cache *s, struct kmem_cache_cpu *c)
{
	struct page *slab = c->slab;
	void *freelist = c->freelist;

	c->slab = nullptr;
	c->freelist = nullptr;
	c->tid = next_tid(c->tid);
	if (slab)
		deactivate_slab(s, slab, freelist);
}

/*
 * flush_all(): flush_cpu_sheaves() and __flush_cpu_slab() on every CPU (one
 * here): the sheaves' objects, the CPU slab and the CPU partial list back to
 * the node lists.
 */
static void pcs_flush_all(struct kmem_cache *s);

static void flush_all(struct kmem_cache *s)
{
	struct kmem_cache_cpu *c = raw_cpu_slab(s);

	/* the sheaves first: their objects may go back to the CPU slab */
	pcs_flush_all(s);
	if (c->slab)
		flush_slab(s, c);
	unfreeze_partials(s);
}

/*
 * get_freelist(): the CPU slab's remote frees (slab->freelist) become the CPU
 * freelist; the slab stays frozen if there were any.
 */
static inline void *get_freelist(struct kmem_cache *s, struct page *slab)
{
	void *freelist = slab->freelist;
	slab->freelist = nullptr;
	set_slab_counters(slab, slab_objects(slab), slab_objects(slab), freelist != nullptr);
	return freelist;
}

static inline bool node_match(struct page *slab, int node)
{
	return node == NUMA_NO_NODE || slab_nid(slab) == node;
}

static void slab_out_of_memory(struct kmem_cache *s, gfp_t gfpflags, int nid)
{
	int node;

	if (gfpflags & __GFP_NOWARN)
		return;
	pr_warn("SLUB: Unable to allocate memory on node %d, gfp=%#x\n", nid, gfpflags);
	pr_warn("  cache: %s, object size: %u, buffer size: %u, default order: %u, min order: %u\n", s->name,
		s->object_size, s->size, oo_order(s->oo), oo_order(s->min));
	for_each_online_node(node) {
		struct kmem_cache_node *n = get_node(s, node);
		if (!n)
			continue;
		unsigned long nr_free = 0;
		struct page *slab;
		list_for_each_entry(slab, &n->partial, slab_list) nr_free += slab_objects(slab) - slab_inuse(slab);
		pr_warn("  node %d: slabs: %lu, objs: %lu, free: %lu\n", node, n->nr_slabs, n->total_objects, nr_free);
	}
}

/*
 * ___slab_alloc(): the slow path. The CPU freelist is empty or its slab is on
 * the wrong node: take the slab's remote frees, or a partial slab, or a new
 * slab. Debug caches get one object from the node lists instead.
 */
static void *___slab_alloc(struct kmem_cache *s, gfp_t gfpflags, int node, unsigned long addr,
			   struct kmem_cache_cpu *c)
{
	void *freelist;
	struct page *slab;
	struct slab_obj_iter iter;

	slab = c->slab;
	if (!slab)
		goto new_slab;
redo:
	if (unlikely(!node_match(slab, node))) {
		flush_slab(s, c);
		goto new_slab;
	}

	/* Linux re-reads c->freelist here (the task may have moved CPU); harmless on one. */
	freelist = c->freelist;
	if (freelist)
		goto load_freelist;

	freelist = get_freelist(s, slab);
	if (!freelist) {
		/* The slab is full: off the CPU, on the full list. */
		c->slab = nullptr;
		c->tid = next_tid(c->tid);
		add_full(get_node(s, slab_nid(slab)), slab);
		goto new_slab;
	}

load_freelist:
	/*
	 * @freelist: the objects the CPU now owns, all from @slab, which is
	 * frozen so that frees into it never touch the node lists.
	 */
	c->freelist = (void **)get_freepointer(s, freelist);
	c->tid = next_tid(c->tid);
	return freelist;

new_slab:
	if (slub_percpu_partial(c)) {
		/* The next slab of the CPU partial list becomes the CPU slab. */
		slab = c->slab = slub_percpu_partial(c);
		slub_set_percpu_partial(c, slab);
		goto redo;
	}

	slab = nullptr;
	freelist = get_partial(s, node, &slab, addr);
	if (freelist) {
		if (kmem_cache_debug(s))
			return freelist;
		goto retry_load_slab;
	}

	slab = new_slab(s, gfpflags, node);
	if (unlikely(!slab)) {
		slab_out_of_memory(s, gfpflags, node);
		return nullptr;
	}

	if (kmem_cache_debug(s)) {
		freelist = alloc_single_from_new_slab(s, slab, addr);
		if (unlikely(!freelist))
			goto new_slab;
		return freelist;
	}

	/* The new slab becomes the CPU slab: frozen, every object counted in use. */
	inc_slabs_node(s, slab_nid(slab), slab_objects(slab));
	init_slab_obj_iter(s, slab, &iter);
	build_slab_freelist(s, slab, &iter);
	freelist = slab->freelist;
	slab->freelist = nullptr;
	set_slab_counters(slab, slab_objects(slab), slab_objects(slab), true);

retry_load_slab:
	if (unlikely(c->slab))
		flush_slab(s, c);
	c->slab = slab;
	goto load_freelist;
}

/*
 * ---- Sheaves (Linux 6.18, on most caches from 7.0): the per-CPU arrays of
 * free objects in front of the slabs. ----
 *
 * The state mirrored is Linux 7.0's series ("slab: add sheaves to most
 * caches", the kmalloc sheaves bootstrap, "slab: add optimized sheaf refill
 * from partial list") up to the removal of the CPU slab: refills take from
 * the node's slabs (__refill_objects()), flushes free into them, a cache with
 * sheaves has no CPU partial list, and the CPU slab serves the caches without
 * sheaves and the allocations that pass the sheaves by. One CPU here: no
 * local_trylock, and the races Linux re-checks after dropping it can only
 * come from nested allocations of sheaves (see __pcs_install_empty_sheaf()).
 */

/* The main "sheaf" of every CPU of a cache without sheaves: empty, capacity 0. */
static struct slab_sheaf bootstrap_sheaf;

static inline struct slub_percpu_sheaves *raw_cpu_sheaves(struct kmem_cache *s)
{
	return &s->cpu_sheaves_cpu0;
}

/* get_barn(): the barn of the running CPU's node. */
static inline struct node_barn *get_barn(struct kmem_cache *s)
{
	struct kmem_cache_node *n = get_node(s, numa_mem_id());
	return n ? n->barn : nullptr;
}

/* is_kmalloc_normal(): a KMALLOC_NORMAL size-class cache. */
static inline bool is_kmalloc_normal(const struct kmem_cache *s)
{
	return (s->flags & SLAB_KMALLOC) && !(s->flags & (SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | SLAB_RECLAIM_ACCOUNT));
}

/*
 * calculate_sheaf_capacity(): none for debug caches, the boot caches and
 * SLAB_NOLEAKTRACE ones; else about half the objects set_cpu_partial() gives
 * a CPU partial list (a CPU has two sheaves), grown to fill the kmalloc size
 * class the sheaf itself comes from: 60, 28, 12 or 4 objects.
 */
static unsigned int calculate_sheaf_capacity(const struct kmem_cache *s)
{
	unsigned int capacity;
	size_t bytes;

	if (s->flags & (SLAB_DEBUG_FLAGS | SLAB_NO_OBJ_EXT | SLAB_NOLEAKTRACE))
		return 0;
	if (s->size >= PAGE_SIZE)
		capacity = 4;
	else if (s->size >= 1024)
		capacity = 12;
	else if (s->size >= 256)
		capacity = 26;
	else
		capacity = 60;
	bytes = kmalloc_size_roundup(offsetof(struct slab_sheaf, objects) + capacity * sizeof(void *));
	return (unsigned int)((bytes - offsetof(struct slab_sheaf, objects)) / sizeof(void *));
}

/*
 * __alloc_empty_sheaf(): a zeroed sheaf from kmalloc. A sheaf for a kmalloc
 * cache may come from that very cache; __GFP_NO_OBJ_EXT then makes the
 * nested allocation's own sheaf refill fail, so it takes an object from the
 * slabs instead of recursing.
 */
static struct slab_sheaf *__alloc_empty_sheaf(struct kmem_cache *s, gfp_t gfp, unsigned int capacity)
{
	struct slab_sheaf *sheaf;

	if (gfp & __GFP_NO_OBJ_EXT)
		return nullptr;
	gfp &= ~(__GFP_DMA | __GFP_DMA32 | __GFP_RECLAIMABLE | __GFP_ACCOUNT | __GFP_NOFAIL);
	if (s->flags & SLAB_KMALLOC)
		gfp |= __GFP_NO_OBJ_EXT;
	sheaf = (struct slab_sheaf *)kzalloc(offsetof(struct slab_sheaf, objects) + capacity * sizeof(void *), gfp);
	if (sheaf)
		sheaf->cache = s;
	return sheaf;
}

static inline struct slab_sheaf *alloc_empty_sheaf(struct kmem_cache *s, gfp_t gfp)
{
	return __alloc_empty_sheaf(s, gfp, s->sheaf_capacity);
}

static void free_empty_sheaf(struct kmem_cache *s, struct slab_sheaf *sheaf)
{
	kfree(sheaf);
}

static inline void do_slab_free(struct kmem_cache *s, struct page *slab, void *head, void *tail, int cnt,
				unsigned long addr);
static void report_naive_double_free(struct kmem_cache *s, struct page *slab, void *object);

/*
 * __kmem_cache_free_bulk(): objects back to their slabs. Like Linux's
 * build_detached_freelist(), objects of one slab are chained first and freed
 * in one go; we only chain neighbours in the array (Linux also looks a few
 * entries further).
 */
static void __kmem_cache_free_bulk(struct kmem_cache *s, size_t size, void **p)
{
	/* the free pointers are written below: ask for their lines all at once (ours) */
	for (size_t i = 0; i < size; i++)
		__builtin_prefetch((u8 *)p[i] + s->offset, 1);
	while (size) {
		void *tail = p[--size];
		void *head = tail;
		struct page *slab = compound_head(virt_to_page(tail));
		uintptr_t start = (uintptr_t)slab_address(slab), end = start + slab_size(slab);
		int cnt = 1;

		/* the same slab: by address, without another struct page */
		while (size && (uintptr_t)p[size - 1] - start < end - start) {
			void *object = p[--size];
			set_freepointer(s, object, head);
			head = object;
			cnt++;
		}
		do_slab_free(s, slab, head, tail, cnt, (unsigned long)__builtin_return_address(0));
	}
}

/*
 * ---- Refilling sheaves from the node's slabs (Linux 7.0, "slab: add
 * optimized sheaf refill from partial list") ----
 *
 * Not through the CPU slab: whole freelists of partial slabs, taken off the
 * node's list together, and objects straight from new slabs.
 */

/*
 * get_partial_node_bulk(): partial slabs of @n off its list and onto
 * @slabs (each put at the head, as Linux does), holding at least @min free
 * objects together and, once they hold @min, no more than @max.
 */
static bool get_partial_node_bulk(struct kmem_cache *s, struct kmem_cache_node *n, unsigned int min,
				  unsigned int max, struct list_head *slabs)
{
	struct page *slab, *slab2;
	unsigned int total_free = 0;

	if (!n || !n->nr_partial)
		return false;
	list_for_each_entry_safe(slab, slab2, &n->partial, slab_list)
	{
		unsigned int slab_free = slab_objects(slab) - slab_inuse(slab);

		if (total_free >= min && total_free + slab_free > max)
			break;
		remove_partial(n, slab);
		list_add(&slab->slab_list, slabs);
		total_free += slab_free;
		if (total_free >= max)
			break;
	}
	return total_free > 0;
}

/*
 * get_freelist_nofreeze(): the whole freelist of a slab off every list and
 * not frozen; every object then counts in use. Ours files the slab on the
 * full list, where a free finds it (__slab_free_unfrozen()).
 */
static inline void *get_freelist_nofreeze(struct kmem_cache *s, struct page *slab)
{
	void *freelist = slab->freelist;

	slab->freelist = nullptr;
	set_slab_inuse(slab, slab_objects(slab));
	add_full(get_node(s, slab_nid(slab)), slab);
	return freelist;
}

/*
 * alloc_from_new_slab(): up to @count objects of a slab new_slab() has just
 * made, which no free can reach yet, straight from the iterator; only the
 * rest is linked, and the slab goes on the partial list with it (on the
 * full list, ours, when nothing is left). Linux 7.0 walked a freelist
 * allocate_slab() had linked; 7.1 does as here.
 */
static unsigned int alloc_from_new_slab(struct kmem_cache *s, struct page *slab, void **p, unsigned int count)
{
	struct kmem_cache_node *n = get_node(s, slab_nid(slab));
	unsigned int allocated = 0;
	struct slab_obj_iter iter;

	init_slab_obj_iter(s, slab, &iter);
	while (allocated < count && allocated < slab_objects(slab))
		p[allocated++] = next_slab_obj(s, &iter);
	set_slab_inuse(slab, allocated);
	build_slab_freelist(s, slab, &iter);
	if (slab->freelist)
		add_partial(n, slab, DEACTIVATE_TO_HEAD);
	else
		add_full(n, slab);
	inc_slabs_node(s, slab_nid(slab), slab_objects(slab));
	return allocated;
}

/*
 * __refill_objects(): between @min and @max objects into @p, from the local
 * node's partial slabs, then from new slabs; returns how many (fewer than
 * @min only when the page allocator has no slab to give). Linux 7.0 does not
 * look at other nodes here either.
 */
static unsigned int __refill_objects(struct kmem_cache *s, void **p, gfp_t gfp, unsigned int min, unsigned int max)
{
	int node = numa_mem_id();
	struct kmem_cache_node *n = get_node(s, node);
	struct page *slab, *slab2;
	unsigned int refilled = 0;
	LIST_HEAD(slabs);

	if (!get_partial_node_bulk(s, n, min, max, &slabs))
		goto new_slab;

	list_for_each_entry_safe(slab, slab2, &slabs, slab_list)
	{
		void *object;

		list_del(&slab->slab_list);
		object = get_freelist_nofreeze(s, slab);
		while (object && refilled < max) {
			p[refilled++] = object;
			object = get_freepointer(s, object);
		}
		if (unlikely(object)) {
			/* more than @max: the rest goes back as a detached freelist */
			void *head = object, *tail;
			int cnt = 0;

			do {
				tail = object;
				cnt++;
				object = get_freepointer(s, object);
			} while (object);
			do_slab_free(s, slab, head, tail, cnt, (unsigned long)__builtin_return_address(0));
		}
		if (refilled >= max)
			break;
	}

	/* slabs not reached: back on the list, or to the page allocator if empty and enough are there */
	list_for_each_entry_safe(slab, slab2, &slabs, slab_list)
	{
		list_del(&slab->slab_list);
		if (unlikely(!slab_inuse(slab) && n->nr_partial >= s->min_partial))
			discard_slab(s, slab);
		else
			add_partial(n, slab, DEACTIVATE_TO_HEAD);
	}
	if (likely(refilled >= min))
		return refilled;

new_slab:
	while (refilled < min) {
		slab = new_slab(s, gfp, node);
		if (!slab)
			break;
		refilled += alloc_from_new_slab(s, slab, p + refilled, max - refilled);
	}
	return refilled;
}

/*
 * maybe_wipe_obj_freeptr(): with init_on_free every byte of a free object was
 * cleared but its free pointer, written after; an object handed out reads
 * zero only once that is cleared too.
 */
static inline void maybe_wipe_obj_freeptr(struct kmem_cache *s, void *object)
{
	if (unlikely(slab_want_init_on_free(s)) && object)
		memset((u8 *)object + s->offset, 0, sizeof(void *));
}

/*
 * refill_sheaf(): fill @sheaf up to the capacity from the slabs; -ENOMEM if
 * it could not, with what it got left in the sheaf.
 */
static int refill_sheaf(struct kmem_cache *s, struct slab_sheaf *sheaf, gfp_t gfp)
{
	unsigned int to_fill = s->sheaf_capacity - sheaf->size;
	unsigned int filled;

	if (!to_fill)
		return 0;
	filled = __refill_objects(s, &sheaf->objects[sheaf->size], gfp, to_fill, to_fill);
	/*
	 * Ours: maybe_wipe_obj_freeptr() here rather than when an object leaves
	 * the sheaf, so that the inlined fast path of an allocation need not
	 * test init_on_free (Linux's static key costs nothing there; ours would).
	 */
	if (unlikely(slab_want_init_on_free(s)))
		for (unsigned int i = 0; i < filled; i++)
			maybe_wipe_obj_freeptr(s, sheaf->objects[sheaf->size + i]);
	sheaf->size += filled;
	if (filled < to_fill)
		return -ENOMEM;
	return 0;
}

/* sheaf_flush_unused(): every object of a sheaf nobody else sees back to the slabs. */
static void sheaf_flush_unused(struct kmem_cache *s, struct slab_sheaf *sheaf)
{
	__kmem_cache_free_bulk(s, sheaf->size, sheaf->objects);
	sheaf->size = 0;
}

/* sheaf_flush_main(): the same for the CPU's main sheaf (Linux: 32 objects per lock hold). */
static void sheaf_flush_main(struct kmem_cache *s)
{
	sheaf_flush_unused(s, raw_cpu_sheaves(s)->main);
}

static struct slab_sheaf *alloc_full_sheaf(struct kmem_cache *s, gfp_t gfp)
{
	struct slab_sheaf *sheaf = alloc_empty_sheaf(s, gfp);

	if (!sheaf)
		return nullptr;
	if (refill_sheaf(s, sheaf, gfp | __GFP_NOMEMALLOC)) {
		sheaf_flush_unused(s, sheaf);
		free_empty_sheaf(s, sheaf);
		return nullptr;
	}
	return sheaf;
}

/* ---- The barn ---- */

static struct node_barn *alloc_barn(int node)
{
	struct node_barn *barn = (struct node_barn *)kmalloc_node(sizeof(*barn), GFP_KERNEL, node);

	if (!barn)
		return nullptr;
	INIT_LIST_HEAD(&barn->sheaves_full);
	INIT_LIST_HEAD(&barn->sheaves_empty);
	barn->nr_full = 0;
	barn->nr_empty = 0;
	return barn;
}

static struct slab_sheaf *barn_get_empty_sheaf(struct node_barn *barn)
{
	struct slab_sheaf *sheaf;

	if (!barn->nr_empty)
		return nullptr;
	sheaf = list_first_entry(&barn->sheaves_empty, struct slab_sheaf, barn_list);
	list_del(&sheaf->barn_list);
	barn->nr_empty--;
	return sheaf;
}

/* The two puts ignore the limits: they take back what a CPU cannot use. */
static void barn_put_empty_sheaf(struct node_barn *barn, struct slab_sheaf *sheaf)
{
	list_add(&sheaf->barn_list, &barn->sheaves_empty);
	barn->nr_empty++;
}

static void barn_put_full_sheaf(struct node_barn *barn, struct slab_sheaf *sheaf)
{
	list_add(&sheaf->barn_list, &barn->sheaves_full);
	barn->nr_full++;
}

/* barn_replace_empty_sheaf(): a full sheaf for the CPU's empty one, or nullptr if the barn has none. */
static struct slab_sheaf *barn_replace_empty_sheaf(struct node_barn *barn, struct slab_sheaf *empty)
{
	struct slab_sheaf *full;

	if (!barn->nr_full)
		return nullptr;
	full = list_first_entry(&barn->sheaves_full, struct slab_sheaf, barn_list);
	list_del(&full->barn_list);
	barn->nr_full--;
	barn_put_empty_sheaf(barn, empty);
	return full;
}

/*
 * barn_replace_full_sheaf(): an empty sheaf for the CPU's full one. -E2BIG
 * when the barn holds MAX_FULL_SHEAVES full ones already, -ENOMEM when it has
 * no empty one; the CPU keeps its sheaf then.
 */
static struct slab_sheaf *barn_replace_full_sheaf(struct node_barn *barn, struct slab_sheaf *full, int *err)
{
	struct slab_sheaf *empty;

	if (barn->nr_full >= MAX_FULL_SHEAVES) {
		*err = -E2BIG;
		return nullptr;
	}
	empty = barn_get_empty_sheaf(barn);
	if (!empty) {
		*err = -ENOMEM;
		return nullptr;
	}
	barn_put_full_sheaf(barn, full);
	*err = 0;
	return empty;
}

/* barn_shrink(): the barn's full sheaves back to the slabs, and every sheaf freed. */
static void barn_shrink(struct kmem_cache *s, struct node_barn *barn)
{
	struct slab_sheaf *sheaf, *t;

	list_for_each_entry_safe(sheaf, t, &barn->sheaves_full, barn_list)
	{
		list_del(&sheaf->barn_list);
		barn->nr_full--;
		sheaf_flush_unused(s, sheaf);
		free_empty_sheaf(s, sheaf);
	}
	list_for_each_entry_safe(sheaf, t, &barn->sheaves_empty, barn_list)
	{
		list_del(&sheaf->barn_list);
		barn->nr_empty--;
		free_empty_sheaf(s, sheaf);
	}
}

/* The barns of every node shrunk (__kmem_cache_shrink() and shutdown do this per node). */
static void barn_shrink_all(struct kmem_cache *s)
{
	int node;

	for_each_online_node(node) {
		struct kmem_cache_node *n = get_node(s, node);
		if (n && n->barn)
			barn_shrink(s, n->barn);
	}
}

/* ---- The CPU's sheaves ---- */

/* init_percpu_sheaves(): an empty main sheaf, or the bootstrap sheaf for a cache without sheaves. */
static int init_percpu_sheaves(struct kmem_cache *s)
{
	struct slub_percpu_sheaves *pcs = raw_cpu_sheaves(s);

	s->cpu_sheaves = pcs;
	pcs->spare = nullptr;
	if (!cache_has_sheaves(s)) {
		pcs->main = &bootstrap_sheaf;
		return 0;
	}
	pcs->main = alloc_empty_sheaf(s, GFP_KERNEL);
	return pcs->main ? 0 : -ENOMEM;
}

/* pcs_flush_all(): the spare flushed and freed, the main sheaf flushed (and kept). */
static void pcs_flush_all(struct kmem_cache *s)
{
	struct slub_percpu_sheaves *pcs = raw_cpu_sheaves(s);
	struct slab_sheaf *spare = pcs->spare;

	if (spare) {
		pcs->spare = nullptr;
		sheaf_flush_unused(s, spare);
		free_empty_sheaf(s, spare);
	}
	sheaf_flush_main(s);
}

/* pcs_destroy(): the main sheaf freed with the cache. */
static void pcs_destroy(struct kmem_cache *s)
{
	struct slub_percpu_sheaves *pcs = raw_cpu_sheaves(s);

	if (pcs->main != &bootstrap_sheaf)
		free_empty_sheaf(s, pcs->main);
	pcs->main = &bootstrap_sheaf;
}

/*
 * __pcs_replace_empty_main(): the main sheaf is empty. A non-empty spare
 * becomes main; else the barn swaps in a full sheaf; else, if the caller may
 * block, a sheaf (the empty spare, one from the barn, or a new one) is filled
 * from the slabs. false sends the allocation to the slabs.
 */
static __attribute__((noinline)) bool __pcs_replace_empty_main(struct kmem_cache *s, struct slub_percpu_sheaves *pcs,
							       gfp_t gfp)
{
	struct slab_sheaf *empty = nullptr, *full;
	struct node_barn *barn;

	if (!cache_has_sheaves(s))
		return false;
	if (pcs->spare && pcs->spare->size > 0) {
		struct slab_sheaf *t = pcs->main;
		pcs->main = pcs->spare;
		pcs->spare = t;
		return true;
	}
	barn = get_barn(s);
	if (!barn)
		return false;
	full = barn_replace_empty_sheaf(barn, pcs->main);
	if (full) {
		pcs->main = full;
		return true;
	}
	if (!gfpflags_allow_blocking(gfp))
		return false;

	if (pcs->spare) {
		empty = pcs->spare;
		pcs->spare = nullptr;
	} else {
		empty = barn_get_empty_sheaf(barn);
	}
	if (empty) {
		if (!refill_sheaf(s, empty, gfp | __GFP_NOMEMALLOC)) {
			full = empty;
		} else {
			/* very low on memory: what it got back to the slabs, not to the barn */
			sheaf_flush_unused(s, empty);
			free_empty_sheaf(s, empty);
			return false;
		}
	} else {
		full = alloc_full_sheaf(s, gfp);
		if (!full)
			return false;
	}

	/*
	 * Install it. Allocating the sheaf may have gone through this cache's
	 * own sheaves (a kmalloc cache), so main may no longer be empty.
	 */
	if (pcs->main->size == 0) {
		/* the empty main stays as the spare: a free will want it */
		if (!pcs->spare)
			pcs->spare = pcs->main;
		else
			barn_put_empty_sheaf(barn, pcs->main);
		pcs->main = full;
	} else if (!pcs->spare) {
		pcs->spare = full;
	} else if (pcs->spare->size == 0) {
		barn_put_empty_sheaf(barn, pcs->spare);
		pcs->spare = full;
	} else {
		barn_put_full_sheaf(barn, full);
	}
	return true;
}

/*
 * __pcs_install_empty_sheaf(): @empty becomes main and the full main the
 * spare (or goes to the barn); unless a nested free of a sheaf into this
 * cache left main with room, or the spare with room.
 */
static void __pcs_install_empty_sheaf(struct kmem_cache *s, struct slub_percpu_sheaves *pcs,
				      struct slab_sheaf *empty, struct node_barn *barn)
{
	if (pcs->main->size < s->sheaf_capacity) {
		barn_put_empty_sheaf(barn, empty);
		return;
	}
	if (!pcs->spare) {
		pcs->spare = pcs->main;
		pcs->main = empty;
		return;
	}
	if (pcs->spare->size < s->sheaf_capacity) {
		struct slab_sheaf *t = pcs->main;
		pcs->main = pcs->spare;
		pcs->spare = t;
		barn_put_empty_sheaf(barn, empty);
		return;
	}
	barn_put_full_sheaf(barn, pcs->main);
	pcs->main = empty;
}

/*
 * __pcs_replace_full_main(): the main sheaf is full. An empty sheaf takes its
 * place: from the barn, the spare swapped in if it has room, the barn
 * swapping the full main for an empty one, or a new sheaf. When the barn
 * has enough full sheaves, the full spare goes to the slabs and is reused;
 * when no sheaf can be had, main itself goes to the slabs. false sends the
 * free to the slabs.
 */
static __attribute__((noinline)) bool __pcs_replace_full_main(struct kmem_cache *s, struct slub_percpu_sheaves *pcs)
{
	struct slab_sheaf *empty;
	struct node_barn *barn;
	int err;

	if (!cache_has_sheaves(s))
		return false;
	barn = get_barn(s);
	if (!barn)
		return false;

	if (!pcs->spare) {
		empty = barn_get_empty_sheaf(barn);
		if (empty) {
			pcs->spare = pcs->main;
			pcs->main = empty;
			return true;
		}
		goto alloc_empty;
	}
	if (pcs->spare->size < s->sheaf_capacity) {
		struct slab_sheaf *t = pcs->main;
		pcs->main = pcs->spare;
		pcs->spare = t;
		return true;
	}
	empty = barn_replace_full_sheaf(barn, pcs->main, &err);
	if (empty) {
		pcs->main = empty;
		return true;
	}
	if (err == -E2BIG) {
		empty = pcs->spare;
		pcs->spare = nullptr;
		sheaf_flush_unused(s, empty);
		__pcs_install_empty_sheaf(s, pcs, empty, barn);
		return true;
	}

alloc_empty:
	empty = alloc_empty_sheaf(s, GFP_NOWAIT);
	if (!empty) {
		sheaf_flush_main(s);
		return true;
	}
	__pcs_install_empty_sheaf(s, pcs, empty, barn);
	return true;
}

/*
 * slab_free_hook()'s clearing for init_on_free: the object's bytes. Linux
 * clears before any check of the free and also clears the metadata behind
 * the object (slub_debug=U's tracks); ours clears once the free is known
 * good, so that an object freed twice is left as it is, and keeps the tracks.
 */
static __attribute__((noinline)) void slab_free_init_object(struct kmem_cache *s, void *object)
{
	memset(object, 0, s->object_size);
}

/*
 * alloc_from_pcs(): the fast path of a cache with sheaves: the last object
 * put into the main sheaf. A request for another node than the CPU's, or
 * whose object lies elsewhere, goes to the slabs.
 */
static __attribute__((always_inline)) inline void *alloc_from_pcs(struct kmem_cache *s, gfp_t gfp, int node)
{
	struct slub_percpu_sheaves *pcs = raw_cpu_sheaves(s);
	struct slab_sheaf *main;
	void *object;

	if (unlikely(node != NUMA_NO_NODE) && node != numa_mem_id())
		return nullptr;
	main = pcs->main;
	if (unlikely(main->size == 0)) {
		if (!__pcs_replace_empty_main(s, pcs, gfp))
			return nullptr;
		main = pcs->main;
	}
	object = main->objects[main->size - 1];
	if (unlikely(node != NUMA_NO_NODE) && slab_nid(compound_head(virt_to_page(object))) != node)
		return nullptr;
	main->size--;
	return object;
}

/*
 * free_to_pcs(): the fast path of a free: into the main sheaf. false sends
 * the free to the slabs (no sheaves, or none to be had). Ours: an object
 * freed twice in a row (it tops the main sheaf already) is reported and
 * refused, as the hardened freelist does for objects freed to a slab.
 */
static __attribute__((always_inline)) inline bool free_to_pcs(struct kmem_cache *s, struct page *slab, void *object)
{
	struct slub_percpu_sheaves *pcs = raw_cpu_sheaves(s);
	struct slab_sheaf *main = pcs->main;

	if (unlikely(main->size && main->objects[main->size - 1] == object)) {
		report_naive_double_free(s, slab, object);
		return true;
	}
	if (unlikely(main->size == s->sheaf_capacity)) {
		if (!__pcs_replace_full_main(s, pcs))
			return false;
		main = pcs->main;
	}
	if (unlikely(slab_want_init_on_free(s)))
		slab_free_init_object(s, object);
	main->objects[main->size++] = object;
	return true;
}

/*
 * bootstrap_cache_sheaves(): sheaves for a cache created without them: a
 * barn per node and the CPU's main sheaf, the capacity set last (until then
 * the allocations made here take the slab paths).
 */
static int bootstrap_cache_sheaves(struct kmem_cache *s)
{
	unsigned int capacity = calculate_sheaf_capacity(s);
	struct slab_sheaf *main;
	int node;

	if (!capacity || cache_has_sheaves(s))
		return 0;
	for_each_online_node(node) {
		struct kmem_cache_node *n = get_node(s, node);
		if (!n || n->barn)
			continue;
		n->barn = alloc_barn(node);
		if (!n->barn)
			return -ENOMEM;
	}
	main = __alloc_empty_sheaf(s, GFP_KERNEL, capacity);
	if (!main)
		return -ENOMEM;
	raw_cpu_sheaves(s)->main = main;
	s->sheaf_capacity = capacity;
	/* no CPU partial list with sheaves: its slabs to the node, where refills look */
	unfreeze_partials(s);
	return 0;
}

/*
 * bootstrap_kmalloc_sheaves(): the KMALLOC_NORMAL caches get their sheaves
 * once every kmalloc cache exists, as sheaves and barns are kmalloc objects.
 */
int bootstrap_kmalloc_sheaves(void)
{
	for (int i = 0; i <= KMALLOC_SHIFT_HIGH; i++) {
		struct kmem_cache *s = kmalloc_caches[KMALLOC_NORMAL][i];
		if (s && bootstrap_cache_sheaves(s))
			return -ENOMEM;
	}
	return 0;
}

/*
 * slab_sheaves_off() / slab_sheaves_on(), ours: where a sheaf lives is
 * chance (main and spare trade places, the barn swaps them), so a buddy
 * snapshot after shrinking every cache depends on it. The self-test and the
 * tests take their snapshots with every sheaf and barn freed (their objects
 * back in the slabs) and the caches running without sheaves meanwhile.
 */
void slab_sheaves_off(void)
{
	struct kmem_cache *s;

	list_for_each_entry(s, &slab_caches, list)
	{
		int node;

		if (!cache_has_sheaves(s))
			continue;
		/*
		 * Off first, and main emptied: the sheaves freed below may be
		 * objects of this very cache, and must then go to their slab.
		 */
		s->sheaf_capacity = 0;
		sheaf_flush_main(s);
		pcs_flush_all(s);
		barn_shrink_all(s);
		for_each_online_node(node) {
			struct kmem_cache_node *n = get_node(s, node);
			if (n && n->barn) {
				kfree(n->barn);
				n->barn = nullptr;
			}
		}
		pcs_destroy(s);
	}
}

int slab_sheaves_on(void)
{
	struct kmem_cache *s;

	list_for_each_entry(s, &slab_caches, list) if (bootstrap_cache_sheaves(s)) return -ENOMEM;
	return 0;
}

static void *__slab_alloc_node(struct kmem_cache *s, gfp_t gfpflags, int node, unsigned long addr)
{
	return ___slab_alloc(s, gfpflags, node, addr, raw_cpu_slab(s));
}

/*
 * slab_alloc_cpu_slab(): the CPU slab's path, all Linux had before sheaves:
 * the first object of the CPU freelist, if there is one and its slab is on
 * the right node (Linux commits with this_cpu_cmpxchg_double(freelist, tid);
 * one CPU needs two stores), else ___slab_alloc(). Out of line: caches with
 * sheaves come here only for another node's object.
 */
static __attribute__((noinline)) void *slab_alloc_cpu_slab(struct kmem_cache *s, gfp_t gfpflags, int node,
							    unsigned long addr)
{
	struct kmem_cache_cpu *c = raw_cpu_slab(s);
	unsigned long tid = c->tid;
	struct page *slab;
	void *object;

	object = c->freelist;
	slab = c->slab;
	if (unlikely(!object || !slab || !node_match(slab, node))) {
		object = __slab_alloc_node(s, gfpflags, node, addr);
	} else {
		void *next_object = get_freepointer_safe(s, object);
		c->freelist = (void **)next_object;
		c->tid = next_tid(tid);
		__builtin_prefetch((u8 *)next_object + s->offset);
	}

	maybe_wipe_obj_freeptr(s, object);
	/* slab_post_alloc_hook(): __GFP_ZERO or init_on_alloc clears the object. */
	if (unlikely(slab_want_init_on_alloc(gfpflags, s)) && object)
		memset(object, 0, s->object_size);
	return object;
}

/* slab_alloc_slow(): everything but a plain take from a non-empty main sheaf. */
static __attribute__((noinline)) void *slab_alloc_slow(struct kmem_cache *s, gfp_t gfpflags, int node,
						       unsigned long addr)
{
	void *object = alloc_from_pcs(s, gfpflags, node);

	if (unlikely(!object))
		return slab_alloc_cpu_slab(s, gfpflags, node, addr);
	maybe_wipe_obj_freeptr(s, object);
	if (unlikely(slab_want_init_on_alloc(gfpflags, s)))
		memset(object, 0, s->object_size);
	return object;
}

/*
 * slab_alloc_node(): the fast path, the last object put into the CPU's main
 * sheaf (alloc_from_pcs() with nothing to replace); the rest out of line.
 */
static __attribute__((always_inline)) inline void *slab_alloc_node(struct kmem_cache *s, gfp_t gfpflags,
								    int node, unsigned long addr)
{
	struct slab_sheaf *main = raw_cpu_sheaves(s)->main;

	/* No init_on_free test: objects in a sheaf have their free pointers wiped already (refill_sheaf()). */
	if (likely(main->size && node == NUMA_NO_NODE && !(gfpflags & __GFP_ZERO) && !init_on_alloc))
		return main->objects[--main->size];
	return slab_alloc_slow(s, gfpflags, node, addr);
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfpflags)
{
	return slab_alloc_node(s, gfpflags, NUMA_NO_NODE, (unsigned long)__builtin_return_address(0));
}

void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t gfpflags, int node)
{
	if (node != NUMA_NO_NODE && (!node_online(node) || !get_node(s, node)))
		node = NUMA_NO_NODE;
	return slab_alloc_node(s, gfpflags, node, (unsigned long)__builtin_return_address(0));
}

/* Used by kmalloc (mm/slab_common.cpp). */
void *__kmem_cache_alloc_node(struct kmem_cache *s, gfp_t gfpflags, int node, unsigned long caller)
{
	if (node != NUMA_NO_NODE && (!node_online(node) || !get_node(s, node)))
		node = NUMA_NO_NODE;
	return slab_alloc_node(s, gfpflags, node, caller);
}

/* free_to_partial_list() (Linux 6.2): a debug cache's free, under the node lists. */
static __attribute__((noinline)) void free_to_partial_list(struct kmem_cache *s, struct page *slab, void *head,
								unsigned long addr)
{
	struct kmem_cache_node *n = get_node(s, slab_nid(slab));
	struct page *slab_free = nullptr;
	void *prior;

	if (!free_debug_processing(s, slab, head, addr))
		return;
	if (slab_want_init_on_free(s))
		slab_free_init_object(s, head);

	prior = slab->freelist;
	set_freepointer(s, head, prior);
	slab->freelist = head;
	set_slab_inuse(slab, slab_inuse(slab) - 1);

	if (!slab_inuse(slab) && n->nr_partial >= s->min_partial)
		slab_free = slab;

	if (!prior) {
		/* prior == nullptr: the slab had no free object, so it sat on the full list */
		remove_full(n, slab);
		if (!slab_free)
			add_partial(n, slab, DEACTIVATE_TO_TAIL);
	} else if (slab_free) {
		remove_partial(n, slab);
	}

	if (slab_free) {
		dec_slabs_node(s, slab_nid(slab_free), slab_objects(slab_free));
		free_slab(s, slab_free);
	}
}

/* Report a double free caught by CONFIG_SLAB_FREELIST_HARDENED's naive check (Linux: BUG_ON). */
static __attribute__((noinline)) void report_naive_double_free(struct kmem_cache *s, struct page *slab, void *object)
{
	slab_bug(s, "Object already free");
	pr_err("Object %px freed twice in a row: it is the first object of the freelist "
	       "(CONFIG_SLAB_FREELIST_HARDENED)\n",
	       object);
	print_slab_info(slab);
	add_taint_bad_page();
	slab_fix(s, "Object at %px not freed", object);
}

/*
 * The second half of __slab_free(), for a slab that was not frozen: Linux has
 * it in the same function, after the cmpxchg loop; out of line here so that
 * the first half, inlined into kfree() and kmem_cache_free(), saves no
 * registers for it.
 */
static __attribute__((noinline)) void __slab_free_unfrozen(struct kmem_cache *s, struct page *slab, void *prior)
{
	struct kmem_cache_node *n = get_node(s, slab_nid(slab));

	if (!prior && kmem_cache_has_cpu_partial(s)) {
		/*
		 * The slab was full (on no list in Linux; on ours): rather than
		 * the node's partial list, it goes frozen onto the CPU's.
		 */
		remove_full(n, slab);
		set_slab_frozen(slab, true);
		put_cpu_partial(s, slab, 1);
		return;
	}
	/* Now empty, and the node has enough partial slabs: back to the page allocator. */
	if (unlikely(!slab_inuse(slab) && n->nr_partial >= s->min_partial)) {
		if (prior)
			remove_partial(n, slab);
		else
			remove_full(n, slab); /* a bulk free emptied a full slab */
		discard_slab(s, slab);
		return;
	}
	/* A full slab with free objects again and no CPU partial list: to the node's (tail). */
	if (!prior) {
		remove_full(n, slab);
		add_partial(n, slab, DEACTIVATE_TO_TAIL);
	}
}

/*
 * __slab_free(): the slow path of a free into a slab that is not the CPU's.
 * The object goes on the slab's freelist. A frozen slab (the CPU's, or on
 * the CPU partial list) needs nothing else; a slab that was full goes onto
 * the CPU partial list; one that becomes empty is freed if the node has
 * min_partial partial slabs already.
 */
static __attribute__((always_inline)) inline void __slab_free(struct kmem_cache *s, struct page *slab, void *head,
							      void *tail, int cnt, unsigned long addr, bool init)
{
	void *prior;

	if (unlikely(kmem_cache_debug(s))) {
		free_to_partial_list(s, slab, head, addr);
		return;
	}

	prior = slab->freelist;
	if (unlikely(prior == head)) {
		report_naive_double_free(s, slab, head);
		return;
	}
	if (unlikely(init))
		slab_free_init_object(s, head);
	set_freepointer(s, tail, prior);
	slab->freelist = head;
	set_slab_inuse(slab, slab_inuse(slab) - cnt);

	if (likely(slab_frozen(slab)))
		return; /* the CPU takes the objects back */
	__slab_free_unfrozen(s, slab, prior);
}

/*
 * do_slab_free(): the fast path. An object of the CPU slab goes on the CPU
 * freelist (this_cpu_cmpxchg_double in Linux); anything else to __slab_free().
 */
static __attribute__((always_inline)) inline void do_slab_free(struct kmem_cache *s, struct page *slab, void *head,
							       void *tail, int cnt, unsigned long addr)
{
	void *tail_obj = tail ? tail : head;
	struct kmem_cache_cpu *c = raw_cpu_slab(s);
	unsigned long tid = c->tid;

	if (likely(slab == c->slab)) {
		void **freelist = c->freelist;
		/* CONFIG_SLAB_FREELIST_HARDENED: cheap double-free check, the object already heads the freelist */
		if (unlikely((void *)freelist == head)) {
			report_naive_double_free(s, slab, head);
			return;
		}
		if (unlikely(!tail && slab_want_init_on_free(s)))
			slab_free_init_object(s, head);
		set_freepointer(s, tail_obj, freelist);
		c->freelist = (void **)head;
		c->tid = next_tid(tid);
	} else {
		/* A caller's object (no @tail) is cleared for init_on_free; a detached freelist was already. */
		__slab_free(s, slab, head, tail_obj, cnt, addr, !tail && slab_want_init_on_free(s));
	}
}

/*
 * slab_free_slow(): everything but a plain put into a main sheaf with room:
 * a full main sheaf to replace, an object freed twice in a row, another
 * node's slab, a cache without sheaves (do_slab_free()).
 */
static __attribute__((noinline)) void slab_free_slow(struct kmem_cache *s, struct page *slab, void *object,
						      unsigned long addr)
{
	/* Linux 7.0 also sends objects of pfmemalloc slabs past the sheaves; there are no memory reserves here */
	if (likely(slab_nid(slab) == numa_mem_id()) && likely(free_to_pcs(s, slab, object)))
		return;
	do_slab_free(s, slab, object, nullptr, 1, addr);
}

/*
 * slab_free(): the fast path, into the CPU's main sheaf (free_to_pcs() with
 * room left) if the slab is on the CPU's node; the rest out of line.
 */
static __attribute__((always_inline)) inline void slab_free(struct kmem_cache *s, struct page *slab, void *object,
							    unsigned long addr)
{
	struct slab_sheaf *main = raw_cpu_sheaves(s)->main;
	unsigned int size = main->size;

	if (likely(size < s->sheaf_capacity && (!size || main->objects[size - 1] != object) &&
		   slab_nid(slab) == numa_mem_id() && !init_on_free)) {
		main->objects[size] = object;
		main->size = size + 1;
		return;
	}
	slab_free_slow(s, slab, object, addr);
}

/*
 * kmem_cache_free(): the object's own slab says which cache it belongs to;
 * a different @s is reported (cache_from_obj()) and the object left alone.
 */
void kmem_cache_free(struct kmem_cache *s, void *x)
{
	struct page *slab;

	if (unlikely(!x))
		return;
	slab = virt_to_head_page_checked(x);
	if (unlikely(!slab || !PageSlab(slab))) {
		pr_err("kmem_cache_free: %s: object %px is not from a slab\n", s->name, x);
		slab_errors++;
		return;
	}
	if (unlikely(slab->slab_cache != s)) {
		pr_err("kmem_cache_free: Wrong slab cache. %s but object is from %s\n", s->name,
		       slab->slab_cache ? slab->slab_cache->name : "<none>");
		slab_errors++;
		return;
	}
	slab_free(s, slab, x, (unsigned long)__builtin_return_address(0));
}

/*
 * kmalloc() and kfree(). Linux 6.1 has them in mm/slab_common.c calling
 * __kmem_cache_alloc_node()/__kmem_cache_free() here; like Linux up to 6.0 we
 * keep them in this file, so that the fast paths inline into them.
 */
static inline unsigned int size_index_elem(unsigned int bytes)
{
	return (bytes - 1) / 8;
}

/* kmalloc_slab(): the cache of @size bytes for @flags (size <= KMALLOC_MAX_CACHE_SIZE). */
static __attribute__((always_inline)) inline struct kmem_cache *kmalloc_slab(size_t size, gfp_t flags)
{
	unsigned int index;

	if (size <= 192) {
		if (!size)
			return (struct kmem_cache *)ZERO_SIZE_PTR;
		index = size_index[size_index_elem((unsigned int)size)];
	} else {
		index = fls((unsigned int)size - 1);
	}
	return kmalloc_caches[kmalloc_type(flags)][index];
}

static __attribute__((always_inline)) inline void *__do_kmalloc_node(size_t size, gfp_t flags, int node,
								      unsigned long caller)
{
	struct kmem_cache *s;

	if (unlikely(size > KMALLOC_MAX_CACHE_SIZE))
		return __kmalloc_large_node(size, flags, node);
	s = kmalloc_slab(size, flags);
	if (unlikely(ZERO_OR_NULL_PTR(s)))
		return s;
	if (node != NUMA_NO_NODE && (!node_online(node) || !get_node(s, node)))
		node = NUMA_NO_NODE;
	return slab_alloc_node(s, flags, node, caller);
}

void *__kmalloc(size_t size, gfp_t flags)
{
	return __do_kmalloc_node(size, flags, NUMA_NO_NODE, (unsigned long)__builtin_return_address(0));
}

void *__kmalloc_node(size_t size, gfp_t flags, int node)
{
	return __do_kmalloc_node(size, flags, node, (unsigned long)__builtin_return_address(0));
}

/*
 * kfree(): a slab object goes to its cache; a kmalloc_large() block back to
 * the buddy; anything else is reported and left alone.
 */
void kfree(const void *object)
{
	struct page *slab;
	void *x = (void *)object;

	if (unlikely(ZERO_OR_NULL_PTR(object)))
		return;

	slab = virt_to_head_page_checked(object);
	if (unlikely(!slab)) {
		kmalloc_head_page(object, "kfree"); /* reports */
		return;
	}
	if (unlikely(!PageSlab(slab))) {
		if (is_large_kmalloc(slab, object, "kfree"))
			free_large_kmalloc(slab, x);
		return;
	}
	slab_free(slab->slab_cache, slab, x, (unsigned long)__builtin_return_address(0));
}

/* For kfree() (mm/slab_common.cpp): @slab is x's PageSlab head page. */
void __kmem_cache_free(struct kmem_cache *s, struct page *slab, void *x, unsigned long caller)
{
	slab_free(s, slab, x, caller);
}

/* ---- Cache creation: sizes, order, nodes ---- */

/*
 * calc_slab_order(): the smallest order from min_order up to @max_order whose
 * leftover is at most 1/@fract_leftover of the slab.
 */
static inline unsigned int calc_slab_order(unsigned int size, unsigned int min_objects, unsigned int max_order,
					   unsigned int fract_leftover)
{
	unsigned int min_order = slub_min_order;
	unsigned int order;

	if (order_objects(min_order, size) > MAX_OBJS_PER_PAGE)
		return get_order((unsigned long)size * MAX_OBJS_PER_PAGE) - 1;

	for (order = kmax<unsigned int>(min_order, get_order((unsigned long)min_objects * size)); order <= max_order;
	     order++) {
		unsigned int slab_size = (unsigned int)(PAGE_SIZE << order);
		unsigned int rem = slab_size % size;
		if (rem <= slab_size / fract_leftover)
			break;
	}
	return order;
}

/* calculate_order(): SLUB's choice of slab order for objects of @size bytes. */
static inline int calculate_order(unsigned int size)
{
	unsigned int order;
	unsigned int min_objects;
	unsigned int max_objects;
	unsigned int nr_cpus;

	min_objects = slub_min_objects;
	if (!min_objects) {
		/* num_present_cpus(): the app runs on one CPU. */
		nr_cpus = 1;
		min_objects = 4 * (fls(nr_cpus) + 1);
	}
	max_objects = order_objects(slub_max_order, size);
	min_objects = kmin(min_objects, max_objects);

	while (min_objects > 1) {
		unsigned int fraction = 16;
		while (fraction >= 4) {
			order = calc_slab_order(size, min_objects, slub_max_order, fraction);
			if (order <= slub_max_order)
				return order;
			fraction /= 2;
		}
		min_objects--;
	}

	/* no order up to slub_max_order fits min_objects (down to 2): settle for one object per slab */
	order = calc_slab_order(size, 1, slub_max_order, 1);
	if (order <= slub_max_order)
		return order;

	/* even one object needs more than slub_max_order: allow any buddy order */
	order = calc_slab_order(size, 1, MAX_PAGE_ORDER, 1);
	if (order <= MAX_PAGE_ORDER)
		return order;
	return -ENOSYS;
}

/*
 * calculate_sizes(): the object layout. Without debugging the free pointer
 * sits in the middle of the object (Linux 5.7+). With a constructor,
 * poisoning or RCU it must live outside the object, after the red zone:
 *
 *   [red_left_pad][object_size][right red zone .. inuse][free ptr][track x2][pad .. size]
 */
static int calculate_sizes(struct kmem_cache *s)
{
	slab_flags_t flags = s->flags;
	unsigned int size = s->object_size;
	int order;

	size = ALIGN(size, sizeof(void *));

	if ((flags & SLAB_POISON) && !(flags & SLAB_TYPESAFE_BY_RCU) && !s->ctor)
		s->flags |= __OBJECT_POISON;
	else
		s->flags &= ~__OBJECT_POISON;

	/* red zoning needs a right red zone: if rounding left no gap after the object, add a word */
	if ((flags & SLAB_RED_ZONE) && size == s->object_size)
		size += sizeof(void *);

	s->inuse = size;

	if ((flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON)) || s->ctor ||
	    ((flags & SLAB_RED_ZONE) && s->object_size < sizeof(void *))) {
		/* the object's bytes are not free for our use: put the free pointer behind it */
		s->offset = size;
		size += sizeof(void *);
	} else {
		/* mid-object placement: small overflows from a neighbour hit the edges, not the free pointer */
		s->offset = ALIGN_DOWN(s->object_size / 2, sizeof(void *));
	}

	if (flags & SLAB_STORE_USER)
		size += 2 * sizeof(struct track);

	if (flags & SLAB_RED_ZONE) {
		/* a left red zone too, to catch writes running past the end of the preceding object */
		size += sizeof(void *);
		s->red_left_pad = sizeof(void *);
		s->red_left_pad = ALIGN(s->red_left_pad, s->align);
		size -= sizeof(void *);
		size += s->red_left_pad;
	}

	size = ALIGN(size, s->align);
	s->size = size;
	s->reciprocal_size = (unsigned int)(((1ULL << 32) + size - 1) / size);
	order = calculate_order(size);
	if (order < 0)
		return 0;

	s->allocflags = 0;
	if (order)
		s->allocflags |= __GFP_COMP;
	if (s->flags & SLAB_CACHE_DMA)
		s->allocflags |= GFP_DMA;
	if (s->flags & SLAB_CACHE_DMA32)
		s->allocflags |= GFP_DMA32;
	if (s->flags & SLAB_RECLAIM_ACCOUNT)
		s->allocflags |= __GFP_RECLAIMABLE;

	s->oo = oo_make(order, size);
	s->min = oo_make(get_order(size), size);
	return !!oo_objects(s->oo);
}

static void set_min_partial(struct kmem_cache *s, unsigned long min)
{
	if (min < MIN_PARTIAL)
		min = MIN_PARTIAL;
	else if (min > MAX_PARTIAL)
		min = MAX_PARTIAL;
	s->min_partial = min;
}

static void init_kmem_cache_node(struct kmem_cache_node *n)
{
	n->barn = nullptr;
	n->nr_partial = 0;
	INIT_LIST_HEAD(&n->partial);
	n->nr_slabs = 0;
	n->total_objects = 0;
	INIT_LIST_HEAD(&n->full);
	n->nr_full = 0;
}

/*
 * early_kmem_cache_node_alloc(): the first kmem_cache_node structure of
 * @node, taken by hand from a new slab of kmem_cache_node (which cannot
 * allocate through itself yet: it has no node structure). The slab goes on
 * the partial list of the node it describes.
 */
static int early_kmem_cache_node_alloc(int node)
{
	struct page *slab;
	struct kmem_cache_node *n;
	struct slab_obj_iter iter;

	slab = new_slab(kmem_cache_node, GFP_NOWAIT, node);
	if (!slab) {
		pr_err("SLUB: Unable to allocate the first kmem_cache_node of node %d\n", node);
		return -ENOMEM;
	}
	if (slab_nid(slab) != node) {
		pr_err("SLUB: Unable to allocate memory from node %d\n", node);
		pr_err("SLUB: Allocating a useless per node structure in order to be able to continue\n");
	}

	init_slab_obj_iter(kmem_cache_node, slab, &iter);
	n = (struct kmem_cache_node *)next_slab_obj(kmem_cache_node, &iter);
	set_slab_inuse(slab, 1);
	build_slab_freelist(kmem_cache_node, slab, &iter);
	if (kmem_cache_debug(kmem_cache_node)) {
		init_object(kmem_cache_node, n, SLUB_RED_ACTIVE);
		if (kmem_cache_node->flags & SLAB_STORE_USER)
			set_track(kmem_cache_node, n, TRACK_ALLOC, (unsigned long)__builtin_return_address(0));
	}
	kmem_cache_node->node[node] = n;
	init_kmem_cache_node(n);
	inc_slabs_node(kmem_cache_node, node, slab_objects(slab));

	/* The node structure is brand new and nothing else runs: no list_lock (Linux takes none either). */
	if (slab_inuse(slab) == slab_objects(slab))
		add_full(n, slab);
	else
		add_partial(n, slab, DEACTIVATE_TO_HEAD);
	return 0;
}

static void free_kmem_cache_nodes(struct kmem_cache *s)
{
	int node;
	for_each_online_node(node) {
		struct kmem_cache_node *n = s->node[node];
		if (n) {
			s->node[node] = nullptr;
			kfree(n->barn);
			kmem_cache_free(kmem_cache_node, n);
		}
	}
}

/* The nodes a cache gets a kmem_cache_node for: online nodes with memory (slab_nodes). */
static bool slab_node_has_memory(int node)
{
	pg_data_t *pgdat = NODE_DATA(node);
	return pgdat && pgdat->node_present_pages;
}

static int init_kmem_cache_nodes(struct kmem_cache *s)
{
	int node;

	for_each_online_node(node) {
		struct kmem_cache_node *n;

		if (!slab_node_has_memory(node))
			continue;
		if (slab_state == DOWN) {
			if (early_kmem_cache_node_alloc(node))
				return 0;
			continue;
		}
		n = (struct kmem_cache_node *)kmem_cache_alloc_node(kmem_cache_node, GFP_KERNEL, node);
		if (!n) {
			free_kmem_cache_nodes(s);
			return 0;
		}
		init_kmem_cache_node(n);
		s->node[node] = n;
		if (cache_has_sheaves(s)) {
			n->barn = alloc_barn(node);
			if (!n->barn) {
				free_kmem_cache_nodes(s);
				return 0;
			}
		}
	}
	return 1;
}

/* alloc_kmem_cache_cpus(): the one CPU's kmem_cache_cpu lives in the cache (init_kmem_cache_cpus()). */
static int alloc_kmem_cache_cpus(struct kmem_cache *s)
{
	s->cpu_slab = &s->cpu_slab_cpu0;
	s->cpu_slab->freelist = nullptr;
	s->cpu_slab->slab = nullptr;
	s->cpu_slab->partial = nullptr;
	s->cpu_slab->tid = 0; /* init_tid(cpu 0) */
	return 1;
}

/* __kmem_cache_create() / kmem_cache_open(): the SLUB half of cache creation. */
int __kmem_cache_create(struct kmem_cache *s, slab_flags_t flags)
{
	s->flags = kmem_cache_flags(s->size, flags, s->name);
	s->random = get_random_long();

	if (!calculate_sizes(s))
		goto error;

	/* min_partial grows with log2(size): caches of large objects hold on to more partial slabs */
	set_min_partial(s, ilog2(s->size) / 2);
	set_cpu_partial(s);
	/* KMALLOC_NORMAL caches get theirs in bootstrap_kmalloc_sheaves(): their sheaves come from kmalloc */
	if (!is_kmalloc_normal(s))
		s->sheaf_capacity = calculate_sheaf_capacity(s);
	/* the randomized freelist, once kmalloc works (init_freelist_randomization() before) */
	if (slab_state >= UP && init_cache_random_seq(s))
		goto error;

	if (!init_kmem_cache_nodes(s))
		goto error;
	if (!alloc_kmem_cache_cpus(s))
		goto error;
	if (init_percpu_sheaves(s)) {
		free_kmem_cache_nodes(s);
		goto error;
	}
	return 0;
error:
	return -EINVAL;
}

/* ---- Shrink, shutdown ---- */

/*
 * __kmem_cache_shrink(): the barns, the sheaves and the CPU slab back to the
 * lists, then every empty partial slab back to the page allocator (whatever
 * min_partial says).
 */
int __kmem_cache_shrink(struct kmem_cache *s)
{
	int node;
	int ret = 0;

	/* Linux's order: the CPU's sheaves and slab, then the barns (no CPU partial list to refill) */
	flush_all(s);
	barn_shrink_all(s);
	for_each_online_node(node) {
		struct kmem_cache_node *n = get_node(s, node);
		struct page *slab, *t;
		if (!n)
			continue;
		list_for_each_entry_safe(slab, t, &n->partial, slab_list)
		{
			if (!slab_inuse(slab)) {
				remove_partial(n, slab);
				discard_slab(s, slab);
			}
		}
		if (n->nr_slabs)
			ret = 1;
	}
	return ret;
}

static void list_slab_objects(struct kmem_cache *s, struct page *slab, const char *text)
{
	void *addr = slab_address(slab);
	void *p;

	slab_err(s, slab, text, s->name);
	for_each_object(p, s, addr, slab_objects(slab))
	{
		/* Linux builds a bitmap of free objects (__fill_map); we walk the freelist per object. */
		bool free = false;
		for (void *fp = slab->freelist; fp; fp = get_freepointer(s, fp))
			if (fp == p) {
				free = true;
				break;
			}
		if (!free)
			pr_err("Object %px @offset=%tu\n", p, (u8 *)p - (u8 *)addr);
	}
}

/* The objects still allocated in cache @s (after flush_all()). */
static unsigned long count_inuse(struct kmem_cache *s)
{
	unsigned long inuse = 0;
	int node;
	for_each_online_node(node) {
		struct kmem_cache_node *n = get_node(s, node);
		struct page *slab;
		if (!n)
			continue;
		list_for_each_entry(slab, &n->partial, slab_list) inuse += slab_inuse(slab);
		list_for_each_entry(slab, &n->full, slab_list) inuse += slab_inuse(slab);
	}
	return inuse;
}

/*
 * __kmem_cache_shutdown(): release every slab of @s. Refused (1) with the
 * live objects listed as Linux's list_slab_objects() does if any object is
 * still allocated; then nothing but the CPU slab's flush has changed and the
 * cache works on.
 */
int __kmem_cache_shutdown(struct kmem_cache *s)
{
	int node;

	flush_all(s);
	barn_shrink_all(s);
	if (count_inuse(s)) {
		for_each_online_node(node) {
			struct kmem_cache_node *n = get_node(s, node);
			struct page *slab;
			if (!n)
				continue;
			list_for_each_entry(slab, &n->partial, slab_list) if (slab_inuse(slab))
				list_slab_objects(s, slab, "Objects remaining in %s on __kmem_cache_shutdown()");
			list_for_each_entry(slab, &n->full, slab_list)
				list_slab_objects(s, slab, "Objects remaining in %s on __kmem_cache_shutdown()");
		}
		return 1;
	}
	__kmem_cache_shrink(s);
	for_each_online_node(node) {
		struct kmem_cache_node *n = get_node(s, node);
		if (n && (n->nr_partial || n->nr_slabs))
			return 1;
	}
	pcs_destroy(s);
	free_kmem_cache_nodes(s);
	return 0;
}

/* ---- Bootstrap ---- */

static struct kmem_cache boot_kmem_cache, boot_kmem_cache_node;

/*
 * bootstrap(): move a cache that lives in static storage into one allocated
 * from kmem_cache, and point its slabs at the copy.
 */
static struct kmem_cache *bootstrap(struct kmem_cache *static_cache)
{
	int node;
	struct kmem_cache *s = (struct kmem_cache *)kmem_cache_zalloc(kmem_cache, GFP_NOWAIT);
	if (!s)
		return nullptr;

	memcpy(s, static_cache, kmem_cache->object_size);

	/*
	 * Only the boot CPU runs this early, so its kmem_cache_cpu is the only
	 * one to flush (Linux: __flush_cpu_slab() on the current CPU).
	 */
	s->cpu_slab = &s->cpu_slab_cpu0;
	s->cpu_sheaves = &s->cpu_sheaves_cpu0; /* the boot caches have no sheaves: main is bootstrap_sheaf */
	s->name = s->name_buf;
	flush_all(s);
	for_each_online_node(node) {
		struct kmem_cache_node *n = get_node(s, node);
		struct page *p;
		if (!n)
			continue;
		list_for_each_entry(p, &n->partial, slab_list) p->slab_cache = s;
		list_for_each_entry(p, &n->full, slab_list) p->slab_cache = s;
	}
	list_del(&static_cache->list);
	list_add(&s->list, &slab_caches);
	return s;
}

/* The nodes kmem_cache's node[] array needs (nr_node_ids). */
static unsigned int nr_node_ids_now(void)
{
	int node, last = 0;
	for_each_online_node(node) last = node;
	return last + 1;
}

int kmem_cache_init_slub(void)
{
	kmem_cache_node = &boot_kmem_cache_node;
	kmem_cache = &boot_kmem_cache;

	if (create_boot_cache(kmem_cache_node, "kmem_cache_node", sizeof(struct kmem_cache_node),
			      SLAB_HWCACHE_ALIGN | SLAB_NO_OBJ_EXT, 0, 0))
		return -ENOMEM;

	/* kmem_cache_node exists: new caches can allocate their node structures. */
	slab_state = PARTIAL;

	if (create_boot_cache(kmem_cache, "kmem_cache",
			      offsetof(struct kmem_cache, node) + nr_node_ids_now() * sizeof(struct kmem_cache_node *),
			      SLAB_HWCACHE_ALIGN | SLAB_NO_OBJ_EXT, 0, 0))
		return -ENOMEM;

	kmem_cache = bootstrap(&boot_kmem_cache);
	if (!kmem_cache)
		return -ENOMEM;
	kmem_cache_node = bootstrap(&boot_kmem_cache_node);
	if (!kmem_cache_node)
		return -ENOMEM;
	return 0;
}

bool slab_is_boot_cache(const struct kmem_cache *s)
{
	return s == &boot_kmem_cache || s == &boot_kmem_cache_node;
}

/* ---- Inspection ---- */

void kmem_cache_get_stats(struct kmem_cache *s, struct kmem_cache_stats *st)
{
	int node;
	memset(st, 0, sizeof(*st));
	for_each_online_node(node) {
		struct kmem_cache_node *n = get_node(s, node);
		struct page *slab;
		if (!n)
			continue;
		st->nr_slabs += n->nr_slabs;
		st->nr_partial += n->nr_partial;
		st->nr_full += n->nr_full;
		st->total_objects += n->total_objects;
		list_for_each_entry(slab, &n->partial, slab_list) st->free_objects +=
			slab_objects(slab) - slab_inuse(slab);
	}
	struct kmem_cache_cpu *c = raw_cpu_slab(s);
	for (struct page *slab = c->partial; slab; slab = slab->next) {
		st->nr_cpu_partial++;
		st->free_objects += slab_objects(slab) - slab_inuse(slab);
	}
	if (c->slab) {
		st->has_cpu_slab = true;
		for (void *p = c->freelist; p; p = get_freepointer(s, p))
			st->free_objects++;
		for (void *p = c->slab->freelist; p; p = get_freepointer(s, p))
			st->free_objects++;
	}
	struct slub_percpu_sheaves *pcs = raw_cpu_sheaves(s);
	st->sheaf_capacity = s->sheaf_capacity;
	st->sheaf_objects = pcs->main->size + (pcs->spare ? pcs->spare->size : 0);
	for_each_online_node(node) {
		struct kmem_cache_node *n = get_node(s, node);
		struct slab_sheaf *sheaf;
		if (!n || !n->barn)
			continue;
		st->nr_barn_full += n->barn->nr_full;
		st->nr_barn_empty += n->barn->nr_empty;
		list_for_each_entry(sheaf, &n->barn->sheaves_full, barn_list) st->sheaf_objects += sheaf->size;
	}
	st->pages = st->nr_slabs << oo_order(s->oo); /* slabs made at s->min are counted at s->oo */
}

/* get_slabinfo(): Linux's numbers for /proc/slabinfo. */
void get_slabinfo(struct kmem_cache *s, struct slabinfo *sinfo)
{
	unsigned long nr_slabs = 0, nr_objs = 0, nr_free = 0;
	int node;

	for_each_online_node(node) {
		struct kmem_cache_node *n = get_node(s, node);
		struct page *slab;
		if (!n)
			continue;
		nr_slabs += n->nr_slabs;
		nr_objs += n->total_objects;
		/* count_partial(n, count_free): CPU slabs count as fully used, as in Linux. */
		list_for_each_entry(slab, &n->partial, slab_list) nr_free += slab_objects(slab) - slab_inuse(slab);
	}
	sinfo->active_objs = nr_objs - nr_free;
	sinfo->num_objs = nr_objs;
	sinfo->active_slabs = nr_slabs;
	sinfo->num_slabs = nr_slabs;
	sinfo->objects_per_slab = oo_objects(s->oo);
	sinfo->cache_order = oo_order(s->oo);
}

unsigned int slab_cache_order(const struct kmem_cache *s)
{
	return oo_order(s->oo);
}
unsigned int slab_cache_objects(const struct kmem_cache *s)
{
	return oo_objects(s->oo);
}

void slub_reset(void)
{
	slab_state = DOWN;
	INIT_LIST_HEAD(&slab_caches);
	kmem_cache = nullptr;
	kmem_cache_node = nullptr;
	memset(&boot_kmem_cache, 0, sizeof(boot_kmem_cache));
	memset(&boot_kmem_cache_node, 0, sizeof(boot_kmem_cache_node));
	slab_errors = 0;
	slab_tainted = false;
}

/* For tests and the self-test: walk a slab's objects and check the slab's bookkeeping. */
int slab_validate(struct kmem_cache *s, struct page *slab, unsigned long *free_out)
{
	unsigned long nr = 0;
	unsigned int objects = slab_objects(slab);
	for (void *p = slab->freelist; p; p = get_freepointer(s, p)) {
		if (!check_valid_pointer(s, slab, p) || ++nr > objects)
			return -1;
	}
	if (free_out)
		*free_out = nr;
	return 0;
}

/* Linux's slub_min_order etc. are boot options; only the value is exported for slabinfo. */
unsigned int slub_max_order_value(void)
{
	return slub_max_order;
}
unsigned int slub_min_order_value(void)
{
	return slub_min_order;
}
unsigned int slub_min_objects_value(void)
{
	return slub_min_objects;
}

const char *slab_state_name(enum slab_state st)
{
	switch (st) {
	case DOWN:
		return "DOWN";
	case PARTIAL:
		return "PARTIAL";
	case UP:
		return "UP";
	case FULL:
		return "FULL";
	}
	return "?";
}

void slab_count_errors(void)
{
	slab_errors++;
}
