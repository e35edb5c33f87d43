// The app, in the order Linux's setup_arch() does the same work:
// firmware memory map -> e820 -> early parameters -> e820 adjustments -> (claim the
// free RAM from the firmware) -> memblock -> checks on real RAM -> give it all back.
#include "efi/main.h"

#include <string.h>

#include "efi/buddy_selftest.h"
#include "efi/claim.h"
#include "efi/cmdline.h"
#include "efi/console.h"
#include "efi/cpu.h"
#include "efi/exit.h"
#include "efi/memmap.h"
#include "efi/mm_core.h"
#include "efi/paging.h"
#include "efi/slab_selftest.h"
#include "lib/errno.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "mm/e820.h"
#include "mm/efi_memmap.h"
#include "mm/memblock.h"
#include "mm/mm_init.h"
#include "mm/slab.h"
#include "mm/setup.h"

#ifndef UEFI_MM_VERSION
#define UEFI_MM_VERSION "0.1"
#endif

namespace {

bool efi_debug;

int setup_efi_opt(const char *val)
{
	if (!val || strcmp(val, "debug"))
		return -EINVAL;
	efi_debug = true;
	return 0;
}

const kernel_param efi_console_params[] = {
	{"earlyprintk", setup_early_printk},
};

const kernel_param efi_other_params[] = {
	{"efi", setup_efi_opt},
	{"fw_reserve", setup_fw_reserve},
	{"claim", setup_claim_max},
	{"exit", setup_exit_mode},
	{"paging", setup_paging_opt},
	{"slub_debug", setup_slub_debug},
	{"slab_freelist_random", setup_slab_freelist_random},
	{"slab_selftest", setup_slab_selftest},
	{"slabinfo", setup_slabinfo_opt},
	{"memmap_init", setup_memmap_init},
	{"buddy_test", setup_buddy_test},
	{"buddyinfo", setup_buddyinfo_opt},
};

const early_param_set efi_params = {
	efi_console_params, ARRAY_SIZE(efi_console_params),
	efi_other_params, ARRAY_SIZE(efi_other_params),
};

// The firmware's idea of free memory: what running the app twice must find equal.
u64 count_conventional_pages()
{
	efi_boot_memmap m;
	if (efi_get_memory_map(&m))
		return 0;
	u64 pages = 0;
	for (u64 off = 0; off + m.desc_size <= m.map_size; off += m.desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)((u8 *)m.map + off);
		if (d->Type == EfiConventionalMemory)
			pages += d->NumberOfPages;
	}
	efi_free_memory_map(&m);
	return pages;
}

void print_firmware()
{
	char vendor[64];
	size_t n = 0;
	const CHAR16 *v = efi_systab->FirmwareVendor;
	for (; v && v[n] && n + 1 < sizeof(vendor); n++)
		vendor[n] = v[n] < 0x80 ? (char)v[n] : '?';
	vendor[n] = '\0';
	u32 rev = efi_systab->Hdr.Revision;
	// Linux 6.1's format (newer kernels print "v2.7" for 2.70).
	pr_info("efi: EFI v%u.%.02u by %s\n", rev >> 16, rev & 0xffff, vendor);
}

