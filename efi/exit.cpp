#include "efi/exit.h"

#include "efi/io.h"
#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/printk.h"

efi_exit_mode efi_exit_mode_opt = EXIT_RETURN;

int setup_exit_mode(const char *val)
{
	/* In the order of enum efi_exit_mode. */
	static const char *const modes[] = {"return", "shutdown", "qemu"};
	int mode = match_string(modes, ARRAY_SIZE(modes), val);

	if (mode < 0)
		return mode;
	efi_exit_mode_opt = (efi_exit_mode)mode;
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
