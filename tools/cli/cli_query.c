/* cli_query.c: `promql query`: loads data files into an in-memory store and prints a query's answer as Prometheus's HTTP API would. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "cli_output.h"

static const char query_usage[] =
    "Usage: promql query [options] EXPR\n"
    "\n"
    "Loads the --data files into an in-memory store and evaluates the PromQL\n"
    "expression EXPR (\"-\" reads it from stdin) as an instant query (--time)\n"
    "or a range query (--start, --end, --step). The default output is the\n"
    "exact body Prometheus's /api/v1/query or /api/v1/query_range returns,\n"
    "followed by a newline.\n"
    "\n"
    "Options:\n"
    "  --data FILE        a data file to load; repeat for more (\"-\" is stdin).\n"
    "                     Each file loads whole or not at all; a malformed\n"
    "                     file is reported as FILE:LINE:COL: ... (exit 1)\n"
    "  --format-in FMT    auto (default: by extension .om .prom .txt .csv\n"
    "                     .test, else by content), prom (text exposition\n"
    "                     0.0.4), openmetrics, csv (series,timestamp_ms,value),\n"
    "                     promqltest (load blocks of a .test script)\n"
    "  --time T           evaluation time of an instant query; default: the\n"
    "                     newest sample time in the data (the current time\n"
    "                     when no data was loaded)\n"
    "  --start T --end T --step D\n"
    "                     a range query from T to T every D (all three)\n"
    "  --lookback D       lookback delta (default 5m)\n"
    "  --format FMT       json (default), table (aligned columns; range\n"
    "                     results one row per series with a sparkline), csv\n"
    "                     (a column per label name, then timestamp,value)\n"
    "  --stats            add Prometheus's \"stats\" object (?stats=all) to the\n"
    "                     JSON (without totalQueryableSamplesPerStep)\n"
    "  -h, --help         show this help\n"
    "  --                 end of options\n"
    "\n"
    "Times T are RFC 3339 (2024-01-01T00:00:00Z) or Unix seconds (1704067200.5);\n"
    "durations D are PromQL durations (5m, 1h30m) or seconds (30, 0.5), as the\n"
    "HTTP API parses them. Samples written without a timestamp get the time the\n"
    "load started.\n"
    "\n"
    "Errors are printed as the API prints them, e.g.\n"
    "  {\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter\n"
    "  \\\"query\\\": 1:5: parse error: ...\"}\n"
    "(on stderr for --format table and csv). Samples are not sorted beyond what\n"
    "the engine returns; range results come sorted by labels.\n"
    "Exit status: 0 success, 1 query error or unloadable data, 2 bad command\n"
    "line.\n"
    "\n"
    "Examples:\n"
    "  promql query --data data.om 'sum by (job) (rate(http_requests_total[5m]))'\n"
    "  promql query --data data.csv --start 1704067200 --end 1704070800 \\\n"
    "      --step 60 --format table 'avg(temperature_celsius)'\n";

/* ------------------------------------------------------------ parameters -- */

/* Go's strconv.ParseFloat for the decimal forms and Inf/NaN words. */
static int query_parse_float(const char *s, double *out)
{
    size_t len = strlen(s);
    if (len == 0)
        return -1;
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (strcasecmp(p, "inf") == 0 || strcasecmp(p, "infinity") == 0) {
        *out = s[0] == '-' ? -INFINITY : INFINITY;
        return 0;
    }
    if (p == s && strcasecmp(p, "nan") == 0) {
        *out = NAN;
        return 0;
    }
    int digits = 0;
    while (*p >= '0' && *p <= '9')
        p++, digits++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            digits++;
    if (!digits)
        return -1;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return -1;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return -1;
    errno = 0;
    double v = strtod(s, NULL);
    if (errno == ERANGE && isinf(v))
        return -1;
    *out = v;
    return 0;
}

