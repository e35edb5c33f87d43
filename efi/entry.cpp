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

static void run_constructors()
{
	for (void (**fn)(void) = __init_array_start; fn < __init_array_end; fn++)
		(*fn)();
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
