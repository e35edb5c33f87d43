// The peer allocators (see peers.h): glibc called directly, the others dlopen()ed
// with RTLD_LOCAL | RTLD_DEEPBIND so they never become the process malloc.
#include "bench/peers.h"

#include <dlfcn.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <link.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>

namespace bench {
namespace {

// jemalloc's libjemalloc.so.2 has 2632 bytes of initial-exec TLS (PT_TLS, flag
// STATIC_TLS): dlopen() can only place it in the static TLS surplus glibc reserves
// at startup, which is too small by default ("cannot allocate memory in static TLS
// block"). The surplus is a tunable read only at process start, so re-exec the
// binary once with it raised, from a constructor that runs before this binary's
// static initialisers (priority 101), hence before any peer is loaded.
// UEFI_MM_BENCH_NO_REEXEC=1 turns that off (for a debugger, say).
constexpr const char *kStaticTlsTunable = "glibc.rtld.optional_static_tls";
constexpr const char *kStaticTlsValue = "8192";

__attribute__((constructor(101))) void reexec_with_static_tls(int argc, char **argv, char **)
{
	const char *old = getenv("GLIBC_TUNABLES");
	if ((old && strstr(old, kStaticTlsTunable)) || getenv("UEFI_MM_BENCH_NO_REEXEC") || argc < 1)
		return;
	std::string t = std::string(kStaticTlsTunable) + "=" + kStaticTlsValue;
	if (old && *old)
		t = std::string(old) + ":" + t;
	setenv("GLIBC_TUNABLES", t.c_str(), 1);
	execv("/proc/self/exe", argv);
	// Still here: carry on, jemalloc will report why it could not load.
	fprintf(stderr, "bench: re-exec with GLIBC_TUNABLES=%s failed: %s\n", t.c_str(), strerror(errno));
}

// --- glibc: the process malloc ---------------------------------------------------

void *glibc_alloc(size_t size, size_t align)
{
	void *p;
	return posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size) ? nullptr : p;
}
void glibc_free(void *p, size_t, size_t) { ::free(p); }
void *glibc_malloc(size_t size) { return ::malloc(size); }
void glibc_mfree(void *p, size_t) { ::free(p); }

// What glibc's own arenas hand out right now (in use from the heaps + mmapped).
long glibc_in_use()
{
	struct mallinfo2 mi = mallinfo2();
	return (long)(mi.uordblks + mi.hblkhd);
}

// --- jemalloc: mallocx / sdallocx ---------------------------------------------------

struct {
	void *(*mallocx)(size_t, int);
	void (*sdallocx)(void *, size_t, int);
	int (*mallctl)(const char *, void *, size_t *, void *, size_t);
} je;

// MALLOCX_ALIGN(a) == MALLOCX_LG_ALIGN(log2(a)) == log2(a) for a power of two.
int je_align(size_t align) { return align > 16 ? __builtin_ctzl(align) : 0; }
// sdallocx must get the alignment flag mallocx got: an 8 KiB block aligned to 8 KiB
// is a 16 KiB large extent, not the 8 KiB small size class.
void *je_alloc(size_t size, size_t align) { return je.mallocx(size, je_align(align)); }
void je_free(void *p, size_t size, size_t align) { je.sdallocx(p, size, je_align(align)); }
void *je_malloc(size_t size) { return je.mallocx(size, 0); }
void je_mfree(void *p, size_t size) { je.sdallocx(p, size, 0); }

// --- mimalloc: mi_malloc_aligned / mi_malloc / mi_free ---------------------------

struct {
	void *(*malloc_aligned)(size_t, size_t);
	void *(*malloc)(size_t);
	void (*free)(void *);
	bool (*is_in_heap_region)(const void *);
	int (*version)();
} mi;

void *mi_alloc(size_t size, size_t align) { return mi.malloc_aligned(size, align); }
void mi_free_block(void *p, size_t, size_t) { mi.free(p); }
void *mi_malloc_plain(size_t size) { return mi.malloc(size); }
void mi_mfree(void *p, size_t) { mi.free(p); }

// --- tcmalloc (gperftools, minimal): tc_memalign / tc_malloc / tc_free ------------

struct {
	void *(*memalign)(size_t, size_t);
	void *(*malloc)(size_t);
	void (*free)(void *);
	void (*free_sized)(void *, size_t);
	const char *(*version)(int *, int *, const char **);
	int (*get_numeric_property)(const char *, size_t *);
} tc;

void *tc_alloc(size_t size, size_t align) { return tc.memalign(align, size); }
void tc_free_block(void *p, size_t, size_t) { tc.free(p); }
void *tc_malloc_plain(size_t size) { return tc.malloc(size); }
void tc_mfree(void *p, size_t size) { tc.free_sized(p, size); }

// --- loading -------------------------------------------------------------------------

struct DlPeer {
	const char *name;
	const char *soname;
	const char *package;
	// dlsym everything into the tables above; false (and *why) if a symbol is missing.
	bool (*bind)(void *h, std::string *why);
	// Evidence that an allocation went to this allocator: bytes it accounts as
	// allocated now, or -1 if it has no such counter.
	long (*allocated)();
	// true if @p is this allocator's memory (or it cannot tell).
	bool (*owns)(const void *p);
	std::string (*version)();
	Peer peer;
};

template <class T> bool sym(void *h, const char *name, T *out, std::string *why)
{
	*out = reinterpret_cast<T>(dlsym(h, name));
	if (!*out)
		*why = std::string("no symbol ") + name;
	return *out != nullptr;
}

long no_counter() { return -1; }
bool owns_unknown(const void *) { return true; }

// A function-local static: the first peers() call may come from another file's
// static initialiser, before this file's own ones ran.
std::vector<DlPeer> &dl_peers()
{
	static std::vector<DlPeer> list = {
		{"jemalloc", "libjemalloc.so.2", "libjemalloc-dev",
		 [](void *h, std::string *why) {
			 return sym(h, "mallocx", &je.mallocx, why) && sym(h, "sdallocx", &je.sdallocx, why) &&
				sym(h, "mallctl", &je.mallctl, why);
		 },
		 []() -> long {
			 uint64_t epoch = 1;
			 size_t allocated, len = sizeof(allocated);
			 if (je.mallctl("epoch", nullptr, nullptr, &epoch, sizeof(epoch)) ||
			     je.mallctl("stats.allocated", &allocated, &len, nullptr, 0))
				 return -1;
			 return (long)allocated;
		 },
		 owns_unknown,
		 []() -> std::string {
			 const char *v = nullptr;
			 size_t len = sizeof(v);
			 return je.mallctl("version", &v, &len, nullptr, 0) == 0 && v ? v : "?";
		 },
		 {"jemalloc", "", je_alloc, je_free, je_malloc, je_mfree}},
		{"mimalloc", "libmimalloc.so.2", "libmimalloc-dev",
		 [](void *h, std::string *why) {
			 return sym(h, "mi_malloc_aligned", &mi.malloc_aligned, why) &&
				sym(h, "mi_malloc", &mi.malloc, why) && sym(h, "mi_free", &mi.free, why) &&
				sym(h, "mi_is_in_heap_region", &mi.is_in_heap_region, why) &&
				sym(h, "mi_version", &mi.version, why);
		 },
		 no_counter,
		 [](const void *p) { return mi.is_in_heap_region(p); },
		 []() -> std::string {
			 int v = mi.version();
			 return std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." +
				std::to_string(v % 10);
		 },
		 {"mimalloc", "", mi_alloc, mi_free_block, mi_malloc_plain, mi_mfree}},
		{"tcmalloc", "libtcmalloc_minimal.so.4", "libgoogle-perftools-dev",
		 [](void *h, std::string *why) {
			 return sym(h, "tc_memalign", &tc.memalign, why) && sym(h, "tc_malloc", &tc.malloc, why) &&
				sym(h, "tc_free", &tc.free, why) && sym(h, "tc_free_sized", &tc.free_sized, why) &&
				sym(h, "tc_version", &tc.version, why) &&
				sym(h, "MallocExtension_GetNumericProperty", &tc.get_numeric_property, why);
		 },
		 []() -> long {
			 size_t v = 0;
			 return tc.get_numeric_property("generic.current_allocated_bytes", &v) ? (long)v : -1;
		 },
		 owns_unknown,
		 []() -> std::string {
			 int major, minor;
			 const char *patch;
			 const char *v = tc.version(&major, &minor, &patch);
			 return v ? v : "?";
		 },
		 {"tcmalloc", "", tc_alloc, tc_free_block, tc_malloc_plain, tc_mfree}},
	};
	return list;
}

// Allocate through @p and check the memory really comes from where it should:
// aligned, counted by the allocator's own statistics (@allocated, if it has them)
// or owned by it (@owns), and not counted by glibc (unless @p is glibc).
bool self_check(const Peer &p, bool is_glibc, long (*allocated)(), bool (*owns)(const void *),
		std::string *evidence)
{
	constexpr size_t kProbe = 64 * 1024;		// under glibc's mmap threshold
	constexpr size_t kBig = kPageSize << kMaxOrder;	// the largest order's alignment

	// Warm up: first calls initialise arenas, thread caches, ...
	p.mfree(p.malloc(64), 64);
	p.free(p.alloc(kPageSize, kPageSize), kPageSize, kPageSize);

	long g0 = glibc_in_use();
	long a0 = allocated();
	void *blk = p.alloc(kProbe, kProbe);
	void *m = p.malloc(kProbe);
	long a1 = allocated();
	long g1 = glibc_in_use();
	void *big = p.alloc(kBig, kBig);

	bool ok = true;
	char buf[256];
	if (!blk || !m || !big) {
		*evidence = "an allocation failed";
		ok = false;
	} else if ((uintptr_t)blk % kProbe || (uintptr_t)big % kBig) {
		snprintf(buf, sizeof(buf), "misaligned block: %p for 64 KiB, %p for 4 MiB", blk, big);
		*evidence = buf;
		ok = false;
	} else if (is_glibc) {
		ok = g1 - g0 >= (long)(2 * kProbe);
		snprintf(buf, sizeof(buf), "mallinfo2 in use +%ld", g1 - g0);
		*evidence = buf;
	} else {
		bool glibc_quiet = g1 - g0 < (long)kProbe;	// glibc itself did not serve them
		bool counted = a0 < 0 || a1 - a0 >= (long)(2 * kProbe);
		bool owned = owns(blk) && owns(m) && owns(big);
		ok = glibc_quiet && counted && owned;
		int n = snprintf(buf, sizeof(buf), "glibc mallinfo2 +%ld", g1 - g0);
		if (a0 >= 0)
			snprintf(buf + n, sizeof(buf) - n, ", own stats +%ld", a1 - a0);
		else
			snprintf(buf + n, sizeof(buf) - n, ", owns its pointers: %s", owned ? "yes" : "no");
		*evidence = buf;
	}
	if (big)
		p.free(big, kBig, kBig);
	if (m)
		p.mfree(m, kProbe);
	if (blk)
		p.free(blk, kProbe, kProbe);
	return ok;
}

std::string lib_path(void *h, const char *fallback)
{
	struct link_map *lm = nullptr;
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name && *lm->l_name)
		return lm->l_name;
	return fallback;
}

