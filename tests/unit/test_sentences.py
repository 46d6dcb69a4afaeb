"""Each finding as one sentence in Chinese: what is printed, where, what it should equal and by how much, in the
unit the report prints (元 or 万元, never converted), with thousands separators, exactly; and the review page's
findings ordered by the size of their gap in yuan, largest first."""

from __future__ import annotations

from decimal import Decimal

import pytest
from build import check, report, table

from yusuan.checks.instance import Instance, Source
from yusuan.checks.results import RESULT_COLUMNS, result_rows
from yusuan.checks.sentences import amount_text, finding_sentence
from yusuan.review import Finding, largest_first

EXPENDITURE = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]


def _instance(label: str, lhs: str, rhs: str, tolerance: str, unit: str, *, no: str | None = None,
              page: int | None = None, family: str = "totals", severity: str = "error",
              compared: tuple[tuple[str, str], ...] = (), identity: str = "some_identity",
              table_type: str | None = None) -> Instance:
    return Instance(identity, family, "extracted", severity, label, Decimal(lhs), Decimal(rhs), Decimal(tolerance),
                    table_type=table_type, table_no=no, page=page, unit=unit,
                    compared=[Source(role, page, None, printed) for role, printed in compared])


def test_a_parent_row_its_items_do_not_add_up_to_is_said_in_its_own_unit() -> None:
    """表3 prints 20406 司法 项目支出 64,840,547 元; its two 项 rows print 64,840,547 each: 129,681,094 together."""
    t = table("expenditure", EXPENDITURE, [
        ["20406", "司法", "129,681,094.00", "64,840,547.00", "64,840,547.00"],
        ["2040601", "行政运行", "64,840,547.00", "0.00", "64,840,547.00"],
        ["2040604", "律师管理", "64,840,547.00", "0.00", "64,840,547.00"]], no="表3", unit="元", page=12)
    found = [i for i in check("function_class_equals_sum_of_its_subitems", report(t)) if "项目支出" in i.instance]
    assert [i.outcome for i in found] == ["fail"]
    assert finding_sentence(found[0]) == ("表3（第12页）印 20406 司法 项目支出 64,840,547.00 元；"
                                          "其下 2 项合计 129,681,094.00 元，相差 64,840,547.00 元。")


def test_a_check_across_tables_in_yuan_is_said_in_the_unit_the_tables_print() -> None:
    """The comparison is made in yuan (74,868.34 万元 = 748,683,400 元); the sentence gives the figures as printed."""
    inst = _instance("表4 1、一般公共预算拨款 = 表5 合计 (yuan)", "748683400", "748683300", "50", "元", no="表4",
                     page=32, family="cross_table", compared=(("lhs", "74,868.34"), ("rhs", "74,868.33")))
    assert inst.outcome == "fail"
    assert finding_sentence(inst) == ("表4（第32页）印 1、一般公共预算拨款 74,868.34 万元；表5 合计 为 74,868.33 万元，"
                                      "相差 0.01 万元。")


def test_six_decimals_of_wan_yuan_are_kept_and_a_partial_sum_says_how_much_was_read() -> None:
    inst = _instance("预算04表 支出总计: 支出/预算数 = Σ 6 items (5 read)", "9151.309668", "7246.309668", "0.000003",
                     "万元", no="预算04表", page=7)
    assert finding_sentence(inst) == ("预算04表（第7页）印 支出总计 支出/预算数 9,151.309668 万元；"
                                      "其下 6 项（读到其中 5 项）合计 7,246.309668 万元，相差 1,905.00 万元。")


def test_a_gap_within_rounding_says_so() -> None:
    inst = _instance("表5 row 合计: 基本支出/小计 = 基本支出/人员经费 + 基本支出/日常公用支出", "82479.29", "82479.30",
                     "0.015", "万元", no="表5", page=30)
    assert inst.outcome == "rounding"
    assert finding_sentence(inst) == ("表5（第30页）印 合计 基本支出/小计 82,479.29 万元；基本支出/人员经费、"
                                      "基本支出/日常公用支出之和为 82,479.30 万元，相差 0.01 万元，在印刷数字的舍入误差之内。")


