// Page-table walking and changing; see pgtable.h for what mirrors Linux and
// where we differ.
//
// Internally one walker serves every level: a table is known by its physical
// address and by the shift of what one of its entries maps (12 for a pte table,
// 21 pmd, 30 pud, 39 p4d - or the pgd with 4 levels, where the p4d is folded -
// and 48 for the pgd with 5 levels). That replaces Linux's five
// phys_*_init()/populate_*() copies, one per level, by one function.
#include "paging/pgtable.h"

#include <string.h>

#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/memblock.h"

namespace {

/* The record of every page the library allocated: blocks of adjacent pages. */
struct pgt_block {
	phys_addr_t start;
	unsigned long nr;
};

pgt_block pgt_record[PGTABLE_RECORD_MAX];
unsigned int pgt_record_cnt;
unsigned long pgt_pages;

bool record_add(phys_addr_t pa, unsigned long nr)
{
	if (pgt_record_cnt) {
		pgt_block *last = &pgt_record[pgt_record_cnt - 1];

		if (last->start + last->nr * PAGE_SIZE == pa) {
			last->nr += nr;
			pgt_pages += nr;
			return true;
		}
		if (pa + nr * PAGE_SIZE == last->start) {
			last->start = pa;
			last->nr += nr;
			pgt_pages += nr;
			return true;
		}
	}
	if (pgt_record_cnt == PGTABLE_RECORD_MAX)
		return false;
	pgt_record[pgt_record_cnt++] = { pa, nr };
	pgt_pages += nr;
	return true;
}

// Remove one page; the callers remove the most recent allocations first, which
// sit at an end of a block, but the middle of a block works too while there is
// room to split it.
bool record_remove(phys_addr_t pa)
{
	for (unsigned int i = pgt_record_cnt; i-- > 0;) {
		pgt_block *b = &pgt_record[i];
		phys_addr_t end = b->start + b->nr * PAGE_SIZE;

		if (pa < b->start || pa >= end)
			continue;
		if (pa == b->start) {
			b->start += PAGE_SIZE;
			b->nr--;
		} else if (pa + PAGE_SIZE == end) {
			b->nr--;
		} else {
			if (pgt_record_cnt == PGTABLE_RECORD_MAX)
				return false;
			memmove(&pgt_record[i + 2], &pgt_record[i + 1],
				(pgt_record_cnt - i - 1) * sizeof(pgt_record[0]));
			pgt_record[i + 1] = { pa + PAGE_SIZE, (end - pa - PAGE_SIZE) / PAGE_SIZE };
			b->nr = (pa - b->start) / PAGE_SIZE;
			pgt_record_cnt++;
		}
		if (!b->nr) {
			memmove(b, b + 1, (pgt_record_cnt - i - 1) * sizeof(pgt_record[0]));
			pgt_record_cnt--;
		}
		pgt_pages--;
		return true;
	}
	return false;
}

void free_one_page(phys_addr_t pa)
{
	if (!record_remove(pa)) {
		// Cannot forget it, so keep it: free_pgtable_pages() frees it later.
		pr_warn("paging: cannot drop %#lx from the table-page record\n", (u64)pa);
		return;
	}
	memblock_phys_free(pa, PAGE_SIZE);
}

/*
 * The pages a change will need, allocated before anything is written. A list
 * threaded through the free pages themselves (no array, no heap).
 */
struct page_pool {
	phys_addr_t head;
	unsigned long nr;
};

void pool_drain(page_pool *pool)
{
	while (pool->nr) {
		phys_addr_t pa = pool->head;

		pool->head = *(phys_addr_t *)__va(pa);
		pool->nr--;
		free_one_page(pa);
	}
	pool->head = 0;
}

int pool_fill(page_pool *pool, unsigned long nr)
{
	pool->head = 0;
	pool->nr = 0;
	while (pool->nr < nr) {
		void *p = alloc_low_pages(1);

		if (!p) {
			pool_drain(pool);
			return -ENOMEM;
		}
		*(phys_addr_t *)p = pool->head;
		pool->head = __pa(p);
		pool->nr++;
	}
	return 0;
}

phys_addr_t pool_take(page_pool *pool)
{
	phys_addr_t pa = pool->head;
	phys_addr_t *p = (phys_addr_t *)__va(pa);

	pool->head = *p;
	pool->nr--;
	memset(p, 0, PAGE_SIZE);
	return pa;
}

/* What a table's entries map, by the entry shift. */
constexpr unsigned PTE_TABLE_SHIFT = PAGE_SHIFT;

inline unsigned top_shift(void)
{
	return PGDIR_SHIFT;
}

inline u64 entry_size(unsigned shift)
{
	return u64(1) << shift;
}

inline bool entry_present(u64 e)
{
	return e & _PAGE_PRESENT;
}

// A present entry that maps memory rather than a table: any pte; a pmd or pud
// with PSE (pmd_large()/pud_large()).
inline bool entry_is_leaf(u64 e, unsigned shift)
{
	if (shift == PTE_TABLE_SHIFT)
		return entry_present(e);
	if (shift == PMD_SHIFT || shift == PUD_SHIFT)
		return (e & (_PAGE_PSE | _PAGE_PRESENT)) == (_PAGE_PSE | _PAGE_PRESENT);
	return false;
}

inline phys_addr_t leaf_frame(u64 e, unsigned shift)
{
	if (shift == PUD_SHIFT)
		return phys_addr_t(e & PHYSICAL_PUD_PAGE_MASK);
	if (shift == PMD_SHIFT)
		return phys_addr_t(e & PHYSICAL_PMD_PAGE_MASK);
	return phys_addr_t(e & PTE_PFN_MASK);
}

// The flags of a leaf as stored: everything but the frame (pte_flags(),
// pmd_flags(), pud_flags()).
inline pgprotval_t leaf_flags(u64 e, unsigned shift)
{
	if (shift == PUD_SHIFT)
		return e & ~PHYSICAL_PUD_PAGE_MASK;
	if (shift == PMD_SHIFT)
		return e & ~PHYSICAL_PMD_PAGE_MASK;
	return e & PTE_FLAGS_MASK;
}

// ... and in 4K form (pgprot_large_2_4k() for a large page: PSE dropped, PAT in bit 7).
inline pgprotval_t leaf_flags_4k(u64 e, unsigned shift)
{
	if (shift == PTE_TABLE_SHIFT)
		return leaf_flags(e, shift);
	return protval_large_2_4k(leaf_flags(e, shift));
}

// A leaf at @shift for frame @pa with @prot4k (4K form): pfn_pte(), or
// pfn_pmd()/pfn_pud() of pgprot_4k_2_large() with PSE (prot_sethuge()).
inline u64 make_leaf(phys_addr_t pa, pgprotval_t prot4k, unsigned shift)
{
	pgprot_t large = prot_sethuge(pgprot_4k_2_large(__pgprot(prot4k)));

	if (shift == PUD_SHIFT)
		return pud_val(pfn_pud(PHYS_PFN(pa), large));
	if (shift == PMD_SHIFT)
		return pmd_val(pfn_pmd(PHYS_PFN(pa), large));
	return pte_val(pfn_pte(PHYS_PFN(pa), __pgprot(prot4k)));
}

inline bool leaf_allowed(unsigned shift, unsigned int page_size_mask)
{
	if (shift == PTE_TABLE_SHIFT)
		return true;
	if (shift == PMD_SHIFT)
		return page_size_mask & PG_SIZE_2M;
	if (shift == PUD_SHIFT)
		return page_size_mask & PG_SIZE_1G;
	return false;
}

inline enum pg_level shift_level(unsigned shift)
{
	switch (shift) {
	case PAGE_SHIFT:
		return PG_LEVEL_4K;
	case PMD_SHIFT:
		return PG_LEVEL_2M;
	case PUD_SHIFT:
		return PG_LEVEL_1G;
	default:
		return PG_LEVEL_512G;
	}
}

/*
 * Entry @i of the table a large page splits into, as __split_large_page():
 * 1G -> 2M keeps the large form (PSE, PAT in bit 12; PSE dropped if not
 * present); 2M -> 4K goes through pgprot_large_2_4k() (PSE dropped, PAT moved to
 * bit 7). Unlike Linux, _PAGE_GLOBAL is left as it was.
 */
u64 split_entry(u64 large, unsigned shift, unsigned i)
{
	phys_addr_t frame = leaf_frame(large, shift);
	pgprotval_t flags = leaf_flags(large, shift);
	unsigned child = shift - 9;

	if (shift == PUD_SHIFT) {
		if (!(flags & _PAGE_PRESENT))
			flags &= ~_PAGE_PSE;
		return (u64)(frame + (u64)i * entry_size(child)) | flags;
	}
	return (u64)(frame + (u64)i * entry_size(child)) | protval_large_2_4k(flags);
}

// The table entry that replaces a split large page: _KERNPG_TABLE as Linux, plus
// _PAGE_USER when the large page had it, so that nothing changes for its pages.
inline u64 split_table_entry(phys_addr_t table, u64 large)
{
	return (u64)table | _KERNPG_TABLE | (large & _PAGE_USER);
}

/* A table as the walker sees it: real, or (dry run) one that would be created. */
enum table_kind { TBL_REAL, TBL_EMPTY, TBL_SPLIT };
struct table_ref {
	table_kind kind;
	phys_addr_t pa;		/* TBL_REAL */
	u64 large;		/* TBL_SPLIT: the large entry being split */
};

inline u64 read_entry(const table_ref &t, unsigned shift, unsigned i)
{
	switch (t.kind) {
	case TBL_REAL:
		return ((volatile u64 *)__va(t.pa))[i];
	case TBL_SPLIT:
		return split_entry(t.large, shift + 9, i);
	default:
		return 0;
	}
}

enum walk_op { OP_MAP, OP_UNMAP, OP_CPA };

struct walk_ctx {
	walk_op op;
	bool dry;			/* check and count only */
	unsigned long tables_needed;	/* dry run: pages to allocate */
	page_pool pool;			/* real run: those pages */
	/* OP_MAP */
	virt_addr_t va;
	phys_addr_t pa;
	pgprotval_t prot;		/* 4K form, massaged */
	unsigned int page_size_mask;
	/* OP_CPA */
	pgprotval_t set, clr;
};

// Before writing an entry of @t: only the library's own tables are written.
inline int may_write(const walk_ctx *ctx, const table_ref &t)
{
	if (t.kind != TBL_REAL)
		return 0;	/* would be a new page */
	if (!pgtable_page_owned(t.pa)) {
		if (ctx->dry)
			pr_err("paging: refusing to write table %#lx, which the app did not allocate\n",
			       (u64)t.pa);
		return -EPERM;
	}
	return 0;
}

inline void write_entry(const table_ref &t, unsigned i, u64 val)
{
	((volatile u64 *)__va(t.pa))[i] = val;
}

// The attributes compared for "the same mapping": Accessed and Dirty are the CPU's.
inline bool same_prot(pgprotval_t a, pgprotval_t b)
{
	return ((a ^ b) & ~(_PAGE_ACCESSED | _PAGE_DIRTY)) == 0;
}

// The new leaf for OP_CPA (Linux: __change_page_attr() on a pte, or
// should_split_large_page()'s computation on a large one, both in 4K form).
inline u64 cpa_leaf(const walk_ctx *ctx, u64 e, unsigned shift)
{
	pgprotval_t f = leaf_flags_4k(e, shift);

	f = (f & ~ctx->clr) | ctx->set;
	return make_leaf(leaf_frame(e, shift), f, shift);
}

int walk_table(walk_ctx *ctx, const table_ref &t, unsigned shift, virt_addr_t start,
	       virt_addr_t last);

// Descend into a new table for entry @i of @t (map into nothing; split).
int descend_new(walk_ctx *ctx, const table_ref &t, unsigned shift, unsigned i, u64 old,
		bool split, virt_addr_t s, virt_addr_t l)
{
	int err = may_write(ctx, t);

	if (err)
		return err;
	if (ctx->dry) {
		ctx->tables_needed++;
		table_ref child = { split ? TBL_SPLIT : TBL_EMPTY, 0, old };
		return walk_table(ctx, child, shift - 9, s, l);
	}
	phys_addr_t pa = pool_take(&ctx->pool);
	u64 *p = (u64 *)__va(pa);

	if (split) {
		for (unsigned j = 0; j < 512; j++)
			p[j] = split_entry(old, shift, j);
		write_entry(t, i, split_table_entry(pa, old));
	} else {
		write_entry(t, i, (u64)pa | _PAGE_TABLE);
	}
	table_ref child = { TBL_REAL, pa, 0 };
	return walk_table(ctx, child, shift - 9, s, l);
}

int walk_entry(walk_ctx *ctx, const table_ref &t, unsigned shift, unsigned i,
	       virt_addr_t es, virt_addr_t el, virt_addr_t s, virt_addr_t l)
{
	u64 e = read_entry(t, shift, i);
	bool full = s == es && l == el;
	int err;

	switch (ctx->op) {
	case OP_MAP: {
		phys_addr_t pa = ctx->pa + (s - ctx->va);

		if (!entry_present(e)) {
			if (full && leaf_allowed(shift, ctx->page_size_mask) &&
			    IS_ALIGNED(pa, entry_size(shift))) {
				err = may_write(ctx, t);
				if (!err && !ctx->dry)
					write_entry(t, i, make_leaf(pa, ctx->prot, shift));
				return err;
			}
			return descend_new(ctx, t, shift, i, 0, false, s, l);
		}
		if (entry_is_leaf(e, shift)) {
			if (leaf_frame(e, shift) + (s - es) == pa &&
			    same_prot(leaf_flags_4k(e, shift), ctx->prot))
				return 0;
			if (ctx->dry)
				pr_err("paging: [%#lx-%#lx] is already mapped differently (entry %#lx)\n",
				       (unsigned long)s, (unsigned long)l, e);
			return -EEXIST;
		}
		break;
	}
	case OP_UNMAP:
		if (!entry_present(e))
			return 0;
		if (entry_is_leaf(e, shift)) {
			if (full) {
				err = may_write(ctx, t);
				if (!err && !ctx->dry)
					write_entry(t, i, 0);
				return err;
			}
			return descend_new(ctx, t, shift, i, e, true, s, l);
		}
		break;
	case OP_CPA:
		if (!entry_present(e)) {
			if (ctx->dry)
				pr_err("paging: change_page_attr: %#lx is not mapped\n", (unsigned long)s);
			return -EFAULT;
		}
		if (entry_is_leaf(e, shift)) {
			u64 n = cpa_leaf(ctx, e, shift);

			if (n == e)
				return 0;
			if (full) {
				err = may_write(ctx, t);
				if (!err && !ctx->dry)
					write_entry(t, i, n);
				return err;
			}
			return descend_new(ctx, t, shift, i, e, true, s, l);
		}
		break;
	}
	if (shift == PTE_TABLE_SHIFT)
		return 0;	/* unreachable: a present pte is a leaf */
	table_ref child = { TBL_REAL, phys_addr_t(e & PTE_PFN_MASK), 0 };
	return walk_table(ctx, child, shift - 9, s, l);
}

// The entries of @t covering [start, last] (inclusive: the range may end at the
// top of the address space).
int walk_table(walk_ctx *ctx, const table_ref &t, unsigned shift, virt_addr_t start,
	       virt_addr_t last)
{
	virt_addr_t addr = start;

	for (;;) {
		unsigned i = ((unsigned long)addr >> shift) & 511;
		virt_addr_t es = addr & ~(entry_size(shift) - 1);
		virt_addr_t el = es + (entry_size(shift) - 1);
		virt_addr_t l = el < last ? el : last;
		int err = walk_entry(ctx, t, shift, i, es, el, addr, l);

		if (err)
			return err;
		if (l == last)
			return 0;
		addr = l + 1;
	}
}

// The checks every range request shares (-EINVAL).
int check_va_range(virt_addr_t va, u64 size)
{
	virt_addr_t last = va + size - 1;

	if (!size || !IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE))
		return -EINVAL;
	if (last < va)
		return -EINVAL;
	if (!va_is_canonical(va) || !va_is_canonical(last) || (((u64)va ^ (u64)last) >> 63))
		return -EINVAL;
	return 0;
}

