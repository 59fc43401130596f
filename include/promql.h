/* promql.h: the one public header of libpromql, laid out as its API reference. */
#ifndef PROMQL_H
#define PROMQL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the exported API; everything else in the shared library is hidden. */
#if defined(__GNUC__) || defined(__clang__)
#define PQL_API __attribute__((visibility("default")))
#else
#define PQL_API
#endif

/*
 * Conventions for every call in this header
 * -----------------------------------------
 * - Calls that can fail return a pql_status; PQL_OK (0) is success.
 * - Details of a failure go into a caller-provided pql_error (may be NULL when
 *   the caller does not want details). The first error wins: a call writes the
 *   error object only when it fails.
 * - An object returned through an out-parameter belongs to the caller, who
 *   releases it with the matching *_free call. *_free(NULL) is a no-op.
 * - Strings returned by accessors are owned by the object they were read from
 *   and stay valid until that object is freed.
 * - Times are Unix milliseconds (int64_t); durations are nanoseconds where the
 *   AST stores them (as Prometheus does) and milliseconds in evaluation calls.
 */

/* ---------------------------------------------------------------- status -- */

#define PQL_STATUS_LIST(X)                                                     \
    X(PQL_OK, 0, "ok")                                                         \
    X(PQL_ERR_PARSE, 1, "parse error")                                         \
    X(PQL_ERR_NOMEM, 2, "out of memory")                                       \
    X(PQL_ERR_INVALID_ARGUMENT, 3, "invalid argument")                         \
    X(PQL_ERR_EXECUTION, 4, "execution error")                                 \
    X(PQL_ERR_TIMEOUT, 5, "query timed out")                                   \
    X(PQL_ERR_CANCELED, 6, "query canceled")                                   \
    X(PQL_ERR_TOO_MANY_SAMPLES, 7, "too many samples")                         \
    X(PQL_ERR_MEMORY_LIMIT, 8, "memory limit exceeded")                        \
    X(PQL_ERR_STORAGE, 9, "storage error")                                     \
    X(PQL_ERR_DATA, 10, "bad input data")                                      \
    X(PQL_ERR_IO, 11, "i/o error")

typedef enum {
#define PQL_STATUS_ENUM(name, code, text) name = code,
    PQL_STATUS_LIST(PQL_STATUS_ENUM)
#undef PQL_STATUS_ENUM
} pql_status;

/* A static, human-readable name for a status code ("parse error"). */
PQL_API const char *pql_status_text(pql_status status);

/* ----------------------------------------------------------------- error -- */

#define PQL_ERROR_MESSAGE_MAX 1024

/*
 * Details of a failed call. Plain data the caller allocates (on the stack is
 * fine); nothing inside needs freeing.
 * - message: Prometheus's own wording where it has one, without position
 *   prefix, e.g. `unexpected end of input`; NUL-terminated, truncated to fit.
 * - start, end: byte offsets into the query text of the offending range
 *   (end exclusive) for parse errors; -1 when the error has no position.
 */
typedef struct pql_error {
    pql_status code;
    int64_t start;
    int64_t end;
    char message[PQL_ERROR_MESSAGE_MAX];
} pql_error;

/* Resets *err to PQL_OK with an empty message and positions -1. */
PQL_API void pql_error_clear(pql_error *err);

/*
 * Formats a parse error as Prometheus prints it, `<line>:<col>: parse error:
 * <message>`, where line and col (1-based, bytes) are computed from err->start
 * within `query`. Writes at most `cap` bytes including the NUL into `out` and
 * returns the length the full text would have (like snprintf).
 */
PQL_API size_t pql_error_format(const pql_error *err, const char *query, char *out,
                        size_t cap);

/* ---------------------------------------------------------------- parser -- */

/* Parser switches; start from pql_parse_options_default(). */
typedef struct pql_parse_options {
    /* Experimental functions (limitk, info, sort_by_label, ...); default on. */
    int enable_experimental_functions;
    /* Duration expressions in ranges/offsets (x[5m+1m]); default on. */
    int enable_duration_expressions;
    /* `anchored` and `smoothed` selector modifiers; default on. */
    int enable_extended_range_selectors;
    /* fill/fill_left/fill_right binary-operator modifiers; default on. */
    int enable_binop_fill_modifiers;
    /* Refuse inputs longer than this many bytes (default 1 MiB). */
    size_t max_query_bytes;
    /* Refuse nesting deeper than this (default 1000 levels). */
    int max_depth;
} pql_parse_options;

