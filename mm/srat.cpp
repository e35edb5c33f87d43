// The SRAT parser: drivers/acpi/numa/srat.c (PXM maps, acpi_numa_memory_affinity_init,
// acpi_numa_init's two passes), arch/x86/mm/srat.c (processor affinities), the
// subtable walk of drivers/acpi/tables.c (acpi_parse_entries_array) and ACPICA's
// checksum warning and table header line (utcksum.c, tbprint.c).
//
// Messages: drivers/acpi/numa/srat.c has pr_fmt "ACPI: " ("ACPI: SRAT: Node 0 PXM 0
// [mem ...]"); arch/x86/mm/srat.c has none ("SRAT: PXM 0 -> APIC 0x00 -> Node 0");
// ACPICA's lines carry their own "ACPI: " / "ACPI BIOS Warning (bug): ".
#define pr_fmt(fmt) "ACPI: " fmt

#include "mm/srat.h"

#include <string.h>

#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/memblock.h"
#include "mm/numa.h"

#define FW_BUG "[Firmware Bug]: "

static_assert(MAX_NUMNODES <= 64, "nodes_found_map is one u64");

unsigned char acpi_srat_revision;
int acpi_numa;
struct acpi_srat_stats acpi_srat_stats;

namespace {

template <int N> struct int_map {
	int v[N];
	constexpr explicit int_map(int fill) : v() {
		for (int &x : v)
			x = fill;
	}
	constexpr void fill(int val) {
		for (int &x : v)
			x = val;
	}
};

// PXM -> node and node -> PXM; a new PXM gets the lowest node id not yet used.
constinit int_map<MAX_PXM_DOMAINS> pxm_to_node_map(NUMA_NO_NODE);
constinit int_map<MAX_NUMNODES> node_to_pxm_map(PXM_INVAL);
constinit u64 nodes_found_map = 0;
constexpr u64 ALL_NODES = MAX_NUMNODES == 64 ? ~u64(0) : (u64(1) << MAX_NUMNODES) - 1;

void __acpi_map_pxm_to_node(int pxm, int node)
{
	if (pxm_to_node_map.v[pxm] == NUMA_NO_NODE || node < pxm_to_node_map.v[pxm])
		pxm_to_node_map.v[pxm] = node;
	if (node_to_pxm_map.v[node] == PXM_INVAL || pxm < node_to_pxm_map.v[node])
		node_to_pxm_map.v[node] = pxm;
}

// A copy of an ACPI name with unprintable bytes shown as '?', stopping at a NUL
// (ACPICA's acpi_tb_fix_string).
void acpi_tb_fix_string(char *s, size_t len)
{
	while (len && *s) {
		if ((u8)*s < 0x20 || (u8)*s > 0x7e)
			*s = '?';
		s++;
		len--;
	}
}

// arch/x86/mm/srat.c
void acpi_numa_processor_affinity_init(const struct acpi_srat_cpu_affinity *pa)
{
	if (srat_disabled())
		return;
	if (pa->header.length != sizeof(struct acpi_srat_cpu_affinity)) {
		bad_srat();
		return;
	}
	if ((pa->flags & ACPI_SRAT_CPU_ENABLED) == 0)
		return;
	u32 upxm = pa->proximity_domain_lo;
	if (acpi_srat_revision >= 2)
		upxm |= ((u32)pa->proximity_domain_hi[0] | (u32)pa->proximity_domain_hi[1] << 8 |
			 (u32)pa->proximity_domain_hi[2] << 16) << 8;
	int pxm = (int)upxm;
	int node = acpi_map_pxm_to_node(pxm);
	if (node < 0) {
		printk(KERN_ERR "SRAT: Too many proximity domains %x\n", pxm);
		bad_srat();
		return;
	}
	u32 apic_id = pa->apic_id; // not a UV system: no local_sapic_eid
	if (apic_id >= MAX_LOCAL_APIC) {
		printk(KERN_INFO "SRAT: PXM %u -> APIC 0x%02x -> Node %u skipped apicid that is too big\n", pxm,
		       apic_id, node);
		return;
	}
	node_set(node, numa_nodes_parsed);
	acpi_srat_stats.cpus++;
	acpi_numa = 1;
	printk(KERN_INFO "SRAT: PXM %u -> APIC 0x%02x -> Node %u\n", pxm, apic_id, node);
}

// Linux asks the APIC driver (apic->apic_id_valid); the app has none and assumes
// x2APIC mode, where every id but the broadcast one is valid.
bool apic_id_valid(u32 apic_id)
{
	return apic_id != 0xffffffff;
}

void acpi_numa_x2apic_affinity_init(const struct acpi_srat_x2apic_cpu_affinity *pa)
{
	if (srat_disabled())
		return;
	if (pa->header.length < sizeof(struct acpi_srat_x2apic_cpu_affinity)) {
		bad_srat();
		return;
	}
	if ((pa->flags & ACPI_SRAT_CPU_ENABLED) == 0)
		return;
	int pxm = (int)pa->proximity_domain;
	u32 apic_id = pa->apic_id;
	if (!apic_id_valid(apic_id)) {
		printk(KERN_INFO "SRAT: PXM %u -> X2APIC 0x%04x ignored\n", pxm, apic_id);
		return;
	}
	int node = acpi_map_pxm_to_node(pxm);
	if (node < 0) {
		printk(KERN_ERR "SRAT: Too many proximity domains %x\n", pxm);
		bad_srat();
		return;
	}
	if (apic_id >= MAX_LOCAL_APIC) {
		printk(KERN_INFO "SRAT: PXM %u -> APIC 0x%04x -> Node %u skipped apicid that is too big\n", pxm,
		       apic_id, node);
		return;
	}
	node_set(node, numa_nodes_parsed);
	acpi_srat_stats.cpus++;
	acpi_numa = 1;
	printk(KERN_INFO "SRAT: PXM %u -> APIC 0x%04x -> Node %u\n", pxm, apic_id, node);
}

// drivers/acpi/numa/srat.c (CONFIG_MEMORY_HOTPLUG=y, as distribution kernels).
int acpi_numa_memory_affinity_init(const struct acpi_srat_mem_affinity *ma)
{
	if (srat_disabled())
		return -EINVAL;
	if (ma->header.length < sizeof(struct acpi_srat_mem_affinity)) {
		pr_err("SRAT: Unexpected header length: %d\n", ma->header.length);
		bad_srat();
		return -EINVAL;
	}
	if ((ma->flags & ACPI_SRAT_MEM_ENABLED) == 0)
		return -EINVAL;
	u32 hotpluggable = ma->flags & ACPI_SRAT_MEM_HOT_PLUGGABLE;

	phys_addr_t start = phys_addr_t(ma->base_address);
	phys_addr_t end = start + ma->length;
	int pxm = (int)ma->proximity_domain;
	if (acpi_srat_revision <= 1)
		pxm &= 0xff;

	int node = acpi_map_pxm_to_node(pxm);
	if (node == NUMA_NO_NODE) {
		pr_err("SRAT: Too many proximity domains.\n");
		bad_srat();
		return -EINVAL;
	}

	if (numa_add_memblk(node, start, end) < 0) {
		pr_err("SRAT: Failed to add memblk to node %u [mem %#010Lx-%#010Lx]\n", node,
		       (unsigned long long)start, (unsigned long long)end - 1);
		bad_srat();
		return -EINVAL;
	}

	node_set(node, numa_nodes_parsed);

	pr_info("SRAT: Node %u PXM %u [mem %#010Lx-%#010Lx]%s%s\n", node, pxm, (unsigned long long)start,
		(unsigned long long)end - 1, hotpluggable ? " hotplug" : "",
		ma->flags & ACPI_SRAT_MEM_NON_VOLATILE ? " non-volatile" : "");

	// Hot-pluggable memory gets MEMBLOCK_HOTPLUG in memblock.
	if (hotpluggable && memblock_mark_hotplug(start, ma->length))
		pr_warn("SRAT: Failed to mark hotplug range [mem %#010Lx-%#010Lx] in memblock\n",
			(unsigned long long)start, (unsigned long long)end - 1);
	if (hotpluggable)
		acpi_srat_stats.hotplug++;
	return 0;
}

// The subtables after the SRAT's fixed part, as acpi_parse_entries_array() walks
// them: while a subtable header starts before the end with room to spare.
struct srat_walk {
	const u8 *base;
	size_t end;
	size_t off;
	const struct acpi_subtable_header *next()
	{
		if (off + sizeof(struct acpi_subtable_header) >= end)
			return nullptr;
		const struct acpi_subtable_header *e = (const struct acpi_subtable_header *)(base + off);
		off += e->length;
		return e;
	}
};

// Every subtable non-empty and inside the table, so that the passes below never read
// past it (Linux stops only at a zero length and trusts each length otherwise).
int srat_check_subtables(const u8 *base, size_t end)
{
	size_t off = sizeof(struct acpi_table_srat);
	while (off + sizeof(struct acpi_subtable_header) < end) {
		const struct acpi_subtable_header *e = (const struct acpi_subtable_header *)(base + off);
		if (e->length == 0) {
			pr_err("[%4.4s:0x%02x] Invalid zero length\n", ACPI_SIG_SRAT, e->type);
			return -EINVAL;
		}
		if (e->length > end - off) {
			pr_err(FW_BUG "[%4.4s:0x%02x] subtable at offset %#zx of length %u runs past the table's end at %#zx\n",
			       ACPI_SIG_SRAT, e->type, off, e->length, end);
			return -EINVAL;
		}
		off += e->length;
	}
	return 0;
}

} // namespace

