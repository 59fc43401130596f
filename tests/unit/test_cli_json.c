/* test_cli_json.c: the promql command's JSON string escaping (tools/cli/cli_json.c), byte by byte. */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The CLI is not part of the library, so its one pure helper is compiled
 * into the test directly; the rest of the CLI is tested through the binary
 * (tests/cli/run_cli_tests.sh). */
#include "../../tools/cli/cli_json.c"

/* Returns what cli_json_write_string writes for `len` bytes of `s`; free() it. */
static char *escaped(const char *s, size_t len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    cr_assert_not_null(out);
    cli_json_write_string(out, s, len);
    fclose(out);
    return buf;
}

static void expect_escaped(const char *s, size_t len, const char *want)
{
    char *got = escaped(s, len);
    cr_expect_str_eq(got, want);
    free(got);
}
#define EXPECT(lit, want) expect_escaped((lit), sizeof(lit) - 1, (want))

Test(cli_json, plain_ascii_is_quoted)
{
    EXPECT("", "\"\"");
    EXPECT("sum by (job) (x)", "\"sum by (job) (x)\"");
}

Test(cli_json, quotes_and_backslashes)
{
    EXPECT("a\"b", "\"a\\\"b\"");
    EXPECT("a\\b", "\"a\\\\b\"");
    EXPECT("\"\\\"", "\"\\\"\\\\\\\"\"");
}

Test(cli_json, control_characters_become_u00xx)
{
    EXPECT("\n", "\"\\u000a\"");
    EXPECT("a\tb\rc", "\"a\\u0009b\\u000dc\"");
    EXPECT("\x01\x1f", "\"\\u0001\\u001f\"");
    /* NUL inside the string is data, not the end. */
    EXPECT("a\0b", "\"a\\u0000b\"");
    /* DEL is not a JSON control character. */
    EXPECT("\x7f", "\"\x7f\"");
}

Test(cli_json, valid_utf8_passes_through)
{
    EXPECT("Z\xc3\xbcrich", "\"Z\xc3\xbcrich\"");            /* 2 bytes */
    EXPECT("\xe2\x82\xac", "\"\xe2\x82\xac\"");               /* 3 bytes */
    EXPECT("\xf0\x9f\x9a\x80", "\"\xf0\x9f\x9a\x80\"");       /* 4 bytes */
    EXPECT("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");       /* U+10FFFF */
}

Test(cli_json, invalid_utf8_becomes_replacement_characters)
{
    EXPECT("\xff", "\"\\ufffd\"");
    EXPECT("a\x80z", "\"a\\ufffdz\"");             /* lone continuation */
    EXPECT("\xc3", "\"\\ufffd\"");                 /* truncated at the end */
    EXPECT("\xc3(", "\"\\ufffd(\"");               /* bad continuation */
    EXPECT("\xc0\xaf", "\"\\ufffd\\ufffd\"");      /* overlong '/' */
    EXPECT("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\""); /* overlong 3-byte */
    EXPECT("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate D800 */
    EXPECT("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
}