/* Every feature on, Prometheus's test-engine defaults. */
PQL_API pql_parse_options pql_parse_options_default(void);

/* A parsed, type-checked expression; owns every node and string in it. */
typedef struct pql_expr pql_expr;

/* One node of a parsed expression; owned by its pql_expr. */
typedef struct pql_node pql_node;

/*
 * Parses `query` (len bytes; need not be NUL-terminated) and type-checks it.
 * opts may be NULL for the defaults. On success returns PQL_OK and stores a new
 * expression in *out, which the caller frees with pql_expr_free. On failure
 * returns PQL_ERR_PARSE (or PQL_ERR_NOMEM), leaves *out NULL and fills err with
 * the first error, its message and byte positions.
 */
PQL_API pql_status pql_parse(const char *query, size_t len,
                     const pql_parse_options *opts, pql_expr **out,
                     pql_error *err);

/* Releases the expression and all of its nodes. */
PQL_API void pql_expr_free(pql_expr *expr);

/*
 * Prints the expression in Prometheus's canonical form (its String()).
 * Returns a NUL-terminated string the caller frees with free(), or NULL when
 * out of memory.
 */
PQL_API char *pql_expr_format(const pql_expr *expr);

/* Same as pql_expr_format for a sub-tree. */
PQL_API char *pql_node_format(const pql_node *node);

/* The root node; valid while the expression lives. */
PQL_API const pql_node *pql_expr_root(const pql_expr *expr);

/* --------------------------------------------------------- AST inspection -- */

typedef enum {
    PQL_NODE_NUMBER = 1,      /* number or duration literal: pql_node_number */
    PQL_NODE_STRING,          /* string literal: pql_node_string */
    PQL_NODE_VECTOR_SELECTOR, /* matchers, offset, @ */
    PQL_NODE_MATRIX_SELECTOR, /* child 0: the vector selector; range */
    PQL_NODE_SUBQUERY,        /* child 0: inner expression; range, step */
    PQL_NODE_CALL,            /* function call: name, children = arguments */
    PQL_NODE_AGGREGATE,       /* children: [param,] expression; grouping */
    PQL_NODE_BINARY,          /* children: lhs, rhs; op, matching */
    PQL_NODE_UNARY,           /* child 0: operand; op is ADD or SUB */
    PQL_NODE_PAREN,           /* child 0: inner expression */
    PQL_NODE_DURATION_EXPR    /* arithmetic inside [] or after offset */
} pql_node_kind;

/* Value types, named as Prometheus names them in errors. */
typedef enum {
    PQL_TYPE_NONE = 0,
    PQL_TYPE_SCALAR,
    PQL_TYPE_VECTOR, /* "instant vector" */
    PQL_TYPE_MATRIX, /* "range vector" */
    PQL_TYPE_STRING
} pql_value_type;

/* "scalar", "instant vector", "range vector", "string" or "none". */
PQL_API const char *pql_value_type_name(pql_value_type type);

/* Binary, unary and duration-expression operators, and aggregations. */
typedef enum {
    PQL_OP_NONE = 0,
    PQL_OP_ADD, PQL_OP_SUB, PQL_OP_MUL, PQL_OP_DIV, PQL_OP_MOD, PQL_OP_POW,
    PQL_OP_ATAN2,
    PQL_OP_EQL, PQL_OP_NEQ, PQL_OP_GTR, PQL_OP_LSS, PQL_OP_GTE, PQL_OP_LTE,
    PQL_OP_TRIM_UPPER, PQL_OP_TRIM_LOWER,
    PQL_OP_AND, PQL_OP_OR, PQL_OP_UNLESS,
    /* duration-expression only */
    PQL_OP_STEP, PQL_OP_RANGE, PQL_OP_MIN_OF, PQL_OP_MAX_OF,
    /* aggregations */
    PQL_AGG_SUM, PQL_AGG_AVG, PQL_AGG_COUNT, PQL_AGG_MIN, PQL_AGG_MAX,
    PQL_AGG_GROUP, PQL_AGG_STDDEV, PQL_AGG_STDVAR, PQL_AGG_TOPK,
    PQL_AGG_BOTTOMK, PQL_AGG_COUNT_VALUES, PQL_AGG_QUANTILE, PQL_AGG_LIMITK,
    PQL_AGG_LIMIT_RATIO
} pql_op;

