"""`yusuan`: ingest PDFs through the Dagster assets, in-process, and inspect the warehouse.

    yusuan ingest PATH... [--warehouse FILE] [--data-dir DIR] [--max-pages N] [--force]
    yusuan status [--warehouse FILE]
    yusuan checks [REPORT] [--all] [--warehouse FILE]
    yusuan remove REPORT [--warehouse FILE]

`ingest` runs the same job the sensor and the schedule run (one run per report), shows
progress, and ends with one line per report. It exits 0 when every input ended with a
recorded status (loaded, quarantined, rejected, unsupported), 1 when the pipeline itself failed.
"""

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

FINAL_STATUSES = ("loaded", "quarantined", "rejected", "unsupported")


@dataclass
class Outcome:
    file: str
    report_id: str | None
    status: str
    reason: str
    tables: int | None = None
    cells: int | None = None


def _default_dagster_home() -> None:
    """Use the project's instance (run history, partitions) when run from the project folder."""
    if not os.environ.get("DAGSTER_HOME"):
        home = Path(".dagster_home")
        if (home / "dagster.yaml").exists():
            os.environ["DAGSTER_HOME"] = str(home.resolve())
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


def _expand(paths: list[str]) -> list[Path]:
    from yusuan.store import inbox_files

    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += inbox_files(p)
        else:
            files.append(p)
    return files


def _config(args: argparse.Namespace) -> dict[str, Any]:
    cfg: dict[str, Any] = {}
    if args.warehouse:
        cfg["warehouse"] = str(Path(args.warehouse).resolve())
    if getattr(args, "data_dir", None):
        cfg["data_dir"] = str(Path(args.data_dir).resolve())
    if getattr(args, "max_pages", None):
        cfg["max_pages"] = int(args.max_pages)
    return cfg


def _report_rows(cfg: dict[str, Any], ids: list[str]) -> dict[str, tuple[Any, ...]]:
    from pipelines.resources import YusuanConfig

    if not ids:
        return {}
    with YusuanConfig(**cfg).connect() as con:
        rows = con.execute(
            "SELECT report_id, status, coalesce(status_reason, ''), tables_found, cells FROM budget.reports "
            "WHERE report_id IN (SELECT unnest(?::VARCHAR[]))", [ids]).fetchall()
    return {r[0]: r for r in rows}


def ingest(args: argparse.Namespace) -> int:
    _default_dagster_home()

    from pipelines.definitions import defs
    from pipelines.resources import YusuanConfig
    from yusuan.store import add_to_store

    cfg = _config(args)
    resource = YusuanConfig(**cfg)
    files = _expand(args.paths)
    console = Console(width=None if sys.stdout.isatty() else 160)
    if not files:
        console.print("no input files found in: " + ", ".join(args.paths))
        return 0
    instance = _instance()
    if _release_dead_runs(instance):
        print("released the write pool held by an interrupted earlier run", flush=True)
    job = defs.resolve_job_def("ingest_job")
    run_config = {"resources": {"yusuan": {"config": cfg}},
                  "loggers": {"console": {"config": {"log_level": "WARNING" if not args.verbose else "INFO"}}}}
    outcomes: list[Outcome] = []
    known = _report_rows(cfg, [])  # creates the warehouse schema if needed
    pipeline_failed = False
    interactive = sys.stdout.isatty()
    progress = None
    task = None
    if interactive:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console)
        progress.start()
        task = progress.add_task("ingesting", total=len(files))
    seen: dict[str, str] = {}
    try:
        for i, path in enumerate(files, 1):
            label = f"[{i}/{len(files)}] {path.name}"
            if progress is not None and task is not None:
                progress.update(task, description=label)
            else:
                print(f"{label} ...", flush=True)
            if not path.exists():
                outcomes.append(Outcome(path.name, None, "missing", "no such file"))
                pipeline_failed = True
                continue
            stored = add_to_store(path, resource.store_dir())
            rid = stored.report_id
            if rid in seen:
                outcomes.append(Outcome(path.name, rid, "duplicate", f"same content as {seen[rid]}"))
                continue
            seen[rid] = path.name
            known = _report_rows(cfg, [rid])
            if rid in known and known[rid][1] in FINAL_STATUSES and not args.force:
                r = known[rid]
                outcomes.append(Outcome(path.name, rid, r[1], "already ingested, unchanged"
                                        + (f"; {r[2]}" if r[2] else ""), r[3], r[4]))
            else:
                instance.add_dynamic_partitions("reports", [rid])
                result = job.execute_in_process(partition_key=rid, instance=instance, raise_on_error=False,
                                                run_config=run_config,
                                                tags={"yusuan/file": path.name, "yusuan/pid": str(os.getpid())})
                row = _report_rows(cfg, [rid]).get(rid)
                if row is None or row[1] not in FINAL_STATUSES:
                    pipeline_failed = True
                    outcomes.append(Outcome(path.name, rid, "failed", _failure_message(result)))
                else:
                    outcomes.append(Outcome(path.name, rid, row[1], row[2], row[3], row[4]))
            if progress is not None and task is not None:
                progress.advance(task)
            else:
                o = outcomes[-1]
                print(f"{label}: {o.status}" + (f" ({o.reason})" if o.reason else ""), flush=True)
    finally:
        if progress is not None:
            progress.stop()
    resource.publish()
    _print_outcomes(console, outcomes, resource.warehouse_path())
    return 1 if pipeline_failed else 0


