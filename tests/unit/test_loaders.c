/* test_loaders.c: the data loaders (pql_load_*): every format read correctly, and every malformed input refused with its exact file:line:col message and the store left unchanged. */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "promql.h"

/* ------------------------------------------------------------- helpers -- */

static pql_memstore *tl_store(void)
{
    pql_memstore *st = NULL;
    pql_error err;
    cr_assert_eq(pql_memstore_new(&st, &err), PQL_OK);
    return st;
}

static pql_status tl_load(pql_memstore *st, const char *name, pql_format fmt,
                          const char *text, pql_error *err)
{
    pql_error_clear(err);
    return pql_load_buffer(st, name, text, strlen(text), fmt, err);
}

/* Reads every sample of the one series matching name=value (a label
 * matcher) into ts/vs; returns the count, or -1 when no series matches. */
static long tl_read(pql_memstore *st, const char *label, const char *value,
                    int64_t *ts, double *vs, size_t cap, const pql_label **lbl,
                    size_t *nl)
{
    pql_storage s = pql_memstore_storage(st);
    pql_matcher m = {label, PQL_MATCH_EQUAL, value, strlen(value)};
    void *set = NULL;
    pql_error err;
    cr_assert_eq(s.methods->select(s.self, &m, 1, INT64_MIN, INT64_MAX, NULL,
                                   &set, &err),
                 PQL_OK);
    const pql_label *labels;
    size_t n;
    void *it;
    long got = -1;
    if (s.methods->set_next(set, &labels, &n, &it, &err) == 1) {
        got = (long)s.methods->iter_read_floats(it, INT64_MIN, INT64_MAX, ts,
                                                vs, cap, &err);
        if (lbl != NULL) {
            *lbl = labels;
            *nl = n;
        }
    }
    s.methods->set_close(set);
    return got;
}

static const char *tl_label(const pql_label *l, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(l[i].name, name) == 0)
            return l[i].value;
    return NULL;
}

/* A store holding one series, to prove a failed load leaves it alone. */
static pql_memstore *tl_seeded(void)
{
    pql_memstore *st = tl_store();
    pql_error err;
    cr_assert_eq(tl_load(st, "seed.csv", PQL_FORMAT_CSV,
                         "seed{a=\"b\"},1000,1\nseed{a=\"b\"},2000,2\n", &err),
                 PQL_OK, "%s", err.message);
    return st;
}

/* Loads bad input into a seeded store: fails with exactly `want` and
 * nothing changes. */
static void tl_refused(const char *name, pql_format fmt, const char *text,
                       const char *want)
{
    pql_memstore *st = tl_seeded();
    pql_error err;
    pql_status s = tl_load(st, name, fmt, text, &err);
    cr_expect_eq(s, PQL_ERR_DATA, "status %d for %s", s, text);
    cr_expect_str_eq(err.message, want);
    cr_expect_eq(pql_memstore_series_count(st), 1);
    cr_expect_eq(pql_memstore_sample_count(st), 2);
    pql_memstore_free(st);
}

/* ----------------------------------------------------- Prometheus text -- */

