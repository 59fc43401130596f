"""Shared setup for the promql binding tests: puts the package on sys.path and builds small fixtures."""

from __future__ import annotations

import os
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)
if PACKAGE_ROOT not in sys.path:
    sys.path.insert(0, PACKAGE_ROOT)

import promql  # noqa: E402


def small_storage() -> promql.Storage:
    """Two `up` series and one `requests` series sampled every 15s from 0 to 60s."""
    s = promql.Storage()
    ts = [0, 15, 30, 45, 60]
    s.add({"__name__": "up", "job": "api", "instance": "a"}, ts, [1, 1, 0, 1, 1])
    s.add('up{job="db", instance="b"}', ts, [1, 1, 1, 1, 1])
    s.add({"__name__": "requests", "job": "api"}, ts, [10, 20, 30, 40, 50])
    return s


def by_labels(result: Any) -> dict:
    """{frozenset(label items): value} of a Vector."""
    return {frozenset(s.labels.items()): s.value for s in result}


def has_numpy() -> bool:
    try:
        import numpy  # noqa: F401
        return True
    except ImportError:
        return False
