// Host side of the platform layer: console capture and simulated physical memory.
#pragma once

#include <string>

#include "lib/types.h"

// Everything printk sent to the console since the last call (and clear it). Also
// echoed to stderr when UEFI_MM_ECHO is set in the environment.
std::string host_console_take();

// Simulated physical memory: physical address p maps to base + p for p < size.
// Outside that window __va() returns nullptr, so a stray access faults at once.
void host_set_phys_window(void *base, u64 size);
