"""Figures across reports: what a report states of another report of the same body.

On the three 万里街道 budgets of the corpus, every 比上年 figure the later budget states is compared with
the earlier budget; on a budget and a 决算 built here, only the difference planted is reported.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from conftest import ROOT, run_batch
from synthetic import build, build_final

from yusuan.identify import body_key

ACROSS = """SELECT r.file_name, c.check_name, c.instance, c.outcome, c.observed, c.expected, c.page, c.detail
            FROM budget.check_results c JOIN budget.reports r USING (report_id)
            WHERE c.family = 'across_reports' ORDER BY r.file_name, c.page, c.instance"""

# (stating budget, page, the subject stated, last year's figure it implies in 万元): read from the pages. The
# earlier budget prints the same figure: 2023 p14 收入总表 财政拨款收入 164,978,640 元, p19 财政拨款收支总表
# 支出总计, p20 一般公共预算支出 合计; 2023 p30 “三公” 22.91 万元 (公务用车购置及运行费 21.56, 购置费 0);
# 2024 p15 156,211,123 元 and p31 47.91 / 46.56 / 25.00 万元.
WANLI = [
    ("sh_putuo_wanli_2024_dept_budget.pdf", 6, "财政拨款收入", "16497.86"),
    ("sh_putuo_wanli_2024_dept_budget.pdf", 6, "财政拨款支出预算", "16497.86"),
    ("sh_putuo_wanli_2024_dept_budget.pdf", 6, "一般公共预算拨款支出预算", "16497.86"),
    ("sh_putuo_wanli_2024_dept_budget.pdf", 32, "三公”经费预算数为", "22.91"),
    ("sh_putuo_wanli_2024_dept_budget.pdf", 32, "公务用车购置及运行费", "21.56"),
    ("sh_putuo_wanli_2024_dept_budget.pdf", 32, "公务用车购置费", "0"),
    ("sh_putuo_wanli_2025_dept_budget.pdf", 6, "财政拨款收入", "15621.11"),
    ("sh_putuo_wanli_2025_dept_budget.pdf", 6, "财政拨款支出预算", "15621.11"),
    ("sh_putuo_wanli_2025_dept_budget.pdf", 6, "一般公共预算拨款支出预算", "15621.11"),
    ("sh_putuo_wanli_2025_dept_budget.pdf", 30, "三公”经费预算数为", "47.91"),
    ("sh_putuo_wanli_2025_dept_budget.pdf", 30, "公务用车购置及运行费", "46.56"),
    ("sh_putuo_wanli_2025_dept_budget.pdf", 30, "公务用车购置费", "25"),
]


def test_body_key_ignores_spacing_quotes_and_bracket_variants() -> None:
    assert body_key("上海市普陀区 财政局") == body_key("上海市普陀区财政局")
    assert body_key("中共上海市普陀区委“社会工作部”") == body_key("中共上海市普陀区委社会工作部")
    assert body_key("某局（本级）") == body_key("某局(本级)") == body_key("某局")
    assert body_key("财政局") != body_key("统计局") and body_key(None) is None


def test_body_key_keeps_a_department_apart_from_its_own_unit() -> None:
    """司法局 2026: the 部门 budget (87,267,272.44 元 in all) and the 单位 budget of its 本级 (79,189,400.34 元) are
    two bodies; a body's budget and final of each level are one."""
    dept, unit = body_key("上海市普陀区司法局", "dept_budget"), body_key("上海市普陀区司法局（本级）", "unit_budget")
    assert dept == "上海市普陀区司法局/dept" and unit == "上海市普陀区司法局/unit"
    assert body_key("上海市普陀区司法局", "dept_final") == dept