Test(loaders, prom_text_history_dump)
{
    pql_memstore *st = tl_store();
    pql_error err;
    pql_load_options o = pql_load_options_default();
    o.default_ms = 777;
    pql_load_info info;
    const char *text = "# HELP foo A counter.\n"
                       "# TYPE foo counter\n"
                       "# just a comment\n"
                       "foo{a=\"x\\\"y\\\\z\\n\",b=\"q\\t\"} 1 1000\n"
                       "bar 10 1000\n"
                       "foo{b=\"q\\t\", a=\"x\\\"y\\\\z\\n\",} 2 2000\n"
                       "\n"
                       "  bar\t+Inf\t2000  \n"
                       "baz -1.5e3\n";
    cr_assert_eq(pql_load_buffer_ex(st, "a.prom", text, strlen(text), &o, &info,
                                    &err),
                 PQL_OK, "%s", err.message);
    cr_expect_eq(info.format, PQL_FORMAT_PROM_TEXT);
    cr_expect_eq(info.series, 3);
    cr_expect_eq(info.samples, 5);
    cr_expect_eq(info.min_ms, 777);
    cr_expect_eq(info.max_ms, 2000);
    int64_t ts[8];
    double vs[8];
    const pql_label *l;
    size_t nl;
    cr_assert_eq(tl_read(st, "__name__", "foo", ts, vs, 8, &l, &nl), 2);
    /* \\ \" \n are unescaped; \t is kept as written, as Prometheus does. */
    cr_expect_str_eq(tl_label(l, nl, "a"), "x\"y\\z\n");
    cr_expect_str_eq(tl_label(l, nl, "b"), "q\\t");
    cr_expect_eq(ts[0], 1000);
    cr_expect_eq(ts[1], 2000);
    cr_expect_eq(vs[1], 2);
    cr_assert_eq(tl_read(st, "__name__", "bar", ts, vs, 8, NULL, NULL), 2);
    cr_expect(isinf(vs[1]) && vs[1] > 0);
    cr_assert_eq(tl_read(st, "__name__", "baz", ts, vs, 8, NULL, NULL), 1);
    cr_expect_eq(ts[0], 777, "no timestamp: the load's default time");
    cr_expect_eq(vs[0], -1500);
    pql_memstore_free(st);
}

Test(loaders, prom_text_default_time_is_now)
{
    pql_memstore *st = tl_store();
    pql_error err;
    pql_load_info info;
    pql_load_options o = pql_load_options_default();
    o.format = PQL_FORMAT_PROM_TEXT;
    cr_assert_eq(pql_load_buffer_ex(st, NULL, "up 1\n", 5, &o, &info, &err),
                 PQL_OK);
    /* 2020-01-01 < wall clock < 2200-01-01 */
    cr_expect_gt(info.max_ms, 1577836800000LL);
    cr_expect_lt(info.max_ms, 7258118400000LL);
    pql_memstore_free(st);
}

Test(loaders, prom_text_normalizes_le_of_histograms)
{
    pql_memstore *st = tl_store();
    pql_error err;
    cr_assert_eq(tl_load(st, "h.prom", PQL_FORMAT_PROM_TEXT,
                         "# TYPE h histogram\n"
                         "h_bucket{le=\"1\"} 1 1000\n"
                         "h_bucket{le=\"0.25\"} 1 1000\n"
                         "h_bucket{le=\"1e6\"} 1 1000\n"
                         "h_bucket{le=\"+Inf\"} 1 1000\n",
                         &err),
                 PQL_OK, "%s", err.message);
    int64_t ts[2];
    double vs[2];
    cr_expect_eq(tl_read(st, "le", "1.0", ts, vs, 2, NULL, NULL), 1);
    cr_expect_eq(tl_read(st, "le", "0.25", ts, vs, 2, NULL, NULL), 1);
    cr_expect_eq(tl_read(st, "le", "1e+06", ts, vs, 2, NULL, NULL), 1);
    cr_expect_eq(tl_read(st, "le", "+Inf", ts, vs, 2, NULL, NULL), 1);
    pql_memstore_free(st);
}

