#include "efi/exit.h"

#include <string.h>

#include "efi/io.h"
#include "lib/errno.h"
#include "lib/printk.h"

efi_exit_mode efi_exit_mode_opt = EXIT_RETURN;

int setup_exit_mode(const char *val)
{
	if (!val)
		return -EINVAL;
	if (!strcmp(val, "return"))
		efi_exit_mode_opt = EXIT_RETURN;
	else if (!strcmp(val, "shutdown"))
		efi_exit_mode_opt = EXIT_SHUTDOWN;
	else if (!strcmp(val, "qemu"))
		efi_exit_mode_opt = EXIT_QEMU;
	else
		return -EINVAL;
	return 0;
}

// QEMU's isa-debug-exit (-device isa-debug-exit,iobase=0xf4,iosize=0x04) exits with
// status (value << 1) | 1; run-qemu.sh maps 1 back to success.
constexpr u16 QEMU_DEBUG_EXIT_PORT = 0xf4;

EFI_STATUS efi_app_exit(bool passed)
{
	EFI_STATUS status = passed ? EFI_SUCCESS : EFI_ABORTED;
	switch (efi_exit_mode_opt) {
	case EXIT_RETURN:
		return status;
	case EXIT_QEMU:
		outl(passed ? 0 : 1, QEMU_DEBUG_EXIT_PORT);
		// Still here: no debug-exit device. Power off instead.
		[[fallthrough]];
	case EXIT_SHUTDOWN:
		efi_systab->RuntimeServices->ResetSystem(EfiResetShutdown, status, 0, nullptr);
		break;
	}
	return status;
}
