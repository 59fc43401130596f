"""Conversions between Python values and the library's units: times, durations, sample arrays and label sets."""

from __future__ import annotations

import array
import ctypes
import datetime as _dt
import math
import re
import sys
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _ffi

TimeLike = Union[float, int, _dt.datetime, str]
DurationLike = Union[float, int, _dt.timedelta, str]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_MS = _dt.timedelta(milliseconds=1)

# Prometheus's model.ParseDuration: units in descending order, each at most once.
_DURATION_RE = re.compile(
    r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")
_DURATION_UNITS_MS = (365 * 86400000, 7 * 86400000, 86400000, 3600000, 60000, 1000, 1)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) or _is_np_number(x)


def _is_np_number(x: Any) -> bool:
    np = sys.modules.get("numpy")
    return np is not None and isinstance(x, (np.integer, np.floating))


def datetime_to_ms(t: _dt.datetime) -> int:
    """Unix milliseconds of a datetime; naive datetimes are taken as UTC."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.timezone.utc)
    return (t - _EPOCH) // _MS


def time_to_ms(t: TimeLike, what: str = "time") -> int:
    """A time (float seconds since the epoch, datetime, or RFC 3339 text) as Unix ms."""
    if isinstance(t, _dt.datetime):
        return datetime_to_ms(t)
    if isinstance(t, str):
        s = t.strip()
        try:
            return seconds_to_ms(float(s), what)
        except ValueError:
            pass
        try:
            return datetime_to_ms(_dt.datetime.fromisoformat(s.replace("Z", "+00:00")))
        except ValueError:
            raise ValueError(f"{what}: cannot parse {t!r} as seconds or an RFC 3339 time") from None
    if _is_number(t):
        return seconds_to_ms(float(t), what)
    np = sys.modules.get("numpy")
    if np is not None and isinstance(t, np.datetime64):
        return int(t.astype("datetime64[ms]").astype(np.int64))
    raise TypeError(f"{what}: expected float seconds, datetime or RFC 3339 string, "
                    f"not {type(t).__name__}")


def seconds_to_ms(s: float, what: str = "time") -> int:
    """Float seconds as integer milliseconds, rounded to nearest."""
    if not math.isfinite(s):
        raise ValueError(f"{what}: {s} is not a finite number of seconds")
    return int(round(s * 1000.0))


def duration_to_ms(d: DurationLike, what: str = "duration") -> int:
    """A duration (float seconds, timedelta, or a PromQL duration like "1h30m") as ms."""
    if isinstance(d, _dt.timedelta):
        return d // _MS
    if isinstance(d, str):
        s = d.strip()
        m = _DURATION_RE.match(s)
        if m and s:
            return sum(int(g) * u for g, u in zip(m.groups(), _DURATION_UNITS_MS) if g)
        try:
            return seconds_to_ms(float(s), what)
        except ValueError:
            raise ValueError(f"{what}: cannot parse {d!r} as a duration "
                             "(seconds, or like 5m, 1h30m, 250ms)") from None
    if _is_number(d):
        return seconds_to_ms(float(d), what)
    raise TypeError(f"{what}: expected seconds, timedelta or a duration string, "
                    f"not {type(d).__name__}")


# ---------------------------------------------------------------- arrays --

_DOUBLE_FORMATS = {"d", "<d", "=d", "@d"} if sys.byteorder == "little" else {"d", ">d", "=d", "@d"}
_INT64_FORMATS = {"q", "<q", "=q", "@q", "l", "<l", "=l", "@l"} if sys.byteorder == "little" \
    else {"q", ">q", "=q", "@q", "l", ">l", "=l", "@l"}


def _buffer_view(obj: Any, formats: set) -> Optional[memoryview]:
    """A 1-D C-contiguous memoryview of obj when it exposes one of `formats` with 8-byte items."""
    if isinstance(obj, (list, tuple, str, bytes, bytearray)):
        return None
    try:
        mv = memoryview(obj)
    except TypeError:
        return None
    if mv.ndim != 1 or not mv.c_contiguous or mv.itemsize != 8 or mv.format not in formats:
        mv.release()
        return None
    return mv


class Column:
    """A C-visible array: address, length and whatever keeps the memory alive."""

    __slots__ = ("address", "count", "keep", "seq")

    def __init__(self, address: int, count: int, keep: Any, seq: Sequence) -> None:
        self.address = address
        self.count = count
        self.keep = keep
        self.seq = seq


def _from_view(mv: memoryview, ctype: Any) -> Column:
    n = len(mv)
    if n == 0:
        return Column(0, 0, None, ())
    if mv.readonly:
        carr = (ctype * n).from_buffer_copy(mv)
    else:
        carr = (ctype * n).from_buffer(mv)  # no copy: C reads the caller's memory
    return Column(ctypes.addressof(carr), n, (carr, mv), carr)


def _from_array(arr: "array.array") -> Column:
    if len(arr) == 0:
        return Column(0, 0, None, arr)
    return Column(arr.buffer_info()[0], len(arr), arr, arr)


def values_column(values: Any) -> Column:
    """Sample values as doubles: buffers of float64 are used in place, anything else copied."""
    mv = _buffer_view(values, _DOUBLE_FORMATS)
    if mv is not None:
        return _from_view(mv, ctypes.c_double)
    np = sys.modules.get("numpy")
    if np is not None and isinstance(values, np.ndarray):
        return _from_view(memoryview(np.ascontiguousarray(values, dtype=np.float64)),
                          ctypes.c_double)
    try:
        arr = array.array("d", values)
    except TypeError:
        arr = array.array("d", (float(v) for v in values))
    return _from_array(arr)


def timestamps_column(timestamps: Any, unit: str = "s") -> Column:
    """Sample times as int64 Unix ms.

    unit="s": float seconds (or datetimes), converted. unit="ms": integers
    already in ms; an int64 buffer (array('q'), numpy int64) is used in place.
    """
    if unit not in ("s", "ms"):
        raise ValueError(f"unit must be 's' or 'ms', not {unit!r}")
    np = sys.modules.get("numpy")
    if np is not None and isinstance(timestamps, np.ndarray):
        if np.issubdtype(timestamps.dtype, np.datetime64):
            ms = timestamps.astype("datetime64[ms]").astype(np.int64)
        elif unit == "ms":
            ms = np.ascontiguousarray(timestamps, dtype=np.int64)
        else:
            f = np.asarray(timestamps, dtype=np.float64)
            if not np.all(np.isfinite(f)):
                raise ValueError("timestamps: not all finite")
            ms = np.rint(f * 1000.0).astype(np.int64)
        return _from_view(memoryview(np.ascontiguousarray(ms)), ctypes.c_int64)
    if unit == "ms":
        mv = _buffer_view(timestamps, _INT64_FORMATS)
        if mv is not None:
            return _from_view(mv, ctypes.c_int64)
        return _from_array(array.array("q", (int(t) for t in timestamps)))
    mv = _buffer_view(timestamps, _DOUBLE_FORMATS)
    src: Iterable[Any] = mv if mv is not None else timestamps
    out = array.array("q")
    for t in src:
        if isinstance(t, float):
            if not math.isfinite(t):
                raise ValueError(f"timestamps: {t} is not finite")
            out.append(int(round(t * 1000.0)))
        else:
            out.append(time_to_ms(t, "timestamps"))
    if mv is not None:
        mv.release()
    return _from_array(out)


# ---------------------------------------------------------------- labels --

def label_items(labels: Mapping[str, Any]) -> List[Tuple[bytes, bytes]]:
    """Sorted (name, value) byte pairs of a label dict, empty values dropped."""
    items = []
    for name, value in labels.items():
        if not isinstance(name, str):
            raise TypeError(f"label names must be str, not {type(name).__name__}")
        if value is None:
            continue
        v = value if isinstance(value, str) else str(value)
        if v == "":
            continue
        items.append((_ffi.encode(name), _ffi.encode(v)))
    items.sort()
    return items


def label_array(items: Sequence[Tuple[bytes, bytes]]) -> "ctypes.Array[_ffi.PqlLabel]":
    """A pql_label[] over the given pairs (the array keeps the bytes alive)."""
    arr = (_ffi.PqlLabel * max(len(items), 1))()
    for i, (n, v) in enumerate(items):
        arr[i].name = n
        arr[i].value = v
    return arr


def labels_from_c(ptr: Any, n: int) -> Dict[str, str]:
    """A dict from a pql_label array of n entries."""
    return {_ffi.decode(ptr[i].name): _ffi.decode(ptr[i].value) for i in range(n)}
