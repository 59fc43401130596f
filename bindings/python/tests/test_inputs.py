"""Tests of every input form: labels, values, timestamps, query times and durations, batches, staleness."""

from __future__ import annotations

import array
import datetime as dt
import unittest

import _helpers
import promql

UTC = dt.timezone.utc


class LabelsTest(unittest.TestCase):
    def test_dict_and_selector_labels_name_the_same_series(self) -> None:
        s = promql.Storage()
        s.add({"__name__": "m", "a": "1"}, [0], [1.0])
        s.add('m{a="1"}', [10], [2.0])
        s.add('{__name__="m", a="2"}', [0], [3.0])
        self.assertEqual(s.series_count, 2)
        self.assertEqual(len(s), 2)
        self.assertEqual(s.sample_count, 3)
        r = promql.Engine().query(s, 'm{a="1"}', 10)
        self.assertEqual([x.value for x in r], [2.0])

    def test_bad_selector_labels(self) -> None:
        s = promql.Storage()
        with self.assertRaises(ValueError):
            s.add('m{a=~"1"}', [0], [1.0])
        with self.assertRaises(ValueError):
            s.add("sum(m)", [0], [1.0])
        with self.assertRaises(promql.ParseError):
            s.add("m{", [0], [1.0])
        with self.assertRaises(TypeError):
            s.add(42, [0], [1.0])  # type: ignore[arg-type]
        with self.assertRaises(promql.DataError):
            s.add({}, [0], [1.0])  # no label at all
        self.assertEqual(s.series_count, 0)

    def test_non_string_values_and_empty_labels(self) -> None:
        s = promql.Storage()
        s.add({"__name__": "m", "port": 8080, "gone": ""}, [0], [1.0])
        r = promql.Engine().query(s, "m", 0)
        self.assertEqual(r[0].labels, {"__name__": "m", "port": "8080"})


class ValuesTest(unittest.TestCase):
    def query_values(self, s: promql.Storage, t: float = 20) -> list:
        return promql.Engine().query_range(s, "m", 0, t, 10)[0].values.tolist()

    def test_list_tuple_array_generator(self) -> None:
        for values in ([1, 2, 3], (1.0, 2.0, 3.0), array.array("d", [1, 2, 3]),
                       array.array("f", [1, 2, 3]), array.array("i", [1, 2, 3]),
                       (float(x) for x in (1, 2, 3)), memoryview(array.array("d", [1, 2, 3]))):
            with self.subTest(values=type(values).__name__):
                s = promql.Storage()
                s.add("m", [0, 10, 20], values)
                self.assertEqual(self.query_values(s), [1.0, 2.0, 3.0])

    def test_readonly_buffer(self) -> None:
        raw = array.array("d", [4, 5, 6]).tobytes()
        s = promql.Storage()
        s.add("m", [0, 10, 20], memoryview(raw).cast("d"))
        self.assertEqual(self.query_values(s), [4.0, 5.0, 6.0])

    def test_buffer_is_not_copied_while_in_use(self) -> None:
        # A float64 buffer is handed to C in place: while exported it cannot
        # be resized, and the store keeps its own copy after the call.
        vals = array.array("d", [1, 2, 3])
        s = promql.Storage()
        s.add("m", [0, 10, 20], vals)
        vals[0] = 100.0
        vals.append(4.0)  # no export is left behind
        self.assertEqual(self.query_values(s), [1.0, 2.0, 3.0])

    @unittest.skipUnless(_helpers.has_numpy(), "numpy not installed")
    def test_numpy(self) -> None:
        import numpy as np
        s = promql.Storage()
        s.add("m", np.array([0.0, 10.0, 20.0]), np.array([1.0, 2.0, 3.0]))
        s.add('n', np.array([0, 10, 20], dtype=np.int64) * 1000,
              np.array([1, 2, 3], dtype=np.float32), unit="ms")
        self.assertEqual(self.query_values(s), [1.0, 2.0, 3.0])
        r = promql.Engine().query(s, "n", 20)
        self.assertEqual(r[0].value, 3.0)

    def test_length_mismatch(self) -> None:
        with self.assertRaises(ValueError):
            promql.Storage().add("m", [0, 1], [1.0])

    def test_stale_marker_ends_series(self) -> None:
        self.assertTrue(promql.is_stale(promql.STALE))
        self.assertFalse(promql.is_stale(float("nan")))
        s = promql.Storage()
        s.add("m", [0, 10, 20], [1.0, 2.0, promql.STALE])
        e = promql.Engine()
        self.assertEqual([x.value for x in e.query(s, "m", 15)], [2.0])
        self.assertEqual(len(e.query(s, "m", 25)), 0)
        v = array.array("d", [1.0, promql.STALE])
        s.add("n", [0, 10], v)
        self.assertEqual(len(e.query(s, "n", 12)), 0)