Test(loaders, prom_text_malformed)
{
    tl_refused("a.prom", PQL_FORMAT_PROM_TEXT, "foo{a=\"x\" 1 1000\n",
               "a.prom:1:11: expected \",\" or \"}\" after a label, got \"1\"");
    tl_refused("a.prom", PQL_FORMAT_PROM_TEXT, "ok 1 1\nfoo{a=x} 1\n",
               "a.prom:2:7: expected a double-quoted label value, got \"x}\"");
    tl_refused("a.prom", PQL_FORMAT_PROM_TEXT, "foo{a\"x\"} 1\n",
               "a.prom:1:6: expected \"=\" after the label name, got "
               "\"\\\"x\\\"}\"");
    tl_refused("a.prom", PQL_FORMAT_PROM_TEXT, "foo{a=\"x} 1\n",
               "a.prom:1:7: unterminated quoted string");
    tl_refused("a.prom", PQL_FORMAT_PROM_TEXT, "foo abc\n",
               "a.prom:1:5: expected a float value, got \"abc\"");
    tl_refused("a.prom", PQL_FORMAT_PROM_TEXT, "foo 0x10\n",
               "a.prom:1:5: expected a float value, got \"0x10\"");
    tl_refused("a.prom", PQL_FORMAT_PROM_TEXT, "foo\n",
               "a.prom:1:4: expected a blank and a value after the series, "
               "got end of line");
    tl_refused("a.prom", PQL_FORMAT_PROM_TEXT, "foo 1 1.5\n",
               "a.prom:1:7: expected a timestamp in integer milliseconds, "
               "got \"1.5\"");
    tl_refused("a.prom", PQL_FORMAT_PROM_TEXT, "foo 1 1000 junk\n",
               "a.prom:1:12: expected the end of the line after the "
               "timestamp, got \"junk\"");
    tl_refused("a.prom", PQL_FORMAT_PROM_TEXT, "# TYPE foo bogus\n",
               "a.prom:1:12: invalid metric type \"bogus\"");
    tl_refused("a.prom", PQL_FORMAT_PROM_TEXT, "9foo 1\n",
               "a.prom:1:1: expected a metric name, \"{\" or \"#\", got "
               "\"9foo\"");
    tl_refused("a.prom", PQL_FORMAT_PROM_TEXT, "{a=\"b\"} 1\n",
               "a.prom:1:1: metric name not set");
    tl_refused("a.prom", PQL_FORMAT_PROM_TEXT, "foo{a=\"1\",a=\"2\"} 1\n",
               "a.prom:1:1: label name \"a\" is not unique");
    tl_refused("a.prom", PQL_FORMAT_PROM_TEXT, "foo 1 2000\nfoo 2 1000\n",
               "a.prom:2:7: out of order sample: time 1000 is before 2000, "
               "the previous sample of this series");
    tl_refused("a.prom", PQL_FORMAT_PROM_TEXT, "foo 1 1000\nfoo 2 1000\n",
               "a.prom:2:7: duplicate sample for timestamp 1000; overrides "
               "not allowed: existing 1, new value 2");
    /* A conflict with data an earlier load committed points at the
     * series' first line in this input. */
    tl_refused("b.prom", PQL_FORMAT_PROM_TEXT,
               "other 1 5\nseed{a=\"b\"} 5 1500\n",
               "b.prom:2:1: out of order sample");
}

Test(loaders, prom_text_exact_repeat_is_dropped)
{
    pql_memstore *st = tl_store();
    pql_error err;
    cr_assert_eq(tl_load(st, "a.prom", PQL_FORMAT_PROM_TEXT,
                         "foo 1 1000\nfoo 1 1000\nfoo 2 2000\n", &err),
                 PQL_OK, "%s", err.message);
    cr_expect_eq(pql_memstore_sample_count(st), 2);
    pql_memstore_free(st);
}

/* --------------------------------------------------------- OpenMetrics -- */

