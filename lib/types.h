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

// A physical address, as in Linux; memblock and e820 work in bytes, like Linux.
// Page frame numbers are unsigned long, as in Linux's mm code. Neither is a
// distinct type yet: the compiler does not catch a pfn passed as an address.
typedef u64 phys_addr_t;
typedef u64 resource_size_t;

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

constexpr phys_addr_t PHYS_ADDR_MAX = ~phys_addr_t(0);

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
constexpr bool is_power_of_2(u64 n) { return n != 0 && (n & (n - 1)) == 0; }

constexpr u64 PFN_UP(u64 x) { return (x + PAGE_SIZE - 1) >> PAGE_SHIFT; }
constexpr u64 PFN_DOWN(u64 x) { return x >> PAGE_SHIFT; }
constexpr u64 PFN_PHYS(u64 pfn) { return pfn << PAGE_SHIFT; }

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __init
#define __initdata
#define __printf(a, b) __attribute__((format(printf, a, b)))
