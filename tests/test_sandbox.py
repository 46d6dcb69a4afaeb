"""Parsing inside limits (yusuan/sandbox.py) under limits set outside yusuan: a shared host's or a batch system's
address-space limit (ulimit -v) never rejects a good report, and a child that dies says why."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_PDF

from yusuan.sandbox import LimitExceeded, Limits, run_limited

SIX_GB = 6 * 1024 ** 3


def _under_six_gb() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (SIX_GB, SIX_GB))


def test_a_good_report_is_loaded_under_an_address_space_limit(tmp_path: Path, dagster_home: Path) -> None:
    """`ulimit -v 6291456` (6 GB), then `yusuan ingest` of the sample: loaded, as without the limit."""
    data = tmp_path / "data"
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(SAMPLE_PDF), "--data-dir", str(data)],
                          cwd=ROOT, env={**os.environ, "DAGSTER_HOME": str(dagster_home)}, capture_output=True,
                          text=True, timeout=600, preexec_fn=_under_six_gb)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "wuchang-kjj-2024-budget.pdf" in proc.stdout and ": loaded, 14 tables, 442 cells" in proc.stdout


def _exits(code: int) -> None:
    os._exit(code)


def test_a_child_that_ends_without_a_result_says_how_it_ended() -> None:
    with pytest.raises(LimitExceeded, match=r"ended without a result \(exit code 3\)"):
        run_limited(_exits, 3, limits=Limits(memory_mb=512, seconds=30))



def test_the_memory_limit_names_an_outer_limit_that_may_be_the_one_reached() -> None:
    script = ("import resource, sys\n"
              f"resource.setrlimit(resource.RLIMIT_AS, ({SIX_GB}, {SIX_GB}))\n"
              "from yusuan.sandbox import LimitExceeded, Limits, run_limited\n"
              "try:\n"
              "    run_limited(lambda: b'x' * (8 * 1024 ** 3), limits=Limits(memory_mb=4096, seconds=60))\n"
              "except LimitExceeded as e:\n"
              "    print(e)\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "more memory than the limit of 4096 MB" in proc.stdout, proc.stdout + proc.stderr
    assert "address-space limit of 6144 MB set outside yusuan (ulimit -v)" in proc.stdout
