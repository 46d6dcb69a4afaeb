"""Printed totals against the sums of their rows, on extracted cells (a test helper).

For every table with classification codes, and every money column:
- a 合计/总计 row equals the sum of the top-level code rows;
- a code row equals the sum of its direct children (类 = Σ 款, 款 = Σ 项).
Within rounding: n terms printed to the last digit can differ by n x half a unit of it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from yusuan.model import Cell, Table
from yusuan.money import last_digit_unit


@dataclass(frozen=True)
class SumCheck:
    table: str
    row: str
    column: str
    printed: Decimal
    summed: Decimal
    terms: int
    tolerance: Decimal

    @property
    def difference(self) -> Decimal:
        return self.printed - self.summed

    @property
    def holds(self) -> bool:
        return abs(self.difference) <= self.tolerance


def _parent(code: str, codes: set[str]) -> str | None:
    for cut in (3, 2, 1):
        if len(code) - cut >= 3 and code[:-cut] in codes:
            return code[:-cut]
    return None


def sum_checks(table: Table) -> list[SumCheck]:
    money = [c for c in table.cells if c.kind == "money" and c.amount is not None]
    by_col: dict[str, list[Cell]] = defaultdict(list)
    for c in money:
        by_col[c.column_name].append(c)
    out: list[SumCheck] = []
    label = f"{table.table_no or ''}{table.title or table.table_type}"
    for col, cells in by_col.items():
        coded = {c.row_code: c for c in cells if c.row_code}
        if len(coded) < 2:
            continue
        codes = set(coded)
        children: dict[str, list[Cell]] = defaultdict(list)
        top: list[Cell] = []
        for code, c in coded.items():
            parent = _parent(code, codes)
            if parent is None:
                top.append(c)
            else:
                children[parent].append(c)
        units = [last_digit_unit(c.raw_text) for c in cells]
        half = max(units) / 2
        for parent, kids in children.items():
            p = coded[parent]
            out.append(SumCheck(label, parent, col, p.amount, sum((k.amount for k in kids), Decimal(0)),
                                len(kids), half * len(kids)))  # type: ignore[arg-type]
        totals = [c for c in cells if c.row_kind == "total" and not c.row_code and c.row_name in ("合计", "总计")]
        for t in totals[:1]:
            out.append(SumCheck(label, t.row_name or "合计", col, t.amount,  # type: ignore[arg-type]
                                sum((c.amount for c in top), Decimal(0)), len(top), half * len(top)))  # type: ignore[misc]
    return out
