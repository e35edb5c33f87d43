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

/**
 * enum memblock_flags - definition of memory region attributes (Linux values)
 * @MEMBLOCK_NONE: no special request
 * @MEMBLOCK_HOTPLUG: memory region that is hotpluggable
 * @MEMBLOCK_MIRROR: mirrored region
 * @MEMBLOCK_NOMAP: don't add to the kernel direct mapping
 * @MEMBLOCK_DRIVER_MANAGED: memory region that is always detected and added
 *	via a driver, never from firmware tables
 * @MEMBLOCK_RSRV_NOINIT: reserved region whose struct pages are not initialised
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

/**
 * struct memblock_region - represents a memory region
 * @base: base address of the region
 * @size: size of the region
 * @flags: memory region attributes
 * @nid: NUMA node id, NUMA_NO_NODE when not assigned
 */
struct memblock_region {
	phys_addr_t base;
	phys_addr_t size;
	enum memblock_flags flags;
	int nid;
};

/**
 * struct memblock_type - collection of memory regions of certain type
 * @cnt: number of regions (0 when empty, as in Linux >= 6.3)
 * @max: size of the allocated array
 * @total_size: size of all regions
 * @regions: array of regions
 * @name: the memory type symbolic name
 */
struct memblock_type {
	unsigned long cnt;
	unsigned long max;
	phys_addr_t total_size;
	struct memblock_region *regions;
	const char *name;
};

/**
 * struct memblock - memblock allocator metadata
 * @bottom_up: is bottom up direction?
 * @current_limit: physical address of the current allocation limit
 * @memory: usable memory regions
 * @reserved: reserved memory regions
 */
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

// Flags for memblock allocation APIs (end / max_addr values).
#define MEMBLOCK_ALLOC_ANYWHERE (~(phys_addr_t)0)
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

