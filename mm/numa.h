// NUMA memory blocks, mirroring arch/x86/mm/numa.c (numa_meminfo, numa_add_memblk,
// numa_register_memblks, dummy_numa_init, x86_numa_init) and the NODE_DATA of
// include/linux/mmzone.h. The firmware side (ACPI SRAT in the app, SRAT lines of a
// dmesg in the replay tool) feeds numa_add_memblk().
#pragma once

#include "lib/types.h"
#include "mm/memblock.h" // MAX_NUMNODES, NUMA_NO_NODE

constexpr int NR_NODE_MEMBLKS = MAX_NUMNODES * 2;

struct numa_memblk {
	phys_addr_t start;
	phys_addr_t end; // exclusive
	int nid;
};

struct numa_meminfo {
	int nr_blks;
	struct numa_memblk blk[NR_NODE_MEMBLKS];
};

extern struct numa_meminfo numa_meminfo;

// Record that [start, end) belongs to node @nid (Linux: numa_add_memblk).
// Returns 0, or -EINVAL for a bad node or range, -ENOSPC when the table is full.
int numa_add_memblk(int nid, phys_addr_t start, phys_addr_t end);

// Forget every block and node (tests, app re-runs).
void numa_reset();

// Linux's x86_numa_init(): try @srat_init (returns 0 when it found NUMA
// information and added blocks with numa_add_memblk, negative otherwise), else
// dummy_numa_init() ("No NUMA configuration found", "Faking a node at [mem ...]").
// Then numa_register_memblks(): memblock_set_node() on memory and reserved, and
// NODE_DATA for every online node. Returns 0 or -errno.
int x86_numa_init(int (*srat_init)(void));

/*
 * Extensions (everything above is the contract; below is what the implementation
 * and its callers need as well).
 */

// include/linux/nodemask.h, reduced to the one word MAX_NUMNODES (64) needs.
struct nodemask_t {
	u64 bits;
};
static_assert(MAX_NUMNODES <= 64, "nodemask_t is one u64");

static inline void node_set(int nid, nodemask_t &mask) { mask.bits |= 1ULL << nid; }
static inline void node_clear(int nid, nodemask_t &mask) { mask.bits &= ~(1ULL << nid); }
static inline bool node_isset(int nid, const nodemask_t &mask) { return (mask.bits >> nid) & 1; }
static inline void nodes_clear(nodemask_t &mask) { mask.bits = 0; }
static inline bool nodes_empty(const nodemask_t &mask) { return mask.bits == 0; }
static inline int nodes_weight(const nodemask_t &mask) { return __builtin_popcountll(mask.bits); }
// The first node set in @mask at or after @nid; MAX_NUMNODES when none. One bit
// scan, as Linux's find_next_bit(): for_each_online_node() runs on the slab's
// refill path (get_any_partial()), where a loop over 64 bits cost 9%.
static inline int next_node(int nid, const nodemask_t &mask)
{
	if (nid >= MAX_NUMNODES)
		return MAX_NUMNODES;
	u64 rest = mask.bits & (~0ULL << (nid < 0 ? 0 : nid));
	return rest ? __builtin_ctzll(rest) : MAX_NUMNODES;
}
#define for_each_node_mask(nid, mask)                                            \
	for ((nid) = next_node(0, (mask)); (nid) < MAX_NUMNODES; (nid) = next_node((nid) + 1, (mask)))

// Nodes that have a pg_data_t (alloc_node_data() puts them online).
extern nodemask_t node_online_map;
// Nodes the firmware described (SRAT CPU or memory affinity). numa_add_memblk()
// does not set it: the SRAT parser does, as Linux's does; numa_register_memblks()
// adds every node of numa_meminfo anyway.
extern nodemask_t numa_nodes_parsed;

static inline bool node_online(int nid) { return numa_valid_node(nid) && node_isset(nid, node_online_map); }
static inline void node_set_online(int nid) { node_set(nid, node_online_map); }
static inline void node_set_offline(int nid) { node_clear(nid, node_online_map); }
static inline int num_online_nodes() { return nodes_weight(node_online_map); }
static inline int first_online_node() { return next_node(0, node_online_map); }
#define for_each_online_node(nid) for_each_node_mask(nid, node_online_map)

// x86's NODE_MIN_SIZE: a node with less memory gets no pg_data_t.
constexpr u64 NODE_MIN_SIZE = 4 * SZ_1M;

// numa=off (Linux: numa_off) and numa=noacpi (disable_srat: the SRAT is not used).
extern bool numa_off;
extern bool numa_noacpi;
// early_param("numa"): "off", "noacpi"; "fake=" and "nohmat" are accepted and
// ignored (no NUMA emulation, no HMAT here); anything else is -EINVAL.
int numa_setup(const char *opt);

// The steps of x86_numa_init(), exposed for the tests (static in Linux).
int numa_add_memblk_to(int nid, phys_addr_t start, phys_addr_t end, struct numa_meminfo *mi);
void numa_remove_memblk_from(int idx, struct numa_meminfo *mi);
// Trim blocks to RAM below max_pfn (blocks without memory move to the reserved
// meminfo), merge same-node neighbours ("NUMA: Node %d [mem ...] + [mem ...] ->
// [mem ...]"); -EINVAL (pr_err) when blocks of different nodes overlap.
int numa_cleanup_meminfo(struct numa_meminfo *mi);
// Does @mi cover all of memblock.memory below max_pfn (within 1 MiB)? Otherwise
// "NUMA: nodes only cover %LuMB of your %LuMB e820 RAM. Not used." and false.
bool numa_meminfo_cover_memory(const struct numa_meminfo *mi);
// memblock_set_node() of every block on memblock.memory and memblock.reserved,
// the coverage check, then NODE_DATA for every node with >= NODE_MIN_SIZE.
int numa_register_memblks(struct numa_meminfo *mi);
// "No NUMA configuration found" (or "NUMA turned off"), "Faking a node at
// [mem 0x0000000000000000-...]", one block [0, max_pfn << PAGE_SHIFT) on node 0.
int dummy_numa_init(void);
// Allocate, zero and put online the pg_data_t of @nid from its own node (falling
// back to any node), printing "NODE_DATA(%d) allocated [mem %#010Lx-%#010Lx]".
void alloc_node_data(int nid);
// The node memblock.memory gives @pfn, or the first online node (Linux's
// early_pfn_to_nid()).
int early_pfn_to_nid(pfn_t pfn);
