// lib/vsprintf.cpp against the host C library's snprintf for the standard
// conversions, and against Linux's output for the kernel extensions.
#include <gtest/gtest.h>
#include <stdio.h>

#include "lib/vsprintf.h"

namespace {

template <typename... A> std::string ours(const char *fmt, A... a)
{
	char buf[256];
	scnprintf(buf, sizeof(buf), fmt, a...);
	return buf;
}

template <typename... A> std::string libc(const char *fmt, A... a)
{
	char buf[256];
	snprintf(buf, sizeof(buf), fmt, a...);
	return buf;
}

#define SAME(fmt, ...) EXPECT_EQ(ours(fmt, __VA_ARGS__), libc(fmt, __VA_ARGS__)) << fmt

TEST(Vsprintf, MatchesLibcForStandardConversions)
{
	SAME("%d|%i|%u", -42, 17, 4000000000u);
	SAME("%5d|%-5d|%05d|%+d|% d", 42, 42, -42, 42, 42);
	SAME("%x|%X|%#x|%#X|%#010x", 0xbeefu, 0xbeefu, 0xbeefu, 0xau, 0x1234u);
	SAME("%llx|%#018llx|%llu|%lld", 0xfedcba9876543210ULL, 0x1000ULL, ~0ULL, -1LL);
	SAME("%lu|%zu|%ld", 123456789UL, (size_t)77, -5L);
	SAME("%o|%#o|%#o", 8u, 8u, 0u);
	SAME("%s|%-6s|%6s|%.2s", "abc", "ab", "ab", "abcdef");
	SAME("%c%c|%3c", 'o', 'k', 'x');
	SAME("%*d|%-*d|%.*d", 6, 42, 6, 42, 4, 7);
	SAME("%.0d|%.3x|%hhu|%hd", 0, 0xau, 300u, 70000);
	SAME("100%%|%d", 1);
}

// Linux's number() prints the 0x prefix for zero too (memblock_dump's "flags: 0x0"),
// where C prints a bare "0".
TEST(Vsprintf, AlternateFormOfZeroKeepsPrefixLikeLinux)
{
	EXPECT_EQ(ours("flags: %#x", 0u), "flags: 0x0");
	EXPECT_EQ(ours("[%#x]", 0u), "[0x0]");
}

// Linux's e820 code prints with %#018Lx: L is ll for integer conversions.
TEST(Vsprintf, CapitalLIsLongLong)
{
	EXPECT_EQ(ours("[%#018Lx]", 0x9fc00ULL), "[0x000000000009fc00]");
	EXPECT_EQ(ours("[%#010Lx]", 0xfffffffffffffffeULL), "[0xfffffffffffffffe]");
	EXPECT_EQ(ours("%#018Lx", 0ULL), "0x0000000000000000");
	EXPECT_EQ(ours("%Lu|%Ld", 18446744073709551615ULL, -5LL), "18446744073709551615|-5");
}

TEST(Vsprintf, KernelPhysAddrExtension)
{
	phys_addr_t a = 0x9f000;
	EXPECT_EQ(ours("[%pa]", &a), "[0x000000000009f000]");
	phys_addr_t b = ~0ULL;
	EXPECT_EQ(ours("%pa", &b), "0xffffffffffffffff");
}

TEST(Vsprintf, TruncatesAndReportsWhatWasWritten)
{
	char buf[8];
	int n = scnprintf(buf, sizeof(buf), "%s", "0123456789");
	EXPECT_EQ(n, 7);
	EXPECT_STREQ(buf, "0123456");
	EXPECT_EQ(scnprintf(buf, 1, "abc"), 0);
	EXPECT_STREQ(buf, "");
}

} // namespace
