"""Scale: N distinct, internally consistent reports ingested in batches into one warehouse.

The reports are drawn with reportlab from figures that follow from a seed (tests/synthetic.py: every
total is the sum of its parts, so each report loads clean). They are ingested batch after batch
through the Dagster batch job, as `yusuan ingest` runs it, into one warehouse. Per batch it prints the
seconds per report, the peak memory of the whole process tree (the run, its step processes and their
parsing children), the size of the warehouse, the publish time and the time of an analyst query.

The machine's own speed is measured beside each batch: after it, a bare pdfplumber `extract_tables()`
pass over the same few drawn reports, in one process (the best of two). The batch's ratio is its wall
time against that pass's time a page times the batch's pages, as `bench_pipeline.py` compares a whole
batch with a bare pass. A machine that runs slower late in the run (a busy neighbour, a throttled
core) raises both the seconds a report and the bare pass; a pipeline that slows as the warehouse grows
raises only the ratio. Then it compares the first and last batches, by both, and projects N = 10,000.

    python benchmarks/bench_scale.py [N] [BATCH]        (defaults 1000 and 100)
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]


def tree_memory(root: int) -> int:
    """Memory of a process and all its descendants (Linux /proc): the proportional set size, so that
    pages the forked step processes share are counted once."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
                total += next(int(line.split()[1]) * 1024 for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            pass
        todo += [p for p, pp in parents.items() if pp == pid]
    return total


class PeakMemory:
    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_memory(os.getpid()))
            self._stop.wait(1.0)  # reading smaps_rollup costs the kernel time: more often would slow the run

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


def bare_pass(files: list[Path]) -> float:
    """Seconds a page of a bare pdfplumber `extract_tables()` pass over the files, the best of two."""
    from bench_pipeline import bare_pass as one_pass

    runs = [one_pass(files) for _ in range(2)]
    return min(seconds for seconds, _ in runs) / max(runs[0][1], 1)


def draw(n: int, folder: Path) -> list[Path]:
    """N synthetic reports, drawn on every core."""
    from concurrent.futures import ProcessPoolExecutor

    import synthetic

    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"synthetic-{i:05d}.pdf" for i in range(n)]
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        list(pool.map(synthetic.build, paths, range(n), chunksize=50))
    return paths


def size_of(*paths: Path) -> int:
    total = 0
    for p in paths:
        if p.is_file():
            total += p.stat().st_size
        elif p.is_dir():
            total += sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
    return total


