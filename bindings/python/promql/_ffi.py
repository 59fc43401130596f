"""ctypes mirrors of include/promql.h: structs, callback types and a prototype (argtypes/restype) for every function."""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_double,
                    c_int, c_int64, c_size_t, c_ssize_t, c_uint64, c_void_p)
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ._lib import load_library

# ------------------------------------------------------------- constants --

PQL_OK = 0
PQL_ERR_PARSE = 1
PQL_ERR_NOMEM = 2
PQL_ERR_INVALID_ARGUMENT = 3
PQL_ERR_EXECUTION = 4
PQL_ERR_TIMEOUT = 5
PQL_ERR_CANCELED = 6
PQL_ERR_TOO_MANY_SAMPLES = 7
PQL_ERR_MEMORY_LIMIT = 8
PQL_ERR_STORAGE = 9
PQL_ERR_DATA = 10
PQL_ERR_IO = 11

PQL_ERROR_MESSAGE_MAX = 1024
PQL_STORAGE_VERSION = 1
PQL_STALE_NAN_BITS = 0x7FF0000000000002

PQL_RESULT_SCALAR = 1
PQL_RESULT_STRING = 2
PQL_RESULT_VECTOR = 3
PQL_RESULT_MATRIX = 4

# ------------------------------------------------------------------ structs --

# Opaque handles (pql_expr*, pql_node*, pql_memstore*, ...) travel as c_void_p.


class PqlError(Structure):
    """pql_error: caller-allocated details of a failed call."""
    _fields_ = [
        ("code", c_int),
        ("start", c_int64),
        ("end", c_int64),
        ("message", c_char * PQL_ERROR_MESSAGE_MAX),
    ]


class PqlParseOptions(Structure):
    """pql_parse_options."""
    _fields_ = [
        ("enable_experimental_functions", c_int),
        ("enable_duration_expressions", c_int),
        ("enable_extended_range_selectors", c_int),
        ("enable_binop_fill_modifiers", c_int),
        ("max_query_bytes", c_size_t),
        ("max_depth", c_int),
    ]


class PqlMatcher(Structure):
    """pql_matcher: value is raw bytes of value_len (may hold NULs)."""
    _fields_ = [
        ("name", c_char_p),
        ("type", c_int),
        ("value", c_void_p),
        ("value_len", c_size_t),
    ]


class PqlLabel(Structure):
    """pql_label."""
    _fields_ = [("name", c_char_p), ("value", c_char_p)]


class PqlSelectHints(Structure):
    """pql_select_hints."""
    _fields_ = [
        ("start_ms", c_int64),
        ("end_ms", c_int64),
        ("step_ms", c_int64),
        ("range_ms", c_int64),
        ("func", c_char_p),
    ]


SELECT_FN = CFUNCTYPE(c_int, c_void_p, POINTER(PqlMatcher), c_size_t, c_int64,
                      c_int64, POINTER(PqlSelectHints), POINTER(c_void_p),
                      POINTER(PqlError))
SET_NEXT_FN = CFUNCTYPE(c_int, c_void_p, POINTER(POINTER(PqlLabel)),
                        POINTER(c_size_t), POINTER(c_void_p), POINTER(PqlError))
READ_FLOATS_FN = CFUNCTYPE(c_ssize_t, c_void_p, c_int64, c_int64, c_void_p,
                           c_void_p, c_size_t, POINTER(PqlError))
SET_CLOSE_FN = CFUNCTYPE(None, c_void_p)


class PqlStorageMethods(Structure):
    """pql_storage_methods: the storage vtable (version 1)."""
    _fields_ = [
        ("version", c_int),
        ("select", SELECT_FN),
        ("set_next", SET_NEXT_FN),
        ("iter_read_floats", READ_FLOATS_FN),
        ("iter_read_histograms", c_void_p),
        ("set_close", SET_CLOSE_FN),
    ]


class PqlStorage(Structure):
    """pql_storage: a vtable plus the storage's own pointer."""
    _fields_ = [("methods", POINTER(PqlStorageMethods)), ("self", c_void_p)]


class PqlEngineOptions(Structure):
    """pql_engine_options."""
    _fields_ = [
        ("lookback_delta_ms", c_int64),
        ("max_samples", c_int64),
        ("max_memory_bytes", c_size_t),
        ("timeout_ms", c_int64),
        ("default_step_ms", c_int64),
        ("enable_delayed_name_removal", c_int),
        ("parse", PqlParseOptions),
        # Appended in the C header; must be here so that the struct returned
        # by value from pql_engine_options_default has the C size.
        ("enable_start_timestamps", c_int),
    ]


