"""The extracted stage: every table of a report as cells, the report's identity, its narrative.

`extract_report(path)` reads each page once with pdfplumber: the ruled tables on it and the
text lines outside them. Walking the pages in order, a table takes its title, printed number
and unit from the lines just above it; a table with no title of its own that starts a page
and has the previous table's columns continues that table (a repeated header is dropped,
a cell split by the page break is rejoined).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber

from yusuan.forms import form_cells, performance_grid
from yusuan.grid import (
    Grid,
    append_rows,
    banner_text,
    column_groups,
    drop_rows,
    extend_cell_text,
    grid_from_table,
    regrid,
    same_columns,
    unfold,
)
from yusuan.identify import find_placeholders, identify_report
from yusuan.model import Cell, Extraction, NarrativeParagraph, ReportIdentity, Table
from yusuan.money import squeeze
from yusuan.narrative import extract_claims
from yusuan.reader import open_pdf
from yusuan.recognise import TitleReading, read_title, table_number, table_type
from yusuan.register import page_ranges
from yusuan.status import Status
from yusuan.tables import (
    body_cells,
    column_roles,
    header_row_count,
    leaf_paths,
    row_codes_and_names,
    split_fragment,
    split_row,
)
from yusuan.vocabulary import vocabulary

_VOC = vocabulary()
_UNIT = _VOC.word("unit_line")
_UNIT_CUT = _VOC.word("unit_line_cut")
_CODE_HEADER = re.compile("|".join(_VOC.header_roles[r].pattern for r in ("code", "code_part")))
# the line under an empty table: 备注:本单位…没有…, 注：…故本表为空表。, (无政府性基金支出）
_NOTE = _VOC.word("note_under_table")
_NOTE_CLOSED = _VOC.word("note_closed")
_PAGE_NUMBER = _VOC.word("page_number_line")
_LINE_TOLERANCE = 2.5


@dataclass
class _Line:
    page: int
    top: float
    text: str  # as printed, with single spaces where the layout had gaps
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # x0, top, x1, bottom in PDF points
    running: bool = False  # printed alike at the same place on the page before: a running head or foot

    @property
    def squeezed(self) -> str:
        return squeeze(self.text)


@dataclass
class _PendingTable:
    """A table being assembled while walking the pages."""

    seq: int
    reading: TitleReading | None
    table_no: str | None
    title: str | None
    unit: str | None
    segments: list[Grid]
    header_rows: int
    note: str | None = None
    is_form: bool = False


def _text_lines(page: Any, page_number: int, exclude: list[tuple[float, float, float, float]]) -> list[_Line]:
    """Lines of text outside the given boxes, top to bottom, from the page's characters."""
    chars = []
    for ch in page.chars:
        if not ch.get("upright", True) and not ch["text"].strip():
            continue
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        if any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in exclude):
            continue
        chars.append(ch)
    chars.sort(key=lambda ch: (round(ch["top"]), ch["x0"]))
    rows: list[list[dict[str, Any]]] = []
    bottoms: list[float] = []
    for ch in chars:
        # same line when the glyph overlaps the line's band by more than half its height:
        # some producers set digits a few points below the CJK text of the same line
        first = rows[-1][0] if rows else None
        if first is not None and ch["top"] < bottoms[-1] - max(_LINE_TOLERANCE, (ch["bottom"] - ch["top"]) * 0.5) \
                and abs(first["top"] - ch["top"]) <= max(_LINE_TOLERANCE, first["bottom"] - first["top"]):
            rows[-1].append(ch)
            bottoms[-1] = max(bottoms[-1], ch["bottom"])
        else:
            rows.append([ch])
            bottoms.append(ch["bottom"])
    lines = []
    for row in rows:
        row.sort(key=lambda ch: ch["x0"])
        parts: list[str] = []
        prev = None
        for ch in row:
            if prev is not None and ch["x0"] - prev["x1"] > max(1.0, (prev["x1"] - prev["x0"]) * 0.6):
                parts.append(" ")
            parts.append(ch["text"])
            prev = ch
        text = re.sub(r"\s+", " ", "".join(parts)).strip()
        if text:
            box = (min(ch["x0"] for ch in row), min(ch["top"] for ch in row), max(ch["x1"] for ch in row),
                   max(ch["bottom"] for ch in row))
            lines.append(_Line(page_number, row[0]["top"], text, box))
    return lines


