/* bench_util.h: timing, memory and query-running helpers shared by the benchmark programs. */
#ifndef PQL_BENCH_UTIL_H
#define PQL_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "promql.h"

double bench_now(void);
/* CPU time of the calling thread, in seconds (not inflated when other
 * processes compete for the cores, unlike wall time). */
double bench_thread_cpu(void);
/* Peak resident set size of the process so far (VmHWM), in KiB. */
long bench_peak_rss_kib(void);
/* Current resident set size (VmRSS), in KiB. */
long bench_rss_kib(void);

typedef struct bench_figures {
    size_t series;    /* series in the result */
    size_t points;    /* points in the result */
    int64_t samples;  /* samples read from storage */
    double best_s;    /* fastest run, wall seconds */
    double median_s;  /* median run */
    long rss_growth_kib; /* RSS growth during the first run */
    double cpu_best_s;   /* least thread CPU time of a run */
    double cpu_median_s; /* median thread CPU time */
    int64_t peak_bytes;  /* pql_query_stats.peak_bytes of the first run */
    int ok;
    char error[256];
} bench_figures;

/* Runs a range query `repeat` times (after one warm-up) and fills f. */
void bench_run_range(pql_engine *eng, const pql_storage *st, const char *expr,
                     int64_t start_ms, int64_t end_ms, int64_t step_ms,
                     int repeat, bench_figures *f);

/* Prints the table header and one row per case. */
void bench_print_header(void);
void bench_print_row(const char *expr, size_t steps, const bench_figures *f);

#endif
