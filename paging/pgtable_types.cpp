// The run-time paging mode and the supported entry bits (Linux: head64.c's
// __pgtable_l5_enabled and page_offset_base, init.c's __supported_pte_mask).
#include "paging/pgtable_types.h"

bool __pgtable_l5_enabled = false;
virt_addr_t page_offset_base = __PAGE_OFFSET_BASE_L4;
// Linux starts from ~0 and clears what the CPU lacks (x86_configure_nx(),
// probe_page_size_mask()); so does the platform here.
u64 __supported_pte_mask = ~u64(0);

// Linux: check_la57_support() in head64.c sets both at once.
void paging_set_levels(bool la57)
{
	__pgtable_l5_enabled = la57;
	page_offset_base = la57 ? __PAGE_OFFSET_BASE_L5 : __PAGE_OFFSET_BASE_L4;
}
