// The page-table dump; see ptdump.h for what mirrors Linux and where we differ.
#include "paging/ptdump.h"

#include "lib/printk.h"

namespace {

struct addr_marker {
	virt_addr_t start_address;
	const char *name;
};

enum { NR_MARKERS = 9 };

/* address_markers[] of dump_pagetables.c, for the areas we have; set at walk time. */
void fill_markers(addr_marker *m)
{
	m[0] = { 0, "User Space" };
	m[1] = { virt_addr_t(1UL << 63), "Kernel Space" };
	m[2] = { page_offset_base, "Low Kernel Mapping" };
	m[3] = { VMALLOC_START, "vmalloc() Area" };
	m[4] = { VMEMMAP_START, "Vmemmap" };
	m[5] = { __START_KERNEL_map, "High Kernel Mapping" };
	m[6] = { MODULES_VADDR, "Modules" };
	m[7] = { MODULES_END, "End Modules" };
	m[8] = { virt_addr_t(~0UL), nullptr };
}

/* struct pg_state; levels as the generic walker: 0 pgd, 1 p4d, 2 pud, 3 pmd, 4 pte. */
struct pg_state {
	int level;		/* -1: nothing noted yet */
	pgprotval_t current_prot;
	pgprotval_t effective_prot;
	pgprotval_t prot_levels[5];
	virt_addr_t start_address;
	const addr_marker *marker;
	addr_marker markers[NR_MARKERS];
};

/* printk_prot() */
void printk_prot(pgprotval_t pr, int level)
{
	static const char *const level_name[] = { "pgd", "p4d", "pud", "pmd", "pte" };

	if (!(pr & _PAGE_PRESENT)) {
		/* absent entry: blank flag columns */
		pr_cont("                              ");
	} else {
		pr_cont("%s", pr & _PAGE_USER ? "USR " : "    ");
		pr_cont("%s", pr & _PAGE_RW ? "RW " : "ro ");
		pr_cont("%s", pr & _PAGE_PWT ? "PWT " : "    ");
		pr_cont("%s", pr & _PAGE_PCD ? "PCD " : "    ");
		/* bit 7 is PSE in pud/pmd entries but PAT in a pte */
		pr_cont("%s", level <= 3 && (pr & _PAGE_PSE) ? "PSE " : "    ");
		if ((level == 4 && (pr & _PAGE_PAT)) ||
		    ((level == 3 || level == 2) && (pr & _PAGE_PAT_LARGE)))
			pr_cont("PAT ");
		else
			pr_cont("    ");
		pr_cont("%s", pr & _PAGE_GLOBAL ? "GLB " : "    ");
		pr_cont("%s", pr & _PAGE_NX ? "NX " : "x  ");
	}
	pr_cont("%s\n", level_name[level]);
}

/* Print the run [st->start_address, addr) (part of note_page()). */
void print_run(pg_state *st, virt_addr_t addr)
{
	static const char units[] = "BKMGTPE";
	const char *unit = units;
	int width = sizeof(unsigned long) * 2;
	unsigned long delta;

	printk(KERN_INFO "0x%0*lx-0x%0*lx   ", width, (unsigned long)st->start_address, width,
	       (unsigned long)addr);
	delta = addr - st->start_address;
	while (!(delta & 1023) && unit[1]) {
		delta >>= 10;
		unit++;
	}
	pr_cont("%9lu%c ", delta, *unit);
	printk_prot(st->current_prot, st->level);
}

/*
 * note_page(): extend the current run, or, when this entry differs from it
 * (flags, effective protection, level) or crosses a marker, print the run
 * and start a new one here.
 */
void note_page(pg_state *st, virt_addr_t addr, int level, u64 val, pgprotval_t flags)
{
	pgprotval_t new_prot = flags;
	pgprotval_t new_eff = val ? st->prot_levels[level] : 0;

	if (st->level == -1) {
		/* nothing recorded yet: this entry opens the first run */
		st->current_prot = new_prot;
		st->effective_prot = new_eff;
		st->level = level;
		st->start_address = addr;
		pr_info("---[ %s ]---\n", st->marker->name);
	} else if (new_prot != st->current_prot || new_eff != st->effective_prot ||
		   level != st->level || addr >= st->marker[1].start_address) {
		print_run(st, addr);

		/* crossed into the next named region: print its header */
		if (addr >= st->marker[1].start_address) {
			st->marker++;
			pr_info("---[ %s ]---\n", st->marker->name);
		}
		st->start_address = addr;
		st->current_prot = new_prot;
		st->effective_prot = new_eff;
		st->level = level;
	}
}

/* effective_prot() */
void effective_prot(pg_state *st, int level, pgprotval_t prot)
{
	if (level > 0) {
		pgprotval_t higher = st->prot_levels[level - 1];

		st->prot_levels[level] = (higher & prot & (_PAGE_USER | _PAGE_RW)) |
					 ((higher | prot) & _PAGE_NX);
	} else {
		st->prot_levels[level] = prot;
	}
}

inline virt_addr_t normalize_addr(virt_addr_t u)
{
	int shift = 64 - (__VIRTUAL_MASK_SHIFT + 1);

	return virt_addr_t((unsigned long)((long)((unsigned long)u << shift) >> shift));
}

inline pgprotval_t entry_flags(u64 e, unsigned shift)
{
	if ((e & _PAGE_PSE) && shift == PUD_SHIFT)
		return e & ~PHYSICAL_PUD_PAGE_MASK;
	if ((e & _PAGE_PSE) && shift == PMD_SHIFT)
		return e & ~PHYSICAL_PMD_PAGE_MASK;
	return e & PTE_FLAGS_MASK;
}

/*
 * Linux's generic walker for what ptdump needs: visit.entry() for every entry
 * (effective_prot()), visit.leaf() for each leaf or hole, tables descended into.
 */
template <typename Visit>
void walk(phys_addr_t table, unsigned shift, int level, virt_addr_t start, virt_addr_t last,
	  Visit &visit)
{
	virt_addr_t addr = start;

	for (;;) {
		u64 e = ((volatile u64 *)__va(table))[((unsigned long)addr >> shift) & 511];
		unsigned long size = 1UL << shift;
		virt_addr_t es = addr & ~(size - 1);
		virt_addr_t l = es + (size - 1) < last ? es + (size - 1) : last;
		bool leaf = shift == PAGE_SHIFT ||
			    ((shift == PMD_SHIFT || shift == PUD_SHIFT) && (e & _PAGE_PSE));

		visit.entry(level, shift, e);
		if (!(e & _PAGE_PRESENT) || leaf)
			visit.leaf(addr, level, shift, e);
		else
			walk(phys_addr_t(e & PTE_PFN_MASK), shift - 9, level + 1, addr, l, visit);
		if (l == last)
			return;
		addr = l + 1;
	}
}

struct dump_visitor {
	pg_state *st;

