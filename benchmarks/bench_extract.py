"""Extraction speed against a bare pdfplumber pass over the same pages.

For each PDF in data/samples (or the files given): pages, seconds for `extract_report`
(the library alone), seconds for a plain `page.extract_tables()` over every page, and the
ratio. Best of three runs each. Prints figures; asserts nothing.

    python benchmarks/bench_extract.py [PDF...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pdfplumber

from yusuan.extract import extract_report

ROOT = Path(__file__).resolve().parents[1]


def bare_pass(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_tables()
        return len(pdf.pages)


def best_of(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]] or sorted((ROOT / "data" / "samples").glob("*.pdf"))
    print(f"{'file':42} {'pages':>5} {'library s':>10} {'pdfplumber s':>13} {'ratio':>6}")
    total_lib = total_bare = 0.0
    for path in files:
        pages = bare_pass(path)
        lib = best_of(lambda p=path: extract_report(p))
        bare = best_of(lambda p=path: bare_pass(p))
        total_lib += lib
        total_bare += bare
        print(f"{path.name:42} {pages:5d} {lib:10.2f} {bare:13.2f} {lib / bare:6.2f}")
    print(f"{'all':42} {'':5} {total_lib:10.2f} {total_bare:13.2f} {total_lib / total_bare:6.2f}")


if __name__ == "__main__":
    main()