static int64_t query_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int query_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* time.Parse(time.RFC3339Nano, s) converted to ms (truncating below). */
static int query_parse_rfc3339(const char *s, int64_t *ms)
{
    int y, mo, d, h, mi, se;
    size_t len = strlen(s);
    if (len < 20 || query_digits(s, 4, &y) || s[4] != '-' ||
        query_digits(s + 5, 2, &mo) || s[7] != '-' ||
        query_digits(s + 8, 2, &d) || s[10] != 'T' ||
        query_digits(s + 11, 2, &h) || s[13] != ':' ||
        query_digits(s + 14, 2, &mi) || s[16] != ':' ||
        query_digits(s + 17, 2, &se))
        return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
        (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 59)
        return -1;
    const char *p = s + 19;
    int64_t frac_ms = 0;
    if (*p == '.' || *p == ',') {
        p++;
        int nd = 0;
        int64_t scale = 100;
        while (*p >= '0' && *p <= '9') {
            if (nd < 3)
                frac_ms += (*p - '0') * scale;
            scale /= 10;
            nd++;
            p++;
        }
        if (nd == 0 || nd > 9)
            return -1;
    }
    int64_t offset = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (query_digits(p + 1, 2, &oh) || p[3] != ':' ||
            query_digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    int64_t days = query_days_from_civil(y, mo, d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offset;
    *ms = secs * 1000 + frac_ms;
    return 0;
}

/* The API's parseTime: Unix seconds (rounded to ms) or RFC 3339. */
static int query_parse_time(const char *s, int64_t *ms)
{
    double t;
    if (query_parse_float(s, &t) == 0) {
        if (!isfinite(t) || fabs(t) > 9.2e15)
            return -1;
        double ip;
        double frac = modf(t, &ip);
        frac = round(frac * 1000) / 1000;
        *ms = (int64_t)ip * 1000 + (int64_t)llround(frac * 1000);
        return 0;
    }
    return query_parse_rfc3339(s, ms);
}

/* model.ParseDuration: y w d h m s ms, each at most once, in that order. */
static int query_parse_prom_duration(const char *s, int64_t *ms)
{
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"y", 31536000000}, {"w", 604800000}, {"d", 86400000},
                 {"h", 3600000},     {"m", 60000},     {"s", 1000},
                 {"ms", 1}};
    if (strcmp(s, "0") == 0) {
        *ms = 0;
        return 0;
    }
    if (*s == '\0')
        return -1;
    int next = 0;
    int64_t total = 0;
    while (*s) {
        int64_t n = 0;
        const char *d = s;
        while (*s >= '0' && *s <= '9') {
            if (n > INT64_MAX / 10)
                return -1;
            n = n * 10 + (*s++ - '0');
        }
        if (s == d)
            return -1;
        const char *u = s;
        while (*s >= 'a' && *s <= 'z')
            s++;
        int found = -1;
        for (int k = next; k < 7; k++)
            if (strlen(units[k].unit) == (size_t)(s - u) &&
                memcmp(units[k].unit, u, (size_t)(s - u)) == 0) {
                found = k;
                break;
            }
        if (found < 0 || n > INT64_MAX / units[found].ms ||
            total > INT64_MAX - n * units[found].ms)
            return -1;
        total += n * units[found].ms;
        next = found + 1;
    }
    *ms = total;
    return 0;
}

/* The API's parseDuration in nanoseconds; on failure writes the API's
 * reason into why. */
static int query_parse_duration_ns(const char *s, double *ns, char *why,
                                   size_t cap)
{
    double d;
    if (query_parse_float(s, &d) == 0) {
        double v = d * 1e9;
        if (!(v < 9223372036854775807.0 && v > -9223372036854775808.0)) {
            snprintf(why, cap,
                     "cannot parse \"%s\" to a valid duration. It overflows "
                     "int64",
                     s);
            return -1;
        }
        *ns = trunc(v);
        return 0;
    }
    int64_t ms;
    if (query_parse_prom_duration(s, &ms) == 0 && ms <= INT64_MAX / 1000000) {
        *ns = (double)ms * 1e6;
        return 0;
    }
    snprintf(why, cap, "cannot parse \"%s\" to a valid duration", s);
    return -1;
}

