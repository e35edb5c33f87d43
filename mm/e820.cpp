// E820 table handling, after arch/x86/kernel/e820.c (and trim_bios_range() from
// arch/x86/kernel/setup.c). Messages match Linux's so that a dmesg can be compared
// line by line.
#include "mm/e820.h"

#include <string.h>

#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/sort.h"

namespace {

// Static storage behind the global pointers, as Linux's e820_table_init.
struct e820_table e820_table_init;
struct e820_table e820_table_firmware_init;

// Set once mem= or memmap= changed the table: e820__finish_early_params() then
// sanitizes and prints it.
bool userdef;

void e820_print_type(e820_type type)
{
	switch (type) {
	case E820_TYPE_RAM:
	case E820_TYPE_RESERVED_KERN:
		pr_cont("usable");
		break;
	case E820_TYPE_RESERVED:
		pr_cont("reserved");
		break;
	case E820_TYPE_SOFT_RESERVED:
		pr_cont("soft reserved");
		break;
	case E820_TYPE_ACPI:
		pr_cont("ACPI data");
		break;
	case E820_TYPE_NVS:
		pr_cont("ACPI NVS");
		break;
	case E820_TYPE_UNUSABLE:
		pr_cont("unusable");
		break;
	case E820_TYPE_PMEM:
	case E820_TYPE_PRAM:
		pr_cont("persistent (type %u)", (unsigned)type);
		break;
	default:
		pr_cont("type %u", (unsigned)type);
		break;
	}
}

bool e820_overlaps(const e820_entry *entry, u64 start, u64 end)
{
	return entry->addr < end && entry->addr + entry->size > start;
}

bool mapped_any(const struct e820_table *table, u64 start, u64 end, e820_type type)
{
	for (u32 i = 0; i < table->nr_entries; i++) {
		const e820_entry *entry = &table->entries[i];

		if (type && entry->type != type)
			continue;
		if (e820_overlaps(entry, start, end))
			return true;
	}
	return false;
}

// The entry that completes the coverage of [start, end) by entries of @type (any
// type when 0), walking a sorted, non-overlapping table; nullptr if not covered.
const e820_entry *mapped_all(u64 start, u64 end, e820_type type)
{
	for (u32 i = 0; i < e820_table->nr_entries; i++) {
		const e820_entry *entry = &e820_table->entries[i];

		if (type && entry->type != type)
			continue;
		if (!e820_overlaps(entry, start, end))
			continue;
		// An entry at or before start covers us up to its end.
		if (entry->addr <= start)
			start = entry->addr + entry->size;
		if (start >= end)
			return entry;
	}
	return nullptr;
}

void __e820__range_add(struct e820_table *table, u64 start, u64 size, e820_type type)
{
	u32 x = table->nr_entries;

	if (x >= E820_MAX_ENTRIES) {
		pr_err("e820: too many entries; ignoring [mem %#010llx-%#010llx]\n",
		       (unsigned long long)start, (unsigned long long)(start + size - 1));
		return;
	}
	table->entries[x].addr = start;
	table->entries[x].size = size;
	table->entries[x].type = type;
	table->nr_entries++;
}

u64 __e820__range_update(struct e820_table *table, u64 start, u64 size, e820_type old_type,
			 e820_type new_type)
{
	u64 real_updated_size = 0;

	// Linux: BUG_ON(old_type == new_type).
	if (old_type == new_type) {
		pr_err("e820: update of [mem %#010llx-%#010llx] to its own type %u ignored\n",
		       (unsigned long long)start, (unsigned long long)(start + size - 1),
		       (unsigned)old_type);
		return 0;
	}

	if (size > U64_MAX - start)
		size = U64_MAX - start;
	u64 end = start + size;

	printk(KERN_DEBUG "e820: update [mem %#010Lx-%#010Lx] ", (unsigned long long)start,
	       (unsigned long long)(end - 1));
	e820_print_type(old_type);
	pr_cont(" ==> ");
	e820_print_type(new_type);
	pr_cont("\n");

	// Entries appended below carry new_type, or old_type beyond @end: the loop
	// may visit them but leaves them alone.
	for (u32 i = 0; i < table->nr_entries; i++) {
		e820_entry *entry = &table->entries[i];

		if (entry->type != old_type)
			continue;

		u64 entry_end = entry->addr + entry->size;

		// The whole entry is inside the range: retype it.
		if (entry->addr >= start && entry_end <= end) {
			entry->type = new_type;
			real_updated_size += entry->size;
			continue;
		}

		// The range is strictly inside the entry: split it in three.
		if (entry->addr < start && entry_end > end) {
			__e820__range_add(table, start, size, new_type);
			__e820__range_add(table, end, entry_end - end, entry->type);
			entry->size = start - entry->addr;
			real_updated_size += size;
			continue;
		}

		// Partial overlap at one end of the entry.
		u64 final_start = kmax(start, entry->addr);
		u64 final_end = kmin(end, entry_end);
		if (final_start >= final_end)
			continue;

		__e820__range_add(table, final_start, final_end - final_start, new_type);
		real_updated_size += final_end - final_start;

		entry->size -= final_end - final_start;
		// The overlap was the entry's tail: its head stays where it is.
		if (entry->addr < final_start)
			continue;
		entry->addr = final_end;
	}
	return real_updated_size;
}

// ---- the sanitizer -------------------------------------------------------------

// One end of an entry. The type is copied here so that the output can be written
// over the input entries while the sweep is still running.
struct change_member {
	u64 addr;
	u32 type;
	u32 idx; // entry index, CHANGE_END set for an end point
};

constexpr u32 CHANGE_END = 0x80000000u;

change_member change_points[2 * E820_MAX_ENTRIES];
// The entries overlapping the sweep position, as a max-heap of (type << 32 | idx).
// Entries that ended are removed lazily, when they reach the top.
u64 active_heap[E820_MAX_ENTRIES];
bool entry_ended[E820_MAX_ENTRIES];

int cpcompare(const change_member &a, const change_member &b)
{
	if (a.addr != b.addr)
		return a.addr > b.addr ? 1 : -1;
	// At the same address, starts come before ends (Linux's cpcompare), so that
	// touching entries of one type never open a gap between them.
	bool a_end = a.idx & CHANGE_END, b_end = b.idx & CHANGE_END;
	if (a_end != b_end)
		return a_end ? 1 : -1;
	// Irrelevant to the result; keeps the order fully determined.
	return a.idx < b.idx ? -1 : a.idx > b.idx;
}

void heap_push(u64 *heap, u32 *n, u64 key)
{
	u32 i = (*n)++;
	while (i > 0) {
		u32 parent = (i - 1) / 2;
		if (heap[parent] >= key)
			break;
		heap[i] = heap[parent];
		i = parent;
	}
	heap[i] = key;
}

void heap_pop(u64 *heap, u32 *n)
{
	u64 key = heap[--*n];
	u32 i = 0;
	for (;;) {
		u32 child = 2 * i + 1;
		if (child >= *n)
			break;
		if (child + 1 < *n && heap[child + 1] > heap[child])
			child++;
		if (key >= heap[child])
			break;
		heap[i] = heap[child];
		i = child;
	}
	if (*n)
		heap[i] = key;
}

// Types that may mark distinct platform ranges (NUMA, protection or performance
// domains): never merged with their neighbours, as e820_nomerge() in Linux.
bool e820_nomerge(u32 type)
{
	return type == E820_TYPE_PRAM || type == E820_TYPE_SOFT_RESERVED;
}

// ---- early parameters ----------------------------------------------------------

enum memmap_kind {
	MEMMAP_EXACTMAP, // drop the firmware map
	MEMMAP_ADD,      // nn@ss, nn#ss, nn$ss, nn!ss, nn%ss+new
	MEMMAP_UPDATE,   // nn%ss-old+new
	MEMMAP_REMOVE,   // nn%ss-old (check_type), nn%ss (any type)
	MEMMAP_LIMIT,    // nn: like mem=nn
};

struct memmap_op {
	memmap_kind kind;
	u64 size;
	u64 start;
	e820_type from;
	e820_type to;
};

constexpr size_t MEMMAP_ITEM_MAX = 96;

// memparse_full() on the characters [s, s + len).
bool memparse_span(const char *s, size_t len, u64 *out)
{
	char buf[MEMMAP_ITEM_MAX];
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return memparse_full(buf, out);
}

// An e820 type number for memmap=nn%ss-old+new: base 0, non-zero, 32 bits.
bool parse_type_span(const char *s, size_t len, e820_type *out)
{
	char buf[MEMMAP_ITEM_MAX];
	u64 v;
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!kstrtou64(buf, 0, &v) || v == 0 || v > 0xffffffffULL)
		return false;
	*out = (e820_type)v;
	return true;
}

