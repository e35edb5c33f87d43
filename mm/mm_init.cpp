// Zone and node sizing: free_area_init() and its helpers from mm/mm_init.c (Linux
// 6.4+; mm/page_alloc.c in 6.1, whose behaviour and messages this follows),
// x86's zone_sizes_init() and memblock_find_dma_reserve() (arch/x86/mm/init.c),
// and the physpages count of mem_init_print_info().
//
// Where we differ from Linux:
//  - memmap_init() initialises struct pages only after sparse_init(); without a
//    memory map (the replay tool) it only walks (memmap_walk()) and prints the
//    unavailable ranges, a section counting as having a memmap when
//    memblock.memory has memory in it, which is what sparse_init() gives it.
//  - The v5.x KERN_DEBUG lines of free_area_init_core()/zone_pcp_init() ("On node
//    %d totalpages", "pages used for memmap", "pages reserved", "LIFO batch") are
//    printed; Linux 6.1 turned them into pr_debug(), which its dmesg lacks.
//  - kernelcore=/movablecore= reject what is not a number (Linux reads the leading
//    number and ignores the rest) and percentages above 100 (Linux WARNs).
//  - No movable_node, no kdump check, no deferred struct page init, no
//    memory hotplug; nodes are the online nodes (Linux 6.1's for_each_online_node).
//  - get_pfn_range_for_nid() of a node without memory gives 0, 0 as Linux; such a
//    node is "memoryless" and all its zones are empty.
#include "mm/mm_init.h"

#include <string.h>

#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/flushcache.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "mm/memblock.h"
#include "mm/numa.h"
#include "mm/page_alloc.h"
#include "mm/pageblock_flags.h"
#include "mm/sparse.h"
#include "mm/shuffle.h"

const char *const zone_names[MAX_NR_ZONES] = {
	"DMA",
	"DMA32",
	"Normal",
	"Movable",
	"Device",
};

constinit pfn_t max_pfn = 0;
constinit pfn_t max_low_pfn = 0;
constinit unsigned long memmap_struct_page_size = 64;
constinit unsigned long memmap_pages_initialised = 0;
constinit u64 memmap_init_ns = 0;
constinit u64 deferred_init_ns = 0;
constinit bool deferred_struct_pages_enabled = true;
constinit bool memmap_init_streaming = true;
constinit bool mirrored_kernelcore = false;

int setup_memmap_init(const char *val)
{
	static const char *const ways[] = {"linux", "streaming"};
	int way = match_string(ways, ARRAY_SIZE(ways), val);

	if (way < 0)
		return way;
	memmap_init_streaming = way == 1;
	return 0;
}

