// The contents of struct page: the flag bits of include/linux/page-flags.h, the
// fields packed at the top of page->flags (include/linux/page-flags-layout.h and
// the set_page_links()/page_zonenum()/page_to_nid() of include/linux/mm.h), the
// page types kept in page->page_type, and the reference counts of
// include/linux/page_ref.h. Linux 6.1, x86-64.
//
// The configuration this mirrors, and so the layout of page->flags:
//   CONFIG_SPARSEMEM_VMEMMAP: no section number in the flags (SECTIONS_WIDTH 0;
//     the section is pfn >> PFN_SECTION_SHIFT, the pfn is page - vmemmap).
//   CONFIG_NODES_SHIFT=6: NODES_WIDTH 6, bits 63..58.
//   ZONES_SHIFT 3: ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE, ZONE_DEVICE
//     (MAX_NR_ZONES 5, Debian's config as mm/mmzone.h; without
//     CONFIG_ZONE_DEVICE it would be 2): bits 57..55.
//   No CONFIG_NUMA_BALANCING (no LAST_CPUPID field), no KASAN tags.
//
//   | NODE (6) | ZONE (3) | ... unused ... | FLAGS (__NR_PAGEFLAGS) |
//   63      58 57      55                    0
//
// Where we differ:
// - Zones are passed as int: enum zone_type lives in mm/mmzone.h, which must
//   keep MAX_NR_ZONES <= 1 << ZONES_SHIFT.
// - page_count() reads the page's own _refcount (Linux reads the head page's,
//   so on a compound tail it differs) and the PF_* policies are not checked.
// - No page poisoning (PF_POISONED_CHECK) and no VM_BUG_ON_PAGE.
#pragma once

#include "mm/memblock.h" // MAX_NUMNODES
#include "mm/mm_types.h"

enum pageflags {
	PG_locked,		/* held by someone doing I/O or similar; others must wait */
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_active,
	PG_workingset,
	PG_waiters,		/* someone sleeps on the page; bit 7 so it shares PG_locked's byte */
	PG_error,
	PG_slab,
	PG_owner_priv_1,	/* for the page's owner (a filesystem, for page cache) */
	PG_arch_1,
	PG_reserved,
	PG_private,		/* page cache: private holds filesystem data */
	PG_private_2,		/* page cache: filesystem auxiliary state */
	PG_writeback,		/* being written back to storage */
	PG_head,		/* first page of a compound page */
	PG_mappedtodisk,	/* backing blocks exist on disk */
	PG_reclaim,		/* reclaim wants it gone soon */
	PG_swapbacked,		/* swap (not a file) backs it */
	PG_unevictable,		/* reclaim may not evict it */
	PG_mlocked,		/* mapped by an mlock()ed VMA (CONFIG_MMU) */
	PG_hwpoison,		/* memory error reported by hardware (CONFIG_MEMORY_FAILURE) */
	PG_young,		/* CONFIG_PAGE_IDLE_FLAG && 64BIT */
	PG_idle,
	__NR_PAGEFLAGS,

	/* Aliases of the owner bits */
	PG_readahead = PG_reclaim,
	PG_checked = PG_owner_priv_1,
	PG_swapcache = PG_owner_priv_1,
};

constexpr int NR_PAGEFLAGS = __NR_PAGEFLAGS;
#ifndef BITS_PER_LONG
#define BITS_PER_LONG 64
#endif

/* page-flags-layout.h */
constexpr int ZONES_SHIFT = 3;
constexpr int NODES_SHIFT = 6;
constexpr int SECTIONS_WIDTH = 0;	/* SPARSEMEM_VMEMMAP */
constexpr int ZONES_WIDTH = ZONES_SHIFT;
constexpr int NODES_WIDTH = NODES_SHIFT;
constexpr int LAST_CPUPID_WIDTH = 0;
constexpr int KASAN_TAG_WIDTH = 0;

static_assert((1 << NODES_SHIFT) == MAX_NUMNODES, "CONFIG_NODES_SHIFT matches MAX_NUMNODES");
static_assert(SECTIONS_WIDTH + ZONES_WIDTH + NODES_SHIFT + LAST_CPUPID_WIDTH +
		      KASAN_TAG_WIDTH <= BITS_PER_LONG - NR_PAGEFLAGS,
	      "Page flags and the fields fit in one long");

/* Fields from bit 63 down: optional SECTION, NODE, ZONE, optional LAST_CPUPID; PG_* bits at the bottom. */
constexpr int SECTIONS_PGOFF = BITS_PER_LONG - SECTIONS_WIDTH;
constexpr int NODES_PGOFF = SECTIONS_PGOFF - NODES_WIDTH;
constexpr int ZONES_PGOFF = NODES_PGOFF - ZONES_WIDTH;
constexpr int LAST_CPUPID_PGOFF = ZONES_PGOFF - LAST_CPUPID_WIDTH;
constexpr int KASAN_TAG_PGOFF = LAST_CPUPID_PGOFF - KASAN_TAG_WIDTH;

