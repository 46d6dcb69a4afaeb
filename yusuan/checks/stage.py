"""A stage's checks on one report, as the pipeline runs them: evaluate, waive, validate with GX, record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from yusuan.checks.catalog import cached_catalog
from yusuan.checks.evaluate import evaluate, evaluate_tables
from yusuan.checks.instance import Instance
from yusuan.checks.results import apply_waivers, load_waivers, write_results
from yusuan.checks.suites import FamilyResult, run_suite, run_suite_by_report
from yusuan.view import Report


def check_stage(con: Any, report_id: str, sha256: str, stage: str,
                expectations_dir: Path, *, validate: bool = True) -> tuple[list[Instance], list[FamilyResult]]:
    """Evaluate a stage's identities on the report its database holds, apply the waivers, validate with the
    stage's GX suite and record every instance in budget.check_results (the caller owns the transaction).
    With `validate` False the GX validation is left to the caller (validate_batch: once for many reports)."""
    folder = Path(expectations_dir)
    catalog = cached_catalog(folder / "identities.yaml")
    view = Report.from_warehouse(con, report_id)
    if stage == "extracted":  # a table's own identities: each table's reading judged by them
        results, _ = evaluate_tables(view, catalog.for_stage(stage))
    else:
        results = evaluate(view, catalog.for_stage(stage))
    apply_waivers(results, sha256, load_waivers(folder / "waivers.yaml"))
    families = run_suite(folder / f"{stage}_suite.json", results) if validate else []
    write_results(con, report_id, stage, results)
    return results, families


def validate_batch(expectations_dir: Path, stage: str,
                   by_report: dict[str, list[Instance]]) -> dict[str, list[FamilyResult]]:
    """The GX results of a stage for several reports, from one validation of their instances."""
    return run_suite_by_report(Path(expectations_dir) / f"{stage}_suite.json", by_report)