namespace {

constinit pfn_t arch_zone_lowest_possible_pfn[MAX_NR_ZONES] = {};
constinit pfn_t arch_zone_highest_possible_pfn[MAX_NR_ZONES] = {};
constinit pfn_t zone_movable_pfn[MAX_NUMNODES] = {};
// The zone ZONE_MOVABLE takes its pages from (mm/page_alloc.c movable_zone).
constinit int movable_zone = ZONE_NORMAL;

constinit unsigned long required_kernelcore = 0;
constinit unsigned long required_kernelcore_percent = 0;
constinit unsigned long required_movablecore = 0;
constinit unsigned long required_movablecore_percent = 0;

constinit unsigned long nr_kernel_pages = 0;
constinit unsigned long nr_all_pages = 0;
constinit unsigned long dma_reserve = 0;
// sparse_init() gave the present sections a memory map: memmap_init() fills it.
constinit bool memmap_ready = false;
// defer_init()'s state (static locals in Linux).
constinit pfn_t defer_prev_end_pfn = 0;
constinit unsigned long defer_nr_initialised = 0;

template <typename T> constexpr T clamp(T v, T lo, T hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

constexpr unsigned long rounddown_pow_of_two(unsigned long n)
{
	return n ? 1UL << (63 - __builtin_clzl(n)) : 0;
}

pfn_t memblock_region_memory_base_pfn(const struct memblock_region *reg)
{
	return PFN_UP(reg->base);
}

pfn_t memblock_region_memory_end_pfn(const struct memblock_region *reg)
{
	return PFN_DOWN(reg->base + reg->size);
}

bool memblock_has_mirror(void)
{
	struct memblock_region *r;
	for_each_mem_region(r)
		if (memblock_is_mirror(r))
			return true;
	return false;
}

int cmdline_parse_core(const char *p, unsigned long *core, unsigned long *percent)
{
	if (!p || !*p)
		return -EINVAL;

	/* A trailing '%' means a share of all memory; anything else is a size in bytes. */
	size_t len = strlen(p);
	if (p[len - 1] == '%') {
		char num[24];
		u64 v;
		if (len - 1 >= sizeof(num))
			return -EINVAL;
		memcpy(num, p, len - 1);
		num[len - 1] = '\0';
		if (!kstrtou64(num, 10, &v) || v > 100)
			return -EINVAL;
		*percent = v;
		return 0;
	}

	u64 coremem;
	if (!memparse_full(p, &coremem))
		return -EINVAL;
	*core = coremem >> PAGE_SHIFT;
	*percent = 0;
	return 0;
}

} // namespace

int cmdline_parse_kernelcore(const char *p)
{
	/* "mirror": the kernel gets the mirrored ranges, ZONE_MOVABLE the rest. */
	if (p && !strcmp(p, "mirror")) {
		mirrored_kernelcore = true;
		return 0;
	}

	return cmdline_parse_core(p, &required_kernelcore, &required_kernelcore_percent);
}

int cmdline_parse_movablecore(const char *p)
{
	return cmdline_parse_core(p, &required_movablecore, &required_movablecore_percent);
}

int early_check_pages(const char *p)
{
	return kstrtobool(p, &check_pages_enabled);
}

namespace {
bool _init_on_alloc_enabled_early;
bool _init_on_free_enabled_early;
} // namespace

int early_init_on_alloc(const char *p)
{
	return kstrtobool(p, &_init_on_alloc_enabled_early);
}

int early_init_on_free(const char *p)
{
	return kstrtobool(p, &_init_on_free_enabled_early);
}

/*
 * mem_debugging_and_hardening_init() (Linux 6.3+ mm/mm_init.c): the boot
 * options become the keys. Either init_on_ option also turns the page checks
 * on (want_check_pages); there is no page poisoning, debug_pagealloc or
 * CONFIG_DEBUG_VM here to weigh against them.
 */
void mem_debugging_and_hardening_init(void)
{
	init_on_alloc = _init_on_alloc_enabled_early;
	init_on_free = _init_on_free_enabled_early;
	if (init_on_alloc || init_on_free)
		check_pages_enabled = true;
}

/*
 * report_meminit(): Linux's line, with the stack as this build has it (no
 * -ftrivial-auto-var-init, Linux's CONFIG_INIT_STACK_NONE).
 */
void report_meminit(void)
{
	pr_info("mem auto-init: stack:off, heap alloc:%s, heap free:%s\n", want_init_on_alloc(GFP_KERNEL) ? "on" : "off",
		want_init_on_free() ? "on" : "off");
	if (want_init_on_free())
		pr_info("mem auto-init: clearing system memory may take some time...\n");
}

void mm_init_reset(void)
{
	memset(arch_zone_lowest_possible_pfn, 0, sizeof(arch_zone_lowest_possible_pfn));
	memset(arch_zone_highest_possible_pfn, 0, sizeof(arch_zone_highest_possible_pfn));
	memset(zone_movable_pfn, 0, sizeof(zone_movable_pfn));
	movable_zone = ZONE_NORMAL;
	required_kernelcore = required_kernelcore_percent = 0;
	required_movablecore = required_movablecore_percent = 0;
	mirrored_kernelcore = false;
	nr_kernel_pages = nr_all_pages = 0;
	dma_reserve = 0;
	max_pfn = max_low_pfn = 0;
	memmap_struct_page_size = 64;
	memmap_pages_initialised = 0;
	memmap_ready = false;
	deferred_struct_pages_enabled = true;
	memmap_init_streaming = true;
	_init_on_alloc_enabled_early = false;
	_init_on_free_enabled_early = false;
	shuffle_reset();
	page_alloc_reset();
}

pfn_t arch_zone_lowest_pfn(enum zone_type zone)
{
	return arch_zone_lowest_possible_pfn[zone];
}

pfn_t arch_zone_highest_pfn(enum zone_type zone)
{
	return arch_zone_highest_possible_pfn[zone];
}

pfn_t zone_movable_start_pfn(int nid)
{
	return numa_valid_node(nid) ? zone_movable_pfn[nid] : 0;
}

void set_dma_reserve(unsigned long new_dma_reserve)
{
	dma_reserve = new_dma_reserve;
}

void memblock_find_dma_reserve(void)
{
	u64 nr_pages = 0, nr_free_pages = 0;
	pfn_t start_pfn, end_pfn;
	phys_addr_t start_addr, end_addr;
	int i;
	u64 u;

	/* First pass: every pfn of memblock.memory below 16 MiB, reserved or not. */
	for_each_mem_pfn_range(i, MAX_NUMNODES, &start_pfn, &end_pfn, NULL) {
		start_pfn = kmin(start_pfn, MAX_DMA_PFN);
		end_pfn = kmin(end_pfn, MAX_DMA_PFN);

		nr_pages += end_pfn - start_pfn;
	}

	/*
	 * Second pass: the free ranges below 16 MiB, whole pages only (a range's
	 * partial first or last page is not counted as free). What the first pass
	 * found and this one did not is dma_reserve.
	 */
	for_each_free_mem_range(u, NUMA_NO_NODE, MEMBLOCK_NONE, &start_addr, &end_addr, NULL) {
		start_pfn = kmin(PFN_UP(start_addr), MAX_DMA_PFN);
		end_pfn = kmin(PFN_DOWN(end_addr), MAX_DMA_PFN);

		if (start_pfn < end_pfn)
			nr_free_pages += end_pfn - start_pfn;
	}

	set_dma_reserve(nr_pages - nr_free_pages);
}

void zone_sizes_init(void)
{
	pfn_t max_zone_pfns[MAX_NR_ZONES];

	memset(max_zone_pfns, 0, sizeof(max_zone_pfns));

	max_zone_pfns[ZONE_DMA] = kmin(MAX_DMA_PFN, max_low_pfn);
	max_zone_pfns[ZONE_DMA32] = kmin(MAX_DMA32_PFN, max_low_pfn);
	max_zone_pfns[ZONE_NORMAL] = max_low_pfn;

	free_area_init(max_zone_pfns);
}

/*
 * early_calculate_totalpages(): how many pages memblock.memory holds in all,
 * the base that kernelcore=/movablecore= percentages apply to; @memory_nodes
 * gets every node with at least one page (Linux sets N_MEMORY for them).
 */
static unsigned long early_calculate_totalpages(nodemask_t *memory_nodes)
{
	unsigned long totalpages = 0;
	pfn_t start_pfn, end_pfn;
	int i, nid;

	nodes_clear(*memory_nodes);
	for_each_mem_pfn_range(i, MAX_NUMNODES, &start_pfn, &end_pfn, &nid) {
		unsigned long pages = end_pfn - start_pfn;

		totalpages += pages;
		if (pages && numa_valid_node(nid))
			node_set(nid, *memory_nodes);
	}
	return totalpages;
}

/*
 * find_usable_zone_for_movable(): the highest populated zone (Movable aside)
 * gives its pages to ZONE_MOVABLE.
 */
static void find_usable_zone_for_movable(void)
{
	int zone_index;
	for (zone_index = MAX_NR_ZONES - 1; zone_index >= 0; zone_index--) {
		if (zone_index == ZONE_MOVABLE)
			continue;

		if (arch_zone_highest_possible_pfn[zone_index] > arch_zone_lowest_possible_pfn[zone_index])
			break;
	}

	if (zone_index < 0)
		zone_index = ZONE_DMA; // Linux: VM_BUG_ON; no memory at all
	movable_zone = zone_index;
}

/*
 * find_zone_movable_pfns_for_nodes(): fills zone_movable_pfn[], where ZONE_MOVABLE
 * starts on each node. The kernelcore share is divided equally among the nodes
 * with memory; a node too small for its share keeps all it has, and the shortfall
 * is made up by the larger nodes on later passes.
 */
static void find_zone_movable_pfns_for_nodes(void)
{
	int i, nid;
	pfn_t usable_startpfn;
	unsigned long kernelcore_node, kernelcore_remaining;
	nodemask_t memory_nodes;
	unsigned long totalpages = early_calculate_totalpages(&memory_nodes);
	int usable_nodes = nodes_weight(memory_nodes);
	struct memblock_region *r;

	find_usable_zone_for_movable();

	/*
	 * kernelcore=mirror: on each node, ZONE_MOVABLE starts at the lowest
	 * non-mirrored range at or above 4 GiB; movablecore= plays no part.
	 */
	if (mirrored_kernelcore) {
		bool mem_below_4gb_not_mirrored = false;

		if (!memblock_has_mirror()) {
			pr_warn("The system has no mirror memory, ignore kernelcore=mirror.\n");
			goto out;
		}

		for_each_mem_region(r) {
			if (memblock_is_mirror(r))
				continue;

			nid = memblock_get_region_node(r);
			if (!numa_valid_node(nid))
				continue;

			usable_startpfn = memblock_region_memory_base_pfn(r);

			if (usable_startpfn < PFN_DOWN(SZ_4G)) {
				mem_below_4gb_not_mirrored = true;
				continue;
			}

			zone_movable_pfn[nid] = zone_movable_pfn[nid] ? kmin(usable_startpfn, zone_movable_pfn[nid])
								      : usable_startpfn;
		}

		if (mem_below_4gb_not_mirrored)
			pr_warn("This configuration results in unmirrored kernel memory.\n");

		goto out2;
	}

	/* Percentages become page counts, taken of totalpages. */
	if (required_kernelcore_percent)
		required_kernelcore = (totalpages * 100 * required_kernelcore_percent) / 10000UL;
	if (required_movablecore_percent)
		required_movablecore = (totalpages * 100 * required_movablecore_percent) / 10000UL;

	/*
	 * movablecore= is turned into the kernelcore it leaves (totalpages minus
	 * the movable amount), so that one algorithm handles both. Given both
	 * options, the larger kernelcore wins.
	 */
	if (required_movablecore) {
		unsigned long corepages;

		/* Rounded up: the user gets no less ZONE_MOVABLE than asked for. */
		required_movablecore = round_up(required_movablecore, MAX_ORDER_NR_PAGES);
		required_movablecore = kmin(totalpages, required_movablecore);
		corepages = totalpages - required_movablecore;

		required_kernelcore = kmax(required_kernelcore, corepages);
	}

	/* No kernelcore to honour, or it covers all memory: no ZONE_MOVABLE. */
	if (!required_kernelcore || required_kernelcore >= totalpages)
		goto out;

	/* ZONE_MOVABLE cannot start below the zone it borrows from. */
	usable_startpfn = arch_zone_lowest_possible_pfn[movable_zone];

restart:
	/* Each pass: an equal share of what is still needed per remaining node. */
	kernelcore_node = required_kernelcore / usable_nodes;
	for_each_node_mask(nid, memory_nodes) {
		pfn_t start_pfn, end_pfn;

		/* Earlier nodes may have covered most of it: shrink the share. */
		if (required_kernelcore < kernelcore_node)
			kernelcore_node = required_kernelcore / usable_nodes;

		/*
		 * kernelcore_remaining: what this node still owes the kernel on
		 * this pass; once it reaches 0, the node's remaining memory goes
		 * to ZONE_MOVABLE.
		 */
		kernelcore_remaining = kernelcore_node;

		/* The node's memblock ranges, from where the last pass stopped. */
		for_each_mem_pfn_range(i, nid, &start_pfn, &end_pfn, NULL) {
			unsigned long size_pages;

			start_pfn = kmax(start_pfn, zone_movable_pfn[nid]);
			if (start_pfn >= end_pfn)
				continue;

			/* Memory below usable_startpfn can only ever be kernelcore. */
			if (start_pfn < usable_startpfn) {
				unsigned long kernel_pages;
				kernel_pages = kmin(end_pfn, usable_startpfn) - start_pfn;

				kernelcore_remaining -= kmin(kernel_pages, kernelcore_remaining);
				required_kernelcore -= kmin(kernel_pages, required_kernelcore);

				/* The whole range lies below usable_startpfn: next range. */
				if (end_pfn <= usable_startpfn) {
					/*
					 * Remember it as consumed, so that a
					 * later pass starts after it and does
					 * not count it a second time.
					 */
					zone_movable_pfn[nid] = end_pfn;
					continue;
				}
				start_pfn = usable_startpfn;
			}

			/*
			 * [start_pfn, end_pfn) could be movable; the first
			 * size_pages of it (at most what the node still owes)
			 * become kernelcore instead.
			 */
			size_pages = end_pfn - start_pfn;
			if (size_pages > kernelcore_remaining)
				size_pages = kernelcore_remaining;
			zone_movable_pfn[nid] = start_pfn + size_pages;

			/* Charge both counters; stop once this node's share is paid. */
			required_kernelcore -= kmin(required_kernelcore, size_pages);
			kernelcore_remaining -= size_pages;
			if (!kernelcore_remaining)
				break;
		}
	}

	/*
	 * Some nodes ran out before paying their share: go round again with the
	 * remainder divided over one node fewer, which moves zone_movable_pfn[]
	 * up on the nodes that still have memory to give.
	 */
	usable_nodes--;
	if (usable_nodes && required_kernelcore > (unsigned long)usable_nodes)
		goto restart;

out2:
	/* Start ZONE_MOVABLE on a MAX_ORDER boundary; past the node's end means none. */
	for_each_node_mask(nid, memory_nodes) {
		pfn_t start_pfn, end_pfn;

		zone_movable_pfn[nid] = round_up(zone_movable_pfn[nid], MAX_ORDER_NR_PAGES);

		get_pfn_range_for_nid(nid, &start_pfn, &end_pfn);
		if (zone_movable_pfn[nid] >= end_pfn)
			zone_movable_pfn[nid] = 0;
	}

out:
	return;
}

void get_pfn_range_for_nid(int nid, pfn_t *start_pfn, pfn_t *end_pfn)
{
	pfn_t this_start_pfn, this_end_pfn;
	int i;

	*start_pfn = -1UL;
	*end_pfn = 0;

	for_each_mem_pfn_range(i, nid, &this_start_pfn, &this_end_pfn, NULL) {
		*start_pfn = kmin(*start_pfn, this_start_pfn);
		*end_pfn = kmax(*end_pfn, this_end_pfn);
	}

	if (*start_pfn == -1UL)
		*start_pfn = 0;
}

/*
 * adjust_zone_range_for_zone_movable(): the arch zone boundaries say nothing of
 * ZONE_MOVABLE, whose start is per node (zone_movable_pfn[]). On @nid, ZONE_MOVABLE
 * runs from there to the end of movable_zone; the zone it was carved out of is cut
 * short at that pfn, and a zone lying wholly above it becomes empty, so the zones
 * of a node stay in ascending address order.
 */
static void adjust_zone_range_for_zone_movable(int nid, unsigned long zone_type,
					       pfn_t node_end_pfn,
					       pfn_t *zone_start_pfn,
					       pfn_t *zone_end_pfn)
{
	/* Nothing to do on a node without ZONE_MOVABLE. */
	if (zone_movable_pfn[nid]) {
		/* ZONE_MOVABLE itself: from its start up to movable_zone's end. */
		if (zone_type == ZONE_MOVABLE) {
			*zone_start_pfn = zone_movable_pfn[nid];
			*zone_end_pfn = kmin(node_end_pfn, arch_zone_highest_possible_pfn[movable_zone]);

			/* ZONE_MOVABLE begins inside this zone: the zone ends there. */
		} else if (!mirrored_kernelcore && *zone_start_pfn < zone_movable_pfn[nid] &&
			   *zone_end_pfn > zone_movable_pfn[nid]) {
			*zone_end_pfn = zone_movable_pfn[nid];

			/* The zone lies entirely in ZONE_MOVABLE: it becomes empty. */
		} else if (*zone_start_pfn >= zone_movable_pfn[nid]) {
			*zone_start_pfn = *zone_end_pfn;
		}
	}
}

unsigned long __absent_pages_in_range(int nid, pfn_t range_start_pfn,
				      pfn_t range_end_pfn)
{
	unsigned long nr_absent = range_end_pfn - range_start_pfn;
	pfn_t start_pfn, end_pfn;
	int i;

	for_each_mem_pfn_range(i, nid, &start_pfn, &end_pfn, NULL) {
		start_pfn = clamp(start_pfn, range_start_pfn, range_end_pfn);
		end_pfn = clamp(end_pfn, range_start_pfn, range_end_pfn);
		nr_absent -= end_pfn - start_pfn;
	}
	return nr_absent;
}

unsigned long absent_pages_in_range(pfn_t start_pfn, pfn_t end_pfn)
{
	return __absent_pages_in_range(MAX_NUMNODES, start_pfn, end_pfn);
}

/* zone_absent_pages_in_node(): pfns of the zone's span on @nid with no memory. */
static unsigned long zone_absent_pages_in_node(int nid, unsigned long zone_type,
					       pfn_t zone_start_pfn,
					       pfn_t zone_end_pfn)
{
	unsigned long nr_absent;

	/* An empty span has no holes. */
	if (zone_start_pfn == zone_end_pfn)
		return 0;

	nr_absent = __absent_pages_in_range(nid, zone_start_pfn, zone_end_pfn);

	/*
	 * kernelcore=mirror: Normal and Movable overlap, split by mirroring
	 * rather than by a pfn. Non-mirrored memory counts as a hole of
	 * ZONE_NORMAL, mirrored memory as a hole of ZONE_MOVABLE.
	 */
	if (mirrored_kernelcore && zone_movable_pfn[nid]) {
		pfn_t start_pfn, end_pfn;
		struct memblock_region *r;

		for_each_mem_region(r) {
			start_pfn = clamp(memblock_region_memory_base_pfn(r), zone_start_pfn, zone_end_pfn);
			end_pfn = clamp(memblock_region_memory_end_pfn(r), zone_start_pfn, zone_end_pfn);

			if (zone_type == ZONE_MOVABLE && memblock_is_mirror(r))
				nr_absent += end_pfn - start_pfn;

			if (zone_type == ZONE_NORMAL && !memblock_is_mirror(r))
				nr_absent += end_pfn - start_pfn;
		}
	}

	return nr_absent;
}

/*
 * zone_spanned_pages_in_node(): the zone's span on @nid, holes included, and its
 * bounds in @zone_start_pfn/@zone_end_pfn. Subtracting
 * zone_absent_pages_in_node() gives present_pages.
 */
static unsigned long zone_spanned_pages_in_node(int nid, unsigned long zone_type,
						pfn_t node_start_pfn,
						pfn_t node_end_pfn,
						pfn_t *zone_start_pfn,
						pfn_t *zone_end_pfn)
{
	pfn_t zone_low = arch_zone_lowest_possible_pfn[zone_type];
	pfn_t zone_high = arch_zone_highest_possible_pfn[zone_type];

	/* The node's extent clipped to the zone's arch range, then ZONE_MOVABLE's cut. */
	*zone_start_pfn = clamp(node_start_pfn, zone_low, zone_high);
	*zone_end_pfn = clamp(node_end_pfn, zone_low, zone_high);
	adjust_zone_range_for_zone_movable(nid, zone_type, node_end_pfn, zone_start_pfn, zone_end_pfn);

	/* Zone and node do not overlap: nothing spanned. */
	if (*zone_end_pfn < node_start_pfn || *zone_start_pfn > node_end_pfn)
		return 0;

	/* Keep the bounds within the node. */
	*zone_end_pfn = kmin(*zone_end_pfn, node_end_pfn);
	*zone_start_pfn = kmax(*zone_start_pfn, node_start_pfn);

	return *zone_end_pfn - *zone_start_pfn;
}

static void reset_memoryless_node_totalpages(struct pglist_data *pgdat)
{
	for (struct zone *z = pgdat->node_zones; z < pgdat->node_zones + MAX_NR_ZONES; z++) {
		z->zone_start_pfn = 0;
		z->spanned_pages = 0;
		z->present_pages = 0;
	}

	pgdat->node_spanned_pages = 0;
	pgdat->node_present_pages = 0;
	printk(KERN_DEBUG "On node %d totalpages: 0\n", pgdat->node_id);
}

static void calculate_node_totalpages(struct pglist_data *pgdat, pfn_t node_start_pfn,
				      pfn_t node_end_pfn)
{
	unsigned long realtotalpages = 0, totalpages = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = pgdat->node_zones + i;
		pfn_t zone_start_pfn = 0, zone_end_pfn = 0;
		unsigned long spanned, absent;
		unsigned long real_size;

		spanned = zone_spanned_pages_in_node(pgdat->node_id, i, node_start_pfn, node_end_pfn,
						     &zone_start_pfn, &zone_end_pfn);
		absent = spanned ? zone_absent_pages_in_node(pgdat->node_id, i, zone_start_pfn, zone_end_pfn)
				 : 0;

		real_size = spanned - absent;

		zone->zone_start_pfn = spanned ? zone_start_pfn : 0;
		zone->spanned_pages = spanned;
		zone->present_pages = real_size;

		totalpages += spanned;
		realtotalpages += real_size;
	}

