"""Tests of cancellation, timeouts and the engine's limits."""

from __future__ import annotations

import array
import threading
import unittest

import _helpers
import promql


class Blocking:
    """select() waits until released, so a query can be cancelled mid-flight."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def select(self, matchers, mint, maxt):
        self.entered.set()
        self.release.wait(10)
        return [({"__name__": "x", "i": str(i)}, [0.0], [1.0]) for i in range(100)]


def big_storage() -> promql.Storage:
    s = promql.Storage()
    ts = array.array("d", range(0, 86400, 15))
    with s.batch() as b:
        for i in range(100):
            b.add({"__name__": "h", "i": str(i)}, ts, array.array("d", [float(i)] * len(ts)))
    return s


class CancelTest(unittest.TestCase):
    def test_cancel_from_another_thread(self) -> None:
        st = Blocking()
        q = promql.Engine().prepare(st, "sum(x) + sum(x)", 0)
        out = {}

        def run() -> None:
            try:
                out["result"] = q.exec()
            except promql.PromQLError as e:
                out["error"] = e

        t = threading.Thread(target=run)
        t.start()
        self.assertTrue(st.entered.wait(10))
        q.cancel()
        q.close()  # deferred until exec() returns
        st.release.set()
        t.join(10)
        self.assertIsInstance(out.get("error"), promql.QueryCanceledError, out)
        self.assertIsInstance(out["error"], promql.ExecutionError)
        with self.assertRaises(ValueError):
            q.exec()

    def test_prepared_query_runs_twice(self) -> None:
        s = _helpers.small_storage()
        with promql.Engine().prepare(s, "sum(up)", 30) as q:
            self.assertEqual(q.exec()[0].value, 1.0)
            self.assertEqual(q.exec()[0].value, 1.0)
            q.cancel()  # no exec running: harmless
        range_q = promql.Engine().prepare_range(s, "requests", 0, 60, "30s")
        self.assertEqual(range_q.exec()[0].values.tolist(), [10.0, 30.0, 50.0])

    def test_timeout(self) -> None:
        s = big_storage()
        e = promql.Engine(timeout=0.001)
        with self.assertRaises(promql.QueryTimeoutError) as cm:
            e.query_range(s, "sum by (i) (h) * 2", 0, 86400, 15)
        self.assertIsInstance(cm.exception, TimeoutError)
        self.assertIn("timed out", cm.exception.message)

    def test_max_samples(self) -> None:
        s = big_storage()
        with self.assertRaises(promql.TooManySamplesError) as cm:
            promql.Engine(max_samples=1000).query_range(s, "h", 0, 86400, 15)
        self.assertIn("too many samples", cm.exception.message)

    def test_range_query_type_error(self) -> None:
        with self.assertRaises(promql.PromQLError) as cm:
            promql.Engine().query_range(_helpers.small_storage(), "up[1m]", 0, 60, 15)
        self.assertIn("range query", cm.exception.message)

    def test_engine_closed_with_live_query(self) -> None:
        e = promql.Engine()
        s = _helpers.small_storage()
        q = e.prepare(s, "count(up)", 30)
        e.close()
        self.assertEqual(q.exec()[0].value, 2.0)  # the query kept the C engine alive
        with self.assertRaises(ValueError):
            e.query(s, "up", 30)


if __name__ == "__main__":
    unittest.main()
