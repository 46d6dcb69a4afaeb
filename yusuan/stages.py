"""One report through the stages, as plain functions: the Dagster assets (one stage each) and the
batch job (every stage of a report in one step) both call these.

Each report has a folder of its own, `staging/<report_id>/`:
    extraction (Parquet) and report.json    written by the extracted stage
    work.duckdb                             the report's own database (raw, extracted, conformed rows)
    out/                                    its rows exported, table by table, once its status is final
Nothing here is shared between reports, so any number of reports run at once; only the publish,
which makes exported reports visible to analysts, is done by one writer at a time.
"""

from __future__ import annotations

import html
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from yusuan import warehouse
from yusuan.locks import removed_since, report_lock, report_locks
from yusuan.model import Registration
from yusuan.register import DEFAULT_MAX_PAGES, register_pdf
from yusuan.report_id import check_report_id
from yusuan.sandbox import ChildError, LimitExceeded, Limits, run_limited
from yusuan.schema import rollback_quietly
from yusuan.status import FINAL, Status
from yusuan.store import stored_file


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse: Path
    expectations: Path
    max_pages: int = DEFAULT_MAX_PAGES
    limits: Limits = field(default_factory=Limits)

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    @property
    def staging_dir(self) -> Path:
        return self.data_dir / "staging"

    def report_dir(self, report_id: str) -> Path:
        return self.staging_dir / check_report_id(report_id)

    def extraction_dir(self, report_id: str) -> Path:
        return self.report_dir(report_id) / "extraction"

    def work_db(self, report_id: str) -> Path:
        return self.report_dir(report_id) / "work.duckdb"

    def export_dir(self, report_id: str) -> Path:
        return self.report_dir(report_id) / "out"

    @property
    def review_dir(self) -> Path:
        return self.data_dir / "review"

    def review_page(self, report_id: str) -> Path:
        """The report's review page (yusuan review): its findings beside crops of the pages."""
        return self.review_dir / f"{check_report_id(report_id)}.html"


@dataclass
class StageResult:
    report_id: str
    file_name: str
    status: str  # registered | extracted | loaded | quarantined | rejected | unsupported
    reason: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # plain text for whoever serialises it (Dagster's metadata takes no enum)
        self.status = str(self.status)
        self.metadata = {k: str(v) if isinstance(v, Status) else v for k, v in self.metadata.items()}

    @property
    def final(self) -> bool:
        return self.status in FINAL


def connect(settings: Settings, report_id: str) -> duckdb.DuckDBPyConnection:
    path = settings.work_db(report_id)
    if not path.exists():
        raise FileNotFoundError(f"report {report_id}: no work database at {path}; run its raw stage first")
    try:
        return duckdb.connect(str(path))  # made with its schema by the raw stage
    except duckdb.Error as e:
        raise RuntimeError(f"report {report_id}: its work database {path} cannot be opened "
                           f"({str(e).splitlines()[0]}); it is rebuilt from the stored file by running the "
                           "report again from its raw stage (yusuan ingest FILE --force)") from e


@contextmanager
def _opened(settings: Settings, report_id: str,
            con: duckdb.DuckDBPyConnection | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """`con` when the caller holds the report's database open for several stages (it closes it); else the
    database opened for this stage alone, and closed after it."""
    if con is not None:
        yield con
        return
    own = connect(settings, report_id)
    try:
        yield own
    finally:
        own.close()


def _finish(settings: Settings, con: duckdb.DuckDBPyConnection, report_id: str) -> Path:
    con.execute("CHECKPOINT")
    from yusuan.publish import export_report
    from yusuan.review import write_review

    out = export_report(con, settings.export_dir(report_id))
    # the review page of the report as this run leaves it (the checks across reports are added by `yusuan review`);
    # a page that cannot be drawn says why, and never costs the report its status
    page = settings.review_page(report_id)
    try:
        write_review(con, report_id, settings.store_dir / f"{report_id}.pdf", page)
    except Exception as e:
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"<!DOCTYPE html><meta charset=\"utf-8\"><p>The review page of report {report_id} could not "
                        f"be written: {html.escape(f'{type(e).__name__}: {e}')}</p>\n", encoding="utf-8")
    return out


