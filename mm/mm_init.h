// Zone and node sizing, mirroring mm/mm_init.c (mm/page_alloc.c before Linux 6.4):
// free_area_init() with its zone boundaries, ZONE_MOVABLE placement (kernelcore=,
// movablecore=), per-node spanned/present/absent counts, and the "pages in
// unavailable ranges" walk of memmap_init(); plus x86's zone_sizes_init()
// (arch/x86/mm/init.c) and the totals of mem_init_print_info().
//
// Everything here works from memblock.memory and its node ids alone: no struct
// page is needed. The memmap walk is exposed (memmap_walk()) so that the code that
// later initialises struct pages visits the same ranges in the same order.
#pragma once

#include "lib/types.h"
#include "mm/mm_types.h"
#include "mm/mmzone.h"

// Linux's max_pfn / max_low_pfn (mm/memblock.c): set by the caller from
// e820__end_of_ram_pfn() (and e820__end_of_low_ram_pfn()) before x86_numa_init().
// On x86-64 init_mem_mapping() makes max_low_pfn = max_pfn before the zones are
// sized; zone_sizes_init() reads max_low_pfn.
extern pfn_t max_pfn;
extern pfn_t max_low_pfn;

// The size of struct page used to estimate the memmap of a zone (calc_memmap_size):
// 64 bytes in Linux 6.x x86-64; 56 in some older configurations.
extern unsigned long memmap_struct_page_size;

// Early parameters (mm/setup.cpp's table). Linux accepts anything that starts
// with a number; here the value must be a whole number with an optional K/M/G...
// suffix, or "nn%" (0..100), or for kernelcore "mirror"; otherwise -EINVAL.
int cmdline_parse_kernelcore(const char *p);
int cmdline_parse_movablecore(const char *p);
// check_pages= (Linux 6.19's early_check_pages()): kstrtobool()'s words; sets
// check_pages_enabled (mm/page_alloc.h), which Linux sets from it in
// mem_debugging_and_hardening_init().
int early_check_pages(const char *p);
// init_on_alloc= and init_on_free= (Linux's early_init_on_alloc() and
// early_init_on_free()): kstrtobool()'s words, kept until
// mem_debugging_and_hardening_init() sets init_on_alloc and init_on_free
// (mm/page_alloc.h) from them, and check_pages_enabled if either is on.
// report_meminit() prints Linux's "mem auto-init:" line.
int early_init_on_alloc(const char *p);
int early_init_on_free(const char *p);
void mem_debugging_and_hardening_init(void);
void report_meminit(void);

// Forget kernelcore=/movablecore=, the zone boundaries, dma_reserve, max_pfn,
// max_low_pfn and the struct page size (tests, app re-runs). Does not touch
// NODE_DATA (numa_reset() does).
void mm_init_reset(void);

// arch/x86/mm/init.c memblock_find_dma_reserve(): the pages below 16 MiB that
// memblock.memory has but are not free, remembered as dma_reserve (printed by the
// v5.x "  DMA zone: %lu pages reserved" line).
void memblock_find_dma_reserve(void);
void set_dma_reserve(unsigned long new_dma_reserve);

// arch/x86/mm/init.c zone_sizes_init(): DMA up to 16 MiB, DMA32 up to 4 GiB,
// Normal up to max_low_pfn (all capped at max_low_pfn), then free_area_init().
void zone_sizes_init(void);

// free_area_init(): @max_zone_pfn[MAX_NR_ZONES] is the end pfn of each zone
// (ZONE_MOVABLE's entry is ignored). Needs every online node's NODE_DATA
// (x86_numa_init() first). Prints, as Linux 6.1:
//   Zone ranges: / "  %-8s[mem ...]" or "  %-8s empty" (all zones but Movable)
//   Movable zone start for each node / "  Node %d: %#018Lx"
//   Early memory node ranges / "  node %3d: [mem ...]"
//   per online node: Initmem setup node %d [mem ...] (or "as memoryless"),
//     then at KERN_DEBUG the v5.x lines "On node %d totalpages: %lu",
//     "  %s zone: %lu pages used for memmap", "  DMA zone: %lu pages reserved",
//     "  %s zone: %lu pages, LIFO batch:%u"
//   then memmap_init()'s "On node %d, zone %s: %lld pages in unavailable ranges".
void free_area_init(const pfn_t *max_zone_pfn);

// The zone boundaries free_area_init() recorded (arch_zone_lowest/highest_possible_pfn)
// and where ZONE_MOVABLE starts on @nid (0: no ZONE_MOVABLE there).
pfn_t arch_zone_lowest_pfn(enum zone_type zone);
pfn_t arch_zone_highest_pfn(enum zone_type zone);
pfn_t zone_movable_start_pfn(int nid);
// kernelcore=mirror took effect.
extern bool mirrored_kernelcore;

