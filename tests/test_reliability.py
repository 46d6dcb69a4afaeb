"""What a hostile user or a careless operator does, reproduced: each test builds the files and the
states, and shows that no published report is lost, nothing escapes its folder, and every odd file
gets its own clear reason while the rest of the batch goes on.

One batch of odd inputs is ingested once (by the command line, in a child process, with a
DAGSTER_HOME that has no dagster.yaml, as a careless operator runs it) and several tests read it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import badfiles
import dagster as dg
import duckdb
import pytest
from conftest import ROOT, SAMPLE_PDF, SAMPLES

from pipelines.cli import main
from pipelines.definitions import defs
from yusuan.publish import parts_dir
from yusuan.report_id import InvalidReportId, check_report_id
from yusuan.store import add_to_store

J19 = SAMPLES / "js_prov_swbgt_2019_budget_tables.pdf"
SFJ = SAMPLES / "sh_putuo_sfj_2026_dept_budget.pdf"
ODD_NAME = os.fsdecode(b"budget-\xb9\xfa.pdf")  # bytes that are not UTF-8 (a GBK name)
# a name that clears the screen, turns the text red and forges a result line of its own
CONTROL_NAME = "evil\x1b[2J\x1b[31m\nforged.pdf [r0000000000000000]: loaded.pdf"


def reports(db: Path) -> dict[str, tuple[str, str, int | None]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0]: (r[1], r[2] or "", r[3]) for r in con.execute(
            "SELECT file_name, status, status_reason, cells FROM budget.reports").fetchall()}
    finally:
        con.close()


# ---- one batch of odd inputs, through the command line --------------------------------------------

@pytest.fixture(scope="module")
def odd_batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    tmp = tmp_path_factory.mktemp("odd")
    inbox = tmp / "inbox"
    inbox.mkdir()
    badfiles.zero_pages(inbox / "zero-pages.pdf")
    badfiles.rotated(inbox / "rotated.pdf")
    badfiles.without_tounicode(inbox / "no-tounicode.pdf")
    badfiles.page_printed_twice(inbox / "page-twice.pdf", 7)  # 表6-表8: 三公, 政府性基金
    badfiles.bomb(inbox / "bomb.pdf", inflated_mb=1024)
    shutil.copy(J19, inbox / "budget[draft].pdf")
    shutil.copy(J19, inbox / "copy-of-draft.pdf")  # the same content again
    shutil.copy(SFJ, os.path.join(os.fsencode(inbox), os.fsencode(ODD_NAME)))
    (inbox / "passwd.pdf").symlink_to("/etc/passwd")
    (inbox / "upload.pdf.part").write_bytes(SAMPLE_PDF.read_bytes()[:5000])
    badfiles.corrupt(inbox / CONTROL_NAME)
    home = tmp / "home-without-yaml"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_DISABLE_TELEMETRY"}
    env.update({"DAGSTER_HOME": str(home), "YUSUAN_PARSE_MEMORY_MB": "900"})
    data = tmp / "d[" / "x]" / "data"  # a data folder whose path reads as markup: [/x]
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(inbox), "--data-dir", str(data)],
                          cwd=tmp, env=env, capture_output=True, timeout=600)
    out = (proc.stdout + proc.stderr).decode("utf-8", errors="replace")
    return data, out, proc.returncode


def test_odd_files_each_get_their_own_reason_and_the_batch_goes_on(odd_batch: tuple[Path, str, int]) -> None:
    data, out, code = odd_batch
    assert code == 0, out
    got = reports(data / "warehouse.duckdb")
    assert got["zero-pages.pdf"][:2] == ("rejected", "the PDF has no pages")
    status, reason, _ = got["no-tounicode.pdf"]
    assert status == "rejected" and reason.startswith("text layer unreadable (no ToUnicode): needs OCR"), reason
    status, reason, _ = got["bomb.pdf"]
    assert status == "rejected" and "memory" in reason and "900 MB" in reason, reason
    # the good files of the same batch
    assert got["budget[draft].pdf"] == ("loaded", "", 181)
    assert got[ODD_NAME.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")][0] == "loaded"


def test_a_rotated_report_is_read_upright(odd_batch: tuple[Path, str, int]) -> None:
    data, _, _ = odd_batch
    assert reports(data / "warehouse.duckdb")["rotated.pdf"][:1] == ("loaded",)
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    total = con.execute("SELECT l.amount FROM budget.line_items l JOIN budget.reports r USING (report_id) "
                        "WHERE r.file_name = 'rotated.pdf' AND l.table_type = 'summary' AND l.row_name = '收入总计'"
                        ).fetchone()
    con.close()
    assert total is not None and str(total[0]) == "1272.070000"  # the sample's 收入总计, as printed


def test_a_page_printed_twice_is_read_once(odd_batch: tuple[Path, str, int]) -> None:
    data, _, _ = odd_batch
    status, _, cells = reports(data / "warehouse.duckdb")["page-twice.pdf"]
    assert (status, cells) == ("loaded", 442)  # the sample's 442 cells, none twice
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    types = con.execute("SELECT table_type, count(*) FROM budget.line_items l JOIN budget.reports r USING (report_id) "
                        "WHERE r.file_name = 'page-twice.pdf' GROUP BY 1").fetchall()
    soe_codes = con.execute("SELECT count(*) FROM budget.line_items l JOIN budget.reports r USING (report_id) "
                            "WHERE r.file_name = 'page-twice.pdf' AND table_type = 'soe_capital' "
                            "AND row_code LIKE '3%'").fetchone()
    con.close()
    assert dict(types)["three_public"] == 6 and soe_codes == (0,)


def test_symbolic_links_are_refused_and_nothing_of_their_target_is_kept(odd_batch: tuple[Path, str, int]) -> None:
    data, out, _ = odd_batch
    assert "passwd.pdf" in out and "symbolic link" in out
    stored = b"".join(p.read_bytes() for p in (data / "store").glob("*.pdf"))
    assert b"root:" not in stored
    assert not any("root:" in r[1] for r in reports(data / "warehouse.duckdb").values())


def test_a_file_still_being_written_is_left_alone(odd_batch: tuple[Path, str, int]) -> None:
    data, out, _ = odd_batch
    assert "upload.pdf.part" not in out
    assert hashlib.sha256(SAMPLE_PDF.read_bytes()[:5000]).hexdigest()[:16] not in out


def test_names_that_are_not_utf8_are_kept_and_shown_escaped(odd_batch: tuple[Path, str, int]) -> None:
    data, out, _ = odd_batch
    shown = "budget-\\xb9\\xfa.pdf"
    assert shown in out
    sidecars = [json.loads(p.read_text(encoding="utf-8")) for p in (data / "store").glob("*.json")]
    assert shown in [s["file_name"] for s in sidecars]
    assert all(p.stat().st_size > 0 for p in (data / "store").glob("*.json"))


def test_operator_output_is_quiet_and_exact(odd_batch: tuple[Path, str, int]) -> None:
    _, out, _ = odd_batch
    assert "Traceback" not in out and " - ERROR - " not in out and "DEBUG" not in out
    assert "telemetry" not in out.lower()
    assert "budget[draft].pdf" in out  # not read as markup
    lines = [ln for ln in out.splitlines() if "copy-of-draft.pdf" in ln]
    assert len(lines) == 1 and "duplicate" in lines[0] and "budget[draft].pdf" in lines[0]
    rejected = [ln for ln in out.splitlines() if "zero-pages.pdf" in ln]
    assert len(rejected) == 1 and "the PDF has no pages" in rejected[0]


def test_control_characters_in_names_never_reach_the_terminal(odd_batch: tuple[Path, str, int],
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    data, out, _ = odd_batch
    assert "\x1b" not in out and not any(ln.startswith("forged.pdf") for ln in out.splitlines())
    line = next(ln for ln in out.splitlines() if ln.startswith("evil"))
    assert line.startswith("evil\\x1b[2J\\x1b[31m\\nforged.pdf") and "rejected" in line
    assert main(["status", "--data-dir", str(data)]) == 0  # the folder's [/x] is not read as markup
    listed = capsys.readouterr().out
    assert "\x1b" not in listed and "evil\\x1b[2J" in listed and "reports in" in listed
    assert main(["checks", "--data-dir", str(data)]) == 0
    assert "\x1b" not in capsys.readouterr().out


# ---- the published file -------------------------------------------------------------------------

_WRITER = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE scratch AS SELECT range AS i FROM range(200000)")
con.execute("INSERT INTO scratch SELECT * FROM scratch")
print("written", flush=True)
time.sleep(600)
"""


