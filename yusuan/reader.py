"""How a PDF is read: pdfplumber, with one of two readings of the pages' content streams.

- `fast` (the default): the content streams cut into tokens by `tokens` below and handed to pdfminer's own
  interpreter (FastInterpreter): the same glyphs, lines and rectangles as pdfminer's reading, to the last bit
  (`make verify-reader` compares every object of every page of every corpus), in about half the time;
- `pdfplumber`: pdfplumber as shipped (the reference).

`open_pdf(path)` opens a PDF with the reading `YUSUAN_READER` names (default `fast`); everything else is
pdfplumber's (pages, objects, `find_tables`, `filter`, `dedupe_chars`).

The fast reading.

pdfminer reads a content stream a byte at a time through a state machine (psparser.PSBaseParser) and
hands each object to the interpreter through a second one (PSStackParser.nextobject), logging every token
at DEBUG level on the way: three quarters of the time of a page. Here the stream is cut into tokens by one
regular expression and the objects are handed to the same interpreter methods (`do_Tj`, `do_re`, ...), with
the same arguments in the same order, so the interpreter, the fonts and the device compute the same glyphs,
lines and rectangles, to the last bit. pdfplumber's objects are then made as pdfplumber makes them, without
walking values that need no resolving (FastPage.process_object).

What pdfminer's byte-by-byte machine does at the seams, the tokens here reproduce (numbers, names with `#xx`,
strings with their escapes and nested parentheses, hex strings, dictionaries, arrays, a `>` on its own).
Where the two could differ, the page is read by pdfminer's own parser instead: an inline image (`BI ... ID
... EI`, whose data pdfminer reads by seeking back into the stream), a token cut across two content streams
or a stream ending where pdfminer carries its state into the next (after `/`, `(`, `<`, `>`), a
`\\<CR><LF>` whose CR ends one of pdfminer's 4,096-byte buffers, a string never closed.
`make verify-reader` compares both on every page of every corpus.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unicodedata import normalize as normalize_unicode

import pdfplumber
import pdfplumber.page
from pdfminer import settings
from pdfminer.layout import LTChar, LTCurve, LTItem, LTPage, LTTextContainer
from pdfminer.pdfinterp import PDFInterpreterError, PDFPageInterpreter
from pdfminer.pdftypes import stream_value
from pdfminer.psparser import (
    ESC_STRING,
    HEX_PAIR,
    KEYWORD_ARRAY_BEGIN,
    KEYWORD_ARRAY_END,
    KEYWORD_DICT_BEGIN,
    KEYWORD_DICT_END,
    KEYWORD_PROC_BEGIN,
    KEYWORD_PROC_END,
    KWD,
    LIT,
    SPC,
    PSKeyword,
    PSSyntaxError,
    keyword_name,
    literal_name,
)
from pdfminer.utils import choplist
from pdfplumber.page import ALL_ATTRS, PDFPageAggregatorWithMarkedContent, fix_fontname_bytes, lt_pat
from pdfplumber.utils.exceptions import PdfminerException
from pdfplumber.utils.pdfinternals import resolve_all, resolve_and_decode

_END = rb"#/%\[\]()<>{}\s"
_TOKEN = re.compile(  # white space and comments, then one token (none at the end of the data)
    rb"(?:[\s\x00]+|%[^\r\n]*)*(?:"
    rb"(?P<num>[-+0-9][0-9]*(?:\.[0-9]*)?|\.[0-9]*)"
    rb"|(?P<kw>[A-Za-z][^" + _END + rb"]*)"
    rb"|(?P<lit>/(?:[^" + _END + rb"]|\#[0-9a-fA-F]{0,2})*)"
    rb"|(?P<str>\()"
    rb"|(?P<dict><<)"
    rb"|(?P<hex><[\s0-9a-fA-F]*)"
    rb"|(?P<close>>>?)"
    rb"|(?P<one>.))?",
    re.S,
)
_NAME_HEX = re.compile(rb"#([0-9a-fA-F]{0,2})")
_STRING_STOP = re.compile(rb"[()\\]")
_OCT = b"01234567"
_BI = KWD(b"BI")
_TRUE, _FALSE = b"true", b"false"
BUFSIZ = 4096  # pdfminer's PSBaseParser.BUFSIZ: the seams of its reading


class Unsure(Exception):
    """The content is read by pdfminer's own parser (a construct read differently at a seam)."""


