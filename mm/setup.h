// The memory part of arch/x86/kernel/setup.c setup_arch(), shared by the app and the
// host tools: early parameters, the e820 adjustments, memblock from e820, and the
// reservation of everything the app does not own.
#pragma once

#include "lib/cmdline.h"
#include "mm/owned.h"

// The early parameters mm/ and lib/ own: console ones (loglevel=, quiet) and memory
// ones (mem=, memmap=, memblock=).
//
// Linux parses all early parameters once, after e820__memory_setup(), and its
// console only prints later, at the final loglevel. This app prints as it goes, so
// the command line is parsed in two phases over one combined table: phase
// PARAMS_CONSOLE applies only the console parameters (before anything is printed),
// phase PARAMS_MEMORY applies the rest (after the firmware's e820 is set up, where
// Linux calls parse_early_param()) and reports unknown ones. A malformed value in
// either phase fails the parse before any memory is touched.
enum param_phase { PARAMS_CONSOLE, PARAMS_MEMORY };

struct early_param_set {
	const kernel_param *console; // the platform's console parameters
	size_t nr_console;
	const kernel_param *other;   // the platform's other parameters
	size_t nr_other;
};

parse_result parse_early_param(const char *cmdline, param_phase phase, const early_param_set *platform,
			       char *unknown, size_t unknown_size);

// Linux's e820__memblock_setup() (arch/x86/kernel/e820.c): every usable e820 range
// (and soft-reserved ones as reserved) into memblock, trimmed to whole pages.
void e820__memblock_setup();

// e820__memblock_setup() for an app that owns only part of RAM: afterwards
// memblock.memory is every usable e820 range, as in Linux, and memblock.reserved
// covers all of it that is not owned (the counterpart of Linux reserving what the
// firmware still uses, efi_reserve_boot_services), so only owned memory is free.
//
// Order matters: memblock may grow its region arrays (memblock_double_array) while
// this runs, and the new array is allocated from free memory. So owned memory is
// added first, then everything else is reserved before it is added: at every step
// the free memory is owned memory.
int memblock_setup_owned(const owned_memory *owned);

// Check that every free memblock range lies inside owned memory. Prints each
// violation; returns how many there were.
unsigned memblock_check_free_is_owned(const owned_memory *owned);
