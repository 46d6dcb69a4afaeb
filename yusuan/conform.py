"""The conformed stage: a star schema built from a report's extracted cells, in DuckDB SQL.

Facts live in schema `conformed` (every report, quarantined ones included); the analyst views
in schema `budget` show loaded reports only. Every fact row keeps its lineage
(report_id, table_seq, row_seq, column_seq), so nothing can be lost or doubled between stages
without the stage-preservation identity noticing. Functional (2xx) and economic (3xx) codes
live in separate dimensions and are never compared.
"""

from __future__ import annotations

import re

import duckdb

from yusuan.schema import FACTS, sql_text
from yusuan.three_public import meaning, prints_others
from yusuan.vocabulary import vocabulary

FUNCTION_TABLES = ("expenditure", "general_public_by_function", "gov_fund", "soe_capital", "fiscal_expenditure")
ECONOMIC_TABLES = ("general_public_basic_by_economic", "fiscal_basic_by_economic", "office_operation",
                   "general_public_by_economic", "basic_expenditure")
THREE_PUBLIC = ("three_public", "three_public_and_office_operation", "three_public_meetings_training")
_ROUTED = ("summary", "fiscal_summary", "income", "general_public_by_unit", "projects", "overall_performance",
           "project_performance") + FUNCTION_TABLES + ECONOMIC_TABLES + THREE_PUBLIC

# The measure of an amount column, by its header (the first that matches: vocabulary.yaml, words measure_*), else
# the header itself; and the fund a function or economic table spends, by its type. Python and SQL read the same
# two tables.
MEASURES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (measure, vocabulary().word(f"measure_{measure}")) for measure in ("total", "basic", "personnel", "public", "project"))
FUNDS: dict[str, str] = {"expenditure": "all", "basic_expenditure": "all", "general_public_by_function": "general_public",
                         "gov_fund": "gov_fund", "soe_capital": "soe_capital",
                         "general_public_basic_by_economic": "general_public", "general_public_by_economic": "general_public"}
OTHER_FUND = "fiscal"  # 财政拨款 tables
TOTAL_ROW = vocabulary().word("total_or_grand_total")  # 合计, 总计


def measure_of(column: str) -> str:
    """total | basic | personnel | public | project, or the header itself."""
    return next((measure for measure, pattern in MEASURES if pattern.search(column)), column)


def fund_of(table_type: str | None) -> str:
    """all | general_public | gov_fund | soe_capital | fiscal: whose money a function or economic table spends."""
    return FUNDS.get(table_type or "", OTHER_FUND)


_MEASURE = "CASE " + " ".join(f"WHEN regexp_matches(column_name, {sql_text(pattern)}) THEN '{measure}'"
                              for measure, pattern in MEASURES) + " ELSE column_name END"
_FUND = "CASE table_type " + " ".join(f"WHEN '{t}' THEN '{f}'" for t, f in FUNDS.items()) + f" ELSE '{OTHER_FUND}' END"
_IS_TOTAL = "(row_kind = 'total' AND row_code IS NULL)"
_BASE = "report_id, table_seq, row_seq, column_seq"
_AMOUNTS = "amount, unit, amount_yuan"


def delete_conformed(con: duckdb.DuckDBPyConnection, report_id: str) -> None:
    for name in list(FACTS) + ["performance_indicators", "dim_units"]:
        con.execute(f"DELETE FROM conformed.{name} WHERE report_id = ?", [report_id])


def _two_years(word: str, pick: str) -> str:
    """SQL for an indicator's value of an earlier year: the column headed 上年/前年, or else the first (min) or
    last (max) of the two 近两年指标值 columns, years descending as printed, even when a year's sub-header
    was left empty."""
    w = vocabulary().word
    return f"""coalesce(max(c.raw_text) FILTER (WHERE regexp_matches(c.column_name, {sql_text(w(word))})),
                max(c.raw_text) FILTER (WHERE c.column_seq = (
                    SELECT {pick}(column_seq) FROM extracted.cells x
                    WHERE x.report_id = c.report_id AND x.table_seq = c.table_seq AND x.row_seq = c.row_seq
                      AND regexp_matches(x.column_name, {sql_text(w("indicator_two_previous_years"))})
                    HAVING count(*) = 2)))"""


