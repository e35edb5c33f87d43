#define pr_fmt(fmt) "efi: " fmt

#include "efi/claim.h"

#include "efi/efi.h"
#include "efi/memmap.h"
#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/printk.h"

u64 efi_fw_reserve = 16 * SZ_1M;
u64 efi_claim_max = 0;

int setup_fw_reserve(const char *val)
{
	u64 v;
	if (!memparse_full(val, &v))
		return -EINVAL;
	efi_fw_reserve = round_up(v, PAGE_SIZE);
	return 0;
}

int setup_claim_max(const char *val)
{
	u64 v;
	if (!memparse_full(val, &v) || v < PAGE_SIZE)
		return -EINVAL;
	efi_claim_max = round_down(v, PAGE_SIZE);
	return 0;
}

namespace {

const EFI_MEMORY_DESCRIPTOR *desc_at(const efi_boot_memmap &m, u64 i)
{
	return (const EFI_MEMORY_DESCRIPTOR *)((const u8 *)m.map + i * m.desc_size);
}

// Choose what to leave to the firmware: the top of the highest conventional ranges
// below 4 GiB (then above, if there is not enough below), until @want bytes are left.
void choose_left(const efi_boot_memmap &m, u64 want, owned_memory *owned)
{
	u64 n = m.map_size / m.desc_size;
	phys_addr_t ceiling = SZ_4G; // pick ranges ending at or below this first
	bool above_4g = false;
	while (owned->total_left < want && owned->nr_left < MAX_LEFT_RANGES) {
		const EFI_MEMORY_DESCRIPTOR *best = nullptr;
		for (u64 i = 0; i < n; i++) {
			const EFI_MEMORY_DESCRIPTOR *d = desc_at(m, i);
			if (d->Type != EfiConventionalMemory || !d->NumberOfPages)
				continue;
			phys_addr_t end = phys_addr_t(d->PhysicalStart) + d->NumberOfPages * PAGE_SIZE;
			bool below = end <= SZ_4G;
			if (below == above_4g || end > ceiling)
				continue;
			if (!best || d->PhysicalStart > best->PhysicalStart)
				best = d;
		}
		if (!best) {
			if (above_4g)
				break;
			above_4g = true;
			ceiling = PHYS_ADDR_MAX;
			continue;
		}
		u64 size = best->NumberOfPages * PAGE_SIZE;
		u64 take = kmin(size, want - owned->total_left);
		phys_addr_t end = phys_addr_t(best->PhysicalStart) + size;
		owned->left[owned->nr_left++] = {end - take, take};
		owned->total_left += take;
		ceiling = phys_addr_t(best->PhysicalStart); // next: strictly lower ranges
	}
}

// Claim [base, base + size) minus the ranges left to the firmware.
// Returns how many bytes were newly claimed; counts refusals in *failed.
u64 claim_range(phys_addr_t base, u64 size, owned_memory *owned, unsigned *failed)
{
	phys_addr_t end = base + size;
	u64 claimed = 0;
	while (base < end) {
		// Clip the piece at the first left range that overlaps [base, end).
		phys_addr_t piece_end = end;
		phys_addr_t skip_to = 0;
		for (unsigned i = 0; i < owned->nr_left; i++) {
			phys_addr_t ls = owned->left[i].base, le = ls + owned->left[i].size;
			if (le <= base || ls >= piece_end)
				continue;
			if (ls <= base) { // we are inside a left range: skip past it
				skip_to = kmax(skip_to, le);
				piece_end = base;
			} else {
				piece_end = ls;
			}
		}
		if (efi_claim_max) {
			// claim=: stop at the budget (lowest addresses first).
			if (owned->total >= efi_claim_max)
				return claimed;
			piece_end = kmin(piece_end, base + (efi_claim_max - owned->total));
		}
		if (piece_end > base) {
			if (owned->nr >= MAX_OWNED_RANGES) {
				(*failed)++;
				return claimed;
			}
			EFI_PHYSICAL_ADDRESS addr = (u64)base;
			UINTN pages = (piece_end - base) / PAGE_SIZE;
			EFI_STATUS st = efi_bs->AllocatePages(AllocateAddress, EfiLoaderData, pages, &addr);
			if (st == EFI_SUCCESS && phys_addr_t(addr) == base) {
				owned->ranges[owned->nr++] = {base, piece_end - base};
				owned->total += piece_end - base;
				claimed += piece_end - base;
			} else {
				(*failed)++;
			}
			base = piece_end;
		} else {
			base = skip_to > base ? skip_to : end;
		}
	}
	return claimed;
}

} // namespace

int efi_claim_memory(u64 fw_reserve, owned_memory *owned)
{
	*owned = {};
	for (unsigned pass = 0; pass < 16; pass++) {
		efi_boot_memmap m;
		int err = efi_get_memory_map(&m);
		if (err)
			return err;
		if (pass == 0)
			choose_left(m, fw_reserve, owned);

		u64 n = m.map_size / m.desc_size;
		u64 claimed = 0;
		unsigned failed = 0;
		for (u64 i = 0; i < n; i++) {
			const EFI_MEMORY_DESCRIPTOR *d = desc_at(m, i);
			if (d->Type == EfiConventionalMemory && d->NumberOfPages)
				claimed += claim_range(phys_addr_t(d->PhysicalStart), d->NumberOfPages * PAGE_SIZE, owned, &failed);
		}
		efi_free_memory_map(&m);
		owned->passes = pass + 1;
		// Claiming splits descriptors and the map buffer comes and goes: stop when a
		// pass found nothing new and nothing was refused.
		if (!claimed && !failed)
			return 0;
		if (owned->nr >= MAX_OWNED_RANGES) {
			pr_warn("claimed the maximum of %u ranges; the rest stays with the firmware\n",
				MAX_OWNED_RANGES);
			return 0;
		}
	}
	pr_warn("the memory map was still changing after 16 passes; keeping what was claimed\n");
	return 0;
}

unsigned efi_release_memory(owned_memory *owned)
{
	unsigned refused = 0;
	for (unsigned i = owned->nr; i-- > 0;) {
		const owned_range &r = owned->ranges[i];
		if (efi_bs->FreePages((u64)r.base, r.size / PAGE_SIZE) != EFI_SUCCESS) {
			pr_err("FreePages([mem %#018llx-%#018llx]) was refused\n", (unsigned long long)r.base,
			       (unsigned long long)(r.base + r.size - 1));
			refused++;
		}
	}
	owned->nr = 0;
	owned->total = 0;
	return refused;
}
