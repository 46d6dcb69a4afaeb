"""A table's reading, confirmed by the table's own arithmetic before anything of it is written.

The extraction reads each table one way (yusuan/tables.py, yusuan/forms.py). Here, on the tables held in
memory, each table's own identities (its row identities, totals and code hierarchies: the catalog's extracted
stage) are evaluated and judged (yusuan.checks.confirm): confirmed, unconfirmed (failures in a pattern: a
misreading until the page shows otherwise) or unchecked (nothing to add up). Where a reading is not confirmed
and the layout allows another (`alternatives`), the other is read and kept if its arithmetic confirms it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from yusuan.checks.catalog import Catalog, cached_catalog, default_catalog_path
from yusuan.checks.confirm import CONFIRMED, UNCONFIRMED, Confirmation
from yusuan.checks.evaluate import READING_FAMILY, evaluate_tables
from yusuan.checks.identity import Identity
from yusuan.checks.rules.rows import MEMO_READINGS
from yusuan.model import Extraction, Table
from yusuan.view import Report
from yusuan.vocabulary import vocabulary

# Another reading of a table its layout allows: (what it is, the table read that way), or nothing
Alternative = Callable[[Table], Iterator[tuple[str, Table]]]


def memo_readings(table: Table) -> Iterator[tuple[str, Table]]:
    """The other readings of 其中 its header allows (yusuan.checks.rules.rows.MEMO_READINGS), where it prints one."""
    memo = vocabulary().header_roles["memo"]
    if any(memo.search(part) for h in table.header for part in h.split("/")):
        for key in list(MEMO_READINGS)[1:]:
            yield key, replace(table, reading=key)


ALTERNATIVES: list[Alternative] = [memo_readings]


def confirm_readings(extraction: Extraction, catalog: Catalog | Path | None = None) -> None:
    """Judge each table of the extraction by its own arithmetic, and keep, for a table its first reading does not
    confirm (or under which it breaks somewhere), the first other reading its layout allows under which it adds
    up. Sets each table's
    `confirmation`, `confirmation_reason` and (where another reading is kept) `reading`."""
    cat = catalog if isinstance(catalog, Catalog) else cached_catalog(Path(catalog or default_catalog_path()))
    identities = [i for i in cat.for_stage("extracted") if i.family != READING_FAMILY]
    report = Report.from_extraction("r0000000000000000", extraction)
    for k, table in enumerate(extraction.tables):
        verdict = _judge(report, table, identities)
        if verdict.status == UNCONFIRMED or verdict.failed:
            for _, other in (alt for make in ALTERNATIVES for alt in make(table)):
                again = _judge(report, other, identities)
                # another reading is kept where the table adds up under it: wholly, for a table whose first reading
                # only breaks here and there (a misprint is never read away by a reading that still breaks)
                if again.status == CONFIRMED and (verdict.status == UNCONFIRMED or not again.failed):
                    table = other
                    extraction.tables[k] = table
                    verdict = again
                    break
        table.confirmation, table.confirmation_reason = verdict.status, verdict.reason


def _judge(report: Report, table: Table, identities: list[Identity]) -> Confirmation:
    _, verdicts = evaluate_tables(report.only([table]), identities)
    return verdicts[table.seq]