def test_a_department_is_said_to_add_up_its_units() -> None:
    inst = _instance("表3 234 西安市气象局: 部门预算/合计 = Σ 2 children", "18999011.66", "17159700", "0.505", "元",
                     no="表3", page=20, identity="department_equals_sum_of_its_units")
    assert finding_sentence(inst) == ("表3（第20页）印 234 西安市气象局 部门预算/合计 18,999,011.66 元；"
                                      "其下 2 个单位合计 17,159,700.00 元，相差 1,839,311.66 元。")


def test_a_prose_figure_in_yuan_against_a_table_in_wan_yuan() -> None:
    """The prose prints 18,686.86元 where the table prints 18,686.86 (万元): 186,868,600 − 18,686.86 元 apart."""
    inst = _instance("prose p11 “污染防治项目 18,686.86元” = 表5 污染防治 合计", "18686.86", "186868600", "50", "元",
                     no="表5", page=11, family="narrative", severity="warn",
                     compared=(("claim", "2.污染防治项目18,686.86元，主要包括……"), ("rhs", "18,686.86")))
    assert finding_sentence(inst) == ("第11页正文写“污染防治项目 18,686.86元”；表5 污染防治 合计 为 18,686.86 万元，"
                                      "相差 186,849,913.14 元。")


def test_a_prose_figure_in_wan_yuan_against_a_table_in_yuan_names_the_table_in_chinese() -> None:
    inst = _instance("prose p6 “公用经费 58万元” = general_public_basic_by_economic 合计 一般公共预算基本支出/公用经费",
                     "58", "58.789", "1", "万元", page=6, family="narrative", severity="warn",
                     compared=(("claim", "公用经费58万元"), ("rhs", "587,890")))
    assert finding_sentence(inst) == ("第6页正文写“公用经费 58万元”；一般公共预算基本支出表 合计 "
                                      "一般公共预算基本支出/公用经费 为 587,890.00 元，相差 0.789 万元，"
                                      "在印刷数字的舍入误差之内。")


def test_a_stated_change_is_said_in_percentage_points() -> None:
    inst = _instance("prose p71 “公务用车运行维护费” change 31.2% = 95.5 / (114.95 - (-95.5))", "-31.2", "-45.378950",
                     "0.05", "%", page=71, family="narrative", severity="warn")
    assert finding_sentence(inst) == ("第71页正文写“公务用车运行维护费”变动 31.2%，即 -31.2%；按 95.5 / (114.95 - (-95.5)) "
                                      "算得 -45.37895%，相差 14.17895 个百分点。")


def test_a_whole_smaller_than_its_parts_says_by_how_much() -> None:
    inst = _instance("三 合计 项目支出 ≥ Σ 25 project forms' funding (yuan)", "7982800", "404818300", "1300", "元",
                     no="三", page=14, family="correspondences", severity="warn",
                     compared=(("lhs", "798.28"), ("rhs", "21.50"), ("rhs", "40,460.33")))
    inst.relation = "covers"
    assert inst.outcome == "fail"
    assert finding_sentence(inst) == ("表三（第14页）印 合计 项目支出 798.28 万元；25 张项目支出绩效目标表所列资金合计 "
                                      "40,481.83 万元，少 39,683.55 万元（前者应不小于后者）。")


def test_a_figure_stated_of_last_year_against_last_years_report() -> None:
    """The 2025 budget says 2024's 财政拨款收入 was 15,621.11万元; the 2024 budget prints 156,211,123 元."""
    inst = _instance("wanli_2025.pdf p3 “财政拨款收入 15,621.11万元”: 2024 = wanli_2024.pdf 表2 合计 财政拨款收入 p15",
                     "15621.11", "15621.1123", "0.00505", "万元", page=3, family="across_reports", severity="warn",
                     compared=(("claim", "上年财政拨款收入15,621.11万元"), ("rhs", "156,211,123")))
    assert inst.outcome == "rounding"
    assert finding_sentence(inst) == ("第3页正文写“财政拨款收入 15,621.11万元”，即 2024年为 15,621.11 万元；wanli_2024.pdf "
                                      "第15页 表2 合计 财政拨款收入 印 156,211,123.00 元，相差 0.0023 万元，"
                                      "在印刷数字的舍入误差之内。")