Test(loaders, openmetrics_as_promtool_stores_it)
{
    pql_memstore *st = tl_store();
    pql_error err;
    pql_load_info info;
    const char *text =
        "# HELP req Requests.\n"
        "# TYPE req counter\n"
        "# UNIT req_seconds seconds\n"
        "req_total{code=\"200\"} 10 1704067200.092\n"
        "req_created{code=\"200\"} 1704067100.5 1704067200.092\n"
        "req_total{code=\"200\"} 12 1704067215.1239 # {trace=\"x\"} 1 1.5\n"
        "# TYPE lat histogram\n"
        "lat_bucket{le=\"1\"} 3 -0.0015\n"
        "lat_bucket{le=\"+Inf\"} 4 -0.0015\n"
        "lat_count 4 -0.0015\n"
        "lat_sum 2.5 -0.0015\n"
        "# EOF\n";
    cr_assert_eq(pql_load_buffer_ex(st, "x.om", text, strlen(text), NULL, &info,
                                    &err),
                 PQL_OK, "%s", err.message);
    cr_expect_eq(info.format, PQL_FORMAT_OPENMETRICS);
    cr_expect_eq(info.series, 6);
    cr_expect_eq(info.samples, 7);
    int64_t ts[4];
    double vs[4];
    cr_assert_eq(tl_read(st, "__name__", "req_total", ts, vs, 4, NULL, NULL), 2);
    cr_expect_eq(ts[0], 1704067200092);
    /* int64(ts*1000) truncates: .1239 s is 123 ms. */
    cr_expect_eq(ts[1], 1704067215123);
    cr_assert_eq(tl_read(st, "__name__", "req_created", ts, vs, 4, NULL, NULL),
                 1);
    cr_expect_eq(vs[0], 1704067100.5, "_created is a series of its own");
    /* Truncation toward zero before the epoch too: -1.5 ms is -1 ms. */
    cr_assert_eq(tl_read(st, "le", "1.0", ts, vs, 4, NULL, NULL), 1);
    cr_expect_eq(ts[0], -1);
    cr_expect_eq(tl_read(st, "__name__", "lat_sum", ts, vs, 4, NULL, NULL), 1);
    pql_memstore_free(st);
}

Test(loaders, openmetrics_malformed)
{
    tl_refused("a.om", PQL_FORMAT_OPENMETRICS, "foo 1 1.5\n",
               "a.om:2:1: data does not end with # EOF");
    tl_refused("a.om", PQL_FORMAT_OPENMETRICS, "foo 1 1.5\n# EOF\nfoo 2 3\n",
               "a.om:3:1: unexpected data after # EOF");
    tl_refused("a.om", PQL_FORMAT_OPENMETRICS, "foo 1 1.5\n# EOF\n\n",
               "a.om:3:1: unexpected data after # EOF");
    tl_refused("a.om", PQL_FORMAT_OPENMETRICS, "foo  1 1.5\n# EOF\n",
               "a.om:1:5: expected a float value, got \" \"");
    tl_refused("a.om", PQL_FORMAT_OPENMETRICS, "\n# EOF\n",
               "a.om:1:1: expected a sample, \"# HELP\", \"# TYPE\", \"# "
               "UNIT\" or \"# EOF\", got an empty line");
    tl_refused("a.om", PQL_FORMAT_OPENMETRICS, "foo{a=\"b\", c=\"d\"} 1\n# EOF\n",
               "a.om:1:11: expected a label name or \"}\", got \" \"");
    tl_refused("a.om", PQL_FORMAT_OPENMETRICS, "foo 1 NaN\n# EOF\n",
               "a.om:1:7: expected a timestamp in seconds, got \"NaN\"");
    tl_refused("a.om", PQL_FORMAT_OPENMETRICS, "foo 1 2 3\n# EOF\n",
               "a.om:1:8: expected an exemplar (\" # {...} value\") or the end "
               "of the line, got \"3\"");
    tl_refused("a.om", PQL_FORMAT_OPENMETRICS, "# random comment\n# EOF\n",
               "a.om:1:3: expected HELP, TYPE, UNIT or EOF after \"# \", got "
               "\"random\"");
    tl_refused("a.om", PQL_FORMAT_OPENMETRICS, "# TYPE foo untyped\n# EOF\n",
               "a.om:1:12: invalid metric type \"untyped\"");
    tl_refused("a.om", PQL_FORMAT_OPENMETRICS, "# UNIT foo_bytes seconds\n# EOF\n",
               "a.om:1:18: unit \"seconds\" not a suffix of metric "
               "\"foo_bytes\"");
}