/* The operator's PromQL spelling ("+", "and", "sum", "step"). Static. */
PQL_API const char *pql_op_text(pql_op op);

typedef enum {
    PQL_MATCH_EQUAL = 0, /* = */
    PQL_MATCH_NOT_EQUAL, /* != */
    PQL_MATCH_REGEX,     /* =~ */
    PQL_MATCH_NOT_REGEX  /* !~ */
} pql_match_type;

/* A label matcher of a vector selector; strings owned by the expression. */
typedef struct pql_matcher {
    const char *name;
    pql_match_type type;
    const char *value;
    size_t value_len; /* value may contain NUL bytes */
} pql_matcher;

typedef enum {
    PQL_CARD_NONE = 0, /* no vector matching (a scalar side) */
    PQL_CARD_ONE_TO_ONE,
    PQL_CARD_MANY_TO_ONE, /* group_left */
    PQL_CARD_ONE_TO_MANY, /* group_right */
    PQL_CARD_MANY_TO_MANY /* set operators */
} pql_cardinality;

/* Where an @ modifier points. */
typedef enum {
    PQL_AT_NONE = 0,
    PQL_AT_TIMESTAMP, /* pql_node_at_ms gives the time */
    PQL_AT_START,     /* @ start() */
    PQL_AT_END        /* @ end() */
} pql_at_kind;

/* All accessors below accept any node and answer 0/NULL/NONE when the
 * property does not apply to that kind. */
PQL_API pql_node_kind pql_node_get_kind(const pql_node *node);
/* Type the checker assigned: for a CALL the function's return type, etc. */
PQL_API pql_value_type pql_node_type(const pql_node *node);
/* Byte range of the node in the query text, end exclusive. */
PQL_API void pql_node_position(const pql_node *node, int64_t *start, int64_t *end);
PQL_API size_t pql_node_child_count(const pql_node *node);
/* Child i (0-based) or NULL when out of range. */
PQL_API const pql_node *pql_node_child(const pql_node *node, size_t i);
/* Number literal value (durations as seconds). */
PQL_API double pql_node_number(const pql_node *node);
/* String literal value (unquoted) and its length. */
PQL_API const char *pql_node_string(const pql_node *node, size_t *len);
/* Operator of BINARY, UNARY, AGGREGATE and DURATION_EXPR nodes. */
PQL_API pql_op pql_node_op(const pql_node *node);
/* Function name of a CALL node. */
PQL_API const char *pql_node_function_name(const pql_node *node);
/* Metric name written outside braces of a selector, or NULL. */
PQL_API const char *pql_node_metric_name(const pql_node *node);
PQL_API size_t pql_node_matcher_count(const pql_node *node);
/* Matcher i of a vector selector (or of a matrix selector's selector). */
PQL_API const pql_matcher *pql_node_matcher(const pql_node *node, size_t i);
/* Grouping labels of an AGGREGATE (by/without) or matching labels of a
 * BINARY (on/ignoring). */
PQL_API size_t pql_node_label_count(const pql_node *node);
PQL_API const char *pql_node_label(const pql_node *node, size_t i);
/* 1 for `without` / `ignoring`, 0 for `by` / `on` or none. */
PQL_API int pql_node_is_without(const pql_node *node);
/* 1 when BINARY has the bool modifier. */
PQL_API int pql_node_return_bool(const pql_node *node);
PQL_API pql_cardinality pql_node_cardinality(const pql_node *node);
/* Include labels of group_left/group_right. */
PQL_API size_t pql_node_include_count(const pql_node *node);
PQL_API const char *pql_node_include(const pql_node *node, size_t i);
/* Range of MATRIX_SELECTOR or SUBQUERY in nanoseconds. */
PQL_API int64_t pql_node_range_ns(const pql_node *node);
/* Step of SUBQUERY in nanoseconds (0 = default step). */
PQL_API int64_t pql_node_step_ns(const pql_node *node);
/* Offset of a selector or subquery in nanoseconds. */
PQL_API int64_t pql_node_offset_ns(const pql_node *node);
PQL_API pql_at_kind pql_node_at(const pql_node *node);
PQL_API int64_t pql_node_at_ms(const pql_node *node);