def _name(m: re.Match[bytes]) -> bytes:
    h = m.group(1)
    return bytes((int(h, 16),)) if h else b""


def _string(data: bytes, i: int) -> tuple[bytes, int]:
    """The literal string that starts after the `(` at i-1: its bytes and the index after its `)`
    (pdfminer's _parse_string and _parse_string_1, unknown escapes dropped as pdfminer drops them)."""
    out = bytearray()
    depth = 1
    while True:
        m = _STRING_STOP.search(data, i)
        if m is None:
            raise Unsure("an unterminated string")
        j = m.start()
        out += data[i:j]
        c = data[j]
        if c == 0x5C:  # backslash
            i = _escape(data, j + 1, out)
            continue
        if c == 0x28:  # (
            depth += 1
            out.append(c)
            i = j + 1
            continue
        depth -= 1  # )
        if depth:
            out.append(c)
            i = j + 1
            continue
        return bytes(out), j + 1


def _escape(data: bytes, i: int, out: bytearray) -> int:
    """The escape after a backslash at i-1 appended to `out`; returns the index after it."""
    if i >= len(data):
        raise Unsure("an unterminated string")
    digits = b""
    while i < len(data) and data[i] in _OCT and len(digits) < 3:
        digits += data[i:i + 1]
        i += 1
    if digits:
        code = int(digits, 8)
        if code >= 256:
            raise Unsure("an octal escape beyond a byte")
        out.append(code)
        return i
    e = data[i:i + 1]
    if e in ESC_STRING:
        out.append(ESC_STRING[e])
    elif e == b"\r" and data[i + 1:i + 2] == b"\n":
        i += 1
    return i + 1


def tokens(data: bytes) -> list[Any]:  # noqa: C901 (the hot loop of a page: one pass, one branch a token)
    """The tokens of content-stream data, as pdfminer's PSBaseParser makes them."""
    out: list[Any] = []
    add = out.append
    pos, n = 0, len(data)
    match = _TOKEN.match
    while pos < n:
        m = match(data, pos)
        assert m is not None  # the pattern matches the empty string
        kind = m.lastgroup
        end = m.end()
        if kind is None:  # white space to the end
            break
        if kind == "num":
            text = m.group(kind)
            try:
                add(float(text) if b"." in text else int(text))
            except ValueError:
                pass
        elif kind == "kw":
            text = m.group(kind)
            add(True if text == _TRUE else False if text == _FALSE else KWD(text))
        elif kind == "lit":
            raw = m.group(kind)[1:]
            if b"#" in raw:
                raw = _NAME_HEX.sub(_name, raw)
            try:
                add(LIT(str(raw, "utf-8")))
            except UnicodeDecodeError:
                add(LIT(raw))
        elif kind == "str":
            value, end = _string(data, end)
            add(value)
        elif kind == "dict":
            add(KEYWORD_DICT_BEGIN)
        elif kind == "hex":
            if end >= n:  # pdfminer drops a hex string the data ends in
                break
            add(HEX_PAIR.sub(lambda h: bytes((int(h.group(0), 16),)), SPC.sub(b"", m.group(kind)[1:])))
        elif kind == "close":
            if len(m.group(kind)) == 2:
                add(KEYWORD_DICT_END)
        else:
            add(KWD(m.group(kind)))
        pos = end
    return out


def _joined(streams: Sequence[Any]) -> bytes:
    """The streams' data as pdfminer reads them in turn: a token in progress at a seam ends there, as if a
    newline followed; a seam inside a token (a string, a name) is left to pdfminer."""
    parts = [stream_value(s).get_data() for s in streams]
    for part in parts:
        at = part.find(b"\\\r")
        while at != -1:
            if (at + 1) % BUFSIZ == BUFSIZ - 1:
                raise Unsure("an escaped line end at a buffer's seam")
            at = part.find(b"\\\r", at + 1)
    if len(parts) <= 1:
        return parts[0] if parts else b""
    if any(part.endswith((b"/", b"<", b">", b"(")) for part in parts[:-1]):
        raise Unsure("a stream ending where pdfminer carries its state into the next")
    joined = b"\n".join(parts)
    seams, at = set(), -1
    for part in parts[:-1]:
        at += len(part) + 1
        seams.add(at)
    pos, n = 0, len(joined)
    while pos < n and seams:
        m = _TOKEN.match(joined, pos)
        assert m is not None
        end = m.end()
        if m.lastgroup == "str":
            _, end = _string(joined, end)
        if m.lastgroup is not None and any(m.start(m.lastgroup) < s < end for s in seams):
            raise Unsure("a token across two content streams")
        seams = {s for s in seams if s >= end}
        pos = end
    return joined