// Dry run, allocate what it counted, real run.
int run(walk_ctx *ctx, pgd_t *pgd, virt_addr_t va, u64 size)
{
	table_ref top = { TBL_REAL, __pa(pgd), 0 };
	virt_addr_t last = va + size - 1;
	int err;

	ctx->dry = true;
	ctx->tables_needed = 0;
	err = walk_table(ctx, top, top_shift(), va, last);
	if (err)
		return err;
	err = pool_fill(&ctx->pool, ctx->tables_needed);
	if (err) {
		pr_err("paging: out of memory for %lu page-table pages\n", ctx->tables_needed);
		return err;
	}
	ctx->dry = false;
	err = walk_table(ctx, top, top_shift(), va, last);
	if (err || ctx->pool.nr) {
		/* Cannot happen: the dry run checked everything. */
		pr_err("paging: page-table update went wrong (%d, %lu pages left)\n", err,
		       ctx->pool.nr);
		pool_drain(&ctx->pool);
		return err ? err : -EFAULT;
	}
	return 0;
}

} // namespace

void *alloc_low_pages(unsigned int num)
{
	phys_addr_t pa;
	u8 *va;

	if (!num)
		return nullptr;
	pa = memblock_phys_alloc(PAGE_SIZE * num, PAGE_SIZE);
	if (!pa)
		return nullptr;
	va = (u8 *)__va(pa);
	if (!va || !record_add(pa, num)) {
		memblock_phys_free(pa, PAGE_SIZE * num);
		return nullptr;
	}
	memset(va, 0, PAGE_SIZE * num);
	return va;
}

