"""promql: Python bindings (ctypes) for libpromql, an embeddable PromQL engine."""

from __future__ import annotations

from ._lib import LibraryNotFoundError, library_path, load_library
from ._loaders import LoadInfo
from .engine import Engine, Query
from .errors import (DataError, ExecutionError, InvalidArgumentError,
                     MemoryLimitError, OutOfMemoryError, ParseError,
                     PromQLError, PromQLIOError, QueryCanceledError,
                     QueryTimeoutError, StorageError, TooManySamplesError)
from .parse import Expr, Matcher, Node, NodeKind, ValueType, parse
from .result import (Column, Matrix, Result, Sample, Scalar, Series, Stats,
                     String, Vector)
from .storage import STALE, Batch, PythonStorage, Storage, is_stale

__version__ = "0.1.0"

__all__ = [
    # parsing
    "parse", "Expr", "Node", "NodeKind", "ValueType", "Matcher",
    # storage
    "Storage", "Batch", "PythonStorage", "STALE", "is_stale", "LoadInfo",
    # evaluation
    "Engine", "Query",
    # results
    "Result", "Scalar", "String", "Vector", "Matrix", "Sample", "Series",
    "Column", "Stats",
    # errors
    "PromQLError", "ParseError", "ExecutionError", "QueryTimeoutError",
    "QueryCanceledError", "TooManySamplesError", "MemoryLimitError",
    "StorageError", "DataError", "InvalidArgumentError", "PromQLIOError",
    "OutOfMemoryError", "LibraryNotFoundError",
    # library
    "load_library", "library_path",
]
