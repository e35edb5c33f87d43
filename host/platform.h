// Host side of the platform layer: console capture and simulated physical memory.
#pragma once

#include <string>

#include "lib/types.h"

// Everything printk sent to the console since the last call (and clear it). Also
// echoed to stderr when UEFI_MM_ECHO is set in the environment.
std::string host_console_take();

// Simulated physical memory: physical address p maps to base + p for p < size.
// Outside that window __va() returns nullptr, so a stray access faults at once.
void host_set_phys_window(void *base, u64 size);

// Simulated physical memory in a memfd: [0, size) of the memfd is physical
// [0, size), mapped (MAP_SHARED) at a 1 GiB-aligned address that becomes the
// __va() window, as host_set_phys_window(). The memfd is sparse: pages cost
// memory only once touched. Any other view of physical memory (the vmemmap
// window below) maps the same memfd, so it sees the same bytes, like the CPU
// through two mappings of one frame. Returns the window, or nullptr.
void *host_phys_memfd_create(u64 size);
// Unmap and close it (and the vmemmap window), clear the __va() window.
void host_phys_memfd_destroy();

// The vmemmap window: a PROT_NONE MAP_NORESERVE reservation (2 MiB-aligned) for
// the struct pages of physical [0, phys_limit). Sets `vmemmap` (mm/sparse.h) to
// it. Each platform_vmemmap_mapped(va, pa, size) then maps the memfd at offset
// pa over window + (va - VMEMMAP_START), so pfn_to_page(pfn) reaches exactly the
// simulated physical page the page tables map there; a struct page nothing
// mapped faults. Needs host_phys_memfd_create() first. Returns the window.
void *host_vmemmap_window_create(u64 phys_limit);
void host_vmemmap_window_destroy();
// Bytes mirrored into the window since it was created.
u64 host_vmemmap_mapped_bytes();