// memblock on real RAM: allocations come from owned memory, are writable, and go back.
unsigned exercise_memblock(const owned_memory *owned)
{
	unsigned bad = 0;
	const struct {
		u64 size, align;
		bool bottom_up;
	} cases[] = {
		{SZ_1M, SZ_2M, false},
		{3 * PAGE_SIZE + 123, 64, false},
		{SZ_64K, PAGE_SIZE, true},
		{SZ_2M, SZ_2M, true},
	};
	for (const auto &c : cases) {
		memblock_set_bottom_up(c.bottom_up);
		phys_addr_t pa = memblock_phys_alloc(c.size, c.align);
		memblock_set_bottom_up(false);
		if (!pa) {
			pr_err("uefi-mm: memblock_phys_alloc(%#llx, %#llx) failed\n", (unsigned long long)c.size,
			       (unsigned long long)c.align);
			bad++;
			continue;
		}
		if (!owned_contains(owned, pa, c.size) || !IS_ALIGNED(pa, c.align) || !memblock_is_reserved(pa)) {
			pr_err("uefi-mm: memblock_phys_alloc gave %#llx: not owned, not aligned or not reserved\n",
			       (unsigned long long)pa);
			bad++;
			continue;
		}
		// Write a pattern through __va() and read it back.
		u64 *p = (u64 *)__va(pa);
		size_t words = c.size / sizeof(u64);
		for (size_t w = 0; w < words; w++)
			p[w] = (u64)pa + w * 0x9e3779b97f4a7c15ULL;
		for (size_t w = 0; w < words; w++) {
			if (p[w] != (u64)pa + w * 0x9e3779b97f4a7c15ULL) {
				pr_err("uefi-mm: memory at %#llx does not hold what was written\n",
				       (unsigned long long)(pa + w * 8));
				bad++;
				break;
			}
		}
		memblock_phys_free(pa, c.size);
		if (memblock_is_region_reserved(pa, c.size)) {
			pr_err("uefi-mm: %#llx still reserved after memblock_phys_free\n", (unsigned long long)pa);
			bad++;
		}
	}
	pr_info("uefi-mm: memblock exercise on real RAM: %zu allocations %s\n", ARRAY_SIZE(cases),
		bad ? "FAILED" : "ok");
	return bad;
}

owned_memory owned;
struct e820_table firmware_e820;

} // namespace

