/* operator.h: the internal contract of evaluation: step grid, series, operators and the per-query context. */
#ifndef PQL_OPERATOR_H
#define PQL_OPERATOR_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "ast.h"
#include "labels.h"
#include "promql.h"

/*
 * How evaluation works
 * ====================
 *
 * The planner (plan.c) turns the AST into a tree of operators, all allocated
 * in the query arena. Evaluation is series-major: an operator yields ONE
 * SERIES AT A TIME across ALL steps of its grid, pulling from its children.
 * Nothing is evaluated step by step with a lookup per point.
 *
 * Step grid. An operator evaluates at the points of its eval_grid:
 *     t(i) = start_ms + i * step_ms,  i in [0, n_steps)
 * An instant query is a grid of one step (step_ms = 0). A range query's grid
 * is [start, end] every step. Subqueries give their inner operators their own
 * aligned grid; that is why the grid hangs off every operator (op->grid)
 * rather than off the context. @ start() / @ end() always refer to the
 * top-level query (ctx->query_start_ms / query_end_ms).
 *
 * Instant-vector operators (type PQL_TYPE_VECTOR) implement next(): each call
 * fills an eval_series: its labels (arena-owned, valid for the whole query),
 * a value column double[n_steps] and a presence bitmap (bit i set = the series
 * has a value at step i; values at absent steps are garbage).
 *
 *   OWNERSHIP: labels may be kept by pointer until the query ends. The column
 *   and bitmap belong to the PRODUCER and may be overwritten by its next call
 *   to next() or close(); a consumer that keeps values copies them
 *   (eval_series_clone). A consumer may modify the column/bitmap it received
 *   in place (e.g. a unary function) and pass the same buffers on: producers
 *   never rely on their buffer contents surviving a yield.
 *
 *   Producers skip series with no present step when that is cheap (selectors
 *   do); consumers must still tolerate them. Matching, grouping and duplicate
 *   checks are per step, as in Prometheus: two series with equal labels are
 *   only an error where both have a value at the same step.
 *
 * Scalar operators (PQL_TYPE_SCALAR) use the same next(): they yield exactly
 * one series with empty labels and every step present, then end. A binary
 * operator with a scalar side just pulls that one column once.
 *
 * String operators (PQL_TYPE_STRING) yield nothing; op->str holds the value.
 * Function and aggregation parameters that must be literal strings are read
 * from the AST at plan time.
 *
 * Range-vector operators (PQL_TYPE_MATRIX: matrix selector, subquery)
 * implement next_range(): per series, the raw samples in time order (stale
 * markers removed) and for each step i the half-open index window
 * [lo[i], hi[i]) of the samples with  end(i) - range_ms < t <= end(i),
 * where end(i) = win_end0 + i * win_end_step (the step time with @ and
 * offset applied). Range functions slide over these windows, O(samples +
 * steps) per series. Buffers follow the same ownership rule as columns.
 *
 * Operators that need all of their input (binary vector matching, topk,
 * sort, ...) materialise it themselves by draining a child with
 * op_drain() into an eval_series_set they own (copies in the arena). Prefer
 * materialising the smaller side / the "one" side and streaming the other.
 *
 * Lifecycle: plan (constructors) -> open -> next/next_range until it
 * returns 0 or -1 -> close. open() is where storage is touched; close()
 * releases external resources (storage sets) and must be safe after a
 * failed or partial run and when open() was never called or failed.
 * Memory is never freed individually: the query arena goes at the end.
 *
 * Errors: next() returns 1 (a series), 0 (end) or -1 (error). An operator
 * that fails records the error with eval_fail()/eval_oom() first; the first
 * error wins. Hot loops do no allocation and no indirect call per sample;
 * indirect calls are per series.
 *
 * Delayed name removal (Prometheus 3): operators that would drop __name__
 * (functions, arithmetic, ...) keep it and set series->drop_name instead
 * when ctx->delayed_name_removal is on; the name is removed once at the end
 * (result.c) and "vector cannot contain metrics with the same labelset" is
 * raised when two series then collide at a step. When the option is off,
 * they drop the label immediately (labels_drop_name) and leave the flag off.
 * Operators that must see the final label set (aggregation by/without,
 * vector matching) treat a drop_name series as if it had no __name__.
 */

typedef struct eval_ctx eval_ctx;
typedef struct op op;

/* ------------------------------------------------------------ step grid -- */

typedef struct eval_grid {
    int64_t start_ms;
    int64_t end_ms;
    int64_t step_ms; /* 0 for an instant evaluation */
    size_t n_steps;  /* >= 1 */
} eval_grid;

