"""A report's writes into its own database: the staged extraction, its rows, its status.

A report's extraction is staged as Parquet; `load_report` moves it into the report's database in a
single transaction, deleting the report's previous rows first, so loading twice changes nothing.
The tables themselves are declared in yusuan/schema.py.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from yusuan import schema
from yusuan.identify import body_key
from yusuan.model import Extraction, Registration
from yusuan.money import to_yuan
from yusuan.status import Status


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        ensure_schema(con)
    return con


def create_database(path: Path) -> duckdb.DuckDBPyConnection:
    """A new database with the whole schema: a copy of a template made once per schema version
    (creating the schema statement by statement costs a tenth of a second per report)."""
    path = Path(path)
    template = path.parent.parent / f".schema-{schema.version()}.duckdb"
    if not template.exists():
        tmp = template.with_name(f"{template.name}.{os.getpid()}.tmp")
        con = duckdb.connect(str(tmp))
        ensure_schema(con)
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, template)
    shutil.copyfile(template, path)
    return duckdb.connect(str(path))


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The current schema (yusuan.schema), applied to the database."""
    schema.ensure_schema(con)


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, names: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert many rows at once. They travel as JSON lines, exact amounts as their decimal text, typed by
    the table's own columns (DuckDB's row-by-row INSERT costs as much as parsing the report)."""
    if not rows:
        return
    schema, _, name = table.rpartition(".")
    declared = dict(con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ?", [schema or "main", name]).fetchall())
    types = ", ".join(f"'{n}': '{declared[n]}'" for n in names)
    fd, tmp = tempfile.mkstemp(suffix=".jsonl", prefix="yusuan-rows-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False, default=_json_value))
                f.write("\n")
        cols = ", ".join(f'"{n}"' for n in names)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM read_json(?, format = 'newline_delimited', "
                    f"columns = {{{types}}})", [tmp])
    finally:
        os.unlink(tmp)


def _json_value(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")  # never 1E+2: the exact digits
    return str(value)


def _write_parquet(mem: duckdb.DuckDBPyConnection, path: Path, table: str, rows: list[tuple[Any, ...]]) -> None:
    """The rows of one report for `table` (extracted.tables …), with the table's own columns, in a Parquet file
    (`mem`: an in-memory connection the caller closes)."""
    declared = schema.columns(table)
    name = table.replace(".", "_")
    mem.execute(f"CREATE TABLE {name} (" + ", ".join(f'"{c}" {t}' for c, t in declared) + ")")
    insert_rows(mem, name, [c for c, _ in declared], rows)
    mem.execute(f"COPY {name} TO ? (FORMAT parquet)", [str(path)])


def stage_extraction(report_id: str, extraction: Extraction, target: Path,
                     verdict: tuple[str, str | None] = (Status.LOADABLE, None)) -> Path:
    """Write one report's extraction to Parquet files in the folder `target` (replaced whole)."""
    final = Path(target)
    out = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    tables = [(report_id, t.seq, t.table_type, t.table_no, t.title, min(t.pages), max(t.pages), t.unit,
               t.header, t.empty, t.note, t.row_count, len(t.cells), t.confirmation, t.confirmation_reason, t.reading)
              for t in extraction.tables]
    cells = [(report_id, c.table_seq, c.row_seq, c.page, c.row_code, c.row_name, c.row_kind, c.column_name,
              c.column_seq, c.raw_text, c.kind, c.amount, c.unit, c.parse_error, c.block, c.row_level, *_box(c.box))
             for c in extraction.cells]
    narrative = [(report_id, p.page, p.text, [list(b) for b in p.line_boxes]) for p in extraction.narrative]
    claims = [(report_id, c.seq, c.page, c.sentence, c.subject, c.kind, c.value, c.unit, c.raw, c.base_seq,
               c.period, c.section, c.item, c.code, *_box(c.box)) for c in extraction.claims]
    mem = duckdb.connect()
    try:
        _write_parquet(mem, out / "tables.parquet", "extracted.tables", tables)
        _write_parquet(mem, out / "cells.parquet", "extracted.cells", cells)
        _write_parquet(mem, out / "narrative.parquet", "extracted.narrative", narrative)
        _write_parquet(mem, out / "claims.parquet", "extracted.claims", claims)
    finally:
        mem.close()
    identity = asdict(extraction.identity)
    identity["unit_codes"] = list(identity["unit_codes"])
    (out / "report.json").write_text(json.dumps(
        {"identity": identity, "verdict": list(verdict), "problems": extraction.problems,
         "missing_tables": extraction.missing_tables},
        ensure_ascii=False, indent=1), encoding="utf-8")
    # publish the staged report whole: a reader never sees half of it
    shutil.rmtree(final, ignore_errors=True)
    os.replace(out, final)
    return final


def _box(box: tuple[float, float, float, float] | None) -> tuple[float | None, ...]:
    """x0, top, x1, bottom as measured (None where nothing was measured)."""
    return tuple(box) if box else (None, None, None, None)


