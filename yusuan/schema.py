"""The warehouse's schema, owned here alone: every table, view and comment, and the numbered migrations.

- schema `budget`: the analyst contract: `reports`, `line_items`, `check_results`, and the analyst views over
  the conformed facts (loaded reports, the newest publication of each);
- schema `extracted`: the extracted stage as read (tables, every cell, the prose and its claims);
- schema `conformed`: the star schema (facts, dimensions) of every report, quarantined ones included;
- schema `meta`: the migrations applied.

A change to a table is a new numbered migration (`MIGRATIONS`), applied once to a database that lacks it;
views and comments are (re)created by `ensure_schema`. The published warehouse (yusuan.publish) is views over
Parquet parts whose columns are read from a database made by this module.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import duckdb

from yusuan import dictionary
from yusuan.vocabulary import vocabulary


def sql_text(pattern: re.Pattern[str] | str) -> str:
    """A pattern of the vocabulary (or any text) as a SQL string literal."""
    text = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    return "'" + text.replace("'", "''") + "'"

# ---- tables -------------------------------------------------------------------------------------

_BASE_TABLES = """
CREATE SCHEMA IF NOT EXISTS budget;
CREATE SCHEMA IF NOT EXISTS extracted;
CREATE TABLE IF NOT EXISTS budget.reports (
    report_id      VARCHAR PRIMARY KEY,
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    size_bytes     BIGINT,
    pages          INTEGER,
    producer       VARCHAR,
    encrypted      BOOLEAN,
    has_text_layer BOOLEAN,
    department     VARCHAR,
    unit_code      VARCHAR,
    unit_codes     VARCHAR[],
    fiscal_year    INTEGER,
    report_kind    VARCHAR,
    report_title   VARCHAR,
    money_unit     VARCHAR,
    status         VARCHAR NOT NULL,
    status_reason  VARCHAR,
    tables_found   INTEGER,
    cells          INTEGER,
    ingested_at    TIMESTAMP NOT NULL,
    published_at   TIMESTAMP,
    body_key       VARCHAR
);
CREATE TABLE IF NOT EXISTS budget.line_items (
    report_id    VARCHAR NOT NULL,
    table_type   VARCHAR,
    table_no     VARCHAR,
    table_seq    INTEGER NOT NULL,
    page         INTEGER NOT NULL,
    row_seq      INTEGER NOT NULL,
    row_code     VARCHAR,
    row_name     VARCHAR,
    row_kind     VARCHAR,
    column_name  VARCHAR NOT NULL,
    column_seq   INTEGER NOT NULL,
    raw_text     VARCHAR NOT NULL,
    amount       DECIMAL(24, 6),
    unit         VARCHAR,
    amount_yuan  DECIMAL(30, 6),
    parse_error  VARCHAR,
    row_level    INTEGER,
    x0           DOUBLE,
    top          DOUBLE,
    x1           DOUBLE,
    bottom       DOUBLE
);
CREATE TABLE IF NOT EXISTS extracted.tables (
    report_id   VARCHAR NOT NULL,
    table_seq   INTEGER NOT NULL,
    table_type  VARCHAR,
    table_no    VARCHAR,
    title       VARCHAR,
    first_page  INTEGER,
    last_page   INTEGER,
    unit        VARCHAR,
    header      VARCHAR[],
    is_empty    BOOLEAN,
    note        VARCHAR,
    row_count   INTEGER,
    cell_count  INTEGER
);
CREATE TABLE IF NOT EXISTS extracted.cells (
    report_id   VARCHAR NOT NULL,
    table_seq   INTEGER NOT NULL,
    row_seq     INTEGER NOT NULL,
    page        INTEGER NOT NULL,
    row_code    VARCHAR,
    row_name    VARCHAR,
    row_kind    VARCHAR,
    column_name VARCHAR NOT NULL,
    column_seq  INTEGER NOT NULL,
    raw_text    VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    amount      DECIMAL(24, 6),
    unit        VARCHAR,
    parse_error VARCHAR,
    block       VARCHAR,
    row_level   INTEGER,
    x0          DOUBLE,
    top         DOUBLE,
    x1          DOUBLE,
    bottom      DOUBLE
);
CREATE TABLE IF NOT EXISTS extracted.claims (
    report_id VARCHAR NOT NULL,
    seq       INTEGER NOT NULL,
    page      INTEGER,
    sentence  VARCHAR,
    subject   VARCHAR,
    kind      VARCHAR,
    value     DECIMAL(24, 6),
    unit      VARCHAR,
    raw       VARCHAR,
    base_seq  INTEGER,
    period    VARCHAR,
    section   VARCHAR,
    item      VARCHAR,
    code      VARCHAR,
    x0        DOUBLE,
    top       DOUBLE,
    x1        DOUBLE,
    bottom    DOUBLE
);
CREATE TABLE IF NOT EXISTS extracted.narrative (
    report_id VARCHAR NOT NULL,
    page      INTEGER NOT NULL,
    text      VARCHAR NOT NULL,
    line_boxes DOUBLE[][]
);
CREATE TABLE IF NOT EXISTS budget.check_results (
    report_id   VARCHAR NOT NULL,
    stage       VARCHAR NOT NULL,
    family      VARCHAR NOT NULL,
    check_name  VARCHAR NOT NULL,
    instance    VARCHAR NOT NULL,
    severity    VARCHAR NOT NULL,
    passed      BOOLEAN NOT NULL,
    outcome     VARCHAR NOT NULL,
    observed    DECIMAL(30, 6),
    expected    DECIMAL(30, 6),
    difference  DECIMAL(30, 6),
    tolerance   DECIMAL(30, 10),
    unit        VARCHAR,
    table_type  VARCHAR,
    table_no    VARCHAR,
    page        INTEGER,
    detail      VARCHAR,
    checked_at  TIMESTAMP NOT NULL,
    reason      VARCHAR,
    reading     VARCHAR,
    compared    STRUCT(role VARCHAR, page INTEGER, x0 DOUBLE, top DOUBLE, x1 DOUBLE, bottom DOUBLE, printed VARCHAR,
                       report_id VARCHAR)[]
);
"""

_MONEY = "amount DECIMAL(24, 6), unit VARCHAR, amount_yuan DECIMAL(30, 6)"
_LINEAGE = "report_id VARCHAR NOT NULL, table_seq INTEGER, row_seq INTEGER, column_seq INTEGER"

# table: (its comment, with the Chinese term; its columns, commented by COLUMN_COMMENTS)
FACTS: dict[str, tuple[str, str]] = {
    "fact_summary_lines": (
        "收支总表 lines: income items and expenditure classes, side by side (收支总表)",
        f"{_LINEAGE}, table_type VARCHAR, side VARCHAR, item VARCHAR, is_total BOOLEAN, measure VARCHAR, {_MONEY}"),
    "fact_income": (
        "Income by source, per unit or per function code (收入)",
        f"{_LINEAGE}, row_code VARCHAR, row_name VARCHAR, is_total BOOLEAN, source VARCHAR, {_MONEY}"),
    "fact_expenditure_by_function": (
        "Expenditure by functional classification code, by fund and measure (支出功能分类)",
        f"{_LINEAGE}, table_type VARCHAR, fund VARCHAR, function_code VARCHAR, function_name VARCHAR, "
        f"is_total BOOLEAN, measure VARCHAR, column_name VARCHAR, {_MONEY}"),
    "fact_expenditure_by_unit": (
        "Expenditure by budget unit (分单位支出)",
        f"{_LINEAGE}, unit_code VARCHAR, unit_name VARCHAR, is_total BOOLEAN, measure VARCHAR, column_name VARCHAR, "
        f"{_MONEY}"),
    "fact_basic_by_economic": (
        "Expenditure by economic classification code: basic expenditure, office costs, and the project expenditure "
        "of the tables that print it by economic class (measure) (支出经济分类)",
        f"{_LINEAGE}, table_type VARCHAR, fund VARCHAR, economic_code VARCHAR, economic_name VARCHAR, "
        f"is_total BOOLEAN, measure VARCHAR, column_name VARCHAR, {_MONEY}"),
    "fact_three_public": (
        "The three public expenses (and, where printed with them, meetings, training and office operating costs) "
        "(三公经费)",
        f"{_LINEAGE}, table_type VARCHAR, item VARCHAR, {_MONEY}"),
    "fact_projects": (
        "Projects by funding source (项目支出)",
        f"{_LINEAGE}, project_name VARCHAR, is_total BOOLEAN, funding_source VARCHAR, {_MONEY}, row_level INTEGER"),
    "fact_performance_funding": (
        "Funding blocks of the performance-target forms (绩效目标表资金)",
        f"{_LINEAGE}, table_type VARCHAR, form VARCHAR, item VARCHAR, column_name VARCHAR, {_MONEY}"),
    "fact_other_amounts": (
        "Amounts of tables of other kinds (procurement, unrecognised tables) (其他金额)",
        f"{_LINEAGE}, table_type VARCHAR, row_code VARCHAR, row_name VARCHAR, column_name VARCHAR, {_MONEY}"),
}

OTHER_TABLES: dict[str, tuple[str, str]] = {
    "performance_indicators": (
        "Performance indicators: targets as printed text and the values of previous years (绩效指标)",
        "report_id VARCHAR NOT NULL, table_seq INTEGER, row_seq INTEGER, table_type VARCHAR, form VARCHAR, "
        "goal VARCHAR, level1 VARCHAR, level2 VARCHAR, indicator VARCHAR, target VARCHAR, "
        "value_previous_year VARCHAR, value_two_years_ago VARCHAR, basis VARCHAR, page INTEGER"),
    "dim_function_subjects": (
        "Functional classification subjects (类/款/项) (支出功能分类科目)",
        "function_code VARCHAR PRIMARY KEY, function_name VARCHAR, level VARCHAR, parent_code VARCHAR"),
    "dim_economic_subjects": (
        "Economic classification subjects (类/款) (支出经济分类科目)",
        "economic_code VARCHAR PRIMARY KEY, economic_name VARCHAR, level VARCHAR, parent_code VARCHAR"),
    "dim_units": (
        "Departments and budget units named in a report (部门/单位)",
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
    "level": "Level of the subject: 类, 款 or 项",
    "parent_code": "Code of the parent subject",
    "kind": "department (部门) or unit (单位)",
    "row_level": "Depth shown by indentation: 0 department, 1 unit, 2 category, 3 project (项目层级)",
}



def _conformed_tables() -> str:
    return "CREATE SCHEMA IF NOT EXISTS conformed;\n" + "".join(
        f"CREATE TABLE IF NOT EXISTS conformed.{name} ({columns});\n"
        for name, (_, columns) in {**FACTS, **OTHER_TABLES}.items())


@dataclass(frozen=True)
class Migration:
    number: int
    description: str
    sql: str


# Databases made before migrations were numbered hold these tables with fewer columns: the first migration
# adds what they lack (every column added since), so it brings any earlier database to the same shape.
_EARLIER_COLUMNS = """
ALTER TABLE budget.reports ADD COLUMN IF NOT EXISTS published_at TIMESTAMP;
ALTER TABLE budget.reports ADD COLUMN IF NOT EXISTS body_key VARCHAR;
ALTER TABLE budget.line_items ADD COLUMN IF NOT EXISTS row_level INTEGER;
ALTER TABLE extracted.cells ADD COLUMN IF NOT EXISTS row_level INTEGER;
ALTER TABLE extracted.narrative ADD COLUMN IF NOT EXISTS line_boxes DOUBLE[][];
ALTER TABLE extracted.claims ADD COLUMN IF NOT EXISTS period VARCHAR;
ALTER TABLE extracted.claims ADD COLUMN IF NOT EXISTS section VARCHAR;
ALTER TABLE extracted.claims ADD COLUMN IF NOT EXISTS item VARCHAR;
ALTER TABLE extracted.claims ADD COLUMN IF NOT EXISTS code VARCHAR;
ALTER TABLE budget.check_results ADD COLUMN IF NOT EXISTS reason VARCHAR;
ALTER TABLE budget.check_results ADD COLUMN IF NOT EXISTS reading VARCHAR;
ALTER TABLE budget.check_results ADD COLUMN IF NOT EXISTS compared
    STRUCT(role VARCHAR, page INTEGER, x0 DOUBLE, top DOUBLE, x1 DOUBLE, bottom DOUBLE, printed VARCHAR,
           report_id VARCHAR)[];