static inline int64_t eval_grid_time(const eval_grid *g, size_t i)
{
    return g->start_ms + (int64_t)i * g->step_ms;
}

/* ------------------------------------------------------ presence bitmap -- */

#define EVAL_BITMAP_WORDS(n) (((n) + 63u) / 64u)

static inline bool eval_bit_test(const uint64_t *bm, size_t i)
{
    return (bm[i >> 6] >> (i & 63u)) & 1u;
}
static inline void eval_bit_set(uint64_t *bm, size_t i)
{
    bm[i >> 6] |= (uint64_t)1 << (i & 63u);
}
static inline void eval_bit_clear(uint64_t *bm, size_t i)
{
    bm[i >> 6] &= ~((uint64_t)1 << (i & 63u));
}
/* Number of set bits among the first n. */
size_t eval_bitmap_count(const uint64_t *bm, size_t n);
/* Sets the first n bits, clears the rest of the last word. */
void eval_bitmap_fill(uint64_t *bm, size_t n);

/* --------------------------------------------------------------- series -- */

/* One instant-vector series across the grid of the operator that made it. */
typedef struct eval_series {
    labels_set labels;  /* arena-owned, valid for the query */
    double *vals;       /* [n_steps], producer-owned buffer */
    uint64_t *present;  /* [EVAL_BITMAP_WORDS(n_steps)], producer-owned */
    /* Sample timestamps per step, or NULL. Only a vector selector planned
     * with want_timestamps fills it (timestamp() needs the time of the
     * sample found by lookback, not the step time). */
    int64_t *sample_ts;
    bool drop_name;     /* remove __name__ at the end (delayed removal) */
} eval_series;

/* A materialised set of series with columns the set owns (arena). */
typedef struct eval_series_set {
    eval_series *v;
    size_t n, cap;
    size_t n_steps;
    int64_t n_samples; /* points taken by op_drain; give them back with
                          eval_samples_give when the set is let go */
} eval_series_set;

/* One range-vector series: samples plus per-step windows. */
typedef struct eval_range_series {
    labels_set labels;
    const int64_t *ts;   /* [n] ascending, stale markers removed */
    const double *vals;  /* [n] */
    /* [n] start timestamps (0 = unknown), or NULL: only a matrix selector
     * asked for them (op_matrix_want_start_timestamps) fills it, and only
     * for series that have any. Subqueries never carry them, as in
     * Prometheus. */
    const int64_t *st;
    size_t n;
    const uint32_t *lo;  /* [n_steps] window start index per step */
    const uint32_t *hi;  /* [n_steps] window end index (exclusive) */
    int64_t range_ms;
    int64_t win_end0;     /* end(i) = win_end0 + i * win_end_step */
    int64_t win_end_step; /* 0 under @ */
    bool drop_name;
} eval_range_series;

/* ------------------------------------------------------------- operator -- */

typedef struct op_vtable {
    const char *name; /* for debugging and EXPLAIN-like dumps */
    /* Starts the operator (and its children). Returns 0 or -1. */
    int (*open)(op *self, eval_ctx *ctx);
    /* PQL_TYPE_VECTOR / PQL_TYPE_SCALAR: 1 = *out filled, 0 = end, -1. */
    int (*next)(op *self, eval_ctx *ctx, eval_series *out);
    /* PQL_TYPE_MATRIX: same protocol for range series. */
    int (*next_range)(op *self, eval_ctx *ctx, eval_range_series *out);
    /* Releases external resources; idempotent. Children are closed by their
     * parent's close. */
    void (*close)(op *self, eval_ctx *ctx);
} op_vtable;

/*
 * The header every operator struct starts with (embed it as the FIRST
 * member and cast). Fields are set by the constructor and read-only after.
 */
struct op {
    const op_vtable *vt;
    pql_value_type type;  /* SCALAR, VECTOR, MATRIX or STRING */
    const eval_grid *grid;/* the grid this operator's output is on */
    const ast_node *node; /* where it came from (positions for messages) */
    const char *str;      /* PQL_TYPE_STRING: the value (NUL-terminated) */
    size_t str_len;
    bool opened, closed;  /* maintained by op_open / op_close */
};

/* Dispatch helpers: call these, not the vtable, so open/close stay
 * idempotent and children left unopened after an error are handled. */
