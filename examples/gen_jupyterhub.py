#!/usr/bin/env python3
"""Generate the example data set: two JupyterHubs on one small Kubernetes cluster.

Writes OpenMetrics text exactly as `promtool tsdb create-blocks-from
openmetrics` reads it (and as `promql query --data` loads it): `# HELP` and
`# TYPE` per family, counters typed by their family name (without `_total`)
and sampled with `_total`, every sample with a timestamp in seconds with
millisecond precision, each series' samples in time order, `# EOF` last.

The story, 2024-03-12 09:00-11:15 UTC (simulated in 15 s steps; cAdvisor
and the node exporter are scraped every 30 s, the hubs, kube-state-metrics
and the kubelet's volume stats every 60 s, which keeps the file near 3 MB):

  * namespace jhub-research (10 users): researchers start and stop servers
    all morning; jupyter-mei leaks memory until it is OOM-killed (about every
    45 minutes; its CPU counter resets each time); claim-omar, a home volume,
    is almost full; a storage hiccup at 10:30-10:38 makes the hub answer
    activity reports with 500s and slows the rest down.
  * namespace jhub-course (12 students): a class runs 10:00-10:50; students
    spawn servers from 09:50, two leave early, one comes late, and the idle
    culler stops the servers from 10:55 (their series just end: OpenMetrics
    has no stale markers, so they vanish 5 minutes later); the hub container
    restarts at 11:05 (its request counters and CPU counter reset, and the
    spawn-handler series, created lazily, does not come back).
  * three nodes: core-1 runs both hubs and proxies, user-1 and user-2 run
    the single-user servers; node CPU and memory follow the pods on them.

Every target is scraped at its own offset within the interval plus a small
jitter, and no timestamp ever falls on a whole second, so queries evaluated
at whole seconds never coincide with a sample (Prometheus 2.x range windows
are left-closed, 3.x left-open; this keeps both answering the same).

Deterministic: standard library only, one seeded RNG per series/target; two
runs write byte-identical files.

Usage: gen_jupyterhub.py [--out FILE (default stdout)] [--meta meta.json] [--seed 1]
  e.g. python3 examples/gen_jupyterhub.py --out examples/jupyterhub.om
"""

import argparse
import json
import math
import random
import sys

START_S = 1710234000          # 2024-03-12T09:00:00Z
DURATION_S = 8100              # 2h15m: 09:00-11:15
STEP_MS = 15000               # simulation step = the fastest scrape interval
N_STEPS = DURATION_S * 1000 // STEP_MS
SCRAPE_MS = 30000             # cAdvisor, node exporter
SLOW_SCRAPE_MS = 60000        # hub, kube-state-metrics, kubelet volume stats

GI = 1024 ** 3
MI = 1024 ** 2

NODES = {                     # name -> (cpus, memory bytes)
    "core-1": (2, 8 * GI),
    "user-1": (2, 16 * GI),
    "user-2": (2, 16 * GI),
}

# jupyterhub_request_duration_seconds buckets (a subset of prometheus_client's defaults)
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 5.0, math.inf)


def step_of(hh, mm, ss=0):
    """Simulation step of wall clock time hh:mm:ss on the data set's day."""
    return ((hh - 9) * 3600 + mm * 60 + ss) * 1000 // STEP_MS


# ---------------------------------------------------------------- formatting

def fmt_value(v):
    """Shortest text that round-trips the float; integers without '.0'."""
    if v != v:
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(float(v))


