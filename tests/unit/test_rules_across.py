"""The rules across reports (yusuan.checks.rules.across) on a corpus of reports built in a few lines
(yusuan.checks.corpus.Corpus.of): what one report states or prints of another report of the same body."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

from build import report, table

from yusuan.checks.catalog import load_catalog
from yusuan.checks.corpus import Corpus
from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance
from yusuan.checks.rules.across import budget_in_final, printed_last_year, stated_last_year, unit_rows

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ["科目编码", "科目名称"]
SUMMARY = ["收入/项目", "收入/预算数", "支出/项目", "支出/预算数"]
THREE_PUBLIC = ["合计", "因公出国（境）费", "公务用车购置及运行费/小计", "公务接待费"]


@cache
def identity(name: str) -> Identity:
    catalog = load_catalog(ROOT / "expectations" / "identities.yaml")
    return next(i for i in catalog.identities if i.name == name)


def outcomes(found: list[tuple[str, Instance]]) -> list[tuple[str, str, str]]:
    """(stating report, the instance's label up to ' = ', outcome), sorted."""
    return sorted((rid, inst.instance.split(" = ")[0], inst.outcome) for rid, inst in found)


# ---- the corpus ----------------------------------------------------------------------------------------


def test_a_corpus_links_reports_by_body_level_year_and_kind_the_newest_first() -> None:
    older = report(fiscal_year=2025, report_id="old")
    newer = report(fiscal_year=2025, report_id="new")
    this = report(fiscal_year=2026, report_id="this")
    final = report(fiscal_year=2025, kind="dept_final", report_id="final")
    other_body = report(fiscal_year=2025, department="某某市统计局", report_id="elsewhere")
    nobody = report(fiscal_year=2025, department=None, report_id="nobody")
    corpus = Corpus.of([older, newer, this, final, other_body, nobody])
    assert [p.report_id for p in corpus.reports] == ["old", "new", "this", "final", "elsewhere"]
    me = corpus.reports[2]
    assert (me.level, me.kind, me.year, me.file_name) == ("dept", "budget", 2026, "this")
    assert corpus.partner(me, 2025, "budget") == corpus.reports[1]  # the newest publication of two
    assert corpus.partner(me, 2025, "final") == corpus.reports[3]
    assert corpus.partner(me, 2024, "budget") is None
    assert corpus.view(me) is this


# ---- stated_last_year ----------------------------------------------------------------------------------


def stated(last_years_total: str) -> Corpus:
    before = report(table("summary", SUMMARY, [["收入总计", last_years_total, "支出总计", last_years_total]], no="表1",
                          page=3), fiscal_year=2025, report_id="b2025")
    now = report(table("summary", SUMMARY, [["收入总计", "120.00", "支出总计", "120.00"]], no="表1"),
                 prose=["一、收支预算总体情况说明", "2026年收支总预算120.00万元，比2025年预算减少20.00万元。",
                        "某某专项经费8.00万元，比上年增加1.00万元。"],
                 fiscal_year=2026, report_id="b2026")
    return Corpus.of([before, now], ["b2025.pdf", "b2026.pdf"])


def test_a_figure_stated_of_last_year_agrees_with_last_years_report() -> None:
    found = stated_last_year(stated("140.00"), identity("stated_last_year_agrees_with_last_years_report"))
    assert outcomes(found) == [
        ("b2026", "b2026.pdf p1 “收支总预算 120.00万元” 比2025年预算减少 20.00万元: 2025", "pass"),
        ("b2026", "b2026.pdf p1 “某某专项经费 8.00万元” 比上年增加 1.00万元: 2025", "not_evaluated")]
    inst = next(i for _, i in found if i.outcome == "pass")
    assert inst.instance.endswith("= b2025.pdf 表1 收入总计 收入/预算数 p3")
    assert inst.lhs == inst.rhs == Decimal(140) and "b2025 (b2025.pdf)" in (inst.detail or "")
    assert [(s.role, s.report_id) for s in inst.compared] == [("claim", None), ("rhs", "b2025")]
    unprinted = next(i for _, i in found if i.outcome == "not_evaluated")
    assert (unprinted.not_evaluated or "").startswith("b2025.pdf: not checkable")


def test_a_figure_stated_of_last_year_that_last_years_report_does_not_print_fails() -> None:
    found = stated_last_year(stated("150.00"), identity("stated_last_year_agrees_with_last_years_report"))
    inst = next(i for _, i in found if "收支总预算" in i.instance)
    assert inst.outcome == "fail" and inst.difference == Decimal(-10)


# ---- printed_last_year ---------------------------------------------------------------------------------


def test_a_column_of_last_years_figures_is_checked_row_by_row() -> None:
    before = report(table("general_public_by_function", FUNCTIONS + ["合计"],
                          [["201", "一般公共服务支出", "100.00"], ["205", "教育支出", "40.00"]], no="表5"),
                    fiscal_year=2025, report_id="r2025")
    now = report(table("general_public_by_function", FUNCTIONS + ["合计", "上年预算数", "增减"],
                       [["201", "一般公共服务支出", "120.00", "100.00", "20.00"],
                        ["205", "教育支出", "45.00", "50.00", "-5.00"],
                        ["208", "社会保障和就业支出", "5.00", "5.00", "0"]], no="表5", page=5),
                 fiscal_year=2026, report_id="r2026")
    found = printed_last_year(Corpus.of([before, now], ["r2025.pdf", "r2026.pdf"]),
                              identity("printed_last_year_agrees_with_last_years_report"))
    assert outcomes(found) == [("r2026", "r2026.pdf 表5 201 上年预算数 p5", "pass"),
                               ("r2026", "r2026.pdf 表5 205 上年预算数 p5", "fail"),
                               ("r2026", "r2026.pdf 表5 208 上年预算数 p5", "not_evaluated")]
    failing = next(i for _, i in found if i.outcome == "fail")
    assert (failing.lhs, failing.rhs, failing.unit) == (Decimal(500000), Decimal(400000), "元")


# ---- budget_in_final ----------------------------------------------------------------------------------


def test_a_finals_budget_column_agrees_with_that_years_budget_item_by_item() -> None:
    budget = report(table("three_public", THREE_PUBLIC, [["10.00", "2.00", "5.00", "3.00"]], no="表8"),
                    fiscal_year=2025, report_id="budget")
    final = report(table("three_public", ["预算数/" + h for h in THREE_PUBLIC] + ["决算数/合计"],
                         [["11.00", "2.00", "5.00", "4.00", "9.00"]], no="表7", page=12),
                   fiscal_year=2025, kind="dept_final", report_id="final")
    found = budget_in_final(Corpus.of([budget, final], ["budget.pdf", "final.pdf"]),
                            identity("final_budget_column_agrees_with_the_budget"))
    assert outcomes(found) == sorted([("final", "final.pdf 表7 预算数/合计 p12", "fail"),
                                      ("final", "final.pdf 表7 预算数/公务接待费 p12", "fail"),
                                      ("final", "final.pdf 表7 预算数/公务用车购置及运行费/小计 p12", "pass"),
                                      ("final", "final.pdf 表7 预算数/因公出国（境）费 p12", "pass")])
    assert all("budget.pdf" in i.instance for _, i in found)


# ---- unit_rows ----------------------------------------------------------------------------------------


def test_a_departments_row_for_a_unit_agrees_with_the_units_own_report() -> None:
    income = ["单位名称", "合计", "财政拨款"]
    dept = report(table("income", income, [["北湖市统计局机关", "100.00", "90.00"],
                                           ["106002 北湖市统计数据中心", "50.00", "50.00"],
                                           ["合计", "150.00", "140.00"]], no="表2", page=4),
                  department="北湖市统计局", report_id="dept")
    first = report(table("income", income, [["北湖市统计局机关", "100.00", "90.00"], ["合计", "100.00", "90.00"]],
                         no="表2"), kind="unit_budget", department="北湖市统计局机关", report_id="u1")
    second = report(table("income", income, [["北湖市统计数据中心", "51.00", "51.00"], ["合计", "51.00", "51.00"]],
                          no="表2"), kind="unit_budget", department="北湖市统计数据中心", report_id="u2")
    found = unit_rows(Corpus.of([dept, first, second], ["dept.pdf", "u1.pdf", "u2.pdf"]),
                      identity("unit_rows_agree_with_the_units_reports"))
    assert outcomes(found) == [("dept", "dept.pdf 表2 106002 北湖市统计数据中心 p4", "fail"),
                               ("dept", "dept.pdf 表2 北湖市统计局机关 p4", "pass")]
    failing = next(i for _, i in found if i.outcome == "fail")
    assert failing.instance.endswith("u2.pdf 表2 合计 合计 p1") and failing.difference == Decimal(-10000)
    assert [(s.role, s.report_id) for s in failing.compared] == [("lhs", None), ("rhs", "u2")]


def test_a_unit_report_lists_no_units() -> None:
    unit = report(table("income", ["单位名称", "合计"], [["北湖市统计数据中心", "51.00"]], no="表2"),
                  kind="unit_budget", department="北湖市统计局机关", report_id="u1")
    other = report(table("income", ["单位名称", "合计"], [["合计", "51.00"]], no="表2"),
                   kind="unit_budget", department="北湖市统计数据中心", report_id="u2")
    assert unit_rows(Corpus.of([unit, other]), identity("unit_rows_agree_with_the_units_reports")) == []


def test_a_change_reaches_its_body_and_for_a_unit_the_departments_of_its_year_and_kind() -> None:
    from yusuan.checks.corpus import Published
    from yusuan.publish.across import reached

    def p(rid: str, body: str, year: int, kind: str) -> Published:
        return Published.of(rid, f"{rid}.pdf", body, year, kind)

    now = [p("b24", "统计局", 2024, "dept_budget"), p("b25", "统计局", 2025, "dept_budget"),
           p("f24", "统计局", 2024, "dept_final"), p("other", "财政局", 2025, "dept_budget"),
           p("unit", "统计中心", 2025, "unit_budget"), p("unit24", "统计中心", 2024, "unit_final")]
    assert reached(now, now, {"b25"}) == {"b24", "b25", "f24"}  # every report of its body, whatever year
    assert reached(now, now, {"unit"}) == {"unit", "unit24", "b25", "other"}  # and the 部门 of its year and kind
    assert reached(now, now, set()) == set()
    # a report removed reaches through its link before; one that changed body reaches both bodies
    before = [*now, p("gone", "财政局", 2024, "dept_final")]
    assert reached(now, before, {"gone"}) == {"other"}
    moved = [p("b25", "财政局", 2025, "dept_budget"), *now[2:]]
    assert reached(moved, now, {"b25"}) == {"b25", "f24", "other"}
