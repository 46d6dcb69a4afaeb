"""Readings: a table whose own arithmetic does not confirm our reading of it is said so, once (a warning on the
table, not a row of errors); its figures stay out of the analyst views, and a core table's quarantines the report."""

from __future__ import annotations

from yusuan.checks.confirm import CONFIRMED, UNCONFIRMED
from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance
from yusuan.checks.registry import rule
from yusuan.view import Report


@rule
def unconfirmed_tables(report: Report, ident: Identity) -> list[Instance]:
    """Each table whose reading its own arithmetic judged: confirmed, or not (its failures repeat down a column,
    across the table, or by one amount) with the pattern: the instances of the pattern are not evaluated, so this
    is the one finding. A table with no arithmetic of its own is not judged here."""
    out = []
    for t in report.tables:
        name = t.table_no or t.title or t.table_type or f"table {t.seq}"
        if t.confirmation == CONFIRMED:
            out.append(ident.statement(f"{name} adds up under our reading" + (f" ({t.reading})" if t.reading else ""),
                                       True, t.table_type, t.table_no, min(t.pages) if t.pages else None))
        if t.confirmation != UNCONFIRMED:
            continue
        tried = f" or under the other reading its layout allows ({t.reading})" if t.reading else ""
        out.append(ident.statement(f"{name} does not add up under our reading{tried}: columns or rows misread, or "
                                   f"the table printed shifted", False, t.table_type, t.table_no,
                                   min(t.pages) if t.pages else None, detail=t.confirmation_reason))
    return out
