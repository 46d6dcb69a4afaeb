"""The project rules (yusuan.checks.rules.projects) on reports built in a few lines: 项目支出表 against the
performance forms, the forms' own figures and the headers of their indicator blocks; and the name similarity
that matches a project across tables (the same doubles as DuckDB's jaro_winkler_similarity)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from build import report, table

from yusuan.checks.catalog import load_catalog
from yusuan.checks.evaluate import evaluate
from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance
from yusuan.checks.rules.projects import jaro_winkler_similarity
from yusuan.model import Cell, Table
from yusuan.money import parse_amount
from yusuan.view import Report

ROOT = Path(__file__).resolve().parents[2]


@cache
def identity(name: str) -> Identity:
    catalog = load_catalog(ROOT / "expectations" / "identities.yaml")
    return next(i for i in catalog.identities if i.name == name)


def run(name: str, r: Report) -> list[Instance]:
    return evaluate(r, [identity(name)])


def outcomes(found: list[Instance]) -> dict[str, str]:
    return {i.instance: i.outcome for i in found}


def cell(t: Table, row: int, column: str, text: str, kind: str = "field", *, name: str | None = None,
         block: str | None = None, row_kind: str = "detail", col: int = 0) -> Table:
    """`t` with one more cell (a form's field, detail amount, indicator … that the table builder does not make)."""
    amount = parse_amount(text).amount if kind in ("money", "detail_amount") else None
    t.cells.append(Cell(table_seq=t.seq, row_seq=row, page=t.pages[0], row_code=None, row_name=name, column_name=column,
                        column_seq=col, raw_text=text, kind=kind, amount=amount, unit=t.unit if kind == "money" else None,
                        row_kind=row_kind, block=block))
    return t


def projects(*rows: tuple[str, str]) -> Table:
    """项目支出表: a 合计 row, then one row per project (name, 合计)."""
    total = sum((Decimal(v) for _, v in rows), Decimal(0))
    return table("projects", ["项目名称", "合计"], [["合计", f"{total:.2f}"]] + [[n, v] for n, v in rows], no="表10",
                 page=10)


def form(title: str, funding: str, no: str, *, column: str = "金额", page: int = 12) -> Table:
    """项目支出绩效目标表: its 资金来源 block, whose 合计 row is the project's funding."""
    return table("project_performance", ["来源项目", column], [["合计", funding]], no=no, title=title, page=page,
                 block="项目资金来源")


# ---- name similarity --------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "duckdb"), [
    ("办公设备购置", "办公设备购置费", 0.9714285714285714),
    ("计划管理费", "计划管理经费", 0.9666666666666667),
    ("MARTHA", "MARHTA", 0.9611111111111111),
    ("DIXON", "DICKSONX", 0.8133333333333332),
    ("备护购设", "备购设办华", 0.805),  # DuckDB's fused multiply-add: 0.8049999999999999 unfused
    ("ab", "", 0.0),
    ("abc", "xyz", 0.0),
])
def test_jaro_winkler_is_duckdbs(a: str, b: str, duckdb: float) -> None:
    assert jaro_winkler_similarity(a, b) == duckdb


# ---- a project form against its row of 项目支出表 -----------------------------------------------


def test_a_forms_funding_is_its_projects_total() -> None:
    r = report(projects(("计划管理经费", "145.00"), ("企业管理经费", "50.00")),
               form("计划管理经费项目支出绩效目标表", "145", "表12-1"), form("企业管理经费项目绩效目标表", "60", "表12-2"))
    found = {i.instance: i for i in run("project_form_total_equals_projects_row", r)}
    holds = found["表12-1 计划管理经费 = 表10 计划管理经费 合计 (yuan)"]
    assert (holds.outcome, holds.lhs, holds.rhs, holds.unit, holds.tolerance) == (
        "pass", Decimal(1450000), Decimal(1450000), "元", Decimal(5000))
    assert found["表12-2 企业管理经费 = 表10 企业管理经费 合计 (yuan)"].outcome == "fail"


def test_a_form_is_named_by_its_project_name_field_before_its_title() -> None:
    f = cell(form("表12-1 项目支出绩效目标表", "50", "表12-1"), 0, "项目名称", "企业管理经费", name="项目名称")
    r = report(projects(("计划管理经费", "145.00"), ("企业管理经费", "50.00")), f)
    assert outcomes(run("project_form_total_equals_projects_row", r)) == {
        "表12-1 企业管理经费 = 表10 企业管理经费 合计 (yuan)": "pass"}


def test_a_form_of_no_listed_project_is_not_compared() -> None:
    r = report(projects(("计划管理经费", "145.00")), form("信息化运维项目支出绩效目标表", "145", "表12-1"))
    assert run("project_form_total_equals_projects_row", r) == []


# ---- the projects the forms name -----------------------------------------------------------------