void free_pgtable_pages(void)
{
	for (unsigned int i = 0; i < pgt_record_cnt; i++)
		memblock_phys_free(pgt_record[i].start, pgt_record[i].nr * PAGE_SIZE);
	pgtable_forget_pages();
}

void free_pgtable_page(void *table)
{
	free_one_page(__pa(table));
}

unsigned long pgtable_pages_allocated(void)
{
	return pgt_pages;
}

bool pgtable_page_owned(phys_addr_t pa)
{
	pa &= PAGE_MASK;
	for (unsigned int i = 0; i < pgt_record_cnt; i++)
		if (pa >= pgt_record[i].start && pa < pgt_record[i].start + pgt_record[i].nr * PAGE_SIZE)
			return true;
	return false;
}

void pgtable_forget_pages(void)
{
	pgt_record_cnt = 0;
	pgt_pages = 0;
}

int map_pages(pgd_t *pgd, virt_addr_t va, phys_addr_t pa, u64 size, pgprot_t prot,
	      unsigned int page_size_mask)
{
	walk_ctx ctx = {};
	int err = check_va_range(va, size);

	if (err)
		return err;
	if (!IS_ALIGNED(pa, PAGE_SIZE) || pa + size - 1 < pa || pa + size - 1 > __PHYSICAL_MASK)
		return -EINVAL;
	if (!(pgprot_val(prot) & _PAGE_PRESENT) || (pgprot_val(prot) & PTE_PFN_MASK))
		return -EINVAL;
	ctx.op = OP_MAP;
	ctx.va = va;
	ctx.pa = pa;
	ctx.prot = massage_pgprot(prot);
	ctx.page_size_mask = page_size_mask;
	return run(&ctx, pgd, va, size);
}

