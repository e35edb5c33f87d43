// Procedures for maintaining information about logical memory blocks: the
// boot-time allocator of mm/memblock.c (Linux 6.x), rewritten for this project.
//
// Project decisions where Linux versions differ, or where we differ from Linux:
//  - An empty region array has cnt == 0 (Linux >= 6.3; older kernels kept a
//    zero-sized dummy region).
//  - "No node" is NUMA_NO_NODE everywhere (Linux >= 6.11; older kernels used
//    MAX_NUMNODES for memblock_add/memblock_reserve). Any nid outside
//    [0, MAX_NUMNODES) means "no node" to the iterators and to the dump.
//  - Allocations are recorded with memblock_reserve(), i.e. flags
//    MEMBLOCK_NONE and NUMA_NO_NODE, so they merge with neighbouring
//    reservations (Linux < 6.16; newer kernels tag them MEMBLOCK_RSRV_KERN).
//  - The allocator never returns an address below PAGE_SIZE and never rounds
//    the size up to the alignment (both as Linux >= 5.x).
//  - No slab, no kmemleak, no KASAN, no movable_node, no physmem type, no
//    memory hotplug: those hooks are simply absent.
//  - memblock_dbg() lines end with the caller's function name where Linux
//    prints %pS of _RET_IP_ ("name+0xoff/0xsize"): the compiler passes it in
//    (MEMBLOCK_CALLER), since the app has no symbol table.
//  - WARN_ON/BUG_ON of Linux become pr_err() where the situation can be
//    detected without corrupting state; nothing panics.
//  - memblock_double_array() makes sure the follow-up bookkeeping on the
//    reserved array cannot fail after the switch to the new array, so a failed
//    growth always leaves both arrays unchanged (Linux BUG()s instead).
//  - memblock_trim_memory() keeps memory.total_size in step (Linux forgets
//    to subtract the trimmed edges).
//  - memblock_start_of_DRAM()/memblock_end_of_DRAM() return 0 when there is
//    no memory at all (Linux reads regions[0] / regions[-1]).
#include "mm/memblock.h"
#include "mm/mm_init.h" // max_low_pfn
#include "mm/numa.h"
#include "mm/page_alloc.h"

#include <string.h>

#include "lib/errno.h"
#include "lib/platform.h"
#include "lib/flushcache.h"
#include "lib/printk.h"
#include "lib/vsprintf.h"

// x86-64 L1 cache line: the alignment used when a caller passes align == 0.
static constexpr phys_addr_t SMP_CACHE_BYTES = 64;

static constexpr phys_addr_t PAGE_ALIGN(phys_addr_t x)
{
	return ALIGN(x, PAGE_SIZE);
}

static struct memblock_region memblock_memory_init_regions[INIT_MEMBLOCK_REGIONS];
static struct memblock_region memblock_reserved_init_regions[INIT_MEMBLOCK_RESERVED_REGIONS];

constinit struct memblock memblock = {
	.bottom_up = false,
	.current_limit = MEMBLOCK_ALLOC_ANYWHERE,
	.memory = {
		.cnt = 0,
		.max = INIT_MEMBLOCK_REGIONS,
		.total_size = 0,
		.regions = memblock_memory_init_regions,
		.name = "memory",
	},
	.reserved = {
		.cnt = 0,
		.max = INIT_MEMBLOCK_RESERVED_REGIONS,
		.total_size = 0,
		.regions = memblock_reserved_init_regions,
		.name = "reserved",
	},
};

constinit bool memblock_debug = false;
constinit unsigned long memblock_changes = 0;
static constinit bool memblock_can_resize = false;
static constinit bool system_has_some_mirror = false;

#define for_each_memblock_type(i, memblock_type, rgn)			\
	for (i = 0, rgn = &memblock_type->regions[0];			\
	     i < (int)memblock_type->cnt;				\
	     i++, rgn = &memblock_type->regions[i])