ALTER TABLE conformed.fact_projects ADD COLUMN IF NOT EXISTS row_level INTEGER;
""" + "".join(f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS {c} DOUBLE;\n"
              for t in ("budget.line_items", "extracted.cells", "extracted.claims") for c in ("x0", "top", "x1", "bottom"))

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the analyst contract, the extracted and conformed stages, the check results",
              _BASE_TABLES + _conformed_tables() + _EARLIER_COLUMNS),
    Migration(2, "each table's reading confirmed by its arithmetic; a report's findings and coverage", """
ALTER TABLE extracted.tables ADD COLUMN IF NOT EXISTS confirmation VARCHAR;
ALTER TABLE extracted.tables ADD COLUMN IF NOT EXISTS confirmation_reason VARCHAR;
ALTER TABLE extracted.tables ADD COLUMN IF NOT EXISTS reading VARCHAR;
ALTER TABLE budget.reports ADD COLUMN IF NOT EXISTS errors INTEGER;
ALTER TABLE budget.reports ADD COLUMN IF NOT EXISTS warnings INTEGER;
ALTER TABLE budget.reports ADD COLUMN IF NOT EXISTS tables_confirmed INTEGER;
ALTER TABLE budget.reports ADD COLUMN IF NOT EXISTS tables_unconfirmed INTEGER;
ALTER TABLE budget.reports ADD COLUMN IF NOT EXISTS tables_unchecked INTEGER;
ALTER TABLE budget.reports ADD COLUMN IF NOT EXISTS instances_evaluated INTEGER;
ALTER TABLE budget.reports ADD COLUMN IF NOT EXISTS instances_not_evaluated INTEGER;
"""),
    Migration(3, "each finding as a sentence a reader of the report can check on its page", """