/* ---------------------------------------------------------------- labels -- */

/* One label; a label set is an array of these sorted by name, unique names,
 * no empty values (an empty value means the label is absent). */
typedef struct pql_label {
    const char *name;
    const char *value;
} pql_label;

/* ------------------------------------------------------ storage interface -- */

/*
 * Any storage plugs into the engine through this versioned table of function
 * pointers (in the style of SQLite's sqlite3_module). `version` comes first;
 * new slots are only ever appended, and the engine reads a slot only when
 * `version` says the table has it.
 *
 * Flow for one selector: select() opens a series set; set_next() steps to each
 * series in turn (labels + iterator); iter_read_floats() fills caller-owned
 * arrays with that series' samples; set_close() ends the set. The engine never
 * frees anything the storage returned: the storage owns labels and iterators.
 *
 * Versions: 1 = select .. set_close; 2 adds iter_read_floats_st (start
 * timestamps). A table that says version 1 is never read past set_close, so
 * version-1 storages keep working (their samples simply have no start
 * timestamps).
 */
#define PQL_STORAGE_VERSION 3

/* Staleness marker: a NaN with this exact bit pattern (Prometheus's value). */
#define PQL_STALE_NAN_BITS 0x7ff0000000000002ULL
/* 1 when v carries the staleness-marker bit pattern. */
PQL_API int pql_is_stale_marker(double v);
/* A double holding the staleness marker. */
PQL_API double pql_stale_marker(void);

/* What the engine will do with the selected data; a storage may use it to
 * skip chunks or push work down, or ignore it. */
typedef struct pql_select_hints {
    int64_t start_ms; /* first sample time needed (inclusive) */
    int64_t end_ms;   /* last sample time needed (inclusive) */
    int64_t step_ms;  /* query step, 0 for instant queries */
    int64_t range_ms; /* range of the enclosing range selector, 0 if none */
    const char *func; /* function applied over the range, or NULL */
} pql_select_hints;

typedef struct pql_storage_methods {
    int version; /* PQL_STORAGE_VERSION */

    /* Opens a series set with every series that satisfies all matchers and
     * has samples in [mint, maxt]. Series come in ascending label order. On
     * success stores an opaque set in *set (closed with set_close). On
     * failure returns non-OK, writes err and leaves *set NULL. */
    pql_status (*select)(void *self, const pql_matcher *matchers,
                         size_t n_matchers, int64_t mint, int64_t maxt,
                         const pql_select_hints *hints, void **set,
                         pql_error *err);

    /* Steps to the next series. Returns 1 and fills *labels / *n_labels (sorted
     * by name; valid until the next set_next or set_close) and *iter (valid
     * just as long); 0 at the end; -1 on error with err written. */
    int (*set_next)(void *set, const pql_label **labels, size_t *n_labels,
                    void **iter, pql_error *err);

    /* Copies up to cap float samples with mint <= t <= maxt, ascending by t,
     * into ts[] and vals[] (caller-owned). Returns how many were written; a
     * return < cap means the range is exhausted; -1 on error with err
     * written. Staleness markers are returned as PQL_STALE_NAN_BITS values.
     * To read more, call again with mint = last returned t + 1. */
    ptrdiff_t (*iter_read_floats)(void *iter, int64_t mint, int64_t maxt,
                                  int64_t *ts, double *vals, size_t cap,
                                  pql_error *err);

    /* Reserved for native histogram samples (a later version fills it);
     * must be NULL in version 1. */
    void *iter_read_histograms;

    /* Releases the set and everything it handed out. */
    void (*set_close)(void *set);

    /* ---- version 2 ---- */

    /* Like iter_read_floats (same range, batching and return value), and
     * also copies each sample's start timestamp (ms since the epoch; 0 =
     * unknown, Prometheus's "no ST") into st[] (caller-owned, cap entries).
     * Sets *has_st to 1 when it wrote st[], or to 0 when none of the
     * returned samples has a start timestamp: st[] is then left untouched
     * and the caller reads every ST of the batch as 0, which spares a
     * storage without start timestamps the copying. The engine calls it
     * only for queries that use start timestamps (rate, irate, increase,
     * resets, start_timestamp) and only when `version` >= 2; NULL means
     * the storage keeps no start timestamps. */
    ptrdiff_t (*iter_read_floats_st)(void *iter, int64_t mint, int64_t maxt,
                                     int64_t *ts, double *vals, int64_t *st,
                                     size_t cap, int *has_st, pql_error *err);

    /* Version 3, optional (NULL: not offered; the engine then copies with
     * iter_read_floats). Lends the current series' samples with
     * mint <= t <= maxt without copying: *ts and *vals point into the
     * storage's own memory and stay valid until the next set_next or
     * set_close on the set. Returns how many (0: none), or -1 with err
     * written. Sets *no_nan to 1 when the storage knows none of the lent
     * values is a NaN (so none is a staleness marker), else 0; the engine
     * only uses lent samples that carry no NaN. */
    ptrdiff_t (*iter_view_floats)(void *iter, int64_t mint, int64_t maxt,
                                  const int64_t **ts, const double **vals,
                                  int *no_nan, pql_error *err);
} pql_storage_methods;

