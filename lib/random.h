// get_random_long(), get_random_u64() and get_random_u32_below()
// (include/linux/random.h). Linux serves them from its CRNG; the app runs before
// any driver, so its only entropy is the TSC, mixed (splitmix64) so that two
// calls in the same cycle still differ; like Linux's batched entropy, a new
// reading is taken once per batch of calls (lib/random.cpp).
// Good enough to place objects and blocks unpredictably for a reader to see;
// not a cryptographic generator.
#pragma once

#include "lib/types.h"

u64 get_random_u64(void);

static inline unsigned long get_random_long(void)
{
	return get_random_u64();
}

/*
 * get_random_u32_below(): uniform in [0, ceil), ceil > 0, as Linux's: the high
 * half of a 32x32-bit product, retried in the rare case that would favour some
 * values (Lemire's method).
 */
static inline u32 get_random_u32_below(u32 ceil)
{
	for (;;) {
		u64 mult = (u64)(u32)get_random_u64() * ceil;

		if (likely((u32)mult >= -ceil % ceil))
			return (u32)(mult >> 32);
	}
}
