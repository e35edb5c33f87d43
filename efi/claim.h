// Taking ownership of the machine's free RAM from the firmware, and giving it back.
//
// Linux owns all RAM once it has called ExitBootServices. This app stays inside boot
// services, so it asks: every EfiConventionalMemory range is claimed with
// AllocatePages(AllocateAddress) as EfiLoaderData, except a reserve the firmware keeps
// for its own allocations while the app runs. Only claimed memory is ever free in
// memblock; efi_release_memory() FreePages it all before the app returns.
#pragma once

#include "mm/owned.h"

// Claim every conventional range except @fw_reserve bytes (taken from the highest
// conventional memory below 4 GiB, where firmware allocates its pool first).
// Re-reads the map until a pass finds nothing new to claim. Returns 0 or -errno;
// whatever was claimed is recorded in @owned either way and must be released.
int efi_claim_memory(u64 fw_reserve, owned_memory *owned);

// FreePages every claimed range. Returns the number of ranges the firmware refused.
unsigned efi_release_memory(owned_memory *owned);

// The "fw_reserve=" early parameter and its value (default 16 MiB).
extern u64 efi_fw_reserve;
int setup_fw_reserve(const char *val);

// "claim=SIZE": claim at most SIZE bytes, lowest addresses first (0, the default:
// everything but fw_reserve). All RAM is still in memblock.memory, the zones and
// the memory map; only claimed memory is free. For big machines where handing
// all of it to buddy (and OVMF clearing it on FreePages) takes too long.
extern u64 efi_claim_max;
int setup_claim_max(const char *val);
