// Host only: the dmesg parser and the replay of its memory setup (docs/replay.md).
// The C++ library first: lib/types.h defines kernel macros (__init, ...).
#include <string>
#include <vector>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tools/dmesg.h"

#include "host/platform.h"
#include "lib/errno.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "mm/memblock.h"
#include "mm/mm_init.h"
#include "mm/numa.h"
#include "mm/setup.h"
#include "paging/pgtable_types.h"

namespace {

bool starts_with(const std::string &s, const char *prefix, size_t pos = 0)
{
	size_t n = strlen(prefix);
	return s.size() >= pos + n && s.compare(pos, n, prefix) == 0;
}

std::string trim(const std::string &s)
{
	size_t b = s.find_first_not_of(" \t\r\n");
	if (b == std::string::npos)
		return "";
	size_t e = s.find_last_not_of(" \t\r\n");
	return s.substr(b, e - b + 1);
}

// "<6>" at @pos: skip it.
size_t skip_syslog_level(const std::string &s, size_t pos)
{
	if (pos < s.size() && s[pos] == '<') {
		size_t e = pos + 1;
		while (e < s.size() && isdigit((unsigned char)s[e]))
			e++;
		if (e > pos + 1 && e < s.size() && s[e] == '>')
			return e + 1;
	}
	return pos;
}

// The printk timestamp "[    0.000000]" or dmesg -T's "[Mon Jan  1 12:00:00 2024]".
size_t skip_timestamp(const std::string &s, size_t pos)
{
	if (pos >= s.size() || s[pos] != '[')
		return pos;
	size_t e = s.find(']', pos);
	if (e == std::string::npos)
		return pos;
	std::string in = s.substr(pos + 1, e - pos - 1);
	size_t i = in.find_first_not_of(' ');
	bool mono = i != std::string::npos && in.find_first_not_of("0123456789.", i) == std::string::npos &&
		    in.find('.') != std::string::npos;
	bool wall = in.size() == 24 && isalpha((unsigned char)in[0]) && in[13] == ':' && in[16] == ':' &&
		    in.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789: ") ==
			    std::string::npos;
	if (!mono && !wall)
		return pos;
	e++;
	if (e < s.size() && s[e] == ' ')
		e++;
	return e;
}

// A journal prefix at the start of @s: "Jan 02 03:04:05 host prog: " or short-iso
// "2024-01-02T03:04:05+0100 host prog: ". Its length, and @prog; 0 if none.
size_t journal_prefix(const std::string &s, std::string *prog)
{
	size_t p;
	auto digit = [&](size_t i) { return i < s.size() && isdigit((unsigned char)s[i]); };
	if (s.size() > 16 && isupper((unsigned char)s[0]) && islower((unsigned char)s[1]) &&
	    islower((unsigned char)s[2]) && s[3] == ' ' && (s[4] == ' ' || digit(4)) && digit(5) && s[6] == ' ' &&
	    digit(7) && digit(8) && s[9] == ':' && digit(10) && digit(11) && s[12] == ':' && digit(13) &&
	    digit(14) && s[15] == ' ') {
		p = 16;
	} else if (s.size() > 11 && digit(0) && digit(1) && digit(2) && digit(3) && s[4] == '-' && digit(5) &&
		   digit(6) && s[7] == '-' && digit(8) && digit(9) && (s[10] == 'T' || s[10] == ' ')) {
		p = s.find(' ', 11);
		if (p == std::string::npos)
			return 0;
		p++;
	} else {
		return 0;
	}
	size_t host_end = s.find(' ', p);
	if (host_end == std::string::npos || host_end == p)
		return 0;
	size_t prog_start = host_end + 1;
	size_t colon = s.find(": ", prog_start);
	if (colon == std::string::npos || colon == prog_start ||
	    s.find(' ', prog_start) < colon)
		return 0;
	*prog = s.substr(prog_start, colon - prog_start);
	return colon + 2;
}

// "0x1234" or "1234" (hex) at @p; false if no digits.
bool parse_hex(const char *p, const char **end, u64 *out)
{
	char *e;
	errno = 0;
	unsigned long long v = strtoull(p, &e, 16);
	if (e == p || errno)
		return false;
	*out = v;
	*end = e;
	return true;
}

// "[mem 0xA-0xB]" at the start of @p: [A, B + 1).
bool parse_mem_range(const char *p, const char **end, u64 *start, u64 *stop)
{
	if (strncmp(p, "[mem ", 5))
		return false;
	p += 5;
	u64 a, b;
	if (!parse_hex(p, &p, &a) || *p != '-' || !parse_hex(p + 1, &p, &b) || *p != ']' || b < a)
		return false;
	*start = a;
	*stop = b + 1; // b may be ~0: then the range wraps to 0, caller checks
	*end = p + 1;
	return true;
}

// "0000000000000000 - 000000000009fc00" (old kernels, exclusive end).
bool parse_old_range(const char *p, const char **end, u64 *start, u64 *stop)
{
	u64 a, b;
	while (*p == ' ')
		p++;
	if (!parse_hex(p, &p, &a) || strncmp(p, " - ", 3) || !parse_hex(p + 3, &p, &b) || b < a)
		return false;
	*start = a;
	*stop = b;
	*end = p;
	return true;
}

// "(usable)" -> "usable"
std::string unparen(const std::string &s)
{
	std::string t = trim(s);
	if (t.size() >= 2 && t.front() == '(' && t.back() == ')')
		return t.substr(1, t.size() - 2);
	return t;
}

const char *const efi_type_names[] = {
	"Reserved",  "Loader Code",  "Loader Data", "Boot Code",    "Boot Data",    "Runtime Code",
	"Runtime Data", "Conventional", "Unusable", "ACPI Reclaim", "ACPI Mem NVS", "MMIO",
	"MMIO Port", "PAL Code",     "Persistent", "Unaccepted",
};

const struct {
	const char *name;
	u64 bit;
} efi_attr_names[] = {
	{"RUN", EFI_MEMORY_RUNTIME}, {"HP", EFI_MEMORY_HOT_PLUGGABLE}, {"MR", EFI_MEMORY_MORE_RELIABLE},
	{"CC", EFI_MEMORY_CPU_CRYPTO}, {"SP", EFI_MEMORY_SP}, {"NV", EFI_MEMORY_NV},
	{"XP", EFI_MEMORY_XP}, {"RP", EFI_MEMORY_RP}, {"WP", EFI_MEMORY_WP},
	{"RO", EFI_MEMORY_RO}, {"UCE", EFI_MEMORY_UCE}, {"WB", EFI_MEMORY_WB},
	{"WT", EFI_MEMORY_WT}, {"WC", EFI_MEMORY_WC}, {"UC", EFI_MEMORY_UC},
};

// "efi: mem07: [Conventional|   |  |...|UC] range=[0x...-0x...] (359MB)"
bool parse_efi_mem(const std::string &msg, efi_memory_desc_t *md)
{
	// "efi: memNN: [fields] range=[0xA-0xB] (..MB)"
	size_t colon = msg.find(": [", 8);
	if (colon == std::string::npos)
		return false;
	size_t close = msg.find(']', colon);
	if (close == std::string::npos)
		return false;
	std::string fields = msg.substr(colon + 3, close - colon - 3);
	unsigned long long start, end;
	if (sscanf(msg.c_str() + close + 1, " range=[%llx-%llx]", &start, &end) != 2)
		return false;
	std::vector<std::string> parts;
	size_t pos = 0;
	for (;;) {
		size_t bar = fields.find('|', pos);
		parts.push_back(trim(fields.substr(pos, bar == std::string::npos ? std::string::npos : bar - pos)));
		if (bar == std::string::npos)
			break;
		pos = bar + 1;
	}
	memset(md, 0, sizeof(*md));
	bool found = false;
	if (starts_with(parts[0], "type=")) {
		md->type = (u32)strtoul(parts[0].c_str() + 5, nullptr, 10);
		found = true;
	}
	for (u32 t = 0; !found && t < ARRAY_SIZE(efi_type_names); t++) {
		if (parts[0] == efi_type_names[t]) {
			md->type = t;
			found = true;
		}
	}
	if (!found)
		return false;
	for (size_t i = 1; i < parts.size(); i++) {
		if (starts_with(parts[i], "attr=")) {
			md->attribute = strtoull(parts[i].c_str() + 5, nullptr, 16);
			continue;
		}
		for (const auto &a : efi_attr_names)
			if (parts[i] == a.name)
				md->attribute |= a.bit;
	}
	if (end < start)
		return false;
	md->phys_addr = start;
	md->num_pages = (end - start + 1) >> EFI_PAGE_SHIFT;
	return true;
}

// Lines Linux prints only once e820__memblock_setup() has run: from here on, e820
// changes no longer reach memblock.memory (docs/replay.md).
bool is_freeze_marker(const std::string &msg)
{
	static const char *const markers[] = {
		"MEMBLOCK configuration:",
		"ACPI: Early table checksum verification",
		"ACPI: RSDP ",
		"esrt: ",
		"ACPI: SRAT: ",
		"SRAT: ",
		"NUMA: ",
		"No NUMA configuration found",
		"NUMA turned off",
		"Faking a node at",
		"NODE_DATA(",
		"Zone ranges:",
		"Early memory node ranges",
		"Initmem setup node",
		"Memory: ",
	};
	for (const char *m : markers)
		if (starts_with(msg, m))
			return true;
	// memblock=debug: the first memblock_add comes from e820__memblock_setup().
	return starts_with(msg, "memblock_add: ");
}

} // namespace