int unmap_pages(pgd_t *pgd, virt_addr_t va, u64 size)
{
	walk_ctx ctx = {};
	int err = check_va_range(va, size);

	if (err)
		return err;
	ctx.op = OP_UNMAP;
	return run(&ctx, pgd, va, size);
}

int change_page_attr(pgd_t *pgd, virt_addr_t va, u64 size, pgprot_t set, pgprot_t clear)
{
	walk_ctx ctx = {};
	int err = check_va_range(va, size);

	if (err)
		return err;
	if ((pgprot_val(set) | pgprot_val(clear)) & PTE_PFN_MASK)
		return -EINVAL;
	ctx.op = OP_CPA;
	ctx.set = pgprot_val(set);
	ctx.clr = pgprot_val(clear);
	return run(&ctx, pgd, va, size);
}

bool lookup_address_in_pgd(pgd_t *pgd, virt_addr_t va, u64 *entry, enum pg_level *level)
{
	phys_addr_t table;

	if (!va_is_canonical(va))
		return false;
	table = __pa(pgd);

	for (unsigned shift = top_shift();; shift -= 9) {
		u64 e = ((volatile u64 *)__va(table))[((unsigned long)va >> shift) & 511];

		if (!entry_present(e))
			return false;
		if (entry_is_leaf(e, shift)) {
			*entry = e;
			*level = shift_level(shift);
			return true;
		}
		if (shift == PTE_TABLE_SHIFT)
			return false;
		table = phys_addr_t(e & PTE_PFN_MASK);
	}
}

