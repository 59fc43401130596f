/* window_edges.h: where each step's window starts and ends in a series' sorted sample times. */
#ifndef PQL_WINDOW_EDGES_H
#define PQL_WINDOW_EDGES_H

#include <stddef.h>
#include <stdint.h>

/*
 * out[i] = the number of samples with ts <= t0 + i * dt (the first index
 * whose time is past it), for i in [0, count). ts is ascending with n
 * entries (n < 2^32), dt >= 0, and t0 + (count - 1) * dt must not overflow.
 * Returns nothing; never fails.
 */
void window_upper_bounds(const int64_t *ts, size_t n, int64_t t0, int64_t dt,
                         size_t count, uint32_t *out);

/* The same without vector instructions: what window_upper_bounds runs on
 * processors without AVX2; exported so tests cover both. */
void window_upper_bounds_portable(const int64_t *ts, size_t n, int64_t t0,
                                  int64_t dt, size_t count, uint32_t *out);

#endif
