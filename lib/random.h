// get_random_long() and get_random_u64() (include/linux/random.h). Linux serves
// them from its CRNG; the app runs before any driver, so its only entropy is
// the TSC, mixed (splitmix64) so that two calls in the same cycle still differ.
// Good enough to place objects and blocks unpredictably for a reader to see;
// not a cryptographic generator.
#pragma once

#include "lib/types.h"

u64 get_random_u64(void);

static inline unsigned long get_random_long(void)
{
	return get_random_u64();
}
