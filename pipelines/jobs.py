"""The jobs.

- `ingest_batch_job`: a batch of reports in one run. One step a core, which the multiprocess executor
  runs on every core (its processes are forked from a server that has already imported the pipeline
  and GX); each step takes the next report nobody has taken yet, largest first (a claim file per
  report and run), through every stage, so that the cores finish together; one `publish_batch` step,
  in the `duckdb_write` pool, makes the batch visible to analysts at once. `yusuan ingest`, the inbox
  sensor and the nightly schedule all run this job.
- `ingest_job`: the assets of one report (one partition of `reports`), in-process: what the UI's
  "Materialize" runs on a partition.
"""

import contextlib
import os
import shutil
import time
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines.resources import YusuanConfig
from yusuan.report_id import check_report_id
from yusuan.stages import REMOVED_WHILE_WAITING, ReportRun, StageResult, process_report, publish_reports
from yusuan.status import FINAL, Status

ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.groups("raw", "extracted", "conformed"),
    executor_def=dg.in_process_executor,
    description="Register, extract and load one report (one partition of `reports`).",
)

# what the step processes import once, before any report is forked off: the pipeline, GX, and the instance's
# storage, which each step process would otherwise import for itself before it starts (the forkserver skips a
# module it cannot import)
PRELOAD = ["pipelines.definitions", "yusuan.extract", "yusuan.checks.stage", "yusuan.checks.rules",
           "great_expectations", "pandas", "dagster._core.storage.base_storage",
           "dagster._core.storage.sqlite_storage", "dagster._core.storage.defs_state.blob_storage_state_storage",
           "upath"]

# a batch of several reports runs its steps on every core (processes forked from a server that has imported the
# pipeline once); a batch of one report has nothing to share out, and runs in the process that launched it
batch_executor = dg.multi_or_in_process_executor


def execution_config(reports: int) -> dict[str, Any]:
    """The executor's config for a batch of `reports` reports (the run config's `execution`)."""
    if reports <= 1:
        return {"config": {"in_process": {}}}
    return {"config": {"multiprocess": {"start_method": {"forkserver": {"preload_modules": PRELOAD}}}}}


class BatchConfig(dg.Config):
    reports: list[str]
    # how many steps take the reports (0: one a core)
    steps: int = 0


def largest_first(sizes: dict[str, int]) -> list[str]:
    """The reports (id -> pages) in the order the steps take them: the longest work first, so that no core
    is left with a long report at the end while the other waits."""
    return sorted(sizes, key=lambda r: (-sizes[r], r))


