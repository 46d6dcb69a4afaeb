"""What the operator sees of a run in Dagster: each report's log lines in the run's event log (not on the
terminal), partitions that name their file and department, a quarantined report red on its partition, removals
that stick against the sensor and the schedule, and an inbox read once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from conftest import ROOT, SAMPLE_PDF, SAMPLES

from pipelines.resources import YusuanConfig
from yusuan.store import add_to_store

SMALL_PDF = SAMPLES / "js_prov_swbgt_2019_budget_tables.pdf"  # 12 tables, the smallest sample
DEPARTMENT = "武昌区科学技术和经济信息化局"  # the sample's


def _instance(home: Path) -> dg.DagsterInstance:
    from dagster._core.instance.ref import InstanceRef

    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home)))


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The sample ingested by `yusuan ingest` as an operator runs it (its own process, output not a terminal),
    on a Dagster instance of its own; the run, the report id and what the terminal showed."""
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    data = tmp_path_factory.mktemp("data")
    env = {**os.environ, "DAGSTER_HOME": str(home), "DAGSTER_DISABLE_TELEMETRY": "1"}
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(SAMPLE_PDF), "--data-dir", str(data)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    report_id = add_to_store(SAMPLE_PDF, data / "store").report_id
    with _instance(home) as instance:
        (record,) = instance.get_run_records()
        yield {"home": home, "data": data, "instance": instance, "run": record.dagster_run, "report_id": report_id,
               "terminal": done.stdout + done.stderr}


def test_each_reports_log_lines_are_in_the_run_s_event_log_not_on_the_terminal(ingested: dict[str, Any]) -> None:
    instance, run, report_id = ingested["instance"], ingested["run"], ingested["report_id"]
    messages = [e for e in instance.all_logs(run.run_id) if not e.is_dagster_event]
    naming = [e.user_message for e in messages if report_id in e.user_message and SAMPLE_PDF.name in e.user_message]
    assert naming, [e.user_message for e in messages]
    assert any(m.startswith(f"{SAMPLE_PDF.name} [{report_id}]: loaded") for m in naming)
    assert any("published 1 reports" in e.user_message for e in messages)
    # the terminal shows the outcome, not Dagster's lines
    terminal = ingested["terminal"]
    assert f"{SAMPLE_PDF.name} [{report_id}]: loaded" in terminal
    assert " - dagster - " not in terminal and "STEP_" not in terminal, terminal


def test_each_partition_names_its_file_department_and_status(ingested: dict[str, Any]) -> None:
    instance, run, report_id = ingested["instance"], ingested["run"], ingested["report_id"]
    for asset in ("raw_reports", "extracted_cells", "line_items", "conformed_facts"):
        (record,) = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[report_id]), limit=1).records
        mat = record.asset_materialization
        assert mat is not None and mat.partition == report_id
        meta = {k: v.value for k, v in mat.metadata.items()}
        assert (meta["file"], meta["department"], meta["status"]) == (SAMPLE_PDF.name, DEPARTMENT, "loaded"), asset
    # the run says which file it ran and what became of it; the outcome is observed on the partition too
    tags = instance.get_run_by_id(run.run_id).tags  # type: ignore[union-attr]
    assert (tags["yusuan/files"], tags["yusuan/outcome"], tags["yusuan/department"]) == (
        SAMPLE_PDF.name, "1 loaded", DEPARTMENT)
    (observed,) = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_OBSERVATION)
    observation = observed.asset_observation
    assert observation is not None and observation.partition == report_id
    assert observation.metadata["department"].value == DEPARTMENT
    # the report's status check passed on its partition; the batch's summary has nothing to list
    checks = {(e.dagster_event.event_specific_data.check_name, e.dagster_event.event_specific_data.partition):  # type: ignore[union-attr]
              e.dagster_event.event_specific_data.passed  # type: ignore[union-attr]
              for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)}
    assert checks[("report_is_loaded", report_id)] is True
    (record,) = instance.fetch_materializations(dg.AssetKey("across_reports"), limit=1).records
    summary = {k: v.value for k, v in record.asset_materialization.metadata.items()}  # type: ignore[union-attr]
    assert (summary["batch_reports"], summary["batch_loaded"], summary["published_loaded"]) == (1, 1, 1)
    assert summary["batch_not_loaded"] == "every report of the batch is loaded"


