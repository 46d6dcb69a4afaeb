"""What boxing the prose's claims costs as the prose grows (yusuan/narrative.py: ProseLines).

The sample's 情况说明 pages (their paragraphs with line boxes, as extracted) are repeated to make 25, 50, 100
and 400 pages of prose; the claims are read and every claim's sentence boxed. Prints seconds, and seconds per
page, for each length: linear work keeps the second figure flat. Asserts nothing.

    python benchmarks/bench_narrative.py [PAGES...]
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from yusuan.extract import extract_report
from yusuan.narrative import extract_claims

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "wuchang-kjj-2024-budget.pdf"


def main(lengths: list[int]) -> None:
    prose = [p for p in extract_report(SAMPLE).narrative if p.line_boxes]
    pages = sorted({p.page for p in prose})
    print(f"the sample's prose: {len(prose)} paragraphs on {len(pages)} page(s)")
    print(f"{'pages':>6} {'paragraphs':>11} {'claims':>7} {'seconds':>8} {'ms/page':>8}")
    for n in lengths:
        copies = -(-n // len(pages))
        grown = [replace(p, page=p.page + k * len(pages)) for k in range(copies) for p in prose
                 if p.page + k * len(pages) - pages[0] < n]
        started = time.perf_counter()
        claims = extract_claims(grown, 2024)
        seconds = time.perf_counter() - started
        boxed = sum(1 for c in claims if c.box is not None)
        print(f"{n:>6} {len(grown):>11} {len(claims):>7} {seconds:>8.2f} {1000 * seconds / n:>8.1f}"
              f"   ({boxed} claims boxed)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [25, 50, 100, 400])
