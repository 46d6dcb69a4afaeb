"""One writer per report at a time (yusuan/locks.py): two runs of the same report never write its staging folder
together, a publish never copies an export another run is rewriting, and a removal sticks against a run that
was asked for before it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT
from synthetic import build

from yusuan.locks import mark_removed, report_lock
from yusuan.publish import publish
from yusuan.stages import REMOVED_WHILE_WAITING, Settings, exported, process_report, publish_reports
from yusuan.store import add_to_store

_HOLD = """
import sys, time
from yusuan.locks import report_lock
with report_lock(sys.argv[1], sys.argv[2]):
    print("held", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", warehouse=tmp_path / "data" / "warehouse.duckdb",
                    expectations=ROOT / "expectations")


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Settings, str]:
    settings = _settings(tmp_path)
    build(tmp_path / "clean.pdf", 3)
    return settings, add_to_store(tmp_path / "clean.pdf", settings.store_dir).report_id


def _hold(settings: Settings, report_id: str, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(settings.staging_dir), report_id, str(seconds)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _published(settings: Settings) -> dict[str, tuple[str, int]]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return {r[0]: (r[1], r[2]) for r in con.execute(
            "SELECT report_id, status, tables_found FROM budget.reports").fetchall()}
    finally:
        con.close()


def test_a_second_run_of_a_report_waits_for_the_first_and_says_so(stored: tuple[Settings, str]) -> None:
    settings, report_id = stored
    holder = _hold(settings, report_id, 3.0)
    said: list[str] = []
    started = time.monotonic()
    run = process_report(settings, report_id, on_wait=said.append)
    waited = time.monotonic() - started
    holder.wait(timeout=30)
    assert said == [f"report {report_id} is being written by process {holder.pid}; waiting for it to finish"]
    assert waited >= 2.0 and run.status == "loaded"


def test_a_lock_dies_with_its_process(stored: tuple[Settings, str]) -> None:
    """kill -9 of the run that holds a report frees it: the next run neither waits for ever nor is refused."""
    settings, report_id = stored
    holder = _hold(settings, report_id, 600.0)
    holder.kill()
    holder.wait(timeout=30)
    with report_lock(settings.staging_dir, report_id, on_wait=lambda why: pytest.fail(why)):
        pass


def test_a_removal_sticks_against_a_run_asked_for_before_it(stored: tuple[Settings, str]) -> None:
    """`yusuan remove R` while `yusuan ingest R --force` waits or runs: the run neither processes nor publishes R."""
    settings, report_id = stored
    first = process_report(settings, report_id)
    publish_reports(settings, [report_id], lambda ready, remove: publish(settings.warehouse, ready))
    assert _published(settings)[report_id] == ("loaded", 8)
    asked = time.time()
    time.sleep(0.01)
    with report_lock(settings.staging_dir, report_id):  # what `yusuan remove` does
        mark_removed(settings.staging_dir, report_id)
        publish(settings.warehouse, {}, remove=(report_id,))
    run = process_report(settings, report_id, requested_at=asked)
    assert (first.status, run.reason) == ("loaded", REMOVED_WHILE_WAITING)
    assert exported(settings, report_id) is None
    said: list[str] = []
    publish_reports(settings, [report_id], lambda ready, remove: publish(settings.warehouse, ready),
                    requested_at=asked, warn=said.append)
    assert report_id not in _published(settings) and said == [f"report {report_id}: {REMOVED_WHILE_WAITING}"]
    # a run asked for after the removal brings it back
    assert process_report(settings, report_id, requested_at=time.time()).status == "loaded"


@pytest.mark.slow
def test_two_runs_of_one_report_at_once_never_publish_a_hollow_version(stored: tuple[Settings, str]) -> None:
    """Two processes run and publish the same report over and over, at once (the 1-in-7 race of two ingests of the
    same files): every published version is whole, with its 8 tables (表1-表8)."""
    settings, report_id = stored
    script = ("import sys, time\n"
              "from pathlib import Path\n"
              "from yusuan.publish import publish\n"
              "from yusuan.stages import Settings, process_report, publish_reports\n"
              "s = Settings(data_dir=Path(sys.argv[1]), warehouse=Path(sys.argv[1]) / 'warehouse.duckdb', "
              "expectations=Path(sys.argv[2]))\n"
              "for _ in range(int(sys.argv[4])):\n"
              "    r = process_report(s, sys.argv[3])\n"
              "    assert r.status == 'loaded', r\n"
              "    publish_reports(s, [sys.argv[3]], lambda ready, remove: publish(s.warehouse, ready))\n")
    tries = 15  # two writers, 15 rounds each: 30 publishes racing a rewrite of the same staging folder
    procs = [subprocess.Popen([sys.executable, "-c", script, str(settings.data_dir), str(settings.expectations),
                               report_id, str(tries)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    seen: set[tuple[str, int]] = set()
    stop = threading.Event()

    def watch() -> None:  # an analyst reading all along
        while not stop.is_set():
            if settings.warehouse.exists():
                try:
                    seen.update(_published(settings).values())
                except duckdb.Error:
                    pass
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    errs = [p.communicate(timeout=900)[1] for p in procs]
    stop.set()
    watcher.join()
    assert [p.returncode for p in procs] == [0, 0], errs
    assert seen == {("loaded", 8)} and _published(settings) == {report_id: ("loaded", 8)}


def test_an_export_whose_tables_vanished_is_never_published_over_the_good_version(
        stored: tuple[Settings, str]) -> None:
    settings, report_id = stored
    process_report(settings, report_id)
    publish_reports(settings, [report_id], lambda ready, remove: publish(settings.warehouse, ready))
    process_report(settings, report_id)  # run again: a new export, then its tables lost before the publish
    out = exported(settings, report_id)
    assert out is not None
    (out / "extracted.tables.parquet").unlink()
    said: list[str] = []
    publish_reports(settings, [report_id], lambda ready, remove: publish(settings.warehouse, ready),
                    warn=said.append)
    assert said == [f"report {report_id}: its export is not whole (8 tables counted, 0 exported); not published, "
                    "its published version is kept"]
    assert _published(settings) == {report_id: ("loaded", 8)}
