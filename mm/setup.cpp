#include "mm/setup.h"

#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/e820.h"
#include "mm/memblock.h"
#include "mm/mm_init.h"
#include "mm/numa.h"
#include "mm/shuffle.h"

namespace {

const kernel_param console_params[] = {
	{"loglevel", loglevel_setup},
	{"quiet", quiet_setup},
};

const kernel_param memory_params[] = {
	{"mem", parse_memopt},
	{"memmap", parse_memmap_opt},
	{"memblock", early_memblock},
	{"kernelcore", cmdline_parse_kernelcore},
	{"movablecore", cmdline_parse_movablecore},
	{"check_pages", early_check_pages},
	{"init_on_alloc", early_init_on_alloc},
	{"init_on_free", early_init_on_free},
	{"page_alloc.shuffle", shuffle_param_set},
	{"numa", numa_setup},
};

int param_accept(const char *) { return 0; }

constexpr size_t MAX_EARLY_PARAMS = 48;

void add_params(kernel_param *table, size_t *n, const kernel_param *src, size_t count, bool apply)
{
	for (size_t i = 0; i < count && *n < MAX_EARLY_PARAMS; i++)
		table[(*n)++] = {src[i].name, apply ? src[i].setup : param_accept};
}

} // namespace

parse_result parse_early_param(const char *cmdline, param_phase phase, const early_param_set *platform,
			       char *unknown, size_t unknown_size)
{
	kernel_param table[MAX_EARLY_PARAMS];
	size_t n = 0;
	bool console = phase == PARAMS_CONSOLE;

	add_params(table, &n, console_params, ARRAY_SIZE(console_params), console);
	add_params(table, &n, memory_params, ARRAY_SIZE(memory_params), !console);
	if (platform) {
		add_params(table, &n, platform->console, platform->nr_console, console);
		add_params(table, &n, platform->other, platform->nr_other, !console);
	}

	char ignored[8];
	if (console)
		return parse_args(cmdline, table, n, ignored, sizeof(ignored));
	return parse_args(cmdline, table, n, unknown, unknown_size);
}

void e820__memblock_setup()
{
	// memblock may need more than its 128 static regions on real machines; the
	// arrays can grow from here on (Linux allows it at the same point).
	memblock_allow_resize();

	for (u32 i = 0; i < e820_table->nr_entries; i++) {
		// e820 keeps the firmware's u64 values, as Linux; they become physical
		// addresses here. (Linux first skips an entry whose end does not fit a
		// 32-bit phys_addr_t; with a 64-bit one every entry fits.)
		const e820_entry *entry = &e820_table->entries[i];
		phys_addr_t addr = phys_addr_t(entry->addr);
		if (entry->type == E820_TYPE_SOFT_RESERVED)
			memblock_reserve(addr, entry->size);
		if (entry->type != E820_TYPE_RAM && entry->type != E820_TYPE_RESERVED_KERN)
			continue;
		memblock_add(addr, entry->size);
	}

	// Round every region inward to page boundaries (memblock_trim_memory()): a
	// partial page at either end is useless to the page allocator.
	memblock_trim_memory(PAGE_SIZE);
	memblock_dump_all();
}

namespace {

bool e820_entry_is_memory(const e820_entry *entry)
{
	return entry->type == E820_TYPE_RAM || entry->type == E820_TYPE_RESERVED_KERN;
}

} // namespace

int memblock_setup_owned(const owned_memory *owned)
{
	// Owned ranges sorted by address (a few hundred at most: insertion sort).
	static owned_range sorted[MAX_OWNED_RANGES];
	unsigned n = owned->nr;
	for (unsigned i = 0; i < n; i++) {
		owned_range r = owned->ranges[i];
		unsigned j = i;
		while (j > 0 && sorted[j - 1].base > r.base) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = r;
	}

	memblock_allow_resize();

	// 1. Owned memory that e820 calls usable: the only memory that may be free.
	for (u32 e = 0; e < e820_table->nr_entries; e++) {
		const e820_entry *entry = &e820_table->entries[e];
		if (!e820_entry_is_memory(entry))
			continue;
		phys_addr_t es = phys_addr_t(entry->addr), ee = es + entry->size;
		for (unsigned i = 0; i < n; i++) {
			phys_addr_t s = kmax(es, sorted[i].base), t = kmin(ee, sorted[i].base + sorted[i].size);
			if (s < t) {
				int err = memblock_add(s, t - s);
				if (err)
					return err;
			}
		}
	}

	// 2. Reserve every usable range's parts that are not owned.
	for (u32 e = 0; e < e820_table->nr_entries; e++) {
		const e820_entry *entry = &e820_table->entries[e];
		if (!e820_entry_is_memory(entry))
			continue;
		phys_addr_t pos = phys_addr_t(entry->addr), end = pos + entry->size;
		for (unsigned i = 0; i < n && pos < end; i++) {
			phys_addr_t os = sorted[i].base, oe = os + sorted[i].size;
			if (oe <= pos || os >= end)
				continue;
			if (os > pos) {
				int err = memblock_reserve(pos, os - pos);
				if (err)
					return err;
			}
			pos = kmax(pos, oe);
		}
		if (pos < end) {
			int err = memblock_reserve(pos, end - pos);
			if (err)
				return err;
		}
	}

	// 3. Now all usable RAM, exactly as Linux does it.
	e820__memblock_setup();
	return 0;
}

unsigned memblock_check_free_is_owned(const owned_memory *owned)
{
	unsigned bad = 0;
	u64 i;
	phys_addr_t start, end;
	for_each_free_mem_range(i, NUMA_NO_NODE, MEMBLOCK_NONE, &start, &end, nullptr) {
		if (!owned_contains(owned, start, end - start)) {
			pr_err("memblock: free range [mem %#018llx-%#018llx] is not owned by the app\n",
			       (unsigned long long)start, (unsigned long long)end - 1);
			bad++;
		}
	}
	return bad;
}