def test_a_crashed_read_write_session_on_the_published_file_breaks_nothing(tmp_path: Path, dagster_home: Path) -> None:
    data = tmp_path / "data"
    assert main(["ingest", str(SAMPLE_PDF), "--data-dir", str(data)]) == 0
    db = data / "warehouse.duckdb"
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(db)], stdout=subprocess.PIPE)
    assert writer.stdout is not None and writer.stdout.readline().strip() == b"written"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert Path(f"{db}.wal").exists()  # what the crashed session left beside the file
    assert reports(db)["wuchang-kjj-2024-budget.pdf"][0] == "loaded"  # readers are unaffected
    assert main(["ingest", str(J19), "--data-dir", str(data)]) == 0  # and so is the next publish
    assert not Path(f"{db}.wal").exists()
    assert {s for s, _, _ in reports(db).values()} == {"loaded"} and len(reports(db)) == 2
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'scratch'").fetchone() == (0,)
    con.close()


def test_a_published_file_damaged_by_hand_is_rebuilt_by_the_next_publish(tmp_path: Path, dagster_home: Path) -> None:
    data = tmp_path / "data"
    assert main(["ingest", str(SAMPLE_PDF), "--data-dir", str(data)]) == 0
    db = data / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    con.execute("DROP VIEW budget.current_reports CASCADE")
    con.close()
    assert main(["ingest", str(J19), "--data-dir", str(data)]) == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM budget.current_reports").fetchone() == (2,)
    con.close()


