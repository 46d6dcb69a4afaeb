"""Conformed stage: the report's star-schema facts, the identities across tables, the verdict.

After this asset a report is `loaded` (visible in the analyst views) or `quarantined` (an
error-severity identity broke beyond rounding and is not waived), and it is published; narrative
disagreements are warnings and never quarantine.
"""

from collections.abc import Iterator
from typing import Any

import dagster as dg

from assets.checks import check_results, check_specs, not_evaluated, status_check_spec, status_result
from assets.extracted import line_items
from assets.partitions import reports_partitions, staged_department
from pipelines.resources import YusuanConfig
from yusuan.locks import report_lock
from yusuan.stages import Settings, conform_stage, exported, release


def review_link(settings: Settings, report_id: str) -> dict[str, Any]:
    """The report's review page (its findings beside crops of the pages), where the run wrote one."""
    page = settings.review_page(report_id)
    return {"review_page": dg.MetadataValue.path(str(page))} if page.exists() else {}


@dg.asset(
    partitions_def=reports_partitions,
    group_name="conformed",
    kinds={"duckdb"},
    pool="duckdb_write",
    deps=[line_items],
    check_specs=[*check_specs("conformed_facts", "conformed", reports_partitions),
                 status_check_spec(reports_partitions)],
    description="The conformed facts (schema conformed, analyst views in budget) of the report; identities "
                "across tables, stage preservation and narrative claims checked (GX suite "
                "expectations/conformed_suite.json); the report promoted (loaded) or quarantined, and published. "
                "`report_is_loaded` fails on the partition of a report that is not loaded, with the reason.",
)
def conformed_facts(context: dg.AssetExecutionContext, yusuan: YusuanConfig) -> Iterator[Any]:  # type: ignore[type-arg]
    settings = yusuan.settings()
    report_id = context.partition_key
    with report_lock(settings.staging_dir, report_id, on_wait=context.log.warning):
        result, families, _ = conform_stage(settings, report_id)
        if families:
            out = exported(settings, report_id)
            published = yusuan.publish({report_id: out} if out else {})
            release(settings, report_id)
    about = {"file": result.file_name, "department": staged_department(settings, report_id),
             "status": result.status, "reason": result.reason or ""}
    review = review_link(settings, report_id)
    if not families:
        context.log.info(f"{result.file_name} [{report_id}] conformed: skipped ({result.status})")
        yield dg.MaterializeResult(metadata={**result.metadata, **about, **review})
        yield from not_evaluated("conformed_facts", "conformed", f"report {result.status}")
        yield status_result(report_id, about, review)
        return
    context.log.info(f"{result.file_name} [{report_id}] conformed: {result.status}, "
                     f"{result.metadata['conformed_amounts']} amounts" + (f" ({result.reason})" if result.reason else ""))
    yield dg.MaterializeResult(metadata={**result.metadata, **about, **review,
                                         "published_part": published.part or "",
                                         "publish_seconds": round(published.seconds, 3)})
    yield from check_results("conformed_facts", families)
    yield status_result(report_id, about, review)