def test_every_stated_last_year_figure_of_wanli_is_checked_against_last_years_budget(
        corpus_db: duckdb.DuckDBPyConnection) -> None:
    rows = [r for r in corpus_db.execute(ACROSS).fetchall() if "wanli" in r[0]]
    assert len(rows) == len(WANLI)
    for name, page, subject, previous in WANLI:
        found = [r for r in rows if r[0] == name and r[6] == page and f"“{subject}" in r[2]]
        assert len(found) == 1, (name, subject, [r[2] for r in rows])
        _, check, instance, outcome, observed, expected, _, detail = found[0]
        assert check == "stated_last_year_agrees_with_last_years_report"
        assert observed == Decimal(previous), instance  # this year's figure and the stated change give it
        assert outcome in ("pass", "rounding") and abs(observed - expected) < Decimal("0.01"), instance
        earlier = name.replace("2024", "2023") if "2024" in name else name.replace("2025", "2024")
        assert earlier in instance and earlier in detail  # both reports named


def test_no_report_of_the_corpus_disagrees_with_another(corpus_db: duckdb.DuckDBPyConnection) -> None:
    assert [r for r in corpus_db.execute(ACROSS).fetchall() if r[3] == "fail"] == []


def _ingest(folder: Path, data: Path) -> Any:
    """The batch run of the folder's PDFs: its one evaluation of the check across reports."""
    events = run_batch(sorted(folder.glob("*.pdf")), data)
    checks = [e.event_specific_data for e in events if e.event_type_value == "ASSET_CHECK_EVALUATION"
              and e.event_specific_data.asset_key == dg.AssetKey("across_reports")]
    assert len(checks) == 1
    return checks[0]


def test_a_budget_and_its_final_accounts_disagree_only_where_planted(tmp_path: Path) -> None:
    """Two bodies, each with a budget and a 决算 of the same year built from one set of figures; the first 决算
    prints its 公务接待费 预算数 (and so its “三公” 合计) 1.00 万元 above its budget, the second is its clean twin."""
    batch = tmp_path / "batch"
    batch.mkdir()
    planted, clean = build(batch / "a-budget.pdf", 1), build(batch / "b-budget.pdf", 2)
    build_final(batch / "a-final.pdf", 1, reception_budget=Decimal("1.00"))
    build_final(batch / "b-final.pdf", 2)
    assert planted.department != clean.department
    check = _ingest(batch, tmp_path / "data")
    con = duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True)
    rows = con.execute(ACROSS).fetchall()
    statuses = dict(con.execute("SELECT file_name, status FROM budget.reports").fetchall())
    assert set(statuses.values()) == {"loaded"}, statuses  # each report adds up on its own
    failing = [r for r in rows if r[3] == "fail"]
    assert [(r[0], r[1]) for r in failing] == [("a-final.pdf", "final_budget_column_agrees_with_the_budget")] * 2
    assert {r[2].split(" p")[0] for r in failing} == {"a-final.pdf 表7 合计/预算数",
                                                        "a-final.pdf 表7 公务接待费/预算数"}
    assert all(r[4] - r[5] == Decimal("10000") for r in failing)  # 1.00 万元, in yuan
    assert all("a-budget.pdf" in r[2] for r in failing)
    # every other item of the “三公” table is compared and agrees, for both bodies
    compared = [r for r in rows if r[1] == "final_budget_column_agrees_with_the_budget"]
    assert {r[0] for r in compared} == {"a-final.pdf", "b-final.pdf"}
    assert len([r for r in compared if r[0] == "b-final.pdf" and r[3] == "pass"]) == 6
    assert len([r for r in compared if r[0] == "a-final.pdf" and r[3] == "pass"]) == 4
    # the run shows the family as a failed (warning) asset check of across_reports
    assert check.check_name == "figures_agree_across_reports" and not check.passed
    assert check.severity == dg.AssetCheckSeverity.WARN
    # materializing the asset runs the checks again over the warehouse and reports the same finding
    from assets.across import across_reports
    from pipelines.resources import YusuanConfig

    with dg.instance_for_test() as instance:
        run = dg.materialize([across_reports], instance=instance,
                             resources={"yusuan": YusuanConfig(data_dir=str(tmp_path / "data"))})
        (evaluation,) = run.get_asset_check_evaluations()
        assert evaluation.check_name == "figures_agree_across_reports" and not evaluation.passed
        assert evaluation.metadata["failed"].value == 2
    assert con.execute(ACROSS).fetchall() == rows  # the same instances, written again