// Linux appends " %pS" (the caller); we have no symbolizer, see the top.
#define memblock_dbg(fmt, ...)						\
	do {								\
		if (memblock_debug)					\
			pr_info(fmt, ##__VA_ARGS__);			\
	} while (0)

void memblock_reset(void)
{
	memset(memblock_memory_init_regions, 0,
	       sizeof(memblock_memory_init_regions));
	memset(memblock_reserved_init_regions, 0,
	       sizeof(memblock_reserved_init_regions));

	memblock.bottom_up = false;
	memblock.current_limit = MEMBLOCK_ALLOC_ANYWHERE;

	memblock.memory.cnt = 0;
	memblock.memory.max = INIT_MEMBLOCK_REGIONS;
	memblock.memory.total_size = 0;
	memblock.memory.regions = memblock_memory_init_regions;
	memblock.memory.name = "memory";

	memblock.reserved.cnt = 0;
	memblock.reserved.max = INIT_MEMBLOCK_RESERVED_REGIONS;
	memblock.reserved.total_size = 0;
	memblock.reserved.regions = memblock_reserved_init_regions;
	memblock.reserved.name = "reserved";

	memblock_debug = false;
	memblock_can_resize = false;
	system_has_some_mirror = false;
}

// choose_memblock_flags(): prefer mirrored memory once some was marked.
static enum memblock_flags choose_memblock_flags(void)
{
	return system_has_some_mirror ? MEMBLOCK_MIRROR : MEMBLOCK_NONE;
}

/*
 * Address comparison utilities
 */
static bool memblock_addrs_overlap(phys_addr_t base1, phys_addr_t size1,
				   phys_addr_t base2, phys_addr_t size2)
{
	return base1 < base2 + size2 && base2 < base1 + size1;
}

bool memblock_overlaps_region(struct memblock_type *type,
			      phys_addr_t base, phys_addr_t size)
{
	memblock_cap_size(base, &size);

	for (unsigned long i = 0; i < type->cnt; i++)
		if (memblock_addrs_overlap(base, size, type->regions[i].base,
					   type->regions[i].size))
			return true;
	return false;
}

static phys_addr_t clamp_addr(phys_addr_t x, phys_addr_t lo, phys_addr_t hi)
{
	return x < lo ? lo : (x > hi ? hi : x);
}

// __memblock_find_range_bottom_up(): lowest fitting free area, or 0.
static phys_addr_t __memblock_find_range_bottom_up(phys_addr_t start,
						   phys_addr_t end,
						   phys_addr_t size,
						   phys_addr_t align, int nid,
						   enum memblock_flags flags)
{
	phys_addr_t this_start, this_end, cand;
	u64 i;

	for_each_free_mem_range(i, nid, flags, &this_start, &this_end, NULL) {
		this_start = clamp_addr(this_start, start, end);
		this_end = clamp_addr(this_end, start, end);

		cand = round_up(this_start, align);
		if (cand < this_end && this_end - cand >= size)
			return cand;
	}

	return 0;
}

// __memblock_find_range_top_down(): highest fitting free area, or 0.
static phys_addr_t __memblock_find_range_top_down(phys_addr_t start,
						  phys_addr_t end,
						  phys_addr_t size,
						  phys_addr_t align, int nid,
						  enum memblock_flags flags)
{
	phys_addr_t this_start, this_end, cand;
	u64 i;

	for_each_free_mem_range_reverse(i, nid, flags, &this_start, &this_end,
					NULL) {
		this_start = clamp_addr(this_start, start, end);
		this_end = clamp_addr(this_end, start, end);

		if (this_end < size)
			continue;

		cand = round_down(this_end - size, align);
		if (cand >= this_start)
			return cand;
	}

	return 0;
}

/**
 * memblock_find_in_range_node - find free area in given range and node
 * (Linux's, static there). @end may be MEMBLOCK_ALLOC_ACCESSIBLE or
 * MEMBLOCK_ALLOC_NOLEAKTRACE (both mean memblock.current_limit) or
 * MEMBLOCK_ALLOC_ANYWHERE. The first page is never handed out.
 *
 * Return: found address on success, 0 on failure.
 */
phys_addr_t memblock_find_in_range_node(phys_addr_t size, phys_addr_t align,
					phys_addr_t start, phys_addr_t end,
					int nid, enum memblock_flags flags)
{
	/* pump up @end */
	if (end == MEMBLOCK_ALLOC_ACCESSIBLE ||
	    end == MEMBLOCK_ALLOC_NOLEAKTRACE)
		end = memblock.current_limit;

	/* avoid allocating the first page */
	start = max_t(phys_addr_t, start, PAGE_SIZE);
	end = max_t(phys_addr_t, start, end);

	if (memblock_bottom_up())
		return __memblock_find_range_bottom_up(start, end, size, align,
						       nid, flags);
	else
		return __memblock_find_range_top_down(start, end, size, align,
						      nid, flags);
}

/**
 * memblock_find_in_range - find free area in given range, on any node,
 * falling back from mirrored to any memory (Linux's, static there).
 *
 * Return: found address on success, 0 on failure.
 */
phys_addr_t memblock_find_in_range(phys_addr_t start, phys_addr_t end,
				   phys_addr_t size, phys_addr_t align)
{
	phys_addr_t ret;
	enum memblock_flags flags = choose_memblock_flags();

again:
	ret = memblock_find_in_range_node(size, align, start, end,
					  NUMA_NO_NODE, flags);

	if (!ret && (flags & MEMBLOCK_MIRROR)) {
		// Linux prints the size with %pap, which is %pa here.
		pr_warn("Could not allocate %pa bytes of mirrored memory\n",
			&size);
		flags &= ~MEMBLOCK_MIRROR;
		goto again;
	}

	return ret;
}

// memblock_remove_region(): drop regions[r]; an emptied array has cnt 0 and
// a cleared regions[0].
void memblock_remove_region(struct memblock_type *type, unsigned long r)
{
	type->total_size -= type->regions[r].size;
	memmove(&type->regions[r], &type->regions[r + 1],
		(type->cnt - (r + 1)) * sizeof(type->regions[r]));
	type->cnt--;

	/* Special case for empty arrays */
	if (type->cnt == 0) {
		if (type->total_size != 0)
			pr_err("memblock: %s: total_size %llu with no regions\n",
			       type->name, (unsigned long long)type->total_size);
		type->regions[0].base = 0;
		type->regions[0].size = 0;
		type->regions[0].flags = MEMBLOCK_NONE;
		memblock_set_region_node(&type->regions[0], NUMA_NO_NODE);
	}
}

/**
 * memblock_double_array - double the size of the memblock regions array
 * @type: memblock type of the regions array being doubled
 * @new_area_start: starting address of memory range to avoid overlap with
 * @new_area_size: size of memory range to avoid overlap with
 *
 * As Linux without slab: the new array comes from memblock itself, is
 * page-aligned, found below memblock.current_limit (avoiding the range about
 * to be reserved when @type is the reserved array), filled through __va(),
 * then reserved; the old array is freed unless it is the static one.
 *
 * Differs from Linux: when @type is the memory array we first make sure the
 * reserved array has room for freeing the old and reserving the new array,
 * so that nothing can fail once the switch happened.
 *
 * Return: 0 on success, -ENOMEM on failure (Linux: -1) with @type unchanged.
 */
int memblock_double_array(struct memblock_type *type,
			  phys_addr_t new_area_start,
			  phys_addr_t new_area_size)
{
	struct memblock_region *new_array, *old_array;
	phys_addr_t old_alloc_size, new_alloc_size;
	phys_addr_t old_size, new_size, addr, new_end;

	/* We don't allow resizing until we know about the reserved regions
	 * of memory that aren't suitable for allocation
	 */
	if (!memblock_can_resize)
		return -ENOMEM;

	/* Calculate new doubled size */
	old_size = type->max * sizeof(struct memblock_region);
	new_size = old_size << 1;
	/* Page-aligned allocations, so they can be freed completely later. */
	old_alloc_size = PAGE_ALIGN(old_size);
	new_alloc_size = PAGE_ALIGN(new_size);

	/* only exclude range when trying to double reserved.regions */
	if (type != &memblock.reserved)
		new_area_start = new_area_size = 0;

	addr = memblock_find_in_range(new_area_start + new_area_size,
				      memblock.current_limit,
				      new_alloc_size, PAGE_SIZE);
	if (!addr && new_area_size)
		addr = memblock_find_in_range(0,
				min_t(phys_addr_t, new_area_start,
				      memblock.current_limit),
				new_alloc_size, PAGE_SIZE);
	new_array = addr ? (struct memblock_region *)__va(addr) : nullptr;

	if (!addr || !new_array) {
		pr_err("memblock: Failed to double %s array from %ld to %ld entries !\n",
		       type->name, type->max, type->max * 2);
		return -ENOMEM;
	}

	/*
	 * Freeing the old array may split a reserved region (+1) and reserving
	 * the new one may add a region (+1). Grow reserved first if needed,
	 * keeping clear of the range we just found.
	 */
	if (type != &memblock.reserved) {
		while (memblock.reserved.cnt + 2 > memblock.reserved.max)
			if (memblock_double_array(&memblock.reserved, addr,
						  new_alloc_size) < 0)
				return -ENOMEM;
	}

	new_end = addr + new_size - 1;
	// Linux leaves this line without a newline.
	memblock_dbg("memblock: %s is doubled to %ld at [%pa-%pa]\n",
		     type->name, type->max * 2, &addr, &new_end);

	/*
	 * Found space, we now need to move the array over before we add the
	 * reserved region since it may be our reserved array itself that is
	 * full.
	 */
	memcpy(new_array, type->regions, old_size);
	memset(new_array + type->max, 0, old_size);
	old_array = type->regions;
	type->regions = new_array;
	type->max <<= 1;

	/* Free old array. We needn't free it if the array is the static one */
	if (old_array != memblock_memory_init_regions &&
	    old_array != memblock_reserved_init_regions)
		memblock_phys_free(__pa(old_array), old_alloc_size);

	/* Cannot fail: reserved has room for one more region (see above). */
	if (memblock_reserve(addr, new_alloc_size))
		pr_err("memblock: failed to reserve the new %s array\n",
		       type->name);

	return 0;
}

/**
 * memblock_merge_regions - merge neighboring compatible regions
 * @type: memblock type to scan
 *
 * Regions merge when they touch and have the same nid and flags. Linux >= 6.3
 * limits the scan to the range just touched; scanning everything is the same
 * result since the array is always kept minimal.
 */
void memblock_merge_regions(struct memblock_type *type)
{
	unsigned long i = 0;

	while (i + 1 < type->cnt) {
		struct memblock_region *cur = &type->regions[i];
		struct memblock_region *next = &type->regions[i + 1];

		if (cur->base + cur->size != next->base ||
		    memblock_get_region_node(cur) !=
		    memblock_get_region_node(next) ||
		    cur->flags != next->flags) {
			if (cur->base + cur->size > next->base)
				pr_err("memblock: %s[%lu] overlaps its successor\n",
				       type->name, i);
			i++;
			continue;
		}

		cur->size += next->size;
		/* move forward from next + 1, index of which is i + 2 */
		memmove(next, next + 1, (type->cnt - (i + 2)) * sizeof(*next));
		type->cnt--;
	}
}

/**
 * memblock_insert_region - insert new memblock region
 * @type:	memblock type to insert into
 * @idx:	index for the insertion point
 * @base:	base address of the new region
 * @size:	size of the new region
 * @nid:	node id of the new region
 * @flags:	flags of the new region
 *
 * Insert new memblock region [@base, @base + @size) into @type at @idx.
 * @type must already have extra room to accommodate the new region.
 */
void memblock_insert_region(struct memblock_type *type, int idx,
			    phys_addr_t base, phys_addr_t size, int nid,
			    enum memblock_flags flags)
{
	struct memblock_region *rgn = &type->regions[idx];

	if (type->cnt >= type->max) {	/* Linux: BUG_ON() */
		pr_err("memblock: %s array overflow\n", type->name);
		return;
	}
	memmove(rgn + 1, rgn, (type->cnt - idx) * sizeof(*rgn));
	rgn->base = base;
	rgn->size = size;
	rgn->flags = flags;
	memblock_set_region_node(rgn, nid);
	type->cnt++;
	type->total_size += size;
}

/**
 * memblock_add_range - add new memblock region
 * @type: memblock type to add new region into
 * @base: base address of the new region
 * @size: size of the new region
 * @nid: nid of the new region
 * @flags: flags of the new region
 *
 * Add new memblock region [@base, @base + @size) into @type. The new region
 * is allowed to overlap with existing ones - overlaps don't affect already
 * existing regions. @type is guaranteed to be minimal (all neighbouring
 * compatible regions are merged) after the addition.
 *
 * Two passes as in Linux: the first counts the pieces to insert and grows
 * the array, the second inserts. Differs from Linux: after a growth we count
 * again, since growing may itself have changed the reserved array.
 *
 * Return: 0 on success, -ENOMEM on failure (nothing changed).
 */
int memblock_add_range(struct memblock_type *type, phys_addr_t base,
		       phys_addr_t size, int nid, enum memblock_flags flags)
{
	bool insert = false;
	phys_addr_t obase = base;
	phys_addr_t end = base + memblock_cap_size(base, &size);
	int idx, nr_new;
	struct memblock_region *rgn;

	if (!size)
		return 0;
	memblock_changes++;

	/* special case for empty array */
	if (type->cnt == 0) {
		type->regions[0].base = base;
		type->regions[0].size = size;
		type->regions[0].flags = flags;
		memblock_set_region_node(&type->regions[0], nid);
		type->cnt = 1;
		type->total_size = size;
		return 0;
	}
repeat:
	base = obase;
	nr_new = 0;

	for_each_memblock_type(idx, type, rgn) {
		phys_addr_t rbase = rgn->base;
		phys_addr_t rend = rbase + rgn->size;

		if (rbase >= end)
			break;
		if (rend <= base)
			continue;
		/*
		 * @rgn overlaps. If it separates the lower part of new
		 * area, insert that portion.
		 */
		if (rbase > base) {
			nr_new++;
			if (insert)
				memblock_insert_region(type, idx++, base,
						       rbase - base, nid,
						       flags);
		}
		/* area below @rend is dealt with, forget about it */
		base = min_t(phys_addr_t, rend, end);
	}

	/* insert the remaining portion */
	if (base < end) {
		nr_new++;
		if (insert)
			memblock_insert_region(type, idx, base, end - base,
					       nid, flags);
	}

	if (!nr_new)
		return 0;

	/*
	 * If this was the first round, resize array and repeat for actual
	 * insertions; otherwise, merge and return.
	 */
	if (!insert) {
		if (type->cnt + nr_new > type->max) {
			if (memblock_double_array(type, obase, size) < 0)
				return -ENOMEM;
			goto repeat;
		}
		insert = true;
		goto repeat;
	}

	memblock_merge_regions(type);
	return 0;
}

/**
 * memblock_add_node - add new memblock region within a NUMA node
 * @base: base address of the new region
 * @size: size of the new region
 * @nid: nid of the new region
 * @flags: flags of the new region
 *
 * Return: 0 on success, -errno on failure.
 */
int memblock_add_node(phys_addr_t base, phys_addr_t size, int nid,
		      enum memblock_flags flags, const char *caller)
{
	phys_addr_t end = base + size - 1;

	memblock_dbg("%s: [%pa-%pa] nid=%d flags=%x %s\n", __func__,
		     &base, &end, nid, (unsigned)flags, caller);

	return memblock_add_range(&memblock.memory, base, size, nid, flags);
}

/**
 * memblock_add - add new memblock region, not assigned to a node
 *
 * Return: 0 on success, -errno on failure.
 */
int memblock_add(phys_addr_t base, phys_addr_t size, const char *caller)
{
	phys_addr_t end = base + size - 1;

	memblock_dbg("%s: [%pa-%pa] %s\n", __func__, &base, &end, caller);

	return memblock_add_range(&memblock.memory, base, size, NUMA_NO_NODE,
				  MEMBLOCK_NONE);
}

/**
 * memblock_isolate_range - isolate given range into disjoint memblocks
 * @type: memblock type to isolate range for
 * @base: base of range to isolate
 * @size: size of range to isolate
 * @start_rgn: out parameter for the start of isolated region
 * @end_rgn: out parameter for the end of isolated region
 *
 * Walk @type and ensure that regions don't cross the boundaries defined by
 * [@base, @base + @size). Crossing regions are split at the boundaries,
 * which may create at most two more regions. The index of the first
 * region inside the range is returned in *@start_rgn and the index after
 * the last in *@end_rgn (both 0 when nothing is inside).
 *
 * Return: 0 on success, -ENOMEM on failure (nothing changed).
 */
int memblock_isolate_range(struct memblock_type *type, phys_addr_t base,
			   phys_addr_t size, int *start_rgn, int *end_rgn)
{
	phys_addr_t end = base + memblock_cap_size(base, &size);
	int idx;
	struct memblock_region *rgn;

	*start_rgn = *end_rgn = 0;

	if (!size)
		return 0;

	/* we'll create at most two more regions */
	while (type->cnt + 2 > type->max)
		if (memblock_double_array(type, base, size) < 0)
			return -ENOMEM;

	for_each_memblock_type(idx, type, rgn) {
		phys_addr_t rbase = rgn->base;
		phys_addr_t rend = rbase + rgn->size;

		if (rbase >= end)
			break;
		if (rend <= base)
			continue;

		if (rbase < base) {
			/*
			 * @rgn intersects from below. Split and continue
			 * to process the next region - the new top half.
			 */
			rgn->base = base;
			rgn->size -= base - rbase;
			type->total_size -= base - rbase;
			memblock_insert_region(type, idx, rbase, base - rbase,
					       memblock_get_region_node(rgn),
					       rgn->flags);
		} else if (rend > end) {
			/*
			 * @rgn intersects from above. Split and redo the
			 * current region - the new bottom half.
			 */
			rgn->base = end;
			rgn->size -= end - rbase;
			type->total_size -= end - rbase;
			memblock_insert_region(type, idx--, rbase, end - rbase,
					       memblock_get_region_node(rgn),
					       rgn->flags);
		} else {
			/* @rgn is fully contained, record it */
			if (!*end_rgn)
				*start_rgn = idx;
			*end_rgn = idx + 1;
		}
	}

	return 0;
}

// memblock_remove_range(): cut [base, base + size) out of @type.
int memblock_remove_range(struct memblock_type *type, phys_addr_t base,
			  phys_addr_t size)
{
	int start_rgn, end_rgn;
	int i, ret;

	ret = memblock_isolate_range(type, base, size, &start_rgn, &end_rgn);
	if (ret)
		return ret;

	if (end_rgn > start_rgn)
		memblock_changes++;
	for (i = end_rgn - 1; i >= start_rgn; i--)
		memblock_remove_region(type, i);
	return 0;
}

int memblock_remove(phys_addr_t base, phys_addr_t size, const char *caller)
{
	phys_addr_t end = base + size - 1;

	memblock_dbg("%s: [%pa-%pa] %s\n", __func__, &base, &end, caller);

	return memblock_remove_range(&memblock.memory, base, size);
}

/**
 * memblock_free - free boot memory allocation
 * @ptr: starting address of the boot memory allocation (virtual, from __va)
 * @size: size of the boot memory block in bytes
 *
 * Free boot memory block previously allocated by memblock_alloc_xx() API.
 */
void memblock_free(void *ptr, size_t size)
{
	if (ptr)
		memblock_phys_free(__pa(ptr), size);
}

/**
 * memblock_phys_free - free boot memory block
 * @base: phys starting address of the boot memory block
 * @size: size of the boot memory block in bytes
 *
 * Return: 0 on success, -ENOMEM on failure.
 */
int memblock_phys_free(phys_addr_t base, phys_addr_t size, const char *caller)
{
	phys_addr_t end = base + size - 1;

	memblock_dbg("%s: [%pa-%pa] %s\n", __func__, &base, &end, caller);

	return memblock_remove_range(&memblock.reserved, base, size);
}

int memblock_reserve(phys_addr_t base, phys_addr_t size, const char *caller)
{
	phys_addr_t end = base + size - 1;

	memblock_dbg("%s: [%pa-%pa] %s\n", __func__, &base, &end, caller);

	return memblock_add_range(&memblock.reserved, base, size, NUMA_NO_NODE,
				  MEMBLOCK_NONE);
}

/**
 * memblock_setclr_flag - set or clear flag for a memory region
 * @type: memblock type to set/clear flag for
 * @base: base address of the region
 * @size: size of the region
 * @set: set or clear the flag
 * @flag: the flag to update
 *
 * This function isolates region [@base, @base + @size), and sets/clears flag
 *
 * Return: 0 on success, -errno on failure.
 */
static int memblock_setclr_flag(struct memblock_type *type, phys_addr_t base,
				phys_addr_t size, bool set,
				enum memblock_flags flag)
{
	int i, ret, start_rgn, end_rgn;

	ret = memblock_isolate_range(type, base, size, &start_rgn, &end_rgn);
	if (ret)
		return ret;

	for (i = start_rgn; i < end_rgn; i++) {
		struct memblock_region *r = &type->regions[i];

		if (set)
			r->flags |= flag;
		else
			r->flags &= ~flag;
	}

	memblock_merge_regions(type);
	return 0;
}

int memblock_mark_hotplug(phys_addr_t base, phys_addr_t size)
{
	return memblock_setclr_flag(&memblock.memory, base, size, true,
				    MEMBLOCK_HOTPLUG);
}

int memblock_clear_hotplug(phys_addr_t base, phys_addr_t size)
{
	return memblock_setclr_flag(&memblock.memory, base, size, false,
				    MEMBLOCK_HOTPLUG);
}

// Also makes later allocations prefer mirrored memory, as Linux.
int memblock_mark_mirror(phys_addr_t base, phys_addr_t size)
{
	system_has_some_mirror = true;

	return memblock_setclr_flag(&memblock.memory, base, size, true,
				    MEMBLOCK_MIRROR);
}

int memblock_mark_nomap(phys_addr_t base, phys_addr_t size)
{
	return memblock_setclr_flag(&memblock.memory, base, size, true,
				    MEMBLOCK_NOMAP);
}

int memblock_clear_nomap(phys_addr_t base, phys_addr_t size)
{
	return memblock_setclr_flag(&memblock.memory, base, size, false,
				    MEMBLOCK_NOMAP);
}

int memblock_reserved_mark_noinit(phys_addr_t base, phys_addr_t size)
{
	return memblock_setclr_flag(&memblock.reserved, base, size, true,
				    MEMBLOCK_RSRV_NOINIT);
}

// should_skip_region(): which memory regions an iteration ignores. Linux
// also skips hotpluggable memory when movable_node is enabled; we have no
// movable_node, so it never is.
static bool should_skip_region(struct memblock_type *type,
			       struct memblock_region *m,
			       int nid, enum memblock_flags flags)
{
	int m_nid = memblock_get_region_node(m);

	/* we never skip regions when iterating memblock.reserved */
	if (type != &memblock.memory)
		return false;

	/* only memory regions are associated with nodes, check it */
	if (numa_valid_node(nid) && nid != m_nid)
		return true;

	/* if we want mirror memory skip non-mirror memory regions */
	if ((flags & MEMBLOCK_MIRROR) && !memblock_is_mirror(m))
		return true;

	/* skip nomap memory unless we were asked for it explicitly */
	if (!(flags & MEMBLOCK_NOMAP) && memblock_is_nomap(m))
		return true;

	/* skip driver-managed memory unless we were asked for it explicitly */
	if (!(flags & MEMBLOCK_DRIVER_MANAGED) && memblock_is_driver_managed(m))
		return true;

	return false;
}

static void set_outs(phys_addr_t start, phys_addr_t end, int nid,
		     phys_addr_t *out_start, phys_addr_t *out_end, int *out_nid)
{
	if (out_start)
		*out_start = start;
	if (out_end)
		*out_end = end;
	if (out_nid)
		*out_nid = nid;
}

/**
 * __next_mem_range - next function for for_each_free_mem_range() etc.
 * @idx: pointer to u64 loop variable
 * @nid: node selector, %NUMA_NO_NODE for all nodes
 * @flags: pick from blocks based on memory attributes
 * @type_a: pointer to memblock_type from where the range is taken
 * @type_b: pointer to memblock_type which excludes memory from being taken
 * @out_start: ptr to phys_addr_t for start address of the range, can be %NULL
 * @out_end: ptr to phys_addr_t for end address of the range, can be %NULL
 * @out_nid: ptr to int for nid of the range, can be %NULL
 *
 * The lower 32 bits of *@idx index type_a; the upper 32 bits index the gaps
 * of type_b: gap k is [end of region k-1, base of region k), with gap 0
 * starting at 0 and gap cnt ending at PHYS_ADDR_MAX. Both arrays are sorted,
 * so the two indices advance in lockstep and each intersection is returned.
 * *@idx becomes ULLONG_MAX at the end.
 */
void __next_mem_range(u64 *idx, int nid, enum memblock_flags flags,
		      struct memblock_type *type_a,
		      struct memblock_type *type_b, phys_addr_t *out_start,
		      phys_addr_t *out_end, int *out_nid)
{
	int idx_a = *idx & 0xffffffff;
	int idx_b = *idx >> 32;

	for (; idx_a < (int)type_a->cnt; idx_a++) {
		struct memblock_region *m = &type_a->regions[idx_a];

		phys_addr_t m_start = m->base;
		phys_addr_t m_end = m->base + m->size;
		int m_nid = memblock_get_region_node(m);

		if (should_skip_region(type_a, m, nid, flags))
			continue;

		if (!type_b) {
			set_outs(m_start, m_end, m_nid, out_start, out_end,
				 out_nid);
			idx_a++;
			*idx = (u32)idx_a | (u64)idx_b << 32;
			return;
		}

		/* scan areas before each reservation */
		for (; idx_b < (int)type_b->cnt + 1; idx_b++) {
			struct memblock_region *r = &type_b->regions[idx_b];
			phys_addr_t r_start;
			phys_addr_t r_end;

			r_start = idx_b ? r[-1].base + r[-1].size : 0;
			r_end = idx_b < (int)type_b->cnt ? r->base : PHYS_ADDR_MAX;

			/*
			 * if idx_b advanced past idx_a,
			 * break out to advance idx_a
			 */
			if (r_start >= m_end)
				break;
			/* if the two regions intersect, we're done */
			if (m_start < r_end) {
				set_outs(max_t(phys_addr_t, m_start, r_start),
					 min_t(phys_addr_t, m_end, r_end),
					 m_nid, out_start, out_end, out_nid);
				/*
				 * The region which ends first is
				 * advanced for the next iteration.
				 */
				if (m_end <= r_end)
					idx_a++;
				else
					idx_b++;
				*idx = (u32)idx_a | (u64)idx_b << 32;
				return;
			}
		}
	}

	/* signal end of iteration */
	*idx = ULLONG_MAX;
}

/**
 * __next_mem_range_rev - generic next function for for_each_*_range_rev()
 * (arguments as __next_mem_range). Start with *@idx == ULLONG_MAX.
 */
void __next_mem_range_rev(u64 *idx, int nid, enum memblock_flags flags,
			  struct memblock_type *type_a,
			  struct memblock_type *type_b, phys_addr_t *out_start,
			  phys_addr_t *out_end, int *out_nid)
{
	int idx_a = *idx & 0xffffffff;
	int idx_b = *idx >> 32;

	if (*idx == (u64)ULLONG_MAX) {
		idx_a = (int)type_a->cnt - 1;
		if (type_b != NULL)
			idx_b = (int)type_b->cnt;
		else
			idx_b = 0;
	}

	for (; idx_a >= 0; idx_a--) {
		struct memblock_region *m = &type_a->regions[idx_a];

		phys_addr_t m_start = m->base;
		phys_addr_t m_end = m->base + m->size;
		int m_nid = memblock_get_region_node(m);

		if (should_skip_region(type_a, m, nid, flags))
			continue;

		if (!type_b) {
			set_outs(m_start, m_end, m_nid, out_start, out_end,
				 out_nid);
			idx_a--;
			*idx = (u32)idx_a | (u64)idx_b << 32;
			return;
		}

		/* scan areas before each reservation */
		for (; idx_b >= 0; idx_b--) {
			struct memblock_region *r = &type_b->regions[idx_b];
			phys_addr_t r_start;
			phys_addr_t r_end;

			r_start = idx_b ? r[-1].base + r[-1].size : 0;
			r_end = idx_b < (int)type_b->cnt ? r->base : PHYS_ADDR_MAX;
			/*
			 * if idx_b advanced past idx_a,
			 * break out to advance idx_a
			 */
			if (r_end <= m_start)
				break;
			/* if the two regions intersect, we're done */
			if (m_end > r_start) {
				set_outs(max_t(phys_addr_t, m_start, r_start),
					 min_t(phys_addr_t, m_end, r_end),
					 m_nid, out_start, out_end, out_nid);
				if (m_start >= r_start)
					idx_a--;
				else
					idx_b--;
				*idx = (u32)idx_a | (u64)idx_b << 32;
				return;
			}
		}
	}
	/* signal end of iteration */
	*idx = ULLONG_MAX;
}

/*
 * Common iterator interface used to define for_each_mem_pfn_range(): memory
 * regions holding at least one whole page, on node @nid (any node when @nid
 * is not a valid node id, e.g. NUMA_NO_NODE or MAX_NUMNODES).
 */
void __next_mem_pfn_range(int *idx, int nid, unsigned long *out_start_pfn,
			  unsigned long *out_end_pfn, int *out_nid)
{
	struct memblock_type *type = &memblock.memory;
	struct memblock_region *r = nullptr;
	int r_nid = NUMA_NO_NODE;

	while (++*idx < (int)type->cnt) {
		r = &type->regions[*idx];
		r_nid = memblock_get_region_node(r);

		if (PFN_UP(r->base) >= PFN_DOWN(r->base + r->size))
			continue;
		if (!numa_valid_node(nid) || nid == r_nid)
			break;
	}
	if (*idx >= (int)type->cnt) {
		*idx = -1;
		return;
	}

	if (out_start_pfn)
		*out_start_pfn = PFN_UP(r->base);
	if (out_end_pfn)
		*out_end_pfn = PFN_DOWN(r->base + r->size);
	if (out_nid)
		*out_nid = r_nid;
}

/**
 * memblock_set_node - set node ID on memblock regions
 * @base: base of area to set node ID for
 * @size: size of area to set node ID for
 * @type: memblock type to set node ID for
 * @nid: node ID to set
 *
 * Set the nid of memblock @type regions in [@base, @base + @size) to @nid.
 * Regions which cross the area boundaries are split as necessary.
 *
 * Return: 0 on success, -errno on failure.
 */
int memblock_set_node(phys_addr_t base, phys_addr_t size,
		      struct memblock_type *type, int nid)
{
	int start_rgn, end_rgn;
	int i, ret;

	ret = memblock_isolate_range(type, base, size, &start_rgn, &end_rgn);
	if (ret)
		return ret;

	for (i = start_rgn; i < end_rgn; i++)
		memblock_set_region_node(&type->regions[i], nid);
	memblock_changes++;

	memblock_merge_regions(type);
	return 0;
}

/**
 * memblock_alloc_range_nid - allocate boot memory block
 * @size: size of memory block to be allocated in bytes
 * @align: alignment of the region (0 means SMP_CACHE_BYTES)
 * @start: the lower bound of the memory region to allocate (phys address)
 * @end: the upper bound of the memory region to allocate (phys address)
 * @nid: nid of the free area to find, %NUMA_NO_NODE for any node
 * @exact_nid: control the allocation fall back to other nodes
 *
 * @end == MEMBLOCK_ALLOC_ACCESSIBLE means memblock.current_limit. Without
 * @exact_nid a failing node falls back to any node; mirrored memory (once
 * some was marked) falls back to any memory. The block is recorded with
 * memblock_reserve().
 *
 * Return: physical address of allocated memory block on success, 0 on failure.
 */
phys_addr_t memblock_alloc_range_nid(phys_addr_t size, phys_addr_t align,
				     phys_addr_t start, phys_addr_t end,
				     int nid, bool exact_nid)
{
	enum memblock_flags flags = choose_memblock_flags();
	phys_addr_t found;

	/* Linux WARNs: MAX_NUMNODES is deprecated as "any node" */
	if (nid == MAX_NUMNODES)
		nid = NUMA_NO_NODE;

	if (!align)
		align = SMP_CACHE_BYTES;

again:
	found = memblock_find_in_range_node(size, align, start, end, nid,
					    flags);
	if (found && !memblock_reserve(found, size))
		return found;

	if (numa_valid_node(nid) && !exact_nid) {
		found = memblock_find_in_range_node(size, align, start,
						    end, NUMA_NO_NODE,
						    flags);
		if (found && !memblock_reserve(found, size))
			return found;
	}

	if (flags & MEMBLOCK_MIRROR) {
		flags &= ~MEMBLOCK_MIRROR;
		pr_warn("Could not allocate %pa bytes of mirrored memory\n",
			&size);
		goto again;
	}

	return 0;
}

/**
 * memblock_phys_alloc_range - allocate a memory block inside specified range
 * (not limited by memblock.current_limit unless @end is ACCESSIBLE)
 *
 * Return: physical address of the allocated memory block on success,
 * 0 on failure.
 */
phys_addr_t memblock_phys_alloc_range(phys_addr_t size, phys_addr_t align,
				      phys_addr_t start, phys_addr_t end, const char *caller)
{
	memblock_dbg("%s: %llu bytes align=0x%llx from=%pa max_addr=%pa %s\n",
		     __func__, (unsigned long long)size,
		     (unsigned long long)align, &start, &end, caller);
	return memblock_alloc_range_nid(size, align, start, end, NUMA_NO_NODE,
					false);
}

/**
 * memblock_phys_alloc_try_nid - allocate a memory block from specified NUMA
 * node, falling back to any node.
 *
 * Return: physical address of the allocated memory block on success,
 * 0 on failure.
 */
phys_addr_t memblock_phys_alloc_try_nid(phys_addr_t size, phys_addr_t align,
					int nid)
{
	return memblock_alloc_range_nid(size, align, 0,
					MEMBLOCK_ALLOC_ACCESSIBLE, nid, false);
}

/**
 * memblock_alloc_internal - allocate boot memory block
 *
 * @max_addr is capped at memblock.current_limit. The @min_addr limit is
 * dropped if it can not be satisfied and the allocation falls back to memory
 * below @min_addr.
 *
 * Return: virtual address of allocated memory block on success, NULL on failure.
 */
static void *memblock_alloc_internal(phys_addr_t size, phys_addr_t align,
				     phys_addr_t min_addr, phys_addr_t max_addr,
				     int nid, bool exact_nid)
{
	phys_addr_t alloc;

	if (max_addr > memblock.current_limit)
		max_addr = memblock.current_limit;

	alloc = memblock_alloc_range_nid(size, align, min_addr, max_addr, nid,
					 exact_nid);

	/* retry allocation without lower limit */
	if (!alloc && min_addr)
		alloc = memblock_alloc_range_nid(size, align, 0, max_addr, nid,
						 exact_nid);

	if (!alloc)
		return NULL;

	return __va(alloc);
}

/**
 * memblock_alloc_exact_nid_raw - allocate boot memory block on the exact node
 * without zeroing memory
 *
 * Return: virtual address of allocated memory block on success, NULL on failure.
 */
void *memblock_alloc_exact_nid_raw(phys_addr_t size, phys_addr_t align,
				   phys_addr_t min_addr, phys_addr_t max_addr,
				   int nid, const char *caller)
{
	memblock_dbg("%s: %llu bytes align=0x%llx nid=%d from=%pa max_addr=%pa %s\n",
		     __func__, (unsigned long long)size,
		     (unsigned long long)align, nid, &min_addr, &max_addr, caller);

	return memblock_alloc_internal(size, align, min_addr, max_addr, nid,
				       true);
}

/**
 * memblock_alloc_try_nid_raw - allocate boot memory block without zeroing
 * memory (Linux poisons it only with CONFIG_PAGE_POISONING debug)
 *
 * Return: virtual address of allocated memory block on success, NULL on failure.
 */
void *memblock_alloc_try_nid_raw(phys_addr_t size, phys_addr_t align,
				 phys_addr_t min_addr, phys_addr_t max_addr,
				 int nid, const char *caller)
{
	memblock_dbg("%s: %llu bytes align=0x%llx nid=%d from=%pa max_addr=%pa %s\n",
		     __func__, (unsigned long long)size,
		     (unsigned long long)align, nid, &min_addr, &max_addr, caller);

	return memblock_alloc_internal(size, align, min_addr, max_addr, nid,
				       false);
}

/**
 * memblock_alloc_try_nid - allocate boot memory block, zeroed
 * @size: size of memory block to be allocated in bytes
 * @align: alignment of the region
 * @min_addr: the lower bound of the memory region from where the allocation
 *	  is preferred (phys address)
 * @max_addr: the upper bound of the memory region from where the allocation
 *	      is preferred (phys address), or %MEMBLOCK_ALLOC_ACCESSIBLE to
 *	      allocate only from memory limited by memblock.current_limit value
 * @nid: nid of the free area to find, %NUMA_NO_NODE for any node
 *
 * Return: virtual address of allocated memory block on success, NULL on failure.
 */
void *memblock_alloc_try_nid(phys_addr_t size, phys_addr_t align,
			     phys_addr_t min_addr, phys_addr_t max_addr,
			     int nid, const char *caller)
{
	void *ptr;

	memblock_dbg("%s: %llu bytes align=0x%llx nid=%d from=%pa max_addr=%pa %s\n",
		     __func__, (unsigned long long)size,
		     (unsigned long long)align, nid, &min_addr, &max_addr, caller);

	ptr = memblock_alloc_internal(size, align, min_addr, max_addr, nid,
				      false);
	if (ptr)
		memset(ptr, 0, size);

	return ptr;
}

/*
 * Remaining API functions
 */

phys_addr_t memblock_phys_mem_size(void)
{
	return memblock.memory.total_size;
}

phys_addr_t memblock_reserved_size(void)
{
	return memblock.reserved.total_size;
}

/* lowest address */
phys_addr_t memblock_start_of_DRAM(void)
{
	if (!memblock.memory.cnt)
		return 0;
	return memblock.memory.regions[0].base;
}

phys_addr_t memblock_end_of_DRAM(void)
{
	unsigned long idx = memblock.memory.cnt - 1;

	if (!memblock.memory.cnt)
		return 0;
	return memblock.memory.regions[idx].base +
	       memblock.memory.regions[idx].size;
}

// memblock_search(): binary search for the region containing @addr, or -1.
static int memblock_search(struct memblock_type *type, phys_addr_t addr)
{
	unsigned int left = 0, right = type->cnt;

	while (left < right) {
		unsigned int mid = (right + left) / 2;

		if (addr < type->regions[mid].base)
			right = mid;
		else if (addr >= (type->regions[mid].base +
				  type->regions[mid].size))
			left = mid + 1;
		else
			return mid;
	}
	return -1;
}

bool memblock_is_reserved(phys_addr_t addr)
{
	return memblock_search(&memblock.reserved, addr) != -1;
}

bool memblock_is_memory(phys_addr_t addr)
{
	return memblock_search(&memblock.memory, addr) != -1;
}

bool memblock_is_map_memory(phys_addr_t addr)
{
	int i = memblock_search(&memblock.memory, addr);

	if (i == -1)
		return false;
	return !memblock_is_nomap(&memblock.memory.regions[i]);
}

/**
 * memblock_is_region_memory - check if a region is a subset of memory
 * @base: base of region to check
 * @size: size of region to check
 *
 * Check if the region [@base, @base + @size) is a subset of a memory block.
 */
bool memblock_is_region_memory(phys_addr_t base, phys_addr_t size)
{
	int idx = memblock_search(&memblock.memory, base);
	phys_addr_t end = base + memblock_cap_size(base, &size);

	if (idx == -1)
		return false;
	return (memblock.memory.regions[idx].base +
		memblock.memory.regions[idx].size) >= end;
}

/**
 * memblock_is_region_reserved - check if a region intersects reserved memory
 * @base: base of region to check
 * @size: size of region to check
 */
bool memblock_is_region_reserved(phys_addr_t base, phys_addr_t size)
{
	return memblock_overlaps_region(&memblock.reserved, base, size);
}

// memblock_trim_memory(): shrink memory regions to @align boundaries and
// drop the ones that vanish. Unlike Linux, total_size follows.
void memblock_trim_memory(phys_addr_t align)
{
	phys_addr_t start, end, orig_start, orig_end;
	struct memblock_region *r;
	unsigned long i = 0;

	while (i < memblock.memory.cnt) {
		r = &memblock.memory.regions[i];
		orig_start = r->base;
		orig_end = r->base + r->size;
		start = round_up(orig_start, align);
		end = round_down(orig_end, align);

		if (start == orig_start && end == orig_end) {
			i++;
			continue;
		}

		if (start < end) {
			memblock.memory.total_size -= r->size - (end - start);
			r->base = start;
			r->size = end - start;
			i++;
		} else {
			/* the next region moves down into slot i */
			memblock_remove_region(&memblock.memory, i);
		}
	}
}

void memblock_set_current_limit(phys_addr_t limit)
{
	memblock.current_limit = limit;
}

phys_addr_t memblock_get_current_limit(void)
{
	return memblock.current_limit;
}

static void memblock_dump(struct memblock_type *type)
{
	phys_addr_t base, end, size;
	enum memblock_flags flags;
	int idx;
	struct memblock_region *rgn;

	pr_info(" %s.cnt  = 0x%lx\n", type->name, type->cnt);

	for_each_memblock_type(idx, type, rgn) {
		char nid_buf[32] = "";

		base = rgn->base;
		size = rgn->size;
		end = base + size - 1;
		flags = rgn->flags;
		if (numa_valid_node(memblock_get_region_node(rgn)))
			scnprintf(nid_buf, sizeof(nid_buf), " on node %d",
				  memblock_get_region_node(rgn));
		pr_info(" %s[%#x]\t[%pa-%pa], %pa bytes%s flags: %#x\n",
			type->name, (unsigned)idx, &base, &end, &size, nid_buf,
			(unsigned)flags);
	}
}

void __memblock_dump_all(void)
{
	pr_info("MEMBLOCK configuration:\n");
	pr_info(" memory size = %pa reserved size = %pa\n",
		&memblock.memory.total_size,
		&memblock.reserved.total_size);

	memblock_dump(&memblock.memory);
	memblock_dump(&memblock.reserved);
}

void memblock_dump_all(void)
{
	if (memblock_debug)
		__memblock_dump_all();
}

void memblock_allow_resize(void)
{
	memblock_can_resize = true;
}

// Compare @n bytes of @s with @lit (which includes its NUL), stopping at the
// first difference so that a shorter @s is never read past its end.
static int memcmp_str(const char *s, const char *lit, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != lit[i])
			return 1;
	}
	return 0;
}

