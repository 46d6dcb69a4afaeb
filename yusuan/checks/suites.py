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


def _frame(results: list[Instance]) -> Any:
    import pandas as pd

    return pd.DataFrame({
        "family": [r.family for r in results],
        "identity": [r.identity for r in results],
        "instance": [r.instance for r in results],
        # the sign is all GX needs; the exact figures stay DECIMAL in budget.check_results
        "excess": [float(r.excess) for r in results],
        "waived": [1 if r.waived else 0 for r in results],
    }, columns=["family", "identity", "instance", "excess", "waived"])


def run_suite(suite_path: Path, results: list[Instance]) -> list[FamilyResult]:
    """Validate a stage's identity instances with its GX suite; one result per family."""
    suite = load_suite(suite_path)
    frame = _frame(results)
    if frame.empty:  # GX needs a row to validate; an empty report passes every family
        frame = _frame([])
        frame.loc[0] = ["", "", "", -1.0, 0]
    batch = batch_definition().get_batch(batch_parameters={"dataframe": frame})
    validation = batch.validate(suite, result_format={
        "result_format": "COMPLETE", "unexpected_index_column_names": ["identity", "instance"]})
    by_key = {(r.identity, r.instance): r for r in results}
    out = []
    for res in validation.results:
        meta = res.expectation_config.meta or {}
        family = meta["family"]
        mine = [r for r in results if r.family == family]
        error = None
        info = res.exception_info or {}
        if info.get("raised_exception"):
            error = str(info.get("exception_message"))
        failing = []
        for row in (res.result or {}).get("unexpected_index_list") or []:
            r = by_key.get((row["identity"], row["instance"]))
            if r is not None:
                failing.append({"identity": r.identity, "instance": r.instance, "lhs": _text(r.lhs), "rhs": _text(r.rhs),
                                "difference": _text(r.difference), "tolerance": _text(r.tolerance),
                                "table": r.table_no or r.table_type, "page": r.page})
        counts: dict[str, int] = {}
        for r in mine:
            counts[r.outcome] = counts.get(r.outcome, 0) + 1
        out.append(FamilyResult(family=family, check_name=meta["check_name"], severity=meta["severity"],
                                success=bool(res.success) and error is None, evaluated=len(mine),
                                failing=failing, counts=counts, error=error))
    return out


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
