// The firmware memory map (GetMemoryMap), as Linux's EFI stub reads it in
// drivers/firmware/efi/libstub/mem.c efi_get_memory_map().
#pragma once

#include "lib/types.h"

struct efi_boot_memmap {
	void *map;          // AllocatePool'd buffer, descriptors at desc_size stride
	u64 map_size;       // bytes of descriptors in the buffer
	u64 buff_size;      // bytes allocated
	u64 desc_size;      // the firmware's descriptor stride (not sizeof!)
	u32 desc_ver;
	u64 map_key;
};

// Read the current memory map into a fresh pool buffer (sized by a first call, plus
// slack for the descriptors the allocation itself may add, retried while the firmware
// says the buffer is too small). Returns 0 or a negative errno with a message.
int efi_get_memory_map(efi_boot_memmap *m);
void efi_free_memory_map(efi_boot_memmap *m);
