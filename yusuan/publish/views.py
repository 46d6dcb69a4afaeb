"""The analyst file: views over the parts in the parts folder, each row kept only where the manifest names its
part. The parts are found when a query runs, so a connection opened before a publish sees the reports it
published; a part no report points to any more is moved out of the folder at once (yusuan.publish.garbage),
so a damaged one is never read."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from yusuan.publish.layout import ACROSS_PART, MANIFEST, parts_dir, sql_glob
from yusuan.publish.parts import columns
from yusuan.schema import PUBLISHED_DERIVED, STORAGE_VERSION


def write_views(warehouse: Path, schema: duckdb.DuckDBPyConnection, tables: list[tuple[str, str]]) -> None:
    """Rebuild the analyst file: a view per stored table over the parts, then the analyst
    views, with every comment. A WAL left beside the old file by a crashed session is removed before the new
    file takes its name, so it can never be replayed against it."""
    folder = parts_dir(warehouse).resolve()
    manifest = sql_glob(folder, MANIFEST)
    tmp = warehouse.with_name(f".{warehouse.name}.{os.getpid()}.tmp")
    for leftover in (tmp, Path(f"{tmp}.wal")):
        leftover.unlink(missing_ok=True)
    # written in the oldest storage format that holds it, so the duckdb CLI analysts have (1.x) opens it
    out = duckdb.connect(str(tmp), config={"storage_compatibility_version": STORAGE_VERSION})
    try:
        for s in sorted({s for s, _ in tables}):
            out.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
        for s, t in tables:
            cols = columns(schema, s, t)
            derived = PUBLISHED_DERIVED.get((s, t), {})
            select = ", ".join(f'{derived[c]} AS "{c}"' if c in derived else f'CAST(t."{c}" AS {ty}) AS "{c}"'
                               for c, ty in cols)
            glob = sql_glob(folder, f"part=*/{s}.{t}.parquet")
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