def overall(*rows: tuple[str, str]) -> Table:
    """整体支出绩效目标表 项目支出情况: one row per project (name, 项目本年度预算)."""
    return table("overall_performance", ["项目名称", "项目本年度预算"], [list(r) for r in rows], no="表11", page=11,
                 block="项目支出情况")


def test_a_listed_projects_budget_is_its_projects_total() -> None:
    r = report(projects(("计划管理经费", "145.00"), ("企业管理经费", "50.00")),
               overall(("计划管理费", "145"), ("企业管理费", "60")))
    found = outcomes(run("listed_projects_equal_projects_rows", r))
    assert found == {"表11 项目 计划管理费 项目本年度预算 = 表10 计划管理经费 合计 (yuan)": "pass",
                     "表11 项目 企业管理费 项目本年度预算 = 表10 企业管理经费 合计 (yuan)": "fail"}


def test_a_project_is_named_alike_or_not() -> None:
    f = cell(form("计划管理经费项目支出绩效目标表", "145", "表12-1"), 0, "项目名称", "计划管理经费", name="项目名称")
    r = report(projects(("计划管理经费", "145.00")), overall(("计划管理费", "145")), f)
    found = {i.instance: i for i in run("project_names_agree", r)}
    same = found["表12-1 项目名称 计划管理经费 = 表10 计划管理经费"]
    other = found["表11 项目名称 计划管理费 ≠ 表10 计划管理经费"]
    assert (same.outcome, same.table_type) == ("pass", "project_performance")
    assert (other.outcome, other.table_type, other.detail) == ("fail", "overall_performance", "计划管理费 vs 计划管理经费")


def test_a_name_cut_short_is_not_evaluated() -> None:
    r = report(projects(("信息系统运行维护经费", "145.00")), overall(("信息系统运行维护", "145")))
    found = run("project_names_agree", r)
    assert [(i.outcome, i.not_evaluated) for i in found] == [
        ("not_evaluated", "one name is the other cut short (a name split by a page or cell break)")]


# ---- a project form's own figures ---------------------------------------------------------------


def activities(*amounts: str, budget: str = "145") -> Table:
    """A form with its 项目当年预算, its 资金来源 合计 (145) and its 项目支出明细测算 amounts."""
    f = cell(form("计划管理费项目绩效目标表", "145", "表12-1"), 5, "项目当年预算", budget, name="项目总预算")
    for k, amount in enumerate(amounts):
        cell(f, 20 + k, "金额", amount, "detail_amount", name=f"活动{k}", block="项目支出明细测算")
    return f


def test_the_activities_and_the_funding_sum_to_the_budget() -> None:
    found = outcomes(run("project_activities_sum_to_project_budget", report(activities("77", "68"))))
    assert found == {"表12-1 计划管理费项目绩效目标表: Σ 项目支出明细测算 = 项目当年预算": "pass",
                     "表12-1 计划管理费项目绩效目标表: 资金来源 合计 = 项目当年预算": "pass"}


def test_activities_that_do_not_sum_to_the_budget_fail() -> None:
    found = {i.instance: i for i in run("project_activities_sum_to_project_budget", report(activities("77", "60")))}
    wrong = found["表12-1 计划管理费项目绩效目标表: Σ 项目支出明细测算 = 项目当年预算"]
    assert (wrong.outcome, wrong.lhs, wrong.rhs, wrong.tolerance, wrong.unit) == (
        "fail", Decimal(137), Decimal(145), Decimal(1), "万元")


def test_a_form_without_a_budget_has_no_activity_instance() -> None:
    f = table("project_performance", ["来源项目", "金额"], [["合计", "145"]], no="表12-1", block="项目资金来源")
    assert run("project_activities_sum_to_project_budget", report(f)) == []


def history(f: Table, text: str) -> Table:
    return cell(f, 11, "项目前两年预算及当年预算变动情况", text, name="项目前两年预算及当年预算变动情况")


def test_the_budget_years_history_is_the_forms_budget() -> None:
    f = history(activities(budget="145"), "2024 年 200 万元、2025 年 200 万元、2026 年 145 万元")
    assert outcomes(run("project_budget_history_agrees", report(f))) == {"表12-1 变动情况 2026 = 项目当年预算 (yuan)": "pass"}
    g = history(activities(budget="145"), "2024 年 200 万元、2025 年 200 万元、2026 年 150 万元")
    assert outcomes(run("project_budget_history_agrees", report(g))) == {"表12-1 变动情况 2026 = 项目当年预算 (yuan)": "fail"}


def specific(y2025: str, y2024: str) -> Table:
    """整体支出绩效目标表: 特定目标类 of the two years before."""
    return table("overall_performance", ["资金项目", "近两年收支金额/2025年", "近两年收支金额/2024年"],
                 [["特定目标类项目支出", y2025, y2024]], no="表11", block="部门总体资金情况")