class PqlQueryStats(Structure):
    """pql_query_stats."""
    _fields_ = [
        ("total_samples", c_int64),
        ("peak_samples", c_int64),
        ("parse_seconds", c_double),
        ("prepare_seconds", c_double),
        ("eval_seconds", c_double),
        ("peak_bytes", c_int64),
    ]


# --------------------------------------------------------------- prototypes --

_P = c_void_p
_ERR = POINTER(PqlError)
_I64P = POINTER(c_int64)
_DBLP = POINTER(c_double)
_SIZEP = POINTER(c_size_t)

# name: (restype, argtypes)
PROTOTYPES: Dict[str, Tuple[Any, List[Any]]] = {
    "pql_status_text": (c_char_p, [c_int]),
    "pql_error_clear": (None, [_ERR]),
    "pql_error_format": (c_size_t, [_ERR, c_char_p, c_char_p, c_size_t]),
    # parser
    "pql_parse_options_default": (PqlParseOptions, []),
    "pql_parse": (c_int, [c_char_p, c_size_t, POINTER(PqlParseOptions),
                          POINTER(c_void_p), _ERR]),
    "pql_expr_free": (None, [_P]),
    "pql_expr_format": (c_void_p, [_P]),  # malloc'ed, freed with free()
    "pql_node_format": (c_void_p, [_P]),
    "pql_expr_root": (c_void_p, [_P]),
    # AST inspection
    "pql_value_type_name": (c_char_p, [c_int]),
    "pql_op_text": (c_char_p, [c_int]),
    "pql_node_get_kind": (c_int, [_P]),
    "pql_node_type": (c_int, [_P]),
    "pql_node_position": (None, [_P, _I64P, _I64P]),
    "pql_node_child_count": (c_size_t, [_P]),
    "pql_node_child": (c_void_p, [_P, c_size_t]),
    "pql_node_number": (c_double, [_P]),
    "pql_node_string": (c_void_p, [_P, _SIZEP]),
    "pql_node_op": (c_int, [_P]),
    "pql_node_function_name": (c_char_p, [_P]),
    "pql_node_metric_name": (c_char_p, [_P]),
    "pql_node_matcher_count": (c_size_t, [_P]),
    "pql_node_matcher": (POINTER(PqlMatcher), [_P, c_size_t]),
    "pql_node_label_count": (c_size_t, [_P]),
    "pql_node_label": (c_char_p, [_P, c_size_t]),
    "pql_node_is_without": (c_int, [_P]),
    "pql_node_return_bool": (c_int, [_P]),
    "pql_node_cardinality": (c_int, [_P]),
    "pql_node_include_count": (c_size_t, [_P]),
    "pql_node_include": (c_char_p, [_P, c_size_t]),
    "pql_node_range_ns": (c_int64, [_P]),
    "pql_node_step_ns": (c_int64, [_P]),
    "pql_node_offset_ns": (c_int64, [_P]),
    "pql_node_at": (c_int, [_P]),
    "pql_node_at_ms": (c_int64, [_P]),
    # staleness
    "pql_is_stale_marker": (c_int, [c_double]),
    "pql_stale_marker": (c_double, []),
    # memstore
    "pql_memstore_new": (c_int, [POINTER(c_void_p), _ERR]),
    "pql_memstore_free": (None, [_P]),
    "pql_memstore_clear": (None, [_P]),
    "pql_memstore_storage": (PqlStorage, [_P]),
    "pql_memstore_series_count": (c_size_t, [_P]),
    "pql_memstore_sample_count": (c_size_t, [_P]),
    "pql_appender_begin": (c_int, [_P, POINTER(c_void_p), _ERR]),
    "pql_appender_add": (c_int, [_P, POINTER(PqlLabel), c_size_t, c_void_p,
                                 c_void_p, c_size_t, _ERR]),
    "pql_appender_commit": (c_int, [_P, _ERR]),
    "pql_appender_rollback": (None, [_P]),
    # engine and queries
    "pql_engine_options_default": (PqlEngineOptions, []),
    "pql_engine_new": (c_int, [POINTER(PqlEngineOptions), POINTER(c_void_p), _ERR]),
    "pql_engine_free": (None, [_P]),
    "pql_query_new_instant": (c_int, [_P, POINTER(PqlStorage), c_char_p, c_size_t,
                                      c_int64, POINTER(c_void_p), _ERR]),
    "pql_query_new_range": (c_int, [_P, POINTER(PqlStorage), c_char_p, c_size_t,
                                    c_int64, c_int64, c_int64, POINTER(c_void_p),
                                    _ERR]),
    "pql_query_exec": (c_int, [_P, POINTER(c_void_p), _ERR]),
    "pql_query_cancel": (None, [_P]),
    "pql_query_free": (None, [_P]),
    "pql_query_instant": (c_int, [_P, POINTER(PqlStorage), c_char_p, c_size_t,
                                  c_int64, POINTER(c_void_p), _ERR]),
    "pql_query_range": (c_int, [_P, POINTER(PqlStorage), c_char_p, c_size_t,
                                c_int64, c_int64, c_int64, POINTER(c_void_p), _ERR]),
    # results
    "pql_result_get_type": (c_int, [_P]),
    "pql_result_scalar": (None, [_P, _I64P, _DBLP]),
    "pql_result_string": (c_char_p, [_P, _I64P]),
    "pql_result_series_count": (c_size_t, [_P]),
    "pql_result_labels": (None, [_P, c_size_t, POINTER(POINTER(PqlLabel)), _SIZEP]),
    "pql_result_sample": (None, [_P, c_size_t, _I64P, _DBLP]),
    "pql_result_points": (None, [_P, c_size_t, POINTER(c_void_p), POINTER(c_void_p),
                                 _SIZEP]),
    "pql_result_warning_count": (c_size_t, [_P]),
    "pql_result_warning": (c_char_p, [_P, c_size_t]),
    "pql_result_info_count": (c_size_t, [_P]),
    "pql_result_info": (c_char_p, [_P, c_size_t]),
    "pql_result_stats": (None, [_P, POINTER(PqlQueryStats)]),
    "pql_result_free": (None, [_P]),
}


