"""Operating the pipeline: bad input in a batch, re-publications, removal, a killed run,
an analyst reading while runs write, and two runs at once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import badfiles
import duckdb
import pytest
from conftest import ROOT, SAMPLE_PDF, SAMPLES

from pipelines.cli import main

J19 = SAMPLES / "js_prov_swbgt_2019_budget_tables.pdf"


TABLES = ("budget.line_items", "budget.check_results", "extracted.cells", "extracted.tables", "extracted.narrative",
          "extracted.claims", "conformed.fact_expenditure_by_function", "conformed.performance_indicators")


def rows_of(con: duckdb.DuckDBPyConnection, report_id: str) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t} WHERE report_id = ?", [report_id]).fetchone()[0]  # type: ignore[index]
            for t in TABLES}


def assert_whole_reports(db: Path) -> dict[str, str]:
    """Every report in the file is final, and complete: loaded ones have every stage, others none."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for rid, name, status, cells in con.execute(
                "SELECT report_id, file_name, status, cells FROM budget.reports").fetchall():
            assert status in ("loaded", "quarantined", "rejected", "unsupported"), (name, status)
            counts = rows_of(con, rid)
            if status in ("loaded", "quarantined"):
                assert counts["budget.line_items"] == cells and cells > 0, (name, counts)
                assert counts["budget.check_results"] > 0 and counts["extracted.tables"] > 0, (name, counts)
                conformed = con.execute("SELECT count(*) FROM conformed.all_amounts WHERE report_id = ?",
                                        [rid]).fetchone()
                assert conformed == (cells,), (name, conformed, cells)
            else:
                assert counts["budget.line_items"] == 0 and counts["budget.check_results"] == 0, (name, counts)
            out[name] = status
        return out
    finally:
        con.close()


