#include "efi/paging.h"

#include <string.h>

#include "efi/console.h"
#include "efi/cpu.h"
#include "efi/efi.h"
#include "lib/errno.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "mm/memblock.h"
#include "paging/head64.h"
#include "paging/init_64.h"
#include "paging/pgtable.h"
#include "paging/ptdump.h"

// From efi/uefi-mm.lds.
extern "C" char _text[], _etext[], _rodata[], _erodata[], _data[], _edata[];

namespace {

u64 firmware_cr3;
bool switched;
bool paging_disabled;
bool ptdump_firmware_half;

x86_paging_caps caps;

const char *yes(bool b) { return b ? "yes" : "no"; }

// The app's image as the firmware loaded it, cut into sections with the
// attributes Linux gives the kernel's (text RX, rodata RO+NX, data RW+NX).
unsigned image_sections(kernel_image_section *sec)
{
	EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	EFI_LOADED_IMAGE *image = nullptr;
	if (efi_bs->HandleProtocol(efi_image_handle, &loaded_image_guid, (void **)&image) != EFI_SUCCESS || !image)
		return 0;
	phys_addr_t base = (phys_addr_t)(uintptr_t)image->ImageBase;
	phys_addr_t end = round_up(base + image->ImageSize, PAGE_SIZE);
	phys_addr_t text = (phys_addr_t)(uintptr_t)_text, etext = round_up((phys_addr_t)(uintptr_t)_etext, PAGE_SIZE);
	phys_addr_t data = (phys_addr_t)(uintptr_t)_data;
	unsigned n = 0;
	if (text > base)
		sec[n++] = {base, text - base, PAGE_KERNEL_RO, "headers"};
	sec[n++] = {text, etext - text, PAGE_KERNEL_RX, "text"};
	if (data > etext)
		sec[n++] = {etext, data - etext, PAGE_KERNEL_RO, "rodata"};
	if (end > data)
		sec[n++] = {data, end - data, PAGE_KERNEL, "data"};
	return n;
}

// Does what the software walk says agree with what the CPU does? Write a value
// through the identity map at the physical address the walk gives, read it back
// through @va, and the reverse.
bool check_alias(pgd_t *pgd, virt_addr_t va, phys_addr_t want_pa, const char *what)
{
	pt_translation t;
	if (!translate_va(pgd, va, &t)) {
		pr_err("paging: %s: %#lx is not mapped in software\n", what, (unsigned long)va);
		return false;
	}
	if (t.pa != want_pa) {
		pr_err("paging: %s: %#lx walks to %#llx, expected %#llx\n", what, (unsigned long)va,
		       (unsigned long long)t.pa,
		       (unsigned long long)want_pa);
		return false;
	}
	volatile u64 *ident = (volatile u64 *)(uintptr_t)want_pa;
	volatile u64 *alias = (volatile u64 *)va;
	u64 saved = *ident;
	u64 a = 0x5a5a000000000000ULL ^ (u64)want_pa, b = ~a;
	*ident = a;
	bool ok = *alias == a;
	*alias = b;
	ok = ok && *ident == b;
	*ident = saved;
	if (!ok)
		pr_err("paging: %s: the CPU does not see through %#lx what lies at %#llx\n", what,
		       (unsigned long)va, (unsigned long long)want_pa);
	return ok;
}

// A spread of free (owned, unreserved) pages: write through the direct map, read
// through the identity map, and the reverse.
unsigned check_direct_map_spread(const owned_memory *owned)
{
	constexpr unsigned SAMPLES = 64;
	u64 free_total = 0;
	u64 i;
	phys_addr_t start, end;
	for_each_free_mem_range(i, NUMA_NO_NODE, MEMBLOCK_NONE, &start, &end, nullptr)
		free_total += round_down(end, PAGE_SIZE) - round_up(start, PAGE_SIZE);
	if (!free_total)
		return 0;
	u64 step = kmax<u64>(round_down(free_total / SAMPLES, PAGE_SIZE), PAGE_SIZE);

	unsigned bad = 0, checked = 0;
	u64 next = 0, seen = 0;
	for_each_free_mem_range(i, NUMA_NO_NODE, MEMBLOCK_NONE, &start, &end, nullptr) {
		start = round_up(start, PAGE_SIZE);
		end = round_down(end, PAGE_SIZE);
		if (end <= start)
			continue;
		while (next < seen + (end - start) && checked < SAMPLES) {
			phys_addr_t pa = start + (next - seen);
			if (!owned_contains(owned, pa, PAGE_SIZE)) {
				pr_err("paging: free page %#llx is not owned\n", (unsigned long long)pa);
				bad++;
			} else if (!check_alias(init_top_pgt, page_offset_base + (u64)pa, pa, "direct map")) {
				bad++;
			}
			checked++;
			next += step;
		}
		seen += end - start;
	}
	pr_info("paging: direct map vs identity map on %u free pages spread over %lluM: %s\n", checked,
		(unsigned long long)(free_total >> 20), bad ? "MISMATCH" : "ok");
	return bad;
}

// The image through its high alias: the bytes of a constant read at
// __START_KERNEL_map + offset equal the bytes read through the identity map.
const char image_probe[] = "uefi-mm image probe: read through __START_KERNEL_map";

unsigned check_kernel_alias(pgd_t *pgd, const char *table)
{
	unsigned bad = 0;
	phys_addr_t pa = (phys_addr_t)(uintptr_t)image_probe;
	const char *alias = (const char *)__START_KERNEL_va(pa);
	pt_translation t;
	if (!translate_va(pgd, virt_addr_t(alias), &t) || t.pa != pa) {
		pr_err("paging: %s: the image alias of %#llx does not walk back to it\n", table, (unsigned long long)pa);
		return 1;
	}
	if (memcmp(alias, image_probe, sizeof(image_probe)) != 0) {
		pr_err("paging: %s: the image read through %p differs from the image\n", table, alias);
		bad++;
	}
	bool has_nx = t.flags & _PAGE_NX;
	if ((t.flags & _PAGE_RW) || has_nx != caps.nx) {
		pr_err("paging: %s: rodata alias has flags %#llx (want read-only, NX)\n", table,
		       (unsigned long long)t.flags);
		bad++;
	}
	pr_info("paging: %s: image alias %p -> %#llx: %s\n", table, alias, (unsigned long long)pa,
		bad ? "MISMATCH" : "ok");
	return bad;
}

// The firmware keeps working under our CR3: its allocator, its memory map, its
// timer (interrupt-driven events) and Stall().
unsigned check_firmware_services(const char *table)
{
	unsigned bad = 0;
	void *p = nullptr;
	if (efi_bs->AllocatePool(EfiLoaderData, 4096, &p) != EFI_SUCCESS || !p) {
		pr_err("paging: %s: AllocatePool failed\n", table);
		bad++;
	} else {
		memset(p, 0xa5, 4096);
		efi_bs->FreePool(p);
	}

	UINTN size = 0, key, dsize;
	UINT32 dver;
	if (efi_bs->GetMemoryMap(&size, nullptr, &key, &dsize, &dver) != EFI_BUFFER_TOO_SMALL || !size) {
		pr_err("paging: %s: GetMemoryMap does not answer\n", table);
		bad++;
	}

	EFI_EVENT ev = nullptr;
	unsigned ticks = 0;
	if (efi_bs->CreateEvent(EVT_TIMER, 0, nullptr, nullptr, &ev) == EFI_SUCCESS &&
	    efi_bs->SetTimer(ev, TimerPeriodic, 10000 /* 1 ms in 100 ns units */) == EFI_SUCCESS) {
		u64 t0 = tsc_now_ns();
		while (ticks < 5 && tsc_now_ns() - t0 < 2000000000ULL) {
			if (efi_bs->CheckEvent(ev) == EFI_SUCCESS)
				ticks++;
		}
		efi_bs->SetTimer(ev, TimerCancel, 0);
		efi_bs->CloseEvent(ev);
	}
	if (ticks < 5) {
		pr_err("paging: %s: firmware timer events stopped (%u ticks in 2 s)\n", table, ticks);
		bad++;
	}
	pr_info("paging: %s: firmware services (pool, memory map, %u timer ticks): %s\n", table, ticks,
		bad ? "FAILED" : "ok");
	return bad;
}

void switch_cr3(pgd_t *pgd, const char *name)
{
	u64 before = __read_cr3();
	u64 next = (u64)__pa(pgd) | (before & ~CR3_ADDR_MASK);
	native_write_cr3(next);
	pr_info("paging: CR3 %#llx -> %#llx (%s)\n", (unsigned long long)before, (unsigned long long)__read_cr3(),
		name);
	switched = true;
}

} // namespace