bool dmesg_strip_prefix(const std::string &raw, std::string *msg)
{
	std::string line = raw;
	while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
		line.pop_back();

	size_t pos = skip_syslog_level(line, 0);

	// journalctl: "Jan 02 03:04:05 host kernel: ", or short-iso
	// "2024-01-02T03:04:05+0100 host kernel: ". Other programs' lines are not ours.
	std::string prog;
	if (size_t n = journal_prefix(line.substr(pos), &prog)) {
		if (prog != "kernel")
			return false;
		pos += n;
	} else if (starts_with(line, "kernel: ", pos)) {
		pos += 8;
	}

	pos = skip_syslog_level(line, pos);
	pos = skip_timestamp(line, pos);
	*msg = line.substr(pos);
	return true;
}

bool dmesg_parse_e820_type(const std::string &s, e820_type *type)
{
	std::string t = unparen(s);
	if (t == "usable")
		*type = E820_TYPE_RAM;
	else if (t == "reserved")
		*type = E820_TYPE_RESERVED;
	else if (t == "ACPI data")
		*type = E820_TYPE_ACPI;
	else if (t == "ACPI NVS")
		*type = E820_TYPE_NVS;
	else if (t == "unusable")
		*type = E820_TYPE_UNUSABLE;
	else if (t == "soft reserved")
		*type = E820_TYPE_SOFT_RESERVED;
	else if (t == "reserved kernel")
		*type = E820_TYPE_RESERVED_KERN;
	else if (starts_with(t, "persistent (type ") || starts_with(t, "type ")) {
		const char *p = t.c_str() + (t[0] == 'p' ? 17 : 5);
		char *e;
		unsigned long v = strtoul(p, &e, 10);
		if (e == p)
			return false;
		*type = (e820_type)v;
	} else
		return false;
	return true;
}

