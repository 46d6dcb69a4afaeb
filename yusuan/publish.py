"""Publishing: what analysts read, made of immutable Parquet parts behind a small file of views.

Each report is processed in a database of its own (`staging/<report>/work.duckdb`). When it reaches a
final status its rows are exported, table by table, to Parquet (`export_report`). A publish takes the
exported reports of a batch, writes them as one new *part* (one Parquet file per table), and then
replaces the *manifest*, the single small file that says which part holds the current version of
each report. The analyst file, `warehouse.duckdb`, holds only views: every table of the contract
reads the parts the manifest names.

    <warehouse>.parts/
        manifest.parquet                 report_id -> part (replaced atomically: the commit point)
        part=_schema/<schema>.<table>.parquet   empty, typed: the columns of every table
        part=<batch>/<schema>.<table>.parquet   the rows of the reports of one publish
        part=_across/budget.check_results.parquet  the checks across reports, recomputed at every publish
    <warehouse>.duckdb                   views over the parts (rebuilt at every publish)

So a publish costs the size of its batch, not of the warehouse; a reader never holds a lock the
pipeline needs, and sees whole reports only (the manifest names a part only once it is complete);
a report stays published until `remove` or a final newer version replaces it; nothing left beside
the analyst file (a WAL of a crashed session) survives the next publish.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from yusuan.schema import MANIFEST_COLUMNS, PUBLISHED_SCHEMAS, ensure_schema

SCHEMA_PART = "_schema"
# the results of the checks across reports (budget.check_results, family across_reports): recomputed over the
# whole published state at every publish, and read with the rows of the reports they belong to
ACROSS_PART = "_across"
MANIFEST = "manifest.parquet"
# a part no report points to any more is deleted once no query can still be reading it
GRACE_SECONDS = 3600.0


class PublishedStateError(RuntimeError):
    """The published state cannot be read (a damaged manifest or part); the message says how to rebuild it."""


@dataclass(frozen=True)
class Published:
    part: str | None
    reports: int  # reports in the manifest after the publish
    added: int
    removed: int
    seconds: float
    # the instances of the checks across reports after the publish: (stating report, instance)
    across: tuple[tuple[str, Any], ...] = ()


def parts_dir(warehouse: Path) -> Path:
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.stem + ".parts")


def _stored_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return [(s, t) for s, t in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND NOT internal AND list_contains(?, schema_name) ORDER BY schema_name, table_name",
        [list(PUBLISHED_SCHEMAS)]).fetchall()]


def export_report(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Path:
    """Write every table of a report's own database to `out_dir/<schema>.<table>.parquet`, whole:
    the folder appears complete or not at all."""
    out_dir = Path(out_dir)
    tmp = out_dir.with_name(f".{out_dir.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for schema, table in _stored_tables(con):
        con.execute(f"COPY {schema}.{table} TO '{_sql_path(tmp / f'{schema}.{table}.parquet')}' (FORMAT parquet)")
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(tmp, out_dir)
    return out_dir


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


@contextmanager
def _publish_lock(folder: Path) -> Iterator[None]:
    """One publisher at a time per warehouse (the manifest is read, changed and replaced)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".publish.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


ManifestRow = tuple[str, str | None, str, datetime | None]  # report_id, part, status, published_at


def _manifest_rows(warehouse: Path) -> list[ManifestRow]:
    path = parts_dir(warehouse) / MANIFEST
    if not path.exists():
        return []
    con = duckdb.connect()
    try:
        rows = con.execute(f"SELECT report_id, part, status, published_at FROM read_parquet('{_sql_path(path)}')"
                           ).fetchall()
    except duckdb.Error as e:
        raise PublishedStateError(
            f"the published manifest {path} cannot be read ({str(e).splitlines()[0]}); rebuild the warehouse from "
            f"the store, which keeps every input: yusuan rebuild --warehouse {warehouse}") from e
    finally:
        con.close()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def read_manifest(warehouse: Path) -> dict[str, tuple[str | None, str]]:
    """report_id -> (part, status) of the published reports."""
    return {r[0]: (r[1], r[2]) for r in _manifest_rows(warehouse)}


