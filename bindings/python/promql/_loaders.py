"""Storage.load() and Storage.load_bytes(): the library's file loaders (pql_load_*), bound when this libpromql exports them."""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from typing import Any, Optional, Union

from . import _convert, _ffi
from ._lib import library_path
from .errors import check

__all__ = ["LoadInfo", "FORMATS", "load_file", "load_bytes"]

# Accepted spellings of pql_format values.
FORMATS = {
    None: 0, "auto": 0,
    "text": 1, "prom": 1, "prometheus": 1, "prom_text": 1,
    "openmetrics": 2, "om": 2,
    "csv": 3,
    "promqltest": 4, "test": 4,
}
_NAMES = {0: "auto", 1: "text", 2: "openmetrics", 3: "csv", 4: "promqltest"}


@dataclass(frozen=True)
class LoadInfo:
    """What a load added: the format used, distinct series, samples, time span (seconds)."""
    format: str
    series: int
    samples: int
    min_time: float
    max_time: float


def _require(name: str) -> Any:
    lib = _ffi.lib()
    fn = getattr(lib, name, None)
    if fn is None:
        raise NotImplementedError(
            f"this needs the C function {name}(), which the loaded libpromql "
            f"({library_path()}) does not export; rebuild the library")
    return fn


def _format_code(fmt: Optional[str]) -> int:
    key = fmt.lower() if isinstance(fmt, str) else fmt
    if key not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of "
                         + ", ".join(sorted(k for k in FORMATS if k)))
    return FORMATS[key]


def _format_name(code: int) -> str:
    fn = getattr(_ffi.lib(), "pql_format_name", None)
    if fn is not None:
        name = fn(code)
        if name:
            return _ffi.decode(name)
    return _NAMES.get(code, str(code))


def _options(fmt: Optional[str], default_time: Any) -> _ffi.PqlLoadOptions:
    opts = _ffi.PqlLoadOptions(_format_code(fmt), _ffi.PQL_LOAD_NOW)
    fn = getattr(_ffi.lib(), "pql_load_options_default", None)
    if fn is not None:
        opts = fn()
        opts.format = _format_code(fmt)
    if default_time is not None:
        opts.default_ms = _convert.time_to_ms(default_time, "default_time")
    return opts


def _info(info: _ffi.PqlLoadInfo) -> LoadInfo:
    return LoadInfo(_format_name(info.format), int(info.series), int(info.samples),
                    info.min_ms / 1000.0, info.max_ms / 1000.0)


def load_file(storage: Any, path: Union[str, "os.PathLike[str]"], fmt: Optional[str],
              default_time: Any) -> Optional[LoadInfo]:
    """Loads a file into the storage's memstore, all-or-nothing."""
    p = os.fsencode(os.fspath(path))
    code = _format_code(fmt)
    err = _ffi.PqlError()
    lib = _ffi.lib()
    with storage._lock.write():
        ptr = storage._get()
        if lib.pql_load_file_ex is not None:
            opts = _options(fmt, default_time)
            info = _ffi.PqlLoadInfo()
            check(lib.pql_load_file_ex(ptr, p, ctypes.byref(opts), ctypes.byref(info),
                                       ctypes.byref(err)), err)
            return _info(info)
        fn = _require("pql_load_file")
        if default_time is not None:
            _require("pql_load_file_ex")
        check(fn(ptr, p, code, ctypes.byref(err)), err)
        return None


def load_bytes(storage: Any, data: Union[bytes, str], fmt: Optional[str], name: Optional[str],
               default_time: Any) -> Optional[LoadInfo]:
    """Loads an in-memory document into the storage's memstore, all-or-nothing."""
    buf = _ffi.encode(data) if isinstance(data, str) else bytes(data)
    n = _ffi.encode(name) if name is not None else None
    code = _format_code(fmt)
    err = _ffi.PqlError()
    lib = _ffi.lib()
    with storage._lock.write():
        ptr = storage._get()
        if lib.pql_load_buffer_ex is not None:
            opts = _options(fmt, default_time)
            info = _ffi.PqlLoadInfo()
            check(lib.pql_load_buffer_ex(ptr, n, buf, len(buf), ctypes.byref(opts),
                                         ctypes.byref(info), ctypes.byref(err)), err)
            return _info(info)
        fn = _require("pql_load_buffer")
        if default_time is not None:
            _require("pql_load_buffer_ex")
        check(fn(ptr, n, buf, len(buf), code, ctypes.byref(err)), err)
        return None