int setup_paging_opt(const char *val)
{
	if (val && !strcmp(val, "off"))
		paging_disabled = true;
	else if (val && !strcmp(val, "ptdump"))
		ptdump_firmware_half = true;
	else
		return -EINVAL;
	return 0;
}

unsigned efi_paging_init(const owned_memory *owned)
{
	paging_reset();
	switched = false;
	caps = x86_read_paging_caps();
	paging_set_levels(caps.la57_enabled);	/* as efi_main() set it for e820 */
	if (paging_disabled) {
		pr_info("paging: off (paging=off)\n");
		return 0;
	}

	firmware_cr3 = caps.cr3;
	pr_info("paging: firmware CR0 %#llx (WP %s) CR3 %#llx CR4 %#llx EFER %#llx\n", (unsigned long long)caps.cr0,
		yes(caps.cr0 & X86_CR0_WP), (unsigned long long)caps.cr3, (unsigned long long)caps.cr4,
		(unsigned long long)caps.efer);
	pr_info("paging: %u-level paging (CR4.LA57 %s, CPU can %s), NX %s, global pages %s, 1G pages %s, "
		"MAXPHYADDR %u\n",
		caps.la57_enabled ? 5 : 4, caps.la57_enabled ? "set" : "clear", caps.la57_cpu ? "do 5-level" : "not",
		yes(caps.nx), yes(caps.pge), yes(caps.gbpages), caps.phys_bits);
	if (!(caps.cr0 & X86_CR0_PG) || !(caps.efer & EFER_LMA)) {
		pr_err("paging: the CPU is not in long mode with paging: nothing to switch\n");
		return 1;
	}

	// Linux's __supported_pte_mask: NX without EFER.NXE is a reserved bit (a fault
	// on every access), and G without CR4.PGE is simply ignored.
	if (!caps.nx)
		__supported_pte_mask &= ~_PAGE_NX;
	if (!caps.pge)
		__supported_pte_mask &= ~_PAGE_GLOBAL;
	page_size_mask = (1u << PG_LEVEL_2M) | (caps.gbpages ? 1u << PG_LEVEL_1G : 0);

	phys_addr_t fw_top = phys_addr_t(caps.cr3 & CR3_ADDR_MASK);
	kernel_image_section sec[4];
	unsigned nr_sec = image_sections(sec);
	if (!nr_sec) {
		pr_err("paging: cannot find the app's image\n");
		return 1;
	}

	unsigned bad = 0;
	int err = build_early_top_pgt(fw_top, sec, nr_sec);
	if (err) {
		pr_err("paging: building early_top_pgt failed (%d); staying on the firmware's tables\n", err);
		return 1;
	}
	switch_cr3(early_top_pgt, "early_top_pgt");
	bad += check_kernel_alias(early_top_pgt, "early_top_pgt");
	bad += check_firmware_services("early_top_pgt");

	err = build_init_top_pgt(fw_top);
	if (err) {
		pr_err("paging: building init_top_pgt failed (%d)\n", err);
		return bad + 1;
	}
	pr_info("paging: %lu page-table pages in all\n", pgtable_pages_allocated());
	if (ptdump_firmware_half) {
		// Before __va() becomes the direct map: the firmware's tables may sit in
		// memory the direct map does not cover (it maps RAM only).
		pr_info("Kernel page tables (init_top_pgt), the firmware's half:\n");
		ptdump_walk_pgd_level(init_top_pgt, 0, page_offset_base - 1);
	}
	switch_cr3(init_top_pgt, "init_top_pgt");
	// From here __va() is the direct map, as after Linux's init_mem_mapping().
	efi_set_direct_map_offset((u64)page_offset_base);
	pr_info("paging: init_mm.pgd = %p; __va(0x1000) = %p\n", init_mm.pgd, __va(0x1000));

	pr_info("Kernel page tables (init_top_pgt), the app's half:\n");
	ptdump_walk_pgd_level(init_top_pgt, page_offset_base, virt_addr_t(~0UL));
	ptdump_summary(init_top_pgt, page_offset_base, virt_addr_t(~0UL));

	bad += check_kernel_alias(init_top_pgt, "init_top_pgt");
	bad += check_direct_map_spread(owned);
	bad += check_firmware_services("init_top_pgt");
	pr_info("paging: checks on init_top_pgt %s\n", bad ? "FAILED" : "passed");
	return bad;
}

