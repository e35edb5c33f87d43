// x86-64 page-table entry types, flag bits and protections, mirroring
// arch/x86/include/asm/pgtable_types.h, pgtable_64_types.h, page_64_types.h and the
// entry helpers of pgtable.h (Linux 6.x). Names and values are Linux's.
//
// Where we differ:
// - 4-level or 5-level paging is chosen at run time, as Linux with
//   CONFIG_X86_5LEVEL: pgtable_l5_enabled() reads __pgtable_l5_enabled, which
//   paging_set_levels() sets together with page_offset_base.
// - No memory encryption (_ENC, sme_me_mask) and no protection keys.
// - __supported_pte_mask is applied where Linux applies it: __pgprot_mask() in
//   the PAGE_KERNEL* protections and massage_pgprot() in pfn_pte/pfn_pmd/pfn_pud.
//   The platform clears _PAGE_NX when EFER.NXE is off (NX is then a reserved bit)
//   and _PAGE_GLOBAL when CR4.PGE is off.
#pragma once

#include "lib/types.h"

/* Bit positions, as pgtable_types.h. */
#define _PAGE_BIT_PRESENT	0	/* P: entry valid */
#define _PAGE_BIT_RW		1	/* R/W: writes allowed */
#define _PAGE_BIT_USER		2	/* U/S: ring 3 may access */
#define _PAGE_BIT_PWT		3	/* PWT: write-through caching */
#define _PAGE_BIT_PCD		4	/* PCD: caching off */
#define _PAGE_BIT_ACCESSED	5	/* A: CPU sets it on any access */
#define _PAGE_BIT_DIRTY		6	/* D: CPU sets it on a write */
#define _PAGE_BIT_PSE		7	/* PS in a pmd/pud: maps a 2M/1G page */
#define _PAGE_BIT_PAT		7	/* PAT bit's place in a pte */
#define _PAGE_BIT_GLOBAL	8	/* G: TLB entry survives CR3 loads */
#define _PAGE_BIT_SOFTW1	9	/* ignored by the CPU, free for software */
#define _PAGE_BIT_PAT_LARGE	12	/* PAT bit's place in a 2M/1G leaf */
#define _PAGE_BIT_NX		63	/* XD: reserved unless EFER.NXE is on (CPUID tells if NX exists) */

#define _PAGE_PRESENT	(u64(1) << _PAGE_BIT_PRESENT)
#define _PAGE_RW	(u64(1) << _PAGE_BIT_RW)
#define _PAGE_USER	(u64(1) << _PAGE_BIT_USER)
#define _PAGE_PWT	(u64(1) << _PAGE_BIT_PWT)
#define _PAGE_PCD	(u64(1) << _PAGE_BIT_PCD)
#define _PAGE_ACCESSED	(u64(1) << _PAGE_BIT_ACCESSED)
#define _PAGE_DIRTY	(u64(1) << _PAGE_BIT_DIRTY)
#define _PAGE_PSE	(u64(1) << _PAGE_BIT_PSE)
#define _PAGE_GLOBAL	(u64(1) << _PAGE_BIT_GLOBAL)
#define _PAGE_PAT	(u64(1) << _PAGE_BIT_PAT)
#define _PAGE_PAT_LARGE	(u64(1) << _PAGE_BIT_PAT_LARGE)
#define _PAGE_NX	(u64(1) << _PAGE_BIT_NX)

/* Page sizes and shifts (page_64_types.h, pgtable_64_types.h). */
#define PTRS_PER_PTE	512
#define PTRS_PER_PMD	512
#define PTRS_PER_PUD	512
#define PTRS_PER_PGD	512
#define PMD_SHIFT	21
#define PUD_SHIFT	30
#define P4D_SHIFT	39
#define PMD_SIZE	(u64(1) << PMD_SHIFT)
#define PMD_MASK	(~(PMD_SIZE - 1))
#define PUD_SIZE	(u64(1) << PUD_SHIFT)
#define PUD_MASK	(~(PUD_SIZE - 1))
#define P4D_SIZE	(u64(1) << P4D_SHIFT)
#define P4D_MASK	(~(P4D_SIZE - 1))