	pgdat->node_spanned_pages = totalpages;
	pgdat->node_present_pages = realtotalpages;
	printk(KERN_DEBUG "On node %d totalpages: %lu\n", pgdat->node_id, realtotalpages);
}

unsigned long calc_memmap_size(unsigned long spanned_pages, unsigned long present_pages)
{
	unsigned long pages = spanned_pages;

	/*
	 * Sparse gives holes no memmap, so a zone with real holes (span more than
	 * present + 1/16) is estimated from its present pages. The 1/16 slack
	 * stands for the page or two of memmap each populated range may waste
	 * at its unaligned ends.
	 */
	if (spanned_pages > present_pages + (present_pages >> 4))
		pages = present_pages;

	return PFN_UP(pages * memmap_struct_page_size);
}

int zone_batchsize(const struct zone *zone)
{
	int batch;

	/* Roughly zone size / 1024, capped at 1 MiB worth of pages. */
	batch = (int)kmin(zone->managed_pages / 1024, (unsigned long)((1024 * 1024) / PAGE_SIZE));
	batch /= 4; /* a quarter: a pcp list may hold 4 batches (zone_highsize()) */
	if (batch < 1)
		batch = 1;

	/*
	 * Round to one less than a power of two: exact powers of two were seen
	 * to alias badly in the cache.
	 */
	batch = (int)rounddown_pow_of_two(batch + batch / 2) - 1;

	return batch;
}

