// The boot-time memory allocator, mirroring include/linux/memblock.h and
// mm/memblock.c (Linux 6.x). Names and semantics are Linux's; the project
// decisions where Linux versions differ are listed at the top of memblock.cpp.
//
// memblock keeps two sorted, non-overlapping, maximally merged arrays of
// physical ranges: "memory" (what RAM exists) and "reserved" (what is in use,
// including everything memblock itself handed out). Free memory is
// memory minus reserved.
#pragma once

#include <limits.h>

#include "lib/types.h"

// include/linux/numa.h. MAX_NUMNODES bounds valid node ids (CONFIG_NODES_SHIFT=6).
constexpr int NUMA_NO_NODE = -1;
constexpr int MAX_NUMNODES = 64;

static inline bool numa_valid_node(int nid)
{
	return nid >= 0 && nid < MAX_NUMNODES;
}

#define INIT_MEMBLOCK_REGIONS 128
#define INIT_MEMBLOCK_RESERVED_REGIONS INIT_MEMBLOCK_REGIONS

/*
 * Region attribute bits (same values as Linux):
 *  MEMBLOCK_NONE           ordinary memory, nothing asked for
 *  MEMBLOCK_HOTPLUG        may be hot-removed later
 *  MEMBLOCK_MIRROR         mirrored (more reliable) memory
 *  MEMBLOCK_NOMAP          to be left out of the direct map
 *  MEMBLOCK_DRIVER_MANAGED RAM that a driver reports and adds; the firmware
 *                          memory map never lists it
 *  MEMBLOCK_RSRV_NOINIT    a reservation whose struct pages are left uninitialised
 */
enum memblock_flags : u32 {
	MEMBLOCK_NONE = 0x0,
	MEMBLOCK_HOTPLUG = 0x1,
	MEMBLOCK_MIRROR = 0x2,
	MEMBLOCK_NOMAP = 0x4,
	MEMBLOCK_DRIVER_MANAGED = 0x8,
	MEMBLOCK_RSRV_NOINIT = 0x10,
};

// C enums combine freely with | & ~; give the C++ enum the same ability.
constexpr memblock_flags operator|(memblock_flags a, memblock_flags b)
{
	return memblock_flags(u32(a) | u32(b));
}
constexpr memblock_flags operator&(memblock_flags a, memblock_flags b)
{
	return memblock_flags(u32(a) & u32(b));
}
constexpr memblock_flags operator~(memblock_flags a)
{
	return memblock_flags(~u32(a));
}
constexpr memblock_flags &operator|=(memblock_flags &a, memblock_flags b)
{
	return a = a | b;
}
constexpr memblock_flags &operator&=(memblock_flags &a, memblock_flags b)
{
	return a = a & b;
}

// One range [base, base + size) with its attribute bits and its NUMA node
// (nid stays NUMA_NO_NODE until some node is assigned).
struct memblock_region {
	phys_addr_t base;
	u64 size;
	enum memblock_flags flags;
	int nid;
};

// The sorted regions of one kind, called name ("memory" or "reserved") in the
// dump. regions has room for max entries and cnt of them are used (cnt is 0
// for an empty array, as in Linux >= 6.3); total_size adds up their sizes.
struct memblock_type {
	unsigned long cnt;
	unsigned long max;
	u64 total_size;
	struct memblock_region *regions;
	const char *name;
};

// All allocator state: the two region arrays, the search direction (bottom_up:
// from low addresses upwards instead of from the top) and current_limit, the
// physical address that default allocations stay below.
struct memblock {
	bool bottom_up;
	phys_addr_t current_limit;
	struct memblock_type memory;
	struct memblock_type reserved;
};

extern struct memblock memblock;

// memblock=debug on the command line (Linux: static int memblock_debug).
extern bool memblock_debug;
// Ours: counts the changes to memblock.memory and memblock.reserved (ranges
// and nodes), so that a cache of what they said can tell it is stale
// (early_pfn_to_nid()'s early_pfnnid_cache).
extern unsigned long memblock_changes;

// Special end / max_addr arguments for the allocation functions.
#define MEMBLOCK_ALLOC_ANYWHERE PHYS_ADDR_MAX
#define MEMBLOCK_ALLOC_ACCESSIBLE 0
#define MEMBLOCK_ALLOC_NOLEAKTRACE 1

// Lowest address for memblock allocations.
#define MEMBLOCK_LOW_LIMIT 0
// asm-generic default: "low" allocations stay below 4 GiB.
#define ARCH_LOW_ADDRESS_LIMIT 0xffffffffUL

