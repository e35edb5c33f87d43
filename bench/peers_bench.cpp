// The peers alone, on the shared workloads of bench/peers.h: the figures every
// uefi-mm row (page_alloc_bench.cpp, slub_bench.cpp, ...) is compared with.
#include <stdint.h>

#include <string>

#include "bench/peers.h"

namespace {

using bench::kPageSize;
using bench::Peer;

// BM_order<k>_pair: one naturally aligned block of 2^k pages, allocated and freed.
void block_pair(benchmark::State &state, const Peer &p, unsigned order)
{
	const size_t size = kPageSize << order;
	void *first = p.alloc(size, size);
	if (!first || (uintptr_t)first % size) {
		state.SkipWithError(first ? "block not naturally aligned" : "allocation failed");
		if (first)
			p.free(first, size, size);
		return;
	}
	p.free(first, size, size);
	for (auto _ : state) {
		void *q = p.alloc(size, size);
		benchmark::DoNotOptimize(q);
		p.free(q, size, size);
	}
}

// BM_kmalloc<n>_pair: malloc + free of n bytes.
void malloc_pair(benchmark::State &state, const Peer &p, size_t n)
{
	void *first = p.malloc(n);
	if (!first) {
		state.SkipWithError("allocation failed");
		return;
	}
	p.mfree(first, n);
	for (auto _ : state) {
		void *q = p.malloc(n);
		benchmark::DoNotOptimize(q);
		p.mfree(q, n);
	}
}

void register_peers_bench()
{
	for (unsigned k = 0; k <= bench::kMaxOrder; k++)
		bench::register_on_peers("BM_order" + std::to_string(k) + "_pair",
					 [k](benchmark::State &s, const Peer &p) { block_pair(s, p, k); });
	for (size_t n : bench::kKmallocSizes)
		bench::register_on_peers("BM_kmalloc" + std::to_string(n) + "_pair",
					 [n](benchmark::State &s, const Peer &p) { malloc_pair(s, p, n); });
}

} // namespace

BENCH_REGISTER(register_peers_bench);