def conform_report(con: duckdb.DuckDBPyConnection, report_id: str) -> dict[str, int]:
    """Rebuild the report's conformed rows from budget.line_items and extracted.cells.
    The caller owns the transaction."""
    delete_conformed(con, report_id)
    li = "(SELECT * FROM budget.line_items WHERE report_id = $rid)"
    types = ", ".join(f"'{t}'" for t in _ROUTED)
    w = vocabulary().word
    statements = [
        f"""INSERT INTO conformed.fact_summary_lines
            SELECT {_BASE}, table_type,
                   CASE WHEN regexp_matches(column_name, {sql_text(w("summary_expenditure_column"))})
                        THEN 'expenditure' ELSE 'income' END,
                   row_name, {_IS_TOTAL} OR regexp_matches(coalesce(row_name, ''), {sql_text(w("total_or_grand_total"))}),
                   column_name, {_AMOUNTS}
            FROM {li} WHERE table_type IN ('summary', 'fiscal_summary')""",
        f"""INSERT INTO conformed.fact_income
            SELECT {_BASE}, row_code, row_name, {_IS_TOTAL}, column_name, {_AMOUNTS}
            FROM {li} WHERE table_type = 'income'""",
        f"""INSERT INTO conformed.fact_expenditure_by_function
            SELECT {_BASE}, table_type, {_FUND}, row_code, row_name, {_IS_TOTAL}, {_MEASURE}, column_name, {_AMOUNTS}
            FROM {li} WHERE table_type IN ({", ".join(f"'{t}'" for t in FUNCTION_TABLES)})""",
        f"""INSERT INTO conformed.fact_expenditure_by_unit
            SELECT {_BASE}, row_code, row_name, {_IS_TOTAL}, {_MEASURE}, column_name, {_AMOUNTS}
            FROM {li} WHERE table_type = 'general_public_by_unit'""",
        f"""INSERT INTO conformed.fact_basic_by_economic
            SELECT {_BASE}, table_type, {_FUND}, row_code, row_name, {_IS_TOTAL},
                   CASE WHEN table_type = 'office_operation' THEN 'office_operation' ELSE {_MEASURE} END,
                   column_name, {_AMOUNTS}
            FROM {li} WHERE table_type IN ({", ".join(f"'{t}'" for t in ECONOMIC_TABLES)})""",
        f"""INSERT INTO conformed.fact_projects
            SELECT {_BASE}, row_name, row_kind = 'total', column_name, {_AMOUNTS}, row_level
            FROM {li} WHERE table_type = 'projects'""",
        f"""INSERT INTO conformed.fact_performance_funding
            SELECT l.report_id, l.table_seq, l.row_seq, l.column_seq, l.table_type, t.title, l.row_name,
                   l.column_name, l.amount, l.unit, l.amount_yuan
            FROM {li} l JOIN extracted.tables t USING (report_id, table_seq)
            WHERE l.table_type IN ('overall_performance', 'project_performance')""",
        f"""INSERT INTO conformed.fact_other_amounts
            SELECT {_BASE}, table_type, row_code, row_name, column_name, {_AMOUNTS}
            FROM {li} WHERE table_type IS NULL OR table_type NOT IN ({types})""",
        f"""INSERT INTO conformed.performance_indicators
            SELECT c.report_id, c.table_seq, c.row_seq, t.table_type, t.title, any_value(c.block),
                   max(c.raw_text) FILTER (WHERE regexp_matches(c.column_name, {sql_text(w("indicator_level1"))})),
                   max(c.raw_text) FILTER (WHERE regexp_matches(c.column_name, {sql_text(w("indicator_level2"))})),
                   any_value(c.row_name),
                   coalesce(max(c.raw_text) FILTER (WHERE regexp_matches(c.column_name, {sql_text(w("indicator_target"))})),
                            max(c.raw_text) FILTER (WHERE regexp_matches(c.column_name, {sql_text(w("indicator_value"))}))),
                   {_two_years("indicator_previous_year", "min")},
                   {_two_years("indicator_two_years_ago", "max")},
                   max(c.raw_text) FILTER (WHERE regexp_matches(c.column_name, {sql_text(w("indicator_basis"))})),
                   min(c.page)
            FROM extracted.cells c JOIN extracted.tables t USING (report_id, table_seq)
            WHERE c.report_id = $rid AND c.kind = 'indicator'
            GROUP BY c.report_id, c.table_seq, c.row_seq, t.table_type, t.title""",
        f"""INSERT INTO conformed.dim_units
            SELECT DISTINCT report_id, row_code, row_name,
                   CASE WHEN length(row_code) <= 3 THEN 'department' ELSE 'unit' END
            FROM budget.line_items l
            WHERE report_id = $rid AND row_code IS NOT NULL
              AND table_seq IN (SELECT table_seq FROM extracted.tables t WHERE t.report_id = l.report_id
                                AND list_contains(list_transform(t.header, lambda h:
                                    regexp_matches(h, {sql_text(w("unit_code_header"))})
                                    AND NOT regexp_matches(h, {sql_text(w("subject_header"))})), true))""",
    ]
    for sql in statements:
        con.execute(sql, {"rid": report_id})
    _conform_three_public(con, report_id)
    _refresh_subjects(con, report_id)
    counts = con.execute("SELECT count(*) FROM conformed.all_amounts WHERE report_id = ?", [report_id]).fetchone()
    return {"conformed_amounts": int(counts[0]) if counts else 0}


