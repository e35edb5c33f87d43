// The buddy allocator on real RAM: after bring-up, allocate and free in every
// order, zone, node and migratetype, write a unique pattern into every page
// handed out and verify it before the free, drain memory to the watermarks
// (failures are answers), refuse misuse, and end with the free lists exactly as
// they were after boot. See docs/buddy.md.
#pragma once

// buddy_test=off|quick|full (quick by default). quick writes a tag at both ends
// of every page it gets; full writes and verifies every word (memtest-like, for
// a real machine: minutes per GiB under QEMU's TCG).
int setup_buddy_test(const char *val);

// buddyinfo=zoneinfo,pagetypeinfo,all: dumps printed at the end of bring-up
// besides /proc/buddyinfo (always printed).
int setup_buddyinfo_opt(const char *val);

// Run the self-test (per buddy_test=); returns the number of failed checks.
unsigned buddy_selftest(void);

// The dumps buddyinfo= asked for.
void buddy_show_requested(void);