/* 52-bit physical addresses: __PHYSICAL_MASK_SHIFT. */
#define __PHYSICAL_MASK_SHIFT	52
#define __PHYSICAL_MASK		((u64(1) << __PHYSICAL_MASK_SHIFT) - 1)
#define PHYSICAL_PAGE_MASK	(PAGE_MASK & __PHYSICAL_MASK)
#define PHYSICAL_PMD_PAGE_MASK	(PMD_MASK & __PHYSICAL_MASK)
#define PHYSICAL_PUD_PAGE_MASK	(PUD_MASK & __PHYSICAL_MASK)
/* Bits 12..51 of an entry: the frame (or next table) address. */
#define PTE_PFN_MASK		(PHYSICAL_PAGE_MASK)
/* Everything else: the flags, including NX and the bits 52..62. */
#define PTE_FLAGS_MASK		(~PTE_PFN_MASK)

/* The virtual memory map (Documentation/x86/x86_64/mm.rst), as virt_addr_t. */
#define __START_KERNEL_map	virt_addr_t(0xffffffff80000000UL)
#define __PAGE_OFFSET_BASE_L4	virt_addr_t(0xffff888000000000UL)
#define __PAGE_OFFSET_BASE_L5	virt_addr_t(0xff11000000000000UL)
#define __VMALLOC_BASE_L4	virt_addr_t(0xffffc90000000000UL)
#define __VMALLOC_BASE_L5	virt_addr_t(0xffa0000000000000UL)
#define __VMEMMAP_BASE_L4	virt_addr_t(0xffffea0000000000UL)
#define __VMEMMAP_BASE_L5	virt_addr_t(0xffd4000000000000UL)
/* The hypervisor hole at the start of the kernel half. */
#define GUARD_HOLE_BASE_ADDR_L4	virt_addr_t(0xffff800000000000UL)
#define GUARD_HOLE_END_ADDR_L4	virt_addr_t(0xffff880000000000UL)
#define GUARD_HOLE_BASE_ADDR_L5	virt_addr_t(0xff00000000000000UL)
#define GUARD_HOLE_END_ADDR_L5	virt_addr_t(0xff10000000000000UL)
/* KERNEL_IMAGE_SIZE with CONFIG_RANDOMIZE_BASE: what level2_kernel_pgt covers. */
#define KERNEL_IMAGE_SIZE	(512UL * 1024 * 1024 * 2)
#define MODULES_VADDR		(__START_KERNEL_map + KERNEL_IMAGE_SIZE)
#define MODULES_END		virt_addr_t(0xffffffffff000000UL)

/* Run-time paging mode (arch/x86/kernel/head64.c). */
extern bool __pgtable_l5_enabled;
extern virt_addr_t page_offset_base;
extern u64 __supported_pte_mask;

static inline bool pgtable_l5_enabled(void)
{
	return __pgtable_l5_enabled;
}

/* Sets __pgtable_l5_enabled and page_offset_base (PAGE_OFFSET) for the mode. */
void paging_set_levels(bool la57);

#define PAGE_OFFSET		page_offset_base
#define PGDIR_SHIFT		(pgtable_l5_enabled() ? 48 : 39)
#define PGDIR_SIZE		(u64(1) << PGDIR_SHIFT)
#define PGDIR_MASK		(~(PGDIR_SIZE - 1))
#define PTRS_PER_P4D		(pgtable_l5_enabled() ? 512 : 1)
#define __VIRTUAL_MASK_SHIFT	(pgtable_l5_enabled() ? 56 : 47)
#define VMALLOC_START	(pgtable_l5_enabled() ? __VMALLOC_BASE_L5 : __VMALLOC_BASE_L4)
#define VMEMMAP_START	(pgtable_l5_enabled() ? __VMEMMAP_BASE_L5 : __VMEMMAP_BASE_L4)
#define GUARD_HOLE_BASE_ADDR	(pgtable_l5_enabled() ? GUARD_HOLE_BASE_ADDR_L5 : GUARD_HOLE_BASE_ADDR_L4)
#define GUARD_HOLE_END_ADDR	(pgtable_l5_enabled() ? GUARD_HOLE_END_ADDR_L5 : GUARD_HOLE_END_ADDR_L4)
/*
 * The physical address bits the kernel can describe (asm/sparsemem.h) and
 * MAXMEM (pgtable_64_types.h): 64 TiB with 4 levels, 4 PiB with 5.
 */
