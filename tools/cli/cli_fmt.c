/* cli_fmt.c: `promql fmt EXPR`: prints an expression in Prometheus's canonical form. */
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

/* Same argument rules as `promql parse`, without --json. */
static int run_fmt(int argc, char **argv)
{
    return cli_run_expr_command(&cli_fmt_command, argc, argv, false);
}

const cli_command cli_fmt_command = {
    .name = "fmt",
    .summary = "print an expression in canonical form",
    .usage = fmt_usage,
    .run = run_fmt,
};