ALTER TABLE budget.check_results ADD COLUMN IF NOT EXISTS finding VARCHAR;
"""),
    Migration(4, "a 三公 figure's row, item, period, fund, level and page", "".join(
        f"ALTER TABLE conformed.fact_three_public ADD COLUMN IF NOT EXISTS {column} {kind};\n" for column, kind in (
            ("row_name", "VARCHAR"), ("column_name", "VARCHAR"), ("item_key", "VARCHAR"), ("item_printed", "VARCHAR"),
            ("is_total", "BOOLEAN"), ("period", "VARCHAR"), ("period_printed", "VARCHAR"), ("fund", "VARCHAR"),
            ("level", "VARCHAR"), ("page", "INTEGER")))),
)


def columns(table: str) -> list[tuple[str, str]]:
    """The columns (name, type) of a table of the schema (`extracted.tables`), in order."""
    if not _COLUMNS:  # every table's at once, from its migrations alone (the views and comments add no column)
        con = duckdb.connect()
        try:
            migrate(con)
            for schema, name, column, kind in con.execute(
                    "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
                    "WHERE NOT internal ORDER BY schema_name, table_name, column_index").fetchall():
                _COLUMNS.setdefault(f"{schema}.{name}", []).append((column, kind))
        finally:
            con.close()
    return _COLUMNS[table]


_COLUMNS: dict[str, list[tuple[str, str]]] = {}

# ---- views and comments -------------------------------------------------------------------------

_COMMENTS = """
COMMENT ON TABLE budget.reports IS
    'One row per ingested PDF (报告): identity, status (loaded/quarantined/rejected/unsupported) and reason';
