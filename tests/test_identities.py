"""The identity catalog on the sample and the real reports, and one broken number per family.

On the sample, every id of identities.md (its hand-checked identities) is found in the check
results, table, row and column, with identities.md's outcome and value; the ids no check
evaluates yet are listed.

The pipeline runs as in production (Dagster job, in-process, GX suites); a test changes one
number in a report's extracted cells between the extracted and the load stage, and checks
that exactly the identity it breaks fails, and that the report is loaded with that finding
counted (a document's break is local: its reading stays confirmed), as is the other report of the run.
A conforming step that loses an amount quarantines the report: its figures would be ours.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
from conftest import ROOT, SAMPLE_PDF, SAMPLES
from identities_md import MdIdentity, as_printed, in_wan, matching, parse, sides

from pipelines.definitions import defs
from yusuan.checks.catalog import load_catalog
from yusuan.checks.suites import write_suites
from yusuan.store import add_to_store

J19 = SAMPLES / "js_prov_swbgt_2019_budget_tables.pdf"
EXPECTATIONS = ROOT / "expectations"
IDENTITIES_MD = ROOT / "tests" / "fixtures" / "identities.md"
MD = parse(IDENTITIES_MD) if IDENTITIES_MD.exists() else []


def run(data_dir: Path, report_ids: list[str], assets: list[str], instance: dg.DagsterInstance,
        expectations: Path | None = None) -> None:
    job = defs.resolve_job_def("ingest_job")
    config = {"data_dir": str(data_dir)} | ({"expectations": str(expectations)} if expectations else {})
    for rid in report_ids:
        instance.add_dynamic_partitions("reports", [rid])
        job.execute_in_process(partition_key=rid, instance=instance, raise_on_error=False,
                               asset_selection=[dg.AssetKey(a) for a in assets],
                               run_config={"resources": {"yusuan": {"config": config}}})


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The sample and one real report, registered and extracted (staged), not loaded."""
    data = tmp_path_factory.mktemp("staged")
    ids = [add_to_store(p, data / "store").report_id for p in (SAMPLE_PDF, J19)]
    with dg.instance_for_test() as instance:
        run(data, ids, ["raw_reports", "extracted_cells"], instance)
    return data, ids