	void entry(int level, unsigned shift, u64 e)
	{
		effective_prot(st, level, entry_flags(e, shift));
	}
	void leaf(virt_addr_t addr, int level, unsigned shift, u64 e)
	{
		note_page(st, normalize_addr(addr), level, e, e ? entry_flags(e, shift) : 0);
	}
};

struct count_visitor {
	unsigned long *nr;

	void entry(int, unsigned, u64) {}
	void leaf(virt_addr_t, int, unsigned shift, u64 e)
	{
		if (!(e & _PAGE_PRESENT))
			return;
		if (shift == PAGE_SHIFT)
			nr[PG_LEVEL_4K]++;
		else if (shift == PMD_SHIFT)
			nr[PG_LEVEL_2M]++;
		else if (shift == PUD_SHIFT)
			nr[PG_LEVEL_1G]++;
	}
};

/* Walk the canonical parts of [start, last] only (the table index wraps). */
template <typename Visit>
void walk_range(pgd_t *pgd, virt_addr_t start, virt_addr_t last, Visit &visit)
{
	virt_addr_t low_last = virt_addr_t((1UL << __VIRTUAL_MASK_SHIFT) - 1);
	virt_addr_t high_start = virt_addr_t(~(unsigned long)low_last);
	int top_level = pgtable_l5_enabled() ? 0 : 1;

	if (start > last)
		return;
	if (start <= low_last)
		walk(__pa(pgd), PGDIR_SHIFT, top_level, start, last < low_last ? last : low_last, visit);
	if (last >= high_start)
		walk(__pa(pgd), PGDIR_SHIFT, top_level, start > high_start ? start : high_start, last,
		     visit);
}

} // namespace

void ptdump_walk_pgd_level(pgd_t *pgd, virt_addr_t start, virt_addr_t last)
{
	pg_state st = {};

	st.level = -1;
	fill_markers(st.markers);
	st.marker = st.markers;
	while (st.marker[1].name && st.marker[1].start_address <= start)
		st.marker++;

	dump_visitor v = { &st };
	walk_range(pgd, start, last, v);

	/* the run still open at the end has not been printed yet */
	if (st.level != -1)
		print_run(&st, last + 1);
}

void ptdump_count_pages(pgd_t *pgd, virt_addr_t start, virt_addr_t last,
			unsigned long nr[PG_LEVEL_NUM])
{
	count_visitor v = { nr };

	for (int i = 0; i < PG_LEVEL_NUM; i++)
		nr[i] = 0;
	walk_range(pgd, start, last, v);
}

void ptdump_summary(pgd_t *pgd, virt_addr_t start, virt_addr_t last)
{
	unsigned long nr[PG_LEVEL_NUM];

	ptdump_count_pages(pgd, start, last, nr);
	pr_info("DirectMap4k:    %8lu kB\n", nr[PG_LEVEL_4K] << 2);
	pr_info("DirectMap2M:    %8lu kB\n", nr[PG_LEVEL_2M] << 11);
	pr_info("DirectMap1G:    %8lu kB\n", nr[PG_LEVEL_1G] << 20);
}
