"""The conformed stage: a star schema built from a report's extracted cells, in DuckDB SQL.

Facts live in schema `conformed` (every report, quarantined ones included); the analyst views
in schema `budget` show loaded reports only. Every fact row keeps its lineage
(report_id, table_seq, row_seq, column_seq), so nothing can be lost or doubled between stages
without the stage-preservation identity noticing. Functional (2xx) and economic (3xx) codes
live in separate dimensions and are never compared.
"""

from __future__ import annotations

import duckdb

# (table, Chinese term, columns with their comments)
_MONEY = "amount DECIMAL(24, 6), unit VARCHAR, amount_yuan DECIMAL(30, 6)"
_LINEAGE = "report_id VARCHAR NOT NULL, table_seq INTEGER, row_seq INTEGER, column_seq INTEGER"

FACTS: dict[str, tuple[str, str, str]] = {
    "fact_summary_lines": ("收支总表 lines: income items and expenditure classes, side by side", "收支总表",
                           f"{_LINEAGE}, table_type VARCHAR, side VARCHAR, item VARCHAR, is_total BOOLEAN, "
                           f"measure VARCHAR, {_MONEY}"),
    "fact_income": ("Income by source, per unit or per function code", "收入",
                    f"{_LINEAGE}, row_code VARCHAR, row_name VARCHAR, is_total BOOLEAN, source VARCHAR, {_MONEY}"),
    "fact_expenditure_by_function": (
        "Expenditure by functional classification code, by fund and measure", "支出功能分类",
        f"{_LINEAGE}, table_type VARCHAR, fund VARCHAR, function_code VARCHAR, function_name VARCHAR, "
        f"is_total BOOLEAN, measure VARCHAR, column_name VARCHAR, {_MONEY}"),
    "fact_expenditure_by_unit": ("Expenditure by budget unit", "分单位支出",
                                 f"{_LINEAGE}, unit_code VARCHAR, unit_name VARCHAR, is_total BOOLEAN, "
                                 f"measure VARCHAR, column_name VARCHAR, {_MONEY}"),
    "fact_basic_by_economic": ("Expenditure by economic classification code: basic expenditure, office costs, and the "
                               "project expenditure of the tables that print it by economic class (measure)",
                               "支出经济分类",
                               f"{_LINEAGE}, table_type VARCHAR, fund VARCHAR, economic_code VARCHAR, "
                               f"economic_name VARCHAR, is_total BOOLEAN, measure VARCHAR, column_name VARCHAR, "
                               f"{_MONEY}"),
    "fact_three_public": ("The three public expenses (and, where printed with them, meetings, training and "
                          "office operating costs)", "三公经费",
                          f"{_LINEAGE}, table_type VARCHAR, item VARCHAR, {_MONEY}"),
    "fact_projects": ("Projects by funding source", "项目支出",
                      f"{_LINEAGE}, project_name VARCHAR, is_total BOOLEAN, funding_source VARCHAR, {_MONEY}, "
                      "row_level INTEGER"),
    "fact_performance_funding": ("Funding blocks of the performance-target forms", "绩效目标表资金",
                                 f"{_LINEAGE}, table_type VARCHAR, form VARCHAR, item VARCHAR, "
                                 f"column_name VARCHAR, {_MONEY}"),
    "fact_other_amounts": ("Amounts of tables of other kinds (procurement, unrecognised tables)", "其他金额",
                           f"{_LINEAGE}, table_type VARCHAR, row_code VARCHAR, row_name VARCHAR, "
                           f"column_name VARCHAR, {_MONEY}"),
}

