/* load_check.h: the load-whole-or-fail-cleanly check shared by fuzz_load.c and the fuzz regression tests. */
#ifndef PQL_LOAD_CHECK_H
#define PQL_LOAD_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "promql.h"

/*
 * The first byte of `data` picks the format (prom text, OpenMetrics, CSV,
 * promqltest); the rest is loaded into a store that already holds one
 * series. A failed load must carry a message and leave the store exactly as
 * it was; a successful one must not lose samples and must be queryable.
 * Returns true when all of that holds; otherwise writes what broke into
 * `why` (NUL-terminated) and returns false. Frees everything it allocated.
 */
static inline bool load_check(const uint8_t *data, size_t size, char *why, size_t why_cap)
{
    static const pql_format formats[] = {PQL_FORMAT_PROM_TEXT, PQL_FORMAT_OPENMETRICS,
                                         PQL_FORMAT_CSV, PQL_FORMAT_PROMQLTEST};
    static const char seed[] = "up{job=\"seed\"} 1 1000\nup{job=\"seed\"} 2 2000\n";
    static const char query[] = "count({__name__=~\".+\"})";
    if (size == 0)
        return true;
    pql_memstore *store = NULL;
    pql_engine *eng = NULL;
    pql_result *r = NULL;
    pql_error err;
    bool ok = false;
    if (pql_memstore_new(&store, &err) != PQL_OK) {
        snprintf(why, why_cap, "pql_memstore_new failed: %s", err.message);
        return false;
    }
    if (pql_load_buffer(store, "seed.prom", seed, sizeof seed - 1, PQL_FORMAT_PROM_TEXT, &err) !=
        PQL_OK) {
        snprintf(why, why_cap, "seed load failed: %s", err.message);
        goto done;
    }
    size_t series = pql_memstore_series_count(store), samples = pql_memstore_sample_count(store);
    pql_load_options opts = pql_load_options_default();
    opts.format = formats[data[0] % 4];
    opts.default_ms = 5000;     /* deterministic: no wall clock */
    opts.max_samples = 1000000; /* big expansions are legal, only slow */
    pql_load_info info;
    pql_error_clear(&err);
    if (pql_load_buffer_ex(store, "input", (const char *)data + 1, size - 1, &opts, &info, &err) !=
        PQL_OK) {
        if (err.message[0] == '\0') {
            snprintf(why, why_cap, "failed load without a message");
            goto done;
        }
        if (pql_memstore_series_count(store) != series ||
            pql_memstore_sample_count(store) != samples) {
            snprintf(why, why_cap, "failed load changed the store: %s", err.message);
            goto done;
        }
        ok = true;
        goto done;
    }
    if (pql_memstore_sample_count(store) < samples) {
        snprintf(why, why_cap, "successful load lost samples");
        goto done;
    }
    if (pql_engine_new(NULL, &eng, &err) != PQL_OK) {
        snprintf(why, why_cap, "pql_engine_new failed: %s", err.message);
        goto done;
    }
    pql_storage storage = pql_memstore_storage(store);
    if (pql_query_instant(eng, &storage, query, sizeof query - 1, 6000, &r, &err) != PQL_OK) {
        snprintf(why, why_cap, "query after load failed: %s", err.message);
        goto done;
    }
    ok = true;
done:
    pql_result_free(r);
    pql_engine_free(eng);
    pql_memstore_free(store);
    return ok;
}

#endif