def claim(folder: Path, report_id: str) -> bool:
    """True for the one step of a run that takes the report (the first to create its claim file)."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(folder / report_id, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except FileExistsError:
        return False
    return True


def claims_dir(settings: Any, run_id: str) -> Path:
    return Path(settings.staging_dir) / "claims" / run_id


def _forget_old_claims(folder: Path, days: float = 7) -> None:
    """The claims of runs killed before their publish step (which removes a run's own), after a week."""
    if not folder.is_dir():
        return
    for old in folder.iterdir():
        with contextlib.suppress(OSError):
            if time.time() - old.stat().st_mtime > days * 86400:
                shutil.rmtree(old, ignore_errors=True)


def _pages(paths: list[Path]) -> list[int]:
    import pypdfium2 as pdfium

    out = []
    for path in paths:
        try:
            doc = pdfium.PdfDocument(str(path))
        except Exception:  # unreadable: rejected at once by its raw stage
            out.append(1)
            continue
        out.append(max(1, len(doc)))
        doc.close()
    return out


@dg.op(out=dg.DynamicOut(list), description="The reports of the batch, largest first, for one step a core to take "
                                            "one at a time.")
def batch_reports(config: BatchConfig, yusuan: YusuanConfig) -> Any:  # type: ignore[type-arg]
    from yusuan.sandbox import LimitExceeded, run_limited

    settings = yusuan.settings()
    ids = [check_report_id(r) for r in dict.fromkeys(config.reports)]
    paths = [settings.store_dir / f"{r}.pdf" for r in ids]
    try:  # the page count is the measure of the work (counted in a child: the files are not trusted yet)
        pages = run_limited(_pages, paths, limits=settings.limits)
    except (LimitExceeded, RuntimeError):
        pages = [p.stat().st_size // 50_000 + 1 if p.exists() else 1 for p in paths]
    order = largest_first(dict(zip(ids, pages, strict=True)))
    _forget_old_claims(settings.staging_dir / "claims")
    for i in range(max(1, min(config.steps or os.cpu_count() or 1, len(order)))):
        yield dg.DynamicOutput(order, mapping_key=f"share_{i}")


def requested_at(context: dg.OpExecutionContext) -> float | None:
    """When the run was asked for (its creation): a report removed after it is not run or published again."""
    record = context.instance.get_run_record_by_id(context.run_id)
    return record.create_timestamp.timestamp() if record is not None else None


STAGE_ASSETS = {"raw": "raw_reports", "extracted": "extracted_cells", "line_items": "line_items",
                "conformed": "conformed_facts"}


def report_about(run: ReportRun) -> dict[str, str]:
    """What the UI says of a report wherever it shows its partition (a hash): its file, its department (once
    extracted), and what became of it (its final status and reason)."""
    department = next((str(s.metadata["department"]) for s in run.stages if s.metadata.get("department")), "")
    return {"file": run.file_name, "department": department, "status": str(run.status), "reason": run.reason or ""}


def stage_metadata(result: StageResult, about: dict[str, str]) -> dict[str, Any]:
    """A stage's materialization metadata: its own figures, and the report's final status and reason (a stage
    that ended well says so in `stage_status`; `status` is what became of the report)."""
    meta = {k: v for k, v in result.metadata.items() if k != "summary_preview"}
    if "status" in meta and "verdict" not in meta:  # the load stage's status is the extraction's verdict
        meta["verdict"] = meta["status"]
    for key in ("table_types", "problems"):
        if key in meta:
            meta[key] = dg.MetadataValue.json(meta[key])
    if result.reason and result.reason != about["reason"]:
        meta["stage_reason"] = result.reason
    return {**meta, **about, "stage_status": result.status}


def files_tag(names: list[str], limit: int = 5) -> str:
    """The files of a batch, for a run tag (the first few, and how many more)."""
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


@dg.op(out=dg.Out(list), description="Reports through every stage, one after another (parsing in a child within "
                                     "the limits); never fails for a bad report: its status and reason are the result.")
def ingest_reports(context: dg.OpExecutionContext, yusuan: YusuanConfig,  # type: ignore[type-arg]
                   report_ids: list[str]) -> Any:
    from yusuan.publish import first_ingested_of

    settings = yusuan.settings()
    done: list[dict[str, Any]] = []
    requested = requested_at(context)
    first = first_ingested_of(settings.warehouse, report_ids)  # kept by a report published before
    pending: list[ReportRun] = []
    claims = claims_dir(settings, context.run_id)
    since = time.monotonic()
    for report_id in report_ids:
        if not claim(claims, report_id):
            continue  # another step of this run has it
        run = process_report(settings, report_id, first_ingested=first.get(report_id),
                             requested_at=requested, on_wait=context.log.warning, validate=False)
        line = f"{run.file_name} [{report_id}]: {run.status}" + (f" ({run.reason})" if run.reason else "")
        (context.log.info if run.status in (Status.LOADED, Status.UNSUPPORTED) else context.log.warning)(line)
        pending.append(run)
        if len(pending) >= VALIDATE_EVERY or time.monotonic() - since >= VALIDATE_SECONDS:
            yield from _report_runs(context, settings, pending, done)
            pending, since = [], time.monotonic()
    yield from _report_runs(context, settings, pending, done)
    yield dg.Output(done)


# GX validates the identity instances of this many reports at once (its set-up is paid once for them), or of the
# reports done in this many seconds if fewer: their materializations and checks reach the UI together
VALIDATE_EVERY = 16
VALIDATE_SECONDS = 60.0


def _report_runs(context: dg.OpExecutionContext, settings: Any, runs: list[ReportRun],
                 done: list[dict[str, Any]]) -> Any:
    """Validate the runs' instances with GX (one validation a stage), then tell Dagster what became of each
    report: its stages' materializations, its checks, its status check, an observation of its outcome."""
    from assets.checks import check_results, evaluation_of, latest_materializations, status_evaluation
    from assets.conformed import review_link
    from yusuan.stages import validate_runs

    validate_runs(settings, runs)
    reviews = {run.report_id: review_link(settings, run.report_id) for run in runs}
    for run in runs:
        for stage, result in zip(STAGE_ASSETS, run.stages, strict=False):
            if result.status == Status.REJECTED and stage in ("raw", "line_items"):
                continue  # nothing materialized: the report stopped here
            meta = stage_metadata(result, report_about(run))
            if result is run.stages[-1]:  # where the report ended: its review page
                meta.update(reviews[run.report_id])
            context.log_event(dg.AssetMaterialization(STAGE_ASSETS[stage], partition=run.report_id, metadata=meta))
    # each check judges its partition's latest materialization: those just logged, looked up once for the runs
    ids = [run.report_id for run in runs]
    targets = {asset: latest_materializations(context.instance, asset, ids) for asset in ("line_items", "conformed_facts")}
    for run in runs:
        report_id = run.report_id
        about = report_about(run)
        for stage, asset in (("extracted", "line_items"), ("conformed", "conformed_facts")):
            for check in check_results(asset, run.families.get(stage) or []):
                context.log_event(evaluation_of(check, report_id, targets[asset].get(report_id)))
        if run.reason != REMOVED_WHILE_WAITING:  # a removed report has no partition left to show it on
            context.log_event(status_evaluation(report_id, about, reviews[report_id],
                                                targets["conformed_facts"].get(report_id)))
        # the report's outcome, as an observation of its raw asset: what the progress of a batch counts
        yield dg.AssetObservation("raw_reports", partition=report_id, metadata=about)
        done.append({"report_id": report_id, **about, "reason": run.reason, "seconds": run.seconds})


@dg.op(pool="duckdb_write", description="Publish the batch's final reports in one step (a new part and manifest).")
def publish_batch(context: dg.OpExecutionContext, yusuan: YusuanConfig,  # type: ignore[type-arg]
                  shares: list[list[dict[str, Any]]]) -> dict[str, Any]:
    settings = yusuan.settings()
    shutil.rmtree(claims_dir(settings, context.run_id), ignore_errors=True)  # every step has ended
    runs = [r for share in shares for r in share]
    final = [r["report_id"] for r in runs if r["status"] in FINAL]
    published = publish_reports(settings, final, yusuan.publish,
                                requested_at=requested_at(context), warn=context.log.warning)
    # the checks across reports ran again over the new published state: shown on their asset
    from assets.across import across_metadata
    from assets.checks import batch_summary, latest_materialization, published_summary, status_counts
    from yusuan.checks.suites import across_families

    found = list(published.across)
    context.log_event(dg.AssetMaterialization(asset_key="across_reports", metadata={
        **across_metadata(found), **batch_summary(runs), **published_summary(yusuan.published_reports())}))
    target = latest_materialization(context.instance, "across_reports", None)
    for f in across_families(settings.expectations, found):
        context.log_event(dg.AssetCheckEvaluation(
            asset_key=dg.AssetKey("across_reports"), check_name=f.check_name, passed=f.success,
            severity=dg.AssetCheckSeverity.WARN, metadata={"evaluated": f.evaluated, "failed": len(f.failing),
                                                           "failing_instances": dg.MetadataValue.json(f.failing[:50])},
            target_materialization_data=target))
    counts = status_counts(runs)
    context.log.info(f"published {published.added} reports in {published.seconds:.2f} s "
                     f"({published.reports} in the warehouse): {counts}")
    for r in runs:
        if r["status"] != Status.LOADED:
            context.log.warning(f"{r['file']} [{r['report_id']}] ({r['department'] or 'department not read'}): "
                                f"{r['status']}" + (f": {r['reason']}" if r["reason"] else ""))
    # the outcome on the run itself: the runs list shows what became of each batch
    context.instance.add_run_tags(context.run_id, {
        "yusuan/outcome": ", ".join(f"{n} {s}" for s, n in counts.items()),
        **({"yusuan/department": runs[0]["department"]} if len(runs) == 1 and runs[0]["department"] else {})})
    for note in published.after_commit:
        context.log.warning(f"published; then {note}")
    return {"part": published.part, "published": published.added, "seconds": published.seconds,
            "reports": published.reports, "counts": counts, "after_commit": list(published.after_commit)}


@dg.graph(description="Ingest a batch of reports: the reports shared out among steps, then one publish.")
def ingest_batch() -> None:
    publish_batch(batch_reports().map(ingest_reports).collect())


ingest_batch_job = ingest_batch.to_job(
    name="ingest_batch_job", executor_def=batch_executor,
    description="Ingest a batch of reports: steps on every core (multiprocess executor; one report in-process), "
                "then one publish.")
