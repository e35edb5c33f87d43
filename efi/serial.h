// COM1 by port I/O, as Linux's earlyprintk=serial (arch/x86/kernel/early_printk.c):
// it needs no firmware service, so it keeps working whatever the firmware's state.
#pragma once

#include "lib/types.h"

void early_serial_init(u16 port = 0x3f8, u32 baud = 115200);
void early_serial_write(const char *s, size_t len);