/* ------------------------------------------------------------------ run -- */

typedef struct query_opts {
    const char **data;
    size_t n_data;
    pql_format format_in;
    const char *time, *start, *end, *step, *lookback;
    enum { OUT_JSON, OUT_TABLE, OUT_CSV } format;
    bool stats;
    const char *expr_arg;
} query_opts;

static double query_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int query_emit(const query_opts *o, const cli_query_run *run)
{
    switch (o->format) {
    case OUT_TABLE:
        return cli_output_table(stdout, run);
    case OUT_CSV:
        return cli_output_csv(stdout, run);
    default:
        return cli_output_json(stdout, run);
    }
}

/* Reports a failed query in the chosen format. */
static int query_fail(const query_opts *o, cli_query_run *run,
                      const char *type, const char *msg)
{
    run->result = NULL;
    run->error_type = type;
    run->error = msg;
    return query_emit(o, run);
}

static const char *query_error_type(pql_status st)
{
    switch (st) {
    case PQL_ERR_PARSE:
    case PQL_ERR_INVALID_ARGUMENT:
        return "bad_data";
    case PQL_ERR_TIMEOUT:
        return "timeout";
    case PQL_ERR_CANCELED:
        return "canceled";
    case PQL_ERR_STORAGE:
    case PQL_ERR_IO:
        return "internal";
    default:
        return "execution";
    }
}