/* adjust *@size so that (@base + *@size) doesn't overflow, return new size */
static inline phys_addr_t memblock_cap_size(phys_addr_t base, phys_addr_t *size)
{
	return *size = min_t(phys_addr_t, *size, PHYS_ADDR_MAX - base);
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
int memblock_add_node(phys_addr_t base, phys_addr_t size, int nid,
		      enum memblock_flags flags, MEMBLOCK_CALLER);
int memblock_add(phys_addr_t base, phys_addr_t size, MEMBLOCK_CALLER);
int memblock_remove(phys_addr_t base, phys_addr_t size, MEMBLOCK_CALLER);
int memblock_phys_free(phys_addr_t base, phys_addr_t size, MEMBLOCK_CALLER);
int memblock_reserve(phys_addr_t base, phys_addr_t size, MEMBLOCK_CALLER);
void memblock_free(void *ptr, size_t size);

void memblock_allow_resize(void);
int memblock_set_node(phys_addr_t base, phys_addr_t size,
		      struct memblock_type *type, int nid);
void memblock_trim_memory(phys_addr_t align);
bool memblock_overlaps_region(struct memblock_type *type,
			      phys_addr_t base, phys_addr_t size);

int memblock_mark_hotplug(phys_addr_t base, phys_addr_t size);
int memblock_clear_hotplug(phys_addr_t base, phys_addr_t size);
int memblock_mark_mirror(phys_addr_t base, phys_addr_t size);
int memblock_mark_nomap(phys_addr_t base, phys_addr_t size);
int memblock_clear_nomap(phys_addr_t base, phys_addr_t size);
int memblock_reserved_mark_noinit(phys_addr_t base, phys_addr_t size);

/* Finding free ranges: the address found, or 0 on failure. */
phys_addr_t memblock_find_in_range_node(phys_addr_t size, phys_addr_t align,
					phys_addr_t start, phys_addr_t end,
					int nid, enum memblock_flags flags);
phys_addr_t memblock_find_in_range(phys_addr_t start, phys_addr_t end,
				   phys_addr_t size, phys_addr_t align);

/* Physical allocations: the address, or 0 on failure. Memory is not zeroed. */
phys_addr_t memblock_alloc_range_nid(phys_addr_t size, phys_addr_t align,
				     phys_addr_t start, phys_addr_t end,
				     int nid, bool exact_nid);
phys_addr_t memblock_phys_alloc_range(phys_addr_t size, phys_addr_t align,
				      phys_addr_t start, phys_addr_t end, MEMBLOCK_CALLER);
phys_addr_t memblock_phys_alloc_try_nid(phys_addr_t size, phys_addr_t align,
					int nid);

static inline phys_addr_t memblock_phys_alloc(phys_addr_t size, phys_addr_t align,
					      MEMBLOCK_CALLER)
{
	return memblock_phys_alloc_range(size, align, 0,
					 MEMBLOCK_ALLOC_ACCESSIBLE, caller);
}

/* Virtual allocations (__va of the block): the pointer, or nullptr. */
void *memblock_alloc_exact_nid_raw(phys_addr_t size, phys_addr_t align,
				   phys_addr_t min_addr, phys_addr_t max_addr,
				   int nid, MEMBLOCK_CALLER);
void *memblock_alloc_try_nid_raw(phys_addr_t size, phys_addr_t align,
				 phys_addr_t min_addr, phys_addr_t max_addr,
				 int nid, MEMBLOCK_CALLER);
void *memblock_alloc_try_nid(phys_addr_t size, phys_addr_t align,
			     phys_addr_t min_addr, phys_addr_t max_addr,
			     int nid, MEMBLOCK_CALLER);

// Zeroed.
static inline void *memblock_alloc(phys_addr_t size, phys_addr_t align, MEMBLOCK_CALLER)
{
	return memblock_alloc_try_nid(size, align, MEMBLOCK_LOW_LIMIT,
				      MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, caller);
}

// Not zeroed.
static inline void *memblock_alloc_raw(phys_addr_t size, phys_addr_t align, MEMBLOCK_CALLER)
{
	return memblock_alloc_try_nid_raw(size, align, MEMBLOCK_LOW_LIMIT,
					  MEMBLOCK_ALLOC_ACCESSIBLE,
					  NUMA_NO_NODE, caller);
}

static inline void *memblock_alloc_from(phys_addr_t size, phys_addr_t align,
					phys_addr_t min_addr, MEMBLOCK_CALLER)
{
	return memblock_alloc_try_nid(size, align, min_addr,
				      MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, caller);
}

static inline void *memblock_alloc_low(phys_addr_t size, phys_addr_t align, MEMBLOCK_CALLER)
{
	return memblock_alloc_try_nid(size, align, MEMBLOCK_LOW_LIMIT,
				      ARCH_LOW_ADDRESS_LIMIT, NUMA_NO_NODE, caller);
}

static inline void *memblock_alloc_node(phys_addr_t size, phys_addr_t align,
					int nid, MEMBLOCK_CALLER)
{
	return memblock_alloc_try_nid(size, align, MEMBLOCK_LOW_LIMIT,
				      MEMBLOCK_ALLOC_ACCESSIBLE, nid, caller);
}

/*
 * Set the allocation direction to bottom-up or top-down.
 */
static inline void memblock_set_bottom_up(bool enable)
{
	memblock.bottom_up = enable;
}

/*
 * Check if the allocation direction is bottom-up or not.
 * if this is true, that said, memblock will allocate memory
 * in bottom-up direction.
 */
static inline bool memblock_bottom_up(void)
{
	return memblock.bottom_up;
}

void memblock_set_current_limit(phys_addr_t limit);
phys_addr_t memblock_get_current_limit(void);

phys_addr_t memblock_phys_mem_size(void);
phys_addr_t memblock_reserved_size(void);
phys_addr_t memblock_start_of_DRAM(void);
phys_addr_t memblock_end_of_DRAM(void);
bool memblock_is_memory(phys_addr_t addr);
bool memblock_is_map_memory(phys_addr_t addr);
bool memblock_is_region_memory(phys_addr_t base, phys_addr_t size);
bool memblock_is_reserved(phys_addr_t addr);
bool memblock_is_region_reserved(phys_addr_t base, phys_addr_t size);

// Prints the configuration when memblock=debug (as Linux); __memblock_dump_all
// prints unconditionally.
void memblock_dump_all(void);
void __memblock_dump_all(void);

/*
 * Internals. Static in Linux; exposed here so the host tests can drive them
 * directly (Linux's tools/testing/memblock compiles mm/memblock.c in instead).
 */
int memblock_add_range(struct memblock_type *type, phys_addr_t base,
		       phys_addr_t size, int nid, enum memblock_flags flags);
int memblock_remove_range(struct memblock_type *type, phys_addr_t base,
			  phys_addr_t size);
int memblock_isolate_range(struct memblock_type *type, phys_addr_t base,
			   phys_addr_t size, int *start_rgn, int *end_rgn);
void memblock_insert_region(struct memblock_type *type, int idx,
			    phys_addr_t base, phys_addr_t size, int nid,
			    enum memblock_flags flags);
void memblock_remove_region(struct memblock_type *type, unsigned long r);
void memblock_merge_regions(struct memblock_type *type);
int memblock_double_array(struct memblock_type *type,
			  phys_addr_t new_area_start,
			  phys_addr_t new_area_size);

/* Iterators */

void __next_mem_range(u64 *idx, int nid, enum memblock_flags flags,
		      struct memblock_type *type_a,
		      struct memblock_type *type_b, phys_addr_t *out_start,
		      phys_addr_t *out_end, int *out_nid);

void __next_mem_range_rev(u64 *idx, int nid, enum memblock_flags flags,
			  struct memblock_type *type_a,
			  struct memblock_type *type_b, phys_addr_t *out_start,
			  phys_addr_t *out_end, int *out_nid);

void __next_mem_pfn_range(int *idx, int nid, unsigned long *out_start_pfn,
			  unsigned long *out_end_pfn, int *out_nid);

/**
 * __for_each_mem_range - iterate through memblock areas from type_a and not
 * included in type_b. Or just type_a if type_b is NULL.
 * @i: u64 used as loop variable
 * @type_a: ptr to memblock_type to iterate
 * @type_b: ptr to memblock_type which excludes from the iteration
 * @nid: node selector, %NUMA_NO_NODE for all nodes
 * @flags: pick from blocks based on memory attributes
 * @p_start: ptr to phys_addr_t for start address of the range, can be %NULL
 * @p_end: ptr to phys_addr_t for end address of the range, can be %NULL
 * @p_nid: ptr to int for nid of the range, can be %NULL
 */
#define __for_each_mem_range(i, type_a, type_b, nid, flags,		\
			     p_start, p_end, p_nid)			\
	for (i = 0, __next_mem_range(&i, nid, flags, type_a, type_b,	\
				     p_start, p_end, p_nid);		\
	     i != (u64)ULLONG_MAX;					\
	     __next_mem_range(&i, nid, flags, type_a, type_b,		\
			      p_start, p_end, p_nid))

