"""What a PDF reader reads of each page, as JSON lines, for benchmarks/verify_reader.py to compare two readers.

Runs under whichever `pdfplumber` the interpreter imports: pdfplumber itself, or pdfplumber-rs (which installs
under the same module name, so each runs in its own environment). One line per page:
{"file", "page", "chars", "text", "at", "tables": [[[x0, top, x1, bottom, text] | null, ...] per row], "seconds"}
- chars: the number of glyphs; text: the SHA-1 of their text in reading order; at: where their boxes (x0, top,
  x1, bottom as float64, in order) start in OUT.jsonl.bin, so the two readers' boxes can be subtracted;
- tables: the ruled tables found (`find_tables()`), every cell with its box (to 0.0001 pt) and its text, a
  merged cell's covered slots null.

    python benchmarks/reader_dump.py OUT.jsonl PDF...
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from array import array
from typing import Any

import pdfplumber


def _r(v: float) -> float:
    return round(float(v), 4)


def _cells(table: Any) -> list[list[list[Any] | None]]:
    """Every row's cells: pdfplumber gives boxes (and the text by extract()), pdfplumber-rs dicts with the text."""
    texts = table.extract()
    out: list[list[list[Any] | None]] = []
    for r, row in enumerate(table.rows):
        cells = row if isinstance(row, list) else row.cells
        line: list[list[Any] | None] = []
        for c, cell in enumerate(cells):
            if cell is None or (isinstance(cell, dict) and cell.get("text") is None and not cell.get("x1")):
                line.append(None)
                continue
            box = (cell["x0"], cell["top"], cell["x1"], cell["bottom"]) if isinstance(cell, dict) else cell
            text = texts[r][c] if r < len(texts) and c < len(texts[r]) else None
            line.append([_r(box[0]), _r(box[1]), _r(box[2]), _r(box[3]), text])
        out.append(line)
    return out


def dump(out_path: str, files: list[str]) -> None:
    with open(out_path, "w", encoding="utf-8") as out, open(f"{out_path}.bin", "wb") as bin_out:
        for path in files:
            try:
                pdf = pdfplumber.open(path)
            except Exception as e:  # a file a reader cannot open is a difference too
                out.write(json.dumps({"file": path, "page": 0, "error": f"{type(e).__name__}: {e}"}) + "\n")
                continue
            with pdf:
                for number, page in enumerate(pdf.pages, start=1):
                    started = time.process_time()
                    try:
                        chars = page.chars
                        text = "".join(c["text"] for c in chars)
                        boxes = array("d", (float(c[k]) for c in chars for k in ("x0", "top", "x1", "bottom")))
                        at = bin_out.tell()
                        boxes.tofile(bin_out)
                        tables = [_cells(t) for t in page.find_tables()]
                        line = {"file": path, "page": number, "chars": len(chars),
                                "text": hashlib.sha1(text.encode()).hexdigest(), "at": at, "tables": tables}
                    except Exception as e:
                        line = {"file": path, "page": number, "error": f"{type(e).__name__}: {e}"}
                    line["seconds"] = time.process_time() - started
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    dump(sys.argv[1], sys.argv[2:])