static void zone_init_internals(struct zone *zone, enum zone_type idx, int nid,
				unsigned long remaining_pages)
{
	zone->managed_pages = remaining_pages;
	zone->node = nid;
	zone->name = zone_names[idx];
	zone->zone_pgdat = NODE_DATA(nid);
	zone_pcp_init(zone);
	if (populated_zone(zone))
		printk(KERN_DEBUG "  %s zone: %lu pages, LIFO batch:%u\n", zone->name, zone->present_pages,
		       (unsigned)zone_batchsize(zone));
}

static void init_currently_empty_zone(struct zone *zone, pfn_t zone_start_pfn)
{
	struct pglist_data *pgdat = zone->zone_pgdat;
	int nr = zone_idx(zone) + 1;

	if (nr > pgdat->nr_zones)
		pgdat->nr_zones = nr;

	zone->zone_start_pfn = zone_start_pfn;
	zone_init_free_lists(zone);
	zone->initialized = true;
}

/*
 * free_area_init_core() as Linux 5.10 (the version that prints): the memmap
 * estimate and dma_reserve come off each zone's managed pages.
 */
static void free_area_init_core(struct pglist_data *pgdat)
{
	int nid = pgdat->node_id;

	for (int j = 0; j < MAX_NR_ZONES; j++) {
		struct zone *zone = pgdat->node_zones + j;
		unsigned long size, freesize, memmap_pages;

		size = zone->spanned_pages;
		freesize = zone->present_pages;

		/*
		 * The zone's own memmap estimate is not available to allocate, so it
		 * comes off freesize (which the watermarks and pcp batch use).
		 */
		memmap_pages = calc_memmap_size(size, freesize);
		if (freesize >= memmap_pages) {
			freesize -= memmap_pages;
			if (memmap_pages)
				printk(KERN_DEBUG "  %s zone: %lu pages used for memmap\n", zone_names[j],
				       memmap_pages);
		} else {
			pr_warn("  %s zone: %lu pages exceeds freesize %lu\n", zone_names[j], memmap_pages,
				freesize);
		}

		/* The DMA zone also loses dma_reserve. */
		if (j == 0 && freesize > dma_reserve) {
			freesize -= dma_reserve;
			printk(KERN_DEBUG "  %s zone: %lu pages reserved\n", zone_names[0], dma_reserve);
		}

		nr_kernel_pages += freesize;
		nr_all_pages += freesize;

		/*
		 * managed_pages starts as this estimate; memblock_free_all() zeroes
		 * it and recounts as it hands the pages to the buddy allocator.
		 */
		zone_init_internals(zone, (enum zone_type)j, nid, freesize);

		if (!size)
			continue;

		init_currently_empty_zone(zone, zone->zone_start_pfn);
	}
}

