/* test_matcher.c: label matchers (Prometheus semantics, fast paths against RE2)
 * and the RE2 shim's label_replace expansion. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "matcher.h"
#include "promql.h"
#include "regex_shim.h"

/* Compiles one matcher or fails the test. */
static void tm_compile(matcher *m, pql_match_type type, const char *name,
                       const char *value, int flags)
{
    pql_matcher src = {name, type, value, strlen(value)};
    pql_error err;
    pql_error_clear(&err);
    pql_status st = matcher_compile(m, &src, flags, &err);
    cr_assert_eq(st, PQL_OK, "compile %s: %s", value, err.message);
}

static int tm_match(pql_match_type type, const char *pattern, const char *s)
{
    matcher m;
    tm_compile(&m, type, "l", pattern, 0);
    int r = matcher_matches(&m, s, strlen(s));
    matcher_release(&m);
    return r;
}

static int tm_regex(const char *pattern, const char *s)
{
    return tm_match(PQL_MATCH_REGEX, pattern, s);
}

/* 1 when the selector-style conjunction accepts the label set. */
static int tm_set_matches(const pql_matcher *ms, size_t n,
                          const pql_label *labels, size_t n_labels)
{
    matcher_set *set = NULL;
    pql_error err;
    cr_assert_eq(matcher_set_new(ms, n, 0, &set, &err), PQL_OK, "%s",
                 err.message);
    int r = matcher_set_matches(set, labels, n_labels);
    matcher_set_free(set);
    return r;
}

#define PM(t, n, v)                                                            \
    {                                                                          \
        (n), (t), (v), sizeof(v) - 1                                           \
    }

Test(matcher, equality_and_missing_labels)
{
    const pql_label with_a[] = {{"__name__", "m"}, {"a", "x"}};
    const pql_label without_a[] = {{"__name__", "m"}, {"b", "y"}};

    pql_matcher eq_x[] = {PM(PQL_MATCH_EQUAL, "a", "x")};
    cr_expect(tm_set_matches(eq_x, 1, with_a, 2));
    cr_expect(!tm_set_matches(eq_x, 1, without_a, 2));

    /* A missing label equals the empty string. */
    pql_matcher eq_empty[] = {PM(PQL_MATCH_EQUAL, "a", "")};
    cr_expect(!tm_set_matches(eq_empty, 1, with_a, 2));
    cr_expect(tm_set_matches(eq_empty, 1, without_a, 2));

    pql_matcher ne_empty[] = {PM(PQL_MATCH_NOT_EQUAL, "a", "")};
    cr_expect(tm_set_matches(ne_empty, 1, with_a, 2));
    cr_expect(!tm_set_matches(ne_empty, 1, without_a, 2));

    pql_matcher ne_x[] = {PM(PQL_MATCH_NOT_EQUAL, "a", "x")};
    cr_expect(!tm_set_matches(ne_x, 1, with_a, 2));
    cr_expect(tm_set_matches(ne_x, 1, without_a, 2));

    pql_matcher re_any[] = {PM(PQL_MATCH_REGEX, "a", ".*")};
    cr_expect(tm_set_matches(re_any, 1, with_a, 2));
    cr_expect(tm_set_matches(re_any, 1, without_a, 2));

    pql_matcher re_plus[] = {PM(PQL_MATCH_REGEX, "a", ".+")};
    cr_expect(tm_set_matches(re_plus, 1, with_a, 2));
    cr_expect(!tm_set_matches(re_plus, 1, without_a, 2));

    pql_matcher nre_x[] = {PM(PQL_MATCH_NOT_REGEX, "a", "x|z")};
    cr_expect(!tm_set_matches(nre_x, 1, with_a, 2));
    cr_expect(tm_set_matches(nre_x, 1, without_a, 2));

    /* `a=~""` is `a` absent; `a!~""` is `a` present. */
    pql_matcher re_empty[] = {PM(PQL_MATCH_REGEX, "a", "")};
    cr_expect(!tm_set_matches(re_empty, 1, with_a, 2));
    cr_expect(tm_set_matches(re_empty, 1, without_a, 2));
    pql_matcher nre_empty[] = {PM(PQL_MATCH_NOT_REGEX, "a", "")};
    cr_expect(tm_set_matches(nre_empty, 1, with_a, 2));
    cr_expect(!tm_set_matches(nre_empty, 1, without_a, 2));

    /* Conjunction. */
    pql_matcher both[] = {PM(PQL_MATCH_EQUAL, "__name__", "m"),
                          PM(PQL_MATCH_REGEX, "b", "y|w")};
    cr_expect(!tm_set_matches(both, 2, with_a, 2));
    cr_expect(tm_set_matches(both, 2, without_a, 2));
}