def test_materializing_one_partition_names_its_file_and_department(tmp_path: Path) -> None:
    """The UI's "Materialize" on a partition (ingest_job): the run is tagged with the file, the stages name the
    department, and the status check passes on the partition."""
    from pipelines.definitions import defs

    stored = add_to_store(SMALL_PDF, tmp_path / "store")
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("reports", [stored.report_id])
        result = defs.resolve_job_def("ingest_job").execute_in_process(
            partition_key=stored.report_id, instance=instance,
            run_config={"resources": {"yusuan": {"config": {"data_dir": str(tmp_path)}}}})
        assert result.success
        assert instance.get_run_by_id(result.run_id).tags["yusuan/files"] == SMALL_PDF.name  # type: ignore[union-attr]
        meta = {m.asset_key.to_user_string(): m.metadata for m in result.asset_materializations_for_node("line_items")
                + result.asset_materializations_for_node("conformed_facts")}
        assert meta["line_items"]["department"].value == "中共江苏省委办公厅"  # type: ignore[attr-defined]
        assert meta["line_items"]["status"].value == "registered"  # type: ignore[attr-defined]  # not decided yet
        assert meta["conformed_facts"]["status"].value == "loaded"  # type: ignore[attr-defined]
        (status,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "report_is_loaded"]
        assert status.passed and status.partition == stored.report_id


# ---- the sensor and the schedule --------------------------------------------------------------------------


def _settle(*paths: Path) -> None:
    """Files as if written a minute ago (the inbox takes only files unchanged for a few seconds)."""
    settled = time.time() - 60
    for p in paths:
        os.utime(p, (settled, settled))


def _tick(instance: dg.DagsterInstance, data: Path, cursor: str | None = None) -> dg.SensorResult:
    from pipelines.sensors import inbox_sensor

    result = inbox_sensor(dg.build_sensor_context(instance=instance, cursor=cursor,
                                                  resources={"yusuan": YusuanConfig(data_dir=str(data))}))
    assert isinstance(result, dg.SensorResult)
    return result


def _requested(result: dg.SensorResult) -> list[str]:
    return [k for r in result.run_requests or [] for k in r.run_config["ops"]["batch_reports"]["config"]["reports"]]


def test_a_removed_report_is_not_run_again_by_the_sensor_or_the_schedule(tmp_path: Path) -> None:
    from pipelines.sensors import nightly_schedule
    from yusuan.locks import mark_removed

    data = tmp_path / "data"
    inbox = data / "inbox"
    inbox.mkdir(parents=True)
    shutil.copy(SMALL_PDF, inbox / SMALL_PDF.name)
    _settle(inbox / SMALL_PDF.name)
    report_id = add_to_store(SMALL_PDF, data / "store").report_id
    other = "r" + "b" * 16
    mark_removed(data / "staging", report_id)  # what `yusuan remove` leaves (it deletes the partition too)
    with dg.instance_for_test() as instance:
        first = _tick(instance, data)
        assert not first.run_requests and not first.dynamic_partitions_requests
        assert not _tick(instance, data).run_requests  # nor at any later tick (a cursor lost or not)
        # the schedule does not run it either, though its partition is there and it is not published
        instance.add_dynamic_partitions("reports", [report_id, other])
        request = nightly_schedule(dg.build_schedule_context(
            instance=instance, resources={"yusuan": YusuanConfig(data_dir=str(data))}))
        assert isinstance(request, dg.RunRequest)
        assert request.run_config["ops"]["batch_reports"]["config"]["reports"] == [other]
        instance.delete_dynamic_partition("reports", other)
        instance.delete_dynamic_partition("reports", report_id)
        skipped = nightly_schedule(dg.build_schedule_context(
            instance=instance, resources={"yusuan": YusuanConfig(data_dir=str(data))}))
        assert isinstance(skipped, dg.SkipReason)
        # the file changed: another SHA-256, another report, which is run
        with open(inbox / SMALL_PDF.name, "ab") as f:
            f.write(b"\n% corrected\n")
        _settle(inbox / SMALL_PDF.name)
        changed = _tick(instance, data, first.cursor)
        (new,) = _requested(changed)
        assert new != report_id
        assert list(changed.dynamic_partitions_requests[0].partition_keys or []) == [new]  # type: ignore[union-attr]
        assert changed.run_requests[0].tags["yusuan/files"] == SMALL_PDF.name  # type: ignore[index]


