"""The files of the published state: a report's export, a batch's part, the typed empty schema part and the part
of the checks across reports. Each is written in a temporary folder and takes its name whole, with the
SHA-256 of each of its files in its checksums.json."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from yusuan.publish.layout import ACROSS_PART, ACROSS_STATE, SCHEMA_PART, part_dir, sql_path
from yusuan.publish.manifest import write_checksums
from yusuan.schema import PUBLISHED_SCHEMAS, ensure_schema
from yusuan.schema import columns as schema_columns


def stored_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return [(s, t) for s, t in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND NOT internal AND list_contains(?, schema_name) ORDER BY schema_name, table_name",
        [list(PUBLISHED_SCHEMAS)]).fetchall()]


def columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return [(c, t) for c, t in con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ? ORDER BY column_index", [schema, table]).fetchall()]


def fresh_schema() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_schema(con)
    return con


def export_report(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Path:
    """Write every table of a report's own database to `out_dir/<schema>.<table>.parquet`, whole:
    the folder appears complete or not at all (under the report's lock, yusuan.locks)."""
    out_dir = Path(out_dir)
    tmp = out_dir.with_name(f".{out_dir.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for schema, table in stored_tables(con):
        con.execute(f"COPY {schema}.{table} TO '{sql_path(tmp / f'{schema}.{table}.parquet')}' (FORMAT parquet)")
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(tmp, out_dir)
    return out_dir


def new_part_name() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"b{stamp}-{os.getpid()}"


def _take_name(folder: Path, tmp: Path, target: Path) -> None:
    """`tmp` becomes `target` (an older `target` is set aside first, then deleted)."""
    old = folder / f".{target.name}.{os.getpid()}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def write_schema_part(con: duckdb.DuckDBPyConnection, folder: Path, tables: list[tuple[str, str]]) -> None:
    """The empty, typed files that give every view its columns (rewritten when the schema grows, or when one
    of them is missing)."""
    target = part_dir(folder, SCHEMA_PART)
    signature = repr([(s, t, columns(con, s, t)) for s, t in tables])
    stamp = target / "schema.txt"
    if stamp.exists() and stamp.read_text(encoding="utf-8") == signature and \
            all((target / f"{s}.{t}.parquet").exists() for s, t in tables):
        return
    tmp = folder / f".schema.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for schema, table in tables:
        con.execute(f"COPY (SELECT * FROM {schema}.{table} LIMIT 0) TO "
                    f"'{sql_path(tmp / f'{schema}.{table}.parquet')}' (FORMAT parquet)")
    (tmp / "schema.txt").write_text(signature, encoding="utf-8")
    write_checksums(tmp)
    _take_name(folder, tmp, target)


def write_part(folder: Path, part: str, exported: Mapping[str, Path],
               tables: list[tuple[str, str]]) -> tuple[dict[str, str], str]:
    """One Parquet file per table holding the rows of every exported report; returns their statuses and the
    SHA-256 of the part's checksums.json."""
    tmp = folder / f".{part}.tmp"
    tmp.mkdir(parents=True)
    con = duckdb.connect()
    try:
        for schema, table in tables:
            files = [str(Path(d) / f"{schema}.{table}.parquet") for d in exported.values()]
            files = [f for f in files if Path(f).exists()]
            out = sql_path(tmp / f"{schema}.{table}.parquet")
            if files:
                con.execute(f"COPY (SELECT * FROM read_parquet(?, union_by_name = true)) TO '{out}' (FORMAT parquet)",
                            [files])
        statuses = {r[0]: r[1] for r in con.execute(
            f"SELECT report_id, status FROM read_parquet('{sql_path(tmp / 'budget.reports.parquet')}')").fetchall()} \
            if (tmp / "budget.reports.parquet").exists() else {}
    finally:
        con.close()
    digest = write_checksums(tmp)
    os.replace(tmp, part_dir(folder, part))
    return statuses, digest


def write_across_part(folder: Path, rows: list[tuple[object, ...]], state: dict[str, object] | None = None) -> None:
    """The results of the checks across reports, as this version declares their columns (replaced whole), and
    what they were computed from (`state`, yusuan.publish.across)."""
    from yusuan.checks.results import RESULT_COLUMNS
    from yusuan.warehouse import insert_rows

    declared = schema_columns("budget.check_results")  # as this version declares them (the file may predate it)
    tmp = folder / f".{ACROSS_PART}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    mem = duckdb.connect()
    try:
        mem.execute("CREATE SCHEMA budget")
        mem.execute("CREATE TABLE budget.check_results (" + ", ".join(f'"{c}" {t}' for c, t in declared) + ")")
        insert_rows(mem, "budget.check_results", RESULT_COLUMNS, rows)
        mem.execute(f"COPY budget.check_results TO '{sql_path(tmp / 'budget.check_results.parquet')}' "
                    "(FORMAT parquet)")
    finally:
        mem.close()
    if state is not None:
        (tmp / ACROSS_STATE).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    write_checksums(tmp)
    _take_name(folder, tmp, part_dir(folder, ACROSS_PART))
