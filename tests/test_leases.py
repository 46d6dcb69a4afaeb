"""A run killed while it held the `duckdb_write` pool slot (kill -9 during a publish) never wedges the runs after
it: the next `yusuan ingest` marks it failed and frees its slot (pipelines/leases.py)."""

from __future__ import annotations

import socket
import subprocess
import uuid
from pathlib import Path

import badfiles
import dagster as dg
import pytest

from pipelines.cli import main
from pipelines.cli.common import dagster_instance


def test_a_dead_run_holding_the_write_pool_is_reclaimed_by_the_next_ingest(
        tmp_path: Path, dagster_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    instance = dagster_instance()
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process that has ended, as one killed with -9 during its publish
    run_id = str(uuid.uuid4())
    instance.add_run(dg.DagsterRun(job_name="ingest_batch_job", run_id=run_id, status=dg.DagsterRunStatus.STARTED,
                                   tags={"yusuan/host": socket.gethostname(), "yusuan/pid": str(gone.pid)}))
    storage = instance.event_log_storage
    storage.initialize_concurrency_limit_to_default("duckdb_write")
    claim = storage.claim_concurrency_slot("duckdb_write", run_id, "publish_batch")
    assert claim.slot_status.value == "CLAIMED"  # held, as by the publish step of a run killed during it
    badfiles.zero_pages(tmp_path / "zero.pdf")
    assert main(["ingest", str(tmp_path / "zero.pdf"), "--data-dir", str(tmp_path / "data")]) == 0
    out = capsys.readouterr().out
    assert f"run {run_id[:8]} of process {gone.pid}, which is gone, marked failed and its pool slots freed" in out
    assert "zero.pdf" in out and ": rejected" in out
    record = instance.get_run_record_by_id(run_id)
    assert record is not None and record.dagster_run.status == dg.DagsterRunStatus.FAILURE
    assert not [s for s in storage.get_concurrency_info("duckdb_write").claimed_slots if s.run_id == run_id]


@pytest.mark.slow
def test_kill_9_at_any_moment_of_an_ingest_never_wedges_the_next(tmp_path: Path, dagster_home: Path) -> None:
    """30 times: `yusuan ingest` killed with -9 at a random moment (during its steps or its publish); the next
    ingest of another file completes, and the published reports stay whole."""
    import os
    import random
    import signal
    import sys
    import time

    import duckdb
    from conftest import ROOT, SAMPLES

    rng = random.Random(11)
    data = tmp_path / "data"
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}
    first = SAMPLES / "js_prov_swbgt_2019_budget_tables.pdf"
    assert main(["ingest", str(first), "--data-dir", str(data)]) == 0
    for attempt in range(30):
        victim = badfiles.zero_pages(tmp_path / f"victim-{attempt}.pdf") if attempt % 2 else first
        proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "ingest", str(victim), "--force",
                                 "--data-dir", str(data)], cwd=ROOT, env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.0, 9.0))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        nxt = badfiles.corrupt(tmp_path / f"next-{attempt}.pdf")
        nxt.write_bytes(nxt.read_bytes() + str(attempt).encode())  # a new file each time
        done = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(nxt), "--data-dir", str(data)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (attempt, done.stdout, done.stderr)
        con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
        try:
            status = dict(con.execute("SELECT file_name, status FROM budget.reports").fetchall())
        finally:
            con.close()
        assert status[first.name] == "loaded", attempt
