// tests/replay/: real Linux boots on this project's QEMU machines, read by the
// host tests that replay them.
#pragma once

#include <string>

namespace replay_fixture {

// The path of tests/replay/@name, relative to the make directory as __FILE__ is.
inline std::string path(const std::string &name)
{
	std::string f = __FILE__; // tests/host/replay_fixture.h
	f = f.substr(0, f.rfind('/'));
	return f.substr(0, f.rfind('/')) + "/replay/" + name;
}

} // namespace replay_fixture
