"""Readings found wrong on reports of cities the reader had not seen, each now read as the document prints it:
one real report per rule (tests/fixtures/breadth), the figures checked against the page, and the table's own
arithmetic confirming the reading."""

from __future__ import annotations

import functools
from decimal import Decimal

from conftest import FIXTURES

from yusuan.extract import extract_report, verdict
from yusuan.model import Extraction, Table
from yusuan.status import Status

BREADTH = FIXTURES / "breadth"


@functools.cache
def read(name: str) -> Extraction:
    return extract_report(BREADTH / name)


def table(ex: Extraction, no: str) -> Table:
    return next(t for t in ex.tables if t.table_no == no)


def cells(t: Table, name: str) -> dict[str, str]:
    return {c.column_name: c.raw_text for c in t.cells if c.row_name == name or c.row_code == name}


def test_a_memo_printed_first_after_its_total_is_the_totals_first_part() -> None:
    """广州 表5 (p11): 一般公共预算支出 | 小计 | 其中：基本支出 | 项目支出. Read as a memo, 其中：基本支出 leaves
    小计 = 项目支出 failing on every row; 其中 spans the breakdown, and the table adds up so: 合计 3,944.08 =
    3,204.78 + 739.30."""
    t = table(read("gd_guangzhou_xfj_2026_dept_budget.pdf"), "表5")
    assert (t.table_type, t.confirmation, t.reading) == ("general_public_by_function", "confirmed", "memo_first_is_part")
    total = cells(t, "合计")
    assert total == {"一般公共预算支出/小计": "3,944.08", "一般公共预算支出/其中：基本支出": "3,204.78",
                     "一般公共预算支出/项目支出": "739.30"}


def test_a_row_split_by_a_page_break_in_its_name_and_amounts_is_one_row() -> None:
    """杭州 公安局 表2 (p21-22): 杭州市机动 | 12,437.3 at the foot of p21, 车驾驶员考试服务中心 | 6 at the top of p22."""
    t = table(read("zj_hangzhou_gaj_2026_dept_budget.pdf"), "表2")
    row = cells(t, "杭州市机动车驾驶员考试服务中心")
    assert row["本年收入/事业收入"] == "12,437.36" and row["总计"] == "14,549.64"
    assert t.confirmation == "confirmed"


def test_a_continuation_whose_label_column_was_resized_is_joined() -> None:
    """杭州 交通运输局 表5 runs from p30 to p31, where only the rule after its label column moved (265.6 -> 270.2)."""
    t = table(read("zj_hangzhou_jtysj_2026_dept_budget.pdf"), "表5")
    assert t.pages == [30, 31] and t.confirmation == "confirmed"


def test_a_running_head_does_not_cut_a_table_from_its_continuation() -> None:
    """苏州 审计局: every page starts with 苏州市审计局2026年度部门预算公开 at the same place; 公开04表 runs on from
    p12 to p13 under it, and its 一、本年支出 4,651.67 = 2,906.63 + 442.09 + 1,302.95."""
    ex = read("js_suzhou_sjj_2026_dept_budget.pdf")
    t = next(t for t in ex.tables if t.table_type == "fiscal_summary")
    assert t.pages == [12, 13] and t.confirmation == "confirmed"
    assert not [p for p in ex.problems if "without a recognised title" in p and "page 13" in p]


def test_a_comma_before_the_last_three_digits_only_still_groups_them() -> None:
    """上海 职业能力考试院 prints 19349,057: one comma, before the last three digits."""
    ex = read("sh_city_zynlksy_2026_unit_budget.pdf")
    amounts = {c.raw_text: c.amount for t in ex.tables for c in t.cells if c.kind == "money"}
    assert amounts["19349,057"] == Decimal("19349057")
    assert not [c for t in ex.tables for c in t.cells if c.kind == "money" and c.parse_error]
    assert all(t.confirmation != "unconfirmed" for t in ex.tables)


def test_a_row_printing_its_own_code_at_a_page_top_is_a_new_row() -> None:
    """上海 数据局: p15 ends with 21099 其他卫生健康支出 24,000; p16 starts with its 项 2109999 of the same name and
    figures: a row of its own, not the 款 printed again."""
    ex = read("sh_city_sjj_2026_unit_budget_v2.pdf")
    t = next(t for t in ex.tables if t.table_type == "expenditure")
    assert {c.raw_text for c in t.cells if c.row_code == "2109999" and c.kind == "money"} >= {"24,000"}
    assert t.confirmation == "confirmed"


def test_a_font_declaring_a_false_descent_is_read_on_its_baseline() -> None:
    """重庆 经信委: the digits' font declares a descent of a whole em, so 2026 fell below the cover's title line
    and the report was read as a template (…委员会年部门预算). On its baseline, the year is the title's."""
    ex = read("cq_city_jjhxxhwyh_2026_dept_budget.pdf")
    assert (ex.identity.department, ex.identity.fiscal_year) == ("重庆市经济和信息化委员会", 2026)
    assert verdict(ex)[0] == Status.LOADABLE


def test_rules_stroked_in_white_are_not_table_edges() -> None:
    """北京 (a tables-only attachment): white lines around the title block made the title a row of the grid."""
    ex = read("bj_city_sdlhwyhbgs_2026_dept_budget_tables.pdf")
    assert verdict(ex)[0] == Status.LOADABLE
    assert {"summary", "income", "expenditure", "fiscal_summary"} <= {t.table_type for t in ex.tables}


def test_a_first_row_without_its_top_rule_is_read_with_its_table() -> None:
    """江苏 高院 2017 表九 (p15-16): the rows at the top of p16 have no top rule; 30206 电费 235.00 is among them,
    and 302 = 3,528.37 adds up with it."""
    t = table(read("js_prov_gjrmfy_2017_dept_budget.pdf"), "九")
    assert t.pages == [15, 16] and t.confirmation == "confirmed"
    assert "235.00" in cells(t, "30206").values()


def test_a_page_box_given_by_other_corners_is_the_same_box() -> None:
    """西安 民政局 2021: /MediaBox [0 595.276 841.89 0] on half its pages put every glyph off the page."""
    ex = read("sn_xian_mzj_2021_dept_budget.pdf")
    assert verdict(ex)[0] == Status.LOADABLE
    assert (ex.identity.department, ex.identity.fiscal_year) == ("西安市民政局", 2021)


def test_a_glyph_drawn_several_times_at_one_place_is_one_glyph() -> None:
    """西安 商务局 2022: titles and headers drawn up to nine times over (表111111)."""
    ex = read("sn_xian_swj_2022_dept_budget.pdf")
    assert verdict(ex)[0] == Status.LOADABLE
    summary = next(t for t in ex.tables if t.table_type == "summary")
    assert summary.table_no == "表1" and summary.confirmation == "confirmed"

