#pragma once

#include "efi/efi.h"

// The app: everything between entry and the return to the firmware.
EFI_STATUS uefi_mm_main();