class FastInterpreter(PDFPageInterpreter):
    """pdfminer's interpreter, fed by `tokens` (falling back to pdfminer's parser where unsure)."""

    _methods: dict[tuple[type, PSKeyword], tuple[Any, int] | None] = {}

    def execute(self, streams: Sequence[object]) -> None:
        valid = []
        self.stream_ids.clear()
        for obj in streams:
            stream = stream_value(obj)
            if stream.objid is None or stream.objid in self.parent_stream_ids:
                continue  # pdfminer skips these too (with a warning)
            valid.append(stream)
            self.stream_ids.add(stream.objid)
        try:
            toks = tokens(_joined(valid))
            if any(t is _BI for t in toks):
                raise Unsure("an inline image")
        except Unsure:
            super().execute(streams)
            return
        self._run(toks)

    def _run(self, toks: list[Any]) -> None:  # noqa: C901 (pdfminer's nextobject and execute, as one loop)
        context: list[tuple[str | None, list[Any]]] = []
        curtype: str | None = None
        cur: list[Any] = []
        for tok in toks:
            if tok.__class__ is PSKeyword:
                if tok is KEYWORD_ARRAY_BEGIN or tok is KEYWORD_DICT_BEGIN or tok is KEYWORD_PROC_BEGIN:
                    context.append((curtype, cur))
                    curtype = "a" if tok is KEYWORD_ARRAY_BEGIN else "d" if tok is KEYWORD_DICT_BEGIN else "p"
                    cur = []
                    continue
                if tok is KEYWORD_ARRAY_END or tok is KEYWORD_PROC_END or tok is KEYWORD_DICT_END:
                    want = "a" if tok is KEYWORD_ARRAY_END else "p" if tok is KEYWORD_PROC_END else "d"
                    if curtype != want:  # pdfminer ignores a mismatched end
                        if context:
                            continue
                    else:
                        objs = cur
                        curtype, cur = context.pop()
                        if want == "d":
                            if len(objs) % 2:
                                raise PSSyntaxError(f"Invalid dictionary construct: {objs!r}")
                            cur.append({literal_name(k): v for (k, v) in choplist(2, objs) if v is not None})
                        else:
                            cur.append(objs)
                        if context:
                            continue
                else:
                    cur.append(tok)
                    if context:
                        continue
            else:
                cur.append(tok)
                if context:
                    continue
            for obj in cur:
                if obj.__class__ is PSKeyword:
                    self._do(obj)
                else:
                    self.argstack.append(obj)
            cur = []

    def _do(self, keyword: PSKeyword) -> None:
        key = (self.__class__, keyword)
        try:
            found = FastInterpreter._methods[key]
        except KeyError:
            name = keyword_name(keyword)
            method = "do_{}".format(name.replace("*", "_a").replace('"', "_w").replace("'", "_q"))
            func = getattr(self.__class__, method, None)
            found = (func, func.__code__.co_argcount - 1) if func is not None else None
            FastInterpreter._methods[key] = found
        if found is None:
            if settings.STRICT:
                raise PDFInterpreterError(f"Unknown operator: {keyword_name(keyword)!r}")
            return
        func, nargs = found
        if nargs:
            args = self.pop(nargs)
            if len(args) == nargs:
                func(self, *args)
        else:
            func(self)


READERS = ("fast", "pdfplumber")


def reader_name() -> str:
    """The reading YUSUAN_READER names (default `fast`); an unknown name is an error that lists the readings."""
    name = os.environ.get("YUSUAN_READER", "").strip() or "fast"
    if name not in READERS:
        raise ValueError(f"YUSUAN_READER={name!r} is not a reader: use one of {', '.join(READERS)}")
    return name


