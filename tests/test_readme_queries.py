"""Every SQL query of the README's analyst section runs on the sample warehouse and answers."""

from __future__ import annotations

import re
from decimal import Decimal

import duckdb
import pytest
from conftest import ROOT

from yusuan.identify import body_key

README = (ROOT / "README.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"```sql\n(.*?)```", README, flags=re.S)


# “三公” total and 公务接待费 of every sample report, in yuan, as its page prints them (万元 x 10,000; 元 for 北京):
# the whole body, the report's own period (a budget's 预算数, a 决算's 决算数), summed over the funds. The two
# 决算 of 普陀 czj and shgzb print no 决算数 (czj p18 only its 预算数 0.95; shgzb p14 "本表无数据"): no row.
W = 10000
THREE_PUBLIC_BY_DEPARTMENT = {
    ("上海市普陀区人民政府万里街道办事处", 2023, "dept_budget"): (22.91, 1.35),  # p28
    ("上海市普陀区人民政府万里街道办事处", 2024, "dept_budget"): (47.91, 1.35),  # p31
    ("上海市普陀区人民政府万里街道办事处", 2025, "dept_budget"): (37.91, 1.35),  # p29
    ("上海市普陀区人民政府办公室", 2025, "dept_budget"): (867.50, 28.50),  # p20
    ("上海市普陀区司法局", 2026, "unit_budget"): (10.71, 0.73),  # p20
    ("上海市普陀区司法局", 2026, "dept_budget"): (10.81, 0.83),  # p21
    ("上海市普陀区商务委员会", 2025, "dept_budget"): (1.00, 1.00),  # p21
    ("上海市普陀区社会福利院", 2024, "unit_budget"): (6.4, 0),  # p15
    ("上海市普陀区规划和自然资源局", 2024, "dept_final"): (0.39, 0.39),  # p17, 决算数 (预算数 2.85)
    ("上海市普陀区财政局", 2025, "dept_budget"): (0.95, 0.95),  # p21
    ("上海市财政局", 2025, "unit_budget"): (346.30, 25.40),  # p20
    ("中共江苏省委办公厅", 2019, "dept_budget"): (508.20, 27.00),  # p9: 合计 1,471.70 adds 会议费 and 培训费
    ("江苏省人大常委会办公厅", 2017, "dept_budget"): (833.60, 427.50),  # p20: 合计 2,542.60 likewise
    ("江苏省人民检察院", 2019, "dept_budget"): (418.26, 101.26),  # p20: 合计 1,276.7 likewise
    ("江苏省政协办公厅", 2018, "dept_budget"): (675.10, 412.50),  # p9: 合计 1,656.86 likewise
    ("北京市审计局", 2026, "dept_budget"): (244.848, 6.000),  # p9
    ("国家信访局", 2024, "dept_final"): (46.21, 0.90),  # p15, 决算数 (预算数 76.43 and 5.80)
    ("国家信访局", 2026, "dept_budget"): (112.61, 5.51),  # p16
    ("杭州市气象局", 2026, "dept_budget"): (24.02, 6.02),  # p21, the 合计 row (not its two units)
    ("武昌区科学技术和经济信息化局", 2024, "unit_budget"): (0.90, 0.90),  # p8
    ("深圳市统计局（本级）", 2026, "dept_budget"): (32.56, 11.56),  # p32, the 2026年 row (2025年: 59.62)
    ("福州市科学技术局(本级)", 2026, "unit_budget"): (9.14, 1.00),  # p22, items as rows
    ("长沙市公安局", 2025, "dept_budget"): (458.50, 28.50),  # p21, the 合计 row
}
THREE_PUBLIC_BY_DEPARTMENT = {k: (Decimal(str(a)) * W, Decimal(str(b)) * W)
                              for k, (a, b) in THREE_PUBLIC_BY_DEPARTMENT.items()}


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
    three = {(r[0], r[1], r[2]): (r[3], r[4]) for r in warehouse.execute(QUERIES[0]).fetchall()}
    assert three == THREE_PUBLIC_BY_DEPARTMENT
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


def test_the_views_have_the_columns_the_readme_describes(warehouse: duckdb.DuckDBPyConnection) -> None:
    """Each view's bullet in the README names its columns in backquotes; every one of them is a column of it."""
    for view in ("three_public_expenses", "narrative_claims"):
        bullet = re.search(rf"^- `budget\.{view}`:(.*?)(?=^- |^\S)", README, flags=re.S | re.M)
        assert bullet, view
        named = set(re.findall(r"`([a-z_0-9]+)`", bullet.group(1))) - {"budget", "final", "function", "economic",
                                                                       "three_public", "all", "general_public"}
        columns = {c for (c,) in warehouse.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = "
                                                   "'budget' AND table_name = ?", [view]).fetchall()}
        assert named and named <= columns, (view, named - columns)