COMMENT ON COLUMN budget.reports.body_key IS
    'The body (部门/单位) as a key linking its reports across years and kinds: the name without spacing or quotes';
COMMENT ON TABLE budget.line_items IS
    'One row per numeric cell of every table (预算表单元格), amount exact as printed and in yuan';
COMMENT ON COLUMN budget.line_items.table_type IS
    'Table type, e.g. expenditure (部门支出总表); NULL when the title was not recognised';
COMMENT ON COLUMN budget.line_items.column_name IS 'Leaf header path joined with / (表头)';
COMMENT ON COLUMN budget.line_items.amount IS 'Amount as printed, in the table unit (金额)';
COMMENT ON COLUMN budget.line_items.amount_yuan IS 'Amount converted to yuan (元)';
COMMENT ON COLUMN budget.line_items.row_level IS
    'Depth of the row shown by indentation in tables without codes (项目支出表: 0 department .. 3 project)';
COMMENT ON TABLE extracted.cells IS 'Every filled cell of every table, text cells included (as extracted)';
COMMENT ON COLUMN budget.line_items.x0 IS
    'Left edge of the cell on its page, in PDF points from the left (pdfplumber x0); the whole merged cell where it spans';
COMMENT ON COLUMN budget.line_items.top IS 'Top edge of the cell, in PDF points from the top of the page (pdfplumber top)';
COMMENT ON COLUMN budget.line_items.x1 IS 'Right edge of the cell, in PDF points from the left (pdfplumber x1)';
COMMENT ON COLUMN budget.line_items.bottom IS 'Bottom edge of the cell, in PDF points from the top (pdfplumber bottom)';
COMMENT ON COLUMN extracted.cells.x0 IS 'Left edge of the cell on its page (PDF points, pdfplumber x0); see budget.line_items';
COMMENT ON COLUMN extracted.cells.top IS 'Top edge of the cell (PDF points from the top of the page)';
COMMENT ON COLUMN extracted.cells.x1 IS 'Right edge of the cell (PDF points)';
COMMENT ON COLUMN extracted.cells.bottom IS 'Bottom edge of the cell (PDF points from the top of the page)';
COMMENT ON COLUMN extracted.claims.x0 IS
    'Left edge of the lines printing the claim''s sentence on its page (PDF points); NULL where not found';
