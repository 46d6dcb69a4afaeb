"""The cost of a page, stage by stage, against a bare pdfplumber pass over the same pages, in the same run.

1. A bare pdfplumber pass: every page's `extract_tables()`, one process (CPU time).
2. yusuan's stages run in-process on every PDF (data/samples, or the files given), one report after another, then
   one publish: their CPU time, split by stage. The split is cProfile's exclusive time per function, grouped by
   the module it belongs to (a C function's time goes to the module that called it), and scaled to the CPU time
   of the same run without the profiler (profiling slows Python more than C):
   - open (the file, its pages), chars (the content streams parsed: yusuan/reader.py and pdfminer), ruled tables (pdfplumber's
     table finder), grid, recognise (titles, headers, rows, forms, readings), narrative, identity, extract (the
     rest of the extraction);
   - load, checks (the rules), GX (great-expectations), conform, the review page, publish; the rest.
3. The same files through the Dagster batch job (bench_pipeline's run): its wall time against the bare pass's,
   and Dagster's overhead, per batch and per report, estimated as the wall time the steps do not account for.

    python benchmarks/bench_stages.py [PDF...]
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# the stage a function's module belongs to: the first fragment of its file path that matches
GROUPS: tuple[tuple[str, str], ...] = (
    ("pdfplumber/table.py", "ruled tables"), ("pdfminer/", "chars"), ("yusuan/reader.py", "chars"),
    ("pdfplumber/page.py", "chars"),
    ("pdfplumber/utils", "chars"), ("pdfplumber/pdf.py", "open"), ("pypdfium2", "open"), ("pdfplumber/", "chars"),
    ("yusuan/grid.py", "grid"), ("yusuan/recognise.py", "recognise"), ("yusuan/tables.py", "recognise"),
    ("yusuan/forms.py", "recognise"), ("yusuan/reading.py", "recognise"), ("yusuan/vocabulary.py", "recognise"),
    ("yusuan/narrative.py", "narrative"), ("yusuan/identify.py", "identity"), ("yusuan/register.py", "identity"),
    ("yusuan/extract.py", "extract"), ("yusuan/money.py", "extract"),
    ("great_expectations", "GX"), ("yusuan/checks/suites.py", "GX"), ("yusuan/checks/stage.py", "GX"),
    ("yusuan/checks/", "checks"), ("yusuan/view.py", "checks"),
    ("yusuan/conform.py", "conform"), ("yusuan/three_public.py", "conform"),
    ("yusuan/review.py", "review page"), ("PIL/", "review page"),
    ("yusuan/publish/", "publish"), ("yusuan/warehouse.py", "load"), ("yusuan/stages.py", "load"),
    ("yusuan/schema.py", "load"), ("duckdb", "load"),
)
ORDER = ("open", "chars", "ruled tables", "grid", "recognise", "narrative", "identity", "extract", "load", "checks",
         "GX", "conform", "review page", "publish", "the rest")


def group_of(filename: str) -> str | None:
    return next((g for fragment, g in GROUPS if fragment in filename), None)


def bare_pass(files: list[Path]) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, pages) of one extract_tables() pass over every page."""
    cpu, wall, pages = time.process_time(), time.perf_counter(), 0
    for path in files:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_tables()
            pages += len(pdf.pages)
    return time.process_time() - cpu, time.perf_counter() - wall, pages


def library(files: list[Path], data: Path, profile: cProfile.Profile | None) -> float:
    """CPU seconds of every stage of every report in this process, then one publish."""
    import yusuan.stages as stages
    from pipelines.resources import YusuanConfig
    from yusuan.store import add_to_store

    stages.run_limited = lambda fn, *args, limits: fn(*args)  # the extraction in this process, to be measured
    resource = YusuanConfig(data_dir=str(data))
    settings = resource.settings()
    stages.ensure_dirs(settings)
    ids = [add_to_store(p, settings.store_dir).report_id for p in files]
    started = time.process_time()
    if profile:
        profile.enable()
    for rid in ids:
        stages.process_report(settings, rid)
    stages.publish_reports(settings, ids, resource.publish)
    if profile:
        profile.disable()
    return time.process_time() - started


def split(profile: cProfile.Profile) -> dict[str, float]:
    """Exclusive seconds by stage; a built-in's time goes to the stage of its callers, as they called it."""
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    out: dict[str, float] = defaultdict(float)
    for (filename, _, name), (_, _, tottime, _, callers) in stats.items():
        group = group_of(filename) or (group_of(name) if filename == "~" else None)
        if group is None and filename == "~" and callers:
            total = sum(c[2] for c in callers.values()) or 1.0
            for (cfile, _, _), c in callers.items():
                out[group_of(cfile) or "the rest"] += tottime * c[2] / total
            continue
        out[group or "the rest"] += tottime
    return out


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]] or sorted((ROOT / "data" / "samples").glob("*.pdf"))
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
    bare_cpu, bare_wall, pages = bare_pass(files)
    with tempfile.TemporaryDirectory() as tmp:
        cpu = library(files, Path(tmp) / "plain", None)
        profile = cProfile.Profile()
        profiled = library(files, Path(tmp) / "profiled", profile)
        shares = split(profile)
        from bench_pipeline import batch

        wall, steps, published = batch(files, Path(tmp) / "batch")
        _, bare_after, _ = bare_pass(files)  # the batch is compared with the mean of the passes before and after
    scale = cpu / (sum(shares.values()) or 1.0)
    ms = 1000 / pages
    print(f"{len(files)} reports, {pages} pages, {os.cpu_count()} cores")
    print(f"bare pdfplumber extract_tables() pass: {bare_cpu:7.1f} s CPU ({bare_cpu * ms:6.1f} ms a page), "
          f"{bare_wall:.1f} s wall")
    print(f"yusuan's stages in one process:         {cpu:7.1f} s CPU ({cpu * ms:6.1f} ms a page), "
          f"ratio {cpu / bare_cpu:.2f} (profiled run: {profiled:.1f} s)")
    print("CPU milliseconds a page, by stage (exclusive time, scaled to the unprofiled run):")
    for stage in ORDER:
        seconds = shares.get(stage, 0.0) * scale
        print(f"  {stage:13} {seconds * ms:7.2f} ms   {100 * seconds / cpu:5.1f} %")
    in_steps = sum(sum(v["seconds"].values()) for v in steps.values())
    cores = min(os.cpu_count() or 1, len(files))
    overhead = max(wall - in_steps / cores - published["seconds"], 0.0)
    bare_mean = (bare_wall + bare_after) / 2
    print(f"the Dagster batch job, end to end: {wall:.1f} s wall, ratio {wall / bare_mean:.2f} against the bare pass's "
          f"wall time (the mean of {bare_wall:.1f} s at the start and {bare_after:.1f} s after the batch)")
    print(f"  Dagster's overhead (wall time the steps and the publish do not account for): about {overhead:.1f} s a "
          f"batch of {len(files)}, {overhead / len(files):.2f} s a report")


if __name__ == "__main__":
    main()
