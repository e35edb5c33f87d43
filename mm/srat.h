// The ACPI System Resource Affinity Table (SRAT), parsed from memory: the table
// layouts of include/acpi/actbl.h and include/acpi/actbl1.h, the proximity-domain
// maps of drivers/acpi/numa/srat.c (pxm_to_node, node_to_pxm, acpi_map_pxm_to_node),
// and acpi_numa_init()'s work on the SRAT: the processor affinities of
// arch/x86/mm/srat.c, then acpi_numa_memory_affinity_init() for each memory
// affinity, which feeds numa_add_memblk() (mm/numa.h).
//
// Pure: no firmware access. The app finds the table (efi/acpi.h, efi_srat_init);
// the host tests hand it crafted bytes.
#pragma once

#include "lib/types.h"

#ifndef __packed
#define __packed __attribute__((packed))
#endif

// include/acpi/actbl.h
constexpr size_t ACPI_NAMESEG_SIZE = 4;
constexpr size_t ACPI_OEM_ID_SIZE = 6;
constexpr size_t ACPI_OEM_TABLE_ID_SIZE = 8;

#define ACPI_SIG_SRAT "SRAT"
#define ACPI_SIG_FADT "FACP"
#define ACPI_SIG_FACS "FACS"
#define ACPI_SIG_DSDT "DSDT"
#define ACPI_SIG_XSDT "XSDT"
#define ACPI_SIG_RSDT "RSDT"
#define ACPI_SIG_RSDP "RSD PTR "

// The header every ACPI table but the FACS (and the RSDP, not a table) starts with.
struct acpi_table_header {
	char signature[ACPI_NAMESEG_SIZE];
	u32 length; // of the whole table, this header included
	u8 revision;
	u8 checksum; // all bytes of the table sum to 0 (mod 256)
	char oem_id[ACPI_OEM_ID_SIZE];
	char oem_table_id[ACPI_OEM_TABLE_ID_SIZE];
	u32 oem_revision;
	char asl_compiler_id[ACPI_NAMESEG_SIZE];
	u32 asl_compiler_revision;
} __packed;
static_assert(sizeof(struct acpi_table_header) == 36);

// The Root System Description Pointer (ACPI 2.0+: 36 bytes; ACPI 1.0: the first 20).
struct acpi_table_rsdp {
	char signature[8]; // "RSD PTR "
	u8 checksum; // of the first 20 bytes
	char oem_id[ACPI_OEM_ID_SIZE];
	u8 revision; // 0: ACPI 1.0; 2: ACPI 2.0+
	u32 rsdt_physical_address;
	u32 length; // revision >= 2: of the whole RSDP
	u64 xsdt_physical_address;
	u8 extended_checksum; // of all @length bytes
	u8 reserved[3];
} __packed;
static_assert(sizeof(struct acpi_table_rsdp) == 36);
constexpr size_t ACPI_RSDP_CHECKSUM_LENGTH = 20;
constexpr size_t ACPI_RSDP_XCHECKSUM_LENGTH = 36;

// The FACS has no standard header: just these two fields in common.
struct acpi_table_facs_head {
	char signature[ACPI_NAMESEG_SIZE];
	u32 length;
} __packed;

// The header of each subtable (SRAT and MADT entries).
struct acpi_subtable_header {
	u8 type;
	u8 length;
} __packed;

// include/acpi/actbl1.h
struct acpi_table_srat {
	struct acpi_table_header header;
	u32 table_revision; // must be 1
	u64 reserved;
} __packed;
static_assert(sizeof(struct acpi_table_srat) == 48);

enum acpi_srat_type {
	ACPI_SRAT_TYPE_CPU_AFFINITY = 0,
	ACPI_SRAT_TYPE_MEMORY_AFFINITY = 1,
	ACPI_SRAT_TYPE_X2APIC_CPU_AFFINITY = 2,
	ACPI_SRAT_TYPE_GICC_AFFINITY = 3,
	ACPI_SRAT_TYPE_GIC_ITS_AFFINITY = 4,
	ACPI_SRAT_TYPE_GENERIC_AFFINITY = 5,
	ACPI_SRAT_TYPE_GENERIC_PORT_AFFINITY = 6,
	ACPI_SRAT_TYPE_RESERVED = 7,
};

// Subtable type 0 (ACPI_SRAT_TYPE_CPU_AFFINITY): places a CPU, named by its
// 8-bit local APIC id, in a proximity domain.
struct acpi_srat_cpu_affinity {
	struct acpi_subtable_header header;
	u8 proximity_domain_lo;
	u8 apic_id;
	u32 flags;
	u8 local_sapic_eid;
	u8 proximity_domain_hi[3];
	u32 clock_domain;
} __packed;
static_assert(sizeof(struct acpi_srat_cpu_affinity) == 16);