Test(matcher, matches_empty_is_precomputed)
{
    matcher m;
    tm_compile(&m, PQL_MATCH_REGEX, "a", "x*", 0);
    cr_expect_eq(m.matches_empty, 1);
    matcher_release(&m);
    tm_compile(&m, PQL_MATCH_NOT_REGEX, "a", "x*", 0);
    cr_expect_eq(m.matches_empty, 0);
    matcher_release(&m);
    tm_compile(&m, PQL_MATCH_NOT_EQUAL, "a", "x", 0);
    cr_expect_eq(m.matches_empty, 1);
    matcher_release(&m);
}

Test(matcher, regex_is_fully_anchored)
{
    cr_expect(tm_regex("foo", "foo"));
    cr_expect(!tm_regex("foo", "xfoo"));
    cr_expect(!tm_regex("foo", "foox"));
    cr_expect(!tm_regex("fo[o]", "xfoo"));
    cr_expect(!tm_regex("fo[o]", "foox"));
    cr_expect(tm_regex("a|b", "b"));
    cr_expect(!tm_regex("a|b", "ab"));
    /* The wrapper groups the whole alternation: `^(?:a|b)$`, not `^a|b$`. */
    cr_expect(!tm_regex("a|b[c]", "ax"));
    cr_expect(!tm_regex("x[a]|b", "bb"));
}

Test(matcher, dot_matches_newline)
{
    cr_expect(tm_regex("a.b", "a\nb"));
    cr_expect(tm_regex(".*", "line1\nline2"));
    cr_expect(tm_regex(".+", "\n"));
    cr_expect(tm_regex("foo.*", "foo\nbar"));
    cr_expect(tm_regex(".*bar", "foo\nbar"));
    cr_expect(tm_regex("[a-z]+.[a-z]+", "ab\ncd"));
    /* A user flag can still switch it off inside the wrapper. */
    cr_expect(!tm_regex("(?-s)a.b", "a\nb"));
}

Test(matcher, case_insensitive)
{
    cr_expect(tm_regex("(?i)foo", "FoO"));
    cr_expect(tm_regex("(?i:PRO).*", "production"));
    cr_expect(tm_regex(".*(?i:TION)", "production"));
    cr_expect(!tm_regex("(?i:PRO).*", "xproduction"));
    cr_expect(!tm_regex("foo", "FOO"));
    cr_expect(tm_regex("(?i)a|b", "B"));
}

Test(matcher, not_regex)
{
    cr_expect(!tm_match(PQL_MATCH_NOT_REGEX, "api-.+", "api-server"));
    cr_expect(tm_match(PQL_MATCH_NOT_REGEX, "api-.+", "api-"));
    cr_expect(tm_match(PQL_MATCH_NOT_REGEX, "api-.+", "xapi-server"));
}

Test(matcher, values_with_nul_bytes)
{
    matcher m;
    pql_matcher src = {"a", PQL_MATCH_EQUAL, "x\0y", 3};
    pql_error err;
    cr_assert_eq(matcher_compile(&m, &src, 0, &err), PQL_OK);
    cr_expect(matcher_matches(&m, "x\0y", 3));
    cr_expect(!matcher_matches(&m, "x", 1));
    matcher_release(&m);
}