def _instance() -> Any:
    """The Dagster instance of DAGSTER_HOME (ephemeral without one). Two commands starting at once
    on a new DAGSTER_HOME would both create its database; a file lock makes them take turns."""
    import fcntl

    import dagster as dg

    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return dg.DagsterInstance.ephemeral()
    with open(Path(home) / ".yusuan-instance.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        instance = dg.DagsterInstance.get()
        instance.get_run_records(limit=1)  # creates and migrates the storage while locked
        fcntl.flock(lock, fcntl.LOCK_UN)
    return instance


def _release_dead_runs(instance: Any) -> int:
    """Runs of this command whose process is gone (killed mid-batch) are marked failed and their
    concurrency slots freed, so the write pool is not held forever by a dead run."""
    import dagster as dg

    released = 0
    records = instance.get_run_records(dg.RunsFilter(
        job_name="ingest_job", statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING,
                                         dg.DagsterRunStatus.NOT_STARTED]))
    for record in records:
        run = record.dagster_run
        pid = run.tags.get("yusuan/pid")
        if not pid or _alive(int(pid)):
            continue
        instance.report_run_failed(run, f"process {pid} of `yusuan ingest` ended before the run finished")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released += 1
    return released


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _failure_message(result: Any) -> str:
    for event in result.all_events:
        if event.is_failure and event.event_specific_data is not None:
            err = getattr(event.event_specific_data, "error", None)
            if err is not None:
                return str(err.message).strip().splitlines()[0][:300]
    return "the run failed (see the Dagster UI)"


def _print_outcomes(console: Console, outcomes: list[Outcome], warehouse: Path) -> None:
    table = Table(title=f"yusuan ingest -> {warehouse}")
    for col in ("file", "report", "tables", "cells", "status", "reason"):
        table.add_column(col, overflow="fold")
    for o in outcomes:
        table.add_row(o.file, o.report_id or "", "" if o.tables is None else str(o.tables),
                      "" if o.cells is None else str(o.cells), o.status, o.reason)
    console.print(table)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    console.print(", ".join(f"{n} {s}" for s, n in sorted(counts.items())))


