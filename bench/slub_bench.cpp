// The slab allocator's cost (issue 6): kmalloc/kfree and kmem_cache_alloc/free
// on the host, the same mm/ code the app runs, side by side with the peers'
// malloc/free on the same request sizes.
//
// Setup (not timed): a 1 GiB machine (RAM [1M, 1G) on one node) brought up as
// the app does, through memblock_free_all(), the page allocator's set-up and
// kmem_cache_init(); no slub_debug. Every row, ours and the peers', touches only
// the allocator's own metadata unless the workload says otherwise. The caches
// shuffle their new slabs' objects (CONFIG_SLAB_FREELIST_RANDOM, the default),
// but in the _ordered rows.
//
// Workloads (bench/peers.h's convention, BM_<workload>/<impl>; ns per item):
//   BM_kmalloc<n>_pair       kmalloc(n) + kfree, the shared rows (peers_bench.cpp
//                            registers the peers' malloc/free)
//   BM_cache64_pair          kmem_cache_alloc + kmem_cache_free of a 64-byte
//                            cache (peers: malloc(64)/free): the SLUB fast path
//   BM_kmalloc<n>_batch1000  1000 allocations, then the 1000 frees (LIFO); one
//                            item = one alloc + one free
//   BM_kmalloc<n>_batch1000_ordered/uefi-mm  the same with slab_freelist_random=0
//                            (new slabs in address order): what the shuffle costs
//   BM_kmalloc<n>_fifo256    producer/consumer: a queue of 256 live objects, each
//                            iteration allocates one and frees the oldest (frees
//                            in allocation order, as a consumer does); one item =
//                            one alloc + one free
//   BM_mixed_trace           a fixed random trace of 8192 requests, sizes 8..8192
//                            (small ones most often), random lifetimes (up to 512
//                            live), each object's first and last byte written;
//                            one item = one alloc + one free
//   BM_kmalloc64_pair_init_on_alloc  kmalloc(64) + kfree with init_on_alloc=1
//                            (Debian's default: the object cleared); the peers
//                            clear theirs (memset) between malloc and free
//   BM_kmalloc<n>_overhead/uefi-mm   (counters only) the internal fragmentation
//                            of class n: mean over the request sizes it serves of
//                            the unused bytes of the object, and the slab bytes
//                            no object can use
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
#include "mm/slab.h"
#include "mm/slub_internal.h"
#include "mm/sparse.h"
#include "paging/head64.h"
#include "paging/pgtable.h"

namespace {

using bench::Peer;

constexpr u64 kRam = 1ULL << 30;

// The machine with the slab allocator up; one per benchmark run.
struct slab_machine : bench::sim_machine {
	explicit slab_machine(bool freelist_random = true) : sim_machine(kRam, 4 * kRam)
	{
		slab_reset();
		slab_freelist_random = freelist_random;
		ok = boot_small(kRam) && kmem_cache_init() == 0;
		host_console_take();
	}
	~slab_machine() { slab_reset(); }
};

#define SETUP_SLAB(m, ...)                                                 \
	slab_machine m{__VA_ARGS__};                                       \
	if (!m.ok) {                                                       \
		state.SkipWithError("cannot set up the simulated machine"); \
		return;                                                    \
	}

void check_no_errors(benchmark::State &state)
{
	if (slab_errors_reported())
		state.SkipWithError("slab errors reported");
}

// ---- One implementation interface for the workloads: ours or a peer's. ----

struct self_impl {
	void *alloc(size_t n) { return kmalloc(n, GFP_KERNEL); }
	void free(void *p, size_t) { kfree(p); }
};
struct peer_impl {
	const Peer &p;
	void *alloc(size_t n) { return p.malloc(n); }
	void free(void *q, size_t n) { p.mfree(q, n); }
};

template <class I> void pair(benchmark::State &state, I impl, size_t n)
{
	for (auto _ : state) {
		void *q = impl.alloc(n);
		benchmark::DoNotOptimize(q);
		impl.free(q, n);
	}
}

template <class I> void batch(benchmark::State &state, I impl, size_t n)
{
	constexpr unsigned N = 1000;
	std::vector<void *> v(N);
	for (auto _ : state) {
		for (unsigned i = 0; i < N; i++)
			v[i] = impl.alloc(n);
		benchmark::DoNotOptimize(v.data());
		for (unsigned i = N; i-- > 0;)
			impl.free(v[i], n);
	}
	state.SetItemsProcessed(state.iterations() * N);
}

template <class I> void fifo(benchmark::State &state, I impl, size_t n)
{
	constexpr unsigned Q = 256;
	std::vector<void *> q(Q);
	for (unsigned i = 0; i < Q; i++)
		q[i] = impl.alloc(n);
	unsigned head = 0;
	for (auto _ : state) {
		void *p = impl.alloc(n);
		benchmark::DoNotOptimize(p);
		impl.free(q[head], n);
		q[head] = p;
		head = (head + 1) % Q;
	}
	for (void *p : q)
		impl.free(p, n);
}

// The mixed trace: (size, slot) pairs; a request replaces the object in its slot.
struct trace_op {
	u32 size;
	u32 slot;
};
const std::vector<trace_op> &mixed_trace()
{
	static std::vector<trace_op> t = [] {
		std::mt19937 rng(6);
		std::vector<trace_op> v(8192);
		const u32 sizes[] = {8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};
		for (auto &op : v) {
			// Geometric-ish: small sizes most often, as in a kernel's kmalloc mix.
			unsigned k = 0;
			while (k + 1 < ARRAY_SIZE(sizes) && rng() % 3)
				k++;
			k = (unsigned)ARRAY_SIZE(sizes) - 1 - k;
			k = std::min<unsigned>(k, rng() % ARRAY_SIZE(sizes));
			op.size = sizes[k] - (u32)(rng() % (sizes[k] / 2 + 1)) + 0;
			if (!op.size)
				op.size = 1;
			op.slot = rng() % 512;
		}
		return v;
	}();
	return t;
}

template <class I> void mixed(benchmark::State &state, I impl)
{
	const auto &t = mixed_trace();
	std::vector<void *> slot(512, nullptr);
	std::vector<u32> slot_size(512, 0);
	for (auto _ : state) {
		for (const auto &op : t) {
			if (slot[op.slot])
				impl.free(slot[op.slot], slot_size[op.slot]);
			u8 *p = (u8 *)impl.alloc(op.size);
			p[0] = 1;
			p[op.size - 1] = 2;
			slot[op.slot] = p;
			slot_size[op.slot] = op.size;
		}
	}
	for (unsigned i = 0; i < slot.size(); i++)
		if (slot[i])
			impl.free(slot[i], slot_size[i]);
	state.SetItemsProcessed(state.iterations() * t.size());
}

// ---- Registration ----

void overhead(benchmark::State &state, size_t n)
{
	SETUP_SLAB(m);
	struct kmem_cache *s = kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(n)];
	size_t lo = 1;
	for (size_t c : bench::kKmallocSizes)
		if (c < n)
			lo = c + 1;
	double unused = 0;
	for (size_t r = lo; r <= n; r++)
		unused += (double)(s->size - r) / s->size;
	unused /= (double)(n - lo + 1);
	size_t slab_bytes = PAGE_SIZE << slab_cache_order(s);
	for (auto _ : state)
		benchmark::DoNotOptimize(s);
	state.counters["obj_unused_pct"] = 100.0 * unused;
	state.counters["slab_waste_pct"] =
		100.0 * (double)(slab_bytes - slab_cache_objects(s) * s->size) / (double)slab_bytes;
	state.counters["objs_per_slab"] = slab_cache_objects(s);
	state.counters["order"] = slab_cache_order(s);
}