static void free_area_init_node(int nid)
{
	pg_data_t *pgdat = NODE_DATA(nid);
	pfn_t start_pfn = 0;
	pfn_t end_pfn = 0;

	get_pfn_range_for_nid(nid, &start_pfn, &end_pfn);

	pgdat->node_id = nid;
	pgdat->node_start_pfn = start_pfn;
	pgdat->nr_zones = 0;
	pgdat->first_deferred_pfn = ULONG_MAX; /* pgdat_set_deferred_range() */

	if (start_pfn != end_pfn) {
		pr_info("Initmem setup node %d [mem %#018Lx-%#018Lx]\n", nid,
			(unsigned long long)start_pfn << PAGE_SHIFT,
			end_pfn ? ((unsigned long long)end_pfn << PAGE_SHIFT) - 1 : 0);

		calculate_node_totalpages(pgdat, start_pfn, end_pfn);
	} else {
		pr_info("Initmem setup node %d as memoryless\n", nid);

		reset_memoryless_node_totalpages(pgdat);
	}

	free_area_init_core(pgdat);
}

void free_area_init(const pfn_t *max_zone_pfn)
{
	pfn_t start_pfn, end_pfn;
	int i, nid;

	/* Each zone (but Movable) runs from the previous zone's end to its max pfn. */
	memset(arch_zone_lowest_possible_pfn, 0, sizeof(arch_zone_lowest_possible_pfn));
	memset(arch_zone_highest_possible_pfn, 0, sizeof(arch_zone_highest_possible_pfn));
	nr_kernel_pages = nr_all_pages = 0;

	start_pfn = PFN_DOWN(memblock_start_of_DRAM());

	for (int zone = 0; zone < MAX_NR_ZONES; zone++) {
		if (zone == ZONE_MOVABLE)
			continue;

		end_pfn = kmax(max_zone_pfn[zone], start_pfn);
		arch_zone_lowest_possible_pfn[zone] = start_pfn;
		arch_zone_highest_possible_pfn[zone] = end_pfn;

		start_pfn = end_pfn;
	}

	/* ZONE_MOVABLE's start on each node (kernelcore=/movablecore=). */
	memset(zone_movable_pfn, 0, sizeof(zone_movable_pfn));
	find_zone_movable_pfns_for_nodes();

	/* "Zone ranges:": the arch bounds, Movable left out. */
	pr_info("Zone ranges:\n");
	for (i = 0; i < MAX_NR_ZONES; i++) {
		if (i == ZONE_MOVABLE)
			continue;
		pr_info("  %-8s ", zone_names[i]);
		if (arch_zone_lowest_possible_pfn[i] == arch_zone_highest_possible_pfn[i])
			pr_cont("empty\n");
		else
			pr_cont("[mem %#018Lx-%#018Lx]\n",
				(unsigned long long)arch_zone_lowest_possible_pfn[i] << PAGE_SHIFT,
				((unsigned long long)arch_zone_highest_possible_pfn[i] << PAGE_SHIFT) - 1);
	}

	/* Nodes that have a ZONE_MOVABLE, with its start address. */
	pr_info("Movable zone start for each node\n");
	for (i = 0; i < MAX_NUMNODES; i++) {
		if (zone_movable_pfn[i])
			pr_info("  Node %d: %#018Lx\n", i, (unsigned long long)zone_movable_pfn[i] << PAGE_SHIFT);
	}

	/* Every memblock.memory range with its node. */
	pr_info("Early memory node ranges\n");
	for_each_mem_pfn_range(i, MAX_NUMNODES, &start_pfn, &end_pfn, &nid) {
		pr_info("  node %3d: [mem %#018Lx-%#018Lx]\n", nid, (unsigned long long)start_pfn << PAGE_SHIFT,
			((unsigned long long)end_pfn << PAGE_SHIFT) - 1);
	}

	/* Size the zones of each online node. */
	for_each_online_node(nid) {
		if (!NODE_DATA(nid)) {
			pr_err("Node %d is online without NODE_DATA\n", nid);
			continue;
		}
		free_area_init_node(nid);
	}

	memmap_init();
}

bool early_section_present(pfn_t pfn)
{
	return valid_pages_in_range(pfn, pfn + 1) != 0;
}

