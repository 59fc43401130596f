/* fn_math.c: the element-wise math functions (rounding, powers, logs,
 * trigonometry, clamp, sgn, pi) and the helpers shared by the instant-function
 * family. */
#include "fn_instant.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------ shared helpers -- */

double *fn_scalar_column(eval_ctx *ctx, op *scalar, size_t n_steps)
{
    double *col = eval_alloc_column(ctx, n_steps);
    if (!col)
        return NULL;
    eval_series s;
    int rc = op_next(scalar, ctx, &s);
    if (rc < 0)
        return NULL;
    if (rc == 0) {
        /* A scalar always yields; treat a silent one as NaN everywhere
         * rather than reading garbage. */
        for (size_t i = 0; i < n_steps; i++)
            col[i] = NAN;
        return col;
    }
    memcpy(col, s.vals, n_steps * sizeof(double));
    return col;
}

int fn_out_next(eval_ctx *ctx, fn_out_set *o, eval_series *out)
{
    while (o->next < o->set.n) {
        eval_series *s = &o->set.v[o->next++];
        int64_t pts = (int64_t)eval_bitmap_count(s->present, o->set.n_steps);
        eval_samples_give(ctx, pts);
        o->set.n_samples -= pts;
        if (pts == 0)
            continue;
        *out = *s;
        return 1;
    }
    return 0;
}

void fn_out_release(eval_ctx *ctx, fn_out_set *o)
{
    eval_samples_give(ctx, o->set.n_samples);
    o->set.n_samples = 0;
    o->next = o->set.n;
}

