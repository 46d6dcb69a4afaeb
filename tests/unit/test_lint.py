"""The code is lint-clean as ruff reads it (pyproject.toml: pyflakes, import order, bugbear, no private member
accessed from outside (SLF001), a complexity limit of 10 (C901)), so CI holds every change to it."""

from __future__ import annotations

import subprocess
import sys

from build import ROOT


def test_ruff_finds_nothing() -> None:
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "yusuan", "pipelines", "assets", "tests", "benchmarks"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
