"""The sample report against its golden file (checked against the PDF and its identities)."""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import GOLDEN, SAMPLE_PDF, extraction_of
from sums import sum_checks

from yusuan import warehouse
from yusuan.extract import verdict
from yusuan.register import register_pdf

TRUTH = json.loads((GOLDEN / "wuchang-kjj-2024-budget.truth.json").read_text(encoding="utf-8"))
TYPES = {"T1": "summary", "T2": "income", "T3": "expenditure", "T4": "fiscal_summary",
         "T5_1": "general_public_by_function", "T5_2": "general_public_by_unit",
         "T6": "general_public_basic_by_economic", "T7": "three_public", "T8": "gov_fund", "T9": "soe_capital",
         "T10": "projects", "T11": "overall_performance", "T12_1": "project_performance",
         "T12_2": "project_performance"}
NUM = re.compile(r"^-?\d+(\.\d+)?$")


def squeeze(s: object) -> str:
    return re.sub(r"\s+", "", str(s or "")).translate(str.maketrans("（）：", "():"))


def truth_cells() -> Counter[tuple[str, str, str, Decimal]]:
    """(table type, row key, column, amount) for every numeric cell of the golden file."""
    cells: Counter[tuple[str, str, str, Decimal]] = Counter()
    for table in TRUTH["tables"]:
        # 表11's 项目支出情况 is a list inside the form: its amounts are line items of 表11 too
        listed = table.get("sections", {}).get("projects", {}).get("rows", [])
        for row in table["rows"] + listed:
            for col, val in row["values"].items():
                if isinstance(val, str) and NUM.match(val):
                    key = row.get("code") or row.get("name") or ""
                    if col.startswith("支出/"):  # side-by-side tables: the 支出 side has its own items
                        key = row["values"]["支出/项目"]
                    cells[(TYPES[table["id"]], squeeze(key), squeeze(col), Decimal(val).normalize())] += 1
    return cells


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("golden")
    db = tmp / "warehouse.duckdb"
    reg = register_pdf(SAMPLE_PDF)
    extraction = extraction_of(SAMPLE_PDF.name)
    staged = warehouse.stage_extraction(reg.report_id, extraction, tmp / "staging" / reg.report_id,
                                          verdict=verdict(extraction))
    con = warehouse.connect(db)
    warehouse.record_registration(con, reg, status="registered", reason=None)
    warehouse.load_report(con, reg.report_id, staged, status="loaded", reason=None)
    con.close()
    return db


def test_line_items_equal_the_golden_file_cell_by_cell(sample_warehouse: Path) -> None:
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    rows = con.execute("SELECT table_type, row_code, row_name, column_name, amount FROM budget.line_items").fetchall()
    got: Counter[tuple[str, str, str, Decimal]] = Counter()
    for ttype, code, name, column, amount in rows:
        assert amount is not None, f"unparsed cell in {ttype} {name} {column}"
        got[(ttype, squeeze(code or name), squeeze(column), Decimal(amount).normalize())] += 1
    expected = truth_cells()
    assert sum(expected.values()) == 438 + 4  # the 438 cells of the tables, 4 of 表11's project list
    missing = expected - got
    extra = got - expected
    assert not missing, f"{sum(missing.values())} golden cells not in line_items, e.g. {list(missing)[:5]}"
    assert not extra, f"{sum(extra.values())} line_items not in the golden file, e.g. {list(extra)[:5]}"


def test_all_fourteen_tables_found_typed_and_numbered() -> None:
    ex = extraction_of(SAMPLE_PDF.name)
    assert [t.table_type for t in ex.tables] == [TYPES[t["id"]] for t in TRUTH["tables"]]
    assert [t.table_no for t in ex.tables] == [t["section_title"].split(".")[0].replace(" ", "")
                                               for t in TRUTH["tables"]]
    assert all(t.unit == "万元" for t in ex.tables)
    multi_page = {t.table_no: t.pages for t in ex.tables if len(t.pages) > 1}
    assert multi_page["表1"] == [3, 4] and multi_page["表6"] == [7, 8]


def test_headers_are_leaf_paths_as_printed() -> None:
    ex = extraction_of(SAMPLE_PDF.name)
    for table, truth in zip(ex.tables, TRUTH["tables"], strict=True):
        if truth["id"] in ("T11", "T12_1", "T12_2"):
            continue  # forms: their money block columns are checked cell by cell above
        assert [squeeze(h) for h in table.header] == [squeeze(h) for h in truth["header"]], truth["id"]


def test_row_codes_and_names() -> None:
    ex = extraction_of(SAMPLE_PDF.name)
    for table, truth in zip(ex.tables, TRUTH["tables"], strict=True):
        codes = {c.row_code for c in table.cells if c.row_code}
        names = {squeeze(c.row_name) for c in table.cells if c.row_name}
        for row in truth["rows"]:
            own = {k: v for k, v in row["values"].items() if not k.startswith("支出/")}
            if any(isinstance(v, str) and NUM.match(v) for k, v in row["values"].items() if k.startswith("支出/")):
                assert squeeze(row["values"]["支出/项目"]) in names, (truth["id"], row["values"]["支出/项目"])
            if not any(isinstance(v, str) and NUM.match(v) for v in own.values()):
                continue
            if row.get("code"):
                assert row["code"] in codes, (truth["id"], row["code"])
            elif row.get("name"):
                assert squeeze(row["name"]) in names, (truth["id"], row["name"])


