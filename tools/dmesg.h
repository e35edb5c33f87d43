// Host only: read a Linux dmesg (or this app's own log) and replay its memory
// setup through the mm/ pipeline. See docs/replay.md.
#pragma once

#include <string>
#include <vector>

#include "lib/types.h"
#include "mm/e820.h"
#include "mm/efi_memmap.h"

// The message of one log line without its prefixes: syslog "<6>", journalctl
// "Mon dd hh:mm:ss host kernel: " (or "kernel: "), an ISO timestamp + host +
// "kernel:", and the printk timestamp "[    0.000000] " (in any order those
// appear in practice). Returns false for lines that cannot be kernel messages
// (journal lines of other programs).
bool dmesg_strip_prefix(const std::string &line, std::string *msg);

// One change to the e820 table that the log shows and that the pipeline does not
// make by itself (or makes idempotently).
struct dmesg_e820_event {
	enum kind_t {
		UPDATE,       // e820: update [mem A-B] old ==> new
		REMOVE,       // e820: remove [mem A-B] old (check_type), or no type
		KERNEL_RANGE, // e820_add_kernel_range(): remove [A, B] of any type, add RAM
	} kind;
	u64 start;
	u64 size;
	e820_type old_type;
	e820_type new_type;
	bool check_type;
	// Seen after "user-defined physical RAM map:" (e820__finish_early_params()).
	bool after_userdef;
};

struct dmesg_srat_memblk {
	int node;
	int pxm;
	u64 start;
	u64 end; // exclusive
	bool hotplug;
};

struct dmesg_log {
	std::string cmdline;               // "Command line: " (else "Kernel command line: ")
	std::vector<e820_entry> bios_e820; // the first BIOS-e820 table
	std::vector<efi_memory_desc_t> efi_mem; // efi=debug "efi: memNN:" lines
	std::vector<dmesg_e820_event> events;
	std::vector<dmesg_srat_memblk> srat;
	bool frozen = false;             // a line after e820__memblock_setup() was seen
	unsigned ignored_after_freeze = 0; // e820 changes after that point, not applied
	std::vector<std::string> messages; // every kernel message, prefixes stripped
	// The kernel ran with 5-level paging: its first "last_pfn = ..." line says
	// max_arch_pfn = 0x10000000000 (MAXMEM of 52 bits; 4 levels give 0x400000000).
	bool la57 = false;
};

// Parse an "e820_print_type()" name ("usable", "reserved", "ACPI data", ...).
bool dmesg_parse_e820_type(const std::string &s, e820_type *type);

// Parse a whole log (one line per element or one string with newlines).
void dmesg_parse(const std::string &text, dmesg_log *log);

struct replay_options {
	std::string extra_cmdline;     // appended to the log's command line
	bool ignore_log_cmdline = false;
	unsigned long struct_page_size = 64;
	bool numa_off = false;
};

// Run the pipeline on @log: e820__memory_setup (BIOS-e820 table, else the
// converted EFI map), parse_early_param, the log's e820 changes, 
// e820__finish_early_params, trim_bios_range, e820__end_of_ram_pfn,
// e820__memblock_setup, x86_numa_init (SRAT lines), zone_sizes_init, the Memory
// totals, in the log's paging mode (log.la57; 4-level again on return). Output
// goes to the printk console (host_console_take()). Resets all mm state first. Returns 0, or a negative errno when the log cannot be replayed.
int replay_dmesg(const dmesg_log &log, const replay_options &opt);

// The first steps of replay_dmesg() alone, for a caller that brings the machine
// up itself: the e820 table as the log's kernel had it when it set up memblock
// (its firmware table, the command line, the log's e820 changes,
// trim_bios_range()), and max_pfn/max_low_pfn from it. No state is reset, and
// the paging mode is the caller's. 0 or a negative errno.
int replay_e820(const dmesg_log &log, const replay_options &opt);
