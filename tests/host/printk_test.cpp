// lib/printk.cpp: levels, timestamps, continuation lines, loglevel= and quiet.
#include <gtest/gtest.h>

#include "host/platform.h"
#include "lib/printk.h"

namespace {

class Printk : public ::testing::Test {
protected:
	void SetUp() override
	{
		printk_reset();
		host_console_take();
	}
	void TearDown() override { printk_reset(); }
};

TEST_F(Printk, TimestampsEachLineAndStripsTheLevel)
{
	pr_info("hello %d\n", 42);
	printk("plain\n");
	EXPECT_EQ(host_console_take(), "[    0.000000] hello 42\n[    0.000000] plain\n");
}

TEST_F(Printk, ContinuationJoinsTheLine)
{
	pr_info("BIOS-e820: [mem 0x0-0xfff] ");
	pr_cont("usable");
	pr_cont("\n");
	EXPECT_EQ(host_console_take(), "[    0.000000] BIOS-e820: [mem 0x0-0xfff] usable\n");
}

TEST_F(Printk, NewMessageClosesAnOpenLine)
{
	pr_info("open");
	pr_info("next\n");
	EXPECT_EQ(host_console_take(), "[    0.000000] open\n[    0.000000] next\n");
}

TEST_F(Printk, LoglevelFilters)
{
	ASSERT_EQ(loglevel_setup("4"), 0);
	pr_err("error\n");
	pr_warn("warning\n");
	pr_info("info\n");
	pr_cont("cont of info\n");
	EXPECT_EQ(host_console_take(), "[    0.000000] error\n");
}

TEST_F(Printk, DefaultShowsDebugLikeDmesg)
{
	pr_debug("debug line\n");
	EXPECT_EQ(host_console_take(), "[    0.000000] debug line\n");
	ASSERT_EQ(loglevel_setup("7"), 0); // Linux's console default hides it
	pr_debug("hidden\n");
	EXPECT_EQ(host_console_take(), "");
}

TEST_F(Printk, QuietAndBadValues)
{
	EXPECT_EQ(quiet_setup(nullptr), 0);
	EXPECT_EQ(console_loglevel, CONSOLE_LOGLEVEL_QUIET);
	pr_notice("notice\n");
	pr_err("err\n");
	EXPECT_EQ(host_console_take(), "[    0.000000] err\n");
	EXPECT_NE(quiet_setup("1"), 0);
	EXPECT_NE(loglevel_setup("loud"), 0);
	EXPECT_NE(loglevel_setup(nullptr), 0);
	EXPECT_NE(loglevel_setup("4x"), 0);
	EXPECT_EQ(console_loglevel, CONSOLE_LOGLEVEL_QUIET); // failures change nothing
}

} // namespace
