"""The words around the figures: templates that are not reports, and wording that contradicts itself.

Each report here is built (tests/synthetic.py): a template, or a clean report with one planted wording
defect, beside its clean twin that must flag nothing.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from synthetic import TABLES, build, build_final, figures

from pipelines.cli import main
from yusuan.extract import extract_report, verdict


def test_a_template_is_rejected_naming_its_placeholders(tmp_path: Path) -> None:
    build(tmp_path / "template.pdf", 3, name="XX局", year="202X")
    status, reason = verdict(extract_report(tmp_path / "template.pdf"))
    assert status == "rejected"
    assert reason is not None and reason.startswith("a template, not a report")
    assert "XX局 (page 1)" in reason and "202X年 (page 1)" in reason


def test_a_template_with_blank_names_and_years_is_rejected(tmp_path: Path) -> None:
    build(tmp_path / "blank.pdf", 3, name="", year="")
    status, reason = verdict(extract_report(tmp_path / "blank.pdf"))
    assert status == "rejected" and (reason or "").startswith("a template, not a report"), reason


def test_its_clean_twin_is_a_report(tmp_path: Path) -> None:
    build(tmp_path / "report.pdf", 3)
    ex = extract_report(tmp_path / "report.pdf")
    assert verdict(ex) == ("loadable", None)
    assert ex.placeholders == []


def test_a_document_whose_identity_cannot_be_read_is_rejected(tmp_path: Path) -> None:
    build(tmp_path / "report.pdf", 3)
    ex = extract_report(tmp_path / "report.pdf")
    ex.identity = replace(ex.identity, department=None, fiscal_year=None)
    status, reason = verdict(ex)
    assert status == "rejected" and "identity cannot be read" in (reason or "")


# (file, how it is built, the wording identity it plants, or None for a clean twin)
FINAL_ITEM = "（一）一般公共服务支出：年初预算为110.00万元，支出决算为100.00万元"
CASES: dict[str, tuple[Any, str | None]] = {
    "contents-planted.pdf": (lambda p: build(p, 3, contents=TABLES + ["政府采购预算表"]),
                             "contents_lists_only_printed_tables"),
    "required-planted.pdf": (lambda p: build(p, 5, omit=("政府性基金预算支出表",)),
                             "contents_lists_only_printed_tables"),
    "contents-clean.pdf": (lambda p: build(p, 4, contents=TABLES), None),
    "placeholder-planted.pdf": (lambda p: build(p, 6, prose=("其余事项由XX局另行公开。",)),
                                "no_placeholders_left_in_the_text"),
    "years-planted.pdf": (lambda p: build(p, 7, prose=(f"本表口径与{figures(7).year}年度相比未作调整。",)),
                          "years_agree_with_the_fiscal_year"),
    "years-clean.pdf": (lambda p: build(p, 1, prose=(f"本表口径与{figures(1).year - 1}年度相比未作调整。",)), None),
    "comparison-planted.pdf": (lambda p: build_final(p, 8, prose=(FINAL_ITEM + "，决算数大于预算数的主要原因是项目延后。",)),
                               "comparison_words_agree_with_their_figures"),
    "reason-planted.pdf": (lambda p: build_final(p, 9, prose=(FINAL_ITEM + "。",)),
                           "differences_from_the_budget_are_explained"),
    "final-clean.pdf": (lambda p: build_final(p, 2, prose=(FINAL_ITEM + "，完成年初预算的90.91%，决算数小于预算数的主要原因是"
                                                           "项目延后。",)), None),
    "completion-planted.pdf": (lambda p: build_final(p, 11, prose=(FINAL_ITEM + "，完成年初预算的91.00%，决算数小于预算数的"
                                                                  "主要原因是项目延后。",)), None),
}


@pytest.fixture(scope="module")
def worded(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    folder = tmp_path_factory.mktemp("wording")
    inbox = folder / "inbox"
    inbox.mkdir()
    for name, (make, _) in CASES.items():
        make(inbox / name)
    assert main(["ingest", str(inbox), "--data-dir", str(folder / "data")]) == 0
    return duckdb.connect(str(folder / "data" / "warehouse.duckdb"), read_only=True)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_wording_check_flags_its_planted_instance_and_nothing_else(worded: duckdb.DuckDBPyConnection,
                                                                       name: str) -> None:
    planted = CASES[name][1]
    flagged = worded.execute(
        """SELECT c.check_name, c.instance, c.page FROM budget.check_results c JOIN budget.reports r USING (report_id)
           WHERE r.file_name = ? AND c.family = 'wording' AND c.outcome = 'fail'""", [name]).fetchall()
    status = worded.execute("SELECT status FROM budget.reports WHERE file_name = ?", [name]).fetchone()
    assert status == ("loaded",)  # wording never quarantines
    if planted is None:
        assert flagged == []
        checked = worded.execute("""SELECT count(*) FROM budget.check_results c JOIN budget.reports r USING (report_id)
                                    WHERE r.file_name = ? AND c.family = 'wording' AND c.outcome = 'pass'""", [name])
        assert checked.fetchone()[0] > 0  # type: ignore[index]
    else:
        assert [c for c, _, _ in flagged] == [planted], flagged


def test_the_planted_instances_name_what_is_wrong(worded: duckdb.DuckDBPyConnection) -> None:
    rows = dict(worded.execute(
        """SELECT r.file_name, c.instance FROM budget.check_results c JOIN budget.reports r USING (report_id)
           WHERE c.family = 'wording' AND c.outcome = 'fail'""").fetchall())
    assert "“政府采购预算表” (gov_procurement)" in rows["contents-planted.pdf"]
    assert "gov_fund (政府性基金预算支出表)" in rows["required-planted.pdf"]
    assert "placeholder “XX局”" in rows["placeholder-planted.pdf"]
    assert f"compares with {figures(7).year}, the report is of {figures(7).year}" in rows["years-planted.pdf"]
    assert "决算数大于预算数” for 预算 110.00 and 决算 100.00" in rows["comparison-planted.pdf"]
    assert "预算 110.00 vs 决算 100.00" in rows["reason-planted.pdf"]


def test_a_stated_completion_rate_is_its_two_figures_divided(worded: duckdb.DuckDBPyConnection) -> None:
    """100.00 / 110.00 is 90.91%: stated so in the clean 决算, stated 91.00% in the planted one."""
    rows = worded.execute(
        """SELECT r.file_name, c.outcome, c.observed, c.expected FROM budget.check_results c
           JOIN budget.reports r USING (report_id) WHERE c.check_name = 'stated_completion_rate_agrees_with_its_figures'
           ORDER BY r.file_name""").fetchall()
    assert [(name, outcome) for name, outcome, _, _ in rows] == [("completion-planted.pdf", "fail"),
                                                                 ("final-clean.pdf", "rounding")]
    assert rows[0][2] == Decimal("91.00") and round(rows[0][3], 2) == Decimal("90.91")
