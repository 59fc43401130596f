"""Storages: promql.Storage over the C in-memory store, and PythonStorage, which plugs any Python object with select() into the engine."""

from __future__ import annotations

import bisect
import ctypes
import inspect
import itertools
import struct
import os
import threading
import weakref
from contextlib import contextmanager
from typing import (Any, Dict, Iterable, Iterator, List, Mapping, Optional,
                    Sequence, Tuple, Union)

from . import _convert, _ffi
from .errors import PromQLError, check
from .parse import Matcher, NodeKind, parse

__all__ = ["Storage", "Batch", "PythonStorage", "STALE", "is_stale", "as_storage"]

LabelsLike = Union[Mapping[str, Any], str]


STALE: float = struct.unpack("=d", struct.pack("=Q", _ffi.PQL_STALE_NAN_BITS))[0]
"""The staleness marker: a NaN with Prometheus's bit pattern. Append it to end a series."""


def is_stale(value: float) -> bool:
    """True when value carries the staleness-marker bit pattern."""
    return bool(_ffi.lib().pql_is_stale_marker(value))


class _RWLock:
    """Many readers (queries) or one writer (appends, clear, close)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._readers:
                self._cond.wait()
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


def parse_labels(labels: LabelsLike) -> Dict[str, str]:
    """A label dict from a dict or a selector string like `foo{a="b"}` (equality matchers only)."""
    if isinstance(labels, Mapping):
        return dict(labels)
    if not isinstance(labels, str):
        raise TypeError(f"labels must be a dict or a selector string, not {type(labels).__name__}")
    with parse(labels) as expr:
        root = expr.root
        if root.kind != NodeKind.VECTOR_SELECTOR or root.offset or root.at is not None:
            raise ValueError(f"labels: {labels!r} is not a plain series selector")
        out: Dict[str, str] = {}
        for m in root.matchers:
            if m.op != "=":
                raise ValueError(f"labels: {labels!r} has a non-equality matcher {m}")
            out[m.name] = m.value
        return out


class Storage:
    """The library's in-memory store.

    add() appends samples of one series (all-or-nothing); batch() groups
    many adds into one atomic commit. Queries may run concurrently from many
    threads; writes wait for running queries. Freed by close(), a `with`
    block, or garbage collection.
    """

    def __init__(self) -> None:
        lib = _ffi.lib()
        out = ctypes.c_void_p()
        err = _ffi.PqlError()
        check(lib.pql_memstore_new(ctypes.byref(out), ctypes.byref(err)), err)
        self._ptr: Optional[int] = out.value
        self._finalizer = weakref.finalize(self, lib.pql_memstore_free, out.value)
        self._lock = _RWLock()
        self._storage = lib.pql_memstore_storage(out.value)

    # -- lifetime --

    def close(self) -> None:
        """Frees the store now (waits for running queries); later use raises ValueError."""
        with self._lock.write():
            self._ptr = None
            self._finalizer()

    @property
    def closed(self) -> bool:
        """True after close()."""
        return self._ptr is None

    def __enter__(self) -> "Storage":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _get(self) -> int:
        if self._ptr is None:
            raise ValueError("the storage was closed")
        return self._ptr

    @contextmanager
    def _reading(self) -> Iterator[_ffi.PqlStorage]:
        """The pql_storage for one query, with the store held open meanwhile."""
        with self._lock.read():
            self._get()
            yield self._storage

    # -- writing --

    def batch(self) -> "Batch":
        """A new all-or-nothing batch; use as a context manager (commits on success)."""
        return Batch(self)

    def add(self, labels: LabelsLike, timestamps: Any, values: Any, *,
            unit: str = "s") -> None:
        """Appends samples to one series, atomically.

        labels: a dict or a selector string such as `up{job="api"}`.
        timestamps: float seconds or datetimes (unit="s"), or integer Unix
            ms (unit="ms"; an int64 buffer is then read in place).
        values: floats; a float64 buffer (array.array('d'), numpy) is read in
            place without copying. Use promql.STALE for staleness markers.
        Raises DataError (out of order, duplicate, bad labels) and then
        changes nothing.
        """
        with self.batch() as b:
            b.add(labels, timestamps, values, unit=unit)

    def clear(self) -> None:
        """Drops every series."""
        with self._lock.write():
            _ffi.lib().pql_memstore_clear(self._get())

    def load(self, path: Union[str, "os.PathLike[str]"], format: Optional[str] = None, *,
             default_time: Any = None) -> Any:
        """Loads a data file into the store, all-or-nothing.

        format: None/"auto" (by extension, then content), "text" (Prometheus
        exposition), "openmetrics", "csv" (`series,timestamp_ms,value`) or
        "promqltest" (`load` blocks). default_time (seconds or datetime) is
        given to samples written without a timestamp (default: now).
        Returns a LoadInfo (format, series, samples, min_time, max_time).
        Raises DataError (`file:line:col: ...`) or PromQLIOError and then
        leaves the store unchanged; NotImplementedError names the C symbol
        when the loaded library has no loaders.
        """
        from . import _loaders
        return _loaders.load_file(self, path, format, default_time)

    def load_bytes(self, data: Union[bytes, str], format: Optional[str] = None, *,
                   name: Optional[str] = None, default_time: Any = None) -> Any:
        """Loads an in-memory document like load(); name stands in for a file name
        (messages, format detection by extension)."""
        from . import _loaders
        return _loaders.load_bytes(self, data, format, name, default_time)

    # -- reading --

    @property
    def series_count(self) -> int:
        """Number of series in the store."""
        with self._lock.read():
            return int(_ffi.lib().pql_memstore_series_count(self._get()))

    @property
    def sample_count(self) -> int:
        """Number of samples in the store."""
        with self._lock.read():
            return int(_ffi.lib().pql_memstore_sample_count(self._get()))

    def __len__(self) -> int:
        return self.series_count

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<promql.Storage closed>"
        return f"<promql.Storage {self.series_count} series, {self.sample_count} samples>"


class Batch:
    """An all-or-nothing group of appends to a Storage (pql_appender).

    Samples are invisible until commit(); any error makes the commit fail
    and leaves the store unchanged. As a context manager it commits on a
    normal exit and rolls back on an exception.
    """

    def __init__(self, storage: Storage) -> None:
        lib = _ffi.lib()
        self._storage = storage
        out = ctypes.c_void_p()
        err = _ffi.PqlError()
        with storage._lock.write():
            check(lib.pql_appender_begin(storage._get(), ctypes.byref(out),
                                         ctypes.byref(err)), err)
        self._ptr: Optional[int] = out.value
        self._finalizer = weakref.finalize(self, lib.pql_appender_rollback, out.value)
        self._error: Optional[PromQLError] = None

    def _get(self) -> int:
        if self._ptr is None:
            raise ValueError("the batch was already committed or rolled back")
        return self._ptr

    def add(self, labels: LabelsLike, timestamps: Any, values: Any, *,
            unit: str = "s") -> None:
        """Stages samples of one series (see Storage.add for the argument forms)."""
        ptr = self._get()
        items = _convert.label_items(parse_labels(labels))
        ts = _convert.timestamps_column(timestamps, unit)
        vals = _convert.values_column(values)
        if ts.count != vals.count:
            raise ValueError(f"{ts.count} timestamps but {vals.count} values")
        larr = _convert.label_array(items)
        err = _ffi.PqlError()
        with self._storage._lock.read():
            self._storage._get()
            status = _ffi.lib().pql_appender_add(ptr, larr, len(items), ts.address or None,
                                                 vals.address or None, ts.count,
                                                 ctypes.byref(err))
        if status != _ffi.PQL_OK:
            from .errors import error_from_c
            self._error = error_from_c(status, err)
            raise self._error

    def commit(self) -> None:
        """Applies every staged sample, or raises and applies none."""
        ptr = self._get()
        self._ptr = None
        self._finalizer.detach()
        err = _ffi.PqlError()
        with self._storage._lock.write():
            if self._storage._ptr is None:
                _ffi.lib().pql_appender_rollback(ptr)
                raise ValueError("the storage was closed")
            check(_ffi.lib().pql_appender_commit(ptr, ctypes.byref(err)), err)

    def rollback(self) -> None:
        """Discards the batch (no-op when already finished)."""
        if self._ptr is None:
            return
        self._ptr = None
        with self._storage._lock.write():
            self._finalizer()

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()


# ------------------------------------------------------- Python storage --

def _write_error(err: Any, exc: BaseException, code: int = _ffi.PQL_ERR_STORAGE) -> None:
    if not err:
        return
    msg = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    data = _ffi.encode(msg)[:_ffi.PQL_ERROR_MESSAGE_MAX - 1]
    # Never cut a UTF-8 sequence in half.
    data = data.decode("utf-8", "ignore").encode("utf-8")
    e = err.contents
    e.code = code
    e.start = -1
    e.end = -1
    e.message = data


class _PySeries:
    __slots__ = ("labels", "n_labels", "ts", "vals")

    def __init__(self, labels: Any, n_labels: int, ts: _convert.Column,
                 vals: _convert.Column) -> None:
        self.labels = labels
        self.n_labels = n_labels
        self.ts = ts
        self.vals = vals


class _PySet:
    __slots__ = ("series", "pos")

    def __init__(self, series: List[_PySeries]) -> None:
        self.series = series
        self.pos = 0


class PythonStorage:
    """Adapts a Python object to the C storage interface.

    The object needs `select(matchers, mint, maxt)` returning an iterable of
    `(labels, timestamps, values)`: labels a dict, timestamps float seconds
    (or datetimes), values floats. matchers is a list of promql.Matcher
    (apply them: Matcher.matches() helps); mint/maxt are float seconds,
    inclusive. If select accepts a `hints` keyword it also gets a dict with
    start, end, step, range (seconds) and func.

    Exceptions raised by the object become StorageError in the query
    (with the Python exception as __cause__); they never crash the process.
    """

    def __init__(self, obj: Any) -> None:
        if not callable(getattr(obj, "select", None)):
            raise TypeError(f"{type(obj).__name__} has no select(matchers, mint, maxt) method")
        self.obj = obj
        self._wants_hints = _accepts_kw(obj.select, "hints")
        self._sets: Dict[int, _PySet] = {}
        self._ids = itertools.count(1)
        self._local = threading.local()
        # CFUNCTYPE objects must outlive every call the engine makes through
        # them: they live as long as this adapter, which each query holds.
        self._cb_select = _ffi.SELECT_FN(self._select)
        self._cb_next = _ffi.SET_NEXT_FN(self._set_next)
        self._cb_read = _ffi.READ_FLOATS_FN(self._read)
        self._cb_close = _ffi.SET_CLOSE_FN(self._close)
        self._methods = _ffi.PqlStorageMethods(
            _ffi.PQL_STORAGE_VERSION, self._cb_select, self._cb_next,
            self._cb_read, None, self._cb_close)
        self._storage = _ffi.PqlStorage(ctypes.pointer(self._methods), 1)
        self._lock = threading.Lock()

    @contextmanager
    def _reading(self) -> Iterator[_ffi.PqlStorage]:
        self._local.exc = None
        yield self._storage

    def take_exception(self) -> Optional[BaseException]:
        """The exception a callback raised during this thread's last query, if any."""
        exc = getattr(self._local, "exc", None)
        self._local.exc = None
        return exc

    def _fail(self, err: Any, exc: BaseException) -> None:
        self._local.exc = exc
        _write_error(err, exc)

    # -- callbacks (run on the thread executing the query, GIL reacquired) --

    def _select(self, _self: Any, matchers: Any, n: int, mint: int, maxt: int,
                hints: Any, set_out: Any, err: Any) -> int:
        try:
            ms = []
            for i in range(n):
                m = matchers[i]
                v = ctypes.string_at(m.value, m.value_len) if m.value_len else b""
                ms.append(Matcher(_ffi.decode(m.name), ("=", "!=", "=~", "!~")[m.type],
                                  _ffi.decode(v)))
            kwargs = {}
            if self._wants_hints:
                h = hints.contents if hints else None
                kwargs["hints"] = None if h is None else {
                    "start": h.start_ms / 1000.0, "end": h.end_ms / 1000.0,
                    "step": h.step_ms / 1000.0, "range": h.range_ms / 1000.0,
                    "func": _ffi.decode(h.func) if h.func else None}
            rows = self.obj.select(ms, mint / 1000.0, maxt / 1000.0, **kwargs)
            series = self._materialize(rows, mint, maxt)
            sid = next(self._ids)
            self._sets[sid] = _PySet(series)
            set_out[0] = sid
            return _ffi.PQL_OK
        except BaseException as exc:  # noqa: BLE001 - must never unwind into C
            self._fail(err, exc)
            if set_out:
                set_out[0] = None
            return _ffi.PQL_ERR_STORAGE

    def _materialize(self, rows: Iterable[Any], mint: int, maxt: int) -> List[_PySeries]:
        keyed = []
        seen = set()
        for row in rows:
            try:
                labels, timestamps, values = row
            except (TypeError, ValueError):
                raise TypeError("select() must yield (labels, timestamps, values) tuples") from None
            items = _convert.label_items(labels)
            if not items:
                raise ValueError("a series needs at least one non-empty label")
            key = tuple(items)
            if key in seen:
                raise ValueError(f"duplicate series {dict((k.decode(), v.decode()) for k, v in items)}")
            seen.add(key)
            ts = _convert.timestamps_column(timestamps)
            vals = _convert.values_column(values)
            if ts.count != vals.count:
                raise ValueError(f"{ts.count} timestamps but {vals.count} values")
            seq = ts.seq
            for i in range(1, ts.count):
                if seq[i] <= seq[i - 1]:
                    raise ValueError("timestamps must be strictly ascending")
            lo = bisect.bisect_left(seq, mint)
            if lo >= ts.count or seq[lo] > maxt:
                continue  # no sample in range: not part of the set
            keyed.append((key, _PySeries(_convert.label_array(items), len(items), ts, vals)))
        keyed.sort(key=lambda kv: kv[0])
        return [s for _, s in keyed]

    def _set_next(self, set_id: int, labels_out: Any, n_out: Any, iter_out: Any,
                  err: Any) -> int:
        try:
            s = self._sets[set_id]
            if s.pos >= len(s.series):
                return 0
            series = s.series[s.pos]
            s.pos += 1
            labels_out[0] = ctypes.cast(series.labels, ctypes.POINTER(_ffi.PqlLabel))
            n_out[0] = series.n_labels
            iter_out[0] = (set_id << 32) | s.pos
            return 1
        except BaseException as exc:  # noqa: BLE001
            self._fail(err, exc)
            return -1

    def _read(self, it: int, mint: int, maxt: int, ts_out: int, vals_out: int,
              cap: int, err: Any) -> int:
        try:
            s = self._sets[it >> 32]
            series = s.series[(it & 0xFFFFFFFF) - 1]
            seq = series.ts.seq
            lo = bisect.bisect_left(seq, mint)
            hi = bisect.bisect_right(seq, maxt, lo)
            n = min(cap, hi - lo)
            if n > 0:
                ctypes.memmove(ts_out, series.ts.address + 8 * lo, 8 * n)
                ctypes.memmove(vals_out, series.vals.address + 8 * lo, 8 * n)
            return max(n, 0)
        except BaseException as exc:  # noqa: BLE001
            self._fail(err, exc)
            return -1

    def _close(self, set_id: int) -> None:
        try:
            self._sets.pop(set_id, None)
        except BaseException:  # noqa: BLE001 - nothing to report through
            pass


def _accepts_kw(fn: Any, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind == p.VAR_KEYWORD for p in params.values())


def as_storage(obj: Any) -> Union[Storage, PythonStorage]:
    """obj itself when it is a Storage or PythonStorage, else a new PythonStorage around it."""
    if isinstance(obj, (Storage, PythonStorage)):
        return obj
    return PythonStorage(obj)