class TimestampsTest(unittest.TestCase):
    def values_at(self, s: promql.Storage, t: float) -> list:
        return [x.value for x in promql.Engine().query(s, "m", t)]

    def test_float_seconds_datetime_and_ms(self) -> None:
        base = dt.datetime(2024, 1, 1, tzinfo=UTC)
        b = base.timestamp()
        forms = {
            "float": [b, b + 10.5],
            "datetime": [base, base + dt.timedelta(seconds=10.5)],
            "naive datetime (UTC)": [base.replace(tzinfo=None),
                                     base.replace(tzinfo=None) + dt.timedelta(seconds=10.5)],
            "array('d')": array.array("d", [b, b + 10.5]),
        }
        for name, ts in forms.items():
            with self.subTest(form=name):
                s = promql.Storage()
                s.add("m", ts, [1.0, 2.0])
                self.assertEqual(self.values_at(s, b + 10.5), [2.0])
                self.assertEqual(self.values_at(s, b + 10.4), [1.0])
        s = promql.Storage()
        s.add("m", array.array("q", [int(b * 1000), int(b * 1000) + 10500]), [1.0, 2.0], unit="ms")
        self.assertEqual(self.values_at(s, b + 10.5), [2.0])
        s.add("m", [int(b * 1000) + 20000], [3.0], unit="ms")
        self.assertEqual(self.values_at(s, b + 20), [3.0])

    def test_bad_timestamps(self) -> None:
        s = promql.Storage()
        with self.assertRaises(ValueError):
            s.add("m", [float("nan")], [1.0])
        with self.assertRaises(TypeError):
            s.add("m", [object()], [1.0])
        with self.assertRaises(ValueError):
            s.add("m", [0], [1.0], unit="h")


class BatchTest(unittest.TestCase):
    def test_out_of_order_changes_nothing(self) -> None:
        s = promql.Storage()
        s.add("m", [0, 10], [1.0, 2.0])
        with self.assertRaises(promql.DataError) as cm:
            s.add("m", [5], [9.0])
        self.assertIn("out of order", cm.exception.message)
        with self.assertRaises(promql.DataError):
            s.add("m", [20, 15], [1.0, 2.0])
        self.assertEqual(s.sample_count, 2)

    def test_batch_all_or_nothing(self) -> None:
        s = promql.Storage()
        with self.assertRaises(promql.DataError):
            with s.batch() as b:
                b.add("a", [0], [1.0])
                b.add("b", [10, 5], [1.0, 2.0])
        self.assertEqual(s.series_count, 0)
        with s.batch() as b:
            b.add("a", [0], [1.0])
            b.add("b", [0, 10], [1.0, 2.0])
            self.assertEqual(s.series_count, 0)  # invisible until commit
        self.assertEqual(s.series_count, 2)
        with self.assertRaises(RuntimeError):
            with s.batch() as b:
                b.add("c", [0], [1.0])
                raise RuntimeError("abort")
        self.assertEqual(s.series_count, 2)
        b = s.batch()
        b.add("d", [0], [1.0])
        b.rollback()
        with self.assertRaises(ValueError):
            b.commit()
        self.assertEqual(s.series_count, 2)
        s.clear()
        self.assertEqual(s.series_count, 0)

    def test_closed_storage(self) -> None:
        with promql.Storage() as s:
            s.add("m", [0], [1.0])
        self.assertTrue(s.closed)
        with self.assertRaises(ValueError):
            s.add("m", [1], [1.0])
        with self.assertRaises(ValueError):
            promql.Engine().query(s, "m", 0)


class QueryTimesTest(unittest.TestCase):
    def setUp(self) -> None:
        self.s = promql.Storage()
        base = dt.datetime(2024, 1, 1, tzinfo=UTC)
        self.base = base
        self.s.add("m", [base + dt.timedelta(minutes=i) for i in range(10)], list(range(10)))

    def test_instant_time_forms(self) -> None:
        e = promql.Engine()
        t = self.base + dt.timedelta(minutes=3)
        for form in (t, t.timestamp(), int(t.timestamp()), t.replace(tzinfo=None),
                     "2024-01-01T00:03:00Z", str(t.timestamp())):
            with self.subTest(form=form):
                r = e.query(self.s, "m", form)
                self.assertEqual([x.value for x in r], [3.0])
                self.assertEqual(r[0].timestamp, t.timestamp())

    def test_range_step_forms(self) -> None:
        e = promql.Engine()
        start = self.base
        end = self.base + dt.timedelta(minutes=4)
        for step in (120, 120.0, dt.timedelta(minutes=2), "2m", "120s", "1m60s"):
            with self.subTest(step=step):
                r = e.query_range(self.s, "m", start, end, step)
                self.assertEqual(r[0].values.tolist(), [0.0, 2.0, 4.0])
        with self.assertRaises(ValueError):
            e.query_range(self.s, "m", start, end, 0)
        with self.assertRaises(ValueError):
            e.query_range(self.s, "m", start, end, "2 minutes")
        with self.assertRaises(ValueError):
            e.query_range(self.s, "m", end, start, 60)

    def test_lookback_forms(self) -> None:
        t = self.base + dt.timedelta(minutes=9, seconds=90)
        for lb in ("1m", 60, dt.timedelta(minutes=1), "1m0s"):
            with self.subTest(lookback=lb):
                e = promql.Engine(lookback=lb)
                self.assertEqual(e.lookback, 60.0)
                self.assertEqual(len(e.query(self.s, "m", t)), 0)
        self.assertEqual(len(promql.Engine(lookback="2m").query(self.s, "m", t)), 1)
        self.assertEqual(promql.Engine(timeout="1h30m").timeout, 5400.0)
        self.assertEqual(promql.Engine(timeout="250ms").timeout, 0.25)
        with self.assertRaises(ValueError):
            promql.Engine(lookback="-1m")

    def test_default_time_is_now(self) -> None:
        import time
        s = promql.Storage()
        s.add("m", [time.time() - 1], [7.0])
        self.assertEqual([x.value for x in promql.Engine().query(s, "m")], [7.0])


if __name__ == "__main__":
    unittest.main()
