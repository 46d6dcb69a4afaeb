"""The raw stage: register a PDF file (hash, size, pages, producer, encryption, text layer).

Registration reads the file once with pdfium, which is fast, and never raises on a bad file:
a file that cannot be processed gets a `problem` that says why, in words an operator can act on.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium

from yusuan.model import Registration
from yusuan.report_id import report_id_for

DEFAULT_MAX_PAGES = 500
# A page with fewer characters than this is treated as having no text layer (a scan).
_MIN_CHARS_PER_TEXT_PAGE = 5


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def register_pdf(path: Path, *, max_pages: int = DEFAULT_MAX_PAGES,
                 display_name: str | None = None) -> Registration:
    """Given a file, return its registration; `problem` is set when it cannot be ingested."""
    path = Path(path)
    name = display_name or path.name
    sha = sha256_of(path)
    size = path.stat().st_size

    published: datetime | None = None

    def result(problem: str | None, *, pages: int | None = None, producer: str | None = None,
               encrypted: bool = False, without: tuple[int, ...] = ()) -> Registration:
        has_text = pages is not None and len(without) < pages
        return Registration(report_id=report_id_for(sha), file_name=name, sha256=sha, size_bytes=size,
                            pages=pages, producer=producer, encrypted=encrypted, has_text_layer=has_text,
                            pages_without_text=without, problem=problem, published_at=published)

    if size == 0:
        return result("empty file (0 bytes)")
    with path.open("rb") as f:
        head = f.read(1024)
    if b"%PDF-" not in head:
        return result(f"not a PDF file (starts with {head[:8]!r})")
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        unopened = _why_unopened(path, size, e)
        return result(unopened, encrypted=unopened.startswith("encrypted"),
                      pages=0 if unopened == _NO_PAGES else None)
    try:
        encrypted = pdfium.raw.FPDF_GetSecurityHandlerRevision(doc.raw) != -1
        meta = doc.get_metadata_dict()
        producer = (meta.get("Producer") or meta.get("Creator") or "").strip() or None
        published = pdf_date(meta.get("ModDate") or "") or pdf_date(meta.get("CreationDate") or "")
        pages = len(doc)
        if pages == 0:
            return result(_NO_PAGES, pages=0, producer=producer, encrypted=encrypted)
        if pages > max_pages:
            return result(f"too many pages: {pages} pages, the limit is {max_pages} "
                          "(raise it with --max-pages or YUSUAN_MAX_PAGES)",
                          pages=pages, producer=producer, encrypted=encrypted)
        counts = []
        for i in range(pages):
            page = doc[i]
            textpage = page.get_textpage()
            counts.append(textpage.count_chars())
            textpage.close()
            page.close()
    except pdfium.PdfiumError as e:
        return result(f"corrupt or truncated PDF: {e}")
    finally:
        doc.close()
    without = tuple(i + 1 for i, n in enumerate(counts) if n < _MIN_CHARS_PER_TEXT_PAGE)
    problem = None
    if len(without) == pages:
        problem = f"no text layer: needs OCR (pages {page_ranges(without)})"
    return result(problem, pages=pages, producer=producer, encrypted=encrypted, without=without)


_NO_PAGES = "the PDF has no pages"


def _why_unopened(path: Path, size: int, error: Exception) -> str:
    """Why pdfium cannot open a file that starts like a PDF: a password, a truncation, no pages, or damage."""
    if "password" in str(error).lower():
        return "encrypted PDF: it needs a password to open"
    with path.open("rb") as f:
        f.seek(max(0, size - 2048))
        tail = f.read()
    if b"%%EOF" not in tail:
        return f"truncated PDF: the file ends before its end-of-file marker ({size} bytes; {error})"
    # pdfium refuses a document with no pages; its message is its last error, which may be an earlier file's
    # in the same process ("Success" or another), so the page tree is counted by pdfminer
    if _page_count(path) == 0:
        return _NO_PAGES
    return f"corrupt PDF: {error}"


def _page_count(path: Path) -> int | None:
    """The number of pages by pdfminer's reading of the page tree (None when it cannot read it either)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    try:
        with path.open("rb") as f:
            return sum(1 for _ in PDFPage.create_pages(PDFDocument(PDFParser(f))))
    except Exception:
        return None


def pdf_date(text: str) -> datetime | None:
    """A PDF date string (D:20240218153324+07'33') as a naive UTC datetime, or None."""
    m = re.match(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?", text.strip())
    if not m:
        return None
    parts = [int(p) if p else d for p, d in zip(m.groups()[:6], (0, 1, 1, 0, 0, 0), strict=True)]
    try:
        value = datetime(*parts)  # type: ignore[arg-type]
    except ValueError:
        return None
    if m.group(7) in ("+", "-") and m.group(8):
        offset = timedelta(hours=int(m.group(8)), minutes=int(m.group(9) or 0))
        value = value - offset if m.group(7) == "+" else value + offset
    return value


def page_ranges(pages: tuple[int, ...]) -> str:
    """(1, 2, 3, 7) -> '1-3, 7'."""
    out: list[str] = []
    start = prev = None
    for p in pages:
        if start is None:
            start = prev = p
        elif prev is not None and p == prev + 1:
            prev = p
        else:
            out.append(f"{start}-{prev}" if start != prev else f"{start}")
            start = prev = p
    if start is not None:
        out.append(f"{start}-{prev}" if start != prev else f"{start}")
    return ", ".join(out)
