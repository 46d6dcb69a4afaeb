"""Every template of the real reports: report identity, the tables in order with their types, and the
headline figures of each table, against the light truth read by hand from each PDF (tests/fixtures/truth).

The truth records every table (title, pages, empty or not), its totals, its 类 rows and 三公 cells. A
table of the truth is found when the typed tables of ours on its pages hold all its figures, as printed.
Where the truth and the PDF disagree, the page decides; the exceptions are listed with the page.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES, TRUTH, extraction_of

from yusuan.extract import extract_report, verdict
from yusuan.model import Table

# The tables of each report in printed order: (type, first page), checked against the printed titles.
TABLES: dict[str, list[tuple[str, int]]] = {
    # Beijing 预算01-13表, tables only, 万元 with 6 decimals
    "bj_city_sjj_2026_dept_budget.pdf": [
        ("summary", 1), ("income", 2), ("expenditure", 3), ("fiscal_summary", 4), ("general_public_by_function", 5),
        ("general_public_basic_by_economic", 6), ("gov_fund", 7), ("soe_capital", 8), ("three_public", 9),
        ("gov_procurement", 10), ("gov_purchase_services", 11), ("project_performance", 12),
        ("overall_performance", 20)],
    # central 公开01-09表 (决算), then 项目绩效自评表 forms in the narrative
    "cn_central_gjxfj_2024_dept_final.pdf": [
        ("summary", 7), ("income", 8), ("expenditure", 9), ("fiscal_summary", 10), ("general_public_by_function", 11),
        ("general_public_basic_by_economic", 12), ("gov_fund", 13), ("soe_capital", 14), ("three_public", 15),
        ("project_performance", 30), ("project_performance", 32), ("project_performance", 34),
        ("project_performance", 35)],
    # central 部门公开表1-9, then three project forms in the narrative (信息化运行维护绩效目标表 …)
    "cn_central_gjxfj_2026_dept_budget.pdf": [
        ("summary", 5), ("income", 6), ("expenditure", 7), ("fiscal_summary", 9), ("general_public_by_function", 10),
        ("general_public_basic_by_economic", 12), ("gov_fund", 14), ("soe_capital", 15), ("three_public", 16),
        ("project_performance", 30), ("project_performance", 31), ("project_performance", 32)],
    # Fuzhou 一、…十、, then 15 one-project forms inside the narrative, each titled in its first row
    "fj_fuzhou_kjj_2026_unit_budget.pdf": [
        ("summary", 11), ("income", 12), ("expenditure", 13), ("fiscal_summary", 14), ("general_public_by_function", 15),
        ("gov_fund", 16), ("soe_capital", 17), ("general_public_by_economic", 18),
        ("general_public_basic_by_economic", 19), ("three_public", 22)]
        + [("project_performance", p) for p in (27, *range(29, 43))],
    # Shenzhen 表1-11: 基本支出总表 and 项目支出总表; 一般公共预算支出表 按功能/按经济分类; titles repeated per page
    "gd_shenzhen_tjj_2026_dept_budget.pdf": [
        ("summary", 16), ("income", 18), ("expenditure", 19), ("basic_expenditure", 22), ("projects", 24),
        ("fiscal_summary", 25), ("general_public_by_function", 27), ("general_public_by_economic", 29),
        ("three_public", 32), ("gov_fund", 33), ("soe_capital", 34)],
    # Changsha …总体情况表, unnumbered; 类/款/项 apart; the project table runs over 28 pages, title repeated
    "hn_changsha_gaj_2025_dept_budget.pdf": [
        ("summary", 13), ("income", 14), ("expenditure", 15), ("fiscal_summary", 16), ("general_public_by_function", 18),
        ("general_public_basic_by_economic", 19), ("three_public", 21), ("gov_fund", 22), ("project_performance", 23),
        ("overall_performance", 51)],
    # Jiangsu 公开01-12表, up to three tables a page, 公开04表 printed at the foot of page 15
    "js_prov_jcy_2019_dept_budget.pdf": [
        ("summary", 14), ("income", 15), ("expenditure", 15), ("fiscal_summary", 16), ("fiscal_expenditure", 16),
        ("fiscal_basic_by_economic", 17), ("general_public_by_function", 18), ("general_public_basic_by_economic", 18),
        ("three_public_meetings_training", 20), ("gov_fund", 20), ("office_operation", 21), ("gov_procurement", 22)],
    # Jiangsu, unnumbered, tables flowing over pages
    "js_prov_rdbgt_2017_dept_budget.pdf": [
        ("summary", 7), ("income", 9), ("expenditure", 10), ("fiscal_expenditure", 11), ("fiscal_summary", 12),
        ("fiscal_basic_by_economic", 13), ("gov_fund", 15), ("general_public_by_function", 16),
        ("general_public_basic_by_economic", 17), ("office_operation", 19), ("three_public_meetings_training", 20),
        ("gov_procurement", 20)],
    # Jiangsu tables only, 9 of 12 pages rotated
    "js_prov_swbgt_2019_budget_tables.pdf": [
        ("summary", 1), ("income", 2), ("expenditure", 3), ("fiscal_summary", 4), ("fiscal_expenditure", 5),
        ("fiscal_basic_by_economic", 6), ("general_public_by_function", 7), ("general_public_basic_by_economic", 8),
        ("three_public_meetings_training", 9), ("gov_fund", 10), ("office_operation", 11), ("gov_procurement", 12)],
    "js_prov_zxbgt_2018_budget_tables.pdf": [
        ("summary", 1), ("income", 2), ("expenditure", 3), ("fiscal_summary", 4), ("fiscal_expenditure", 5),
        ("fiscal_basic_by_economic", 6), ("general_public_by_function", 7), ("general_public_basic_by_economic", 8),
        ("three_public_meetings_training", 9), ("gov_fund", 10), ("office_operation", 11), ("gov_procurement", 12)],
    # Shanghai 决算 9 tables
    **{name: [("summary", p[0]), ("income", p[1]), ("expenditure", p[2]), ("fiscal_summary", p[3]),
              ("general_public_by_function", p[4]), ("general_public_basic_by_economic", p[5]), ("three_public", p[6]),
              ("gov_fund", p[7]), ("soe_capital", p[8])]
       for name, p in {"sh_putuo_czj_2024_dept_final.pdf": (6, 8, 10, 12, 15, 16, 18, 19, 20),
                       "sh_putuo_ghzy_2024_dept_final.pdf": (7, 8, 10, 12, 14, 16, 17, 18, 19),
                       "sh_putuo_shgzb_2024_dept_final.pdf": (5, 6, 8, 10, 12, 13, 14, 15, 16)}.items()},
    # Shanghai 9-table budget (district and municipal, 部门 and 单位), 元 tables and a 万元 三公 table
    **{name: [("summary", p[0]), ("income", p[1]), ("expenditure", p[2]), ("fiscal_summary", p[3]),
              ("general_public_by_function", p[4]), ("gov_fund", p[5]), ("soe_capital", p[6]),
              ("general_public_basic_by_economic", p[7]), ("three_public_and_office_operation", p[8])]
       for name, p in {"sh_city_czj_2025_unit_budget.pdf": (7, 8, 10, 12, 13, 15, 16, 17, 20),
                       "sh_putuo_czj_2025_dept_budget.pdf": (9, 10, 12, 14, 15, 17, 18, 19, 21),
                       "sh_putuo_fuliyuan_2024_unit_budget.pdf": (7, 8, 9, 10, 11, 12, 13, 14, 15),
                       "sh_putuo_sfj_2026_dept_budget.pdf": (10, 11, 12, 14, 15, 17, 18, 19, 21),
                       "sh_putuo_sfj_2026_unit_budget.pdf": (8, 9, 11, 13, 14, 16, 17, 18, 20),
                       "sh_putuo_swj_2025_dept_budget.pdf": (9, 10, 12, 14, 15, 17, 18, 19, 21),
                       "sh_putuo_wanli_2024_dept_budget.pdf": (10, 11, 16, 21, 22, 27, 28, 29, 31),
                       "sh_putuo_wanli_2025_dept_budget.pdf": (9, 10, 14, 19, 20, 25, 26, 27, 29),
                       "sh_putuo_zfb_2025_dept_budget.pdf": (8, 9, 11, 13, 14, 16, 17, 18, 20)}.items()},
    # the same, with five 财政项目支出绩效目标填报表 forms titled inside their first row, in 元
    "sh_putuo_wanli_2023_dept_budget.pdf": [
        ("summary", 10), ("income", 11), ("expenditure", 15), ("fiscal_summary", 19), ("general_public_by_function", 20),
        ("gov_fund", 24), ("soe_capital", 25), ("general_public_basic_by_economic", 26),
        ("three_public_and_office_operation", 28)] + [("project_performance", p) for p in range(31, 36)],
    # Hangzhou 表1-11, no codes at all; 表11 项目支出绩效表 is a grid of projects
    "zj_hangzhou_qxj_2026_dept_budget.pdf": [
        ("summary", 15), ("income", 16), ("expenditure", 17), ("fiscal_summary", 18), ("general_public_by_function", 19),
        ("general_public_basic_by_economic", 20), ("three_public", 21), ("gov_fund", 22), ("soe_capital", 23),
        ("projects", 24), ("project_performance", 25)],
}

# Truth tables that the printed page does not show as a table with figures (the page decides):
NOT_PRINTED = {
    # p11's 财政拨款基本支出预算表 and 政府性基金 table lie below the page box (y 1,180-2,770 pt on an 842 pt
    # page): a reader sees only 财政拨款支出预算表 and the start of the next title. Their visible copies are
    # printed on p12-15, as the 目录 lists 12 tables.
    ("js_prov_rdbgt_2017_dept_budget.pdf", "财政拨款基本支出预算表", 11),
    ("js_prov_rdbgt_2017_dept_budget.pdf", "财政拨款政府性基金支出预算表", 11),
    # p22 prints the header and no row at all ("此表如无数字则表示单位无该项支出"): an empty table
    ("hn_changsha_gaj_2025_dept_budget.pdf", "2025年政府性基金预算支出情况表", 22),
}

_NUM = re.compile(r"^-?\d+(\.\d+)?$")
_PARTS = ("totals", "lei_rows", "lei_rows_economic", "cells", "income_items", "expenditure_items_lei", "headline")
# (行次 is the printed number of a line, not an amount: the 决算 truths record it beside the figures)
_SKIP = {"code", "number", "pages", "toc_position", "fiscal_year", "page_count", "行次"}


def _figures(node: Any) -> list[Decimal]:
    if isinstance(node, dict):
        return [f for k, v in node.items() if k not in _SKIP for f in _figures(v)]
    if isinstance(node, list):
        return [f for v in node for f in _figures(v)]
    if isinstance(node, str) and _NUM.match(node.replace(",", "")):
        return [Decimal(node.replace(",", "")).normalize()]
    return []


def truth_of(name: str) -> dict[str, Any]:
    return json.loads((TRUTH / name.replace(".pdf", ".json")).read_text(encoding="utf-8"))


REAL = sorted(TABLES)


def test_every_real_report_of_the_repository_is_pinned() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.pdf") if (TRUTH / p.name.replace(".pdf", ".json")).exists()) == REAL
    assert len(REAL) == 24


@pytest.mark.parametrize("name", REAL)
def test_report_identity(name: str) -> None:
    report = truth_of(name)["report"]
    ident = extraction_of(name).identity
    assert (ident.department, ident.fiscal_year, ident.report_kind) == (
        report["name"], report["fiscal_year"], report["report_kind"])


@pytest.mark.parametrize("name", REAL)
def test_tables_in_order_with_their_types(name: str) -> None:
    ex = extraction_of(name)
    assert [(t.table_type, t.pages[0]) for t in ex.tables if t.table_type] == TABLES[name]
    status, reason = verdict(ex)
    assert status == "loadable", reason


def _ours_on(tables: list[Table], pages: list[int]) -> list[Table]:
    return [t for t in tables if t.table_type and set(t.pages) & set(pages)]


@pytest.mark.parametrize("name", REAL)
def test_every_truth_table_is_found_with_its_figures(name: str) -> None:
    ex = extraction_of(name)
    missing = []
    for t in truth_of(name)["tables"]:
        if t.get("empty") or (name, t["title"], t["pages"][0]) in NOT_PRINTED:
            continue
        ours = _ours_on(ex.tables, t["pages"])
        assert ours, (t["title"], t["pages"])
        have = {c.amount.normalize() for o in ours for c in o.cells if c.kind == "money" and c.amount is not None}
        # (a set: the truth often records one printed cell twice, as a total and as an item)
        want = {f for part in _PARTS for f in _figures(t.get(part))}
        missing += [(t["title"], str(d)) for d in sorted(want - have)]
    assert missing == []


@pytest.mark.parametrize("name", REAL)
def test_empty_tables_are_recorded_empty(name: str) -> None:
    ex = extraction_of(name)
    for t in truth_of(name)["tables"]:
        if t.get("empty") and (name, t["title"], t["pages"][0]) not in NOT_PRINTED:
            ours = _ours_on(ex.tables, t["pages"])
            assert any(o.empty for o in ours), t["title"]


# ---- honest about what is not understood ---------------------------------------------------------------

def test_a_table_of_no_known_type_is_kept_untyped_and_the_report_flagged(tmp_path: Path) -> None:
    import badfiles

    ex = extract_report(badfiles.with_unknown_table(tmp_path / "with-unknown.pdf"))
    unknown = [t for t in ex.tables if t.table_type is None]
    assert [t.pages for t in unknown] == [[22]]
    assert {(c.row_name, c.column_name, c.amount) for c in unknown[0].cells if c.kind == "money"} == {
        ("合计", "金额", Decimal("12.50")), ("办公设备", "金额", Decimal("12.50"))}
    assert unknown[0].unit == "万元"
    status, reason = verdict(ex)
    assert status == "loadable"
    assert reason == "1 table(s) with amounts not recognised (page 22): kept untyped"
    assert any(p.startswith("page 22") and "资产配置情况表" in p for p in ex.problems)


def test_a_report_whose_identity_is_not_printed_says_so(tmp_path: Path) -> None:
    """Beijing's attachment prints tables only: its department and kind come from the tables themselves
    (预算01表 …, 部门整体支出绩效目标表 | 部门名称 北京市审计局); nothing is guessed where nothing is printed."""
    from yusuan.identify import identify_report

    ident = identify_report(all_lines_text=["单位：万元", "合计 12.50"], metadata={}, tables=[], cover=[])
    assert (ident.department, ident.fiscal_year, ident.report_kind) == (None, None, None)


# ---- layouts, each read from its page -----------------------------------------------------------------

def _cells(name: str, ttype: str) -> list[Any]:
    return [c for t in extraction_of(name).tables if t.table_type == ttype for c in t.cells if c.kind == "money"]


def test_names_without_codes_keep_their_hierarchy_from_the_indentation() -> None:
    """杭州 表5 (p19) prints no code: 科学技术支出, then 技术研究与开发 one step in, 科技成果转化与扩散 two."""
    cells = _cells("zj_hangzhou_qxj_2026_dept_budget.pdf", "general_public_by_function")
    levels = {c.row_name: c.row_level for c in cells}
    names = ("科学技术支出", "技术研究与开发", "科技成果转化与扩散", "气象事务", "行政运行")
    assert [levels[n] for n in names] == [0, 1, 2, 1, 2]
    assert levels["合计"] is None  # the total stands outside the hierarchy
    assert all(c.row_code is None for c in cells)  # no code is invented


def test_split_codes_carry_the_class_down_and_the_column_numbers_are_header() -> None:
    """长沙 收入总体情况表 (p14): 类 | 款 | 项 apart, the 款 row prints only 11 under 201; the row ** | 1 | 2 …
    numbers the columns."""
    cells = _cells("hn_changsha_gaj_2025_dept_budget.pdf", "income")
    codes = {c.row_code: c.row_name for c in cells if c.row_code}
    assert codes["201"] == "一般公共服务支出" and codes["20111"] == "纪检监察事务"
    assert codes["2011199"] == "其他纪检监察事务支出" and codes["20402"] == "公安"
    assert not any(c.row_name == "**" for c in cells)
    assert {c.column_name for c in cells} >= {"合计", "本级财政拨款/金额", "本级财政拨款/其中:经费拨款"}


def test_a_merged_cell_printed_again_after_a_page_break_is_counted_once() -> None:
    """长沙 项目支出绩效目标表 (p23-50): each project's name and 资金总额 are printed again on the pages its
    indicators run onto; the 14 projects sum to 39,052.86 as the truth reads them (合计 40,233.95)."""
    cells = _cells("hn_changsha_gaj_2025_dept_budget.pdf", "project_performance")
    projects = [c for c in cells if c.row_kind == "detail" and c.row_name != "长沙市公安局"]
    assert len(projects) == 14
    assert sum(c.amount for c in projects) == Decimal("39052.86")


def test_a_title_repeated_on_every_page_continues_its_table() -> None:
    """深圳 表3 支出总表 prints 表3 / 支出总表 / 部门名称… on each of p19-21: one table."""
    tables = [t for t in extraction_of("gd_shenzhen_tjj_2026_dept_budget.pdf").tables if t.table_type == "expenditure"]
    assert [t.pages for t in tables] == [[19, 20, 21]]


def test_forms_titled_inside_their_first_row_are_one_table_each_with_their_money() -> None:
    """万里 2023 (p31-35): five 财政项目支出绩效目标填报表, the title in the form's first row, amounts in 元
    under 项目资金（元）: 项目资金总额 4,100,000.00 on p31."""
    forms = [t for t in extraction_of("sh_putuo_wanli_2023_dept_budget.pdf").tables
             if t.table_type == "project_performance"]
    assert [t.pages for t in forms] == [[31], [32], [33], [34], [35]]
    first = {c.column_name: c.amount for c in forms[0].cells if c.kind == "money"}
    assert first["项目资金总额"] == Decimal("4100000.00") and forms[0].unit == "元"
