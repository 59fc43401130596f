"""Tests of Storage.load / load_bytes over the library's file loaders."""

from __future__ import annotations

import os
import tempfile
import unittest

import _helpers
import promql
from promql import _ffi

HAVE_LOADERS = _ffi.lib().has("pql_load_file")


class MissingLoadersTest(unittest.TestCase):
    """A library without loaders (hidden here when present) gets a clear error."""

    NAMES = ("pql_load_file", "pql_load_file_ex", "pql_load_buffer", "pql_load_buffer_ex")

    def setUp(self) -> None:
        lib = _ffi.lib()
        self.saved = {n: getattr(lib, n) for n in self.NAMES}
        for n in self.NAMES:
            setattr(lib, n, None)

    def tearDown(self) -> None:
        for n, fn in self.saved.items():
            setattr(_ffi.lib(), n, fn)

    def test_names_the_missing_symbol(self) -> None:
        with self.assertRaises(NotImplementedError) as cm:
            promql.Storage().load("x.csv")
        self.assertIn("pql_load_file", str(cm.exception))
        with self.assertRaises(NotImplementedError) as cm:
            promql.Storage().load_bytes(b"m 1\n")
        self.assertIn("pql_load_buffer", str(cm.exception))


@unittest.skipUnless(HAVE_LOADERS, "the library has no loaders yet")
class LoadTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.engine = promql.Engine()

    def tearDown(self) -> None:
        self.dir.cleanup()

    def write(self, name: str, text: str) -> str:
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_every_format(self) -> None:
        files = {
            "a.csv": ('# comment\nm{f="csv"},0,1\n\nm{f="csv"},60000,2\n', "csv"),
            "a.prom": ('# TYPE m gauge\nm{f="text"} 1 0\nm{f="text"} 2 60000\n', None),
            "a.om": ('# TYPE m gauge\nm{f="om"} 1 0\nm{f="om"} 2 60\n# EOF\n', None),
            "a.test": ('load 1m\n  m{f="test"} 1 2\n', None),
        }
        s = promql.Storage()
        for name, (text, fmt) in files.items():
            with self.subTest(file=name):
                info = s.load(self.write(name, text), fmt)
                if info is not None:
                    self.assertEqual((info.series, info.samples), (1, 2))
                    self.assertEqual((info.min_time, info.max_time), (0.0, 60.0))
        r = self.engine.query(s, "m", 60)
        self.assertEqual({x.labels["f"]: x.value for x in r},
                         {"csv": 2.0, "text": 2.0, "om": 2.0, "test": 2.0})

    def test_explicit_format_names(self) -> None:
        s = promql.Storage()
        path = self.write("data.txt", 'm{f="x"},0,5\n')
        s.load(path, "csv")
        self.assertEqual(self.engine.query(s, "m", 0)[0].value, 5.0)
        with self.assertRaises(ValueError):
            s.load(path, "parquet")

    def test_load_bytes_and_default_time(self) -> None:
        s = promql.Storage()
        info = s.load_bytes(b"m 7\n", "text", default_time=100)
        self.assertEqual(self.engine.query(s, "m", 100)[0].value, 7.0)
        if info is not None:
            self.assertEqual(info.min_time, 100.0)
        s.load_bytes('load 30s\n  n{a="b"} 1 2 3\n', name="x.test")
        self.assertEqual(self.engine.query(s, "n", 60)[0].value, 3.0)

    def test_errors_leave_store_unchanged(self) -> None:
        s = promql.Storage()
        s.add("keep", [0], [1.0])
        bad = self.write("bad.csv", 'm{a="1"},0,1\nm{a="1"},1000,oops\n')
        with self.assertRaises(promql.DataError) as cm:
            s.load(bad)
        self.assertIn("bad.csv:2:", cm.exception.message)
        self.assertEqual((s.series_count, s.sample_count), (1, 1))
        with self.assertRaises(promql.PromQLIOError) as io:
            s.load(os.path.join(self.dir.name, "missing.csv"))
        self.assertIsInstance(io.exception, OSError)
        self.assertIn("missing.csv", io.exception.message)
        self.assertEqual(s.series_count, 1)


if __name__ == "__main__":
    unittest.main()
