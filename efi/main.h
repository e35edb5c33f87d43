#pragma once

#include "efi/efi.h"

// The app: everything between entry and the return to the firmware.
EFI_STATUS uefi_mm_main();

// How many C++ global constructors efi_main ran; 0 if the probe global was not
// constructed (see efi/entry.cpp).
unsigned efi_constructors_ran();
