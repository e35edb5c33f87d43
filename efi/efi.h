// gnu-efi's headers, for C++ (they have no extern "C" guards of their own), and the
// firmware handles the rest of efi/ uses. Only efi/ includes this file.
#pragma once

extern "C" {
#include <efi.h>
#include <efilib.h>
}

// gnu-efi's eficompiler.h defines ALIGN(x) as an attribute; ours is Linux's ALIGN(x, a).
#undef ALIGN

#include "lib/types.h"

extern EFI_HANDLE efi_image_handle;
extern EFI_SYSTEM_TABLE *efi_systab;
extern EFI_BOOT_SERVICES *efi_bs;

// Whether boot services may still be called (always true in this project so far:
// everything happens before ExitBootServices, but printk must not depend on it).
extern bool efi_boot_services_active;

// A UTF-16 string literal as CHAR16* (gnu-efi's CHAR16 is UINT16, not char16_t).
#define EFI_STR(s) ((CHAR16 *)u"" s)