namespace {

// memblock may have grown its region arrays while __va() was the direct map; those
// pointers follow __va() back to the identity map (Linux never goes back, so it
// has no such step).
void rebase_to_identity(memblock_type *type, virt_addr_t direct_map)
{
	virt_addr_t v = virt_addr_t(type->regions);
	if (v >= direct_map && v - direct_map < (1ULL << 46))
		type->regions = (memblock_region *)(uintptr_t)(v - direct_map);
}

} // namespace

bool efi_on_init_top_pgt()
{
	return switched && init_top_pgt && phys_addr_t(__read_cr3() & CR3_ADDR_MASK) == __pa(init_top_pgt);
}

void efi_paging_exit()
{
	// The table pages go back to memblock first, while memblock's own arrays are
	// still reachable the way they were last reached.
	unsigned long pages = pgtable_pages_allocated();
	if (pages)
		free_pgtable_pages();
	if (switched) {
		native_write_cr3(firmware_cr3);
		efi_set_direct_map_offset(0);
		rebase_to_identity(&memblock.memory, page_offset_base);
		rebase_to_identity(&memblock.reserved, page_offset_base);
		pr_info("paging: CR3 back to the firmware's %#llx\n", (unsigned long long)__read_cr3());
		switched = false;
	}
	if (pages)
		pr_info("paging: %lu page-table pages given back to memblock\n", pages);
	paging_reset();
}
