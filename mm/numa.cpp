// NUMA memory blocks, after arch/x86/mm/numa.c of Linux 6.1 (numa_add_memblk,
// numa_cleanup_meminfo, numa_register_memblks, numa_init, dummy_numa_init,
// x86_numa_init, alloc_node_data) and the node bookkeeping of nodemask.h.
//
// Where we differ from Linux:
//  - numa_add_memblk() returns -EINVAL for a block with a bad node or start > end
//    (the contract in numa.h; Linux whines and returns 0) and -ENOSPC when the
//    table is full (Linux: -EINVAL). Empty blocks are ignored, as in Linux.
//  - "No node" in memblock is NUMA_NO_NODE (this project's memblock, Linux >=
//    6.11); Linux 6.1's numa_init() resets the node ids to MAX_NUMNODES.
//  - No NUMA emulation (numa=fake=), no distance table, no CPU-to-node map, no
//    AMD Northbridge scan: the firmware side is the SRAT alone.
//  - The node_map_pfn_alignment() check is compiled out, as in Linux on x86-64
//    (NODE_NOT_IN_PAGE_FLAGS is not defined there).
//  - A pg_data_t that has no virtual address (the host without a physical memory
//    window) is reported and the node stays offline; Linux cannot get there.
#include "mm/numa.h"

#include <string.h>

#include "lib/errno.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "mm/mm_init.h"
#include "mm/mmzone.h"

constinit struct numa_meminfo numa_meminfo = {};
// Blocks without memory (or above max_pfn), kept as Linux keeps them for
// phys_to_target_node(); nothing reads them yet.
static constinit struct numa_meminfo numa_reserved_meminfo = {};

constinit nodemask_t node_online_map = {};
constinit nodemask_t numa_nodes_parsed = {};
constinit pg_data_t *node_data[MAX_NUMNODES] = {};

constinit bool numa_off = false;
constinit bool numa_noacpi = false;

// x86-64 L1 cache line (Linux: SMP_CACHE_BYTES).
static constexpr u64 NUMA_SMP_CACHE_BYTES = 64;

/* __early_pfn_to_nid()'s cache (early_pfn_to_nid() below). */
namespace {
struct mminit_pfnnid_cache {
	pfn_t last_start;
	pfn_t last_end;
	int last_nid;
	unsigned long changes;
};
constinit struct mminit_pfnnid_cache early_pfnnid_cache = {0, 0, 0, ~0UL};
} // namespace

void numa_reset()
{
	early_pfnnid_cache.changes = ~0UL;
	memset(&numa_meminfo, 0, sizeof(numa_meminfo));
	memset(&numa_reserved_meminfo, 0, sizeof(numa_reserved_meminfo));
	nodes_clear(node_online_map);
	nodes_clear(numa_nodes_parsed);
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		node_data[nid] = nullptr;
	numa_off = false;
	numa_noacpi = false;
}

int numa_setup(const char *opt)
{
	if (!opt)
		return -EINVAL;
	if (!strcmp(opt, "off")) {
		numa_off = true;
		return 0;
	}
	if (!strcmp(opt, "noacpi")) {
		numa_noacpi = true;
		return 0;
	}
	if (!strncmp(opt, "fake=", 5) || !strcmp(opt, "nohmat"))
		return 0;
	return -EINVAL;
}

int numa_add_memblk_to(int nid, phys_addr_t start, phys_addr_t end, struct numa_meminfo *mi)
{
	/* an empty block is skipped silently */
	if (start == end)
		return 0;

	/* bad node or reversed range: warn and refuse (Linux ignores them and returns 0) */
	if (start > end || nid < 0 || nid >= MAX_NUMNODES) {
		pr_warn("Warning: invalid memblk node %d [mem %#010Lx-%#010Lx]\n", nid,
			(unsigned long long)start, (unsigned long long)(end - 1));
		return -EINVAL;
	}

	if (mi->nr_blks >= NR_NODE_MEMBLKS) {
		pr_err("too many memblk ranges\n");
		return -ENOSPC;
	}

	mi->blk[mi->nr_blks].start = start;
	mi->blk[mi->nr_blks].end = end;
	mi->blk[mi->nr_blks].nid = nid;
	mi->nr_blks++;
	return 0;
}

void numa_remove_memblk_from(int idx, struct numa_meminfo *mi)
{
	mi->nr_blks--;
	memmove(&mi->blk[idx], &mi->blk[idx + 1], (mi->nr_blks - idx) * sizeof(mi->blk[0]));
}