bool translate_va(pgd_t *pgd, virt_addr_t va, struct pt_translation *out)
{
	u64 eff = _PAGE_RW | _PAGE_USER, nx = 0;
	phys_addr_t table;

	if (!va_is_canonical(va))
		return false;
	table = __pa(pgd);
	for (unsigned shift = top_shift();; shift -= 9) {
		u64 e = ((volatile u64 *)__va(table))[((unsigned long)va >> shift) & 511];

		if (!entry_present(e))
			return false;
		eff &= e;
		nx |= e & _PAGE_NX;
		if (entry_is_leaf(e, shift)) {
			pgprotval_t f = leaf_flags_4k(e, shift);

			out->pa = leaf_frame(e, shift) + ((u64)va & (entry_size(shift) - 1));
			out->level = shift_level(shift);
			out->flags = _PAGE_PRESENT | eff | nx |
				     (f & (_PAGE_PWT | _PAGE_PCD | _PAGE_PAT | _PAGE_GLOBAL |
					   _PAGE_DIRTY | _PAGE_ACCESSED));
			return true;
		}
		if (shift == PTE_TABLE_SHIFT)
			return false;
		table = phys_addr_t(e & PTE_PFN_MASK);
	}
}

int split_large_page(pgd_t *pgd, virt_addr_t va, enum pg_level level)
{
	u64 e;
	enum pg_level found;
	unsigned shift;

	if (level != PG_LEVEL_2M && level != PG_LEVEL_1G)
		return -EINVAL;
	if (!lookup_address_in_pgd(pgd, va, &e, &found) || found != level)
		return -EINVAL;
	shift = level == PG_LEVEL_1G ? PUD_SHIFT : PMD_SHIFT;
	// The table holding the large entry; only the library's own are written.
	phys_addr_t table = __pa(pgd);
	unsigned s;

	for (s = top_shift(); s > shift; s -= 9)
		table = phys_addr_t(((volatile u64 *)__va(table))[((unsigned long)va >> s) & 511] & PTE_PFN_MASK);
	if (!pgtable_page_owned(table)) {
		pr_err("paging: refusing to split in table %#lx, which the app did not allocate\n", (u64)table);
		return -EPERM;
	}
	u64 *p = (u64 *)alloc_low_page();

	if (!p)
		return -ENOMEM;
	for (unsigned j = 0; j < 512; j++)
		p[j] = split_entry(e, shift, j);
	((volatile u64 *)__va(table))[((unsigned long)va >> shift) & 511] = split_table_entry(__pa(p), e);
	return 0;
}