int op_open(op *o, eval_ctx *ctx);
void op_close(op *o, eval_ctx *ctx);
static inline int op_next(op *o, eval_ctx *ctx, eval_series *out)
{
    return o->vt->next(o, ctx, out);
}
static inline int op_next_range(op *o, eval_ctx *ctx, eval_range_series *out)
{
    return o->vt->next_range(o, ctx, out);
}

/* Allocates the operator struct (size bytes, zeroed, header filled).
 * Returns NULL and records the error on arena exhaustion. */
op *op_alloc(eval_ctx *ctx, size_t size, const op_vtable *vt,
             pql_value_type type, const eval_grid *grid, const ast_node *node);

/* Pulls every series of `child` (opened by the caller) into `out`, copying
 * columns and counting their points as held samples (out->n_samples).
 * Series with no present step are skipped. Returns 0 or -1. */
int op_drain(op *child, eval_ctx *ctx, eval_series_set *out);

/* Column buffers for a producer: n_steps doubles / bitmap words from the
 * arena (zeroed). NULL and error recorded when exhausted. */
double *eval_alloc_column(eval_ctx *ctx, size_t n_steps);
uint64_t *eval_alloc_bitmap(eval_ctx *ctx, size_t n_steps);
/* Appends a copy of `s` (columns copied) to `set`. Returns 0 or -1. */
int eval_series_set_add(eval_ctx *ctx, eval_series_set *set,
                        const eval_series *s);
/* Copies s's columns into fresh arena columns (labels shared). */
int eval_series_clone(eval_ctx *ctx, const eval_series *s, size_t n_steps,
                      eval_series *out);

/* --------------------------------------------------- evaluation context -- */

/* One annotation (warning or info) with Prometheus's full text. */
typedef struct eval_note {
    const char *text;
    struct eval_note *next;
} eval_note;

typedef enum { EVAL_NOTE_WARNING = 0, EVAL_NOTE_INFO = 1 } eval_note_kind;

struct eval_ctx {
    arena *mem;             /* the query arena; limit = max_memory_bytes */
    pql_storage storage;
    const eval_grid *grid;  /* the top-level grid */
    int64_t query_start_ms; /* for @ start() */
    int64_t query_end_ms;   /* for @ end() */
    int64_t lookback_ms;
    int64_t default_step_ms; /* subqueries without a step */
    bool delayed_name_removal;
    bool start_timestamps;   /* Prometheus's use-start-timestamps */
    bool is_instant;         /* instant query (grid of one step) */
    const char *query_text;  /* for annotation positions */
    size_t query_len;

    /* Sample accounting (Prometheus's max_samples). */
    int64_t max_samples;
    int64_t cur_samples;
    int64_t peak_samples;
    int64_t total_samples; /* samples read from storage */

    /* Cancellation and timeout; polled by eval_check. */
    atomic_int *cancel_flag;   /* set non-zero by pql_query_cancel */
    int64_t deadline_ns;       /* monotonic ns; 0 = none */
    unsigned check_tick;

    /* Annotations, deduplicated, in insertion order. */
    eval_note *warnings, *warnings_tail;
    eval_note *infos, *infos_tail;
    size_t n_warnings, n_infos;

    /* First error wins. */
    pql_error err;
    bool failed;
};

/* Records an error (first one wins) and returns -1, so `return eval_fail(...)`
 * reads naturally. The message is Prometheus's wording. */