class PqlLoadOptions(Structure):
    """pql_load_options."""
    _fields_ = [("format", c_int), ("default_ms", c_int64), ("max_samples", c_uint64)]


class PqlLoadInfo(Structure):
    """pql_load_info."""
    _fields_ = [
        ("format", c_int),
        ("series", c_size_t),
        ("samples", c_size_t),
        ("min_ms", c_int64),
        ("max_ms", c_int64),
    ]


PQL_LOAD_NOW = -(2 ** 63)

# The file loaders are newer than the rest of the API; they are bound when the
# loaded library exports them, and Storage.load says which one is missing.
OPTIONAL_PROTOTYPES: Dict[str, Tuple[Any, List[Any]]] = {
    "pql_format_name": (c_char_p, [c_int]),
    "pql_load_options_default": (PqlLoadOptions, []),
    "pql_load_file": (c_int, [_P, c_char_p, c_int, _ERR]),
    "pql_load_buffer": (c_int, [_P, c_char_p, c_char_p, c_size_t, c_int, _ERR]),
    "pql_load_file_ex": (c_int, [_P, c_char_p, POINTER(PqlLoadOptions),
                                 POINTER(PqlLoadInfo), _ERR]),
    "pql_load_buffer_ex": (c_int, [_P, c_char_p, c_char_p, c_size_t,
                                   POINTER(PqlLoadOptions), POINTER(PqlLoadInfo), _ERR]),
}


class _Lib:
    """The loaded library with prototypes applied; attribute access gives functions."""

    def __init__(self, dll: ctypes.CDLL) -> None:
        self.dll = dll
        for name, (restype, argtypes) in PROTOTYPES.items():
            fn = getattr(dll, name)  # AttributeError names a missing symbol
            fn.restype = restype
            fn.argtypes = argtypes
            setattr(self, name, fn)
        for name, (restype, argtypes) in OPTIONAL_PROTOTYPES.items():
            fn = getattr(dll, name, None)
            if fn is not None:
                fn.restype = restype
                fn.argtypes = argtypes
            setattr(self, name, fn)
        self.free = _libc_free()

    def has(self, name: str) -> bool:
        """True when the library exports `name`."""
        return getattr(self.dll, name, None) is not None


def _libc_free() -> Any:
    # Strings from pql_*_format come from malloc() in the same process.
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
    fn = libc.free
    fn.restype = None
    fn.argtypes = [c_void_p]
    return fn


_bound: Optional[_Lib] = None
_bind_lock = threading.Lock()


def lib() -> _Lib:
    """The bound library (loaded on first use)."""
    global _bound
    if _bound is None:
        with _bind_lock:
            if _bound is None:
                _bound = _Lib(load_library())
    return _bound


def take_string(ptr: Optional[int]) -> str:
    """Copies a malloc'ed NUL-terminated string into Python and frees it."""
    if not ptr:
        raise MemoryError("libpromql: out of memory formatting an expression")
    try:
        return ctypes.string_at(ptr).decode("utf-8", "surrogateescape")
    finally:
        lib().free(ptr)


def decode(b: Optional[bytes]) -> str:
    """Decodes a C string from the library (UTF-8, lossless for bad bytes)."""
    if b is None:
        return ""
    return b.decode("utf-8", "surrogateescape")


def encode(s: str) -> bytes:
    """Encodes a Python string for the library."""
    return s.encode("utf-8", "surrogateescape")
