/* cli_main.c: entry point of the `promql` command: global options, help and the subcommand dispatch table. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Every subcommand, in the order `promql --help` lists them. */
static const cli_command *const commands[] = {
    &cli_parse_command,
    &cli_fmt_command,
    &cli_query_command,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

static void print_overview(FILE *out)
{
    fputs("promql: parse, format and run PromQL queries (libpromql " PQL_VERSION ")\n"
          "\n"
          "Usage:\n"
          "  promql <command> [options] [arguments]\n"
          "  promql help [command]\n"
          "  promql --version\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
    fputs("  help     show this help, or a command's help\n"
          "\n"
          "Exit status: 0 success, 1 the query was rejected or an i/o error,\n"
          "2 bad command line.\n"
          "Run `promql <command> --help` for a command's options.\n",
          out);
}

void cli_print_command_help(const cli_command *cmd, FILE *out)
{
    fputs(cmd->usage, out);
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "promql %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    /* The synopsis (the help's first line) and a pointer to the rest keep
     * the mistake itself on screen. */
    const char *eol = strchr(cmd->usage, '\n');
    int synopsis_len = eol ? (int)(eol - cmd->usage) : (int)strlen(cmd->usage);
    fprintf(stderr, "\n%.*s\nRun `promql %s --help` for details.\n", synopsis_len,
            cmd->usage, cmd->name);
    return CLI_EXIT_USAGE;
}

bool cli_is_help_flag(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* `promql help [command]`: help was asked for, so it goes to stdout. */
static int run_help(int argc, char **argv)
{
    if (argc < 2 || (argc == 2 && cli_is_help_flag(argv[1]))) {
        print_overview(stdout);
        return CLI_EXIT_OK;
    }
    const cli_command *cmd = find_command(argv[1]);
    if (cmd == NULL || argc > 2) {
        if (cmd == NULL)
            fprintf(stderr, "promql help: unknown command \"%s\"\n\n", argv[1]);
        else
            fputs("promql help: too many arguments\n\n", stderr);
        print_overview(stderr);
        return CLI_EXIT_USAGE;
    }
    cli_print_command_help(cmd, stdout);
    return CLI_EXIT_OK;
}

/* Output goes through stdio buffers; a full disk or closed pipe only shows up
 * when they are flushed, and must not end in exit status 0. */
static int finish(int code)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("promql: error writing to stdout\n", stderr);
        return code == CLI_EXIT_OK ? CLI_EXIT_FAIL : code;
    }
    return code;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("promql: missing command\n\n", stderr);
        print_overview(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (cli_is_help_flag(first)) {
        print_overview(stdout);
        return finish(CLI_EXIT_OK);
    }
    if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0) {
        printf("promql (libpromql) %s\n", PQL_VERSION);
        return finish(CLI_EXIT_OK);
    }
    if (strcmp(first, "help") == 0)
        return finish(run_help(argc - 1, argv + 1));

    const cli_command *cmd = find_command(first);
    if (cmd == NULL) {
        if (first[0] == '-')
            fprintf(stderr, "promql: unknown option \"%s\"\n\n", first);
        else
            fprintf(stderr, "promql: unknown command \"%s\"\n\n", first);
        print_overview(stderr);
        return CLI_EXIT_USAGE;
    }
    return finish(cmd->run(argc - 1, argv + 1));
}