// [start, start + size) must not run past 2^64 - 1: e820__update_table() refuses
// tables with such an entry.
bool range_fits(u64 start, u64 size)
{
	return size <= U64_MAX - start;
}

bool is_memmap_sigil(char c)
{
	return c == '@' || c == '#' || c == '$' || c == '!' || c == '%';
}

// Parse one memmap= item of @len characters (no comma inside). Linux's
// parse_memmap_one() applies what it parsed before checking what follows; this
// only parses, so that a malformed list can be rejected before anything changes.
int parse_memmap_one(const char *item, size_t len, memmap_op *op)
{
	memset(op, 0, sizeof(*op));

	if (len == 8 && !memcmp(item, "exactmap", 8)) {
		op->kind = MEMMAP_EXACTMAP;
		return 0;
	}

	size_t sigil = 0;
	while (sigil < len && !is_memmap_sigil(item[sigil]))
		sigil++;
	if (!memparse_span(item, sigil, &op->size))
		return -EINVAL;

	if (sigil == len) {
		// Linux would remove all RAM for memmap=0; reject it as mem=0 is.
		if (op->size == 0)
			return -EINVAL;
		op->kind = MEMMAP_LIMIT;
		return 0;
	}

	const char *rest = item + sigil + 1;
	size_t rest_len = len - sigil - 1;

	if (item[sigil] != '%') {
		if (!memparse_span(rest, rest_len, &op->start) || !range_fits(op->start, op->size))
			return -EINVAL;
		op->kind = MEMMAP_ADD;
		switch (item[sigil]) {
		case '@':
			op->to = E820_TYPE_RAM;
			break;
		case '#':
			op->to = E820_TYPE_ACPI;
			break;
		case '$':
			op->to = E820_TYPE_RESERVED;
			break;
		default: // '!'
			op->to = E820_TYPE_PRAM;
			break;
		}
		return 0;
	}

	// nn%ss[-old][+new]
	size_t minus = rest_len, plus = rest_len;
	for (size_t i = 0; i < rest_len; i++) {
		if (rest[i] == '-' && minus == rest_len && plus == rest_len)
			minus = i;
		else if (rest[i] == '+' && plus == rest_len)
			plus = i;
		else if (rest[i] == '-' || rest[i] == '+')
			return -EINVAL;
	}
	size_t start_len = minus < plus ? minus : plus;
	if (!memparse_span(rest, start_len, &op->start))
		return -EINVAL;
	if (minus < rest_len && !parse_type_span(rest + minus + 1, plus - minus - 1, &op->from))
		return -EINVAL;
	if (plus < rest_len && !parse_type_span(rest + plus + 1, rest_len - plus - 1, &op->to))
		return -EINVAL;

	if (op->from && op->to) {
		if (op->from == op->to)
			return -EINVAL;
		op->kind = MEMMAP_UPDATE;
	} else if (op->to) {
		if (!range_fits(op->start, op->size))
			return -EINVAL;
		op->kind = MEMMAP_ADD;
	} else {
		op->kind = MEMMAP_REMOVE;
	}
	return 0;
}