Test(matcher, fast_paths_are_taken)
{
    static const char *fast[] = {"foo",
                                 "a|b|c",
                                 "",
                                 ".*",
                                 ".+",
                                 "foo.*",
                                 ".*foo",
                                 ".*foo.*",
                                 ".+-server",
                                 "api-.+",
                                 "(a|b)",
                                 "(?:a|b)",
                                 "foo\\.bar",
                                 ".*a.*b.*",
                                 "a|",
                                 "x.*y",
                                 "(.*foo.*|.*bar.*)"};
    for (size_t i = 0; i < sizeof fast / sizeof *fast; i++) {
        matcher m;
        tm_compile(&m, PQL_MATCH_REGEX, "l", fast[i], 0);
        cr_expect_not_null(m.fast, "no fast path for %s", fast[i]);
        cr_expect_null(m.re, "RE2 kept for %s", fast[i]);
        matcher_release(&m);
    }
    static const char *slow[] = {"(?i)foo", "a?",   "[ab]", "a*",
                                 "(a)(b)",  ".",    ".*?",  "^foo",
                                 "foo$",    "\\d+", "a{2}", "(a|b)c"};
    for (size_t i = 0; i < sizeof slow / sizeof *slow; i++) {
        matcher m;
        tm_compile(&m, PQL_MATCH_REGEX, "l", slow[i], 0);
        cr_expect_null(m.fast, "unexpected fast path for %s", slow[i]);
        cr_expect_not_null(m.re);
        matcher_release(&m);
    }
}

Test(matcher, literal_set_is_exposed_sorted)
{
    matcher m;
    tm_compile(&m, PQL_MATCH_REGEX, "l", "ccc|a|bb|a", 0);
    const char *const *vals;
    const size_t *lens;
    size_t n = matcher_literal_set(&m, &vals, &lens);
    cr_assert_eq(n, 4);
    cr_expect_eq(lens[0], 1);
    cr_expect(memcmp(vals[0], "a", 1) == 0);
    cr_expect(memcmp(vals[1], "a", 1) == 0);
    cr_expect(memcmp(vals[2], "bb", 2) == 0);
    cr_expect(memcmp(vals[3], "ccc", 3) == 0);
    cr_expect(matcher_matches(&m, "bb", 2));
    cr_expect(!matcher_matches(&m, "b", 1));
    matcher_release(&m);

    tm_compile(&m, PQL_MATCH_REGEX, "l", "a.*", 0);
    cr_expect_eq(matcher_literal_set(&m, &vals, &lens), 0);
    matcher_release(&m);
}

/* Fast paths and RE2 must agree on every pattern and string. */
Test(matcher, fast_paths_agree_with_re2)
{
    static const char *patterns[] = {"",
                                     "foo",
                                     "foo|bar",
                                     "foo|",
                                     "|foo",
                                     "a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q",
                                     ".*",
                                     ".+",
                                     ".*.*",
                                     ".+.+",
                                     ".*.+",
                                     ".+.*.+",
                                     "foo.*",
                                     "foo.+",
                                     ".*foo",
                                     ".+foo",
                                     ".*foo.*",
                                     ".+foo.+",
                                     ".*foo.+",
                                     ".+foo.*",
                                     "foo.*bar",
                                     "foo.+bar",
                                     "foo.*bar.*baz",
                                     ".*a.*b.*",
                                     ".+a.+b.+",
                                     "a.*a",
                                     "aa.*aa",
                                     "ab.+ab",
                                     "(foo|bar)",
                                     "(?:foo|bar)",
                                     "(.*foo)",
                                     "foo\\.bar",
                                     "foo\\|bar",
                                     "\\(x\\)",
                                     "\\.\\*",
                                     ".*é.*",
                                     "é.+",
                                     ".+é",
                                     "(.*foo.*|.*bar.*)",
                                     "x|.*y",
                                     ".*-.*-.*",
                                     ".+-server",
                                     "api-.+",
                                     "\\\\"};
    static const char *strings[] = {
        "",           "f",       "foo",       "bar",      "foobar",
        "barfoo",     "xfoox",   "foofoo",    "foo\nbar", "fooXbar",
        "foobarbaz",  "foo.bar", "fooxbar",   "foo|bar",  "(x)",
        ".*",         "a",       "aa",        "aaa",      "aaaa",
        "ab",         "abab",    "abxab",     "ba",       "aXb",
        "é",          "éé",      "xéx",       "\xff",     "\xffé\xff",
        "a\xe2\x82",  "y",       "xy",        "a-b-c",    "--",
        "api-server", "api-",    "db-server", "-server",  "q",
        "p",          "\\"};
    for (size_t p = 0; p < sizeof patterns / sizeof *patterns; p++) {
        matcher fast, slow;
        tm_compile(&fast, PQL_MATCH_REGEX, "l", patterns[p], 0);
        tm_compile(&slow, PQL_MATCH_REGEX, "l", patterns[p],
                   MATCHER_NO_FASTPATH);
        cr_expect_not_null(fast.fast, "no fast path for %s", patterns[p]);
        for (size_t s = 0; s < sizeof strings / sizeof *strings; s++) {
            size_t len = strlen(strings[s]);
            /* RE2's `.` skips invalid UTF-8 where Go's matches U+FFFD; our
             * fast path follows Go, so compare only valid strings. */
            int valid = strcmp(strings[s], "\xff") != 0 &&
                        strcmp(strings[s], "\xffé\xff") != 0 &&
                        strcmp(strings[s], "a\xe2\x82") != 0;
            if (!valid)
                continue;
            cr_expect_eq(matcher_matches(&fast, strings[s], len),
                         matcher_matches(&slow, strings[s], len),
                         "pattern %s on \"%s\"", patterns[p], strings[s]);
        }
        matcher_release(&fast);
        matcher_release(&slow);
    }
}

