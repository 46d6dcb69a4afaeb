"""Extracted stage: every table of the report as cells, its identity and its narrative.

`extracted_cells` parses the PDF (no database lock held, so reports parse in parallel) and
stages the result as Parquet; `line_items` loads it into the warehouse in one transaction.
"""


from collections import Counter
from collections.abc import Iterator
from typing import Any

import dagster as dg

from assets.checks import check_results, check_specs, not_evaluated
from assets.partitions import reports_partitions
from assets.raw import raw_reports
from pipelines.resources import YusuanConfig
from yusuan import warehouse
from yusuan.checks.results import blocking_failures
from yusuan.checks.suites import FamilyResult, check_stage
from yusuan.extract import empty_extraction, extract_report, verdict
from yusuan.store import stored_file


@dg.asset(
    partitions_def=reports_partitions,
    group_name="extracted",
    kinds={"pdf", "parquet"},
    deps=[raw_reports],
    description="Tables (by title and header), cells with exact amounts, report identity and narrative, "
                "staged as Parquet under data/staging/<report>/.",
)
def extracted_cells(context: dg.AssetExecutionContext, yusuan: YusuanConfig) -> dg.MaterializeResult:  # type: ignore[type-arg]
    report_id = context.partition_key
    stored = stored_file(yusuan.store_dir(), report_id)
    try:
        extraction = extract_report(stored.path)
        status, reason = verdict(extraction)
    except Exception as e:  # a file pdfium opened but pdfplumber cannot parse: record, never crash the batch
        context.log.warning(f"{stored.file_name} [{report_id}] extraction failed: {type(e).__name__}: {e}")
        extraction = empty_extraction()
        status, reason = "rejected", f"the PDF could not be parsed: {type(e).__name__}: {str(e)[:200]}"
    staged = warehouse.stage_extraction(report_id, extraction, yusuan.staging_dir(), verdict=(status, reason))
    types = Counter(t.table_type or "unrecognised" for t in extraction.tables)
    ident = extraction.identity
    context.log.info(f"{stored.file_name} [{report_id}] extracted: {len(extraction.tables)} tables, "
                     f"{sum(1 for c in extraction.cells if c.kind == 'money')} amounts -> {status}"
                     + (f" ({reason})" if reason else ""))
    return dg.MaterializeResult(metadata={
        "file": stored.file_name,
        "department": ident.department or "",
        "fiscal_year": ident.fiscal_year or 0,
        "report_kind": ident.report_kind or "",
        "money_unit": ident.money_unit or "",
        "tables_found": len(extraction.tables),
        "amount_cells": sum(1 for c in extraction.cells if c.kind == "money"),
        "text_cells": sum(1 for c in extraction.cells if c.kind == "text"),
        "table_types": dg.MetadataValue.json(dict(types)),
        "verdict": status,
        "reason": reason or "",
        "problems": dg.MetadataValue.json(extraction.problems[:50]),
        "staged": dg.MetadataValue.path(str(staged)),
    })


@dg.asset(
    partitions_def=reports_partitions,
    group_name="extracted",
    kinds={"duckdb"},
    pool="duckdb_write",
    deps=[extracted_cells],
    check_specs=check_specs("line_items", "extracted"),
    description="budget.line_items (one row per numeric cell) and extracted.* for the report, and its status "
                "in budget.reports; the identities inside each table are checked here (GX suite "
                "expectations/extracted_suite.json). A rejected report fails here with its reason.",
)
def line_items(context: dg.AssetExecutionContext, yusuan: YusuanConfig) -> Iterator[Any]:  # type: ignore[type-arg]
    report_id = context.partition_key
    stored = stored_file(yusuan.store_dir(), report_id)
    staged = yusuan.staging_dir() / report_id
    meta = warehouse.read_staged_report(staged)
    status, reason = meta["verdict"]
    families: list[FamilyResult] = []
    broken: list[Any] = []
    # a loadable report stays 'registered' until conformed_facts promotes or quarantines it, so a run
    # killed in between never leaves a half-loaded report counted as loaded
    recorded = "registered" if status == "loaded" else status
    with yusuan.connect() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            counts = warehouse.load_report(con, report_id, staged, status=recorded, reason=reason, in_transaction=True)
            if status == "loaded":
                sha = con.execute("SELECT sha256 FROM budget.reports WHERE report_id = ?", [report_id]).fetchone()
                results, families = check_stage(con, report_id, sha[0] if sha else "", "extracted",
                                                yusuan.expectations_dir())
                broken = blocking_failures(results)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        preview = con.execute(
            "SELECT row_name, column_name, amount, unit FROM budget.line_items WHERE report_id = ? "
            "AND table_type = 'summary' ORDER BY row_seq, column_seq LIMIT 12", [report_id]).fetchall()
    if status != "loaded":
        yusuan.publish()  # the report is final: rejected or unsupported
    outcome = f"{len(broken)} identities broken" if broken else "identities hold" if families else status
    context.log.info(f"{stored.file_name} [{report_id}] line_items: {counts['line_items']} rows, {outcome}"
                     + (f" ({reason})" if reason else ""))
    metadata = {"file": stored.file_name, "status": status, "reason": reason or "",
                "tables_found": counts["tables"], "line_items": counts["line_items"],
                "checks_passed": sum(1 for f in families if f.success),
                "checks_failed": sum(1 for f in families if not f.success),
                "summary_preview": dg.MetadataValue.md(_preview_md(preview))}
    if status == "rejected":
        raise dg.Failure(description=f"{stored.file_name}: rejected: {reason}", metadata=metadata,
                         allow_retries=False)
    yield dg.MaterializeResult(metadata=metadata)
    if families:
        yield from check_results("line_items", families)
    else:
        yield from not_evaluated("line_items", "extracted", f"report {status}: {reason}")


def _preview_md(rows: list[tuple[object, ...]]) -> str:
    if not rows:
        return "(no summary table)"
    lines = ["| row | column | amount | unit |", "|---|---|---|---|"]
    lines += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |" for r in rows]
    return "\n".join(lines)
