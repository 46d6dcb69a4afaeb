"""What the identity checks cost per report, beyond the one-off GX import.

Loads data/samples (or the files given) into a temporary warehouse with the library (no
Dagster), then, per loaded report and stage: seconds to read the report's view and evaluate its
identities, and seconds for the GX suite. Prints figures; asserts nothing.

    python benchmarks/bench_checks.py [PDF...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from yusuan import warehouse
from yusuan.checks.catalog import load_catalog
from yusuan.checks.evaluate import evaluate
from yusuan.checks.suites import batch_definition, import_gx, run_suite
from yusuan.conform import conform_report
from yusuan.extract import extract_report, verdict
from yusuan.register import register_pdf
from yusuan.status import Status
from yusuan.view import Report

ROOT = Path(__file__).resolve().parents[1]
EXPECTATIONS = ROOT / "expectations"


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]] or sorted((ROOT / "data" / "samples").glob("*.pdf"))
    t0 = time.perf_counter()
    import_gx()
    batch_definition()
    print(f"GX import and ephemeral context, once per process: {time.perf_counter() - t0:.2f} s")
    catalog = load_catalog(EXPECTATIONS / "identities.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        con = warehouse.connect(Path(tmp) / "w.duckdb")
        print(f"{'file':42} {'instances':>9} {'rules s':>7} {'GX s':>6} {'total s':>8}")
        for path in files:
            reg = register_pdf(path)
            ex = extract_report(path)
            status, reason = verdict(ex)
            warehouse.record_registration(con, reg, status="registered", reason=None)
            staged = warehouse.stage_extraction(reg.report_id, ex, Path(tmp) / "staging" / reg.report_id,
                                                 verdict=(status, reason))
            warehouse.load_report(con, reg.report_id, staged, status=status, reason=reason)
            if status != Status.LOADABLE:
                print(f"{path.name:42} {'(' + status + ')':>9}")
                continue
            conform_report(con, reg.report_id)
            sql = gx = 0.0
            n = 0
            for stage in ("extracted", "conformed"):
                t1 = time.perf_counter()
                results = evaluate(Report.from_warehouse(con, reg.report_id), catalog.for_stage(stage))
                t2 = time.perf_counter()
                run_suite(EXPECTATIONS / f"{stage}_suite.json", results)
                t3 = time.perf_counter()
                sql += t2 - t1
                gx += t3 - t2
                n += len(results)
            print(f"{path.name:42} {n:9d} {sql:7.2f} {gx:6.2f} {sql + gx:8.2f}")


if __name__ == "__main__":
    main()
