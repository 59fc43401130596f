/* query.c: preparing (parse, type rules), executing (plan, run, collect) and cancelling queries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "query_internal.h"

static pql_status fail(pql_error *err, pql_status code, const char *msg)
{
    if (err) {
        err->code = code;
        err->start = -1;
        err->end = -1;
        snprintf(err->message, sizeof(err->message), "%s", msg);
    }
    return code;
}

/* Prometheus's DocumentedType names, as its engine errors print them. */
static const char *type_name(pql_value_type t)
{
    switch (t) {
    case PQL_TYPE_SCALAR:
        return "scalar";
    case PQL_TYPE_VECTOR:
        return "instant vector";
    case PQL_TYPE_MATRIX:
        return "range vector";
    case PQL_TYPE_STRING:
        return "string";
    default:
        return "none";
    }
}

static pql_status query_prepare(pql_engine *engine, const pql_storage *storage,
                                const char *expr, size_t len, bool instant,
                                int64_t start_ms, int64_t end_ms,
                                int64_t step_ms, pql_query **out,
                                pql_error *err)
{
    if (!out)
        return fail(err, PQL_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!engine || !storage || !storage->methods || (!expr && len))
        return fail(err, PQL_ERR_INVALID_ARGUMENT,
                    "engine, storage and query text are required");
    if (storage->methods->version < 1 || !storage->methods->select ||
        !storage->methods->set_next || !storage->methods->iter_read_floats ||
        !storage->methods->set_close)
        return fail(err, PQL_ERR_INVALID_ARGUMENT,
                    "storage does not implement the version 1 methods");
    if (!instant && step_ms <= 0)
        return fail(err, PQL_ERR_INVALID_ARGUMENT,
                    "zero or negative query resolution step widths are not "
                    "accepted. Try a positive integer");

    double t0 = query_now_seconds();
    pql_query *q = calloc(1, sizeof(*q));
    if (!q)
        return fail(err, PQL_ERR_NOMEM, "out of memory");
    q->engine = engine;
    q->storage = *storage;
    q->is_instant = instant;
    q->start_ms = start_ms;
    q->end_ms = end_ms;
    q->step_ms = instant ? 0 : step_ms;
    atomic_init(&q->cancel, 0);
    arena_init(&q->ast_mem, 0);
    q->text = arena_strndup(&q->ast_mem, expr ? expr : "", len);
    if (!q->text) {
        pql_query_free(q);
        return fail(err, PQL_ERR_NOMEM, "out of memory");
    }
    q->text_len = len;

    ast_node *root = NULL;
    pql_error perr;
    pql_error_clear(&perr);
    pql_status st = parse_expr(q->text, len, &engine->opts.parse, &q->ast_mem,
                               &root, &perr);
    if (st != PQL_OK) {
        if (err)
            *err = perr;
        pql_query_free(q);
        return st;
    }
    q->root = root;
    if (!instant && root->type != PQL_TYPE_SCALAR &&
        root->type != PQL_TYPE_VECTOR) {
        char msg[160];
        snprintf(msg, sizeof(msg),
                 "invalid expression type \"%s\" for range query, must be "
                 "Scalar or instant Vector",
                 type_name(root->type));
        pql_query_free(q);
        return fail(err, PQL_ERR_INVALID_ARGUMENT, msg);
    }
    q->parse_seconds = query_now_seconds() - t0;
    *out = q;
    return PQL_OK;
}

pql_status pql_query_new_instant(pql_engine *engine, const pql_storage *storage,
                                 const char *expr, size_t len, int64_t t_ms,
                                 pql_query **out, pql_error *err)
{
    return query_prepare(engine, storage, expr, len, true, t_ms, t_ms, 0, out,
                         err);
}

pql_status pql_query_new_range(pql_engine *engine, const pql_storage *storage,
                               const char *expr, size_t len, int64_t start_ms,
                               int64_t end_ms, int64_t step_ms,
                               pql_query **out, pql_error *err)
{
    return query_prepare(engine, storage, expr, len, false, start_ms, end_ms,
                         step_ms, out, err);
}

/* A range query whose end precedes its start evaluates to an empty matrix
 * (Prometheus's evaluator returns Matrix{} without touching storage). */
static pql_status empty_matrix(pql_result **out, pql_error *err)
{
    pql_result *r = calloc(1, sizeof(*r));
    if (!r)
        return fail(err, PQL_ERR_NOMEM, "out of memory");
    arena_init(&r->mem, 0);
    r->type = PQL_RESULT_MATRIX;
    *out = r;
    return PQL_OK;
}

