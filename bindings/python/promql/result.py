"""Query results: Scalar, String, Vector of Samples and Matrix of Series whose columns are read lazily from C memory."""

from __future__ import annotations

import array
import ctypes
import sys
import weakref
from dataclasses import dataclass
from typing import (Any, Dict, Iterator, List, NamedTuple, Optional, Sequence,
                    Tuple, Union, overload)

from . import _convert, _ffi

__all__ = ["Result", "Scalar", "String", "Vector", "Matrix", "Sample", "Series",
           "Stats", "Column"]


@dataclass(frozen=True)
class Stats:
    """Counters of one query run."""
    total_samples: int
    peak_samples: int
    parse_seconds: float
    prepare_seconds: float
    eval_seconds: float
    peak_bytes: int = 0  # peak bytes of the query's working memory


class _ResultHandle:
    """Owns one pql_result*; freed by close() or when nothing references it."""

    __slots__ = ("ptr", "_finalizer", "__weakref__")

    def __init__(self, ptr: int) -> None:
        self.ptr: Optional[int] = ptr
        self._finalizer = weakref.finalize(self, _ffi.lib().pql_result_free, ptr)

    def close(self) -> None:
        self.ptr = None
        self._finalizer()


def _require(mod: str, what: str) -> Any:
    try:
        return __import__(mod)
    except ImportError:
        raise ImportError(f"{what} needs {mod}, which is not installed") from None


class Result:
    """Base of every result: type, warnings, infos, stats; close() frees C memory.

    Data already read stays usable after close() (Vector and Matrix copy
    what they still show into Python memory first).
    """

    type: str = ""

    def __init__(self, handle: _ResultHandle) -> None:
        lib = _ffi.lib()
        ptr = handle.ptr
        self._handle: Optional[_ResultHandle] = handle
        self.warnings: List[str] = [_ffi.decode(lib.pql_result_warning(ptr, i))
                                    for i in range(lib.pql_result_warning_count(ptr))]
        self.infos: List[str] = [_ffi.decode(lib.pql_result_info(ptr, i))
                                 for i in range(lib.pql_result_info_count(ptr))]
        st = _ffi.PqlQueryStats()
        lib.pql_result_stats(ptr, ctypes.byref(st))
        self.stats: Stats = Stats(int(st.total_samples), int(st.peak_samples),
                                  float(st.parse_seconds), float(st.prepare_seconds),
                                  float(st.eval_seconds), int(st.peak_bytes))

    def _detach(self) -> None:
        """Copies whatever still points into C memory (subclasses)."""

    def close(self) -> None:
        """Frees the C result now; everything already readable stays readable."""
        h = self._handle
        if h is None:
            return
        self._detach()
        self._handle = None
        h.close()

    def __enter__(self) -> "Result":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Scalar(Result):
    """A scalar result: value (float) at timestamp (float seconds)."""

    type = "scalar"

    def __init__(self, handle: _ResultHandle) -> None:
        super().__init__(handle)
        t = ctypes.c_int64()
        v = ctypes.c_double()
        _ffi.lib().pql_result_scalar(handle.ptr, ctypes.byref(t), ctypes.byref(v))
        self.timestamp_ms: int = t.value
        self.timestamp: float = t.value / 1000.0
        self.value: float = v.value
        self.close()

    def __float__(self) -> float:
        return self.value

    def __repr__(self) -> str:
        return f"Scalar(value={self.value!r}, timestamp={self.timestamp!r})"


class String(Result):
    """A string result: value (str) at timestamp (float seconds)."""

    type = "string"

    def __init__(self, handle: _ResultHandle) -> None:
        super().__init__(handle)
        t = ctypes.c_int64()
        s = _ffi.lib().pql_result_string(handle.ptr, ctypes.byref(t))
        self.timestamp_ms: int = t.value
        self.timestamp: float = t.value / 1000.0
        self.value: str = _ffi.decode(s)
        self.close()

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"String(value={self.value!r}, timestamp={self.timestamp!r})"


class Sample(NamedTuple):
    """One sample of an instant vector."""

    labels: Dict[str, str]
    timestamp: float
    value: float

    @property
    def timestamp_ms(self) -> int:
        """The timestamp as Unix milliseconds."""
        return int(round(self.timestamp * 1000.0))


def _labels_at(ptr: int, i: int) -> Dict[str, str]:
    lp = ctypes.POINTER(_ffi.PqlLabel)()
    n = ctypes.c_size_t()
    _ffi.lib().pql_result_labels(ptr, i, ctypes.byref(lp), ctypes.byref(n))
    return _convert.labels_from_c(lp, n.value)


