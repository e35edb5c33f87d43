// Test-only helpers for pfn_t (lib/types.h), as phys_addr_test.h has for
// addresses: gtest prints a pfn in hex, EXPECT_EQ(pfn, 0x100) compares it with a
// plain integer, and pfn % n tests alignment. The core code has none of these on
// purpose: there a run-time number becomes a pfn only through pfn_t(x).
#pragma once

#include <concepts>
#include <ios>
#include <ostream>

#include "lib/types.h"

inline std::ostream &operator<<(std::ostream &os, pfn_t pfn)
{
	std::ios_base::fmtflags f = os.flags();
	os << "pfn 0x" << std::hex << pfn.val;
	os.flags(f);
	return os;
}

template <std::integral T> constexpr bool operator==(pfn_t a, T b) { return a.val == (unsigned long)b; }
template <std::integral T> constexpr bool operator!=(pfn_t a, T b) { return a.val != (unsigned long)b; }
template <std::integral T> constexpr bool operator<(pfn_t a, T b) { return a.val < (unsigned long)b; }
template <std::integral T> constexpr bool operator<=(pfn_t a, T b) { return a.val <= (unsigned long)b; }
template <std::integral T> constexpr bool operator>(pfn_t a, T b) { return a.val > (unsigned long)b; }
template <std::integral T> constexpr bool operator>=(pfn_t a, T b) { return a.val >= (unsigned long)b; }
template <std::integral T> constexpr bool operator==(T a, pfn_t b) { return (unsigned long)a == b.val; }
template <std::integral T> constexpr bool operator!=(T a, pfn_t b) { return (unsigned long)a != b.val; }
template <std::integral T> constexpr bool operator<(T a, pfn_t b) { return (unsigned long)a < b.val; }
template <std::integral T> constexpr bool operator<=(T a, pfn_t b) { return (unsigned long)a <= b.val; }
template <std::integral T> constexpr bool operator>(T a, pfn_t b) { return (unsigned long)a > b.val; }
template <std::integral T> constexpr bool operator>=(T a, pfn_t b) { return (unsigned long)a >= b.val; }
template <std::integral T> constexpr unsigned long operator%(pfn_t a, T n) { return a.val % (unsigned long)n; }
