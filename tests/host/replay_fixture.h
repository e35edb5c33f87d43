// tests/replay/: real Linux boots, on this project's QEMU machines and on real
// hardware, read by the host tests that replay them.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace replay_fixture {

// The path of tests/replay/@name, relative to the make directory as __FILE__ is.
inline std::string path(const std::string &name)
{
	std::string f = __FILE__; // tests/host/replay_fixture.h
	f = f.substr(0, f.rfind('/'));
	return f.substr(0, f.rfind('/')) + "/replay/" + name;
}

// The text of tests/replay/@name (a failed expectation if it cannot be read).
inline std::string read(const std::string &name)
{
	std::ifstream in(path(name));
	EXPECT_TRUE(in.good()) << "cannot read " << path(name);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

} // namespace replay_fixture