def publish(warehouse: Path, exported: Mapping[str, Path], *, remove: tuple[str, ...] = (),
            schema_source: duckdb.DuckDBPyConnection | None = None, catalog: Path | None = None) -> Published:
    """Make the exported reports (report_id -> export folder) and the removals visible at once.
    `schema_source` is a connection whose tables define the columns (a fresh schema by default). With
    `catalog` (identities.yaml), the checks across reports are run again over the new published state."""
    started = time.monotonic()
    warehouse = Path(warehouse)
    folder = parts_dir(warehouse)
    with _publish_lock(folder):
        old_rows = _manifest_rows(warehouse)
        manifest = {r[0]: r for r in old_rows}
        own = schema_source is None
        schema = schema_source or _fresh_schema()
        try:
            tables = _stored_tables(schema)
            _write_schema_part(schema, folder, tables)
            part = None
            statuses: dict[str, str] = {}
            if exported:
                part = _new_part_name(folder)
                statuses = _write_part(folder, part, exported, tables)
            now = datetime.now(UTC).replace(tzinfo=None)
            rows: list[ManifestRow] = [r for r in old_rows if r[0] not in exported and r[0] not in remove]
            rows += [(rid, part, statuses.get(rid, ""), now) for rid in exported]
            _write_manifest(folder, rows)
            _write_views(warehouse, schema, tables)
        finally:
            if own:
                schema.close()
        across = _refresh_across(warehouse, catalog) if catalog is not None else []
        _collect_garbage(folder, {r[1] for r in rows})
    return Published(part=part, reports=len(rows), added=len(exported),
                     removed=sum(1 for r in remove if r in manifest), seconds=time.monotonic() - started,
                     across=tuple(across))


def refresh_across(warehouse: Path, catalog: Path) -> list[tuple[str, Any]]:
    """Run the checks across reports over the published warehouse and make their results the across part
    (replaced whole); returns the instances, each with the report that states the figure."""
    warehouse = Path(warehouse)
    with _publish_lock(parts_dir(warehouse)):
        return _refresh_across(warehouse, catalog) if warehouse.exists() else []