Test(matcher, fast_path_reads_invalid_utf8_as_go_does)
{
    /* Go decodes each invalid byte as U+FFFD, which `.` matches. */
    cr_expect(tm_regex(".+", "\xff"));
    cr_expect(tm_regex(".+.+", "\xff\xff"));
    cr_expect(!tm_regex(".+.+.+", "\xff\xff"));
    cr_expect(tm_regex(".+.+", "é\xff"));
    cr_expect(!tm_regex(".+.+", "é"));
    cr_expect(tm_regex(".*", "\xff\xfe"));
    /* A pure literal with invalid UTF-8 is accepted unparsed, as in
     * Prometheus. */
    cr_expect(tm_regex("\xff", "\xff"));
}

Test(matcher, invalid_regex_errors_read_like_go)
{
    static const struct {
        const char *pattern;
        const char *message;
    } cases[] = {
        {"(", "error parsing regexp: missing closing ): `(`"},
        {"a(b", "error parsing regexp: missing closing ): `a(b`"},
        {"[a", "error parsing regexp: missing closing ]: `[a`"},
        {"*", "error parsing regexp: missing argument to repetition "
              "operator: `*`"},
        {"a**", "error parsing regexp: invalid nested repetition operator: "
                "`**`"},
        {"\\C", "error parsing regexp: invalid escape sequence: `\\C`"},
        {"x{1001}", "error parsing regexp: invalid repeat count: `{1001}`"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        matcher m;
        pql_matcher src = {"a", PQL_MATCH_REGEX, cases[i].pattern,
                           strlen(cases[i].pattern)};
        pql_error err;
        pql_error_clear(&err);
        cr_expect_neq(matcher_compile(&m, &src, 0, &err), PQL_OK);
        cr_expect_str_eq(err.message, cases[i].message);
    }
    /* Valid only once wrapped: label matchers reject it (bare parse)... */
    matcher m;
    pql_matcher src = {"a", PQL_MATCH_REGEX, ")|(", 3};
    pql_error err;
    cr_expect_neq(matcher_compile(&m, &src, 0, &err), PQL_OK);
    cr_expect_str_eq(err.message, "error parsing regexp: unexpected ): `)|(`");
    /* ...while label_replace() compiles only the wrapped form. */
    char msg[256];
    regex_prog *re = regex_prog_compile(")|(", 3, 0, msg, sizeof msg);
    cr_expect_not_null(re);
    regex_prog_free(re);
    re = regex_prog_compile(")|(", 3, REGEX_CHECK_BARE, msg, sizeof msg);
    cr_expect_null(re);
}

Test(matcher, set_new_reports_first_error_and_leaks_nothing)
{
    pql_matcher ms[] = {PM(PQL_MATCH_REGEX, "a", "x.*"),
                        PM(PQL_MATCH_REGEX, "b", "(")};
    matcher_set *set = (matcher_set *)1;
    pql_error err;
    cr_expect_eq(matcher_set_new(ms, 2, 0, &set, &err),
                 PQL_ERR_INVALID_ARGUMENT);
    cr_expect_null(set);
    cr_expect_str_eq(err.message,
                     "error parsing regexp: missing closing ): `(`");
}

/* ------------------------------------------------------ label_replace -- */

/* label_replace()'s regex step: returns the expansion or NULL (no match). */
static char *tm_replace(const char *pattern, const char *src, const char *tmpl)
{
    char msg[256];
    regex_prog *re =
        regex_prog_compile(pattern, strlen(pattern), 0, msg, sizeof msg);
    cr_assert_not_null(re, "%s: %s", pattern, msg);
    char *out = NULL;
    size_t len = 0;
    int rc = regex_prog_replace(re, src, strlen(src), tmpl, strlen(tmpl), &out,
                                &len);
    regex_prog_free(re);
    cr_assert_neq(rc, -1);
    if (rc == 0)
        return NULL;
    cr_assert_eq(len, strlen(out));
    return out;
}

static void tm_expect_replace(const char *pattern, const char *src,
                              const char *tmpl, const char *want)
{
    char *got = tm_replace(pattern, src, tmpl);
    cr_assert_not_null(got, "%s did not match %s", pattern, src);
    cr_expect_str_eq(got, want, "pattern %s src %s tmpl %s", pattern, src,
                     tmpl);
    free(got);
}

Test(regex_expand, numbered_and_braced_groups)
{
    tm_expect_replace("(.*)-(.*)", "api-server", "$2/$1", "server/api");
    tm_expect_replace("(.*)-(.*)", "api-server", "${1}x", "apix");
    tm_expect_replace("(.*)-(.*)", "api-server", "$0", "api-server");
    /* `$1x` names group "1x", which does not exist: empty. */
    tm_expect_replace("(.*)-(.*)", "api-server", "$1x", "");
    tm_expect_replace("(.*)", "abc", "<$1>", "<abc>");
}

Test(regex_expand, named_groups)
{
    tm_expect_replace("(?P<host>[^:]+):(?P<port>\\d+)", "db:5432",
                      "$port@$host", "5432@db");
    tm_expect_replace("(?P<host>[^:]+):(?P<port>\\d+)", "db:5432", "${host}_x",
                      "db_x");
    tm_expect_replace("(?P<host>[^:]+):(?P<port>\\d+)", "db:5432", "$nope|",
                      "|");
}

Test(regex_expand, missing_unmatched_and_malformed)
{
    /* Group out of range. */
    tm_expect_replace("(a)", "a", "[$2]", "[]");
    /* Group that did not take part. */
    tm_expect_replace("(a)|(b)", "b", "[$1][$2]", "[][b]");
    /* `$$` is a dollar; a lone or malformed `$` stays literal. */
    tm_expect_replace("(a)", "a", "$$1", "$1");
    tm_expect_replace("(a)", "a", "cost: $", "cost: $");
    tm_expect_replace("(a)", "a", "${1", "${1");
    tm_expect_replace("(a)", "a", "$-", "$-");
    /* Leading zeros make a name, not a number. */
    tm_expect_replace("(a)", "a", "$01", "");
    /* Non-ASCII letters continue a name, as in Go. */
    tm_expect_replace("(a)", "a", "$1é", "");
}

Test(regex_expand, anchoring_and_dot_newline)
{
    cr_expect_null(tm_replace("a(.*)", "xab", "$1"));
    tm_expect_replace("a(.*)", "ab\nc", "$1", "b\nc");
    /* An empty source matches patterns that accept "". */
    tm_expect_replace("(.*)", "", "x$1", "x");
    cr_expect_null(tm_replace("(.+)", "", "x"));
}

Test(regex_expand, find_submatch_offsets)
{
    char msg[128];
    regex_prog *re = regex_prog_compile("(a+)(b)?", 8, 0, msg, sizeof msg);
    cr_assert_not_null(re);
    cr_expect_eq(regex_prog_group_count(re), 2);
    ptrdiff_t off[6];
    cr_expect_eq(regex_prog_find_submatch(re, "aa", 2, off, 6), 1);
    cr_expect_eq(off[0], 0);
    cr_expect_eq(off[1], 2);
    cr_expect_eq(off[2], 0);
    cr_expect_eq(off[3], 2);
    cr_expect_eq(off[4], -1);
    cr_expect_eq(off[5], -1);
    cr_expect_eq(regex_prog_find_submatch(re, "aac", 3, off, 6), 0);
    regex_prog_free(re);
}
