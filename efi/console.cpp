#include "efi/console.h"

#include <string.h>

#include "efi/efi.h"
#include "efi/io.h"
#include "efi/serial.h"
#include "lib/errno.h"
#include "lib/platform.h"

namespace {

bool use_conout = true;
bool use_serial = false;
bool conout_has_uart = false;
early_console_mode console_mode = EARLYCON_AUTO;

u64 tsc_start;
u64 tsc_khz;

// Does any text-output device of the firmware sit on a UART? Then the firmware
// already copies ConOut to the serial line (OVMF does under QEMU -nographic), and
// writing COM1 ourselves as well would print every line twice.
bool firmware_console_on_uart()
{
	UINTN count = 0;
	EFI_HANDLE *handles = nullptr;
	EFI_GUID text_out = EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL_GUID;
	EFI_GUID dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
	if (efi_bs->LocateHandleBuffer(ByProtocol, &text_out, nullptr, &count, &handles) != EFI_SUCCESS)
		return false;
	bool found = false;
	for (UINTN i = 0; i < count && !found; i++) {
		EFI_DEVICE_PATH_PROTOCOL *dp = nullptr;
		if (efi_bs->HandleProtocol(handles[i], &dp_guid, (void **)&dp) != EFI_SUCCESS || !dp)
			continue;
		for (unsigned n = 0; n < 64 && !IsDevicePathEnd(dp); n++) {
			if (DevicePathType(dp) == MESSAGING_DEVICE_PATH && DevicePathSubType(dp) == MSG_UART_DP) {
				found = true;
				break;
			}
			if (DevicePathNodeLength(dp) < 4)
				break;
			dp = NextDevicePathNode(dp);
		}
	}
	efi_bs->FreePool(handles);
	return found;
}

void apply_mode()
{
	switch (console_mode) {
	case EARLYCON_AUTO:
		use_conout = true;
		use_serial = !conout_has_uart;
		break;
	case EARLYCON_SERIAL:
		use_conout = false;
		use_serial = true;
		break;
	case EARLYCON_EFI:
		use_conout = true;
		use_serial = false;
		break;
	case EARLYCON_BOTH:
		use_conout = use_serial = true;
		break;
	}
}

void conout_write(const char *s, size_t len)
{
	SIMPLE_TEXT_OUTPUT_INTERFACE *out = efi_systab->ConOut;
	if (!out || !efi_boot_services_active)
		return;
	CHAR16 buf[128];
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (n + 3 >= ARRAY_SIZE(buf)) {
			buf[n] = 0;
			out->OutputString(out, buf);
			n = 0;
		}
		if (s[i] == '\n')
			buf[n++] = u'\r';
		buf[n++] = (CHAR16)(u8)s[i];
	}
	buf[n] = 0;
	if (n)
		out->OutputString(out, buf);
}

} // namespace

void efi_console_init()
{
	early_serial_init();
	conout_has_uart = firmware_console_on_uart();
	apply_mode();
}

void efi_console_set_mode(early_console_mode mode)
{
	console_mode = mode;
	apply_mode();
}

const char *efi_console_describe()
{
	if (use_conout && use_serial)
		return "efi ConOut and COM1 (ttyS0 at 0x3f8)";
	if (use_serial)
		return "COM1 (ttyS0 at 0x3f8)";
	return conout_has_uart ? "efi ConOut (the firmware copies it to its serial port)" : "efi ConOut";
}

int setup_early_printk(const char *val)
{
	if (!val)
		return -EINVAL;
	if (!strcmp(val, "serial") || !strcmp(val, "ttyS0"))
		efi_console_set_mode(EARLYCON_SERIAL);
	else if (!strcmp(val, "efi"))
		efi_console_set_mode(EARLYCON_EFI);
	else if (!strcmp(val, "both"))
		efi_console_set_mode(EARLYCON_BOTH);
	else if (!strcmp(val, "auto"))
		efi_console_set_mode(EARLYCON_AUTO);
	else
		return -EINVAL;
	return 0;
}

// Calibrate the TSC against the firmware's Stall() (its timer), as Linux
// calibrates against the PIT/HPET in native_calibrate_tsc()/pit_calibrate_tsc().
void tsc_calibrate()
{
	tsc_start = rdtsc();
	u64 best = 0;
	for (int i = 0; i < 3; i++) {
		u64 t0 = rdtsc();
		efi_bs->Stall(5000); // 5 ms
		u64 t1 = rdtsc();
		u64 khz = (t1 - t0) / 5;
		// Keep the smallest: an interrupt during Stall only makes a reading larger.
		if (!best || khz < best)
			best = khz;
	}
	tsc_khz = best ? best : 1000000;
}

u64 tsc_khz_get() { return tsc_khz; }

u64 tsc_now_ns()
{
	if (!tsc_khz)
		return 0;
	unsigned __int128 cycles = rdtsc() - tsc_start;
	return (u64)(cycles * 1000000 / tsc_khz);
}

void platform_console_write(const char *s, size_t len)
{
	if (use_conout)
		conout_write(s, len);
	if (use_serial)
		early_serial_write(s, len);
}

u64 platform_clock_ns() { return tsc_now_ns(); }

// Before the CR3 switch the firmware's identity map is in force (offset 0); on
// init_top_pgt, __va() goes through the direct map at PAGE_OFFSET.
u64 platform_direct_map_base;

void efi_set_direct_map_offset(u64 offset) { platform_direct_map_base = offset; }

void *platform_phys_to_virt(phys_addr_t phys) { return (void *)(uintptr_t)(phys + platform_direct_map_base); }

// Identity-mapped addresses (the app's own image and stack) stay valid on
// init_top_pgt too: only direct-map addresses are translated (__pa_inline()).
phys_addr_t platform_virt_to_phys(const void *virt) { return __pa_inline(virt); }

void platform_vmemmap_mapped(virt_addr_t, phys_addr_t, u64) {}
