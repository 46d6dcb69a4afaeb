"""great-expectations at the stage boundaries: one suite (our own JSON) per boundary.

The identity instances of a stage (yusuan.checks.evaluate) become one pandas frame; each expectation of
the suite checks one family: no instance that is not waived exceeds its tolerance (`excess` = |difference|
- tolerance <= 0). GX is imported once per process, on first use (its import costs seconds), and runs in an
ephemeral context that writes nothing to disk.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from yusuan.checks.instance import Instance


@dataclass
class FamilyResult:
    family: str
    check_name: str
    severity: str
    success: bool
    evaluated: int
    failing: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None  # a GX exception: never read as a pass


@cache
def import_gx() -> Any:
    os.environ.setdefault("TQDM_DISABLE", "1")  # no "Calculating Metrics" progress bars in the logs
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    return gx


@cache
def batch_definition() -> Any:
    gx = import_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return (ctx.data_sources.add_pandas("identities").add_dataframe_asset("instances")
            .add_batch_definition_whole_dataframe("report"))


def load_suite(path: Path) -> Any:
    gx = import_gx()
    return gx.ExpectationSuite(**json.loads(Path(path).read_text(encoding="utf-8")))


def _frame(by_report: dict[str, list[Instance]]) -> Any:
    import pandas as pd

    rows = [(report, r) for report, results in by_report.items() for r in results]
    if not rows:  # GX needs a row to validate: one that passes every family
        return pd.DataFrame({"report": [""], "family": [""], "identity": [""], "instance": [""], "excess": [-1.0],
                             "waived": [0]})
    return pd.DataFrame({
        "report": [report for report, _ in rows],
        "family": [r.family for _, r in rows],
        "identity": [r.identity for _, r in rows],
        "instance": [r.instance for _, r in rows],
        # the sign is all GX needs; the exact figures stay DECIMAL in budget.check_results
        "excess": [float(r.excess) for _, r in rows],
        "waived": [1 if r.waived else 0 for _, r in rows],
    }, columns=["report", "family", "identity", "instance", "excess", "waived"])


def run_suite(suite_path: Path, results: list[Instance]) -> list[FamilyResult]:
    """Validate a stage's identity instances with its GX suite; one result per family."""
    return run_suite_by_report(suite_path, {"": results})[""]


def run_suite_by_report(suite_path: Path, by_report: dict[str, list[Instance]]) -> dict[str, list[FamilyResult]]:
    """Validate the identity instances of several reports with the stage's GX suite in one validation (GX's
    set-up and its graph of metrics are paid once for a batch, not once a report); one result per family and
    report, as if each report had been validated alone: a family fails a report when one of that report's
    instances is unexpected."""
    try:
        suite = load_suite(suite_path)
        batch = batch_definition().get_batch(batch_parameters={"dataframe": _frame(by_report)})
        validation = batch.validate(suite, result_format={
            "result_format": "COMPLETE", "unexpected_index_column_names": ["report", "identity", "instance"]})
    except Exception as e:  # GX itself failed: every family of every report says so, none reads as a pass
        failure = f"GX could not validate the {Path(suite_path).name}: {type(e).__name__}: {e}"
        return {report: [_family(meta, [r for r in results if r.family == meta["family"]], [], failure)
                         for meta in suite_families(suite_path)] for report, results in by_report.items()}
    out: dict[str, list[FamilyResult]] = {report: [] for report in by_report}
    for res in validation.results:
        meta = res.expectation_config.meta or {}
        info = res.exception_info or {}
        error = str(info.get("exception_message")) if info.get("raised_exception") else None
        unexpected: dict[str, list[dict[str, Any]]] = {}
        for row in (res.result or {}).get("unexpected_index_list") or []:
            unexpected.setdefault(row["report"], []).append(row)
        for report, results in by_report.items():
            out[report].append(_family(meta, [r for r in results if r.family == meta["family"]],
                                       unexpected.get(report, []), error))
    return out


def suite_families(suite_path: Path) -> list[dict[str, Any]]:
    """The family of each expectation of a suite (its meta), read from our JSON without GX."""
    suite = json.loads(Path(suite_path).read_text(encoding="utf-8"))
    return [e.get("meta") or {} for e in suite.get("expectations", [])]


def _family(meta: dict[str, Any], mine: list[Instance], unexpected: list[dict[str, Any]],
            error: str | None) -> FamilyResult:
    by_key = {(r.identity, r.instance): r for r in mine}
    failing = []
    for row in unexpected:
        r = by_key.get((row["identity"], row["instance"]))
        if r is not None:
            failing.append({"identity": r.identity, "instance": r.instance, "lhs": _text(r.lhs), "rhs": _text(r.rhs),
                            "difference": _text(r.difference), "tolerance": _text(r.tolerance),
                            "table": r.table_no or r.table_type, "page": r.page})
    counts: dict[str, int] = {}
    for r in mine:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    return FamilyResult(family=meta["family"], check_name=meta["check_name"], severity=meta["severity"],
                        success=not unexpected and error is None, evaluated=len(mine),
                        failing=failing, counts=counts, error=error)


def _text(value: object) -> str | None:
    """A figure as exact decimal text for the run's metadata (None stays None, never the text "None")."""
    return None if value is None else str(value)


def write_suites(catalog_families: dict[str, dict[str, str]], folder: Path) -> list[Path]:
    """(Re)write the suite JSON files from the catalog's families: one suite per stage boundary."""
    paths = []
    for stage in sorted({f["stage"] for f in catalog_families.values()}):
        expectations = []
        for family, spec in catalog_families.items():
            if spec["stage"] != stage:
                continue
            expectations.append({
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "excess", "max_value": 0.0, "row_condition": {"type": "and", "conditions": [
                    {"type": "comparison", "column": {"name": "family"}, "operator": "==", "parameter": family},
                    {"type": "comparison", "column": {"name": "waived"}, "operator": "==", "parameter": 0}]}},
                "meta": {"family": family, "check_name": spec["check"], "severity": spec["severity"],
                         "identity": spec["description"]},
            })
        path = Path(folder) / f"{stage}_suite.json"
        path.write_text(json.dumps({"name": f"{stage}_identities", "expectations": expectations},
                                   ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def across_families(expectations_dir: Path, found: list[tuple[str, Instance]]) -> list[FamilyResult]:
    """The checks across reports (each instance with its stating report), validated with the published suite."""
    return run_suite(Path(expectations_dir) / "published_suite.json", [inst for _, inst in found])