def test_an_instance_that_holds_or_states_no_figures_has_no_sentence() -> None:
    holds = _instance("表3 201 一般公共服务支出: 合计 = Σ 2 children", "100", "100", "0.01", "万元", no="表3")
    waived = _instance("表3 201 一般公共服务支出: 合计 = Σ 2 children", "100", "90", "0.01", "万元", no="表3")
    waived.waived = "a misprint the publisher confirmed"
    doubtful = _instance("表3 201 一般公共服务支出: 合计 = Σ 2 children", "100", "90", "0.01", "万元", no="表3")
    doubtful.not_evaluated = "a code printed twice"
    reading = _instance("表8 adds up", "100", "90", "0.01", "万元", family="readings")
    words = Instance("project_names_agree", "correspondences", "conformed", "warn", "表12 项目名称 A ≠ 表10 B", None,
                     None, Decimal(0), agrees=False)
    assert [i.outcome for i in (holds, waived, doubtful, reading, words)] == [
        "pass", "waived", "not_evaluated", "fail", "fail"]
    assert [finding_sentence(i) for i in (holds, waived, doubtful, reading, words)] == [None] * 5


@pytest.mark.parametrize("value, unit, text", [
    (Decimal("1E+7"), "元", "10,000,000.00 元"),  # never an exponent
    (Decimal("0E-10"), "元", "0.00 元"),
    (Decimal("6484.05"), "万元", "6,484.05 万元"),
    (Decimal("-1234.5"), "元", "-1,234.50 元"),
    (Decimal("64840547.000000"), "元", "64,840,547.00 元"),
    (Decimal("0.001000"), "万元", "0.001 万元"),
])
def test_figures_are_written_with_separators_and_their_printed_decimals(value: Decimal, unit: str, text: str) -> None:
    assert amount_text(value, unit) == text


def test_the_sentence_is_the_finding_column_of_check_results() -> None:
    fails = _instance("表3 201 一般公共服务支出: 合计 = Σ 2 children", "100.00", "90.00", "0.015", "万元", no="表3",
                      page=4)
    holds = _instance("表3 201 一般公共服务支出: 合计 = Σ 2 children", "100.00", "100.00", "0.015", "万元", no="表3",
                      page=4)
    rows = result_rows([("r0000000000000001", fails), ("r0000000000000001", holds)])
    at = RESULT_COLUMNS.index("finding")
    assert [len(r) for r in rows] == [len(RESULT_COLUMNS)] * 2
    assert rows[0][at] == "表3（第4页）印 201 一般公共服务支出 合计 100.00 万元；其下 2 项合计 90.00 万元，相差 10.00 万元。"
    assert rows[1][at] is None


def _finding(difference: str | None, unit: str | None, page: int) -> Finding:
    gap = None if difference is None else Decimal(difference)
    return Finding("error", "c", "totals", f"p{page}", gap, Decimal(0) if gap is not None else None, gap, Decimal(0),
                   unit, "表1", page, None, None)


def test_findings_are_ordered_by_the_size_of_their_gap_in_yuan_largest_first() -> None:
    """1.5 万元 (15,000 元) is smaller than -30,000 元 and larger than 9,000 元; a percentage, then words, last."""
    found = [_finding("9000", "元", 1), _finding("1.5", "万元", 2), _finding("2.5", "%", 3), _finding(None, None, 4),
             _finding("-30000", "元", 5), _finding("20000", "元", 6)]
    assert [f.page for f in sorted(found, key=largest_first)] == [5, 6, 2, 1, 3, 4]
