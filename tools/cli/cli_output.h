/* cli_output.h: what `promql query` hands its output writers (JSON, table, CSV) and the number formatting they share. */
#ifndef PQL_CLI_OUTPUT_H
#define PQL_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "promql.h"

/* Everything an output writer needs to know about one query run. */
typedef struct cli_query_run {
    const char *expr;
    bool is_range;
    int64_t time_ms;                  /* instant queries */
    int64_t start_ms, end_ms, step_ms; /* range queries */
    const pql_result *result;         /* NULL when the query failed */
    /* On failure: Prometheus's errorType ("bad_data", "execution", ...) and
     * the full message as the HTTP API words it. */
    const char *error_type;
    const char *error;
    bool stats;         /* --stats: add the stats object */
    double load_seconds; /* time spent loading the data files */
} cli_query_run;

/* The writers; each returns an exit code. */
int cli_output_json(FILE *out, const cli_query_run *run);
int cli_output_table(FILE *out, const cli_query_run *run);
int cli_output_csv(FILE *out, const cli_query_run *run);

/*
 * Go's strconv.FormatFloat(v, fmt, -1, 64) for fmt 'f', 'e' or 'g': the
 * shortest digits that read back as v. NaN is "NaN", infinities "+Inf" and
 * "-Inf". `out` needs 32 bytes for 'e'/'g' and 330 for 'f'.
 */
void cli_format_go_float(double v, char fmt, char *out, size_t cap);

/* A sample value as the HTTP API writes it (without quotes): 'f' format,
 * 'e' below 1e-6 and from 1e21 on. */
void cli_format_value(double v, char *out, size_t cap);

/* A millisecond timestamp as the HTTP API's marshalTimestamp writes it:
 * whole seconds, then "." and exactly three digits unless the milliseconds
 * are 0 (1704067200500 -> "1704067200.500", 1704067200000 ->
 * "1704067200"). */
void cli_format_timestamp(int64_t t_ms, char *out, size_t cap);

/* Writes a label set as PromQL selector text: name{a="b", c="d"}. */
void cli_write_series_name(FILE *out, const pql_label *labels, size_t n);

#endif