OTHER_TABLES: dict[str, tuple[str, str, str]] = {
    "performance_indicators": (
        "Performance indicators: targets as printed text and the values of previous years", "绩效指标",
        "report_id VARCHAR NOT NULL, table_seq INTEGER, row_seq INTEGER, table_type VARCHAR, form VARCHAR, "
        "goal VARCHAR, level1 VARCHAR, level2 VARCHAR, indicator VARCHAR, target VARCHAR, "
        "value_previous_year VARCHAR, value_two_years_ago VARCHAR, basis VARCHAR, page INTEGER"),
    "dim_function_subjects": ("Functional classification subjects (类/款/项)", "支出功能分类科目",
                              "function_code VARCHAR PRIMARY KEY, function_name VARCHAR, level VARCHAR, "
                              "parent_code VARCHAR"),
    "dim_economic_subjects": ("Economic classification subjects (类/款)", "支出经济分类科目",
                              "economic_code VARCHAR PRIMARY KEY, economic_name VARCHAR, level VARCHAR, "
                              "parent_code VARCHAR"),
    "dim_units": ("Departments and budget units named in a report", "部门/单位",
                  "report_id VARCHAR NOT NULL, unit_code VARCHAR, unit_name VARCHAR, kind VARCHAR"),
}

COLUMN_COMMENTS: dict[str, str] = {
    "report_id": "Report id (报告), from the SHA-256 of the PDF",
    "table_seq": "Order of the table in the report",
    "row_seq": "Row of the table body",
    "column_seq": "Column of the table",
    "table_type": "Table type (表类型), e.g. expenditure = 部门支出总表",
    "side": "income (收入) or expenditure (支出)",
    "item": "The printed line or item (项目)",
    "is_total": "A 合计/总计 line (合计)",
    "measure": "total (合计), basic (基本支出), personnel (人员经费), public (公用经费), project (项目支出), or the header",
    "amount": "Amount as printed, in `unit` (金额)",
    "unit": "Printed unit of the table (单位: 元/万元)",
    "amount_yuan": "Amount in yuan (元)",
    "row_code": "Code printed on the row (编码)",
    "row_name": "Name printed on the row (名称)",
    "source": "Income source column (收入来源)",
    "fund": "all (全部), general_public (一般公共预算), gov_fund (政府性基金), soe_capital (国有资本经营), fiscal (财政拨款)",
    "function_code": "Functional classification code (功能分类科目编码): 3/5/7 digits",
    "function_name": "Functional subject name (功能分类科目名称)",
    "column_name": "Leaf header path as printed (表头)",
    "unit_code": "Department or unit code (单位编码)",
    "unit_name": "Department or unit name (单位名称)",
    "economic_code": "Economic classification code (经济分类科目编码): 3/5 digits",
    "economic_name": "Economic subject name (经济分类科目名称)",
    "project_name": "Project (项目名称)",
    "funding_source": "Funding source column (资金来源)",
    "form": "The performance form (绩效目标表) title",
    "goal": "The goal an indicator belongs to (绩效目标)",
    "level1": "Level-1 indicator (一级指标)",
    "level2": "Level-2 indicator (二级指标)",
    "indicator": "Level-3 indicator (三级指标)",
    "target": "Target value as printed (指标值)",
    "value_previous_year": "Value of the previous year as printed (上年/近两年指标值)",
    "value_two_years_ago": "Value two years before as printed (前年)",
    "basis": "Basis of the target (指标值确定依据)",
    "page": "Page of the PDF",
    "level": "类 / 款 / 项",
    "parent_code": "Code of the parent subject",
    "kind": "department (部门) or unit (单位)",
    "row_level": "Depth shown by indentation: 0 department, 1 unit, 2 category, 3 project (项目层级)",
}

FUNCTION_TABLES = ("expenditure", "general_public_by_function", "gov_fund", "soe_capital", "fiscal_expenditure")
ECONOMIC_TABLES = ("general_public_basic_by_economic", "fiscal_basic_by_economic", "office_operation",
                   "general_public_by_economic", "basic_expenditure")
THREE_PUBLIC = ("three_public", "three_public_and_office_operation", "three_public_meetings_training")
_ROUTED = ("summary", "fiscal_summary", "income", "general_public_by_unit", "projects", "overall_performance",
           "project_performance") + FUNCTION_TABLES + ECONOMIC_TABLES + THREE_PUBLIC

