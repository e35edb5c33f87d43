// lib/cmdline.cpp: memparse and the early-parameter parser.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/platform.h"
#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "mm/mm_init.h"

namespace {

TEST(Memparse, SuffixesAndBases)
{
	const char *end;
	EXPECT_EQ(memparse("512M", &end), 512ULL << 20);
	EXPECT_STREQ(end, "");
	EXPECT_EQ(memparse("4g", &end), 4ULL << 30);
	EXPECT_EQ(memparse("0x1000@", &end), 0x1000u);
	EXPECT_STREQ(end, "@");
	EXPECT_EQ(memparse("64K$0x100000", &end), 64u << 10);
	EXPECT_STREQ(end, "$0x100000");
	EXPECT_EQ(memparse("010", &end), 8u); // octal, as simple_strtoull base 0
	EXPECT_EQ(memparse("1T", &end), 1ULL << 40);
	const char *s = "banana";
	EXPECT_EQ(memparse(s, &end), 0u);
	EXPECT_EQ(end, s); // nothing parsed
}

TEST(Memparse, FullStringRejectsGarbageAndOverflow)
{
	u64 v = 7;
	EXPECT_TRUE(memparse_full("256M", &v));
	EXPECT_EQ(v, 256ULL << 20);
	EXPECT_FALSE(memparse_full("banana", &v));
	EXPECT_FALSE(memparse_full("12Q", &v));
	EXPECT_FALSE(memparse_full("", &v));
	EXPECT_FALSE(memparse_full(nullptr, &v));
	EXPECT_FALSE(memparse_full("99999999999999999999", &v));
	EXPECT_FALSE(memparse_full("17E", &v)); // 17 << 60 overflows
	EXPECT_EQ(v, 256ULL << 20);             // untouched by the failures
}

TEST(Kstrtou64, Bases)
{
	u64 v;
	EXPECT_TRUE(kstrtou64("0x1f", 0, &v));
	EXPECT_EQ(v, 0x1fu);
	EXPECT_TRUE(kstrtou64("1f", 16, &v));
	EXPECT_EQ(v, 0x1fu);
	EXPECT_FALSE(kstrtou64("1f", 10, &v));
	EXPECT_FALSE(kstrtou64("-1", 0, &v));
}

TEST(Kstrtobool, LinuxWordsOnly)
{
	bool v = false;
	for (const char *s : {"1", "y", "Y", "yes", "t", "True", "on", "ON"}) {
		v = false;
		EXPECT_EQ(kstrtobool(s, &v), 0) << s;
		EXPECT_TRUE(v) << s;
	}
	for (const char *s : {"0", "n", "No", "f", "false", "off", "Off"}) {
		v = true;
		EXPECT_EQ(kstrtobool(s, &v), 0) << s;
		EXPECT_FALSE(v) << s;
	}
	for (const char *s : {"", "2", "yfoo", "o", "onn", "offf", "banana", "truetruetrue"}) {
		v = true;
		EXPECT_EQ(kstrtobool(s, &v), -EINVAL) << s;
		EXPECT_TRUE(v) << s << ": changed by a refused value";
	}
	EXPECT_EQ(kstrtobool(nullptr, &v), -EINVAL);
}

TEST(MatchString, IndexOrEinval)
{
	static const char *const words[] = {"off", "quick", "full"};
	EXPECT_EQ(match_string(words, 3, "off"), 0);
	EXPECT_EQ(match_string(words, 3, "full"), 2);
	EXPECT_EQ(match_string(words, 3, "ful"), -EINVAL);
	EXPECT_EQ(match_string(words, 3, "fully"), -EINVAL);
	EXPECT_EQ(match_string(words, 3, ""), -EINVAL);
	EXPECT_EQ(match_string(words, 3, nullptr), -EINVAL);
	EXPECT_EQ(match_string(words, 2, "full"), -EINVAL); // only the first n
}

// memmap_init=: the two ways by name; anything else refused, the setting kept.
TEST(MatchString, MemmapInitOption)
{
	const bool saved = memmap_init_streaming;
	EXPECT_EQ(setup_memmap_init("linux"), 0);
	EXPECT_FALSE(memmap_init_streaming);
	EXPECT_EQ(setup_memmap_init("fast"), -EINVAL);
	EXPECT_EQ(setup_memmap_init(nullptr), -EINVAL);
	EXPECT_FALSE(memmap_init_streaming);
	EXPECT_EQ(setup_memmap_init("streaming"), 0);
	EXPECT_TRUE(memmap_init_streaming);
	memmap_init_streaming = saved;
}

std::vector<std::string> seen;

int record(const char *val)
{
	seen.push_back(val ? val : "<none>");
	return 0;
}

int strict_number(const char *val)
{
	u64 v;
	if (!val || !kstrtou64(val, 0, &v))
		return -EINVAL;
	seen.push_back("n=" + std::to_string(v));
	return 0;
}

const kernel_param params[] = {
	{"alpha", record},
	{"flag", record},
	{"num", strict_number},
};

class ParseArgs : public ::testing::Test {
protected:
	void SetUp() override
	{
		seen.clear();
		printk_reset();
		host_console_take();
	}
	char unknown[256];
};

TEST_F(ParseArgs, CallsHandlersInOrderAndCollectsUnknown)
{
	EXPECT_EQ(parse_args("  alpha=1 foo flag num=0x10 bar=baz\tnum=3 ", params, 3, unknown, sizeof(unknown)),
		  PARSE_OK);
	EXPECT_EQ(seen, (std::vector<std::string>{"1", "<none>", "n=16", "n=3"}));
	EXPECT_STREQ(unknown, "foo bar=baz");
}

TEST_F(ParseArgs, QuotedValuesKeepSpaces)
{
	EXPECT_EQ(parse_args("alpha=\"a b c\" flag", params, 3, unknown, sizeof(unknown)), PARSE_OK);
	EXPECT_EQ(seen, (std::vector<std::string>{"a b c", "<none>"}));
	EXPECT_STREQ(unknown, "");
}

TEST_F(ParseArgs, MalformedValueStopsWithAClearError)
{
	EXPECT_EQ(parse_args("alpha=1 num=banana alpha=2", params, 3, unknown, sizeof(unknown)), PARSE_MALFORMED);
	EXPECT_EQ(seen, (std::vector<std::string>{"1"})); // nothing after the bad one ran
	EXPECT_NE(host_console_take().find("Malformed early option 'num=banana'"), std::string::npos);
}

TEST_F(ParseArgs, MissingValueIsMalformed)
{
	EXPECT_EQ(parse_args("num", params, 3, unknown, sizeof(unknown)), PARSE_MALFORMED);
	EXPECT_NE(host_console_take().find("Malformed early option 'num': it needs a value"), std::string::npos);
}

TEST_F(ParseArgs, TooLongIsRefused)
{
	std::string huge(COMMAND_LINE_SIZE + 10, 'x');
	EXPECT_EQ(parse_args(huge.c_str(), params, 3, unknown, sizeof(unknown)), PARSE_TOO_LONG);
	EXPECT_TRUE(seen.empty());
}

TEST_F(ParseArgs, EmptyLine)
{
	EXPECT_EQ(parse_args("", params, 3, unknown, sizeof(unknown)), PARSE_OK);
	EXPECT_EQ(parse_args("   ", params, 3, unknown, sizeof(unknown)), PARSE_OK);
	EXPECT_TRUE(seen.empty());
	EXPECT_STREQ(unknown, "");
}

} // namespace
