#include "efi/memmap.h"

#include "efi/efi.h"
#include "lib/errno.h"
#include "lib/printk.h"

// Linux keeps 32 spare descriptors (EFI_MMAP_NR_SLACK_SLOTS) after platforms failed
// with 8: allocating the buffer can itself split descriptors.
constexpr u64 EFI_MMAP_NR_SLACK_SLOTS = 32;

int efi_get_memory_map(efi_boot_memmap *m)
{
	*m = {};
	for (int attempt = 0; attempt < 8; attempt++) {
		UINTN size = 0, key = 0, desc_size = 0;
		UINT32 desc_ver = 0;
		EFI_STATUS st = efi_bs->GetMemoryMap(&size, nullptr, &key, &desc_size, &desc_ver);
		if (st != EFI_BUFFER_TOO_SMALL) {
			pr_err("efi: GetMemoryMap(size 0) returned %#llx, expected EFI_BUFFER_TOO_SMALL\n",
			       (unsigned long long)st);
			return -EIO;
		}
		if (desc_size == 0 || desc_size > 4096) {
			pr_err("efi: GetMemoryMap reports an impossible descriptor size %llu\n",
			       (unsigned long long)desc_size);
			return -EIO;
		}
		UINTN buff_size = size + EFI_MMAP_NR_SLACK_SLOTS * desc_size;
		void *buf = nullptr;
		st = efi_bs->AllocatePool(EfiLoaderData, buff_size, &buf);
		if (st != EFI_SUCCESS) {
			pr_err("efi: AllocatePool(%llu) for the memory map failed: %#llx\n",
			       (unsigned long long)buff_size, (unsigned long long)st);
			return -ENOMEM;
		}
		size = buff_size;
		st = efi_bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)buf, &key, &desc_size, &desc_ver);
		if (st == EFI_SUCCESS) {
			m->map = buf;
			m->map_size = size;
			m->buff_size = buff_size;
			m->desc_size = desc_size;
			m->desc_ver = desc_ver;
			m->map_key = key;
			return 0;
		}
		efi_bs->FreePool(buf);
		if (st != EFI_BUFFER_TOO_SMALL) {
			pr_err("efi: GetMemoryMap failed: %#llx\n", (unsigned long long)st);
			return -EIO;
		}
	}
	pr_err("efi: the memory map kept growing while it was read\n");
	return -EIO;
}

void efi_free_memory_map(efi_boot_memmap *m)
{
	if (m->map)
		efi_bs->FreePool(m->map);
	*m = {};
}