#define MAX_PHYSMEM_BITS	(pgtable_l5_enabled() ? 52 : 46)
#define MAXMEM			(u64(1) << MAX_PHYSMEM_BITS)

/*
 * An address is canonical when bits 63..N-1 are copies of bit N-1 (N = 48, or
 * 57 with 5-level paging). Linux: __is_canonical_address().
 */
static inline bool va_is_canonical(virt_addr_t va)
{
	unsigned shift = 63 - __VIRTUAL_MASK_SHIFT;
	u64 v = (u64)va;

	return (u64)((s64)(v << shift) >> shift) == v;
}

/* The mapping levels (pgtable_types.h). */
enum pg_level {
	PG_LEVEL_NONE,
	PG_LEVEL_4K,
	PG_LEVEL_2M,
	PG_LEVEL_1G,
	PG_LEVEL_512G,
	PG_LEVEL_NUM
};

/* The entries: a struct each, so one level cannot be passed for another. */
typedef u64 pteval_t;
typedef u64 pmdval_t;
typedef u64 pudval_t;
typedef u64 p4dval_t;
typedef u64 pgdval_t;
typedef u64 pgprotval_t;

typedef struct { pteval_t pte; } pte_t;
typedef struct { pmdval_t pmd; } pmd_t;
typedef struct { pudval_t pud; } pud_t;
typedef struct { p4dval_t p4d; } p4d_t;
typedef struct { pgdval_t pgd; } pgd_t;
typedef struct pgprot { pgprotval_t pgprot; } pgprot_t;

static_assert(sizeof(pte_t) == 8 && sizeof(pmd_t) == 8 && sizeof(pud_t) == 8 &&
	      sizeof(p4d_t) == 8 && sizeof(pgd_t) == 8 && sizeof(pgprot_t) == 8,
	      "a page-table entry is 8 bytes");

static inline pte_t native_make_pte(pteval_t val) { return pte_t{ val }; }
static inline pmd_t native_make_pmd(pmdval_t val) { return pmd_t{ val }; }
static inline pud_t native_make_pud(pudval_t val) { return pud_t{ val }; }
static inline p4d_t native_make_p4d(p4dval_t val) { return p4d_t{ val }; }
static inline pgd_t native_make_pgd(pgdval_t val) { return pgd_t{ val }; }
#define __pte(x)	native_make_pte(x)
#define __pmd(x)	native_make_pmd(x)
#define __pud(x)	native_make_pud(x)
#define __p4d(x)	native_make_p4d(x)
#define __pgd(x)	native_make_pgd(x)
#define __pgprot(x)	(pgprot_t{ (pgprotval_t)(x) })

static inline pteval_t pte_val(pte_t pte) { return pte.pte; }
static inline pmdval_t pmd_val(pmd_t pmd) { return pmd.pmd; }
static inline pudval_t pud_val(pud_t pud) { return pud.pud; }
static inline p4dval_t p4d_val(p4d_t p4d) { return p4d.p4d; }
static inline pgdval_t pgd_val(pgd_t pgd) { return pgd.pgd; }
static inline pgprotval_t pgprot_val(pgprot_t p) { return p.pgprot; }

/* The frame-address mask of an entry: wider for large pages (pud_pfn_mask...). */
static inline pudval_t pud_pfn_mask(pud_t pud)
{
	return (pud_val(pud) & _PAGE_PSE) ? PHYSICAL_PUD_PAGE_MASK : PTE_PFN_MASK;
}
static inline pmdval_t pmd_pfn_mask(pmd_t pmd)
{
	return (pmd_val(pmd) & _PAGE_PSE) ? PHYSICAL_PMD_PAGE_MASK : PTE_PFN_MASK;
}
static inline pudval_t pud_flags_mask(pud_t pud) { return ~pud_pfn_mask(pud); }
static inline pmdval_t pmd_flags_mask(pmd_t pmd) { return ~pmd_pfn_mask(pmd); }