/* A storage as the engine sees it: the table plus the storage's own pointer.
 * Plain data; copying it is fine. */
typedef struct pql_storage {
    const pql_storage_methods *methods;
    void *self;
} pql_storage;

/* --------------------------------------------------- the in-memory store -- */

/* The embedded default storage: float samples (and staleness markers) per
 * series, series identified by their label set. Not thread-safe for writes;
 * concurrent queries without concurrent writes are fine. */
typedef struct pql_memstore pql_memstore;

/* Creates an empty store the caller frees with pql_memstore_free. */
PQL_API pql_status pql_memstore_new(pql_memstore **out, pql_error *err);
PQL_API void pql_memstore_free(pql_memstore *store);
/* Drops every series (promqltest's `clear`). Series sets still open on the
 * store become invalid, as they do on pql_memstore_free. */
PQL_API void pql_memstore_clear(pql_memstore *store);
/* The store's view through the storage interface; valid while it lives. */
PQL_API pql_storage pql_memstore_storage(pql_memstore *store);
PQL_API size_t pql_memstore_series_count(const pql_memstore *store);
PQL_API size_t pql_memstore_sample_count(const pql_memstore *store);

/*
 * A batch of appends applied all-or-nothing: samples added through it are
 * invisible until pql_append_commit succeeds; on any error (bad labels,
 * out-of-order or duplicate sample: Prometheus's "out of order sample" /
 * "duplicate sample for timestamp") the commit fails and the store stays
 * exactly as it was. Labels are copied; the caller keeps its arrays.
 */
typedef struct pql_appender pql_appender;
PQL_API pql_status pql_appender_begin(pql_memstore *store, pql_appender **out,
                              pql_error *err);
/* Adds `count` samples (ascending timestamps) to the series `labels`
 * (any order; sorted internally; at least one non-empty label; labels with
 * empty values are dropped). Use pql_stale_marker() for staleness. Bad data
 * returns PQL_ERR_DATA and marks the whole batch failed: the commit then
 * returns that error and changes nothing. */
PQL_API pql_status pql_appender_add(pql_appender *app, const pql_label *labels,
                            size_t n_labels, const int64_t *ts,
                            const double *vals, size_t count, pql_error *err);
/* pql_appender_add with start timestamps (Prometheus 3.12+ "created" /
 * start time of a cumulative or delta sample): st[i] is the start time (ms)
 * of the sample at ts[i], 0 for "unknown". st may be NULL, which is the same
 * as all zeros and the same as pql_appender_add. Values are not validated
 * (Prometheus stores an ST after its sample's time too; queries treat it as
 * invalid). The array is copied; the caller keeps it. The store keeps STs
 * only for series that ever had a non-zero one, so memory stays flat for
 * the others. An exact repeat of the newest sample (same time and value
 * bits) is dropped with its ST, as pql_appender_add drops it. Errors as
 * pql_appender_add. */
PQL_API pql_status pql_appender_add_with_start(pql_appender *app,
                                               const pql_label *labels,
                                               size_t n_labels,
                                               const int64_t *ts,
                                               const double *vals,
                                               const int64_t *st, size_t count,
                                               pql_error *err);
