"""Tests of finding and loading the shared library, and of the package surface."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import _helpers
import promql


def run_python(code: str, env: dict, cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=60)


class LibraryTest(unittest.TestCase):
    def test_loaded_library(self) -> None:
        promql.parse("x")
        path = promql.library_path()
        self.assertTrue(path and os.path.exists(path), path)

    def test_bad_env_var_names_it(self) -> None:
        env = dict(os.environ, PROMQL_LIBRARY="/nonexistent/libpromql.so",
                   PYTHONPATH=_helpers.PACKAGE_ROOT)
        p = run_python("import promql; promql.parse('x')", env, tempfile.gettempdir())
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("LibraryNotFoundError", p.stderr)
        self.assertIn("/nonexistent/libpromql.so", p.stderr)

    def test_not_found_lists_every_place(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            pkg_root = os.path.join(tmp, "bindings", "python")
            shutil.copytree(os.path.join(_helpers.PACKAGE_ROOT, "promql"),
                            os.path.join(pkg_root, "promql"),
                            ignore=shutil.ignore_patterns("__pycache__", "*.so*"))
            os.makedirs(os.path.join(tmp, "build", "empty"))
            env = {k: v for k, v in os.environ.items() if k != "PROMQL_LIBRARY"}
            env["PYTHONPATH"] = pkg_root
            # Importing works without the library; the first call reports.
            p = run_python("import promql; print(promql.STALE != promql.STALE); promql.parse('x')",
                           env, tmp)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("True", p.stdout)
            self.assertIn("PROMQL_LIBRARY", p.stderr)
            self.assertIn(os.path.join(pkg_root, "promql", "libpromql.so"), p.stderr)
            self.assertIn(os.path.join(tmp, "build", "empty", "libpromql.so"), p.stderr)

    def test_public_api(self) -> None:
        for name in promql.__all__:
            self.assertTrue(hasattr(promql, name), name)
            obj = getattr(promql, name)
            if callable(obj):
                self.assertTrue(obj.__doc__, f"{name} has no docstring")


if __name__ == "__main__":
    unittest.main()