// Move block @idx of @src to the end of @dst (Linux: numa_move_tail_memblk).
static void numa_move_tail_memblk(struct numa_meminfo *dst, int idx, struct numa_meminfo *src)
{
	const struct numa_memblk *b = &src->blk[idx];
	if (dst->nr_blks < NR_NODE_MEMBLKS)
		dst->blk[dst->nr_blks++] = *b;
	numa_remove_memblk_from(idx, src);
}

int numa_add_memblk(int nid, phys_addr_t start, phys_addr_t end)
{
	return numa_add_memblk_to(nid, start, end, &numa_meminfo);
}

int numa_cleanup_meminfo(struct numa_meminfo *mi)
{
	const phys_addr_t low = 0;
	const phys_addr_t high = PFN_PHYS(max_pfn);
	int i, j, k;

	/* pass 1: clip every block, drop what ends up empty */
	for (i = 0; i < mi->nr_blks; i++) {
		struct numa_memblk *bi = &mi->blk[i];

		/* no RAM under it: park it in numa_reserved_meminfo */
		if (!memblock_overlaps_region(&memblock.memory, bi->start, bi->end - bi->start)) {
			numa_move_tail_memblk(&numa_reserved_meminfo, i--, mi);
			continue;
		}

		/* a block with RAM is clipped to [low, high) */
		bi->start = kmax(bi->start, low);

		/* the part past max_pfn has no RAM: keep it as reserved info */
		if (bi->end > high) {
			numa_add_memblk_to(bi->nid, high, bi->end, &numa_reserved_meminfo);
			bi->end = high;
		}

		/* clipping may have left nothing */
		if (bi->start >= bi->end)
			numa_remove_memblk_from(i--, mi);
	}

	/* pass 2: merge blocks of the same node */
	for (i = 0; i < mi->nr_blks; i++) {
		struct numa_memblk *bi = &mi->blk[i];

		for (j = i + 1; j < mi->nr_blks; j++) {
			struct numa_memblk *bj = &mi->blk[j];
			phys_addr_t start, end;

			/*
			 * Blocks of two nodes must not intersect (an error); an overlap
			 * within one node only earns a warning, the merge absorbs it.
			 */
			if (bi->end > bj->start && bi->start < bj->end) {
				if (bi->nid != bj->nid) {
					pr_err("node %d [mem %#010Lx-%#010Lx] overlaps with node %d [mem %#010Lx-%#010Lx]\n",
					       bi->nid, (unsigned long long)bi->start,
					       (unsigned long long)(bi->end - 1), bj->nid,
					       (unsigned long long)bj->start, (unsigned long long)(bj->end - 1));
					return -EINVAL;
				}
				pr_warn("Warning: node %d [mem %#010Lx-%#010Lx] overlaps with itself [mem %#010Lx-%#010Lx]\n",
					bi->nid, (unsigned long long)bi->start, (unsigned long long)(bi->end - 1),
					(unsigned long long)bj->start, (unsigned long long)(bj->end - 1));
			}

			/*
			 * Two blocks of one node become the range covering both, unless
			 * that range would take in a block of another node.
			 */
			if (bi->nid != bj->nid)
				continue;
			start = kmin(bi->start, bj->start);
			end = kmax(bi->end, bj->end);
			for (k = 0; k < mi->nr_blks; k++) {
				struct numa_memblk *bk = &mi->blk[k];

				if (bi->nid == bk->nid)
					continue;
				if (start < bk->end && end > bk->start)
					break;
			}
			if (k < mi->nr_blks)
				continue;
			pr_info("NUMA: Node %d [mem %#010Lx-%#010Lx] + [mem %#010Lx-%#010Lx] -> [mem %#010Lx-%#010Lx]\n",
				bi->nid, (unsigned long long)bi->start, (unsigned long long)(bi->end - 1),
				(unsigned long long)bj->start, (unsigned long long)(bj->end - 1),
				(unsigned long long)start, (unsigned long long)(end - 1));
			bi->start = start;
			bi->end = end;
			numa_remove_memblk_from(j--, mi);
		}
	}

	/* blank the slots past nr_blks */
	for (i = mi->nr_blks; i < (int)ARRAY_SIZE(mi->blk); i++) {
		mi->blk[i].start = mi->blk[i].end = 0;
		mi->blk[i].nid = NUMA_NO_NODE;
	}

	return 0;
}

