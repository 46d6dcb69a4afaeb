"""Genuine published reports of other regions and templates (data/samples, from shared/real).

Each pins the tables found, in order, and totals read by hand from the PDF pages; every coded
table's totals must equal the sums of its rows (these budgets' tables add up).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import extraction_of
from sums import sum_checks

from yusuan.extract import verdict
from yusuan.model import Extraction

BUDGETS = {
    "js_prov_rdbgt_2017_dept_budget.pdf": {
        "department": "江苏省人大常委会办公厅", "year": 2017, "unit": "万元",
        "tables": ["summary", "income", "expenditure", "fiscal_expenditure", "fiscal_summary",
                   "fiscal_basic_by_economic", "gov_fund", "general_public_by_function",
                   "general_public_basic_by_economic", "office_operation", "three_public_meetings_training",
                   "gov_procurement"],
        # (table type, row code or name, column, amount): read from the PDF pages
        "totals": [("summary", "收入合计", "收入/金额", "13649.07"),                      # p9
                   ("summary", "八、社会保障和就业支出", "支出/功能分类/金额", "1608.51"),   # p7-8, split row
                   ("income", "收入总计", "金额", "13649.07"),                             # p9
                   ("expenditure", None, "单位预留机动经费", "128.43"),                    # p10
                   ("fiscal_expenditure", "合计", "金额", "13649.07"),                     # p11
                   ("fiscal_basic_by_economic", "301", "金额", "2928.98"),                 # p13
                   ("fiscal_basic_by_economic", "303", "金额", "3151.74"),                 # p14
                   ("office_operation", "合计", "机关运行经费支出", "5619.31"),             # p19
                   ("three_public_meetings_training", None, "“三公”经费/公务接待费", "427.50"),  # p20
                   ("gov_procurement", "合计", "总计", "2247.85")],                       # p20
    },
    "js_prov_swbgt_2019_budget_tables.pdf": {
        "department": "中共江苏省委办公厅", "year": 2019, "unit": "万元",
        "tables": ["summary", "income", "expenditure", "fiscal_summary", "fiscal_expenditure",
                   "fiscal_basic_by_economic", "general_public_by_function", "general_public_basic_by_economic",
                   "three_public_meetings_training", "gov_fund", "office_operation", "gov_procurement"],
        "totals": [("income", "收入总计", "金额", "27664.22"),                             # p2
                   ("expenditure", None, "单位预留机动经费", "2938.21"),                   # p3
                   ("general_public_by_function", "201", "金额", "22395.50"),             # p7
                   ("general_public_basic_by_economic", "302", "金额", "2232.91"),        # p8
                   ("three_public_meetings_training", None, "会议费", "933.50"),          # p9
                   ("office_operation", "合计", "机关运行经费支出", "2232.91"),             # p11
                   ("gov_procurement", "合计", "总计", "1422.50")],                       # p12
    },
    "sh_putuo_sfj_2026_dept_budget.pdf": {
        "department": "上海市普陀区司法局", "year": 2026, "unit": "元",
        "tables": ["summary", "income", "expenditure", "fiscal_summary", "general_public_by_function", "gov_fund",
                   "soe_capital", "general_public_basic_by_economic", "three_public_and_office_operation"],
        "totals": [("summary", "收入总计", "本年收入/预算数", "96282213.44"),              # p10
                   ("expenditure", "合计", "支出预算/基本支出", "25741666.44"),            # p13
                   ("expenditure", "合计", "支出预算/项目支出", "70540547.00"),            # p13
                   ("general_public_basic_by_economic", "302", "一般公共预算基本支出/合计", "2141724.44"),  # p20
                   ("three_public_and_office_operation", None, "机关运行经费预算数", "217.83")],  # p21, 万元
    },
    "sh_putuo_wanli_2024_dept_budget.pdf": {
        "department": "上海市普陀区人民政府万里街道办事处", "year": 2024, "unit": "元",
        "tables": ["summary", "income", "expenditure", "fiscal_summary", "general_public_by_function", "gov_fund",
                   "soe_capital", "general_public_basic_by_economic", "three_public_and_office_operation"],
        "totals": [("summary", "收入总计", "本年收入/预算数", "156211123"),                 # p10
                   ("income", "合计", "收入预算/合计", "156211123"),                      # p15, a lone total row
                   ("expenditure", "合计", "支出预算/项目支出", "56505103"),               # p20
                   ("general_public_basic_by_economic", "301", "一般公共预算基本支出/合计", "88282511"),  # p29
                   ("general_public_basic_by_economic", "30102", "一般公共预算基本支出/合计", None),  # '2' -> 02
                   ("three_public_and_office_operation", None, "2024年“三公”经费预算数/合计", "47.91")],  # p31
    },
}


def find(ex: Extraction, ttype: str, row: str | None, column: str) -> list[Decimal | None]:
    return [c.amount for t in ex.tables if t.table_type == ttype for c in t.cells
            if c.column_name == column and c.kind == "money"
            and (row is None or c.row_code == row or c.row_name == row)]


@pytest.mark.parametrize("name", sorted(BUDGETS))
def test_every_budget_table_is_found_and_typed(name: str) -> None:
    ex = extraction_of(name)
    spec = BUDGETS[name]
    assert [t.table_type for t in ex.tables] == spec["tables"]
    assert verdict(ex) == ("loadable", None)
    assert ex.identity.department == spec["department"]
    assert ex.identity.fiscal_year == spec["year"]
    assert ex.identity.report_kind == "dept_budget"
    assert ex.identity.money_unit == spec["unit"]
    for t in ex.tables:
        money = [c for c in t.cells if c.kind == "money"]
        assert t.unit in ("元", "万元"), (t.title, t.unit)
        assert all(c.amount is not None for c in money), [(c.row_name, c.raw_text) for c in money if c.amount is None]
        if t.table_type in ("gov_fund", "soe_capital"):
            assert t.empty and t.note, t.title  # printed empty, with a note under the grid
        else:
            assert money, f"{t.title}: no amounts"


@pytest.mark.parametrize("name", sorted(BUDGETS))
def test_totals_read_from_the_pdf(name: str) -> None:
    ex = extraction_of(name)
    for ttype, row, column, amount in BUDGETS[name]["totals"]:
        found = find(ex, ttype, row, column)
        assert found, (ttype, row, column)
        if amount is not None:
            assert Decimal(amount) in found, (ttype, row, column, found)


@pytest.mark.parametrize("name", sorted(BUDGETS))
def test_coded_tables_add_up(name: str) -> None:
    ex = extraction_of(name)
    checks = [s for t in ex.tables for s in sum_checks(t)]
    assert len(checks) > 10
    assert [s for s in checks if not s.holds] == []


def test_shanghai_three_public_in_wan_yuan_among_yuan_tables() -> None:
    ex = extraction_of("sh_putuo_sfj_2026_dept_budget.pdf")
    units = {t.table_type: t.unit for t in ex.tables}
    assert units["three_public_and_office_operation"] == "万元"
    assert units["general_public_basic_by_economic"] == "元"


FINAL_TABLES = ["summary", "income", "expenditure", "fiscal_summary", "general_public_by_function",
                "general_public_basic_by_economic"]
FINALS = {
    # the central 公开01-09表: 三公 before the empty fund tables, project evaluations after
    "cn_central_gjxfj_2024_dept_final.pdf": {
        "department": "国家信访局",
        "tables": FINAL_TABLES + ["gov_fund", "soe_capital", "three_public"],
        "totals": [("fiscal_summary", "本年收入合计", "收入/金额", "19572.91"),                    # p10, 公开04表
                   ("income", "合计", "本年收入合计", "20451.35"),                               # p8, 公开02表
                   ("general_public_basic_by_economic", "人员经费合计", "决算数", "7967.72"),      # p12, 公开06表
                   ("general_public_basic_by_economic", "公用经费合计", "决算数", "2266.65"),      # p12
                   ("three_public", None, "预算数/合计", "76.43"),                              # p15, 公开09表
                   ("three_public", None, "决算数/合计", "46.21")],                             # p15
    },
    # the Shanghai 9-table 部门决算: the economic table in two column groups, 三公 with 预算数/决算数
    "sh_putuo_czj_2024_dept_final.pdf": {
        "department": "上海市普陀区财政局",
        "tables": FINAL_TABLES + ["three_public", "gov_fund", "soe_capital"],
        "totals": [("income", "合计", "本年收入合计", "2946.25"),                               # p8
                   ("general_public_basic_by_economic", "301", "决算数", "2082.85"),              # p16
                   ("general_public_basic_by_economic", "302", "决算数", "171.07"),               # p16
                   ("general_public_basic_by_economic", "人员经费合计", "决算数", "2152.26"),      # p17
                   ("general_public_basic_by_economic", "公用经费合计", "决算数", "184.65"),       # p17
                   ("three_public", None, "财政拨款“三公”经费/合计/预算数", "0.95")],              # p18
    },
    "sh_putuo_ghzy_2024_dept_final.pdf": {
        "department": "上海市普陀区规划和自然资源局",
        "tables": FINAL_TABLES + ["three_public", "gov_fund", "soe_capital"],
        "totals": [("general_public_basic_by_economic", "301", "决算数", "4816.14"),              # p16
                   ("general_public_basic_by_economic", "302", "决算数", "440.90"),               # p16
                   ("general_public_basic_by_economic", "人员经费合计", "决算数", "4884.09"),      # p16
                   ("general_public_basic_by_economic", "公用经费合计", "决算数", "480.66"),       # p16
                   ("three_public", None, "财政拨款“三公”经费/合计/决算数", "0.39")],              # p17
    },
}


@pytest.mark.parametrize("name", sorted(FINALS))
def test_every_final_accounts_table_is_found_and_typed(name: str) -> None:
    ex = extraction_of(name)
    spec = FINALS[name]
    typed = [t.table_type for t in ex.tables if t.table_type is not None]
    assert [t for t in typed if t != "project_performance"] == spec["tables"]
    assert verdict(ex) == ("loadable", None)
    assert ex.identity.department == spec["department"]
    assert (ex.identity.fiscal_year, ex.identity.report_kind, ex.identity.money_unit) == (2024, "dept_final", "万元")
    for t in ex.tables:
        if t.table_type in FINAL_TABLES:
            money = [c for c in t.cells if c.kind == "money"]
            assert money and all(c.amount is not None for c in money), t.title
            # codes read as printed (201, 20101, 2010101), never two lines' codes run together
            assert all(len(c.row_code) in (3, 5, 7) for c in t.cells if c.row_code), t.title
    for ttype, row, column, amount in spec["totals"]:
        assert Decimal(amount) in find(ex, ttype, row, column), (ttype, row, column)


def test_an_empty_final_table_is_stated_in_its_note() -> None:
    ex = extraction_of("sh_putuo_shgzb_2024_dept_final.pdf")
    three = next(t for t in ex.tables if t.table_type == "three_public")
    assert three.empty and "无数据" in (three.note or "")
    assert not [c for c in three.cells if c.kind == "money" and c.amount is not None]
