#!/usr/bin/env python3
# Writes N seeded random PromQL queries, valid for Prometheus 2.42, over a gen_data.py data set as oracle.py JSON lines.
"""Random PromQL query generator for the differential tester.

Usage: random_queries.py --meta META.json --seed S -n N [--out FILE]
                         [--aligned-subquery-prob 0.5]

Reads a gen_data.py meta.json (metric names and types, label values, start
and end) and writes N queries, one JSON object a line, in the format
oracle.py reads:

    {"id": "r0001", "query": "...", "time": 1704070800}
    {"id": "r0002", "query": "...", "start": 1704067500, "end": 1704070000, "step": "37s"}

Times are absolute whole Unix seconds (gen_data.py never puts a sample on a
whole second, so left-open and left-closed windows agree on raw samples).
Extra keys, ignored by oracle.py, drive the diagnosis in compare.py:

    "tags":    the features the query uses (for the coverage summary)
    "probes":  [{"expr": ..., "params": {...}, "kids": [i, ...]}, ...]: every
               vector or scalar subexpression with the times the query
               evaluates it at (the query's own times, or for a subquery's
               inner expression its steps as a range query), start()/end()
               replaced by the query's times, and the indices of its
               nearest probed subexpressions
    "kids":    the root's nearest probed subexpressions
    "query_sub": the query with start()/end() replaced (when it has them)
    "shifted": the query with every whole-second subquery range lengthened
               by 500 ms, so that no subquery step can fall on a subquery's
               left edge (present only when that changes the query)

Only Prometheus 2.42 syntax and functions are produced (no 3.x functions,
no duration expressions, no holt_winters / double_exponential_smoothing).
"""

import argparse
import json
import random
import sys

# ---------------------------------------------------------------------------
# expression tree


class Node:
    """One expression node.  render(sub) prints it; sub is a dict with the
    values to use for start()/end() in @ (probes) and the subquery shift."""

    def __init__(self, typ, fmt, children=(), labels=frozenset(), key=None,
                 name=False, kind="other", probe=True, ctx_break=False, tags=()):
        self.typ = typ              # vector | scalar | matrix | string
        self.fmt = fmt              # fn(child_texts, sub) -> str
        self.children = list(children)
        self.labels = frozenset(labels)   # label names the series may have (no __name__)
        self.key = key              # frozenset of labels that identify a series, or None
        self.name = name            # series keep __name__
        self.kind = kind            # counter | gauge | bucket | int | other
        self.probe = probe          # worth evaluating on its own
        self.ctx_break = ctx_break  # children are evaluated at other times (subquery)
        self.tags = set(tags)

    def render(self, sub=None):
        return self.fmt([c.render(sub) for c in self.children], sub or {})


def paren(n):
    """Wrap binary operations in parentheses when used as an operand."""
    if getattr(n, "is_binop", False):
        return Node(n.typ, lambda cs, sub: "(" + cs[0] + ")", [n], n.labels, n.key, n.name,
                    n.kind, probe=False)
    return n


def num(text):
    return Node("scalar", lambda cs, sub, t=text: t, probe=False, kind="other")


def strlit(text):
    return Node("string", lambda cs, sub, t=text: json.dumps(t), probe=False)