def test_a_part_published_before_the_schema_grew_still_reads(tmp_path: Path) -> None:
    """A part whose check results record what they compared without `report_id` (as published before the checks
    across reports named the other report) reads through the views of the grown schema, its boxes intact."""
    from yusuan.publish import export_report, publish
    from yusuan.schema import ensure_schema

    con = duckdb.connect()
    ensure_schema(con)
    con.execute("ALTER TABLE budget.check_results DROP COLUMN compared")
    con.execute("ALTER TABLE budget.check_results ADD COLUMN compared STRUCT(role VARCHAR, page INTEGER, x0 DOUBLE, "
                "top DOUBLE, x1 DOUBLE, bottom DOUBLE, printed VARCHAR)[]")
    con.execute("INSERT INTO budget.reports (report_id, file_name, sha256, status, ingested_at) "
                "VALUES ('r0123456789abcdef', 'old.pdf', 'ab', 'loaded', now())")
    con.execute("INSERT INTO budget.check_results (report_id, stage, family, check_name, instance, severity, passed, "
                "outcome, checked_at, compared) VALUES ('r0123456789abcdef', 'conformed', 'totals', 'x', 'i', 'error', "
                "true, 'pass', now(), [{'role': 'lhs', 'page': 3, 'x0': 1.0, 'top': 2.0, 'x1': 3.0, 'bottom': 4.0, "
                "'printed': '1.00'}])")
    out = export_report(con, tmp_path / "old-export")
    warehouse = tmp_path / "warehouse.duckdb"
    publish(warehouse, {"r0123456789abcdef": out})
    read = duckdb.connect(str(warehouse), read_only=True)
    (compared,) = read.execute("SELECT compared FROM budget.check_results").fetchone()  # type: ignore[misc]
    assert compared == [{"role": "lhs", "page": 3, "x0": 1.0, "top": 2.0, "x1": 3.0, "bottom": 4.0,
                         "printed": "1.00", "report_id": None}]


def test_lost_pipeline_folders_never_unpublish_a_report(tmp_path: Path, dagster_home: Path) -> None:
    data = tmp_path / "data"
    assert main(["ingest", str(SAMPLE_PDF), "--data-dir", str(data)]) == 0
    shutil.rmtree(data / "staging")  # the work of earlier runs, deleted by hand
    assert main(["ingest", str(J19), "--data-dir", str(data)]) == 0
    got = reports(data / "warehouse.duckdb")
    assert got["wuchang-kjj-2024-budget.pdf"] == ("loaded", got["wuchang-kjj-2024-budget.pdf"][1], 442)
    assert got[J19.name][0] == "loaded"


@pytest.mark.parametrize("waivers, says", [
    ("waivers: [sha256: 12\n", "not valid YAML"),
    ("waivers:\n  - sha256: 1234567890123456\n    identity: x\n    reason: reviewed\n", "quote it"),
])
def test_a_forced_rerun_that_fails_keeps_the_published_version(tmp_path: Path, dagster_home: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str],
                                                               waivers: str, says: str) -> None:
    data = tmp_path / "data"
    assert main(["ingest", str(SAMPLE_PDF), "--data-dir", str(data)]) == 0
    before = reports(data / "warehouse.duckdb")
    broken = tmp_path / "expectations"
    shutil.copytree(ROOT / "expectations", broken)
    (broken / "waivers.yaml").write_text(waivers, encoding="utf-8")
    monkeypatch.setenv("YUSUAN_EXPECTATIONS", str(broken))
    capsys.readouterr()
    assert main(["ingest", str(SAMPLE_PDF), "--data-dir", str(data), "--force"]) == 1
    out = capsys.readouterr().out
    assert "failed" in out and "waivers.yaml" in out and says in out and "published version (loaded) is kept" in out
    assert reports(data / "warehouse.duckdb") == before