/* ------------------------------------------------------------------ CSV -- */

Test(loaders, csv_selector_series)
{
    pql_memstore *st = tl_store();
    pql_error err;
    cr_assert_eq(tl_load(st, "d.csv", PQL_FORMAT_CSV,
                         "series,timestamp_ms,value\n"
                         "# a comment\n"
                         "m{a=\"x,y\",b='q\\u00e9'},1000,1.5\n"
                         "{__name__=\"m\", b='q\\u00e9', a=\"x,y\"},2000,NaN\r\n"
                         "\n"
                         "m{a=\"x,y\",b='q\\u00e9'},3000,-Inf\n",
                         &err),
                 PQL_OK, "%s", err.message);
    int64_t ts[4];
    double vs[4];
    const pql_label *l;
    size_t nl;
    cr_assert_eq(tl_read(st, "__name__", "m", ts, vs, 4, &l, &nl), 3);
    cr_expect_str_eq(tl_label(l, nl, "a"), "x,y");
    cr_expect_str_eq(tl_label(l, nl, "b"), "q\xc3\xa9");
    cr_expect_eq(ts[2], 3000);
    cr_expect(isnan(vs[1]));
    cr_expect(isinf(vs[2]) && vs[2] < 0);
    pql_memstore_free(st);
}

Test(loaders, csv_malformed)
{
    tl_refused("d.csv", PQL_FORMAT_CSV, "foo{a=\"x\"},1000\n",
               "d.csv:1:16: expected series,timestamp_ms,value (two commas), "
               "got one comma");
    tl_refused("d.csv", PQL_FORMAT_CSV, "foo{a=\"x\"},10x0,1\n",
               "d.csv:1:12: expected a timestamp in integer milliseconds, got "
               "\"10x0\"");
    tl_refused("d.csv", PQL_FORMAT_CSV, "foo,1000,one\n",
               "d.csv:1:10: expected a float value, got \"one\"");
    tl_refused("d.csv", PQL_FORMAT_CSV, "foo{a!=\"x\"},1000,1\n",
               "d.csv:1:6: expected \"=\" after the label name, got "
               "\"!=\\\"x\\\"\"");
    tl_refused("d.csv", PQL_FORMAT_CSV, "foo{a=\"\\q\"},1000,1\n",
               "d.csv:1:8: unknown escape sequence");
    tl_refused("d.csv", PQL_FORMAT_CSV, "foo bar,1000,1\n",
               "d.csv:1:5: expected the end of the series before \",\", got "
               "\"bar\"");
    tl_refused("d.csv", PQL_FORMAT_CSV, "{a=\"\"},1000,1\n",
               "d.csv:1:1: a series needs at least one label with a non-empty "
               "value");
    tl_refused("d.csv", PQL_FORMAT_CSV, "x,1000,1\nx,999,1\n",
               "d.csv:2:3: out of order sample: time 999 is before 1000, the "
               "previous sample of this series");
}

/* ----------------------------------------------------------- promqltest -- */