void dmesg_parse(const std::string &text, dmesg_log *log)
{
	*log = dmesg_log();
	enum { BEFORE, IN_TABLE, AFTER } bios_state = BEFORE;
	bool userdef_seen = false, kernel_range_next = false;
	bool have_cmdline = false, have_last_pfn = false;

	size_t pos = 0;
	while (pos < text.size()) {
		size_t nl = text.find('\n', pos);
		std::string raw = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
		pos = nl == std::string::npos ? text.size() : nl + 1;

		std::string msg;
		if (!dmesg_strip_prefix(raw, &msg))
			continue;
		log->messages.push_back(msg);
		std::string t = trim(msg);

		if (starts_with(t, "Command line: ")) {
			if (!have_cmdline)
				log->cmdline = t.substr(14);
			have_cmdline = true;
			continue;
		}
		if (starts_with(t, "Kernel command line: ")) {
			if (!have_cmdline)
				log->cmdline = t.substr(21);
			have_cmdline = true;
			continue;
		}

		if (starts_with(t, "BIOS-e820: ")) {
			if (bios_state == AFTER)
				continue;
			bios_state = IN_TABLE;
			const char *p = t.c_str() + 11, *e;
			u64 start, end;
			std::string type;
			if (parse_mem_range(p, &e, &start, &end) && end > start) {
				type = e;
			} else if (parse_old_range(p, &e, &start, &end)) {
				type = e;
			} else {
				continue;
			}
			e820_type ty;
			if (!dmesg_parse_e820_type(type, &ty) || end <= start)
				continue;
			log->bios_e820.push_back({start, end - start, ty});
			continue;
		}
		if (bios_state == IN_TABLE)
			bios_state = AFTER;

		efi_memory_desc_t md;
		if (starts_with(t, "efi: mem") && parse_efi_mem(t, &md)) {
			log->efi_mem.push_back(md);
			continue;
		}

		if (starts_with(t, "ACPI: SRAT: Node ") || starts_with(t, "SRAT: Node ")) {
			const char *p = t.c_str() + (t[0] == 'A' ? 17 : 11), *e;
			int node, pxm, n = 0;
			u64 start, end;
			if (sscanf(p, "%d PXM %d %n", &node, &pxm, &n) == 2 && n &&
			    parse_mem_range(p + n, &e, &start, &end) && end > start)
				log->srat.push_back({node, pxm, start, end, strstr(e, "hotplug") != nullptr});
			if (!log->frozen)
				log->frozen = true;
			continue;
		}

		if (starts_with(t, "last_pfn = ") && !have_last_pfn) {
			have_last_pfn = true;
			size_t at = t.find("max_arch_pfn = ");
			log->la57 = at != std::string::npos && strtoull(t.c_str() + at + 15, nullptr, 16) == 1ULL << (52 - 12);
			continue;
		}

		if (!log->frozen && is_freeze_marker(t)) {
			log->frozen = true;
			continue;
		}

		if (t == "user-defined physical RAM map:") {
			userdef_seen = true;
			continue;
		}
		if (t.find("are not marked as E820_TYPE_RAM") != std::string::npos ||
		    t.find("are not marked as E820_RAM") != std::string::npos) {
			kernel_range_next = true;
			continue;
		}

		// e820 changes: "e820: update [mem A-B] T ==> T", "e820: remove [mem A-B] T",
		// and the old "e820 update range: A - B (T) ==> (T)", "e820 remove range: A - B (T)".
		bool update = starts_with(t, "e820: update [mem ") || starts_with(t, "e820 update range: ");
		bool remove = starts_with(msg, "e820: remove [mem ") || starts_with(t, "e820 remove range: ");
		if (!update && !remove)
			continue;
		if (bios_state == BEFORE)
			continue;
		// Keep the trailing space of "e820: remove [mem A-B] " (no type).
		const std::string &src = remove ? msg : t;
		const char *p = src.c_str() + (starts_with(src, "e820: ") ? 13 : 19), *e;
		u64 start, end;
		bool ok = starts_with(src, "e820: ") ? parse_mem_range(p, &e, &start, &end)
						     : parse_old_range(p, &e, &start, &end);
		if (!ok)
			continue;
		u64 size = end > start ? end - start : ~(u64)0 - start; // "-0xffffffffffffffff"
		if (log->frozen) {
			log->ignored_after_freeze++;
			continue;
		}
		dmesg_e820_event ev{};
		ev.start = start;
		ev.size = size;
		ev.after_userdef = userdef_seen;
		std::string rest = e;
		if (update) {
			size_t arrow = rest.find("==>");
			if (arrow == std::string::npos)
				continue;
			if (!dmesg_parse_e820_type(rest.substr(0, arrow), &ev.old_type) ||
			    !dmesg_parse_e820_type(rest.substr(arrow + 3), &ev.new_type))
				continue;
			// "usable ==> usable" can only be RAM -> RESERVED_KERN (setup_data).
			if (ev.old_type == ev.new_type && ev.old_type == E820_TYPE_RAM)
				ev.new_type = E820_TYPE_RESERVED_KERN;
			if (ev.old_type == ev.new_type)
				continue;
			ev.kind = dmesg_e820_event::UPDATE;
		} else {
			std::string type = trim(rest);
			if (type.empty()) {
				ev.kind = kernel_range_next ? dmesg_e820_event::KERNEL_RANGE : dmesg_e820_event::REMOVE;
				ev.check_type = false;
				ev.old_type = (e820_type)0;
			} else {
				if (!dmesg_parse_e820_type(type, &ev.old_type))
					continue;
				ev.kind = dmesg_e820_event::REMOVE;
				ev.check_type = true;
			}
			kernel_range_next = false;
		}
		log->events.push_back(ev);
	}
}

