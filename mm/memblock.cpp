// The boot-time allocator of mm/memblock.c (Linux 6.x), written anew for this
// project: it tracks RAM and its reservations until the buddy allocator takes over.
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
static constexpr u64 SMP_CACHE_BYTES = 64;

static constexpr u64 PAGE_ALIGN(u64 x)
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

/* Overlap tests on half-open ranges [base, base + size). */
static bool memblock_addrs_overlap(phys_addr_t base1, u64 size1,
				   phys_addr_t base2, u64 size2)
{
	return base1 < base2 + size2 && base2 < base1 + size1;
}

bool memblock_overlaps_region(struct memblock_type *type,
			      phys_addr_t base, u64 size)
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
						   u64 size,
						   u64 align, int nid,
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
						  u64 size,
						  u64 align, int nid,
						  enum memblock_flags flags)
{
	phys_addr_t this_start, this_end, cand;
	u64 i;

	for_each_free_mem_range_reverse(i, nid, flags, &this_start, &this_end,
					NULL) {
		this_start = clamp_addr(this_start, start, end);
		this_end = clamp_addr(this_end, start, end);

		if ((u64)this_end < size) // this_end - size would wrap
			continue;

		cand = round_down(this_end - size, align);
		if (cand >= this_start)
			return cand;
	}

	return 0;
}

/*
 * memblock_find_in_range_node(): an address where @size bytes aligned to @align
 * are free, inside [@start, @end) and on node @nid (static in Linux). For @end,
 * MEMBLOCK_ALLOC_ACCESSIBLE and MEMBLOCK_ALLOC_NOLEAKTRACE both stand for
 * memblock.current_limit, and MEMBLOCK_ALLOC_ANYWHERE removes the limit. Page 0
 * is never returned, so 0 can mean that nothing fits.
 */
phys_addr_t memblock_find_in_range_node(u64 size, u64 align,
					phys_addr_t start, phys_addr_t end,
					int nid, enum memblock_flags flags)
{
	/* the special values mean "up to current_limit" */
	if (end == MEMBLOCK_ALLOC_ACCESSIBLE ||
	    end == MEMBLOCK_ALLOC_NOLEAKTRACE)
		end = memblock.current_limit;

	/* keep page 0 out of reach */
	start = max_t(phys_addr_t, start, PAGE_SIZE);
	end = max_t(phys_addr_t, start, end);

	if (memblock_bottom_up())
		return __memblock_find_range_bottom_up(start, end, size, align,
						       nid, flags);
	else
		return __memblock_find_range_top_down(start, end, size, align,
						      nid, flags);
}

/*
 * memblock_find_in_range(): memblock_find_in_range_node() on any node. While
 * mirrored memory is preferred and none fits, it warns and searches all memory
 * (static in Linux). The address, or 0.
 */
phys_addr_t memblock_find_in_range(phys_addr_t start, phys_addr_t end,
				   u64 size, u64 align)
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

	/* now empty: the total must be 0, and slot 0 is wiped */
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

/*
 * memblock_double_array(): replace the region array of @type by one twice as
 * large. [@new_area_start, @new_area_start + @new_area_size) is the range the
 * caller wants to reserve; the new array must stay clear of it.
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
			  u64 new_area_size)
{
	struct memblock_region *new_array, *old_array;
	u64 old_alloc_size, new_alloc_size, old_size, new_size;
	phys_addr_t addr, new_end;

	/*
	 * Before memblock_allow_resize(), reserved may still lack ranges that
	 * must not be allocated from, so growing is refused.
	 */
	if (!memblock_can_resize)
		return -ENOMEM;

	/* twice the bytes of the current array */
	old_size = type->max * sizeof(struct memblock_region);
	new_size = old_size << 1;
	/* Whole pages, so that freeing an array later gives all of it back. */
	old_alloc_size = PAGE_ALIGN(old_size);
	new_alloc_size = PAGE_ALIGN(new_size);

	/* Only a growth of reserved has a pending range to avoid. */
	if (type != &memblock.reserved)
		new_area_start = 0, new_area_size = 0;

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
	 * Copy first, reserve afterwards: the full array may be reserved
	 * itself, and the reservation below needs the room we add here.
	 */
	memcpy(new_array, type->regions, old_size);
	memset(new_array + type->max, 0, old_size);
	old_array = type->regions;
	type->regions = new_array;
	type->max <<= 1;

	/* The static initial arrays were never allocated, so only give back an older allocated one. */
	if (old_array != memblock_memory_init_regions &&
	    old_array != memblock_reserved_init_regions)
		memblock_phys_free(__pa(old_array), old_alloc_size);

	/* Cannot fail: reserved has room for one more region (see above). */
	if (memblock_reserve(addr, new_alloc_size))
		pr_err("memblock: failed to reserve the new %s array\n",
		       type->name);

	return 0;
}

