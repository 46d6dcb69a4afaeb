"""The verdict on a table's reading (yusuan/checks/confirm.py): a failure in a pattern doubts the reading, a
local one accuses the document."""

from __future__ import annotations

from decimal import Decimal

from yusuan.checks.confirm import CONFIRMED, UNCONFIRMED, judge
from yusuan.checks.instance import Instance

IDENTITY = "grand_total_equals_total_plus_carryover"


def _instance(column: str, lhs: str, rhs: str) -> Instance:
    return Instance(IDENTITY, "totals", "extracted", "error", f"表1 支出总计: {column}", Decimal(lhs), Decimal(rhs),
                    Decimal("0.015"), table_no="表1", column=column)


def test_one_row_printed_in_three_column_pairs_is_one_place_of_the_document() -> None:
    """西安 表1 prints its 支出总计 once per column pair (功能, 部门经济, 政府经济): a carry-over of 90.57 in the total
    and in no line fails all three the same way. The same two figures are compared three times; the break is
    the document's, one row, and the reading stands."""
    pairs = ["支出/支出功能分类/预算数", "支出/部门预算支出经济分类/预算数", "支出/政府预算支出经济分类/预算数"]
    found = [_instance(c, "182157.13", "182066.56") for c in pairs]
    found.append(_instance("收入/预算数", "182157.13", "182157.13"))
    verdict = judge(found)
    assert (verdict.status, verdict.failed) == (CONFIRMED, 3)


def test_one_amount_failing_on_different_figures_is_a_pattern() -> None:
    """The same difference between different figures in three places is what a line left unread does."""
    found = [_instance("支出/功能/预算数", "100.00", "9.43"), _instance("支出/经济/预算数", "200.00", "109.43"),
             _instance("支出/政府/预算数", "300.00", "209.43")]
    verdict = judge(found)
    assert verdict.status == UNCONFIRMED and IDENTITY in verdict.doubtful
    assert "3 instances of grand_total_equals_total_plus_carryover fail by the same amount, 90.57" in (
        verdict.reason or "")
