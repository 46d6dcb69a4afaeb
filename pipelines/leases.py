"""Runs that died holding what other runs wait for.

A run started by `yusuan ingest` carries the host and process that run it (`yusuan/host`, `yusuan/pid`). When
that process is gone (killed, or the machine restarted) while the run is still marked started, the run can never
finish, and its claim on the `duckdb_write` pool would make every later publish wait for ever. The next
`yusuan ingest` marks such a run failed, with the reason, and frees the pool slots it held. Runs launched by the
daemon (sensor, schedule, the UI) are watched by Dagster's own run monitoring (dagster.yaml: run_monitoring).
"""

from __future__ import annotations

import os
import socket
from typing import Any

HOST, PID = "yusuan/host", "yusuan/pid"


def lease_tags() -> dict[str, str]:
    """The tags that name the process running a batch."""
    return {HOST: socket.gethostname(), PID: str(os.getpid())}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def reclaim_dead_runs(instance: Any) -> list[str]:
    """Mark failed the runs of this host whose process is gone, and free their pool slots; returns a note per run."""
    import dagster as dg

    notes = []
    records = instance.get_run_records(dg.RunsFilter(
        statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.CANCELING],
        tags={HOST: socket.gethostname()}))
    for record in records:
        run = record.dagster_run
        pid = run.tags.get(PID, "")
        if not pid.isdigit() or _alive(int(pid)):
            continue
        instance.report_run_failed(run, message=f"the process that ran it (pid {pid}) is gone: killed or stopped "
                                                "before the run finished")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        notes.append(f"run {run.run_id[:8]} of process {pid}, which is gone, marked failed and its pool slots "
                     "freed (its reports keep their last published versions)")
    return notes
