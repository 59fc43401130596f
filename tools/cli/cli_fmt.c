/* cli_fmt.c: `promql fmt EXPR`: prints an expression in Prometheus's canonical form. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char fmt_usage[] =
    "Usage: promql fmt EXPR\n"
    "\n"
    "Prints the PromQL expression EXPR (\"-\" reads it from stdin) in its\n"
    "canonical form, the text Prometheus's String() prints for it: one line,\n"
    "normalised spacing, keywords in lower case, `by (...)` before the\n"
    "arguments. An invalid expression prints the error on stderr as Prometheus\n"
    "does (\"1:3: parse error: unexpected end of input\").\n"
    "\n"
    "Options:\n"
    "  -h, --help  show this help\n"
    "  --          end of options (for an EXPR that starts with \"--\")\n"
    "\n"
    "Exit status: 0 formatted, 1 invalid expression, 2 bad command line.\n"
    "\n"
    "Example:\n"
    "  promql fmt 'SUM(rate(x[5m]))BY(job)'   # sum by (job) (rate(x[5m]))\n";

static int run_fmt(int argc, char **argv)
{
    const cli_command *self = &cli_fmt_command;
    bool options_done = false;
    const char *expr_arg = NULL;
    /* Same argument rules as `promql parse`: only "--word" is an option. */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && cli_is_help_flag(a)) {
            cli_print_command_help(self, stdout);
            return CLI_EXIT_OK;
        }
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
        } else if (!options_done && strncmp(a, "--", 2) == 0) {
            return cli_usage_error(self, "unknown option \"%s\"", a);
        } else if (expr_arg == NULL) {
            expr_arg = a;
        } else {
            return cli_usage_error(self, "expected one EXPR, got another: \"%s\"", a);
        }
    }
    if (expr_arg == NULL)
        return cli_usage_error(self, "missing EXPR");

    char *text;
    size_t len;
    if (!cli_read_expr(expr_arg, &text, &len))
        return CLI_EXIT_FAIL;
    int code = cli_print_canonical(text, len, false);
    free(text);
    return code;
}

const cli_command cli_fmt_command = {
    .name = "fmt",
    .summary = "print an expression in canonical form",
    .usage = fmt_usage,
    .run = run_fmt,
};