/*
 * memblock_merge_regions(): collapse neighbours in @type into single regions.
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
		/* close the gap: entries from i + 2 on shift down one slot */
		memmove(next, next + 1, (type->cnt - (i + 2)) * sizeof(*next));
		type->cnt--;
	}
}

/*
 * memblock_insert_region(): place [@base, @base + @size) with @nid and @flags
 * at index @idx of @type, shifting the later entries up. The caller has made
 * room already; if not, Linux BUG()s while we print an error and insert nothing.
 */
void memblock_insert_region(struct memblock_type *type, int idx,
			    phys_addr_t base, u64 size, int nid,
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

/*
 * memblock_add_range(): make @type cover [@base, @base + @size) too. Only the
 * parts not covered yet become new regions, with @nid and @flags; existing
 * regions keep their attributes. Neighbours are merged again at the end.
 *
 * Two passes as in Linux: the first counts the pieces to insert and grows
 * the array, the second inserts. Differs from Linux: after a growth we count
 * again, since growing may itself have changed the reserved array.
 *
 * Return: 0 on success, -ENOMEM on failure (nothing changed).
 */
int memblock_add_range(struct memblock_type *type, phys_addr_t base,
		       u64 size, int nid, enum memblock_flags flags)
{
	bool insert = false;
	phys_addr_t obase = base;
	phys_addr_t end = base + memblock_cap_size(base, &size);
	int idx, nr_new;
	struct memblock_region *rgn;

	if (!size)
		return 0;
	memblock_changes++;

	/* empty array: the range becomes regions[0] as it is */
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
		 * Overlap. Whatever part of the new range lies below @rgn
		 * is a piece of its own.
		 */
		if (rbase > base) {
			nr_new++;
			if (insert)
				memblock_insert_region(type, idx++, base,
						       rbase - base, nid,
						       flags);
		}
		/* everything under @rend is handled; go on from there */
		base = min_t(phys_addr_t, rend, end);
	}

	/* the rest above the last overlapping region */
	if (base < end) {
		nr_new++;
		if (insert)
			memblock_insert_region(type, idx, base, end - base,
					       nid, flags);
	}

	if (!nr_new)
		return 0;

	/*
	 * Pass one only counted: grow the array if needed, then insert for
	 * real. After pass two, merge and we are done.
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

// memblock_add_node(): add [@base, @base + @size) to memblock.memory on node
// @nid with @flags. 0 or -errno.
int memblock_add_node(phys_addr_t base, u64 size, int nid,
		      enum memblock_flags flags, const char *caller)
{
	phys_addr_t end = base + size - 1;

	memblock_dbg("%s: [%pa-%pa] nid=%d flags=%x %s\n", __func__,
		     &base, &end, nid, (unsigned)flags, caller);

	return memblock_add_range(&memblock.memory, base, size, nid, flags);
}

// memblock_add(): memblock_add_node() without a node and without flags.
// 0 or -errno.
int memblock_add(phys_addr_t base, u64 size, const char *caller)
{
	phys_addr_t end = base + size - 1;

	memblock_dbg("%s: [%pa-%pa] %s\n", __func__, &base, &end, caller);

	return memblock_add_range(&memblock.memory, base, size, NUMA_NO_NODE,
				  MEMBLOCK_NONE);
}

/*
 * memblock_isolate_range(): split the regions of @type at @base and at
 * @base + @size, so that each region is either wholly inside the range or
 * wholly outside it. That takes at most two splits, i.e. two new entries.
 * The regions inside are indices [*@start_rgn, *@end_rgn); both are 0 when
 * there are none.
 *
 * Return: 0 on success, -ENOMEM on failure (nothing changed).
 */
int memblock_isolate_range(struct memblock_type *type, phys_addr_t base,
			   u64 size, int *start_rgn, int *end_rgn)
{
	phys_addr_t end = base + memblock_cap_size(base, &size);
	int idx;
	struct memblock_region *rgn;

	*start_rgn = *end_rgn = 0;

	if (!size)
		return 0;

	/* room for the (at most) two splits, made up front */
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
			 * @rgn starts below @base: its lower part becomes
			 * an entry of its own, and the loop goes on with
			 * the upper part, now at idx + 1.
			 */
			rgn->base = base;
			rgn->size -= base - rbase;
			type->total_size -= base - rbase;
			memblock_insert_region(type, idx, rbase, base - rbase,
					       memblock_get_region_node(rgn),
					       rgn->flags);
		} else if (rend > end) {
			/*
			 * @rgn runs past @end: split off its part below
			 * @end and look at that piece again (idx--).
			 */
			rgn->base = end;
			rgn->size -= end - rbase;
			type->total_size -= end - rbase;
			memblock_insert_region(type, idx--, rbase, end - rbase,
					       memblock_get_region_node(rgn),
					       rgn->flags);
		} else {
			/* inside the range: extend [start_rgn, end_rgn) */
			if (!*end_rgn)
				*start_rgn = idx;
			*end_rgn = idx + 1;
		}
	}

	return 0;
}

