// Basic kernel types and helpers shared by the freestanding app and the host build.
// Names follow include/linux/types.h, include/linux/align.h and include/linux/pfn.h.
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

// A physical address. In Linux phys_addr_t is a plain integer, so nothing stops a
// pfn, a virtual address or a size from being passed where an address is wanted;
// here it is a distinct type so that the compiler catches those mix-ups:
//  - no implicit conversion from a run-time integer: phys_addr_t(x) says "x is a
//    physical address" where one comes from the firmware, a page table entry or
//    PFN_PHYS(); integer constants (0, 0x1000, SZ_4G) are accepted as they are,
//    checked at compile time (a negative constant does not compile);
//  - no implicit conversion back: (u64)pa where an entry is built or printk
//    prints one (printk("%llx", pa) is an error with -Werror=format);
//  - address + size and address - size are addresses, address - address is a
//    size (u64), address & mask is an address; address + address, | and shifts
//    do not compile.
// Sizes are u64 here where Linux's memblock uses phys_addr_t for them, so that an
// address and a byte count cannot be swapped. Page frame numbers are pfn_t and
// virtual addresses pointers or virt_addr_t (below).
void phys_addr_t_negative_constant(); // not constexpr: calling it fails a consteval

// The integer types whose constants phys_addr_t and pfn_t take as they are.
template <typename T>
concept plain_integer = __is_same(T, int) || __is_same(T, long) || __is_same(T, long long) ||
			__is_same(T, unsigned) || __is_same(T, unsigned long) || __is_same(T, unsigned long long);

struct phys_addr_t {
	u64 val;

	// Trivial, as an integer's: zero in static storage without a constructor
	// (the app's globals are constant-initialised), uninitialised on the stack.
	phys_addr_t() = default;
	constexpr explicit phys_addr_t(unsigned long v) : val(v) {}
	constexpr explicit phys_addr_t(unsigned long long v) : val(v) {}
	// Integer constants, checked at compile time.
	template <plain_integer T>
	consteval phys_addr_t(T v) : val(u64(v))
	{
		if (v < T(0))
			phys_addr_t_negative_constant();
	}

	constexpr explicit operator unsigned long() const { return val; }
	constexpr explicit operator unsigned long long() const { return val; }
	constexpr explicit operator bool() const { return val != 0; }

	constexpr phys_addr_t &operator+=(u64 n) { val += n; return *this; }
	constexpr phys_addr_t &operator-=(u64 n) { val -= n; return *this; }
	constexpr phys_addr_t &operator&=(u64 m) { val &= m; return *this; }
};
static_assert(sizeof(phys_addr_t) == 8, "a phys_addr_t is one register, as in Linux");
static_assert(__is_trivial(phys_addr_t), "stored and passed as the integer it wraps");

constexpr phys_addr_t operator+(phys_addr_t a, u64 n) { return phys_addr_t(a.val + n); }
constexpr phys_addr_t operator-(phys_addr_t a, u64 n) { return phys_addr_t(a.val - n); }
constexpr u64 operator-(phys_addr_t a, phys_addr_t b) { return a.val - b.val; }
constexpr phys_addr_t operator&(phys_addr_t a, u64 m) { return phys_addr_t(a.val & m); }
// phys_addr_t, pfn_t and virt_addr_t each compare with their own kind only
// (constants convert to it): the same six operators for each.
#define DEFINE_TYPED_COMPARISONS(T)                                              \
	constexpr bool operator==(T a, T b) { return a.val == b.val; }          \
	constexpr bool operator!=(T a, T b) { return a.val != b.val; }          \
	constexpr bool operator<(T a, T b) { return a.val < b.val; }            \
	constexpr bool operator<=(T a, T b) { return a.val <= b.val; }          \
	constexpr bool operator>(T a, T b) { return a.val > b.val; }            \
	constexpr bool operator>=(T a, T b) { return a.val >= b.val; }
DEFINE_TYPED_COMPARISONS(phys_addr_t)

typedef u64 resource_size_t;

// A page frame number. Linux's mm code keeps pfns in unsigned long, beside page
// counts, indexes and addresses of the same type; here a pfn is its own type, as
// Xen's typesafe mfn_t/gfn_t are (this is not the DAX pfn_t Linux had until 6.17):
//  - pfn_t(x) makes a run-time number a pfn; constants convert by themselves,
//    checked at compile time; (unsigned long)pfn is the number again (printk);
//  - pfn + count and pfn - count are pfns, pfn - pfn is a count, ++ and -- step;
//  - pfn ^ bits is a pfn (the buddy's pfn ^ (1 << order)), and so is pfn & pfn
//    (the first of two buddies); pfn & mask and pfn >> shift are numbers (an
//    offset in a block, a section number): aligning a pfn is round_down()/ALIGN()
//    (or Linux's pfn &= mask), which keep the type;
//  - pfn + pfn, a pfn as an address (PFN_PHYS() makes one) or as a count, and
//    an address as a pfn (PHYS_PFN()/PFN_DOWN()/PFN_UP() make one) do not compile.
void pfn_t_negative_constant(); // not constexpr: calling it fails a consteval

