// The app's own page tables on the real CPU: build early_top_pgt and init_top_pgt
// (paging/), load them into CR3, prove the firmware and memory still work under
// them, and put the firmware's CR3 back before returning.
#pragma once

#include "mm/owned.h"

// Build both tables, switch CR3 to early_top_pgt then to init_top_pgt, and run the
// checks. Returns the number of failed checks (0: all passed). On a failure to
// build, nothing is switched and the count is non-zero.
unsigned efi_paging_init(const owned_memory *owned);

// Is CR3 on init_top_pgt (with the direct map and room for the vmemmap) now?
bool efi_on_init_top_pgt();

// Back to the firmware's CR3 and __va() on the identity map; the table pages go
// back to memblock. Safe to call when efi_paging_init() switched nothing.
void efi_paging_exit();

// "nopaging": skip this stage (for comparing runs); "ptdump": also dump the
// firmware's half of init_top_pgt.
int setup_paging_opt(const char *val);