u8 acpi_tb_checksum(const void *buf, size_t len)
{
	const u8 *p = (const u8 *)buf;
	u8 sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (u8)(sum + p[i]);
	return sum;
}

void acpi_tb_print_table_header(u64 address, const struct acpi_table_header *header)
{
	unsigned hi = (unsigned)(address >> 32), lo = (unsigned)address;
	if (!memcmp(header->signature, ACPI_SIG_FACS, ACPI_NAMESEG_SIZE)) {
		// The FACS header is just a signature and a length.
		const struct acpi_table_facs_head *facs = (const struct acpi_table_facs_head *)header;
		printk(KERN_INFO "ACPI: %-4.4s 0x%8.8X%8.8X %06X\n", facs->signature, hi, lo, facs->length);
		return;
	}
	if (!memcmp(header->signature, ACPI_SIG_RSDP, 8)) {
		// The RSDP lacks the common table header.
		const struct acpi_table_rsdp *rsdp = (const struct acpi_table_rsdp *)header;
		char oem_id[ACPI_OEM_ID_SIZE + 1] = {};
		memcpy(oem_id, rsdp->oem_id, ACPI_OEM_ID_SIZE);
		acpi_tb_fix_string(oem_id, ACPI_OEM_ID_SIZE);
		printk(KERN_INFO "ACPI: RSDP 0x%8.8X%8.8X %06X (v%.2d %-6.6s)\n", hi, lo,
		       rsdp->revision > 0 ? rsdp->length : 20, rsdp->revision, oem_id);
		return;
	}
	// Any other table: print its whole common header.
	char sig[ACPI_NAMESEG_SIZE + 1] = {}, oem_id[ACPI_OEM_ID_SIZE + 1] = {};
	char oem_table_id[ACPI_OEM_TABLE_ID_SIZE + 1] = {}, asl_id[ACPI_NAMESEG_SIZE + 1] = {};
	memcpy(sig, header->signature, ACPI_NAMESEG_SIZE);
	memcpy(oem_id, header->oem_id, ACPI_OEM_ID_SIZE);
	memcpy(oem_table_id, header->oem_table_id, ACPI_OEM_TABLE_ID_SIZE);
	memcpy(asl_id, header->asl_compiler_id, ACPI_NAMESEG_SIZE);
	acpi_tb_fix_string(sig, ACPI_NAMESEG_SIZE);
	acpi_tb_fix_string(oem_id, ACPI_OEM_ID_SIZE);
	acpi_tb_fix_string(oem_table_id, ACPI_OEM_TABLE_ID_SIZE);
	acpi_tb_fix_string(asl_id, ACPI_NAMESEG_SIZE);
	printk(KERN_INFO "ACPI: %-4.4s 0x%8.8X%8.8X %06X (v%.2d %-6.6s %-8.8s %08X %-4.4s %08X)\n", sig, hi, lo,
	       header->length, header->revision, oem_id, oem_table_id, header->oem_revision, asl_id,
	       header->asl_compiler_revision);
}

