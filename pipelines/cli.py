"""`yusuan`: ingest PDFs through the Dagster batch job, and inspect the warehouse.

    yusuan ingest PATH... [--warehouse FILE] [--data-dir DIR] [--max-pages N] [--force]
    yusuan rebuild [--warehouse FILE] [--data-dir DIR]
    yusuan status [--warehouse FILE]
    yusuan checks [REPORT] [--all] [--warehouse FILE]
    yusuan review REPORT [--out FILE] | --all [--out DIR]
    yusuan remove REPORT [--warehouse FILE]

`ingest` runs the job the sensor and the schedule run (one run per batch: a step per report on
every core, one publish), shows progress, and ends with one line per input. It exits 0 when every
input ended with a recorded status (loaded, quarantined, rejected, unsupported, or refused,
duplicate, already ingested), 1 when a report failed or a file is missing.
"""

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from yusuan.status import FINAL


@dataclass
class Outcome:
    file: str
    report_id: str | None
    status: str
    reason: str
    tables: int | None = None
    cells: int | None = None


INSTANCE_YAML = """# The Dagster instance of a data folder (run history, partitions, pools).
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
run_monitoring:
  enabled: true
"""


def _default_dagster_home(data_dir: Path) -> None:
    """Use DAGSTER_HOME when set; else the project's instance when run from the project folder; else
    an instance kept in the data folder. Telemetry is off whatever DAGSTER_HOME holds."""
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
    if os.environ.get("DAGSTER_HOME"):
        return
    home = Path(".dagster_home")
    if not (home / "dagster.yaml").exists():
        home = data_dir / ".dagster"
        home.mkdir(parents=True, exist_ok=True)
        if not (home / "dagster.yaml").exists():
            (home / "dagster.yaml").write_text(INSTANCE_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home.resolve())


def _expand(paths: list[str]) -> list[Path]:
    from yusuan.store import inbox_files

    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir() and not p.is_symlink():
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
    # settings from the environment travel in the run's config, so every step process (and the run's
    # record in the UI) has the same ones
    for key, env, kind in (("expectations", "YUSUAN_EXPECTATIONS", str), ("max_pages", "YUSUAN_MAX_PAGES", int),
                           ("parse_memory_mb", "YUSUAN_PARSE_MEMORY_MB", int),
                           ("parse_seconds", "YUSUAN_PARSE_SECONDS", float)):
        if key not in cfg and os.environ.get(env):
            cfg[key] = str(Path(os.environ[env]).resolve()) if key == "expectations" else kind(os.environ[env])
    return cfg


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
    from yusuan.store import StoreError, add_to_store, display_name

    cfg = _config(args)
    resource = YusuanConfig(**cfg)
    settings = resource.settings()
    _default_dagster_home(settings.data_dir)
    console = Console(width=None if sys.stdout.isatty() else 160)
    files = _expand(args.paths)
    if not files:
        console.print(Text("no input files found in: " + ", ".join(args.paths)))
        return 0
    try:
        published = resource.published()
    except PublishedStateError as e:
        print(f"yusuan: {e}", file=sys.stderr)
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
    known = _published_rows(resource, [o.report_id for o in outcomes if o.status == "already ingested" and o.report_id])
    for o in outcomes:
        if o.status == "already ingested" and o.report_id in known:
            r = known[o.report_id]
            reason = "already ingested, unchanged" + (f"; {r[2]}" if r[2] else "")
            o.status, o.reason, o.tables, o.cells = r[1], reason, r[3], r[4]
    if todo:
        results = _run_batch(console, cfg, list(todo), verbose=args.verbose)
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