/**
 * __for_each_mem_range_rev - reverse iterate through memblock areas from
 * type_a and not included in type_b. Or just type_a if type_b is NULL.
 * (arguments as __for_each_mem_range)
 */
#define __for_each_mem_range_rev(i, type_a, type_b, nid, flags,	\
				 p_start, p_end, p_nid)			\
	for (i = (u64)ULLONG_MAX,					\
		     __next_mem_range_rev(&i, nid, flags, type_a, type_b, \
					  p_start, p_end, p_nid);	\
	     i != (u64)ULLONG_MAX;					\
	     __next_mem_range_rev(&i, nid, flags, type_a, type_b,	\
				  p_start, p_end, p_nid))

/**
 * for_each_mem_range - iterate through memory areas.
 * @i: u64 used as loop variable
 * @p_start: ptr to phys_addr_t for start address of the range, can be %NULL
 * @p_end: ptr to phys_addr_t for end address of the range, can be %NULL
 */
#define for_each_mem_range(i, p_start, p_end)				\
	__for_each_mem_range(i, &memblock.memory, NULL, NUMA_NO_NODE,	\
			     MEMBLOCK_HOTPLUG | MEMBLOCK_DRIVER_MANAGED,	\
			     p_start, p_end, NULL)

/**
 * for_each_mem_range_rev - reverse iterate through memblock areas from
 * type_a and not included in type_b. Or just type_a if type_b is NULL.
 */