# ---- raw ------------------------------------------------------------------------------------


def register_stage(settings: Settings, report_id: str, *, first_ingested: Any = None) -> StageResult:
    """Register the stored file (in a child within the limits) into a fresh work database."""
    stored = stored_file(settings.store_dir, check_report_id(report_id))
    try:
        reg = run_limited(_register, stored.path, settings.max_pages, stored.file_name, limits=settings.limits)
    except (LimitExceeded, ChildError) as e:
        reg = _unreadable(stored.path, stored.file_name, report_id, str(e))
    folder = settings.report_dir(report_id)
    folder.mkdir(parents=True, exist_ok=True)
    for old in (settings.work_db(report_id), Path(f"{settings.work_db(report_id)}.wal")):
        old.unlink(missing_ok=True)
    shutil.rmtree(settings.export_dir(report_id), ignore_errors=True)
    con = warehouse.create_database(settings.work_db(report_id))
    try:
        status = Status.REGISTERED if reg.readable else Status.REJECTED
        warehouse.record_registration(con, reg, status=status, reason=reg.problem, first_ingested=first_ingested)
        if not reg.readable:
            _finish(settings, con, report_id)
    finally:
        con.close()
    meta = {"file": stored.file_name, "sha256": reg.sha256, "bytes": reg.size_bytes, "pages": reg.pages or 0,
            "producer": reg.producer or "", "encrypted": reg.encrypted, "text_layer": reg.has_text_layer}
    return StageResult(report_id, stored.file_name, status, reg.problem, meta)


def _register(path: Path, max_pages: int, name: str) -> Registration:
    return register_pdf(path, max_pages=max_pages, display_name=name)


def _unreadable(path: Path, name: str, report_id: str, problem: str) -> Registration:
    from yusuan.register import sha256_of

    return Registration(report_id=report_id, file_name=name, sha256=sha256_of(path), size_bytes=path.stat().st_size,
                        pages=None, producer=None, encrypted=False, has_text_layer=False, problem=problem)


# ---- extracted ------------------------------------------------------------------------------


def _extract(path: Path, catalog: Path) -> tuple[Any, tuple[str, str | None]]:
    """In the child: the extraction and its verdict, nothing else (the parent writes them)."""
    from yusuan.extract import extract_report, verdict

    extraction = extract_report(path, catalog=catalog)
    return extraction, verdict(extraction)


def _summary(extraction: Any, status: str, reason: str | None) -> dict[str, Any]:
    ident = extraction.identity
    return {"status": status, "reason": reason, "tables_found": len(extraction.tables),
            "amount_cells": sum(1 for c in extraction.cells if c.kind == "money"),
            "text_cells": sum(1 for c in extraction.cells if c.kind == "text"),
            "table_types": dict(Counter(t.table_type or "unrecognised" for t in extraction.tables)),
            "department": ident.department or "", "fiscal_year": ident.fiscal_year or 0,
            "report_kind": ident.report_kind or "", "money_unit": ident.money_unit or "",
            "problems": extraction.problems[:50]}


def extract_stage(settings: Settings, report_id: str) -> StageResult:
    """Parse the tables, identity and narrative (in a child within the limits) and stage them as Parquet."""
    from yusuan.extract import empty_extraction

    stored = stored_file(settings.store_dir, check_report_id(report_id))
    try:
        extraction, (status, reason) = run_limited(_extract, stored.path, settings.expectations / "identities.yaml",
                                                   limits=settings.limits)
    except (LimitExceeded, ChildError) as e:
        extraction = empty_extraction()
        status = Status.REJECTED
        reason = str(e) if isinstance(e, LimitExceeded) else f"the PDF could not be parsed: {str(e)[:300]}"
    warehouse.stage_extraction(report_id, extraction, settings.extraction_dir(report_id), verdict=(status, reason))
    summary = _summary(extraction, status, reason)
    status = summary.pop("status")
    reason = summary.pop("reason")
    # the verdict becomes the report's status in the load stage, which records it
    return StageResult(report_id, stored.file_name, Status.EXTRACTED, reason,
                       {"file": stored.file_name, "verdict": status, "reason": reason or "", **summary})