/* Applies the batch and frees the appender. */
PQL_API pql_status pql_appender_commit(pql_appender *app, pql_error *err);
/* Discards the batch and frees the appender. */
PQL_API void pql_appender_rollback(pql_appender *app);

/* ---------------------------------------------------------------- engine -- */

typedef struct pql_engine_options {
    int64_t lookback_delta_ms;    /* default 300000 (5m) */
    int64_t max_samples;          /* default 50,000,000 */
    size_t max_memory_bytes;      /* per query; 0 = unlimited (default) */
    int64_t timeout_ms;           /* 0 = none (default) */
    int64_t default_step_ms;      /* subquery default step, default 60000 */
    /* Prometheus 3's delayed __name__ removal (default on): names dropped by
     * functions and operators go only at the end, where series that then
     * share a label set at a step fail the query. Off: names go at once and
     * every function and operator output is checked for such collisions,
     * as Prometheus does without the feature. */
    int enable_delayed_name_removal;
    pql_parse_options parse;      /* syntax switches, all on by default */
    /* Prometheus's `use-start-timestamps` feature (3.12+): rate, increase,
     * irate and resets read sample start timestamps from storage (resets
     * they mark, a zero point they give), the start-time overlap warning is
     * raised, and start_timestamp() returns them (it returns nothing when
     * off). Default off, as in Prometheus, where it is a feature flag; the
     * promqltest runner turns it on, as Prometheus's test engine does. */
    int enable_start_timestamps;
} pql_engine_options;

PQL_API pql_engine_options pql_engine_options_default(void);

/* An engine holds options only; it is immutable and may be shared by
 * threads. */
typedef struct pql_engine pql_engine;
PQL_API pql_status pql_engine_new(const pql_engine_options *opts, pql_engine **out,
                          pql_error *err);
PQL_API void pql_engine_free(pql_engine *engine);

/* A prepared query: parsed, checked, bound to a storage and a time range. */
typedef struct pql_query pql_query;
typedef struct pql_result pql_result;

/* Prepares an instant query at t_ms. The storage struct is copied; the
 * storage itself must outlive the query. Parse errors return PQL_ERR_PARSE
 * with positions in err. */
PQL_API pql_status pql_query_new_instant(pql_engine *engine, const pql_storage *storage,
                                 const char *expr, size_t len, int64_t t_ms,
                                 pql_query **out, pql_error *err);
/* Prepares a range query over [start_ms, end_ms] every step_ms (> 0). */
PQL_API pql_status pql_query_new_range(pql_engine *engine, const pql_storage *storage,
                               const char *expr, size_t len, int64_t start_ms,
                               int64_t end_ms, int64_t step_ms,
                               pql_query **out, pql_error *err);
/* Runs the query once; on success *out is a new result the caller frees. */
PQL_API pql_status pql_query_exec(pql_query *query, pql_result **out, pql_error *err);
/* Asks a running pql_query_exec (in another thread) to stop with
 * PQL_ERR_CANCELED; safe to call from any thread while the query lives. */
PQL_API void pql_query_cancel(pql_query *query);
PQL_API void pql_query_free(pql_query *query);

/* Convenience: prepare, exec and free in one call. */
PQL_API pql_status pql_query_instant(pql_engine *engine, const pql_storage *storage,
                             const char *expr, size_t len, int64_t t_ms,
                             pql_result **out, pql_error *err);
PQL_API pql_status pql_query_range(pql_engine *engine, const pql_storage *storage,
                           const char *expr, size_t len, int64_t start_ms,
                           int64_t end_ms, int64_t step_ms, pql_result **out,
                           pql_error *err);

/* ---------------------------------------------------------------- result -- */

typedef enum {
    PQL_RESULT_SCALAR = 1,
    PQL_RESULT_STRING,
    PQL_RESULT_VECTOR, /* instant vector: one sample per series */
    PQL_RESULT_MATRIX  /* range query results and range-vector values */
} pql_result_type;

