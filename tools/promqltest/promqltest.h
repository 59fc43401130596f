/* promqltest.h: types and calls shared by the pieces of the promqltest
 * conformance runner. */
#ifndef PROMQLTEST_H
#define PROMQLTEST_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "promql.h"

/* ------------------------------------------------------------ util.c -- */

/* A bump allocator: everything one script needs lives until pt_pool_free. */
typedef struct pt_pool pt_pool;
pt_pool *pt_pool_new(void);
void pt_pool_free(pt_pool *pool);
/* Zeroed memory; aborts the program when out of memory (a test tool). */
void *pt_pool_alloc(pt_pool *pool, size_t size);
char *pt_pool_strndup(pt_pool *pool, const char *s, size_t len);
void *pt_pool_memdup(pt_pool *pool, const void *p, size_t size);

/* Growable NUL-terminated text buffer for messages. */
typedef struct sbuf {
    char *data;
    size_t len, cap;
} sbuf;
void pt_sbuf_append(sbuf *b, const char *s, size_t len);
void pt_sbuf_puts(sbuf *b, const char *s);
void pt_sbuf_printf(sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands the text over (malloc'd, never NULL) and resets the buffer. */
char *pt_sbuf_take(sbuf *b);
void pt_sbuf_free(sbuf *b);

/* xmalloc-style helpers: abort on out of memory. */
void *pt_xmalloc(size_t size);
void *pt_xrealloc(void *p, size_t size);
char *pt_xstrdup(const char *s);

/*
 * Prometheus duration syntax (model.ParseDuration): "1h30m", "5m", "0".
 * Returns 0 and the value in ms, or -1 with a static reason in *why.
 */
int pt_dur_parse(const char *s, size_t len, int64_t *ms, const char **why);

/* Relative float comparison exactly as upstream's almost.Equal, eps 1e-6. */
int pt_almost_equal(double a, double b);

/* Go's %v of a float64 (shortest round-trip text, +Inf, -Inf, NaN). */
void pt_fmt_float(sbuf *b, double v);
/* Prometheus ordering of label sets (labels.Compare); arrays sorted by name. */
int pt_labels_compare(const pql_label *a, size_t na, const pql_label *b,
                      size_t nb);
/* `name{a="b", c="d"}`, `{}` when empty. */
void pt_fmt_labels(sbuf *b, const pql_label *labels, size_t n);
/* Go-quoted string ("a\"b"). */
void pt_fmt_quoted(sbuf *b, const char *s);
/* `1.5` seconds for 1500 ms, with exactly three decimals: upstream's
 * rendering of an @ timestamp. */
void pt_fmt_at_time(sbuf *b, int64_t ms);
/* Readable duration for messages: "5m", "1h30s", "0s", "-1m". */
void pt_fmt_duration(sbuf *b, int64_t ms);

/* Text matcher of `expect ... msg:`/`regex:` and legacy expected_fail_*. */
typedef struct text_match {
    const char *message; /* exact match when set */
    regex_t *regex;      /* unanchored search when set */
    const char *pattern; /* the regex text, for messages */
} text_match;
/* 1 when `s` satisfies m; a match with neither message nor regex matches
 * anything. */
int pt_text_match_check(const text_match *m, const char *s);
/* Compiles an RE2-style pattern with POSIX ERE (translating \d, \s, \w and a
 * leading (?i)); returns NULL when it does not compile. Free with
 * pt_regex_free. */
regex_t *pt_regex_compile(const char *pattern);
void pt_regex_free(regex_t *re);

/* ------------------------------------------------------ series_desc.c -- */

typedef enum {
    SV_FLOAT = 0, /* value (stale markers are floats with the stale bits) */
    SV_OMITTED,   /* `_`: no sample at this position */
    SV_HISTOGRAM  /* `{{...}}`: parsed, kept as text, not loadable yet */
} seq_value_kind;

typedef struct seq_value {
    double value;
    const char *hist; /* the histogram item's text for messages */
    uint32_t hist_len;
    uint8_t kind;
} seq_value;

/* One `<series> <values>` line of a load block or an expectation. */
typedef struct series_desc {
    pql_label *labels; /* sorted by name, empty values dropped */
    size_t n_labels;
    seq_value *values;
    size_t n_values;
    int has_histogram;
    /* From the @st line before it, or NULL: per value position the start
     * timestamp offset (ms, added to the sample's time) where st_set[k]. */
    const int64_t *st_offsets;
    const uint8_t *st_set;
} series_desc;

/*
 * Parses a series description line: `metric{a="b"} 1 2+3x4 _ stale {{...}}`.
 * Returns 0 on success; -1 with a message in err (cap bytes) otherwise.
 * All memory comes from pool.
 */
int pt_desc_parse(const char *line, size_t len, pt_pool *pool, series_desc *out,
                  char *err, size_t cap);
/* Parses only the series part (`metric{a="b"}`), the whole of s. */
int pt_desc_parse_labels(const char *s, size_t len, pt_pool *pool,
                         series_desc *out, char *err, size_t cap);
/* Counts the positions of an @st offset sequence (`_ -30s-1mx2`) after
 * validating it; -1 with err on a bad item. */
int pt_desc_parse_st_sequence(const char *s, size_t len, size_t *count,
                              char *err, size_t cap);
/* Also expands it: *offsets / *has get *count entries from pool (offset of
 * each position; has = 0 for `_` positions, which carry no ST). */
int pt_desc_expand_st_sequence(const char *s, size_t len, pt_pool *pool,
                               size_t *count, int64_t **offsets,
                               uint8_t **has, char *err, size_t cap);
/* Upstream's parseNumber for scalar expectation lines: base-0 integer, else
 * a float; the whole string must be consumed. 0 on success. */
int pt_desc_parse_number(const char *s, double *out);
/* Go's strconv.Unquote for `expect string`: "..", `..` or '.'. */
int pt_desc_unquote(const char *s, size_t len, pt_pool *pool, const char **out,
                    size_t *out_len);

/* ----------------------------------------------------- script_parse.c -- */

typedef enum {
    EXPECT_ORDERED = 0,
    EXPECT_FAIL,
    EXPECT_WARN,
    EXPECT_NO_WARN,
    EXPECT_INFO,
    EXPECT_NO_INFO,
    EXPECT_KINDS
} expect_kind;

/* An expected series of an eval with its 1-based position among the
 * block's result lines (for `expect ordered`). */
typedef struct expected_series {
    series_desc desc;
    int pos;
} expected_series;

typedef struct eval_cmd {
    const char *expr;
    int is_range;
    int64_t start_ms, end_ms,
        step_ms;          /* range evals and `expect range vector` */
    int64_t eval_ms;      /* instant evals: the evaluation time */
    int has_range_vector; /* instant eval with `expect range vector` */
    int legacy_fail, legacy_warn, legacy_info, legacy_ordered;
    text_match legacy_fail_match;
    text_match *expects[EXPECT_KINDS];
    size_t n_expects[EXPECT_KINDS];
    int expect_scalar;
    seq_value scalar;
    expected_series *series; /* sorted by labels, unique */
    size_t n_series;
    int expect_string;
    const char *string;
    size_t string_len;
    int exclude_from_range; /* `expect range vector` / `expect string` */
    int wants_histograms;   /* some expected value is a native histogram */
} eval_cmd;

typedef struct load_cmd {
    int64_t interval_ms;
    int with_nhcb;
    series_desc *series; /* later lines for the same labels already merged */
    size_t n_series;
    int has_histograms; /* some value is a native histogram (not loadable) */
    int has_start_timestamps; /* @st lines present */
} load_cmd;

typedef enum { CMD_CLEAR = 1, CMD_LOAD, CMD_EVAL } command_kind;

typedef struct command {
    command_kind kind;
    int line;         /* 1-based line of the command's header */
    const char *text; /* the header line as written */
    load_cmd load;
    eval_cmd eval;
} command;

typedef struct script {
    const char *path;
    const char *name; /* basename, the key used in expected-failure lists */
    command *cmds;
    size_t n_cmds;
    int error_line;    /* > 0 when the script did not parse */
    const char *error; /* message of that error */
    pt_pool *pool;
    regex_t **regexes; /* compiled patterns to release */
    size_t n_regexes;
} script;

/* Reads and parses one file. Returns 0, or -1 when the file cannot be read
 * (message in err). A script error is not a -1: it is recorded in
 * out->error_line / out->error and out->cmds holds nothing. */
int pt_script_load(const char *path, script *out, char *err, size_t cap);
void pt_script_free(script *s);

/* ------------------------------------------------------------ runner.c -- */

typedef struct case_outcome {
    const char *file; /* script basename */
    int line;
    const char *title; /* the eval header line or "load"/"script" */
    int passed;
    const char *detail; /* failure: the full readable report */
    const char *reason; /* failure: a short placeholder reason */
} case_outcome;

typedef void (*case_sink)(void *ctx, const case_outcome *outcome);

typedef struct run_options {
    const char *filter; /* run only evals whose "file:line expr" contains it */
    int verbose;
    int trace;     /* print every query executed to stderr */
    int max_lines; /* cap on printed result lines per side */
} run_options;

/* Engine settings of upstream's test engine. */
pql_engine_options pt_run_engine_options(void);

/* Executes a parsed script against a fresh store; reports every case. */
void pt_run_script(const script *s, pql_engine *engine, const run_options *opts,
                   case_sink sink, void *ctx);

/* -------------------------------------------------------- at_rewrite.c -- */

/*
 * Builds upstream's @-modifier invariance text for `expr` at eval time t_ms:
 * the canonical form with `@ <t>` added to every selector and subquery that
 * has none (nothing inside subqueries is touched). Returns 1 and a malloc'd
 * text in *out; 0 when no extra runs apply (the expression calls a function
 * whose value depends on the evaluation time, or it does not parse); -1 with
 * a malloc'd message in *out when the rewrite cannot be built.
 */
int pt_at_rewrite(const char *expr, int64_t t_ms, char **out);

#endif /* PROMQLTEST_H */
