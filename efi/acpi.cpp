// Finding ACPI tables from UEFI: the RSDP from the configuration table, then ACPICA's
// root table walk (tbutils.c acpi_tb_parse_root_table, tbfadt.c acpi_tb_parse_fadt)
// without its table manager: the tables are read in place.
#include "efi/acpi.h"

#include <string.h>

#include "efi/efi.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/srat.h"

namespace {

// The FADT fields the walk needs (ACPI 6.x, 5.2.9), by offset: ACPICA reads the
// FADT through a zero-filled copy of at most its own size, so fields beyond a short
// FADT's length read as 0.
constexpr size_t FADT_FIRMWARE_CTRL = 36; // u32
constexpr size_t FADT_DSDT = 40; // u32
constexpr size_t FADT_FLAGS = 112; // u32
constexpr size_t FADT_X_FIRMWARE_CTRL = 132; // u64
constexpr size_t FADT_X_DSDT = 140; // u64
constexpr u32 ACPI_FADT_HW_REDUCED = 1u << 20;

const void *phys_to_ptr(u64 addr)
{
	return (const void *)(uintptr_t)addr;
}

u64 fadt_field(const struct acpi_table_header *fadt, size_t off, size_t size)
{
	if (off + size > fadt->length)
		return 0;
	u64 v = 0;
	memcpy(&v, (const u8 *)fadt + off, size);
	return v;
}

// acpi_tb_validate_rsdp(): signature, the ACPI 1.0 checksum over 20 bytes and, from
// revision 2, the extended checksum over 36.
bool acpi_tb_validate_rsdp(const struct acpi_table_rsdp *rsdp)
{
	if (memcmp(rsdp->signature, ACPI_SIG_RSDP, 8))
		return false;
	if (acpi_tb_checksum(rsdp, ACPI_RSDP_CHECKSUM_LENGTH))
		return false;
	if (rsdp->revision >= 2 && acpi_tb_checksum(rsdp, ACPI_RSDP_XCHECKSUM_LENGTH))
		return false;
	return true;
}

// The RSDP of the EFI configuration table: the ACPI 2.0 entry, else the ACPI 1.0 one.
const struct acpi_table_rsdp *efi_find_rsdp(bool verbose)
{
	static const EFI_GUID guids[] = {ACPI_20_TABLE_GUID, ACPI_TABLE_GUID};
	static const char *const names[] = {"ACPI 2.0", "ACPI"};
	for (size_t g = 0; g < ARRAY_SIZE(guids); g++) {
		for (UINTN i = 0; i < efi_systab->NumberOfTableEntries; i++) {
			const EFI_CONFIGURATION_TABLE *t = &efi_systab->ConfigurationTable[i];
			if (memcmp(&t->VendorGuid, &guids[g], sizeof(EFI_GUID)))
				continue;
			const struct acpi_table_rsdp *rsdp = (const struct acpi_table_rsdp *)t->VendorTable;
			if (rsdp && acpi_tb_validate_rsdp(rsdp))
				return rsdp;
			if (verbose)
				pr_warn("ACPI: the EFI %s configuration table entry %p is not a valid RSDP\n", names[g],
					(const void *)rsdp);
		}
	}
	return nullptr;
}

// The XSDT (revision > 1 and an XSDT address) or the RSDT, as acpi_tb_parse_root_table().
struct root_table {
	const struct acpi_table_header *table;
	u64 address;
	size_t entry_size;
	u32 count;
	u64 entry(u32 i) const
	{
		u64 v = 0;
		memcpy(&v, (const u8 *)table + sizeof(*table) + i * entry_size, entry_size);
		return v;
	}
};

int acpi_tb_parse_root_table(const struct acpi_table_rsdp *rsdp, bool verbose, struct root_table *root)
{
	if (rsdp->revision > 1 && rsdp->xsdt_physical_address) {
		root->address = rsdp->xsdt_physical_address;
		root->entry_size = sizeof(u64);
	} else {
		root->address = rsdp->rsdt_physical_address;
		root->entry_size = sizeof(u32);
	}
	if (verbose)
		acpi_tb_print_table_header((u64)(uintptr_t)rsdp, (const struct acpi_table_header *)rsdp);
	if (!root->address) {
		if (verbose)
			pr_err("ACPI: the RSDP has no %s address\n", root->entry_size == 8 ? "XSDT" : "RSDT");
		return -ENOENT;
	}
	root->table = (const struct acpi_table_header *)phys_to_ptr(root->address);
	if (verbose)
		acpi_tb_print_table_header(root->address, root->table);
	u32 length = root->table->length;
	if (length < sizeof(struct acpi_table_header)) {
		if (verbose)
			printk(KERN_ERR "ACPI Error: Invalid table length 0x%X in RSDT/XSDT\n", length);
		return -ENOENT;
	}
	u8 sum = acpi_tb_checksum(root->table, length);
	if (sum && verbose)
		printk(KERN_WARNING "ACPI BIOS Warning (bug): Incorrect checksum in table [%4.4s] - 0x%2.2X, "
				    "should be 0x%2.2X\n",
		       root->table->signature, root->table->checksum, (u8)(root->table->checksum - sum));
	root->count = (u32)((length - sizeof(struct acpi_table_header)) / root->entry_size);
	return 0;
}

// acpi_tb_parse_fadt(): the DSDT (64-bit address preferred) and, unless the machine
// is hardware-reduced, the FACS (32-bit address, then a different 64-bit one).
void acpi_tb_print_fadt_tables(const struct acpi_table_header *fadt)
{
	u64 dsdt = fadt_field(fadt, FADT_X_DSDT, 8);
	if (!dsdt)
		dsdt = fadt_field(fadt, FADT_DSDT, 4);
	if (dsdt)
		acpi_tb_print_table_header(dsdt, (const struct acpi_table_header *)phys_to_ptr(dsdt));
	if (fadt_field(fadt, FADT_FLAGS, 4) & ACPI_FADT_HW_REDUCED)
		return;
	u64 facs = fadt_field(fadt, FADT_FIRMWARE_CTRL, 4);
	u64 xfacs = fadt_field(fadt, FADT_X_FIRMWARE_CTRL, 8);
	if (facs)
		acpi_tb_print_table_header(facs, (const struct acpi_table_header *)phys_to_ptr(facs));
	if (xfacs && xfacs != facs)
		acpi_tb_print_table_header(xfacs, (const struct acpi_table_header *)phys_to_ptr(xfacs));
}

} // namespace

