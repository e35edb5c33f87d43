// Control registers, MSRs and CPUID: what paging needs to know about the CPU and
// the state the firmware left it in (arch/x86/include/asm/special_insns.h, msr.h,
// cpufeature.h).
#pragma once

#include "lib/types.h"

constexpr u64 X86_CR0_WP = 1ULL << 16;
constexpr u64 X86_CR0_PG = 1ULL << 31;
constexpr u64 X86_CR4_PAE = 1ULL << 5;
constexpr u64 X86_CR4_PGE = 1ULL << 7;
constexpr u64 X86_CR4_LA57 = 1ULL << 12;
constexpr u32 MSR_EFER = 0xc0000080;
constexpr u64 EFER_LMA = 1ULL << 10;
constexpr u64 EFER_NX = 1ULL << 11;
constexpr u64 CR3_ADDR_MASK = 0x000ffffffffff000ULL;

static inline u64 read_cr0()
{
	u64 v;
	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline u64 __read_cr3()
{
	u64 v;
	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline u64 __read_cr4()
{
	u64 v;
	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

// Loading CR3 also flushes every non-global TLB entry.
static inline void native_write_cr3(u64 v) { asm volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }

static inline u64 native_read_msr(u32 msr)
{
	u32 lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline cpuid_regs cpuid_count(u32 leaf, u32 subleaf)
{
	cpuid_regs r;
	asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
	return r;
}

// What paging/ needs from the CPU, read once (Linux: boot_cpu_data and cpu_has()).
struct x86_paging_caps {
	bool gbpages;       // CPUID 0x80000001 EDX[26] (pdpe1gb)
	bool la57_cpu;      // CPUID 7 ECX[16]: the CPU can do 5-level paging
	bool la57_enabled;  // CR4.LA57: the firmware runs 5-level paging
	bool pge;           // CR4.PGE: global pages enabled
	bool nx;            // EFER.NXE: the NX bit is usable (else it is reserved!)
	unsigned phys_bits; // MAXPHYADDR, CPUID 0x80000008 EAX[7:0]
	unsigned virt_bits;
	u64 cr0, cr3, cr4, efer;
};

static inline x86_paging_caps x86_read_paging_caps()
{
	x86_paging_caps c{};
	c.cr0 = read_cr0();
	c.cr3 = __read_cr3();
	c.cr4 = __read_cr4();
	c.efer = native_read_msr(MSR_EFER);
	u32 max_ext = cpuid_count(0x80000000, 0).eax;
	if (max_ext >= 0x80000001)
		c.gbpages = cpuid_count(0x80000001, 0).edx & (1u << 26);
	if (cpuid_count(0, 0).eax >= 7)
		c.la57_cpu = cpuid_count(7, 0).ecx & (1u << 16);
	if (max_ext >= 0x80000008) {
		u32 eax = cpuid_count(0x80000008, 0).eax;
		c.phys_bits = eax & 0xff;
		c.virt_bits = (eax >> 8) & 0xff;
	} else {
		c.phys_bits = 36;
		c.virt_bits = 48;
	}
	c.la57_enabled = c.cr4 & X86_CR4_LA57;
	c.pge = c.cr4 & X86_CR4_PGE;
	c.nx = c.efer & EFER_NX;
	return c;
}