static int query_run(const query_opts *o)
{
    char msg[PQL_ERROR_MESSAGE_MAX + 256];
    cli_query_run run;
    memset(&run, 0, sizeof run);
    pql_memstore *store = NULL;
    pql_engine *engine = NULL;
    pql_query *q = NULL;
    pql_result *res = NULL;
    char *text = NULL;
    size_t len = 0;
    int code = CLI_EXIT_FAIL;
    pql_error err;
    pql_error_clear(&err);

    if (pql_memstore_new(&store, &err) != PQL_OK) {
        fprintf(stderr, "promql query: %s\n", err.message);
        return CLI_EXIT_FAIL;
    }
    /* Load every file; the newest sample is the default evaluation time. */
    double t0 = query_now();
    int64_t newest = INT64_MIN;
    for (size_t i = 0; i < o->n_data; i++) {
        pql_load_options lo = pql_load_options_default();
        lo.format = o->format_in;
        pql_load_info info;
        const char *path = strcmp(o->data[i], "-") == 0 ? "/dev/stdin" : o->data[i];
        if (pql_load_file_ex(store, path, &lo, &info, &err) != PQL_OK) {
            fprintf(stderr, "promql query: %s\n", err.message);
            goto done;
        }
        if (info.samples > 0 && info.max_ms > newest)
            newest = info.max_ms;
    }
    run.load_seconds = query_now() - t0;

    /* Parameters, checked in the order the HTTP API checks them. */
    run.is_range = o->start != NULL;
    if (run.is_range) {
        if (query_parse_time(o->start, &run.start_ms) != 0) {
            snprintf(msg, sizeof msg,
                     "invalid parameter \"start\": cannot parse \"%s\" to a "
                     "valid timestamp",
                     o->start);
            code = query_fail(o, &run, "bad_data", msg);
            goto done;
        }
        if (query_parse_time(o->end, &run.end_ms) != 0) {
            snprintf(msg, sizeof msg,
                     "invalid parameter \"end\": cannot parse \"%s\" to a "
                     "valid timestamp",
                     o->end);
            code = query_fail(o, &run, "bad_data", msg);
            goto done;
        }
        if (run.end_ms < run.start_ms) {
            code = query_fail(o, &run, "bad_data",
                              "invalid parameter \"end\": end timestamp must "
                              "not be before start time");
            goto done;
        }
        double step_ns;
        char why[300];
        if (query_parse_duration_ns(o->step, &step_ns, why, sizeof why) != 0) {
            snprintf(msg, sizeof msg, "invalid parameter \"step\": %s", why);
            code = query_fail(o, &run, "bad_data", msg);
            goto done;
        }
        if (step_ns <= 0) {
            code = query_fail(o, &run, "bad_data",
                              "invalid parameter \"step\": zero or negative "
                              "query resolution step widths are not accepted. "
                              "Try a positive integer");
            goto done;
        }
        if ((double)(run.end_ms - run.start_ms) * 1e6 / step_ns >= 11001) {
            code = query_fail(o, &run, "bad_data",
                              "exceeded maximum resolution of 11,000 points "
                              "per timeseries. Try decreasing the query "
                              "resolution (?step=XX)");
            goto done;
        }
        run.step_ms = (int64_t)(step_ns / 1e6);
        if (run.step_ms <= 0) {
            code = query_fail(o, &run, "bad_data",
                              "zero or negative query resolution step widths "
                              "are not accepted. Try a positive integer");
            goto done;
        }
    } else if (o->time != NULL) {
        if (query_parse_time(o->time, &run.time_ms) != 0) {
            snprintf(msg, sizeof msg,
                     "invalid parameter \"time\": Invalid time value for "
                     "'time': cannot parse \"%s\" to a valid timestamp",
                     o->time);
            code = query_fail(o, &run, "bad_data", msg);
            goto done;
        }
    } else if (newest != INT64_MIN) {
        run.time_ms = newest;
    } else {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        run.time_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    }

    pql_engine_options eo = pql_engine_options_default();
    if (o->lookback != NULL) {
        double ns;
        char why[300];
        if (query_parse_duration_ns(o->lookback, &ns, why, sizeof why) != 0) {
            snprintf(msg, sizeof msg,
                     "error parsing lookback delta duration: %s", why);
            code = query_fail(o, &run, "bad_data", msg);
            goto done;
        }
        if ((int64_t)(ns / 1e6) > 0)
            eo.lookback_delta_ms = (int64_t)(ns / 1e6);
    }
    if (pql_engine_new(&eo, &engine, &err) != PQL_OK) {
        fprintf(stderr, "promql query: %s\n", err.message);
        goto done;
    }

    if (!cli_read_expr(o->expr_arg, &text, &len))
        goto done;
    run.expr = text;
    run.stats = o->stats;
    pql_storage storage = pql_memstore_storage(store);
    pql_status st;
    if (run.is_range)
        st = pql_query_new_range(engine, &storage, text, len, run.start_ms,
                                 run.end_ms, run.step_ms, &q, &err);
    else
        st = pql_query_new_instant(engine, &storage, text, len, run.time_ms, &q,
                                   &err);
    if (st != PQL_OK) {
        char detail[PQL_ERROR_MESSAGE_MAX + 64];
        if (st == PQL_ERR_PARSE)
            pql_error_format(&err, text, detail, sizeof detail);
        else
            snprintf(detail, sizeof detail, "%s", err.message);
        snprintf(msg, sizeof msg, "invalid parameter \"query\": %s", detail);
        code = query_fail(o, &run, st == PQL_ERR_NOMEM ? "execution" : "bad_data",
                          msg);
        goto done;
    }
    st = pql_query_exec(q, &res, &err);
    if (st != PQL_OK) {
        code = query_fail(o, &run, query_error_type(st), err.message);
        goto done;
    }
    run.result = res;
    code = query_emit(o, &run);
done:
    pql_result_free(res);
    pql_query_free(q);
    pql_engine_free(engine);
    pql_memstore_free(store);
    free(text);
    return code;
}

/* ------------------------------------------------------------- options -- */

/* Matches `--name VALUE` and `--name=VALUE`; advances *i past the value. */
static int query_take(int argc, char **argv, int *i, const char *name,
                      const char **value, int *missing)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        *missing = 1;
        return 1;
    }
    *value = argv[++*i];
    return 1;
}

