/* window_edges.c: per-step window edges over sorted sample times, several independent cursors at once. */
#include "window_edges.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define WINDOW_HAVE_AVX2 1
#endif

/* The first index >= i with ts[index] > t. Windows move a few samples per
 * step: count eight at a time without a data-dependent branch (the count
 * of leading entries <= t, since ts is sorted), so the sweep does not pay
 * a mispredicted loop exit per step; the block loop itself almost always
 * ends after one round, which the predictor learns. */
static inline size_t advance_past(const int64_t *ts, size_t i, size_t n,
                                  int64_t t)
{
    while (i + 8 <= n) {
        size_t c = 0;
        for (size_t j = 0; j < 8; j++)
            c += ts[i + j] <= t;
        i += c;
        if (c < 8)
            return i;
    }
    while (i < n && ts[i] <= t)
        i++;
    return i;
}

/* The first index with ts[index] > t, by bisection. */
static size_t upper_bound(const int64_t *ts, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ts[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * One cursor sweeping forward is a chain of dependent loads: each step's
 * position needs the previous one. The steps are split into WINDOW_LANES
 * runs, each started by bisection, and the runs advance in lock step, so
 * the processor works on several independent chains at a time. ADVANCE is
 * the cursor move (scalar or vector); the sweep is the same for both.
 */
#define WINDOW_LANES 4

#define WINDOW_SWEEP(ADVANCE)                                                  \
    do {                                                                       \
        size_t run = count / WINDOW_LANES;                                     \
        if (run < 4) {                                                         \
            size_t p = 0;                                                      \
            for (size_t i = 0; i < count; i++) {                               \
                p = ADVANCE(ts, p, n, t0 + (int64_t)i * dt);                   \
                out[i] = (uint32_t)p;                                          \
            }                                                                  \
            return;                                                            \
        }                                                                      \
        size_t pos[WINDOW_LANES];                                              \
        int64_t t[WINDOW_LANES];                                               \
        uint32_t *dst[WINDOW_LANES];                                           \
        for (size_t l = 0; l < WINDOW_LANES; l++) {                            \
            t[l] = t0 + (int64_t)(l * run) * dt;                               \
            pos[l] = l == 0 ? 0 : upper_bound(ts, n, t[l]);                    \
            dst[l] = out + l * run;                                            \
        }                                                                      \
        for (size_t r = 0; r < run; r++) {                                     \
            for (size_t l = 0; l < WINDOW_LANES; l++) {                        \
                pos[l] = ADVANCE(ts, pos[l], n, t[l]);                         \
                dst[l][r] = (uint32_t)pos[l];                                  \
                t[l] += dt;                                                    \
            }                                                                  \
        }                                                                      \
        /* The last lane takes the remainder. */                               \
        const size_t last = WINDOW_LANES - 1;                                  \
        for (size_t r = run; r < count - last * run; r++) {                    \
            pos[last] = ADVANCE(ts, pos[last], n, t[last]);                    \
            dst[last][r] = (uint32_t)pos[last];                                \
            t[last] += dt;                                                     \
        }                                                                      \
    } while (0)

void window_upper_bounds_portable(const int64_t *ts, size_t n, int64_t t0,
                                  int64_t dt, size_t count, uint32_t *out)
{
    WINDOW_SWEEP(advance_past);
}

#if defined(WINDOW_HAVE_AVX2)
/* advance_past with two 4-wide compares: the times past t form a suffix
 * of the block (ts is sorted), so its first set bit is the count of
 * entries <= t. A handful of instructions instead of eight scalar
 * compare-and-adds, the same answer. */
__attribute__((target("avx2,bmi"))) static inline size_t
advance_past_avx2(const int64_t *ts, size_t i, size_t n, int64_t t)
{
    const __m256i tv = _mm256_set1_epi64x(t);
    while (i + 8 <= n) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(ts + i));
        __m256i b =
            _mm256_loadu_si256((const __m256i *)(const void *)(ts + i + 4));
        unsigned gt = (unsigned)_mm256_movemask_pd(
                          _mm256_castsi256_pd(_mm256_cmpgt_epi64(a, tv))) |
                      (unsigned)_mm256_movemask_pd(
                          _mm256_castsi256_pd(_mm256_cmpgt_epi64(b, tv)))
                          << 4;
        size_t c = (size_t)_tzcnt_u32(gt | 0x100u);
        i += c;
        if (c < 8)
            return i;
    }
    while (i < n && ts[i] <= t)
        i++;
    return i;
}

__attribute__((target("avx2,bmi"))) static void
upper_bounds_avx2(const int64_t *ts, size_t n, int64_t t0, int64_t dt,
                  size_t count, uint32_t *out)
{
    WINDOW_SWEEP(advance_past_avx2);
}
#endif

void window_upper_bounds(const int64_t *ts, size_t n, int64_t t0, int64_t dt,
                         size_t count, uint32_t *out)
{
#if defined(WINDOW_HAVE_AVX2)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi")) {
        upper_bounds_avx2(ts, n, t0, dt, count, out);
        return;
    }
#endif
    window_upper_bounds_portable(ts, n, t0, dt, count, out);
}