def test_a_departments_unit_rows_disagree_with_its_units_budgets_only_where_planted(tmp_path: Path) -> None:
    """A 部门 budget whose 收入总表 lists its two units by name, and each unit's own 单位 budget, all of one year and
    built from one set of figures; the second unit's budget plans 1.00 万元 more 项目支出 than its 部门 says."""
    from dataclasses import replace

    from synthetic import combined, figures

    batch = tmp_path / "batch"
    batch.mkdir()
    first, second = figures(1), replace(figures(7), year=figures(1).year)
    names = ("北湖市统计局机关", "北湖市统计数据中心")
    build(batch / "dept.pdf", fig=combined("北湖市统计局", [first, second]),
          units=[(names[0], first.total), (names[1], second.total)])
    build(batch / "unit-1.pdf", name=names[0], fig=first, kind="单位预算")
    build(batch / "unit-2.pdf", name=names[1], fig=replace(second, projects=second.projects + 1), kind="单位预算")
    _ingest(batch, tmp_path / "data")
    con = duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True)
    kinds = dict(con.execute("SELECT file_name, report_kind || ' ' || status FROM budget.reports").fetchall())
    assert kinds == {"dept.pdf": "dept_budget loaded", "unit-1.pdf": "unit_budget loaded",
                     "unit-2.pdf": "unit_budget loaded"}, kinds
    rows = [r for r in con.execute(ACROSS).fetchall() if r[1] == "unit_rows_agree_with_the_units_reports"]
    assert [(r[0], r[3]) for r in rows] == [("dept.pdf", "pass"), ("dept.pdf", "fail")], rows
    assert names[0] in rows[0][2] and "unit-1.pdf" in rows[0][2] and rows[0][4] == first.total * 10000
    assert names[1] in rows[1][2] and "unit-2.pdf" in rows[1][2] and rows[1][5] - rows[1][4] == Decimal("10000")
    assert [r for r in con.execute(ACROSS).fetchall() if r[3] == "fail"] == [rows[1]]  # nothing else disagrees


def _warehouse_of(reports: list[tuple[str, int, str, list[tuple[str, str, str, str]]]]) -> duckdb.DuckDBPyConnection:
    """A warehouse holding, for each (report_id, year, kind, rows), one 一般公共预算支出表 of rows
    (code, name, column, 万元 printed), as cells and as line items."""
    from yusuan.schema import ensure_schema

    con = duckdb.connect()
    ensure_schema(con)
    for rid, year, kind, rows in reports:
        con.execute("INSERT INTO budget.reports (report_id, file_name, sha256, department, fiscal_year, report_kind, "
                    "status, ingested_at, body_key) VALUES (?, ?, 'ab', '东川市统计局', ?, ?, 'loaded', now(), ?)",
                    [rid, f"{rid}.pdf", year, kind, body_key("东川市统计局")])
        con.execute("INSERT INTO extracted.tables (report_id, table_seq, table_type, table_no, title, first_page, "
                    "last_page, unit) VALUES (?, 1, 'general_public_by_function', '表5', '一般公共预算支出表', 5, 5, '万元')",
                    [rid])
        for seq, (code, name, column, printed) in enumerate(rows):
            con.execute("INSERT INTO extracted.cells (report_id, table_seq, row_seq, page, row_code, row_name, row_kind, "
                        "column_name, column_seq, raw_text, kind, amount, unit) "
                        "VALUES (?, 1, ?, 5, ?, ?, 'detail', ?, ?, ?, 'money', ?, '万元')",
                        [rid, seq, code, name, column, seq, printed, Decimal(printed)])
            con.execute("INSERT INTO budget.line_items (report_id, table_type, table_no, table_seq, page, row_seq, "
                        "row_code, row_name, row_kind, column_name, column_seq, raw_text, amount, unit, amount_yuan) "
                        "VALUES (?, 'general_public_by_function', '表5', 1, 5, ?, ?, ?, 'detail', ?, ?, ?, ?, '万元', ?)",
                        [rid, seq, code, name, column, seq, printed, Decimal(printed), Decimal(printed) * 10000])
    return con