def read_staged_report(staged: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((Path(staged) / "report.json").read_text(encoding="utf-8"))
    return data


def record_registration(con: duckdb.DuckDBPyConnection, reg: Registration, *, status: str,
                        reason: str | None, first_ingested: datetime | None = None) -> None:
    """Insert or replace the report's row with what the raw stage knows. `first_ingested` is the
    ingestion time of the report's published version, kept so that re-ingesting changes nothing."""
    now = first_ingested or datetime.now(UTC).replace(tzinfo=None)
    con.execute("BEGIN TRANSACTION")
    try:
        # the first ingestion time is kept, so re-ingesting the same file changes nothing
        first = con.execute("SELECT ingested_at FROM budget.reports WHERE report_id = ?", [reg.report_id]).fetchone()
        if first is not None:
            now = first[0]
        con.execute("DELETE FROM budget.reports WHERE report_id = ?", [reg.report_id])
        con.execute(
            "INSERT INTO budget.reports (report_id, file_name, sha256, size_bytes, pages, producer, encrypted, "
            "has_text_layer, status, status_reason, ingested_at, published_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [reg.report_id, reg.file_name, reg.sha256, reg.size_bytes, reg.pages, reg.producer, reg.encrypted,
             reg.has_text_layer, status, reason, now, reg.published_at])
        con.execute("COMMIT")
    except Exception:
        schema.rollback_quietly(con)
        raise


def delete_report_rows(con: duckdb.DuckDBPyConnection, report_id: str, *, keep_report_row: bool) -> None:
    from yusuan.conform import delete_conformed

    delete_conformed(con, report_id)
    for table in ("budget.check_results", "budget.line_items", "extracted.cells", "extracted.tables",
                  "extracted.narrative", "extracted.claims"):
        con.execute(f"DELETE FROM {table} WHERE report_id = ?", [report_id])
    if not keep_report_row:
        con.execute("DELETE FROM budget.reports WHERE report_id = ?", [report_id])


def load_report(con: duckdb.DuckDBPyConnection, report_id: str, staged: Path, *, status: str,
                reason: str | None, in_transaction: bool = False) -> dict[str, int]:
    """Replace the report's rows with its staged extraction, in one transaction
    (the caller's, when `in_transaction`)."""
    staged = Path(staged)
    meta = read_staged_report(staged)
    ident = meta["identity"]
    if not in_transaction:
        con.execute("BEGIN TRANSACTION")
    try:
        delete_report_rows(con, report_id, keep_report_row=True)
        con.execute("INSERT INTO extracted.tables BY NAME SELECT * FROM read_parquet(?)", [str(staged / "tables.parquet")])
        con.execute("INSERT INTO extracted.cells BY NAME SELECT * FROM read_parquet(?)", [str(staged / "cells.parquet")])
        con.execute("INSERT INTO extracted.narrative BY NAME SELECT * FROM read_parquet(?)",
                    [str(staged / "narrative.parquet")])
        con.execute("INSERT INTO extracted.claims BY NAME SELECT * FROM read_parquet(?)", [str(staged / "claims.parquet")])
        if status not in (Status.REJECTED, Status.UNSUPPORTED):  # never load an unsupported kind as a budget
            con.execute("""
                INSERT INTO budget.line_items
                SELECT c.report_id, t.table_type, t.table_no, c.table_seq, c.page, c.row_seq, c.row_code,
                       c.row_name, c.row_kind, c.column_name, c.column_seq, c.raw_text, c.amount, c.unit,
                       c.amount * CASE c.unit WHEN '元' THEN 1 WHEN '千元' THEN 1000 WHEN '万元' THEN 10000
                                              WHEN '亿元' THEN 100000000 END,
                       c.parse_error, c.row_level, c.x0, c.top, c.x1, c.bottom
                FROM extracted.cells c JOIN extracted.tables t USING (report_id, table_seq)
                WHERE c.report_id = ? AND c.kind = 'money'""", [report_id])
        counts = con.execute(
            "SELECT (SELECT count(*) FROM extracted.tables WHERE report_id = ?),"
            "       (SELECT count(*) FROM budget.line_items WHERE report_id = ?)", [report_id, report_id]).fetchone()
        assert counts is not None
        con.execute("""
            UPDATE budget.reports SET department = ?, unit_code = ?, unit_codes = ?, fiscal_year = ?,
                   report_kind = ?, report_title = ?, money_unit = ?, status = ?, status_reason = ?,
                   tables_found = ?, cells = ?, body_key = ?
            WHERE report_id = ?""",
                    [ident["department"], ident["department_code"], ident["unit_codes"], ident["fiscal_year"],
                     ident["report_kind"], ident["title"], ident["money_unit"], status, reason,
                     counts[0], counts[1], body_key(ident["department"], ident["report_kind"]), report_id])
        if not in_transaction:
            con.execute("COMMIT")
    except Exception:
        if not in_transaction:
            schema.rollback_quietly(con)
        raise
    return {"tables": int(counts[0]), "line_items": int(counts[1])}


def set_status(con: duckdb.DuckDBPyConnection, report_id: str, status: str, reason: str | None) -> None:
    con.execute("UPDATE budget.reports SET status = ?, status_reason = ? WHERE report_id = ?",
                [status, reason, report_id])


def yuan(amount: Any, unit: str | None) -> Any:
    """Exposed for tests: the same conversion the SQL above does."""
    return to_yuan(amount, unit)


def remove_report(con: duckdb.DuckDBPyConnection, report_id: str) -> None:
    """Delete every row of a report from every stage, in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        delete_report_rows(con, report_id, keep_report_row=False)
        con.execute("COMMIT")
    except Exception:
        schema.rollback_quietly(con)
        raise
