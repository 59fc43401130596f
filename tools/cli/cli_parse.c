/* cli_parse.c: `promql parse [--json] EXPR`: checks an expression and prints its canonical form or the error. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char parse_usage[] =
    "Usage: promql parse [--json] EXPR\n"
    "\n"
    "Parses and type-checks the PromQL expression EXPR (\"-\" reads it from\n"
    "stdin) with every language feature on, and prints its canonical form, the\n"
    "text Prometheus's String() prints for it.\n"
    "\n"
    "Options:\n"
    "  --json      print one JSON object on stdout instead:\n"
    "                {\"status\":\"success\",\"expr\":\"<canonical form>\"}\n"
    "                {\"status\":\"error\",\"error\":\"<message>\",\"start\":S,\"end\":E}\n"
    "              where S and E are byte offsets into EXPR (end exclusive) and\n"
    "              the message carries no \"line:col: parse error:\" prefix\n"
    "  -h, --help  show this help\n"
    "  --          end of options (for an EXPR that starts with \"--\")\n"
    "\n"
    "Without --json a syntax error is printed on stderr as Prometheus prints it,\n"
    "e.g. \"1:3: parse error: unexpected end of input\".\n"
    "Exit status: 0 valid, 1 invalid, 2 bad command line.\n"
    "\n"
    "Examples:\n"
    "  promql parse 'sum by(job)(rate(http_requests_total[5m]))'\n"
    "  promql parse --json 'foo{'\n"
    "  echo 'up == 1' | promql parse -\n";

/* Prints a failed parse; the message is all we have beyond the status. */
static void print_error(const pql_error *err, const char *text, bool json)
{
    if (json) {
        fputs("{\"status\":\"error\",\"error\":", stdout);
        cli_json_write_string(stdout, err->message, strlen(err->message));
        printf(",\"start\":%" PRId64 ",\"end\":%" PRId64 "}\n", err->start,
               err->end);
        return;
    }
    if (err->code != PQL_ERR_PARSE) {
        fprintf(stderr, "promql: %s%s%s\n", pql_status_text(err->code),
                err->message[0] ? ": " : "", err->message);
        return;
    }
    /* A message fits PQL_ERROR_MESSAGE_MAX; the "line:col: parse error: "
     * prefix needs a few bytes more, and the heap only if that is not enough. */
    char small[PQL_ERROR_MESSAGE_MAX + 64];
    size_t need = pql_error_format(err, text, small, sizeof small);
    if (need < sizeof small) {
        fprintf(stderr, "%s\n", small);
        return;
    }
    char *line = malloc(need + 1);
    if (line == NULL) {
        fprintf(stderr, "%s\n", small); /* truncated beats nothing */
        return;
    }
    pql_error_format(err, text, line, need + 1);
    fprintf(stderr, "%s\n", line);
    free(line);
}

int cli_print_canonical(const char *text, size_t len, bool json)
{
    pql_parse_options opts = pql_parse_options_default();
    pql_expr *expr = NULL;
    pql_error err;
    pql_error_clear(&err);
    if (pql_parse(text, len, &opts, &expr, &err) != PQL_OK) {
        print_error(&err, text, json);
        return CLI_EXIT_FAIL;
    }
    char *canonical = pql_expr_format(expr);
    pql_expr_free(expr);
    if (canonical == NULL) {
        fputs("promql: out of memory formatting the expression\n", stderr);
        return CLI_EXIT_FAIL;
    }
    if (json) {
        fputs("{\"status\":\"success\",\"expr\":", stdout);
        cli_json_write_string(stdout, canonical, strlen(canonical));
        fputs("}\n", stdout);
    } else {
        printf("%s\n", canonical);
    }
    free(canonical);
    return CLI_EXIT_OK;
}

/*
 * Options may come before or after EXPR. A lone "-" means stdin, and other
 * single-dash words ("-1", "-rate(x[1m])") are expressions, since PromQL's
 * unary minus makes them valid queries; only "--word" is taken as an option.
 */
int cli_run_expr_command(const cli_command *self, int argc, char **argv,
                         bool allow_json)
{
    bool json = false, options_done = false;
    const char *expr_arg = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && cli_is_help_flag(a)) {
            cli_print_command_help(self, stdout);
            return CLI_EXIT_OK;
        }
        if (!options_done && allow_json && strcmp(a, "--json") == 0) {
            json = true;
        } else if (!options_done && strcmp(a, "--") == 0) {
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
    int code = cli_print_canonical(text, len, json);
    free(text);
    return code;
}

static int run_parse(int argc, char **argv)
{
    return cli_run_expr_command(&cli_parse_command, argc, argv, true);
}

const cli_command cli_parse_command = {
    .name = "parse",
    .summary = "check an expression; print its canonical form or the error (--json)",
    .usage = parse_usage,
    .run = run_parse,
};