static int run_query(int argc, char **argv)
{
    const cli_command *self = &cli_query_command;
    query_opts o;
    memset(&o, 0, sizeof o);
    o.data = calloc((size_t)argc, sizeof *o.data);
    if (o.data == NULL)
        return CLI_EXIT_FAIL;
    int code = CLI_EXIT_USAGE;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = NULL;
        int missing = 0;
        if (options_done || strncmp(a, "--", 2) != 0 || strcmp(a, "-") == 0) {
            if (!options_done && (strcmp(a, "-h") == 0)) {
                cli_print_command_help(self, stdout);
                code = CLI_EXIT_OK;
                goto out;
            }
            if (o.expr_arg != NULL) {
                code = cli_usage_error(self, "expected one EXPR, got another: \"%s\"", a);
                goto out;
            }
            o.expr_arg = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options_done = true;
        } else if (cli_is_help_flag(a)) {
            cli_print_command_help(self, stdout);
            code = CLI_EXIT_OK;
            goto out;
        } else if (strcmp(a, "--stats") == 0) {
            o.stats = true;
        } else if (query_take(argc, argv, &i, "--data", &v, &missing)) {
            if (!missing)
                o.data[o.n_data++] = v;
        } else if (query_take(argc, argv, &i, "--format-in", &v, &missing)) {
            if (missing)
                ;
            else if (strcmp(v, "auto") == 0)
                o.format_in = PQL_FORMAT_AUTO;
            else if (strcmp(v, "prom") == 0)
                o.format_in = PQL_FORMAT_PROM_TEXT;
            else if (strcmp(v, "openmetrics") == 0)
                o.format_in = PQL_FORMAT_OPENMETRICS;
            else if (strcmp(v, "csv") == 0)
                o.format_in = PQL_FORMAT_CSV;
            else if (strcmp(v, "promqltest") == 0)
                o.format_in = PQL_FORMAT_PROMQLTEST;
            else {
                code = cli_usage_error(self, "unknown --format-in \"%s\"", v);
                goto out;
            }
        } else if (query_take(argc, argv, &i, "--format", &v, &missing)) {
            if (missing)
                ;
            else if (strcmp(v, "json") == 0)
                o.format = OUT_JSON;
            else if (strcmp(v, "table") == 0)
                o.format = OUT_TABLE;
            else if (strcmp(v, "csv") == 0)
                o.format = OUT_CSV;
            else {
                code = cli_usage_error(self, "unknown --format \"%s\"", v);
                goto out;
            }
        } else if (query_take(argc, argv, &i, "--time", &o.time, &missing) ||
                   query_take(argc, argv, &i, "--start", &o.start, &missing) ||
                   query_take(argc, argv, &i, "--end", &o.end, &missing) ||
                   query_take(argc, argv, &i, "--step", &o.step, &missing) ||
                   query_take(argc, argv, &i, "--lookback", &o.lookback,
                              &missing)) {
        } else {
            code = cli_usage_error(self, "unknown option \"%s\"", a);
            goto out;
        }
        if (missing) {
            code = cli_usage_error(self, "option %s needs a value", a);
            goto out;
        }
    }
    if (o.expr_arg == NULL) {
        code = cli_usage_error(self, "missing EXPR");
        goto out;
    }
    int n_range = (o.start != NULL) + (o.end != NULL) + (o.step != NULL);
    if (n_range != 0 && n_range != 3) {
        code = cli_usage_error(self, "a range query needs all of --start, --end "
                                     "and --step");
        goto out;
    }
    if (n_range == 3 && o.time != NULL) {
        code = cli_usage_error(self, "--time is for instant queries; a range "
                                     "query takes --start, --end and --step");
        goto out;
    }
    code = query_run(&o);
out:
    free(o.data);
    return code;
}

const cli_command cli_query_command = {
    .name = "query",
    .summary = "load data files and run a query; print the HTTP API's answer",
    .usage = query_usage,
    .run = run_query,
};