_MEASURE = """CASE
    WHEN regexp_matches(column_name, '(^|/)(合计|总计)$') THEN 'total'
    WHEN regexp_matches(column_name, '(^|/)基本支出(/小计|/合计)?$') THEN 'basic'
    WHEN regexp_matches(column_name, '人员经费$') THEN 'personnel'
    WHEN regexp_matches(column_name, '公用经费$') THEN 'public'
    WHEN regexp_matches(column_name, '(^|/)项目支出$') THEN 'project'
    ELSE column_name END"""
_FUND = """CASE table_type WHEN 'expenditure' THEN 'all' WHEN 'basic_expenditure' THEN 'all'
    WHEN 'general_public_by_function' THEN 'general_public' WHEN 'gov_fund' THEN 'gov_fund'
    WHEN 'soe_capital' THEN 'soe_capital' WHEN 'general_public_basic_by_economic' THEN 'general_public'
    WHEN 'general_public_by_economic' THEN 'general_public' ELSE 'fiscal' END"""
_IS_TOTAL = "(row_kind = 'total' AND row_code IS NULL)"
_BASE = "report_id, table_seq, row_seq, column_seq"
_AMOUNTS = "amount, unit, amount_yuan"


# The column of a table that holds each row's total (合计 | 总计 | 本年支出合计, a 小计 not under 基本/项目支出, or the
# table's only amount: 金额 | 预算数 | 决算数), never last year's (上年, 执行数) or a change (增减)
_SERIES_RANK = """CASE
    WHEN regexp_matches(column_name, '上年|执行数|增减|增长|比上年|变动|扣除') THEN NULL
    WHEN regexp_matches(column_name, '(^|/)(合计|总计|支出总计|本年支出合计)$') THEN 1
    WHEN regexp_matches(column_name, '(^|/)小计$')
         AND NOT regexp_matches(column_name, '(基本支出|项目支出|人员经费|公用经费)/小计$') THEN 2
    WHEN regexp_matches(column_name, '(^|/)(金额|预算数|决算数)$') THEN 3 END"""
SERIES_SQL = f"""CREATE OR REPLACE VIEW budget.series AS
WITH figures AS (
    SELECT report_id, table_seq, row_seq, column_seq, table_type, fund, 'function' AS classification,
           function_code AS code, function_name AS name, column_name, amount_yuan
    FROM conformed.fact_expenditure_by_function
    WHERE function_code IS NOT NULL AND table_type IN ('expenditure', 'general_public_by_function')
    UNION ALL
    SELECT report_id, table_seq, row_seq, column_seq, table_type, fund, 'economic', economic_code, economic_name,
           column_name, amount_yuan
    FROM conformed.fact_basic_by_economic
    WHERE economic_code IS NOT NULL AND table_type = 'general_public_basic_by_economic'
), ranked AS (
    SELECT *, {_SERIES_RANK} AS rank FROM figures
), chosen AS (
    SELECT report_id, table_seq, arg_min(column_name, rank * 1000 + column_seq) AS column_name
    FROM ranked WHERE rank IS NOT NULL GROUP BY report_id, table_seq
)
SELECT r.department AS body, r.body_key, r.fiscal_year AS year,
       CASE WHEN r.report_kind LIKE '%final' THEN 'final' ELSE 'budget' END AS kind, r.report_kind,
       f.classification, f.code, f.name, f.fund, f.table_type, f.column_name, f.amount_yuan, f.report_id,
       f.table_seq, f.row_seq
FROM ranked f JOIN chosen c USING (report_id, table_seq, column_name)
JOIN budget.current_reports r USING (report_id)
-- the first table of each type; a code printed on two rows of it is left out (which one is meant is unclear)
QUALIFY dense_rank() OVER (PARTITION BY f.report_id, f.table_type ORDER BY f.table_seq) = 1
    AND count(*) OVER (PARTITION BY f.report_id, f.table_seq, f.code) = 1
"""