def load(staged: tuple[Path, list[str]], tmp: Path, mutate: Callable[[Path, str], None] | None = None,
         target: int = 0, expectations: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Copy the staged reports, apply `mutate` to one, then load and conform both (with the
    catalog of `expectations`, by default the project's)."""
    src, ids = staged
    data = tmp / "data"
    shutil.copytree(src, data)
    if mutate is not None:
        mutate(data / "staging" / ids[target] / "extraction", ids[target])
    with dg.instance_for_test() as instance:
        run(data, ids, ["line_items", "conformed_facts"], instance, expectations)
    return duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)


def edit_staged(staging: Path, name: str, update: str, params: list[Any]) -> None:
    """Run one UPDATE on a staged Parquet file (as table `c`; `t` is the staged tables) that must
    change exactly one row, and write it back."""
    con = duckdb.connect()
    con.execute("CREATE TABLE c AS SELECT * FROM read_parquet(?)", [str(staging / name)])
    con.execute("CREATE TABLE t AS SELECT * FROM read_parquet(?)", [str(staging / "tables.parquet")])
    changed = con.execute(update, params).fetchone()
    assert changed == (1,), (name, update, params, changed)
    con.execute("COPY c TO ? (FORMAT parquet)", [str(staging / name)])
    con.close()


def set_cell(table_no: str | None, table_type: str, row: str, column: str, new: str) -> Callable[[Path, str], None]:
    """A mutation: the printed text (and amount) of one staged cell."""
    def apply(staging: Path, report_id: str) -> None:
        edit_staged(staging, "cells.parquet", """
            UPDATE c SET raw_text = ?, amount = ?::DECIMAL(24, 6)
            WHERE table_seq = (SELECT table_seq FROM t WHERE table_type = ? AND (? IS NULL OR table_no = ?)
                               ORDER BY table_seq LIMIT 1)
              AND (row_code = ? OR coalesce(row_name, '') = ?) AND column_name = ?""",
                    [new, new.replace(",", ""), table_type, table_no, table_no, row, row, column])
    return apply


def failing(con: duckdb.DuckDBPyConnection, report_id: str, severity: str = "error") -> set[str]:
    return {r[0] for r in con.execute("SELECT DISTINCT check_name FROM budget.check_results WHERE report_id = ? "
                                      "AND severity = ? AND NOT passed", [report_id, severity]).fetchall()}


def errors(con: duckdb.DuckDBPyConnection, report_id: str) -> int:
    """The report's findings of error severity, as budget.reports counts them."""
    row = con.execute("SELECT errors FROM budget.reports WHERE report_id = ?", [report_id]).fetchone()
    assert row is not None
    return int(row[0])


def status(con: duckdb.DuckDBPyConnection, report_id: str) -> tuple[str, str | None]:
    row = con.execute("SELECT status, status_reason FROM budget.reports WHERE report_id = ?", [report_id]).fetchone()
    assert row is not None
    return row[0], row[1]


# ---- the catalog ---------------------------------------------------------------------------------

def test_suites_are_generated_from_the_catalog(tmp_path: Path) -> None:
    """expectations/*_suite.json say what identities.yaml declares (no hand drift)."""
    catalog = load_catalog(EXPECTATIONS / "identities.yaml")
    for path in write_suites(catalog.families, tmp_path):
        assert path.read_text(encoding="utf-8") == (EXPECTATIONS / path.name).read_text(encoding="utf-8")
    assert {i.family for i in catalog.identities} == set(catalog.families)


# ---- the sample: identities.md -------------------------------------------------------------------

@pytest.fixture(scope="module")
def clean(staged: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    return load(staged, tmp_path_factory.mktemp("clean"))


def results(con: duckdb.DuckDBPyConnection, report_id: str) -> list[tuple[Any, ...]]:
    return con.execute("SELECT check_name, instance, outcome, observed, expected, difference, severity, family "
                       "FROM budget.check_results WHERE report_id = ?", [report_id]).fetchall()


def test_sample_is_loaded_with_every_family_evaluated(clean: duckdb.DuckDBPyConnection,
                                                      staged: tuple[Path, list[str]]) -> None:
    sample, j19 = staged[1]
    st, reason = status(clean, sample)
    assert st == "loaded" and "narrative" in (reason or "")
    families = {r[7] for r in results(clean, sample)}
    catalog = load_catalog(EXPECTATIONS / "identities.yaml")
    # every family of the report's own stages (the family across reports needs a second report of its body)
    assert families == {f for f, spec in catalog.families.items() if spec["stage"] != "published"}
    assert failing(clean, sample) == set()
    assert status(clean, j19) == ("loaded", None)
    assert failing(clean, j19) == set() and failing(clean, j19, "warn") == set()


def test_sample_rounding_gaps_pass_as_rounding(clean: duckdb.DuckDBPyConnection,
                                               staged: tuple[Path, list[str]]) -> None:
    """The rounding-level breaks of identities.md: within n x 0.005, recorded with their difference."""
    rounding = {(r[1], r[5]) for r in results(clean, staged[1][0]) if r[2] == "rounding" and r[6] == "error"
                and r[0] != "share_equals_amount_over_total"}
    assert rounding == {
        ("表5-1 row 206: 基本支出/小计 = 基本支出/人员经费 + 基本支出/公用经费", Decimal("0.01")),
        ("表5-1 row 20601: 基本支出/小计 = 基本支出/人员经费 + 基本支出/公用经费", Decimal("0.01")),
        ("表5-1 合计: 基本支出/人员经费 = Σ top-level codes (4)", Decimal("0.01")),
        ("表5-1 20601 科学技术管理事务: 基本支出/公用经费 = Σ 3 children", Decimal("-0.01")),
        ("表6 302 商品和服务支出: 本年一般公共预算基本支出/合计 = Σ 7 children", Decimal("-0.01")),
        ("表6 302 商品和服务支出: 本年一般公共预算基本支出/公用经费 = Σ 7 children", Decimal("-0.01")),
    }


def test_sample_prose_basic_expenditure_is_a_warning(clean: duckdb.DuckDBPyConnection,
                                                     staged: tuple[Path, list[str]]) -> None:
    warned = {r[1]: (r[3], r[4], r[5]) for r in results(clean, staged[1][0])
              if r[7] == "narrative" and r[2] == "fail"}
    assert warned["prose p17 “基本支出 1,072.07万元” = 表3 合计 基本支出"] == (
        Decimal("1072.07"), Decimal("1077.07"), Decimal("-5.00"))
    # identities.md: the stated share 84.67% follows from 1,077.07, not from the stated 1,072.07
    share = [v for k, v in warned.items() if "share 84.67% = stated" in k]
    assert len(share) == 1 and share[0][0] == Decimal("84.67") and abs(share[0][1] - Decimal("84.28")) < Decimal("0.01")
    # identities.md: 增长 3.44% where 0.03 / 0.87 = 3.448% rounds to 3.45%
    assert any("“三公”经费支出” change 3.44%" in k for k in warned)
    assert len(warned) == 3


def test_sample_correspondence_warnings(clean: duckdb.DuckDBPyConnection, staged: tuple[Path, list[str]]) -> None:
    """identities.md's informational findings: the same project named two ways (表11/表12-1 计划管理费, 表10
    计划管理经费; 表11 企业管理费, 表10 企业管理经费) and the 2022年 sub-header 年度目标 2 leaves empty."""
    warned = {r[1] for r in results(clean, staged[1][0]) if r[7] == "correspondences" and r[2] == "fail"}
    assert warned == {
        "表11 项目名称 计划管理费 ≠ 表10 计划管理经费",
        "表11 项目名称 企业管理费 ≠ 表10 企业管理经费",
        "表12-1 项目名称 计划管理费 ≠ 表10 计划管理经费",
        "表11 年度目标2: header lacks 指标值/近两年指标值/2022年 (prints 指标值/近两年指标值)",
    }
    assert all(r[6] == "warn" for r in results(clean, staged[1][0]) if r[7] == "correspondences")


def test_identities_md_is_read_whole() -> None:
    """identities.md is found and read: 463 distinct ids, 15 of them broken."""
    assert len(MD) == 463 and len({i.id for i in MD}) == 463 and sum(i.broken for i in MD) == 15


@pytest.mark.parametrize("identity", MD, ids=[i.id for i in MD])
def test_sample_identity_of_identities_md(clean: duckdb.DuckDBPyConnection, staged: tuple[Path, list[str]],
                                          identity: MdIdentity) -> None:
    """Each id of identities.md is evaluated on the sample by the checks its table, row and column name, with
    identities.md's outcome: a holding id passes (or is within rounding) and one of its sides is identities.md's
    value; a rounding slip (medium) is 'rounding' with identities.md's sides and difference; the prose's and the
    customary disagreements are warnings with identities.md's sides (as printed)."""
    rows = matching(results(clean, staged[1][0]), identity)
    assert rows, f"{identity.id} is not evaluated"
    if not identity.broken:
        assert all(r[2] in ("pass", "rounding") for r in rows), rows
        assert any(Decimal(identity.value) in sides(r) for r in rows), rows
    elif identity.severity == "medium":
        lhs, rhs, diff = Decimal(identity.lhs), Decimal(identity.rhs), Decimal(identity.difference)
        assert all(r[2] == "rounding" and (r[3], r[4], r[5]) == (lhs, rhs, diff) for r in rows), rows
    else:
        assert all(r[6] == "warn" and r[2] != "pass" for r in rows), rows
        if identity.id.startswith("N:") and identity.severity != "info":
            assert all(r[2] == "fail" for r in rows), rows
        if re.fullmatch(r"-?[\d.]+", identity.lhs):  # a check may hold the two sides the other way round
            printed = (Decimal(identity.lhs), Decimal(identity.rhs))
            assert any((as_printed(a, identity.lhs), as_printed(b, identity.rhs)) == printed
                       for o, e in map(in_wan, rows) for a, b in ((o, e), (e, o))), rows


def test_sample_indicators_keep_both_earlier_years(clean: duckdb.DuckDBPyConnection,
                                                   staged: tuple[Path, list[str]]) -> None:
    """budget.performance_indicators: 表11's 年度目标 indicators carry the 2023 and 2022 values of the golden file,
    年度目标 2 too, whose 2022年 sub-header is printed empty."""
    truth = json.loads((ROOT / "tests" / "golden" / "wuchang-kjj-2024-budget.truth.json").read_text(encoding="utf-8"))
    t11 = next(t for t in truth["tables"] if t["id"] == "T11")
    expected = {}
    for block in t11["sections"]["indicator_tables"]:
        if block["kind"] != "long_term":
            for row in block["rows"]:
                earlier = [v for k, v in row["values"].items() if k.startswith("指标值/近两年指标值")]
                expected[(re.sub(r"\s+", "", block["title"]), row["name"])] = (earlier[0], earlier[1])
    got = {(goal, name): (prev, before) for goal, name, prev, before in clean.execute(
        "SELECT goal, indicator, value_previous_year, value_two_years_ago FROM budget.performance_indicators "
        "WHERE report_id = ? AND goal LIKE '年度目标%'", [staged[1][0]]).fetchall()}
    assert len(expected) == 14 and got == expected


# ---- one number changed per family: exactly that identity fails -------------------------------------

def test_row_identity_broken(staged: tuple[Path, list[str]], tmp_path: Path) -> None:
    """表7 “三公”经费合计 0.90 -> 1.90: only 合计 = 出国 + 公务用车 + 接待 breaks."""
    con = load(staged, tmp_path, set_cell("表7", "three_public", "", "“三公”经费合计", "1.90"))
    sample, other = staged[1]
    assert failing(con, sample) == {"total_column_equals_sum_of_its_parts"}
    assert status(con, sample)[0] == "loaded" and errors(con, sample) == 1
    # the reason a reader gets: the figures as a reader writes them, with their unit and the page
    assert "total_column_equals_sum_of_its_parts" in (status(con, sample)[1] or "")
    assert "1.9 vs 0.9 万元, difference 1, tolerance 0.02, page 8" in (status(con, sample)[1] or "")
    assert status(con, other) == ("loaded", None)


def test_total_row_broken(staged: tuple[Path, list[str]], tmp_path: Path) -> None:
    """J19 一般公共预算基本支出表 合计 11,700.63 -> 11,700.93 (a one-column table)."""
    con = load(staged, tmp_path, set_cell(None, "general_public_basic_by_economic", "合计", "金额", "11,700.93"),
               target=1)
    j19, sample = staged[1][1], staged[1][0]
    assert failing(con, j19) == {"total_row_equals_sum_of_top_level_rows"}
    assert status(con, j19)[0] == "loaded" and errors(con, j19) >= 1
    assert status(con, sample)[0] == "loaded"


def test_code_hierarchy_broken(staged: tuple[Path, list[str]], tmp_path: Path) -> None:
    """J19 一般公共预算基本支出表 30101 基本工资: 301 no longer equals the sum of its 款."""
    con = load(staged, tmp_path, set_cell(None, "general_public_basic_by_economic", "30101", "金额", "1.00"),
               target=1)
    j19, sample = staged[1][1], staged[1][0]
    assert failing(con, j19) == {"economic_class_equals_sum_of_its_items"}
    assert status(con, j19)[0] == "loaded" and errors(con, j19) >= 1
    assert status(con, sample)[0] == "loaded"


def test_a_detail_row_1000_yuan_too_high_is_found(staged: tuple[Path, list[str]], tmp_path: Path) -> None:
    """表3 2060101 行政运行 raised by 0.10 万元 (1,000 元) in 合计 and 基本支出, its 款 20601 left as printed: the
    code hierarchy breaks by exactly that, at error severity; no reading of the table explains it away."""
    golden = json.loads((ROOT / "tests" / "golden" / "wuchang-kjj-2024-budget.truth.json").read_text(encoding="utf-8"))
    row = next(r for t in golden["tables"] if t["id"] == "T3" for r in t["rows"] if r["code"] == "2060101")
    raised = {col: f"{Decimal(row['values'][col]) + Decimal('0.10'):.2f}" for col in ("合计", "基本支出")}

    def mutate(staging: Path, report_id: str) -> None:
        for col, value in raised.items():
            set_cell("表3", "expenditure", "2060101", col, value)(staging, report_id)

    con = load(staged, tmp_path, mutate)
    sample = staged[1][0]
    broken = con.execute("""SELECT check_name, difference, reading, reason FROM budget.check_results
                            WHERE report_id = ? AND severity = 'error' AND outcome = 'fail'""", [sample]).fetchall()
    hierarchy = [b for b in broken if b[0] == "function_class_equals_sum_of_its_subitems"]
    assert hierarchy and all(b[1] == Decimal("-0.10") and b[2] is None for b in hierarchy), broken
    # what else fails is the same 0.10 seen from the tables that print 20601's 项 too (表5-1), in yuan
    assert all(abs(b[1]) in (Decimal("0.10"), Decimal("1000")) for b in broken), broken
    assert status(con, sample)[0] == "loaded" and errors(con, sample) == len(broken)


def test_cross_table_identity_broken(staged: tuple[Path, list[str]], tmp_path: Path) -> None:
    """表12-1 an activity of 项目支出明细测算 77 -> 87: Σ activities no longer equals 项目当年预算."""
    def mutate(staging: Path, report_id: str) -> None:
        edit_staged(staging, "cells.parquet",
                    "UPDATE c SET raw_text = '87', amount = 87 WHERE kind = 'detail_amount' AND raw_text = '77'", [])

    con = load(staged, tmp_path, mutate)
    sample, other = staged[1]
    assert failing(con, sample) == {"project_activities_sum_to_project_budget"}
    assert status(con, sample)[0] == "loaded" and errors(con, sample) == 1
    assert status(con, other) == ("loaded", None)


def test_stage_preservation_broken(staged: tuple[Path, list[str]], tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A conforming step that loses one amount is caught, per table, by count and by sum."""
    import yusuan.conform as conform

    original = conform.conform_report

    def lossy(con: duckdb.DuckDBPyConnection, report_id: str) -> dict[str, int]:
        counts = original(con, report_id)
        con.execute("DELETE FROM conformed.fact_three_public WHERE report_id = ? AND item = '公务接待费'", [report_id])
        return counts

    monkeypatch.setattr("yusuan.conform.conform_report", lossy)
    con = load(staged, tmp_path)
    sample, other = staged[1]
    assert failing(con, sample) == {"conformed_amounts_equal_extracted_amounts"}
    broken = con.execute("SELECT instance FROM budget.check_results WHERE report_id = ? AND NOT passed "
                         "AND severity = 'error'", [sample]).fetchall()
    assert sorted(b[0] for b in broken) == ["表7: amount count extracted = conformed",
                                            "表7: amount sum extracted = conformed"]
    assert status(con, sample)[0] == "quarantined"


def test_narrative_disagreement_is_a_warning(staged: tuple[Path, list[str]], tmp_path: Path) -> None:
    """The prose's 科学技术支出 844.16 -> 854.16 万元 (100,000 元 more): a warning; the report stays loaded. The
    sentence is under 四、财政拨款收支预算总体情况, so the figure is the 财政拨款收支总表's (表4)."""
    def mutate(staging: Path, report_id: str) -> None:
        edit_staged(staging, "claims.parquet",
                    "UPDATE c SET raw = '854.16', value = 854.16 WHERE subject = '科学技术支出'", [])

    con = load(staged, tmp_path, mutate)
    sample = staged[1][0]
    assert failing(con, sample) == set()
    warned = con.execute("SELECT instance, difference FROM budget.check_results WHERE report_id = ? AND NOT passed "
                         "AND instance LIKE '%科学技术支出%'", [sample]).fetchall()
    assert warned == [("prose p17 “科学技术支出 854.16万元” = 表4 （五）科学技术支出 支出/预算数", Decimal("10.00"))]
    assert status(con, sample)[0] == "loaded"


def test_correspondence_difference_is_a_warning(staged: tuple[Path, list[str]], tmp_path: Path) -> None:
    """表12-2's 项目名称 企业管理经费 -> 企业管理费用: one more name warning; the report stays loaded."""
    def mutate(staging: Path, report_id: str) -> None:
        edit_staged(staging, "cells.parquet", "UPDATE c SET raw_text = '企业管理费用' WHERE kind = 'field' "
                    "AND column_name = '项目名称' AND raw_text = '企业管理经费'", [])

    con = load(staged, tmp_path, mutate)
    sample = staged[1][0]
    assert failing(con, sample) == set()
    warned = {r[0] for r in con.execute("SELECT instance FROM budget.check_results WHERE report_id = ? "
                                        "AND family = 'correspondences' AND NOT passed", [sample]).fetchall()}
    assert "表12-2 项目名称 企业管理费用 ≠ 表10 企业管理经费" in warned and len(warned) == 5
    assert status(con, sample)[0] == "loaded"


def test_waiver_promotes_a_reviewed_defect(staged: tuple[Path, list[str]], tmp_path: Path) -> None:
    expectations = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS, expectations)
    sha = re.sub(r"^r", "", staged[1][1])
    (expectations / "waivers.yaml").write_text(
        "waivers:\n  - sha256: " + sha + "\n    identity: total_row_equals_sum_of_top_level_rows\n"
        "    reason: reviewed, the published 合计 is wrong\n", encoding="utf-8")
    con = load(staged, tmp_path, set_cell(None, "general_public_basic_by_economic", "合计", "金额", "11,700.93"),
               target=1, expectations=expectations)
    j19 = staged[1][1]
    assert failing(con, j19) == set()
    assert status(con, j19) == ("loaded", None)
    waived = con.execute("SELECT check_name, outcome, detail FROM budget.check_results WHERE report_id = ? "
                         "AND outcome = 'waived'", [j19]).fetchall()
    assert waived == [("total_row_equals_sum_of_top_level_rows", "waived",
                       "waived: reviewed, the published 合计 is wrong")]


ADDED = """
  - name: fiscal_summary_basic_equals_fiscal_basic_table
    family: cross_table
    rule: cross_table
    description: 财政拨款收支总表 基本支出 = 财政拨款基本支出表 合计
    why: "the 财政拨款 basic expenditure is one figure, printed in two tables"
    lhs: {table: [fiscal_summary], row: "name:基本支出$", column: "支出"}
    rhs: [{table: [fiscal_basic_by_economic], row: total, column: "(^|/)(合计|金额)$"}]

  - name: fiscal_basic_covers_general_public_basic
    family: correspondences
    rule: cross_table
    relation: covers
    description: 财政拨款基本支出表 合计 ≥ 一般公共预算基本支出表 合计
    why: "财政拨款 includes the 一般公共预算 money, so its basic expenditure covers the 一般公共预算 part"
    lhs: {table: [fiscal_basic_by_economic], row: total, column: "(^|/)(合计|金额)$"}
    rhs: [{table: [general_public_basic_by_economic], row: total, column: "(^|/)(合计|金额)$"}]
"""


def test_an_identity_added_to_the_catalog_alone_is_checked(staged: tuple[Path, list[str]], tmp_path: Path) -> None:
    """A strict identity and a customary correspondence, added by editing a copy of identities.yaml
    (nothing else), are evaluated on J19 through the pipeline; with the 财政拨款收支总表's 基本支出
    raised by 1.00 and its 项目支出 lowered by 1.00 (the table still adds up), the strict one, and only
    it, fails beyond what the project's own catalog finds."""
    expectations = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS, expectations)
    with (expectations / "identities.yaml").open("a", encoding="utf-8") as f:
        f.write(ADDED)
    j19 = staged[1][1]
    con = load(staged, tmp_path / "clean", expectations=expectations)
    added = con.execute("SELECT check_name, severity, outcome, observed, expected FROM budget.check_results "
                        "WHERE report_id = ? AND check_name IN ('fiscal_summary_basic_equals_fiscal_basic_table', "
                        "'fiscal_basic_covers_general_public_basic') ORDER BY 1", [j19]).fetchall()
    # 表四 一、基本支出, 表六 合计 and 表八 合计 all print 11,700.63 万元 (read from the PDF); in 元:
    assert added == [("fiscal_basic_covers_general_public_basic", "warn", "pass", Decimal("117006300"),
                      Decimal("117006300")),
                     ("fiscal_summary_basic_equals_fiscal_basic_table", "error", "pass", Decimal("117006300"),
                      Decimal("117006300"))]
    assert status(con, j19) == ("loaded", None)
    con.close()

    def shift(staging: Path, report_id: str) -> None:
        set_cell(None, "fiscal_summary", "一、基本支出", "支出/支出用途/金额", "11,701.63")(staging, report_id)
        set_cell(None, "fiscal_summary", "二、项目支出", "支出/支出用途/金额", "13,024.38")(staging, report_id)

    with_added = load(staged, tmp_path / "added", shift, target=1, expectations=expectations)
    without = load(staged, tmp_path / "project", shift, target=1)
    assert failing(with_added, j19) - failing(without, j19) == {"fiscal_summary_basic_equals_fiscal_basic_table"}
    assert errors(with_added, j19) == errors(without, j19) + 1