PQL_API pql_result_type pql_result_get_type(const pql_result *r);
/* Scalar or string value with its timestamp. */
PQL_API void pql_result_scalar(const pql_result *r, int64_t *t_ms, double *value);
PQL_API const char *pql_result_string(const pql_result *r, int64_t *t_ms);
/* Vector: number of samples; matrix: number of series. */
PQL_API size_t pql_result_series_count(const pql_result *r);
/* Labels of sample/series i (sorted by name). */
PQL_API void pql_result_labels(const pql_result *r, size_t i, const pql_label **labels,
                       size_t *n_labels);
/* Vector sample i. */
PQL_API void pql_result_sample(const pql_result *r, size_t i, int64_t *t_ms,
                       double *value);
/* Matrix series i: parallel arrays of n points. */
PQL_API void pql_result_points(const pql_result *r, size_t i, const int64_t **t_ms,
                       const double **values, size_t *n);
/* Annotations, full Prometheus texts ("PromQL warning: ..."). */
PQL_API size_t pql_result_warning_count(const pql_result *r);
PQL_API const char *pql_result_warning(const pql_result *r, size_t i);
PQL_API size_t pql_result_info_count(const pql_result *r);
PQL_API const char *pql_result_info(const pql_result *r, size_t i);

typedef struct pql_query_stats {
    int64_t total_samples; /* samples read from storage */
    int64_t peak_samples;  /* most samples held at once */
    double parse_seconds, prepare_seconds, eval_seconds;
    /* Peak bytes of the query's working memory: the most its evaluation
     * arena (operator state, columns, sample buffers, labels) plus the
     * result being built held at once, counted as the bytes the arenas took
     * from malloc. Storage-side allocations (e.g. a store's own selection
     * lists) are not included. */
    int64_t peak_bytes;
} pql_query_stats;
PQL_API void pql_result_stats(const pql_result *r, pql_query_stats *stats);
PQL_API void pql_result_free(pql_result *r);

/* --------------------------------------------------------------- loaders -- */

/*
 * Loaders read whole data files into a pql_memstore. Each call is one
 * all-or-nothing pql_appender batch: on any error nothing from that file or
 * buffer stays in the store, which is exactly as it was before the call.
 * Parsing streams through the input a line at a time; a file is read through
 * a fixed buffer, never copied whole.
 *
 * On malformed input the call returns PQL_ERR_DATA and err->message reads
 * `<name>:<line>:<column>: <what was expected>` (line and column 1-based,
 * column counted in bytes), e.g.
 *   `data.om:12:41: expected a value after the series, got "x"`.
 * err->start / err->end are -1. Other failures: PQL_ERR_IO (cannot open or
 * read the file; the message names the file and the system's reason),
 * PQL_ERR_NOMEM, PQL_ERR_INVALID_ARGUMENT (NULL store or path).
 *
 * Formats:
 * - PQL_FORMAT_PROM_TEXT: Prometheus text exposition 0.0.4. `# HELP` and
 *   `# TYPE` lines are checked, other `#` lines and blank lines ignored. A
 *   series may appear on many lines (a history dump); timestamps are
 *   optional integer milliseconds. Label values use the exposition escapes
 *   \\, \" and \n (any other backslash pair is kept as written, as
 *   Prometheus does).
 * - PQL_FORMAT_OPENMETRICS: OpenMetrics 1.0 text, read as
 *   `promtool tsdb create-blocks-from openmetrics` stores it (Prometheus 3
 *   parser rules): `# EOF` must end the input; timestamps are float seconds
 *   truncated to milliseconds, int64(ts*1000); `_total`, `_bucket`, `_count`,
 *   `_sum` and `_created` lines are ordinary series under the name written
 *   (a `_created` line is a series whose value is the creation time);
 *   exemplars are parsed and dropped; `le` of histogram buckets and
 *   `quantile` of summaries are normalised as Prometheus 3 does ("1" ->
 *   "1.0"; Prometheus 2.x kept the text as written).
 * - PQL_FORMAT_CSV: one sample a line, `series,timestamp_ms,value`, the
 *   series in PromQL selector form with `=` matchers only
 *   (`up{job="a"}`, `{__name__="up"}`), split on the last two commas. An
 *   optional header line `series,timestamp_ms,value`, blank lines and lines
 *   starting with `#` are skipped.
 * - PQL_FORMAT_PROMQLTEST: the `load <interval>` blocks of a promqltest
 *   script: series descriptions with `_`, `stale`, `a+bxN`, `a-bxN`, `axN`
 *   and `_xN`; sample k of a line is at k * interval from time 0. Other
 *   commands (eval blocks and their expectations) are skipped; `clear` and
 *   native histograms ({{...}}) are refused.
 * - PQL_FORMAT_AUTO: by file extension (.om/.openmetrics, .prom/.txt, .csv,
 *   .test), else by content: a first line starting with `load ` means
 *   promqltest; a first sample line of the form `<series>,<int>,<value>`
 *   means CSV; input ending in `# EOF` means OpenMetrics; anything else is
 *   Prometheus text.
 *
 * Samples: within one input a series' samples must ascend in time (samples of
 * different series may interleave). A repeated timestamp with the same value
 * is dropped; with another value it is an error ("duplicate sample for
 * timestamp"), and an older one is "out of order sample" (promtool drops
 * both silently; we refuse them so the data is never quietly different).
 * Samples without a timestamp (text formats only) get the load's default
 * time: the wall clock when the call started, in ms, unless
 * pql_load_options.default_ms says otherwise (promtool refuses OpenMetrics
 * samples without a timestamp; we accept them).
 */
