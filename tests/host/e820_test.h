// Shared by the e820 and EFI-map tests: an e820 entry as a comparable value.
#pragma once

#include <stdio.h>

#include <ostream>
#include <vector>

#include "tests/host/types_test.h"
#include "mm/e820.h"

struct range {
	u64 addr;
	u64 size;
	u32 type;
	bool operator==(const range &o) const
	{
		return addr == o.addr && size == o.size && type == o.type;
	}
};

inline void PrintTo(const range &r, std::ostream *os)
{
	char buf[96];
	snprintf(buf, sizeof(buf), "{%#llx, %#llx, %u}", (unsigned long long)r.addr,
		 (unsigned long long)r.size, r.type);
	*os << buf;
}

inline std::vector<range> entries_of(const struct e820_table *t)
{
	std::vector<range> v;
	for (u32 i = 0; i < t->nr_entries; i++)
		v.push_back({t->entries[i].addr, t->entries[i].size, t->entries[i].type});
	return v;
}
