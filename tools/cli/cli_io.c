/* cli_io.c: reads the command's inputs (an expression from argv or stdin) into memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/*
 * Reads stdin to the end, but never more than `cap` bytes: a query longer than
 * the parser's limit is rejected by the parser anyway, and `promql parse - <
 * /dev/zero` must not eat all memory first.
 */
static bool read_stdin(size_t cap, char **text, size_t *len)
{
    size_t size = 0, alloc = 4096;
    char *buf = malloc(alloc);
    if (buf == NULL)
        goto nomem;
    for (;;) {
        if (size + 1 >= alloc) { /* keep one byte for the NUL */
            size_t grown = alloc * 2;
            char *p = realloc(buf, grown);
            if (p == NULL)
                goto nomem;
            buf = p;
            alloc = grown;
        }
        size_t want = alloc - 1 - size;
        if (want > cap - size)
            want = cap - size;
        size_t got = fread(buf + size, 1, want, stdin);
        size += got;
        if (got < want || size == cap)
            break;
    }
    if (ferror(stdin)) {
        fprintf(stderr, "promql: error reading stdin: %s\n", strerror(errno));
        free(buf);
        return false;
    }
    buf[size] = '\0';
    *text = buf;
    *len = size;
    return true;
nomem:
    free(buf);
    fputs("promql: out of memory reading stdin\n", stderr);
    return false;
}

bool cli_read_expr(const char *arg, char **text, size_t *len)
{
    if (strcmp(arg, "-") == 0) {
        size_t limit = pql_parse_options_default().max_query_bytes;
        /* One byte over the limit is enough for the parser to say "too long". */
        return read_stdin(limit + 1, text, len);
    }
    size_t n = strlen(arg);
    char *copy = malloc(n + 1);
    if (copy == NULL) {
        fputs("promql: out of memory\n", stderr);
        return false;
    }
    memcpy(copy, arg, n + 1);
    *text = copy;
    *len = n;
    return true;
}