void apply_memmap_op(const memmap_op *op)
{
	userdef = true;
	switch (op->kind) {
	case MEMMAP_EXACTMAP:
		e820_table->nr_entries = 0;
		break;
	case MEMMAP_ADD:
		e820__range_add(op->start, op->size, op->to);
		break;
	case MEMMAP_UPDATE:
		e820__range_update(op->start, op->size, op->from, op->to);
		break;
	case MEMMAP_REMOVE:
		e820__range_remove(op->start, op->size, op->from, op->from != 0);
		break;
	case MEMMAP_LIMIT:
		e820__range_remove(op->size, U64_MAX - op->size, E820_TYPE_RAM, true);
		break;
	}
}

// Walk the comma-separated items of @val; apply them only when @apply.
int for_each_memmap_item(const char *val, bool apply)
{
	const char *p = val;
	for (;;) {
		size_t len = 0;
		while (p[len] && p[len] != ',')
			len++;
		memmap_op op;
		int err = parse_memmap_one(p, len, &op);
		if (err)
			return err;
		if (apply)
			apply_memmap_op(&op);
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

void copy_table(struct e820_table *dst, const struct e820_table *src)
{
	dst->nr_entries = src->nr_entries;
	memcpy(dst->entries, src->entries, src->nr_entries * sizeof(src->entries[0]));
}

pfn_t e820__end_ram_pfn(pfn_t limit_pfn)
{
	pfn_t last_pfn = 0;
	pfn_t max_arch_pfn = MAX_ARCH_PFN;

	for (u32 i = 0; i < e820_table->nr_entries; i++) {
		const e820_entry *entry = &e820_table->entries[i];

		if (entry->type != E820_TYPE_RAM && entry->type != E820_TYPE_ACPI)
			continue;

		pfn_t start_pfn = PFN_DOWN(phys_addr_t(entry->addr));
		pfn_t end_pfn = PFN_DOWN(phys_addr_t(entry->addr + entry->size));

		if (start_pfn >= limit_pfn)
			continue;
		// Sorted table: an entry crossing the limit is the last one that counts.
		if (end_pfn > limit_pfn) {
			last_pfn = limit_pfn;
			break;
		}
		if (end_pfn > last_pfn)
			last_pfn = end_pfn;
	}

	if (last_pfn > max_arch_pfn)
		last_pfn = max_arch_pfn;

	pr_info("last_pfn = %#lx max_arch_pfn = %#lx\n", (unsigned long)last_pfn, (unsigned long)max_arch_pfn);
	return last_pfn;
}

} // namespace

struct e820_table *e820_table = &e820_table_init;
struct e820_table *e820_table_firmware = &e820_table_firmware_init;

void e820_reset()
{
	e820_table = &e820_table_init;
	e820_table_firmware = &e820_table_firmware_init;
	e820_table->nr_entries = 0;
	e820_table_firmware->nr_entries = 0;
	userdef = false;
}

bool e820__mapped_any(u64 start, u64 end, e820_type type)
{
	return mapped_any(e820_table, start, end, type);
}

bool e820__mapped_raw_any(u64 start, u64 end, e820_type type)
{
	return mapped_any(e820_table_firmware, start, end, type);
}

bool e820__mapped_all(u64 start, u64 end, e820_type type)
{
	return mapped_all(start, end, type) != nullptr;
}

int e820__get_entry_type(u64 start, u64 end)
{
	const e820_entry *entry = mapped_all(start, end, (e820_type)0);
	return entry ? (int)entry->type : -EINVAL;
}

void e820__range_add(u64 start, u64 size, e820_type type)
{
	__e820__range_add(e820_table, start, size, type);
}

u64 e820__range_update(u64 start, u64 size, e820_type old_type, e820_type new_type)
{
	return __e820__range_update(e820_table, start, size, old_type, new_type);
}

u64 e820__range_update_table(struct e820_table *t, u64 start, u64 size, e820_type old_type,
			     e820_type new_type)
{
	return __e820__range_update(t, start, size, old_type, new_type);
}

u64 e820__range_remove(u64 start, u64 size, e820_type old_type, bool check_type)
{
	u64 real_removed_size = 0;

	if (size > U64_MAX - start)
		size = U64_MAX - start;
	u64 end = start + size;

	printk(KERN_DEBUG "e820: remove [mem %#010Lx-%#010Lx] ", (unsigned long long)start,
	       (unsigned long long)(end - 1));
	if (check_type)
		e820_print_type(old_type);
	pr_cont("\n");

	for (u32 i = 0; i < e820_table->nr_entries; i++) {
		e820_entry *entry = &e820_table->entries[i];

		if (check_type && entry->type != old_type)
			continue;

		u64 entry_end = entry->addr + entry->size;

		// Entirely inside the range: leave an empty entry for the sanitizer.
		if (entry->addr >= start && entry_end <= end) {
			real_removed_size += entry->size;
			memset(entry, 0, sizeof(*entry));
			continue;
		}

		// The range is strictly inside the entry: keep head and tail.
		if (entry->addr < start && entry_end > end) {
			e820__range_add(end, entry_end - end, entry->type);
			entry->size = start - entry->addr;
			real_removed_size += size;
			continue;
		}

		u64 final_start = kmax(start, entry->addr);
		u64 final_end = kmin(end, entry_end);
		if (final_start >= final_end)
			continue;

		real_removed_size += final_end - final_start;
		entry->size -= final_end - final_start;
		if (entry->addr < final_start)
			continue;
		entry->addr = final_end;
	}
	return real_removed_size;
}

// The change-point sweep of Linux's e820__update_table(): every entry contributes
// a start and an end point; walking them in address order while tracking the
// entries that overlap the current position gives, between consecutive points,
// the winning (highest) type. A new output entry starts whenever that type
// changes. Sorting is O(n log n), the active set a heap: O(n log n) overall.
int e820__update_table(struct e820_table *table)
{
	e820_entry *entries = table->entries;
	u32 nr = table->nr_entries;

	if (nr < 2)
		return -1;
	if (nr > E820_MAX_ENTRIES) {
		pr_err("e820: table claims %u entries, more than %u\n", nr, E820_MAX_ENTRIES);
		return -1;
	}

	// Bail out on an entry whose end wraps around.
	for (u32 i = 0; i < nr; i++) {
		if (entries[i].addr + entries[i].size < entries[i].addr)
			return -1;
	}

	u32 chg_nr = 0;
	for (u32 i = 0; i < nr; i++) {
		if (entries[i].size == 0)
			continue;
		change_points[chg_nr++] = {entries[i].addr, entries[i].type, i};
		change_points[chg_nr++] = {entries[i].addr + entries[i].size, entries[i].type,
					   i | CHANGE_END};
	}
	sort(change_points, chg_nr, cpcompare);

	memset(entry_ended, 0, nr * sizeof(entry_ended[0]));
	u32 heap_n = 0;
	u32 new_nr = 0;
	u32 last_type = 0; // 0: no entry open
	u64 last_addr = 0;
	bool lost = false;

	for (u32 c = 0; c < chg_nr; c++) {
		const change_member *cp = &change_points[c];
		u32 idx = cp->idx & ~CHANGE_END;

		if (cp->idx & CHANGE_END)
			entry_ended[idx] = true;
		else
			heap_push(active_heap, &heap_n, (u64)cp->type << 32 | idx);
		while (heap_n && entry_ended[(u32)active_heap[0]])
			heap_pop(active_heap, &heap_n);

		u32 current_type = heap_n ? (u32)(active_heap[0] >> 32) : 0;
		if (current_type == last_type && !e820_nomerge(current_type))
			continue;

		// Close the open entry; an empty one (several points at one address) is
		// simply replaced by the next.
		if (last_type && cp->addr != last_addr) {
			if (new_nr >= E820_MAX_ENTRIES) {
				lost = true;
				break;
			}
			entries[new_nr].addr = last_addr;
			entries[new_nr].size = cp->addr - last_addr;
			entries[new_nr].type = (e820_type)last_type;
			new_nr++;
		}
		if (current_type)
			last_addr = cp->addr;
		last_type = current_type;
	}
	if (lost)
		pr_err("e820: too many entries after sanitizing; map above %#010llx lost\n",
		       (unsigned long long)last_addr);

	table->nr_entries = new_nr;
	return 0;
}

void e820__update_table_print()
{
	if (e820__update_table(e820_table))
		return;
	pr_info("modified physical RAM map:\n");
	e820__print_table("modified");
}

void e820__print_table(const char *who)
{
	for (u32 i = 0; i < e820_table->nr_entries; i++) {
		const e820_entry *entry = &e820_table->entries[i];

		pr_info("%s: [mem %#018Lx-%#018Lx] ", who, (unsigned long long)entry->addr,
			(unsigned long long)(entry->addr + entry->size - 1));
		e820_print_type(entry->type);
		pr_cont("\n");
	}
}

pfn_t e820__end_of_ram_pfn()
{
	return e820__end_ram_pfn(MAX_ARCH_PFN);
}

pfn_t e820__end_of_low_ram_pfn()
{
	return e820__end_ram_pfn(1UL << (32 - PAGE_SHIFT));
}

int e820__memory_setup(const struct e820_table *firmware)
{
	// Linux falls back to a BIOS-88/e801 guess when the map has fewer than two
	// entries; there is nothing to fall back to here, so only an empty map fails.
	if (!firmware || firmware->nr_entries == 0 || firmware->nr_entries > E820_MAX_ENTRIES) {
		pr_err("e820: no usable firmware memory map (%u entries)\n",
		       firmware ? firmware->nr_entries : 0);
		return -EINVAL;
	}
	for (u32 i = 0; i < firmware->nr_entries; i++) {
		const e820_entry *entry = &firmware->entries[i];
		if (entry->addr + entry->size < entry->addr) {
			pr_err("e820: firmware entry %u [mem %#018llx size %#llx] wraps around\n", i,
			       (unsigned long long)entry->addr, (unsigned long long)entry->size);
			return -EINVAL;
		}
	}

	if (firmware != e820_table) {
		e820_table->nr_entries = 0;
		for (u32 i = 0; i < firmware->nr_entries; i++) {
			const e820_entry *entry = &firmware->entries[i];
			e820__range_add(entry->addr, entry->size, entry->type);
		}
	}
	e820__update_table(e820_table);

	copy_table(e820_table_firmware, e820_table);

	pr_info("BIOS-provided physical RAM map:\n");
	e820__print_table("BIOS-e820");
	return 0;
}

void trim_bios_range()
{
	// The first page belongs to the BIOS (real-mode IVT, BDA), RAM or not.
	e820__range_update(0, PAGE_SIZE, E820_TYPE_RAM, E820_TYPE_RESERVED);
	// [640K, 1M) holds VGA memory and ROMs, yet some firmware lists it as usable:
	// drop any RAM there.
	e820__range_remove(BIOS_BEGIN, BIOS_END - BIOS_BEGIN, E820_TYPE_RAM, true);
	e820__update_table(e820_table);
}

int parse_memopt(const char *val)
{
	u64 mem_size;

	if (!val)
		return -EINVAL;

	if (!strcmp(val, "nopentium")) {
		pr_warn("mem=nopentium ignored! (only supported on x86_32)\n");
		return -EINVAL;
	}

	// Linux ignores trailing characters after the number; they are an error here.
	// mem=0 (or anything parsing as 0) must not remove all memory.
	if (!memparse_full(val, &mem_size) || mem_size == 0)
		return -EINVAL;

	userdef = true;
	e820__range_remove(mem_size, U64_MAX - mem_size, E820_TYPE_RAM, true);
	return 0;
}

int parse_memmap_opt(const char *val)
{
	if (!val)
		return -EINVAL;
	// Validate every item first: a malformed list changes nothing.
	int err = for_each_memmap_item(val, false);
	if (err)
		return err;
	return for_each_memmap_item(val, true);
}

int e820__finish_early_params()
{
	if (!userdef)
		return 0;
	// Linux panics whenever e820__update_table() fails, even for a one-entry map
	// (memmap=exactmap,nn@ss); only a wrapping entry is a real failure.
	if (e820__update_table(e820_table) < 0 && e820_table->nr_entries >= 2) {
		pr_err("Invalid user supplied memory map\n");
		return -EINVAL;
	}
	pr_info("user-defined physical RAM map:\n");
	e820__print_table("user");
	return 0;
}
