/* engine.c: engine options and the engine object, which only holds them. */
#include <stdio.h>
#include <stdlib.h>

#include "query_internal.h"

pql_engine_options pql_engine_options_default(void)
{
    pql_engine_options o;
    o.lookback_delta_ms = 5 * 60 * 1000;
    o.max_samples = 50000000;
    o.max_memory_bytes = 0;
    o.timeout_ms = 0;
    o.default_step_ms = 60 * 1000;
    o.enable_delayed_name_removal = 1;
    o.parse = pql_parse_options_default();
    o.enable_start_timestamps = 0;
    return o;
}

pql_status pql_engine_new(const pql_engine_options *opts, pql_engine **out,
                          pql_error *err)
{
    if (!out) {
        if (err) {
            pql_error_clear(err);
            err->code = PQL_ERR_INVALID_ARGUMENT;
            snprintf(err->message, sizeof(err->message), "out is NULL");
        }
        return PQL_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    pql_engine_options o = opts ? *opts : pql_engine_options_default();
    /* Prometheus treats a zero lookback as "use the default". */
    if (o.lookback_delta_ms <= 0)
        o.lookback_delta_ms = 5 * 60 * 1000;
    if (o.default_step_ms <= 0)
        o.default_step_ms = 60 * 1000;
    pql_engine *e = malloc(sizeof(*e));
    if (!e) {
        if (err) {
            pql_error_clear(err);
            err->code = PQL_ERR_NOMEM;
            snprintf(err->message, sizeof(err->message), "out of memory");
        }
        return PQL_ERR_NOMEM;
    }
    e->opts = o;
    *out = e;
    return PQL_OK;
}

void pql_engine_free(pql_engine *engine)
{
    free(engine);
}