typedef enum {
    PQL_FORMAT_AUTO = 0,
    PQL_FORMAT_PROM_TEXT,
    PQL_FORMAT_OPENMETRICS,
    PQL_FORMAT_CSV,
    PQL_FORMAT_PROMQLTEST
} pql_format;

/* Static lower-case name of a format ("openmetrics", "csv", ...). */
PQL_API const char *pql_format_name(pql_format fmt);

/* Knobs of a load; start from pql_load_options_default(). */
typedef struct pql_load_options {
    pql_format format;  /* default PQL_FORMAT_AUTO */
    /* Time given to samples written without one; PQL_LOAD_NOW (the default)
     * means the wall clock when the call starts. */
    int64_t default_ms;
    /* The most samples one load may add, counting the positions a promqltest
     * `a+bxN` or `_xN` expands to before any memory is taken for them; a
     * load that would go past it fails with a DATA error naming the line.
     * Default (and 0) PQL_LOAD_MAX_SAMPLES; lower it for untrusted input. */
    uint64_t max_samples;
} pql_load_options;
#define PQL_LOAD_NOW INT64_MIN
#define PQL_LOAD_MAX_SAMPLES 100000000u

PQL_API pql_load_options pql_load_options_default(void);

/* What a successful load added (all zero when the input held no samples;
 * then min_ms and max_ms are 0). */
typedef struct pql_load_info {
    pql_format format; /* the format used (AUTO resolved) */
    size_t series;     /* distinct series in the input */
    size_t samples;    /* samples handed to the store (repeats dropped) */
    int64_t min_ms;    /* oldest and newest sample time */
    int64_t max_ms;
} pql_load_info;

/*
 * Loads the file at `path` in format `fmt` (PQL_FORMAT_AUTO to detect it)
 * into `store`. Messages name the file by `path` as given. Returns PQL_OK
 * with the whole file committed, or an error with the store unchanged.
 */
PQL_API pql_status pql_load_file(pql_memstore *store, const char *path,
                                 pql_format fmt, pql_error *err);

/*
 * Loads `len` bytes at `data` (need not be NUL-terminated; the caller keeps
 * it) like pql_load_file. `name` (NULL: "<buffer>") stands in for a file
 * name in messages and for AUTO detection by extension.
 */
PQL_API pql_status pql_load_buffer(pql_memstore *store, const char *name,
                                   const char *data, size_t len,
                                   pql_format fmt, pql_error *err);

/* pql_load_file and pql_load_buffer with options (NULL: the defaults) and,
 * when `info` is not NULL, a summary of what was loaded (written only on
 * success). */
PQL_API pql_status pql_load_file_ex(pql_memstore *store, const char *path,
                                    const pql_load_options *opts,
                                    pql_load_info *info, pql_error *err);
PQL_API pql_status pql_load_buffer_ex(pql_memstore *store, const char *name,
                                      const char *data, size_t len,
                                      const pql_load_options *opts,
                                      pql_load_info *info, pql_error *err);

#ifdef __cplusplus
}
#endif

#endif /* PROMQL_H */