// Restore the pristine, statically initialised state: the static region
// arrays, cnt 0, top-down, current_limit ANYWHERE, memblock_debug off,
// resizing disallowed, no mirror seen. For tests and for a fresh app run.
void memblock_reset(void);

// early_param("memblock", ...): "debug" enables memblock_dbg() output.
// Returns 0, or -EINVAL for a missing or unknown value.
int early_memblock(const char *val);

/* Cut *@size down so that @base + *@size cannot wrap past PHYS_ADDR_MAX; returns it. */
static inline u64 memblock_cap_size(phys_addr_t base, u64 *size)
{
	return *size = min_t(u64, *size, PHYS_ADDR_MAX - base);
}

static inline void memblock_set_region_node(struct memblock_region *r, int nid)
{
	r->nid = nid;
}

static inline int memblock_get_region_node(const struct memblock_region *r)
{
	return r->nid;
}

static inline bool memblock_is_hotpluggable(const struct memblock_region *m)
{
	return m->flags & MEMBLOCK_HOTPLUG;
}

static inline bool memblock_is_mirror(const struct memblock_region *m)
{
	return m->flags & MEMBLOCK_MIRROR;
}

static inline bool memblock_is_nomap(const struct memblock_region *m)
{
	return m->flags & MEMBLOCK_NOMAP;
}

static inline bool memblock_is_reserved_noinit(const struct memblock_region *m)
{
	return m->flags & MEMBLOCK_RSRV_NOINIT;
}

static inline bool memblock_is_driver_managed(const struct memblock_region *m)
{
	return m->flags & MEMBLOCK_DRIVER_MANAGED;
}

/*
 * The caller, for memblock=debug lines. Linux prints %pS of _RET_IP_
 * ("e820__memblock_setup+0x65/0x7d"); with no symbol table, the app prints the
 * caller's name, which the compiler supplies at each call site.
 */
#define MEMBLOCK_CALLER const char *caller = __builtin_FUNCTION()

/* Adding, removing, reserving and freeing ranges: 0 or -ENOMEM. */
int memblock_add_node(phys_addr_t base, u64 size, int nid,
		      enum memblock_flags flags, MEMBLOCK_CALLER);
int memblock_add(phys_addr_t base, u64 size, MEMBLOCK_CALLER);
int memblock_remove(phys_addr_t base, u64 size, MEMBLOCK_CALLER);
int memblock_phys_free(phys_addr_t base, u64 size, MEMBLOCK_CALLER);
int memblock_reserve(phys_addr_t base, u64 size, MEMBLOCK_CALLER);
void memblock_free(void *ptr, size_t size);

void memblock_allow_resize(void);
int memblock_set_node(phys_addr_t base, u64 size,
		      struct memblock_type *type, int nid);
void memblock_trim_memory(u64 align);
bool memblock_overlaps_region(struct memblock_type *type,
			      phys_addr_t base, u64 size);

int memblock_mark_hotplug(phys_addr_t base, u64 size);
int memblock_clear_hotplug(phys_addr_t base, u64 size);
int memblock_mark_mirror(phys_addr_t base, u64 size);
int memblock_mark_nomap(phys_addr_t base, u64 size);
int memblock_clear_nomap(phys_addr_t base, u64 size);
int memblock_reserved_mark_noinit(phys_addr_t base, u64 size);

/* Finding free ranges: the address found, or 0 on failure. */
phys_addr_t memblock_find_in_range_node(u64 size, u64 align,
					phys_addr_t start, phys_addr_t end,
					int nid, enum memblock_flags flags);
phys_addr_t memblock_find_in_range(phys_addr_t start, phys_addr_t end,
				   u64 size, u64 align);

/* Physical allocations: the address, or 0 on failure. Memory is not zeroed. */
phys_addr_t memblock_alloc_range_nid(u64 size, u64 align,
				     phys_addr_t start, phys_addr_t end,
				     int nid, bool exact_nid);
phys_addr_t memblock_phys_alloc_range(u64 size, u64 align,
				      phys_addr_t start, phys_addr_t end, MEMBLOCK_CALLER);
phys_addr_t memblock_phys_alloc_try_nid(u64 size, u64 align,
					int nid);

static inline phys_addr_t memblock_phys_alloc(u64 size, u64 align,
					      MEMBLOCK_CALLER)
{
	return memblock_phys_alloc_range(size, align, 0,
					 MEMBLOCK_ALLOC_ACCESSIBLE, caller);
}

/* Virtual allocations (__va of the block): the pointer, or nullptr. */
void *memblock_alloc_exact_nid_raw(u64 size, u64 align,
				   phys_addr_t min_addr, phys_addr_t max_addr,
				   int nid, MEMBLOCK_CALLER);
