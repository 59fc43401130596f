#!/usr/bin/env python3
"""compare_oracle.py: compares libpromql range-query results (bench_oracle --dump)
with the real Prometheus's (prom-oracle oracle.py run WITHOUT --omit-result).

usage: compare_oracle.py OURS.jsonl PROMETHEUS.jsonl [--rel 1e-9]

Series are matched by their label sets, points by timestamp; values must agree
within a relative tolerance (absolute for values near 0); NaN only matches NaN.
Prints one line per query and exits 1 on any difference."""
import json
import math
import sys


def key(metric):
    return tuple(sorted(metric.items()))


def close(a, b, rel):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if a == b:
        return True
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def main():
    args = sys.argv[1:]
    rel = 1e-9
    if "--rel" in args:
        i = args.index("--rel")
        rel = float(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    ours = {}
    for line in open(args[0]):
        d = json.loads(line)
        ours.setdefault(d["query"], {})[key(d["metric"])] = {
            int(t): float(v) for t, v in d["values"]}
    bad = 0
    for line in open(args[1]):
        rec = json.loads(line)
        if rec.get("kind") != "range" or rec["query"] not in ours:
            continue
        result = (rec.get("response") or rec).get("data", {}).get("result")
        if result is None:
            result = rec.get("result")
        if result is None:
            print("%s: no result in the oracle file (ran with --omit-result?)"
                  % rec["id"])
            bad += 1
            continue
        mine = ours[rec["query"]]
        theirs = {key(s["metric"]): {int(round(float(t) * 1000)): float(v)
                                     for t, v in s["values"]} for s in result}
        diffs, points, worst, diff_ts = [], 0, 0.0, []
        for k in set(mine) | set(theirs):
            a, b = mine.get(k), theirs.get(k)
            if a is None or b is None:
                diffs.append("series %s only in %s" % (dict(k), "Prometheus" if a is None else "ours"))
                continue
            for t in set(a) | set(b):
                points += 1
                if t not in a or t not in b:
                    diffs.append("%s @%d only in %s" % (dict(k), t, "Prometheus" if t not in a else "ours"))
                    continue
                x, y = a[t], b[t]
                if not close(x, y, rel):
                    diff_ts.append(t)
                    diffs.append("%s @%d: ours %r, Prometheus %r" % (dict(k), t, x, y))
                elif x != y and not (math.isnan(x) and math.isnan(y)):
                    worst = max(worst, abs(x - y) / max(abs(x), abs(y)))
        exact = "max rel diff %.3g" % worst if worst else "bit-identical"
        print("%-28s %-48s series %5d points %8d  %s  %s" % (
            rec["id"], rec["query"], len(theirs), points,
            "OK" if not diffs else "%d DIFFERENCES" % len(diffs), exact))
        if diff_ts:
            print("    differing points lie at t = %d .. %d (s)" % (
                min(diff_ts) // 1000, max(diff_ts) // 1000))
        for d in diffs[:10]:
            print("    " + d)
        bad += bool(diffs)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
