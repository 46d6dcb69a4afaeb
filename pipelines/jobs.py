"""The jobs.

- `ingest_batch_job`: a batch of reports in one run. The multiprocess executor runs one step per report
  on every core (its processes are forked from a server that has already imported the pipeline and GX),
  each step takes its report through every stage, and one `publish_batch` step, in the `duckdb_write`
  pool, makes the batch visible to analysts at once. `yusuan ingest`, the inbox sensor and the nightly
  schedule all run this job.
- `ingest_job`: the assets of one report (one partition of `reports`), in-process: what the UI's
  "Materialize" runs on a partition.
"""

from typing import Any

import dagster as dg

from pipelines.resources import YusuanConfig
from yusuan.report import FINAL, check_report_id, exported, process_report, release

ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.groups("raw", "extracted", "conformed"),
    executor_def=dg.in_process_executor,
    description="Register, extract and load one report (one partition of `reports`).",
)

# what the step processes import once, before any report is forked off
PRELOAD = ["pipelines.definitions", "yusuan.extract", "yusuan.checks.rules", "yusuan.checks.suites",
           "great_expectations", "pandas"]

batch_executor = dg.multiprocess_executor.configured(
    {"start_method": {"forkserver": {"preload_modules": PRELOAD}}}, name="batch_multiprocess")


class BatchConfig(dg.Config):
    reports: list[str]


@dg.op(out=dg.DynamicOut(str), description="The reports of the batch, one mapped step each.")
def batch_reports(config: BatchConfig) -> Any:
    for report_id in dict.fromkeys(config.reports):
        yield dg.DynamicOutput(check_report_id(report_id), mapping_key=report_id)


STAGE_ASSETS = {"raw": "raw_reports", "extracted": "extracted_cells", "line_items": "line_items",
                "conformed": "conformed_facts"}


@dg.op(description="One report through every stage (parsing in a child within the limits); never fails for "
                   "a bad report: its status and reason are the result.")
def ingest_report(context: dg.OpExecutionContext, yusuan: YusuanConfig, report_id: str) -> dict[str, Any]:  # type: ignore[type-arg]
    from assets.checks import check_results
    from yusuan.publish import first_ingested

    settings = yusuan.settings()
    run = process_report(settings, report_id, first_ingested=first_ingested(settings.warehouse, report_id))
    for stage, result in zip(STAGE_ASSETS, run.stages, strict=False):
        if result.status == "rejected" and stage in ("raw", "line_items"):
            continue  # nothing materialized: the report stopped here
        meta = {k: v for k, v in result.metadata.items() if k != "summary_preview"}
        for key in ("table_types", "problems"):
            if key in meta:
                meta[key] = dg.MetadataValue.json(meta[key])
        context.log_event(dg.AssetMaterialization(STAGE_ASSETS[stage], partition=report_id, metadata=meta))
    for stage, asset in (("extracted", "line_items"), ("conformed", "conformed_facts")):
        for check in check_results(asset, run.families.get(stage) or []):
            context.log_event(dg.AssetCheckEvaluation(
                asset_key=dg.AssetKey(asset), check_name=check.check_name or "", passed=bool(check.passed),
                severity=check.severity, metadata=check.metadata, partition=report_id))
    line = f"{run.file_name} [{report_id}]: {run.status}" + (f" ({run.reason})" if run.reason else "")
    (context.log.info if run.status in ("loaded", "unsupported") else context.log.warning)(line)
    return {"report_id": report_id, "file": run.file_name, "status": run.status, "reason": run.reason}


@dg.op(pool="duckdb_write", description="Publish the batch's final reports in one step (a new part and manifest).")
def publish_batch(context: dg.OpExecutionContext, yusuan: YusuanConfig,  # type: ignore[type-arg]
                  runs: list[dict[str, Any]]) -> dict[str, Any]:
    settings = yusuan.settings()
    ready = {}
    for r in runs:
        out = exported(settings, r["report_id"]) if r["status"] in FINAL else None
        if out is not None:
            ready[r["report_id"]] = out
    published = yusuan.publish(ready)
    for report_id in ready:
        release(settings, report_id)
    counts: dict[str, int] = {}
    for r in runs:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    context.log.info(f"published {published.added} reports in {published.seconds:.2f} s "
                     f"({published.reports} in the warehouse): {counts}")
    return {"part": published.part, "published": published.added, "seconds": published.seconds,
            "reports": published.reports, "counts": counts}


@dg.job(executor_def=batch_executor, description="Ingest a batch of reports: one step per report on every core, "
                                                 "then one publish.")
def ingest_batch_job() -> None:
    publish_batch(batch_reports().map(ingest_report).collect())
