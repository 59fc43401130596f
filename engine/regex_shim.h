/* regex_shim.h: C interface to RE2 with Prometheus's anchoring, flags and
 * Go-worded errors. */
#ifndef PQL_REGEX_SHIM_H
#define PQL_REGEX_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A compiled pattern; immutable after compilation, so one program may be
 * used by several threads at once (RE2 is thread-safe for matching). */
typedef struct regex_prog regex_prog;

/* Also reject a pattern that is invalid on its own even though the wrapped
 * form parses (e.g. `)|(`): label matchers parse the bare pattern first,
 * label_replace() compiles only the wrapped one. */
#define REGEX_CHECK_BARE 1

/*
 * Compiles `pattern` (len bytes, may hold NULs) as Prometheus does:
 * `^(?s:pattern)$` in RE2/Go syntax, so `.` matches a newline and the match
 * is anchored at both ends. Returns NULL on a syntax error or when out of
 * memory, with a NUL-terminated message in errbuf (when errcap > 0) worded as
 * Go's regexp package words it: "error parsing regexp: missing closing ):
 * `(a`". The caller frees the program with regex_prog_free.
 */
regex_prog *regex_prog_compile(const char *pattern, size_t len, int flags,
                               char *errbuf, size_t errcap);

void regex_prog_free(regex_prog *re);

/* 1 when s (len bytes) matches the anchored pattern, else 0. */
int regex_prog_match(const regex_prog *re, const char *s, size_t len);

/* Number of capture groups, not counting the whole match. */
int regex_prog_group_count(const regex_prog *re);

/*
 * Finds the leftmost match in s as Go's FindStringSubmatchIndex does and
 * stores byte offsets in offsets[0..2*(groups+1)): pairs (start, end) for the
 * whole match and each group, -1 for a group that did not take part. n_offsets
 * must be at least 2*(regex_prog_group_count(re)+1). Returns 1 on a match, 0
 * when there is none, -1 when out of memory.
 */
int regex_prog_find_submatch(const regex_prog *re, const char *s, size_t len,
                             ptrdiff_t *offsets, size_t n_offsets);

/*
 * Expands `tmpl` as Go's Regexp.ExpandString: `$1`, `${1}`, `$name`,
 * `${name}` become the text of that group (empty when missing or unmatched),
 * `$$` is a `$`, a malformed `$` stays literal. offsets come from
 * regex_prog_find_submatch over the same src. Returns a malloc'd NUL-terminated
 * string (length in *out_len) the caller frees, or NULL when out of memory.
 */
char *regex_prog_expand(const regex_prog *re, const char *tmpl, size_t tmpl_len,
                        const char *src, size_t src_len,
                        const ptrdiff_t *offsets, size_t *out_len);

/*
 * label_replace()'s step: when src matches, stores the expansion of tmpl in
 * *out (malloc'd, caller frees; length in *out_len) and returns 1; returns 0
 * without touching *out when src does not match; -1 when out of memory.
 */
int regex_prog_replace(const regex_prog *re, const char *src, size_t src_len,
                       const char *tmpl, size_t tmpl_len, char **out,
                       size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif
