/* cli.h: what the `promql` command's subcommands share: the command table entry, exit codes and helpers. */
#ifndef PQL_CLI_H
#define PQL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "promql.h"

#ifndef PQL_VERSION
#define PQL_VERSION "0.1.0" /* CMake may pass the project version instead */
#endif

/* Exit codes, the same for every subcommand so scripts can tell a bad query
 * (1) from a bad command line (2). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,  /* the query was rejected, or an i/o error */
    CLI_EXIT_USAGE = 2  /* unknown subcommand, bad option, missing argument */
};

/*
 * One subcommand. Each lives in its own cli_<name>.c and exports one of these;
 * cli_main.c lists them in its dispatch table, so a new subcommand is a new
 * file plus one line there.
 */
typedef struct cli_command {
    const char *name;
    const char *summary; /* one line for `promql --help` */
    const char *usage;   /* full help text: synopsis, options, examples */
    /* argv[0] is the subcommand name; returns an exit code. */
    int (*run)(int argc, char **argv);
} cli_command;

extern const cli_command cli_parse_command;
extern const cli_command cli_fmt_command;
extern const cli_command cli_query_command;

/* Prints the command's help text to `out`. */
void cli_print_command_help(const cli_command *cmd, FILE *out);

/* Reports a command-line mistake on stderr: "promql <cmd>: <message>", the
 * command's synopsis and where to find its help. Returns CLI_EXIT_USAGE so
 * callers can `return` it. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* True for -h and --help. */
bool cli_is_help_flag(const char *arg);

/*
 * Reads the EXPR argument: the text itself, or all of stdin when it is "-".
 * On success stores a malloc'd, NUL-terminated copy in *text and its length
 * in *len (stdin may hold NUL bytes, so len is authoritative) and returns
 * true; on failure prints why on stderr and returns false.
 */
bool cli_read_expr(const char *arg, char **text, size_t *len);

/*
 * Parses `text` with every feature on. On success prints the canonical form
 * (and a newline) on stdout, as plain text or as the JSON success object; on a
 * parse error prints it on stderr as Prometheus does (`1:5: parse error: ...`)
 * or, with `json`, the JSON error object on stdout. Returns an exit code.
 */
int cli_print_canonical(const char *text, size_t len, bool json);

/* The shared body of `promql parse` and `promql fmt`: reads one EXPR
 * argument (options: --help, --, and --json when allow_json), prints its
 * canonical form or the error, and returns the exit code. */
int cli_run_expr_command(const cli_command *self, int argc, char **argv,
                         bool allow_json);

/*
 * Writes `s` (len bytes) as a JSON string literal, quotes included: `"` and
 * `\` are escaped, control characters become \u00XX, valid UTF-8 passes
 * through and each byte of an invalid sequence becomes U+FFFD, so the output
 * is always valid JSON.
 */
void cli_json_write_string(FILE *out, const char *s, size_t len);

#endif