unsigned long valid_pages_in_range(pfn_t spfn, pfn_t epfn)
{
	pfn_t start_pfn, end_pfn;
	unsigned long count = 0;
	pfn_t covered = spfn;
	int i;

	/*
	 * sparse's memory_present() marks every section a memblock.memory range
	 * touches; the ranges are sorted, so their section-aligned extents are
	 * too, and each may overlap only what was already counted.
	 */
	for_each_mem_pfn_range(i, MAX_NUMNODES, &start_pfn, &end_pfn, NULL) {
		pfn_t s = kmax(round_down(start_pfn, PAGES_PER_SECTION), covered);
		pfn_t e = kmin(round_up(end_pfn, PAGES_PER_SECTION), epfn);

		if (s < e) {
			count += e - s;
			covered = e;
		}
	}
	return count;
}

void memmap_walk(memmap_walk_fn fn, void *data)
{
	pfn_t start_pfn, end_pfn = 0;
	pfn_t hole_pfn = 0;
	int i, j, zone_id = 0, nid = 0, last_nid = 0;

	for_each_mem_pfn_range(i, MAX_NUMNODES, &start_pfn, &end_pfn, &nid) {
		if (!node_online(nid) || !NODE_DATA(nid))
			continue;
		struct pglist_data *node = NODE_DATA(nid);
		last_nid = nid;

		for (j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *zone = node->node_zones + j;

			if (!populated_zone(zone))
				continue;

			/* memmap_init_zone_range() */
			pfn_t zone_start_pfn = zone->zone_start_pfn;
			pfn_t zone_end_pfn = zone_start_pfn + zone->spanned_pages;
			pfn_t s = clamp(start_pfn, zone_start_pfn, zone_end_pfn);
			pfn_t e = clamp(end_pfn, zone_start_pfn, zone_end_pfn);

			if (s < e) {
				fn(nid, (enum zone_type)j, s, e, false, data);
				if (hole_pfn < s)
					fn(nid, (enum zone_type)j, hole_pfn, s, true, data);
				hole_pfn = e;
			}
			zone_id = j;
		}
	}

	/*
	 * The last section may end after the last memory: that tail still has a
	 * memmap, so it is reported as a hole too, in the last zone visited on
	 * the last node.
	 */
	end_pfn = round_up(end_pfn, PAGES_PER_SECTION);
	if (hole_pfn < end_pfn)
		fn(last_nid, (enum zone_type)zone_id, hole_pfn, end_pfn, true, data);
}

/*
 * __init_single_page(): a struct page as it is before anyone uses the page:
 * zeroed, zone and node in the flags, one reference, no mapping (mapcount -1,
 * which is also "no page type"), an empty lru.
 */
void __init_single_page(struct page *page, pfn_t pfn, unsigned long zone, int nid)
{
	mm_zero_struct_page(page);
	set_page_links(page, (int)zone, (unsigned long)nid, pfn);
	init_page_count(page);
	page_mapcount_reset(page);
	INIT_LIST_HEAD(&page->lru);
}

/*
 * memmap_init_range() for boot (MEMINIT_EARLY, no altmap): every page of
 * [start_pfn, start_pfn + size) gets its struct page, and each pageblock that
 * starts in the range becomes @migratetype. The pages are not PageReserved yet:
 * memblock_free_all() marks the reserved ones and frees the rest.
 */
/*
 * defer_init() (CONFIG_DEFERRED_STRUCT_PAGE_INIT, Debian's config): in the highest
 * zone of each node, only the first section's worth of pages is initialised at
 * boot; from the next section boundary on, the struct pages of free memory are
 * initialised by deferred_init_memmap() (page_alloc_init_late()), which frees
 * each MAX_ORDER block while its struct pages are still in the cache.
 */
static bool defer_init(int nid, pfn_t pfn, pfn_t end_pfn)
{
	if (!deferred_struct_pages_enabled)
		return false;

	/* The end of the previous zone: a new zone starts a new count. */
	if (defer_prev_end_pfn != end_pfn) {
		defer_prev_end_pfn = end_pfn;
		defer_nr_initialised = 0;
	}

	/* Only a node's top zone is deferred: lower zones serve DMA-limited users early. */
	if (end_pfn < pgdat_end_pfn(NODE_DATA(nid)))
		return false;

	if (NODE_DATA(nid)->first_deferred_pfn != ULONG_MAX)
		return true;
	/*
	 * Boot gets one section's worth of this zone; the first section boundary
	 * after that becomes first_deferred_pfn and the rest waits for
	 * deferred_init_memmap().
	 */
	defer_nr_initialised++;
	if ((defer_nr_initialised > PAGES_PER_SECTION) && (pfn & (PAGES_PER_SECTION - 1)) == 0) {
		NODE_DATA(nid)->first_deferred_pfn = pfn;
		return true;
	}
	return false;
}

/*
 * defer_init() for each pfn of [pfn, end) at once: the pfn in it where the
 * deferred pages begin, or @end.
 */
static pfn_t defer_init_run(int nid, pfn_t pfn, pfn_t end, pfn_t zone_end_pfn)
{
	if (pfn >= end)
		return end;
	if (defer_init(nid, pfn, zone_end_pfn))
		return pfn;
	/* defer_init() counted @pfn; it counts only in a node's highest zone. */
	if (!deferred_struct_pages_enabled || zone_end_pfn < pgdat_end_pfn(NODE_DATA(nid)))
		return end;
	/* The first section boundary after a section's worth of pages. */
	pfn_t q = pfn + 1 + (PAGES_PER_SECTION - kmin(defer_nr_initialised, PAGES_PER_SECTION));
	q = kmax(q, pfn + 1);
	q = ALIGN(q, PAGES_PER_SECTION);
	if (q < end) {
		defer_nr_initialised += q - pfn;
		NODE_DATA(nid)->first_deferred_pfn = q;
		return q;
	}
	defer_nr_initialised += end - pfn - 1;
	return end;
}

void memmap_init_range(unsigned long size, int nid, unsigned long zone, pfn_t start_pfn,
		       pfn_t zone_end_pfn, int migratetype)
{
	pfn_t pfn, end_pfn = start_pfn + size;

	if (memmap_init_streaming) {
		/*
		 * The struct pages of memory are written once, by
		 * memblock_free_all() (reserved and free pages) or deferred
		 * init: only the pageblocks' types now, as far as defer_init()
		 * lets memmap_init() go.
		 */
		pfn = defer_init_run(nid, start_pfn, end_pfn, zone_end_pfn);
		for (pfn_t p = start_pfn; p < pfn; p = pageblock_start_pfn(p) + pageblock_nr_pages)
			if (pageblock_aligned(p))
				set_pageblock_migratetype(pfn_to_page(p), migratetype);
		/* Counted here, written later. */
		memmap_pages_initialised += pfn - start_pfn;
		return;
	}

	for (pfn = start_pfn; pfn < end_pfn; pfn++) {
		if (defer_init(nid, pfn, zone_end_pfn))
			break;

		struct page *page = pfn_to_page(pfn);

		__init_single_page(page, pfn, zone, nid);
		/*
		 * Pageblocks get @migratetype, MIGRATE_MOVABLE from memmap_init():
		 * nearly all memory is still free at this point.
		 */
		if (pageblock_aligned(pfn))
			set_pageblock_migratetype(page, migratetype);
	}
	memmap_pages_initialised += pfn - start_pfn;
}

