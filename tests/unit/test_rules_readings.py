"""A table's reading is confirmed by its own arithmetic before the document is blamed (yusuan/reading.py,
yusuan/checks/confirm.py): a column read wrongly is read again, a single misprinted figure is still an error,
a table that adds up under no reading is one warning (not a row of errors), and a report with a real break
is loaded with its finding counted."""

from __future__ import annotations

from decimal import Decimal

import duckdb
from build import catalog, report, table

from yusuan.checks.evaluate import evaluate_tables
from yusuan.checks.results import record_verdict, report_verdict, result_rows
from yusuan.model import Extraction
from yusuan.reading import confirm_readings
from yusuan.schema import ensure_schema

GUANGZHOU = ["科目编码", "科目名称", "一般公共预算支出/小计", "一般公共预算支出/其中：基本支出", "一般公共预算支出/项目支出"]
ROWS = [["201", "一般公共服务支出", "3,944.08", "3,204.78", "739.30"],
        ["20101", "人大事务", "1,859.41", "1,831.41", "28.00"],
        ["20102", "政协事务", "2,084.67", "1,373.37", "711.30"],
        ["", "合计", "3,944.08", "3,204.78", "739.30"]]


def _confirmed(*tables: object) -> Extraction:
    built = report(*tables)  # type: ignore[arg-type]
    extraction = Extraction(identity=built.identity, tables=built.tables, narrative=[])
    confirm_readings(extraction, catalog())
    return extraction


def _extracted_stage(extraction: Extraction) -> list[object]:
    found, _ = evaluate_tables(report(*extraction.tables), catalog().for_stage("extracted"))
    return found


def test_a_column_read_wrongly_is_caught_and_read_again() -> None:
    """小计 | 其中：基本支出 | 项目支出: read as a memo, 其中：基本支出 leaves 小计 = 项目支出 failing on every row; the
    reading in which 其中 spans the breakdown adds up, and is kept."""
    extraction = _confirmed(table("general_public_by_function", GUANGZHOU, ROWS, no="表5"))
    t = extraction.tables[0]
    assert (t.confirmation, t.reading) == ("confirmed", "memo_first_is_part")
    sums = [i for i in _extracted_stage(extraction) if i.identity == "total_column_equals_sum_of_its_parts"]
    assert len(sums) == 4 and {i.outcome for i in sums} == {"pass"}
    assert sums[0].instance.endswith("小计 = 一般公共预算支出/其中：基本支出 + 一般公共预算支出/项目支出")
    said = [i for i in _extracted_stage(extraction) if i.identity == "table_reading_is_confirmed"]
    assert [(i.outcome, i.table_no, i.instance) for i in said] == [
        ("pass", "表5", "表5 adds up under our reading (memo_first_is_part)")]


def test_a_single_misprinted_figure_is_still_an_error() -> None:
    rows = [list(r) for r in ROWS]
    rows[1][4] = "29.00"  # one figure off by 1.00: its row, its parent and its column break, nothing else
    extraction = _confirmed(table("general_public_by_function", GUANGZHOU, rows, no="表5"))
    assert extraction.tables[0].confirmation == "confirmed"
    failing = [i for i in _extracted_stage(extraction) if i.outcome == "fail"]
    assert [(i.identity, i.difference) for i in failing] == [
        ("total_column_equals_sum_of_its_parts", Decimal("-1.00")),
        ("function_class_equals_sum_of_its_subitems", Decimal("-1.00"))]
    assert all(i.severity == "error" for i in failing)


def test_a_table_shifted_by_one_column_is_one_warning_not_a_row_of_errors() -> None:
    header = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
    # every 项目支出 printed one column to the left, over 基本支出: no reading of the header makes the rows add up
    rows = [["201", "一般公共服务支出", "100.00", "40.00", ""], ["20101", "人大事务", "60.00", "10.00", ""],
            ["20102", "政协事务", "40.00", "30.00", ""], ["205", "教育支出", "50.00", "20.00", ""],
            ["", "合计", "150.00", "60.00", ""]]
    extraction = _confirmed(table("expenditure", header, rows, no="表3"))
    t = extraction.tables[0]
    assert t.confirmation == "unconfirmed" and "total_column_equals_sum_of_its_parts" in (t.confirmation_reason or "")
    found = _extracted_stage(extraction)
    assert [i.outcome for i in found if i.severity == "error" and i.outcome == "fail"] == []
    doubted = [i for i in found if i.identity == "total_column_equals_sum_of_its_parts"]
    assert doubted and all(i.outcome == "not_evaluated" and i.not_evaluated.startswith("reading not confirmed")
                           for i in doubted)
    warnings = [i for i in found if i.identity == "table_reading_is_confirmed"]
    assert [(i.outcome, i.severity, i.table_no) for i in warnings] == [("fail", "warn", "表3")]


def _warehouse_with(extraction: Extraction) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_schema(con)
    con.execute("INSERT INTO budget.reports (report_id, file_name, sha256, status, ingested_at) "
                "VALUES ('r0000000000000001', 'built.pdf', 'ab', 'registered', now())")
    for t in extraction.tables:
        con.execute("INSERT INTO extracted.tables (report_id, table_seq, table_type, table_no, first_page, "
                    "confirmation, confirmation_reason) VALUES ('r0000000000000001', ?, ?, ?, 1, ?, ?)",
                    [t.seq, t.table_type, t.table_no, t.confirmation, t.confirmation_reason])
    from yusuan.checks.results import RESULT_COLUMNS
    from yusuan.warehouse import insert_rows

    insert_rows(con, "budget.check_results", RESULT_COLUMNS,
                result_rows([("r0000000000000001", i) for i in _extracted_stage(extraction)]))  # type: ignore[misc]
    return con


def test_a_report_with_a_real_break_is_loaded_with_its_finding_counted() -> None:
    rows = [list(r) for r in ROWS]
    rows[1][4] = "29.00"
    extraction = _confirmed(table("expenditure", GUANGZHOU, rows, no="表3"))
    con = _warehouse_with(extraction)
    verdict = report_verdict(con, "r0000000000000001", None, {"expenditure"})
    assert (verdict.status, verdict.errors, verdict.tables_confirmed, verdict.tables_unconfirmed) == ("loaded", 2, 1, 0)
    assert "2 strict identities broken beyond rounding" in (verdict.reason or "")
    record_verdict(con, "r0000000000000001", verdict)
    assert con.execute("SELECT status, errors FROM budget.reports").fetchone() == ("loaded", 2)


def test_a_core_table_whose_reading_is_not_confirmed_quarantines_the_report() -> None:
    header = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
    rows = [["201", "一般公共服务支出", "100.00", "40.00", ""], ["20101", "人大事务", "60.00", "10.00", ""],
            ["20102", "政协事务", "40.00", "30.00", ""], ["", "合计", "100.00", "40.00", ""]]
    con = _warehouse_with(_confirmed(table("expenditure", header, rows, no="表3")))
    verdict = report_verdict(con, "r0000000000000001", None, {"expenditure"})
    assert verdict.status == "quarantined" and verdict.tables_unconfirmed == 1
    assert (verdict.reason or "").startswith("the reading of 表3 (expenditure), page 1, is not confirmed")
    # the same table, were its type not a core one, leaves the report loaded, the table out of the views
    assert report_verdict(con, "r0000000000000001", None, {"summary"}).status == "loaded"