def _view_sql(name: str) -> str:
    if name.startswith("dim_function") or name.startswith("dim_economic"):
        return f"SELECT * FROM conformed.{name}"
    return (f"SELECT r.department, r.fiscal_year, r.report_kind, f.* FROM conformed.{name} f "
            f"JOIN budget.current_reports r USING (report_id)")


VIEW_NAMES = {
    "fact_summary_lines": "summary_lines", "fact_income": "income_by_source",
    "fact_expenditure_by_function": "expenditure_by_function", "fact_expenditure_by_unit": "expenditure_by_unit",
    "fact_basic_by_economic": "basic_expenditure_by_economic", "fact_three_public": "three_public_expenses",
    "fact_projects": "projects", "fact_performance_funding": "performance_funding",
    "fact_other_amounts": "other_amounts", "performance_indicators": "performance_indicators",
    "dim_function_subjects": "function_subjects", "dim_economic_subjects": "economic_subjects",
    "dim_units": "units",
}


def ensure_conformed_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the conformed tables, their comments and the analyst views (idempotent)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS conformed")
    for name, (english, chinese, columns) in {**FACTS, **OTHER_TABLES}.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS conformed.{name} ({columns})")
        if name == "fact_projects":
            con.execute("ALTER TABLE conformed.fact_projects ADD COLUMN IF NOT EXISTS row_level INTEGER")
        con.execute(f"COMMENT ON TABLE conformed.{name} IS '{english} ({chinese})'")
        for col in [c.strip().split(" ")[0] for c in columns.split(",")]:
            if col in COLUMN_COMMENTS:
                con.execute(f"COMMENT ON COLUMN conformed.{name}.{col} IS '{COLUMN_COMMENTS[col]}'")
        view = VIEW_NAMES[name]
        con.execute(f"CREATE OR REPLACE VIEW budget.{view} AS {_view_sql(name)}")
        con.execute(f"COMMENT ON VIEW budget.{view} IS '{english} ({chinese}); current loaded reports only'")
    con.execute("""CREATE OR REPLACE VIEW budget.narrative_claims AS
        SELECT r.department, r.fiscal_year, r.report_kind, c.report_id, c.seq, c.page, c.subject, c.kind, c.value,
               c.unit, c.raw, c.base_seq, c.sentence
        FROM extracted.claims c JOIN budget.current_reports r USING (report_id)""")
    con.execute("COMMENT ON VIEW budget.narrative_claims IS 'Figures stated in the prose (情况说明): amount, change "
                "(比上年增减), change_pct, share_pct; current loaded reports only'")
    con.execute(SERIES_SQL)
    con.execute("COMMENT ON VIEW budget.series IS 'One figure per body, year, kind (budget | final), classification "
                "and code, in yuan, from each report''s own total column: budget against final, year against year; "
                "current loaded reports only'")
    con.execute("""CREATE OR REPLACE VIEW conformed.all_amounts AS
        SELECT report_id, table_seq, amount FROM conformed.fact_summary_lines
        UNION ALL SELECT report_id, table_seq, amount FROM conformed.fact_income
        UNION ALL SELECT report_id, table_seq, amount FROM conformed.fact_expenditure_by_function
        UNION ALL SELECT report_id, table_seq, amount FROM conformed.fact_expenditure_by_unit
        UNION ALL SELECT report_id, table_seq, amount FROM conformed.fact_basic_by_economic
        UNION ALL SELECT report_id, table_seq, amount FROM conformed.fact_three_public
        UNION ALL SELECT report_id, table_seq, amount FROM conformed.fact_projects
        UNION ALL SELECT report_id, table_seq, amount FROM conformed.fact_performance_funding
        UNION ALL SELECT report_id, table_seq, amount FROM conformed.fact_other_amounts""")
    con.execute("COMMENT ON VIEW conformed.all_amounts IS 'Every conformed amount with its table, "
                "for the stage-preservation identity'")


