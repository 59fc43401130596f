#!/usr/bin/env python3
# Answers an oracle.py query file with libpromql's `promql query` (one process per query) and writes oracle-shaped JSON lines.
"""Usage: run_promql.py --promql BIN --data FILE --queries Q.jsonl --out OUT.jsonl [--meta meta.json]

Each query is run as
    promql query --data FILE --format json (--time T | --start T --end T --step D) EXPR
with the times oracle.py would send (resolved the same way, so relative
times such as "start+30m" work too).  The output has oracle.py's keys:
id, query, kind, params, status, resultType, result, errorType, error,
warnings, infos, plus exit_code and wall_s.
"""

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.environ.get(
    "PQL_ORACLE_DIR",
    os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                  "..", "..", "..", "shared", "tools", "prom-oracle"))))
import oracle  # noqa: E402  (resolve_time, resolve_step, load_queries)


def run_one(binary, data, q, meta, timeout):
    rec = {"id": q["id"], "query": q["query"]}
    cmd = [binary, "query", "--data", data, "--format", "json"]
    if "start" in q or "end" in q or "step" in q:
        rec["kind"] = "range"
        p = {"start": oracle.resolve_time(q["start"], meta), "end": oracle.resolve_time(q["end"], meta),
             "step": oracle.resolve_step(q["step"])}
        cmd += ["--start", p["start"], "--end", p["end"], "--step", p["step"]]
    else:
        rec["kind"] = "instant"
        p = {"time": oracle.resolve_time(q.get("time", "end"), meta)}
        cmd += ["--time", p["time"]]
    rec["params"] = p
    cmd += ["--", q["query"]]
    t0 = time.perf_counter()
    try:
        cp = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        out, code = cp.stdout.decode(errors="replace"), cp.returncode
        err_text = cp.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        out, code, err_text = "", -1, "timeout"
    rec["wall_s"] = round(time.perf_counter() - t0, 4)
    rec["exit_code"] = code
    try:
        body = json.loads(out)
    except ValueError:
        body = {"status": "error", "errorType": "no_json", "error": (err_text or out)[:2000]}
    rec["status"] = body.get("status")
    if body.get("status") == "success":
        rec["resultType"] = body["data"]["resultType"]
        rec["result"] = body["data"]["result"]
    else:
        rec["errorType"] = body.get("errorType")
        rec["error"] = body.get("error")
    for k in ("warnings", "infos"):
        if body.get(k):
            rec[k] = body[k]
    return rec


def run_file(binary, data, queries, meta, out_path, timeout=120, log=None):
    n = 0
    with open(out_path, "w") as out:
        for q in queries:
            rec = run_one(binary, data, q, meta, timeout)
            out.write(json.dumps(rec) + "\n")
            n += 1
            if log and n % 100 == 0:
                log("promql: %d/%d queries" % (n, len(queries)))
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--promql", default=os.path.join(os.path.dirname(__file__), "../../build/diff/tools/promql"))
    ap.add_argument("--data", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--meta")
    ap.add_argument("--out", required=True)
    ap.add_argument("--timeout", type=float, default=120)
    a = ap.parse_args()
    meta = json.load(open(a.meta)) if a.meta else None
    run_file(a.promql, a.data, oracle.load_queries(a.queries), meta, a.out, a.timeout,
             lambda m: print(m, file=sys.stderr))


if __name__ == "__main__":
    main()
