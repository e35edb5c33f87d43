// The thin platform layer: the only functions whose implementation differs between
// the UEFI app (efi/platform.cpp) and the host build (host/platform.cpp).
#pragma once

#include "lib/types.h"

// Write raw console bytes (already formatted by printk).
void platform_console_write(const char *s, size_t len);

// Nanoseconds since the program started, for printk timestamps.
u64 platform_clock_ns();

// Where the CPU can reach physical address @phys right now. In the app this is the
// firmware's identity map until paging/ installs the direct map; on the host it is a
// window onto simulated physical memory (tests set it up, see host/platform.h).
void *platform_phys_to_virt(phys_addr_t phys);
phys_addr_t platform_virt_to_phys(const void *virt);

// The base of the direct map __pa() subtracts, inline as in Linux (x86's
// __phys_addr_nodebug() is one subtraction): in the app PAGE_OFFSET once on
// init_top_pgt (0 before, on the firmware's identity map); on the host the
// window onto simulated physical memory. platform_virt_to_phys() is the same.
extern u64 platform_direct_map_base;

// Addresses below the base or 2^46 (64 TiB, the 4-level direct map) above it are
// not in the direct map: in the app the identity-mapped image and stack, which
// stay valid on init_top_pgt, are their own physical address. One compare.
static inline phys_addr_t __pa_inline(const void *virt)
{
	u64 v = (u64)(uintptr_t)virt;
	u64 off = v - platform_direct_map_base;
	return phys_addr_t(off < (1ULL << 46) ? off : v);
}

// Linux's __va()/__pa(). __va() takes a phys_addr_t only: a pfn or a size does
// not compile (Linux's casts whatever it is given).
#define __va(x) platform_phys_to_virt(x)
#define __pa(x) __pa_inline((const void *)(x))

// vmemmap_populate() has just mapped [va, va + size) of the vmemmap region to
// physical [pa, pa + size). The CPU needs nothing more (a no-op in the app); the
// host mirrors the mapping into its vmemmap window (host/platform.h).
void platform_vmemmap_mapped(virt_addr_t va, phys_addr_t pa, u64 size);