void *memblock_alloc_try_nid_raw(u64 size, u64 align,
				 phys_addr_t min_addr, phys_addr_t max_addr,
				 int nid, MEMBLOCK_CALLER);
void *memblock_alloc_try_nid(u64 size, u64 align,
			     phys_addr_t min_addr, phys_addr_t max_addr,
			     int nid, MEMBLOCK_CALLER);

// Zeroed.
static inline void *memblock_alloc(u64 size, u64 align, MEMBLOCK_CALLER)
{
	return memblock_alloc_try_nid(size, align, MEMBLOCK_LOW_LIMIT,
				      MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, caller);
}

// Not zeroed.
static inline void *memblock_alloc_raw(u64 size, u64 align, MEMBLOCK_CALLER)
{
	return memblock_alloc_try_nid_raw(size, align, MEMBLOCK_LOW_LIMIT,
					  MEMBLOCK_ALLOC_ACCESSIBLE,
					  NUMA_NO_NODE, caller);
}

static inline void *memblock_alloc_from(u64 size, u64 align,
					phys_addr_t min_addr, MEMBLOCK_CALLER)
{
	return memblock_alloc_try_nid(size, align, min_addr,
				      MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, caller);
}

static inline void *memblock_alloc_low(u64 size, u64 align, MEMBLOCK_CALLER)
{
	return memblock_alloc_try_nid(size, align, MEMBLOCK_LOW_LIMIT,
				      ARCH_LOW_ADDRESS_LIMIT, NUMA_NO_NODE, caller);
}

static inline void *memblock_alloc_node(u64 size, u64 align,
					int nid, MEMBLOCK_CALLER)
{
	return memblock_alloc_try_nid(size, align, MEMBLOCK_LOW_LIMIT,
				      MEMBLOCK_ALLOC_ACCESSIBLE, nid, caller);
}

// true: allocate upwards from low addresses; false (the default): from the top down.
static inline void memblock_set_bottom_up(bool enable)
{
	memblock.bottom_up = enable;
}

// Whether allocations currently search upwards from low addresses.
static inline bool memblock_bottom_up(void)
{
	return memblock.bottom_up;
}

void memblock_set_current_limit(phys_addr_t limit);
phys_addr_t memblock_get_current_limit(void);

u64 memblock_phys_mem_size(void);
u64 memblock_reserved_size(void);
phys_addr_t memblock_start_of_DRAM(void);
phys_addr_t memblock_end_of_DRAM(void);
bool memblock_is_memory(phys_addr_t addr);
bool memblock_is_map_memory(phys_addr_t addr);
bool memblock_is_region_memory(phys_addr_t base, u64 size);
bool memblock_is_reserved(phys_addr_t addr);
bool memblock_is_region_reserved(phys_addr_t base, u64 size);

// Prints the configuration when memblock=debug (as Linux); __memblock_dump_all
// prints unconditionally.
void memblock_dump_all(void);
void __memblock_dump_all(void);

/*
 * Internals. Static in Linux; exposed here so the host tests can drive them
 * directly (Linux's tools/testing/memblock compiles mm/memblock.c in instead).
 */
int memblock_add_range(struct memblock_type *type, phys_addr_t base,
		       u64 size, int nid, enum memblock_flags flags);
int memblock_remove_range(struct memblock_type *type, phys_addr_t base,
			  u64 size);
int memblock_isolate_range(struct memblock_type *type, phys_addr_t base,
			   u64 size, int *start_rgn, int *end_rgn);
void memblock_insert_region(struct memblock_type *type, int idx,
			    phys_addr_t base, u64 size, int nid,
			    enum memblock_flags flags);
void memblock_remove_region(struct memblock_type *type, unsigned long r);
void memblock_merge_regions(struct memblock_type *type);
int memblock_double_array(struct memblock_type *type,
			  phys_addr_t new_area_start,
			  u64 new_area_size);

/* Iterators */

void __next_mem_range(u64 *idx, int nid, enum memblock_flags flags,
		      struct memblock_type *type_a,
		      struct memblock_type *type_b, phys_addr_t *out_start,
		      phys_addr_t *out_end, int *out_nid);

void __next_mem_range_rev(u64 *idx, int nid, enum memblock_flags flags,
			  struct memblock_type *type_a,
			  struct memblock_type *type_b, phys_addr_t *out_start,
			  phys_addr_t *out_end, int *out_nid);

void __next_mem_pfn_range(int *idx, int nid, pfn_t *out_start_pfn,
			  pfn_t *out_end_pfn, int *out_nid);

