// The physical ranges the app owns (claimed from the firmware). The platform fills
// it; mm/ only reads it, to reserve in memblock everything that is not owned.
#pragma once

#include "lib/types.h"

constexpr unsigned MAX_OWNED_RANGES = 1024;
constexpr unsigned MAX_LEFT_RANGES = 64;

struct owned_range {
	phys_addr_t base;
	u64 size;
};

struct owned_memory {
	owned_range ranges[MAX_OWNED_RANGES]; // claimed, in claim order
	unsigned nr;
	u64 total;                            // bytes claimed
	owned_range left[MAX_LEFT_RANGES];    // conventional memory left to the firmware
	unsigned nr_left;
	u64 total_left;
	unsigned passes;                      // map re-reads until nothing new appeared
};

// Is [base, base + size) entirely inside owned ranges (possibly several adjacent)?
bool owned_contains(const owned_memory *owned, phys_addr_t base, u64 size);