void register_slub_bench()
{
	for (size_t n : bench::kKmallocSizes) {
		std::string k = "BM_kmalloc" + std::to_string(n);
		bench::register_impl(k + "_pair", bench::kSelf, [n](benchmark::State &state) {
			SETUP_SLAB(m);
			pair(state, self_impl{}, n);
			check_no_errors(state);
		});
		bench::register_impl(k + "_overhead", bench::kSelf, [n](benchmark::State &state) { overhead(state, n); });
	}
	for (size_t n : {16ul, 64ul, 256ul, 1024ul, 4096ul}) {
		std::string k = "BM_kmalloc" + std::to_string(n);
		bench::register_impl(k + "_batch1000", bench::kSelf, [n](benchmark::State &state) {
			SETUP_SLAB(m);
			batch(state, self_impl{}, n);
			check_no_errors(state);
		});
		bench::register_on_peers(k + "_batch1000",
					 [n](benchmark::State &s, const Peer &p) { batch(s, peer_impl{p}, n); });
		bench::register_impl(k + "_batch1000_ordered", bench::kSelf, [n](benchmark::State &state) {
			SETUP_SLAB(m, false);
			batch(state, self_impl{}, n);
			check_no_errors(state);
		});
		bench::register_impl(k + "_fifo256", bench::kSelf, [n](benchmark::State &state) {
			SETUP_SLAB(m);
			fifo(state, self_impl{}, n);
			check_no_errors(state);
		});
		bench::register_on_peers(k + "_fifo256",
					 [n](benchmark::State &s, const Peer &p) { fifo(s, peer_impl{p}, n); });
	}
	bench::register_impl("BM_cache64_pair", bench::kSelf, [](benchmark::State &state) {
		SETUP_SLAB(m);
		struct kmem_cache *s = kmem_cache_create("bench64", 64, 0, 0, nullptr);
		if (!s) {
			state.SkipWithError("kmem_cache_create failed");
			return;
		}
		for (auto _ : state) {
			void *q = kmem_cache_alloc(s, GFP_KERNEL);
			benchmark::DoNotOptimize(q);
			kmem_cache_free(s, q);
		}
		check_no_errors(state);
	});
	bench::register_on_peers("BM_cache64_pair",
				 [](benchmark::State &s, const Peer &p) { pair(s, peer_impl{p}, 64); });
	bench::register_impl("BM_kmalloc64_pair_init_on_alloc", bench::kSelf, [](benchmark::State &state) {
		SETUP_SLAB(m);
		if (early_init_on_alloc("1")) {
			state.SkipWithError("init_on_alloc=1 refused");
			return;
		}
		mem_debugging_and_hardening_init();
		pair(state, self_impl{}, 64);
		check_no_errors(state);
	});
	bench::register_on_peers("BM_kmalloc64_pair_init_on_alloc", [](benchmark::State &s, const Peer &p) {
		for (auto _ : s) {
			void *q = p.malloc(64);
			memset(q, 0, 64);
			benchmark::DoNotOptimize(q);
			p.mfree(q, 64);
		}
	});
	bench::register_impl("BM_mixed_trace", bench::kSelf, [](benchmark::State &state) {
		SETUP_SLAB(m);
		mixed(state, self_impl{});
		check_no_errors(state);
	});
	bench::register_on_peers("BM_mixed_trace", [](benchmark::State &s, const Peer &p) { mixed(s, peer_impl{p}); });
}

} // namespace

BENCH_REGISTER(register_slub_bench);