COMMENT ON COLUMN extracted.claims.top IS 'Top edge of the sentence''s lines (PDF points from the top of the page)';
COMMENT ON COLUMN extracted.claims.x1 IS 'Right edge of the sentence''s lines (PDF points)';
COMMENT ON COLUMN extracted.claims.bottom IS 'Bottom edge of the sentence''s lines (PDF points from the top of the page)';
COMMENT ON TABLE extracted.tables IS 'Every table found in a report, with type, printed number, pages and unit';
COMMENT ON COLUMN extracted.tables.confirmation IS
    'Whether the table''s own arithmetic confirms our reading of it: confirmed (its totals hold, but for the '
    'document''s own local breaks), unconfirmed (a failure repeats down a column or across the table: its figures '
    'are kept out of the analyst views), unchecked (nothing in it adds up to anything)';
COMMENT ON COLUMN extracted.tables.confirmation_reason IS
    'What the arithmetic showed: the pattern of failures of an unconfirmed table';
COMMENT ON COLUMN extracted.tables.reading IS
    'The reading of the table used where its layout allows another and the first did not add up';
COMMENT ON TABLE extracted.narrative IS 'The report prose (情况说明), page by page';
COMMENT ON COLUMN extracted.narrative.line_boxes IS
    'The box of each line of text on the page (x0, top, x1, bottom in PDF points), in the order of its lines';
COMMENT ON TABLE extracted.claims IS
    'Figures stated in the prose (情况说明), one per amount, change or percentage, with subject and sentence';
COMMENT ON TABLE budget.check_results IS
    'Every identity instance evaluated on every report (核对结果): its outcome, difference and tolerance';
"""

# the storage format of the analyst files (the published warehouse, an export): DuckDB 1.0 and later read it
STORAGE_VERSION = "v1.0.0"

# Columns of the published file derived from all published reports: a loaded report that a newer publication of
# the same body, year and kind replaces reads `superseded` (its figures are no longer in the views)
PUBLISHED_DERIVED: dict[tuple[str, str], dict[str, str]] = {("budget", "reports"): {"status": """CASE
    WHEN t.status = 'loaded' AND row_number() OVER (
        PARTITION BY coalesce(t.department, t.report_id), t.fiscal_year, t.report_kind, t.status = 'loaded'
        ORDER BY t.published_at DESC NULLS LAST, t.ingested_at DESC, t.report_id) > 1 THEN 'superseded'
    ELSE t.status END"""}}

_CURRENT_REPORTS = """
CREATE OR REPLACE VIEW budget.current_reports AS
SELECT * FROM budget.reports WHERE status = 'loaded'
QUALIFY row_number() OVER (PARTITION BY coalesce(department, report_id), fiscal_year, report_kind
                           ORDER BY published_at DESC NULLS LAST, ingested_at DESC, report_id) = 1;
COMMENT ON VIEW budget.current_reports IS
    'The loaded reports analysts see: of several publications of the same department, year and kind, the newest';