bool numa_meminfo_cover_memory(const struct numa_meminfo *mi)
{
	u64 numaram, e820ram;
	int i;

	numaram = 0;
	for (i = 0; i < mi->nr_blks; i++) {
		pfn_t s = PFN_DOWN(mi->blk[i].start);
		pfn_t e = PFN_DOWN(mi->blk[i].end);
		numaram += e - s;
		numaram -= __absent_pages_in_range(mi->blk[i].nid, s, e);
		if ((s64)numaram < 0)
			numaram = 0;
	}

	e820ram = (unsigned long)max_pfn - absent_pages_in_range(0, max_pfn);

	/* A shortfall under 1 MiB is tolerated (Linux finds ~3 pages go missing). */
	if ((s64)(e820ram - numaram) >= (1 << (20 - PAGE_SHIFT))) {
		pr_err("NUMA: nodes only cover %LuMB of your %LuMB e820 RAM. Not used.\n",
		       (unsigned long long)((numaram << PAGE_SHIFT) >> 20),
		       (unsigned long long)((e820ram << PAGE_SHIFT) >> 20));
		return false;
	}
	return true;
}

/*
 * early_pfn_to_nid() with __early_pfn_to_nid()'s early_pfnnid_cache (Linux:
 * mm/mm_init.c): the range of the last lookup answers the next one, as
 * reserve_bootmem_region() asks page by page. Ours: the cache also remembers
 * memblock_changes, so a changed memblock empties it.
 */

int early_pfn_to_nid(pfn_t pfn)
{
	struct mminit_pfnnid_cache *state = &early_pfnnid_cache;
	pfn_t start_pfn, end_pfn;
	int i, nid;

	if (state->changes == memblock_changes && state->last_start <= pfn && pfn < state->last_end)
		return state->last_nid;

	for_each_mem_pfn_range(i, MAX_NUMNODES, &start_pfn, &end_pfn, &nid) {
		if (start_pfn <= pfn && pfn < end_pfn) {
			if (!numa_valid_node(nid))
				return first_online_node(); /* not cached: the online map may change */
			*state = {start_pfn, end_pfn, nid, memblock_changes};
			return nid;
		}
	}
	return first_online_node();
}

void alloc_node_data(int nid)
{
	const size_t nd_size = round_up(sizeof(pg_data_t), PAGE_SIZE);
	phys_addr_t nd_pa;
	void *nd;
	int tnid;

	/*
	 * The pg_data_t goes on @nid when it has room, else on any node.
	 */
	nd_pa = memblock_phys_alloc_try_nid(nd_size, NUMA_SMP_CACHE_BYTES, nid);
	if (!nd_pa) {
		pr_err("Cannot find %zu bytes in any node (initial node: %d)\n", nd_size, nid);
		return;
	}
	nd = __va(nd_pa);
	if (!nd) {
		pr_err("NODE_DATA(%d) at %#010Lx has no virtual address\n", nid, (unsigned long long)nd_pa);
		memblock_phys_free(nd_pa, nd_size);
		return;
	}

	/* say where it landed, then zero it and bring the node online */
	pr_info("NODE_DATA(%d) allocated [mem %#010Lx-%#010Lx]\n", nid, (unsigned long long)nd_pa,
		(unsigned long long)(nd_pa + nd_size - 1));
	tnid = early_pfn_to_nid(PHYS_PFN(nd_pa));
	if (tnid != nid)
		pr_info("    NODE_DATA(%d) on node %d\n", nid, tnid);

	node_data[nid] = (pg_data_t *)nd;
	memset(NODE_DATA(nid), 0, sizeof(pg_data_t));
	NODE_DATA(nid)->node_id = nid;

	node_set_online(nid);
}

/*
 * Linux's numa_clear_kernel_node_hotplug(): give memblock.reserved the node ids
 * of numa_meminfo (splitting reservations at node boundaries), then clear
 * MEMBLOCK_HOTPLUG on every node that holds a reservation: memory the kernel
 * already uses cannot be hot-removed.
 */