_THREE_PUBLIC_COLUMNS = ["report_id", "table_seq", "row_seq", "column_seq", "table_type", "item", "amount", "unit",
                         "amount_yuan", "row_name", "column_name", "item_key", "item_printed", "is_total", "period",
                         "period_printed", "fund", "level", "page"]


def _conform_three_public(con: duckdb.DuckDBPyConnection, report_id: str) -> None:
    """The 三公 facts, each figure with what it is (yusuan.three_public): its row as printed (the row's name and
    its other words: 2025年, a unit), its item, period, fund and level."""
    found = con.execute(f"""
        SELECT l.table_seq, l.row_seq, l.column_seq, l.table_type, l.column_name, l.amount, l.unit, l.amount_yuan,
               l.row_name, l.row_kind, l.page,
               (SELECT string_agg(c.raw_text, ' / ' ORDER BY c.column_seq) FROM extracted.cells c
                WHERE c.report_id = l.report_id AND c.table_seq = l.table_seq AND c.row_seq = l.row_seq
                  AND c.kind = 'text' AND c.raw_text IS DISTINCT FROM l.row_name) AS words,
               r.fiscal_year, r.report_kind
        FROM budget.line_items l JOIN budget.reports r USING (report_id)
        WHERE l.report_id = ? AND l.table_type IN ({", ".join(f"'{t}'" for t in THREE_PUBLIC)})
        ORDER BY l.table_seq, l.row_seq, l.column_seq""", [report_id]).fetchall()
    with_total_row = {f[0] for f in found if f[9] == "total" or (f[8] and TOTAL_ROW.fullmatch(f[8]))}
    tables = {f[0] for f in found}
    beside_others = {t for t in tables if prints_others([f[8] or "" for f in found if f[0] == t],
                                                         [f[4] for f in found if f[0] == t])}
    rows: list[tuple[object, ...]] = []
    for (table_seq, row_seq, column_seq, table_type, column, amount, unit, yuan, name, row_kind, page, words,
         year, kind) in found:
        label = " / ".join(x for x in (name, words) if x)
        is_total_row = row_kind == "total" or bool(name and TOTAL_ROW.fullmatch(name))
        m = meaning(label, column, year, bool(kind and kind.endswith("final")), table_seq in with_total_row,
                    is_total_row, table_seq in beside_others)
        rows.append((report_id, table_seq, row_seq, column_seq, table_type, column, amount, unit, yuan,
                     label or None, column, m.item, label if m.item_from_row else column, m.item == "total",
                     m.period, m.period_printed, m.fund, "unit" if m.is_unit_row else "body", page))
    if rows:  # a few dozen figures a report
        con.executemany(f"INSERT INTO conformed.fact_three_public ({', '.join(_THREE_PUBLIC_COLUMNS)}) "
                        f"VALUES ({', '.join('?' * len(_THREE_PUBLIC_COLUMNS))})", rows)


def _refresh_subjects(con: duckdb.DuckDBPyConnection, report_id: str) -> None:
    """Add the report's function and economic subjects to their dimensions (first name seen wins)."""
    con.execute("""
        INSERT INTO conformed.dim_function_subjects
        SELECT function_code, any_value(function_name),
               CASE length(function_code) WHEN 3 THEN '类' WHEN 5 THEN '款' ELSE '项' END,
               CASE WHEN length(function_code) > 3 THEN left(function_code, length(function_code) - 2) END
        FROM conformed.fact_expenditure_by_function
        WHERE report_id = ? AND function_code IS NOT NULL AND function_name IS NOT NULL
        GROUP BY function_code
        ON CONFLICT DO NOTHING""", [report_id])
    con.execute("""
        INSERT INTO conformed.dim_economic_subjects
        SELECT economic_code, any_value(economic_name),
               CASE length(economic_code) WHEN 3 THEN '类' ELSE '款' END,
               CASE WHEN length(economic_code) > 3 THEN left(economic_code, 3) END
        FROM conformed.fact_basic_by_economic
        WHERE report_id = ? AND economic_code IS NOT NULL AND economic_name IS NOT NULL
        GROUP BY economic_code
        ON CONFLICT DO NOTHING""", [report_id])
