"""The warehouse as files an analyst can take anywhere: one DuckDB file that older DuckDB versions read, and a
Parquet and a CSV file per table of schema `budget`, described by a Frictionless Data Package (datapackage.json:
fields, types and the descriptions of the data dictionary, and the date of the export).

What is exported is what analysts see: every table and view of schema `budget`, as tables (no view in the
exported file points at a file outside it).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from yusuan.publish.layout import sql_path
from yusuan.schema import STORAGE_VERSION

EXPORT_FILE = "yusuan_budget.duckdb"  # not budget.duckdb: its catalog would clash with the schema budget
PACKAGE_FILE = "datapackage.json"


@dataclass(frozen=True)
class Exported:
    """What an export wrote."""

    folder: Path
    tables: dict[str, int]  # table name (schema budget) -> rows
    created: str  # ISO 8601, UTC


def _field_type(duckdb_type: str) -> tuple[str, dict[str, str]]:
    """The Table Schema type of a DuckDB column type (and its format where the default would not read DuckDB's
    CSV)."""
    t = duckdb_type.upper()
    if t.startswith("DECIMAL") or t in ("DOUBLE", "FLOAT", "REAL"):
        return "number", {}
    if t in ("INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"):
        return "integer", {}
    if t == "BOOLEAN":
        return "boolean", {}
    if t.startswith("TIMESTAMP"):
        return "datetime", {"format": "any"}
    if t == "DATE":
        return "date", {}
    if t == "VARCHAR":
        return "string", {}
    return "any", {}  # lists and structs: their DuckDB text in the CSV, typed in the Parquet file


def export(warehouse: Path, out: Path) -> Exported:
    """Write the export of the warehouse into the folder `out` (replaced whole; written beside it first, so a
    failed export leaves the previous one)."""
    out = out.resolve()
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "data").mkdir(parents=True)
    created = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    con = duckdb.connect()  # the warehouse attached read-only, the export file attached to be written
    try:
        con.execute(f"ATTACH '{sql_path(Path(warehouse))}' AS src (READ_ONLY)")
        con.execute("USE src")
        relations = con.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = 'src' "
            "AND schema_name = 'budget' UNION ALL SELECT view_name, comment FROM duckdb_views() "
            "WHERE database_name = 'src' AND schema_name = 'budget' AND NOT internal "
            "ORDER BY 1").fetchall()
        con.execute(f"ATTACH '{sql_path(tmp / EXPORT_FILE)}' AS export (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute("CREATE SCHEMA export.budget")
        tables: dict[str, int] = {}
        resources = []
        for name, comment in relations:
            fields = con.execute(
                "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE database_name = 'src' "
                "AND schema_name = 'budget' AND table_name = ? ORDER BY column_index",
                [name]).fetchall()
            con.execute(f'CREATE TABLE export.budget."{name}" AS SELECT * FROM budget."{name}"')
            _comment(con, f'export.budget."{name}"', "TABLE", comment)
            for column, _, said in fields:
                _comment(con, f'export.budget."{name}"."{column}"', "COLUMN", said)
            parquet, csv = tmp / "data" / f"{name}.parquet", tmp / "data" / f"{name}.csv"
            con.execute(f"COPY budget.\"{name}\" TO '{sql_path(parquet)}' (FORMAT parquet)")
            con.execute(f"COPY budget.\"{name}\" TO '{sql_path(csv)}' (FORMAT csv, HEADER true)")
            count = con.execute(f'SELECT count(*) FROM budget."{name}"').fetchone()
            tables[name] = int(count[0]) if count else 0
            schema = {"fields": [{"name": column, "type": _field_type(kind)[0], **_field_type(kind)[1],
                                  "description": said or ""} for column, kind, said in fields]}
            resources.append({"name": name.replace("_", "-"), "title": f"budget.{name}", "path": f"data/{name}.csv",
                              "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                              "description": comment or "", "schema": schema,
                              "parquet": f"data/{name}.parquet"})
        con.execute("DETACH export")
    finally:
        con.close()
    package = {
        "profile": "data-package", "name": "yusuan-budget", "title": "Budget disclosures (预算/决算), as published",
        "description": "The analyst contract of a yusuan warehouse (schema budget): every figure of every loaded "
                       "report, exact, with its meaning, and every identity checked. Amounts are exact decimals; "
                       f"{EXPORT_FILE} holds the same tables for DuckDB {STORAGE_VERSION.lstrip('v')} and later.",
        "created": created, "resources": resources,
    }
    (tmp / PACKAGE_FILE).write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    old = out.with_name(f".{out.name}.{os.getpid()}.old")
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)
    return Exported(out, tables, created)


def _comment(con: duckdb.DuckDBPyConnection, target: str, kind: str, comment: str | None) -> None:
    if comment:
        con.execute(f"COMMENT ON {kind} {target} IS '{comment.replace(chr(39), chr(39) * 2)}'")