def _refresh_across(warehouse: Path, catalog: Path) -> list[tuple[str, Any]]:
    from yusuan.checks.published import across_results
    from yusuan.checks.results import RESULT_COLUMNS, result_rows
    from yusuan.warehouse import insert_rows

    folder = parts_dir(warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = across_results(con, catalog)
        rows = result_rows(found)
    finally:
        con.close()
    schema = _fresh_schema()  # the columns as this version declares them (the published file may predate it)
    try:
        declared = _columns(schema, "budget", "check_results")
    finally:
        schema.close()
    tmp = folder / f".{ACROSS_PART}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    mem = duckdb.connect()
    try:
        mem.execute("CREATE SCHEMA budget")
        mem.execute("CREATE TABLE budget.check_results (" + ", ".join(f'"{c}" {t}' for c, t in declared) + ")")
        insert_rows(mem, "budget.check_results", RESULT_COLUMNS, rows)
        mem.execute(f"COPY budget.check_results TO '{_sql_path(tmp / 'budget.check_results.parquet')}' "
                    "(FORMAT parquet)")
    finally:
        mem.close()
    target, old = folder / f"part={ACROSS_PART}", folder / f".{ACROSS_PART}.{os.getpid()}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)
    return found


def _fresh_schema() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_schema(con)
    return con


def _new_part_name(folder: Path) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"b{stamp}-{os.getpid()}"


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return [(c, t) for c, t in con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ? ORDER BY column_index", [schema, table]).fetchall()]


def _write_schema_part(con: duckdb.DuckDBPyConnection, folder: Path, tables: list[tuple[str, str]]) -> None:
    """The empty, typed files that give every view its columns (rewritten when the schema grows)."""
    target = folder / f"part={SCHEMA_PART}"
    signature = repr([(s, t, _columns(con, s, t)) for s, t in tables])
    stamp = target / "schema.txt"
    if stamp.exists() and stamp.read_text(encoding="utf-8") == signature:
        return
    tmp = folder / f".schema.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for schema, table in tables:
        con.execute(f"COPY (SELECT * FROM {schema}.{table} LIMIT 0) TO "
                    f"'{_sql_path(tmp / f'{schema}.{table}.parquet')}' (FORMAT parquet)")
    (tmp / "schema.txt").write_text(signature, encoding="utf-8")
    old = folder / f".schema.{os.getpid()}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def _write_part(folder: Path, part: str, exported: Mapping[str, Path],
                tables: list[tuple[str, str]]) -> dict[str, str]:
    """One Parquet file per table holding the rows of every exported report; returns their statuses."""
    tmp = folder / f".{part}.tmp"
    tmp.mkdir(parents=True)
    con = duckdb.connect()
    try:
        for schema, table in tables:
            files = [str(Path(d) / f"{schema}.{table}.parquet") for d in exported.values()]
            files = [f for f in files if Path(f).exists()]
            out = _sql_path(tmp / f"{schema}.{table}.parquet")
            if files:
                con.execute(f"COPY (SELECT * FROM read_parquet(?, union_by_name = true)) TO '{out}' (FORMAT parquet)",
                            [files])
        statuses = {r[0]: r[1] for r in con.execute(
            f"SELECT report_id, status FROM read_parquet('{_sql_path(tmp / 'budget.reports.parquet')}')").fetchall()} \
            if (tmp / "budget.reports.parquet").exists() else {}
    finally:
        con.close()
    os.replace(tmp, folder / f"part={part}")
    return statuses


def _write_manifest(folder: Path, rows: list[ManifestRow]) -> None:
    from yusuan.warehouse import insert_rows

    con = duckdb.connect()
    try:
        con.execute(f"CREATE TABLE m ({MANIFEST_COLUMNS})")
        insert_rows(con, "m", ["report_id", "part", "status", "published_at"], rows)
        tmp = folder / f".{MANIFEST}.{os.getpid()}.tmp"
        con.execute(f"COPY (SELECT * FROM m ORDER BY report_id) TO '{_sql_path(tmp)}' (FORMAT parquet)")
    finally:
        con.close()
    os.replace(tmp, folder / MANIFEST)  # the commit point of a publish


def _write_views(warehouse: Path, schema: duckdb.DuckDBPyConnection, tables: list[tuple[str, str]]) -> None:
    """Rebuild the analyst file: a view per stored table over the parts, then the analyst views, with
    every comment. A WAL left beside the old file by a crashed session is removed before the new file
    takes its name, so it can never be replayed against it."""
    folder = parts_dir(warehouse).resolve()
    manifest = _sql_path(folder / MANIFEST)
    tmp = warehouse.with_name(f".{warehouse.name}.{os.getpid()}.tmp")
    for leftover in (tmp, Path(f"{tmp}.wal")):
        leftover.unlink(missing_ok=True)
    out = duckdb.connect(str(tmp))
    try:
        for s in sorted({s for s, _ in tables}):
            out.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
        for s, t in tables:
            cols = _columns(schema, s, t)
            glob = _sql_path(folder / f"part=*/{s}.{t}.parquet")
            select = ", ".join(f'CAST(t."{c}" AS {ty}) AS "{c}"' for c, ty in cols)
            source = f"read_parquet('{glob}', hive_partitioning = true, union_by_name = true) t"
            if cols and cols[0][0] == "report_id":
                body = (f"SELECT {select} FROM {source} SEMI JOIN read_parquet('{manifest}') m "
                        f"ON t.report_id = m.report_id AND (t.part = m.part OR t.part = '{ACROSS_PART}')")
            else:  # a shared dimension (subjects): one row per key, from the published parts
                key = cols[0][0]
                body = (f"SELECT DISTINCT ON (t.\"{key}\") {select} FROM {source} "
                        f"WHERE t.part IN (SELECT part FROM read_parquet('{manifest}')) ORDER BY t.\"{key}\", t.part")
            out.execute(f"CREATE VIEW {s}.{t} AS {body}")
        for (sql,) in schema.execute(
                "SELECT sql FROM duckdb_views() WHERE database_name = current_database() "
                "AND NOT internal ORDER BY view_oid").fetchall():
            out.execute(sql)
        for s, name, comment in schema.execute(
                "SELECT schema_name, table_name, comment FROM duckdb_tables() "
                "WHERE database_name = current_database() AND comment IS NOT NULL UNION ALL "
                "SELECT schema_name, view_name, comment FROM duckdb_views() "
                "WHERE database_name = current_database() AND NOT internal AND comment IS NOT NULL").fetchall():
            out.execute(f"COMMENT ON VIEW {s}.{name} IS '{comment.replace(chr(39), chr(39) * 2)}'")
        for s, t, c, comment in schema.execute(
                "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns() "
                "WHERE database_name = current_database() AND comment IS NOT NULL").fetchall():
            out.execute(f"COMMENT ON COLUMN {s}.{t}.\"{c}\" IS '{comment.replace(chr(39), chr(39) * 2)}'")
        out.execute("CHECKPOINT")
    finally:
        out.close()
    Path(f"{warehouse}.wal").unlink(missing_ok=True)
    os.replace(tmp, warehouse)


def _collect_garbage(folder: Path, referenced: set[str | None]) -> None:
    now = time.time()
    for p in folder.glob("part=*"):
        name = p.name.split("=", 1)[1]
        if name in (SCHEMA_PART, ACROSS_PART) or name in referenced:
            continue
        if now - p.stat().st_mtime > GRACE_SECONDS:
            shutil.rmtree(p, ignore_errors=True)



def published_value(warehouse: Path, sql: str, params: list[object]) -> object:
    """One value from the published warehouse (None when nothing is published yet)."""
    if not Path(warehouse).exists():
        return None
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute(sql, params).fetchone()
    finally:
        con.close()
    return row[0] if row else None


def first_ingested(warehouse: Path, report_id: str) -> datetime | None:
    """When the published version of a report was first ingested (None when it cannot be read)."""
    try:
        value = published_value(warehouse, "SELECT ingested_at FROM budget.reports WHERE report_id = ?", [report_id])
    except duckdb.Error:
        return None
    return value if isinstance(value, datetime) else None
