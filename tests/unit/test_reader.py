"""The fast reading of content streams gives what pdfminer's own parser gives: token for token on the
constructs of the PDF syntax (and pdfminer's quirks), object for object on real pages."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pdfminer.psparser import PSEOF, PSBaseParser

from yusuan.reader import READERS, Unsure, open_pdf, reader_name, tokens

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def pdfminer_tokens(data: bytes) -> list[Any]:
    parser = PSBaseParser(BytesIO(data))
    out = []
    while True:
        try:
            out.append(parser.nexttoken()[1])
        except PSEOF:
            return out


CASES = [
    b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET",
    b"0 0 1 rg 10.5 -3 .5 +4 -.25 5. re f*",
    b"1.2.3 --5 +-2 - + . 007",  # pdfminer's reading of malformed numbers
    b"/Name /A#42C /Sp#20ace /Odd#4 /Bad#zz / /\xe4\xb8\xad /\xff\xfe",
    b"(a(b)c) (esc \\n\\t\\(\\)\\\\ \\101\\7\\0123 \\q) (line\\\r\ncont) (nl\\\nx)",
    b"<48656c6c6f> <4 8 6\n5> <ABC> <> <x",
    b"<< /MCID 3 /Type /Span >> BDC EMC [ (a) -120 (b) ] TJ",
    b"q 1 0 0 1 0 0 cm Q % a comment\r\n0 g T* ' \" d0 true false null",
    b"a\x00b 1\x002 Tj\x00 >x >> > ] } {",
    b"[1 2 [3 4] << /K [5] >>] x",
]


@pytest.mark.parametrize("data", CASES)
def test_tokens_are_pdfminers(data: bytes) -> None:
    assert tokens(data) == pdfminer_tokens(data)


def test_a_malformed_construct_is_left_to_pdfminer() -> None:
    with pytest.raises(Unsure):
        tokens(b"(never closed")
    with pytest.raises(Unsure):
        tokens(b"(\\777)")


def test_the_reader_is_chosen_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YUSUAN_READER", raising=False)
    assert reader_name() == "fast"
    monkeypatch.setenv("YUSUAN_READER", "pdfplumber")
    assert reader_name() == "pdfplumber"
    monkeypatch.setenv("YUSUAN_READER", "mupdf")
    with pytest.raises(ValueError, match="fast, pdfplumber"):
        reader_name()
    assert READERS == ("fast", "pdfplumber")
    with pytest.raises(ValueError, match="not a reader"), open_pdf(SAMPLES / "hn_changsha_gaj_2025_dept_budget.pdf",
                                                                   "mupdf"):
        pass


def _objects(page: Any) -> dict[str, list[dict[str, Any]]]:
    return {kind: [{k: (v.objid if k == "stream" else v) for k, v in o.items()} for o in objs]
            for kind, objs in page.objects.items()}


def test_every_object_of_a_page_is_pdfminers() -> None:
    """Glyphs, rules, rectangles and images, attribute by attribute, on the first eight pages of 长沙's report
    (its cover, its prose, and tables on pages that also hold an image); `make verify-reader` does every page of
    every corpus."""
    name = SAMPLES / "hn_changsha_gaj_2025_dept_budget.pdf"
    with open_pdf(name, "pdfplumber") as ref, open_pdf(name, "fast") as fast:
        assert type(fast.pages[0]).__name__ == "FastPage" and type(ref.pages[0]).__name__ == "Page"
        for a, b in zip(ref.pages[:8], fast.pages[:8], strict=True):
            objects = _objects(a)
            assert objects == _objects(b), f"page {a.page_number}"
        assert objects["image"] and objects["char"]