// memblock_remove_range(): cut [base, base + size) out of @type.
int memblock_remove_range(struct memblock_type *type, phys_addr_t base,
			  u64 size)
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

int memblock_remove(phys_addr_t base, u64 size, const char *caller)
{
	phys_addr_t end = base + size - 1;

	memblock_dbg("%s: [%pa-%pa] %s\n", __func__, &base, &end, caller);

	return memblock_remove_range(&memblock.memory, base, size);
}

// memblock_free(): return a block from a memblock_alloc*() call, given by its
// virtual address @ptr (as __va() gave it) and @size in bytes. NULL is ignored.
void memblock_free(void *ptr, size_t size)
{
	if (ptr)
		memblock_phys_free(__pa(ptr), size);
}

// memblock_phys_free(): drop [@base, @base + @size) from memblock.reserved.
// 0 or -ENOMEM.
int memblock_phys_free(phys_addr_t base, u64 size, const char *caller)
{
	phys_addr_t end = base + size - 1;

	memblock_dbg("%s: [%pa-%pa] %s\n", __func__, &base, &end, caller);

	return memblock_remove_range(&memblock.reserved, base, size);
}

int memblock_reserve(phys_addr_t base, u64 size, const char *caller)
{
	phys_addr_t end = base + size - 1;

	memblock_dbg("%s: [%pa-%pa] %s\n", __func__, &base, &end, caller);

	return memblock_add_range(&memblock.reserved, base, size, NUMA_NO_NODE,
				  MEMBLOCK_NONE);
}