bool fn_valid_label_name(const char *s, size_t n)
{
    if (n == 0)
        return false;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        size_t len;
        uint32_t min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, min = 0x10000;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        uint32_t cp = c & (0x7F >> len);
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        /* Overlong forms, surrogates and values past U+10FFFF are invalid
         * in Go's utf8.ValidString as well. */
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

/* ------------------------------------------------- one-argument kernels -- */

/* Each kernel rewrites a whole column; absent steps hold garbage and are
 * rewritten too, which is harmless. */
#define FN_KERNEL(name, expr)                                                  \
    static void kernel_##name(double *v, size_t n, double arg)                 \
    {                                                                          \
        (void)arg;                                                             \
        for (size_t i = 0; i < n; i++) {                                       \
            double x = v[i];                                                   \
            v[i] = (expr);                                                     \
        }                                                                      \
    }

FN_KERNEL(ceil, ceil(x))
FN_KERNEL(floor, floor(x))
FN_KERNEL(sqrt, sqrt(x))
FN_KERNEL(exp, exp(x))
FN_KERNEL(ln, log(x))
FN_KERNEL(log2, log2(x))
FN_KERNEL(log10, log10(x))
FN_KERNEL(sin, sin(x))
FN_KERNEL(cos, cos(x))
FN_KERNEL(tan, tan(x))
FN_KERNEL(asin, asin(x))
FN_KERNEL(acos, acos(x))
FN_KERNEL(atan, atan(x))
FN_KERNEL(sinh, sinh(x))
FN_KERNEL(cosh, cosh(x))
FN_KERNEL(tanh, tanh(x))
FN_KERNEL(asinh, asinh(x))
FN_KERNEL(acosh, acosh(x))
FN_KERNEL(atanh, atanh(x))
/* Prometheus multiplies first, then divides; the order is kept so results
 * round the same way. */
FN_KERNEL(deg, x * 180 / M_PI)
FN_KERNEL(rad, x *M_PI / 180)
/* Zero (of either sign) and NaN come back unchanged, as in Prometheus. */
FN_KERNEL(sgn, x < 0 ? -1.0 : (x > 0 ? 1.0 : x))

static const struct {
    const char *name;
    fn_kernel kernel;
} math_kernels[] = {
    {"acos", kernel_acos},   {"acosh", kernel_acosh}, {"asin", kernel_asin},
    {"asinh", kernel_asinh}, {"atan", kernel_atan},   {"atanh", kernel_atanh},
    {"ceil", kernel_ceil},   {"cos", kernel_cos},     {"cosh", kernel_cosh},
    {"deg", kernel_deg},     {"exp", kernel_exp},     {"floor", kernel_floor},
    {"ln", kernel_ln},       {"log10", kernel_log10}, {"log2", kernel_log2},
    {"rad", kernel_rad},     {"sgn", kernel_sgn},     {"sin", kernel_sin},
    {"sinh", kernel_sinh},   {"sqrt", kernel_sqrt},   {"tan", kernel_tan},
    {"tanh", kernel_tanh},
};

op *fn_plan_math(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    const char *name = call->u.call.fn->name;
    fn_kernel k = NULL;
    for (size_t i = 0; i < sizeof(math_kernels) / sizeof(math_kernels[0]);
         i++) {
        if (strcmp(math_kernels[i].name, name) == 0) {
            k = math_kernels[i].kernel;
            break;
        }
    }
    if (!k) {
        eval_fail(ctx, PQL_ERR_EXECUTION, "function \"%s\" not implemented yet",
                  name);
        return NULL;
    }
    op *child = plan_node(ctx, call->u.call.args[0], grid);
    if (!child)
        return NULL;
    return fn_map_new(ctx, call, grid, child, k, 0, true);
}

op *fn_plan_pi(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    return op_number_new(ctx, call, grid, M_PI);
}

/* ------------------------------------- functions with scalar parameters -- */

/* round(v, to_nearest) and clamp*(v, min, max): the scalar parameters may
 * change from step to step (round(x, time())), so they are read once as
 * columns and every series is mapped against them. */
typedef enum {
    PARAM_ROUND,
    PARAM_CLAMP,
    PARAM_CLAMP_MIN,
    PARAM_CLAMP_MAX
} param_kind;

typedef struct fn_param_map {
    op base;
    op *child;
    op *p1, *p2; /* scalar operators or NULL */
    param_kind kind;
    double *a, *b; /* per-step parameters, read at the first next() */
    bool loaded;
} fn_param_map;

static int param_open(op *self, eval_ctx *ctx)
{
    fn_param_map *m = (fn_param_map *)self;
    if (m->p1 && op_open(m->p1, ctx) < 0)
        return -1;
    if (m->p2 && op_open(m->p2, ctx) < 0)
        return -1;
    return op_open(m->child, ctx);
}

static int param_load(fn_param_map *m, eval_ctx *ctx, size_t n)
{
    m->loaded = true;
    if (m->p1 && !(m->a = fn_scalar_column(ctx, m->p1, n)))
        return -1;
    if (m->p2 && !(m->b = fn_scalar_column(ctx, m->p2, n)))
        return -1;
    if (m->kind == PARAM_ROUND && !m->p1) {
        m->a = eval_alloc_column(ctx, n);
        if (!m->a)
            return -1;
        for (size_t i = 0; i < n; i++)
            m->a[i] = 1;
    }
    return 0;
}

/* Prometheus rounds half up: floor(x / to_nearest + 0.5) * to_nearest,
 * computed through the inverse because that loses less precision. */
static void kernel_round(double *v, size_t n, const double *to_nearest)
{
    for (size_t i = 0; i < n; i++) {
        double inv = 1.0 / to_nearest[i];
        v[i] = floor(v[i] * inv + 0.5) / inv;
    }
}

/* max(lo, min(hi, x)) with Go's math.Max/Min: NaN wins, and +0 beats -0
 * in Max (-0 beats +0 in Min). */
static inline double go_max(double x, double y)
{
    if (isinf(x) && x > 0)
        return x;
    if (isinf(y) && y > 0)
        return y;
    if (isnan(x) || isnan(y))
        return NAN;
    if (x == 0 && x == y)
        return signbit(x) ? y : x;
    return x > y ? x : y;
}

static inline double go_min(double x, double y)
{
    if (isinf(x) && x < 0)
        return x;
    if (isinf(y) && y < 0)
        return y;
    if (isnan(x) || isnan(y))
        return NAN;
    if (x == 0 && x == y)
        return signbit(x) ? x : y;
    return x < y ? x : y;
}

static void kernel_clamp(double *v, uint64_t *present, size_t n,
                         const double *lo, const double *hi, param_kind kind)
{
    for (size_t i = 0; i < n; i++) {
        double l = kind == PARAM_CLAMP_MAX ? -INFINITY : lo[i];
        double h = kind == PARAM_CLAMP       ? hi[i]
                   : kind == PARAM_CLAMP_MAX ? lo[i]
                                             : INFINITY;
        /* An empty interval yields nothing at that step. */
        if (h < l) {
            eval_bit_clear(present, i);
            continue;
        }
        v[i] = go_max(l, go_min(h, v[i]));
    }
}

static int param_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_param_map *m = (fn_param_map *)self;
    size_t n = self->grid->n_steps;
    if (!m->loaded && param_load(m, ctx, n) < 0)
        return -1;
    int rc = op_next(m->child, ctx, out);
    if (rc <= 0)
        return rc;
    if (m->kind == PARAM_ROUND)
        kernel_round(out->vals, n, m->a);
    else
        kernel_clamp(out->vals, out->present, n, m->a, m->b, m->kind);
    out->sample_ts = NULL;
    return fn_drop_name(ctx, out) < 0 ? -1 : 1;
}

