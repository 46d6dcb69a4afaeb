"""Raw stage: register each report's PDF (hash, size, pages, producer, encryption, text layer)."""


import dagster as dg

from assets.partitions import reports_partitions
from pipelines.resources import YusuanConfig
from yusuan.locks import report_lock
from yusuan.publish import first_ingested
from yusuan.stages import exported, register_stage, release
from yusuan.status import Status


@dg.asset(
    partitions_def=reports_partitions,
    group_name="raw",
    kinds={"pdf", "duckdb"},
    description="The report's PDF, registered in its own database (data/staging/<report>/work.duckdb). "
                "An unreadable file is rejected with its reason, and published as such.",
)
def raw_reports(context: dg.AssetExecutionContext, yusuan: YusuanConfig) -> dg.MaterializeResult:  # type: ignore[type-arg]
    settings = yusuan.settings()
    report_id = context.partition_key
    with report_lock(settings.staging_dir, report_id, on_wait=context.log.warning):
        result = register_stage(settings, report_id, first_ingested=first_ingested(settings.warehouse, report_id))
        if result.final:
            out = exported(settings, report_id)
            yusuan.publish({report_id: out} if out else {})
            release(settings, report_id)
    if result.final:
        context.log.warning(f"{result.file_name} [{report_id}] raw: {result.status}: {result.reason}")
        raise dg.Failure(description=f"{result.file_name}: {result.status}: {result.reason}",
                         metadata={**result.metadata, "status": result.status, "reason": result.reason or ""},
                         allow_retries=False)
    context.log.info(f"{result.file_name} [{report_id}] raw: registered, {result.metadata['pages']} pages")
    context.instance.add_run_tags(context.run.run_id, {"yusuan/files": result.file_name})  # the runs list names it
    return dg.MaterializeResult(metadata={**result.metadata, "status": Status.REGISTERED.value})