// memblock_setclr_flag(): isolate [@base, @base + @size) in @type, then set
// (@set) or clear @flag on every region inside and merge again. 0 or -errno.
static int memblock_setclr_flag(struct memblock_type *type, phys_addr_t base,
				u64 size, bool set,
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

int memblock_mark_hotplug(phys_addr_t base, u64 size)
{
	return memblock_setclr_flag(&memblock.memory, base, size, true,
				    MEMBLOCK_HOTPLUG);
}

int memblock_clear_hotplug(phys_addr_t base, u64 size)
{
	return memblock_setclr_flag(&memblock.memory, base, size, false,
				    MEMBLOCK_HOTPLUG);
}

// Also makes later allocations prefer mirrored memory, as Linux.
int memblock_mark_mirror(phys_addr_t base, u64 size)
{
	system_has_some_mirror = true;

	return memblock_setclr_flag(&memblock.memory, base, size, true,
				    MEMBLOCK_MIRROR);
}

int memblock_mark_nomap(phys_addr_t base, u64 size)
{
	return memblock_setclr_flag(&memblock.memory, base, size, true,
				    MEMBLOCK_NOMAP);
}

int memblock_clear_nomap(phys_addr_t base, u64 size)
{
	return memblock_setclr_flag(&memblock.memory, base, size, false,
				    MEMBLOCK_NOMAP);
}

int memblock_reserved_mark_noinit(phys_addr_t base, u64 size)
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

	/* the filters below apply to memblock.memory only */
	if (type != &memblock.memory)
		return false;

	/* a node was asked for and this region is on another */
	if (numa_valid_node(nid) && nid != m_nid)
		return true;

	/* asked for mirrored memory: nothing else qualifies */
	if ((flags & MEMBLOCK_MIRROR) && !memblock_is_mirror(m))
		return true;

	/* NOMAP regions take part only when MEMBLOCK_NOMAP is passed */
	if (!(flags & MEMBLOCK_NOMAP) && memblock_is_nomap(m))
		return true;

	/* the same for driver-managed ones and MEMBLOCK_DRIVER_MANAGED */
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

/*
 * __next_mem_range(): one step of __for_each_mem_range(). Finds the next piece
 * of @type_a outside @type_b (all of @type_a when @type_b is NULL), filtered by
 * @nid and @flags, and stores its start, end and node through whichever of
 * @out_start, @out_end, @out_nid is not NULL.
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

		/* walk the gaps of type_b */
		for (; idx_b < (int)type_b->cnt + 1; idx_b++) {
			struct memblock_region *r = &type_b->regions[idx_b];
			phys_addr_t r_start;
			phys_addr_t r_end;

			r_start = idx_b ? r[-1].base + r[-1].size : 0;
			r_end = idx_b < (int)type_b->cnt ? r->base : PHYS_ADDR_MAX;

			/* this gap begins beyond the region: next region */
			if (r_start >= m_end)
				break;
			/* overlap: that is the answer */
			if (m_start < r_end) {
				set_outs(max_t(phys_addr_t, m_start, r_start),
					 min_t(phys_addr_t, m_end, r_end),
					 m_nid, out_start, out_end, out_nid);
				/*
				 * Step past whichever of the two ends lower;
				 * the other one may overlap more.
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

	/* nothing left: ULLONG_MAX stops the loop */
	*idx = ULLONG_MAX;
}

// __next_mem_range_rev(): __next_mem_range() going downwards (same arguments);
// the first call passes *@idx == ULLONG_MAX.
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

		/* walk the gaps of type_b, downwards */
		for (; idx_b >= 0; idx_b--) {
			struct memblock_region *r = &type_b->regions[idx_b];
			phys_addr_t r_start;
			phys_addr_t r_end;

			r_start = idx_b ? r[-1].base + r[-1].size : 0;
			r_end = idx_b < (int)type_b->cnt ? r->base : PHYS_ADDR_MAX;
			/* this gap ends below the region: next region */
			if (r_end <= m_start)
				break;
			/* overlap: that is the answer */
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
	/* nothing left: ULLONG_MAX stops the loop */
	*idx = ULLONG_MAX;
}

/*
 * The step behind for_each_mem_pfn_range(): the next memory region that holds
 * at least one whole page and is on node @nid (every node qualifies when @nid
 * is not a valid id, such as NUMA_NO_NODE or MAX_NUMNODES).
 */
void __next_mem_pfn_range(int *idx, int nid, pfn_t *out_start_pfn,
			  pfn_t *out_end_pfn, int *out_nid)
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

/*
 * memblock_set_node(): put the parts of @type inside [@base, @base + @size) on
 * node @nid. Regions reaching over the edges are split first; neighbours are
 * merged afterwards. 0 or -errno.
 */
int memblock_set_node(phys_addr_t base, u64 size,
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

/*
 * memblock_alloc_range_nid(): find and reserve @size bytes within [@start, @end),
 * aligned to @align (0 picks SMP_CACHE_BYTES), on node @nid (NUMA_NO_NODE: any).
 * An @end of MEMBLOCK_ALLOC_ACCESSIBLE stands for memblock.current_limit. Unless
 * @exact_nid is set, a node without room falls back to any node; a preference
 * for mirrored memory (once some was marked) falls back to all memory. The block
 * is recorded with memblock_reserve() and is not zeroed.
 *
 * Return: the physical address, or 0 when nothing fits.
 */
phys_addr_t memblock_alloc_range_nid(u64 size, u64 align,
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

// memblock_phys_alloc_range(): memblock_alloc_range_nid() on any node. @end is
// taken as given, not capped at memblock.current_limit (unless it is
// MEMBLOCK_ALLOC_ACCESSIBLE). The physical address, or 0.
phys_addr_t memblock_phys_alloc_range(u64 size, u64 align,
				      phys_addr_t start, phys_addr_t end, const char *caller)
{
	memblock_dbg("%s: %llu bytes align=0x%llx from=%pa max_addr=%pa %s\n",
		     __func__, (unsigned long long)size,
		     (unsigned long long)align, &start, &end, caller);
	return memblock_alloc_range_nid(size, align, start, end, NUMA_NO_NODE,
					false);
}

// memblock_phys_alloc_try_nid(): below memblock.current_limit, on node @nid if
// it has room, else on any node. The physical address, or 0.
phys_addr_t memblock_phys_alloc_try_nid(u64 size, u64 align,
					int nid)
{
	return memblock_alloc_range_nid(size, align, 0,
					MEMBLOCK_ALLOC_ACCESSIBLE, nid, false);
}

/*
 * memblock_alloc_internal(): shared body of the virtual allocators. @max_addr
 * never exceeds memblock.current_limit; if nothing fits at or above @min_addr,
 * a second attempt ignores @min_addr. Returns __va() of the block, or NULL.
 */
static void *memblock_alloc_internal(u64 size, u64 align,
				     phys_addr_t min_addr, phys_addr_t max_addr,
				     int nid, bool exact_nid)
{
	phys_addr_t alloc;

	if (max_addr > memblock.current_limit)
		max_addr = memblock.current_limit;

	alloc = memblock_alloc_range_nid(size, align, min_addr, max_addr, nid,
					 exact_nid);

	/* second attempt with no lower bound */
	if (!alloc && min_addr)
		alloc = memblock_alloc_range_nid(size, align, 0, max_addr, nid,
						 exact_nid);

	if (!alloc)
		return NULL;

	return __va(alloc);
}

// memblock_alloc_exact_nid_raw(): as memblock_alloc_try_nid_raw(), but only
// node @nid will do. Not zeroed. The virtual address, or NULL.
void *memblock_alloc_exact_nid_raw(u64 size, u64 align,
				   phys_addr_t min_addr, phys_addr_t max_addr,
				   int nid, const char *caller)
{
	memblock_dbg("%s: %llu bytes align=0x%llx nid=%d from=%pa max_addr=%pa %s\n",
		     __func__, (unsigned long long)size,
		     (unsigned long long)align, nid, &min_addr, &max_addr, caller);

	return memblock_alloc_internal(size, align, min_addr, max_addr, nid,
				       true);
}

// memblock_alloc_try_nid_raw(): a block on node @nid if possible, else on any
// node, with its contents left as found (Linux poisons it only with
// CONFIG_PAGE_POISONING debug). The virtual address, or NULL.
void *memblock_alloc_try_nid_raw(u64 size, u64 align,
				 phys_addr_t min_addr, phys_addr_t max_addr,
				 int nid, const char *caller)
{
	memblock_dbg("%s: %llu bytes align=0x%llx nid=%d from=%pa max_addr=%pa %s\n",
		     __func__, (unsigned long long)size,
		     (unsigned long long)align, nid, &min_addr, &max_addr, caller);

	return memblock_alloc_internal(size, align, min_addr, max_addr, nid,
				       false);
}

/*
 * memblock_alloc_try_nid(): memblock_alloc_try_nid_raw() plus zeroing. The
 * block, @size bytes aligned to @align, is sought in the physical range
 * [@min_addr, @max_addr) first; @min_addr is given up when nothing fits above
 * it, and @max_addr == MEMBLOCK_ALLOC_ACCESSIBLE means memblock.current_limit.
 * Node @nid is preferred (NUMA_NO_NODE: no preference). The virtual address, or NULL.
 */
void *memblock_alloc_try_nid(u64 size, u64 align,
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

/* Queries, limits and the dump. */

u64 memblock_phys_mem_size(void)
{
	return memblock.memory.total_size;
}

u64 memblock_reserved_size(void)
{
	return memblock.reserved.total_size;
}

/* base of the first (lowest) memory region */
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

// memblock_is_region_memory(): true when all of [@base, @base + @size) falls
// inside a single memory region.
bool memblock_is_region_memory(phys_addr_t base, u64 size)
{
	int idx = memblock_search(&memblock.memory, base);
	phys_addr_t end = base + memblock_cap_size(base, &size);

	if (idx == -1)
		return false;
	return (memblock.memory.regions[idx].base +
		memblock.memory.regions[idx].size) >= end;
}

// memblock_is_region_reserved(): true when some reserved region overlaps
// [@base, @base + @size).
bool memblock_is_region_reserved(phys_addr_t base, u64 size)
{
	return memblock_overlaps_region(&memblock.reserved, base, size);
}

// memblock_trim_memory(): shrink memory regions to @align boundaries and
// drop the ones that vanish. Unlike Linux, total_size follows.
void memblock_trim_memory(u64 align)
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
	phys_addr_t base, end, size; // size too: Linux prints it with %pa
	enum memblock_flags flags;
	int idx;
	struct memblock_region *rgn;

	pr_info(" %s.cnt  = 0x%lx\n", type->name, type->cnt);

	for_each_memblock_type(idx, type, rgn) {
		char nid_buf[32] = "";

		base = rgn->base;
		size = phys_addr_t(rgn->size);
		end = base + rgn->size - 1;
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

	/* every reserved range: its struct pages become PageReserved */
	for_each_reserved_mem_range(i, &start, &end)
		reserve_bootmem_region(start, end);

	/* NOMAP memory as well, since it never reaches the buddy allocator */
	for_each_mem_region(region) {
		if (memblock_is_nomap(region)) {
			start = region->base;
			end = start + region->size;
			reserve_bootmem_region(start, end);
		}
	}
}

/* Free [start, end) in the largest naturally aligned blocks that fit. */
void __free_pages_memory(pfn_t start, pfn_t end)
{
	int order;

	while (start < end) {
		order = (int)kmin<unsigned long>(MAX_PAGE_ORDER, __builtin_ctzl((unsigned long)start));

		while (start + (1UL << order) > end)
			order--;

		memblock_free_pages(pfn_to_page(start), start, order);

		start += (1UL << order);
	}
}

unsigned long __free_memory_core(phys_addr_t start, phys_addr_t end)
{
	pfn_t start_pfn = PFN_UP(start);
	pfn_t end_pfn = kmin(PFN_DOWN(end), max_low_pfn);

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
	 * All nodes, not only NODE_DATA(0)'s: node 0 can be without RAM, and
	 * then the low memory belongs to node 1.
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