# ---- extracted -> warehouse rows, the identities inside each table ---------------------------


def load_stage(settings: Settings, report_id: str, *, validate: bool = True,
               con: duckdb.DuckDBPyConnection | None = None) -> tuple[StageResult, list[Any], list[Any] | None]:
    """Load the staged extraction into the report's database and check the identities inside each
    table; returns the stage result, the GX family results (none when `validate` is False) and the
    identity instances (None when not checked)."""
    from yusuan.checks.results import blocking_failures
    from yusuan.checks.stage import check_stage

    stored = stored_file(settings.store_dir, check_report_id(report_id))
    staged = settings.extraction_dir(report_id)
    meta = warehouse.read_staged_report(staged)
    status, reason = meta["verdict"]
    families: list[Any] = []
    results: list[Any] | None = None  # None: not checked (not loadable)
    broken: list[Any] = []
    # a loadable report stays 'registered' until the conformed stage promotes or quarantines it
    # (an extraction staged by an earlier version says "loaded" for loadable)
    loadable = status in (Status.LOADABLE, "loaded")
    recorded = Status.REGISTERED if loadable else status
    with _opened(settings, report_id, con) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            counts = warehouse.load_report(con, report_id, staged, status=recorded, reason=reason,
                                           in_transaction=True)
            if loadable:
                sha = con.execute("SELECT sha256 FROM budget.reports WHERE report_id = ?", [report_id]).fetchone()
                results, families = check_stage(con, report_id, sha[0] if sha else "", "extracted",
                                                settings.expectations, validate=validate)
                broken = blocking_failures(results)
            con.execute("COMMIT")
        except Exception:
            rollback_quietly(con)
            raise
        preview = con.execute(
            "SELECT row_name, column_name, amount, unit FROM budget.line_items WHERE report_id = ? "
            "AND table_type = 'summary' ORDER BY row_seq, column_seq LIMIT 12", [report_id]).fetchall()
        if not loadable:
            _finish(settings, con, report_id)
    metadata = {"file": stored.file_name, "status": status, "reason": reason or "",
                "tables_found": counts["tables"], "line_items": counts["line_items"],
                "checks_passed": sum(1 for f in families if f.success),
                "checks_failed": sum(1 for f in families if not f.success),
                "identities_broken": len(broken), "summary_preview": preview}
    return StageResult(report_id, stored.file_name, recorded, reason, metadata), families, results


# ---- conformed ------------------------------------------------------------------------------


