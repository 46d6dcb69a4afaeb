"""On every real report of the repository: what the checks find is what the documents get wrong.

Every instance that fails (an error or a warning) is listed here with the page that shows it, and no
other instance fails; every report is loaded, its breaks counted (budget.reports.errors) and published beside its
figures: no core table of them goes unconfirmed by its own arithmetic. Each
listed failure is a break of the hand-read truth (tests/fixtures/truth, matched by its difference) or, where
the truth missed it, a defect shown on the page with its figures. And every break of the truth is found:
a table break as a failure or a rounding gap, a narrative break as a failing warning.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import TRUTH

NARRATIVE = "narrative_figures_agree_with_tables"
YEARS = "years_agree_with_the_fiscal_year"

# (check, the start of the instance text, why it is a defect of the document)
FINDINGS: dict[str, list[tuple[str, str, str]]] = {
    "cn_central_gjxfj_2026_dept_budget.pdf": [
        (NARRATIVE, "prose p18 “国家信访局财政拨款收支总预算 18,728.91万元”",
         "missed by the truth: p18 prints 18,728.91 万元; 部门公开表4 (p9) prints 收入总计 18,728.94"),
        (NARRATIVE, "prose p25 “国家信访局2026年委托业务费财政拨款预算” change 31.35%",
         "missed by the truth: p25 1,391.68 万元, 比2025年预算增加 333.83 万元 is 31.56%, printed 31.35%"),
    ],
    "gd_shenzhen_tjj_2026_dept_budget.pdf": [
        (NARRATIVE, "prose p6 “深圳市统计局（本级）预算 5,417.80万元” = 在职人员经费",
         "truth: 在职人员经费+公用经费+对个人和家庭补助+增人增资+项目支出 = 5,417.79, stated 5,417.80"),
    ],
    "hn_changsha_gaj_2025_dept_budget.pdf": [
        ("form_funding_total_equals_its_rows", "project_performance 合计: 资金总额 = Σ 15 rows below (14 read)",
         "truth: 表9 合计 40,233.95 vs the 14 listed projects 39,052.86 (the unit row 长沙市公安局 read as a subtotal)"),
    ],
    "js_prov_jcy_2019_dept_budget.pdf": [
        (NARRATIVE, "prose p25 “江苏省人民检察院2019年度收入、支出预算总计” change 10.06%",
         "truth: 增加 2214.39 on 24,169.74 is 10.09%, printed 10.06%"),
        (NARRATIVE, "prose p26 “项目支出预算数为” change 13.22%", "truth: 减少 1237.7 on 4335.3 is 22.21%, printed 13.22%"),
        (NARRATIVE, "prose p29 “住房改革支出（款）住房公积金（项）支出” change 34.38%",
         "truth: 增加 368.97 on 1442.74 is 34.36%, printed 34.38%"),
        # missed by the truth: the printed rate is not the correctly rounded value of the printed figures
        (NARRATIVE, "prose p25 “一般公共预算收入预算” change 10.15%", "p25: 2228.78 / 21,940.96 = 10.158%, printed 10.15%"),
        (NARRATIVE, "prose p27 “省检察院2019年度财政拨款收、支总预算” change 10.15%", "p27: the same 10.158%, printed 10.15%"),
        (NARRATIVE, "prose p27 “省检察院2019年财政拨款预算支出” change 10.15%", "p27: the same 10.158%, printed 10.15%"),
        (NARRATIVE, "prose p29 “省检察院2019年一般公共预算财政拨款支出预算” change 10.15%", "p29: the same 10.158%"),
        (NARRATIVE, "prose p27 “检察（款）一般行政管理事务(项)支出” change 35.77%",
         "p27: 减少 1311.6 on 3666.0 is 35.778%, printed 35.77%"),
        (NARRATIVE, "prose p28 “行政事业单位离退休（款）未归口管理的行政单位离退休（项）支出” change 7.57%",
         "p28: 增加 28.1 on 371.92 is 7.555%, printed 7.57%"),
        (NARRATIVE, "prose p29 “住房改革支出（款）提租补贴（项）支出” change 64.07%",
         "p29: 增加 1657 on 2586.61 is 64.061%, printed 64.07%"),
    ],
    "js_prov_rdbgt_2017_dept_budget.pdf": [
        (NARRATIVE, "prose p28 “本部门一般公共预算机关运行经费预算支出” change 254.23%",
         "truth: 4032.99 / 1586.32 = 254.2356%, printed 254.23% (cut, not rounded)"),
    ],
    "sh_putuo_czj_2025_dept_budget.pdf": [
        (NARRATIVE, "prose p7 “社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位职业年金缴费支出（项） 887.36万元”",
         "truth: 887.36 万元 for 2080506's 873,617 元 (87.36 万元)"),
        (NARRATIVE, "prose p8 “社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位职业年金缴费支出（项） 887.36万元”",
         "truth: the same item printed again on p8"),
    ],
    "sh_putuo_fuliyuan_2024_unit_budget.pdf": [
        (NARRATIVE, "prose p6 “社会保障和就业支出（类）社会福利（款）社会福利事业单位（项） 738.66万元”",
         "truth: 738.66 万元 matches no table figure; 表3 2081005 prints 9,584,796 元"),
    ],
    "sh_putuo_sfj_2026_dept_budget.pdf": [
        (NARRATIVE, "prose p9 “住房保障支出（221类）住房改革支出（02款）住房公积金（01项） 208.8万元” = 预算安排",
         "truth: headline 208.8 vs 预算安排 201.50"),
        (NARRATIVE, "prose p9 “预算安排 201.50万元” = expenditure 2210201", "truth: the same 201.50 against 表3 208.80 万元"),
        (NARRATIVE, "prose p9 “预算安排” change 17.62%", "truth: 3845.49 against 43269.3 is -91.11%, printed 增加 17.62%"),
        (NARRATIVE, "prose p9 “预算安排” change 17.66%", "truth: 职业年金 91.97 vs 77.99 is 17.93%, printed 17.66%"),
        (NARRATIVE, "prose p9 “预算安排” change 5.27%", "truth: 住房公积金 201.50 vs 198.34 is 1.59%, printed 5.27%"),
        (NARRATIVE, "prose p9 “预算安排” change 2.21%",
         "missed by the truth: p9 行政单位离退休 57.8 vs 59.11 is -2.216%, printed 减少 2.21%"),
        (YEARS, "p8 “比2026年预算增加” compares with 2026",
         "wording: p8 of the 2026 budget says 财政拨款收入 / 财政拨款支出预算 / 一般公共预算拨款支出预算 "
         "9628.22万元，比2026年预算增加793.14万元 (three sentences): 2026 for 2025"),
        (YEARS, "p8 “与2026年预算持平” compares with 2026",
         "wording: p8 says 政府性基金 / 国有资本经营预算拨款支出预算0万元，与2026年预算持平 (two sentences)"),
    ],
    "sh_putuo_sfj_2026_unit_budget.pdf": [
        ("function_class_equals_sum_of_its_subitems", "expenditure 20406 司法: 支出预算/项目支出",
         "truth: p11 2040601 行政运行 prints the 款's 项目支出 64,840,547"),
        ("total_column_equals_sum_of_its_parts", "expenditure row 2040601", "truth: the same defect, row by row"),
        ("function_class_equals_sum_of_its_subitems", "general_public_by_function 20406 司法", "truth: the same on p14"),
        ("total_column_equals_sum_of_its_parts", "general_public_by_function row 2040601", "truth: the same on p14"),
        (NARRATIVE, "prose p6 “社会保障和就业支出（208类）行政事业单位养老支出（05款）行政单位离退休（01项） 56.12万元”",
         "truth: headline 56.12 vs 预算安排 57.8"),
        (NARRATIVE, "prose p6 “预算安排 57.8万元”", "truth: the same 57.8 against 表3 56.12 万元"),
        (NARRATIVE, "prose p6 “预算安排” change 1.10%", "truth: 行政运行 1434.89 vs 1690.69 is -15.13%"),
        (NARRATIVE, "prose p6 “预算安排” change 2.27%", "truth: 57.8 vs 57.43 is +0.64%, printed 减少 2.27%"),
        (NARRATIVE, "prose p7 “住房保障支出（221类）住房改革支出（02款）购房补贴（03项） 207万元”",
         "truth: headline 207 vs 预算安排 170.03"),
        (NARRATIVE, "prose p7 “预算安排 170.03万元”", "truth: the same 170.03 against 表3 207.00 万元"),
        (NARRATIVE, "prose p7 “预算安排” change 21.74%", "truth: 170.03 vs 241.76 is -29.67%, printed 增加 21.74%"),
        (NARRATIVE, "prose p7 “预算安排” change 22.22%", "truth: 0.62 vs 0.50 is 24.00%"),
        (NARRATIVE, "prose p7 “预算安排” change 93.51%", "truth: 98.27 vs 50.78 is 93.52%"),
    ],
    "cn_central_gjxfj_2024_dept_final.pdf": [
        (NARRATIVE, "prose p17 “国家信访局2024年度收、支总计” change 35.74%",
         "missed by the truth: p17 收、支总计 22,066.59 万元, 增加 5,834.37 万元 over 16,232.22 is 35.94%, printed 35.74%"),
        (NARRATIVE, "prose p19 “国家信访局2024年度本年支出合计 14572.53万元” = 按功能分类支出",
         "truth: the five 类 listed on p19 sum to 14,572.54, the total is printed 14,572.53"),
    ],
    "sh_putuo_czj_2024_dept_final.pdf": [
        ("fiscal_summary_class_equals_fiscal_tables", "fiscal_summary 八、社会保障和就业支出",
         "truth: 表4 prints 社会保障和就业支出 0.01 万元 below 表5's 类 row"),
        (NARRATIVE, "prose p21 “上海市普陀区财政局2024年度财政拨款收入支出总计 0.3万元”",
         "truth: p21 says 0.3 万元 for 表4's 总计 2,961.68"),
        (NARRATIVE, "prose p21 “一般公共服务支出（类）” share 71.73% = table amount",
         "truth: 2,106.66 / 2,940.05 is 71.65%, printed 71.73%"),
        (NARRATIVE, "prose p24 “上海市普陀区财政局2024年度政府采购金额（以合同签订为准）为 251.25万元”",
         "truth: 货物 4.79 + 工程 0 + 服务 246.47 = 251.26"),
    ],
    "sh_putuo_ghzy_2024_dept_final.pdf": [
        ("fiscal_summary_class_equals_fiscal_tables", "fiscal_summary 九、卫生健康支出",
         "truth: 表4 prints 卫生健康支出 0.01 万元 below 表5's 类 row"),
        (NARRATIVE, "prose p24 “一般公共预算财政拨款基本支出 5377.64万元”",
         "truth: 表5 合计 基本支出 is 5,364.75, the prose says 5,377.64 (12.89 more)"),
        (NARRATIVE, "prose p24 “人员经费 4896.98万元”", "truth: 表6 人员经费合计 is 4,884.09"),
        ("stated_completion_rate_agrees_with_its_figures", "prose p21 completion 95.45%",
         "missed by the truth: p21 年初预算为10210.34万元，支出决算为9746.50万元，完成年初预算的95.45%: 95.457%, "
         "correctly rounded 95.46%"),
        (NARRATIVE, "prose p27 “上海市普陀区规划和自然资源局2024年度政府采购金额（以合同签订为准）为 2319.21万元”",
         "truth: 货物 122.43 + 工程 1,387.72 + 服务 809.07 = 2,319.22"),
    ],
    "fj_fuzhou_kjj_2026_unit_budget.pdf": [
        ("project_forms_within_project_expenditure", "三 合计 项目支出 ≥ Σ 15 project forms' funding",
         "truth: the 15 项目绩效目标表 sum to 70,957.85 = 项目支出 68,957.85 + the 2,000.00 转移支付 form"),
    ],
    "sh_putuo_wanli_2023_dept_budget.pdf": [
        ("form_section_total_equals_its_parts", "project_performance 项目资金（元）: 年度资金申请总额",
         "truth: p35 年度资金申请总额 10,903,043 vs 当年财政拨款 11,419,043 + 上年结转 0 + 其他 0"),
        (NARRATIVE, "prose p6 “预算安排” change 314.82%", "truth: 45.41 vs 11.67 is 289.12%"),
        (NARRATIVE, "prose p7 “社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位职业年金缴费支出（项） 220.63万元”",
         "truth: headline 220.63 vs 预算安排 441.25"),
        (NARRATIVE, "prose p7 “预算安排” change 60.54%", "truth: 441.25 vs 132.59 is 232.79%"),
    ],
    "sh_putuo_wanli_2024_dept_budget.pdf": [
        (NARRATIVE, "prose p9 “住房保障支出（类）住房改革支出（款）住房公积金（项） 350.35万元”",
         "truth: headline 350.35 vs 预算安排 352.67"),
        (NARRATIVE, "prose p9 “预算安排” change 0.53%", "truth: 352.67 vs 348.52 is 1.19%"),
    ],
    "zj_hangzhou_qxj_2026_dept_budget.pdf": [
        (NARRATIVE, "prose p4 “支出预算 5,876.67万元” = 人员支出",
         "truth: 人员 2,906.80 + 公用 838.27 + 项目 2,131.61 = 5,876.68, stated 5,876.67"),
    ],
}
REPORTS = sorted(p.stem + ".pdf" for p in TRUTH.glob("*.json"))


def _failures(db: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str, str]]:
    return db.execute("""SELECT c.check_name, c.instance, c.severity FROM budget.check_results c
                         JOIN budget.reports r USING (report_id) WHERE r.file_name = ? AND c.outcome = 'fail'""",
                      [name]).fetchall()


@pytest.mark.parametrize("name", REPORTS)
def test_every_failure_is_a_defect_of_the_document(corpus_db: duckdb.DuckDBPyConnection, name: str) -> None:
    listed = FINDINGS.get(name, [])
    got = _failures(corpus_db, name)
    unlisted = [(c, i) for c, i, _ in got if not any(c == lc and i.startswith(li) for lc, li, _ in listed)]
    assert unlisted == []
    not_found = [(lc, li) for lc, li, _ in listed if not any(c == lc and i.startswith(li) for c, i, _ in got)]
    assert not_found == []
    row = corpus_db.execute("SELECT status, errors, tables_unconfirmed FROM budget.reports WHERE file_name = ?",
                            [name]).fetchone()
    errors = [i for _, i, sev in got if sev == "error"]
    assert row == ("loaded", len(errors), 0), errors


def _dec(x: object) -> Decimal | None:
    try:
        return abs(Decimal(str(x).replace(",", "").replace("%", "")))
    except ArithmeticError:
        return None


def _matches(a: Decimal, b: Decimal) -> bool:
    """The same difference, in the same unit or converted between 元 and 万元 (half a unit of slack)."""
    return any(abs(a - b * f) <= Decimal("0.005") * max(Decimal(1), f)
               for f in (Decimal(1), Decimal(10000), Decimal("0.0001")))


@pytest.mark.parametrize("name", REPORTS)
def test_every_break_of_the_truth_is_found(corpus_db: duckdb.DuckDBPyConnection, name: str) -> None:
    """A table break is found as a failure or a rounding gap of the same size; a narrative break as a failing
    prose warning of the same size. Breaks the truth records without a difference are found by the listing
    above (887.36 for 87.36, 738.66)."""
    truth = json.loads((TRUTH / name.replace(".pdf", ".json")).read_text(encoding="utf-8"))
    rows = corpus_db.execute(
        """SELECT c.outcome, c.difference, c.check_name FROM budget.check_results c JOIN budget.reports r
           USING (report_id) WHERE r.file_name = ? AND c.outcome IN ('fail', 'rounding')""", [name]).fetchall()
    missed = []
    for b in truth.get("identities", []):
        if b.get("holds") is not False or _dec(b.get("difference")) is None:
            continue
        narrative = bool(re.match(r"N|narrative", b["name"]))
        pool = [_dec(d) for o, d, c in rows if not narrative or (o == "fail" and c == NARRATIVE)]
        if not any(d is not None and _matches(d, _dec(b["difference"])) for d in pool):  # type: ignore[arg-type]
            missed.append(b["name"])
    assert missed == []


def test_the_listing_covers_the_corpus() -> None:
    assert set(FINDINGS) <= set(REPORTS) and len(REPORTS) == 24
    assert sum(1 for r in REPORTS if "_final" in r) == 4
    assert Path(TRUTH).is_dir()


def test_yusuan_checks_shows_rounding_in_its_own_section(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An auditor reads the rounding gaps too: `yusuan checks REPORT` lists them by default, apart from the
    failures, with their size and tolerance (sh_city_czj_2025 p6 states 17,192 万元 for 表1's
    171,915,169 元 收入总计: 0.4831 万元 off, within half a unit of the prose's last digit)."""
    from pipelines.cli import main

    assert main(["checks", "sh_city_czj_2025_unit_budget.pdf", "--data-dir", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "no errors" in out and "no warnings" in out
    rounding = out[out.index("within rounding"):]
    assert "17192" in rounding and "0.4831" in rounding and "0.483100" not in rounding  # as a reader writes them
    assert re.search(r"\d+ instance\(s\) not evaluated: --all lists them", out)
