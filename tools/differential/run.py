#!/usr/bin/env python3
# End-to-end differential test of libpromql against Prometheus 2.42: data, random queries, both engines, comparison, diagnosis.
"""Seeded random differential tester: libpromql (`promql query`) vs Prometheus 2.42.

Usage: run.py [--seed S] [-n N] [--workdir DIR] [--promql BIN] [--rtol 1e-9] [--atol 0]

Steps (all files in --workdir, default /tmp/promql-diff):
  1. data/      gen_data.py --drop-prob 0.01 --churn 0.1 --reset-prob 0.002
                (2h at 15s, 3 metrics x 20 label sets); kept and reused
  2. queries.jsonl       random_queries.py --seed S -n N
  3. oracle.jsonl        oracle.py; the TSDB is imported once (prom/data, --keep)
                         and reused with --tsdb-dir on later runs
  4. promql.jsonl        run_promql.py: `promql query --data data.csv` per query
  5. comparison: status (both success or both error), result type, series by
                 label set, timestamps exactly, values within rtol (NaN == NaN);
                 instant sort()/sort_desc() also by value order; warnings and
                 infos are ignored here and counted separately
  6. diagnosis of every mismatch: its subexpressions (probes) and a variant
     with subquery ranges lengthened by 500 ms run on both engines; then
       - subquery-left-edge: the shifted query matches
       - rate-extrapolation: the smallest mismatching subexpression is
         rate/increase of a selector, and recomputing it from the CSV with
         2.42's rule (closed window, zero-point clamp before the 1.1 x
         threshold) gives Prometheus's value while 3.x's rule (open window,
         threshold first) gives libpromql's
       - float-rounding: the smallest mismatching subexpression is a sum,
         avg, stddev or stdvar whose exact value (recomputed in rationals
         from its matching inputs) both answers are within float error of,
         or another summing function with differences below 1e-6 relative,
         or count_values whose labels differ only in the last digits
       - delayed-name-removal, stddev-of-one-nan, prometheus-2.42-bug,
         topk-tie, timestamp-at-offset: see README.md
       - unexplained: everything else (to be read by hand)
  7. report.json and report.md, and a summary on stdout

Prometheus runs through prometheus-wrapper.sh, which sets the config's
evaluation_interval to 1m: Prometheus's default subquery step is that
interval and libpromql's is 1m (oracle.py writes 1h).
"""

import argparse
import collections
import json
import math
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# The oracle tools live in the shared folder beside the project (../shared),
# or wherever PQL_ORACLE_DIR points.
ORACLE_DIR = os.environ.get(
    "PQL_ORACLE_DIR",
    os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "tools", "prom-oracle")))
sys.path.insert(0, HERE)
sys.path.insert(0, ORACLE_DIR)
import run_promql  # noqa: E402
import oracle  # noqa: E402


