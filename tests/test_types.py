"""The library type-checks under mypy --strict (pyproject.toml), so CI holds every change to it."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_mypy_strict_finds_nothing() -> None:
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
