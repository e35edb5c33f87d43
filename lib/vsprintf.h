// Freestanding formatted output, mirroring lib/vsprintf.c. The names are Linux's
// scnprintf/vscnprintf (return the number of characters actually written, never
// more than size - 1), which also keeps them apart from the host C library.
//
// Supported: flags - 0 + space #, width and precision (also *), length hh h l ll L z t j,
// conversions d i u x X o c s %, and the kernel pointer extensions %p/%px (raw
// pointer) and %pa (a phys_addr_t passed by reference, printed as 0x%016llx).
#pragma once

#include <stdarg.h>

#include "lib/types.h"

int vscnprintf(char *buf, size_t size, const char *fmt, va_list args);
int scnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
