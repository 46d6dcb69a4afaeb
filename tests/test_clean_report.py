"""A clean report passes with nothing flagged.

Synthetic budgets (tests/synthetic.py) are built from one consistent set of figures: every
total is the exact sum of its parts, every figure printed twice is printed alike, and the
情况说明 states the tables' own figures. Through the whole pipeline, each must load with no
failure of any severity, no gap to explain as rounding, and every stated figure checked.
"""

from __future__ import annotations

import duckdb
import pytest
from synthetic import Figures, build

from pipelines.cli import main

SEEDS = (0, 17, 42)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[duckdb.DuckDBPyConnection, dict[str, Figures]]:
    folder = tmp_path_factory.mktemp("clean")
    inbox = folder / "inbox"
    inbox.mkdir()
    made = {f"clean-{seed}.pdf": build(inbox / f"clean-{seed}.pdf", seed) for seed in SEEDS}
    assert main(["ingest", str(inbox), "--data-dir", str(folder / "data")]) == 0
    return duckdb.connect(str(folder / "data" / "warehouse.duckdb"), read_only=True), made


def test_every_clean_report_loads_with_its_identity(clean: tuple[duckdb.DuckDBPyConnection, dict[str, Figures]]) -> None:
    con, made = clean
    rows = con.execute("SELECT file_name, status, status_reason, department, fiscal_year, report_kind, tables_found "
                       "FROM budget.reports ORDER BY file_name").fetchall()
    assert rows == sorted((name, "loaded", None, f.department, f.year, "dept_budget", 8) for name, f in made.items())


def test_nothing_is_flagged(clean: tuple[duckdb.DuckDBPyConnection, dict[str, Figures]]) -> None:
    con, _ = clean
    flagged = con.execute("SELECT r.file_name, c.check_name, c.instance, c.outcome FROM budget.check_results c "
                          "JOIN budget.reports r USING (report_id) WHERE c.outcome <> 'pass'").fetchall()
    assert flagged == []
    per_report = con.execute("SELECT count(*) FROM budget.check_results GROUP BY report_id").fetchall()
    assert len(per_report) == len(SEEDS) and min(n for (n,) in per_report) > 100


def test_every_family_and_every_stated_figure_is_checked(
        clean: tuple[duckdb.DuckDBPyConnection, dict[str, Figures]]) -> None:
    """Nothing flagged because everything was checked, not because nothing was: each family
    evaluates instances, and each figure of the 情况说明 is compared with its table."""
    con, made = clean
    families = {r[0] for r in con.execute("SELECT DISTINCT family FROM budget.check_results").fetchall()}
    assert families >= {"row_identities", "totals", "code_hierarchy", "cross_table", "stage_preservation",
                        "correspondences", "narrative", "wording"}
    for name, f in made.items():
        stated = con.execute("""
            SELECT c.instance, c.observed, c.expected FROM budget.check_results c JOIN budget.reports r USING (report_id)
            WHERE r.file_name = ? AND c.family = 'narrative' ORDER BY c.instance""", [name]).fetchall()
        against = {(i.split("” = ")[1], obs) for i, obs, exp in stated if obs == exp}
        reception = f.reception + f.reception_projects
        assert against == {
            ("表1 收入总计 收入/预算数", f.total), ("表3 合计 合计", f.total), ("表5 合计 合计", f.total),
            ("表3 合计 基本支出", f.basic), ("表3 合计 项目支出", f.projects), ("表7 合计", f.three_public),
            ("表7 因公出国（境）费", f.overseas), ("表7 公务用车购置及运行费/小计", f.vehicles),
            ("表7 公务接待费", reception),
            (f"基本支出 {f.basic:,.2f} + 项目支出 {f.projects:,.2f}", f.total),
            (f"因公出国（境）费 {f.overseas:,.2f} + 公务用车购置及运行费 {f.vehicles:,.2f} + 公务接待费 {reception:,.2f}",
             f.three_public)}, name
        assert len(stated) == len(against)
