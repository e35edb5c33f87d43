// The UEFI memory map (GetMemoryMap()) and its conversion to an E820 table, as the
// x86 EFI stub does in setup_e820() (drivers/firmware/efi/libstub/x86-stub.c).
// Pure logic on a buffer: the descriptor layout is the UEFI specification's, not
// gnu-efi's, so that this compiles (and is tested) without UEFI headers.
#pragma once

#include "lib/types.h"

struct e820_table;

// EFI_MEMORY_TYPE (UEFI 2.10, 7.2.1), names as in include/linux/efi.h.
enum efi_memory_type : u32 {
	EFI_RESERVED_TYPE = 0,
	EFI_LOADER_CODE = 1,
	EFI_LOADER_DATA = 2,
	EFI_BOOT_SERVICES_CODE = 3,
	EFI_BOOT_SERVICES_DATA = 4,
	EFI_RUNTIME_SERVICES_CODE = 5,
	EFI_RUNTIME_SERVICES_DATA = 6,
	EFI_CONVENTIONAL_MEMORY = 7,
	EFI_UNUSABLE_MEMORY = 8,
	EFI_ACPI_RECLAIM_MEMORY = 9,
	EFI_ACPI_MEMORY_NVS = 10,
	EFI_MEMORY_MAPPED_IO = 11,
	EFI_MEMORY_MAPPED_IO_PORT_SPACE = 12,
	EFI_PAL_CODE = 13,
	EFI_PERSISTENT_MEMORY = 14,
	EFI_UNACCEPTED_MEMORY = 15,
	EFI_MAX_MEMORY_TYPE = 16,
};

// Type values the specification leaves to OEMs and to OS loaders.
constexpr u32 EFI_OEM_MEMORY_TYPE_FIRST = 0x70000000;
constexpr u32 EFI_OS_MEMORY_TYPE_FIRST = 0x80000000;

// Attribute bits (EFI_MEMORY_*), and the constants below them. gnu-efi's efidef.h
// defines some of the same names as macros (same values, from the specification):
// each constant is skipped when such a macro came first, so the two headers can be
// included in either order.
#ifndef EFI_MEMORY_UC
constexpr u64 EFI_MEMORY_UC = 1ULL << 0;
#endif
#ifndef EFI_MEMORY_WC
constexpr u64 EFI_MEMORY_WC = 1ULL << 1;
#endif
#ifndef EFI_MEMORY_WT
constexpr u64 EFI_MEMORY_WT = 1ULL << 2;
#endif
#ifndef EFI_MEMORY_WB
constexpr u64 EFI_MEMORY_WB = 1ULL << 3;
#endif
#ifndef EFI_MEMORY_UCE
constexpr u64 EFI_MEMORY_UCE = 1ULL << 4;
#endif
#ifndef EFI_MEMORY_WP
constexpr u64 EFI_MEMORY_WP = 1ULL << 12;
#endif
#ifndef EFI_MEMORY_RP
constexpr u64 EFI_MEMORY_RP = 1ULL << 13;
#endif
#ifndef EFI_MEMORY_XP
constexpr u64 EFI_MEMORY_XP = 1ULL << 14;
#endif
#ifndef EFI_MEMORY_NV
constexpr u64 EFI_MEMORY_NV = 1ULL << 15;
#endif
#ifndef EFI_MEMORY_MORE_RELIABLE
constexpr u64 EFI_MEMORY_MORE_RELIABLE = 1ULL << 16;
#endif
#ifndef EFI_MEMORY_RO
constexpr u64 EFI_MEMORY_RO = 1ULL << 17;
#endif
#ifndef EFI_MEMORY_SP
constexpr u64 EFI_MEMORY_SP = 1ULL << 18;
#endif
#ifndef EFI_MEMORY_CPU_CRYPTO
constexpr u64 EFI_MEMORY_CPU_CRYPTO = 1ULL << 19;
#endif
#ifndef EFI_MEMORY_HOT_PLUGGABLE
constexpr u64 EFI_MEMORY_HOT_PLUGGABLE = 1ULL << 20; // UEFI 2.10; Linux prints it as "HP"
#endif
#ifndef EFI_MEMORY_RUNTIME
constexpr u64 EFI_MEMORY_RUNTIME = 1ULL << 63;
#endif

#ifndef EFI_MEMORY_DESCRIPTOR_VERSION
constexpr u32 EFI_MEMORY_DESCRIPTOR_VERSION = 1;
#endif
#ifndef EFI_PAGE_SHIFT
constexpr unsigned EFI_PAGE_SHIFT = 12;
#endif
#ifndef EFI_PAGE_SIZE
constexpr u64 EFI_PAGE_SIZE = 1ULL << EFI_PAGE_SHIFT;
#endif

// The architectural limit of x86-64 physical addresses (MAX_PHYSMEM_BITS with
// 5-level paging); a descriptor reaching beyond it is firmware garbage.
constexpr unsigned EFI_MAX_PHYS_BITS = 52;

// EFI_MEMORY_DESCRIPTOR, version 1. The firmware's descriptor_size may be larger
// (48 is common): always step through a map by that, never by sizeof.
struct efi_memory_desc_t {
	u32 type;
	u32 pad;
	u64 phys_addr;
	u64 virt_addr;
	u64 num_pages;
	u64 attribute;
};

static_assert(sizeof(efi_memory_desc_t) == 40, "EFI_MEMORY_DESCRIPTOR v1 is 40 bytes");

// efi=nosoftreserve: when set, EFI_MEMORY_SP memory is plain RAM. Linux
// (CONFIG_EFI_SOFT_RESERVE=y, the default) makes it E820_TYPE_SOFT_RESERVED.
extern bool efi_nosoftreserve;
bool efi_soft_reserve_enabled();

// Convert the memory map [map, map + map_size) with descriptors every @desc_size
// bytes into @out (overwriting it), following setup_e820():
//   loader code/data, boot services code/data, conventional -> RAM
//     (SOFT_RESERVED instead when EFI_MEMORY_SP is set and soft reserve enabled)
//   unusable -> UNUSABLE, ACPI reclaim -> ACPI, ACPI NVS -> NVS,
//   persistent -> PMEM,
//   reserved, runtime services code/data, MMIO, MMIO port space, PAL code, and
//     any type the specification does not define -> RESERVED,
//   unaccepted -> left out (not RAM until accepted; there is no acceptance here).
// A descriptor that starts where the previous e820 entry ends, with the same
// e820 type, extends that entry. Descriptors of zero pages are skipped.
// The map may be unsorted or overlapping: e820__update_table() handles that.
//
// Returns 0, or a negative errno with a pr_err() saying why, @out untouched:
//   -EINVAL  no map, map_size 0 or not a multiple of desc_size, desc_size below
//            40 or not a multiple of 8, a phys_addr not 4 KiB aligned;
//   -ERANGE  a descriptor wrapping around 2^64 or ending above 2^52;
//   -E2BIG   more e820 entries than E820_MAX_ENTRIES.
int efi_memmap_to_e820(const void *map, size_t map_size, size_t desc_size, u32 desc_version,
		       struct e820_table *out);

// Linux's efi_md_typeattr_format(): "[<type, 12 wide>|RUN|MR|...|UC]" into @buf.
char *efi_md_typeattr_format(char *buf, size_t size, const efi_memory_desc_t *md);

// Linux's efi_print_memmap() (efi=debug): one line per descriptor,
// "efi: mem00: [Conventional|   |  |...|UC] range=[0x...-0x...] (0MB)".
// Does nothing but complain when the geometry is invalid.
void efi_print_memmap(const void *map, size_t map_size, size_t desc_size);
