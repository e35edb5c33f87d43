// make bench: Google Benchmark's main. Every bench/*.cpp only registers its own
// benchmarks (BENCHMARK() or bench/peers.h's helpers); see docs/bench.md.
#include <benchmark/benchmark.h>

#include "bench/peers.h"

// Load the peers, and say which are skipped, even if no file registers on them.
BENCH_REGISTER(bench::peers);

BENCHMARK_MAIN();
