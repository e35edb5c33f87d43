// The virtual memory map: sparse_init() / vmemmap_populate() building 2 MiB and
// 4 KiB mappings in the vmemmap region, the sparse buffer, the debug lines and
// the summary, and struct pages written through pfn_to_page() landing in the
// simulated physical memory the page tables say.
#include "tests/host/sparse_test.h"

#include <set>

using namespace sparse_test;

namespace {

constexpr u64 SZ_4M = 4 * SZ_1M;

// Bits of a leaf entry that are not its frame.
u64 leaf_flags(pgd_t *pgd, virt_addr_t va, enum pg_level want)
{
	u64 e = 0;
	enum pg_level level = PG_LEVEL_NONE;
	EXPECT_TRUE(lookup_address_in_pgd(pgd, va, &e, &level));
	EXPECT_EQ(level, want);
	return e & ~(want == PG_LEVEL_2M ? PHYSICAL_PMD_PAGE_MASK : PTE_PFN_MASK);
}

// Write a struct page through pfn_to_page() and check the bytes at the physical
// address the page tables give; then write there and read through the page.
void check_struct_page_lands(pgd_t *pgd, pfn_t pfn)
{
	struct page *page = pfn_to_page(pfn);
	ASSERT_EQ(page, vmemmap + pfn.val);
	ASSERT_EQ(page_to_pfn(page), pfn);
	pt_translation t{};
	ASSERT_TRUE(translate_va(pgd, pfn_to_vmemmap_va(pfn), &t)) << pfn;

	mm_zero_struct_page(page);
	set_page_links(page, 1, 5, pfn);
	init_page_count(page);
	page_mapcount_reset(page);
	INIT_LIST_HEAD(&page->lru);
	page->index = pfn.val * 3 + 1;

	const struct page *phys_view = (const struct page *)__va(t.pa);
	ASSERT_NE(phys_view, nullptr);
	EXPECT_EQ(phys_view->flags, (5UL << 58) | (1UL << 55)) << pfn;
	EXPECT_EQ(phys_view->index, pfn.val * 3 + 1) << pfn;
	EXPECT_EQ(atomic_read(&phys_view->_refcount), 1) << pfn;
	EXPECT_EQ(phys_view->page_type, 0xffffffffu) << pfn;
	EXPECT_EQ(phys_view->lru.next, &page->lru) << pfn;

	((struct page *)__va(t.pa))->memcg_data = 0xabc000 + pfn.val;
	EXPECT_EQ(page->memcg_data, 0xabc000 + pfn.val) << pfn;
}

TEST_F(Sparse, OnePmdPerSectionFromTheNodeBuffer)
{
	add_low_ram();	// [1M, 256M): sections 0 and 1
	pgd_t *pgd = new_pgd();
	unsigned long tables = pgtable_pages_allocated();
	ASSERT_EQ(sparse_init(pgd), 0);

	EXPECT_EQ(vmemmap_nr_pmds, 2u);
	EXPECT_EQ(vmemmap_nr_base_pages, 0u);
	pt_translation t0 = memmap_of(pgd, 0), t1 = memmap_of(pgd, PAGES_PER_SECTION);
	EXPECT_EQ(t0.level, PG_LEVEL_2M);
	EXPECT_EQ(t1.level, PG_LEVEL_2M);
	// One PMD-aligned 4M buffer, above __pa(MAX_DMA_ADDRESS), reserved.
	EXPECT_TRUE(IS_ALIGNED(t0.pa, SZ_2M));
	EXPECT_EQ(t1.pa, t0.pa + SZ_2M);
	EXPECT_GE(t0.pa, 16 * SZ_1M);
	EXPECT_TRUE(memblock_is_region_reserved(t0.pa, SZ_4M));
	// The last struct page of section 1 is the last bytes of the buffer.
	EXPECT_EQ(memmap_of(pgd, 2 * PAGES_PER_SECTION - 1).pa, t0.pa + SZ_4M - 64);
	EXPECT_FALSE(memmap_mapped(pgd, 2 * PAGES_PER_SECTION));

	// PAGE_KERNEL_LARGE; the pud and pmd tables are new.
	EXPECT_EQ(leaf_flags(pgd, VMEMMAP_START, PG_LEVEL_2M), __PAGE_KERNEL_LARGE);
	EXPECT_EQ(pgtable_pages_allocated() - tables, 2u);
	EXPECT_EQ(host_vmemmap_mapped_bytes(), SZ_4M);

	EXPECT_EQ(console_lines(),
		  (std::vector<std::string>{
			  pmd_line(VMEMMAP_START, VMEMMAP_START + SZ_4M, t0.pa, t0.pa + SZ_4M, 0),
			  summary(2, 0, 2),
			  // [1M, 256M): two sections, no hole for FLATMEM to pay for
			  memory_model(2, 2, 0, (2 * SZ_128M), 4096, 4096) }));
	EXPECT_EQ(pmd_line(VMEMMAP_START, VMEMMAP_START + SZ_4M, 0, 1, 0).substr(0, 37),
		  " [ffffea0000000000-ffffea00003fffff] ");
}

TEST_F(Sparse, StructPagesWrittenThroughPfnToPageLandInPhysicalMemory)
{
	add_low_ram();
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(sparse_init(pgd), 0);

	for (unsigned long pfn : { 0UL, 1UL, 63UL, 64UL, 511UL, 512UL, 4095UL, 32767UL, 32768UL,
				   40000UL, 65535UL })
		check_struct_page_lands(pgd, pfn_t(pfn));

	// Every struct page of both sections is writable, and reads back through
	// the physical view.
	for (pfn_t pfn = 0; pfn < 2 * PAGES_PER_SECTION; pfn++)
		pfn_to_page(pfn)->private_ = pfn.val ^ 0x5555;
	pt_translation t = memmap_of(pgd, 0);
	const struct page *phys_view = (const struct page *)__va(t.pa);
	for (pfn_t pfn = 0; pfn < 2 * PAGES_PER_SECTION; pfn++)
		ASSERT_EQ(phys_view[pfn.val].private_, pfn.val ^ 0x5555) << pfn;
}

TEST_F(Sparse, PfnToPageIsArithmeticOnVmemmap)
{
	ASSERT_NE(vmemmap, nullptr);
	for (pfn_t pfn = 0; pfn < PFN_DOWN(PHYS_LIMIT); pfn += 0x12345) {
		struct page *page = pfn_to_page(pfn);
		ASSERT_EQ((uintptr_t)page - (uintptr_t)vmemmap, pfn.val * 64);
		ASSERT_EQ(page_to_pfn(page), pfn);
		ASSERT_EQ(pfn_to_vmemmap_va(pfn), VMEMMAP_START + pfn.val * 64);
	}
}

TEST_F(Sparse, HolesHighRamAndSectionsWithoutRam)
{
	// Section 0: [1M, 100M). Sections 32 and 33: [4G + 64M, 4G + 192M), above
	// 4 GiB and far above the simulated memory. Section 64: [8G + 1M, 8G + 3M),
	// not 2M-aligned. Nothing in between.
	ASSERT_EQ(memblock_add(SZ_1M, 99 * SZ_1M), 0);
	ASSERT_EQ(memblock_add(SZ_4G + 64 * SZ_1M, SZ_128M), 0);
	ASSERT_EQ(memblock_add(8 * SZ_1G + SZ_1M, 2 * SZ_1M), 0);
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(sparse_init(pgd), 0);

	EXPECT_EQ(vmemmap_nr_pmds, 4u);
	EXPECT_EQ(vmemmap_nr_base_pages, 0u);
	pt_translation t0 = memmap_of(pgd, 0);
	const unsigned long sec[] = { 0, 32, 33, 64 };
	for (unsigned i = 0; i < 4; i++) {
		pt_translation t = memmap_of(pgd, section_nr_to_pfn(sec[i]));
		EXPECT_EQ(t.level, PG_LEVEL_2M);
		EXPECT_EQ(t.pa, t0.pa + i * SZ_2M) << sec[i];	// the node's buffer, in order
		EXPECT_TRUE(valid_section_nr(sec[i]));
	}
	for (unsigned long nr : { 1UL, 2UL, 31UL, 34UL, 63UL, 65UL }) {
		EXPECT_FALSE(memmap_mapped(pgd, section_nr_to_pfn(nr))) << nr;
		EXPECT_FALSE(memmap_mapped(pgd, section_nr_to_pfn(nr + 1) - 1)) << nr;
		EXPECT_FALSE(present_section_nr(nr)) << nr;
	}
	EXPECT_EQ(host_vmemmap_mapped_bytes(), 4 * SZ_2M);

	// Struct pages for holes and high RAM exist and land where the tables say.
	check_struct_page_lands(pgd, PFN_DOWN(120 * SZ_1M));	// hole in section 0
	check_struct_page_lands(pgd, PFN_DOWN(SZ_4G));		// below the RAM of section 32
	check_struct_page_lands(pgd, PFN_DOWN(SZ_4G + 100 * SZ_1M));
	check_struct_page_lands(pgd, PFN_DOWN(8 * SZ_1G + SZ_1M) + 300);

	// Linux merges PMDs whose blocks are contiguous, whatever the gaps between
	// their virtual addresses: one line for the four.
	EXPECT_EQ(console_lines(),
		  (std::vector<std::string>{
			  pmd_line(VMEMMAP_START, VMEMMAP_START + 64 * SZ_2M + SZ_2M, t0.pa,
				   t0.pa + 4 * SZ_2M, 0),
			  summary(4, 0, 4),
			  // FLATMEM covers [0, 8G + 4M) (8G + 3M rounded up to 4 MiB):
			  // 0x200400 struct pages, 131136 KiB, against 4 sections' 8 MiB
			  memory_model(4, 65, 0, 8 * SZ_1G + SZ_4M, 8192, 131136) }));
}

// Free memory only in 1.5M windows that start 1M past a 2M boundary: no
// 2M-aligned 2M block anywhere.
std::vector<std::pair<phys_addr_t, phys_addr_t>> fragmented(unsigned n, phys_addr_t from)
{
	std::vector<std::pair<phys_addr_t, phys_addr_t>> free;
	for (unsigned k = 0; k < n; k++) {
		phys_addr_t s = from + k * 16 * SZ_1M + SZ_1M;
		free.push_back({ s, s + 3 * SZ_1M / 2 });
	}
	return free;
}

TEST_F(Sparse, FragmentedMemoryFallsBackToBasePages)
{
	add_low_ram();	// sections 0 and 1
	reserve_except(SZ_1M, PHYS_SIZE, fragmented(10, 16 * SZ_1M));
	pgd_t *pgd = new_pgd();
	unsigned long tables = pgtable_pages_allocated();
	ASSERT_EQ(sparse_init(pgd), 0);

	EXPECT_EQ(vmemmap_nr_pmds, 0u);
	EXPECT_EQ(vmemmap_nr_base_pages, 1024u);
	// pud, pmd, and a pte table per section.
	EXPECT_EQ(pgtable_pages_allocated() - tables, 4u);
	EXPECT_EQ(host_vmemmap_mapped_bytes(), SZ_4M);

	std::set<phys_addr_t> frames;
	for (unsigned long i = 0; i < 1024; i++) {
		pfn_t pfn = pfn_t(i * (PAGE_SIZE / sizeof(struct page)));
		pt_translation t = memmap_of(pgd, pfn);
		ASSERT_EQ(t.level, PG_LEVEL_4K) << i;
		ASSERT_TRUE(memblock_is_region_reserved(t.pa, PAGE_SIZE));
		frames.insert(t.pa);
	}
	EXPECT_EQ(frames.size(), 1024u);
	EXPECT_EQ(leaf_flags(pgd, VMEMMAP_START, PG_LEVEL_4K), __PAGE_KERNEL);
	EXPECT_EQ(leaf_flags(pgd, VMEMMAP_START + SZ_4M - PAGE_SIZE, PG_LEVEL_4K), __PAGE_KERNEL);

	// Neighbouring struct pages in different 4K frames.
	for (unsigned long pfn : { 0UL, 63UL, 64UL, 32767UL, 32768UL, 65535UL })
		check_struct_page_lands(pgd, pfn_t(pfn));
	EXPECT_NE(memmap_of(pgd, 63).pa + 64, memmap_of(pgd, 64).pa);

	EXPECT_EQ(console_lines(), (std::vector<std::string>{ summary(0, 1024, 2), memory_model(2, 2, 0, (2 * SZ_128M), 4096, 4096) }));
}

TEST_F(Sparse, OneFree2MBlockGivesOnePmdThenBasePages)
{
	add_low_ram();
	auto free = fragmented(4, 64 * SZ_1M);
	free.insert(free.begin(), { 32 * SZ_1M, 34 * SZ_1M });
	reserve_except(SZ_1M, PHYS_SIZE, free);
	pgd_t *pgd = new_pgd();
	unsigned long tables = pgtable_pages_allocated();
	ASSERT_EQ(sparse_init(pgd), 0);

	EXPECT_EQ(vmemmap_nr_pmds, 1u);
	EXPECT_EQ(vmemmap_nr_base_pages, 512u);
	EXPECT_EQ(pgtable_pages_allocated() - tables, 3u);	// pud, pmd, one pte table
	pt_translation t0 = memmap_of(pgd, 0);
	EXPECT_EQ(t0.level, PG_LEVEL_2M);
	EXPECT_EQ(t0.pa, 32 * SZ_1M);
	EXPECT_EQ(memmap_of(pgd, PAGES_PER_SECTION).level, PG_LEVEL_4K);
	EXPECT_EQ(memmap_of(pgd, 2 * PAGES_PER_SECTION - 1).level, PG_LEVEL_4K);
	check_struct_page_lands(pgd, 100);
	check_struct_page_lands(pgd, PAGES_PER_SECTION + 100);

	EXPECT_EQ(console_lines(),
		  (std::vector<std::string>{
			  pmd_line(VMEMMAP_START, VMEMMAP_START + SZ_2M, 32 * SZ_1M, 34 * SZ_1M, 0),
			  summary(1, 512, 2), memory_model(2, 2, 0, (2 * SZ_128M), 4096, 4096) }));
}

TEST_F(Sparse, EachNodeGetsItsOwnBufferAndLine)
{
	ASSERT_EQ(memblock_add_node(SZ_1M, SZ_128M - SZ_1M, 0, MEMBLOCK_NONE), 0);
	ASSERT_EQ(memblock_add_node(SZ_128M, SZ_128M, 1, MEMBLOCK_NONE), 0);
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(sparse_init(pgd), 0);

	pt_translation t0 = memmap_of(pgd, 0), t1 = memmap_of(pgd, PAGES_PER_SECTION);
	EXPECT_GE(t0.pa, 16 * SZ_1M);
	EXPECT_LE(t0.pa + SZ_2M, SZ_128M);	// node 0's memory
	EXPECT_GE(t1.pa, SZ_128M);		// node 1's memory
	EXPECT_EQ(console_lines(),
		  (std::vector<std::string>{
			  pmd_line(VMEMMAP_START, VMEMMAP_START + SZ_2M, t0.pa, t0.pa + SZ_2M, 0),
			  pmd_line(VMEMMAP_START + SZ_2M, VMEMMAP_START + SZ_4M, t1.pa,
				   t1.pa + SZ_2M, 1),
			  summary(2, 0, 2), memory_model(2, 2, 0, (2 * SZ_128M), 4096, 4096) }));
}

TEST_F(Sparse, NodeWithoutReachableMemoryBorrowsFromAnother)
{
	// Node 1 is all above the memblock limit: its exact-node buffer fails and
	// each PMD falls back to any node, as vmemmap_alloc_block() does.
	ASSERT_EQ(memblock_add_node(SZ_1M, PHYS_SIZE - SZ_1M, 0, MEMBLOCK_NONE), 0);
	ASSERT_EQ(memblock_add_node(SZ_4G, 2 * SZ_128M, 1, MEMBLOCK_NONE), 0);
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(sparse_init(pgd), 0);

	EXPECT_EQ(vmemmap_nr_pmds, 4u);
	pt_translation h0 = memmap_of(pgd, section_nr_to_pfn(32));
	pt_translation h1 = memmap_of(pgd, section_nr_to_pfn(33));
	EXPECT_LT(h0.pa, PHYS_SIZE);
	EXPECT_EQ(h0.level, PG_LEVEL_2M);
	EXPECT_EQ(h1.level, PG_LEVEL_2M);
	check_struct_page_lands(pgd, section_nr_to_pfn(33) + 7);
	auto lines = console_lines();
	ASSERT_GE(lines.size(), 2u);
	EXPECT_EQ(lines[lines.size() - 2], summary(4, 0, 4));
	// [0, 4G + 256M): 34 sections, 68 MiB of mem_map under FLATMEM
	EXPECT_EQ(lines.back(), memory_model(4, 34, 0, SZ_4G + (2 * SZ_128M), 8192, 69632));
	// Node 1's lines say node 1, whichever memory backs them.
	bool node1 = false;
	for (auto &l : lines)
		node1 |= l.find("on node 1") != std::string::npos;
	EXPECT_TRUE(node1);
}

TEST_F(Sparse, FiveLevelVmemmap)
{
	five_level();
	ASSERT_EQ(VMEMMAP_START, 0xffd4000000000000UL);
	add_low_ram();
	pgd_t *pgd = new_pgd();
	unsigned long tables = pgtable_pages_allocated();
	ASSERT_EQ(sparse_init(pgd), 0);

	EXPECT_EQ(vmemmap_nr_pmds, 2u);
	EXPECT_EQ(pgtable_pages_allocated() - tables, 3u);	// p4d, pud, pmd
	pt_translation t0 = memmap_of(pgd, 0);
	EXPECT_EQ(t0.level, PG_LEVEL_2M);
	EXPECT_EQ(leaf_flags(pgd, VMEMMAP_START + SZ_2M, PG_LEVEL_2M), __PAGE_KERNEL_LARGE);
	check_struct_page_lands(pgd, 12345);
	check_struct_page_lands(pgd, PAGES_PER_SECTION + 1);
	auto lines = console_lines();
	ASSERT_EQ(lines.size(), 3u);
	EXPECT_EQ(lines[0], pmd_line(VMEMMAP_START, VMEMMAP_START + SZ_4M, t0.pa, t0.pa + SZ_4M, 0));
	EXPECT_EQ(lines[2], memory_model(2, 2, 0, (2 * SZ_128M), 4096, 4096));
	EXPECT_EQ(lines[0].substr(0, 37), " [ffd4000000000000-ffd40000003fffff] ");
}

TEST_F(Sparse, VmemmapPopulateDirectly)
{
	add_low_ram();
	pgd_t *pgd = new_pgd();
	virt_addr_t va = VMEMMAP_START + 3 * SZ_2M;

	// Less than a section's worth: base pages.
	ASSERT_EQ(vmemmap_populate(pgd, va, va + 16 * PAGE_SIZE, 0), 0);
	EXPECT_EQ(vmemmap_nr_base_pages, 16u);
	EXPECT_EQ(vmemmap_nr_pmds, 0u);
	ASSERT_EQ(vmemmap_populate(pgd, va, va + 16 * PAGE_SIZE, 0), 0);
	EXPECT_EQ(vmemmap_nr_base_pages, 16u);	// nothing new

	// A whole section: one PMD; again: nothing new.
	virt_addr_t va2 = VMEMMAP_START + 5 * SZ_2M;
	ASSERT_EQ(vmemmap_populate(pgd, va2, va2 + SZ_2M, 0), 0);
	EXPECT_EQ(vmemmap_nr_pmds, 1u);
	ASSERT_EQ(vmemmap_populate(pgd, va2, va2 + SZ_2M, 0), 0);
	EXPECT_EQ(vmemmap_nr_pmds, 1u);

	// A section whose pmd already has a pte table: the rest in base pages.
	ASSERT_EQ(vmemmap_populate(pgd, va, va + SZ_2M, 0), 0);
	EXPECT_EQ(vmemmap_nr_pmds, 1u);
	EXPECT_EQ(vmemmap_nr_base_pages, 512u);
	pt_translation t{};
	ASSERT_TRUE(translate_va(pgd, va + SZ_2M - 1, &t));
	EXPECT_EQ(t.level, PG_LEVEL_4K);
	EXPECT_EQ(host_vmemmap_mapped_bytes(), SZ_2M + SZ_2M);

	EXPECT_EQ(vmemmap_populate(pgd, va + 1, va + PAGE_SIZE, 0), -EINVAL);
	EXPECT_EQ(vmemmap_populate(pgd, va, va, 0), -EINVAL);
	EXPECT_EQ(__populate_section_memmap(pgd, 100, PAGES_PER_SUBSECTION, 0), nullptr);
	EXPECT_EQ(__populate_section_memmap(pgd, 0, 100, 0), nullptr);
	// A subsection's worth (512 struct pages = 32K): base pages, returns the page.
	EXPECT_EQ(__populate_section_memmap(pgd, 20 * PAGES_PER_SUBSECTION, PAGES_PER_SUBSECTION, 0),
		  pfn_to_page(20 * PAGES_PER_SUBSECTION));
	EXPECT_EQ(vmemmap_nr_base_pages, 512u + 8);
}

TEST_F(Sparse, SparseBufferHandsOutAlignedPiecesAndFreesTheRest)
{
	add_low_ram();
	u64 reserved = memblock_reserved_size();
	sparse_buffer_init(8 * SZ_1M, 0);
	ASSERT_EQ(memblock_reserved_size() - reserved, 8 * SZ_1M);

	char *a = (char *)sparse_buffer_alloc(PAGE_SIZE);
	ASSERT_NE(a, nullptr);
	EXPECT_TRUE(IS_ALIGNED(__pa(a), SZ_2M));
	char *b = (char *)sparse_buffer_alloc(SZ_2M);
	EXPECT_EQ(b, a + SZ_2M);
	// The alignment gap went back to memblock.
	EXPECT_FALSE(memblock_is_region_reserved(__pa(a) + PAGE_SIZE, SZ_2M - PAGE_SIZE));
	EXPECT_TRUE(memblock_is_region_reserved(__pa(a), PAGE_SIZE));
	char *c = (char *)sparse_buffer_alloc(SZ_2M);
	EXPECT_EQ(c, a + SZ_4M);
	EXPECT_EQ(sparse_buffer_alloc(SZ_4M), nullptr);	// 2M left, not enough

	sparse_buffer_fini();
	EXPECT_EQ(memblock_reserved_size() - reserved, PAGE_SIZE + 2 * SZ_2M);
	EXPECT_FALSE(memblock_is_region_reserved(__pa(a) + 6 * SZ_1M, SZ_2M));
	EXPECT_EQ(sparse_buffer_alloc(PAGE_SIZE), nullptr);
}

TEST_F(Sparse, SecondSparseInitChangesNothing)
{
	add_low_ram();
	pgd_t *pgd = new_pgd();
	ASSERT_EQ(memblocks_present(), 0);	// as the app calls it first
	ASSERT_EQ(sparse_init(pgd), 0);
	EXPECT_EQ(vmemmap_nr_pmds, 2u);
	u64 reserved = memblock_reserved_size();
	console_lines();
	// memblocks_present() again finds every section marked; the pmds exist.
	ASSERT_EQ(memblocks_present(), 0);
	EXPECT_EQ(memblock_reserved_size(), reserved);
	EXPECT_TRUE(valid_section_nr(1));
	EXPECT_EQ(__nr_to_section(1)->section_mem_map & ~SECTION_MAP_MASK,
		  SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP | SECTION_IS_ONLINE | SECTION_IS_EARLY);
}

} // namespace
