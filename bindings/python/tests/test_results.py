"""Tests of every result type: Scalar, String, Vector, Matrix, and their lifetime."""

from __future__ import annotations

import array
import gc
import unittest

import _helpers
import promql


class ResultTypesTest(unittest.TestCase):
    def setUp(self) -> None:
        self.storage = _helpers.small_storage()
        self.engine = promql.Engine()

    def tearDown(self) -> None:
        self.storage.close()
        self.engine.close()

    def test_scalar(self) -> None:
        r = self.engine.query(self.storage, "1 + 2 * 3", 30)
        self.assertIsInstance(r, promql.Scalar)
        self.assertEqual(r.type, "scalar")
        self.assertEqual(r.value, 7.0)
        self.assertEqual(r.timestamp, 30.0)
        self.assertEqual(r.timestamp_ms, 30000)
        self.assertEqual(float(r), 7.0)
        self.assertEqual(r.warnings, [])
        self.assertEqual(r.infos, [])

    def test_string(self) -> None:
        r = self.engine.query(self.storage, '"hello"', 12.5)
        self.assertIsInstance(r, promql.String)
        self.assertEqual((r.value, r.timestamp), ("hello", 12.5))
        self.assertEqual(str(r), "hello")

    def test_vector(self) -> None:
        r = self.engine.query(self.storage, "up", 30)
        self.assertIsInstance(r, promql.Vector)
        self.assertEqual(r.type, "vector")
        self.assertEqual(len(r), 2)
        self.assertEqual(_helpers.by_labels(r), {
            frozenset({"__name__": "up", "job": "api", "instance": "a"}.items()): 0.0,
            frozenset({"__name__": "up", "job": "db", "instance": "b"}.items()): 1.0,
        })
        s = r[0]
        self.assertIsInstance(s, promql.Sample)
        labels, t, v = s
        self.assertEqual(t, 30.0)
        self.assertEqual(s.timestamp_ms, 30000)
        self.assertEqual(r[-1], r[1])
        self.assertEqual(r[0:2], list(r))
        with self.assertRaises(IndexError):
            r[2]
        self.assertGreater(r.stats.total_samples, 0)

    def test_aggregations_and_arithmetic(self) -> None:
        q = self.engine.query
        st = self.storage
        self.assertEqual([s.value for s in q(st, "sum(up)", 30)], [1.0])
        self.assertEqual([s.value for s in q(st, "count(up)", 30)], [2.0])
        self.assertEqual([s.value for s in q(st, "avg(up)", 60)], [1.0])
        by_job = _helpers.by_labels(q(st, "sum by (job) (up)", 30))
        self.assertEqual(by_job, {frozenset({("job", "api")}): 0.0,
                                  frozenset({("job", "db")}): 1.0})
        self.assertEqual([s.value for s in q(st, "requests * 2 + 1", 45)], [81.0])
        self.assertEqual([s.value for s in q(st, "requests offset 30s", 45)], [20.0])
        # Arithmetic drops the metric name.
        self.assertEqual(q(st, "requests / 10", 60)[0].labels, {"job": "api"})
        self.assertEqual(len(q(st, "nothing_here", 60)), 0)

    def test_range_vector_is_matrix(self) -> None:
        r = self.engine.query(self.storage, "requests[30s]", 60)
        self.assertIsInstance(r, promql.Matrix)
        self.assertEqual(r.type, "matrix")
        self.assertEqual(len(r), 1)
        s = r[0]
        self.assertEqual(s.labels, {"__name__": "requests", "job": "api"})
        # Prometheus 3 ranges are left-open: (30s, 60s].
        self.assertEqual(list(s.timestamps), [45.0, 60.0])
        self.assertEqual(list(s.values), [40.0, 50.0])

    def test_range_query(self) -> None:
        r = self.engine.query_range(self.storage, "sum by (job) (up)", 0, 60, 15)
        self.assertIsInstance(r, promql.Matrix)
        got = {s.labels["job"]: (s.timestamps.tolist(), s.values.tolist()) for s in r}
        self.assertEqual(got["api"], ([0.0, 15.0, 30.0, 45.0, 60.0], [1.0, 1.0, 0.0, 1.0, 1.0]))
        self.assertEqual(got["db"][1], [1.0] * 5)
        s = r[0]
        self.assertEqual(len(s), 5)
        self.assertEqual(s.timestamps_ms.tolist(), [0, 15000, 30000, 45000, 60000])
        self.assertEqual(s.timestamps[-1], 60.0)
        self.assertEqual(s.values[1:3], s.values.tolist()[1:3])
        self.assertEqual(list(s)[0], (0.0, s.values[0]))
        self.assertEqual(s.values.toarray().typecode, "d")
        self.assertEqual(s.timestamps_ms.toarray(), array.array("q", [0, 15000, 30000, 45000, 60000]))
        self.assertEqual(r[-1].labels, r[len(r) - 1].labels)

    def test_scalar_range_query(self) -> None:
        r = self.engine.query_range(self.storage, "2 * 3", 0, 30, "15s")
        self.assertIsInstance(r, promql.Matrix)
        self.assertEqual(r[0].labels, {})
        self.assertEqual(r[0].values.tolist(), [6.0, 6.0, 6.0])

    def test_close_copies_what_was_handed_out(self) -> None:
        r = self.engine.query_range(self.storage, "up", 0, 60, 15)
        first = r[0]
        values = first.values
        before = values.tolist()
        r.close()
        r.close()  # idempotent
        self.assertEqual(values.tolist(), before)
        self.assertEqual(first.timestamps.tolist(), [0.0, 15.0, 30.0, 45.0, 60.0])
        # Series not looked at before close() were copied too.
        self.assertEqual(r[1].values.tolist(), [1.0] * 5)
        with self.engine.query(self.storage, "up", 30) as v:
            pass
        self.assertEqual(len(v), 2)
        self.assertEqual(sorted(s.value for s in v), [0.0, 1.0])

    def test_column_outlives_result(self) -> None:
        values = self.engine.query_range(self.storage, "requests", 0, 60, 15)[0].values
        gc.collect()
        self.assertEqual(values.tolist(), [10.0, 20.0, 30.0, 40.0, 50.0])

    def test_warning_and_info_lists(self) -> None:
        r = self.engine.query(self.storage, "up", 30)
        self.assertIsInstance(r.warnings, list)
        self.assertIsInstance(r.infos, list)
        self.assertIsInstance(r.stats, promql.Stats)
        self.assertGreaterEqual(r.stats.eval_seconds, 0.0)

    def test_numpy_pandas(self) -> None:
        r = self.engine.query_range(self.storage, "up", 0, 60, 15)
        v = self.engine.query(self.storage, "up", 30)
        try:
            import numpy as np
        except ImportError:
            with self.assertRaises(ImportError):
                r[0].to_numpy()
            with self.assertRaises(ImportError):
                v.to_numpy()
        else:
            ts, vals = r[0].to_numpy()
            self.assertEqual(ts.dtype, np.float64)
            self.assertEqual(list(ts), [0.0, 15.0, 30.0, 45.0, 60.0])
            self.assertEqual(sorted(v.to_numpy().tolist()), [0.0, 1.0])
        try:
            import pandas  # noqa: F401
        except ImportError:
            with self.assertRaises(ImportError):
                r.to_pandas()
        else:
            df = r.to_pandas()
            self.assertEqual(len(df), 10)
            self.assertIn("value", df.columns)
            self.assertEqual(len(v.to_pandas()), 2)


if __name__ == "__main__":
    unittest.main()