// Into the run's context (the console header and the JSON "context"); a skipped
// peer is also said on stderr, before anything else.
void report(const char *name, const std::string &status)
{
	if (status.rfind("skipped", 0) == 0)
		fprintf(stderr, "bench: peer %s %s\n", name, status.c_str());
	benchmark::AddCustomContext(std::string("peer.") + name, status);
}

std::vector<const Peer *> load()
{
	std::vector<const Peer *> out;

	static Peer glibc = {"glibc", std::string("process malloc, glibc ") + gnu_get_libc_version(),
			     glibc_alloc, glibc_free, glibc_malloc, glibc_mfree};
	std::string evidence;
	if (self_check(glibc, true, no_counter, owns_unknown, &evidence)) {
		out.push_back(&glibc);
		report("glibc", glibc.origin + " (" + evidence + ")");
	} else {
		// Someone LD_PRELOADed another malloc: the "glibc" row would lie.
		report("glibc", "skipped: the process malloc is not glibc's (" + evidence + ")");
	}

	// tcmalloc would otherwise grow its spans with sbrk() and interleave them with
	// glibc's main arena; keep the process heap glibc's alone.
	setenv("TCMALLOC_SKIP_SBRK", "1", 0);

	for (DlPeer &d : dl_peers()) {
		void *h = dlopen(d.soname, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
		if (!h) {
			std::string err = dlerror() ?: "dlopen failed";
			if (err.find("static TLS") != std::string::npos)
				err += " (run with GLIBC_TUNABLES=" + std::string(kStaticTlsTunable) + "=" +
				       kStaticTlsValue + ")";
			else
				err += " (Debian package " + std::string(d.package) + ")";
			report(d.name, "skipped: " + err);
			continue;
		}
		std::string why;
		if (!d.bind(h, &why)) {
			report(d.name, "skipped: " + lib_path(h, d.soname) + ": " + why);
			continue;	// keep it loaded: unloading allocators is asking for trouble
		}
		d.peer.origin = lib_path(h, d.soname) + ", " + d.version();
		if (!self_check(d.peer, false, d.allocated, d.owns, &evidence)) {
			report(d.name, "skipped: self-check failed: " + d.peer.origin + " (" + evidence + ")");
			continue;
		}
		report(d.name, d.peer.origin + " (" + evidence + ")");
		out.push_back(&d.peer);
	}
	return out;
}

} // namespace

const std::vector<const Peer *> &peers()
{
	static const std::vector<const Peer *> loaded = load();
	return loaded;
}

namespace {

// With --benchmark_repetitions, a "min" aggregate next to mean/median/stddev/cv:
// on a shared machine noise only ever adds time (ratios.py --stat min).
double min_of(const std::vector<double> &v)
{
	return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
}

} // namespace

benchmark::internal::Benchmark *register_impl(const std::string &workload, const std::string &impl,
					      ImplFn fn)
{
	std::string name = workload + "/" + impl;
	return benchmark::RegisterBenchmark(name.c_str(), [fn](benchmark::State &s) { fn(s); })
		->ComputeStatistics("min", min_of);
}

std::vector<benchmark::internal::Benchmark *> register_on_peers(const std::string &workload, PeerFn fn)
{
	std::vector<benchmark::internal::Benchmark *> out;
	for (const Peer *p : peers()) {
		std::string name = workload + "/" + p->name;
		out.push_back(benchmark::RegisterBenchmark(name.c_str(),
							   [fn, p](benchmark::State &s) { fn(s, *p); })
				      ->ComputeStatistics("min", min_of));
	}
	return out;
}

} // namespace bench