static inline pteval_t pte_flags(pte_t pte) { return pte_val(pte) & PTE_FLAGS_MASK; }
static inline pmdval_t pmd_flags(pmd_t pmd) { return pmd_val(pmd) & pmd_flags_mask(pmd); }
static inline pudval_t pud_flags(pud_t pud) { return pud_val(pud) & pud_flags_mask(pud); }
static inline p4dval_t p4d_flags(p4d_t p4d) { return p4d_val(p4d) & PTE_FLAGS_MASK; }
static inline pgdval_t pgd_flags(pgd_t pgd) { return pgd_val(pgd) & PTE_FLAGS_MASK; }

static inline pfn_t pte_pfn(pte_t pte) { return pfn_t((pte_val(pte) & PTE_PFN_MASK) >> PAGE_SHIFT); }
static inline pfn_t pmd_pfn(pmd_t pmd) { return pfn_t((pmd_val(pmd) & pmd_pfn_mask(pmd)) >> PAGE_SHIFT); }
static inline pfn_t pud_pfn(pud_t pud) { return pfn_t((pud_val(pud) & pud_pfn_mask(pud)) >> PAGE_SHIFT); }
static inline pfn_t p4d_pfn(p4d_t p4d) { return pfn_t((p4d_val(p4d) & PTE_PFN_MASK) >> PAGE_SHIFT); }
static inline pfn_t pgd_pfn(pgd_t pgd) { return pfn_t((pgd_val(pgd) & PTE_PFN_MASK) >> PAGE_SHIFT); }

static inline pgprot_t pte_pgprot(pte_t pte) { return __pgprot(pte_flags(pte)); }
static inline pgprot_t pmd_pgprot(pmd_t pmd) { return __pgprot(pmd_flags(pmd)); }
static inline pgprot_t pud_pgprot(pud_t pud) { return __pgprot(pud_flags(pud)); }

/* none: all zero; present: the present bit (Linux also counts PROTNONE; we have none). */
static inline bool pte_none(pte_t pte) { return !pte_val(pte); }
static inline bool pmd_none(pmd_t pmd) { return !pmd_val(pmd); }
static inline bool pud_none(pud_t pud) { return !pud_val(pud); }
static inline bool p4d_none(p4d_t p4d) { return !p4d_val(p4d); }
/* Folded when 4-level: the pgd entry is the p4d entry, and never "none" (Linux). */
static inline bool pgd_none(pgd_t pgd) { return pgtable_l5_enabled() ? !pgd_val(pgd) : false; }

static inline bool pte_present(pte_t pte) { return pte_flags(pte) & _PAGE_PRESENT; }
static inline bool pmd_present(pmd_t pmd) { return pmd_flags(pmd) & _PAGE_PRESENT; }
static inline bool pud_present(pud_t pud) { return pud_flags(pud) & _PAGE_PRESENT; }
static inline bool p4d_present(p4d_t p4d) { return p4d_flags(p4d) & _PAGE_PRESENT; }
static inline bool pgd_present(pgd_t pgd) { return pgtable_l5_enabled() ? (pgd_flags(pgd) & _PAGE_PRESENT) : true; }

/*
 * A leaf above the pte level: present with PSE (Linux's pud_large()). Linux's
 * pmd_large() tests PSE alone, since a non-present PSE pmd is a THP being split
 * there; we have no such entries, so both levels ask for present too.
 */
static inline bool pmd_large(pmd_t pmd)
{
	return (pmd_val(pmd) & (_PAGE_PSE | _PAGE_PRESENT)) == (_PAGE_PSE | _PAGE_PRESENT);
}
static inline bool pud_large(pud_t pud)
{
	return (pud_val(pud) & (_PAGE_PSE | _PAGE_PRESENT)) == (_PAGE_PSE | _PAGE_PRESENT);
}

/*
 * massage_pgprot(): the bits the CPU does not support are dropped from present
 * entries (Linux: check_pgprot() in pfn_pte() and friends).
 */
static inline pgprotval_t massage_pgprot(pgprot_t pgprot)
{
	pgprotval_t protval = pgprot_val(pgprot);

	if (protval & _PAGE_PRESENT)
		protval &= __supported_pte_mask;
	return protval;
}

