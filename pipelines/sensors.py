"""New files in the inbox become report partitions and runs; a nightly schedule runs the rest."""


import dagster as dg

from assets.partitions import reports_partitions
from pipelines.jobs import ingest_job
from pipelines.resources import YusuanConfig
from yusuan.store import add_to_store, inbox_files


@dg.sensor(job=ingest_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Watches data/inbox: each new file is stored, added as a report partition and run.")
def inbox_sensor(context: dg.SensorEvaluationContext, yusuan: YusuanConfig) -> dg.SensorResult:  # type: ignore[type-arg]
    known = set(context.instance.get_dynamic_partitions(reports_partitions.name))
    new: list[str] = []
    for path in inbox_files(yusuan.inbox_dir()):
        stored = add_to_store(path, yusuan.store_dir())
        if stored.report_id not in known and stored.report_id not in new:
            new.append(stored.report_id)
            context.log.info(f"{path.name}: new report {stored.report_id}")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(partition_key=k, run_key=k) for k in new],
        dynamic_partitions_requests=[reports_partitions.build_add_request(new)] if new else [],
    )


@dg.schedule(job=ingest_job, cron_schedule="0 2 * * *", execution_timezone="Asia/Shanghai",
             default_status=dg.DefaultScheduleStatus.RUNNING,
             description="Every night at 02:00 Beijing time, run the reports that have never been run.")
def nightly_schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest] | dg.SkipReason:
    partitions = context.instance.get_dynamic_partitions(reports_partitions.name)
    attempted = {r.dagster_run.tags.get("dagster/partition")
                 for r in context.instance.get_run_records(dg.RunsFilter(job_name=ingest_job.name))}
    todo = [k for k in partitions if k not in attempted]
    if not todo:
        return dg.SkipReason("every report has been run")
    return [dg.RunRequest(partition_key=k, run_key=f"nightly-{k}") for k in todo]
