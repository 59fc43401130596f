"""promql.Engine: evaluation options, instant and range queries, and cancellable prepared queries."""

from __future__ import annotations

import ctypes
import threading
import time as _time
import weakref
from contextlib import ExitStack
from typing import Any, Optional, Union

from . import _convert, _ffi
from .errors import PromQLError, StorageError, error_from_c, check
from .parse import parse_options
from .result import Result, wrap_result
from .storage import PythonStorage, Storage, as_storage

__all__ = ["Engine", "Query"]

TimeLike = _convert.TimeLike
DurationLike = _convert.DurationLike


def _now_ms() -> int:
    return int(round(_time.time() * 1000.0))


class Engine:
    """Evaluation options; immutable and safe to share between threads.

    lookback: how far back an instant selector looks (default 5m).
    max_samples: most samples a query may hold (default 50,000,000).
    timeout: per-query time limit (default none).
    max_memory: per-query byte limit (default unlimited).
    default_step: subquery default step (default 1m).
    delayed_name_removal: Prometheus 3 semantics (default on).
    parse: dict of parse options (see promql.parse).
    Durations are float seconds, timedelta or strings like "5m".
    """

    def __init__(self, *, lookback: Optional[DurationLike] = None,
                 max_samples: Optional[int] = None,
                 timeout: Optional[DurationLike] = None,
                 max_memory: Optional[int] = None,
                 default_step: Optional[DurationLike] = None,
                 delayed_name_removal: Optional[bool] = None,
                 parse: Optional[dict] = None) -> None:
        lib = _ffi.lib()
        opts = lib.pql_engine_options_default()
        if lookback is not None:
            opts.lookback_delta_ms = _positive(_convert.duration_to_ms(lookback, "lookback"), "lookback")
        if max_samples is not None:
            opts.max_samples = _positive(int(max_samples), "max_samples")
        if timeout is not None:
            opts.timeout_ms = _positive(_convert.duration_to_ms(timeout, "timeout"), "timeout")
        if max_memory is not None:
            opts.max_memory_bytes = _positive(int(max_memory), "max_memory")
        if default_step is not None:
            opts.default_step_ms = _positive(_convert.duration_to_ms(default_step, "default_step"),
                                             "default_step")
        if delayed_name_removal is not None:
            opts.enable_delayed_name_removal = int(bool(delayed_name_removal))
        if parse:
            opts.parse = parse_options(**parse)
        self.options: _ffi.PqlEngineOptions = opts
        out = ctypes.c_void_p()
        err = _ffi.PqlError()
        check(lib.pql_engine_new(ctypes.byref(opts), ctypes.byref(out), ctypes.byref(err)), err)
        self._handle: Optional[_EngineHandle] = _EngineHandle(out.value)  # type: ignore[arg-type]

    @property
    def lookback(self) -> float:
        """Lookback delta in seconds."""
        return self.options.lookback_delta_ms / 1000.0

    @property
    def timeout(self) -> Optional[float]:
        """Query timeout in seconds, or None."""
        return self.options.timeout_ms / 1000.0 if self.options.timeout_ms else None

    @property
    def max_samples(self) -> int:
        """Sample limit per query."""
        return int(self.options.max_samples)

    def _get(self) -> "_EngineHandle":
        if self._handle is None:
            raise ValueError("the engine was closed")
        return self._handle

    def close(self) -> None:
        """Frees the engine now, or when the last query prepared from it is freed."""
        self._handle = None  # the handle's finalizer runs once nothing holds it

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- one-shot queries --

    def query(self, storage: Any, expr: str, time: Optional[TimeLike] = None) -> Result:
        """Evaluates expr at one instant (default: now) over storage.

        storage is a promql.Storage or any object with select() (see
        PythonStorage). Returns Scalar, String, Vector or Matrix. The GIL is
        released while C evaluates.
        """
        with self.prepare(storage, expr, time) as q:
            return q.exec()

    def query_range(self, storage: Any, expr: str, start: TimeLike, end: TimeLike,
                    step: DurationLike) -> Result:
        """Evaluates expr from start to end every step; returns a Matrix."""
        with self.prepare_range(storage, expr, start, end, step) as q:
            return q.exec()

    # -- prepared queries --

    def prepare(self, storage: Any, expr: str, time: Optional[TimeLike] = None) -> "Query":
        """An instant query ready to exec() (and cancel() from another thread)."""
        t = _now_ms() if time is None else _convert.time_to_ms(time)
        return Query(self, storage, expr, (t,))

    def prepare_range(self, storage: Any, expr: str, start: TimeLike, end: TimeLike,
                      step: DurationLike) -> "Query":
        """A range query ready to exec()."""
        s = _convert.time_to_ms(start, "start")
        e = _convert.time_to_ms(end, "end")
        st = _convert.duration_to_ms(step, "step")
        if st <= 0:
            raise ValueError("step must be positive")
        if e < s:
            raise ValueError("end must not be before start")
        return Query(self, storage, expr, (s, e, st))