Test(loaders, promqltest_load_blocks)
{
    pql_memstore *st = tl_store();
    pql_error err;
    cr_assert_eq(tl_load(st, "t.test", PQL_FORMAT_PROMQLTEST,
                         "# a script\n"
                         "load 15s\n"
                         "  foo{a=\"b\"} 1+2x3 _ stale _x2 -5 0x10\n"
                         "  bar 1x2\n"
                         "\n"
                         "eval instant at 1m foo\n"
                         "  foo{a=\"b\"} 7\n"
                         "\n"
                         "load 1m\n"
                         "  baz 10-2.5x2\n",
                         &err),
                 PQL_OK, "%s", err.message);
    int64_t ts[16];
    double vs[16];
    cr_assert_eq(tl_read(st, "__name__", "foo", ts, vs, 16, NULL, NULL), 7);
    const int64_t want_t[] = {0, 15000, 30000, 45000, 75000, 120000, 135000};
    for (int i = 0; i < 7; i++)
        cr_expect_eq(ts[i], want_t[i], "sample %d at %lld", i,
                     (long long)ts[i]);
    cr_expect_eq(vs[3], 7);
    cr_expect(pql_is_stale_marker(vs[4]));
    cr_expect_eq(vs[5], -5);
    cr_expect_eq(vs[6], 16);
    cr_assert_eq(tl_read(st, "__name__", "bar", ts, vs, 16, NULL, NULL), 3);
    cr_assert_eq(tl_read(st, "__name__", "baz", ts, vs, 16, NULL, NULL), 3);
    cr_expect_eq(ts[2], 120000);
    cr_expect_eq(vs[2], 5);
    pql_memstore_free(st);
}

Test(loaders, promqltest_malformed)
{
    tl_refused("t.test", PQL_FORMAT_PROMQLTEST, "load 15s\n  foo 1+2x3 bad\n",
               "t.test:2:13: expected a series value (a number, \"_\", "
               "\"stale\", \"a+bxN\", \"axN\" or \"_xN\"), got \"bad\"");
    tl_refused("t.test", PQL_FORMAT_PROMQLTEST, "load 15s\n  foo 1+2\n",
               "t.test:2:7: expected a series value (a number, \"_\", "
               "\"stale\", \"a+bxN\", \"axN\" or \"_xN\"), got \"1+2\"");
    /* Expansion limits: per line, and per file (omitted positions count,
     * so these allocate nothing). */
    tl_refused("t.test", PQL_FORMAT_PROMQLTEST, "load 1ms\n  foo _x50000000 1\n",
               "t.test:2:18: too many values on one line (more than 50000000)");
    tl_refused("t.test", PQL_FORMAT_PROMQLTEST,
               "load 1ms\n  a _x49999999\n  b _x49999999\n  c _x49999999\n",
               "t.test:4:5: too many values in one load (more than 100000000)");
    tl_refused("t.test", PQL_FORMAT_PROMQLTEST, "load 15q\n",
               "t.test:1:6: expected an interval like 15s or 1m, got \"15q\"");
    tl_refused("t.test", PQL_FORMAT_PROMQLTEST, "load 1m\n  foo {{schema:0}}\n",
               "t.test:2:7: native histogram samples are not supported by the "
               "in-memory store");
    tl_refused("t.test", PQL_FORMAT_PROMQLTEST, "load 1m\n  foo 1\n\nclear\n",
               "t.test:4:1: \"clear\" is not supported when loading a script "
               "into one store");
    tl_refused("t.test", PQL_FORMAT_PROMQLTEST, "load 1m\n  foo{a=\"b\" 1\n",
               "t.test:2:13: expected \",\" or \"}\" after a label, got \"1\"");
}

/* ------------------------------------------------- detection and files -- */