def conform_stage(settings: Settings, report_id: str, *, validate: bool = True,
                  con: duckdb.DuckDBPyConnection | None = None) -> tuple[StageResult, list[Any], list[Any] | None]:
    """Build the conformed facts, check the identities across tables and the narrative, decide the
    verdict (loaded or quarantined) and export the report's rows; returns the stage result, the GX family
    results (none when `validate` is False) and the identity instances (None when not checked)."""
    from yusuan.checks.results import record_verdict, report_verdict
    from yusuan.checks.stage import check_stage
    from yusuan.conform import conform_report
    from yusuan.vocabulary import vocabulary

    stored = stored_file(settings.store_dir, check_report_id(report_id))
    with _opened(settings, report_id, con) as con:
        row = con.execute("SELECT status, status_reason, sha256 FROM budget.reports WHERE report_id = ?",
                          [report_id]).fetchone()
        if row is None or row[0] != Status.REGISTERED:
            status = row[0] if row else "missing"
            return StageResult(report_id, stored.file_name, status, row[1] if row else None,
                               {"file": stored.file_name, "status": status, "conformed": 0}), [], None
        con.execute("BEGIN TRANSACTION")
        try:
            counts = conform_report(con, report_id)
            results, families = check_stage(con, report_id, row[2], "conformed", settings.expectations,
                                            validate=validate)
            flags = warehouse.read_staged_report(settings.extraction_dir(report_id))["verdict"][1]
            verdict = report_verdict(con, report_id, flags, {t.name for t in vocabulary().table_types if t.core})
            record_verdict(con, report_id, verdict)
            status, reason = verdict.status, verdict.reason
            con.execute("COMMIT")
        except Exception:
            rollback_quietly(con)
            raise
        _finish(settings, con, report_id)
    return StageResult(report_id, stored.file_name, status, reason, {
        "file": stored.file_name, "status": status, "reason": reason or "", "errors": verdict.errors,
        "warnings": verdict.warnings, "coverage": verdict.coverage,
        "conformed_amounts": counts["conformed_amounts"],
        "checks_passed": sum(1 for f in families if f.success),
        "checks_failed": sum(1 for f in families if not f.success)}), families, results


# ---- every stage --------------------------------------------------------------------------