constexpr u32 ACPI_SRAT_CPU_USE_AFFINITY = 1 << 0;
constexpr u32 ACPI_SRAT_CPU_ENABLED = ACPI_SRAT_CPU_USE_AFFINITY;

// Subtable type 1 (ACPI_SRAT_TYPE_MEMORY_AFFINITY): a physical address range
// and the proximity domain it belongs to.
struct acpi_srat_mem_affinity {
	struct acpi_subtable_header header;
	u32 proximity_domain;
	u16 reserved;
	u64 base_address;
	u64 length;
	u32 reserved1;
	u32 flags;
	u64 reserved2;
} __packed;
static_assert(sizeof(struct acpi_srat_mem_affinity) == 40);

constexpr u32 ACPI_SRAT_MEM_ENABLED = 1 << 0;
constexpr u32 ACPI_SRAT_MEM_HOT_PLUGGABLE = 1 << 1;
constexpr u32 ACPI_SRAT_MEM_NON_VOLATILE = 1 << 2;

// Subtable type 2 (ACPI_SRAT_TYPE_X2APIC_CPU_AFFINITY): as type 0, for a CPU
// with a 32-bit x2APIC id.
struct acpi_srat_x2apic_cpu_affinity {
	struct acpi_subtable_header header;
	u16 reserved;
	u32 proximity_domain;
	u32 apic_id;
	u32 flags;
	u32 clock_domain;
	u32 reserved2;
} __packed;
static_assert(sizeof(struct acpi_srat_x2apic_cpu_affinity) == 24);

// include/acpi/acpi_numa.h: the proximity domains Linux maps (the old 8-bit space).
constexpr int MAX_PXM_DOMAINS = 256;
constexpr int PXM_INVAL = -1;
// arch/x86/include/asm/apicdef.h (64-bit)
constexpr u32 MAX_LOCAL_APIC = 32768;

// The sum of @len bytes (ACPICA's acpi_ut_checksum); a valid table sums to 0.
u8 acpi_tb_checksum(const void *buf, size_t len);

// ACPICA's acpi_tb_print_table_header(): the "ACPI: SRAT 0x000000007FB7C000 0000F0
// (v01 BOCHS  BXPC     00000001 BXPC 00000001)" line for the table at physical
// @address, "ACPI: FACS 0x... 000040" for a FACS and "ACPI: RSDP 0x... 000024 (v02
// BOCHS )" for an RSDP (@header then points at the RSDP). Reads at most the fixed
// header (36 bytes; 8 for a FACS; the RSDP's first 20, or 36 with revision > 0).
void acpi_tb_print_table_header(u64 address, const struct acpi_table_header *header);

// The SRAT's revision (Linux: acpi_srat_revision); up to 1, memory PXMs are 8-bit.
extern unsigned char acpi_srat_revision;
// Linux's acpi_numa: -1 once bad_srat() rejected the SRAT, 1 once a CPU was mapped.
extern int acpi_numa;

// Proximity domain <-> node (drivers/acpi/numa/srat.c). NUMA_NO_NODE / PXM_INVAL
// when unmapped or out of range.
int pxm_to_node(int pxm);
int node_to_pxm(int node);
// The node of @pxm, allocating the lowest unused node on first sight; NUMA_NO_NODE
// when @pxm is out of range, all MAX_NUMNODES nodes are taken, or numa=off.
int acpi_map_pxm_to_node(int pxm);

// bad_srat(): "ACPI: SRAT: SRAT not used." and ignore the rest; srat_disabled().
void bad_srat(void);
int srat_disabled(void);

// What the last acpi_numa_parse_srat() found.
struct acpi_srat_stats {
	unsigned int cpus; // enabled processor (x2)APIC affinities mapped to a node
	unsigned int memblks; // enabled memory affinities passed to numa_add_memblk()
	unsigned int hotplug; // of which hot-pluggable
};
extern struct acpi_srat_stats acpi_srat_stats;

// Parse the SRAT at @table, of which @len bytes may be read. Checks the header
// (signature, length within @len, revision; a bad checksum is reported like ACPICA
// does and the table still used, as Linux does), then every subtable's bounds, then,
// in Linux's order, the processor affinities (PXM -> APIC -> node lines) and the
// memory affinities ("ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]"), which
// go to numa_add_memblk(); hot-pluggable ones are marked in memblock. Each node
// with an enabled CPU or memory affinity is set in numa_nodes_parsed (mm/numa.h).
// Returns 0 when at least one memory affinity was added and the SRAT was not
// rejected (Linux: acpi_numa_init() then x86_acpi_numa_init()), -ENOENT when it has
// none, -EINVAL when it is malformed. Blocks added before a rejection stay in
// numa_meminfo (as in Linux, whose numa_init() clears numa_meminfo before the next
// try).
int acpi_numa_parse_srat(const void *table, size_t len);

// Forget the PXM maps, acpi_numa, the revision and the stats (tests, app re-runs).
void acpi_numa_reset(void);