int pxm_to_node(int pxm)
{
	if (pxm < 0 || pxm >= MAX_PXM_DOMAINS)
		return NUMA_NO_NODE;
	return pxm_to_node_map.v[pxm];
}

int node_to_pxm(int node)
{
	if (node < 0 || node >= MAX_NUMNODES)
		return PXM_INVAL;
	return node_to_pxm_map.v[node];
}

int acpi_map_pxm_to_node(int pxm)
{
	if (pxm < 0 || pxm >= MAX_PXM_DOMAINS || numa_off)
		return NUMA_NO_NODE;

	int node = pxm_to_node_map.v[pxm];
	if (node == NUMA_NO_NODE) {
		if (nodes_found_map == ALL_NODES) // nodes_weight() >= MAX_NUMNODES
			return NUMA_NO_NODE;
		node = __builtin_ctzll(~nodes_found_map); // first_unset_node()
		__acpi_map_pxm_to_node(pxm, node);
		nodes_found_map |= u64(1) << node;
	}
	return node;
}

void bad_srat(void)
{
	pr_err("SRAT: SRAT not used.\n");
	acpi_numa = -1;
}

int srat_disabled(void)
{
	return acpi_numa < 0;
}

void acpi_numa_reset(void)
{
	pxm_to_node_map.fill(NUMA_NO_NODE);
	node_to_pxm_map.fill(PXM_INVAL);
	nodes_found_map = 0;
	acpi_srat_revision = 0;
	acpi_numa = 0;
	acpi_srat_stats = {};
}

