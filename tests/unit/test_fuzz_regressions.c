/* test_fuzz_regressions.c: replays every saved fuzzer finding in fuzz/regressions/<harness>/ through that harness's own check. */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../fuzz/load_check.h"
#include "../../fuzz/parse_roundtrip.h"

#ifndef PQL_SOURCE_DIR
#error "PQL_SOURCE_DIR must name the source tree (tests/CMakeLists.txt sets it)"
#endif

#define REGRESSIONS_DIR PQL_SOURCE_DIR "/fuzz/regressions"

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

typedef bool (*input_check)(const char *data, size_t len, char *why, size_t cap);

/* Runs every input file of fuzz/regressions/<harness>/ through check. A
 * harness without saved findings has no folder; that replays nothing. */
static void replay(const char *harness, input_check check)
{
    char dir_path[4096];
    snprintf(dir_path, sizeof dir_path, "%s/%s", REGRESSIONS_DIR, harness);
    DIR *dir = opendir(dir_path);
    if (dir == NULL) {
        cr_log_info("no saved findings for %s", harness);
        return;
    }
    size_t replayed = 0;
    struct dirent *ent;
    while ((ent = readdir(dir)) != NULL) {
        if (!is_input_file(ent->d_name))
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir_path, ent->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        size_t len = 0;
        char *data = read_file(path, &len);
        cr_expect_not_null(data, "cannot read %s", path);
        if (data == NULL)
            continue;
        char why[8192];
        bool ok = check(data, len, why, sizeof why);
        cr_expect(ok, "%s/%s: %s", harness, ent->d_name, ok ? "" : why);
        free(data);
        replayed++;
    }
    closedir(dir);
    cr_log_info("replayed %zu %s regression input(s)", replayed, harness);
}

static bool check_parse(const char *data, size_t len, char *why, size_t cap)
{
    return parse_roundtrip_check(data, len, why, cap);
}

static bool check_load(const char *data, size_t len, char *why, size_t cap)
{
    return load_check((const uint8_t *)data, len, why, cap);
}

Test(fuzz_regressions, parse_roundtrip)
{
    replay("parse", check_parse);
}

Test(fuzz_regressions, load)
{
    replay("load", check_load);
}
