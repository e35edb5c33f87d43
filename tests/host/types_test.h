// Test-only helpers for lib/types.h's phys_addr_t, pfn_t and virt_addr_t: gtest
// prints them in hex ("0x1000", "pfn 0x100", "va 0xffff888000000000"),
// EXPECT_EQ(pa, 0x1000), EXPECT_EQ(pfn, 0x100) and EXPECT_EQ(va, 0xffff...UL)
// compare them with plain integers, and pfn % n tests alignment. The core code
// has none of these on purpose: there a run-time number becomes an address or a
// pfn only through phys_addr_t(x), pfn_t(x) or virt_addr_t(x). Tests state
// expected values as numbers, so here they may.
#pragma once

#include <concepts>
#include <ios>
#include <ostream>

#include "lib/types.h"

inline std::ostream &operator<<(std::ostream &os, phys_addr_t pa)
{
	std::ios_base::fmtflags f = os.flags();
	os << "0x" << std::hex << pa.val;
	os.flags(f);
	return os;
}

inline std::ostream &operator<<(std::ostream &os, pfn_t pfn)
{
	std::ios_base::fmtflags f = os.flags();
	os << "pfn 0x" << std::hex << pfn.val;
	os.flags(f);
	return os;
}

inline std::ostream &operator<<(std::ostream &os, virt_addr_t va)
{
	std::ios_base::fmtflags f = os.flags();
	os << "va 0x" << std::hex << va.val;
	os.flags(f);
	return os;
}

// Any of the three against an integer, both ways round.
template <typename W>
concept typed_integer = std::same_as<W, phys_addr_t> || std::same_as<W, pfn_t> || std::same_as<W, virt_addr_t>;

template <typed_integer W, std::integral T> constexpr bool operator==(W a, T b) { return a.val == u64(b); }
template <typed_integer W, std::integral T> constexpr bool operator!=(W a, T b) { return a.val != u64(b); }
template <typed_integer W, std::integral T> constexpr bool operator<(W a, T b) { return a.val < u64(b); }
template <typed_integer W, std::integral T> constexpr bool operator<=(W a, T b) { return a.val <= u64(b); }
template <typed_integer W, std::integral T> constexpr bool operator>(W a, T b) { return a.val > u64(b); }
template <typed_integer W, std::integral T> constexpr bool operator>=(W a, T b) { return a.val >= u64(b); }
template <typed_integer W, std::integral T> constexpr bool operator==(T a, W b) { return u64(a) == b.val; }
template <typed_integer W, std::integral T> constexpr bool operator!=(T a, W b) { return u64(a) != b.val; }
template <typed_integer W, std::integral T> constexpr bool operator<(T a, W b) { return u64(a) < b.val; }
template <typed_integer W, std::integral T> constexpr bool operator<=(T a, W b) { return u64(a) <= b.val; }
template <typed_integer W, std::integral T> constexpr bool operator>(T a, W b) { return u64(a) > b.val; }
template <typed_integer W, std::integral T> constexpr bool operator>=(T a, W b) { return u64(a) >= b.val; }
template <std::integral T> constexpr unsigned long operator%(pfn_t a, T n) { return a.val % (unsigned long)n; }