def test_a_printed_column_of_last_year_is_checked_row_by_row_against_last_years_report() -> None:

    from yusuan.checks.catalog import load_catalog
    from yusuan.checks.evaluate import evaluate_across

    con = _warehouse_of([
        ("r2025", 2025, "dept_budget", [("201", "一般公共服务支出", "合计", "100.00"),
                                        ("205", "教育支出", "合计", "40.00")]),
        ("r2026", 2026, "dept_budget", [("201", "一般公共服务支出", "合计", "120.00"),
                                        ("201", "一般公共服务支出", "2025年预算数", "100.00"),
                                        ("205", "教育支出", "合计", "45.00"),
                                        ("205", "教育支出", "2025年预算数", "50.00"),
                                        ("205", "教育支出", "2026年预算数比2025年预算数增减", "-5.00")]),
    ])
    catalog = load_catalog(ROOT / "expectations" / "identities.yaml")
    found = evaluate_across(con, [i for i in catalog.identities if i.rule == "printed_last_year"])
    got = sorted((rid, i.instance.split(" = ")[0], i.outcome, i.lhs, i.rhs) for rid, i in found)
    assert got == [("r2026", "r2026.pdf 表5 201 2025年预算数 p5", "pass", Decimal(1000000), Decimal(1000000)),
                   ("r2026", "r2026.pdf 表5 205 2025年预算数 p5", "fail", Decimal(500000), Decimal(400000))]


def test_a_publish_runs_again_the_checks_across_reports_a_change_reaches_and_keeps_the_others(tmp_path: Path) -> None:
    """The 决算 of two bodies published first (nothing to compare them with), then their budgets: the 决算's
    instances run again, since their bodies changed, and find the planted difference; a third body published
    last leaves them as they were. After each publish the across part equals a whole run of every check."""
    from yusuan.publish import refresh_across

    data = tmp_path / "data"
    for name, builder in (("a-final.pdf", lambda p: build_final(p, 1, reception_budget=Decimal("1.00"))),
                          ("b-final.pdf", lambda p: build_final(p, 2)), ("a-budget.pdf", lambda p: build(p, 1)),
                          ("b-budget.pdf", lambda p: build(p, 2)), ("c-budget.pdf", lambda p: build(p, 3))):
        builder(tmp_path / name)
    warehouse = data / "warehouse.duckdb"

    def across() -> list[tuple[Any, ...]]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(ACROSS.replace("c.detail", "c.detail, c.checked_at")).fetchall()

    def whole() -> list[tuple[Any, ...]]:
        refresh_across(warehouse, ROOT / "expectations" / "identities.yaml")
        return across()

    run_batch([tmp_path / "a-final.pdf", tmp_path / "b-final.pdf"], data)
    assert [r for r in across() if r[3] == "fail"] == []
    run_batch([tmp_path / "a-budget.pdf", tmp_path / "b-budget.pdf"], data)
    paired = across()
    failing = [(r[0], r[1]) for r in paired if r[3] == "fail"]
    assert failing == [("a-final.pdf", "final_budget_column_agrees_with_the_budget")] * 2
    run_batch([tmp_path / "c-budget.pdf"], data)
    incremental = across()
    assert [r for r in incremental if r[0] != "c-budget.pdf"] == paired  # kept as they were, checked_at too
    assert [r[:-1] for r in whole()] == [r[:-1] for r in incremental]  # what running everything again gives