struct pfn_t {
	unsigned long val;

	pfn_t() = default; // trivial, as phys_addr_t's
	constexpr explicit pfn_t(unsigned long v) : val(v) {}
	constexpr explicit pfn_t(unsigned long long v) : val(v) {}
	template <plain_integer T>
	consteval pfn_t(T v) : val((unsigned long)v)
	{
		if (v < T(0))
			pfn_t_negative_constant();
	}

	constexpr explicit operator unsigned long() const { return val; }
	constexpr explicit operator unsigned long long() const { return val; }
	constexpr explicit operator bool() const { return val != 0; } // if (zone_movable_pfn[nid])

	constexpr pfn_t &operator+=(unsigned long n) { val += n; return *this; }
	constexpr pfn_t &operator-=(unsigned long n) { val -= n; return *this; }
	constexpr pfn_t &operator&=(unsigned long m) { val &= m; return *this; } // start &= PAGE_SECTION_MASK
	constexpr pfn_t &operator++() { ++val; return *this; }
	constexpr pfn_t &operator--() { --val; return *this; }
	constexpr pfn_t operator++(int) { pfn_t old = *this; ++val; return old; }
	constexpr pfn_t operator--(int) { pfn_t old = *this; --val; return old; }
};
static_assert(sizeof(pfn_t) == sizeof(unsigned long), "a pfn_t is one register, as in Linux");
static_assert(__is_trivial(pfn_t), "stored and passed as the integer it wraps");

constexpr pfn_t operator+(pfn_t a, unsigned long n) { return pfn_t(a.val + n); }
constexpr pfn_t operator-(pfn_t a, unsigned long n) { return pfn_t(a.val - n); }
constexpr unsigned long operator-(pfn_t a, pfn_t b) { return a.val - b.val; }
constexpr pfn_t operator^(pfn_t a, unsigned long bits) { return pfn_t(a.val ^ bits); }
constexpr unsigned long operator&(pfn_t a, unsigned long m) { return a.val & m; }
// Of two buddies, the first: __free_one_page()'s combined_pfn = buddy_pfn & pfn.
constexpr pfn_t operator&(pfn_t a, pfn_t b) { return pfn_t(a.val & b.val); }
constexpr unsigned long operator>>(pfn_t a, unsigned s) { return a.val >> s; }
DEFINE_TYPED_COMPARISONS(pfn_t)

// A virtual address as a number: what the page-table code walks, maps and
// dumps (Linux's "unsigned long addr", the type of sizes, counts and pfns too).
// Pointers stay pointers; this is for the addresses that are computed, not
// dereferenced (pgd_index(), map_pages(), vmemmap_populate(), ptdump):
//  - virt_addr_t(x) makes a run-time number, or a pointer, a virtual address;
//    constants (__START_KERNEL_map) convert by themselves, checked at compile
//    time; (unsigned long)va is the number again (printk, an index), and
//    (T *)va the pointer;
//  - address + size and address - size are addresses, address - address is a
//    size, address & mask is an address (PMD_MASK); the level indexes shift
//    the number ((unsigned long)va >> PMD_SHIFT);
//  - address + address, shifts, a size, pfn or physical address where a
//    virtual one is wanted, and a virtual one where those are wanted, do not
//    compile.
void virt_addr_t_negative_constant(); // not constexpr: calling it fails a consteval

struct virt_addr_t {
	unsigned long val;

	virt_addr_t() = default; // trivial, as phys_addr_t's
	constexpr explicit virt_addr_t(unsigned long v) : val(v) {}
	constexpr explicit virt_addr_t(unsigned long long v) : val(v) {}
	explicit virt_addr_t(const volatile void *p) : val((unsigned long)(uintptr_t)p) {}
	template <plain_integer T>
	consteval virt_addr_t(T v) : val((unsigned long)v)
	{
		if (v < T(0))
			virt_addr_t_negative_constant();
	}

	constexpr explicit operator unsigned long() const { return val; }
	constexpr explicit operator unsigned long long() const { return val; }
	constexpr explicit operator bool() const { return val != 0; }
	template <typename T>
	explicit operator T *() const { return (T *)(uintptr_t)val; }

	constexpr virt_addr_t &operator+=(u64 n) { val += n; return *this; }
	constexpr virt_addr_t &operator-=(u64 n) { val -= n; return *this; }
	constexpr virt_addr_t &operator&=(u64 m) { val &= m; return *this; }
};
static_assert(sizeof(virt_addr_t) == sizeof(unsigned long), "a virt_addr_t is one register, as in Linux");
static_assert(__is_trivial(virt_addr_t), "stored and passed as the integer it wraps");