pql_status pql_query_exec(pql_query *query, pql_result **out, pql_error *err)
{
    if (!out)
        return fail(err, PQL_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!query)
        return fail(err, PQL_ERR_INVALID_ARGUMENT, "query is NULL");
    const pql_engine_options *opts = &query->engine->opts;
    /* Cancellation applies to a running exec; a fresh run starts clean. */
    atomic_store(&query->cancel, 0);

    eval_grid grid;
    grid.start_ms = query->start_ms;
    grid.end_ms = query->end_ms;
    grid.step_ms = query->step_ms;
    if (query->is_instant) {
        grid.n_steps = 1;
    } else {
        if (query->end_ms < query->start_ms)
            return empty_matrix(out, err);
        grid.n_steps =
            (size_t)((query->end_ms - query->start_ms) / query->step_ms) + 1;
    }

    arena mem;
    arena_init(&mem, opts->max_memory_bytes);
    eval_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.mem = &mem;
    ctx.storage = query->storage;
    ctx.grid = &grid;
    ctx.query_start_ms = query->start_ms;
    ctx.query_end_ms = query->end_ms;
    ctx.lookback_ms = opts->lookback_delta_ms;
    ctx.default_step_ms = opts->default_step_ms;
    ctx.delayed_name_removal = opts->enable_delayed_name_removal != 0;
    ctx.start_timestamps = opts->enable_start_timestamps != 0;
    ctx.is_instant = query->is_instant;
    ctx.query_text = query->text;
    ctx.query_len = query->text_len;
    ctx.max_samples = opts->max_samples;
    ctx.cancel_flag = &query->cancel;
    pql_error_clear(&ctx.err);
    double t0 = query_now_seconds();
    if (opts->timeout_ms > 0)
        ctx.deadline_ns = (int64_t)(t0 * 1e9) + opts->timeout_ms * 1000000;

    pql_result *res = NULL;
    op *root = plan_node(&ctx, query->root, &grid);
    int rc = root ? op_open(root, &ctx) : -1;
    double t1 = query_now_seconds();
    if (rc == 0)
        rc = result_build(&ctx, root, &res);
    if (root)
        op_close(root, &ctx);
    double t2 = query_now_seconds();

    pql_status st = PQL_OK;
    if (rc < 0 || ctx.failed) {
        pql_result_free(res);
        res = NULL;
        if (!ctx.failed)
            eval_fail(&ctx, PQL_ERR_EXECUTION, "evaluation failed");
        st = ctx.err.code;
        if (err)
            *err = ctx.err;
    } else {
        res->stats.total_samples = ctx.total_samples;
        res->stats.peak_samples = ctx.peak_samples;
        res->stats.parse_seconds = query->parse_seconds;
        res->stats.prepare_seconds = t1 - t0;
        res->stats.eval_seconds = t2 - t1;
        /* Both arenas only grow until the evaluation arena is released
         * below, so their sum now is the query's peak working memory. */
        res->stats.peak_bytes =
            (int64_t)(mem.peak_bytes + res->mem.peak_bytes);
        *out = res;
    }
    arena_release(&mem);
    return st;
}

void pql_query_cancel(pql_query *query)
{
    if (query)
        atomic_store(&query->cancel, 1);
}

void pql_query_free(pql_query *query)
{
    if (!query)
        return;
    arena_release(&query->ast_mem);
    free(query);
}

pql_status pql_query_instant(pql_engine *engine, const pql_storage *storage,
                             const char *expr, size_t len, int64_t t_ms,
                             pql_result **out, pql_error *err)
{
    pql_query *q = NULL;
    pql_status st =
        pql_query_new_instant(engine, storage, expr, len, t_ms, &q, err);
    if (st != PQL_OK)
        return st;
    st = pql_query_exec(q, out, err);
    pql_query_free(q);
    return st;
}

pql_status pql_query_range(pql_engine *engine, const pql_storage *storage,
                           const char *expr, size_t len, int64_t start_ms,
                           int64_t end_ms, int64_t step_ms, pql_result **out,
                           pql_error *err)
{
    pql_query *q = NULL;
    pql_status st = pql_query_new_range(engine, storage, expr, len, start_ms,
                                        end_ms, step_ms, &q, err);
    if (st != PQL_OK)
        return st;
    st = pql_query_exec(q, out, err);
    pql_query_free(q);
    return st;
}