def main() -> None:
    import dagster as dg
    import duckdb
    from dagster._core.instance.ref import InstanceRef

    from pipelines.definitions import batch_job
    from pipelines.jobs import execution_config
    from yusuan.store import add_to_store

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
    tmp = Path(tempfile.mkdtemp(prefix="yusuan-scale-"))
    try:
        data = tmp / "data"
        home = tmp / "dagster"
        home.mkdir(parents=True)
        shutil.copy(ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
        os.environ["DAGSTER_HOME"] = str(home)
        instance = dg.DagsterInstance.from_ref(InstanceRef.from_dir(
            str(home), overrides={"python_logs": {"python_log_level": "ERROR"}}))
        started = time.perf_counter()
        pdfs = draw(n, tmp / "pdfs")
        pages = _pages(pdfs)
        calibration = pdfs[:3]  # the machine's speed, measured on the same pages after every batch
        print(f"{n} reports ({pages} pages) drawn in {time.perf_counter() - started:.0f} s; batches of {size}, "
              f"{os.cpu_count()} cores")
        print(f"{'batch':>5} {'reports':>7} {'s/report':>9} {'peak MB':>8} {'warehouse MB':>13} {'publish s':>10} "
              f"{'query s':>8} {'loaded':>7} {'bare ms/page':>13} {'ratio':>6}  (loaded or superseded: synthetic bodies "
              "repeat; ratio: the batch's wall time against a bare pdfplumber pass over its pages)")
        rows = []
        warehouse = data / "warehouse.duckdb"
        for b in range(0, n, size):
            batch = pdfs[b:b + size]
            ids = [add_to_store(p, data / "store").report_id for p in batch]
            instance.add_dynamic_partitions("reports", ids)
            t0 = time.perf_counter()
            with PeakMemory() as memory, dg.execute_job(dg.reconstructable(batch_job), instance=instance, run_config={
                    "resources": {"yusuan": {"config": {"data_dir": str(data)}}},
                    "ops": {"batch_reports": {"config": {"reports": ids}}}, "execution": execution_config(len(ids)),
                    "loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}) as result:
                assert result.success, "the batch run failed"
                published = result.output_for_node("publish_batch")
            seconds = time.perf_counter() - t0
            q0 = time.perf_counter()
            con = duckdb.connect(str(warehouse), read_only=True)
            loaded = con.execute("SELECT count(*) FROM budget.reports WHERE status IN ('loaded', 'superseded')").fetchone()[0]  # type: ignore[index]
            con.execute("SELECT function_code, sum(amount_yuan) FROM budget.expenditure_by_function "
                        "WHERE measure = 'total' GROUP BY 1").fetchall()
            con.close()
            query = time.perf_counter() - q0
            mb = size_of(warehouse, warehouse.with_name(warehouse.stem + ".parts")) / 1e6
            bare = bare_pass(calibration)
            ratio = seconds / (bare * _pages(batch))
            rows.append((b // size + 1, len(batch), seconds / len(batch), memory.peak / 1e6, mb,
                         published["seconds"], query, loaded, bare, ratio))
            print(f"{rows[-1][0]:5d} {rows[-1][1]:7d} {rows[-1][2]:9.3f} {rows[-1][3]:8.0f} {rows[-1][4]:13.1f} "
                  f"{rows[-1][5]:10.2f} {rows[-1][6]:8.2f} {rows[-1][7]:7d} {bare * 1000:13.1f} {ratio:6.3f}",
                  flush=True)
        first, last = rows[0], rows[-1]
        print(f"seconds per report: first batch {first[2]:.3f}, last batch {last[2]:.3f} "
              f"({(last[2] / first[2] - 1) * 100:+.1f}%); the bare pass a page: {first[8] * 1000:.1f} ms, then "
              f"{last[8] * 1000:.1f} ms ({(last[8] / first[8] - 1) * 100:+.1f}%); ratio to the bare pass: first "
              f"{first[9]:.3f}, last {last[9]:.3f} ({(last[9] / first[9] - 1) * 100:+.1f}%)")
        print(f"peak memory of the process tree (proportional set size): {max(r[3] for r in rows):.0f} MB")
        print(f"publish time: first {first[5]:.2f} s, last {last[5]:.2f} s")
        per_report_mb = last[4] / n
        batches = 10_000 / size
        if n < 10_000:
            print(f"projection for N = 10,000 in batches of {size}: about {last[2] * 10_000 / 3600:.1f} h of ingest, "
                  f"a warehouse of {per_report_mb * 10_000 / 1000:.1f} GB, {batches:.0f} parts; publish took "
                  f"{first[5]:.1f} s for the first batch and {last[5]:.1f} s for the last (the first runs every check "
                  f"across reports; later ones only those the batch reaches); an analyst query about "
                  f"{max(last[6], last[6] + (last[6] - first[6]) * (10_000 - n) / max(n - size, 1)):.2f} s "
                  "(growing as it did here)")
        # one night for China's year: 300,000 reports of about 30 pages (9 million pages), each worker a machine
        # like this one running the same batches (the distributed executor of the README)
        per_page = last[2] * n / pages  # seconds of this machine a page, in the last batch
        night = 10 * 3600
        workers = -(-int(9_000_000 * per_page) // night)
        print(f"one night (10 h) for 300,000 reports, 9 million pages: {per_page * 1000:.1f} ms a page on this "
              f"{os.cpu_count()}-core machine (last batch) makes {9_000_000 * per_page / 3600:,.0f} machine-hours, "
              f"about {workers} such workers on the distributed executor (synthetic pages; real ones cost more: "
              "multiply by the ratio of ../shared/breadth's seconds a page to this)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _pages(paths: list[Path]) -> int:
    import pypdfium2 as pdfium

    total = 0
    for p in paths:
        doc = pdfium.PdfDocument(str(p))
        total += len(doc)
        doc.close()
    return total


if __name__ == "__main__":
    main()