def test_yusuan_remove_sticks_at_the_next_sensor_tick(ingested: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """`yusuan remove` of an ingested report whose file is still in the inbox: the next tick does not bring it
    back (before, it did: the partition was gone, so the file looked new)."""
    from pipelines.cli import main

    home, data, report_id = ingested["home"], ingested["data"], ingested["report_id"]
    inbox = data / "inbox"
    inbox.mkdir(exist_ok=True)
    shutil.copy(SAMPLE_PDF, inbox / SAMPLE_PDF.name)
    _settle(inbox / SAMPLE_PDF.name)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    assert main(["remove", report_id, "--data-dir", str(data)]) == 0
    with _instance(home) as instance:
        assert not instance.has_dynamic_partition("reports", report_id)
        result = _tick(instance, data)
        assert not result.run_requests and not result.dynamic_partitions_requests


def test_the_sensor_reads_only_new_or_changed_inbox_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipelines.sensors as sensors

    data = tmp_path / "data"
    inbox = data / "inbox"
    inbox.mkdir(parents=True)
    names = ["a.pdf", "b.pdf", "c.pdf"]
    for i, name in enumerate(names):
        (inbox / name).write_bytes(SMALL_PDF.read_bytes() + f"\n% copy {i}\n".encode())
    (inbox / "link.pdf").symlink_to(inbox / "a.pdf")
    _settle(*(inbox / n for n in names))
    hashed: list[str] = []

    def counting(source: Path, store_dir: Path) -> Any:
        hashed.append(source.name)
        return add_to_store(source, store_dir)

    monkeypatch.setattr(sensors, "add_to_store", counting)
    with dg.instance_for_test() as instance:
        first = _tick(instance, data)
        assert sorted(hashed) == sorted([*names, "link.pdf"])
        assert len(_requested(first)) == 3
        instance.add_dynamic_partitions("reports", _requested(first))
        hashed.clear()
        second = _tick(instance, data, first.cursor)
        assert hashed == [] and not second.run_requests  # nothing copied, hashed or said again
        # one file changes (same name), one arrives: only those two are read
        (inbox / "b.pdf").write_bytes(SMALL_PDF.read_bytes() + b"\n% corrected\n")
        shutil.copy(SMALL_PDF, inbox / "d.pdf")
        _settle(inbox / "b.pdf", inbox / "d.pdf")
        third = _tick(instance, data, second.cursor)
        assert sorted(hashed) == ["b.pdf", "d.pdf"]
        assert len(_requested(third)) == 2 and not set(_requested(third)) & set(_requested(first))
        instance.add_dynamic_partitions("reports", _requested(third))
        # a file gone from the inbox is forgotten by the cursor
        (inbox / "c.pdf").unlink()
        hashed.clear()
        fourth = _tick(instance, data, third.cursor)
        assert hashed == [] and "c.pdf" not in (fourth.cursor or "")
        # an unreadable cursor costs one full read, nothing else
        hashed.clear()
        assert not _tick(instance, data, "not json").run_requests
        assert sorted(hashed) == ["a.pdf", "b.pdf", "d.pdf", "link.pdf"]
