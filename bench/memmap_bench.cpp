// The cost of initialising struct pages and handing memory to buddy, per GiB of
// RAM (issue 4's benchmark): memmap_init() + memblock_free_all() (with
// page_alloc_init_late(), the deferred struct pages, as Debian's kernels) on the host over
// machines of 1 GiB to 256 GiB, the same mm/ code the app runs.
//
// Setup (not timed): memblock with RAM [1M, N GiB) minus the usual holes, one
// node, sparse_init() into a fresh page table, the zones sized once. The struct
// pages live in simulated physical memory (a memfd, host/platform.h) reached
// through the host's vmemmap window, so they are written through a second
// mapping of the same frames, as in the app. Each iteration re-empties the free
// lists (not timed) and times memmap_init() then memblock_free_all().
//
// Reported: ms per GiB of RAM (items = GiB), split into the two stages by
// counters. Each is run with the struct pages of memory written once with
// non-temporal stores (memmap_init_streaming, the default) and in Linux's
// sequence (_linux_stores), with and without deferred init; BM_memmap_store_floor
// is the floor: one line of non-temporal stores per struct page and nothing else.
// docs/zones.md has the figures.
#include <benchmark/benchmark.h>

#include <chrono>

#include "bench/machine.h"
#include "host/platform.h"
#include "lib/flushcache.h"
#include "lib/printk.h"
#include "mm/memblock.h"
#include "mm/mm_init.h"
#include "mm/numa.h"
#include "mm/page_alloc.h"
#include "mm/sparse.h"
#include "paging/head64.h"
#include "paging/pgtable.h"

namespace {

constexpr u64 GiB = 1ULL << 30;

// The memory map takes 1/64 of RAM; the memfd holds it and the tables, in the
// RAM below its end (the PCI hole 3G-4G has none).
constexpr u64 phys_for(u64 gib) { return round_up(gib * GiB / 64 + gib * GiB / 256 + SZ_1G, SZ_1G); }

// One machine of @gib GiB, brought up to just before memmap_init().
struct machine : bench::sim_machine {
	machine(u64 gib, bool deferred, bool streaming) : sim_machine(phys_for(gib), gib * GiB + 4 * GiB)
	{
		if (!ok)
			return;
		deferred_struct_pages_enabled = deferred;
		memmap_init_streaming = streaming;
		// A PC-like layout: low RAM, the 640K-1M hole, the PCI hole below 4G.
		memblock_add(0x1000, 0x9f000 - 0x1000);
		u64 low_end = kmin<u64>(gib * GiB, 3 * GiB);
		memblock_add(SZ_1M, low_end - SZ_1M);
		if (gib * GiB > low_end)
			memblock_add(4 * GiB, gib * GiB - low_end);
		memblock_reserve(SZ_1M, 16 * SZ_1M); // "the kernel"
		if (!size_zones()) // sizes the zones and runs memmap_init() once
			return;
		// A first hand-over touches every struct page, so that the timed runs
		// see memory, as the app does, not the host's first-touch page faults.
		hand_over();
		reset_buddy();
	}

