#include "lib/random.h"

u64 get_random_u64(void)
{
	static u64 state;

	state += __builtin_ia32_rdtsc() + 0x9e3779b97f4a7c15ULL;
	u64 z = state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
