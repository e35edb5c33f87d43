// Test-only helpers for phys_addr_t (lib/types.h): gtest prints it in hex, and
// EXPECT_EQ(pa, 0x1000) compares it with a plain integer. The core code has
// neither on purpose: there a run-time integer becomes an address only through
// phys_addr_t(x). Tests state expected addresses as numbers, so here they may.
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

template <std::integral T> constexpr bool operator==(phys_addr_t a, T b) { return a.val == u64(b); }
template <std::integral T> constexpr bool operator!=(phys_addr_t a, T b) { return a.val != u64(b); }
template <std::integral T> constexpr bool operator<(phys_addr_t a, T b) { return a.val < u64(b); }
template <std::integral T> constexpr bool operator<=(phys_addr_t a, T b) { return a.val <= u64(b); }
template <std::integral T> constexpr bool operator>(phys_addr_t a, T b) { return a.val > u64(b); }
template <std::integral T> constexpr bool operator>=(phys_addr_t a, T b) { return a.val >= u64(b); }
template <std::integral T> constexpr bool operator==(T a, phys_addr_t b) { return u64(a) == b.val; }
template <std::integral T> constexpr bool operator!=(T a, phys_addr_t b) { return u64(a) != b.val; }
template <std::integral T> constexpr bool operator<(T a, phys_addr_t b) { return u64(a) < b.val; }
template <std::integral T> constexpr bool operator<=(T a, phys_addr_t b) { return u64(a) <= b.val; }
template <std::integral T> constexpr bool operator>(T a, phys_addr_t b) { return u64(a) > b.val; }
template <std::integral T> constexpr bool operator>=(T a, phys_addr_t b) { return u64(a) >= b.val; }