def _is_white(color: Any) -> bool:
    if color is None:
        return False
    values = color if isinstance(color, (tuple, list)) else (color,)
    try:
        return len(values) in (1, 3, 4) and all(float(v) >= 0.99 for v in values[:3]) if len(values) != 4 \
            else all(float(v) <= 0.01 for v in values)  # CMYK white is (0, 0, 0, 0)
    except (TypeError, ValueError):
        return False


def _drawn_twice(chars: list[dict[str, Any]]) -> bool:
    """True when a glyph is drawn again within a point of itself (what pdfplumber's dedupe_chars(tolerance=1)
    removes); found in one pass, so the dedupe, which costs as much as reading the page, runs only where needed."""
    seen: set[tuple[str, int, int]] = set()
    for ch in chars:
        x, y = int(ch["x0"]), int(ch["top"])
        if any((ch["text"], x + dx, y + dy) in seen for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
            return True
        seen.add((ch["text"], x, y))
    return False


def _visible(page: Any) -> Any:
    """The page without what a reader cannot see and what is not a rule of a table:
    text drawn outside the page box (some producers leave whole hidden copies there), white-filled
    rectangles (cell backgrounds, which would otherwise become table edges) and rules stroked in white
    (invisible lines around a title block or an empty margin, which would make the title a row of a grid)."""
    x0, top, x1, bottom = page.bbox

    def keep(obj: dict[str, Any]) -> bool:
        kind = obj.get("object_type")
        if kind == "char":
            return bool(obj["x0"] >= x0 - 1 and obj["x1"] <= x1 + 1 and obj["top"] >= top - 1
                        and obj["bottom"] <= bottom + 1)
        if kind == "rect" and obj.get("fill") and _is_white(obj.get("non_stroking_color")):
            return bool(obj.get("stroke")) and not _is_white(obj.get("stroking_color"))
        if kind in ("line", "rect", "curve") and obj.get("stroke") and _is_white(obj.get("stroking_color")):
            return bool(obj.get("fill")) and not _is_white(obj.get("non_stroking_color"))
        return True

    return page.filter(keep)


class _SeatedPage(pdfplumber.page.DerivedPage):
    """The page with each glyph's box seated on its baseline where its font declares an implausible descent.

    A font may declare a descent of a whole em (-1033/1000), so that the boxes of its glyphs (digits, commas)
    lie entirely below their baseline: a figure then falls into the row under its own, and a year out of the
    line it is printed on. Where a box reaches more than half its height below the baseline, or sits above
    it, it is moved so that about an eighth of it hangs below, as a glyph of an ordinary font does."""

    def __init__(self, parent: Any) -> None:
        self.bbox = parent.bbox
        super().__init__(parent)
        self.seated: dict[str, list[dict[str, Any]]] | None = None

    @property
    def objects(self) -> dict[str, list[dict[str, Any]]]:
        if self.seated is None:
            self.seated = dict(self.parent_page.objects)
            self.seated["char"] = [_seat(ch) for ch in self.seated.get("char", [])]
        return self.seated


def _seat(ch: dict[str, Any]) -> dict[str, Any]:
    m = ch.get("matrix")
    size = ch["bottom"] - ch["top"]
    if not m or not ch.get("upright", True) or abs(m[1]) > 1e-6 or abs(m[2]) > 1e-6 or size <= 0:
        return ch
    below = m[5] - ch["y0"]  # how far the box reaches below the baseline (points)
    if -0.2 * size <= below <= 0.5 * size:
        return ch
    shift = below - 0.12 * size
    return {**ch, "y0": ch["y0"] + shift, "y1": ch["y1"] + shift, "top": ch["top"] - shift,
            "bottom": ch["bottom"] - shift, "doctop": ch["doctop"] - shift}


def _find_tables(page: Any) -> list[Any]:
    """The ruled tables of the page. Where a table's vertical rules run above its first horizontal rule, they
    enclose a row whose top rule is not drawn (the first row of a table continued at the top of a page): that
    row is closed at the top of the rules, so that it is read with the table, not as a line of text above it."""
    found: list[Any] = page.find_tables()
    missing = []
    for t in found:
        x0, top, x1, _ = t.bbox
        above = [e["top"] for e in page.edges if e["orientation"] == "v" and x0 - 1 <= e["x0"] <= x1 + 1
                 and e["bottom"] >= top - 1 and e["top"] < top - 3]
        if len(above) >= 2:
            y = min(above)
            missing.append({"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0,
                            "object_type": "line"})
    if missing:
        found = page.find_tables({"explicit_horizontal_lines": missing})
    return found


def _find_unit(texts: list[str]) -> str | None:
    joined = "".join(texts)
    m = _UNIT.search(joined)
    return m.group(1) if m else None


def _is_trivial(line: _Line) -> bool:
    """Lines that do not separate a table from its continuation: page numbers, unit lines."""
    s = line.squeezed
    return line.running or bool(_PAGE_NUMBER.match(s)) or bool(_UNIT.fullmatch(s)) or bool(_UNIT_CUT.fullmatch(s))


def _grid_header_equal(a: Grid, a_rows: int, b: Grid) -> bool:
    if a_rows == 0 or b.n_rows < a_rows:
        return False
    return all(a.row_labels(r) == b.row_labels(r) for r in range(a_rows))


def extract_report(path: Path | str, *, pages: int | None = None, catalog: Path | None = None) -> Extraction:
    """Given a PDF, return its tables (as cells), its identity and its narrative text, each table's reading
    confirmed by its own arithmetic (yusuan/reading.py; the identities of `catalog`, by default the project's).

    `pages` limits how many pages are read (None: all). Raises nothing for an unusual
    layout: problems are listed in `Extraction.problems`, naming page and table.
    """
    from yusuan.reading import confirm_readings

    walk = _Walk()
    with open_pdf(path) as pdf:
        metadata = dict(pdf.metadata or {})
        for index, raw_page in enumerate(pdf.pages[: pages or None]):
            walk.page(pdf, raw_page, index + 1)
    extraction = walk.extraction(metadata)
    confirm_readings(extraction, catalog)
    return extraction


class _Walk:
    """The pages in order: each page's lines and grids, top to bottom, make titles, notes, tables and the tables
    continued from the page before."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.tables: list[_PendingTable] = []
        self.all_lines: list[_Line] = []
        self.pending_lines: list[_Line] = []  # the lines since the last grid
        self.current: _PendingTable | None = None
        self.text_since_current = False
        self.last_unit: str | None = None
        self.cover_ends = float("inf")  # the first page's text above its first table is the cover
        self.page_contents: dict[int, int] = {}  # what a page with tables holds -> the first page holding it
        self.unreadable: list[int] = []
        self.first_on_page = True  # no grid and no text of substance yet on this page
        self.grids_on_page = 0
        self.placed: dict[str, list[tuple[int, float, float]]] = {}  # a line's text -> (page, top, x0) printed at

    def page(self, pdf: Any, raw_page: Any, page_number: int) -> None:
        raw_page = _upright(pdf, raw_page, self.problems)
        if _unreadable(raw_page):
            self.unreadable.append(page_number)
            return
        # a glyph drawn several times at one place (a producer's bold) is one glyph
        visible = _visible(raw_page)
        page = _SeatedPage(visible.dedupe_chars(tolerance=1) if _drawn_twice(visible.chars) else visible)
        found = [t for t in _find_tables(page) if len(t.cells) > 1]
        grids = [grid_from_table(t, page_number) for t in found]
        if page_number == 1:
            self.cover_ends = min((g.bbox[1] for g in grids), default=float("inf"))
        lines = _text_lines(page, page_number, [g.bbox for g in grids])
        if grids:
            # a page printed twice (same text, same grids) is one page: read once, never as another table
            content = hash((tuple(ln.squeezed for ln in lines),
                            tuple(tuple(s.label for row in g.slots for s in row) for g in grids)))
            if content in self.page_contents:
                self.problems.append(f"page {page_number} repeats page {self.page_contents[content]} exactly: read once")
                return
            self.page_contents[content] = page_number
        self.all_lines.extend(lines)
        elements: list[tuple[float, int, Any]] = [(ln.top, 0, ln) for ln in lines]
        elements += [(g.bbox[1], 1, g) for g in grids]
        elements.sort(key=lambda e: (e[0], e[1]))
        self.first_on_page = True
        self.grids_on_page = 0
        for _, is_table, item in elements:
            if is_table:
                self.grid(item, page_number)
            else:
                self.line(item)

    def line(self, line: _Line) -> None:
        """A line of text: the note under the table before it, or a line before the next grid."""
        # the same text at the same place as on the page before: the pages' running head (页眉) or foot, which
        # separates no table from its continuation and is no prose
        places = self.placed.setdefault(line.squeezed, [])
        line.running = any(p == line.page - 1 and abs(t - line.top) <= 2 and abs(x - line.box[0]) <= 2
                           for p, t, x in places)
        places.append((line.page, line.top, line.box[0]))
        current = self.current
        # the note under a table (备注：…), and its wrapped tail (…安排的支 / 出。)
        note_goes_on = (current is not None and current.note is not None and not self.pending_lines
                        and not _NOTE_CLOSED.search(current.note) and len(line.squeezed) <= 40
                        and not _is_trivial(line) and read_title(line.squeezed) is None)
        if current is not None and not self.pending_lines and (_NOTE.match(line.squeezed) or note_goes_on):
            glue = "" if note_goes_on and not _NOTE.match(line.squeezed) else " "
            current.note = (current.note + glue if current.note else "") + line.text
            return
        unit_here = _find_unit([line.squeezed])
        if unit_here:
            self.last_unit = unit_here
        self.pending_lines.append(line)
        if not _is_trivial(line):
            self.first_on_page = False
            self.text_since_current = True

    def grid(self, grid: Grid, page_number: int) -> None:
        """A grid: the next part of the table being read, or a new table under the title above it."""
        titled = _title_above(self.pending_lines)
        grid, in_grid = _title_inside(grid)
        reading = in_grid or titled.reading
        number = titled.number if in_grid is None or titled.reading is None else (in_grid.number or None)
        if self._continues(grid, reading, number, page_number, titled.lines):
            assert self.current is not None
            _continue_table(self.current, grid)
        else:
            self._new_table(grid, reading, number, titled, in_grid, page_number)
        self.pending_lines = []
        self.text_since_current = False
        self.first_on_page = False
        self.grids_on_page += 1

    def _continues(self, grid: Grid, reading: TitleReading | None, number: str | None, page_number: int,
                   title_lines: tuple[int, ...] = ()) -> bool:
        """Whether `grid` continues the table being read: untitled at the top of a page, or under the same title
        repeated (and nothing but its title block), with the same columns."""
        current = self.current
        if current is None:
            return False
        repeated = (reading is not None and current.reading is not None
                    and reading.text == current.reading.text and self.grids_on_page == 0
                    and current.segments[-1].row_pages[-1] == page_number - 1
                    and all(_in_title_block(ln) or id(ln) in title_lines
                            for ln in self.pending_lines if ln.page == page_number))
        untitled = reading is None and number is None and self.first_on_page and not self.text_since_current
        if not (untitled or repeated):
            return False
        if current.is_form:
            return not (repeated and _restarts_form(current.segments[0], grid))
        return (same_columns(current.segments[-1], grid)
                or _grid_header_equal(current.segments[0], current.header_rows, grid)
                or regrid(grid, current.segments[-1].col_edges) is not None)

    def _new_table(self, grid: Grid, reading: TitleReading | None, number: str | None, titled: _Titled,
                   in_grid: TitleReading | None, page_number: int) -> None:
        unit = _find_unit([ln.squeezed for ln in self.pending_lines[-8:]]) or self.last_unit
        if reading is None:
            printed = next((ln.text for ln in reversed(self.pending_lines[-8:])
                            if _VOC.title_ends.search(ln.squeezed)), None)
            self.problems.append(f"page {page_number}: a table without a recognised title "
                                 + (f"({printed}; " if printed else "(")
                                 + f"first row: {' | '.join(x for x in grid.row_labels(0) if x)[:80]})")
        is_form = bool(reading and reading.is_form and not performance_grid(grid))
        self.current = _PendingTable(
            seq=len(self.tables) + 1, reading=reading, table_no=number,
            title=(in_grid.text if in_grid else titled.line) if reading else None, unit=unit,
            segments=[grid], header_rows=0 if is_form else header_row_count(grid), is_form=is_form)
        self.tables.append(self.current)

    def extraction(self, metadata: dict[str, Any]) -> Extraction:
        """Everything read: the tables built, the identity, the placeholders, the prose and its claims."""
        all_lines = self.all_lines
        built = [_build_table(t, self.problems) for t in self.tables]
        cover = [ln for ln in all_lines if ln.page == 1 and ln.top < self.cover_ends]
        identity = identify_report(all_lines_text=[ln.text for ln in all_lines], metadata=metadata, tables=built,
                                   cover=[ln.text for ln in cover])
        # the lines that say whose report it is: the cover, short headings naming a 部门/单位 预算/决算, the
        # line naming the body (编制单位：…), and the tables' titles
        said = [(ln.page, ln.text) for ln in all_lines if ln in cover or _NAMES_THE_REPORT.search(ln.squeezed)]
        said += [(t.pages[0], t.title) for t in built if t.title]
        placeholders = find_placeholders([(ln.page, ln.text) for ln in all_lines]
                                         + [(t.pages[0], t.title) for t in built if t.title], said)
        narrative = _narrative(all_lines, self.tables)
        claims = extract_claims(narrative, identity.fiscal_year)
        found_types = {t.table_type for t in built}
        missing = [t for t in _VOC.table_types if t.core and t.name not in found_types]
        return Extraction(identity=identity, tables=built, narrative=narrative, claims=claims, problems=self.problems,
                          missing_tables=[f"{t.name} ({t.chinese})" for t in missing], unreadable_pages=self.unreadable,
                          placeholders=placeholders)


def _upright(pdf: Any, page: Any, problems: list[str]) -> Any:
    """A page turned by its /Rotate entry is read in the orientation in which its text is upright: when
    turning it leaves most characters sideways, the turn is undone for reading. A page box given by its corners
    in another order ([0 595 842 0]) is the same box: read it so (else every glyph falls off the page)."""
    box = list(page.page_obj.mediabox or [])
    if len(box) == 4 and (box[0] > box[2] or box[1] > box[3]):
        page.page_obj.mediabox = [min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])]
        page = type(page)(pdf, page.page_obj, page_number=page.page_number, initial_doctop=page.initial_doctop)
    if not reads_turned_back(page):
        return page
    turned = page.rotation
    page.page_obj.rotate = 0
    page.page_obj.attrs["Rotate"] = 0
    problems.append(f"page {page.page_number} is turned {turned}°: read with its text upright")
    return type(page)(pdf, page.page_obj, page_number=page.page_number, initial_doctop=page.initial_doctop)


def reads_turned_back(page: Any) -> bool:
    """True when a page turned by its /Rotate entry is read (and shown) with the turn undone: turning it leaves
    most of its characters sideways."""
    if not page.rotation or not page.chars:
        return False
    return sum(1 for c in page.chars if c.get("upright")) * 2 < len(page.chars)


_CID = re.compile(r"^\(cid:\d+\)$")
# a short heading that names the report (XX局202X年部门预算), or the line naming the body (编制单位：XX局)
_NAMES_THE_REPORT = _VOC.word("names_the_report")


def _unreadable(page: Any) -> bool:
    """Most of the page's characters are glyph numbers (cid:N): its fonts carry no Unicode map."""
    chars = page.chars
    return bool(chars) and sum(1 for c in chars if _CID.match(c.get("text", ""))) * 2 > len(chars)


@dataclass(frozen=True)
class _Titled:
    reading: TitleReading | None
    line: str | None  # the title as printed
    number: str | None
    lines: tuple[int, ...] = ()  # the lines printing the title (their ids): part of the title block


def _title_above(lines: list[_Line]) -> _Titled:
    """Of the short lines just above a grid, the nearest that reads as a table title (a title wrapped
    over two lines is read joined: …支出预算 / 表), and the printed table number of any of them."""
    near = [ln for ln in lines[-8:] if len(ln.squeezed) <= 70]
    reading: TitleReading | None = None
    line: str | None = None
    used: tuple[int, ...] = ()
    for i in range(len(near) - 1, -1, -1):
        reading, line, used = read_title(near[i].squeezed), near[i].text, (id(near[i]),)
        if reading is None and i + 1 < len(near):
            reading, line = read_title(near[i].squeezed + near[i + 1].squeezed), near[i].text + near[i + 1].text
            used = (id(near[i]), id(near[i + 1]))
        elif reading is not None and i > 0 and read_title(near[i - 1].squeezed) is None:
            # the tail of a title wrapped over two lines can read as a title of its own (…“三公”经费、 / 会议费、培训费
            # 支出表): the whole title says more, where it names a more specific subject
            whole = read_title(near[i - 1].squeezed + near[i].squeezed)
            if whole is not None and _more_specific(whole, reading):
                reading, line = whole, near[i - 1].text + near[i].text
                used = (id(near[i - 1]), id(near[i]))
        if reading is not None:
            break
    number = reading.number if reading and reading.number else next(
        (n for n in (table_number(ln.squeezed) for ln in reversed(near)) if n), None)
    return _Titled(reading, line if reading else None, number, used if reading else ())


def _more_specific(a: TitleReading, b: TitleReading) -> bool:
    """Whether title reading `a` names a more specific subject than `b` (the vocabulary lists subjects most
    specific first)."""
    order = list(_VOC.facets["subject"])
    return a.subject in order and b.subject in order and order.index(a.subject) < order.index(b.subject)


_SUBTITLE = _VOC.word("year_subtitle")


def _title_inside(grid: Grid) -> tuple[Grid, TitleReading | None]:
    """A title printed as the grid's first row, one cell across the table (财政项目支出绩效目标填报表, then
    （2023年度）): read it and drop those rows from the grid."""
    banner = banner_text(grid, 0)
    reading = read_title(banner) if banner else None
    if reading is None:
        return grid, None
    k = 1
    while (sub := banner_text(grid, k)) is not None and _SUBTITLE.match(sub):
        k += 1
    return drop_rows(grid, k), reading


def _restarts_form(first: Grid, grid: Grid) -> bool:
    """A form printed again from its first field (项目名称 | …) under the same title is the next form."""
    return bool(first.n_rows and grid.n_rows and first.slots[0][0].label
                and grid.slots[0][0].label == first.slots[0][0].label)


_TITLE_BLOCK = _VOC.word("title_block_body")


def _in_title_block(line: _Line) -> bool:
    """A line of the block printed above every page of a table: title, number, unit, department, year."""
    s = line.squeezed
    return (_is_trivial(line) or read_title(s) is not None or table_number(s) is not None
            or bool(_UNIT.search(s)) or bool(_TITLE_BLOCK.search(s)) or bool(_SUBTITLE.match(s))
            or bool(_QUALIFIER.match(s)))


_QUALIFIER = _VOC.word("title_qualifier_line")  # （按经济分类科目分） printed on a line of its own under a title


def _continue_table(current: _PendingTable, grid: Grid) -> None:
    """Join `grid` (the next page's part) onto the table being assembled."""
    if current.is_form:
        current.segments.append(grid)
        return
    target = current.segments[-1]
    if target.n_cols != grid.n_cols:
        grid = regrid(grid, target.col_edges) or grid
    skip = current.header_rows if _grid_header_equal(current.segments[0], current.header_rows, grid) else 0
    if target.n_cols != grid.n_cols:
        current.segments.append(grid)
        return
    if skip < grid.n_rows:
        header = leaf_paths(target, range(current.header_rows))
        roles = column_roles(target, header, range(current.header_rows, target.n_rows))
        frag_col = split_fragment(grid, skip, set(roles.money))
        last = target.n_rows - 1
        if frag_col is not None and last >= current.header_rows and target.slots[last][frag_col].label:
            extend_cell_text(target, last, frag_col, grid.slots[skip][frag_col].text)
            skip += 1
        elif last >= current.header_rows:
            tail = split_row(target, grid, skip, set(roles.money))
            for c in tail:
                extend_cell_text(target, last, c, grid.slots[skip][c].text)
            skip += 1 if tail else 0
    append_rows(target, grid, skip, current.header_rows)


def _unfolded(segments: list[Grid], header_rows: int) -> list[Grid]:
    """A table printed as column blocks side by side (经济分类 | 决算数 | 经济分类 | 决算数, in two or three
    blocks) read as one block: the rows of each block in turn."""
    first = segments[0]
    leaves = [h.rsplit("/", 1)[-1] for h in leaf_paths(first, range(header_rows))]
    groups = column_groups(leaves, lambda x: bool(_CODE_HEADER.search(x)))
    if groups < 2:
        return segments
    return [unfold(g, header_rows if g is first else 0, groups) if g.n_cols == first.n_cols else g for g in segments]


def _build_table(t: _PendingTable, problems: list[str]) -> Table:
    pages = sorted({p for g in t.segments for p in g.row_pages})
    if t.is_form:
        cells = form_cells(t.segments, table_seq=t.seq, unit=t.unit)
        ttype = table_type(t.reading)
        header = sorted({c.column_name for c in cells if c.kind != "text"})
        units = {c.unit for c in cells if c.kind == "money" and c.unit}
        if len(units) == 1:
            t.unit = units.pop()  # the form's sections print their unit (项目资金（元）)
    else:
        t.segments = _unfolded(t.segments, t.header_rows)
        grid = t.segments[0]
        codes, names = row_codes_and_names(grid, t.header_rows)
        ttype = table_type(t.reading, codes=codes, names=names)
        header = leaf_paths(grid, range(t.header_rows))
        cells = []
        for g in t.segments:
            first = t.header_rows if g is grid else 0
            cells += body_cells(g, header if g is grid else leaf_paths(g, range(0)), first,
                                table_seq=t.seq, unit=t.unit)
    name = ttype.name if ttype else None
    where = f"page {pages[0]}, {t.table_no or 'table'} {t.title or name or 'unrecognised'}"
    if t.reading is not None and ttype is None:
        problems.append(f"{where}: the title names no known table type "
                        f"(scope {t.reading.scope}, subject {t.reading.subject}, breakdown {t.reading.breakdown})")
    if t.unit is None:
        problems.append(f"{where}: no unit printed (单位：万元/元) for the table")
    for c in cells:
        if c.kind == "money" and c.parse_error:
            problems.append(f"page {c.page}, {t.table_no or ''} {t.title or name}: cell "
                            f"{c.row_name or c.row_code}/{c.column_name} does not parse ({c.parse_error})")
    return Table(seq=t.seq, table_type=name, table_no=t.table_no, title=t.title, pages=pages,
                 unit=t.unit, header=header, cells=cells, note=t.note,
                 empty=_is_empty(cells, t.note),
                 row_count=len({c.row_seq for c in cells}))


_SAYS_EMPTY = _VOC.word("says_table_empty")


def _is_empty(cells: list[Cell], note: str | None) -> bool:
    """A table is empty when it prints no amount, or only zeros under a note that says it is empty
    (注：本表本年无发生额 over a 合计 row of 0.00)."""
    money = [c for c in cells if c.kind == "money"]
    if not money:
        return True
    return bool(note and _SAYS_EMPTY.search(re.sub(r"\s+", "", note))) and all(not c.amount for c in money)


def _narrative(lines: list[_Line], tables: list[_PendingTable]) -> list[NarrativeParagraph]:
    """The report's prose, page by page (lines outside tables, without table titles)."""
    out: list[NarrativeParagraph] = []
    by_page: dict[int, list[_Line]] = {}
    for ln in lines:
        if _is_trivial(ln):
            continue
        by_page.setdefault(ln.page, []).append(ln)
    for page, on_page in sorted(by_page.items()):
        out.append(NarrativeParagraph(page=page, text="\n".join(ln.text for ln in on_page),
                                      line_boxes=tuple(ln.box for ln in on_page)))
    return out


def verdict(extraction: Extraction) -> tuple[str, str | None]:
    """Given an extraction, return whether the report can be loaded (loadable | rejected | unsupported), and why."""
    ident = extraction.identity
    if extraction.unreadable_pages and not extraction.tables:
        return Status.REJECTED, ("text layer unreadable (no ToUnicode): needs OCR (pages "
                            f"{page_ranges(tuple(extraction.unreadable_pages))})")
    template = [p for p in extraction.placeholders if p.in_identity
                and (p.kind != "blank_year" or ident.fiscal_year is None)]
    if template:
        first: dict[str, int] = {}
        for p in template:
            first.setdefault(p.text, p.page)
        return Status.REJECTED, ("a template, not a report: placeholders where the report names itself: "
                            + ", ".join(f"{text} (page {page})" for text, page in list(first.items())[:6])
                            + (f" and {len(first) - 6} more" if len(first) > 6 else ""))
    if ident.department is None and ident.fiscal_year is None and extraction.tables:
        return Status.REJECTED, ("a template, not a report: its identity cannot be read "
                            "(no body and no fiscal year stated on the cover, in a title or in the PDF's metadata)")
    recognised = [t for t in extraction.tables if t.table_type]
    if not recognised:
        if not extraction.tables:
            return Status.REJECTED, "not a budget disclosure: no table found in the document"
        return Status.REJECTED, ("not a budget disclosure: none of its tables has a budget-table title "
                            f"({len(extraction.tables)} tables found)")
    if extraction.missing_tables:
        return Status.REJECTED, "core tables not found: " + ", ".join(extraction.missing_tables)
    # what the document does not say is recorded as not stated, and the report is kept
    flags = [f"{what} not stated in the document" for what, value in (
        ("department", ident.department), ("fiscal year", ident.fiscal_year),
        ("report kind (部门/单位 预算)", ident.report_kind)) if value is None]
    unknown = [t for t in extraction.tables if t.table_type is None and any(c.kind == "money" for c in t.cells)]
    if unknown:
        pages = ", ".join(str(t.pages[0]) for t in unknown)
        flags.append(f"{len(unknown)} table(s) with amounts not recognised (page {pages}): kept untyped")
    return Status.LOADABLE, "; ".join(flags) or None


def empty_extraction() -> Extraction:
    """The extraction of a document nothing could be read from."""
    identity = ReportIdentity(department=None, department_code=None, unit_codes=(), fiscal_year=None,
                              report_kind=None, title=None, money_unit=None)
    return Extraction(identity=identity, tables=[], narrative=[])
