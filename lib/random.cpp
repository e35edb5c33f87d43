#include "lib/random.h"

// Linux hands get_random_u64() out of a per-CPU batch of its CRNG's output
// (batched_entropy_u64), refilled when it is used up. Here a new TSC reading is
// mixed into the state once per batch of 16 calls likewise, and every call
// steps splitmix64: reading the TSC costs more than the mixing (a new slab's
// random start under CONFIG_SLAB_FREELIST_RANDOM is a call per slab).
u64 get_random_u64(void)
{
	static u64 state;
	static unsigned int batch_left;

	if (batch_left == 0) {
		state += __builtin_ia32_rdtsc();
		batch_left = 16;
	}
	batch_left--;
	state += 0x9e3779b97f4a7c15ULL;
	u64 z = state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
