"""The gate a fast reader must pass before it reads for the product: every page of every PDF read by pdfplumber
(the reference) and by the candidate, pdfplumber-rs, and every glyph and every cell (text and box) compared.

pdfplumber-rs installs under the module name `pdfplumber`, so it lives in an environment of its own,
`.venv-rs` (built here on first use, pinned in constraints.txt). Each reader dumps what it reads
(benchmarks/reader_dump.py) in its own process, both at once; then, page by page:
- glyphs: their count, their text in order, and the largest shift of a glyph's box between the readers;
- ruled tables: their count, and cell by cell the text and the box: an edge moved by half the 0.01 pt cells are
  stored to (0.005 pt) or more is a difference; smaller shifts (the two readers compute in different float
  precision) are counted apart.
Prints the exactness report (pages, cells, differences by kind, with examples) and each reader's CPU time, and
exits 0 only when the two read the same.

    python benchmarks/verify_reader.py [PDF or folder...]   (default: data/samples, ../shared/real, ../shared/breadth)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from array import array
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_RS = ROOT / ".venv-rs"
CANDIDATE = "pdfplumber-rs"


def candidate_python() -> Path:
    """The interpreter of the candidate's environment, built (and the pinned candidate installed) when missing."""
    python = VENV_RS / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV_RS)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c",
                        str(ROOT / "constraints.txt"), CANDIDATE], check=True)
    return python


def pdfs(args: list[str]) -> list[Path]:
    roots = [Path(a) for a in args] or [ROOT / "data" / "samples", ROOT.parent / "shared" / "real",
                                         ROOT.parent / "shared" / "breadth"]
    found: list[Path] = []
    for r in roots:
        if r.is_dir():
            found += sorted(r.glob("*.pdf"))
        elif r.suffix.lower() == ".pdf" and r.exists():
            found.append(r)
    return found


