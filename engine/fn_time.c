/* fn_time.c: the calendar functions (minute ... year, days_in_month) in UTC and
 * the query-context scalars start(), end(), step(), range(). */
#include "fn_instant.h"

#include <math.h>
#include <string.h>

/* ----------------------------------------------------------- calendar -- */

typedef enum {
    DATE_MINUTE,
    DATE_HOUR,
    DATE_DAY_OF_WEEK,
    DATE_DAY_OF_MONTH,
    DATE_DAY_OF_YEAR,
    DATE_DAYS_IN_MONTH,
    DATE_MONTH,
    DATE_YEAR
} date_field;

static const struct {
    const char *name;
    date_field field;
} date_fns[] = {
    {"day_of_month", DATE_DAY_OF_MONTH},
    {"day_of_week", DATE_DAY_OF_WEEK},
    {"day_of_year", DATE_DAY_OF_YEAR},
    {"days_in_month", DATE_DAYS_IN_MONTH},
    {"hour", DATE_HOUR},
    {"minute", DATE_MINUTE},
    {"month", DATE_MONTH},
    {"year", DATE_YEAR},
};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Go converts the sample with int64(f): truncation toward zero, and on
 * amd64 anything out of range (NaN, ±Inf, huge) becomes the minimum
 * int64. Matching that keeps odd inputs deterministic. */
static int64_t go_float_to_int64(double f)
{
    if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0))
        return INT64_MIN;
    return (int64_t)f;
}

/* The field of the UTC calendar date at unix second `sec`, proleptic
 * Gregorian as Go's time package computes it. Days are split into
 * 400-year eras counted from March 1st so leap days fall at the end of the
 * year (Hinnant's civil_from_days). */
static double date_of(int64_t sec, date_field f)
{
    int64_t days = floor_div(sec, 86400);
    int64_t secs = sec - days * 86400;
    switch (f) {
    case DATE_MINUTE:
        return (double)((secs % 3600) / 60);
    case DATE_HOUR:
        return (double)(secs / 3600);
    case DATE_DAY_OF_WEEK: {
        int64_t w = (days + 4) % 7; /* 1970-01-01 was a Thursday */
        return (double)(w < 0 ? w + 7 : w);
    }
    default:
        break;
    }
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097; /* [0, 146096] */
    int64_t yoe =
        (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                      /* [0, 11] */
    int64_t d = doy - (153 * mp + 2) / 5 + 1;              /* [1, 31] */
    int64_t m = mp < 10 ? mp + 3 : mp - 9;                 /* [1, 12] */
    if (m <= 2)
        y++;
    static const int month_days[12] = {31, 28, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31};
    switch (f) {
    case DATE_DAY_OF_MONTH:
        return (double)d;
    case DATE_MONTH:
        return (double)m;
    case DATE_YEAR:
        return (double)y;
    case DATE_DAYS_IN_MONTH:
        return (double)(m == 2 && is_leap(y) ? 29 : month_days[m - 1]);
    case DATE_DAY_OF_YEAR: {
        int64_t yd = d;
        for (int64_t k = 1; k < m; k++)
            yd += month_days[k - 1];
        if (m > 2 && is_leap(y))
            yd++;
        return (double)yd;
    }
    default:
        return NAN;
    }
}

/* The kernel's constant argument carries which field to compute. */
static void kernel_date(double *v, size_t n, double arg)
{
    date_field f = (date_field)(int)arg;
    for (size_t i = 0; i < n; i++)
        v[i] = date_of(go_float_to_int64(v[i]), f);
}

/* Without an argument the functions read the evaluation time and return a
 * one-series vector with no labels, as vector(time()) would. */
typedef struct fn_date_now {
    op base;
    date_field field;
    bool done;
} fn_date_now;

static int date_now_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_date_now *f = (fn_date_now *)self;
    if (f->done)
        return 0;
    f->done = true;
    const eval_grid *g = self->grid;
    double *vals = eval_alloc_column(ctx, g->n_steps);
    uint64_t *present = eval_alloc_bitmap(ctx, g->n_steps);
    if (!vals || !present)
        return -1;
    /* Go: time.Unix(enh.Ts/1000, 0), integer division toward zero. */
    for (size_t i = 0; i < g->n_steps; i++)
        vals[i] = date_of(eval_grid_time(g, i) / 1000, f->field);
    eval_bitmap_fill(present, g->n_steps);
    memset(out, 0, sizeof(*out));
    out->labels = labels_empty();
    out->vals = vals;
    out->present = present;
    return 1;
}

static const op_vtable date_now_vtable = {
    .name = "date_now",
    .next = date_now_next,
};

op *fn_plan_date(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    const char *name = call->u.call.fn->name;
    date_field field = DATE_YEAR;
    bool found = false;
    for (size_t i = 0; i < sizeof(date_fns) / sizeof(date_fns[0]); i++) {
        if (strcmp(date_fns[i].name, name) == 0) {
            field = date_fns[i].field;
            found = true;
            break;
        }
    }
    if (!found) {
        eval_fail(ctx, PQL_ERR_EXECUTION, "function \"%s\" not implemented yet",
                  name);
        return NULL;
    }
    if (call->u.call.n_args == 0) {
        fn_date_now *f =
            (fn_date_now *)op_alloc(ctx, sizeof(fn_date_now), &date_now_vtable,
                                    PQL_TYPE_VECTOR, grid, call);
        if (!f)
            return NULL;
        f->field = field;
        return &f->base;
    }
    op *child = plan_node(ctx, call->u.call.args[0], grid);
    if (!child)
        return NULL;
    return fn_map_new(ctx, call, grid, child, kernel_date, (double)field, true);
}

/* ------------------------------------------------- query-context scalars -- */

/* start(), end(), step() and range() describe the top-level query, also
 * inside subqueries; Prometheus folds them to number literals before
 * evaluation, so they are constants here too. */
op *fn_plan_query_time(eval_ctx *ctx, const ast_node *call,
                       const eval_grid *grid)
{
    const char *name = call->u.call.fn->name;
    double v;
    if (strcmp(name, "start") == 0)
        v = (double)ctx->query_start_ms / 1000.0;
    else if (strcmp(name, "end") == 0)
        v = (double)ctx->query_end_ms / 1000.0;
    else if (strcmp(name, "step") == 0)
        v = (double)ctx->grid->step_ms / 1000.0;
    else
        v = (double)(ctx->query_end_ms - ctx->query_start_ms) / 1000.0;
    return op_number_new(ctx, call, grid, v);
}