def test_readme_largest_projects_are_projects(warehouse: duckdb.DuckDBPyConnection) -> None:
    """The project rows, never the hierarchy above them (the department, its 本级, 本级支出项目), and tables totalled
    by 总计 as well as 合计: 深圳 统计局 2026 p8 专项统计业务 844.03 万元 (表 总计 column), 武昌 p19 计划管理经费 145 万元."""
    rows = warehouse.execute(next(q for q in QUERIES if "FROM budget.projects p" in q)).fetchall()
    got = {(department, year, name): amount for department, year, name, amount in rows}
    assert got[("深圳市统计局（本级）", 2026, "专项统计业务")] == Decimal("8440300")
    assert got[("武昌区科学技术和经济信息化局", 2024, "计划管理经费")] == Decimal("1450000")
    departments = {d for (d,) in warehouse.execute("SELECT department FROM budget.reports").fetchall()}
    assert not [name for _, _, name in got if name in departments or name.endswith("本级") or name == "本级支出项目"]


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
    # the 三公 in the series, of each report's own period, with its page: 国家信访局 2024 决算 p15 公务接待费 决算数
    # 0.90 万元 (its 预算数 5.80 is not what was spent), 深圳 2026 p32 总计 32.56 万元 (not 2025's 59.62)
    rows = warehouse.execute("SELECT body_key, year, kind, code, amount_yuan, page FROM budget.series "
                             "WHERE classification = 'three_public'").fetchall()
    series = {(body, year, kind, code): (amount, page) for body, year, kind, code, amount, page in rows}
    assert series[("国家信访局/dept", 2024, "final", "reception")] == (Decimal("9000"), 15)
    assert series[("深圳市统计局/dept", 2026, "budget", "total")] == (Decimal("325600"), 32)
    for (department, year, report_kind), (total, reception) in THREE_PUBLIC_BY_DEPARTMENT.items():
        key, kind = body_key(department, report_kind), report_kind.split("_")[1]
        assert series[(key, year, kind, "total")][0] == total, (department, year)
        assert series[(key, year, kind, "reception")][0] == reception, (department, year)
    # a 部门 and its own 本级 单位 are two bodies: 司法局 2026 prints 10.81 万元 as a 部门, 10.71 as its 本级
    assert series[("上海市普陀区司法局/dept", 2026, "budget", "total")][0] == Decimal("108100")
    assert series[("上海市普陀区司法局/unit", 2026, "budget", "total")][0] == Decimal("107100")
    three = next(q for q in QUERIES if "classification = 'three_public'" in q)
    assert len(warehouse.execute(three).fetchall()) == 2 * len(THREE_PUBLIC_BY_DEPARTMENT)
    # no budget is ever paired with itself as a final: each figure is one kind
    kinds = warehouse.execute("SELECT DISTINCT kind, report_kind FROM budget.series").fetchall()
    assert all((kind == "final") == report_kind.endswith("final") for kind, report_kind in kinds)
