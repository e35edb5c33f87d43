// struct page, mirroring include/linux/mm_types.h of Linux 6.1 on x86-64
// (CONFIG_MEMCG, 64-bit, no CONFIG_WANT_PAGE_VIRTUAL, no
// CONFIG_KMSAN, no LAST_CPUPID_NOT_IN_PAGE_FLAGS): 64 bytes, the same offsets.
// The flag bits, the fields packed into page->flags, page_type and the
// reference counts are in mm/page_flags.h.
//
// Where we differ:
// - Of the five-word union, only the views this project uses are spelled out:
//   page cache / anonymous (with the buddy allocator's buddy_list and order in
//   private), slab, compound tail, and the raw words. Linux 6.1 moved the slab
//   fields to struct slab (mm/slab.h), which overlays struct page; the slab view
//   here has struct slab's SLUB layout at the same offsets (slab_list over lru,
//   slab_cache over mapping, freelist over index, counters over private).
// - atomic_t is Linux's struct { int counter; }; atomic_read()/atomic_set() are
//   relaxed atomic accesses (READ_ONCE/WRITE_ONCE in Linux).
#pragma once

#include <stddef.h>

#include "lib/list.h"
#include "lib/types.h"

typedef struct {
	int counter;
} atomic_t;

static inline int atomic_read(const atomic_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_set(atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_inc(atomic_t *v)
{
	__atomic_fetch_add(&v->counter, 1, __ATOMIC_RELAXED);
}

static inline int atomic_dec_and_test(atomic_t *v)
{
	return __atomic_sub_fetch(&v->counter, 1, __ATOMIC_SEQ_CST) == 0;
}

typedef unsigned long pgoff_t;

struct address_space;
struct kmem_cache;

/*
 * One struct page describes one physical page frame and records its current
 * use (free buddy block, slab, page cache, ...). With SPARSEMEM_VMEMMAP the
 * struct page of pfn N is vmemmap[N].
 */
struct page {
	unsigned long flags;		/* PG_* bits, with zone/node/section packed in the top */
	/*
	 * The views below share 5 words (40 bytes). The first word's bit 0
	 * means PageTail() (compound_head), so no other view may set it.
	 */
	union {
		struct {	/* view for file-backed, anonymous and free pages */
			union {
				/* reclaim LRU link (e.g. active_list) */
				struct list_head lru;
				/* while free: link in a free_area list of the buddy allocator */
				struct list_head buddy_list;
				/* while free: link in a per-cpu pages list */
				struct list_head pcp_list;
			};
			struct address_space *mapping;
			pgoff_t index;		/* page offset inside mapping */
			/*
			 * Owner-defined word; for a PageBuddy page it holds the
			 * free block's order (set_buddy_order()).
			 */
			unsigned long private_;	/* Linux: private (a C++ keyword) */
		};
		struct {	/* Slab (struct slab of mm/slab.h, SLUB) */
			union {
				struct list_head slab_list;
				/* CONFIG_SLUB_CPU_PARTIAL: on the CPU's partial list */
				struct {
					struct page *next;
					int slabs;	/* length of the CPU partial list from here on */
				};
			};
			struct kmem_cache *slab_cache;
			void *freelist;		/* head of the slab's own free-object chain */
			unsigned long counters;	/* inuse:16, objects:15, frozen:1 */
		};
		struct {	/* view for every page of a compound page but the first */
			unsigned long compound_head;	/* head page address | 1 */
			unsigned char compound_dtor;
			unsigned char compound_order;
			atomic_t compound_mapcount;
			atomic_t compound_pincount;
			unsigned int compound_nr;	/* 1 << compound_order */
		};
		unsigned long _words[5];	/* ours: the raw union */
	};

	union {		/* one 32-bit word, two meanings */
		/*
		 * For user-mappable pages: how many page table entries map the
		 * page, offset by one (-1 means unmapped).
		 */
		atomic_t _mapcount;
		/*
		 * For pages that are not slab and never mapped to user space: a
		 * type tag telling what the page is (PG_buddy, PG_offline,
		 * PG_table, PG_guard).
		 */
		unsigned int page_type;
	};

	/* Reference count; go through the page_ref helpers (mm/page_flags.h), not this field. */
	atomic_t _refcount;

	unsigned long memcg_data;	/* CONFIG_MEMCG */
};

static_assert(sizeof(struct page) == 64, "struct page is 64 bytes (Linux 6.1, x86-64)");
static_assert(offsetof(struct page, flags) == 0, "page->flags");
static_assert(offsetof(struct page, lru) == 8, "page->lru");
static_assert(offsetof(struct page, buddy_list) == 8, "page->buddy_list");
static_assert(offsetof(struct page, mapping) == 24, "page->mapping");
static_assert(offsetof(struct page, index) == 32, "page->index");
static_assert(offsetof(struct page, private_) == 40, "page->private");
static_assert(offsetof(struct page, compound_head) == 8, "page->compound_head");
static_assert(offsetof(struct page, slab_list) == 8, "slab->slab_list");
static_assert(offsetof(struct page, next) == 8, "slab->next (CPU partial list)");
static_assert(offsetof(struct page, slabs) == 16, "slab->slabs");
static_assert(offsetof(struct page, slab_cache) == 24, "slab->slab_cache");
static_assert(offsetof(struct page, freelist) == 32, "slab->freelist");
static_assert(offsetof(struct page, counters) == 40, "slab->counters");
static_assert(offsetof(struct page, _mapcount) == 48, "page->_mapcount");
static_assert(offsetof(struct page, page_type) == 48, "page->page_type");
static_assert(offsetof(struct page, _refcount) == 52, "page->_refcount");
static_assert(offsetof(struct page, memcg_data) == 56, "page->memcg_data");
