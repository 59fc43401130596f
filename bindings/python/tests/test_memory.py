"""Tests that C memory is released: RSS stays flat over 10,000 queries, explicit and GC-driven frees."""

from __future__ import annotations

import gc
import sys
import unittest

import _helpers
import promql

QUERIES = 10_000
# RSS may move by allocator noise; a leak of even a few hundred bytes per
# query would exceed this over 10,000 queries.
BOUND_KB = 6 * 1024


def rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class ToyStorage:
    def select(self, matchers, mint, maxt):
        return [({"__name__": "t", "i": str(i)}, [0.0, 10.0], [i, i + 1.0]) for i in range(4)]


@unittest.skipUnless(sys.platform.startswith("linux"), "reads /proc/self/status")
class MemoryTest(unittest.TestCase):
    def run_mix(self, n: int, storage: promql.Storage, engine: promql.Engine,
                toy: ToyStorage) -> None:
        for i in range(n):
            k = i % 8
            if k == 0:
                r = engine.query(storage, "sum by (job) (up)", 30)
                assert len(r) == 2
            elif k == 1:
                m = engine.query_range(storage, "up * 2", 0, 60, 15)
                assert m[0].values[0] == 2.0
            elif k == 2:
                with engine.query(storage, "requests[1m]", 60) as m:
                    vals = m[0].values
                assert vals.tolist() == [20.0, 30.0, 40.0, 50.0]
            elif k == 3:
                try:
                    engine.query(storage, "sum(", 0)
                except promql.ParseError:
                    pass
            elif k == 4:
                assert engine.query(toy, "sum(t)", 10)[0].value == 10.0
            elif k == 5:
                with promql.parse("avg by (a) (x{b=~'c'}) / on(a) y") as e:
                    assert sum(1 for _ in e.walk()) == 4
            elif k == 6:
                with engine.prepare(storage, "count(up)", 30) as q:
                    assert q.exec()[0].value == 2.0
            else:
                s = promql.Storage()
                s.add('x{a="b"}', [0, 1, 2], [1.0, 2.0, 3.0])
                assert engine.query(s, "x", 2)[0].value == 3.0
                if i % 16 == 7:
                    s.close()

    def test_rss_flat_over_many_queries(self) -> None:
        storage = _helpers.small_storage()
        engine = promql.Engine()
        toy = ToyStorage()
        self.run_mix(2000, storage, engine, toy)  # warm up caches and arenas
        gc.collect()
        before = rss_kb()
        self.run_mix(QUERIES, storage, engine, toy)
        gc.collect()
        after = rss_kb()
        self.assertLess(after - before, BOUND_KB,
                        f"RSS grew from {before} kB to {after} kB over {QUERIES} queries")

    def test_garbage_collection_frees(self) -> None:
        import weakref
        storage = _helpers.small_storage()
        r = promql.Engine().query_range(storage, "up", 0, 60, 15)
        handle = weakref.ref(r._handle)
        col = r[0].values
        del r
        self.assertIsNotNone(handle())  # the column still needs the C result
        del col
        gc.collect()
        self.assertIsNone(handle())


if __name__ == "__main__":
    unittest.main()
