/* loader_internal.h: what the format parsers share with the loader core: the line context, label building, the series table and error reporting. */
#ifndef PQL_LOADER_INTERNAL_H
#define PQL_LOADER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "promql.h"

/* One label under construction: offsets into load_labels.text, which may
 * move while it grows. */
typedef struct load_label_ref {
    size_t name_off, name_len;
    size_t value_off, value_len;
} load_label_ref;

/* The labels of the series on the current line, decoded. */
typedef struct load_labels {
    load_label_ref *refs;
    size_t n, cap;
    char *text;
    size_t text_len, text_cap;
} load_labels;

/* A series of the input: its labels, the samples not yet handed to the
 * appender, and the newest sample so far for order checks. */
typedef struct load_series {
    pql_label *labels; /* sorted, in the loader's arena */
    size_t n_labels;
    const char *key; /* canonical encoding, for equality */
    size_t key_len;
    uint64_t hash;
    int64_t *ts;
    double *v;
    size_t n, cap;
    int has_last;
    int64_t last_ts;
    double last_v;
    size_t first_line; /* where it first appeared, for appender errors */
    size_t first_col;
} load_series;

/* Hash table slot: hash and entry index + 1 (0 = empty). */
typedef struct load_slot {
    uint64_t hash;
    uint32_t idx1;
} load_slot;

typedef struct load_table {
    load_slot *slots;
    size_t mask, count;
} load_table;

/* A raw-text cache entry: the series text exactly as written (plus a tag
 * byte for parser context), so a repeated line skips label parsing. */
typedef struct load_raw {
    const char *text;
    size_t len;
    uint32_t series;
} load_raw;

/* Format-specific parser state. */
typedef struct load_state {
    int metric_type;    /* LOAD_TYPE_* of the last # TYPE (text formats) */
    int seen_eof;       /* OpenMetrics: `# EOF` was read */
    int in_load;        /* promqltest: inside a load block */
    int64_t gap_ms;     /* promqltest: interval of the current block */
    uint64_t expanded;  /* promqltest: positions expanded so far, all lines */
    int csv_first_line; /* CSV: no line read yet */
} load_state;

enum {
    LOAD_TYPE_UNKNOWN = 0,
    LOAD_TYPE_COUNTER,
    LOAD_TYPE_GAUGE,
    LOAD_TYPE_HISTOGRAM,
    LOAD_TYPE_GAUGEHISTOGRAM,
    LOAD_TYPE_SUMMARY,
    LOAD_TYPE_INFO,
    LOAD_TYPE_STATESET
};

typedef struct load_ctx {
    const char *name; /* file name for messages */
    pql_format format;
    int64_t default_ms;
    pql_error *err;
    int failed;

    /* The current line (without its newline) and its 1-based number. */
    const char *line;
    size_t line_len;
    size_t line_no;

    uint64_t max_samples; /* pql_load_options.max_samples */
    load_state st;
    load_labels lbl;

    arena mem; /* labels, keys and raw texts */
    load_series *series;
    size_t n_series, cap_series;
    load_table by_key;
    load_raw *raws;
    size_t n_raws, cap_raws;
    load_table by_raw;
    char *keybuf;
    size_t keybuf_cap;

    pql_memstore *store;
    pql_appender *app;
    size_t n_samples;
    int has_range;
    int64_t min_ms, max_ms;
} load_ctx;

/* Records `<name>:<line>:<col>: <message>` (col 1-based, from `at`, a
 * pointer into the current line or one past its end) and returns -1. */
int load_fail_at(load_ctx *c, const char *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Records a failure that is not about the input (out of memory). */
int load_fail_nomem(load_ctx *c);
/* Writes at most `max` bytes of s (len bytes) as a Go %q-like quoted text
 * into out, for messages; returns out. */
const char *load_quote(const char *s, size_t len, char *out, size_t cap);

/* Go's strconv.ParseFloat syntax as Prometheus's parsers accept it (decimal
 * or Inf/NaN words; no hex, no underscores). 0 on success, -1 on bad text,
 * -2 when out of range. */
int load_parse_float(const char *s, size_t len, double *out);
/* strconv.ParseInt(s, 10, 64). 0 on success, -1 bad text, -2 out of range. */
int load_parse_int(const char *s, size_t len, int64_t *out);
/* model.ParseDuration ("1h30m", "15s", "0") in ms; 0 or -1. */
int load_parse_duration(const char *s, size_t len, int64_t *ms);

/* Label building for the current line. */
void load_labels_reset(load_labels *l);
/* Adds a label; the value is appended later with load_labels_value_*.
 * 0 or -1 (out of memory, recorded). */
int load_labels_add_name(load_ctx *c, const char *name, size_t len);
int load_labels_value_append(load_ctx *c, const char *s, size_t len);
/* Appends bytes to the label text without attaching them to a label;
 * stores their offset in *off. 0 or -1. */
int load_labels_text(load_ctx *c, const char *s, size_t len, size_t *off);
/* Replaces the value of the last label (used for le/quantile). */
int load_labels_value_set(load_ctx *c, const char *s, size_t len);

/* Looks up the series whose raw text (tag byte + bytes) was seen before;
 * returns its index or -1. */
long load_series_find_raw(load_ctx *c, int tag, const char *raw, size_t len);
/* Turns the labels built in c->lbl into a series (new or existing, found by
 * label set) and caches the raw text for it. `at` is where the series starts
 * on the line (for messages). Returns the index or -1 after an error. */
long load_series_intern(load_ctx *c, int tag, const char *raw, size_t len,
                        const char *at);
/* Adds one sample to series idx; checks order against its newest sample.
 * `at` points at the timestamp (or value) for messages. 0 or -1. */
int load_sample(load_ctx *c, long idx, int64_t t, double v, const char *at);

/* The format parsers: one call per line; 0 or -1 after recording an error.
 * finish is called after the last line. */
int load_prom_line(load_ctx *c);
int load_prom_finish(load_ctx *c);
int load_csv_line(load_ctx *c);
int load_promqltest_line(load_ctx *c);

/* PromQL-style quoted string at s (", ' or `) with Go escapes, appended to
 * the last label's value (or, when as_name, used as a name). Returns bytes
 * consumed, or 0 after recording an error. */
size_t load_read_promql_string(load_ctx *c, const char *s, size_t len,
                               int as_name);
/* PromQL-style series `name{a="b", ...}` or `{__name__="x"}` at s; spaces
 * allowed between tokens. Fills c->lbl; returns bytes consumed or 0 after
 * an error. */
size_t load_read_promql_series(load_ctx *c, const char *s, size_t len);

#endif
