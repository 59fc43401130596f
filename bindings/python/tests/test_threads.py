"""Tests of concurrent queries from many threads on one engine and storage, and that the GIL is released."""

from __future__ import annotations

import array
import threading
import time
import unittest
from typing import Any, Callable, List

import _helpers
import promql

THREADS = 8
ROUNDS = 150


def run_threads(fn: Callable[[int], None], n: int = THREADS) -> List[BaseException]:
    errors: List[BaseException] = []
    barrier = threading.Barrier(n)

    def body(k: int) -> None:
        try:
            barrier.wait()
            fn(k)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)

    threads = [threading.Thread(target=body, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


class ThreadsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.storage = promql.Storage()
        ts = array.array("d", range(0, 600, 15))
        with self.storage.batch() as b:
            for i in range(50):
                b.add({"__name__": "m", "i": str(i), "g": str(i % 5)}, ts,
                      array.array("d", [float(i)] * len(ts)))
        self.engine = promql.Engine()

    def test_same_engine_and_storage(self) -> None:
        want_sum = float(sum(range(50)))
        want_groups = {str(g): float(sum(i for i in range(50) if i % 5 == g)) for g in range(5)}

        def work(k: int) -> None:
            for r in range(ROUNDS):
                t = 60 + (r % 30) * 15
                v = self.engine.query(self.storage, "sum(m)", t)
                assert v[0].value == want_sum, v
                g = {s.labels["g"]: s.value for s in self.engine.query(self.storage, "sum by (g) (m)", t)}
                assert g == want_groups, g
                m = self.engine.query_range(self.storage, f'm{{i="{k}"}} * 2', 0, 300, 60)
                assert m[0].values.tolist() == [2.0 * k] * 6
                assert self.engine.query(self.storage, "count(m) / 2", t)[0].value == 25.0

        self.assertEqual(run_threads(work), [])

    def test_python_storage_from_threads(self) -> None:
        class Toy:
            def select(self, matchers, mint, maxt):
                rows = [({"__name__": "t", "i": str(i)}, [0.0, 10.0], [float(i), float(i)])
                        for i in range(10)]
                return [r for r in rows if all(m.matches(r[0].get(m.name, "")) for m in matchers)]

        toy = promql.PythonStorage(Toy())

        def work(k: int) -> None:
            for _ in range(ROUNDS):
                assert self.engine.query(toy, "sum(t)", 10)[0].value == 45.0
                assert self.engine.query(toy, f't{{i="{k % 10}"}}', 10)[0].value == float(k % 10)

        self.assertEqual(run_threads(work), [])

    def test_writes_wait_for_queries(self) -> None:
        stop = threading.Event()

        def reader(k: int) -> None:
            while not stop.is_set():
                n = self.engine.query(self.storage, "count(m)", 300)[0].value
                assert n >= 50

        def writer() -> None:
            for j in range(100):
                self.storage.add({"__name__": "m", "w": str(j)}, [300.0], [1.0])
            stop.set()

        w = threading.Thread(target=writer)
        w.start()
        errors = run_threads(reader, 4)
        w.join()
        self.assertEqual(errors, [])
        self.assertEqual(self.engine.query(self.storage, "count(m)", 300)[0].value, 150.0)

    def test_gil_released_during_evaluation(self) -> None:
        big = promql.Storage()
        ts = array.array("d", range(0, 86400, 15))
        with big.batch() as b:
            for i in range(100):
                b.add({"__name__": "h", "i": str(i)}, ts, array.array("d", [1.0] * len(ts)))
        counter = [0]
        done = threading.Event()

        def spin() -> None:
            while not done.is_set():
                counter[0] += 1

        t0 = time.perf_counter()
        self.engine.query_range(big, "sum by (i) (h) * 2", 0, 86400, 15)
        alone = time.perf_counter() - t0
        t = threading.Thread(target=spin)
        t.start()
        try:
            time.sleep(0.01)
            before = counter[0]
            self.engine.query_range(big, "sum by (i) (h) * 2", 0, 86400, 15)
            during = counter[0] - before
        finally:
            done.set()
            t.join()
        # With the GIL held for the whole call the spinner would barely move.
        if alone > 0.05:
            self.assertGreater(during, 1000)


if __name__ == "__main__":
    unittest.main()