int efi_acpi_init(void)
{
	const struct acpi_table_rsdp *rsdp = efi_find_rsdp(true);
	if (!rsdp) {
		pr_err("ACPI: System description tables not found\n");
		return -ENOENT;
	}
	struct root_table root;
	if (acpi_tb_parse_root_table(rsdp, true, &root))
		return -ENOENT;
	for (u32 i = 0; i < root.count; i++) {
		u64 addr = root.entry(i);
		if (!addr) // Skip NULL entries in RSDT/XSDT
			continue;
		const struct acpi_table_header *t = (const struct acpi_table_header *)phys_to_ptr(addr);
		acpi_tb_print_table_header(addr, t);
		if (!memcmp(t->signature, ACPI_SIG_FADT, ACPI_NAMESEG_SIZE))
			acpi_tb_print_fadt_tables(t);
	}
	return 0;
}

const void *efi_acpi_find_table(const char *sig, size_t *len)
{
	if (len)
		*len = 0;
	if (!sig || strlen(sig) != ACPI_NAMESEG_SIZE)
		return nullptr;
	const struct acpi_table_rsdp *rsdp = efi_find_rsdp(false);
	struct root_table root;
	if (!rsdp || acpi_tb_parse_root_table(rsdp, false, &root))
		return nullptr;
	for (u32 i = 0; i < root.count; i++) {
		u64 addr = root.entry(i);
		if (!addr)
			continue;
		const struct acpi_table_header *t = (const struct acpi_table_header *)phys_to_ptr(addr);
		if (memcmp(t->signature, sig, ACPI_NAMESEG_SIZE))
			continue;
		if (t->length < sizeof(struct acpi_table_header))
			continue;
		if (len)
			*len = t->length;
		return t;
	}
	return nullptr;
}

int efi_srat_init(void)
{
	size_t len;
	const void *srat = efi_acpi_find_table(ACPI_SIG_SRAT, &len);
	if (!srat)
		return -ENOENT;
	return acpi_numa_parse_srat(srat, len);
}
