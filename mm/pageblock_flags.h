// Pageblock flags, mirroring include/linux/pageblock-flags.h and the
// get/set_pfnblock_flags_mask() of mm/page_alloc.c (Linux 6.1, SPARSEMEM): every
// pageblock (2^pageblock_order pages, 2 MiB) has NR_PAGEBLOCK_BITS bits in the
// usage map of its memory section; the low three hold its migratetype.
//
// Where we differ: Linux updates the word with a cmpxchg loop (other CPUs may
// change neighbouring blocks); here one CPU owns the memory map.
#pragma once

#include "mm/mmzone.h"
#include "mm/page_flags.h"
#include "mm/sparse.h"

/* HUGETLB_PAGE_ORDER on x86-64: a 2 MiB pageblock. */
constexpr unsigned pageblock_order = 9;
constexpr unsigned long pageblock_nr_pages = 1UL << pageblock_order;

enum pageblock_bits {
	PB_migrate,
	PB_migrate_end = PB_migrate + 3 - 1, /* PB_migrate..PB_migrate_end: the migratetype */
	PB_migrate_skip, /* compaction's skip hint */
	NR_PAGEBLOCK_BITS
};

constexpr unsigned long MIGRATETYPE_MASK = (1UL << (PB_migrate_end + 1)) - 1;

static_assert(SECTION_BLOCKFLAGS_BITS == (PAGES_PER_SECTION >> pageblock_order) * NR_PAGEBLOCK_BITS,
	      "sparse.h sizes the usage map for these bits");
static_assert(MIGRATE_TYPES <= 8, "three bits hold a migratetype");

static inline bool pageblock_aligned(pfn_t pfn)
{
	return (pfn & (pageblock_nr_pages - 1)) == 0;
}

static inline pfn_t pageblock_start_pfn(pfn_t pfn)
{
	return round_down(pfn, pageblock_nr_pages);
}

/* The usage map of @pfn's section and the bit index of its pageblock in it. */
static inline unsigned long *get_pageblock_bitmap(pfn_t pfn)
{
	return __pfn_to_section(pfn)->usage->pageblock_flags;
}

static inline unsigned long pfn_to_bitidx(pfn_t pfn)
{
	return ((pfn & (PAGES_PER_SECTION - 1)) >> pageblock_order) * NR_PAGEBLOCK_BITS;
}

/* The flags of @pfn's pageblock in its section @ms (for a caller that has it). */
static inline unsigned long section_pfnblock_flags_mask(const struct mem_section *ms, pfn_t pfn,
							unsigned long mask)
{
	unsigned long bitidx = pfn_to_bitidx(pfn);
	unsigned long word = ms->usage->pageblock_flags[bitidx / BITS_PER_LONG];
	bitidx &= BITS_PER_LONG - 1;
	return (word >> bitidx) & mask;
}

static inline unsigned long get_pfnblock_flags_mask(const struct page *page, pfn_t pfn,
						    unsigned long mask)
{
	(void)page;
	return section_pfnblock_flags_mask(__pfn_to_section(pfn), pfn, mask);
}

static inline void set_pfnblock_flags_mask(struct page *page, unsigned long flags, pfn_t pfn,
					   unsigned long mask)
{
	(void)page;
	unsigned long *bitmap = get_pageblock_bitmap(pfn);
	unsigned long bitidx = pfn_to_bitidx(pfn);
	unsigned long *word = &bitmap[bitidx / BITS_PER_LONG];
	bitidx &= BITS_PER_LONG - 1;
	*word = (*word & ~(mask << bitidx)) | (flags << bitidx);
}

static inline int get_pfnblock_migratetype(const struct page *page, pfn_t pfn)
{
	return (int)get_pfnblock_flags_mask(page, pfn, MIGRATETYPE_MASK);
}

static inline int get_pageblock_migratetype(const struct page *page)
{
	return get_pfnblock_migratetype(page, page_to_pfn(page));
}

static inline void set_pageblock_migratetype(struct page *page, int migratetype)
{
	set_pfnblock_flags_mask(page, (unsigned long)migratetype, page_to_pfn(page), MIGRATETYPE_MASK);
}
