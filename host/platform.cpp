#include "host/platform.h"

#include <stdio.h>
#include <stdlib.h>

#include "lib/platform.h"

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
	if (!phys_base || phys >= phys_size)
		return nullptr;
	return phys_base + phys;
}

phys_addr_t platform_virt_to_phys(const void *virt)
{
	return (phys_addr_t)((const u8 *)virt - phys_base);
}

std::string host_console_take()
{
	std::string out;
	out.swap(console);
	return out;
}

void host_set_phys_window(void *base, u64 size)
{
	phys_base = (u8 *)base;
	phys_size = size;
}