Test(loaders, auto_detection_by_content)
{
    struct {
        const char *text;
        pql_format want;
    } cases[] = {
        {"load 1m\n  foo 1 2\n", PQL_FORMAT_PROMQLTEST},
        {"foo{a=\"b\"},1000,1\n", PQL_FORMAT_CSV},
        {"series,timestamp_ms,value\nfoo,1,2\n", PQL_FORMAT_CSV},
        {"foo{a=\"b\"} 1 1.5\n# EOF\n", PQL_FORMAT_OPENMETRICS},
        {"foo{a=\"x,1,2\"} 1 1000\n", PQL_FORMAT_PROM_TEXT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pql_memstore *st = tl_store();
        pql_error err;
        pql_load_info info;
        cr_expect_eq(pql_load_buffer_ex(st, "noext", cases[i].text,
                                        strlen(cases[i].text), NULL, &info,
                                        &err),
                     PQL_OK, "case %zu: %s", i, err.message);
        cr_expect_eq(info.format, cases[i].want, "case %zu", i);
        pql_memstore_free(st);
    }
}

Test(loaders, file_streams_across_chunk_boundaries)
{
    char path[] = "/tmp/pql_loader_testXXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    /* Long enough (a few MiB) that lines straddle the 1 MiB read buffer. */
    const int n = 60000;
    for (int i = 0; i < n; i++)
        fprintf(f, "metric_with_a_long_name{instance=\"host-%d\",job=\"j\"} %d.5 "
                   "%d.%03d\n",
                i % 7, i, 1700000000 + i, i % 1000);
    fputs("# EOF\n", f);
    fclose(f);
    pql_memstore *st = tl_store();
    pql_error err;
    cr_assert_eq(pql_load_file(st, path, PQL_FORMAT_AUTO, &err), PQL_OK, "%s",
                 err.message);
    cr_expect_eq(pql_memstore_series_count(st), 7);
    cr_expect_eq(pql_memstore_sample_count(st), (size_t)n);
    int64_t ts[16];
    double vs[16];
    cr_assert_eq(tl_read(st, "instance", "host-3", ts, vs, 2, NULL, NULL), 2);
    cr_expect_eq(ts[0], 1700000003003);
    cr_expect_eq(vs[1], 10.5);

    /* The same file with one bad line near the end loads nothing. */
    f = fopen(path, "a");
    fputs("late 1 2\n", f);
    fclose(f);
    pql_memstore *st2 = tl_store();
    cr_expect_eq(pql_load_file(st2, path, PQL_FORMAT_OPENMETRICS, &err),
                 PQL_ERR_DATA);
    char want[256];
    snprintf(want, sizeof want, "%s:%d:1: unexpected data after # EOF", path,
             n + 2);
    cr_expect_str_eq(err.message, want);
    cr_expect_eq(pql_memstore_sample_count(st2), 0);
    pql_memstore_free(st2);
    pql_memstore_free(st);
    unlink(path);
}

Test(loaders, missing_file_is_an_io_error)
{
    pql_memstore *st = tl_store();
    pql_error err;
    cr_expect_eq(pql_load_file(st, "/nonexistent/x.om", PQL_FORMAT_AUTO, &err),
                 PQL_ERR_IO);
    cr_expect_str_eq(err.message,
                     "/nonexistent/x.om: cannot open: No such file or directory");
    cr_expect_eq(pql_load_file(NULL, "x", PQL_FORMAT_AUTO, &err),
                 PQL_ERR_INVALID_ARGUMENT);
    pql_memstore_free(st);
}

Test(loaders, max_samples_option)
{
    pql_memstore *st = tl_seeded();
    pql_load_options o = pql_load_options_default();
    cr_expect_eq(o.max_samples, PQL_LOAD_MAX_SAMPLES);
    o.format = PQL_FORMAT_PROMQLTEST;
    o.max_samples = 10;
    static const char ok[] = "load 1m\n  x 1+1x9\n";    /* 10 positions */
    static const char big[] = "load 1m\n  y 1+1x10\n"; /* 11 */
    pql_error err;
    cr_expect_eq(pql_load_buffer_ex(st, "t.test", ok, sizeof ok - 1, &o, NULL, &err), PQL_OK,
                 "%s", err.message);
    cr_expect_eq(pql_memstore_sample_count(st), 12);
    cr_expect_eq(pql_load_buffer_ex(st, "t.test", big, sizeof big - 1, &o, NULL, &err),
                 PQL_ERR_DATA);
    cr_expect_str_eq(err.message, "t.test:2:5: too many values in one load (more than 10)");
    cr_expect_eq(pql_memstore_sample_count(st), 12);
    pql_memstore_free(st);
}
