"""The rules inside one table (rows, totals, codes), each on a table built in a few lines: where the printed
figures add up the instance passes, where one figure is changed exactly that instance fails."""

from __future__ import annotations

from decimal import Decimal

from build import cell, check, form, outcomes, report, table

EXPENDITURE = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]


def expenditure(rows: list[list[str]]) -> object:
    return table("expenditure", EXPENDITURE, rows, no="表3")


# ---- rows: a total column = the columns it totals -------------------------------------------


def test_a_total_column_equals_its_parts_on_every_row() -> None:
    found = check("total_column_equals_sum_of_its_parts", report(expenditure([
        ["201", "一般公共服务支出", "100.00", "60.00", "40.00"],
        ["", "合计", "100.00", "60.00", "40.00"]])))
    assert outcomes(found) == ["pass", "pass"]
    assert found[0].instance == "表3 row 201: 合计 = 基本支出 + 项目支出"


def test_a_row_whose_parts_do_not_add_up_fails_alone() -> None:
    found = check("total_column_equals_sum_of_its_parts", report(expenditure([
        ["201", "一般公共服务支出", "100.00", "60.00", "41.00"],
        ["", "合计", "100.00", "60.00", "40.00"]])))
    assert outcomes(found) == ["fail", "pass"]
    assert found[0].difference == Decimal("-1.00")
    # each printed figure may be off by half a unit of its last digit: three figures, 0.015
    assert found[0].tolerance == Decimal("0.015")


def test_rounding_within_half_a_unit_of_each_figure_is_not_a_failure() -> None:
    found = check("total_column_equals_sum_of_its_parts", report(expenditure([
        ["201", "一般公共服务支出", "100.01", "60.00", "40.00"]])))
    assert outcomes(found) == ["rounding"]


def test_a_memo_column_is_no_part_of_the_total() -> None:
    header = ["科目编码", "科目名称", "合计", "基本支出", "项目支出", "其中：经费拨款"]
    found = check("total_column_equals_sum_of_its_parts", report(table("expenditure", header, [
        ["201", "一般公共服务支出", "100.00", "60.00", "40.00", "30.00"]])))
    assert outcomes(found) == ["pass"]


def _shares(share: str) -> object:
    return form("overall_performance", [
        cell(0, "当年金额", "60.00", name="人员类", column_seq=1, block="资金构成"),
        cell(0, "占比", share, name="人员类", column_seq=2, kind="percent", block="资金构成"),
        cell(1, "当年金额", "100.00", name="合计", column_seq=1, block="资金构成")])


def test_a_printed_share_is_its_amount_over_the_block_total() -> None:
    assert outcomes(check("share_equals_amount_over_total", report(_shares("60.00%")))) == ["pass"]
    found = check("share_equals_amount_over_total", report(_shares("66.00%")))
    assert outcomes(found) == ["fail"]
    assert found[0].rhs == Decimal(60)


# ---- totals: a total row = the rows it totals --------------------------------------------------


def test_the_total_row_equals_the_top_level_codes() -> None:
    rows = [["", "合计", "150.00", "90.00", "60.00"],
            ["201", "一般公共服务支出", "100.00", "60.00", "40.00"],
            ["20101", "人大事务", "100.00", "60.00", "40.00"],
            ["208", "社会保障和就业支出", "50.00", "30.00", "20.00"]]
    found = check("total_row_equals_sum_of_top_level_rows", report(expenditure(rows)))
    assert outcomes(found) == ["pass", "pass", "pass"]
    rows[0][3] = "91.00"
    found = check("total_row_equals_sum_of_top_level_rows", report(expenditure(rows)))
    assert outcomes(found) == ["pass", "fail", "pass"]
    assert "基本支出 = Σ top-level codes (2)" in found[1].instance


def test_a_code_printed_outside_the_hierarchy_is_read_without_it() -> None:
    """7 11 02 read as 71102 beside 201 and 208: the total holds without it, and the reading is said."""
    rows = [["", "合计", "150.00", "90.00", "60.00"],
            ["201", "一般公共服务支出", "100.00", "60.00", "40.00"],
            ["208", "社会保障和就业支出", "50.00", "30.00", "20.00"],
            ["211", "节能环保支出", "0.00", "0.00", "0.00"],
            ["71102", "误印的编码", "5.00", "5.00", "0.00"]]
    found = check("total_row_equals_sum_of_top_level_rows", report(expenditure(rows)))
    assert outcomes(found) == ["pass", "pass", "pass"]
    assert "71102" in (found[0].reading or "")


def _nested(project: str) -> object:
    return table("projects", ["项目名称", "合计"], [
        ["合计", "100.00"], ["某某局", "100.00"], ["  项目一", project], ["  项目二", "40.00"]], indented=True)


def test_nested_rows_sum_to_the_row_above_them() -> None:
    assert outcomes(check("nested_rows_sum_to_their_parent", report(_nested("60.00")))) == ["pass", "pass"]
    assert outcomes(check("nested_rows_sum_to_their_parent", report(_nested("61.00")))) == ["pass", "fail"]


SUMMARY = ["收入项目", "收入/预算数", "支出项目", "支出/预算数"]


def _summary(general: str = "80.00", fund: str = "20.00", total: str = "100.00", spent: str = "110.00") -> object:
    return table("summary", SUMMARY, [
        ["一、财政拨款收入", "100.00", "一、一般公共服务支出", "110.00"],
        ["（一）一般公共预算", general, "", ""],
        ["（二）政府性基金预算", fund, "", ""],
        ["本年收入合计", total, "本年支出合计", spent],
        ["上年结转结余", "10.00", "年终结转结余", "0.00"],
        ["收入总计", "110.00", "支出总计", "110.00"]], no="表1")


