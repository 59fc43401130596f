/* bench_util.c: timing, memory and query-running helpers shared by the benchmark programs. */
#define _POSIX_C_SOURCE 200809L
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long status_field_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long v = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            v = strtol(line + n + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

long bench_peak_rss_kib(void) { return status_field_kib("VmHWM"); }
long bench_rss_kib(void) { return status_field_kib("VmRSS"); }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void bench_run_range(pql_engine *eng, const pql_storage *st, const char *expr,
                     int64_t start_ms, int64_t end_ms, int64_t step_ms,
                     int repeat, bench_figures *f)
{
    memset(f, 0, sizeof *f);
    double times[64], cpus[64];
    if (repeat < 1)
        repeat = 1;
    if (repeat > 64)
        repeat = 64;
    for (int run = -1; run < repeat; run++) {
        pql_error err;
        pql_result *res = NULL;
        long rss_before = bench_rss_kib();
        double c0 = bench_thread_cpu();
        double t0 = bench_now();
        pql_status s = pql_query_range(eng, st, expr, strlen(expr), start_ms,
                                       end_ms, step_ms, &res, &err);
        double t1 = bench_now();
        double c1 = bench_thread_cpu();
        if (s != PQL_OK) {
            snprintf(f->error, sizeof f->error, "%.200s", err.message);
            return;
        }
        if (run == -1) {
            f->rss_growth_kib = bench_rss_kib() - rss_before;
            pql_query_stats stats;
            pql_result_stats(res, &stats);
            f->samples = stats.total_samples;
            f->peak_bytes = stats.peak_bytes;
            f->series = pql_result_series_count(res);
            for (size_t i = 0; i < f->series; i++) {
                const int64_t *ts;
                const double *vs;
                size_t n;
                pql_result_points(res, i, &ts, &vs, &n);
                f->points += n;
            }
        } else {
            times[run] = t1 - t0;
            cpus[run] = c1 - c0;
        }
        pql_result_free(res);
    }
    qsort(times, (size_t)repeat, sizeof times[0], cmp_double);
    f->best_s = times[0];
    f->median_s = times[repeat / 2];
    qsort(cpus, (size_t)repeat, sizeof cpus[0], cmp_double);
    f->cpu_best_s = cpus[0];
    f->cpu_median_s = cpus[repeat / 2];
    f->ok = 1;
}

void bench_print_header(void)
{
    printf("| %-58s | %6s | %7s | %10s | %10s | %10s | %10s | %8s | %10s | %9s |\n",
           "query", "steps", "series", "samples", "best ms", "median ms",
           "cpu ms", "ns/smpl", "query mem", "peak RSS");
    printf("|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n",
           "------------------------------------------------------------",
           "--------", "---------", "------------", "------------",
           "------------", "------------", "----------", "------------",
           "-----------");
}

void bench_print_row(const char *expr, size_t steps, const bench_figures *f)
{
    if (!f->ok) {
        printf("| %-58s | %6zu | error: %s |\n", expr, steps, f->error);
        return;
    }
    double ns = f->samples > 0 ? f->best_s * 1e9 / (double)f->samples : 0.0;
    printf("| %-58s | %6zu | %7zu | %10lld | %10.3f | %10.3f | %10.3f | %8.2f "
           "| %6.2f MiB | %5ld MiB |\n",
           expr, steps, f->series, (long long)f->samples, f->best_s * 1e3,
           f->median_s * 1e3, f->cpu_best_s * 1e3, ns,
           (double)f->peak_bytes / (1024.0 * 1024.0),
           bench_peak_rss_kib() / 1024);
    fflush(stdout);
}