namespace {

const dmesg_log *replay_log;

// The SRAT side of the replay: what acpi_numa_memory_affinity_init() did with
// each memory affinity the log shows.
int replay_srat_init(void)
{
	int added = 0;
	for (const dmesg_srat_memblk &b : replay_log->srat) {
		// The log's numbers become physical addresses here.
		phys_addr_t start = phys_addr_t(b.start), end = phys_addr_t(b.end);
		if (numa_add_memblk(b.node, start, end) < 0) {
			pr_err("ACPI: SRAT: Failed to add memblk to node %u [mem %#010Lx-%#010Lx]\n", b.node,
			       (unsigned long long)b.start, (unsigned long long)(b.end - 1));
			pr_err("ACPI: SRAT: SRAT not used.\n");
			return -EINVAL;
		}
		node_set(b.node, numa_nodes_parsed);
		if (b.hotplug)
			memblock_mark_hotplug(start, b.end - b.start);
		pr_info("ACPI: SRAT: Node %u PXM %u [mem %#010Lx-%#010Lx]%s\n", b.node, b.pxm,
			(unsigned long long)b.start, (unsigned long long)(b.end - 1), b.hotplug ? " hotplug" : "");
		added++;
	}
	return added ? 0 : -ENOENT;
}

void apply_event(const dmesg_e820_event &ev)
{
	switch (ev.kind) {
	case dmesg_e820_event::UPDATE:
		e820__range_update(ev.start, ev.size, ev.old_type, ev.new_type);
		break;
	case dmesg_e820_event::REMOVE:
		e820__range_remove(ev.start, ev.size, ev.old_type, ev.check_type);
		break;
	case dmesg_e820_event::KERNEL_RANGE:
		pr_warn(".text .data .bss are not marked as E820_TYPE_RAM!\n");
		e820__range_remove(ev.start, ev.size, E820_TYPE_RAM, false);
		e820__range_add(ev.start, ev.size, E820_TYPE_RAM);
		break;
	}
}

// Simulated RAM for what memblock hands out (NODE_DATA, grown region arrays):
// reserved address space, only touched pages become real. It stays mapped
// after a replay, for NODE_DATA to be read, until the next one.
void *window_base = MAP_FAILED;
size_t window_size = 0;

void release_phys_window()
{
	host_set_phys_window(nullptr, 0);
	if (window_base != MAP_FAILED)
		munmap(window_base, window_size);
	window_base = MAP_FAILED;
	window_size = 0;
}

void map_phys_window(size_t size)
{
	release_phys_window();
	if (!size)
		return;
	window_base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			   -1, 0);
	if (window_base == MAP_FAILED) {
		fprintf(stderr, "replay: cannot reserve %zu bytes of address space for simulated RAM\n", size);
		return;
	}
	window_size = size;
	host_set_phys_window(window_base, window_size);
}

} // namespace

