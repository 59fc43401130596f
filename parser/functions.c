/* functions.c: the signatures of Prometheus 3.14's 90 PromQL functions and their lookup by name. */
#include "functions.h"

#include <string.h>

#define V PQL_TYPE_VECTOR
#define M PQL_TYPE_MATRIX
#define S PQL_TYPE_SCALAR
#define STR PQL_TYPE_STRING

/* Kept in strcmp order so that fn_lookup can binary-search it; the table is
 * the parser's view only (types and arity), implementations live in engine/. */
static const fn_info fn_table[] = {
    {"abs", {V}, 1, 0, V, false},
    {"absent", {V}, 1, 0, V, false},
    {"absent_over_time", {M}, 1, 0, V, false},
    {"acos", {V}, 1, 0, V, false},
    {"acosh", {V}, 1, 0, V, false},
    {"asin", {V}, 1, 0, V, false},
    {"asinh", {V}, 1, 0, V, false},
    {"atan", {V}, 1, 0, V, false},
    {"atanh", {V}, 1, 0, V, false},
    {"avg_over_time", {M}, 1, 0, V, false},
    {"ceil", {V}, 1, 0, V, false},
    {"changes", {M}, 1, 0, V, false},
    {"clamp", {V, S, S}, 3, 0, V, false},
    {"clamp_max", {V, S}, 2, 0, V, false},
    {"clamp_min", {V, S}, 2, 0, V, false},
    {"cos", {V}, 1, 0, V, false},
    {"cosh", {V}, 1, 0, V, false},
    {"count_over_time", {M}, 1, 0, V, false},
    {"day_of_month", {V}, 1, 1, V, false},
    {"day_of_week", {V}, 1, 1, V, false},
    {"day_of_year", {V}, 1, 1, V, false},
    {"days_in_month", {V}, 1, 1, V, false},
    {"deg", {V}, 1, 0, V, false},
    {"delta", {M}, 1, 0, V, false},
    {"deriv", {M}, 1, 0, V, false},
    {"double_exponential_smoothing", {M, S, S}, 3, 0, V, true},
    {"end", {PQL_TYPE_NONE}, 0, 0, S, true},
    {"exp", {V}, 1, 0, V, false},
    {"first_over_time", {M}, 1, 0, V, false},
    {"floor", {V}, 1, 0, V, false},
    {"histogram_avg", {V}, 1, 0, V, false},
    {"histogram_count", {V}, 1, 0, V, false},
    {"histogram_fraction", {S, S, V}, 3, 0, V, false},
    {"histogram_quantile", {S, V}, 2, 0, V, false},
    {"histogram_quantiles", {V, STR, S, S}, 4, 9, V, true},
    {"histogram_stddev", {V}, 1, 0, V, false},
    {"histogram_stdvar", {V}, 1, 0, V, false},
    {"histogram_sum", {V}, 1, 0, V, false},
    {"hour", {V}, 1, 1, V, false},
    {"idelta", {M}, 1, 0, V, false},
    {"increase", {M}, 1, 0, V, false},
    {"info", {V, V}, 2, 1, V, true},
    {"irate", {M}, 1, 0, V, false},
    {"label_join", {V, STR, STR, STR}, 4, -1, V, false},
    {"label_replace", {V, STR, STR, STR, STR}, 5, 0, V, false},
    {"last_over_time", {M}, 1, 0, V, false},
    {"ln", {V}, 1, 0, V, false},
    {"log10", {V}, 1, 0, V, false},
    {"log2", {V}, 1, 0, V, false},
    {"mad_over_time", {M}, 1, 0, V, true},
    {"max_of", {S, S}, 2, 0, S, true},
    {"max_over_time", {M}, 1, 0, V, false},
    {"min_of", {S, S}, 2, 0, S, true},
    {"min_over_time", {M}, 1, 0, V, false},
    {"minute", {V}, 1, 1, V, false},
    {"month", {V}, 1, 1, V, false},
    {"pi", {PQL_TYPE_NONE}, 0, 0, S, false},
    {"predict_linear", {M, S}, 2, 0, V, false},
    {"present_over_time", {M}, 1, 0, V, false},
    {"quantile_over_time", {S, M}, 2, 0, V, false},
    {"rad", {V}, 1, 0, V, false},
    {"range", {PQL_TYPE_NONE}, 0, 0, S, true},
    {"rate", {M}, 1, 0, V, false},
    {"resets", {M}, 1, 0, V, false},
    {"round", {V, S}, 2, 1, V, false},
    {"scalar", {V}, 1, 0, S, false},
    {"sgn", {V}, 1, 0, V, false},
    {"sin", {V}, 1, 0, V, false},
    {"sinh", {V}, 1, 0, V, false},
    {"sort", {V}, 1, 0, V, false},
    {"sort_by_label", {V, STR}, 2, -1, V, true},
    {"sort_by_label_desc", {V, STR}, 2, -1, V, true},
    {"sort_desc", {V}, 1, 0, V, false},
    {"sqrt", {V}, 1, 0, V, false},
    {"start", {PQL_TYPE_NONE}, 0, 0, S, true},
    {"start_timestamp", {V}, 1, 0, V, true},
    {"stddev_over_time", {M}, 1, 0, V, false},
    {"stdvar_over_time", {M}, 1, 0, V, false},
    {"step", {PQL_TYPE_NONE}, 0, 0, S, true},
    {"sum_over_time", {M}, 1, 0, V, false},
    {"tan", {V}, 1, 0, V, false},
    {"tanh", {V}, 1, 0, V, false},
    {"time", {PQL_TYPE_NONE}, 0, 0, S, false},
    {"timestamp", {V}, 1, 0, V, false},
    {"ts_of_first_over_time", {M}, 1, 0, V, true},
    {"ts_of_last_over_time", {M}, 1, 0, V, true},
    {"ts_of_max_over_time", {M}, 1, 0, V, true},
    {"ts_of_min_over_time", {M}, 1, 0, V, true},
    {"vector", {S}, 1, 0, V, false},
    {"year", {V}, 1, 1, V, false},
};

#define FN_COUNT (sizeof fn_table / sizeof fn_table[0])

/* Compares a counted name with a table entry the way strcmp orders them. */
static int fn_compare(const char *name, size_t len, const char *entry)
{
    size_t elen = strlen(entry);
    size_t n = len < elen ? len : elen;
    int c = memcmp(name, entry, n);
    if (c != 0)
        return c;
    return len < elen ? -1 : (len > elen ? 1 : 0);
}

const fn_info *fn_lookup(const char *name, size_t len)
{
    size_t lo = 0, hi = FN_COUNT;
    if (name == NULL)
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = fn_compare(name, len, fn_table[mid].name);
        if (c == 0)
            return &fn_table[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

size_t fn_count(void)
{
    return FN_COUNT;
}

const fn_info *fn_at(size_t i)
{
    return i < FN_COUNT ? &fn_table[i] : NULL;
}
