"""The checks across the published reports of a warehouse, as the publishing step records them.

The identities of the catalog's published stage (the rules across reports, yusuan.checks.rules.across) are
evaluated over the warehouse's corpus (yusuan.checks.corpus.Corpus) by yusuan.checks.evaluate.evaluate_across,
and the waivers (waivers.yaml beside the catalog) applied: a waiver names the stating report's sha256.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from yusuan.checks.catalog import load_catalog
from yusuan.checks.evaluate import evaluate_across
from yusuan.checks.instance import Instance
from yusuan.checks.results import apply_waivers, load_waivers


def across_results(con: Any, catalog_path: Path, stating: set[str] | None = None) -> list[tuple[str, Instance]]:
    """The cross-report instances of the catalog over the published warehouse `con` (a DuckDB connection, read
    only is enough), each with its stating report's id, waivers applied; with `stating`, only those these
    reports state."""
    catalog = load_catalog(Path(catalog_path))
    found = evaluate_across(con, catalog.for_stage("published"), stating)
    waivers = load_waivers(Path(catalog_path).with_name("waivers.yaml"))
    if waivers:
        sha = dict(con.execute("SELECT report_id, sha256 FROM budget.reports").fetchall())
        for report_id, inst in found:
            apply_waivers([inst], sha.get(report_id) or "", waivers)
    return found
