"""Between stages: every amount extracted reaches the conformed facts once (count and sum per table)."""

from __future__ import annotations

from decimal import Decimal

from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance
from yusuan.checks.registry import rule
from yusuan.view import Report


@rule
def stage_preservation(report: Report, ident: Identity) -> list[Instance]:
    """Per table, the count and the sum of the amounts extracted = those of the conformed facts. A report not
    conformed yet (a view of an extraction in memory) has nothing to compare."""
    if report.conformed is None:
        return []
    extracted: dict[int, tuple[int, Decimal]] = {}
    for a in report.amounts:
        n, total = extracted.get(a.table_seq, (0, Decimal(0)))
        extracted[a.table_seq] = (n + 1, total + a.amount)
    tables = {t.seq: t for t in report.tables}
    out = []
    for seq in sorted(set(extracted) | set(report.conformed)):
        xn, xs = extracted.get(seq, (0, Decimal(0)))
        cn, cs = report.conformed.get(seq, (0, Decimal(0)))
        table = tables.get(seq)
        ttype, no = (table.table_type, table.table_no) if table else (None, None)
        page = min(table.pages) if table and table.pages else None
        label = no or ttype or f"table {seq}"
        out.append(ident.instance(f"{label}: amount count extracted = conformed", Decimal(xn), Decimal(cn), 0, ttype,
                                  no, page, None))
        out.append(ident.instance(f"{label}: amount sum extracted = conformed", xs, cs, 0, ttype, no, page, None))
    return out
