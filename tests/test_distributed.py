"""The batch job on a distributed executor: three reports through dagster-celery with two workers and a
local Redis broker (Debian's redis-server, installed when missing), one publish at the end.

Skipped, with the reason, where Redis cannot be had (no root, no Debian mirror)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import ROOT, SAMPLE_PDF, SAMPLES

from yusuan.store import add_to_store

REPORTS = (SAMPLE_PDF, SAMPLES / "js_prov_swbgt_2019_budget_tables.pdf", SAMPLES / "sh_putuo_sfj_2026_dept_budget.pdf")


def _redis_server() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip("redis-server is not installed, and apt-get (as root) is not available to install it")
    try:
        subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], capture_output=True, timeout=300)
        if not shutil.which("redis-server"):
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True, timeout=300)
            subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.skip(f"redis-server could not be installed from Debian's packages: {e}")
    found = shutil.which("redis-server")
    if not found:
        pytest.skip("redis-server could not be installed from Debian's packages (apt-get failed)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[str]:
    pytest.importorskip("dagster_celery")
    server = _redis_server()
    port = _free_port()
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.2)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_three_reports_through_celery_with_two_workers(tmp_path: Path, broker: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.distributed import celery_batch_job

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    instance = dg.DagsterInstance.get()
    instance.get_run_records(limit=1)  # the instance's storage exists before two workers open it
    execution = {"broker": broker, "backend": broker}
    config_yaml = tmp_path / "celery.yaml"
    config_yaml.write_text(f"execution:\n  config:\n    broker: '{broker}'\n    backend: '{broker}'\n", encoding="utf-8")
    env = {**os.environ, "DAGSTER_HOME": str(home), "PYTHONPATH": str(ROOT), "DAGSTER_DISABLE_TELEMETRY": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # `celery` of this venv
    worker_bin = str(Path(sys.executable).with_name("dagster-celery"))
    log = open(tmp_path / "workers.log", "wb")  # noqa: SIM115 (closed with the workers)
    workers = [subprocess.Popen([worker_bin, "worker", "start", "-A", "dagster_celery.app", "-y", str(config_yaml),
                                 "-n", f"w{i}@%h", "--", "--concurrency", "1"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True) for i in (1, 2)]
    try:
        deadline = time.monotonic() + 120
        while (tmp_path / "workers.log").read_bytes().count(b" ready.") < 2:
            dead = [w.args for w in workers if w.poll() is not None]
            assert not dead, (tmp_path / "workers.log").read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the celery workers did not start"
            time.sleep(0.5)
        data = tmp_path / "data"
        ids = [add_to_store(p, data / "store").report_id for p in REPORTS]
        instance.add_dynamic_partitions("reports", ids)
        with dg.execute_job(dg.reconstructable(celery_batch_job), instance=instance, run_config={
                "execution": {"config": execution},
                "resources": {"yusuan": {"config": {"data_dir": str(data)}}},
                "ops": {"batch_reports": {"config": {"reports": ids, "steps": 3}}}}) as result:
            assert result.success
            shares = result.output_for_node("ingest_reports")
        assert len(shares) == 3  # one step per report, taken by the workers
        con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
        got = dict(con.execute("SELECT file_name, status FROM budget.reports").fetchall())
        cells = con.execute("SELECT count(*) FROM budget.line_items").fetchone()
        con.close()
        assert got == {p.name: "loaded" for p in REPORTS}
        assert cells is not None and cells[0] > 442
    finally:
        for w in workers:
            try:
                os.killpg(w.pid, 15)
            except ProcessLookupError:
                pass
        for w in workers:
            w.wait(timeout=60)
        log.close()