// Linux accepts any value containing "debug" and always returns 0; the
// project's early params reject malformed values, so only "debug" is valid.
int early_memblock(const char *val)
{
	static constexpr char debug[] = "debug";

	if (!val || memcmp_str(val, debug, sizeof(debug)) != 0)
		return -EINVAL;
	memblock_debug = true;
	return 0;
}

/*
 * The hand-over to the buddy allocator (mm/memblock.c, Linux 6.1). After
 * memblock_free_all() memblock is only a record: Linux discards it, the app
 * keeps it for the checks and to give memory back to the firmware.
 */

namespace {

void memmap_init_reserved_pages(void)
{
	struct memblock_region *region;
	phys_addr_t start, end;
	u64 i;

	/* initialize struct pages for the reserved regions */
	for_each_reserved_mem_range(i, &start, &end)
		reserve_bootmem_region(start, end);

	/* and also treat struct pages for the NOMAP regions as PageReserved */
	for_each_mem_region(region) {
		if (memblock_is_nomap(region)) {
			start = region->base;
			end = start + region->size;
			reserve_bootmem_region(start, end);
		}
	}
}

/* Free [start, end) in the largest naturally aligned blocks that fit. */
void __free_pages_memory(unsigned long start, unsigned long end)
{
	int order;

	while (start < end) {
		order = (int)kmin<unsigned long>(MAX_PAGE_ORDER, __builtin_ctzl(start));

		while (start + (1UL << order) > end)
			order--;

		memblock_free_pages(pfn_to_page(start), start, order);

		start += (1UL << order);
	}
}

unsigned long __free_memory_core(phys_addr_t start, phys_addr_t end)
{
	unsigned long start_pfn = PFN_UP(start);
	unsigned long end_pfn = kmin<unsigned long>(PFN_DOWN(end), max_low_pfn);

	if (start_pfn >= end_pfn)
		return 0;

	__free_pages_memory(start_pfn, end_pfn);

	return end_pfn - start_pfn;
}

unsigned long free_low_memory_core_early(void)
{
	unsigned long count = 0;
	phys_addr_t start, end;
	u64 i;

	memblock_clear_hotplug(0, -1);

	memmap_init_reserved_pages();

	/*
	 * We need to use NUMA_NO_NODE instead of NODE_DATA(0)->node_id
	 *  because in some case like Node0 doesn't have RAM installed
	 *  low ram will be on Node1
	 */
	for_each_free_mem_range(i, NUMA_NO_NODE, MEMBLOCK_NONE, &start, &end, NULL)
		count += __free_memory_core(start, end);

	return count;
}

void reset_all_zones_managed_pages(void)
{
	struct zone *zone;

	for_each_zone(zone)
		zone->managed_pages = 0;
}

} // namespace

unsigned long memblock_free_all(void)
{
	unsigned long pages;

	/* (free_unused_memmap() does nothing with SPARSEMEM_VMEMMAP.) */
	reset_all_zones_managed_pages();

	pages = free_low_memory_core_early();
	wmb(); /* memmap_init_streaming wrote struct pages with non-temporal stores */
	totalram_pages_add((long)pages);
	return pages;
}
