// The E820 physical memory map, mirroring arch/x86/include/asm/e820/{types,api}.h
// and arch/x86/kernel/e820.c: the firmware's memory layout, sanitized (sorted,
// overlaps resolved, neighbours merged), adjusted by quirks (trim_bios_range) and
// by the mem= / memmap= early parameters, before memblock takes over.
//
// As in Linux, e820_table is both a type (struct e820_table) and the global
// pointer to the main table; write "struct e820_table" for the type.
#pragma once

#include "lib/types.h"
#include "paging/pgtable_types.h"

enum e820_type : u32 {
	E820_TYPE_RAM = 1,
	E820_TYPE_RESERVED = 2,
	E820_TYPE_ACPI = 3,
	E820_TYPE_NVS = 4,
	E820_TYPE_UNUSABLE = 5,
	E820_TYPE_PMEM = 7,

	// Legacy NVDIMM type from before ACPI 6.0 (memmap=nn!ss).
	E820_TYPE_PRAM = 12,

	// EFI_MEMORY_SP "specific purpose" memory: reserved for a driver by default.
	E820_TYPE_SOFT_RESERVED = 0xefffffff,

	// Never in a firmware map: RAM the kernel marks as its own (setup_data).
	E820_TYPE_RESERVED_KERN = 128,
};

// The firmware ABI layout: 20 bytes, packed.
struct e820_entry {
	u64 addr;
	u64 size;
	e820_type type;
} __attribute__((packed));

static_assert(sizeof(e820_entry) == 20, "e820_entry is a firmware ABI: 20 bytes");

// Linux: E820_MAX_ENTRIES = E820_MAX_ENTRIES_ZEROPAGE (128, what fits in
// boot_params) + 3 * MAX_NUMNODES, the extra entries arriving through
// SETUP_E820_EXT setup_data. We take the value of an x86-64 MAXSMP kernel
// (CONFIG_NODES_SHIFT=10, MAX_NUMNODES=1024): 3200 entries, enough for the
// thousands of descriptors a large EFI memory map can have. There is no
// boot_params here, so the whole table is one array.
constexpr u32 E820_MAX_ENTRIES_ZEROPAGE = 128;
constexpr u32 E820_NODES_SHIFT = 10;
constexpr u32 E820_MAX_ENTRIES = E820_MAX_ENTRIES_ZEROPAGE + 3 * (1u << E820_NODES_SHIFT);

struct e820_table {
	u32 nr_entries;
	e820_entry entries[E820_MAX_ENTRIES];
};

// The legacy PC BIOS area, reported as RAM by some firmware (asm/e820/types.h).
constexpr u64 BIOS_BEGIN = 0x000a0000;
constexpr u64 BIOS_END = 0x00100000;

// MAXMEM in pages (asm/e820/api.h): 0x400000000 with 4-level paging, 0x10000000000
// with 5-level. Like Linux, it follows the paging mode, which must be known
// before e820__end_of_ram_pfn() (Linux: check_la57_support() in head64.c).
#define MAX_ARCH_PFN (PHYS_PFN(phys_addr_t(MAXMEM)))

// The main table (modified by quirks and parameters) and the sanitized firmware
// original, as in Linux. Both point to static storage. Linux also keeps
// e820_table_kexec for kexec; there is no kexec here, so it is left out.
extern struct e820_table *e820_table;
extern struct e820_table *e820_table_firmware;

// Empty both tables and forget mem=/memmap= state (tests, app re-runs).
void e820_reset();

// Query the main table; type 0 matches any type. [start, end) is half-open.
bool e820__mapped_any(u64 start, u64 end, e820_type type);
bool e820__mapped_all(u64 start, u64 end, e820_type type);
// The same as e820__mapped_any() on e820_table_firmware.
bool e820__mapped_raw_any(u64 start, u64 end, e820_type type);
// The type of the entry covering all of [start, end), or -EINVAL.
int e820__get_entry_type(u64 start, u64 end);

// Append an entry (unsorted, may overlap; e820__update_table() cleans up).
void e820__range_add(u64 start, u64 size, e820_type type);
// Retype the parts of [start, start + size) that are @old_type to @new_type,
// splitting entries as needed. Returns the number of bytes retyped.
u64 e820__range_update(u64 start, u64 size, e820_type old_type, e820_type new_type);
u64 e820__range_update_table(struct e820_table *t, u64 start, u64 size, e820_type old_type,
			     e820_type new_type);
// Remove [start, start + size) from the main table (only @old_type parts when
// @check_type). Returns the number of bytes removed.
u64 e820__range_remove(u64 start, u64 size, e820_type old_type, bool check_type);

// Linux's sanitizer: sort, resolve overlaps in favour of the highest type value,
// merge touching entries of the same type (except PRAM and SOFT_RESERVED), drop
// empty ones. Returns 0, or -1 when it did nothing: fewer than two entries, or an
// entry whose end wraps around 2^64.
int e820__update_table(struct e820_table *table);
// Sanitize e820_table and, when that changed anything, print it as "modified".
void e820__update_table_print();

// Print e820_table, one "<who>: [mem 0x...-0x...] <type>" line per entry.
void e820__print_table(const char *who);

// The end of RAM (and ACPI data) in pages, capped at MAX_ARCH_PFN, resp. 4 GiB.
pfn_t e820__end_of_ram_pfn();
pfn_t e820__end_of_low_ram_pfn();

// Take the firmware's map: copy @firmware into e820_table, sanitize it, keep a
// copy in e820_table_firmware and print it ("BIOS-provided physical RAM map:",
// then "BIOS-e820: ..." lines). Returns 0, or -EINVAL (nothing changed) when the
// map is empty or has an entry wrapping around 2^64.
int e820__memory_setup(const struct e820_table *firmware);

// setup.c's trim_bios_range(): the first page becomes reserved and the legacy
// BIOS area [BIOS_BEGIN, BIOS_END) is no longer RAM; then sanitize.
void trim_bios_range();

// Early parameters. A malformed value returns -EINVAL and changes nothing.
int parse_memopt(const char *val);     // mem=nn[KMG]
int parse_memmap_opt(const char *val); // memmap=item[,item...]
// After the early parameters: when mem=/memmap= changed the map, sanitize and
// print it ("user-defined physical RAM map:"). Returns 0, or -EINVAL when the
// user map cannot be sanitized (Linux panics there).
int e820__finish_early_params();
