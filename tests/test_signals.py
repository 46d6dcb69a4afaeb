"""`yusuan ingest` started with SIGINT and SIGTERM ignored (a shell's background job, under a Dagster process that
mapped SIGTERM to SIGINT's handler) finishes without Dagster's compute-log clean-up failing, and leaves no process
behind holding its output open."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SAMPLE_PDF


def _ignore_sigint() -> None:
    """As a process under a shell's background job inherits them: SIGINT ignored, and SIGTERM ignored too once a
    Dagster process above it has mapped SIGTERM to SIGINT's handler."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def test_an_ingest_started_with_sigint_ignored_ends_and_leaves_nothing_running(tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home), "DAGSTER_DISABLE_TELEMETRY": "1"}
    # its output to a pipe read to the end, as a CI runner or `| tee` reads it: a process left holding the pipe
    # would make this wait until the timeout
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(SAMPLE_PDF), "--data-dir",
                           str(tmp_path / "data")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
                          preexec_fn=_ignore_sigint)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "loaded" in done.stdout
    left = subprocess.run(["pgrep", "-f", f"tail -F -c \\+0 {home}"], capture_output=True, text=True)
    assert left.stdout == "", f"processes left running: {left.stdout}"
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        (record,) = instance.get_run_records()
        said = [e.user_message for e in instance.all_logs(record.dagster_run.run_id)]
    assert not [m for m in said if "cleaning up compute log capture" in m]
