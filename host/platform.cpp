#include "host/platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/platform.h"
#include "mm/sparse.h"
#include "paging/pgtable_types.h"

namespace {
std::string console;
u8 *phys_base = nullptr;
u64 phys_size = 0;
} // namespace

void platform_console_write(const char *s, size_t len)
{
	console.append(s, len);
	static const bool echo = getenv("UEFI_MM_ECHO") != nullptr;
	if (echo)
		fwrite(s, 1, len, stderr);
}

u64 platform_clock_ns() { return 0; }

void *platform_phys_to_virt(phys_addr_t phys)
{
	// Simulated memory starts at physical 0: the address is the offset into it.
	u64 off = (u64)phys;
	if (!phys_base || off >= phys_size)
		return nullptr;
	return phys_base + off;
}

u64 platform_direct_map_base;

// Addresses outside the window are returned as they are (__pa_inline()): no
// struct page describes them.
phys_addr_t platform_virt_to_phys(const void *virt) { return __pa_inline(virt); }

std::string host_console_take()
{
	std::string out;
	out.swap(console);
	return out;
}

void host_set_phys_window(void *base, u64 size)
{
	phys_base = (u8 *)base;
	platform_direct_map_base = (u64)(uintptr_t)base;
	phys_size = size;
}

namespace {

// A PROT_NONE reservation of size bytes at an @align-aligned address.
struct reservation {
	u8 *base = nullptr;	// what mmap returned
	u64 total = 0;
	u8 *aligned = nullptr;
	u64 size = 0;
};

bool reserve(reservation *r, u64 size, u64 align)
{
	u64 total = size + align;
	void *p = mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return false;
	r->base = (u8 *)p;
	r->total = total;
	r->aligned = (u8 *)ALIGN((u64)(uintptr_t)p, align);
	r->size = size;
	return true;
}

void release(reservation *r)
{
	if (r->base)
		munmap(r->base, r->total);
	*r = reservation{};
}

int phys_fd = -1;
reservation phys_resv;
reservation vmemmap_resv;
u64 vmemmap_mapped;

} // namespace

void *host_phys_memfd_create(u64 size)
{
	host_phys_memfd_destroy();
	phys_fd = memfd_create("uefi-mm-phys", MFD_CLOEXEC);
	if (phys_fd < 0)
		return nullptr;
	if (ftruncate(phys_fd, (off_t)size) != 0 || !reserve(&phys_resv, size, SZ_1G)) {
		host_phys_memfd_destroy();
		return nullptr;
	}
	void *p = mmap(phys_resv.aligned, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		       phys_fd, 0);
	if (p == MAP_FAILED) {
		host_phys_memfd_destroy();
		return nullptr;
	}
	host_set_phys_window(p, size);
	return p;
}

void host_phys_memfd_destroy()
{
	host_vmemmap_window_destroy();
	if (phys_resv.base)
		host_set_phys_window(nullptr, 0);
	release(&phys_resv);
	if (phys_fd >= 0)
		close(phys_fd);
	phys_fd = -1;
}

void *host_vmemmap_window_create(u64 phys_limit)
{
	host_vmemmap_window_destroy();
	if (phys_fd < 0)
		return nullptr;
	u64 size = ALIGN(PFN_UP(phys_limit) * sizeof(struct page), SZ_2M);
	if (!reserve(&vmemmap_resv, size, SZ_2M))
		return nullptr;
	vmemmap = (struct page *)vmemmap_resv.aligned;
	vmemmap_mapped = 0;
	return vmemmap_resv.aligned;
}

void host_vmemmap_window_destroy()
{
	if (vmemmap_resv.base && vmemmap == (struct page *)vmemmap_resv.aligned)
		vmemmap = nullptr;
	release(&vmemmap_resv);
	vmemmap_mapped = 0;
}

u64 host_vmemmap_mapped_bytes() { return vmemmap_mapped; }

void platform_vmemmap_mapped(virt_addr_t va, phys_addr_t pa, u64 size)
{
	if (!vmemmap_resv.base)
		return;	// no window: tests that only look at the page tables
	u64 off = va - VMEMMAP_START;
	if (va < VMEMMAP_START || off >= vmemmap_resv.size || size > vmemmap_resv.size - off ||
	    (u64)pa >= phys_size || size > phys_size - (u64)pa) {
		fprintf(stderr, "platform_vmemmap_mapped: va %#lx pa %#llx size %#llx outside the "
			"vmemmap window (%#llx) or simulated memory (%#llx)\n", (unsigned long)va,
			(unsigned long long)pa, (unsigned long long)size,
			(unsigned long long)vmemmap_resv.size, (unsigned long long)phys_size);
		abort();
	}
	void *p = mmap(vmemmap_resv.aligned + off, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED, phys_fd, (off_t)(u64)pa);
	if (p == MAP_FAILED) {
		perror("platform_vmemmap_mapped: mmap");
		abort();
	}
	vmemmap_mapped += size;
}
