// EFI memory map -> E820, after setup_e820() in drivers/firmware/efi/libstub/x86-stub.c,
// with the printing of drivers/firmware/efi/efi.c (efi_md_typeattr_format) and
// efi_print_memmap(), and the sanity checks of efi_memmap_entry_valid().
#define pr_fmt(fmt) "efi: " fmt

#include "mm/efi_memmap.h"

#include <string.h>

#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/vsprintf.h"
#include "mm/e820.h"

#define FW_BUG "[Firmware Bug]: "

bool efi_nosoftreserve = false;

bool efi_soft_reserve_enabled()
{
	return !efi_nosoftreserve;
}

namespace {

constexpr u64 EFI_PHYS_LIMIT = 1ULL << EFI_MAX_PHYS_BITS;

// The firmware's map may sit at any alignment: copy a descriptor out instead of
// pointing into it.
void read_desc(const void *map, size_t i, size_t desc_size, efi_memory_desc_t *md)
{
	memcpy(md, (const u8 *)map + i * desc_size, sizeof(*md));
}

bool check_geometry(const void *map, size_t map_size, size_t desc_size)
{
	if (!map) {
		pr_err("memory map: no buffer\n");
		return false;
	}
	if (desc_size < sizeof(efi_memory_desc_t) || desc_size % 8) {
		pr_err("memory map: descriptor size %zu is invalid (at least %zu, a multiple of 8)\n",
		       desc_size, sizeof(efi_memory_desc_t));
		return false;
	}
	if (map_size == 0) {
		pr_err("memory map: empty\n");
		return false;
	}
	if (map_size % desc_size) {
		pr_err("memory map: size %zu is not a multiple of the descriptor size %zu\n",
		       map_size, desc_size);
		return false;
	}
	return true;
}

// The e820 type of a descriptor, as setup_e820() decides it; false to leave the
// descriptor out of the e820 map.
bool efi_to_e820_type(const efi_memory_desc_t *md, size_t i, bool verbose, e820_type *out)
{
	switch (md->type) {
	case EFI_RESERVED_TYPE:
	case EFI_RUNTIME_SERVICES_CODE:
	case EFI_RUNTIME_SERVICES_DATA:
	case EFI_MEMORY_MAPPED_IO:
	case EFI_MEMORY_MAPPED_IO_PORT_SPACE:
	case EFI_PAL_CODE:
		*out = E820_TYPE_RESERVED;
		return true;
	case EFI_UNUSABLE_MEMORY:
		*out = E820_TYPE_UNUSABLE;
		return true;
	case EFI_ACPI_RECLAIM_MEMORY:
		*out = E820_TYPE_ACPI;
		return true;
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
	case EFI_CONVENTIONAL_MEMORY:
		if (efi_soft_reserve_enabled() && (md->attribute & EFI_MEMORY_SP))
			*out = E820_TYPE_SOFT_RESERVED;
		else
			*out = E820_TYPE_RAM;
		return true;
	case EFI_ACPI_MEMORY_NVS:
		*out = E820_TYPE_NVS;
		return true;
	case EFI_PERSISTENT_MEMORY:
		*out = E820_TYPE_PMEM;
		return true;
	case EFI_UNACCEPTED_MEMORY:
		// Linux makes it RAM and records it in a bitmap for accept_memory() only
		// with CONFIG_UNACCEPTED_MEMORY; without it, as here, it is left out:
		// touching unaccepted memory in a TDX/SEV-SNP guest is fatal.
		if (verbose)
			pr_warn("mem%02u: unaccepted memory [%#018llx-%#018llx] left out: accepting memory is not supported\n",
				(unsigned)i, (unsigned long long)md->phys_addr,
				(unsigned long long)(md->phys_addr + (md->num_pages << EFI_PAGE_SHIFT) - 1));
		return false;
	default:
		// As the stub's setup_e820(): a type it does not know is left out of e820
		// (a hole, so never RAM). OEM and OS-loader types are legitimate; a type
		// the UEFI spec does not define is a firmware bug worth a word.
		if (verbose && md->type < EFI_OEM_MEMORY_TYPE_FIRST)
			pr_warn(FW_BUG "mem%02u: invalid memory type %#x, left out of e820\n",
				(unsigned)i, md->type);
		return false;
	}
}

// One pass over the map. With @out null: validate (printing why on failure) and
// count the e820 entries; otherwise write them, silently (already validated).
int convert(const void *map, size_t nr_desc, size_t desc_size, struct e820_table *out,
	    u32 *nr_out)
{
	bool verbose = out == nullptr;
	u32 nr = 0;
	bool have_prev = false;
	e820_type prev_type = E820_TYPE_RAM;
	u64 prev_end = 0;

	for (size_t i = 0; i < nr_desc; i++) {
		efi_memory_desc_t md;
		read_desc(map, i, desc_size, &md);

		if (md.num_pages == 0) {
			// efi_clean_memmap() drops these as invalid.
			if (verbose)
				pr_warn(FW_BUG "mem%02u: descriptor of zero pages at %#018llx ignored\n",
					(unsigned)i, (unsigned long long)md.phys_addr);
			continue;
		}
		if (md.phys_addr & (EFI_PAGE_SIZE - 1)) {
			pr_err("mem%02u: physical address %#018llx is not 4 KiB aligned\n",
			       (unsigned)i, (unsigned long long)md.phys_addr);
			return -EINVAL;
		}
		if (md.phys_addr >= EFI_PHYS_LIMIT ||
		    md.num_pages > ((EFI_PHYS_LIMIT - md.phys_addr) >> EFI_PAGE_SHIFT)) {
			pr_err("mem%02u: [%#018llx + %llu pages] reaches beyond the %u-bit physical address space\n",
			       (unsigned)i, (unsigned long long)md.phys_addr,
			       (unsigned long long)md.num_pages, EFI_MAX_PHYS_BITS);
			return -ERANGE;
		}

		e820_type type;
		if (!efi_to_e820_type(&md, i, verbose, &type))
			continue;

		u64 size = md.num_pages << EFI_PAGE_SHIFT;

		// Same type and contiguous with the previous entry: grow that entry
		// instead of adding one (setup_e820() does the same).
		if (have_prev && prev_type == type && prev_end == md.phys_addr) {
			if (out)
				out->entries[nr - 1].size += size;
			prev_end += size;
			continue;
		}

		if (nr >= E820_MAX_ENTRIES) {
			pr_err("memory map needs more than E820_MAX_ENTRIES (%u) e820 entries\n",
			       E820_MAX_ENTRIES);
			return -E2BIG;
		}
		if (out) {
			out->entries[nr].addr = md.phys_addr;
			out->entries[nr].size = size;
			out->entries[nr].type = type;
		}
		nr++;
		have_prev = true;
		prev_type = type;
		prev_end = md.phys_addr + size;
	}
	*nr_out = nr;
	return 0;
}

// Type names padded to 12 columns, as in drivers/firmware/efi/efi.c.
const char memory_type_name[][13] = {
	"Reserved",
	"Loader Code",
	"Loader Data",
	"Boot Code",
	"Boot Data",
	"Runtime Code",
	"Runtime Data",
	"Conventional",
	"Unusable",
	"ACPI Reclaim",
	"ACPI Mem NVS",
	"MMIO",
	"MMIO Port",
	"PAL Code",
	"Persistent",
	"Unaccepted",
};

static_assert(ARRAY_SIZE(memory_type_name) == EFI_MAX_MEMORY_TYPE);

constexpr u64 KNOWN_ATTRIBUTES = EFI_MEMORY_UC | EFI_MEMORY_WC | EFI_MEMORY_WT | EFI_MEMORY_WB |
				 EFI_MEMORY_UCE | EFI_MEMORY_RO | EFI_MEMORY_WP | EFI_MEMORY_RP |
				 EFI_MEMORY_XP | EFI_MEMORY_NV | EFI_MEMORY_SP |
				 EFI_MEMORY_CPU_CRYPTO | EFI_MEMORY_RUNTIME |
				 EFI_MEMORY_MORE_RELIABLE | EFI_MEMORY_HOT_PLUGGABLE;

} // namespace

