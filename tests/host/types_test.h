// Test-only helpers for lib/types.h's phys_addr_t and pfn_t: gtest prints them
// in hex ("0x1000", "pfn 0x100"), EXPECT_EQ(pa, 0x1000) and EXPECT_EQ(pfn, 0x100)
// compare them with plain integers, and pfn % n tests alignment. The core code
// has none of these on purpose: there a run-time number becomes an address or a
// pfn only through phys_addr_t(x) or pfn_t(x). Tests state expected values as
// numbers, so here they may.
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

// Either type against an integer, both ways round.
template <typename W>
concept typed_integer = std::same_as<W, phys_addr_t> || std::same_as<W, pfn_t>;

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
