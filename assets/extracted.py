"""Extracted stage: every table of the report as cells, its identity and its narrative.

`extracted_cells` parses the PDF in a child process within the limits and stages the result as
Parquet; `line_items` loads it into the report's database and checks the identities inside each table.
"""


from collections.abc import Iterator
from typing import Any

import dagster as dg

from assets.checks import check_results, check_specs, not_evaluated
from assets.partitions import reports_partitions, staged_department
from assets.raw import raw_reports
from pipelines.resources import YusuanConfig
from yusuan.locks import report_lock
from yusuan.stages import exported, extract_stage, load_stage, release
from yusuan.status import Status


@dg.asset(
    partitions_def=reports_partitions,
    group_name="extracted",
    kinds={"pdf", "parquet"},
    deps=[raw_reports],
    description="Tables (by title and header), cells with exact amounts, report identity and narrative, "
                "staged as Parquet under data/staging/<report>/extraction/.",
)
def extracted_cells(context: dg.AssetExecutionContext, yusuan: YusuanConfig) -> dg.MaterializeResult:  # type: ignore[type-arg]
    settings = yusuan.settings()
    report_id = context.partition_key
    with report_lock(settings.staging_dir, report_id, on_wait=context.log.warning):
        result = extract_stage(settings, report_id)
    meta = dict(result.metadata)
    context.log.info(f"{result.file_name} [{report_id}] extracted: {meta['tables_found']} tables, "
                     f"{meta['amount_cells']} amounts -> {meta['verdict']}" + (f" ({result.reason})" if result.reason else ""))
    for key in ("table_types", "problems"):
        meta[key] = dg.MetadataValue.json(meta.get(key) or {})
    meta["staged"] = dg.MetadataValue.path(str(settings.extraction_dir(report_id)))
    return dg.MaterializeResult(metadata=meta)


@dg.asset(
    partitions_def=reports_partitions,
    group_name="extracted",
    kinds={"duckdb"},
    deps=[extracted_cells],
    check_specs=check_specs("line_items", "extracted", reports_partitions),
    description="budget.line_items (one row per numeric cell) and extracted.* for the report, and its status "
                "in budget.reports; the identities inside each table are checked here (GX suite "
                "expectations/extracted_suite.json). A rejected report fails here with its reason.",
)
def line_items(context: dg.AssetExecutionContext, yusuan: YusuanConfig) -> Iterator[Any]:  # type: ignore[type-arg]
    settings = yusuan.settings()
    report_id = context.partition_key
    with report_lock(settings.staging_dir, report_id, on_wait=context.log.warning):
        result, families, _ = load_stage(settings, report_id)
        meta = dict(result.metadata)
        if result.final:  # rejected or unsupported: published as such
            out = exported(settings, report_id)
            yusuan.publish({report_id: out} if out else {})
            release(settings, report_id)
    broken = meta.pop("identities_broken")
    outcome = f"{broken} identities broken" if broken else "identities hold" if families else result.status
    context.log.info(f"{result.file_name} [{report_id}] line_items: {meta['line_items']} rows, {outcome}"
                     + (f" ({result.reason})" if result.reason else ""))
    meta["summary_preview"] = dg.MetadataValue.md(preview_md(meta["summary_preview"]))
    # `status` is the report's as recorded now (registered until the conformed stage decides); the extraction's
    # verdict is kept as such
    meta["verdict"] = meta.get("status", "")
    meta.update(status=result.status, department=staged_department(settings, report_id))
    if result.status == Status.REJECTED:
        raise dg.Failure(description=f"{result.file_name}: rejected: {result.reason}", metadata=meta,
                         allow_retries=False)
    yield dg.MaterializeResult(metadata=meta)
    if families:
        yield from check_results("line_items", families)
    else:
        yield from not_evaluated("line_items", "extracted", f"report {result.status}: {result.reason}")


def preview_md(rows: list[tuple[object, ...]]) -> str:
    if not rows:
        return "(no summary table)"
    lines = ["| row | column | amount | unit |", "|---|---|---|---|"]
    lines += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |" for r in rows]
    return "\n".join(lines)