#define for_each_mem_range_rev(i, p_start, p_end)			\
	__for_each_mem_range_rev(i, &memblock.memory, NULL, NUMA_NO_NODE, \
				 MEMBLOCK_HOTPLUG | MEMBLOCK_DRIVER_MANAGED, \
				 p_start, p_end, NULL)

/**
 * for_each_reserved_mem_range - iterate over all reserved memblock areas
 * @i: u64 used as loop variable
 * @p_start: ptr to phys_addr_t for start address of the range, can be %NULL
 * @p_end: ptr to phys_addr_t for end address of the range, can be %NULL
 */
#define for_each_reserved_mem_range(i, p_start, p_end)			\
	__for_each_mem_range(i, &memblock.reserved, NULL, NUMA_NO_NODE,	\
			     MEMBLOCK_NONE, p_start, p_end, NULL)

/**
 * for_each_mem_pfn_range - early memory pfn range iterator
 * @i: an integer used as loop variable
 * @nid: node selector, %MAX_NUMNODES or %NUMA_NO_NODE for all nodes
 * @p_start: ptr to ulong for start pfn of the range, can be %NULL
 * @p_end: ptr to ulong for end pfn of the range, can be %NULL
 * @p_nid: ptr to int for nid of the range, can be %NULL
 *
 * Walks over configured memory ranges (whole pages only).
 */
#define for_each_mem_pfn_range(i, nid, p_start, p_end, p_nid)		\
	for (i = -1, __next_mem_pfn_range(&i, nid, p_start, p_end, p_nid); \
	     i >= 0; __next_mem_pfn_range(&i, nid, p_start, p_end, p_nid))

/**
 * for_each_free_mem_range - iterate through free memblock areas
 * @i: u64 used as loop variable
 * @nid: node selector, %NUMA_NO_NODE for all nodes
 * @flags: pick from blocks based on memory attributes
 * @p_start: ptr to phys_addr_t for start address of the range, can be %NULL
 * @p_end: ptr to phys_addr_t for end address of the range, can be %NULL
 * @p_nid: ptr to int for nid of the range, can be %NULL
 *
 * Walks over free (memory && !reserved) areas of memblock.
 */
#define for_each_free_mem_range(i, nid, flags, p_start, p_end, p_nid)	\
	__for_each_mem_range(i, &memblock.memory, &memblock.reserved,	\
			     nid, flags, p_start, p_end, p_nid)

/**
 * for_each_free_mem_range_reverse - rev-iterate through free memblock areas
 * (arguments as for_each_free_mem_range)
 */
#define for_each_free_mem_range_reverse(i, nid, flags, p_start, p_end,	\
					p_nid)				\
	__for_each_mem_range_rev(i, &memblock.memory, &memblock.reserved, \
				 nid, flags, p_start, p_end, p_nid)

/**
 * for_each_mem_region - iterate over memory regions
 * @region: loop variable
 */
#define for_each_mem_region(region)					\
	for (region = memblock.memory.regions;				\
	     region < (memblock.memory.regions + memblock.memory.cnt);	\
	     region++)

/**
 * for_each_reserved_mem_region - itereate over reserved memory regions
 * @region: loop variable
 */
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
