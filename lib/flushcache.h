// Stores that bypass the cache, as arch/x86/lib/usercopy_64.c's
// __memcpy_flushcache() does with MOVNTI: for memory written once and not read
// again soon (the struct pages of memory at boot), a full 64-byte line of
// non-temporal stores goes to memory without first being read for ownership,
// about twice the bandwidth of ordinary stores. MOVNTI uses no vector registers,
// so it is fine in the UEFI build (-mgeneral-regs-only); it needs only SSE2,
// which every x86-64 CPU has.
#pragma once

#include "lib/types.h"

// One 64-byte line (@dst 64-byte aligned) of eight words, stored from
// registers: a loop copying the words from memory (as __memcpy_flushcache()
// does) kept fewer stores in flight here and got about half the bandwidth.
// They are weakly ordered: wmb() before anyone else may rely on them (on one
// CPU, its own later loads see them).
static inline void memset64_line_flushcache(void *dst, u64 w0, u64 w1, u64 w2, u64 w3, u64 w4, u64 w5, u64 w6,
					    u64 w7)
{
#if defined(__x86_64__)
	asm volatile("movnti %1, 0(%0)\n\t"
		     "movnti %2, 8(%0)\n\t"
		     "movnti %3, 16(%0)\n\t"
		     "movnti %4, 24(%0)\n\t"
		     "movnti %5, 32(%0)\n\t"
		     "movnti %6, 40(%0)\n\t"
		     "movnti %7, 48(%0)\n\t"
		     "movnti %8, 56(%0)"
		     :
		     : "r"(dst), "r"(w0), "r"(w1), "r"(w2), "r"(w3), "r"(w4), "r"(w5), "r"(w6), "r"(w7)
		     : "memory");
#else
	u64 *d = static_cast<u64 *>(dst);
	d[0] = w0, d[1] = w1, d[2] = w2, d[3] = w3, d[4] = w4, d[5] = w5, d[6] = w6, d[7] = w7;
#endif
}

// wmb(): x86's SFENCE, which orders the non-temporal stores before later stores.
static inline void wmb(void)
{
#if defined(__x86_64__)
	asm volatile("sfence" ::: "memory");
#else
	__atomic_thread_fence(__ATOMIC_RELEASE);
#endif
}