def test_the_forms_earlier_years_sum_to_the_overall_specific_budget() -> None:
    one = history(form("计划管理经费项目支出绩效目标表", "145", "表12-1"), "2024 年 200 万元、2025 年 200 万元")
    two = history(form("企业管理经费项目支出绩效目标表", "50", "表12-2"), "2024 年 60 万元、2025 年 50 万元")
    r = report(projects(("计划管理经费", "145.00"), ("企业管理经费", "50.00")), one, two, specific("250", "300"))
    found = {i.instance: i for i in run("project_forms_history_matches_overall_specific", r)}
    assert found["表11 特定目标类 近两年收支金额/2025年 = Σ 2 project forms' 2025 budgets (yuan)"].outcome == "pass"
    wrong = found["表11 特定目标类 近两年收支金额/2024年 = Σ 2 project forms' 2024 budgets (yuan)"]
    assert (wrong.outcome, wrong.lhs, wrong.rhs) == ("fail", Decimal(3000000), Decimal(2600000))


def test_a_year_one_form_does_not_state_is_not_summed() -> None:
    one = history(form("计划管理经费项目支出绩效目标表", "145", "表12-1"), "2024 年 200 万元、2025 年 200 万元")
    two = history(form("企业管理经费项目支出绩效目标表", "50", "表12-2"), "2025 年 50 万元")
    r = report(projects(("计划管理经费", "145.00"), ("企业管理经费", "50.00")), one, two, specific("250", "200"))
    assert outcomes(run("project_forms_history_matches_overall_specific", r)) == {
        "表11 特定目标类 近两年收支金额/2025年 = Σ 2 project forms' 2025 budgets (yuan)": "pass"}


def test_forms_that_miss_a_project_are_not_summed() -> None:
    one = history(form("计划管理经费项目支出绩效目标表", "145", "表12-1"), "2024 年 200 万元、2025 年 200 万元")
    r = report(projects(("计划管理经费", "145.00"), ("企业管理经费", "50.00")), one, specific("200", "200"))
    assert run("project_forms_history_matches_overall_specific", r) == []


# ---- the forms within 项目支出 ---------------------------------------------------------------------


def expenditure(project: str) -> Table:
    return table("expenditure", ["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
                 [["", "合计", "500.00", "300.00", project]], no="表3", page=3)


def test_the_forms_funding_is_within_the_project_expenditure() -> None:
    forms = [form("A项目支出绩效目标表", "145", "表12-1", column="资金总额"),
             form("B项目支出绩效目标表", "50", "表12-2", column="资金总额")]
    holds = run("project_forms_within_project_expenditure", report(expenditure("200.00"), *forms))
    assert [(i.instance, i.outcome, i.relation) for i in holds] == [
        ("表3 合计 项目支出 ≥ Σ 2 project forms' funding (yuan)", "pass", "covers")]
    assert [s.printed for s in holds[0].compared] == ["200.00", "145", "50"]
    fails = run("project_forms_within_project_expenditure", report(expenditure("190.00"), *forms))
    assert [i.outcome for i in fails] == ["fail"]


def test_a_form_in_an_unknown_unit_leaves_the_comparison_not_evaluated() -> None:
    unknown = table("project_performance", ["来源项目", "资金总额"], [["合计", "50"]], no="表12-2", unit="", block="项目资金来源")
    found = run("project_forms_within_project_expenditure",
                report(expenditure("200.00"), form("A项目支出绩效目标表", "145", "表12-1", column="资金总额"), unknown))
    assert [(i.outcome, i.rhs) for i in found] == [("not_evaluated", None)]


def test_a_single_form_is_not_compared_with_the_project_expenditure() -> None:
    single = form("A项目支出绩效目标表", "145", "表12-1", column="资金总额")
    assert run("project_forms_within_project_expenditure", report(expenditure("100.00"), single)) == []


# ---- the headers of a form's indicator blocks ---------------------------------------------------


def indicators(*headers: tuple[str, ...]) -> Table:
    """A form whose indicator blocks 年度目标1, 2 … print the given headers."""
    f = form("计划管理费项目绩效目标表", "145", "表12-1")
    for k, header in enumerate(headers):
        for c, column in enumerate(header):
            cell(f, 40 + 10 * k, column, "x", "indicator", name="产出指标", block=f"年度目标{k + 1}", col=c)
    return f


FULL = ("一级指标", "二级指标", "三级指标", "指标值")


def test_an_indicator_block_prints_its_siblings_header_or_not() -> None:
    found = outcomes(run("indicator_blocks_print_the_same_header", report(indicators(FULL, FULL, FULL[:3]))))
    assert found == {"表12-1 年度目标1: header as its 2 siblings": "pass",
                     "表12-1 年度目标2: header as its 2 siblings": "pass",
                     "表12-1 年度目标3: header lacks 指标值 (prints )": "fail"}


def test_two_blocks_have_no_header_to_agree_on() -> None:
    assert run("indicator_blocks_print_the_same_header", report(indicators(FULL, FULL[:3]))) == []
