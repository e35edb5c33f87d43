// The app's consoles: the firmware's ConOut (screen and, on QEMU, the serial
// terminal) and COM1 by port I/O. See efi/console.cpp for how they avoid printing
// every line twice on the same wire.
#pragma once

#include "lib/types.h"

enum early_console_mode {
	EARLYCON_AUTO,   // ConOut, plus COM1 unless ConOut already drives a UART
	EARLYCON_SERIAL, // earlyprintk=serial: COM1 only
	EARLYCON_EFI,    // earlyprintk=efi: ConOut only
	EARLYCON_BOTH,   // earlyprintk=both
};

void efi_console_init();
void efi_console_set_mode(early_console_mode mode);
const char *efi_console_describe();

// The "earlyprintk=" early parameter.
int setup_early_printk(const char *val);

// TSC frequency found by tsc_calibrate() (kHz), and printk's time base.
void tsc_calibrate();
u64 tsc_khz_get();
u64 tsc_now_ns();

// __va()'s offset: 0 on the firmware's identity map, PAGE_OFFSET on init_top_pgt.
void efi_set_direct_map_offset(u64 offset);
