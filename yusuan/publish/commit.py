"""A publish: the batch's exports written as one new part, then the manifest replaced (the commit point), then
the analyst file's views, the checks across reports and the garbage. What fails after the commit is said as
such: the new version is live."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from yusuan.publish.garbage import collect_garbage, retire_unused
from yusuan.publish.layout import MANIFEST, PublishedStateError, part_dir, parts_dir, publish_lock, sql_glob
from yusuan.publish.manifest import ManifestRow, manifest_rows, write_manifest
from yusuan.publish.parts import fresh_schema, new_part_name, stored_tables, write_across_part, write_part, write_schema_part
from yusuan.publish.views import write_views


@dataclass(frozen=True)
class Published:
    part: str | None
    reports: int  # reports in the manifest after the publish
    added: int
    removed: int
    seconds: float
    # the instances of the checks across reports after the publish: (stating report, instance)
    across: tuple[tuple[str, Any], ...] = ()
    # what failed after the commit (the new version is live): the analyst file, the checks across reports
    after_commit: tuple[str, ...] = ()


def publish(warehouse: Path, exported: Mapping[str, Path], *, remove: tuple[str, ...] = (),
            schema_source: duckdb.DuckDBPyConnection | None = None, catalog: Path | None = None) -> Published:
    """Make the exported reports (report_id -> export folder) and the removals visible at once.
    `schema_source` is a connection whose tables define the columns (a fresh schema by default). With
    `catalog` (identities.yaml), the checks across reports the change reaches are run again (yusuan.publish.across).
    Raises PublishedStateError, before changing anything, when the manifest is damaged or missing, or names a
    part that is gone."""
    started = time.monotonic()
    warehouse = Path(warehouse)
    folder = parts_dir(warehouse)
    with publish_lock(folder):
        old_rows = manifest_rows(warehouse)
        rows: list[ManifestRow] = [r for r in old_rows if r[0] not in exported and r[0] not in remove]
        gone = sorted({r[1] for r in rows if r[1] and not part_dir(folder, r[1]).is_dir()})
        if gone:
            raise PublishedStateError(
                f"the published part(s) {', '.join(gone)} are missing (their reports would vanish from the views); "
                "`yusuan verify` names them and `yusuan rebuild` runs their reports again from the store")
        own = schema_source is None
        schema = schema_source or fresh_schema()
        after: list[str] = []
        try:
            tables = stored_tables(schema)
            write_schema_part(schema, folder, tables)
            part = None
            statuses: dict[str, str] = {}
            digest = None
            if exported:
                part = new_part_name()
                statuses, digest = write_part(folder, part, exported, tables)
            now = datetime.now(UTC).replace(tzinfo=None)
            rows += [(rid, part, statuses.get(rid, ""), now, digest) for rid in exported]
            write_manifest(folder, rows)
            # committed: from here on a failure is said, never taken for a failed publish
            try:
                retire_unused(folder, {r[1] for r in rows})
                write_views(warehouse, schema, tables)
            except Exception as e:
                after.append(f"the analyst file {warehouse} could not be rebuilt ({_first_line(e)}); the next "
                             "publish rebuilds it")
        finally:
            if own:
                schema.close()
        across: list[tuple[str, Any]] = []
        if catalog is not None and not after:
            try:
                across = _refresh_across(warehouse, catalog)
            except Exception as e:
                after.append(f"the checks across reports could not be run again ({_first_line(e)}); "
                             "`yusuan verify` checks the published parts")
        try:
            collect_garbage(folder, warehouse)
        except OSError as e:
            after.append(f"unused parts could not be deleted ({_first_line(e)})")
    return Published(part=part, reports=len(rows), added=len(exported),
                     removed=sum(1 for r in remove if r in {o[0] for o in old_rows}),
                     seconds=time.monotonic() - started, across=tuple(across), after_commit=tuple(after))


def relink(warehouse: Path) -> bool:
    """Point the analyst file's views at the parts beside it when its folder was copied or moved (the views name
    their parts by absolute path, as every DuckDB client reads them); True when it did. Every command that reads
    the warehouse calls it first."""
    warehouse = Path(warehouse)
    folder = parts_dir(warehouse)
    if not warehouse.exists() or not (folder / MANIFEST).exists():
        return False
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = con.execute("SELECT sql FROM duckdb_views() WHERE database_name = current_database() "
                            "AND schema_name = 'budget' AND view_name = 'reports'").fetchone()
    finally:
        con.close()
    if found is not None and sql_glob(folder.resolve(), MANIFEST) in found[0]:
        return False
    with publish_lock(folder):
        schema = fresh_schema()
        try:
            write_views(warehouse, schema, stored_tables(schema))
        finally:
            schema.close()
    return True


def _first_line(e: BaseException) -> str:
    return f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"


def refresh_across(warehouse: Path, catalog: Path) -> list[tuple[str, Any]]:
    """Run every check across reports again over the published warehouse and make their results the across part
    (replaced whole); returns the instances, each with the report that states the figure."""
    warehouse = Path(warehouse)
    with publish_lock(parts_dir(warehouse)):
        return _refresh_across(warehouse, catalog, whole=True) if warehouse.exists() else []


def _refresh_across(warehouse: Path, catalog: Path, *, whole: bool = False) -> list[tuple[str, Any]]:
    """The checks across reports after a publish: those a change can reach run again, the others are kept
    (yusuan.publish.across); every instance, kept or new, is returned."""
    from yusuan.publish.across import refresh

    found, rows, state = refresh(warehouse, catalog, whole=whole)
    write_across_part(parts_dir(warehouse), rows, state)
    return found


def first_ingested(warehouse: Path, report_id: str) -> datetime | None:
    """When the published version of a report was first ingested (None when it cannot be read)."""
    return first_ingested_of(warehouse, [report_id]).get(report_id)


def first_ingested_of(warehouse: Path, report_ids: list[str]) -> dict[str, datetime]:
    """When the published versions of these reports were first ingested (one query for all of them; a report
    not published, or a warehouse that cannot be read, gives none)."""
    if not report_ids or not Path(warehouse).exists():
        return {}
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            rows = con.execute("SELECT report_id, ingested_at FROM budget.reports WHERE list_contains(?, report_id)",
                               [list(report_ids)]).fetchall()
        finally:
            con.close()
    except duckdb.Error:
        return {}
    return {rid: at for rid, at in rows if isinstance(at, datetime)}