/* A field of width 0 gets shift 0, so masking it yields 0 (as in Linux). */
constexpr int SECTIONS_PGSHIFT = SECTIONS_PGOFF * (SECTIONS_WIDTH != 0);
constexpr int NODES_PGSHIFT = NODES_PGOFF * (NODES_WIDTH != 0);
constexpr int ZONES_PGSHIFT = ZONES_PGOFF * (ZONES_WIDTH != 0);

/* The zone id: node and zone together (page_zone_id()). */
constexpr int ZONEID_SHIFT = NODES_SHIFT + ZONES_SHIFT;
constexpr int ZONEID_PGOFF = ZONES_PGOFF;
constexpr int ZONEID_PGSHIFT = ZONEID_PGOFF * (ZONEID_SHIFT != 0);

constexpr unsigned long ZONES_MASK = (1UL << ZONES_WIDTH) - 1;
constexpr unsigned long NODES_MASK = (1UL << NODES_WIDTH) - 1;
constexpr unsigned long ZONEID_MASK = (1UL << ZONEID_SHIFT) - 1;

static_assert(ZONES_PGSHIFT >= NR_PAGEFLAGS, "the zone field is above the flags");
static_assert(NODES_PGSHIFT == 58 && ZONES_PGSHIFT == 55, "the layout above");

/*
 * PAGEFLAG(Uname, lname): PageUname(), SetPageUname(), ClearPageUname() (atomic)
 * and __SetPageUname(), __ClearPageUname() (non-atomic), as page-flags.h
 * (Linux's set_bit()/clear_bit()/test_bit() on page->flags).
 */
