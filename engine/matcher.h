/* matcher.h: compiled label matchers (=, !=, =~, !~) with Prometheus's
 * semantics and regex fast paths. */
#ifndef PQL_MATCHER_H
#define PQL_MATCHER_H

#include <stddef.h>

#include "promql.h"

struct regex_prog;
struct matcher_fast;

/*
 * One compiled matcher. A label that is missing is tested as the empty
 * string, so `{a=""}` selects series without `a` and `{a!=""}` those with it.
 * Regexes are anchored at both ends and `.` matches a newline, as in
 * Prometheus 3. The strings and programs belong to the matcher (or to the
 * matcher_set it lives in); everything is plain malloc, released by
 * matcher_release / matcher_set_free.
 */
typedef struct matcher {
    char *name; /* NUL-terminated copy */
    pql_match_type type;
    char *value;           /* copy of the value or pattern, NUL-terminated */
    size_t value_len;      /* may contain NULs: compare by length */
    int matches_empty;     /* what the matcher says about a missing label */
    struct regex_prog *re; /* RE2 program, NULL when a fast path decides */
    struct matcher_fast *fast; /* literal/glob fast path or NULL */
} matcher;

/* Compile switches (bit flags). */
#define MATCHER_NO_FASTPATH 1 /* always run RE2 (tests compare the two) */

/*
 * Compiles one matcher into *m. On failure (invalid regex, out of memory)
 * returns non-OK with err written in Go's wording ("error parsing regexp:
 * ..."), and *m holds nothing to release.
 */
pql_status matcher_compile(matcher *m, const pql_matcher *src, int flags,
                           pql_error *err);
void matcher_release(matcher *m);

/* Tests one value (len bytes; s may be NULL when len is 0). */
int matcher_matches(const matcher *m, const char *s, size_t len);

/* The value of label `name` in a sorted label set, or NULL when absent. */
const char *matcher_label_value(const pql_label *labels, size_t n_labels,
                                const char *name);

/*
 * For a regex matcher whose pattern is exactly a set of literals (`a|b|c`,
 * `(x|y)`, `foo`), the number of literals; *values / *lens (valid while the
 * matcher lives) list them. 0 for any other matcher. A storage can look these
 * up directly instead of scanning every value of the label.
 */
size_t matcher_literal_set(const matcher *m, const char *const **values,
                           const size_t **lens);

/* A conjunction of matchers, as in one vector selector. */
typedef struct matcher_set {
    size_t n;
    matcher items[];
} matcher_set;

/* Compiles n matchers into a new set (malloc'd; free with matcher_set_free).
 * On failure *out stays NULL and err holds the first matcher's error. */
pql_status matcher_set_new(const pql_matcher *ms, size_t n, int flags,
                           matcher_set **out, pql_error *err);
void matcher_set_free(matcher_set *set);

/* 1 when every matcher accepts the sorted label set. */
int matcher_set_matches(const matcher_set *set, const pql_label *labels,
                        size_t n_labels);

#endif