def fmt_dur(ms):
    """Milliseconds -> PromQL duration text (2.42 syntax: 1h2m3s500ms)."""
    out = []
    for unit, size in (("h", 3600000), ("m", 60000), ("s", 1000), ("ms", 1)):
        if ms >= size:
            out.append("%d%s" % (ms // size, unit))
            ms %= size
    return "".join(out) or "0s"


# ---------------------------------------------------------------------------
# generator


class Gen:
    def __init__(self, meta, rng, aligned_subq_prob):
        self.meta = meta
        self.r = rng
        self.aligned_subq_prob = aligned_subq_prob
        self.start_s = meta["start_ms"] // 1000
        self.end_s = meta["end_ms"] // 1000
        self.jobs = meta["labels"]["job"]
        self.envs = meta["labels"]["env"]
        self.n_sets = max(m["label_sets"] for m in meta["metrics"])
        self.buckets = meta.get("buckets") or ["+Inf"]
        self.counters, self.gauges, self.hists = [], [], []
        for m in meta["metrics"]:
            if m["type"] == "counter":
                self.counters.append(m["name"])
            elif m["type"] == "gauge":
                self.gauges.append(m["name"])
            elif m["type"] == "histogram":
                self.hists.append(m["name"])
                self.counters += [m["name"] + "_count", m["name"] + "_sum"]
        self.tags = set()

    # --- small pieces -----------------------------------------------------

    def pick(self, seq):
        return self.r.choice(seq)

    def chance(self, p):
        return self.r.random() < p

    def inst(self, j):
        return "host-%04d:9100" % j

    def matcher(self, bucket):
        r = self.r
        c = r.randrange(10 if bucket else 8)
        if c == 0:
            return 'job="%s"' % self.pick(self.jobs), "="
        if c == 1:
            return 'job!="%s"' % self.pick(self.jobs), "!="
        if c == 2:
            return 'job=~"%s"' % "|".join(r.sample(self.jobs, r.randint(1, 3))), "=~"
        if c == 3:
            return 'env!~"%s"' % self.pick(["dev", "st.*", "prod|dev", "x.*"]), "!~"
        if c == 4:
            return 'env="%s"' % self.pick(self.envs), "="
        if c == 5:
            return 'instance=~"host-000[%d-9]:9100"' % r.randint(0, 9), "=~"
        if c == 6:
            return 'instance="%s"' % self.inst(r.randrange(self.n_sets)), "="
        if c == 7:
            return 'instance!~"%s"' % self.pick(["host-001.*", ".*5:9100", "nomatch"]), "!~"
        if c == 8:
            return 'le="%s"' % self.pick(self.buckets), "="
        return 'le=~"%s"' % self.pick(["0\\\\.5|1|\\\\+Inf", "0\\\\.0.*", ".*5"]), "=~"

    def metric(self, kind):
        if kind == "counter":
            return self.pick(self.counters + [self.hists[0] + "_bucket"] if self.hists else self.counters)
        if kind == "gauge":
            return self.pick(self.gauges) if self.gauges else self.pick(self.counters)
        if kind == "bucket":
            return self.hists[0] + "_bucket"
        return self.pick(self.counters + self.gauges)

    def at_value(self):
        r = self.r
        c = r.randrange(4)
        if c == 0:
            return "start()"
        if c == 1:
            return "end()"
        return self.start_s + r.randrange(0, self.end_s - self.start_s + 1200, 1 if r.random() < .5 else 60)

    def offset_ms(self):
        v = self.pick([60000, 300000, 90000, 17 * 60000, 3600000, 45000, 600000])
        if self.chance(0.1):
            self.tags.add("negative_offset")
            return -v
        return v

    def selector_parts(self, kind, empty_ok=True):
        """(text, labels, key, kind) of a vector selector with random matchers."""
        r = self.r
        name = self.metric(kind)
        bucket = name.endswith("_bucket")
        ms = []
        for _ in range(r.choice([0, 0, 1, 1, 1, 2, 3])):
            m, op = self.matcher(bucket)
            ms.append(m)
            self.tags.add("matcher" + op)
        if empty_ok and self.chance(0.03):
            name = "nonexistent_metric"
            self.tags.add("nonexistent")
        if self.chance(0.03) and kind in ("counter", "any") and not bucket:
            # several metrics: names decide the result only if kept (or dropped) at the right time
            self.tags.add("multi_name")
            names = sorted(self.r.sample([c for c in self.counters if not c.endswith("_bucket")], 2))
            text = '{__name__=~"%s"%s}' % ("|".join(names), "".join("," + m for m in ms))
        elif self.chance(0.04) and not bucket:
            # name as a matcher
            ms.insert(0, '__name__="%s"' % name)
            text = "{" + ",".join(ms) + "}"
            self.tags.add("name_matcher")
        else:
            text = name + ("{" + ",".join(ms) + "}" if ms else "")
        labels = {"job", "env", "instance"} | ({"le"} if bucket else set())
        key = frozenset({"instance", "le"} if bucket else {"instance"})
        if text.startswith('{__name__=~'):
            key = None
        k = "bucket" if bucket else ("gauge" if name in self.gauges else "counter")
        return text, labels, key, k

    def modifiers(self, allow=True):
        off = at = None
        if allow and self.chance(0.18):
            off = self.offset_ms()
            self.tags.add("offset")
        if allow and self.chance(0.12):
            at = self.at_value()
            self.tags.add("at_" + (at[:-2] if isinstance(at, str) else "ts"))
        return off, at

    @staticmethod
    def mod_text(off, at, sub):
        s = ""
        if at is not None:
            a = at
            if isinstance(at, str) and at in sub:
                a = sub[at]
            s += " @ %s" % a
        if off is not None:
            s += " offset %s%s" % ("-" if off < 0 else "", fmt_dur(abs(off)))
        return s

    def vsel(self, kind="any"):
        text, labels, key, k = self.selector_parts(kind)
        off, at = self.modifiers()
        n = Node("vector", lambda cs, sub: text + self.mod_text(off, at, sub), labels=labels, key=key,
                 name=True, kind=k)
        n.sel = (text, off, at)
        return n

    def range_ms(self):
        r = self.r
        if r.random() < 0.55:
            return self.pick([60000, 120000, 300000, 600000, 900000, 1800000, 3600000])
        # windows that are not multiples of the 15s scrape interval
        self.tags.add("odd_window")
        return self.pick([20000, 45000, 97000, 137000, 250000, 7 * 60000 + 30000, 1000 * r.randint(16, 1500)])

    def msel(self, kind="any"):
        text, labels, key, k = self.selector_parts(kind)
        rng = self.range_ms()
        off, at = self.modifiers()
        n = Node("matrix", lambda cs, sub: "%s[%s]%s" % (text, fmt_dur(rng), self.mod_text(off, at, sub)),
                 labels=labels, key=key, name=True, kind=k, probe=False)
        n.msel = (text, rng, off, at)
        return n

    def subquery(self, inner, depth_left):
        """inner[R:S] with R sometimes a multiple of S (left edge can fall on a step)."""
        r = self.r
        self.tags.add("subquery")
        step = None if r.random() < 0.25 else self.pick([15000, 30000, 60000, 60000, 120000, 37000, 300000])
        st = step or 60000
        if r.random() < self.aligned_subq_prob:
            rng = st * r.randint(2, 40)
            while rng > 7200000:
                rng //= 2
            rng -= rng % st or 0
            rng = max(rng, st)
        else:
            rng = self.pick([300000, 600000, 1800000, 1000 * r.randint(30, 3600)]) + self.pick([0, 500, 250])
        self.tags.add("subquery_step" if step else "subquery_default_step")
        off, at = self.modifiers()

        def f(cs, sub, rng=rng, step=step, off=off, at=at):
            rr = rng + (500 if sub.get("shift") and rng % 1000 == 0 else 0)
            return "%s[%s:%s]%s" % (cs[0], fmt_dur(rr), fmt_dur(step) if step else "", self.mod_text(off, at, sub))
        n = Node("matrix", f, [paren_any(inner)], inner.labels, inner.key, inner.name, inner.kind, probe=False,
                 ctx_break=True)
        n.is_subquery = True
        n.subq = (rng, step, off, at)
        return n

    def number(self):
        r = self.r
        c = r.randrange(10)
        if c < 4:
            return str(r.randint(0, 10))
        if c < 6:
            return self.pick(["0.5", "2.5", "100", "1e3", "0.001", "3600", "1.5"])
        if c < 8:
            return self.pick(["-1", "-0.5", "-10"])
        if c == 8:
            return self.pick(["0x10", "1e-3", "10000"])
        self.tags.add("special_float")
        return self.pick(["Inf", "-Inf", "NaN", "0"])

    # --- scalars ------------------------------------------------------------

    def scalar(self, depth):
        r = self.r
        c = r.randrange(10) if depth > 0 else r.randrange(4)
        if c <= 1:
            return num(self.number())
        if c == 2:
            self.tags.add("time")
            return Node("scalar", lambda cs, sub: "time()", probe=False)
        if c == 3:
            self.tags.add("pi")
            return num("pi()")
        if c <= 6:
            self.tags.add("scalar")
            agg = self.pick(["sum", "max", "min", "avg", "count"])
            v = self.vector(depth - 1)
            return Node("scalar", lambda cs, sub: "scalar(%s(%s))" % (agg, cs[0]), [v])
        if c == 7:
            self.tags.add("scalar")
            v = self.vector(depth - 1)   # usually many series -> NaN
            return Node("scalar", lambda cs, sub: "scalar(%s)" % cs[0], [v])
        # scalar arithmetic / comparison
        a, b = self.scalar(depth - 1), self.scalar(depth - 1)
        op = self.pick(["+", "-", "*", "/", "%", "^", "== bool", "> bool", "<= bool", "atan2"])
        self.tags.add("scalar_binop")
        n = Node("scalar", lambda cs, sub: "%s %s %s" % (cs[0], op, cs[1]), [paren(a), paren(b)])
        n.is_binop = True
        return n

    # --- range vectors (function arguments) ---------------------------------

    def matrix(self, depth, kind):
        """A range vector: a matrix selector, or a subquery of an instant vector."""
        if depth > 0 and self.subq_nesting < 2 and self.chance(0.22):
            self.subq_nesting += 1
            if kind == "counter":
                inner = self.pick([lambda: self.vsel("counter"),
                                   lambda: self.agg_simple(self.vsel("counter"), "sum"),
                                   lambda: self.rangefn(depth - 1, "counter_ok")])()
            elif kind == "gauge":
                inner = self.pick([lambda: self.vsel("gauge"),
                                   lambda: self.rangefn(depth - 1),
                                   lambda: self.vector(depth - 1)])()
            else:
                inner = self.vector(depth - 1)
            self.subq_nesting -= 1
            return self.subquery(inner, depth)
        return self.msel(kind)

    def agg_simple(self, v, op):
        by = self.pick([["job"], ["job", "env"], ["instance"]])
        lab = frozenset(by) & v.labels
        return Node("vector", lambda cs, sub: "%s by (%s) (%s)" % (op, ", ".join(by), cs[0]), [v],
                    lab, lab, False, v.kind)

    RATE_FUNCS = ["rate", "irate", "increase"]
    GAUGE_FUNCS = ["delta", "idelta", "deriv"]
    OVER_TIME = ["avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
                 "stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time"]

    def rangefn(self, depth, mode="any"):
        r = self.r
        c = r.randrange(13)
        if mode == "counter_ok":   # result still a counter-like series (for rate over subquery)
            c = self.pick([9, 10, 11])
        if c <= 2:
            f = self.pick(self.RATE_FUNCS)
            m = self.matrix(depth, "counter")
            self.tags.add(f)
            return Node("vector", lambda cs, sub: "%s(%s)" % (f, cs[0]), [m], m.labels, m.key, False, "gauge")
        if c <= 4:
            f = self.pick(self.GAUGE_FUNCS + ["predict_linear"])
            m = self.matrix(depth, "gauge")
            self.tags.add(f)
            if f == "predict_linear":
                t = self.pick(["600", "3600", "-300", "0", "120.5"])
                return Node("vector", lambda cs, sub: "predict_linear(%s, %s)" % (cs[0], t), [m], m.labels, m.key,
                            False, "gauge")
            return Node("vector", lambda cs, sub: "%s(%s)" % (f, cs[0]), [m], m.labels, m.key, False, "gauge")
        if c == 5:
            f = self.pick(["resets", "changes"])
            m = self.matrix(depth, "counter" if f == "resets" else "any")
            self.tags.add(f)
            return Node("vector", lambda cs, sub: "%s(%s)" % (f, cs[0]), [m], m.labels, m.key, False, "int")
        if c == 6:
            self.tags.add("quantile_over_time")
            q = self.pick(["0", "0.1", "0.5", "0.9", "0.99", "1"] + (["-0.5", "1.5"] if self.chance(.2) else []))
            m = self.matrix(depth, "any")
            return Node("vector", lambda cs, sub: "quantile_over_time(%s, %s)" % (q, cs[0]), [m], m.labels, m.key,
                        False, "gauge")
        if c == 7:
            f = self.pick(["absent_over_time", "present_over_time"])
            self.tags.add(f)
            m = self.matrix(depth, "any")
            if f == "absent_over_time":
                return Node("vector", lambda cs, sub: "absent_over_time(%s)" % cs[0], [m], frozenset(), frozenset(),
                            False, "int")
            return Node("vector", lambda cs, sub: "present_over_time(%s)" % cs[0], [m], m.labels, m.key, False,
                        "int")
        f = self.pick(self.OVER_TIME)
        self.tags.add(f)
        kind = "counter" if f in ("last_over_time", "max_over_time") and c >= 9 else "any"
        m = self.matrix(depth, kind)
        k = m.kind if f in ("last_over_time", "max_over_time", "min_over_time") else (
            "int" if f == "count_over_time" else "gauge")
        return Node("vector", lambda cs, sub: "%s(%s)" % (f, cs[0]), [m], m.labels, m.key, False, k)

    # --- instant vectors ----------------------------------------------------

    def vector(self, depth):
        r = self.r
        if depth <= 0:
            return self.vsel() if self.chance(0.5) else self.rangefn(0)
        c = r.randrange(100)
        if c < 10:
            return self.vsel()
        if c < 32:
            return self.rangefn(depth)
        if c < 47:
            return self.instfn(depth)
        if c < 64:
            return self.aggregation(depth)
        if c < 82:
            return self.binop(depth)
        if c < 87:
            return self.labelfn(depth)
        if c < 92:
            return self.hquantile(depth)
        if c < 95:
            self.tags.add("vector")
            s = self.scalar(depth - 1)
            return Node("vector", lambda cs, sub: "vector(%s)" % cs[0], [s], frozenset(), frozenset(), False)
        if c < 97:
            self.tags.add("absent")
            text, labels, key, k = self.selector_parts("any")
            if self.chance(0.5):
                text = "nonexistent_metric{job=\"%s\",env=~\"x.*\"}" % self.pick(self.jobs)
            return Node("vector", lambda cs, sub: "absent(%s)" % text, [], frozenset({"job"}), frozenset(), False)
        self.tags.add("unary_minus")
        v = self.vector(depth - 1)
        return Node("vector", lambda cs, sub: "-%s" % cs[0], [paren_any(v)], v.labels, v.key, False, "gauge")

    def instfn(self, depth):
        r = self.r
        v = self.vector(depth - 1)
        c = r.randrange(14)
        simple = ["abs", "ceil", "floor", "sgn", "round"]
        if c <= 2:
            f = self.pick(simple)
            self.tags.add(f)
            return Node("vector", lambda cs, sub: "%s(%s)" % (f, cs[0]), [v], v.labels, v.key, False, v.kind)
        if c == 3:
            self.tags.add("round_to_nearest")
            t = self.pick(["0.5", "10", "0.1", "3", "-2"])
            return Node("vector", lambda cs, sub: "round(%s, %s)" % (cs[0], t), [v], v.labels, v.key, False)
        if c == 4:
            f = self.pick(["sqrt", "ln", "log2", "log10", "exp"])
            self.tags.add(f)
            if f == "exp":
                return Node("vector", lambda cs, sub: "exp(%s / 1000)" % cs[0], [paren(v)], v.labels, v.key, False)
            return Node("vector", lambda cs, sub: "%s(%s)" % (f, cs[0]), [v], v.labels, v.key, False)
        if c == 5:
            f = self.pick(["clamp", "clamp_min", "clamp_max"])
            self.tags.add(f)
            lo, hi = self.pick([("0", "10"), ("-5", "5"), ("100", "50"), ("0.5", "1e4")])
            if f == "clamp":
                return Node("vector", lambda cs, sub: "clamp(%s, %s, %s)" % (cs[0], lo, hi), [v], v.labels, v.key,
                            False)
            return Node("vector", lambda cs, sub: "%s(%s, %s)" % (f, cs[0], lo if f == "clamp_min" else hi), [v],
                        v.labels, v.key, False)
        if c == 6:
            self.tags.add("timestamp")
            if self.chance(0.6):
                v = self.vsel()
            return Node("vector", lambda cs, sub: "timestamp(%s)" % cs[0], [v], v.labels, v.key, False)
        if c == 7:
            f = self.pick(["sort", "sort_desc"])
            self.tags.add(f)
            return Node("vector", lambda cs, sub: "%s(%s)" % (f, cs[0]), [v], v.labels, v.key, v.name, v.kind)
        if c == 8:
            f = self.pick(["day_of_week", "day_of_month", "day_of_year", "days_in_month", "hour", "minute",
                           "month", "year"])
            self.tags.add("date_fn")
            if self.chance(0.4):
                return Node("vector", lambda cs, sub: "%s()" % f, [], frozenset(), frozenset(), False, "int")
            w = self.vsel()
            return Node("vector", lambda cs, sub: "%s(timestamp(%s))" % (f, cs[0]), [w], w.labels, w.key, False,
                        "int")
        if c == 9:
            f = self.pick(["sin", "cos", "tan", "atan", "sinh", "tanh", "asinh", "deg", "rad", "asin", "acos",
                           "acosh", "atanh", "cosh"])
            self.tags.add("trig")
            if f in ("asin", "acos", "atanh"):
                return Node("vector", lambda cs, sub: "%s(clamp(%s / 1000, -1, 1))" % (f, cs[0]), [paren(v)],
                            v.labels, v.key, False)
            if f in ("sinh", "cosh"):
                return Node("vector", lambda cs, sub: "%s(%s / 100)" % (f, cs[0]), [paren(v)], v.labels, v.key, False)
            return Node("vector", lambda cs, sub: "%s(%s)" % (f, cs[0]), [v], v.labels, v.key, False)
        if c == 10:
            self.tags.add("absent")
            return Node("vector", lambda cs, sub: "absent(%s)" % cs[0], [v], frozenset(), frozenset(), False)
        # a range function of a vector selector chain
        return self.rangefn(depth)

    def grouping(self, labels, allow_empty=True):
        r = self.r
        pool = sorted(labels | ({"le"} if self.chance(0.1) else set()) | ({"__name__"} if self.chance(0.05) else set()))
        if allow_empty and self.chance(0.25):
            return None, None
        if not pool:
            return "by", []
        n = r.randint(0 if allow_empty else 1, min(2, len(pool)))
        return ("by" if self.chance(0.7) else "without"), sorted(r.sample(pool, n))

    def aggregation(self, depth):
        r = self.r
        v = self.vector(depth - 1)
        op = self.pick(["sum", "sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk",
                        "quantile", "count_values"])
        self.tags.add("agg_" + op)
        mode, labs = self.grouping(v.labels)
        if mode is None:
            g = ""
            out_labels = frozenset()
        elif mode == "by":
            g = " by (%s)" % ", ".join(labs)
            out_labels = frozenset(labs) & v.labels
        else:
            g = " without (%s)" % ", ".join(labs)
            out_labels = v.labels - set(labs)
        if mode:
            self.tags.add("agg_" + mode)
        if op in ("topk", "bottomk"):
            k = self.pick(["1", "2", "3", "5", "0", "100", "2.7", "-1", "scalar(count(%s))" % self.vsel("gauge").render()])
            return Node("vector", lambda cs, sub: "%s%s (%s, %s)" % (op, g, k, cs[0]), [v], v.labels, v.key, v.name,
                        v.kind)
        if op == "quantile":
            q = self.pick(["0", "0.25", "0.5", "0.9", "1"] + (["1.5", "-1"] if self.chance(0.15) else []))
            return Node("vector", lambda cs, sub: "quantile%s (%s, %s)" % (g, q, cs[0]), [v], out_labels, out_labels,
                        False, "gauge")
        if op == "count_values":
            lab = self.pick(["value", "value", "job"])
            if v.kind not in ("int", "counter", "bucket") and self.chance(0.6):
                return Node("vector", lambda cs, sub: "count_values%s (%s, floor(%s))" % (g, json.dumps(lab), cs[0]),
                            [v], out_labels | {lab}, None, False, "int")
            return Node("vector", lambda cs, sub: "count_values%s (%s, %s)" % (g, json.dumps(lab), cs[0]), [v],
                        out_labels | {lab}, None, False, "int")
        kind = {"count": "int", "group": "int", "sum": v.kind if v.kind in ("counter", "bucket", "int") else "gauge"}.get(
            op, "gauge")
        return Node("vector", lambda cs, sub: "%s%s (%s)" % (op, g, cs[0]), [v], out_labels, out_labels, False, kind)

    def chain(self, kind, depth):
        """A label-preserving vector over all series of a metric kind (labels job, env, instance[, le])."""
        r = self.r
        c = r.randrange(5)
        if kind == "counter" and c < 3:
            m = self.msel("counter")
            f = self.pick(self.RATE_FUNCS + ["resets"])
            self.tags.add(f)
            return Node("vector", lambda cs, sub: "%s(%s)" % (f, cs[0]), [m], m.labels, m.key, False, "gauge")
        if c < 2:
            m = self.msel(kind)
            f = self.pick(self.OVER_TIME + ["deriv", "delta"])
            self.tags.add(f)
            return Node("vector", lambda cs, sub: "%s(%s)" % (f, cs[0]), [m], m.labels, m.key, False, "gauge")
        if c == 2 and depth > 0:
            v = self.chain(kind, depth - 1)
            f = self.pick(["abs", "clamp_min", "ceil"])
            if f == "clamp_min":
                return Node("vector", lambda cs, sub: "clamp_min(%s, 1)" % cs[0], [v], v.labels, v.key, False, v.kind)
            return Node("vector", lambda cs, sub: "%s(%s)" % (f, cs[0]), [v], v.labels, v.key, False, v.kind)
        return self.vsel(kind)

    def binop(self, depth):
        r = self.r
        c = r.randrange(12)
        arith = ["+", "-", "*", "/", "%", "^", "atan2"]
        cmp_ = ["==", "!=", ">", "<", ">=", "<="]
        if c <= 2:   # vector op scalar
            v = self.vector(depth - 1)
            s = self.scalar(depth - 1)
            if self.chance(0.5):
                op = self.pick(arith[:6] + (["atan2"] if self.chance(.1) else []))
                keep = False
                self.tags.add("vs_arith")
            else:
                op = self.pick(cmp_) + (" bool" if self.chance(0.4) else "")
                keep = "bool" not in op and v.name
                self.tags.add("vs_cmp" + ("_bool" if "bool" in op else ""))
            if self.chance(0.5):
                n = Node("vector", lambda cs, sub: "%s %s %s" % (cs[0], op, cs[1]), [paren(v), paren(s)], v.labels,
                         v.key, keep, "gauge")
            else:
                n = Node("vector", lambda cs, sub: "%s %s %s" % (cs[0], op, cs[1]), [paren(s), paren(v)], v.labels,
                         v.key, keep, "gauge")
            n.is_binop = True
            return n
        if c <= 5:   # one-to-one between two chains of the same label profile
            kind = self.pick(["counter", "gauge", "counter"])
            a, b = self.chain(kind, depth - 1), self.chain(self.pick(["counter", "gauge"]), depth - 1)
            if a.labels != b.labels:   # bucket vs non-bucket
                a, b = self.chain("gauge", depth - 1), self.chain("gauge", depth - 1)
            op = self.pick(arith[:5] + cmp_ + [c2 + " bool" for c2 in cmp_])
            mod = self.pick(["", "", " on (instance)", " ignoring (env)", " on (instance, job)", " ignoring (job, env)"])
            if a.labels != b.labels or "le" in a.labels:
                mod = self.pick(["", " on (instance, le)", " ignoring (job)"]) if a.labels == b.labels else ""
            self.tags.add("vv_one_to_one" + (" on" in mod and "_on" or " ignoring" in mod and "_ignoring" or ""))
            keep = op in cmp_ and a.name
            labs = a.labels if not mod.startswith(" on") else frozenset(
                mod[mod.index("(") + 1:-1].replace(" ", "").split(",")) & a.labels
            labs = a.labels if op in cmp_ or mod == "" or "ignoring" in mod else labs
            n = Node("vector", lambda cs, sub: "%s %s%s %s" % (cs[0], op, mod, cs[1]), [paren(a), paren(b)],
                     labs, a.key, keep, "gauge")
            n.is_binop = True
            return n
        if c <= 7:   # many-to-one with group_left / group_right
            kind = self.pick(["counter", "gauge", "bucket"])
            many = self.chain(kind, depth - 1)
            onl = self.pick([["job"], ["job", "env"], ["env"]])
            if kind == "bucket" and self.chance(0.5):
                # one side keyed by instance; copy a made-up label from it
                one = self.chain("gauge", depth - 1)
                if self.chance(0.5):
                    one = Node("vector", lambda cs, sub: 'label_replace(%s, "host", "$1", "instance", "(.*):.*")'
                               % cs[0], [one], one.labels | {"host"}, one.key, one.name, one.kind)
                    extra = " (host)"
                else:
                    extra = self.pick(["", " (env)"])
                onl = ["instance"]
            else:
                # the one side: an aggregation by exactly the matching labels
                aggop = self.pick(["sum", "max", "avg", "count"])
                inner = self.chain(self.pick(["counter", "gauge"]), depth - 1)
                one = Node("vector", lambda cs, sub, onl=onl: "%s by (%s) (%s)" % (aggop, ", ".join(onl), cs[0]),
                           [inner], frozenset(onl), frozenset(onl), False, "gauge")
                extra = ""
            op = self.pick(["*", "/", "+", "-", ">", "<=", "> bool"])
            on = " on (%s)" % ", ".join(onl) if self.chance(0.8) else ""
            if not on:
                on = " ignoring (%s)" % ", ".join(sorted(many.labels - set(onl)))
            if self.chance(0.7):
                self.tags.add("group_left")
                n = Node("vector", lambda cs, sub: "%s %s%s group_left%s %s" % (cs[0], op, on, extra, cs[1]),
                         [paren(many), paren(one)], many.labels, many.key, op in ("<=", ">") and many.name, "gauge")
            else:
                self.tags.add("group_right")
                n = Node("vector", lambda cs, sub: "%s %s%s group_right%s %s" % (cs[0], op, on, extra, cs[1]),
                         [paren(one), paren(many)], many.labels, many.key, op in ("<=", ">") and one.name, "gauge")
            n.is_binop = True
            return n
        if c <= 10:  # set operators
            a, b = self.vector(depth - 1), self.vector(depth - 1)
            op = self.pick(["and", "or", "unless"])
            self.tags.add("set_" + op)
            common = sorted(a.labels & b.labels)
            mod = ""
            if common and self.chance(0.5):
                if self.chance(0.6):
                    mod = " on (%s)" % ", ".join(r.sample(common, r.randint(1, min(2, len(common)))))
                else:
                    mod = " ignoring (%s)" % ", ".join(r.sample(common, 1))
            elif self.chance(0.15):
                mod = " on ()"
            labs = a.labels | (b.labels if op == "or" else frozenset())
            n = Node("vector", lambda cs, sub: "%s %s%s %s" % (cs[0], op, mod, cs[1]), [paren(a), paren(b)], labs,
                     None, a.name and b.name, "other")
            n.is_binop = True
            return n
        # comparison between two aggregations with the same grouping
        by = self.pick([["job"], ["env"], ["job", "env"]])
        a = self.agg_simple_by(self.vector(depth - 1), by)
        b = self.agg_simple_by(self.vector(depth - 1), by)
        op = self.pick(arith[:5] + [c2 + " bool" for c2 in cmp_] + cmp_)
        self.tags.add("vv_agg")
        n = Node("vector", lambda cs, sub: "%s %s %s" % (cs[0], op, cs[1]), [paren(a), paren(b)],
                 frozenset(by), frozenset(by), False, "gauge")
        n.is_binop = True
        return n

    def agg_simple_by(self, v, by):
        op = self.pick(["sum", "avg", "max", "min", "count", "stddev"])
        self.tags.add("agg_" + op)
        return Node("vector", lambda cs, sub: "%s by (%s) (%s)" % (op, ", ".join(by), cs[0]), [v],
                    frozenset(by), frozenset(by), False, "gauge")

    def labelfn(self, depth):
        v = self.vector(depth - 1)
        c = self.r.randrange(5)
        if c == 4:
            self.tags.add("label_join")
            src = self.pick([("job", "env"), ("instance",), ("job", "nolabel", "env"), (), ("__name__", "job")])
            dst = self.pick(["combo", "job"])
            args = "".join(", " + json.dumps(s) for s in src)
            sep = self.pick(["-", "", ","])
            return Node("vector", lambda cs, sub: "label_join(%s, %s, %s%s)" % (cs[0], json.dumps(dst),
                        json.dumps(sep), args), [v], v.labels | {dst}, v.key, v.name, v.kind)
        self.tags.add("label_replace")
        dst, repl, src, rx = self.pick([
            ("host", "$1", "instance", "(host-[0-9]+):.*"),
            ("job", "x-$1", "job", "(a.*)"),
            ("env", "", "env", "dev"),
            ("port", "${1}0", "instance", ".*:([0-9]+)"),
            ("new", "const", "nolabel", ""),
            ("job", "$2$1", "instance", "host-00(.)(.).*"),
            ("name", "$1", "__name__", "(.+)"),
        ])
        return Node("vector", lambda cs, sub: "label_replace(%s, %s, %s, %s, %s)" % (
            cs[0], json.dumps(dst), json.dumps(repl), json.dumps(src), json.dumps(rx)), [v],
            v.labels | {dst}, v.key, v.name, v.kind)

    def hquantile(self, depth):
        self.tags.add("histogram_quantile")
        q = self.pick(["0.5", "0.9", "0.99", "0.25", "0", "1"] + (["1.5", "-0.1", "NaN"] if self.chance(.15) else []))
        m = self.msel("bucket")
        by = self.pick([["le"], ["le", "job"], ["le", "env"], ["le", "instance"]])
        f = self.pick(["rate", "rate", "increase", "irate"])
        self.tags.add(f)
        inner = Node("vector", lambda cs, sub: "%s(%s)" % (f, cs[0]), [m], m.labels, m.key, False, "gauge")
        if self.chance(0.2):
            # per series, no aggregation
            return Node("vector", lambda cs, sub: "histogram_quantile(%s, %s)" % (q, cs[0]), [inner],
                        m.labels - {"le"}, frozenset({"instance"}), False, "gauge")
        agg = Node("vector", lambda cs, sub: "sum by (%s) (%s)" % (", ".join(by), cs[0]), [inner],
                   frozenset(by), frozenset(by), False, "gauge")
        return Node("vector", lambda cs, sub: "histogram_quantile(%s, %s)" % (q, cs[0]), [agg],
                    frozenset(by) - {"le"}, frozenset(by) - {"le"}, False, "gauge")

    # --- whole queries ------------------------------------------------------

    def top(self, rng_query):
        r = self.r
        self.subq_nesting = 0
        c = r.randrange(100)
        depth = self.pick([1, 2, 2, 3, 3, 4])
        if c < 3:
            self.tags.add("top_scalar")
            return self.scalar(depth)
        if c < 5 and not rng_query:
            self.tags.add("top_matrix")
            return self.msel()
        if c < 6:
            self.tags.add("top_string")
            return strlit("hello")
        if c < 14:
            # explicitly nested subquery (one level)
            self.tags.add("nested_subquery")
            self.subq_nesting = 2   # no further subqueries inside
            inner = self.subquery(self.rangefn(1), depth)
            f = self.pick(["max_over_time", "avg_over_time", "min_over_time", "sum_over_time", "count_over_time",
                           "last_over_time", "stddev_over_time", "deriv", "delta", "changes"])
            self.tags.add(f)
            mid = Node("vector", lambda cs, sub: "%s(%s)" % (f, cs[0]), [inner], inner.labels, inner.key, False)
            outer = self.subquery(mid, depth)
            g = self.pick(["max_over_time", "avg_over_time", "quantile_over_time(0.5, ", "rate", "last_over_time"])
            if g.endswith(", "):
                return Node("vector", lambda cs, sub: "%s%s)" % (g, cs[0]), [outer], inner.labels, inner.key, False)
            return Node("vector", lambda cs, sub: "%s(%s)" % (g, cs[0]), [outer], inner.labels, inner.key, False)
        return self.vector(depth)


def paren_any(n):
    """Subquery and unary-minus operands: parenthesize anything that is not a plain call/selector."""
    if getattr(n, "is_binop", False):
        return Node(n.typ, lambda cs, sub: "(" + cs[0] + ")", [n], n.labels, n.key, n.name, n.kind, probe=False)
    return n


# ---------------------------------------------------------------------------
# probes


def ctx_params(ctx):
    b0, b1, st = ctx
    if st is None:
        return {"time": b0 // 1000}
    return {"start": b0 // 1000, "end": b1 // 1000, "step": "%ds" % (st // 1000)}


def subquery_ctx(ctx, n, sub):
    """The times at which a subquery evaluates its inner expression, as a range-query context."""
    rng, step, off, at = n.subq
    b0, b1, _ = ctx
    if at is not None:
        b0 = b1 = int(sub.get(at, at)) * 1000
    off = off or 0
    st = step or 60000
    lo, hi = b0 - off - rng, b1 - off
    s = -(-lo // st) * st          # first multiple of the step >= lo (2.42 includes the left edge)
    e = hi // st * st
    if s > e:
        return None
    return (s, e, st)


def collect_probes(root, sub, ctx):
    """List the probe subexpressions (not the root), depth-first, with nearest-probe children.

    A probe is a vector or scalar subexpression with the times at which the
    query evaluates it: the query's own times, or for the inner expression
    of a subquery the subquery's steps, as a range query."""
    probes, index = [], {}

    def walk(n, ctx):
        """Return the indices of the nearest probed nodes under n."""
        kids = []
        for c in n.children:
            kids += visit(c, ctx)
        return kids

    def visit(n, ctx):
        if getattr(n, "is_subquery", False):
            ictx = subquery_ctx(ctx, n, sub)
            return visit(n.children[0], ictx) if ictx else []
        if n.typ == "matrix" or n.typ == "string":
            return []   # range selectors are not probed
        kids = walk(n, ctx)
        if not n.probe or (n.typ == "scalar" and not n.children):
            return kids
        text = n.render(sub)
        params = ctx_params(ctx)
        k = (text, json.dumps(params, sort_keys=True))
        if k in index:
            return [index[k]]
        probes.append({"expr": text, "kids": sorted(set(kids)), "params": params})
        if has_subquery(n):
            sh = n.render(dict(sub, shift=True))
            if sh != text:
                probes[-1]["shifted"] = sh
        index[k] = len(probes) - 1
        return [len(probes) - 1]

    root_kids = walk(root, ctx)
    return probes, sorted(set(root_kids))


def has_subquery(n):
    return getattr(n, "is_subquery", False) or any(has_subquery(c) for c in n.children)


def make_query(g, i):
    r = g.r
    g.tags = set()
    is_range = r.random() < 0.45
    rec = {"id": "r%04d" % i}
    span = g.end_s - g.start_s
    if is_range:
        step = g.pick([15, 60, 37, 60, 300, 90, 7, 1])
        npts = r.randint(2, 240 if step >= 15 else 120)
        start = g.start_s + r.randrange(-600, span)
        if r.random() < 0.15:
            start = g.start_s - r.randrange(0, 300)   # windows at the very beginning
        end = start + step * (npts - 1)
        if r.random() < 0.3:
            end = start + r.randrange(step, step * npts + 1)   # end not on the step grid
        end = min(end, g.end_s + 900)
        if end <= start:
            end = start + step
        rec.update({"start": start, "end": end, "step": "%ds" % step})
        sub = {"start()": start, "end()": end}
        ctx = (start * 1000, (start + (end - start) // step * step) * 1000, step * 1000)
        g.tags.add("range_query")
    else:
        c = r.random()
        if c < 0.1:
            t = g.start_s + r.randrange(0, 600)
        elif c < 0.2:
            t = g.end_s + r.randrange(-600, 900)
        else:
            t = g.start_s + r.randrange(-300, span + 600)
        rec["time"] = t
        sub = {"start()": t, "end()": t}
        ctx = (t * 1000, t * 1000, None)
        g.tags.add("instant_query")
    root = g.top(is_range)
    rec["query"] = root.render({})
    if root.render(sub) != rec["query"]:
        rec["query_sub"] = root.render(sub)   # start()/end() replaced by numbers
    rec["tags"] = sorted(g.tags)
    probes, kids = collect_probes(root, sub, ctx)
    rec["probes"] = probes
    rec["kids"] = kids
    if has_subquery(root):
        rec["shifted"] = root.render({"shift": True})
        if rec["shifted"] == rec["query"]:
            del rec["shifted"]
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--meta", required=True, help="gen_data.py meta.json")
    ap.add_argument("--seed", default="1")
    ap.add_argument("-n", type=int, default=500)
    ap.add_argument("--out", default="-")
    ap.add_argument("--aligned-subquery-prob", type=float, default=0.5,
                    help="fraction of subqueries whose range is a multiple of their step (default 0.5)")
    args = ap.parse_args()
    meta = json.load(open(args.meta))
    g = Gen(meta, random.Random("promql-diff/" + str(args.seed)), args.aligned_subquery_prob)
    out = sys.stdout if args.out == "-" else open(args.out, "w")
    for i in range(1, args.n + 1):
        out.write(json.dumps(make_query(g, i)) + "\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