def log(msg):
    print("[diff %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def load_jsonl(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                out.append(json.loads(line))
    return out


# ---------------------------------------------------------------------------
# running the engines


def run_oracle(args, queries_path, out_path):
    w = args.workdir
    tsdb = os.path.join(w, "prom", "data")
    cmd = [sys.executable, os.path.join(ORACLE_DIR, "oracle.py"), "--queries", queries_path, "--out", out_path,
           "--meta", os.path.join(w, "data", "meta.json"),
           "--prometheus", os.path.join(HERE, "prometheus-wrapper.sh")]
    if os.path.isdir(tsdb) and os.listdir(tsdb):
        cmd += ["--tsdb-dir", tsdb]
    else:
        cmd += ["--openmetrics", os.path.join(w, "data", "data.om"), "--keep", "--workdir",
                os.path.join(w, "prom"), "--verify-csv", os.path.join(w, "data", "data.csv")]
    log("oracle: " + " ".join(cmd))
    with open(os.path.join(w, "oracle.log"), "a") as lf:
        subprocess.run(cmd, check=True, stderr=lf)


def run_both(args, queries, name):
    """Write queries to NAME.queries.jsonl and answer them with both engines."""
    w = args.workdir
    qp = os.path.join(w, name + ".queries.jsonl")
    with open(qp, "w") as f:
        for q in queries:
            f.write(json.dumps(q) + "\n")
    op, pp = os.path.join(w, name + ".oracle.jsonl"), os.path.join(w, name + ".promql.jsonl")
    t0 = time.time()
    run_oracle(args, qp, op)
    t1 = time.time()
    meta = json.load(open(os.path.join(w, "data", "meta.json")))
    run_promql.run_file(args.promql, os.path.join(w, "data", "data." + args.data_format), queries, meta, pp,
                        log=log)
    log("%s: %d queries, oracle %.1fs, promql %.1fs" % (name, len(queries), t1 - t0, time.time() - t1))
    return {r["id"]: r for r in load_jsonl(op)}, {r["id"]: r for r in load_jsonl(pp)}


# ---------------------------------------------------------------------------
# comparison


def fval(s):
    return float(s)


def same(a, b, rtol, atol):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def lkey(metric):
    return tuple(sorted(metric.items()))


def points(rec):
    """{label key: {t_ms: value}} for vector, matrix and scalar results."""
    rt, res = rec.get("resultType"), rec.get("result")
    m = {}
    if rt == "scalar":
        m[()] = {int(round(float(res[0]) * 1000)): fval(res[1])}
    elif rt in ("vector", "matrix"):
        for s in res:
            pts = s["values"] if rt == "matrix" else [s["value"]]
            m[lkey(s.get("metric", {}))] = {int(round(float(t) * 1000)): fval(v) for t, v in pts}
    return m


def compare(o, x, rtol, atol):
    """(ok, summary, diffs); diffs is a list of (labels, t_ms, oracle value|None, promql value|None)."""
    if o.get("status") != x.get("status"):
        return False, "status %s vs %s: %s" % (o.get("status"), x.get("status"),
                                               (o.get("error") or x.get("error") or "")[:200]), []
    if o.get("status") != "success":
        return True, "both error", []
    rt = o.get("resultType")
    if rt != x.get("resultType"):
        return False, "resultType %s vs %s" % (rt, x.get("resultType")), []
    if rt == "string":
        ok = o["result"][1] == x["result"][1]
        return ok, "" if ok else "string %r vs %r" % (o["result"][1], x["result"][1]), []
    mo, mx = points(o), points(x)
    diffs = []
    for k in sorted(set(mo) | set(mx)):
        po, px = mo.get(k, {}), mx.get(k, {})
        for t in sorted(set(po) | set(px)):
            a, b = po.get(t), px.get(t)
            if a is None or b is None or not same(a, b, rtol, atol):
                diffs.append((k, t, a, b))
    if not diffs and rt == "vector" and re.match(r"^\s*sort(_desc)?\s*\(", o.get("query", "")):
        vo = [fval(s["value"][1]) for s in o["result"]]
        vx = [fval(s["value"][1]) for s in x["result"]]
        if not all(same(a, b, rtol, atol) for a, b in zip(vo, vx)):
            return False, "sort order differs: %s vs %s" % (vo[:5], vx[:5]), []
    if not diffs:
        return True, "", []
    n_series_o, n_series_x = len(mo), len(mx)
    return False, "%d differing points (%d vs %d series)" % (len(diffs), n_series_o, n_series_x), diffs


def fmt_labels(k):
    return "{" + ", ".join('%s="%s"' % kv for kv in k) + "}"


def fmt_diff(d):
    k, t, a, b = d
    return "%s @%.3f: prometheus %s, libpromql %s" % (fmt_labels(k), t / 1000.0,
                                                        "absent" if a is None else repr(a),
                                                        "absent" if b is None else repr(b))


# ---------------------------------------------------------------------------
# recomputing rate/increase from raw samples under both versions' rules


class RawData:
    def __init__(self, csv_path):
        self.series = collections.defaultdict(list)
        with open(csv_path) as f:
            for line in f:
                s, ts, v = line.rstrip("\n").rsplit(",", 2)
                self.series[s].append((int(ts), float(v)))
        self.labels = {}
        for s in self.series:
            name, rest = s.split("{", 1)
            lab = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', rest))
            lab["__name__"] = name
            self.labels[s] = lab

    def select(self, matchers):
        out = []
        for s, lab in self.labels.items():
            ok = True
            for name, op, val in matchers:
                v = lab.get(name, "")
                if op == "=":
                    ok = v == val
                elif op == "!=":
                    ok = v != val
                elif op == "=~":
                    ok = re.fullmatch(val, v) is not None
                else:
                    ok = re.fullmatch(val, v) is None
                if not ok:
                    break
            if ok:
                out.append(s)
        return out


RATE_RE = re.compile(r'^(rate|increase|delta)\(([a-zA-Z_:][\w:]*)?(\{.*\})?\[([0-9a-z]+)\]'
                     r'(?: @ (-?[0-9.]+))?(?: offset (-?[0-9a-z]+))?\)$')


def parse_matchers(text):
    out = []
    for name, op, val in re.findall(r'(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"', text or ""):
        out.append((name, op, json.loads('"' + val + '"')))
    return out


def extrapolated(samples, range_start, range_end, range_s, is_counter, is_rate, rule):
    if len(samples) < 2:
        return None
    first_t, first_v = samples[0]
    last_t, last_v = samples[-1]
    result = last_v - first_v
    if is_counter:
        prev = first_v
        for _, v in samples[1:]:
            if v < prev:
                result += prev
            prev = v
    d_start = (first_t - range_start) / 1000.0
    d_end = (range_end - last_t) / 1000.0
    sampled = (last_t - first_t) / 1000.0
    avg = sampled / (len(samples) - 1)
    thr = avg * 1.1
    if rule == "2.42":
        if is_counter and result > 0 and first_v >= 0:
            dz = sampled * (first_v / result)
            if dz < d_start:
                d_start = dz
        ext = sampled + (d_start if d_start < thr else avg / 2) + (d_end if d_end < thr else avg / 2)
        result = result * (ext / sampled)
        if is_rate:
            result = result / range_s
        return result
    if d_start >= thr:
        d_start = avg / 2
    if is_counter and result > 0 and first_v >= 0:
        dz = sampled * (first_v / result)
        if dz < d_start:
            d_start = dz
    if d_end >= thr:
        d_end = avg / 2
    factor = (sampled + d_start + d_end) / sampled
    if is_rate:
        factor /= range_s
    return result * factor


def recompute_rate(raw, expr, t_ms):
    """{label key without __name__: (value under 2.42 rules, value under 3.x rules)} or None if not parseable."""
    m = RATE_RE.match(expr)
    if not m:
        return None
    func, name, mtext, rng, at, off = m.groups()
    matchers = parse_matchers(mtext)
    if name:
        matchers.append(("__name__", "=", name))
    rng_ms = oracle.parse_duration_ms(rng)
    off_ms = 0 if not off else (-1 if off.startswith("-") else 1) * oracle.parse_duration_ms(off.lstrip("-"))
    te = (int(round(float(at) * 1000)) if at else t_ms) - off_ms
    out = {}
    for s in raw.select(matchers):
        lab = dict(raw.labels[s])
        del lab["__name__"]
        smp = raw.series[s]
        closed = [p for p in smp if te - rng_ms <= p[0] <= te]
        opened = [p for p in smp if te - rng_ms < p[0] <= te]
        args = (te - rng_ms, te, rng_ms / 1000.0, func != "delta", func == "rate")
        out[lkey(lab)] = (extrapolated(closed, *args, rule="2.42"), extrapolated(opened, *args, rule="3.x"),
                          extrapolated(opened, *args, rule="2.42"))
    return out


SUBQ_RATE_RE = re.compile(r'^(rate|increase|delta)\((.*)\[([0-9a-z]+):([0-9a-z]*)\]'
                          r'(?: @ (-?[0-9.]+))?(?: offset (-?[0-9a-z]+))?\)$')


def recompute_rate_subquery(expr, inner, t_ms):
    """Like recompute_rate for rate/increase/delta over a subquery, from the inner expression's
    points (a range-query result over the subquery's steps, identical on both engines)."""
    m = SUBQ_RATE_RE.match(expr)
    if not m or inner is None:
        return None
    func, _, rng, _, at, off = m.groups()
    rng_ms = oracle.parse_duration_ms(rng)
    off_ms = 0 if not off else (-1 if off.startswith("-") else 1) * oracle.parse_duration_ms(off.lstrip("-"))
    te = (int(round(float(at) * 1000)) if at else t_ms) - off_ms
    out = {}
    for k, pts in points(inner).items():
        k = tuple(kv for kv in k if kv[0] != "__name__")
        smp = sorted(pts.items())
        closed = [p for p in smp if te - rng_ms <= p[0] <= te]
        opened = [p for p in smp if te - rng_ms < p[0] <= te]
        args = (te - rng_ms, te, rng_ms / 1000.0, func != "delta", func == "rate")
        out[k] = (extrapolated(closed, *args, rule="2.42"), extrapolated(opened, *args, rule="3.x"),
                  extrapolated(opened, *args, rule="2.42"))
    return out


def close_or_none(a, b):
    if a is None or b is None:
        return a is None and b is None
    return same(a, b, 1e-9, 0)


# ---------------------------------------------------------------------------
# libpromql with delayed __name__ removal off (Prometheus's default), through the Python binding


def run_variant_no_delayed_name_removal(args, queries):
    """{id: oracle-shaped record} from libpromql with enable_delayed_name_removal = 0, or {} if the
    shared library is not built (cmake --build build/diff --target promql_shared)."""
    lib = os.path.join(os.path.dirname(args.promql), "..", "libpromql.so")
    if not os.path.exists(lib):
        log("no %s: skipping the delayed-name-removal variant" % lib)
        return {}
    os.environ.setdefault("PROMQL_LIBRARY", os.path.abspath(lib))
    sys.path.insert(0, os.path.normpath(os.path.join(HERE, "../../bindings/python")))
    import promql  # noqa: E402
    store = promql.Storage()
    store.load(os.path.join(args.workdir, "data", "data.csv"))
    eng = promql.Engine(delayed_name_removal=False)
    out = {}
    for q in queries:
        rec = {"id": q["id"], "query": q["query"]}
        try:
            if "step" in q:
                r = eng.query_range(store, q["query"], int(q["start"]), int(q["end"]), q["step"])
            else:
                r = eng.query(store, q["query"], int(q["time"]))
            rec["status"] = "success"
            rec["resultType"] = r.type
            if r.type == "scalar":
                rec["result"] = [r.timestamp, repr(r.value)]
            elif r.type == "string":
                rec["result"] = [r.timestamp, r.value]
            elif r.type == "vector":
                rec["result"] = [{"metric": x.labels, "value": [x.timestamp, repr(x.value)]} for x in r]
            else:
                rec["result"] = [{"metric": x.labels, "values": [[t, repr(v)] for t, v in x]} for x in r]
        except promql.PromQLError as e:
            rec["status"] = "error"
            rec["error"] = str(e)
        out[q["id"]] = rec
    return out


# ---------------------------------------------------------------------------
# diagnosis

SUM_FUNCS = ("sum", "avg", "stddev", "stdvar", "sum_over_time", "avg_over_time", "stddev_over_time",
             "stdvar_over_time", "deriv", "predict_linear", "quantile", "quantile_over_time")


CATEGORY_NOTES = {
    "subquery-left-edge": "known: 3.x subqueries exclude a step on the left edge, 2.42 includes it",
    "rate-extrapolation": "known: rate/increase extrapolation order (prometheus#13725) and open windows",
    "float-rounding": "known: 3.x compensated (Kahan/Neumaier) sums and means vs 2.42 plain/incremental ones",
    "delayed-name-removal": "known: the CLI evaluates with delayed __name__ removal (Prometheus 3 with "
                            "promql-delayed-name-removal)",
    "stddev-of-one-nan": "version difference: 3.x stddev/stdvar of a lone NaN/Inf is NaN (2.42: 0)",
    "prometheus-2.42-bug": "version difference: a 2.42 bug fixed upstream since",
    "topk-tie": "unspecified: which of several equal values topk/bottomk keep",
    "timestamp-at-offset": "NOT known: timestamp(x @ T offset O) differs (see the report)",
    "unexplained": "NOT known: read by hand",
}


def outer_op(expr):
    m = re.match(r"^\s*([a-z_]+)\s*(?:by|without)?\s*(?:\([^()]*\))?\s*\(", expr)
    return m.group(1) if m else None


def max_rel(diffs):
    worst = 0.0
    for _, _, a, b in diffs:
        if a is None or b is None or math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
            return float("inf")
        d = abs(a - b)
        if d:
            worst = max(worst, d / max(abs(a), abs(b)))
    return worst


AGG_RE = re.compile(r'^(sum|avg|stddev|stdvar)\s*(?:(by|without)\s*\(([^()]*)\))?\s*\(')


def exact_aggregate(expr, inner):
    """{(label key, t_ms): exact value} of sum/avg/stddev/stdvar over the child's points, in rationals."""
    from fractions import Fraction
    m = AGG_RE.match(expr)
    if not m or inner is None or inner.get("status") != "success":
        return None
    op, mode, labs = m.group(1), m.group(2), [x.strip() for x in (m.group(3) or "").split(",") if x.strip()]
    groups = collections.defaultdict(list)
    for k, pts in points(inner).items():
        lab = dict(k)
        lab.pop("__name__", None)
        if mode == "by":
            g = tuple(sorted((n, v) for n, v in lab.items() if n in labs))
        elif mode == "without":
            g = tuple(sorted((n, v) for n, v in lab.items() if n not in labs))
        else:
            g = ()
        for t, v in pts.items():
            groups[(g, t)].append(v)
    out = {}
    eps = 2.0 ** -52
    for key, vs in groups.items():
        if any(math.isnan(v) or math.isinf(v) for v in vs):
            continue
        fr = [Fraction(v) for v in vs]
        n, big = len(vs), max(abs(v) for v in vs)
        mean = sum(fr) / n
        # value, and a forward error bound for a plain float evaluation of it
        if op == "sum":
            out[key] = (float(sum(fr)), n * eps * sum(abs(v) for v in vs))
        elif op == "avg":
            out[key] = (float(mean), 2 * n * eps * big)
        else:
            var = float(sum((x - mean) ** 2 for x in fr) / n)
            if op == "stdvar":
                out[key] = (var, 8 * n * eps * big * math.sqrt(var) + n * eps * var)
            else:
                out[key] = (math.sqrt(var), 4 * n * eps * big + n * eps * math.sqrt(var))
    return out


def classify_node(expr, diffs, raw, inner=None):
    """Category of a mismatching subexpression whose own subexpressions all match.
    inner: the oracle's result for the node's only probed child (for subquery arguments)."""
    if not diffs:
        return "unexplained", "status or type differs"
    m = RATE_RE.match(expr)
    ms = SUBQ_RATE_RE.match(expr)
    if (m and m.group(1) in ("rate", "increase")) or (ms and ms.group(1) in ("rate", "increase") and inner):
        by_t = collections.defaultdict(list)
        for d in diffs:
            by_t[d[1]].append(d)
        bad = edge = 0
        for t, ds in by_t.items():
            rc = recompute_rate(raw, expr, t) if m else recompute_rate_subquery(expr, inner, t)
            for k, _, a, b in ds:
                v42, v3, v42open = rc.get(k, (None, None, None))
                if not (close_or_none(a, v42) and close_or_none(b, v3)):
                    bad += 1
                elif not close_or_none(v42, v42open):
                    edge += 1
        if bad == 0:
            return "rate-extrapolation", "all %d differing points recomputed from %s: Prometheus = 2.42 rule " \
                "(closed window, zero-point clamp before the threshold), libpromql = 3.x rule (open window, " \
                "threshold first); in %d of them a sample/step on the window's left edge also matters" % (
                    len(diffs), "the CSV" if m else "the subquery's inner points", edge)
        return "unexplained", "%d of %d differing points not explained by the 2.42/3.x rate rules" % (bad, len(diffs))
    op = outer_op(expr)
    rel = max_rel(diffs)
    if op == "predict_linear" and re.search(r"\] @ ", expr) and len({d[1] for d in diffs}) > 1:
        return "prometheus-2.42-bug", "predict_linear over a range selector with @ in a range query: 2.42 moves " \
            "the pinned range with each step (prometheus#11708, fixed in 2.50 by #13559)"
    if op in ("stddev", "stdvar") and all(a == 0 and b is not None and math.isnan(b) for _, _, a, b in diffs):
        return "stddev-of-one-nan", "%s of a group whose only element is NaN/Inf: 2.42 gives 0, 3.x NaN " \
            "(upstream aggregators.test)" % op
    if op in ("topk", "bottomk"):
        vo, vx = collections.defaultdict(list), collections.defaultdict(list)
        for k, t, a, b in diffs:
            if a is not None:
                vo[t].append(a)
            if b is not None:
                vx[t].append(b)
        def norm(vs):
            return sorted("NaN" if math.isnan(v) else repr(v) for v in vs)
        if all(norm(vo[t]) == norm(vx[t]) for t in set(vo) | set(vx)):
            return "topk-tie", "same values, different series chosen among equal values (tie order)"
    if op == "count_values":
        def labnums(side):
            """Per timestamp, the numeric label values of the series only one side has."""
            out = collections.defaultdict(list)
            for k, t, a, b in diffs:
                if (a if side == 0 else b) is not None:
                    out[t].append(sorted(float(v) for _, v in k if re.fullmatch(r"[-+0-9.eE]+|NaN|[+-]Inf", v)))
            return out
        lo, lx = labnums(0), labnums(1)
        ok = set(lo) == set(lx) and all(
            len(lo[t]) == len(lx[t]) and all(len(p) == len(q) and all(same(u, v, 1e-9, 0) for u, v in zip(p, q))
                                             for p, q in zip(sorted(lo[t]), sorted(lx[t]))) for t in lo)
        if ok:
            return "float-rounding", "count_values labels differ only in the last digits of the counted value"
    if op == "timestamp" and re.search(r" @ [0-9.]+ offset ", expr):
        return "timestamp-at-offset", "timestamp(selector @ T offset O): Prometheus's timestamp() special case " \
            "replaces the offset by (step - T), dropping O, and finds no sample when O >= lookback because the " \
            "selected data were trimmed to [T-O-5m, T-O]; libpromql returns the sample at T-O"
    ex = exact_aggregate(expr, inner)
    if ex:
        ok = True
        for k, t, a, b in diffs:
            e = ex.get((k, t))
            if e is None or a is None or b is None or abs(a - e[0]) > e[1] or abs(b - e[0]) > e[1]:
                ok = False
                break
        if ok:
            return "float-rounding", "%s recomputed exactly (rationals) from the matching inputs: both engines " \
                "are within the float error bound of it (n*eps*max|x| scaled; cancellation magnifies the " \
                "rounding; largest relative difference %.3g)" % (op, rel)
    if op in SUM_FUNCS and rel < 1e-6:
        return "float-rounding", "%s: largest relative difference %.3g" % (op, rel)
    return "unexplained", "outermost %s, largest relative difference %.3g" % (op, rel)


def diagnose(args, queries, O, X, mism, raw):
    """Run probes for the mismatching queries and classify each one."""
    qmap = {q["id"]: q for q in queries}
    probe_qs = []
    for qid in mism:
        q = qmap[qid]
        times = {k: q[k] for k in ("time", "start", "end", "step") if k in q}
        if "shifted" in q:
            probe_qs.append(dict(times, id=qid + ".shift", query=q["shifted"]))
        for i, p in enumerate(q.get("probes", [])):
            pt = p.get("params", times)
            probe_qs.append(dict(pt, id="%s.p%d" % (qid, i), query=p["expr"]))
            if p.get("shifted") and p["shifted"] != p["expr"]:
                probe_qs.append(dict(pt, id="%s.p%d.shift" % (qid, i), query=p["shifted"]))
    if not probe_qs:
        return {}
    PO, PX = run_both(args, probe_qs, "probes")

    def cmp_id(pid):
        return compare(PO[pid], PX[pid], args.rtol, args.atol)

    VAR = run_variant_no_delayed_name_removal(args, [qmap[qid] for qid in mism] + probe_qs)
    out = {}
    for qid in mism:
        q = qmap[qid]
        d = {"id": qid}
        if O[qid].get("status") == "error" and "same labelset" in (O[qid].get("error") or "") and \
                X[qid].get("status") == "success" and '__name__=~"' in q["query"]:
            d["category"] = "delayed-name-removal"
            d["evidence"] = "2.42 drops __name__ at once and fails on the duplicate label sets of a multi-metric " \
                "selector; with delayed name removal (the CLI's default) the names stay until the end and the " \
                "duplicates are aggregated/matched away first (upstream skips that check when it is enabled)"
            out[qid] = d
            continue
        if qid in VAR and compare(O[qid], VAR[qid], args.rtol, args.atol)[0]:
            d["category"] = "delayed-name-removal"
            d["evidence"] = "libpromql with delayed __name__ removal off (Prometheus's default; the CLI has it " \
                "on) gives Prometheus's answer"
            out[qid] = d
            continue
        if "shifted" in q:
            ok, summ, _ = cmp_id(qid + ".shift")
            d["shifted_matches"] = ok
            if ok:
                d["category"] = "subquery-left-edge"
                d["evidence"] = "the query matches when every subquery range is 500 ms longer: %s" % q["shifted"]
                out[qid] = d
                continue
        probes = q.get("probes", [])
        status = {}
        for i in range(len(probes)):
            status[i] = cmp_id("%s.p%d" % (qid, i))
        # minimal mismatching nodes: mismatching, and every probed child matches
        minimal = []

        def descend(kids, self_expr, self_diffs):
            bad = [i for i in kids if not status[i][0]]
            if not bad:
                minimal.append((self_expr, self_diffs, None))
                return
            for i in bad:
                descend(probes[i]["kids"], i, status[i][2])
        descend(q.get("kids", []), None, compare(O[qid], X[qid], args.rtol, args.atol)[2])
        cats = []
        for node, diffs, _ in minimal:
            if node is None:
                expr, ndiffs = q["query"], diffs
            else:
                expr, ndiffs = probes[node]["expr"], status[node][2]
                if probes[node].get("shifted") and probes[node]["shifted"] != expr:
                    sid = "%s.p%d.shift" % (qid, node)
                    if cmp_id(sid)[0]:
                        cats.append({"expr": expr, "category": "subquery-left-edge",
                                     "evidence": "matches with subquery ranges +500ms"})
                        continue
            pid = "%s.p%d" % (qid, node) if node is not None else None
            if pid in VAR and compare(PO[pid], VAR[pid], args.rtol, args.atol)[0]:
                cats.append({"expr": expr, "category": "delayed-name-removal",
                             "evidence": "libpromql with delayed __name__ removal off gives Prometheus's answer",
                             "diffs": [fmt_diff(x) for x in ndiffs[:4]], "n_diffs": len(ndiffs)})
                continue
            kids = probes[node]["kids"] if node is not None else q.get("kids", [])
            inner = PO.get("%s.p%d" % (qid, kids[0])) if len(kids) == 1 else None
            cat, ev = classify_node(q.get("query_sub", q["query"]) if node is None else expr, ndiffs, raw, inner)
            cats.append({"expr": expr, "category": cat, "evidence": ev,
                         "diffs": [fmt_diff(x) for x in ndiffs[:4]], "n_diffs": len(ndiffs),
                         "summary": (status[node][1] if node is not None else None)})
        d["minimal"] = cats
        kinds = sorted({c["category"] for c in cats})
        d["category"] = kinds[0] if len(kinds) == 1 else ("unexplained" if "unexplained" in kinds else "+".join(kinds))
        out[qid] = d
    return out


# ---------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--seed", default="1")
    ap.add_argument("-n", type=int, default=600)
    ap.add_argument("--workdir", default="/tmp/promql-diff")
    ap.add_argument("--promql", default=os.path.normpath(os.path.join(HERE, "../../build/diff/tools/promql")))
    ap.add_argument("--rtol", type=float, default=1e-9)
    ap.add_argument("--atol", type=float, default=0.0)
    ap.add_argument("--aligned-subquery-prob", type=float, default=0.5)
    ap.add_argument("--data-format", choices=("csv", "om"), default="csv",
                    help="file libpromql loads (default csv: its OpenMetrics loader normalizes histogram le "
                         "values as Prometheus 3 does, le=\"1\" -> \"1.0\", which promtool 2.42 does not)")
    ap.add_argument("--queries", help="use this query file instead of generating one")
    args = ap.parse_args()
    w = args.workdir = os.path.abspath(args.workdir)
    os.makedirs(w, exist_ok=True)
    t_start = time.time()

    data = os.path.join(w, "data")
    if not os.path.exists(os.path.join(data, "data.om")):
        cmd = [sys.executable, os.path.join(ORACLE_DIR, "gen_data.py"), "--out-dir", data,
               "--drop-prob", "0.01", "--churn", "0.1", "--reset-prob", "0.002"]
        log(" ".join(cmd))
        subprocess.run(cmd, check=True)
    meta_path = os.path.join(data, "meta.json")

    qpath = os.path.join(w, "queries.jsonl")
    if args.queries:
        qpath = args.queries
    else:
        cmd = [sys.executable, os.path.join(HERE, "random_queries.py"), "--meta", meta_path, "--seed",
               str(args.seed), "-n", str(args.n), "--out", qpath,
               "--aligned-subquery-prob", str(args.aligned_subquery_prob)]
        log(" ".join(cmd))
        subprocess.run(cmd, check=True)
    queries = oracle.load_queries(qpath)

    O, X = run_both(args, queries, "main")
    results = []
    mism = []
    warn_diff = collections.Counter()
    warn_examples = {}
    for q in queries:
        o, x = O[q["id"]], X[q["id"]]
        ok, summ, diffs = compare(o, x, args.rtol, args.atol)
        results.append({"id": q["id"], "ok": ok, "summary": summ, "n_diffs": len(diffs),
                        "diffs": [fmt_diff(d) for d in diffs[:6]]})
        if not ok:
            mism.append(q["id"])
        ow, xw = bool(o.get("warnings")), bool(x.get("warnings") or x.get("infos"))
        for label, cond in (("prometheus warns, libpromql not", ow and not xw),
                            ("libpromql warns/infos, prometheus not", xw and not ow),
                            ("both warn", ow and xw)):
            if cond:
                warn_diff[label] += 1
                warn_examples.setdefault(label, []).append(
                    {"id": q["id"], "query": q["query"], "prometheus": o.get("warnings"),
                     "libpromql": (x.get("warnings") or []) + (x.get("infos") or [])})
    log("main: %d queries, %d match, %d mismatch" % (len(queries), len(queries) - len(mism), len(mism)))

    raw = RawData(os.path.join(data, "data.csv"))
    diag = diagnose(args, queries, O, X, mism, raw) if mism else {}

    cats = collections.Counter(d["category"] for d in diag.values())
    qmap = {q["id"]: q for q in queries}
    report = {"seed": args.seed, "n": len(queries), "matched": len(queries) - len(mism),
              "mismatched": len(mism), "categories": dict(cats),
              "errors_both": sum(1 for q in queries if O[q["id"]].get("status") == "error"
                                 and X[q["id"]].get("status") == "error"),
              "warnings": dict(warn_diff), "warning_examples": {k: v[:5] for k, v in warn_examples.items()},
              "mismatches": [], "seconds": round(time.time() - t_start, 1)}
    tags = collections.Counter(t for q in queries for t in q.get("tags", []))
    report["coverage"] = dict(sorted(tags.items()))
    res_by_id = {r["id"]: r for r in results}
    for qid in mism:
        q = qmap[qid]
        item = {"id": qid, "query": q["query"],
                "params": O[qid].get("params"), "summary": res_by_id[qid]["summary"],
                "diffs": res_by_id[qid]["diffs"], "n_diffs": res_by_id[qid]["n_diffs"]}
        item.update({k: v for k, v in diag.get(qid, {}).items() if k != "id"})
        report["mismatches"].append(item)
    with open(os.path.join(w, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    with open(os.path.join(w, "report.md"), "w") as f:
        f.write("# Differential run, seed %s\n\n%d queries, %d matched, %d mismatched; %d errored on both sides.\n\n"
                % (args.seed, report["n"], report["matched"], report["mismatched"], report["errors_both"]))
        f.write("Categories:\n\n")
        for c, n in cats.most_common():
            f.write("- %s: %d (%s)\n" % (c, n, CATEGORY_NOTES.get(c.split("+")[0], "mixed")))
        f.write("\nWarnings/infos: %s\n\n" % dict(warn_diff))
        for it in sorted(report["mismatches"], key=lambda i: (i.get("category") != "unexplained",
                                                              i.get("category", ""), i["id"])):
            f.write("## %s [%s]\n\n```\n%s\n```\nparams %s: %s\n\n" % (
                it["id"], it.get("category"), it["query"], json.dumps(it["params"]), it["summary"]))
            for dd in it["diffs"][:4]:
                f.write("- %s\n" % dd)
            if it.get("evidence"):
                f.write("\nevidence: %s\n" % it["evidence"])
            for mn in it.get("minimal", []):
                f.write("\nsmallest mismatching subexpression [%s]: `%s`\n  %s\n" % (
                    mn["category"], mn["expr"], mn.get("evidence", "")))
                for dd in mn.get("diffs", [])[:3]:
                    f.write("  - %s\n" % dd)
            f.write("\n")
    print("%d queries: %d matched, %d mismatched %s; warnings %s; %.0fs; report in %s" % (
        report["n"], report["matched"], report["mismatched"], dict(cats), dict(warn_diff), report["seconds"],
        os.path.join(w, "report.md")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
