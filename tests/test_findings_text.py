"""Findings a reader can check: on built reports ingested as in production, the planted defect is one sentence
in budget.check_results.finding and on the review page; a report is named on the command line by its department
or part of its file name (several or none said so); `yusuan review --warehouse W` finds the stored PDFs beside W."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT
from synthetic import _m, build, figures

from pipelines.cli import main

PLANTED, CLEAN = 4, 14  # 青石市统计局 and 青石市审计局: one city, two bureaus


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data folder holding two built reports: planted_budget.pdf (表7's 合计 printed 1.00 万元 too high) and
    clean_budget.pdf."""
    root = tmp_path_factory.mktemp("findings")
    inbox = root / "inbox"
    inbox.mkdir()
    f = figures(PLANTED)
    build(inbox / "planted_budget.pdf", PLANTED, altered=("一般公共预算“三公”经费支出表", 2, 0, _m(f.three_public + 1)))
    build(inbox / "clean_budget.pdf", CLEAN)
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAGSTER_HOME", str(home))
        assert main(["ingest", str(inbox), "--data-dir", str(root / "data")]) == 0
        yield root / "data"


def _ids(data: Path) -> dict[str, str]:
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        return dict(con.execute("SELECT file_name, report_id FROM budget.reports").fetchall())
    finally:
        con.close()


def test_the_planted_defect_is_one_sentence_in_the_reports_own_unit(data: Path) -> None:
    """表7 prints its 合计 1.00 万元 above the sum of its items: the sentence says the printed figure, the sum and
    the gap, in 万元 as the table prints them; the 情况说明, which states the true sum, disagrees with 表7 by as
    much. The clean report has no sentence."""
    total = figures(PLANTED).three_public
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    rows = con.execute("""SELECT c.severity, c.finding FROM budget.check_results c JOIN budget.reports r USING (report_id)
                          WHERE r.file_name = 'planted_budget.pdf' AND c.outcome = 'fail' ORDER BY c.severity""").fetchall()
    clean = con.execute("""SELECT count(*) FROM budget.check_results c JOIN budget.reports r USING (report_id)
                           WHERE r.file_name = 'clean_budget.pdf' AND c.finding IS NOT NULL""").fetchone()
    con.close()
    assert [severity for severity, _ in rows] == ["error", "warn"]
    error, warning = rows[0][1], rows[1][1]
    assert re.fullmatch(rf"表7（第\d+页）印 合计 {re.escape(_m(total + 1))} 万元；因公出国（境）费、公务用车购置及运行费/小计、"
                        rf"公务接待费之和为 {re.escape(_m(total))} 万元，相差 1\.00 万元。", error), error
    assert re.fullmatch(rf"第\d+页正文写.*“三公”经费预算 {re.escape(_m(total))}万元”；"
                        rf"表7 合计 为 {re.escape(_m(total + 1))} 万元，相差 1\.00 万元。", warning), warning
    assert clean == (0,)


def test_the_review_page_shows_the_sentence_with_its_finding(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "planted.html"
    assert main(["review", "planted_budget.pdf", "--data-dir", str(data), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    errors = page.split('<h2 id="error">', 1)[1].split("<h2 ", 1)[0]
    assert errors.count('<p class="sentence" lang="zh-CN">表7（第') == 1
    assert f"{_m(figures(PLANTED).three_public + 1)} 万元" in errors


def test_a_report_is_named_by_its_department_or_part_of_its_file_name(data: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    ids = _ids(data)
    department = figures(CLEAN).department
    assert department == "青石市审计局"
    for name, file_name in ((department, "clean_budget.pdf"), ("审计局", "clean_budget.pdf"),
                            ("planted", "planted_budget.pdf"), ("PLANTED_bud", "planted_budget.pdf")):
        out = tmp_path / f"{name}.html"
        assert main(["review", name, "--data-dir", str(data), "--out", str(out)]) == 0, name
        assert f"report {ids[file_name]}" in out.read_text(encoding="utf-8"), name
    capsys.readouterr()
    assert main(["checks", "统计局", "--data-dir", str(data)]) == 0
    assert "planted_budget.pdf" in capsys.readouterr().out


def test_a_name_that_fits_several_reports_or_none_is_said_so(data: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    ids = _ids(data)
    capsys.readouterr()
    assert main(["review", "青石市", "--data-dir", str(data), "--out", str(tmp_path / "x.html")]) == 2
    said = capsys.readouterr().err
    assert "'青石市' names 2 reports" in said
    assert f"clean_budget.pdf (青石市审计局, {ids['clean_budget.pdf']})" in said
    assert f"planted_budget.pdf (青石市统计局, {ids['planted_budget.pdf']})" in said
    assert main(["checks", "_budget", "--data-dir", str(data)]) == 2
    assert "names 2 reports" in capsys.readouterr().err
    assert main(["review", "北湖市水务局", "--data-dir", str(data), "--out", str(tmp_path / "x.html")]) == 2
    said = capsys.readouterr().err
    assert "no report matches '北湖市水务局'" in said and "department name" in said
    assert not (tmp_path / "x.html").exists()


def test_review_given_only_the_warehouse_draws_from_the_store_beside_it(data: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from another folder, with no data folder named: the stored PDF is the warehouse's folder's store."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("YUSUAN_DATA_DIR", raising=False)
    monkeypatch.delenv("YUSUAN_WAREHOUSE", raising=False)
    out = tmp_path / "planted.html"
    assert main(["review", "planted_budget.pdf", "--warehouse", str(data / "warehouse.duckdb"), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "No page crops" not in page
    assert '<image id="crop1"' in page and 'class="crop"' in page
    assert not (elsewhere / "data").exists()