def status(args: argparse.Namespace) -> int:
    from pipelines.resources import YusuanConfig

    cfg = _config(args)
    resource = YusuanConfig(**cfg)
    with resource.read() as con:
        rows = con.execute(
            "SELECT report_id, file_name, department, fiscal_year, report_kind, money_unit, status, "
            "coalesce(status_reason, ''), tables_found, cells, ingested_at FROM budget.reports "
            "ORDER BY ingested_at, file_name").fetchall()
    console = Console(width=None if sys.stdout.isatty() else 160)
    table = Table(title=f"reports in {resource.warehouse_path()}")
    for col in ("report", "file", "department", "year", "kind", "unit", "status", "reason", "tables", "cells"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*["" if v is None else str(v) for v in r[:10]])
    console.print(table)
    if not rows:
        console.print("no reports yet: yusuan ingest data/samples")
    return 0


def checks(args: argparse.Namespace) -> int:
    """One report's (or every report's) identity checks: the failures (errors, then warnings), the
    waived, the gaps within rounding (each with its size and tolerance), and with --all the
    instances not evaluated with their reasons."""
    from pipelines.resources import YusuanConfig

    resource = YusuanConfig(**_config(args))
    where, params = "", []
    if args.report:
        where = "AND (r.report_id = ? OR r.file_name = ? OR r.sha256 LIKE ?)"
        params = [args.report, args.report, args.report + "%"]
    with resource.read() as con:
        rows = con.execute(f"""
            SELECT r.file_name, c.outcome, c.severity, c.stage, c.check_name, c.instance, c.observed, c.expected,
                   c.difference, c.tolerance, c.unit, c.page, coalesce(c.reason, c.detail), c.reading
            FROM budget.check_results c JOIN budget.reports r USING (report_id)
            WHERE c.outcome <> 'pass' {where}
            ORDER BY r.file_name, c.severity, c.stage, c.check_name, c.page NULLS LAST, c.instance""",
                           params).fetchall()
        summary = con.execute(f"""
            SELECT r.file_name, r.status, count(c.outcome) FILTER (WHERE c.outcome = 'pass'),
                   count(*) FILTER (WHERE c.outcome = 'rounding'),
                   count(*) FILTER (WHERE c.outcome = 'fail' AND c.severity = 'error'),
                   count(*) FILTER (WHERE c.outcome = 'fail' AND c.severity = 'warn'),
                   count(*) FILTER (WHERE c.outcome = 'waived'), count(*) FILTER (WHERE c.outcome = 'not_evaluated')
            FROM budget.reports r LEFT JOIN budget.check_results c USING (report_id)
            WHERE true {where} GROUP BY ALL ORDER BY 1""", params).fetchall()
    console = Console(width=None if sys.stdout.isatty() else 200)
    overview = Table(title="identity checks per report")
    for col in ("file", "status", "pass", "rounding", "errors", "warnings", "waived", "not evaluated"):
        overview.add_column(col)
    for r in summary:
        overview.add_row(*[str(v) for v in r])
    console.print(overview)
    if not summary:
        console.print(f"no report matches {args.report!r}" if args.report else "no reports yet")
        return 1 if args.report else 0

    def section(title: str, picked: list[tuple[Any, ...]], columns: tuple[str, ...], empty: str) -> None:
        if not picked:
            console.print(empty)
            return
        table = Table(title=title)
        for col in ("file", "identity", "instance", *columns):
            table.add_column(col, overflow="fold")
        for r in picked:
            table.add_row(*["" if v is None else str(v) for v in r])
        console.print(table)

    def figures(r: tuple[Any, ...]) -> tuple[Any, ...]:
        return (r[0], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11])

    section("errors (the report is quarantined)",
            [(*figures(r), r[12], r[13]) for r in rows if r[1] == "fail" and r[2] == "error"],
            ("observed", "expected", "difference", "tolerance", "unit", "page", "detail", "reading"), "no errors")
    section("warnings", [(*figures(r), r[12]) for r in rows if r[1] == "fail" and r[2] == "warn"],
            ("observed", "expected", "difference", "tolerance", "unit", "page", "detail"), "no warnings")
    section("waived", [(*figures(r), r[12]) for r in rows if r[1] == "waived"],
            ("observed", "expected", "difference", "tolerance", "unit", "page", "waiver"), "nothing waived")
    section("within rounding (a gap no larger than the printed figures' rounding)",
            [(*figures(r), r[13]) for r in rows if r[1] == "rounding"],
            ("observed", "expected", "difference", "tolerance", "unit", "page", "reading"), "no rounding gaps")
    not_evaluated = [(r[0], r[4], r[5], r[11], r[12]) for r in rows if r[1] == "not_evaluated"]
    if args.all:
        section("not evaluated (the reading was doubtful or an input is not printed)", not_evaluated,
                ("page", "reason"), "every instance was evaluated")
    elif not_evaluated:
        console.print(f"{len(not_evaluated)} instance(s) not evaluated: --all lists them with their reasons")
    return 0