def ts_text(ms):
    """Timestamp in seconds that promtool (int64(parseFloat(s)*1000), which
    truncates) turns back into exactly `ms`; '5' (+0.5 ms) is appended where
    the decimal text would parse a hair low."""
    s = "%d.%03d" % (ms // 1000, ms % 1000)
    if int(float(s) * 1000) != ms:
        s += "5"
        assert int(float(s) * 1000) == ms
    return s


def labels_text(name, labels):
    if not labels:
        return name
    return "%s{%s}" % (name, ",".join('%s="%s"' % (k, labels[k]) for k in sorted(labels)))


# ---------------------------------------------------------------- scrape targets

class Target:
    """A scrape target: interval and a fixed offset within it, plus jitter."""

    def __init__(self, name, interval_ms, seed):
        self.name = name
        self.interval_ms = interval_ms
        rng = random.Random("%s/target/%s" % (seed, name))
        self.offset_ms = rng.randrange(200, interval_ms - 200)
        self.rng = rng
        self._ts = {}

    def every(self):
        return self.interval_ms // STEP_MS

    def scrape_ms(self, k):
        """Timestamp of the scrape in simulation step k (memoised so that all
        series of the target share it)."""
        if k not in self._ts:
            ms = START_S * 1000 + k * STEP_MS + self.offset_ms + self.rng.randint(-40, 40)
            if ms % 1000 == 0:
                ms += 1
            self._ts[k] = ms
        return self._ts[k]

    def scraped(self, k):
        return k % self.every() == 0


# ---------------------------------------------------------------- model

class Pod:
    def __init__(self, ns, name, container, node, kind, start, end, cpu_limit, mem_limit,
                 pvc=None, pvc_cap=None, pvc_used0=None, pvc_growth=0.0,
                 restarts=(), activity=None, mem_base=None, mem_leak=0.0):
        self.ns, self.name, self.container, self.node, self.kind = ns, name, container, node, kind
        self.start, self.end = start, end        # steps, end exclusive
        self.cpu_limit, self.mem_limit = cpu_limit, mem_limit
        self.pvc, self.pvc_cap, self.pvc_used0, self.pvc_growth = pvc, pvc_cap, pvc_used0, pvc_growth
        self.restarts = set(restarts)
        self.activity = activity or (lambda k: 0.02)
        self.mem_base = mem_base
        self.mem_leak = mem_leak
        # simulated per step: cpu counter, memory, volume used
        self.cpu = {}
        self.mem = {}
        self.vol = {}

    def running(self, k):
        return self.start <= k < self.end


def session_activity(rng, start, end, busy_from=None, busy_to=None, level=0.6):
    """CPU cores a notebook uses at step k: mostly idle, bursts of work."""
    bursts = []
    k = start + rng.randrange(2, 12)
    while k < end:
        length = rng.randrange(4, 40)
        bursts.append((k, k + length, rng.uniform(0.2, 1.0) * level * 2))
        k += length + rng.randrange(10, 120)

    def act(step):
        c = 0.004
        if busy_from is not None and busy_from <= step < busy_to:
            c += level * 0.5
        for b0, b1, lv in bursts:
            if b0 <= step < b1:
                c += lv
        return c
    return act


def build_pods(seed):
    rng = random.Random("%s/pods" % seed)
    pods = []

    def hub_pods(ns, suffix, restarts=()):
        pods.append(Pod(ns, "hub-%s" % suffix[0], "hub", "core-1", "hub", 0, N_STEPS,
                        1.0, 1 * GI, pvc="hub-db-dir", pvc_cap=1 * GI, pvc_used0=96 * MI,
                        pvc_growth=2e3, restarts=restarts,
                        activity=lambda k: 0.03, mem_base=180 * MI))
        pods.append(Pod(ns, "proxy-%s" % suffix[1], "chp", "core-1", "proxy", 0, N_STEPS,
                        0.5, 512 * MI, activity=lambda k: 0.01, mem_base=60 * MI))

    hub_pods("jhub-research", ("7d4b9c6f5-x2kq8", "5f8d7b9c4-mz6tp"))
    hub_pods("jhub-course", ("6c9f8d7b5-q4wnl", "7b5c9d8f6-hk2rs"), restarts=(step_of(11, 5),))

    # researchers: come and go all morning
    research = ["alice", "bogdan", "chen", "dana", "emeka", "farah", "goran", "hana",
                "mei", "omar"]
    for i, u in enumerate(research):
        r = random.Random("%s/user/research/%s" % (seed, u))
        start = r.randrange(0, N_STEPS - 120) if u not in ("mei", "omar") else r.randrange(0, 40)
        length = r.randrange(120, 320)
        if u in ("mei", "omar"):
            length = N_STEPS       # still running at the end
        end = min(start + length, N_STEPS)
        node = "user-1" if i % 2 == 0 else "user-2"
        restarts = ()
        leak = 0.0
        if u == "mei":
            leak = 1 / 170.0       # of the limit per step: OOM-killed every ~45 min
        cap = 10 * GI
        used0 = r.randrange(200, 6000) * MI
        growth = r.uniform(0, 2e5)
        if u == "omar":
            used0, growth = int(8.9 * GI), 1.5e6
        pods.append(Pod("jhub-research", "jupyter-" + u, "notebook", node, "user", start, end,
                        2.0, 4 * GI, pvc="claim-" + u, pvc_cap=cap, pvc_used0=used0,
                        pvc_growth=growth, restarts=restarts,
                        activity=session_activity(r, start, end, level=0.8),
                        mem_base=r.randrange(180, 900) * MI, mem_leak=leak))

    # course: class 10:00-11:00; spawns 09:52-10:08, idle-culled 11:30-11:55
    students = ["s%02d" % i for i in range(1, 13)]
    class_from, class_to = step_of(10, 0), step_of(10, 50)
    for i, u in enumerate(students):
        r = random.Random("%s/user/course/%s" % (seed, u))
        start = step_of(9, 50) + r.randrange(0, 60)
        end = step_of(10, 55) + r.randrange(0, 60)
        if i in (3, 11):           # left early; culled an hour after the class
            end = step_of(10, 20) + r.randrange(0, 30)
        if i == 7:                 # came late
            start = step_of(10, 21)
        node = "user-2" if i % 3 else "user-1"
        pods.append(Pod("jhub-course", "jupyter-" + u, "notebook", node, "user", start, end,
                        1.0, 2 * GI, pvc="claim-" + u, pvc_cap=5 * GI,
                        pvc_used0=r.randrange(20, 400) * MI, pvc_growth=r.uniform(1e4, 4e5),
                        activity=session_activity(r, start, end, class_from, min(class_to, end), 0.5),
                        mem_base=r.randrange(150, 400) * MI))
    return pods


def simulate_pod(p, seed):
    r = random.Random("%s/sim/%s/%s" % (seed, p.ns, p.name))
    cpu = 0.0
    work = float(p.mem_base)
    leak = 0.0
    vol = float(p.pvc_used0 or 0)
    oom = False
    for k in range(p.start, p.end):
        if k in p.restarts or oom:
            # the container restarts (an OOM kill, or a scheduled restart):
            # a new cgroup, so the CPU counter starts again from 0
            p.restarts.add(k)
            cpu = 0.0
            work = float(p.mem_base)
            leak = 0.0
            oom = False
        a = p.activity(k) * r.uniform(0.8, 1.2)
        a = min(a, p.cpu_limit)
        cpu += a * STEP_MS / 1000.0
        # working set: drifts with activity; a leaky notebook also grows steadily
        target = p.mem_base + a * 1.2 * GI
        work += (target - work) * 0.05 + r.gauss(0, 2 * MI)
        work = max(40 * MI, work)
        leak += p.mem_leak * p.mem_limit * r.uniform(0.5, 1.5)
        mem = work + leak
        if mem >= p.mem_limit * 0.97:
            mem = p.mem_limit * r.uniform(0.97, 0.995)
            oom = True             # killed by the kernel before the next step
        if p.pvc:
            vol = min(vol + max(0.0, r.gauss(p.pvc_growth, p.pvc_growth / 2)) * (1 + 8 * a), p.pvc_cap * 0.99)
        p.cpu[k] = round(cpu, 3)
        p.mem[k] = int(mem) // 4096 * 4096
        p.vol[k] = int(vol) // 4096 * 4096


# ---------------------------------------------------------------- output

class Writer:
    def __init__(self):
        self.families = []       # (name, type, help, [(labels_text, [(ms, value)])])
        self.samples = 0
        self.min_ms = None
        self.max_ms = None

    def family(self, name, typ, help_):
        fam = (name, typ, help_, [])
        self.families.append(fam)
        return fam[3]

    def render(self):
        out = []
        for name, typ, help_, series in self.families:
            out.append("# HELP %s %s\n" % (name, help_))
            out.append("# TYPE %s %s\n" % (name, typ))
            for entry in series:
                # an entry is one series (labels_text, points), or a histogram:
                # a list of such series sharing timestamps, written point by
                # point (buckets, _count, _sum), as OpenMetrics groups them
                group = entry if isinstance(entry, list) else [entry]
                for i in range(len(group[0][1])):
                    for lt, pts in group:
                        ms, v = pts[i]
                        out.append("%s %s %s\n" % (lt, fmt_value(v), ts_text(ms)))
                        self.samples += 1
                        self.min_ms = ms if self.min_ms is None else min(self.min_ms, ms)
                        self.max_ms = ms if self.max_ms is None else max(self.max_ms, ms)
        out.append("# EOF\n")
        return "".join(out)


def generate(seed):
    pods = build_pods(seed)
    for p in pods:
        simulate_pod(p, seed)
    by_ns = {}
    for p in pods:
        by_ns.setdefault(p.ns, []).append(p)
    namespaces = sorted(by_ns)

    cadvisor = {n: Target("cadvisor/" + n, SCRAPE_MS, seed) for n in NODES}
    kubelet = {n: Target("kubelet/" + n, SLOW_SCRAPE_MS, seed) for n in NODES}
    nodeexp = {n: Target("node-exporter/" + n, SCRAPE_MS, seed) for n in NODES}
    ksm = Target("kube-state-metrics", SLOW_SCRAPE_MS, seed)
    hubt = {ns: Target("hub/" + ns, SLOW_SCRAPE_MS, seed) for ns in namespaces}

    w = Writer()

    # ---- container metrics (cAdvisor via the kubelet) -------------------------
    cpu_series = w.family("container_cpu_usage_seconds", "counter",
                          "Cumulative cpu time consumed in seconds.")
    mem_series = w.family("container_memory_working_set_bytes", "gauge",
                          "Current working set in bytes.")
    lim_series = w.family("kube_pod_container_resource_limits", "gauge",
                          "The number of requested limit resource by a container.")
    for p in pods:
        t = cadvisor[p.node]
        lab = {"container": p.container, "namespace": p.ns, "pod": p.name}
        # cAdvisor sees the container a scrape after the pod starts
        ks = [k for k in range(p.start + 1, p.end) if t.scraped(k)]
        cpu_series.append((labels_text("container_cpu_usage_seconds_total", lab),
                           [(t.scrape_ms(k), p.cpu[k]) for k in ks]))
        mem_series.append((labels_text("container_memory_working_set_bytes", lab),
                           [(t.scrape_ms(k), p.mem[k]) for k in ks]))
        if p.kind != "user":
            continue               # z2jh sets no limits on the hub and the proxy
        ks2 = [k for k in range(p.start, p.end) if ksm.scraped(k)]
        for res, unit, val in (("cpu", "core", p.cpu_limit), ("memory", "byte", p.mem_limit)):
            l2 = dict(lab, resource=res, unit=unit)
            lim_series.append((labels_text("kube_pod_container_resource_limits", l2),
                               [(ksm.scrape_ms(k), val) for k in ks2]))

    # ---- volumes (kubelet) ----------------------------------------------------
    used_series = w.family("kubelet_volume_stats_used_bytes", "gauge",
                           "Number of used bytes in the volume")
    cap_series = w.family("kubelet_volume_stats_capacity_bytes", "gauge",
                          "Capacity in bytes of the volume")
    for p in pods:
        if not p.pvc:
            continue
        t = kubelet[p.node]
        lab = {"namespace": p.ns, "persistentvolumeclaim": p.pvc}
        ks = [k for k in range(p.start + 2, p.end) if t.scraped(k)]
        used_series.append((labels_text("kubelet_volume_stats_used_bytes", lab),
                            [(t.scrape_ms(k), p.vol[k]) for k in ks]))
        cap_series.append((labels_text("kubelet_volume_stats_capacity_bytes", lab),
                           [(t.scrape_ms(k), p.pvc_cap) for k in ks]))

    # ---- nodes (node exporter) ------------------------------------------------
    ncpu_series = w.family("node_cpu_seconds", "counter",
                           "Seconds the CPUs spent in each mode.")
    avail_series = w.family("node_memory_MemAvailable_bytes", "gauge",
                            "Memory information field MemAvailable_bytes.")
    total_series = w.family("node_memory_MemTotal_bytes", "gauge",
                            "Memory information field MemTotal_bytes.")
    for n in sorted(NODES):
        cpus, memtotal = NODES[n]
        t = nodeexp[n]
        r = random.Random("%s/node/%s" % (seed, n))
        on_node = [p for p in pods if p.node == n]
        inst = n + ":9100"
        modes = ("idle", "system", "user")
        acc = {(c, m): r.uniform(2e5, 6e5) * (0.9 if m == "idle" else 0.02) for c in range(cpus) for m in modes}
        pts = {key: [] for key in acc}
        avail = []
        prev_cpu = {p.name + p.ns: None for p in on_node}
        for k in range(N_STEPS):
            used = 0.08 * cpus       # system daemons
            mem_used = 1.1 * GI
            for p in on_node:
                if p.running(k):
                    key = p.name + p.ns
                    c = p.cpu[k]
                    pc = prev_cpu[key]
                    used += (c - pc) / (STEP_MS / 1000.0) if pc is not None and c >= pc else c / (STEP_MS / 1000.0)
                    prev_cpu[key] = c
                    mem_used += p.mem[k] + 30 * MI
            used = min(used, cpus * 0.98)
            dt = STEP_MS / 1000.0
            for c in range(cpus):
                share = used / cpus * r.uniform(0.85, 1.15)
                share = min(share, 0.97)
                io = 0.004 * r.random()   # iowait and the rest: only in idle's complement
                sysm = share * 0.25
                usr = share - sysm
                acc[(c, "user")] += usr * dt
                acc[(c, "system")] += sysm * dt
                acc[(c, "idle")] += max(0.0, 1 - share - io) * dt
            if t.scraped(k):
                ms = t.scrape_ms(k)
                for key in acc:
                    pts[key].append((ms, round(acc[key], 2)))
                a = memtotal - mem_used - r.randrange(0, 64) * MI
                avail.append((ms, a // 4096 * 4096))
        for (c, m) in sorted(acc):
            ncpu_series.append((labels_text("node_cpu_seconds_total", {"cpu": str(c), "instance": inst, "mode": m}),
                                pts[(c, m)]))
        avail_series.append((labels_text("node_memory_MemAvailable_bytes", {"instance": inst}), avail))
        total_series.append((labels_text("node_memory_MemTotal_bytes", {"instance": inst}),
                             [(ms, memtotal) for ms, _ in avail]))

    # ---- hubs -----------------------------------------------------------------
    run_series = w.family("jupyterhub_running_servers", "gauge", "the number of user servers currently running")
    act_series = w.family("jupyterhub_active_users", "gauge", "number of users who were active in the given time period")
    hist_series = w.family("jupyterhub_request_duration_seconds", "histogram", "request duration for all HTTP requests")
    for ns in namespaces:
        t = hubt[ns]
        hub = [p for p in by_ns[ns] if p.kind == "hub"][0]
        users = sorted((p for p in by_ns[ns] if p.kind == "user"), key=lambda p: p.name)
        r = random.Random("%s/hub/%s" % (seed, ns))
        base24 = 9 if ns == "jhub-research" else 3
        base7d = 31 if ns == "jhub-research" else 24
        seen = set()
        run_pts, a24, a7 = [], [], []
        # (handler, method, code) -> [counts per bucket..., count, sum]; None until first request
        # (handler, method, code, requests/s given running servers or None, median s, sigma)
        combos = [
            ("jupyterhub.apihandlers.users.ActivityAPIHandler", "POST", "200",
             lambda n: 0.2 + 0.04 * n, 0.03, 0.7),
            ("jupyterhub.apihandlers.users.ActivityAPIHandler", "POST", "500", None, 2.0, 0.6),
            ("jupyterhub.handlers.pages.SpawnHandler", "POST", "302", None, 0.8, 0.5),
        ]
        state = {c[:3]: None for c in combos}
        pts = {c[:3]: [] for c in combos}
        for k in range(N_STEPS):
            if k in hub.restarts:
                state = {key: None for key in state}
            hub_down = any(r0 <= k < r0 + 3 for r0 in hub.restarts)   # not scraped while restarting
            running = [u for u in users if u.running(k) and k >= u.start + 2]
            for u in users:
                if u.start <= k:
                    seen.add(u.name)
            # requests in this step
            spawns = sum(1 for u in users if u.start == k)
            storage_hiccup = ns == "jhub-research" and step_of(10, 30) <= k < step_of(10, 38)
            for handler, method, code, lam, median, sigma in combos:
                key = (handler, method, code)
                if hub_down:
                    n = 0
                elif lam is not None:
                    n = poisson(r, lam(len(running)) * STEP_MS / 1000.0 * (0.4 if storage_hiccup else 1))
                elif code == "302":
                    n = spawns
                else:
                    n = poisson(r, 0.25 * STEP_MS / 1000.0) if storage_hiccup else 0
                if n == 0 and state[key] is None:
                    continue
                if state[key] is None:
                    state[key] = [0] * len(BUCKETS) + [0, 0.0]
                st = state[key]
                for _ in range(n):
                    m = median * (12 if storage_hiccup and code == "200" and r.random() < 0.3 else 1)
                    obs = r.lognormvariate(math.log(m), sigma)
                    for i, b in enumerate(BUCKETS):
                        if obs <= b:
                            st[i] += 1
                    st[-2] += 1
                    st[-1] += obs
                if t.scraped(k) and not hub_down:
                    pts[key].append((t.scrape_ms(k), list(st[:-1]) + [round(st[-1], 6)]))
            if t.scraped(k) and not hub_down:
                ms = t.scrape_ms(k)
                run_pts.append((ms, len(running)))
                a24.append((ms, base24 + len(seen)))
                a7.append((ms, base7d + len(seen) // 2))
        run_series.append((labels_text("jupyterhub_running_servers", {"namespace": ns}), run_pts))
        act_series.append((labels_text("jupyterhub_active_users", {"namespace": ns, "period": "24h"}), a24))
        act_series.append((labels_text("jupyterhub_active_users", {"namespace": ns, "period": "7d"}), a7))
        for handler, method, code, _, _, _ in combos:
            key = (handler, method, code)
            if not pts[key]:
                continue
            lab = {"code": code, "handler": handler, "method": method, "namespace": ns}
            group = []
            for i, b in enumerate(BUCKETS):
                le = "+Inf" if math.isinf(b) else repr(b)   # as prometheus_client writes it: "1.0"
                group.append((labels_text("jupyterhub_request_duration_seconds_bucket", dict(lab, le=le)),
                                    [(ms, v[i]) for ms, v in pts[key]]))
            group.append((labels_text("jupyterhub_request_duration_seconds_count", lab),
                                [(ms, v[-2]) for ms, v in pts[key]]))
            group.append((labels_text("jupyterhub_request_duration_seconds_sum", lab),
                                [(ms, v[-1]) for ms, v in pts[key]]))
            hist_series.append(group)
    return w


def poisson(r, lam):
    if lam <= 0:
        return 0
    l, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= r.random()
        if p <= l:
            return k
        k += 1


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="-", help="OpenMetrics output file (default: stdout)")
    ap.add_argument("--meta", help="also write a meta.json (start_ms, end_ms, sample counts) "
                    "for /work/shared/tools/prom-oracle/oracle.py")
    ap.add_argument("--seed", default="1")
    args = ap.parse_args(argv)
    w = generate(args.seed)
    text = w.render()
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", newline="\n") as f:
            f.write(text)
    if args.meta:
        series = sum(len(e) if isinstance(e, list) else 1 for f in w.families for e in f[3])
        meta = {"generator": "examples/gen_jupyterhub.py", "seed": args.seed,
                "start_ms": START_S * 1000, "end_ms": (START_S + DURATION_S) * 1000,
                "interval_ms": STEP_MS, "min_sample_ts_ms": w.min_ms, "max_sample_ts_ms": w.max_ms,
                "series": series, "samples": w.samples}
        with open(args.meta, "w") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