/*
 * __init_single_page() for a page that goes straight to the buddy allocator,
 * written once in the state __free_pages_core() would leave it (reference
 * count 0, not reserved), with non-temporal stores.
 *
 * Where this differs from Linux: Linux writes the struct page in
 * __init_single_page() (ordinary stores: each line is read for ownership
 * first) and then writes it again in __free_pages_core(). The end state is
 * the same; this writes each 64-byte struct page once, as a full line that
 * needs no read, which is what brings the cost near the memory bandwidth
 * bound (docs/zones.md has the figures). memmap_init_streaming = false
 * selects Linux's two passes.
 */
/*
 * @page written from @tmpl, with its own empty lru (INIT_LIST_HEAD() where it
 * lives), as one 64-byte line of non-temporal stores.
 */
static inline void write_struct_page_line(struct page *page, const struct page *tmpl)
{
	u64 w[sizeof(struct page) / 8];
	static_assert(offsetof(struct page, lru) == 8 && sizeof(struct list_head) == 16, "");

	memcpy(w, tmpl, sizeof(w));
	u64 lru = (u64)&page->lru;
	memset64_line_flushcache(page, w[0], lru, lru, w[3], w[4], w[5], w[6], w[7]);
}

static void __init_free_pages(pfn_t spfn, pfn_t epfn, unsigned long zone, int nid)
{
	struct page tmpl;

	/*
	 * One template: with SPARSEMEM_VMEMMAP the flags carry no section, so
	 * every page of the range has the same words but its own list head.
	 */
	__init_single_page(&tmpl, spfn, zone, nid);
	set_page_count(&tmpl, 0);
	/*
	 * The first page heads the block __free_one_page() is about to put on a
	 * list: ordinary stores, so that its line is in the cache then.
	 */
	if (spfn < epfn) {
		struct page *page = pfn_to_page(spfn);
		memcpy(page, &tmpl, sizeof(tmpl));
		INIT_LIST_HEAD(&page->lru);
		spfn++;
	}
	for (pfn_t pfn = spfn; pfn < epfn; pfn++)
		write_struct_page_line(pfn_to_page(pfn), &tmpl);
}

bool early_page_uninitialised(pfn_t pfn)
{
	int nid = early_pfn_to_nid(pfn);

	return node_online(nid) && NODE_DATA(nid) && pfn >= NODE_DATA(nid)->first_deferred_pfn;
}

/* The zone of @pfn on @pgdat (MAX_NR_ZONES if none spans it). */
static int early_pfn_to_zid(pg_data_t *pgdat, pfn_t pfn)
{
	int zid;

	for (zid = 0; zid < MAX_NR_ZONES; zid++) {
		struct zone *zone = &pgdat->node_zones[zid];

		if (zone_spans_pfn(zone, pfn))
			break;
	}
	return zid;
}

/*
 * The node and zone __init_single_page() gives @pfn, as init_reserved_page()
 * finds them; false if no online node's zone spans it (beyond the zones:
 * init_unavailable_range() had it).
 */
static bool early_pfn_nid_zid(pfn_t pfn, int *nid, int *zid)
{
	*nid = early_pfn_to_nid(pfn);
	pg_data_t *pgdat = NODE_DATA(*nid);

	if (!node_online(*nid) || !pgdat)
		return false;
	*zid = early_pfn_to_zid(pgdat, pfn);
	return *zid != MAX_NR_ZONES;
}

/* init_reserved_page(): a deferred reserved page gets its struct page now. */
void init_reserved_page(pfn_t pfn)
{
	pg_data_t *pgdat;
	int nid, zid;

	if (!early_page_uninitialised(pfn))
		return;

	nid = early_pfn_to_nid(pfn);
	pgdat = NODE_DATA(nid);
	zid = early_pfn_to_zid(pgdat, pfn);
	__init_single_page(pfn_to_page(pfn), pfn, zid, nid);
	memmap_pages_initialised++;
}

bool init_reserved_page_streaming(pfn_t pfn)
{
	struct page tmp;
	int nid, zid;

	if (!early_pfn_nid_zid(pfn, &nid, &zid))
		return false;
	if (early_page_uninitialised(pfn))
		memmap_pages_initialised++; /* memmap_init() counted the others */

	/* init_reserved_page(), INIT_LIST_HEAD(), __SetPageReserved(): one line. */
	__init_single_page(&tmp, pfn, zid, nid);
	__SetPageReserved(&tmp);
	write_struct_page_line(pfn_to_page(pfn), &tmp);
	return true;
}

bool memblock_init_free_pages(pfn_t pfn, unsigned int order)
{
	int nid, zid;

	if (!early_pfn_nid_zid(pfn, &nid, &zid))
		return false;
	/* (memmap_init() counted them.) */
	__init_free_pages(pfn, pfn + (1UL << order), zid, nid);
	return true;
}

/*
 * deferred_free_range(): a run of initialised pages goes to buddy, a whole
 * naturally aligned MAX_ORDER block at once, anything else page by page (the
 * buddy merges them). @ready: the struct pages are already in their free
 * state (__init_free_pages()), so only the head is touched again.
 */
static void deferred_free_range(pfn_t pfn, unsigned long nr_pages, bool ready)
{
	struct page *page;
	unsigned long i;

	if (!nr_pages)
		return;

	page = pfn_to_page(pfn);

	/* An aligned MAX_ORDER block goes to buddy in one piece. */
	if (nr_pages == MAX_ORDER_NR_PAGES && IS_ALIGNED(pfn, MAX_ORDER_NR_PAGES)) {
		for (i = 0; i < nr_pages; i += pageblock_nr_pages)
			set_pageblock_migratetype(page + i, MIGRATE_MOVABLE);
		if (ready)
			__free_pages_core_ready(page, MAX_PAGE_ORDER);
		else
			__free_pages_core(page, MAX_PAGE_ORDER);
		return;
	}

	for (i = 0; i < nr_pages; i++, page++, pfn++) {
		if (pageblock_aligned(pfn))
			set_pageblock_migratetype(page, MIGRATE_MOVABLE);
		__free_pages_core(page, 0);
	}
}

/*
 * deferred_init_maxorder() for one free range: MAX_ORDER block by block, first
 * the struct pages (deferred_init_pages()), then the block to buddy while they
 * are hot. Linux walks the free ranges with an iterator that can resume in the
 * middle of a block; a free range here is at most clipped, never split.
 */