int acpi_numa_parse_srat(const void *table, size_t len)
{
	acpi_numa_reset();

	if (!table || len < sizeof(struct acpi_table_header)) {
		pr_err("SRAT: %zu bytes cannot hold a table header\n", len);
		return -EINVAL;
	}
	const struct acpi_table_header *header = (const struct acpi_table_header *)table;
	if (memcmp(header->signature, ACPI_SIG_SRAT, ACPI_NAMESEG_SIZE)) {
		char sig[ACPI_NAMESEG_SIZE + 1] = {};
		memcpy(sig, header->signature, ACPI_NAMESEG_SIZE);
		acpi_tb_fix_string(sig, ACPI_NAMESEG_SIZE);
		pr_err("SRAT: table signature is [%s], not [" ACPI_SIG_SRAT "]\n", sig);
		return -EINVAL;
	}
	u32 length = header->length;
	if (length < sizeof(struct acpi_table_srat) || length > len) {
		pr_err(FW_BUG "SRAT: invalid table length 0x%X (0x%zX bytes mapped, 0x%zX at least)\n", length, len,
		       sizeof(struct acpi_table_srat));
		bad_srat();
		return -EINVAL;
	}
	// As ACPICA (ACPI_CHECKSUM_ABORT is off): report, and use the table anyway.
	u8 sum = acpi_tb_checksum(table, length);
	if (sum)
		printk(KERN_WARNING "ACPI BIOS Warning (bug): Incorrect checksum in table [%4.4s] - 0x%2.2X, "
				    "should be 0x%2.2X\n",
		       ACPI_SIG_SRAT, header->checksum, (u8)(header->checksum - sum));

	acpi_srat_revision = header->revision; // acpi_parse_srat()

	const u8 *base = (const u8 *)table;
	if (srat_check_subtables(base, length)) {
		bad_srat();
		return -EINVAL;
	}

	// First pass: the processor affinities, which allocate nodes to their PXMs first.
	srat_walk walk = {base, length, sizeof(struct acpi_table_srat)};
	while (const struct acpi_subtable_header *e = walk.next()) {
		if (e->type == ACPI_SRAT_TYPE_CPU_AFFINITY)
			acpi_numa_processor_affinity_init((const struct acpi_srat_cpu_affinity *)e);
		else if (e->type == ACPI_SRAT_TYPE_X2APIC_CPU_AFFINITY)
			acpi_numa_x2apic_affinity_init((const struct acpi_srat_x2apic_cpu_affinity *)e);
	}

	// Second pass: the memory affinities.
	walk = {base, length, sizeof(struct acpi_table_srat)};
	while (const struct acpi_subtable_header *e = walk.next()) {
		if (e->type != ACPI_SRAT_TYPE_MEMORY_AFFINITY)
			continue;
		if (!acpi_numa_memory_affinity_init((const struct acpi_srat_mem_affinity *)e))
			acpi_srat_stats.memblks++;
	}

	// acpi_numa_init(), then x86_acpi_numa_init().
	if (!acpi_srat_stats.memblks)
		return -ENOENT;
	return srat_disabled() ? -EINVAL : 0;
}
