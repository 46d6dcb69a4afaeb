"""The rules across the tables of one report (one defined figure printed in two tables) and between stages,
each on a report built in a few lines: a passing instance, and one changed figure failing exactly it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from build import check, outcomes, report, table

EXPENDITURE = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
SUMMARY = ["收入项目", "收入/预算数", "支出项目", "支出/预算数"]


def _expenditure(total: str = "100.00", unit: str = "万元") -> object:
    return table("expenditure", EXPENDITURE, [
        ["201", "一般公共服务支出", total, "60.00", "40.00"], ["", "合计", total, "60.00", "40.00"]], no="表3", unit=unit)


def _summary(spent: str = "100.00", general: str = "100.00") -> object:
    return table("summary", SUMMARY, [
        ["一、一般公共预算拨款收入", general, "一、一般公共服务支出", spent],
        ["本年收入合计", general, "本年支出合计", spent]], no="表1")


def test_a_figure_printed_in_two_tables_agrees_in_yuan() -> None:
    # 100.00 万元 in the summary, 1,000,000.00 元 in the expenditure table: the same figure
    found = check("summary_expenditure_equals_expenditure_table",
                  report(_summary(), _expenditure("1,000,000.00", unit="元")))
    assert outcomes(found) == ["pass"]
    assert found[0].unit == "元" and found[0].lhs == Decimal(1_000_000)
    found = check("summary_expenditure_equals_expenditure_table", report(_summary("100.10"), _expenditure()))
    assert outcomes(found) == ["fail"]
    assert found[0].difference == Decimal(1000)


def test_an_identity_whose_table_is_not_printed_is_not_evaluated() -> None:
    assert check("summary_expenditure_equals_expenditure_table", report(_summary())) == []


def _by_unit(total: str) -> object:
    return table("general_public_by_unit", ["单位名称", "合计", "基本支出"], [
        ["某某局本级", total, "60.00"], ["合计", total, "60.00"]], no="表5-2")


def _by_function(total: str = "100.00") -> object:
    return table("general_public_by_function", EXPENDITURE, [
        ["201", "一般公共服务支出", total, "60.00", "40.00"], ["", "合计", total, "60.00", "40.00"]], no="表5-1")


def test_two_tables_total_rows_agree_column_by_column() -> None:
    found = check("general_public_by_unit_equals_by_function", report(_by_unit("100.00"), _by_function()))
    assert [(i.instance, i.outcome) for i in found] == [
        ("表5-2 合计 合计 = 表5-1 合计 合计 (yuan)", "pass"), ("表5-2 合计 基本支出 = 表5-1 合计 基本支出 (yuan)", "pass")]
    assert outcomes(check("general_public_by_unit_equals_by_function",
                          report(_by_unit("101.00"), _by_function()))) == ["fail", "pass"]


def test_a_summary_class_equals_the_expenditure_tables_class_of_that_name() -> None:
    assert outcomes(check("summary_class_equals_expenditure_class", report(_summary(), _expenditure()))) == ["pass"]
    found = check("summary_class_equals_expenditure_class", report(_summary("90.00"), _expenditure()))
    assert outcomes(found) == ["fail"]
    assert found[0].instance == "表1 一、一般公共服务支出 = 表3 201 合计 (yuan)"


def _fiscal_summary(spent: str = "100.00", general: str = "100.00") -> object:
    return table("fiscal_summary", SUMMARY, [
        ["一、一般公共预算", general, "一、一般公共服务支出", spent],
        ["本年收入合计", general, "本年支出合计", spent]], no="表4")


def test_a_fiscal_summary_class_equals_the_fund_tables() -> None:
    assert outcomes(check("fiscal_summary_class_equals_fiscal_tables",
                          report(_fiscal_summary(), _by_function()))) == ["pass"]
    assert outcomes(check("fiscal_summary_class_equals_fiscal_tables",
                          report(_fiscal_summary("99.00"), _by_function()))) == ["fail"]


def test_spending_equals_the_fund_tables_code_by_code() -> None:
    spending = table("expenditure", EXPENDITURE, [
        ["201", "一般公共服务支出", "60.00", "40.00", "20.00"], ["208", "社会保障和就业支出", "40.00", "20.00", "20.00"],
        ["", "合计", "100.00", "60.00", "40.00"]], no="表3")
    funds = table("general_public_by_function", EXPENDITURE, [
        ["201", "一般公共服务支出", "60.00", "40.00", "20.00"], ["208", "社会保障和就业支出", "40.00", "20.00", "20.00"],
        ["", "合计", "100.00", "60.00", "40.00"]], no="表5")
    found = check("expenditure_equals_fiscal_tables_by_code", report(spending, funds))
    assert len(found) == 9 and set(outcomes(found)) == {"pass"}
    moved = table("general_public_by_function", EXPENDITURE, [
        ["201", "一般公共服务支出", "50.00", "30.00", "20.00"], ["208", "社会保障和就业支出", "50.00", "30.00", "20.00"],
        ["", "合计", "100.00", "60.00", "40.00"]], no="表5")
    failing = [i.instance for i in check("expenditure_equals_fiscal_tables_by_code", report(spending, moved))
               if i.outcome == "fail"]
    assert failing == ["表3 201 basic = 一般公共预算 + 政府性基金 + 国有资本经营 201 basic (yuan)",
                       "表3 201 total = 一般公共预算 + 政府性基金 + 国有资本经营 201 total (yuan)",
                       "表3 208 basic = 一般公共预算 + 政府性基金 + 国有资本经营 208 basic (yuan)",
                       "表3 208 total = 一般公共预算 + 政府性基金 + 国有资本经营 208 total (yuan)"]


def test_spending_from_other_sources_too_is_not_compared_with_the_fund_tables() -> None:
    found = check("expenditure_equals_fiscal_tables_by_code", report(_expenditure("120.00"), _by_function()))
    assert found == []


def _income(general: str) -> object:
    return table("income", ["单位名称", "合计", "一般公共预算拨款收入", "事业收入"], [
        ["合计", "110.00", general, "10.00"]], no="表2")


def test_an_income_source_equals_the_summary_line_naming_it() -> None:
    assert outcomes(check("income_sources_equal_summary_lines", report(_income("100.00"), _summary()))) == ["pass"]
    found = check("income_sources_equal_summary_lines", report(_income("90.00"), _summary()))
    assert outcomes(found) == ["fail"]
    assert found[0].instance == "表2 合计 一般公共预算拨款收入 = 表1 一、一般公共预算拨款收入 (yuan)"


def test_a_fund_line_of_the_fiscal_summary_equals_the_summarys() -> None:
    assert outcomes(check("fiscal_income_lines_equal_summary_lines", report(_fiscal_summary(), _summary()))) == ["pass"]
    assert outcomes(check("fiscal_income_lines_equal_summary_lines",
                          report(_fiscal_summary(general="90.00"), _summary()))) == ["fail"]


def test_a_funds_income_equals_its_spending_table() -> None:
    found = check("fiscal_summary_general_public_equals_general_public_table", report(_fiscal_summary(), _by_function()))
    assert outcomes(found) == ["pass"]
    found = check("fiscal_summary_general_public_equals_general_public_table",
                  report(_fiscal_summary(), _by_function("95.00")))
    assert outcomes(found) == ["fail"]
    assert found[0].difference == Decimal(50_000)


def test_nothing_is_lost_between_the_stages() -> None:
    built = report(_expenditure())
    assert check("conformed_amounts_equal_extracted_amounts", built) == []  # not conformed: nothing to compare
    seq = built.tables[0].seq
    whole = replace(built, conformed={seq: (6, Decimal("400.00"))})
    assert outcomes(check("conformed_amounts_equal_extracted_amounts", whole)) == ["pass", "pass"]
    lost = replace(built, conformed={seq: (5, Decimal("300.00"))})
    assert outcomes(check("conformed_amounts_equal_extracted_amounts", lost)) == ["fail", "fail"]