static unsigned long deferred_init_range(int nid, int zid, pfn_t spfn, pfn_t epfn)
{
	unsigned long nr_pages = 0;

	while (spfn < epfn) {
		pfn_t mo_pfn = kmin(ALIGN(spfn + 1, MAX_ORDER_NR_PAGES), epfn);
		/* Whole MAX_ORDER blocks: written once, already free (see above). */
		bool ready = memmap_init_streaming && mo_pfn - spfn == MAX_ORDER_NR_PAGES;

		if (ready)
			__init_free_pages(spfn, mo_pfn, zid, nid);
		else
			for (pfn_t pfn = spfn; pfn < mo_pfn; pfn++)
				__init_single_page(pfn_to_page(pfn), pfn, zid, nid);
		deferred_free_range(spfn, mo_pfn - spfn, ready);
		nr_pages += mo_pfn - spfn;
		spfn = mo_pfn;
	}
	wmb(); /* the non-temporal stores before anyone else looks */
	return nr_pages;
}

/* deferred_init_memmap() for one node, without the kthread and padata. */
static unsigned long deferred_init_memmap(pg_data_t *pgdat)
{
	pfn_t first_init_pfn = pgdat->first_deferred_pfn;
	unsigned long nr_pages = 0;
	phys_addr_t start, end;
	struct zone *zone;
	int zid;
	u64 i, t0 = platform_clock_ns();

	if (first_init_pfn == ULONG_MAX)
		return 0;

	/* Linux BUG_ON()s bad boundaries here; the node has no deferred pages after this. */
	pgdat->first_deferred_pfn = ULONG_MAX;

	/* The zone holding first_deferred_pfn: defer_init() defers only a node's top zone. */
	for (zid = 0; zid < MAX_NR_ZONES; zid++) {
		zone = pgdat->node_zones + zid;
		if (first_init_pfn < zone_end_pfn(zone))
			break;
	}
	if (zid == MAX_NR_ZONES)
		return 0;

	for_each_free_mem_range(i, pgdat->node_id, MEMBLOCK_NONE, &start, &end, NULL) {
		pfn_t spfn = kmax(PFN_UP(start), first_init_pfn);
		pfn_t epfn = kmin(kmin(PFN_DOWN(end), zone_end_pfn(zone)), max_low_pfn);

		if (spfn < epfn)
			nr_pages += deferred_init_range(pgdat->node_id, zid, spfn, epfn);
	}
	memmap_pages_initialised += nr_pages;
	deferred_init_ns += platform_clock_ns() - t0;

	/* Linux measures in jiffies; the app has the TSC (0 on the host). */
	pr_info("node %d deferred pages initialised in %llums\n", pgdat->node_id,
		(unsigned long long)((platform_clock_ns() - t0) / 1000000));
	return nr_pages;
}

unsigned long page_alloc_init_late(void)
{
	unsigned long nr_pages = 0;
	int nid;

	deferred_init_ns = 0;
	for_each_online_node(nid)
		if (NODE_DATA(nid))
			nr_pages += deferred_init_memmap(NODE_DATA(nid));
	/* All boot memory is in the free lists now: page_alloc.shuffle=1 shuffles them. */
	for_each_online_node(nid)
		if (NODE_DATA(nid))
			shuffle_free_memory(NODE_DATA(nid));
	return nr_pages;
}

/*
 * init_unavailable_range(): the struct pages of a hole that has a memory map
 * (its section is present) become PageReserved pages of @zid on @nid, so that
 * nothing treats them as memory. Returns how many there were, the count
 * Linux prints. Without a memory map (the replay tool, host sizing tests) the
 * count comes from the sections memblock.memory makes present.
 */
static u64 init_unavailable_range(pfn_t spfn, pfn_t epfn, int zone, int node)
{
	pfn_t pfn;
	u64 pgcnt = 0;

	if (!memmap_ready)
		return valid_pages_in_range(spfn, epfn);

	for (pfn = spfn; pfn < epfn; pfn++) {
		if (!pfn_valid(pageblock_start_pfn(pfn)) && !pfn_valid(pfn)) {
			pfn = pageblock_start_pfn(pfn) + pageblock_nr_pages - 1;
			continue;
		}
		__init_single_page(pfn_to_page(pfn), pfn, zone, node);
		__SetPageReserved(pfn_to_page(pfn));
		pgcnt++;
	}
	memmap_pages_initialised += pgcnt;
	return pgcnt;
}

static void memmap_init_one(int nid, enum zone_type zid, pfn_t spfn, pfn_t epfn, bool hole,
			    void *)
{
	if (!hole) {
		/* memmap_init_zone_range() */
		if (memmap_ready) {
			const struct zone *zone = &NODE_DATA(nid)->node_zones[zid];
			memmap_init_range(epfn - spfn, nid, zid, spfn, zone_end_pfn(zone), MIGRATE_MOVABLE);
		}
		return;
	}

	u64 pgcnt = init_unavailable_range(spfn, epfn, zid, nid);
	if (pgcnt)
		pr_info("On node %d, zone %s: %lld pages in unavailable ranges\n", nid, zone_names[zid],
			(long long)pgcnt);
}

void memmap_init(void)
{
	u64 t0 = platform_clock_ns();

	memmap_pages_initialised = 0;
	memmap_ready = sparse_memmap_ready;
	defer_prev_end_pfn = 0;
	defer_nr_initialised = 0;
	memmap_walk(memmap_init_one, nullptr);
	memmap_init_ns = platform_clock_ns() - t0;
}

unsigned long get_num_physpages(void)
{
	int nid;
	unsigned long phys_pages = 0;

	for_each_online_node(nid)
		if (NODE_DATA(nid))
			phys_pages += NODE_DATA(nid)->node_present_pages;

	return phys_pages;
}

unsigned long memblock_free_pages_count(void)
{
	phys_addr_t start, end;
	unsigned long pages = 0;
	u64 i;

	for_each_free_mem_range(i, NUMA_NO_NODE, MEMBLOCK_NONE, &start, &end, NULL) {
		pfn_t s = PFN_UP(start), e = PFN_DOWN(end);
		if (s < e)
			pages += e - s;
	}
	return pages;
}

void mem_print_totals(void)
{
	unsigned long physpages = get_num_physpages();
	/*
	 * After memblock_free_all(), Linux's nr_free_pages() and totalram_pages();
	 * before, what it would free. With deferred struct page init the buddy
	 * has only part of the memory yet, while totalram_pages() counts it all:
	 * Linux's reserved is physpages - totalram_pages(), not what is not free.
	 */
	unsigned long free_pages = totalram_pages() ? nr_free_pages() : memblock_free_pages_count();
	unsigned long managed = totalram_pages() ? totalram_pages() : free_pages;
	unsigned long reserved = physpages > managed ? physpages - managed : 0;

	pr_info("Memory: %luK/%luK available (%luK reserved)\n", free_pages << (PAGE_SHIFT - 10),
		physpages << (PAGE_SHIFT - 10), reserved << (PAGE_SHIFT - 10));
}
