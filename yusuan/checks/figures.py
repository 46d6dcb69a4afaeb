"""How the rules pick printed figures and compare them: a sum of parts, a figure chosen by a selector.

Every comparison carries its tolerance: half a unit of the last printed digit of each figure compared,
at that figure's own precision (yusuan.view.Amount.half), summed over the total and its terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance, Source
from yusuan.money import plain
from yusuan.view import Amount, Report


def sum_of(ident: Identity, label: str, total: Amount, terms: list[Amount]) -> Instance:
    """total = Σ terms, each printed figure rounded to its last digit."""
    rhs = sum((t.amount for t in terms), Decimal(0))
    tolerance = total.half + sum((t.half for t in terms), Decimal(0))
    inst = ident.instance(label, total.amount, rhs, tolerance, total.table_type, total.table_no, total.page, total.unit)
    inst.compared = [Source.of("lhs", total)] + [Source.of("rhs", t) for t in terms]
    inst.column = total.column
    return inst


def sum_with_reading(ident: Identity, label: str, total: Amount, terms: list[Amount]) -> Instance:
    """total = Σ terms. Where that fails and a term is a subtotal of the others (it equals the total itself, or
    the sum of the terms printed after it), the table is read without it, and the reading is recorded: a
    subtotal listed among its own parts is a misreading, not a defect of the document."""
    inst = sum_of(ident, label, total, terms)
    if inst.passed:
        return inst
    for k, term in enumerate(terms):
        rest = terms[:k] + terms[k + 1:]
        after = terms[k + 1:]
        if term.amount == total.amount and any(t.amount for t in rest):
            why = f"without {term.name} {term.amount}, a subtotal equal to the total listed among its parts"
        elif len(after) > 1 and term.amount == sum((t.amount for t in after), Decimal(0)) and term.amount:
            why = f"without {term.name} {term.amount}, the subtotal of the {len(after)} lines after it"
        else:
            continue
        reread = sum_of(ident, f"{label} ({len(rest)} read)", total, rest)
        reread.reading = why
        return reread
    return inst


def with_sources(inst: Instance, whole: Iterable[Amount], terms: Iterable[Amount]) -> Instance:
    """The instance, recording the figures it compared: the whole (lhs) and its terms (rhs)."""
    inst.compared = [Source.of("lhs", w) for w in whole] + [Source.of("rhs", t) for t in terms]
    return inst


def columns(report: Report, amounts: list[Amount] | None = None) -> dict[tuple[int, str], list[Amount]]:
    """The amounts (by default every amount the report's view holds) per (table, money column), each column's
    rows in printed order, the columns in printed order."""
    ordered = sorted(report.amounts if amounts is None else amounts,
                     key=lambda a: (a.table_seq, a.column_seq, a.row_seq))
    out: dict[tuple[int, str], list[Amount]] = {}
    for a in ordered:
        out.setdefault((a.table_seq, a.column), []).append(a)
    return out


# ---- a figure chosen by a selector of the catalog ----------------------------------------------


class Selected(NamedTuple):
    """One figure a selector picks: as printed, in yuan, with half a unit of its last digit (in yuan)."""

    printed: Decimal
    yuan: Decimal
    half: Decimal
    table_type: str | None
    table_no: str | None
    page: int | None
    unit: str | None
    row_name: str | None
    column: str
    raw_text: str | None = None
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None

    @property
    def table(self) -> str:
        return self.table_no or self.table_type or ""

    @property
    def as_printed(self) -> str:
        """The figure's text on the page (a row the table does not print: its 0)."""
        return self.raw_text or plain(self.printed)


def row_matches(a: Amount, row: str) -> bool:
    """A selector's row: total (the table's 合计 row without a code) | code:<code> | name:<regex> | first."""
    if row == "total":
        return a.is_total
    if row.startswith("code:"):
        return a.row_code == row[5:]
    if row.startswith("name:"):
        return bool(re.search(row[5:], a.row_name or ""))
    return True


def select(report: Report, sel: dict[str, Any]) -> Selected | None:
    """The first figure (in printed order: table, row, column) of the selector's tables, row and column."""
    types = tuple(sel["table"])
    row = str(sel.get("row", "total"))
    column = re.compile(sel["column"])
    for a in report.amounts:
        if a.table_type in types and column.search(a.column) and row_matches(a, row):
            return Selected(a.amount, a.yuan, a.half_yuan, a.table_type, a.table_no, a.page,  # type: ignore[arg-type]
                            a.unit, a.row_name, a.column, a.raw_text, a.x0, a.top, a.x1, a.bottom)
    return None


def absent(report: Report, sel: dict[str, Any]) -> Selected | None:
    """A zero for a row the selector's table does not print (None when the report lacks the table)."""
    types = tuple(sel["table"])
    first = next((a for a in report.amounts if a.table_type in types), None)
    if first is None:
        return None
    row = str(sel.get("row", "")).split(":", 1)[-1]
    return Selected(Decimal(0), Decimal(0), Decimal(0), first.table_type, first.table_no, first.page, first.unit,
                    f"{row} (not printed: 0)", "")