def remove(args: argparse.Namespace) -> int:
    """Remove a report from every stage (warehouse rows, staged files, its partition); the stored
    input file is kept, so the same file can be ingested again."""
    _default_dagster_home()
    import shutil

    import dagster as dg

    from pipelines.resources import YusuanConfig

    resource = YusuanConfig(**_config(args))
    with resource.connect() as con:
        found = con.execute("SELECT report_id, file_name FROM budget.reports WHERE report_id = ? OR file_name = ? "
                            "OR sha256 LIKE ?", [args.report, args.report, args.report + "%"]).fetchall()
        if len(found) != 1:
            print(f"{args.report!r} matches {len(found)} reports" + (": " + ", ".join(f[1] for f in found)
                                                                     if found else ""), file=sys.stderr)
            return 2
        report_id, file_name = found[0]
        from yusuan.warehouse import remove_report

        remove_report(con, report_id)
    shutil.rmtree(resource.staging_dir() / report_id, ignore_errors=True)
    if os.environ.get("DAGSTER_HOME"):
        instance = dg.DagsterInstance.get()
        if instance.has_dynamic_partition("reports", report_id):
            instance.delete_dynamic_partition("reports", report_id)
    resource.publish()
    print(f"removed {file_name} [{report_id}] from every stage; its stored file is kept in {resource.store_dir()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="yusuan", description="Budget-disclosure PDFs into a DuckDB warehouse.")
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--warehouse", help="warehouse file (default: data/warehouse.duckdb, or $YUSUAN_WAREHOUSE)")
    common.add_argument("--data-dir", help="data folder with store/ and staging/ (default: data, or $YUSUAN_DATA_DIR)")
    p_ingest = sub.add_parser("ingest", parents=[common], help="ingest PDF files or folders")
    p_ingest.add_argument("paths", nargs="+", help="PDF files or folders of PDFs")
    p_ingest.add_argument("--max-pages", type=int, help="reject PDFs with more pages (default 500, $YUSUAN_MAX_PAGES)")
    p_ingest.add_argument("--force", action="store_true", help="run reports again even if already ingested")
    p_ingest.add_argument("-v", "--verbose", action="store_true", help="show Dagster's log lines")
    p_ingest.set_defaults(func=ingest)
    p_status = sub.add_parser("status", parents=[common], help="list the reports in the warehouse")
    p_status.set_defaults(func=status)
    p_checks = sub.add_parser("checks", parents=[common],
                              help="the failing, warned, waived and rounding identities of the reports")
    p_checks.add_argument("report", nargs="?", help="report id, file name or SHA-256 prefix (default: all)")
    p_checks.add_argument("--all", action="store_true", help="also list the instances not evaluated, with their reasons")
    p_checks.set_defaults(func=checks)
    p_remove = sub.add_parser("remove", parents=[common], help="remove a report from every stage")
    p_remove.add_argument("report", help="report id, file name or SHA-256 prefix")
    p_remove.set_defaults(func=remove)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