/*
 * Loops over the parts of type_a's regions that type_b does not cover (all of
 * type_a when type_b is NULL), lowest first. i is the u64 cursor, nid selects a
 * node (NUMA_NO_NODE: every node) and flags which memory regions take part (see
 * should_skip_region()). Each range found is stored in *p_start and *p_end and
 * its node in *p_nid; any of these pointers may be NULL.
 */
#define __for_each_mem_range(i, type_a, type_b, nid, flags,		\
			     p_start, p_end, p_nid)			\
	for (i = 0, __next_mem_range(&i, nid, flags, type_a, type_b,	\
				     p_start, p_end, p_nid);		\
	     i != (u64)ULLONG_MAX;					\
	     __next_mem_range(&i, nid, flags, type_a, type_b,		\
			      p_start, p_end, p_nid))

// __for_each_mem_range(), highest range first (same arguments).
#define __for_each_mem_range_rev(i, type_a, type_b, nid, flags,	\
				 p_start, p_end, p_nid)			\
	for (i = (u64)ULLONG_MAX,					\
		     __next_mem_range_rev(&i, nid, flags, type_a, type_b, \
					  p_start, p_end, p_nid);	\
	     i != (u64)ULLONG_MAX;					\
	     __next_mem_range_rev(&i, nid, flags, type_a, type_b,	\
				  p_start, p_end, p_nid))

// Each memory range, driver-managed ones included and NOMAP ones left out; i is
// the u64 cursor, p_start and p_end may be NULL.
#define for_each_mem_range(i, p_start, p_end)				\
	__for_each_mem_range(i, &memblock.memory, NULL, NUMA_NO_NODE,	\
			     MEMBLOCK_HOTPLUG | MEMBLOCK_DRIVER_MANAGED,	\
			     p_start, p_end, NULL)

// for_each_mem_range(), highest range first.
#define for_each_mem_range_rev(i, p_start, p_end)			\
	__for_each_mem_range_rev(i, &memblock.memory, NULL, NUMA_NO_NODE, \
				 MEMBLOCK_HOTPLUG | MEMBLOCK_DRIVER_MANAGED, \
				 p_start, p_end, NULL)

// Each reserved range, lowest first; i is the u64 cursor, p_start and p_end
// may be NULL.
#define for_each_reserved_mem_range(i, p_start, p_end)			\
	__for_each_mem_range(i, &memblock.reserved, NULL, NUMA_NO_NODE,	\
			     MEMBLOCK_NONE, p_start, p_end, NULL)

/*
 * Memory regions in page frame numbers: [*p_start, *p_end) holds only the
 * whole pages of a region, and regions without a whole page are passed over.
 * nid selects a node (NUMA_NO_NODE or MAX_NUMNODES: every node); i is an int
 * cursor; p_start, p_end and p_nid may be NULL.
 */
#define for_each_mem_pfn_range(i, nid, p_start, p_end, p_nid)		\
	for (i = -1, __next_mem_pfn_range(&i, nid, p_start, p_end, p_nid); \
	     i >= 0; __next_mem_pfn_range(&i, nid, p_start, p_end, p_nid))

// Free memory: the ranges of memblock.memory that memblock.reserved leaves
// uncovered, lowest first. Arguments as for __for_each_mem_range().
#define for_each_free_mem_range(i, nid, flags, p_start, p_end, p_nid)	\
	__for_each_mem_range(i, &memblock.memory, &memblock.reserved,	\
			     nid, flags, p_start, p_end, p_nid)

// for_each_free_mem_range(), highest range first (same arguments).
#define for_each_free_mem_range_reverse(i, nid, flags, p_start, p_end,	\
					p_nid)				\
	__for_each_mem_range_rev(i, &memblock.memory, &memblock.reserved, \
				 nid, flags, p_start, p_end, p_nid)

// region points to each entry of memblock.memory in turn.
#define for_each_mem_region(region)					\
	for (region = memblock.memory.regions;				\
	     region < (memblock.memory.regions + memblock.memory.cnt);	\
	     region++)

// region points to each entry of memblock.reserved in turn.
#define for_each_reserved_mem_region(region)				\
	for (region = memblock.reserved.regions;			\
	     region < (memblock.reserved.regions + memblock.reserved.cnt); \
	     region++)

/*
 * memblock_free_all(): the end of memblock as an allocator. The struct pages of
 * every reserved range (and NOMAP memory) become PageReserved, and every free
 * range goes to the buddy free lists in the largest naturally aligned blocks
 * (up to max_low_pfn). Needs the memory map (sparse_init(), memmap_init()).
 * Returns the pages freed, which totalram_pages() also counts.
 */
unsigned long memblock_free_all(void);