constexpr virt_addr_t operator+(virt_addr_t a, u64 n) { return virt_addr_t(a.val + n); }
constexpr virt_addr_t operator-(virt_addr_t a, u64 n) { return virt_addr_t(a.val - n); }
constexpr u64 operator-(virt_addr_t a, virt_addr_t b) { return a.val - b.val; }
constexpr virt_addr_t operator&(virt_addr_t a, u64 m) { return virt_addr_t(a.val & m); }
DEFINE_TYPED_COMPARISONS(virt_addr_t)

constexpr unsigned PAGE_SHIFT = 12;
constexpr u64 PAGE_SIZE = u64(1) << PAGE_SHIFT;
constexpr u64 PAGE_MASK = ~(PAGE_SIZE - 1);

constexpr u64 SZ_1K = 0x400;
constexpr u64 SZ_4K = 0x1000;
constexpr u64 SZ_64K = 0x10000;
constexpr u64 SZ_1M = 0x100000;
constexpr u64 SZ_2M = 0x200000;
constexpr u64 SZ_16M = 0x1000000;
constexpr u64 SZ_128M = 0x8000000;
constexpr u64 SZ_1G = 0x40000000;
constexpr u64 SZ_4G = 0x100000000ULL;

// A size that means "all of it" (Linux passes PHYS_ADDR_MAX or ULLONG_MAX as a size).
constexpr u64 U64_MAX = ~u64(0);
constexpr phys_addr_t PHYS_ADDR_MAX = phys_addr_t(U64_MAX);

template <typename T> constexpr T kmin(T a, T b) { return a < b ? a : b; }
template <typename T> constexpr T kmax(T a, T b) { return a > b ? a : b; }
#define min_t(type, a, b) kmin<type>((type)(a), (type)(b))
#define max_t(type, a, b) kmax<type>((type)(a), (type)(b))

// a must be a power of two, as in Linux.
constexpr u64 round_up(u64 x, u64 a) { return ((x - 1) | (a - 1)) + 1; }
constexpr u64 round_down(u64 x, u64 a) { return x & ~(a - 1); }
constexpr u64 ALIGN(u64 x, u64 a) { return (x + (a - 1)) & ~(a - 1); }
constexpr u64 ALIGN_DOWN(u64 x, u64 a) { return x & ~(a - 1); }
constexpr bool IS_ALIGNED(u64 x, u64 a) { return (x & (a - 1)) == 0; }
// The same on the wrapped numbers, keeping their type.
#define DEFINE_TYPED_ALIGN(T)                                                            \
	constexpr T round_up(T x, u64 a) { return T(round_up(x.val, a)); }              \
	constexpr T round_down(T x, u64 a) { return T(round_down(x.val, a)); }          \
	constexpr T ALIGN(T x, u64 a) { return T(ALIGN(x.val, a)); }                    \
	constexpr T ALIGN_DOWN(T x, u64 a) { return T(ALIGN_DOWN(x.val, a)); }          \
	constexpr bool IS_ALIGNED(T x, u64 a) { return IS_ALIGNED(x.val, a); }
DEFINE_TYPED_ALIGN(phys_addr_t)
DEFINE_TYPED_ALIGN(pfn_t)
DEFINE_TYPED_ALIGN(virt_addr_t)
constexpr bool is_power_of_2(u64 n) { return n != 0 && (n & (n - 1)) == 0; }

// Of a byte count, the pages it covers (PFN_UP) or fills (PFN_DOWN): counts.
constexpr u64 PFN_UP(u64 x) { return (x + PAGE_SIZE - 1) >> PAGE_SHIFT; }
constexpr u64 PFN_DOWN(u64 x) { return x >> PAGE_SHIFT; }
// Linux's PFN_PHYS() casts to phys_addr_t: a pfn becomes an address. A page
// count becomes bytes with << PAGE_SHIFT. Of an address, PFN_UP()/PFN_DOWN()/
// PHYS_PFN() are pfns.
constexpr phys_addr_t PFN_PHYS(pfn_t pfn) { return phys_addr_t(pfn.val << PAGE_SHIFT); }
constexpr pfn_t PFN_UP(phys_addr_t x) { return pfn_t(PFN_UP(x.val)); }
constexpr pfn_t PFN_DOWN(phys_addr_t x) { return pfn_t(PFN_DOWN(x.val)); }
constexpr pfn_t PHYS_PFN(phys_addr_t x) { return pfn_t(PFN_DOWN(x.val)); }

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __init
#define __initdata
#define __printf(a, b) __attribute__((format(printf, a, b)))