// get_pfn_range_for_nid(): the lowest start and highest end pfn of @nid's memory
// (any node when @nid is not a valid node); 0, 0 when it has none.
void get_pfn_range_for_nid(int nid, pfn_t *start_pfn, pfn_t *end_pfn);
// absent_pages_in_range() / __absent_pages_in_range(): pages in [start, end) that
// memblock.memory (on @nid, any node when not valid) does not have.
unsigned long absent_pages_in_range(pfn_t start_pfn, pfn_t end_pfn);
unsigned long __absent_pages_in_range(int nid, pfn_t start_pfn, pfn_t end_pfn);

// calc_memmap_size(): pages of struct page a zone's memmap takes (an estimate,
// with memmap_struct_page_size bytes per page).
unsigned long calc_memmap_size(unsigned long spanned_pages, unsigned long present_pages);
// zone_batchsize() as Linux 5.x: the per-cpu list batch for a zone ("LIFO batch").
int zone_batchsize(const struct zone *zone);

/*
 * memmap_init()'s walk, without struct pages: for every memblock.memory pfn range
 * (address order) and every populated zone of its node, the part of the range in
 * that zone (@hole false), followed by the gap since the previous part (@hole
 * true) if any; at the end, the gap from the last part up to the end of its
 * memory section, given to the last zone seen. Linux initialises the struct pages
 * of the parts, and of the pfns of the gaps that have a memmap (section present).
 */
typedef void (*memmap_walk_fn)(int nid, enum zone_type zid, pfn_t start_pfn,
			       pfn_t end_pfn, bool hole, void *data);
void memmap_walk(memmap_walk_fn fn, void *data);

// Does the memory section of @pfn hold any memblock.memory (so that sparse gives
// it a memmap, Linux's pfn_valid() on x86-64)?
bool early_section_present(pfn_t pfn);
// How many pfns of [spfn, epfn) lie in present sections: the count Linux prints
// for an unavailable range.
unsigned long valid_pages_in_range(pfn_t spfn, pfn_t epfn);

/*
 * memmap_init(): after sparse_init(), the struct page of every pfn with a memory
 * map is initialised: memory in zone ranges by memmap_init_range() (pageblocks
 * MIGRATE_MOVABLE), holes by init_unavailable_range() (PageReserved). Without a
 * memory map, only the walk. Either way, prints each unavailable range's line.
 * free_area_init() calls it.
 */
void memmap_init(void);
void __init_single_page(struct page *page, pfn_t pfn, unsigned long zone, int nid);
void memmap_init_range(unsigned long size, int nid, unsigned long zone, pfn_t start_pfn,
		       pfn_t zone_end_pfn, int migratetype);
// Struct pages initialised since memmap_init() began (memory, holes, and the
// deferred ones page_alloc_init_late() added).
extern unsigned long memmap_pages_initialised;

/*
 * CONFIG_DEFERRED_STRUCT_PAGE_INIT (on in Debian's kernels, and here by default):
 * memmap_init() initialises the highest zone of each node only up to the first
 * section boundary after one section's worth of pages (defer_init());
 * memblock_free_all() skips the rest (early_page_uninitialised()), initialising
 * only reserved pages there (init_reserved_page()); page_alloc_init_late()
 * (deferred_init_memmap() per node) initialises the free ones MAX_ORDER block by
 * block and frees each block at once, printing "node %d deferred pages
 * initialised in %ums". Returns the pages it initialised.
 */
extern bool deferred_struct_pages_enabled;
// The struct pages of memory written once, in memblock_free_all() or deferred
// init, in their final state (free or reserved), with non-temporal stores
// (default); or as Linux does (false): __init_single_page() in memmap_init(),
// then reserve_bootmem_region() or __free_pages_core() writes them again. Same
// end state either way.
extern bool memmap_init_streaming;
// memmap_init=streaming|linux: sets memmap_init_streaming (-EINVAL otherwise).
int setup_memmap_init(const char *val);
bool early_page_uninitialised(pfn_t pfn);
void init_reserved_page(pfn_t pfn);
// memmap_init_streaming: the struct pages of the block [pfn, pfn + 2^order) that
// memblock_free_all() is about to free, written in their free state; false if
// the block has no zone (then it is left to __free_pages_core()).
bool memblock_init_free_pages(pfn_t pfn, unsigned int order);
// memmap_init_streaming: what init_reserved_page() and reserve_bootmem_region()
// do to @pfn's struct page, written once; false if it has no zone (then the
// caller does it Linux's way).
bool init_reserved_page_streaming(pfn_t pfn);
unsigned long page_alloc_init_late(void);
extern u64 deferred_init_ns;
// How long it took (platform_clock_ns(); the console prints it in the app).
extern u64 memmap_init_ns;

// mem_init_print_info()'s physpages: present pages of all online nodes.
unsigned long get_num_physpages(void);
// Pages memblock_free_all() would hand to the buddy allocator now: whole free
// pages of memblock (memory minus reserved).
unsigned long memblock_free_pages_count(void);
// "Memory: %luK/%luK available (%luK reserved)": free pages (as above, or
// nr_free_pages() after memblock_free_all()), physpages, and physpages less
// totalram_pages() (mem_init_print_info()); Linux also lists the kernel image's
// sections and CMA, which do not exist here.
void mem_print_totals(void);