static inline pte_t pfn_pte(pfn_t page_nr, pgprot_t pgprot)
{
	return __pte(((u64)PFN_PHYS(page_nr) & PTE_PFN_MASK) | (massage_pgprot(pgprot) & PTE_FLAGS_MASK));
}
static inline pmd_t pfn_pmd(pfn_t page_nr, pgprot_t pgprot)
{
	pmdval_t pfn = (u64)PFN_PHYS(page_nr) & PHYSICAL_PMD_PAGE_MASK;

	return __pmd(pfn | (massage_pgprot(pgprot) & ~PHYSICAL_PMD_PAGE_MASK));
}
static inline pud_t pfn_pud(pfn_t page_nr, pgprot_t pgprot)
{
	pudval_t pfn = (u64)PFN_PHYS(page_nr) & PHYSICAL_PUD_PAGE_MASK;

	return __pud(pfn | (massage_pgprot(pgprot) & ~PHYSICAL_PUD_PAGE_MASK));
}

/*
 * The PAT bit is bit 7 in a 4K pte and bit 12 in a 2M/1G entry, where bit 7 is
 * PSE (pgtable_types.h: protval_4k_2_large / protval_large_2_4k).
 */
static inline pgprotval_t protval_4k_2_large(pgprotval_t val)
{
	return (val & ~(_PAGE_PAT | _PAGE_PAT_LARGE)) |
	       ((val & _PAGE_PAT) << (_PAGE_BIT_PAT_LARGE - _PAGE_BIT_PAT));
}
static inline pgprotval_t protval_large_2_4k(pgprotval_t val)
{
	return (val & ~(_PAGE_PAT | _PAGE_PAT_LARGE)) |
	       ((val & _PAGE_PAT_LARGE) >> (_PAGE_BIT_PAT_LARGE - _PAGE_BIT_PAT));
}
static inline pgprot_t pgprot_4k_2_large(pgprot_t pgprot)
{
	return __pgprot(protval_4k_2_large(pgprot_val(pgprot)));
}
static inline pgprot_t pgprot_large_2_4k(pgprot_t pgprot)
{
	return __pgprot(protval_large_2_4k(pgprot_val(pgprot)));
}

/* Protections (pgtable_types.h: __PAGE_KERNEL* and PAGE_KERNEL*). */
#define __PAGE_KERNEL_EXEC \
	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL)
#define __PAGE_KERNEL		(__PAGE_KERNEL_EXEC | _PAGE_NX)
#define __PAGE_KERNEL_RO	(_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL | _PAGE_NX)
#define __PAGE_KERNEL_RX	(_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL)
#define __PAGE_KERNEL_LARGE	(__PAGE_KERNEL | _PAGE_PSE)
#define __PAGE_KERNEL_LARGE_EXEC (__PAGE_KERNEL_EXEC | _PAGE_PSE)

/* Non-leaf entries: _PAGE_TABLE (with USER, as p?d_populate()) and _KERNPG_TABLE. */
#define _PAGE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define _KERNPG_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)

/* __pgprot_mask(): Linux masks with __default_kernel_pte_mask, i.e. the supported bits. */
static inline pgprot_t __pgprot_mask(pgprotval_t x)
{
	return __pgprot(x & __supported_pte_mask);
}
#define PAGE_KERNEL		__pgprot_mask(__PAGE_KERNEL)
#define PAGE_KERNEL_RO		__pgprot_mask(__PAGE_KERNEL_RO)
#define PAGE_KERNEL_EXEC	__pgprot_mask(__PAGE_KERNEL_EXEC)
#define PAGE_KERNEL_RX		__pgprot_mask(__PAGE_KERNEL_RX)
#define PAGE_KERNEL_LARGE	__pgprot_mask(__PAGE_KERNEL_LARGE)
#define PAGE_KERNEL_LARGE_EXEC	__pgprot_mask(__PAGE_KERNEL_LARGE_EXEC)

/* prot_sethuge()/pte_clrhuge() on a pgprot, as init_64.c uses them. */
static inline pgprot_t prot_sethuge(pgprot_t prot)
{
	return __pgprot(pgprot_val(prot) | _PAGE_PSE);
}