namespace {
// The log's paging mode for one replay (MAX_PHYSMEM_BITS: max_arch_pfn, the
// sections), 4 levels again afterwards, as the rest of the host code expects.
struct paging_mode_for_replay {
	explicit paging_mode_for_replay(bool la57) { paging_set_levels(la57); }
	~paging_mode_for_replay() { paging_set_levels(false); }
};
} // namespace

int replay_dmesg(const dmesg_log &log, const replay_options &opt)
{
	paging_mode_for_replay mode(log.la57);
	release_phys_window();
	printk_reset();
	memblock_reset();
	e820_reset();
	numa_reset();
	mm_init_reset();
	memmap_struct_page_size = opt.struct_page_size;

	int err = replay_e820(log, opt);
	if (err)
		return err;

	map_phys_window((u64)PFN_PHYS(max_pfn));

	e820__memblock_setup();

	replay_log = &log;
	err = x86_numa_init(log.srat.empty() ? nullptr : replay_srat_init);
	replay_log = nullptr;
	if (err)
		return err;

	// x86-64's init_mem_mapping(): all of RAM is directly mapped.
	max_low_pfn = max_pfn;
	memblock_find_dma_reserve();
	zone_sizes_init();
	mem_print_totals();
	return 0;
}

int replay_e820(const dmesg_log &log, const replay_options &opt)
{
	static struct e820_table fw;
	fw.nr_entries = 0;
	if (!log.bios_e820.empty()) {
		for (const e820_entry &e : log.bios_e820) {
			if (fw.nr_entries >= E820_MAX_ENTRIES)
				break;
			fw.entries[fw.nr_entries++] = e;
		}
	} else if (!log.efi_mem.empty()) {
		int err = efi_memmap_to_e820(log.efi_mem.data(), log.efi_mem.size() * sizeof(efi_memory_desc_t),
					     sizeof(efi_memory_desc_t), EFI_MEMORY_DESCRIPTOR_VERSION, &fw);
		if (err)
			return err;
	} else {
		pr_err("replay: the log has neither BIOS-e820 nor efi: memNN lines\n");
		return -EINVAL;
	}

	std::string cmdline = opt.ignore_log_cmdline ? "" : log.cmdline;
	if (!opt.extra_cmdline.empty())
		cmdline += (cmdline.empty() ? "" : " ") + opt.extra_cmdline;
	if (opt.numa_off)
		cmdline += cmdline.empty() ? "numa=off" : " numa=off";
	pr_notice("Command line: %s\n", cmdline.c_str());

	if (e820__memory_setup(&fw))
		return -EINVAL;

	// The console options are dmesg's business: everything is shown.
	static char unknown[COMMAND_LINE_SIZE];
	unknown[0] = '\0';
	if (parse_early_param(cmdline.c_str(), PARAMS_MEMORY, nullptr, unknown, sizeof(unknown)) != PARSE_OK) {
		pr_err("replay: bad command line\n");
		return -EINVAL;
	}

	for (const dmesg_e820_event &ev : log.events)
		if (!ev.after_userdef)
			apply_event(ev);
	if (e820__finish_early_params())
		return -EINVAL;
	for (const dmesg_e820_event &ev : log.events)
		if (ev.after_userdef)
			apply_event(ev);

	trim_bios_range();
	max_pfn = e820__end_of_ram_pfn();
	max_low_pfn = max_pfn;
	if (max_pfn > (1UL << (32 - PAGE_SHIFT)))
		max_low_pfn = e820__end_of_low_ram_pfn();
	return 0;
}
