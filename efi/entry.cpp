// The PE entry point that gnu-efi's crt0 calls after relocating the image.
#include "efi/efi.h"
#include "efi/main.h"

EFI_HANDLE efi_image_handle;
EFI_SYSTEM_TABLE *efi_systab;
EFI_BOOT_SERVICES *efi_bs;
bool efi_boot_services_active;

// From efi/uefi-mm.lds: crt0 does not run C++ constructors, so we do.
extern "C" void (*__init_array_start[])(void);
extern "C" void (*__init_array_end[])(void);

static unsigned nr_constructors;

static void run_constructors()
{
	for (void (**fn)(void) = __init_array_start; fn < __init_array_end; fn++) {
		(*fn)();
		nr_constructors++;
	}
}

namespace {
// A global whose constructor must run: the app checks it (efi_constructors_ran) and
// fails otherwise, so a linker-script change that drops .init_array cannot go unseen.
struct constructor_probe {
	volatile u32 magic;
	constructor_probe() { magic = 0xc0de600d; }
};
constructor_probe probe;
} // namespace

unsigned efi_constructors_ran()
{
	return probe.magic == 0xc0de600d ? nr_constructors : 0;
}

extern "C" EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	efi_image_handle = image;
	efi_systab = systab;
	efi_bs = systab->BootServices;
	efi_boot_services_active = true;
	InitializeLib(image, systab);
	run_constructors();
	return uefi_mm_main();
}
