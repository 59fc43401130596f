"""Exception classes of the promql package and the mapping from C status codes to them."""

from __future__ import annotations

from typing import Dict, Optional, Type

from . import _ffi

__all__ = [
    "PromQLError", "ParseError", "ExecutionError", "QueryTimeoutError",
    "QueryCanceledError", "TooManySamplesError", "MemoryLimitError",
    "StorageError", "DataError", "InvalidArgumentError", "PromQLIOError",
    "OutOfMemoryError",
]


class PromQLError(Exception):
    """Base of every error raised from libpromql.

    Attributes: message (the C library's text), code (the pql_status number)
    and status (its name, e.g. "parse error").
    """

    code: int = -1

    def __init__(self, message: str, code: Optional[int] = None,
                 status: str = "") -> None:
        super().__init__(message)
        self.message: str = message
        if code is not None:
            self.code = code
        self.status: str = status

    def __str__(self) -> str:
        return self.message


class ParseError(PromQLError, ValueError):
    """The query text is not valid PromQL.

    start and end are byte offsets into the query (end exclusive; -1 when
    the error has no position); line and column are 1-based (bytes) and
    str() is Prometheus's `<line>:<col>: parse error: <message>`.
    """

    code = _ffi.PQL_ERR_PARSE

    def __init__(self, message: str, start: int = -1, end: int = -1,
                 query: str = "", formatted: str = "",
                 code: Optional[int] = None, status: str = "parse error") -> None:
        super().__init__(message, code, status)
        self.start: int = start
        self.end: int = end
        self.query: str = query
        self.formatted: str = formatted or message
        if start >= 0:
            prefix = query.encode("utf-8", "surrogateescape")[:start]
            self.line: int = prefix.count(b"\n") + 1
            self.column: int = start - (prefix.rfind(b"\n") + 1) + 1
        else:
            self.line = 0
            self.column = 0

    def __str__(self) -> str:
        return self.formatted


class ExecutionError(PromQLError):
    """Evaluation of a query failed."""

    code = _ffi.PQL_ERR_EXECUTION


class QueryTimeoutError(ExecutionError, TimeoutError):
    """The query ran longer than the engine's timeout."""

    code = _ffi.PQL_ERR_TIMEOUT


class QueryCanceledError(ExecutionError):
    """The query was canceled through Query.cancel()."""

    code = _ffi.PQL_ERR_CANCELED


class TooManySamplesError(ExecutionError):
    """The query would hold more samples than the engine's max_samples."""

    code = _ffi.PQL_ERR_TOO_MANY_SAMPLES


class MemoryLimitError(ExecutionError):
    """The query exceeded the engine's per-query memory limit."""

    code = _ffi.PQL_ERR_MEMORY_LIMIT


class StorageError(PromQLError):
    """The storage failed (for a Python storage, __cause__ is its exception)."""

    code = _ffi.PQL_ERR_STORAGE


class DataError(PromQLError, ValueError):
    """Samples or labels were rejected (out of order, duplicate, bad labels)."""

    code = _ffi.PQL_ERR_DATA


class InvalidArgumentError(PromQLError, ValueError):
    """An argument was refused by the library."""

    code = _ffi.PQL_ERR_INVALID_ARGUMENT


class PromQLIOError(PromQLError, OSError):
    """Reading a file failed."""

    code = _ffi.PQL_ERR_IO

    def __new__(cls, message: str, code: Optional[int] = None,
                status: str = "") -> "PromQLIOError":
        # OSError would read three arguments as (errno, strerror, filename).
        return OSError.__new__(cls, message)

    def __init__(self, message: str, code: Optional[int] = None,
                 status: str = "") -> None:
        PromQLError.__init__(self, message, code, status)

    def __str__(self) -> str:
        return self.message


class OutOfMemoryError(PromQLError, MemoryError):
    """The library ran out of memory."""

    code = _ffi.PQL_ERR_NOMEM


_BY_CODE: Dict[int, Type[PromQLError]] = {
    _ffi.PQL_ERR_PARSE: ParseError,
    _ffi.PQL_ERR_NOMEM: OutOfMemoryError,
    _ffi.PQL_ERR_INVALID_ARGUMENT: InvalidArgumentError,
    _ffi.PQL_ERR_EXECUTION: ExecutionError,
    _ffi.PQL_ERR_TIMEOUT: QueryTimeoutError,
    _ffi.PQL_ERR_CANCELED: QueryCanceledError,
    _ffi.PQL_ERR_TOO_MANY_SAMPLES: TooManySamplesError,
    _ffi.PQL_ERR_MEMORY_LIMIT: MemoryLimitError,
    _ffi.PQL_ERR_STORAGE: StorageError,
    _ffi.PQL_ERR_DATA: DataError,
    _ffi.PQL_ERR_IO: PromQLIOError,
}


def status_text(code: int) -> str:
    """The library's name for a status code ("parse error")."""
    return _ffi.decode(_ffi.lib().pql_status_text(code))


def error_from_c(status: int, err: Optional[_ffi.PqlError],
                 query: Optional[str] = None) -> PromQLError:
    """Builds the Python exception for a failed call from its pql_error."""
    code = err.code if err is not None and err.code else status
    text = status_text(code)
    message = _ffi.decode(err.message) if err is not None else ""
    if not message:
        message = text
    cls = _BY_CODE.get(code, PromQLError)
    if cls is ParseError:
        start = int(err.start) if err is not None else -1
        end = int(err.end) if err is not None else -1
        formatted = message
        if err is not None and query is not None and start >= 0:
            formatted = _format_parse_error(err, query) or message
        return ParseError(message, start, end, query or "", formatted, code, text)
    return cls(message, code, text)


def _format_parse_error(err: _ffi.PqlError, query: str) -> str:
    import ctypes
    q = _ffi.encode(query)
    cap = 512
    while True:
        buf = ctypes.create_string_buffer(cap)
        n = _ffi.lib().pql_error_format(ctypes.byref(err), q, buf, cap)
        if n < cap:
            return _ffi.decode(buf.value)
        cap = n + 1


def check(status: int, err: _ffi.PqlError, query: Optional[str] = None) -> None:
    """Raises the matching exception when status is not PQL_OK."""
    if status != _ffi.PQL_OK:
        raise error_from_c(status, err, query)