"""

# The column of a table that holds each row's total (合计 | 总计 | 本年支出合计, a 小计 not under 基本/项目支出, or the
# table's only amount: 金额 | 预算数 | 决算数), never last year's (上年, 执行数) or a change (增减)
# a table whose reading its own arithmetic does not confirm: its figures might be ours, so no view shows them
_CONFIRMED_TABLE = """NOT EXISTS (SELECT 1 FROM extracted.tables t WHERE t.report_id = f.report_id
                                AND t.table_seq = f.table_seq AND t.confirmation = 'unconfirmed')"""


def _rank() -> str:
    """SQL: the rank of a column as the holder of each row's total (1 best; NULL: never)."""
    w = vocabulary().word
    return f"""CASE
    WHEN regexp_matches(column_name, {sql_text(w("series_not_the_total"))}) THEN NULL
    WHEN regexp_matches(column_name, {sql_text(w("series_total"))}) THEN 1
    WHEN regexp_matches(column_name, {sql_text(w("series_subtotal"))})
         AND NOT regexp_matches(column_name, {sql_text(w("series_part_subtotal"))}) THEN 2
    WHEN regexp_matches(column_name, {sql_text(w("series_only_amount"))}) THEN 3 END"""


_SERIES_RANK = _rank()
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
), classified AS (
    SELECT f.report_id, f.table_seq, f.row_seq, f.table_type, f.fund, f.classification, f.code, f.name,
           f.column_name, f.amount_yuan, l.page
    FROM ranked f JOIN chosen c USING (report_id, table_seq, column_name)
    LEFT JOIN budget.line_items l USING (report_id, table_seq, row_seq, column_seq)
    -- the first table of each type; a code printed on two rows of it is left out (which one is meant is unclear)
    QUALIFY dense_rank() OVER (PARTITION BY f.report_id, f.table_type ORDER BY f.table_seq) = 1
        AND count(*) OVER (PARTITION BY f.report_id, f.table_seq, f.code) = 1
), three_public AS (
    -- the three public expenses of the first such table: the whole body's figure of the report's own period
    -- (a budget's budget, a final account's outturn), summed over the funds where the table splits each item
    SELECT t.report_id, t.table_seq, min(t.row_seq) AS row_seq, t.table_type, 'all' AS fund,
           'three_public' AS classification, t.item_key AS code, min(t.item_printed) AS name,
           min(t.column_name) AS column_name, sum(t.amount_yuan) AS amount_yuan, min(t.page) AS page
    FROM conformed.fact_three_public t JOIN budget.reports r USING (report_id)
    WHERE t.level = 'body' AND t.item_key IN ('total', 'overseas', 'reception', 'vehicles', 'vehicle_purchase',
                                                'vehicle_operation')
      AND t.period = CASE WHEN r.report_kind LIKE '%final' THEN 'final' ELSE 'budget' END
    GROUP BY t.report_id, t.table_seq, t.table_type, t.item_key
    QUALIFY dense_rank() OVER (PARTITION BY t.report_id ORDER BY t.table_seq) = 1
        AND count(*) OVER (PARTITION BY t.report_id, t.table_seq, t.item_key) = 1
)
SELECT r.department AS body, r.body_key, r.fiscal_year AS year,
       CASE WHEN r.report_kind LIKE '%final' THEN 'final' ELSE 'budget' END AS kind, r.report_kind,
       f.classification, f.code, f.name, f.fund, f.table_type, f.column_name, f.amount_yuan, f.report_id,
       f.table_seq, f.row_seq, f.page
