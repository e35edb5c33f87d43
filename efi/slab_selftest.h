// The slab allocator on the machine's real RAM: kmem_cache_init() after the
// buddy hand-over, then a self-test (caches and every kmalloc class churned with
// random sizes, lifetimes and orders of free, contents verified, constructors
// checked, everything freed and shrunk until the buddy free lists are exactly
// as before; then corruptions injected into debug caches, each of which must be
// reported), and /proc/slabinfo with a per-cache summary.
#pragma once

// slab_selftest=N: N churn operations (default 20000; 0 skips the self-test).
int setup_slab_selftest(const char *val);
// slabinfo: also print slabinfo and the summary in the middle of the churn,
// with objects live (they are always printed at the end of bring-up).
int setup_slabinfo_opt(const char *val);

// kmem_cache_init() with its report. Returns the number of failed checks.
unsigned efi_slab_init(void);
// The self-test and the final slabinfo. Returns the number of failed checks.
unsigned efi_slab_selftest(void);