def _run_batch(console: Console, cfg: dict[str, Any], report_ids: list[str], *, verbose: bool) -> dict[str, Any]:
    """Run the batch job (multiprocess executor, one step per report, one publish) on the DAGSTER_HOME
    instance, showing progress; returns report_id -> the step's result."""
    import threading
    import uuid

    import dagster as dg

    from pipelines.definitions import batch_job

    instance = _instance()
    instance.add_dynamic_partitions("reports", report_ids)
    token = uuid.uuid4().hex
    run_config = {"resources": {"yusuan": {"config": cfg}},
                  "ops": {"batch_reports": {"config": {"reports": report_ids}}},
                  "loggers": {"console": {"config": {"log_level": "INFO" if verbose else "CRITICAL"}}}}
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            with dg.execute_job(dg.reconstructable(batch_job), instance=instance, run_config=run_config,
                                tags={"yusuan/batch": token, "yusuan/reports": str(len(report_ids))},
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
        except BaseException as e:  # shown below; the reports stay unpublished, the last published state stays
            box["error"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    _show_progress(console, instance, token, len(report_ids), thread)
    thread.join()
    if "error" in box:
        console.print(Text(f"the batch run failed: {type(box['error']).__name__}: {box['error']}"))
        return {}
    out = {value["report_id"]: value for value in box.get("outputs", {}).values()}
    if box.get("published") is None:
        for value in out.values():
            if value["status"] in FINAL:
                value["reason"] = f"{value['status']}, but the batch's publish step failed (see the Dagster UI)"
                value["status"] = "failed"
    return out


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


def _instance() -> Any:
    """The Dagster instance of DAGSTER_HOME. Two commands starting at once on a new DAGSTER_HOME would
    both create its database; a file lock makes them take turns."""
    import fcntl

    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    # whatever dagster.yaml says (or lacks): no telemetry, and Dagster's own DEBUG lines stay in the
    # event log instead of the terminal (the step processes inherit these settings with the instance)
    overrides = {"telemetry": {"enabled": False}, "python_logs": {"python_log_level": "ERROR"}}
    with open(home / ".yusuan-instance.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        instance = dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home), overrides=overrides))
        instance.get_run_records(limit=1)  # creates and migrates the storage while locked
        fcntl.flock(lock, fcntl.LOCK_UN)
    return instance


def _print_outcomes(console: Console, outcomes: list[Outcome], warehouse: Path) -> None:
    """A table on a terminal; one line per input otherwise (logs, pipes), each with its reason."""
    if not sys.stdout.isatty():
        print(f"yusuan ingest -> {warehouse}")
        for o in outcomes:
            figures = f", {o.tables} tables, {o.cells} cells" if o.tables is not None else ""
            print(f"{o.file} [{o.report_id or '-'}]: {o.status}{figures}" + (f" ({o.reason})" if o.reason else ""))
        _print_counts(console, outcomes)
        return
    table = Table(title=Text(f"yusuan ingest -> {warehouse}"))
    for col in ("file", "report", "tables", "cells", "status", "reason"):
        table.add_column(col, overflow="fold")
    for o in outcomes:
        table.add_row(*_texts(o.file, o.report_id, o.tables, o.cells, o.status, o.reason))
    console.print(table)
    _print_counts(console, outcomes)


def _print_counts(console: Console, outcomes: list[Outcome]) -> None:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    console.print(Text(", ".join(f"{n} {s}" for s, n in sorted(counts.items()))))


def _texts(*values: Any) -> list[Text]:
    """Cells as plain text: a file name like `budget[draft].pdf` is printed as it is, never as markup; a
    figure as a reader writes it (0, not 0E-10)."""
    from decimal import Decimal

    from yusuan.money import plain

    return [Text("" if v is None else plain(v) if isinstance(v, Decimal) else str(v)) for v in values]


def status(args: argparse.Namespace) -> int:
    from pipelines.resources import YusuanConfig

    cfg = _config(args)
    resource = YusuanConfig(**cfg)
    if _no_warehouse(resource):
        return 0
    with resource.read() as con:
        rows = con.execute(
            "SELECT report_id, file_name, department, fiscal_year, report_kind, money_unit, status, "
            "coalesce(status_reason, ''), tables_found, cells, errors, warnings, "
            "CASE WHEN tables_confirmed IS NULL THEN '' ELSE format('{}/{}/{}', tables_confirmed, tables_unconfirmed, "
            "tables_unchecked) END, "
            "CASE WHEN instances_evaluated IS NULL THEN '' ELSE format('{}/{}', instances_evaluated, "
            "instances_not_evaluated) END, ingested_at FROM budget.reports "
            "ORDER BY ingested_at, file_name").fetchall()
    console = Console(width=None if sys.stdout.isatty() else 200)
    table = Table(title=f"reports in {resource.warehouse_path()}")
    for col in ("report", "file", "department", "year", "kind", "unit", "status", "reason", "tables", "cells",
                "errors", "warnings", "tables confirmed/unconfirmed/unchecked", "instances evaluated/not"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*_texts(*r[:14]))
    console.print(table)
    if not rows:
        console.print("no reports yet: yusuan ingest data/samples")
    return 0


def checks(args: argparse.Namespace) -> int:  # noqa: C901 (one branch per option; split as the command grows)
    """One report's (or every report's) identity checks: the failures (errors, then warnings), the
    waived, the gaps within rounding (each with its size and tolerance), and with --all the
    instances not evaluated with their reasons."""
    from pipelines.resources import YusuanConfig

    resource = YusuanConfig(**_config(args))
    if _no_warehouse(resource):
        return 2
    where, params = "", []
    with resource.read() as con:
        if args.report:
            one = _one_report(con, args.report)
            if one is None:
                return 2
            where, params = "AND r.report_id = ?", [one[0]]
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
        overview.add_row(*_texts(*r))
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
            table.add_row(*_texts(*r))
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
    """Remove a report from what analysts see and from the pipeline's folders (its partition too); the
    stored input file is kept, so the same file can be ingested again."""
    from pipelines.resources import YusuanConfig
    from yusuan.stages import clear

    resource = YusuanConfig(**_config(args))
    if _no_warehouse(resource):
        return 2
    settings = resource.settings()
    _default_dagster_home(settings.data_dir)
    with resource.read() as con:
        one = _one_report(con, args.report)
    if one is None:
        return 2
    report_id, file_name = one
    resource.publish(remove=(report_id,))
    clear(settings, report_id)
    instance = _instance()
    if instance.has_dynamic_partition("reports", report_id):
        instance.delete_dynamic_partition("reports", report_id)
    print(f"removed {file_name} [{report_id}] from every stage; its stored file is kept in {settings.store_dir}")
    return 0


def _one_report(con: Any, report: str) -> tuple[str, str] | None:
    """(report_id, file_name) of the one report named by its id (or the start of it), its file name, the path of
    the file ingested, or a SHA-256 prefix; None, said on stderr, when none or several match."""
    name = report.strip()
    key = name.lower()
    sha = None
    if os.path.isfile(name):  # the path of the file ingested: its content names it
        from yusuan.register import sha256_of

        try:
            sha = sha256_of(Path(name))
        except OSError:
            sha = None
    found = con.execute("SELECT report_id, file_name FROM budget.reports WHERE report_id = ? OR file_name = ? "
                        "OR file_name = ? OR sha256 = ? OR (len(?) > 1 AND starts_with(report_id, ?)) "
                        "OR (len(?) > 0 AND starts_with(sha256, ?)) ORDER BY file_name",
                        [key, name, Path(name).name, sha, key, key, key, key]).fetchall()
    if len(found) != 1:
        print(f"{report!r} matches {len(found)} reports" + (": " + ", ".join(f[1] for f in found) if found else
                                                            " (`yusuan status` lists them by file name)"),
              file=sys.stderr)
        return None
    return found[0][0], found[0][1]


def _no_warehouse(resource: Any) -> bool:
    """True, said on stderr, when the warehouse file does not exist (a reading command creates nothing)."""
    path = resource.warehouse_path()
    if path.exists():
        return False
    print(f"no warehouse at {path} yet: `yusuan ingest PDF...` creates it (--data-dir or --warehouse names "
          "another)", file=sys.stderr)
    return True


def review(args: argparse.Namespace) -> int:  # noqa: C901 (one branch per option; split as the command grows)
    """Write the review page of one report (its findings, each beside a crop of the page with the figures
    outlined), or with --all the page of every report and an index. Prints the path of what it wrote."""
    from pipelines.resources import YusuanConfig
    from yusuan.review import index_html, write_review

    if bool(args.report) == bool(args.all):
        print("give one REPORT (id, file name or SHA-256 prefix) or --all, not both" if args.all else
              "give one REPORT (id, file name or SHA-256 prefix), or --all", file=sys.stderr)
        return 2
    resource = YusuanConfig(**_config(args))
    settings = resource.settings()
    target = Path(args.out) if args.out else None
    if args.all and target is not None and target.exists() and not target.is_dir():
        print(f"--out {target} is a file: with --all, --out names the folder for the pages and their index",
              file=sys.stderr)
        return 2
    if _no_warehouse(resource):
        return 2
    with resource.read() as con:
        if not con.execute("SELECT count(*) FROM budget.reports").fetchone()[0]:  # type: ignore[index]
            print(f"the warehouse {settings.warehouse} holds no report yet (--data-dir or --warehouse names "
                  "another; `yusuan ingest` fills it)", file=sys.stderr)
            return 2
        if args.all:
            found = con.execute("SELECT report_id, file_name FROM budget.reports ORDER BY file_name").fetchall()
        else:
            one = _one_report(con, args.report)
            if one is None:
                return 2
            found = [one]
        folder = target if args.all and target is not None else settings.review_dir
        written: dict[str, str] = {}
        for n, (report_id, file_name) in enumerate(found, 1):
            out = folder / f"{report_id}.html"
            if target is not None and not args.all:  # a file, or a folder to put the page in
                out = target / f"{report_id}.html" if target.is_dir() else target
            write_review(con, report_id, settings.store_dir / f"{report_id}.pdf", out)
            written[report_id] = out.name
            if args.all:
                print(f"[{n}/{len(found)}] {file_name}: {out}", flush=True)
        if args.all:
            index = folder / "index.html"
            index.write_text(index_html(con, written), encoding="utf-8")
            print(index)
        else:
            print(out)
    return 0


def rebuild(args: argparse.Namespace) -> int:
    """Run every report the store keeps again and publish them: the way back from a damaged or lost
    published state (the store keeps every input)."""
    from pipelines.resources import YusuanConfig
    from yusuan.publish import MANIFEST, PublishedStateError, parts_dir
    from yusuan.store import stored_reports

    resource = YusuanConfig(**_config(args))
    settings = resource.settings()
    try:
        resource.published()
    except PublishedStateError:
        manifest = parts_dir(settings.warehouse) / MANIFEST
        aside = manifest.with_name(manifest.name + ".damaged")
        os.replace(manifest, aside)
        print(f"the damaged manifest is kept as {aside}", flush=True)
        resource.publish()  # an empty published state, which the rebuild fills
    ids = stored_reports(settings.store_dir)
    if not ids:
        print(f"the store {settings.store_dir} holds no report", flush=True)
        return 0
    args.paths = [str(settings.store_dir / f"{rid}.pdf") for rid in ids]
    args.force, args.max_pages = True, None
    args.verbose = getattr(args, "verbose", False)
    return ingest(args)


def main(argv: list[str] | None = None) -> int:
    import warnings

    # Dagster's notes on its own beta parameters (a sensor's `owners`) are not the operator's business
    warnings.filterwarnings("ignore", message=r"Parameter `\w+` of .* is currently in beta")
    parser = argparse.ArgumentParser(prog="yusuan", description="Budget-disclosure PDFs into a DuckDB warehouse.")
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--warehouse", help="warehouse file (default: DATA_DIR/warehouse.duckdb, or $YUSUAN_WAREHOUSE)")
    common.add_argument("--data-dir", help="data folder with store/, staging/, review/ and the warehouse "
                                           "(default: data, or $YUSUAN_DATA_DIR)")
    p_ingest = sub.add_parser("ingest", parents=[common], help="ingest PDF files or folders")
    p_ingest.add_argument("paths", nargs="+", help="PDF files or folders of PDFs")
    p_ingest.add_argument("--max-pages", type=int, help="reject PDFs with more pages (default 500, $YUSUAN_MAX_PAGES)")
    p_ingest.add_argument("--force", action="store_true", help="run reports again even if already ingested")
    p_ingest.add_argument("-v", "--verbose", action="store_true", help="show Dagster's log lines")
    p_ingest.set_defaults(func=ingest)
    p_rebuild = sub.add_parser("rebuild", parents=[common],
                               help="run every stored report again and publish them (after damage or loss)")
    p_rebuild.set_defaults(func=rebuild)
    p_status = sub.add_parser("status", parents=[common], help="list the reports in the warehouse")
    p_status.set_defaults(func=status)
    p_checks = sub.add_parser("checks", parents=[common],
                              help="the failing, warned, waived and rounding identities of the reports")
    p_checks.add_argument("report", nargs="?", help="report id, file name or SHA-256 prefix (default: all)")
    p_checks.add_argument("--all", action="store_true", help="also list the instances not evaluated, with their reasons")
    p_checks.set_defaults(func=checks)
    p_review = sub.add_parser("review", parents=[common],
                              help="write a report's review page (HTML: findings beside crops of the pages)")
    p_review.add_argument("report", nargs="?", help="report id (or its start), file name or path, or SHA-256 prefix")
    p_review.add_argument("--all", action="store_true", help="every report's page and an index page")
    p_review.add_argument("--out", help="the HTML file, or a folder for it (with --all: the folder; "
                          "default: DATA_DIR/review/)")
    p_review.set_defaults(func=review)
    p_remove = sub.add_parser("remove", parents=[common], help="remove a report from every stage")
    p_remove.add_argument("report", help="report id, file name or SHA-256 prefix")
    p_remove.set_defaults(func=remove)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
