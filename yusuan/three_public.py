"""What a figure of a 三公 table is: its item, its period, its fund and its level, read from the words of its row
and of its column (vocabulary.yaml, words), whichever way the table is laid out.

A 三公 table prints its items as columns (合计 | 因公出国（境）费 | 公务接待费 | 公务用车购置及运行费 …) or as rows (福州:
合计 / 1、因公出国（境）费用 / …, one column 预算数). Its rows may be periods (深圳: 2025年 / 2026年 / 增减变化金额), its
units (杭州: 合计 / 杭州市气象局 / …), or one row; its columns may be split by period (决算: 预算数 | 决算数) or by fund
(一般公共预算 | 政府性基金预算 | 国有资本经营预算).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yusuan.vocabulary import vocabulary

_VOC = vocabulary()
# the words of a column that do not name its item: the year, 预算数/决算数, 财政拨款, a list marker
_QUALIFIERS = _VOC.word("three_public_column_qualifiers")
_SUBTOTAL = _VOC.word("subtotal_label")  # 小计
ITEMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((item, _VOC.word(w)) for item, w in (
    ("vehicle_purchase", "vehicle_purchase_fee"), ("vehicle_operation", "vehicle_operation_fee"),
    ("vehicles", "vehicle_purchase_and_operation_fee"), ("overseas", "overseas_travel"),
    ("reception", "reception_fee"), ("office_operation", "office_operation_fee"),
    ("meetings", "meeting_fee"), ("training", "training_fee"), ("total", "three_public_total")))
_LIST_MARKER = _VOC.word("leading_list_marker")
_ASIDE = _VOC.word("three_public_aside")  # 其中：（1）公务用车购置费
_NAMED = _VOC.word("three_public_name")  # 三公
_CHANGE = _VOC.word("three_public_change")  # 增减变化金额, 比上年增减
_FINAL = _VOC.word("three_public_final")  # 决算数
_BUDGET = _VOC.word("three_public_budget")  # 预算数
_FUND_SUFFIX = _VOC.word("fund_header_suffix")  # 一般公共预算 = 一般公共 + 预算
_LAST_YEAR = _VOC.word("last_year")  # 上年
_YEAR = _VOC.word("year_label")  # 2025年
FUNDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (fund, _VOC.word(f"fund_{fund}")) for fund in ("general_public", "gov_fund", "soe_capital"))


def _names_a_fund(part: str) -> bool:
    """一般公共预算 (or 政府性基金预算 …) as a header of its own: a split by fund, not an item."""
    return any(p.fullmatch(_FUND_SUFFIX.sub("", part)) for _, p in FUNDS)


def item_of_column(column: str) -> str | None:
    """The 三公 item a column is of (vehicles, reception …, total), or None; a column naming no item (预算数, a
    小计 alone) is the table's total."""
    s = _QUALIFIERS.sub("", column)
    parts = [p for p in s.split("/") if p and not _names_a_fund(p)]
    if parts and _SUBTOTAL.fullmatch(parts[-1]) and len(parts) > 1:
        parts = parts[:-1]
    label = parts[-1] if parts else ""
    if not label or _SUBTOTAL.fullmatch(label):
        return "total"
    return next((item for item, pattern in ITEMS if pattern.search(label)), None)


def item_named(label: str) -> str | None:
    """The 三公 item a row label names (1、因公出国（境）费用, 其中：（1）公务用车购置费, 合计), or None (a unit, a year)."""
    for part in reversed([p.strip() for p in label.split("/") if p.strip()]):
        words = _QUALIFIERS.sub("", _ASIDE.sub("", _LIST_MARKER.sub("", part)).strip())
        words = _LIST_MARKER.sub("", words).strip()
        if not words:
            continue
        found = next((item for item, pattern in ITEMS if pattern.search(words)), None)
        if found:
            return found
    return None


@dataclass(frozen=True)
class Meaning:
    """What one figure of a 三公 table is."""

    item: str | None  # total | overseas | reception | vehicles | vehicle_purchase | vehicle_operation | meetings |
    # training | office_operation | grand_total (the 三公 and the others printed beside them)
    period: str  # budget | final | previous_year | change
    period_printed: str | None  # the words that say so (2025年, 决算数, 增减变化金额); None: the report's own year
    fund: str | None  # general_public | gov_fund | soe_capital where the header names one
    is_unit_row: bool  # the row is one unit among those the table lists (it prints their 合计 too)
    item_from_row: bool = False  # the row names the item (items printed as rows), not the column


def period_of(words: str, fiscal_year: int | None, final: bool) -> tuple[str, str | None]:
    """The period of a figure from the words of its row and column: a change, last year's, a 决算's outturn or
    its budget, or (no word) the report's own: its budget, or its outturn for a 决算."""
    if m := _CHANGE.search(words):
        return "change", m.group(0)
    if m := _LAST_YEAR.search(words):
        return "previous_year", m.group(0)
    for m in _YEAR.finditer(words):
        if fiscal_year is not None and int(m.group(1)) < fiscal_year:
            return "previous_year", m.group(0)
    if m := _FINAL.search(words):
        return "final", m.group(0)
    if m := _BUDGET.search(words):
        return "budget", m.group(0)
    year = _YEAR.search(words)
    return ("final" if final else "budget"), (year.group(0) if year else None)


OTHERS = ("meetings", "training", "office_operation")  # printed beside the 三公 by some templates, never of it


def prints_others(row_labels: list[str], columns: list[str]) -> bool:
    """Whether a table prints items beside the 三公 (会议费, 培训费 …): its bare 合计 is then theirs too."""
    return any(item_of_column(c) in OTHERS for c in columns) or any(item_named(r) in OTHERS for r in row_labels)


def meaning(row_label: str, column: str, fiscal_year: int | None, final: bool, table_has_total_row: bool,
            row_is_total: bool, beside_others: bool = False) -> Meaning:
    """The meaning of the figure at (row, column): the item from its column, or from its row where the column
    names none but the row does (items printed as rows); the period from both. In a table that prints other
    items beside the 三公 (`beside_others`: 江苏 公开09表 合计 = “三公”经费 小计 + 会议费 + 培训费), a total that
    does not name the 三公 is the grand total of them all (`grand_total`), not the 三公's."""
    by_column = item_of_column(column)
    by_row = item_named(row_label) if row_label else None
    # the row names the item where the column names none (预算数), or names nothing we know and the row an item
    # (never the row's 合计 over a column of an item cut short)
    from_row = by_row is not None and (by_column == "total" or (by_column is None and by_row != "total"))
    item = by_row if from_row else by_column
    if item == "total" and beside_others and not _NAMED.search(f"{row_label}/{column}"):
        item = "grand_total"
    period, printed = period_of(f"{row_label}/{column}", fiscal_year, final)
    fund = next((f for f, pattern in FUNDS if pattern.search(column)), None)
    bare = _CHANGE.sub("", _YEAR.sub("", row_label)).strip(" /")
    unit_row = bool(table_has_total_row and not row_is_total and bare and by_row is None)
    return Meaning(item, period, printed, fund, unit_row, item_from_row=from_row)