@dataclass
class ReportRun:
    """What happened to one report in a batch: its stages' results, and the GX families per stage."""

    report_id: str
    file_name: str
    status: str
    reason: str | None
    stages: list[StageResult] = field(default_factory=list)
    families: dict[str, list[Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each stage
    # the identity instances of each checked stage, kept for validate_runs when GX was left to the batch
    instances: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def final(self) -> bool:
        return self.status in FINAL


def process_report(settings: Settings, report_id: str, *, first_ingested: Any = None,
                   requested_at: float | None = None, on_wait: Callable[[str], None] | None = None,
                   validate: bool = True) -> ReportRun:
    """Every stage of one report, stopping at the first final status, under the report's lock (yusuan.locks):
    a second run of the same report waits for the first. A report removed after the run was requested
    (`requested_at`) is not run again. An unexpected error is the run's result (status `failed`), never
    raised: the rest of the batch goes on. With `validate` False, GX is left to validate_runs (once for
    several reports); everything else, the verdict included, is decided here."""
    run = ReportRun(report_id, "", Status.FAILED.value, None)
    try:
        check_report_id(report_id)
        run.file_name = stored_file(settings.store_dir, report_id).file_name
        with report_lock(settings.staging_dir, report_id, on_wait=on_wait):
            if removed_since(settings.staging_dir, report_id, requested_at):
                run.reason = REMOVED_WHILE_WAITING
                return run
            _run_stages(settings, report_id, run, first_ingested, validate)
    except Exception as e:  # recorded as this report's failure; its last published version stays
        run.status, run.reason = Status.FAILED.value, f"{type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''}"
    return run


REMOVED_WHILE_WAITING = "removed (yusuan remove) after this run was asked for: not run again"


def _run_stages(settings: Settings, report_id: str, run: ReportRun, first_ingested: Any, validate: bool) -> None:
    con: duckdb.DuckDBPyConnection | None = None  # the work database, opened once for the load and conform stages
    try:
        for stage in ("raw", "extracted", "line_items", "conformed"):
            started = time.perf_counter()
            if stage == "raw":
                result = register_stage(settings, report_id, first_ingested=first_ingested)
            elif stage == "extracted":
                result = extract_stage(settings, report_id)
            elif stage in ("line_items", "conformed"):
                checked = "extracted" if stage == "line_items" else "conformed"
                step = load_stage if stage == "line_items" else conform_stage
                con = con or connect(settings, report_id)
                result, run.families[checked], instances = step(settings, report_id, validate=validate, con=con)
                if instances is not None:
                    run.instances[checked] = instances
            run.seconds[stage] = time.perf_counter() - started
            run.stages.append(result)
            run.status, run.reason = result.status, result.reason
            if result.final:
                break
    finally:
        if con is not None:
            con.close()


def validate_runs(settings: Settings, runs: list[ReportRun]) -> None:
    """GX's results for runs processed with `validate` False: one validation per stage for all of them, each
    report's families and its stages' check counts filled in as a validation of its own would have."""
    from yusuan.checks.stage import validate_batch

    for stage, index in (("extracted", 2), ("conformed", 3)):
        todo = [r for r in runs if stage in r.instances and len(r.stages) > index]
        if not todo:
            continue
        found = validate_batch(settings.expectations, stage, {r.report_id: r.instances[stage] for r in todo})
        for r in todo:
            families = r.families[stage] = found[r.report_id]
            meta = r.stages[index].metadata
            meta["checks_passed"] = sum(1 for f in families if f.success)
            meta["checks_failed"] = sum(1 for f in families if not f.success)


def exported(settings: Settings, report_id: str) -> Path | None:
    """The report's export folder when its last run ended with a final status."""
    out = settings.export_dir(report_id)
    return out if (out / "budget.reports.parquet").exists() else None


def publish_reports(settings: Settings, report_ids: list[str], publish: Callable[..., Any], *,
                    requested_at: float | None = None, warn: Callable[[str], None] | None = None) -> Any:
    """Publish the exports of reports that reached a final status (`publish(exported, remove)`, the resource's),
    each under its lock while its export is copied and released: no run of the same report rewrites it meanwhile.
    A report removed since the run was asked for, or whose export another run already published, is left out."""
    say = warn or (lambda _msg: None)
    with report_locks(settings.staging_dir, report_ids, on_wait=say), duckdb.connect() as con:
        ready = {}
        for report_id in report_ids:
            out = exported(settings, report_id)
            if removed_since(settings.staging_dir, report_id, requested_at):
                say(f"report {report_id}: {REMOVED_WHILE_WAITING}")
            elif out is None:
                say(f"report {report_id}: its export is gone (another run of it published it first, or it was "
                    "removed); not published by this run")
            elif (hollow := _hollow(con, out)) is not None:
                say(f"report {report_id}: its export is not whole ({hollow}); not published, its published "
                    "version is kept")
            else:
                ready[report_id] = out
        published = publish(ready, ())
        for report_id in ready:
            release(settings, report_id)
    return published


def _hollow(con: duckdb.DuckDBPyConnection, out: Path) -> str | None:
    """Why an export cannot be a whole report: a loaded or quarantined report without the tables it counts
    (`con`: an in-memory connection that reads its files)."""
    try:
        row = con.execute("SELECT status, tables_found FROM read_parquet(?)", [str(out / "budget.reports.parquet")]
                          ).fetchone()
        if row is None:
            return "no report row"
        status, tables = row
        if status in (Status.LOADED, Status.QUARANTINED):
            if not tables:
                return f"{status} with no table"
            listed = out / "extracted.tables.parquet"
            have = con.execute("SELECT count(*) FROM read_parquet(?)", [str(listed)]).fetchone() \
                if listed.exists() else (0,)
            if not have or have[0] != tables:
                return f"{tables} tables counted, {have[0] if have else 0} exported"
    except duckdb.Error as e:
        return str(e).splitlines()[0]
    return None


def release(settings: Settings, report_id: str) -> None:
    """After a publish: the report's database and export are in the published part now; only the
    staged extraction stays."""
    for path in (settings.work_db(report_id), Path(f"{settings.work_db(report_id)}.wal")):
        path.unlink(missing_ok=True)
    shutil.rmtree(settings.export_dir(report_id), ignore_errors=True)


def clear(settings: Settings, report_id: str) -> None:
    """Forget a report's intermediate files (its stored input is kept)."""
    shutil.rmtree(settings.report_dir(report_id), ignore_errors=True)


def ensure_dirs(settings: Settings) -> None:
    for d in (settings.store_dir, settings.staging_dir):
        os.makedirs(d, exist_ok=True)
