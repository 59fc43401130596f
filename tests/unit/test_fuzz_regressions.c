/* test_fuzz_regressions.c: replays every saved fuzzer finding in fuzz/regressions/parse/ through the fuzzer's round-trip check. */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../fuzz/parse_roundtrip.h"

#ifndef PQL_SOURCE_DIR
#error "PQL_SOURCE_DIR must name the source tree (tests/CMakeLists.txt sets it)"
#endif

#define REGRESSIONS_DIR PQL_SOURCE_DIR "/fuzz/regressions/parse"

/* Reads a whole file; NULL on error. Inputs are raw fuzzer bytes, NULs and
 * all, so the length is returned separately. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *grown = realloc(buf, cap * 2);
        if (grown == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Only the inputs count: not the README, not editor or OS dotfiles. */
static bool is_input_file(const char *name)
{
    return name[0] != '.' && strcmp(name, "README.md") != 0;
}

Test(fuzz_regressions, parse_roundtrip)
{
    DIR *dir = opendir(REGRESSIONS_DIR);
    cr_assert_not_null(dir, "cannot open %s", REGRESSIONS_DIR);
    size_t replayed = 0;
    struct dirent *ent;
    while ((ent = readdir(dir)) != NULL) {
        if (!is_input_file(ent->d_name))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", REGRESSIONS_DIR, ent->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        size_t len = 0;
        char *data = read_file(path, &len);
        cr_expect_not_null(data, "cannot read %s", path);
        if (data == NULL)
            continue;
        char why[8192];
        bool ok = parse_roundtrip_check(data, len, why, sizeof why);
        cr_expect(ok, "%s: %s", ent->d_name, ok ? "" : why);
        free(data);
        replayed++;
    }
    closedir(dir);
    cr_log_info("replayed %zu fuzz regression input(s)", replayed);
}
