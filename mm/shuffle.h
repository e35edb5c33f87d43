// Page allocator randomisation, mirroring mm/shuffle.c and mm/shuffle.h (Linux
// 6.1, CONFIG_SHUFFLE_PAGE_ALLOCATOR=y as Debian builds it): off unless the
// command line says page_alloc.shuffle=1. Then
//  - once the boot memory is in the buddy allocator (page_alloc_init_late()),
//    every free block of SHUFFLE_ORDER in each zone swaps its place on the free
//    list with a randomly picked one (__shuffle_zone()), so that allocations no
//    longer walk memory in address order;
//  - from then on a freed block of that order goes to the head or the tail of
//    its list at random (shuffle_pick_tail() in __free_one_page()).
// Linux turns it on also when firmware reports a direct-mapped memory-side
// cache (ACPI HMAT); the app reads no HMAT, so only the option does here.
#pragma once

#include "mm/mmzone.h"

/* Linux: SHUFFLE_ORDER (MAX_ORDER - 1 in 6.1), the largest block. */
constexpr unsigned int SHUFFLE_ORDER = MAX_PAGE_ORDER;
/* Random picks tried for a partner before a block is left where it is. */
constexpr int SHUFFLE_RETRY = 10;

/* Linux: DEFINE_STATIC_KEY_FALSE(page_alloc_shuffle_key); a plain flag here. */
extern bool page_alloc_shuffle_key;

/*
 * The page_alloc.shuffle= parameter (shuffle_param_set()): a boolean, no value
 * meaning yes. Once on it stays on, as Linux's static key does. 0 or -EINVAL.
 */
int shuffle_param_set(const char *val);

/* A random bit: the tail (true) or the head of the free list. */
bool shuffle_pick_tail(void);

/* Does a freed block of @order go to a random end of its list? */
static inline bool is_shuffle_order(unsigned int order)
{
	if (likely(!page_alloc_shuffle_key))
		return false;
	return order >= SHUFFLE_ORDER;
}

/*
 * __shuffle_zone(): swap each free SHUFFLE_ORDER block of @z with a randomly
 * picked one of the same order and migratetype. Returns how many were swapped
 * (Linux returns nothing; the app prints the count).
 */
unsigned long __shuffle_zone(struct zone *z);

/* __shuffle_free_memory(): __shuffle_zone() on every zone of @pgdat. */
void __shuffle_free_memory(pg_data_t *pgdat);

static inline void shuffle_free_memory(pg_data_t *pgdat)
{
	if (!page_alloc_shuffle_key)
		return;
	__shuffle_free_memory(pgdat);
}

/* Back to the boot state (off), for the host tests. */
void shuffle_reset(void);
