"""Finds and loads the libpromql shared library (PROMQL_LIBRARY, next to the package, or the repo's build/*/)."""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path
from typing import List, Optional

__all__ = ["load_library", "library_path", "LibraryNotFoundError"]

ENV_VAR = "PROMQL_LIBRARY"

_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None
_lib_path: Optional[str] = None


class LibraryNotFoundError(OSError):
    """libpromql could not be found or loaded; the message lists every place tried."""


def _library_names() -> List[str]:
    if sys.platform == "darwin":
        return ["libpromql.dylib", "libpromql.0.dylib"]
    if sys.platform == "win32":
        return ["promql.dll", "libpromql.dll"]
    return ["libpromql.so", "libpromql.so.0"]


def _candidates() -> List[Path]:
    """Every file path tried, in order of preference (the env var is handled apart)."""
    names = _library_names()
    package_dir = Path(__file__).resolve().parent
    paths = [package_dir / n for n in names]
    # bindings/python/promql -> repository root is three levels up.
    repo = package_dir.parent.parent.parent
    build = repo / "build"
    build_dirs: List[Path] = []
    if build.is_dir():
        build_dirs.append(build)
        try:
            build_dirs.extend(sorted((d for d in build.iterdir() if d.is_dir()),
                                     key=lambda d: d.name))
        except OSError:
            pass
    found: List[Path] = []
    missing: List[Path] = []
    for d in build_dirs:
        for n in names:
            p = d / n
            (found if p.is_file() else missing).append(p)
    # Among build directories the most recently built library wins.
    def age(p: Path) -> float:
        try:
            return -p.stat().st_mtime
        except OSError:
            return 0.0

    return paths + sorted(found, key=age) + missing


def _sanitizer_build(p: Path) -> bool:
    """True for an ASan/UBSan or fuzz build: dlopen'ing one into an
    uninstrumented python aborts the whole process, so it is never tried."""
    cache = p.parent / "CMakeCache.txt"
    try:
        text = cache.read_text(errors="replace")
        if "PQL_SANITIZE:BOOL=ON" in text or "PQL_FUZZ:BOOL=ON" in text:
            return True
    except OSError:
        pass
    try:
        with open(p, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


def library_path() -> Optional[str]:
    """The path of the loaded library, or None when not loaded yet."""
    return _lib_path


def load_library() -> ctypes.CDLL:
    """Loads libpromql once and returns it.

    Search order: the PROMQL_LIBRARY environment variable (a file path), the
    package directory, then build/ and build/*/ of the source tree. Raises
    LibraryNotFoundError naming every place looked at.
    """
    global _lib, _lib_path
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is not None:
            return _lib
        tried: List[str] = []
        env = os.environ.get(ENV_VAR)
        if env:
            try:
                # CDLL (not PyDLL): calls release the GIL while C runs.
                lib = ctypes.CDLL(env)
            except OSError as e:
                raise LibraryNotFoundError(
                    f"{ENV_VAR}={env!r} could not be loaded: {e}") from e
            _lib, _lib_path = lib, env
            return lib
        tried.append(f"${ENV_VAR} (not set)")
        for p in _candidates():
            if not p.is_file():
                tried.append(f"{p} (missing)")
                continue
            if _sanitizer_build(p):
                tried.append(f"{p} (skipped: sanitizer/fuzz build, cannot load into python)")
                continue
            try:
                lib = ctypes.CDLL(str(p))
            except OSError as e:
                tried.append(f"{p} (failed: {e})")
                continue
            if not hasattr(lib, "pql_parse"):
                tried.append(f"{p} (not libpromql: no pql_parse)")
                continue
            _lib, _lib_path = lib, str(p)
            return lib
        raise LibraryNotFoundError(
            "libpromql shared library not found; build it with "
            "`cmake -S . -B build/rel && cmake --build build/rel --target promql_shared` "
            f"or set {ENV_VAR} to its path. Looked in:\n  " + "\n  ".join(tried))
