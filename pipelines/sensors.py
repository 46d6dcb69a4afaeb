"""New files in the inbox become report partitions and a batch run; a nightly schedule runs the rest.

The sensor's cursor remembers each inbox file it has taken by its name, size, modification time, inode and change
time: a file unchanged since then is neither copied nor hashed again, so a tick over an inbox that has not changed
costs a listing. A file that changed is taken again, and new content is a new report (another SHA-256, another
report id).

A report taken out by `yusuan remove` (its removal mark, yusuan.locks) stays out: neither the sensor nor the
schedule runs it again while its file sits unchanged in the inbox. A changed file is a new report and is run;
the same content comes back only when asked for (`yusuan ingest FILE`).
"""

import hashlib
import json
import os
from pathlib import Path

import dagster as dg

from assets.partitions import reports_partitions
from pipelines.jobs import execution_config, files_tag, ingest_batch_job
from pipelines.resources import YusuanConfig
from yusuan.locks import removed_since
from yusuan.store import DEFAULT_SETTLE_SECONDS, StoreError, add_to_store, inbox_files


def batch_request(report_ids: list[str], key_prefix: str, files: list[str] | None = None) -> dg.RunRequest:
    key = hashlib.sha256(",".join(sorted(report_ids)).encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=f"{key_prefix}-{key}",
                         run_config={"ops": {"batch_reports": {"config": {"reports": report_ids}}},
                                     "execution": execution_config(len(report_ids))},
                         tags={"yusuan/reports": str(len(report_ids)),
                               **({"yusuan/files": files_tag(files)} if files else {})})


def removed(staging_dir: Path, report_id: str) -> bool:
    """True when `yusuan remove` took the report out, however long ago (its removal mark is there)."""
    return removed_since(staging_dir, report_id, requested_at=0.0)


def file_signature(path: Path) -> list[int] | None:
    """What tells a file changed without reading it: size, modification time, inode and change time (a file
    replaced by another with the same size and time has another inode; a chmod changes the change time)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns]


def read_cursor(cursor: str | None) -> dict[str, list[int]]:
    """The files taken at earlier ticks (name -> signature); an unreadable cursor is an empty one."""
    try:
        value = json.loads(cursor) if cursor else {}
    except ValueError:
        return {}
    files = value.get("files") if isinstance(value, dict) else None
    return {k: v for k, v in files.items() if isinstance(v, list)} if isinstance(files, dict) else {}


@dg.sensor(job=ingest_batch_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Watches data/inbox: new or changed files (complete, regular files) are stored, added as "
                       "report partitions and run as one batch; unchanged files are not read again (cursor), and "
                       "reports removed with `yusuan remove` are not run again.")
def inbox_sensor(context: dg.SensorEvaluationContext, yusuan: YusuanConfig) -> dg.SensorResult:  # type: ignore[type-arg]
    known = set(context.instance.get_dynamic_partitions(reports_partitions.name))
    taken = read_cursor(context.cursor)
    seen: dict[str, list[int]] = {}
    new: dict[str, str] = {}  # report id -> file name
    for path in inbox_files(yusuan.inbox_dir(), settle_seconds=DEFAULT_SETTLE_SECONDS):
        name, signature = os.fsdecode(path.name), file_signature(path)
        if signature is None:  # gone since it was listed
            continue
        seen[name] = signature
        if taken.get(name) == signature:
            continue  # taken at an earlier tick and unchanged since
        try:
            stored = add_to_store(path, yusuan.store_dir())
        except StoreError as e:  # said once per change of the file
            context.log.warning(str(e))
            continue
        report_id = stored.report_id
        if report_id in known or report_id in new:
            continue
        if removed(yusuan.staging_dir(), report_id):
            context.log.info(f"{stored.file_name}: report {report_id} was removed (yusuan remove); not run again "
                             "(a changed file is a new report; `yusuan ingest FILE` brings this one back)")
            continue
        new[report_id] = stored.file_name
        context.log.info(f"{stored.file_name}: new report {report_id}")
    ids = list(new)
    return dg.SensorResult(
        run_requests=[batch_request(ids, "inbox", list(new.values()))] if ids else [],
        dynamic_partitions_requests=[reports_partitions.build_add_request(ids)] if ids else [],
        cursor=json.dumps({"files": seen}, sort_keys=True),
    )


@dg.schedule(job=ingest_batch_job, cron_schedule="0 2 * * *", execution_timezone="Asia/Shanghai",
             default_status=dg.DefaultScheduleStatus.RUNNING,
             description="Every night at 02:00 Beijing time, run as one batch the reports never published "
                         "(except those removed with `yusuan remove`).")
def nightly_schedule(context: dg.ScheduleEvaluationContext, yusuan: YusuanConfig) -> dg.RunRequest | dg.SkipReason:  # type: ignore[type-arg]
    partitions = context.instance.get_dynamic_partitions(reports_partitions.name)
    published = yusuan.published()
    todo = [k for k in partitions if k not in published and not removed(yusuan.staging_dir(), k)]
    if not todo:
        return dg.SkipReason("every report is published (or was removed)")
    return batch_request(todo, "nightly")
