"""The Dagster code location and the CLI, end to end on temporary folders and DuckDB files."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import SAMPLE_PDF, SAMPLES

from pipelines.cli import main
from pipelines.definitions import defs
from pipelines.resources import YusuanConfig
from pipelines.sensors import inbox_sensor, nightly_schedule
from yusuan.store import add_to_store

J19 = SAMPLES / "js_prov_swbgt_2019_budget_tables.pdf"

def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("budget.reports", "budget.line_items", "extracted.cells", "extracted.tables",
                          "extracted.narrative")}
    finally:
        con.close()


def test_definitions_load() -> None:
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == {"raw_reports", "extracted_cells", "line_items", "conformed_facts", "across_reports"}
    assert defs.resolve_job_def("ingest_job") is not None
    assert defs.resolve_sensor_def("inbox_sensor").default_status == dg.DefaultSensorStatus.RUNNING
    assert defs.resolve_schedule_def("nightly_schedule").execution_timezone == "Asia/Shanghai"


def test_one_partition_materializes_into_a_temp_duckdb(tmp_path: Path) -> None:
    stored = add_to_store(SAMPLE_PDF, tmp_path / "store")
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("reports", [stored.report_id])
        result = defs.resolve_job_def("ingest_job").execute_in_process(
            partition_key=stored.report_id, instance=instance,
            run_config={"resources": {"yusuan": {"config": {"data_dir": str(tmp_path)}}}})
        assert result.success
        materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()
                        for e in [e.event_specific_data.materialization]}  # type: ignore[union-attr]
        assert materialized == {"raw_reports", "extracted_cells", "line_items", "conformed_facts"}
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    row = con.execute("SELECT status, department, fiscal_year, report_kind, tables_found, cells, pages "
                      "FROM budget.reports").fetchall()
    assert row == [("loaded", "武昌区科学技术和经济信息化局", 2024, "unit_budget", 14, 442, 21)]
    yuan = con.execute("SELECT amount, amount_yuan FROM budget.line_items WHERE table_type = 'summary' "
                       "AND row_name = '收入总计'").fetchone()
    assert yuan is not None and str(yuan[0]) == "1272.070000" and int(yuan[1]) == 12720700


def test_sensor_adds_the_partition_and_requests_the_run(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE_PDF, inbox / SAMPLE_PDF.name)
    shutil.copy(J19, inbox / "still-being-copied.pdf")  # changed just now: not taken yet
    settled = time.time() - 60
    os.utime(inbox / SAMPLE_PDF.name, (settled, settled))
    (inbox / ".hidden").write_text("ignored")
    (inbox / "upload.pdf.part").write_bytes(b"%PDF-1.4 half")
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance,
                                          resources={"yusuan": YusuanConfig(data_dir=str(tmp_path))})
        result = inbox_sensor(context)
        assert isinstance(result, dg.SensorResult)
        (request,) = result.run_requests or []
        keys = request.run_config["ops"]["batch_reports"]["config"]["reports"]
        assert len(keys) == 1 and keys[0].startswith("r")
        (add,) = result.dynamic_partitions_requests or []
        assert list(add.partition_keys or []) == keys  # type: ignore[union-attr]
        assert (tmp_path / "store" / f"{keys[0]}.pdf").exists()
        # once the partition exists the same file is not requested again
        instance.add_dynamic_partitions("reports", keys)
        again = inbox_sensor(dg.build_sensor_context(instance=instance,
                                                     resources={"yusuan": YusuanConfig(data_dir=str(tmp_path))}))
        assert isinstance(again, dg.SensorResult) and not again.run_requests


def test_nightly_schedule_runs_partitions_never_published(tmp_path: Path) -> None:
    ids = ["r" + "a" * 16, "r" + "b" * 16]
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("reports", ids)
        request = nightly_schedule(dg.build_schedule_context(
            instance=instance, resources={"yusuan": YusuanConfig(data_dir=str(tmp_path))}))
        assert isinstance(request, dg.RunRequest)
        assert sorted(request.run_config["ops"]["batch_reports"]["config"]["reports"]) == ids


def test_reingesting_the_same_file_changes_nothing(tmp_path: Path, dagster_home: Path) -> None:
    db = tmp_path / "w.duckdb"
    args = ["ingest", str(SAMPLE_PDF), "--data-dir", str(tmp_path / "data"), "--warehouse", str(db)]
    assert main(args) == 0
    first = dump(db)
    assert len(first["budget.line_items"]) == 442  # 438 table cells + 4 of 表11 项目支出情况
    assert main(args) == 0
    assert dump(db) == first
    assert main(args + ["--force"]) == 0  # even a forced re-run writes the same rows
    assert dump(db) == first


def test_bad_files_are_recorded_and_the_batch_goes_on(tmp_path: Path, dagster_home: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "empty.pdf").write_bytes(b"")
    (batch / "notes.txt").write_text("not a pdf at all", encoding="utf-8")
    data = SAMPLE_PDF.read_bytes()
    (batch / "truncated.pdf").write_bytes(data[: len(data) // 3])
    shutil.copy(SAMPLES / "sh_putuo_czj_2024_dept_final.pdf", batch / "final.pdf")
    shutil.copy(SAMPLE_PDF, batch / "good.pdf")
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(batch), "--data-dir", str(tmp_path / "data"), "--warehouse", str(db)]) == 0
    con = duckdb.connect(str(db), read_only=True)
    status = {r[0]: (r[1], r[2]) for r in con.execute(
        "SELECT file_name, status, status_reason FROM budget.reports").fetchall()}
    assert status["empty.pdf"] == ("rejected", "empty file (0 bytes)")
    assert status["notes.txt"][0] == "rejected" and "not a PDF" in status["notes.txt"][1]
    assert status["truncated.pdf"][0] == "rejected"
    # a 决算 whose 表4 社会保障和就业支出 is 0.01 万元 below 表5's (a real break): loaded, the break its finding
    assert status["final.pdf"][0] == "loaded" and "社会保障和就业支出" in status["final.pdf"][1]
    assert con.execute("SELECT errors FROM budget.reports WHERE file_name = 'final.pdf'").fetchone() == (1,)
    # the sample's prose states 基本支出 1,072.07 where its tables say 1,077.07: a warning, not a block
    assert status["good.pdf"][0] == "loaded" and "narrative" in status["good.pdf"][1]
    per_report = dict(con.execute("SELECT r.file_name, count(li.report_id) FROM budget.reports r "
                                  "LEFT JOIN budget.line_items li USING (report_id) GROUP BY 1").fetchall())
    assert per_report.pop("final.pdf") > 0
    assert per_report == {"empty.pdf": 0, "notes.txt": 0, "truncated.pdf": 0, "good.pdf": 442}
    out = capsys.readouterr().out
    assert "4 rejected" not in out and "2 loaded" in out and "quarantined" not in out
