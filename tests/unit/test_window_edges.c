/* test_window_edges.c: per-step window edges (vector and portable sweeps) against a plain linear count. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "window_edges.h"

/* The definition: how many samples have ts <= t. */
static uint32_t naive_upper_bound(const int64_t *ts, size_t n, int64_t t)
{
    uint32_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ts[i] <= t;
    return c;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Scrape-like times: a base interval with jitter and the odd gap. */
static void fill_times(int64_t *ts, size_t n, int64_t start, int64_t interval)
{
    int64_t t = start;
    for (size_t i = 0; i < n; i++) {
        t += 1 + (int64_t)(rng() % (uint64_t)interval);
        if (rng() % 50 == 0)
            t += interval * (int64_t)(rng() % 40); /* a gap */
        ts[i] = t;
    }
}

static void check_case(const int64_t *ts, size_t n, int64_t t0, int64_t dt, size_t count)
{
    uint32_t *fast = malloc((count + 1) * sizeof *fast);
    uint32_t *portable = malloc((count + 1) * sizeof *portable);
    cr_assert(fast && portable);
    fast[count] = portable[count] = 0xdeadbeef; /* nothing written past the end */
    window_upper_bounds(ts, n, t0, dt, count, fast);
    window_upper_bounds_portable(ts, n, t0, dt, count, portable);
    for (size_t i = 0; i < count; i++) {
        uint32_t want = naive_upper_bound(ts, n, t0 + (int64_t)i * dt);
        cr_assert_eq(fast[i], want, "n=%zu t0=%lld dt=%lld count=%zu step %zu: got %u want %u",
                     n, (long long)t0, (long long)dt, count, i, fast[i], want);
        cr_assert_eq(portable[i], want, "portable n=%zu count=%zu step %zu: got %u want %u", n,
                     count, i, portable[i], want);
    }
    cr_assert_eq(fast[count], 0xdeadbeef);
    cr_assert_eq(portable[count], 0xdeadbeef);
    free(fast);
    free(portable);
}

Test(window_edges, random_series_and_grids)
{
    int64_t *ts = malloc(3000 * sizeof *ts);
    cr_assert_not_null(ts);
    for (int round = 0; round < 400; round++) {
        size_t n = (size_t)(rng() % 3000);
        int64_t interval = 1 + (int64_t)(rng() % 20000);
        fill_times(ts, n, -50000 + (int64_t)(rng() % 100000), interval);
        int64_t span = n ? ts[n - 1] - ts[0] : 1000;
        /* Grids that start before, inside and after the samples, steps
         * finer and coarser than the scrape interval, and dt = 0. */
        int64_t t0 = (n ? ts[0] : 0) - (int64_t)(rng() % 100000) + (int64_t)(rng() % 100000);
        int64_t dt = round % 17 == 0 ? 0 : 1 + (int64_t)(rng() % (uint64_t)(3 * interval));
        size_t count = (size_t)(rng() % 2000);
        if (round % 5 == 0)
            count = (size_t)(rng() % 20); /* below the lane split */
        if (round % 7 == 0 && dt > 0)
            count = (size_t)(span / dt) + 3;
        check_case(ts, n, t0, dt, count);
    }
    free(ts);
}

Test(window_edges, equal_edges_and_exact_hits)
{
    /* Times exactly on the grid count as inside (<=). */
    int64_t ts[64];
    for (size_t i = 0; i < 64; i++)
        ts[i] = (int64_t)i * 10;
    check_case(ts, 64, 0, 10, 64);
    check_case(ts, 64, -5, 10, 70);
    check_case(ts, 64, 0, 1, 700);
    check_case(ts, 64, 1000, 10, 40); /* every window past the end */
    check_case(ts, 0, 0, 10, 40);     /* no samples */
    check_case(ts, 1, 0, 10, 40);
}