def read(path: Path) -> dict[tuple[str, int], dict[str, Any]]:
    pages: dict[tuple[str, int], dict[str, Any]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            pages[(d["file"], d["page"])] = d
    return pages


def _largest_shift(ref_bin: Path, cand_bin: Path, a: dict[str, Any], b: dict[str, Any]) -> float:
    """The largest difference between the two readers' coordinates of a page's glyphs, in PDF points."""
    n = a["chars"] * 4
    boxes = []
    for path, d in ((ref_bin, a), (cand_bin, b)):
        with open(path, "rb") as f:
            f.seek(d["at"])
            values = array("d")
            values.fromfile(f, n)
            boxes.append(values)
    return max((abs(x - y) for x, y in zip(boxes[0], boxes[1], strict=True)), default=0.0)


def _shift_class(delta: float) -> str:
    if delta == 0:
        return "identical"
    if delta < 0.0001:
        return "within 0.0001 pt"
    if delta < 0.005:
        return "within 0.005 pt (the same to 0.01 pt)"
    return "0.005 pt or more"


def compare(ref: dict[tuple[str, int], dict[str, Any]], cand: dict[tuple[str, int], dict[str, Any]],
            ref_bin: Path, cand_bin: Path) -> tuple[Counter[str], dict[str, list[str]], int, Counter[str]]:
    """(differences by kind, a few examples of each, cells compared, pages by the largest shift of a glyph and
    cells by the shift of their box)."""
    glyph_shift: Counter[str] = Counter()
    cell_shift: Counter[str] = Counter()
    diffs: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    cells = 0

    def differ(kind: str, where: str) -> None:
        diffs[kind] += 1
        examples.setdefault(kind, [])
        if len(examples[kind]) < 5:
            examples[kind].append(where)

    for key in sorted(set(ref) | set(cand)):
        a, b = ref.get(key), cand.get(key)
        where = f"{Path(key[0]).name} p{key[1]}"
        if a is None or b is None:
            differ("page read by one reader only", where)
            continue
        if "error" in a or "error" in b:
            if a.get("error") != b.get("error"):
                differ("page failed in one reader", f"{where}: {a.get('error') or b.get('error')}")
            continue
        if a["chars"] != b["chars"]:
            differ("glyph count", f"{where}: {a['chars']} vs {b['chars']}")
        elif a["text"] != b["text"]:
            differ("glyph text", where)
        else:
            delta = _largest_shift(ref_bin, cand_bin, a, b)
            glyph_shift[_shift_class(delta)] += 1
            if delta >= 0.005:
                differ("glyph box moved by 0.005 pt or more", f"{where}: {delta:.4f} pt")
        if len(a["tables"]) != len(b["tables"]):
            differ("ruled table count", f"{where}: {len(a['tables'])} vs {len(b['tables'])}")
            continue
        for t, (ta, tb) in enumerate(zip(a["tables"], b["tables"], strict=True)):
            if len(ta) != len(tb) or any(len(x) != len(y) for x, y in zip(ta, tb, strict=False)):
                differ("table shape (rows, columns)", f"{where} table {t + 1}")
                continue
            for r, (ra, rb) in enumerate(zip(ta, tb, strict=True)):
                for c, (ca, cb) in enumerate(zip(ra, rb, strict=True)):
                    cells += 1
                    if (ca is None) != (cb is None):
                        differ("merged cell", f"{where} table {t + 1} r{r + 1}c{c + 1}")
                    elif ca is not None and cb is not None:
                        moved = max(abs(x - y) for x, y in zip(ca[:4], cb[:4], strict=True))
                        cell_shift[_shift_class(moved)] += 1
                        if moved >= 0.005:
                            differ("cell box moved by 0.005 pt or more",
                                   f"{where} table {t + 1} r{r + 1}c{c + 1}: {ca[:4]} vs {cb[:4]}")
                        if ca[4] != cb[4]:
                            differ("cell text", f"{where} table {t + 1} r{r + 1}c{c + 1}: {ca[4]!r} vs {cb[4]!r}")
    return diffs, examples, cells, glyph_shift + Counter({f"cells {k}": v for k, v in cell_shift.items()})


def main() -> int:
    files = pdfs(sys.argv[1:])
    if not files:
        print("no PDF found", file=sys.stderr)
        return 2
    rs = candidate_python()
    with tempfile.TemporaryDirectory() as tmp:
        outs = {"pdfplumber": Path(tmp) / "ref.jsonl", CANDIDATE: Path(tmp) / "cand.jsonl"}
        started = time.perf_counter()
        dump = str(ROOT / "benchmarks" / "reader_dump.py")
        procs = [subprocess.Popen([sys.executable, dump, str(outs["pdfplumber"]), *map(str, files)]),
                 subprocess.Popen([str(rs), dump, str(outs[CANDIDATE]), *map(str, files)])]
        codes = [p.wait() for p in procs]
        if any(codes):
            print(f"a reader's dump failed: exit codes {codes}", file=sys.stderr)
            return 2
        ref, cand = read(outs["pdfplumber"]), read(outs[CANDIDATE])
        wall = time.perf_counter() - started
        diffs, examples, cells, shifts = compare(ref, cand, Path(f"{outs['pdfplumber']}.bin"),
                                                 Path(f"{outs[CANDIDATE]}.bin"))
    pages = len(set(ref) | set(cand))
    seconds = {name: sum(d.get("seconds", 0.0) for d in pages_.values())
               for name, pages_ in (("pdfplumber", ref), (CANDIDATE, cand))}
    print(f"verify-reader: {len(files)} PDFs, {pages} pages, {cells} table cells compared "
          f"({wall:.0f} s wall, both readers at once)")
    for name, s in seconds.items():
        print(f"  {name}: {s:.1f} s CPU for glyphs and ruled tables, {pages / s if s else 0:.0f} pages/s")
    print("  glyph boxes, pages by the largest shift of a glyph between the readers: "
          + ", ".join(f"{k} {v}" for k, v in shifts.most_common() if not k.startswith("cells ")))
    print("  cell boxes, cells by the largest shift of an edge: "
          + ", ".join(f"{k[6:]} {v}" for k, v in shifts.most_common() if k.startswith("cells ")))
    pages_differing = {e.split(' table')[0].split(':')[0] for ex in examples.values() for e in ex}
    if not diffs:
        print("the same: every glyph's text, every glyph's box to 0.01 pt (largest shift under 0.005 pt), and "
              "every ruled table's cells, text and box")
        return 0
    print(f"differences ({sum(diffs.values())} in all; examples are the first of each kind):")
    for kind, n in diffs.most_common():
        print(f"  {kind}: {n}")
        for e in examples[kind]:
            print(f"      {e}")
    print(f"  (pages among the examples: {len(pages_differing)})")
    return 1


if __name__ == "__main__":
    sys.exit(main())
