"""The wording rules (yusuan.checks.rules.wording) on reports built in a few lines: each rule's instances that hold
and that do not, on the prose of a report and its tables."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

from build import report, table

from yusuan.checks.catalog import load_catalog
from yusuan.checks.evaluate import evaluate
from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance
from yusuan.view import Report

ROOT = Path(__file__).resolve().parents[2]
ITEM = "（一）一般公共服务支出：年初预算为110.00万元，支出决算为100.00万元"


@cache
def identity(name: str) -> Identity:
    catalog = load_catalog(ROOT / "expectations" / "identities.yaml")
    return next(i for i in catalog.identities if i.name == name)


def run(name: str, r: Report) -> list[Instance]:
    return evaluate(r, [identity(name)])


def outcomes(found: list[Instance]) -> dict[str, str]:
    return {i.instance: i.outcome for i in found}


# ---- 目录 and the tables the template requires ------------------------------------------------


def test_a_table_the_contents_lists_is_printed_or_not() -> None:
    summary = table("summary", ["项目", "金额"], [["收入总计", "10.00"]], no="表1")
    r = report(summary, prose=["目录", "一、部门收支总表……5", "二、政府采购预算表……9"])
    found = outcomes(run("contents_lists_only_printed_tables", r))
    assert found["目录 p1 lists “一、部门收支总表” (summary)"] == "pass"
    assert found["目录 p1 lists “二、政府采购预算表” (gov_procurement)"] == "fail"


def test_the_contents_sentence_is_recorded_as_compared() -> None:
    r = report(table("summary", ["项目", "金额"], [["收入总计", "10.00"]]), prose=["目录", "一、部门收支总表……5"])
    listed = next(i for i in run("contents_lists_only_printed_tables", r) if i.instance.startswith("目录"))
    assert [(s.role, s.page, s.printed) for s in listed.compared] == [("claim", 1, "一、部门收支总表……5")]
    assert listed.table_type == "narrative" and listed.detail == "printed: True; entry: 一、部门收支总表……5"


def test_a_group_of_required_tables_is_printed_or_not() -> None:
    r = report(table("general_public_by_function", ["科目编码", "科目名称", "合计"], [["201", "一般公共服务支出", "1.00"]]))
    found = {i.instance.split(" (")[0]: i for i in run("contents_lists_only_printed_tables", r)}
    printed = found["a table the template requires: general_public_by_function"]
    missing = found["a table the template requires: gov_fund"]
    assert (printed.outcome, printed.detail) == ("pass", "printed")
    assert (missing.outcome, missing.detail) == ("fail", "not printed")


def test_no_contents_no_entry_instance() -> None:
    r = report(prose=["一、部门收支总表"])
    assert not [i for i in run("contents_lists_only_printed_tables", r) if i.instance.startswith("目录")]


# ---- placeholders ---------------------------------------------------------------------------


def test_a_placeholder_left_in_the_text_fails() -> None:
    found = run("no_placeholders_left_in_the_text", report(prose=["其余事项由XX局另行公开。"]))
    assert [(i.instance, i.outcome, i.page) for i in found] == [
        ("p1 placeholder “XX局” left in the text", "fail", 1)]
    assert found[0].compared[0].printed == "其余事项由XX局另行公开。"


def test_text_filled_in_has_no_placeholder() -> None:
    assert run("no_placeholders_left_in_the_text", report(prose=["其余事项由武昌区科技局另行公开。"])) == []


def test_a_blank_year_counts_only_without_a_fiscal_year() -> None:
    prose = ["年部门预算"]
    assert run("no_placeholders_left_in_the_text", report(prose=prose)) == []
    found = run("no_placeholders_left_in_the_text", report(prose=prose, fiscal_year=None))
    assert [i.outcome for i in found] == ["fail"]


# ---- years ----------------------------------------------------------------------------------


def test_a_comparison_names_an_earlier_year() -> None:
    found = outcomes(run("years_agree_with_the_fiscal_year",
                         report(prose=["支出比2025年增加10.00万元。", "收入与2026年度相比未作调整。"])))
    assert found["p1 “比2025年增加” compares with 2025, the report is of 2026"] == "pass"
    assert found["p1 “与2026年度相比” compares with 2026, the report is of 2026"] == "fail"


def test_a_year_end_is_the_year_before_a_budget_and_a_finals_own() -> None:
    budget = outcomes(run("years_agree_with_the_fiscal_year", report(prose=["截至2025年12月31日，共有车辆2辆。"])))
    assert budget == {"p1 “截至2025年12月31日” in a 2026 预算": "pass"}
    final = outcomes(run("years_agree_with_the_fiscal_year",
                         report(prose=["截至2024年12月31日，共有车辆2辆。截至2023年12月31日，共有车辆3辆。"], fiscal_year=2024,
                                kind="dept_final")))
    assert final == {"p1 “截至2024年12月31日” in a 2024 决算": "pass", "p1 “截至2023年12月31日” in a 2024 决算": "fail"}


def test_a_heading_names_the_reports_year() -> None:
    found = outcomes(run("years_agree_with_the_fiscal_year",
                         report(prose=["某某市测试局2026年部门预算"], page_of_prose=2)))
    assert found == {"p2 heading “某某市测试局2026年部门预算” names 2026": "pass"}
    wrong = outcomes(run("years_agree_with_the_fiscal_year", report(prose=["某某市测试局2025年部门预算"])))
    assert wrong == {"p1 heading “某某市测试局2025年部门预算” names 2025": "fail"}


def test_no_fiscal_year_no_year_instance() -> None:
    assert run("years_agree_with_the_fiscal_year", report(prose=["支出比2027年增加。"], fiscal_year=None)) == []


# ---- a 决算's items -------------------------------------------------------------------------


def final(*prose: str) -> Report:
    return report(prose=list(prose), fiscal_year=2024, kind="dept_final")


def test_a_comparison_word_agrees_with_its_amounts() -> None:
    holds = run("comparison_words_agree_with_their_figures", final(ITEM + "，决算数小于预算数的主要原因是项目延后。"))
    assert [(i.instance, i.outcome) for i in holds] == [("p1 “决算数小于预算数” for 预算 110.00 and 决算 100.00", "pass")]
    fails = run("comparison_words_agree_with_their_figures", final(ITEM + "，决算数大于预算数的主要原因是项目延后。"))
    assert [i.outcome for i in fails] == ["fail"]
    assert fails[0].compared[0].printed == ITEM.replace("（一）一般公共服务支出：", "") + "，决算数大于预算数"


def test_equal_amounts_are_neither_more_nor_less() -> None:
    same = "（一）一般公共服务支出：年初预算为100.00万元，支出决算为100.00万元"
    assert outcomes(run("comparison_words_agree_with_their_figures", final(same + "，决算数与预算数持平。"))) == {
        "p1 “决算数与预算数持平” for 预算 100.00 and 决算 100.00": "pass"}
    assert [i.outcome for i in run("comparison_words_agree_with_their_figures", final(same + "，决算数大于预算数。"))] == ["fail"]


def test_about_the_same_is_not_judged() -> None:
    assert run("comparison_words_agree_with_their_figures", final(ITEM + "，决算数与预算数基本持平。")) == []


def test_a_stated_completion_rate_is_final_over_budget() -> None:
    rounded = run("stated_completion_rate_agrees_with_its_figures", final(ITEM + "，完成年初预算的90.91%。"))
    assert [(i.outcome, i.lhs, i.tolerance, i.unit) for i in rounded] == [
        ("rounding", Decimal("90.91"), Decimal("0.005"), "%")]
    wrong = run("stated_completion_rate_agrees_with_its_figures", final(ITEM + "，完成年初预算的91.00%。"))
    assert [i.outcome for i in wrong] == ["fail"]
    assert wrong[0].instance == "prose p1 completion 91.00% = 决算 100.00 / 预算 110.00"


def test_a_completion_rate_is_checked_in_a_final_only() -> None:
    budget = report(prose=[ITEM + "，完成年初预算的91.00%。"], kind="dept_budget")
    assert run("stated_completion_rate_agrees_with_its_figures", budget) == []


def test_a_difference_from_the_budget_is_explained() -> None:
    explained = run("differences_from_the_budget_are_explained", final(ITEM + "，主要原因是项目延后。"))
    assert [(i.instance, i.outcome) for i in explained] == [
        ("p1 预算 110.00 vs 决算 100.00: the difference is explained", "pass")]
    unexplained = run("differences_from_the_budget_are_explained", final(ITEM + "。"))
    assert [i.outcome for i in unexplained] == ["fail"]


def test_no_difference_nothing_to_explain() -> None:
    same = "（一）一般公共服务支出：年初预算为100.00万元，支出决算为100.00万元。"
    assert run("differences_from_the_budget_are_explained", final(same)) == []
