"""What a 三公 figure is (yusuan/three_public.py), on the layouts the templates print: items as columns or as
rows, rows of periods or of units, columns split by period or by fund."""

from __future__ import annotations

from yusuan.three_public import item_of_column, meaning, prints_others


def test_items_printed_as_columns() -> None:
    assert item_of_column("“三公”经费财政拨款预算总额") == "total"  # 北京 审计局 p9
    assert item_of_column("2026年预算数/公务用车购置及运行费/小计") == "vehicles"  # 国家信访局 p16
    assert item_of_column("2026年预算数/公务用车购置及运行费/公务用车运行费") == "vehicle_operation"
    assert item_of_column("预算数/因公出国（境）费") == "overseas"
    assert item_of_column("“三公”经费预算数/公务用车购置及运行费/购置费") == "vehicle_purchase"
    assert item_of_column("机关运行经费预算数") == "office_operation"


def test_items_printed_as_rows() -> None:
    """福州 科技局 p22: 项目 | 预算数, one item a row."""
    rows = {"合计": "total", "1、因公出国（境）费用": "overseas", "2、公务接待费": "reception",
            "3、公务用车购置及运行费": "vehicles", "其中：（1）公务用车购置费": "vehicle_purchase",
            "（2）公务用车运行费": "vehicle_operation"}
    for label, item in rows.items():
        m = meaning(label, "预算数", 2026, final=False, table_has_total_row=True, row_is_total=label == "合计")
        assert (m.item, m.period, m.item_from_row, m.is_unit_row) == (item, "budget", True, False), label


def test_rows_of_periods_and_columns_split_by_fund() -> None:
    """深圳 统计局 表9 p32: rows 2025年 (59.62), 2026年 (32.56), 增减变化金额 (-27.07); each item by fund."""
    last = meaning("深圳市统计局（本级） / 2025年", "总计/一般公共预算", 2026, False, False, False)
    this = meaning("2026年", "总计/一般公共预算", 2026, False, False, False)
    change = meaning("增减变化金额", "因公出国(境)费/一般公共预算", 2026, False, False, False)
    assert (last.item, last.period, last.period_printed, last.fund) == ("total", "previous_year", "2025年",
                                                                       "general_public")
    assert (this.item, this.period, this.is_unit_row) == ("total", "budget", False)
    assert (change.item, change.period) == ("overseas", "change")
    assert meaning("2026年", "公务用车购置及运行维护费/小计/国有资本经营预算", 2026, False, False, False).fund == "soe_capital"


def test_rows_of_units_under_a_total_row() -> None:
    """杭州 气象局 表7 p21: 合计 24.02, then one row per unit."""
    total = meaning("合计", "“三公”经费合计", 2026, False, table_has_total_row=True, row_is_total=True)
    unit = meaning("杭州市气象局", "公务接待费", 2026, False, table_has_total_row=True, row_is_total=False)
    assert (total.item, total.is_unit_row) == ("total", False)
    assert (unit.item, unit.is_unit_row, unit.period) == ("reception", True, "budget")


def test_a_final_account_prints_its_budget_beside_its_outturn() -> None:
    """国家信访局 2024 决算 p15: 公务接待费 预算数 5.80, 决算数 0.90 万元."""
    budget = meaning("", "预算数/公务接待费", 2024, final=True, table_has_total_row=False, row_is_total=False)
    spent = meaning("", "决算数/公务接待费", 2024, final=True, table_has_total_row=False, row_is_total=False)
    assert (budget.item, budget.period) == ("reception", "budget")
    assert (spent.item, spent.period) == ("reception", "final")
    plain = meaning("", "“三公”经费合计", 2024, final=True, table_has_total_row=False, row_is_total=False)
    assert plain.period == "final"  # a 决算 table naming no period prints the outturn


def test_a_header_cut_short_and_a_unit_row_under_the_total_row() -> None:
    """长沙 公安局 2025 p21: 三公经费预（决）算数（财政拨款）/ 小计 458.50 | … | 其中：公务用车购置 150.00; rows 合计, then
    106_长沙市公安局 (the one unit)."""
    header = "三公经费预（决）算数（财政拨款）"
    total = meaning("合计", f"{header}/小计", 2025, False, table_has_total_row=True, row_is_total=True)
    purchase = meaning("合计", f"{header}/其中：公务用车购置", 2025, False, True, True)
    unit = meaning("106_长沙市公安局", f"{header}/小计", 2025, False, True, False)
    assert (total.item, total.period, total.is_unit_row) == ("total", "budget", False)
    assert purchase.item == "vehicle_purchase"  # never the 合计 row's total
    assert (unit.item, unit.is_unit_row) == ("total", True)


def test_a_total_beside_meetings_and_training_is_not_the_three_publics() -> None:
    """江苏 人大常委会办公厅 2017 公开09表 p20: 合计 2,542.60 = “三公”经费 小计 833.60 + 会议费 1,305.25 + 培训费 403.75."""
    columns = ["合计", "“三公”经费/小计", "“三公”经费/公务接待费", "会议费", "培训费"]
    assert prints_others([""], columns)
    items = [meaning("", c, 2017, False, False, False, beside_others=True).item for c in columns]
    assert items == ["grand_total", "total", "reception", "meetings", "training"]
    assert not prints_others([""], ["合计", "公务接待费"])