static void numa_clear_kernel_node_hotplug(void)
{
	nodemask_t reserved_nodemask = {};
	struct memblock_region *mb_region;
	int i;

	for (i = 0; i < numa_meminfo.nr_blks; i++) {
		struct numa_memblk *mb = numa_meminfo.blk + i;
		int ret = memblock_set_node(mb->start, mb->end - mb->start, &memblock.reserved, mb->nid);
		if (ret)
			pr_err("NUMA: cannot set node %d on reserved memory (%d)\n", mb->nid, ret);
	}

	for_each_reserved_mem_region(mb_region) {
		int nid = memblock_get_region_node(mb_region);

		if (numa_valid_node(nid))
			node_set(nid, reserved_nodemask);
	}

	for (i = 0; i < numa_meminfo.nr_blks; i++) {
		struct numa_memblk *mb = numa_meminfo.blk + i;

		if (!node_isset(mb->nid, reserved_nodemask))
			continue;

		memblock_clear_hotplug(mb->start, mb->end - mb->start);
	}
}

int numa_register_memblks(struct numa_meminfo *mi)
{
	nodemask_t node_possible_map;
	int i, nid;

	/* the parsed nodes (CPU-only ones too), plus every node with a block */
	node_possible_map = numa_nodes_parsed;
	for (i = 0; i < mi->nr_blks; i++)
		if (mi->blk[i].start != mi->blk[i].end && numa_valid_node(mi->blk[i].nid))
			node_set(mi->blk[i].nid, node_possible_map);
	if (nodes_empty(node_possible_map)) {
		pr_err("NUMA: no node has memory\n");
		return -EINVAL;
	}

	for (i = 0; i < mi->nr_blks; i++) {
		struct numa_memblk *mb = &mi->blk[i];
		memblock_set_node(mb->start, mb->end - mb->start, &memblock.memory, mb->nid);
	}

	/*
	 * The kernel already occupies memory this early (its image, boot
	 * allocations); a node holding any of it can never be unplugged.
	 */
	numa_clear_kernel_node_hotplug();

	if (!numa_meminfo_cover_memory(mi))
		return -EINVAL;

	/* Bring up each node: the span of its blocks, then alloc_node_data(). */
	for_each_node_mask(nid, node_possible_map) {
		phys_addr_t start = PFN_PHYS(max_pfn);
		phys_addr_t end = 0;

		for (i = 0; i < mi->nr_blks; i++) {
			if (nid != mi->blk[i].nid)
				continue;
			start = kmin(mi->blk[i].start, start);
			end = kmax(mi->blk[i].end, end);
		}

		if (start >= end)
			continue;

		/* a node below NODE_MIN_SIZE would only mislead the VM: skip it */
		if (end && (end - start) < NODE_MIN_SIZE)
			continue;

		alloc_node_data(nid);
	}

	/* show memblock with the node ids now set */
	memblock_dump_all();
	return 0;
}

int dummy_numa_init(void)
{
	pr_info("%s\n", numa_off ? "NUMA turned off" : "No NUMA configuration found");
	pr_info("Faking a node at [mem %#018Lx-%#018Lx]\n", 0ULL,
		(unsigned long long)(PFN_PHYS(max_pfn) - 1));

	node_set(0, numa_nodes_parsed);
	numa_add_memblk(0, 0, PFN_PHYS(max_pfn));

	return 0;
}

/*
 * Linux's numa_init(): reset every node id and the node maps, let @init_func
 * describe the nodes, then clean up and register what it found.
 */
static int numa_init(int (*init_func)(void))
{
	int ret;

	nodes_clear(numa_nodes_parsed);
	nodes_clear(node_online_map);
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		node_data[nid] = nullptr;
	memset(&numa_meminfo, 0, sizeof(numa_meminfo));
	memset(&numa_reserved_meminfo, 0, sizeof(numa_reserved_meminfo));
	if (memblock_set_node(0, U64_MAX, &memblock.memory, NUMA_NO_NODE) ||
	    memblock_set_node(0, U64_MAX, &memblock.reserved, NUMA_NO_NODE))
		pr_err("NUMA: cannot reset the node ids of memblock\n");
	/* drop hotplug marks a failed earlier SRAT parse may have left */
	memblock_clear_hotplug(0, U64_MAX);

	ret = init_func();
	if (ret < 0)
		return ret;

	/*
	 * Back to top-down: the SRAT parser may have set bottom-up.
	 */
	memblock_set_bottom_up(false);

	ret = numa_cleanup_meminfo(&numa_meminfo);
	if (ret < 0)
		return ret;

	return numa_register_memblks(&numa_meminfo);
}

int x86_numa_init(int (*srat_init)(void))
{
	if (!numa_off) {
		if (srat_init && !numa_noacpi && !numa_init(srat_init))
			return 0;
	}

	return numa_init(dummy_numa_init);
}