static void param_close(op *self, eval_ctx *ctx)
{
    fn_param_map *m = (fn_param_map *)self;
    op_close(m->child, ctx);
    if (m->p1)
        op_close(m->p1, ctx);
    if (m->p2)
        op_close(m->p2, ctx);
}

static const op_vtable param_vtable = {
    .name = "param_map",
    .open = param_open,
    .next = param_next,
    .close = param_close,
};

static op *param_map_new(eval_ctx *ctx, const ast_node *call,
                         const eval_grid *grid, param_kind kind)
{
    const ast_node *const *args = (const ast_node *const *)call->u.call.args;
    size_t n_args = call->u.call.n_args;
    op *p1 = NULL, *p2 = NULL;
    /* Prometheus evaluates the arguments left to right; plan in that order
     * so plan-time errors surface in the same order. */
    op *child = plan_node(ctx, args[0], grid);
    if (!child)
        return NULL;
    if (n_args > 1 && !(p1 = plan_node(ctx, args[1], grid)))
        return NULL;
    if (n_args > 2 && !(p2 = plan_node(ctx, args[2], grid)))
        return NULL;
    fn_param_map *m = (fn_param_map *)op_alloc(
        ctx, sizeof(fn_param_map), &param_vtable, PQL_TYPE_VECTOR, grid, call);
    if (!m)
        return NULL;
    m->child = child;
    m->p1 = p1;
    m->p2 = p2;
    m->kind = kind;
    return &m->base;
}

op *fn_plan_round(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    return param_map_new(ctx, call, grid, PARAM_ROUND);
}

op *fn_plan_clamp(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    const char *name = call->u.call.fn->name;
    param_kind kind = strcmp(name, "clamp_min") == 0   ? PARAM_CLAMP_MIN
                      : strcmp(name, "clamp_max") == 0 ? PARAM_CLAMP_MAX
                                                       : PARAM_CLAMP;
    return param_map_new(ctx, call, grid, kind);
}

/* ------------------------------------------------------ min_of, max_of -- */

/* min_of(a, b) / max_of(a, b): Go's math.Min / math.Max of two scalars per
 * step. The infinity checks come before the NaN check there, so
 * max_of(+Inf, NaN) is +Inf while max_of(1, NaN) is NaN; go_max/go_min
 * keep that order. */
typedef struct fn_scalar_pair {
    op base;
    op *a, *b;
    bool is_max;
    bool done;
} fn_scalar_pair;

static int pair_open(op *self, eval_ctx *ctx)
{
    fn_scalar_pair *f = (fn_scalar_pair *)self;
    if (op_open(f->a, ctx) < 0)
        return -1;
    return op_open(f->b, ctx);
}

static int pair_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_scalar_pair *f = (fn_scalar_pair *)self;
    if (f->done)
        return 0;
    f->done = true;
    size_t n = self->grid->n_steps;
    double *a = fn_scalar_column(ctx, f->a, n);
    double *b = a ? fn_scalar_column(ctx, f->b, n) : NULL;
    uint64_t *present = eval_alloc_bitmap(ctx, n);
    if (!a || !b || !present)
        return -1;
    for (size_t i = 0; i < n; i++)
        a[i] = f->is_max ? go_max(a[i], b[i]) : go_min(a[i], b[i]);
    eval_bitmap_fill(present, n);
    memset(out, 0, sizeof(*out));
    out->labels = labels_empty();
    out->vals = a;
    out->present = present;
    return 1;
}

static void pair_close(op *self, eval_ctx *ctx)
{
    fn_scalar_pair *f = (fn_scalar_pair *)self;
    op_close(f->a, ctx);
    op_close(f->b, ctx);
}

static const op_vtable pair_vtable = {
    .name = "min_of/max_of",
    .open = pair_open,
    .next = pair_next,
    .close = pair_close,
};

op *fn_plan_min_max_of(eval_ctx *ctx, const ast_node *call,
                       const eval_grid *grid)
{
    op *a = plan_node(ctx, call->u.call.args[0], grid);
    if (!a)
        return NULL;
    op *b = plan_node(ctx, call->u.call.args[1], grid);
    if (!b)
        return NULL;
    fn_scalar_pair *f = (fn_scalar_pair *)op_alloc(
        ctx, sizeof(fn_scalar_pair), &pair_vtable, PQL_TYPE_SCALAR, grid, call);
    if (!f)
        return NULL;
    f->a = a;
    f->b = b;
    f->is_max = strcmp(call->u.call.fn->name, "max_of") == 0;
    return &f->base;
}
