#include "mm/owned.h"

bool owned_contains(const owned_memory *owned, phys_addr_t base, u64 size)
{
	phys_addr_t end = base + size;
	while (base < end) {
		bool advanced = false;
		for (unsigned i = 0; i < owned->nr; i++) {
			const owned_range &r = owned->ranges[i];
			if (r.base <= base && base < r.base + r.size) {
				base = r.base + r.size;
				advanced = true;
				break;
			}
		}
		if (!advanced)
			return false;
	}
	return true;
}
