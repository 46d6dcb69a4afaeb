"""The review pages against a bare pdfplumber pass over the same pages, in the same run.

Ingests every PDF of data/samples (or the files given) through the batch job, then writes each report's
review page from the published warehouse (`yusuan review`) and prints, per report and in all: the
seconds, the pages rendered (only those a finding points to, each once), the crops cut, the page's size,
and the ratio to one bare `page.extract_tables()` pass over the report's pages.

    python benchmarks/bench_review.py [PDF...]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    from bench_pipeline import bare_pass, batch

    from yusuan import review

    files = [Path(a) for a in sys.argv[1:]] or sorted((ROOT / "data" / "samples").glob("*.pdf"))
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        batch(files, data)
        con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
        reports = con.execute("SELECT report_id, file_name FROM budget.reports ORDER BY file_name").fetchall()
        by_name = {p.name: p for p in files}
        print(f"{'report':44} {'review s':>8} {'bare s':>7} {'ratio':>6} {'pages':>6} {'crops':>6} {'kB':>6}")
        total_review = total_bare = 0.0
        rendered: list[int] = []
        original = review.Pages.image

        def counted(self: review.Pages, page: int) -> object:
            if page not in self.rendered:
                rendered.append(page)
            return original(self, page)

        review.Pages.image = counted  # type: ignore[method-assign]
        crops: list[int] = []
        original_cut = review.Pages.cut

        def cut(self: review.Pages, *a: object) -> review.Crop:
            crops.append(1)
            return original_cut(self, *a)  # type: ignore[arg-type]

        review.Pages.cut = cut  # type: ignore[method-assign]
        for report_id, name in reports:
            pdf = data / "store" / f"{report_id}.pdf"
            rendered.clear()
            crops.clear()
            started = time.perf_counter()
            out = review.write_review(con, report_id, pdf, Path(tmp) / "review" / f"{report_id}.html")
            seconds = time.perf_counter() - started
            bare, _ = bare_pass([by_name.get(name, pdf)]) if name.endswith(".pdf") else (0.0, 0)
            total_review += seconds
            total_bare += bare
            ratio = f"{seconds / bare:6.2f}" if bare else "     -"
            print(f"{name[:44]:44} {seconds:8.2f} {bare:7.2f} {ratio} {len(rendered):6} {len(crops):6} "
                  f"{out.stat().st_size // 1000:6}")
        print(f"{len(reports)} reports: {total_review:.1f} s of review pages ({total_review / len(reports):.2f} s a report), "
              f"{total_bare:.1f} s of bare pdfplumber passes; ratio {total_review / total_bare:.2f}")


if __name__ == "__main__":
    main()