def test_numbered_items_sum_to_their_heading_and_their_total() -> None:
    found = check("listed_items_sum_to_their_total", report(_summary()))
    assert [i.instance for i in found] == ["表1 一、财政拨款收入: 收入/预算数 = Σ 2 sub-items",
                                           "表1 本年收入合计: 收入/预算数 = Σ 1 items",
                                           "表1 本年支出合计: 支出/预算数 = Σ 1 items"]
    assert outcomes(found) == ["pass", "pass", "pass"]
    found = check("listed_items_sum_to_their_total", report(_summary(general="81.00")))
    assert [i.instance for i in found if i.outcome == "fail"] == ["表1 一、财政拨款收入: 收入/预算数 = Σ 2 sub-items"]


def test_a_grand_total_is_the_years_total_and_the_carry_over() -> None:
    found = check("grand_total_equals_total_plus_carryover", report(_summary()))
    assert outcomes(found) == ["pass", "pass"]
    assert found[0].instance == "表1 收入总计: 收入/预算数 = 本年收入合计 + 上年结转结余"
    found = check("grand_total_equals_total_plus_carryover", report(_summary(total="101.00")))
    assert outcomes(found) == ["fail", "pass"]


def test_the_two_sides_balance() -> None:
    assert outcomes(check("income_total_equals_expenditure_total", report(_summary()))) == ["pass"]
    unbalanced = table("summary", SUMMARY, [["收入总计", "110.00", "支出总计", "111.00"]], no="表1")
    found = check("income_total_equals_expenditure_total", report(unbalanced))
    assert outcomes(found) == ["fail"]
    assert found[0].difference == Decimal("-1.00")


def _blocks(total: str) -> object:
    return form("overall_performance", [
        cell(0, "金额", "60.00", name="人员类", column_seq=1), cell(1, "金额", "40.00", name="运转类", column_seq=1),
        cell(2, "金额", total, name="合计", column_seq=1)], unit="万元")


def test_a_forms_funding_block_total_equals_its_rows() -> None:
    assert outcomes(check("form_funding_total_equals_its_rows", report(_blocks("100.00")))) == ["pass"]
    assert outcomes(check("form_funding_total_equals_its_rows", report(_blocks("100.50")))) == ["fail"]


def _section(total: str) -> object:
    section = "项目资金（元）"
    return form("project_performance", [
        cell(0, "年度资金申请总额", total, name=section, column_seq=3),
        cell(1, "其中：当年财政拨款", "300,000.00", name=section, column_seq=3),
        cell(2, "上年结转资金", "100,000.00", name=section, column_seq=3),
        cell(3, "其他资金", "0.00", name=section, column_seq=3)])


def test_a_forms_money_section_total_equals_the_amounts_under_it() -> None:
    assert outcomes(check("form_section_total_equals_its_parts", report(_section("400,000.00")))) == ["pass"]
    found = check("form_section_total_equals_its_parts", report(_section("410,000.00")))
    assert outcomes(found) == ["fail"]
    assert found[0].difference == Decimal("10000.00")


def _income_and_spending(spending: str) -> object:
    return form("overall_performance", [
        cell(0, "当年", "100.00", name="合计", column_seq=1), cell(5, "当年", spending, name="合计", column_seq=1)],
        unit="万元")


def test_a_forms_income_equals_its_spending() -> None:
    assert outcomes(check("performance_income_equals_spending", report(_income_and_spending("100.00")))) == ["pass"]
    assert outcomes(check("performance_income_equals_spending", report(_income_and_spending("90.00")))) == ["fail"]


# ---- codes: a code = its children --------------------------------------------------------------


def test_a_function_class_equals_its_subitems() -> None:
    rows = [["201", "一般公共服务支出", "100.00", "60.00", "40.00"],
            ["20101", "人大事务", "70.00", "40.00", "30.00"],
            ["20102", "政协事务", "30.00", "20.00", "10.00"]]
    assert outcomes(check("function_class_equals_sum_of_its_subitems", report(expenditure(rows)))) == ["pass"] * 3
    rows[2][4] = "11.00"
    found = check("function_class_equals_sum_of_its_subitems", report(expenditure(rows)))
    assert outcomes(found) == ["pass", "pass", "fail"]
    assert found[2].instance == "表3 201 一般公共服务支出: 项目支出 = Σ 2 children"


def test_an_economic_class_is_checked_in_its_own_domain_only() -> None:
    basic = table("general_public_basic_by_economic", ["经济分类科目编码", "科目名称", "合计"], [
        ["301", "工资福利支出", "90.00"], ["30101", "基本工资", "50.00"], ["30102", "津贴补贴", "30.00"]])
    found = check("economic_class_equals_sum_of_its_items", report(basic))
    assert outcomes(found) == ["fail"]
    assert check("function_class_equals_sum_of_its_subitems", report(basic)) == []


def test_a_department_equals_its_units() -> None:
    header = ["单位编码", "单位名称", "合计"]
    units = [["328", "某某局", "100.00"], ["328001", "某某局本级", "70.00"], ["328002", "某某中心", "30.00"]]
    assert outcomes(check("department_equals_sum_of_its_units", report(table("income", header, units)))) == ["pass"]
    units[0][2] = "99.00"
    assert outcomes(check("department_equals_sum_of_its_units", report(table("income", header, units)))) == ["fail"]