def test_empty_tables_are_recorded_with_their_note() -> None:
    ex = extraction_of(SAMPLE_PDF.name)
    empty = {t.table_type: t for t in ex.tables if t.empty}
    assert set(empty) == {"gov_fund", "soe_capital"}
    assert "没有使用政府性基金" in (empty["gov_fund"].note or "")
    assert "没有使用国有资本经营预算" in (empty["soe_capital"].note or "")


def test_report_identity() -> None:
    ident = extraction_of(SAMPLE_PDF.name).identity
    truth = TRUTH["report"]
    assert ident.department == truth["department"]
    assert ident.department_code == truth["department_code"]
    assert list(ident.unit_codes) == truth["unit_codes"]
    assert ident.fiscal_year == truth["fiscal_year"]
    assert ident.report_kind == "unit_budget"
    assert ident.money_unit == truth["money_unit"]


def test_performance_text_cells_stay_text() -> None:
    ex = extraction_of(SAMPLE_PDF.name)
    cells = [c for t in ex.tables if t.table_type == "overall_performance" for c in t.cells
             if c.kind == "indicator"]
    by_name = {(c.block, c.row_name, c.column_name): c.raw_text for c in cells}
    assert by_name[("长期目标1", "服务对象满意度测评", "指标值")] == "≥95%"
    assert by_name[("长期目标1", "高新技术产值增长率", "指标值")] == "显著提高"
    assert by_name[("年度目标1", "高新技术企业新增数", "指标值/近两年指标值/2023年")] == "78"
    assert by_name[("年度目标1", "高新技术企业新增数", "指标值/预期当年实现值")] == "≥75"
    # a name split by the page break is rejoined
    assert ("长期目标2", "科技成果转化对接活动", "指标值") in by_name
    assert all(c.amount is None for c in cells)  # targets are text, never amounts


def test_performance_indicators_equal_the_golden_file() -> None:
    """Every indicator of the forms' 指标 tables (440 texts), by block, indicator and header path, as the golden
    file gives them: merged labels cut by a page break and headers split across pages included."""
    ex = extraction_of(SAMPLE_PDF.name)
    got = {(t.table_no, squeeze(c.block), squeeze(c.row_name), squeeze(c.column_name)): squeeze(c.raw_text)
           for t in ex.tables for c in t.cells if c.kind == "indicator"}
    numbers = {"T11": "表11", "T12_1": "表12-1", "T12_2": "表12-2"}
    expected = {(numbers[table["id"]], squeeze(block["title"]), squeeze(row["name"]), squeeze(col)): squeeze(val)
                for table in TRUTH["tables"] for block in table.get("sections", {}).get("indicator_tables", [])
                for row in block["rows"] for col, val in row["values"].items()}
    assert len(expected) == 440
    wrong = {k: (v, got.get(k)) for k, v in expected.items() if got.get(k) != v}
    assert not wrong, list(wrong.items())[:5]


def test_printed_totals_equal_the_sums_of_their_rows() -> None:
    """合计 = Σ top-level codes and parent = Σ children, in every coded table, within rounding."""
    ex = extraction_of(SAMPLE_PDF.name)
    checks = [s for t in ex.tables for s in sum_checks(t)]
    assert len(checks) >= 100
    broken = [s for s in checks if not s.holds]
    assert not broken, broken[:5]
    # the rounding gaps listed in identities.md are found, with their difference
    gaps = {(s.table, s.row, s.column): s.difference for s in checks if s.difference}
    assert gaps[("表6一般公共预算基本支出表", "302", "本年一般公共预算基本支出/合计")] == Decimal("-0.01")
    assert gaps[("表5-1一般公共预算支出表(分功能科目)", "合计", "基本支出/人员经费")] == Decimal("0.01")
    assert gaps[("表5-1一般公共预算支出表(分功能科目)", "20601", "基本支出/公用经费")] == Decimal("-0.01")


def test_side_by_side_totals_balance() -> None:
    """表1: 收入总计 = 支出总计, and both sides add up."""
    ex = extraction_of(SAMPLE_PDF.name)
    summary = next(t for t in ex.tables if t.table_type == "summary")
    income = {c.row_name: c.amount for c in summary.cells if c.column_name == "收入/预算数"}
    spend = {c.row_name: c.amount for c in summary.cells if c.column_name == "支出/预算数"}
    assert income["收入总计"] == spend["支出总计"] == Decimal("1272.07")
    items = [v for k, v in income.items() if re.match(r"^[一二三四五六七八九]、", k or "")]
    assert sum(items) == income["本年收入合计"]  # type: ignore[arg-type]
    classes = [v for k, v in spend.items() if re.match(r"^[一二三四五六七八九十廿]+、", k or "")]
    assert len(classes) == 25 and sum(classes) == spend["本年支出合计"]  # type: ignore[arg-type]