EFI_STATUS uefi_mm_main()
{
	// Fresh state even if the firmware runs this image again without reloading it.
	printk_reset();
	memblock_reset();
	e820_reset();
	mm_init_reset();

	tsc_calibrate();
	efi_console_init();

	static char cmdline[COMMAND_LINE_SIZE];
	const char *cmdline_problem = nullptr;
	if (!efi_get_cmdline(cmdline, sizeof(cmdline), &cmdline_problem))
		cmdline[0] = '\0';

	// Phase 1: console parameters, before anything is printed.
	if (parse_early_param(cmdline, PARAMS_CONSOLE, &efi_params, nullptr, 0) != PARSE_OK) {
		pr_err("uefi-mm: bad command line, nothing was done\n");
		return efi_app_exit(false);
	}

	pr_notice("uefi-mm version " UEFI_MM_VERSION " (g++ " __VERSION__ ") #1 " __DATE__ "\n");
	pr_notice("Command line: %s\n", cmdline);
	if (cmdline_problem)
		pr_warn("uefi-mm: ignoring the image's LoadOptions: %s\n", cmdline_problem);
	print_firmware();
	pr_info("printk: console [%s] enabled\n", efi_console_describe());
	pr_info("tsc: Detected %llu.%03llu MHz processor\n", (unsigned long long)(tsc_khz_get() / 1000),
		(unsigned long long)(tsc_khz_get() % 1000));

	bool passed = true;
	if (unsigned n = efi_constructors_ran()) {
		pr_info("uefi-mm: %u C++ global constructors run\n", n);
	} else {
		pr_err("uefi-mm: C++ global constructors did not run (.init_array lost?)\n");
		passed = false;
	}

	u64 conventional_at_entry = count_conventional_pages();

	// The firmware memory map, turned into e820 as Linux's EFI stub does.
	efi_boot_memmap map;
	if (efi_get_memory_map(&map)) {
		pr_err("uefi-mm: cannot read the firmware memory map, nothing was done\n");
		return efi_app_exit(false);
	}
	int err = efi_memmap_to_e820(map.map, map.map_size, map.desc_size, map.desc_ver, &firmware_e820);
	u64 nr_desc = map.map_size / map.desc_size, desc_size = map.desc_size;
	efi_free_memory_map(&map);
	if (err) {
		pr_err("uefi-mm: the firmware memory map is malformed (error %d), nothing was done\n", err);
		return efi_app_exit(false);
	}
	pr_info("efi: memory map: %llu descriptors of %llu bytes\n", (unsigned long long)nr_desc,
		(unsigned long long)desc_size);
	// The paging mode, known to Linux from head64.c's check_la57_support() on:
	// MAX_PHYSMEM_BITS, so max_arch_pfn, follow it. The app keeps the firmware's mode.
	paging_set_levels(x86_read_paging_caps().la57_enabled);
	if (e820__memory_setup(&firmware_e820)) {
		pr_err("uefi-mm: the e820 table from the firmware cannot be sanitized, nothing was done\n");
		return efi_app_exit(false);
	}

	// Phase 2: memory parameters, where Linux calls parse_early_param().
	static char unknown[COMMAND_LINE_SIZE];
	if (parse_early_param(cmdline, PARAMS_MEMORY, &efi_params, unknown, sizeof(unknown)) != PARSE_OK) {
		pr_err("uefi-mm: bad command line, nothing was done\n");
		return efi_app_exit(false);
	}
	if (unknown[0])
		pr_notice("Unknown command line parameters \"%s\" ignored\n", unknown);
	if (efi_debug) {
		// efi=debug: the firmware's map as Linux prints it (read again: it is cheap).
		if (!efi_get_memory_map(&map)) {
			efi_print_memmap(map.map, map.map_size, map.desc_size);
			efi_free_memory_map(&map);
		}
	}

	e820__finish_early_params();
	trim_bios_range();
	max_pfn = e820__end_of_ram_pfn();
	// As setup_arch(): with RAM above 4 GiB, the end of low RAM is found (and
	// printed) separately.
	max_low_pfn = max_pfn;
	if (max_pfn > (1UL << (32 - PAGE_SHIFT)))
		max_low_pfn = e820__end_of_low_ram_pfn();

	// Own the free RAM, then build memblock so that only owned memory is free.
	err = efi_claim_memory(efi_fw_reserve, &owned);
	pr_info("efi: claimed %llu pages (%llu MiB) in %u ranges from the firmware in %u passes; "
		"left %llu MiB to it\n",
		(unsigned long long)(owned.total >> PAGE_SHIFT), (unsigned long long)(owned.total >> 20), owned.nr,
		owned.passes, (unsigned long long)(owned.total_left >> 20));
	if (err) {
		pr_err("efi: claiming memory failed (error %d)\n", err);
		passed = false;
	}

	if (passed && memblock_setup_owned(&owned)) {
		pr_err("memblock: setting up from e820 failed\n");
		passed = false;
	}
	if (passed) {
		__memblock_dump_all();
		unsigned bad = memblock_check_free_is_owned(&owned);
		u64 free_bytes = memblock_phys_mem_size() - memblock_reserved_size();
		pr_info("uefi-mm: max_pfn %#lx max_low_pfn %#lx, memblock memory %lluK, reserved %lluK, free %lluK; "
			"free memory owned by the app: %s\n",
			(unsigned long)max_pfn, (unsigned long)max_low_pfn,
			(unsigned long long)(memblock_phys_mem_size() >> 10),
			(unsigned long long)(memblock_reserved_size() >> 10), (unsigned long long)(free_bytes >> 10),
			bad ? "NO" : "yes");
		if (bad)
			passed = false;
		if (exercise_memblock(&owned))
			passed = false;
		// Our own page tables: early_top_pgt, then init_top_pgt with the direct map.
		if (efi_paging_init(&owned))
			passed = false;
		// As init_mem_mapping() on x86-64: the zones end where RAM ends.
		max_low_pfn = max_pfn;
		// Nodes, vmemmap, zones and the hand-over to buddy need init_top_pgt.
		if (passed && efi_on_init_top_pgt()) {
			if (efi_mm_core_init(&owned))
				passed = false;
		} else if (passed) {
			pr_info("uefi-mm: no vmemmap without our page tables: nodes, zones and buddy skipped\n");
		}
	}
	// The firmware's CR3 comes back before the memory holding our tables is freed.
	efi_paging_exit();

	// Give everything back, and check the firmware got back what it had.
	u64 owned_pages = owned.total >> PAGE_SHIFT;
	unsigned refused = efi_release_memory(&owned);
	u64 conventional_at_exit = count_conventional_pages();
	pr_info("efi: returned %llu pages to the firmware%s; free memory at entry %llu pages, at exit %llu pages\n",
		(unsigned long long)owned_pages, refused ? " (some refused)" : "",
		(unsigned long long)conventional_at_entry, (unsigned long long)conventional_at_exit);
	if (refused || conventional_at_entry != conventional_at_exit) {
		pr_err("efi: the firmware's free memory is not what it was at entry\n");
		passed = false;
	}

	pr_notice("uefi-mm: %s\n", passed ? "all checks passed" : "FAILED");
	return efi_app_exit(passed);
}