int eval_fail(eval_ctx *ctx, pql_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Records an arena failure: PQL_ERR_MEMORY_LIMIT when the per-query limit was
 * hit, else PQL_ERR_NOMEM. Returns -1. */
int eval_oom(eval_ctx *ctx);

/* Cancellation / timeout check point: returns 0, or -1 with
 * PQL_ERR_CANCELED / PQL_ERR_TIMEOUT recorded. Cheap (reads a flag; reads
 * the clock every few calls): call it once per series and inside long
 * per-series loops every few thousand samples. */
int eval_check(eval_ctx *ctx);

/* Sample accounting: an operator takes samples when it starts holding them
 * (points of a yielded column, samples of a loaded range series, a
 * materialised set) and gives them back when it lets go. Taking past
 * max_samples fails with PQL_ERR_TOO_MANY_SAMPLES and Prometheus's text
 * "query processing would load too many samples into memory in query
 * execution". Returns 0 or -1. */
int eval_samples_take(eval_ctx *ctx, int64_t n);
void eval_samples_give(eval_ctx *ctx, int64_t n);

/* Adds an annotation unless the same text is already there. `text` is the
 * complete Prometheus message, e.g. "PromQL warning: ..."; when node is not
 * NULL its position is appended as Prometheus does (" (1:5)"). */
void eval_annotate(eval_ctx *ctx, eval_note_kind kind, const ast_node *node,
                   const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* ----------------------------------------------------------- planning -- */

/* Builds the operator tree for `node` on `grid`. NULL with ctx error set on
 * failure (including `function "x" not implemented yet`). Defined in plan.c;
 * operators that plan sub-expressions (subquery, functions) call it too. */
op *plan_node(eval_ctx *ctx, const ast_node *node, const eval_grid *grid);

/* Constructors the planner dispatches to. Each returns the new operator or
 * NULL with the error recorded. Children are already planned on `grid`.
 *
 * op_binary_new (engine/op_binary*.c): node is PQL_NODE_BINARY; lhs and rhs
 * are SCALAR or VECTOR operators. The result is SCALAR when both are. */
op *op_binary_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid,
                  op *lhs, op *rhs);
/* op_aggregate_new (engine/op_aggregate*.c): node is PQL_NODE_AGGREGATE;
 * expr is a VECTOR operator; param is NULL, a SCALAR operator (topk,
 * quantile, limitk, ...) or a STRING operator (count_values). */
op *op_aggregate_new(eval_ctx *ctx, const ast_node *node,
                     const eval_grid *grid, op *expr, op *param);

/* Selectors (op_selector.c, op_matrix.c). want_timestamps: fill
 * eval_series.sample_ts (for timestamp()). */
op *op_selector_new(eval_ctx *ctx, const ast_node *vs, const eval_grid *grid,
                    bool want_timestamps);
op *op_matrix_new(eval_ctx *ctx, const ast_node *ms, const eval_grid *grid);
/* Asks a MATRIX operator for start timestamps (eval_range_series.st) when
 * it is a matrix selector and ctx->start_timestamps is on; a no-op for
 * anything else (subqueries cut STs off). Call before open. */
void op_matrix_want_start_timestamps(eval_ctx *ctx, op *o);
/* A vector selector whose sample_ts holds, per step, the start timestamp
 * of the sample lookback found (0 = unknown) instead of its time: the
 * input of start_timestamp(). */
op *op_selector_new_start_ts(eval_ctx *ctx, const ast_node *vs,
                             const eval_grid *grid);

/* Whether the query's storage can hand out start timestamps (a version-2
 * table with the slot filled). */
static inline bool eval_storage_has_st(const eval_ctx *ctx)
{
    const pql_storage_methods *m = ctx->storage.methods;
    return m->version >= 2 && m->iter_read_floats_st != NULL;
}

/* Subquery (op_subquery.c): node is PQL_NODE_SUBQUERY; plans its inner
 * expression itself, on the step-aligned grid the subquery needs. MATRIX. */
op *op_subquery_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid);

/* A range function whose matrix argument is an `anchored` or `smoothed`
 * selector (fn_extended_range.c): fails with Prometheus's message for
 * functions that do not allow the modifier. */
op *plan_extended_call(eval_ctx *ctx, const ast_node *call,
                       const eval_grid *grid);

/* Literals (op_literal.c). */
op *op_number_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid,
                  double value);
op *op_string_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid);
/* Passes a VECTOR child's series through, failing with Prometheus's "same
 * labelset" error when two share a label set at a step: the check made
 * after every function and operator when delayed name removal is off. */
op *op_unique_labels_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid,
                         op *child);
/* Unary minus over a SCALAR or VECTOR child (drops __name__). */
op *op_negate_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid,
                  op *child);

/* @ and offset of a selector or subquery, resolved at plan time (@ start()
 * and @ end() to the query's times, duration expressions evaluated). */
typedef struct eval_timing {
    bool has_at;
    int64_t at_ms;     /* valid when has_at */
    int64_t offset_ms; /* signed; Go's durationMilliseconds (truncating) */
} eval_timing;

/* Resolves `mods` (plan.c). Returns 0 or -1 with the error recorded. */
int plan_timing(eval_ctx *ctx, const ast_time_mods *mods, eval_timing *out);

/* The time a selector or subquery reads at for a step at time t: the @
 * time (if any) else t, minus the offset. */
static inline int64_t eval_ref_time(const eval_timing *tm, int64_t t)
{
    return (tm->has_at ? tm->at_ms : t) - tm->offset_ms;
}

/* Evaluates a duration: a NUMBER node (seconds) or a DURATION_EXPR tree,
 * with step() and range() taken from the top-level query, into
 * milliseconds. Returns 0 or -1 with the error recorded. */
int plan_duration_ms(eval_ctx *ctx, const ast_node *expr, int64_t *out_ms);

#endif
