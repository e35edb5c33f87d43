// The peer allocators make bench compares uefi-mm against, and the helpers that
// register one workload on every implementation.
//
// Naming convention (bench/ratios.py relies on it):
//
//   BM_<workload>/<impl>[/<gbench suffixes>...]
//
// <workload> names what one iteration does, with its parameters baked in, and is
// the same string for every implementation of that workload; <impl> is one of
//   uefi-mm    the project's own code (the row every ratio is relative to)
//   glibc      the process malloc: posix_memalign / malloc / free
//   jemalloc   mallocx / sdallocx            (libjemalloc.so.2, Debian libjemalloc-dev)
//   mimalloc   mi_malloc_aligned / mi_malloc / mi_free  (libmimalloc.so.2, libmimalloc-dev)
//   tcmalloc   tc_memalign / tc_malloc / tc_free(_sized) (libtcmalloc_minimal.so.4,
//              libgoogle-perftools-dev)
// Anything Google Benchmark appends after <impl> (an Arg "/8", "/real_time",
// "/threads:2", ...) stays part of the workload key, so "BM_x/glibc/8" compares
// with "BM_x/uefi-mm/8". Shared workloads:
//   BM_order<k>_pair       alloc + free of one naturally aligned block of 2^k pages
//                          (k = 0..kMaxOrder): alloc_pages(order k) / __free_pages
//   BM_kmalloc<n>_pair     malloc + free of n bytes, n in kKmallocSizes: kmalloc / kfree
// One iteration is one operation (one pair). A benchmark that does N operations per
// iteration calls state.SetItemsProcessed(state.iterations() * N); ratios.py then
// reports ns per item instead of ns per iteration.
//
// How peers are loaded: glibc is the process malloc and is called directly. The
// others are dlopen()ed with RTLD_LOCAL | RTLD_DEEPBIND and only their prefixed entry
// points are dlsym()ed: each of them also exports malloc/free, and linking them
// into the binary would make the first one on the link line the malloc of the whole
// process (Google Benchmark's and glibc's "glibc" row included). jemalloc's 2.6 KiB
// of initial-exec TLS does not fit glibc's static TLS surplus, so peers.cpp re-execs
// the binary once with GLIBC_TUNABLES=glibc.rtld.optional_static_tls=... (see
// docs/bench.md). A peer that is not installed or fails its self-check (an
// allocation must show up in that allocator's own statistics, not in glibc's) is
// skipped with a message on stderr; its rows are simply absent.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace bench {

inline constexpr size_t kPageSize = 4096;
inline constexpr unsigned kMaxOrder = 10;	// MAX_PAGE_ORDER (mm/mmzone.h), the largest 4 MiB
// Linux's kmalloc-<n> caches (KMALLOC_MIN_SIZE 8, up to 2 pages).
inline constexpr size_t kKmallocSizes[] = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024,
					   2048, 4096, 8192};

// The uefi-mm rows' implementation name.
inline constexpr const char *kSelf = "uefi-mm";

// One peer allocator. All entry points are plain function pointers (one indirect
// call each, the same for every peer).
struct Peer {
	const char *name;	// "glibc", "jemalloc", "mimalloc", "tcmalloc"
	std::string origin;	// library path and version, for reports

	// A block of @size bytes aligned to @align (a power of two; size a multiple of
	// it, e.g. size == align == 2^k pages). nullptr when out of memory. Give it
	// back with free() and the same size and align.
	void *(*alloc)(size_t size, size_t align);
	void (*free)(void *p, size_t size, size_t align);

	// malloc(size) with the allocator's default alignment, and its free.
	void *(*malloc)(size_t size);
	void (*mfree)(void *p, size_t size);
};

// The peers that loaded and passed their self-check, glibc first. Loaded on the
// first call (safe from static initialisers). Each peer's outcome goes into the
// run's context ("peer.<name>"); a skipped one is also reported on stderr.
const std::vector<const Peer *> &peers();

using PeerFn = std::function<void(benchmark::State &, const Peer &)>;
using ImplFn = std::function<void(benchmark::State &)>;

// Register "<workload>/<impl>" (workload starts with "BM_"), e.g. a uefi-mm row:
//   register_impl("BM_order0_pair", kSelf, fn).
// Both register_* add a "min" aggregate for --benchmark_repetitions runs.
benchmark::internal::Benchmark *register_impl(const std::string &workload,
					      const std::string &impl, ImplFn fn);

// Register the same workload on every loaded peer: "<workload>/<peer>" for each.
// Returns the registered benchmarks so callers can set ->Arg(), ->Unit(), ...
// on all of them (see for_each below).
std::vector<benchmark::internal::Benchmark *> register_on_peers(const std::string &workload,
								 PeerFn fn);

// Apply one setting to a set of registered benchmarks, e.g.
//   for_each(register_on_peers("BM_x", fn), [](auto *b) { b->Arg(8); });
template <class F>
void for_each(const std::vector<benchmark::internal::Benchmark *> &bs, F f)
{
	for (auto *b : bs)
		f(b);
}

// Call at namespace scope in a bench/*.cpp file to run @fn (which registers
// benchmarks) before main: BENCH_REGISTER(register_my_benchmarks);
#define BENCH_REGISTER(fn) \
	static const int BENCH_CAT_(bench_registered_, __LINE__) = ((fn)(), 0)
#define BENCH_CAT_(a, b) BENCH_CAT2_(a, b)
#define BENCH_CAT2_(a, b) a##b

} // namespace bench
