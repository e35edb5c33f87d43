// The app's command line, from the firmware (efi/cmdline.cpp).
#pragma once

#include "lib/types.h"

// Fill @buf with the options the app was started with, as one ASCII string:
// from the UEFI Shell, its arguments after the program name (the Shell's
// EFI_SHELL_PARAMETERS_PROTOCOL on our image handle); from a boot entry, the
// entry's LoadOptions text. Returns false, with the reason in @why, when the
// options cannot be used (non-ASCII text, longer than @size).
bool efi_get_cmdline(char *buf, size_t size, const char **why);
