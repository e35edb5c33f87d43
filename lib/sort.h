// In-place heapsort, the algorithm of Linux's lib/sort.c: O(n log n) comparisons
// in the worst case, no recursion and no allocation, so it is usable before any
// allocator exists. Not stable.
//
// cmp(a, b) returns <0, 0 or >0 like Linux's cmp_func_t, but takes references to
// the elements instead of void pointers.
#pragma once

#include "lib/types.h"

namespace sort_detail {

template <typename T> inline void swap_elems(T &a, T &b)
{
	T tmp = a;
	a = b;
	b = tmp;
}

// Move base[root] down until the max-heap property holds for base[0..n).
template <typename T, typename Cmp> void sift_down(T *base, size_t root, size_t n, Cmp &cmp)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && cmp(base[child], base[child + 1]) < 0)
			child++;
		if (cmp(base[root], base[child]) >= 0)
			return;
		swap_elems(base[root], base[child]);
		root = child;
	}
}

} // namespace sort_detail

template <typename T, typename Cmp> void sort(T *base, size_t num, Cmp cmp)
{
	if (num < 2)
		return;
	// Build a max-heap, then repeatedly move the maximum to the end.
	for (size_t i = num / 2; i-- > 0;)
		sort_detail::sift_down(base, i, num, cmp);
	for (size_t end = num - 1; end > 0; end--) {
		sort_detail::swap_elems(base[0], base[end]);
		sort_detail::sift_down(base, 0, end, cmp);
	}
}
