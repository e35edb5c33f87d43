// The firmware's ACPI tables: the RSDP from the EFI configuration table (Linux:
// efi_config_parse_tables() then acpi_os_get_root_pointer(), ACPI 2.0 entry first),
// the XSDT (or, for an ACPI 1.0 RSDP, the RSDT), and the tables they list (ACPICA's
// acpi_tb_parse_root_table()). Physical addresses are used as pointers: the app runs
// on the firmware's identity map.
#pragma once

#include "lib/types.h"

// What Linux's acpi_table_init() prints: "ACPI: RSDP 0x... 000024 (v02 BOCHS )", the
// XSDT/RSDT, then one line per table it lists (the FADT followed by its DSDT and
// FACS), in the format of ACPICA's acpi_tb_print_table_header(). A bad RSDP checksum
// rejects that RSDP; a bad XSDT/RSDT checksum gets ACPICA's warning and the table is
// still used; other tables are not checksummed here (Linux: "Early table checksum
// verification disabled"); their users check them (acpi_numa_parse_srat() does).
// Returns 0, or -ENOENT (with a message) when the firmware has no usable RSDP.
int efi_acpi_init(void);

// The first table with signature @sig (4 characters, e.g. "SRAT") listed by the
// XSDT/RSDT, and its length (from its header, at least 36) in *@len. nullptr when
// there is no usable RSDP or no such table. Prints nothing.
const void *efi_acpi_find_table(const char *sig, size_t *len);

// The srat_init callback of x86_numa_init() (mm/numa.h): find the SRAT and hand it to
// acpi_numa_parse_srat(). -ENOENT, silently, when there is none (Linux then prints
// "No NUMA configuration found" from dummy_numa_init()).
int efi_srat_init(void);
