/* main.c: the promqltest command line: finds scripts, runs them, applies the
 * expected-failures list and prints the summary. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "promqltest.h"

static const char *const usage =
    "usage: promqltest [options] PATH...\n"
    "Runs Prometheus test scripts (*.test files, or every *.test file in a\n"
    "folder, sorted) against libpromql.\n"
    "  --expected-failures FILE        cases allowed to fail, one per line:\n"
    "                                  `<file basename>:<line> <reason>`\n"
    "  --write-expected-failures FILE  write the failing cases in that form\n"
    "  --filter SUBSTR                 run only evals whose \"file:line "
    "expr\"\n"
    "                                  contains SUBSTR\n"
    "  --verbose                       also list passing and expected "
    "failures\n"
    "  --trace                         print every query executed to stderr\n"
    "  --parse-only                    only parse the scripts; count evals\n"
    "The last line is `N passed, N failed[, N expected failures]`; the exit\n"
    "status is 0 iff nothing failed unexpectedly.\n";

static const char *const list_header =
    "# Expected failures of promqltest: one case per line,\n"
    "#   <file basename>:<line> <reason>\n"
    "# where <line> is the line of the case's eval (or load) command. A "
    "listed\n"
    "# case that fails is counted as an expected failure; one that passes, or\n"
    "# that does not exist, fails the run so the list never goes stale.\n"
    "# Lines starting with # are comments.\n";

/* ------------------------------------------------------ expected list -- */

typedef struct xfail_entry {
    char *file;
    int line;
    char *reason;
    int seen; /* the case ran (passed or failed) in this run */
} xfail_entry;

typedef struct xfail_list {
    xfail_entry *v;
    size_t n;
} xfail_list;

static int xfail_cmp(const void *pa, const void *pb)
{
    const xfail_entry *a = pa, *b = pb;
    int c = strcmp(a->file, b->file);
    return c ? c : (a->line > b->line) - (a->line < b->line);
}

static int xfail_load(const char *path, xfail_list *out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "promqltest: cannot open %s\n", path);
        return -1;
    }
    char buf[4096];
    int lineno = 0, rc = 0;
    size_t cap = 0;
    while (fgets(buf, sizeof buf, f)) {
        lineno++;
        char *p = buf;
        while (*p == ' ' || *p == '\t')
            p++;
        p[strcspn(p, "\r\n")] = '\0';
        if (!*p || *p == '#')
            continue;
        char *colon = strchr(p, ':');
        char *end = NULL;
        long line = colon ? strtol(colon + 1, &end, 10) : 0;
        if (!colon || colon == p || end == colon + 1 || line <= 0 ||
            (*end && *end != ' ' && *end != '\t')) {
            fprintf(stderr, "%s:%d: expected `<file>:<line> <reason>`\n", path,
                    lineno);
            rc = -1;
            continue;
        }
        while (*end == ' ' || *end == '\t')
            end++;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 64;
            out->v = pt_xrealloc(out->v, cap * sizeof *out->v);
        }
        xfail_entry *e = &out->v[out->n++];
        *colon = '\0';
        e->file = pt_xstrdup(p);
        e->line = (int)line;
        e->reason = pt_xstrdup(end);
        e->seen = 0;
    }
    fclose(f);
    if (out->n)
        qsort(out->v, out->n, sizeof *out->v, xfail_cmp);
    return rc;
}

static xfail_entry *xfail_find(xfail_list *l, const char *file, int line)
{
    xfail_entry key = {(char *)file, line, NULL, 0};
    return l->n ? bsearch(&key, l->v, l->n, sizeof *l->v, xfail_cmp) : NULL;
}

static void xfail_free(xfail_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].file);
        free(l->v[i].reason);
    }
    free(l->v);
}

/* ---------------------------------------------------------- reporting -- */

typedef struct tally {
    long passed, failed, expected_failures;
} tally;

typedef struct run_state {
    int verbose;
    int have_list;
    xfail_list list;
    tally file, total;
    long unexpected_passes;
    sbuf notes;   /* unexpected passes, printed before the summary */
    sbuf written; /* failures for --write-expected-failures */
} run_state;

