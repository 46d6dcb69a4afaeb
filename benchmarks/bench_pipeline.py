"""The whole pipeline against a bare pdfplumber pass over the same pages, in the same run.

Ingests every PDF of data/samples (the sample and the real reports; or the files given) as one batch
through the Dagster batch job, the way `yusuan ingest` does (multiprocess executor, a step per report
on every core, one publish), and prints:
- the wall time of the whole pipeline, of a bare `page.extract_tables()` pass over the same pages
  (one process, as a reader of the PDFs would do it) run before it and again after it, and the ratio of
  the pipeline to the mean of the two passes: a machine whose speed drifts during the run (a busy
  neighbour on the host) weighs on both sides alike;
- the split by stage (seconds summed over the reports, as the steps measured them) and the publish;
- with --compare, the same batch run report by report with the in-process asset job (the per-partition
  runs the UI launches), for the choice of machinery.

    python benchmarks/bench_pipeline.py [--compare] [PDF...]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pdfplumber

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def bare_pass(files: list[Path]) -> tuple[float, int]:
    started = time.perf_counter()
    pages = 0
    for path in files:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_tables()
            pages += len(pdf.pages)
    return time.perf_counter() - started, pages


def batch(files: list[Path], data: Path) -> tuple[float, dict[str, Any], dict[str, Any]]:
    import dagster as dg

    from pipelines.definitions import batch_job
    from pipelines.jobs import execution_config
    from yusuan.store import add_to_store

    started = time.perf_counter()
    ids = [add_to_store(p, data / "store").report_id for p in files]
    os.environ["DAGSTER_HOME"] = str(data / "dagster")
    (data / "dagster").mkdir(parents=True, exist_ok=True)
    (data / "dagster" / "dagster.yaml").write_text((ROOT / ".dagster_home" / "dagster.yaml").read_text())
    from dagster._core.instance.ref import InstanceRef

    instance = dg.DagsterInstance.from_ref(InstanceRef.from_dir(
        str(data / "dagster"), overrides={"python_logs": {"python_log_level": "ERROR"}}))
    instance.add_dynamic_partitions("reports", ids)
    with dg.execute_job(dg.reconstructable(batch_job), instance=instance, run_config={
            "resources": {"yusuan": {"config": {"data_dir": str(data)}}},
            "ops": {"batch_reports": {"config": {"reports": ids}}}, "execution": execution_config(len(ids)),
            "loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}) as result:
        assert result.success
        steps = {r["report_id"]: r for share in result.output_for_node("ingest_reports").values() for r in share}
        published = result.output_for_node("publish_batch")
    return time.perf_counter() - started, steps, published


def sequential(files: list[Path], data: Path) -> float:
    import dagster as dg

    from pipelines.definitions import defs
    from yusuan.store import add_to_store

    started = time.perf_counter()
    ids = [add_to_store(p, data / "store").report_id for p in files]
    job = defs.resolve_job_def("ingest_job")
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("reports", ids)
        for rid in ids:
            job.execute_in_process(partition_key=rid, instance=instance, raise_on_error=False,
                                   run_config={"resources": {"yusuan": {"config": {"data_dir": str(data)}}},
                                               "loggers": {"console": {"config": {"log_level": "CRITICAL"}}}})
    return time.perf_counter() - started


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    files = [Path(a) for a in args] or sorted((ROOT / "data" / "samples").glob("*.pdf"))
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
    before, pages = bare_pass(files)
    with tempfile.TemporaryDirectory() as tmp:
        wall, steps, published = batch(files, Path(tmp) / "batch")
        after, _ = bare_pass(files)
        bare = (before + after) / 2
        stages: dict[str, float] = {}
        statuses: dict[str, int] = {}
        for value in steps.values():
            statuses[value["status"]] = statuses.get(value["status"], 0) + 1
            for stage, seconds in value["seconds"].items():
                stages[stage] = stages.get(stage, 0.0) + seconds
        print(f"batch: {len(files)} reports, {pages} pages, {os.cpu_count()} cores; {statuses}")
        print(f"bare pdfplumber extract_tables() pass, one process: {bare:7.1f} s "
              f"(the mean of {before:.1f} s before the pipeline and {after:.1f} s after it)")
        print(f"whole pipeline (yusuan's batch job, end to end):    {wall:7.1f} s   ratio {wall / bare:.2f}")
        print("split by stage (seconds summed over the reports' steps; they run on every core at once):")
        for stage in ("raw", "extracted", "line_items", "conformed"):
            print(f"  {stage:10} {stages.get(stage, 0.0):7.1f} s")
        print(f"  {'publish':10} {published['seconds']:7.2f} s (one part, {published['published']} reports)")
        other = wall - sum(stages.values()) / (os.cpu_count() or 1) - published["seconds"]
        print(f"  the rest (Dagster start-up, step processes, event log), about {max(other, 0):.1f} s of wall time")
        if "--compare" in sys.argv:
            seq = sequential(files, Path(tmp) / "sequential")
            print(f"the same batch as one in-process asset run per report, one after another: {seq:7.1f} s   "
                  f"ratio {seq / bare:.2f}")


if __name__ == "__main__":
    main()