def test_a_damaged_manifest_is_reported_at_once_and_rebuilt_from_the_store(tmp_path: Path, dagster_home: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    assert main(["ingest", str(SAMPLE_PDF), "--data-dir", str(data)]) == 0
    manifest = parts_dir(data / "warehouse.duckdb") / "manifest.parquet"
    manifest.write_bytes(b"PAR1 not really")
    started = time.monotonic()
    assert main(["ingest", str(J19), "--data-dir", str(data)]) == 2
    assert time.monotonic() - started < 10  # at once, not retried as if locked
    err = capsys.readouterr().err
    assert str(manifest) in err and "yusuan rebuild" in err
    assert main(["rebuild", "--data-dir", str(data)]) == 0
    assert reports(data / "warehouse.duckdb")["wuchang-kjj-2024-budget.pdf"][0] == "loaded"


def test_a_damaged_work_database_is_reported_at_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    rid = add_to_store(SAMPLE_PDF, data / "store").report_id
    config = {"resources": {"yusuan": {"config": {"data_dir": str(data)}}}}
    job = defs.resolve_job_def("ingest_job")
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("reports", [rid])
        job.execute_in_process(partition_key=rid, instance=instance, run_config=config,
                               asset_selection=[dg.AssetKey("raw_reports"), dg.AssetKey("extracted_cells")])
        (data / "staging" / rid / "work.duckdb").write_bytes(b"\0garbage" * 1000)
        started = time.monotonic()
        result = job.execute_in_process(partition_key=rid, instance=instance, run_config=config, raise_on_error=False,
                                        asset_selection=[dg.AssetKey("line_items")])
        assert time.monotonic() - started < 20
    assert not result.success
    message = next(e.event_specific_data.error.to_string() for e in result.all_events  # type: ignore[union-attr]
                   if e.is_step_failure)
    assert str(data / "staging" / rid / "work.duckdb") in message and "--force" in message


# ---- the store and the partition keys -------------------------------------------------------------

def test_a_file_rewritten_while_it_is_stored_never_mixes_contents(tmp_path: Path) -> None:
    source = tmp_path / "report.pdf"
    a, b = SAMPLE_PDF.read_bytes(), J19.read_bytes()
    source.write_bytes(a)
    stop = threading.Event()

    def rewrite() -> None:  # a careless copy over the file, in place, again and again
        i = 0
        while not stop.is_set():
            with open(source, "r+b") as f:
                f.write(b if i % 2 else a)
                f.truncate()
            i += 1

    writer = threading.Thread(target=rewrite)
    writer.start()
    try:
        for _ in range(30):
            add_to_store(source, tmp_path / "store")
    finally:
        stop.set()
        writer.join()
    stored = list((tmp_path / "store").glob("*.pdf"))
    assert stored
    for path in stored:  # whatever was read, the store holds it under its own hash
        assert "r" + hashlib.sha256(path.read_bytes()).hexdigest()[:16] == path.stem
    assert not list((tmp_path / "store").glob(".*"))


@pytest.mark.parametrize("key", ["../inbox/evil", "r0123456789abcdef/../../x", "R0123456789ABCDEF", ""])
def test_a_partition_key_that_is_not_a_report_id_never_becomes_a_path(tmp_path: Path, key: str) -> None:
    with pytest.raises(InvalidReportId):
        check_report_id(key)
    data = tmp_path / "data"
    victim = data / "inbox" / "evil"
    victim.mkdir(parents=True)
    (victim / "keep.pdf").write_bytes(b"%PDF-1.4")
    if not key:
        return
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("reports", [key])
        result = defs.resolve_job_def("ingest_job").execute_in_process(
            partition_key=key, instance=instance, raise_on_error=False,
            run_config={"resources": {"yusuan": {"config": {"data_dir": str(data)}}}})
    assert not result.success
    assert (victim / "keep.pdf").exists()
    assert not (data / "staging").exists() or not any((data / "staging").iterdir())


def test_a_file_without_pages_is_named_so_whatever_was_read_before(tmp_path: Path) -> None:
    """pdfium's message for a refused file is its last error, which may be an earlier file's in the same process:
    a file with no pages read after a corrupt one is still "the PDF has no pages" (the order in which a batch's
    steps take its files is not fixed)."""
    from yusuan.register import register_pdf

    corrupt = badfiles.corrupt(tmp_path / "corrupt.pdf")
    empty = badfiles.zero_pages(tmp_path / "zero-pages.pdf")
    assert register_pdf(corrupt).problem.startswith("corrupt PDF")  # type: ignore[union-attr]
    assert register_pdf(empty).problem == "the PDF has no pages"
    assert register_pdf(corrupt).problem.startswith("corrupt PDF")  # type: ignore[union-attr]
