// The buddy allocator's cost (issue 5): alloc_pages() + __free_pages() pairs on
// the host, the same mm/ code the app runs, side by side with the peers serving
// the same block requests (posix_memalign-style naturally aligned 2^k pages).
//
// Setup (not timed): a 1 GiB machine (RAM [1M, 1G) on one node, zones DMA and
// DMA32) brought up as the app does, through memblock_free_all() and the
// allocator's set-up (zonelists, pcp, watermarks). The blocks are never
// written: like the peers' rows, only the allocator's own metadata is touched.
//
// Workloads (bench/peers.h's convention, BM_<workload>/<impl>):
//   BM_order<k>_pair         k = 0..10, the shared rows (pcp for k <= 3 and 9)
//   BM_order0_pair_nopcp     order 0 with the pcp lists off (the buddy alone)
//   BM_order0_pair_init_on_alloc  order 0 with init_on_alloc=1 (Debian's
//                            default: the page cleared); the peers clear theirs
//                            (memset) between allocation and free
//   BM_mixed_orders_pair     orders from a fixed random sequence, 0..10, small
//                            ones most often
//   BM_fragmenting_pair      1024 live blocks of orders 0..4; each iteration frees
//                            a random one and allocates another of a random order
// One iteration is one pair (alloc + free).
#include <benchmark/benchmark.h>
#include <string.h>

#include <random>
#include <string>
#include <vector>

#include "bench/machine.h"
#include "bench/peers.h"
#include "host/platform.h"
#include "lib/printk.h"
#include "mm/memblock.h"
#include "mm/mm_init.h"
#include "mm/numa.h"
#include "mm/page_alloc.h"
#include "mm/sparse.h"
#include "paging/head64.h"
#include "paging/pgtable.h"