FROM (SELECT * FROM classified UNION ALL SELECT * FROM three_public) f
JOIN budget.current_reports r USING (report_id)
WHERE {_CONFIRMED_TABLE}
"""


def _view_sql(name: str) -> str:
    if name.startswith("dim_function") or name.startswith("dim_economic"):
        return f"SELECT * FROM conformed.{name}"
    where = f" WHERE {_CONFIRMED_TABLE}" if name != "dim_units" else ""
    return (f"SELECT r.department, r.fiscal_year, r.report_kind, f.* FROM conformed.{name} f "
            f"JOIN budget.current_reports r USING (report_id){where}")


VIEW_NAMES = {
    "fact_summary_lines": "summary_lines", "fact_income": "income_by_source",
    "fact_expenditure_by_function": "expenditure_by_function", "fact_expenditure_by_unit": "expenditure_by_unit",
    "fact_basic_by_economic": "basic_expenditure_by_economic", "fact_three_public": "three_public_expenses",
    "fact_projects": "projects", "fact_performance_funding": "performance_funding",
    "fact_other_amounts": "other_amounts", "performance_indicators": "performance_indicators",
    "dim_function_subjects": "function_subjects", "dim_economic_subjects": "economic_subjects",
    "dim_units": "units",
}




def _views_and_comments(con: duckdb.DuckDBPyConnection) -> None:
    """The analyst views and every comment (idempotent)."""
    con.execute(_COMMENTS)
    con.execute(_CURRENT_REPORTS)
    for name, (comment, columns) in {**FACTS, **OTHER_TABLES}.items():
        con.execute(f"COMMENT ON TABLE conformed.{name} IS '{comment}'")
        for col in [c.strip().split(" ")[0] for c in columns.split(",")]:
            if col in COLUMN_COMMENTS:
                con.execute(f"COMMENT ON COLUMN conformed.{name}.{col} IS '{COLUMN_COMMENTS[col]}'")
        view = VIEW_NAMES[name]
        con.execute(f"CREATE OR REPLACE VIEW budget.{view} AS {_view_sql(name)}")
        con.execute(f"COMMENT ON VIEW budget.{view} IS '{comment}; current loaded reports only'")
    con.execute("""CREATE OR REPLACE VIEW budget.narrative_claims AS
        SELECT r.department, r.fiscal_year, r.report_kind, c.report_id, c.seq, c.page, c.section, c.subject, c.item,
               c.code, c.period, c.kind, c.value, c.unit, c.raw, c.base_seq, c.sentence, c.x0, c.top, c.x1, c.bottom
        FROM extracted.claims c JOIN budget.current_reports r USING (report_id)""")
    con.execute("COMMENT ON VIEW budget.narrative_claims IS 'Figures stated in the prose (情况说明): amount, change "
                "(比上年增减), change_pct, share_pct; current loaded reports only'")
    con.execute(SERIES_SQL)
    con.execute("COMMENT ON VIEW budget.series IS 'One figure per body, year, kind (budget | final), classification "
                "and code, in yuan, from each report''s own total column: budget against final, year against year; "
                "current loaded reports only'")
    _dictionary_comments(con)
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




def _dictionary_comments(con: duckdb.DuckDBPyConnection) -> None:
    """Every column of schema budget without a comment of its own takes its meaning from the data dictionary."""
    for table, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'budget' AND comment IS NULL").fetchall():
        said = dictionary.meaning(table, column)
        if said:
            con.execute(f"COMMENT ON COLUMN budget.{table}.\"{column}\" IS {sql_text(said)}")


# ---- applying them --------------------------------------------------------------------------------

# the published manifest: which part holds each report, and the SHA-256 of that part's checksums.json (which holds
# the SHA-256 of each of its files)
MANIFEST_COLUMNS = "report_id VARCHAR, part VARCHAR, status VARCHAR, published_at TIMESTAMP, part_sha256 VARCHAR"
PUBLISHED_SCHEMAS = ("budget", "extracted", "conformed")  # what a publish exports (not `meta`)


def rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back after an error, never hiding it: an error that ended the transaction itself (a full disk on
    COMMIT) would otherwise be replaced by "cannot rollback - no transaction is active"."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations the database lacks, in order, each in its own transaction; returns their numbers."""
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute("CREATE TABLE IF NOT EXISTS meta.migrations (number INTEGER PRIMARY KEY, description VARCHAR, "
                "applied_at TIMESTAMP DEFAULT current_timestamp)")
    done = {n for (n,) in con.execute("SELECT number FROM meta.migrations").fetchall()}
    applied = []
    for m in MIGRATIONS:
        if m.number in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(m.sql)
            con.execute("INSERT INTO meta.migrations (number, description) VALUES (?, ?)", [m.number, m.description])
            con.execute("COMMIT")
        except Exception:
            rollback_quietly(con)
            raise
        applied.append(m.number)
    return applied


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a database to the current schema: the migrations it lacks, then the views and comments."""
    migrate(con)
    _views_and_comments(con)


def version() -> str:
    """A short fingerprint of the whole schema (a database made from a template of another version is remade)."""
    text = repr(([(m.number, m.sql) for m in MIGRATIONS], _COMMENTS, _CURRENT_REPORTS, SERIES_SQL, FACTS, OTHER_TABLES,
                 PUBLISHED_DERIVED, dictionary.BY_NAME, dictionary.BY_TABLE,
                 COLUMN_COMMENTS, VIEW_NAMES))
    return hashlib.sha256(text.encode()).hexdigest()[:12]