int efi_memmap_to_e820(const void *map, size_t map_size, size_t desc_size, u32 desc_version,
		       struct e820_table *out)
{
	if (!out) {
		pr_err("memory map: no e820 table to fill\n");
		return -EINVAL;
	}
	if (!check_geometry(map, map_size, desc_size))
		return -EINVAL;
	if (desc_version != EFI_MEMORY_DESCRIPTOR_VERSION)
		pr_warn("Unexpected EFI_MEMORY_DESCRIPTOR version %u\n", desc_version);

	size_t nr_desc = map_size / desc_size;
	u32 nr;
	int err = convert(map, nr_desc, desc_size, nullptr, &nr);
	if (err)
		return err;
	convert(map, nr_desc, desc_size, out, &nr);
	out->nr_entries = nr;
	return 0;
}

char *efi_md_typeattr_format(char *buf, size_t size, const efi_memory_desc_t *md)
{
	char *pos = buf;
	int type_len;

	if (size == 0)
		return buf;
	if (md->type >= ARRAY_SIZE(memory_type_name))
		type_len = scnprintf(pos, size, "[type=%u", md->type);
	else
		type_len = scnprintf(pos, size, "[%-*s", (int)(sizeof(memory_type_name[0]) - 1),
				     memory_type_name[md->type]);
	if ((size_t)type_len + 1 >= size)
		return buf;

	pos += type_len;
	size -= type_len;

	u64 attr = md->attribute;
	if (attr & ~KNOWN_ATTRIBUTES)
		scnprintf(pos, size, "|attr=0x%016llx]", (unsigned long long)attr);
	else
		scnprintf(pos, size, "|%3s|%2s|%2s|%2s|%2s|%2s|%2s|%2s|%2s|%2s|%3s|%2s|%2s|%2s|%2s]",
			  attr & EFI_MEMORY_RUNTIME ? "RUN" : "",
			  attr & EFI_MEMORY_HOT_PLUGGABLE ? "HP" : "",
			  attr & EFI_MEMORY_MORE_RELIABLE ? "MR" : "",
			  attr & EFI_MEMORY_CPU_CRYPTO ? "CC" : "",
			  attr & EFI_MEMORY_SP ? "SP" : "",
			  attr & EFI_MEMORY_NV ? "NV" : "",
			  attr & EFI_MEMORY_XP ? "XP" : "",
			  attr & EFI_MEMORY_RP ? "RP" : "",
			  attr & EFI_MEMORY_WP ? "WP" : "",
			  attr & EFI_MEMORY_RO ? "RO" : "",
			  attr & EFI_MEMORY_UCE ? "UCE" : "",
			  attr & EFI_MEMORY_WB ? "WB" : "",
			  attr & EFI_MEMORY_WT ? "WT" : "",
			  attr & EFI_MEMORY_WC ? "WC" : "",
			  attr & EFI_MEMORY_UC ? "UC" : "");
	return buf;
}

void efi_print_memmap(const void *map, size_t map_size, size_t desc_size)
{
	if (!check_geometry(map, map_size, desc_size))
		return;

	size_t nr_desc = map_size / desc_size;
	for (size_t i = 0; i < nr_desc; i++) {
		efi_memory_desc_t md;
		char buf[64];

		read_desc(map, i, desc_size, &md);
		pr_info("mem%02u: %s range=[0x%016llx-0x%016llx] (%lluMB)\n", (unsigned)i,
			efi_md_typeattr_format(buf, sizeof(buf), &md),
			(unsigned long long)md.phys_addr,
			(unsigned long long)(md.phys_addr + (md.num_pages << EFI_PAGE_SHIFT) - 1),
			(unsigned long long)(md.num_pages >> (20 - EFI_PAGE_SHIFT)));
	}
}