@contextmanager
def open_pdf(path: Path | str, reader: str | None = None) -> Iterator[Any]:
    """The PDF opened with pdfplumber, its pages read by `reader` (default: reader_name())."""
    if reader is not None and reader not in READERS:
        raise ValueError(f"{reader!r} is not a reader: use one of {', '.join(READERS)}")
    fast = (reader or reader_name()) == "fast"
    with pdfplumber.open(Path(path)) as pdf:
        if fast:
            pdf.pages  # noqa: B018 (pdfplumber makes its pages on first use)
            for page in pdf.pages:
                page.__class__ = FastPage
        yield pdf


class FastPage(pdfplumber.page.Page):
    """A pdfplumber page whose content streams are read by FastInterpreter (pdfplumber's `layout`, with
    that one class changed)."""

    @property
    def layout(self) -> LTPage:
        if hasattr(self, "_layout"):
            return self._layout
        device = PDFPageAggregatorWithMarkedContent(self.pdf.rsrcmgr, pageno=self.page_number,
                                                    laparams=self.pdf.laparams)
        interpreter = FastInterpreter(self.pdf.rsrcmgr, device)
        try:
            interpreter.process_page(self.page_obj)
        except Exception as e:
            raise PdfminerException(e) from e
        self._layout: LTPage = device.get_result()
        return self._layout

    def process_object(self, obj: LTItem) -> dict[str, Any]:
        """pdfplumber's Page.process_object, with plain values (numbers, text, tuples of numbers) taken as they
        are instead of walked by resolve_all (which returns them unchanged) and each class's kind named once."""
        cls = obj.__class__
        kind = _KINDS.get(cls)
        if kind is None:
            kind = _KINDS[cls] = re.sub(lt_pat, "", cls.__name__).lower()
        attr = {k: _resolved(v) for k, v in obj.__dict__.items() if k in ALL_ATTRS}
        attr["object_type"] = kind
        attr["page_number"] = self.page_number
        for cs in ("ncs", "scs"):
            if hasattr(obj, cs):
                attr[cs] = _decoded(getattr(obj, cs).name)
        if isinstance(obj, (LTChar, LTTextContainer)):
            text = obj.get_text()
            attr["text"] = normalize_unicode(self.pdf.unicode_norm, text) if self.pdf.unicode_norm is not None \
                else text
        if isinstance(obj, LTChar):
            gs = obj.graphicstate
            attr["stroking_color"] = gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,)
            attr["non_stroking_color"] = gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,)
            if isinstance(attr["fontname"], bytes):
                attr["fontname"] = fix_fontname_bytes(attr["fontname"])
        elif isinstance(obj, LTCurve):
            attr["pts"] = list(map(self.point2coord, attr["pts"]))
            attr["path"] = [(cmd, *map(self.point2coord, pts)) for cmd, *pts in obj.original_path]  # type: ignore[union-attr]
            attr["dash"] = obj.dashing_style
        mb_x0, mb_top = self.mediabox[:2]
        if "y0" in attr:
            attr["top"] = (self.height - attr["y1"]) + mb_top
            attr["bottom"] = (self.height - attr["y0"]) + mb_top
            attr["doctop"] = self.initial_doctop + attr["top"]
        if "x0" in attr and mb_x0 != 0:
            attr["x0"] = attr["x0"] + mb_x0
            attr["x1"] = attr["x1"] + mb_x0
        return attr


_KINDS: dict[type, str] = {}
_PLAIN = frozenset((int, float, str, bool, type(None)))


_DECODED: dict[str | bytes, Any] = {}


def _decoded(name: Any) -> Any:
    """resolve_and_decode(name), each colour space's name decoded once (a pure function of the name)."""
    if name.__class__ is not str and name.__class__ is not bytes:
        return resolve_and_decode(name)
    try:
        return _DECODED[name]
    except KeyError:
        value = _DECODED[name] = resolve_and_decode(name)
        return value


def _resolved(value: Any) -> Any:
    """resolve_all(value), without walking a value it would return unchanged."""
    t = value.__class__
    if t in _PLAIN:
        return value
    if t is tuple and all(v.__class__ in _PLAIN for v in value):
        return value
    return resolve_all(value)