#define PAGEFLAG(uname, lname)						\
static inline bool Page##uname(const struct page *page)		\
{									\
	return (__atomic_load_n(&page->flags, __ATOMIC_RELAXED) >>	\
		PG_##lname) & 1;					\
}									\
static inline void SetPage##uname(struct page *page)			\
{									\
	__atomic_fetch_or(&page->flags, 1UL << PG_##lname,		\
			  __ATOMIC_RELAXED);				\
}									\
static inline void ClearPage##uname(struct page *page)			\
{									\
	__atomic_fetch_and(&page->flags, ~(1UL << PG_##lname),	\
			   __ATOMIC_RELAXED);				\
}									\
static inline void __SetPage##uname(struct page *page)			\
{									\
	page->flags |= 1UL << PG_##lname;				\
}									\
static inline void __ClearPage##uname(struct page *page)		\
{									\
	page->flags &= ~(1UL << PG_##lname);				\
}

PAGEFLAG(Reserved, reserved)
PAGEFLAG(Slab, slab)
PAGEFLAG(Head, head)

/*
 * Page types (Linux 6.1). For pages that are never mapped to userspace, the
 * _mapcount word holds a type instead: page_mapcount_reset() leaves it -1
 * (0xffffffff), and a type is *set* by clearing its bit and cleared by setting
 * it again. The high nibble PAGE_TYPE_BASE stays set, so a typed page has a
 * large negative _mapcount (below PAGE_MAPCOUNT_RESERVE) and cannot be confused
 * with a mapped page. The low 7 bits catch mapcount underflows.
 * (Linux >= 6.9 moved to PGTY_* in the top byte; we keep 6.1's scheme.)
 */
#define PAGE_TYPE_BASE		0xf0000000u
#define PAGE_MAPCOUNT_RESERVE	-128
#define PG_buddy		0x00000080u
#define PG_offline		0x00000100u
#define PG_table		0x00000200u
#define PG_guard		0x00000400u

static inline bool PageType(const struct page *page, unsigned int flag)
{
	return (page->page_type & (PAGE_TYPE_BASE | flag)) == PAGE_TYPE_BASE;
}

static inline bool page_has_type(const struct page *page)
{
	return (int)page->page_type < PAGE_MAPCOUNT_RESERVE;
}

/* Linux VM_BUG_ONs the preconditions; these calls simply do the bit change. */
#define PAGE_TYPE_OPS(uname, lname)					\
static inline bool Page##uname(const struct page *page)		\
{									\
	return PageType(page, PG_##lname);				\
}									\
static inline void __SetPage##uname(struct page *page)			\
{									\
	page->page_type &= ~PG_##lname;					\
}									\
static inline void __ClearPage##uname(struct page *page)		\
{									\
	page->page_type |= PG_##lname;					\
}

/* PageBuddy(): a free block's first page in the buddy allocator. */
PAGE_TYPE_OPS(Buddy, buddy)
PAGE_TYPE_OPS(Offline, offline)
PAGE_TYPE_OPS(Table, table)
PAGE_TYPE_OPS(Guard, guard)

/* The zone and node fields (include/linux/mm.h). */
static inline int page_zonenum(const struct page *page)
{
	return (int)((page->flags >> ZONES_PGSHIFT) & ZONES_MASK);
}

static inline int page_to_nid(const struct page *page)
{
	return (int)((page->flags >> NODES_PGSHIFT) & NODES_MASK);
}

static inline int page_zone_id(const struct page *page)
{
	return (int)((page->flags >> ZONEID_PGSHIFT) & ZONEID_MASK);
}

static inline void set_page_zone(struct page *page, int zone)
{
	page->flags &= ~(ZONES_MASK << ZONES_PGSHIFT);
	page->flags |= ((unsigned long)zone & ZONES_MASK) << ZONES_PGSHIFT;
}

static inline void set_page_node(struct page *page, unsigned long node)
{
	page->flags &= ~(NODES_MASK << NODES_PGSHIFT);
	page->flags |= (node & NODES_MASK) << NODES_PGSHIFT;
}

/*
 * set_page_links(): zone and node (no section with SPARSEMEM_VMEMMAP, so @pfn
 * is unused, as in Linux).
 */
static inline void set_page_links(struct page *page, int zone, unsigned long node,
				  pfn_t pfn)
{
	set_page_zone(page, zone);
	set_page_node(page, node);
	(void)pfn;
}

/* page->private (mm.h). */
static inline unsigned long page_private(const struct page *page)
{
	return page->private_;
}
static inline void set_page_private(struct page *page, unsigned long private_)
{
	page->private_ = private_;
}

/* Reference counts (include/linux/page_ref.h, mm.h). */
static inline int page_ref_count(const struct page *page)
{
	return atomic_read(&page->_refcount);
}
static inline int page_count(const struct page *page)
{
	return page_ref_count(page);
}
static inline void set_page_count(struct page *page, int v)
{
	atomic_set(&page->_refcount, v);
}
/* Give a page its first reference (count 1), e.g. before its first free to the buddy allocator. */
static inline void init_page_count(struct page *page)
{
	set_page_count(page, 1);
}
static inline void page_ref_inc(struct page *page)
{
	atomic_inc(&page->_refcount);
}
static inline int page_ref_dec_and_test(struct page *page)
{
	return atomic_dec_and_test(&page->_refcount);
}

/*
 * Compound pages (include/linux/page-flags.h, mm.h, Linux 6.1): the head page
 * has PG_head; every tail page has compound_head = head + 1 (bit 0 marks a
 * tail); the first tail page holds the order, the destructor and the counts.
 * The page allocator builds them for __GFP_COMP (prep_compound_page()).
 */
#define TAIL_MAPPING ((struct address_space *)(0x400 + POISON_POINTER_DELTA))

enum compound_dtor_id {
	NULL_COMPOUND_DTOR,
	COMPOUND_PAGE_DTOR,
	HUGETLB_PAGE_DTOR,
	TRANSHUGE_PAGE_DTOR,
	NR_COMPOUND_DTORS,
};

static inline bool PageTail(const struct page *page)
{
	return __atomic_load_n(&page->compound_head, __ATOMIC_RELAXED) & 1;
}

static inline bool PageCompound(const struct page *page)
{
	return PageHead(page) || PageTail(page);
}

static inline struct page *compound_head(const struct page *page)
{
	unsigned long head = __atomic_load_n(&page->compound_head, __ATOMIC_RELAXED);

	if (head & 1)
		return (struct page *)(head - 1);
	return (struct page *)page;
}

static inline void set_compound_head(struct page *page, struct page *head)
{
	__atomic_store_n(&page->compound_head, (unsigned long)head + 1, __ATOMIC_RELAXED);
}

static inline void clear_compound_head(struct page *page)
{
	__atomic_store_n(&page->compound_head, 0UL, __ATOMIC_RELAXED);
}

/* The order of a compound page (0 for a page that is not a compound head). */
static inline unsigned int compound_order(const struct page *page)
{
	if (!PageHead(page))
		return 0;
	return page[1].compound_order;
}

static inline void set_compound_order(struct page *page, unsigned int order)
{
	page[1].compound_order = (unsigned char)order;
	page[1].compound_nr = 1U << order;
}

static inline void set_compound_page_dtor(struct page *page, enum compound_dtor_id compound_dtor)
{
	page[1].compound_dtor = (unsigned char)compound_dtor;
}

/* compound_nr(): pages in the compound page (1 for a base page). */
static inline unsigned long compound_nr(const struct page *page)
{
	if (!PageHead(page))
		return 1;
	return page[1].compound_nr;
}

static inline atomic_t *compound_mapcount_ptr(struct page *page)
{
	return &page[1].compound_mapcount;
}

static inline atomic_t *compound_pincount_ptr(struct page *page)
{
	return &page[1].compound_pincount;
}

/* The mapcount starts at -1, so that page_mapcount() of an unmapped page is 0. */
static inline void page_mapcount_reset(struct page *page)
{
	atomic_set(&page->_mapcount, -1);
}
static inline int page_mapcount(const struct page *page)
{
	return atomic_read(&page->_mapcount) + 1;
}

/*
 * mm_zero_struct_page(): the generic version of include/linux/mm.h for a
 * 64-byte struct page, eight word stores (x86 has no override).
 */
static inline void mm_zero_struct_page(struct page *page)
{
	unsigned long *_pp = (unsigned long *)page;

	static_assert(sizeof(struct page) == 8 * sizeof(unsigned long), "");
	_pp[7] = 0;
	_pp[6] = 0;
	_pp[5] = 0;
	_pp[4] = 0;
	_pp[3] = 0;
	_pp[2] = 0;
	_pp[1] = 0;
	_pp[0] = 0;
}
