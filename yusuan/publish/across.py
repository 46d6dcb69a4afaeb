"""The checks across reports at a publish, run again only where a change can reach them.

An instance across reports belongs to its stating report, and its rule (yusuan.checks.rules.across) reads the
reports the corpus links to it (yusuan.checks.corpus.Corpus): the reports of the same body (last year's
budget, the budget a 决算 executed) and, for a 部门 report, the 单位 reports of its year and kind. So when reports
are added, replaced or removed, only the instances of these reports can change:
- the reports changed;
- every report of a changed report's body;
- where a changed report is a 单位 report, the 部门 reports of its year and kind.

The others are kept from the across part as they were. The part records what it was computed from (state.json):
each published report's version (the part the manifest names) and link (body, year, kind, level), and a
digest of the code, the catalog and the waivers. A report is changed when its version differs from the
recorded one, so a publish whose checks across reports failed is caught up by the next. When the digest
differs, or the part cannot be read, every instance runs again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from yusuan.checks.corpus import Corpus, Published
from yusuan.checks.instance import Instance, Source
from yusuan.publish.layout import ACROSS_PART, ACROSS_STATE, part_dir, parts_dir, sql_path
from yusuan.publish.manifest import manifest_rows

Found = tuple[str, Instance]


def inputs_digest(catalog: Path) -> str:
    """SHA-256 of what decides the instances besides the reports: the catalog, its waivers and the code."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    files = [Path(catalog), Path(catalog).with_name("waivers.yaml"),
             *sorted(p for p in package.rglob("*") if p.suffix in (".py", ".yaml"))]
    for f in files:
        h.update(str(f.relative_to(package) if f.is_relative_to(package) else f.name).encode())
        h.update(f.read_bytes() if f.exists() else b"-")
    return h.hexdigest()


def reached(now: Iterable[Published], before: Iterable[Published], changed: set[str]) -> set[str]:
    """The reports of `now` whose instances across reports a change of the reports `changed` can alter (their
    links before and now both count: a report may have changed its body)."""
    now = list(now)
    moved = [r for r in (*now, *before) if r.report_id in changed]
    bodies = {r.body for r in moved}
    unit_years = {(r.year, r.kind) for r in moved if r.level == "unit"}
    return {r.report_id for r in now if r.report_id in changed or r.body in bodies
            or (r.level == "dept" and (r.year, r.kind) in unit_years)}


def refresh(warehouse: Path, catalog: Path, *, whole: bool = False) -> tuple[list[Found], list[tuple[object, ...]],
                                                                             dict[str, Any]]:
    """The instances across reports of the published warehouse (every one, kept or run again), their
    budget.check_results rows, and the state to record with them. `whole`: run every instance again."""
    from yusuan.checks.published import across_results
    from yusuan.checks.results import result_rows

    folder = parts_dir(warehouse)
    digest = inputs_digest(catalog)
    versions = {r[0]: r[1] for r in manifest_rows(warehouse)}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        corpus = Corpus.from_warehouse(con)
        old = None if whole else _stored(folder, digest)
        stating: set[str] | None = None
        kept: list[tuple[object, ...]] = []
        kept_found: list[Found] = []
        if old is not None:
            before_versions, before, rows = old
            changed = {rid for rid in versions.keys() | before_versions.keys()
                       if versions.get(rid) != before_versions.get(rid)}
            stating = reached(corpus.reports, before, changed)
            kept = [row for row in rows if row[0] in versions and row[0] not in stating and row[0] not in changed]
            kept_found = [(str(row[0]), _instance_of(row)) for row in kept]
            if any(inst.outcome != row[7] for (_, inst), row in zip(kept_found, kept, strict=True)):
                stating = None  # a stored row this version would not read back as it was: run everything
        found = across_results(con, catalog, stating)
    finally:
        con.close()
    new_rows = result_rows(found)
    if stating is not None:
        found, new_rows = kept_found + found, kept + new_rows
    links = {r.report_id: [r.body, r.year, r.kind, r.level] for r in corpus.reports}
    state = {"inputs": digest, "reports": {rid: [part, *links.get(rid, [])] for rid, part in versions.items()}}
    return found, new_rows, state


def _stored(folder: Path, digest: str) -> tuple[dict[str, str | None], list[Published], list[tuple[object, ...]]] | None:
    """The across part's state and rows when this code, catalog and waivers wrote them; None otherwise."""
    from yusuan.checks.results import RESULT_COLUMNS

    part = part_dir(folder, ACROSS_PART)
    try:
        state = json.loads((part / ACROSS_STATE).read_text(encoding="utf-8"))
        if state.get("inputs") != digest:
            return None
        versions = {rid: v[0] for rid, v in state["reports"].items()}
        before = [Published(rid, "", v[1], v[2], v[3], v[4]) for rid, v in state["reports"].items() if len(v) == 5]
        con = duckdb.connect()
        try:
            cols = ", ".join(f'"{c}"' for c in RESULT_COLUMNS)
            rows = con.execute(f"SELECT {cols} FROM read_parquet('{sql_path(part / 'budget.check_results.parquet')}')"
                               ).fetchall()
        finally:
            con.close()
    except (OSError, ValueError, KeyError, IndexError, TypeError, duckdb.Error):
        return None
    return versions, before, rows


def _instance_of(row: tuple[object, ...]) -> Instance:
    """A stored budget.check_results row (in the order of RESULT_COLUMNS) as the instance it records."""
    (_rid, stage, family, identity, instance, severity, _passed, outcome, observed, expected, difference, tolerance,
     unit, table_type, table_no, page, detail, reason, reading, _at, compared, _finding) = row
    waived = None
    if outcome == "waived" and isinstance(detail, str) and "waived: " in detail:
        head, _, waived = detail.rpartition("waived: ")
        detail = head.removesuffix("; ") or None
    return Instance(
        identity=str(identity), family=str(family), stage=str(stage), severity=str(severity), instance=str(instance),
        lhs=observed, rhs=expected, tolerance=tolerance, table_type=table_type, table_no=table_no,  # type: ignore[arg-type]
        page=page, unit=unit, detail=detail, waived=waived,  # type: ignore[arg-type]
        agrees=True if outcome == "pass" and difference is None else None,
        not_evaluated=reason, reading=reading,  # type: ignore[arg-type]
        compared=[Source(c["role"], c["page"], (c["x0"], c["top"], c["x1"], c["bottom"])
                         if c.get("x0") is not None else None, c.get("printed"), c.get("report_id"))
                  for c in (compared or [])])  # type: ignore[attr-defined]