class _EngineHandle:
    """Owns one pql_engine*; queries hold it, since pql_query uses its engine."""

    __slots__ = ("ptr", "__weakref__")

    def __init__(self, ptr: int) -> None:
        self.ptr = ptr
        weakref.finalize(self, _ffi.lib().pql_engine_free, ptr)


def _positive(v: int, what: str) -> int:
    if v < 0:
        raise ValueError(f"{what} must not be negative")
    return v


class Query:
    """A prepared query (pql_query): exec() runs it, cancel() stops it from any thread.

    Holds its engine and storage alive; freed by close() (deferred until a
    running exec() returns), a `with` block, or garbage collection.
    """

    def __init__(self, engine: Engine, storage: Any, expr: str, times: tuple) -> None:
        if not isinstance(expr, str):
            raise TypeError(f"expr must be a str, not {type(expr).__name__}")
        self.engine = engine
        self._engine = engine._get()
        self.storage = as_storage(storage)
        self.expr = expr
        self._lock = threading.Lock()
        self._running = 0
        self._closing = False
        lib = _ffi.lib()
        data = _ffi.encode(expr)
        out = ctypes.c_void_p()
        err = _ffi.PqlError()
        with self.storage._reading() as st:
            if len(times) == 1:
                status = lib.pql_query_new_instant(self._engine.ptr, ctypes.byref(st), data,
                                                   len(data), times[0], ctypes.byref(out),
                                                   ctypes.byref(err))
            else:
                status = lib.pql_query_new_range(self._engine.ptr, ctypes.byref(st), data,
                                                 len(data), times[0], times[1], times[2],
                                                 ctypes.byref(out), ctypes.byref(err))
        check(status, err, expr)
        self._ptr: Optional[int] = out.value
        self._finalizer = weakref.finalize(self, lib.pql_query_free, out.value)

    def exec(self) -> Result:
        """Runs the query (GIL released meanwhile) and returns its result.

        Raises ExecutionError subclasses (QueryTimeoutError,
        QueryCanceledError, TooManySamplesError, ...) or StorageError.
        """
        with self._lock:
            if self._ptr is None or self._closing:
                raise ValueError("the query was closed")
            ptr = self._ptr
            self._running += 1
        try:
            out = ctypes.c_void_p()
            err = _ffi.PqlError()
            with self.storage._reading():
                # CDLL drops the GIL for the call; Python storage callbacks
                # take it back on their own.
                status = _ffi.lib().pql_query_exec(ptr, ctypes.byref(out), ctypes.byref(err))
            cause = (self.storage.take_exception()
                     if isinstance(self.storage, PythonStorage) else None)
            if status != _ffi.PQL_OK:
                exc = error_from_c(status, err, self.expr)
                if cause is not None:
                    if not isinstance(exc, StorageError):
                        exc = StorageError(exc.message, _ffi.PQL_ERR_STORAGE, exc.status)
                    raise exc from cause
                raise exc
            return wrap_result(out.value)  # type: ignore[arg-type]
        finally:
            with self._lock:
                self._running -= 1
                if self._closing and not self._running:
                    self._free()

    def cancel(self) -> None:
        """Asks a running exec() (in another thread) to stop with QueryCanceledError."""
        with self._lock:
            if self._ptr is not None:
                _ffi.lib().pql_query_cancel(self._ptr)

    def _free(self) -> None:
        self._ptr = None
        self._finalizer()

    def close(self) -> None:
        """Frees the query (after a running exec() returns)."""
        with self._lock:
            if self._running:
                self._closing = True
            elif self._ptr is not None:
                self._free()

    def __enter__(self) -> "Query":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<promql.Query {self.expr!r}>"