static void on_case(void *ctx, const case_outcome *o)
{
    run_state *st = ctx;
    xfail_entry *e = xfail_find(&st->list, o->file, o->line);
    if (e)
        e->seen = 1;
    if (o->passed) {
        st->file.passed++;
        if (e) {
            st->unexpected_passes++;
            pt_sbuf_printf(&st->notes,
                           "unexpectedly passed, remove from the list: %s:%d\n",
                           o->file, o->line);
        }
        if (st->verbose)
            printf("ok    %s:%d: %s\n", o->file, o->line, o->title);
        return;
    }
    pt_sbuf_printf(&st->written, "%s:%d %s\n", o->file, o->line, o->reason);
    if (e) {
        st->file.expected_failures++;
        if (st->verbose)
            printf("xfail %s:%d: %s (%s)\n", o->file, o->line, o->title,
                   e->reason);
        return;
    }
    st->file.failed++;
    printf("FAIL  %s:%d: %s\n%s", o->file, o->line, o->title, o->detail);
    fflush(stdout);
}

static void print_tally(const tally *t, int with_expected)
{
    printf("%ld passed, %ld failed", t->passed, t->failed);
    if (with_expected)
        printf(", %ld expected failures", t->expected_failures);
    printf("\n");
}

/* ---------------------------------------------------------------- files -- */

typedef struct path_list {
    char **v;
    size_t n, cap;
} path_list;

static void paths_add(path_list *l, char *p)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = pt_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = p;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int collect_paths(const char *path, path_list *out)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "promqltest: %s: no such file or folder\n", path);
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        paths_add(out, pt_xstrdup(path));
        return 0;
    }
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "promqltest: cannot read folder %s\n", path);
        return -1;
    }
    size_t first = out->n;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n <= 5 || strcmp(de->d_name + n - 5, ".test") != 0)
            continue;
        sbuf p = {0};
        pt_sbuf_printf(&p, "%s/%s", path, de->d_name);
        paths_add(out, pt_sbuf_take(&p));
    }
    closedir(d);
    if (out->n > first)
        qsort(out->v + first, out->n - first, sizeof *out->v, str_cmp);
    return 0;
}

/* ----------------------------------------------------------- parse-only -- */

static int parse_only(const path_list *paths, int verbose)
{
    long evals = 0, errors = 0, unparsable = 0;
    for (size_t i = 0; i < paths->n; i++) {
        script s;
        char err[512];
        if (pt_script_load(paths->v[i], &s, err, sizeof err)) {
            fprintf(stderr, "promqltest: %s\n", err);
            errors++;
            continue;
        }
        if (s.error_line) {
            printf("%s:%d: %s\n", s.name, s.error_line, s.error);
            errors++;
            pt_script_free(&s);
            continue;
        }
        long instant = 0, range = 0, loads = 0, bad = 0;
        for (size_t k = 0; k < s.n_cmds; k++) {
            const command *c = &s.cmds[k];
            if (c->kind == CMD_LOAD) {
                loads++;
                continue;
            }
            if (c->kind != CMD_EVAL)
                continue;
            if (c->eval.is_range)
                range++;
            else
                instant++;
            /* Upstream parses every expression with the script; count the
             * ones our parser refuses. */
            pql_expr *e = NULL;
            pql_error perr;
            if (pql_parse(c->eval.expr, strlen(c->eval.expr), NULL, &e,
                          &perr) != PQL_OK) {
                bad++;
                if (verbose)
                    printf("  %s:%d: does not parse: %s: %s\n", s.name, c->line,
                           c->eval.expr, perr.message);
            }
            pql_expr_free(e);
        }
        printf("%s: %ld evals (%ld instant, %ld range), %ld loads, %ld "
               "expressions do not parse\n",
               s.name, instant + range, instant, range, loads, bad);
        evals += instant + range;
        unparsable += bad;
        pt_script_free(&s);
    }
    printf("%ld evals in %zu files, %ld script errors, %ld expressions do not "
           "parse\n",
           evals, paths->n, errors, unparsable);
    return errors ? 1 : 0;
}

/* ----------------------------------------------------------------- main -- */

