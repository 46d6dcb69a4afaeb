"""Every SQL query of the README's analyst section runs on the sample warehouse and answers."""

from __future__ import annotations

import re
from decimal import Decimal

import duckdb
import pytest
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"```sql\n(.*?)```", README, flags=re.S)


@pytest.fixture(scope="module")
def warehouse(corpus_db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return corpus_db


def test_the_readme_has_at_least_eight_questions() -> None:
    assert len(QUERIES) >= 8


@pytest.mark.parametrize("query", QUERIES, ids=[f"q{i + 1}" for i in range(len(QUERIES))])
def test_readme_query_answers(warehouse: duckdb.DuckDBPyConnection, query: str) -> None:
    rows = warehouse.execute(query).fetchall()
    if "status <> 'loaded'" in query:  # every report of the sample is loaded: nothing is kept out
        assert rows == [] and warehouse.execute("SELECT DISTINCT status FROM budget.reports").fetchall() == [("loaded",)]
        return
    assert rows, query


def test_readme_answers_match_the_documents(warehouse: duckdb.DuckDBPyConnection) -> None:
    by_start = {q.split("\n", 1)[0]: q for q in QUERIES}
    science = warehouse.execute(next(q for k, q in by_start.items() if "fiscal_year, department, amount_yuan" in k)
                                ).fetchall()
    assert (2024, "武昌区科学技术和经济信息化局", Decimal("8441600.000000")) in science  # 表3 206: 844.16 万元
    three = {r[0]: (r[2], r[3]) for r in warehouse.execute(QUERIES[0]).fetchall()}
    assert three["武昌区科学技术和经济信息化局"] == (Decimal("9000.000000"), Decimal("9000.000000"))  # 表7 0.90 万元
    assert three["上海市普陀区司法局"] == (Decimal("108100.000000"), Decimal("8300.000000"))  # 10.81 / 0.83 万元
    gaps = warehouse.execute(next(q for q in QUERIES if "AS largest_gap" in q)).fetchall()
    assert gaps and all(r[-1] is not None and r[-1] > 0 for r in gaps), "a report that does not add up has a gap"
    # sfj 单位 表3 p11: 20406 项目支出 64,840,547 against its 项 rows' 129,681,094 (the 款 figure repeated)
    assert max(r[-1] for r in gaps if r[0] == "sh_putuo_sfj_2026_unit_budget.pdf") == Decimal("64840547")
    findings = {r[0]: r[3] for r in warehouse.execute(next(q for q in QUERIES if "AND errors > 0" in q)).fetchall()}
    # the two 决算 whose 表4 and 表5 differ by 0.01 万元 on one 类 (czj p12/p15, ghzy p12/p14): loaded, one error each
    assert findings["sh_putuo_czj_2024_dept_final.pdf"] == findings["sh_putuo_ghzy_2024_dept_final.pdf"] == 1
    # sfj 单位 表3 p11: 20406 项目支出 printed as half its 项 rows (four instances of the one break)
    assert findings["sh_putuo_sfj_2026_unit_budget.pdf"] == 4
    assert set(findings) == {r[0] for r in gaps if r[1] == "loaded" and r[2] > 0}
    # leaving them out: 206 科学技术支出 sums the reports without a finding only
    without = {code: n for code, _, n in warehouse.execute(next(q for q in QUERIES if "r.errors = 0" in q)).fetchall()}
    with_all = dict(warehouse.execute("SELECT function_code, count(DISTINCT report_id) FROM budget.expenditure_by_function "
                                      "WHERE fund = 'all' AND measure = 'total' AND length(function_code) = 3 "
                                      "GROUP BY ALL").fetchall())
    assert without["204"] < with_all["204"]  # 司法 (204): the sfj 单位 budget, with findings, is left out


def test_readme_series_answers_match_the_documents(warehouse: duckdb.DuckDBPyConnection) -> None:
    """budget.series: 212 城乡社区支出 of 万里街道, from each budget's 一般公共预算支出 table (2023 p22 121,319,878 元,
    2024 p25 119,385,303 元, 2025 p23 154,369,326 元); the 2023 budget has a finding and is loaded like the others."""
    by_start = {q.split("\n", 1)[0]: q for q in QUERIES}
    rows = warehouse.execute(next(q for k, q in by_start.items() if k.startswith("SELECT year, kind, code"))).fetchall()
    urban = {(year, kind): amount for year, kind, code, _, amount in rows if code == "212"}
    assert urban == {(2023, "budget"): Decimal("121319878"), (2024, "budget"): Decimal("119385303"),
                     (2025, "budget"): Decimal("154369326")}
    status = warehouse.execute("SELECT status, errors FROM budget.reports "
                               "WHERE file_name = 'sh_putuo_wanli_2023_dept_budget.pdf'")
    assert status.fetchone() == ("loaded", 1)
    # 决算 by economic class: 301 工资福利支出 决算数, cn 公开06表 p12 prints 6,982.75
    finals = warehouse.execute(next(q for q in QUERIES if "kind = 'final' AND classification = 'economic'" in q))
    wages = {body: amount for body, year, code, _, amount in finals.fetchall() if code == "301"}
    assert wages["国家信访局"] == Decimal("69827500")  # 6,982.75 万元
    # no budget is ever paired with itself as a final: each figure is one kind
    kinds = warehouse.execute("SELECT DISTINCT kind, report_kind FROM budget.series").fetchall()
    assert all((kind == "final") == report_kind.endswith("final") for kind, report_kind in kinds)
