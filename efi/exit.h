// How the app ends: "exit=" early parameter.
//   exit=return    (default) return to whoever started us (the UEFI Shell, the boot manager)
//   exit=shutdown  power off through ResetSystem(EfiResetShutdown)
//   exit=qemu      report pass/fail through QEMU's isa-debug-exit device (port 0xf4),
//                  for `make run` and the boot tests; falls back to shutdown
#pragma once

#include "efi/efi.h"

enum efi_exit_mode { EXIT_RETURN, EXIT_SHUTDOWN, EXIT_QEMU };
extern efi_exit_mode efi_exit_mode_opt;
int setup_exit_mode(const char *val);

// Called last, after everything the app owns was given back.
EFI_STATUS efi_app_exit(bool passed);