def delete_conformed(con: duckdb.DuckDBPyConnection, report_id: str) -> None:
    for name in list(FACTS) + ["performance_indicators", "dim_units"]:
        con.execute(f"DELETE FROM conformed.{name} WHERE report_id = ?", [report_id])


def _two_years(label: str, pick: str) -> str:
    """SQL for an indicator's value of an earlier year: the column headed 上年/前年, or else the first (min) or
    last (max) of the two 近两年指标值 columns, years descending as printed, even when a year's sub-header
    was left empty."""
    return f"""coalesce(max(c.raw_text) FILTER (WHERE regexp_matches(c.column_name, '/{label}$')),
                max(c.raw_text) FILTER (WHERE c.column_seq = (
                    SELECT {pick}(column_seq) FROM extracted.cells x
                    WHERE x.report_id = c.report_id AND x.table_seq = c.table_seq AND x.row_seq = c.row_seq
                      AND regexp_matches(x.column_name, '近两年指标值') HAVING count(*) = 2)))"""


def conform_report(con: duckdb.DuckDBPyConnection, report_id: str) -> dict[str, int]:
    """Rebuild the report's conformed rows from budget.line_items and extracted.cells.
    The caller owns the transaction."""
    delete_conformed(con, report_id)
    li = "(SELECT * FROM budget.line_items WHERE report_id = $rid)"
    types = ", ".join(f"'{t}'" for t in _ROUTED)
    statements = [
        f"""INSERT INTO conformed.fact_summary_lines
            SELECT {_BASE}, table_type,
                   CASE WHEN regexp_matches(column_name, '支出') THEN 'expenditure' ELSE 'income' END,
                   row_name, {_IS_TOTAL} OR regexp_matches(coalesce(row_name, ''), '(合计|总计)$'), column_name, {_AMOUNTS}
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
        f"""INSERT INTO conformed.fact_three_public
            SELECT {_BASE}, table_type, column_name, {_AMOUNTS}
            FROM {li} WHERE table_type IN ({", ".join(f"'{t}'" for t in THREE_PUBLIC)})""",
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
                   max(c.raw_text) FILTER (WHERE regexp_matches(c.column_name, '一级指标$')),
                   max(c.raw_text) FILTER (WHERE regexp_matches(c.column_name, '二级指标$')),
                   any_value(c.row_name),
                   coalesce(max(c.raw_text) FILTER (WHERE regexp_matches(c.column_name, '(预期|预计)当年实现(值)?$')),
                            max(c.raw_text) FILTER (WHERE c.column_name = '指标值')),
                   {_two_years("上年", "min")},
                   {_two_years("前年", "max")},
                   max(c.raw_text) FILTER (WHERE regexp_matches(c.column_name, '依据$')),
                   min(c.page)
            FROM extracted.cells c JOIN extracted.tables t USING (report_id, table_seq)
            WHERE c.report_id = $rid AND c.kind = 'indicator'
            GROUP BY c.report_id, c.table_seq, c.row_seq, t.table_type, t.title""",
        """INSERT INTO conformed.dim_units
            SELECT DISTINCT report_id, row_code, row_name,
                   CASE WHEN length(row_code) <= 3 THEN 'department' ELSE 'unit' END
            FROM budget.line_items l
            WHERE report_id = $rid AND row_code IS NOT NULL
              AND table_seq IN (SELECT table_seq FROM extracted.tables t WHERE t.report_id = l.report_id
                                AND list_contains(list_transform(t.header, lambda h: regexp_matches(h,
                                    '(单位|部门)[（(]?(单位)?[)）]?(代码|编码)$') AND NOT contains(h, '科目')), true))""",
    ]
    for sql in statements:
        con.execute(sql, {"rid": report_id})
    _refresh_subjects(con, report_id)
    counts = con.execute("SELECT count(*) FROM conformed.all_amounts WHERE report_id = ?", [report_id]).fetchone()
    return {"conformed_amounts": int(counts[0]) if counts else 0}


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
