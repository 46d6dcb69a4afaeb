"""`yusuan ingest`: the batch job on every input (one run per batch: a step per report on every core, one
publish), with progress, and one line per input at the end."""

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipelines.cli.common import config, console_for, dagster_instance, default_dagster_home, shown, texts
from pipelines.leases import lease_tags, reclaim_dead_runs
from yusuan.status import FINAL


@dataclass
class Outcome:
    file: str
    report_id: str | None
    status: str
    reason: str
    tables: int | None = None
    cells: int | None = None


def _expand(paths: list[str]) -> list[Path]:
    from yusuan.store import inbox_files

    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir() and not p.is_symlink():
            files += inbox_files(p)
        else:
            files.append(p)
    return files


def _published_rows(resource: Any, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    if not ids or not resource.warehouse_path().exists():
        return {}
    with resource.read() as con:
        rows = con.execute(
            "SELECT report_id, status, coalesce(status_reason, ''), tables_found, cells FROM budget.reports "
            "WHERE report_id IN (SELECT unnest(?::VARCHAR[]))", [ids]).fetchall()
    return {r[0]: r for r in rows}


def ingest(args: argparse.Namespace) -> int:  # noqa: C901 (one branch per option; split as the command grows)
    from pipelines.resources import YusuanConfig
    from yusuan.publish import PublishedStateError
    from yusuan.store import StoreError, add_to_store, display_name, stored_file

    cfg = config(args)
    resource = YusuanConfig(**cfg)
    settings = resource.settings()
    default_dagster_home(settings.data_dir)
    console = console_for(160)
    files = _expand(args.paths)
    if not files:
        console.print(Text(shown("no input files found in: " + ", ".join(args.paths))))
        return 0
    try:
        again = _set_aside_damage(console, settings)
        published = resource.published()
    except PublishedStateError as e:
        print(shown(f"yusuan: {e}\nthe way back: yusuan rebuild --data-dir {settings.data_dir} "
                    f"--warehouse {settings.warehouse}"), file=sys.stderr)
        return 2
    outcomes: list[Outcome] = []
    todo: dict[str, Outcome] = {}
    seen: dict[str, str] = {}
    failed = False
    for path in files:
        name = display_name(path)
        try:
            stored = add_to_store(path, settings.store_dir)
        except StoreError as e:
            missing = not os.path.lexists(path)
            outcomes.append(Outcome(name, None, "missing" if missing else "refused", str(e).split(": ", 1)[-1]))
            failed = failed or missing
            continue
        except OSError as e:  # a full disk, a read error: this input only, said, and the rest go on
            outcomes.append(Outcome(name, None, "failed", f"could not be stored in {settings.store_dir}: "
                                                          f"{e.strerror or e}"))
            failed = True
            continue
        rid = stored.report_id
        name = stored.file_name if path.parent.resolve() == settings.store_dir.resolve() else name
        if rid in seen:
            outcomes.append(Outcome(name, rid, "duplicate", f"same content as {seen[rid]}"))
            continue
        seen[rid] = name
        outcome = Outcome(name, rid, "pending", "")
        outcomes.append(outcome)
        if rid in published and not args.force:
            outcome.status = "already ingested"
        else:
            todo[rid] = outcome
    for rid in again:  # the reports of a part found missing: run again from the store
        if rid not in seen and (settings.store_dir / f"{rid}.pdf").exists():
            outcome = Outcome(stored_file(settings.store_dir, rid).file_name, rid, "pending", "")
            outcomes.append(outcome)
            todo[rid] = outcome
    known = _published_rows(resource, [o.report_id for o in outcomes if o.status == "already ingested" and o.report_id])
    for o in outcomes:
        if o.status == "already ingested" and o.report_id in known:
            r = known[o.report_id]
            reason = "already ingested, unchanged" + (f"; {r[2]}" if r[2] else "")
            o.status, o.reason, o.tables, o.cells = r[1], reason, r[3], r[4]
    if todo:
        results = _run_batch(console, cfg, list(todo), [o.file for o in todo.values()], verbose=args.verbose)
        rows = _published_rows(resource, list(todo))
        for rid, o in todo.items():
            got = results.get(rid)
            if got is None or got["status"] not in FINAL:
                o.status = "failed"
                o.reason = (got or {}).get("reason") or "the run failed before this report was done (see the Dagster UI)"
                if rid in rows:
                    o.reason += f"; the published version ({rows[rid][1]}) is kept"
                failed = True
            elif rid in rows:
                r = rows[rid]
                o.status, o.reason, o.tables, o.cells = r[1], r[2], r[3], r[4]
            else:
                o.status, o.reason = "failed", (got or {}).get("reason") or "the run failed before publishing"
                failed = True
    _print_outcomes(console, outcomes, resource.warehouse_path())
    if any(o.report_id for o in outcomes):
        console.print(Text(f"review pages: {resource.settings().review_dir}/<report>.html "
                           "(`yusuan review --all` adds an index)"))
    return 1 if failed else 0


def _set_aside_damage(console: Console, settings: Any) -> list[str]:
    """Parts the manifest names that are missing, or miss a file, are set aside before anything is published over
    them; returns their reports, which this batch runs again from the store (`yusuan verify` also compares the
    files' checksums)."""
    from yusuan.publish import set_aside, verify

    damage = verify(settings.warehouse, contents=False)
    if not damage:
        return []
    for d in damage:
        console.print(Text(shown(f"damaged: {d}; set aside, its reports are run again from the store")))
    return set_aside(settings.warehouse, damage)


def _run_batch(console: Console, cfg: dict[str, Any], report_ids: list[str], files: list[str], *,
               verbose: bool) -> dict[str, Any]:
    """Run the batch job (multiprocess executor, one step per report, one publish) on the DAGSTER_HOME
    instance, showing progress; returns report_id -> the step's result. Dagster's log lines go to the run's
    event log (the UI) and, with `verbose`, to the terminal too."""
    import threading
    import uuid

    import dagster as dg

    from pipelines.definitions import batch_job
    from pipelines.jobs import execution_config, files_tag

    instance = dagster_instance()
    for note in reclaim_dead_runs(instance):
        console.print(Text(shown(note)))
    instance.add_dynamic_partitions("reports", report_ids)
    token = uuid.uuid4().hex
    run_config = {"resources": {"yusuan": {"config": cfg}},
                  "ops": {"batch_reports": {"config": {"reports": report_ids}}},
                  "execution": execution_config(len(report_ids)),
                  "loggers": {"console": {"config": {"log_level": "INFO" if verbose else "CRITICAL"}}}}
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            with dg.execute_job(dg.reconstructable(batch_job), instance=instance, run_config=run_config,
                                tags={"yusuan/batch": token, "yusuan/reports": str(len(report_ids)),
                                      "yusuan/files": files_tag(files), **lease_tags()},
                                raise_on_error=False) as result:
                outputs: dict[str, Any] = {}
                try:
                    outputs = {r["report_id"]: r for share in (result.output_for_node("ingest_reports") or {}).values()
                               for r in share}
                except Exception:  # a step died before returning: its report counts as failed
                    outputs = {}
                box["outputs"] = outputs
                try:
                    box["published"] = result.output_for_node("publish_batch")
                except Exception:  # the publish did not run or failed: nothing of this batch is visible
                    box["published"] = None
                    box["publish_error"] = _step_error(result, "publish_batch")
        except BaseException as e:  # shown below; the reports stay unpublished, the last published state stays
            box["error"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    _show_progress(console, instance, token, len(report_ids), thread)
    thread.join()
    return _results(console, box)


def _results(console: Console, box: dict[str, Any]) -> dict[str, Any]:
    """report_id -> the step's result, each failed when the batch's publish failed (with the publish's error)."""
    if "error" in box:
        console.print(Text(f"the batch run failed: {type(box['error']).__name__}: {box['error']}"))
        return {}
    out = {value["report_id"]: value for value in box.get("outputs", {}).values()}
    published = box.get("published")
    if published is None:
        why = box.get("publish_error") or "it did not run"
        for value in out.values():
            if value["status"] in FINAL:
                value["reason"] = f"{value['status']}, but the batch's publish step failed: {why}"
                value["status"] = "failed"
    for note in (published or {}).get("after_commit", []):  # published, then something after the commit failed
        console.print(Text(shown(f"published; then {note}")))
    return out


def _step_error(result: Any, step: str) -> str:
    """The first line of a failed step's error, for the operator (the whole is in the Dagster UI)."""
    try:
        failure = result.failure_data_for_node(step)
        error = failure.error if failure else None
        while error is not None and error.cause is not None:  # the step's own error, not Dagster's wrapper
            error = error.cause
        message = error.message.strip().splitlines()[0] if error is not None else ""
    except Exception:
        message = ""
    return (message[:300] + " (more in the Dagster UI)") if message else "see the Dagster UI"


def _show_progress(console: Console, instance: Any, token: str, total: int, thread: Any) -> None:
    import time

    import dagster as dg

    started = time.monotonic()
    run_id = None
    done = 0
    interactive = sys.stdout.isatty()
    progress = task = None
    if interactive:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        progress = Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("left"),
                            TimeRemainingColumn(), console=console)
        progress.start()
        task = progress.add_task("ingesting", total=total, rate="")
    try:
        while thread.is_alive():
            thread.join(1.0)
            if run_id is None:
                records = instance.get_run_records(dg.RunsFilter(tags={"yusuan/batch": token}), limit=1)
                run_id = records[0].dagster_run.run_id if records else None
                if run_id is None:
                    continue
            finished = len(instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_OBSERVATION))
            if finished == done:
                continue
            done = finished
            elapsed = time.monotonic() - started
            rate = f"{done / elapsed:.2f} reports/s" if elapsed else ""
            if progress is not None and task is not None:
                progress.update(task, completed=done, rate=rate)
            else:
                left = (total - done) * elapsed / done if done else 0
                print(f"[{done}/{total}] {rate}, about {left:.0f} s left", flush=True)
    finally:
        if progress is not None:
            progress.stop()


def _print_outcomes(console: Console, outcomes: list[Outcome], warehouse: Path) -> None:
    """A table on a terminal; one line per input otherwise (logs, pipes), each with its reason."""
    if not sys.stdout.isatty():
        print(shown(f"yusuan ingest -> {warehouse}"))
        for o in outcomes:
            figures = f", {o.tables} tables, {o.cells} cells" if o.tables is not None else ""
            print(shown(f"{o.file} [{o.report_id or '-'}]: {o.status}{figures}" + (f" ({o.reason})" if o.reason else "")))
        _print_counts(console, outcomes)
        return
    table = Table(title=Text(shown(f"yusuan ingest -> {warehouse}")))
    for col in ("file", "report", "tables", "cells", "status", "reason"):
        table.add_column(col, overflow="fold")
    for o in outcomes:
        table.add_row(*texts(o.file, o.report_id, o.tables, o.cells, o.status, o.reason))
    console.print(table)
    _print_counts(console, outcomes)


def _print_counts(console: Console, outcomes: list[Outcome]) -> None:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    console.print(Text(", ".join(f"{n} {s}" for s, n in sorted(counts.items()))))