def test_a_batch_with_every_kind_of_bad_input(tmp_path: Path, dagster_home: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(SAMPLE_PDF, batch / "good-sample.pdf")
    shutil.copy(J19, batch / "good-jiangsu.pdf")
    badfiles.truncated(batch / "truncated.pdf")
    badfiles.corrupt(batch / "corrupt.pdf")
    badfiles.encrypted(batch / "encrypted.pdf")
    badfiles.scanned(batch / "scanned.pdf")
    badfiles.not_a_budget(batch / "meeting-notice.pdf")
    badfiles.missing_core_tables(batch / "no-core-tables.pdf")
    badfiles.template(batch / "template.pdf")
    badfiles.large(batch / "huge.pdf")
    (batch / "notes.docx").write_bytes(b"PK\x03\x04 not a pdf")
    (batch / "empty.pdf").write_bytes(b"")
    data = tmp_path / "data"
    code = main(["ingest", str(batch), "--data-dir", str(data), "--max-pages", "100"])
    out = capsys.readouterr().out
    assert code == 0
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    got = {r[0]: (r[1], r[2] or "") for r in con.execute(
        "SELECT file_name, status, status_reason FROM budget.reports").fetchall()}
    con.close()
    expected = {
        "truncated.pdf": ("rejected", "truncated PDF: the file ends before its end-of-file marker"),
        "corrupt.pdf": ("rejected", "corrupt PDF"),
        "encrypted.pdf": ("rejected", "encrypted PDF: it needs a password to open"),
        "scanned.pdf": ("rejected", "no text layer: needs OCR (pages 1-21)"),
        "meeting-notice.pdf": ("rejected", "not a budget disclosure: no table found in the document"),
        "no-core-tables.pdf": ("rejected", "core tables not found: summary (部门收支总表), fiscal_summary (财政拨款收支总表), "
                                           "income (部门收入总表), expenditure (部门支出总表)"),
        "template.pdf": ("rejected", "a template, not a report: placeholders where the report names itself: "
                                     "XX局 (page 1), 202X年 (page 1)"),
        "huge.pdf": ("rejected", "too many pages: 126 pages, the limit is 100"),
        "notes.docx": ("rejected", "not a PDF file"),
        "empty.pdf": ("rejected", "empty file (0 bytes)"),
    }
    for name, (status, reason) in expected.items():
        assert got[name][0] == status and got[name][1].startswith(reason), (name, got[name])
        assert name in out  # the summary lists every input
    assert got["good-sample.pdf"][0] == "loaded" and got["good-jiangsu.pdf"] == ("loaded", "")
    statuses = assert_whole_reports(data / "warehouse.duckdb")
    assert len(statuses) == 12
    assert len(list((data / "store").glob("*.pdf"))) == 12  # every raw file is kept


def test_a_republication_replaces_the_old_one_in_the_views_and_remove_deletes_every_row(
        tmp_path: Path, dagster_home: Path) -> None:
    data = tmp_path / "data"
    assert main(["ingest", str(SAMPLE_PDF), "--data-dir", str(data)]) == 0
    newer = badfiles.republished(tmp_path / "wuchang-kjj-2024-budget-corrected.pdf")
    assert main(["ingest", str(newer), "--data-dir", str(data)]) == 0
    db = data / "warehouse.duckdb"
    con = duckdb.connect(str(db), read_only=True)
    reports = con.execute("SELECT file_name, status FROM budget.reports ORDER BY file_name").fetchall()
    # the older publication of the same body, year and kind is superseded: a count of loaded reports is what
    # analysts see
    assert reports == [("wuchang-kjj-2024-budget-corrected.pdf", "loaded"), ("wuchang-kjj-2024-budget.pdf", "superseded")]
    from pipelines.cli.inspect import counted

    assert counted([r[1] for r in reports]) == "2 reports: 1 loaded (what analysts see), 1 superseded"
    current = con.execute("SELECT file_name FROM budget.current_reports").fetchall()
    assert current == [("wuchang-kjj-2024-budget-corrected.pdf",)]
    total = con.execute("SELECT sum(amount_yuan) FROM budget.expenditure_by_function "
                        "WHERE is_total AND fund = 'all' AND measure = 'total'").fetchone()
    assert total is not None and int(total[0]) == 12720700  # counted once, not twice
    newer_id = con.execute("SELECT report_id FROM budget.reports WHERE file_name LIKE '%corrected%'").fetchone()
    sha = con.execute("SELECT sha256 FROM budget.reports WHERE file_name LIKE '%corrected%'").fetchone()
    con.close()
    assert newer_id is not None
    # a prefix too short to name one report is refused, whatever it happens to match
    assert sha is not None
    for short in (sha[0][:1], sha[0][:5], newer_id[0][:2]):
        assert main(["remove", short, "--data-dir", str(data)]) == 2
    page = data / "review" / f"{newer_id[0]}.html"
    assert page.exists()
    assert main(["remove", newer.name, "--data-dir", str(data)]) == 0
    assert not page.exists()
    for path in (db,):
        con = duckdb.connect(str(path), read_only=True)
        assert set(rows_of(con, newer_id[0]).values()) == {0}
        for table in ("budget.reports", "conformed.all_amounts", "conformed.dim_units"):
            n = con.execute(f"SELECT count(*) FROM {table} WHERE report_id = ?", newer_id).fetchone()
            assert n == (0,), table
        assert con.execute("SELECT file_name FROM budget.current_reports").fetchall() == [
            ("wuchang-kjj-2024-budget.pdf",)]
        assert con.execute("SELECT status FROM budget.reports").fetchall() == [("loaded",)]  # current again
        con.close()
    assert not (data / "staging" / newer_id[0]).exists()


def _cli(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def test_a_run_killed_mid_batch_keeps_the_published_versions_and_the_next_run_completes(
        tmp_path: Path, dagster_home: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    for i, pdf in enumerate((SAMPLE_PDF, J19, SAMPLES / "sh_putuo_sfj_2026_dept_budget.pdf",
                             SAMPLES / "sh_putuo_wanli_2024_dept_budget.pdf")):
        shutil.copy(pdf, batch / f"{i}-{pdf.name}")
    data = tmp_path / "data"
    first_two = sorted(batch.iterdir())[:2]
    assert main(["ingest", *map(str, first_two), "--data-dir", str(data)]) == 0
    published = data / "warehouse.duckdb"
    before = assert_whole_reports(published)
    lines_before = duckdb.connect(str(published), read_only=True).execute(
        "SELECT count(*) FROM budget.line_items").fetchone()
    # a forced re-run of everything, killed once a report is through its stages and the rest are not
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}
    proc = _cli(["ingest", str(batch), "--data-dir", str(data), "--force"], env)
    deadline = time.monotonic() + 240
    while not list((data / "staging").glob("*/out/budget.reports.parquet")) or len(
            list((data / "staging").glob("*/out/budget.reports.parquet"))) < 1:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert time.monotonic() < deadline
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    # the killed run published nothing: the last good versions are all there, whole
    assert assert_whole_reports(published) == before
    con = duckdb.connect(str(published), read_only=True)
    assert con.execute("SELECT count(*) FROM budget.line_items").fetchone() == lines_before
    con.close()
    # the next run completes the rest
    assert main(["ingest", str(batch), "--data-dir", str(data)]) == 0
    after = assert_whole_reports(published)
    assert sorted(after) == sorted(p.name for p in batch.iterdir())
    assert set(after.values()) == {"loaded"}


def test_an_open_reader_and_a_batch_both_succeed(tmp_path: Path, dagster_home: Path) -> None:
    data = tmp_path / "data"
    assert main(["ingest", str(J19), "--data-dir", str(data)]) == 0
    reader = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    before = reader.execute("SELECT count(*) FROM budget.line_items").fetchone()
    assert before is not None and before[0] > 0
    assert main(["ingest", str(SAMPLE_PDF), "--data-dir", str(data)]) == 0
    # the reader held the file open the whole time; its next query sees the new report, whole
    assert reader.execute("SELECT count(*) FROM budget.reports WHERE status = 'loaded'").fetchone() == (2,)
    assert reader.execute("SELECT count(*) FROM budget.line_items").fetchone() == (before[0] + 442,)
    reader.close()
    assert set(assert_whole_reports(data / "warehouse.duckdb").values()) == {"loaded"}


def test_two_runs_at_once_serialise_their_writes_and_both_complete(tmp_path: Path, dagster_home: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}
    a = _cli(["ingest", str(SAMPLE_PDF), "--data-dir", str(data)], env)
    b = _cli(["ingest", str(J19), str(SAMPLES / "sh_putuo_sfj_2026_dept_budget.pdf"), "--data-dir", str(data)], env)
    outs = [p.communicate(timeout=300)[0].decode() for p in (a, b)]
    assert a.returncode == 0 and b.returncode == 0, outs
    statuses = assert_whole_reports(data / "warehouse.duckdb")
    assert sorted(statuses) == sorted([SAMPLE_PDF.name, J19.name, "sh_putuo_sfj_2026_dept_budget.pdf"])
    assert set(statuses.values()) == {"loaded"}