class Vector(Result, Sequence[Sample]):
    """An instant vector: a sequence of Sample(labels, timestamp, value)."""

    type = "vector"

    def __init__(self, handle: _ResultHandle) -> None:
        super().__init__(handle)
        self._n = int(_ffi.lib().pql_result_series_count(handle.ptr))
        self._copied: Optional[List[Sample]] = None

    def __len__(self) -> int:
        return self._n

    def _sample(self, i: int) -> Sample:
        if self._copied is not None:
            return self._copied[i]
        ptr = self._handle.ptr  # type: ignore[union-attr]
        t = ctypes.c_int64()
        v = ctypes.c_double()
        _ffi.lib().pql_result_sample(ptr, i, ctypes.byref(t), ctypes.byref(v))
        return Sample(_labels_at(ptr, i), t.value / 1000.0, v.value)

    @overload
    def __getitem__(self, i: int) -> Sample: ...
    @overload
    def __getitem__(self, i: slice) -> List[Sample]: ...

    def __getitem__(self, i: Union[int, slice]) -> Union[Sample, List[Sample]]:
        if isinstance(i, slice):
            return [self._sample(k) for k in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("vector index out of range")
        return self._sample(i)

    def __iter__(self) -> Iterator[Sample]:
        for i in range(self._n):
            yield self._sample(i)

    def _detach(self) -> None:
        if self._copied is None:
            self._copied = [self._sample(i) for i in range(self._n)]

    def to_dict(self) -> Dict[Tuple[Tuple[str, str], ...], float]:
        """{sorted label items: value}, handy for comparisons."""
        return {tuple(sorted(s.labels.items())): s.value for s in self}

    def to_numpy(self) -> Any:
        """The values as a numpy float64 array (needs numpy)."""
        np = _require("numpy", "Vector.to_numpy()")
        return np.fromiter((s.value for s in self), dtype=np.float64, count=self._n)

    def to_pandas(self) -> Any:
        """A DataFrame: one column per label, then timestamp (UTC) and value (needs pandas)."""
        pd = _require("pandas", "Vector.to_pandas()")
        rows = list(self)
        names = sorted({k for s in rows for k in s.labels})
        data: Dict[str, Any] = {k: [s.labels.get(k) for s in rows] for k in names}
        data["timestamp"] = pd.to_datetime([s.timestamp_ms for s in rows], unit="ms", utc=True)
        data["value"] = [s.value for s in rows]
        return pd.DataFrame(data)

    def __repr__(self) -> str:
        head = ", ".join(repr(s) for s in self[:3])
        more = ", ..." if self._n > 3 else ""
        return f"Vector([{head}{more}])"


class Column(Sequence[Any]):
    """A read-only column of one series (timestamps or values).

    Reads the C result in place until the result is closed, then a private
    copy; no per-point Python object is made until an item is asked for.
    tolist() / toarray() copy it out.
    """

    __slots__ = ("_data", "_kind", "_owner", "__weakref__")

    def __init__(self, data: Any, kind: str, owner: Any) -> None:
        self._data = data      # ctypes array over C memory, or array.array
        self._kind = kind      # "s" (ms -> seconds), "ms" or "v"
        self._owner = owner    # keeps the C result alive

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            part = self._data[i]
            if self._kind == "s":
                return [t / 1000.0 for t in part]
            return list(part)
        if self._kind == "s":
            return self._data[i] / 1000.0
        return self._data[i]

    def __iter__(self) -> Iterator[Any]:
        if self._kind == "s":
            return (t / 1000.0 for t in self._data)
        return iter(self._data)

    def tolist(self) -> List[Any]:
        """All items as a Python list."""
        raw = memoryview(self._data).cast("B").cast("q" if self._kind != "v" else "d").tolist()
        if self._kind == "s":
            return [t / 1000.0 for t in raw]
        return raw

    def toarray(self) -> "array.array[Any]":
        """A copy as array.array: 'd' for seconds and values, 'q' for milliseconds."""
        if self._kind == "s":
            return array.array("d", self.tolist())
        out = array.array("q" if self._kind == "ms" else "d")
        out.frombytes(memoryview(self._data).cast("B"))
        return out

    def to_numpy(self) -> Any:
        """A numpy copy (float64 seconds, int64 ms or float64 values; needs numpy)."""
        np = _require("numpy", "Column.to_numpy()")
        if self._kind == "v":
            return np.array(np.frombuffer(memoryview(self._data).cast("B"), dtype=np.float64))
        ms = np.frombuffer(memoryview(self._data).cast("B"), dtype=np.int64)
        return ms / 1000.0 if self._kind == "s" else np.array(ms)

    def _detach(self, data: Any) -> None:
        self._data = data
        self._owner = None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Column, list, tuple, array.array)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        items = self[:6]
        more = ", ..." if len(self) > 6 else ""
        return f"Column([{', '.join(repr(x) for x in items)}{more}])"


