"""New files in the inbox become report partitions and a batch run; a nightly schedule runs the rest."""


import hashlib

import dagster as dg

from assets.partitions import reports_partitions
from pipelines.jobs import execution_config, ingest_batch_job
from pipelines.resources import YusuanConfig
from yusuan.store import DEFAULT_SETTLE_SECONDS, StoreError, add_to_store, inbox_files


def batch_request(report_ids: list[str], key_prefix: str) -> dg.RunRequest:
    key = hashlib.sha256(",".join(sorted(report_ids)).encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=f"{key_prefix}-{key}",
                         run_config={"ops": {"batch_reports": {"config": {"reports": report_ids}}},
                                     "execution": execution_config(len(report_ids))},
                         tags={"yusuan/reports": str(len(report_ids))})


@dg.sensor(job=ingest_batch_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Watches data/inbox: new files (complete, regular files) are stored, added as report "
                       "partitions and run as one batch.")
def inbox_sensor(context: dg.SensorEvaluationContext, yusuan: YusuanConfig) -> dg.SensorResult:  # type: ignore[type-arg]
    known = set(context.instance.get_dynamic_partitions(reports_partitions.name))
    new: list[str] = []
    for path in inbox_files(yusuan.inbox_dir(), settle_seconds=DEFAULT_SETTLE_SECONDS):
        try:
            stored = add_to_store(path, yusuan.store_dir())
        except StoreError as e:
            context.log.warning(str(e))
            continue
        if stored.report_id not in known and stored.report_id not in new:
            new.append(stored.report_id)
            context.log.info(f"{stored.file_name}: new report {stored.report_id}")
    return dg.SensorResult(
        run_requests=[batch_request(new, "inbox")] if new else [],
        dynamic_partitions_requests=[reports_partitions.build_add_request(new)] if new else [],
    )


@dg.schedule(job=ingest_batch_job, cron_schedule="0 2 * * *", execution_timezone="Asia/Shanghai",
             default_status=dg.DefaultScheduleStatus.RUNNING,
             description="Every night at 02:00 Beijing time, run as one batch the reports never published.")
def nightly_schedule(context: dg.ScheduleEvaluationContext, yusuan: YusuanConfig) -> dg.RunRequest | dg.SkipReason:  # type: ignore[type-arg]
    partitions = context.instance.get_dynamic_partitions(reports_partitions.name)
    published = yusuan.published()
    todo = [k for k in partitions if k not in published]
    if not todo:
        return dg.SkipReason("every report is published")
    return batch_request(todo, "nightly")