	// Empty free lists and counters, as before memblock_free_all().
	void reset_buddy()
	{
		struct zone *zone;
		for_each_zone(zone)
			if (zone->initialized)
				zone_init_free_lists(zone);
		page_alloc_reset();
	}
};

void memmap_init_free_all(benchmark::State &state, bool deferred, bool streaming = true)
{
	u64 gib = (u64)state.range(0);
	machine m(gib, deferred, streaming);
	if (!m.ok) {
		state.SkipWithError("cannot set up the simulated machine");
		return;
	}
	double ns_memmap = 0, ns_free = 0;
	unsigned long pages = 0, freed = 0;
	for (auto _ : state) {
		state.PauseTiming();
		m.reset_buddy();
		state.ResumeTiming();
		auto t0 = std::chrono::steady_clock::now();
		memmap_init();
		auto t1 = std::chrono::steady_clock::now();
		freed = memblock_free_all();
		page_alloc_init_late();
		auto t2 = std::chrono::steady_clock::now();
		ns_memmap += std::chrono::duration<double, std::nano>(t1 - t0).count();
		ns_free += std::chrono::duration<double, std::nano>(t2 - t1).count();
		pages = memmap_pages_initialised;
	}
	double it = (double)state.iterations();
	state.SetItemsProcessed((int64_t)(state.iterations() * gib));
	state.counters["struct_pages"] = (double)pages;
	state.counters["freed_pages"] = (double)freed;
	state.counters["memmap_init_ms_per_GiB"] = ns_memmap / it / (double)gib / 1e6;
	state.counters["free_all_and_deferred_ms_per_GiB"] = ns_free / it / (double)gib / 1e6;
	state.counters["ms_per_GiB"] = (ns_memmap + ns_free) / it / (double)gib / 1e6;
}

// As Debian's kernels (CONFIG_DEFERRED_STRUCT_PAGE_INIT): the highest zone's free
// pages initialised and freed block by block by page_alloc_init_late(). The
// struct pages of free memory are written once, in their free state, with
// non-temporal stores (memmap_init_streaming, the default).
void BM_memmap_init_free_all(benchmark::State &state) { memmap_init_free_all(state, true); }
// Without deferred init: memblock_free_all() writes all free memory's struct pages.
void BM_memmap_init_free_all_eager(benchmark::State &state) { memmap_init_free_all(state, false); }
// Linux's sequence (memmap_init_streaming = false): __init_single_page() writes
// each struct page, __free_pages_core() comes back to it.
void BM_memmap_init_free_all_linux_stores(benchmark::State &state) { memmap_init_free_all(state, true, false); }
void BM_memmap_init_free_all_eager_linux_stores(benchmark::State &state)
{
	memmap_init_free_all(state, false, false);
}

// The floor: one full line of non-temporal stores per struct page of memory,
// over the same memory map of the same machine, and nothing else; what this
// machine's memory allows at the time of the run.
void BM_memmap_store_floor(benchmark::State &state)
{
	u64 gib = (u64)state.range(0);
	machine m(gib, true, true);
	if (!m.ok) {
		state.SkipWithError("cannot set up the simulated machine");
		return;
	}
	pfn_t spfn, epfn;
	int i;
	double ns = 0;
	for (auto _ : state) {
		auto t0 = std::chrono::steady_clock::now();
		for_each_mem_pfn_range(i, MAX_NUMNODES, &spfn, &epfn, nullptr)
			for (pfn_t pfn = spfn; pfn < epfn; pfn++) {
				struct page *page = pfn_to_page(pfn);
				u64 lru = (u64)&page->lru;
				memset64_line_flushcache(page, (unsigned long)pfn, lru, lru, 0, 0, 0, 0xffffffffUL, 0);
			}
		wmb();
		ns += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
	}
	state.SetItemsProcessed((int64_t)(state.iterations() * gib));
	state.counters["ms_per_GiB"] = ns / (double)state.iterations() / (double)gib / 1e6;
}

// Each over machines of 1 to 256 GiB, wall time (the stages are timed inside).
void register_per_size(const char *name, void (*fn)(benchmark::State &))
{
	benchmark::RegisterBenchmark(name, fn)
		->ArgName("GiB")
		->Arg(1)->Arg(4)->Arg(16)->Arg(64)->Arg(256)
		->Unit(benchmark::kMillisecond)
		->UseRealTime();
}

const int registered = [] {
	register_per_size("BM_memmap_store_floor/uefi-mm", BM_memmap_store_floor);
	register_per_size("BM_memmap_init_free_all/uefi-mm", BM_memmap_init_free_all);
	register_per_size("BM_memmap_init_free_all_eager/uefi-mm", BM_memmap_init_free_all_eager);
	register_per_size("BM_memmap_init_free_all_linux_stores/uefi-mm", BM_memmap_init_free_all_linux_stores);
	register_per_size("BM_memmap_init_free_all_eager_linux_stores/uefi-mm",
			  BM_memmap_init_free_all_eager_linux_stores);
	return 0;
}();

} // namespace
