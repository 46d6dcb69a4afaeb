"""The gate of the reader the product runs: every page of every PDF read by pdfplumber as shipped (the reference)
and by pdfplumber with yusuan's content-stream reading (yusuan/reader.py), and everything each gives compared.

A page gives pdfplumber its objects: every glyph (text, font, size, box, matrix, colours, ...), line, rectangle,
curve, image and annotation, each a dict of attributes. Two readings are the same when every attribute of every
object is equal (a stream compared by its object number), in the same order, or when both fail with the
same error. Ruled tables, words and cells are computed from these objects alone, so equal objects give equal
tables. Prints the pages and objects compared, the differences (with examples), each reader's CPU time, and
exits 0 only when nothing differs.

    python benchmarks/verify_contents.py [PDF or folder...]   (default: data/samples, ../shared/real, ../shared/breadth)
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from verify_reader import pdfs  # noqa: E402 (the same corpora as the pdfplumber-rs gate)


def _plain(value: Any) -> Any:
    """The value, with each PDFStream in it (an image's, a colour space's) named by its object number: the two
    readings open the file twice, and a stream is an object of the document that opened it."""
    if hasattr(value, "objid") and hasattr(value, "get_data"):
        return ("stream", value.objid)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _objects(page: Any) -> Any:
    try:
        return {kind: [{k: _plain(v) for k, v in obj.items()} for obj in objs] for kind, objs in page.objects.items()}
    except Exception as e:  # both readers must fail alike
        return f"{type(e).__name__}: {e}"


def compare_file(path: Path) -> dict[str, Any]:
    import pdfplumber

    from yusuan.reader import FastPage

    out: dict[str, Any] = {"file": path.name, "pages": 0, "objects": 0, "differ": [], "ref": 0.0, "fast": 0.0}
    try:
        with pdfplumber.open(path) as ref_pdf, pdfplumber.open(path) as fast_pdf:
            for ref, fast in zip(ref_pdf.pages, fast_pdf.pages, strict=True):
                fast.__class__ = FastPage
                t = time.process_time()
                a = _objects(ref)
                out["ref"] += time.process_time() - t
                t = time.process_time()
                b = _objects(fast)
                out["fast"] += time.process_time() - t
                out["pages"] += 1
                out["objects"] += sum(len(v) for v in a.values()) if isinstance(a, dict) else 0
                if a != b:
                    kinds = sorted({k for k in (a if isinstance(a, dict) else {}) if a.get(k) != b.get(k)}) \
                        if isinstance(a, dict) and isinstance(b, dict) else ["error"]
                    out["differ"].append((ref.page_number, kinds))
    except Exception as e:
        out["error"] = f"{type(e).__name__}: {e}"
    return out


def main() -> int:
    files = pdfs(sys.argv[1:])
    started = time.perf_counter()
    pages = objects = 0
    ref = fast = 0.0
    differ: list[str] = []
    errors: list[str] = []
    kinds: Counter[str] = Counter()
    with Pool(os.cpu_count() or 1) as pool:
        for n, r in enumerate(pool.imap_unordered(compare_file, sorted(files, key=lambda p: -p.stat().st_size)), 1):
            pages += r["pages"]
            objects += r["objects"]
            ref += r["ref"]
            fast += r["fast"]
            for page, ks in r["differ"]:
                differ.append(f"{r['file']} p{page}: {', '.join(ks)}")
                kinds.update(ks)
            if "error" in r:
                errors.append(f"{r['file']}: {r['error']}")
            if n % 20 == 0:
                print(f"  {n} of {len(files)} files, {pages} pages", file=sys.stderr, flush=True)
    print(f"{len(files)} PDFs, {pages} pages, {objects:,} objects (glyphs, lines, rectangles, curves, images, "
          f"annotations) compared attribute by attribute; {time.perf_counter() - started:.0f} s wall")
    print(f"pdfplumber as shipped: {ref:.1f} s CPU ({1000 * ref / max(pages, 1):.1f} ms a page); with yusuan's "
          f"content-stream reading: {fast:.1f} s CPU ({1000 * fast / max(pages, 1):.1f} ms a page), "
          f"{ref / max(fast, 1e-9):.2f}x")
    print(f"pages that differ: {len(differ)}" + (f" ({dict(kinds)})" if kinds else ""))
    for line in differ[:20]:
        print("  " + line)
    for line in errors[:20]:
        print("  could not compare " + line)
    exact = not differ and not errors
    print("the same reading: every object of every page" if exact else "NOT the same reading")
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
