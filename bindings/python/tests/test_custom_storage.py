"""Tests of Python objects used as storage through the C storage vtable."""

from __future__ import annotations

import array
import unittest
from typing import Any, List

import _helpers
import promql


class DictStorage:
    """A toy storage: a list of (labels, timestamps, values), matchers applied in Python."""

    def __init__(self, series: List[Any]) -> None:
        self.series = series
        self.calls: List[Any] = []

    def select(self, matchers, mint, maxt):
        self.calls.append((list(matchers), mint, maxt))
        for labels, ts, vals in self.series:
            if all(m.matches(labels.get(m.name, "")) for m in matchers):
                yield labels, ts, vals


def sample_data() -> DictStorage:
    return DictStorage([
        ({"__name__": "cpu", "host": "a"}, [0, 10, 20, 30], [1.0, 2.0, 3.0, 4.0]),
        ({"__name__": "cpu", "host": "b"}, array.array("d", [0, 10, 20, 30]),
         array.array("d", [10, 20, 30, 40])),
        ({"__name__": "mem", "host": "a"}, (0.0, 30.0), (5.0, 6.0)),
    ])


class CustomStorageTest(unittest.TestCase):
    def test_instant_queries(self) -> None:
        st = sample_data()
        e = promql.Engine()
        r = e.query(st, "cpu", 25)
        self.assertEqual(_helpers.by_labels(r), {
            frozenset({("__name__", "cpu"), ("host", "a")}): 3.0,
            frozenset({("__name__", "cpu"), ("host", "b")}): 30.0,
        })
        self.assertEqual([s.value for s in e.query(st, "sum(cpu)", 30)], [44.0])
        self.assertEqual([s.value for s in e.query(st, 'cpu{host="b"} / 10', 30)], [4.0])
        self.assertEqual([s.value for s in e.query(st, "count(cpu) + sum(mem)", 30)], [8.0])
        matchers, mint, maxt = st.calls[0]
        self.assertIn(promql.Matcher("__name__", "=", "cpu"), matchers)
        self.assertEqual(maxt, 25.0)
        self.assertLess(mint, 25.0)

    def test_range_query_and_regex(self) -> None:
        st = sample_data()
        r = promql.Engine().query_range(st, 'cpu{host=~"a|c"} * 2', 0, 30, 10)
        self.assertEqual(len(r), 1)
        self.assertEqual(r[0].labels, {"host": "a"})
        self.assertEqual(r[0].values.tolist(), [2.0, 4.0, 6.0, 8.0])

    def test_unsorted_input_and_empty_series(self) -> None:
        st = DictStorage([
            ({"__name__": "x", "i": "2"}, [0], [2.0]),
            ({"__name__": "x", "i": "1"}, [0], [1.0]),
            ({"__name__": "x", "i": "3"}, [], []),
            ({"__name__": "x", "i": "4"}, [-1000], [4.0]),  # outside the range
        ])
        r = promql.Engine().query(st, "x", 10)
        self.assertEqual(sorted(s.labels["i"] for s in r), ["1", "2"])

    def test_staleness_from_python(self) -> None:
        st = DictStorage([({"__name__": "x"}, [0, 10], [1.0, promql.STALE])])
        e = promql.Engine()
        self.assertEqual(len(e.query(st, "x", 5)), 1)
        self.assertEqual(len(e.query(st, "x", 15)), 0)

    def test_hints_keyword(self) -> None:
        seen = []

        class WithHints:
            def select(self, matchers, mint, maxt, hints=None):
                seen.append(hints)
                return [({"__name__": "x"}, [0.0], [1.0])]

        promql.Engine().query_range(WithHints(), "x", 0, 60, 30)
        self.assertEqual(len(seen), 1)
        self.assertEqual(seen[0]["step"], 30.0)
        self.assertEqual(seen[0]["end"], 60.0)

    def test_select_raises(self) -> None:
        class Broken:
            def select(self, matchers, mint, maxt):
                raise KeyError("backend down")

        with self.assertRaises(promql.StorageError) as cm:
            promql.Engine().query(Broken(), "sum(x)", 0)
        self.assertIn("KeyError", cm.exception.message)
        self.assertIn("backend down", cm.exception.message)
        self.assertIsInstance(cm.exception.__cause__, KeyError)

    def test_bad_rows_become_errors(self) -> None:
        cases = {
            "not a tuple": [5],
            "length mismatch": [({"a": "b"}, [0, 1], [1.0])],
            "descending": [({"a": "b"}, [1, 0], [1.0, 2.0])],
            "duplicate": [({"a": "b"}, [0], [1.0]), ({"a": "b"}, [0], [1.0])],
            "no labels": [({}, [0], [1.0])],
            "bad value": [({"a": "b"}, [0], ["x"])],
        }
        e = promql.Engine()
        for name, rows in cases.items():
            with self.subTest(case=name):
                class Rows:
                    def select(self, matchers, mint, maxt, rows=rows):
                        return rows
                with self.assertRaises(promql.StorageError):
                    e.query(Rows(), "x", 0)
        # The engine is still healthy afterwards.
        self.assertEqual(e.query(sample_data(), "count(cpu)", 30)[0].value, 2.0)

    def test_not_a_storage(self) -> None:
        with self.assertRaises(TypeError):
            promql.Engine().query(object(), "x", 0)

    def test_explicit_adapter_reused(self) -> None:
        st = promql.PythonStorage(sample_data())
        e = promql.Engine()
        for _ in range(3):
            self.assertEqual(e.query(st, "sum(mem)", 30)[0].value, 6.0)
        self.assertEqual(st._sets, {})  # every series set was closed


if __name__ == "__main__":
    unittest.main()
