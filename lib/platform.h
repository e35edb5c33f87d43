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

// Linux's __va()/__pa().
#define __va(x) platform_phys_to_virt((phys_addr_t)(x))
#define __pa(x) platform_virt_to_phys((const void *)(x))

// vmemmap_populate() has just mapped [va, va + size) of the vmemmap region to
// physical [pa, pa + size). The CPU needs nothing more (a no-op in the app); the
// host mirrors the mapping into its vmemmap window (host/platform.h).
void platform_vmemmap_mapped(unsigned long va, phys_addr_t pa, u64 size);