namespace {

using bench::kPageSize;
using bench::Peer;

constexpr u64 kRam = 1ULL << 30;

// The machine; one per benchmark run, torn down after it.
struct machine : bench::sim_machine {
	machine() : sim_machine(kRam, 4 * kRam) { ok = boot_small(kRam); }
};

#define SETUP_MACHINE(m)                                                   \
	machine m;                                                         \
	if (!m.ok) {                                                       \
		state.SkipWithError("cannot set up the simulated machine"); \
		return;                                                    \
	}

void self_order_pair(benchmark::State &state, unsigned order, bool pcp)
{
	SETUP_MACHINE(m);
	if (!pcp) {
		struct zone *zone;
		for_each_zone(zone) {
			zone->per_cpu_pageset[0].high = 0;
			zone->per_cpu_pageset[0].batch = 1;
		}
	}
	for (auto _ : state) {
		struct page *p = alloc_pages(GFP_KERNEL, order);
		benchmark::DoNotOptimize(p);
		__free_pages(p, order);
	}
	if (nr_bad_pages)
		state.SkipWithError("bad pages reported");
}

// init_on_alloc=1 as the command line would set it (the hand-over is done:
// only init_on_free would have cleared memory there).
void self_order0_init_on_alloc(benchmark::State &state)
{
	SETUP_MACHINE(m);
	if (early_init_on_alloc("1")) {
		state.SkipWithError("init_on_alloc=1 refused");
		return;
	}
	mem_debugging_and_hardening_init();
	for (auto _ : state) {
		struct page *p = alloc_pages(GFP_KERNEL, 0);
		benchmark::DoNotOptimize(p);
		__free_pages(p, 0);
	}
	if (nr_bad_pages)
		state.SkipWithError("bad pages reported");
}

void peer_order0_cleared(benchmark::State &state, const Peer &p)
{
	for (auto _ : state) {
		void *q = p.alloc(kPageSize, kPageSize);
		memset(q, 0, kPageSize);
		benchmark::DoNotOptimize(q);
		p.free(q, kPageSize, kPageSize);
	}
}

// The mixed-order sequence: 0 half the time, 1..3 a third, 4..10 the rest.
std::vector<unsigned> mixed_orders()
{
	std::mt19937 rng(42);
	std::vector<unsigned> v(4096);
	for (auto &o : v) {
		unsigned r = rng() % 100;
		o = r < 50 ? 0 : r < 83 ? 1 + rng() % 3 : 4 + rng() % 7;
	}
	return v;
}

void self_mixed(benchmark::State &state)
{
	SETUP_MACHINE(m);
	const std::vector<unsigned> orders = mixed_orders();
	size_t i = 0;
	for (auto _ : state) {
		unsigned o = orders[i++ & 4095];
		struct page *p = alloc_pages(GFP_KERNEL, o);
		benchmark::DoNotOptimize(p);
		__free_pages(p, o);
	}
}

void peer_mixed(benchmark::State &state, const Peer &p)
{
	const std::vector<unsigned> orders = mixed_orders();
	size_t i = 0;
	for (auto _ : state) {
		size_t size = kPageSize << orders[i++ & 4095];
		void *q = p.alloc(size, size);
		benchmark::DoNotOptimize(q);
		p.free(q, size, size);
	}
}

// The fragmenting workload: the same random slots and orders for every impl.
struct frag_plan {
	std::vector<unsigned> slot, order;
	frag_plan()
	{
		std::mt19937 rng(1234);
		for (int i = 0; i < 8192; i++) {
			slot.push_back(rng() % 1024);
			order.push_back(rng() % 100 < 60 ? 0 : rng() % 5);
		}
	}
};

void self_fragmenting(benchmark::State &state)
{
	SETUP_MACHINE(m);
	frag_plan plan;
	std::vector<std::pair<struct page *, unsigned>> live(1024, {nullptr, 0});
	for (unsigned s = 0; s < 1024; s++)
		live[s] = {alloc_pages(GFP_KERNEL, plan.order[s]), plan.order[s]};
	size_t i = 0;
	for (auto _ : state) {
		unsigned s = plan.slot[i & 8191], o = plan.order[i & 8191];
		i++;
		__free_pages(live[s].first, live[s].second);
		live[s] = {alloc_pages(GFP_KERNEL, o), o};
		benchmark::DoNotOptimize(live[s].first);
	}
	for (auto &[p, o] : live)
		__free_pages(p, o);
	if (nr_bad_pages)
		state.SkipWithError("bad pages reported");
}

void peer_fragmenting(benchmark::State &state, const Peer &p)
{
	frag_plan plan;
	std::vector<std::pair<void *, size_t>> live(1024, {nullptr, 0});
	for (unsigned s = 0; s < 1024; s++) {
		size_t size = kPageSize << plan.order[s];
		live[s] = {p.alloc(size, size), size};
	}
	size_t i = 0;
	for (auto _ : state) {
		unsigned s = plan.slot[i & 8191];
		size_t size = kPageSize << plan.order[i & 8191];
		i++;
		p.free(live[s].first, live[s].second, live[s].second);
		live[s] = {p.alloc(size, size), size};
		benchmark::DoNotOptimize(live[s].first);
	}
	for (auto &[q, size] : live)
		p.free(q, size, size);
}

void peer_order0(benchmark::State &state, const Peer &p)
{
	void *q0 = p.alloc(kPageSize, kPageSize);
	p.free(q0, kPageSize, kPageSize);
	for (auto _ : state) {
		void *q = p.alloc(kPageSize, kPageSize);
		benchmark::DoNotOptimize(q);
		p.free(q, kPageSize, kPageSize);
	}
}

void register_page_alloc_bench()
{
	for (unsigned k = 0; k <= bench::kMaxOrder; k++)
		bench::register_impl("BM_order" + std::to_string(k) + "_pair", bench::kSelf,
				     [k](benchmark::State &s) { self_order_pair(s, k, true); });
	bench::register_impl("BM_order0_pair_nopcp", bench::kSelf,
			     [](benchmark::State &s) { self_order_pair(s, 0, false); });
	bench::register_on_peers("BM_order0_pair_nopcp", peer_order0);
	bench::register_impl("BM_order0_pair_init_on_alloc", bench::kSelf, self_order0_init_on_alloc);
	bench::register_on_peers("BM_order0_pair_init_on_alloc", peer_order0_cleared);
	bench::register_impl("BM_mixed_orders_pair", bench::kSelf, self_mixed);
	bench::register_on_peers("BM_mixed_orders_pair", peer_mixed);
	bench::register_impl("BM_fragmenting_pair", bench::kSelf, self_fragmenting);
	bench::register_on_peers("BM_fragmenting_pair", peer_fragmenting);
}

} // namespace

BENCH_REGISTER(register_page_alloc_bench);