int main(int argc, char **argv)
{
    const char *list_path = NULL, *write_path = NULL;
    run_options opts = {NULL, 0, 0, 25};
    int only_parse = 0;
    path_list paths = {0};
    int bad_args = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--expected-failures") == 0 && i + 1 < argc)
            list_path = argv[++i];
        else if (strcmp(a, "--write-expected-failures") == 0 && i + 1 < argc)
            write_path = argv[++i];
        else if (strcmp(a, "--filter") == 0 && i + 1 < argc)
            opts.filter = argv[++i];
        else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)
            opts.verbose = 1;
        else if (strcmp(a, "--trace") == 0)
            opts.trace = 1;
        else if (strcmp(a, "--parse-only") == 0)
            only_parse = 1;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "promqltest: unknown option %s\n", a);
            bad_args = 1;
        } else if (collect_paths(a, &paths))
            bad_args = 1;
    }
    if (bad_args || paths.n == 0) {
        fputs(usage, stderr);
        return 2;
    }
    if (opts.verbose)
        opts.max_lines = 1000;
    if (only_parse) {
        int rc = parse_only(&paths, opts.verbose);
        for (size_t i = 0; i < paths.n; i++)
            free(paths.v[i]);
        free(paths.v);
        return rc;
    }

    run_state st = {0};
    st.verbose = opts.verbose;
    if (list_path) {
        if (xfail_load(list_path, &st.list))
            return 2;
        st.have_list = 1;
    }
    pql_engine_options eopts = pt_run_engine_options();
    pql_engine *engine = NULL;
    pql_error err;
    pql_error_clear(&err);
    if (pql_engine_new(&eopts, &engine, &err) != PQL_OK) {
        fprintf(stderr, "promqltest: cannot create the engine: %s\n",
                err.message);
        return 2;
    }

    char **names = pt_xmalloc(paths.n * sizeof *names);
    size_t n_names = 0;
    for (size_t i = 0; i < paths.n; i++) {
        script s;
        char msg[512];
        memset(&st.file, 0, sizeof st.file);
        if (pt_script_load(paths.v[i], &s, msg, sizeof msg)) {
            printf("FAIL  %s\n", msg);
            st.total.failed++;
            continue;
        }
        names[n_names++] = pt_xstrdup(s.name);
        pt_run_script(&s, engine, &opts, on_case, &st);
        printf("%s: ", s.name);
        print_tally(&st.file, st.have_list);
        st.total.passed += st.file.passed;
        st.total.failed += st.file.failed;
        st.total.expected_failures += st.file.expected_failures;
        pt_script_free(&s);
    }
    pql_engine_free(engine);

    /* Listed cases of the files that ran must all exist (unless a filter
     * hid some of them). */
    long missing = 0;
    for (size_t i = 0; i < st.list.n && !opts.filter; i++) {
        xfail_entry *e = &st.list.v[i];
        if (e->seen)
            continue;
        for (size_t k = 0; k < n_names; k++) {
            if (strcmp(names[k], e->file) == 0) {
                pt_sbuf_printf(&st.notes,
                               "listed case does not exist, remove from the "
                               "list: %s:%d\n",
                               e->file, e->line);
                missing++;
                break;
            }
        }
    }
    for (size_t k = 0; k < n_names; k++)
        free(names[k]);
    free(names);

    int write_failed = 0;
    if (write_path) {
        FILE *f = fopen(write_path, "w");
        if (f) {
            fputs(list_header, f);
            if (st.written.len)
                fputs(st.written.data, f);
            write_failed = fclose(f) != 0;
        } else {
            write_failed = 1;
        }
        if (write_failed)
            fprintf(stderr, "promqltest: cannot write %s\n", write_path);
    }
    if (st.notes.len)
        fputs(st.notes.data, stdout);
    print_tally(&st.total, st.have_list);

    int ok = st.total.failed == 0 && st.unexpected_passes == 0 &&
             missing == 0 && !write_failed;
    pt_sbuf_free(&st.notes);
    pt_sbuf_free(&st.written);
    xfail_free(&st.list);
    for (size_t i = 0; i < paths.n; i++)
        free(paths.v[i]);
    free(paths.v);
    return ok ? 0 : 1;
}