class Series:
    """One series of a matrix: labels and parallel columns timestamps (float seconds), timestamps_ms and values."""

    __slots__ = ("labels", "timestamps", "timestamps_ms", "values")

    def __init__(self, labels: Dict[str, str], ts: Any, vals: Any, owner: Any) -> None:
        self.labels: Dict[str, str] = labels
        self.timestamps: Column = Column(ts, "s", owner)
        self.timestamps_ms: Column = Column(ts, "ms", owner)
        self.values: Column = Column(vals, "v", owner)

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Iterator[Tuple[float, float]]:
        """(timestamp seconds, value) pairs."""
        return zip(self.timestamps, self.values)

    def _detach(self) -> None:
        ts = array.array("q")
        ts.frombytes(memoryview(self.timestamps_ms._data).cast("B"))
        vals = array.array("d")
        vals.frombytes(memoryview(self.values._data).cast("B"))
        self.timestamps._detach(ts)
        self.timestamps_ms._detach(ts)
        self.values._detach(vals)

    def to_numpy(self) -> Tuple[Any, Any]:
        """(timestamps float64 seconds, values float64) numpy copies (needs numpy)."""
        return self.timestamps.to_numpy(), self.values.to_numpy()

    def __repr__(self) -> str:
        return f"Series(labels={self.labels!r}, points={len(self)})"


class Matrix(Result, Sequence[Series]):
    """A range result: a sequence of Series whose columns read the C arrays lazily."""

    type = "matrix"

    def __init__(self, handle: _ResultHandle) -> None:
        super().__init__(handle)
        self._n = int(_ffi.lib().pql_result_series_count(handle.ptr))
        self._series: List[Optional[Series]] = [None] * self._n

    def __len__(self) -> int:
        return self._n

    def _get(self, i: int) -> Series:
        s = self._series[i]
        if s is None:
            h = self._handle
            assert h is not None and h.ptr is not None
            lib = _ffi.lib()
            tp = ctypes.c_void_p()
            vp = ctypes.c_void_p()
            n = ctypes.c_size_t()
            lib.pql_result_points(h.ptr, i, ctypes.byref(tp), ctypes.byref(vp),
                                  ctypes.byref(n))
            count = n.value
            if count:
                ts: Any = (ctypes.c_int64 * count).from_address(tp.value)
                vals: Any = (ctypes.c_double * count).from_address(vp.value)
            else:
                ts, vals = array.array("q"), array.array("d")
            s = Series(_labels_at(h.ptr, i), ts, vals, h)
            self._series[i] = s
        return s

    @overload
    def __getitem__(self, i: int) -> Series: ...
    @overload
    def __getitem__(self, i: slice) -> List[Series]: ...

    def __getitem__(self, i: Union[int, slice]) -> Union[Series, List[Series]]:
        if isinstance(i, slice):
            return [self._get(k) for k in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("matrix index out of range")
        return self._get(i)

    def __iter__(self) -> Iterator[Series]:
        for i in range(self._n):
            yield self._get(i)

    def _detach(self) -> None:
        for i in range(self._n):
            self._get(i)._detach()

    def to_numpy(self) -> List[Tuple[Any, Any]]:
        """[(timestamps, values)] numpy copies per series (needs numpy)."""
        _require("numpy", "Matrix.to_numpy()")
        return [s.to_numpy() for s in self]

    def to_pandas(self) -> Any:
        """A long DataFrame: label columns, timestamp (UTC), value; one row per point (needs pandas)."""
        pd = _require("pandas", "Matrix.to_pandas()")
        series = list(self)
        names = sorted({k for s in series for k in s.labels})
        data: Dict[str, List[Any]] = {k: [] for k in names}
        ms: List[int] = []
        vals: List[float] = []
        for s in series:
            n = len(s)
            for k in names:
                data[k].extend([s.labels.get(k)] * n)
            ms.extend(s.timestamps_ms.tolist())
            vals.extend(s.values.tolist())
        out: Dict[str, Any] = dict(data)
        out["timestamp"] = pd.to_datetime(ms, unit="ms", utc=True)
        out["value"] = vals
        return pd.DataFrame(out)

    def __repr__(self) -> str:
        head = ", ".join(repr(s) for s in self[:3])
        more = ", ..." if self._n > 3 else ""
        return f"Matrix([{head}{more}])"


_TYPES = {
    _ffi.PQL_RESULT_SCALAR: Scalar,
    _ffi.PQL_RESULT_STRING: String,
    _ffi.PQL_RESULT_VECTOR: Vector,
    _ffi.PQL_RESULT_MATRIX: Matrix,
}


def wrap_result(ptr: int) -> Result:
    """Wraps a fresh pql_result* (ownership passes to the returned object)."""
    handle = _ResultHandle(ptr)
    cls = _TYPES.get(_ffi.lib().pql_result_get_type(ptr))
    if cls is None:
        handle.close()
        raise RuntimeError("libpromql returned a result of unknown type")
    return cls(handle)
