"""The review page of a report: who published it, what was found in it, and each finding beside the page region
it is about, the figures compared outlined on a crop of the page.

One self-contained HTML file per report (images inlined as data URIs, nothing fetched when it is viewed), and
an index of every report with its counts. Pages are rendered with pypdfium2 only where a finding points, and
each page once. Boxes are in PDF points as pdfplumber measures them (budget.line_items x0, top, x1, bottom).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from yusuan.money import plain, to_yuan

SCALE = 2.0  # pixels per PDF point in the rendered pages (144 dpi)
PAD = 18.0  # points of page kept above and below the boxes of a crop
COLOURS = {"lhs": (200, 30, 30), "rhs": (20, 90, 200), "claim": (230, 140, 0)}
# the palette of a crop: 32 greys (the page), then the outline colours
_INDEX = {role: 32 + k for k, role in enumerate(COLOURS)}
_PALETTE = [v for k in range(32) for v in (k * 255 // 31,) * 3] + [v for c in COLOURS.values() for v in c]
# the groups of a review page, in the order shown: (key, heading, what an outcome of the group means)
GROUPS = (
    ("error", "Errors", "an identity the template makes strict does not hold beyond the rounding of the figures"),
    ("warning", "Warnings", "a customary correspondence, a narrative figure or the wording differs"),
    ("rounding", "Rounding gaps", "a gap no larger than the rounding of the printed figures"),
    ("not_evaluated", "Not evaluated", "the inputs are too doubtful to judge the document by them"),
    ("waived", "Waived", "a reviewed defect of the source, waived with its reason"),
)
FONTS = ("'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', "
         "'PingFang SC', 'Hiragino Sans GB', 'SimSun', sans-serif")


@dataclass(frozen=True)
class Box:
    role: str
    page: int
    box: tuple[float, float, float, float] | None
    printed: str | None
    report_id: str | None = None  # printed in another report (a check across reports); None: the report's own


@dataclass
class Finding:
    group: str
    check_name: str
    family: str
    instance: str
    observed: Decimal | None
    expected: Decimal | None
    difference: Decimal | None
    tolerance: Decimal | None
    unit: str | None
    table_no: str | None  # the number the table prints (表3), else its type
    page: int | None
    detail: str | None
    reason: str | None
    boxes: list[Box] = field(default_factory=list)
    sentence: str | None = None  # the finding in one sentence (budget.check_results.finding)

    @property
    def size_in_yuan(self) -> Decimal | None:
        """|difference| in yuan, so that findings in 万元 and in 元 compare; None for a gap that is not money (a
        percentage) or a comparison of words."""
        return None if self.difference is None else to_yuan(abs(self.difference), self.unit)

    def regions(self) -> list[tuple[str | None, int, list[Box]]]:
        """(report, page, the boxes on it) for every page the finding is about, in the order of the figures compared
        (the left side or the sentence first; report None: this report's own); where it records none, the page of
        the instance (shown whole)."""
        pages: dict[tuple[str | None, int], list[Box]] = {}
        for b in self.boxes:
            pages.setdefault((b.report_id, b.page), []).append(b)
        if not pages and self.page:
            pages[(None, self.page)] = []
        return [(report, page, boxes) for (report, page), boxes in pages.items()]


def group_of(outcome: str, severity: str) -> str | None:
    if outcome == "fail":
        return "error" if severity == "error" else "warning"
    return outcome if outcome in ("rounding", "not_evaluated", "waived") else None


def findings(con: duckdb.DuckDBPyConnection, report_id: str) -> list[Finding]:
    """Every instance of the report that did not simply pass, with the boxes of what it compared and its sentence
    (written where the warehouse predates the sentences)."""
    stored = "finding" in {d[0] for d in con.execute("SELECT * FROM budget.check_results LIMIT 0").description}
    rows = con.execute(f"""
        SELECT outcome, severity, check_name, family, instance, observed, expected, difference, tolerance, unit,
               coalesce(table_no, table_type), page, detail, reason, compared, {'finding' if stored else 'NULL'},
               table_type, table_no, stage
        FROM budget.check_results WHERE report_id = ? AND outcome <> 'pass'
        ORDER BY severity, family, check_name, page NULLS LAST, instance""", [report_id]).fetchall()
    out = []
    for outcome, severity, *rest, compared, sentence, table_type, table_no, stage in rows:
        group = group_of(outcome, severity)
        if group is None:
            continue
        boxes = [Box(c["role"], c["page"], (c["x0"], c["top"], c["x1"], c["bottom"]) if c["x0"] is not None else None,
                     c["printed"], c.get("report_id")) for c in compared or [] if c["page"]]
        finding = Finding(group, *rest)
        finding.boxes = boxes
        if sentence is None and outcome in ("fail", "rounding"):
            sentence = _sentence(finding, severity, stage, table_type, table_no, compared or [])
        finding.sentence = sentence
        out.append(finding)
    return out


def _sentence(f: Finding, severity: str, stage: str, table_type: str | None, table_no: str | None,
              compared: list[dict[str, Any]]) -> str | None:
    """The sentence of a finding recorded without one (a warehouse written before the sentences)."""
    from yusuan.checks.instance import Instance, Source
    from yusuan.checks.sentences import finding_sentence

    if f.observed is None or f.expected is None:
        return None
    inst = Instance(f.check_name, f.family, stage, severity, f.instance, f.observed, f.expected,
                    f.tolerance or Decimal(0), table_type, table_no, f.page, f.unit,
                    compared=[Source.from_record(c["role"], c) for c in compared])
    if " ≥ " in f.instance:  # the only relation the text of an instance marks
        inst.relation = "covers"
    return finding_sentence(inst)


def largest_first(f: Finding) -> tuple[int, Decimal, int]:
    """The order of the findings of a group: by the size of the gap in yuan, largest first; then the gaps that are
    not money (percentages), largest first; then the comparisons of words, in page order."""
    if f.size_in_yuan is not None:
        return (0, -f.size_in_yuan, f.page or 0)
    if f.difference is not None:
        return (1, -abs(f.difference), f.page or 0)
    return (2, Decimal(0), f.page or 0)


# ---- pages and crops ---------------------------------------------------------------------------

class Pages:
    """The report's PDF, each page rendered once when a finding first needs it."""

    def __init__(self, pdf_path: Path, prefix: str = "crop", report_id: str | None = None) -> None:
        import pdfplumber
        import pypdfium2

        self.path = Path(pdf_path)
        self.prefix = prefix  # of the crops' names, unique in the review page
        self.report_id = report_id  # another report's PDF (None: the reviewed report's own)
        self.pdfium = pypdfium2.PdfDocument(str(self.path))
        self.plumber = pdfplumber.open(self.path)
        self.rendered: dict[int, tuple[Any, tuple[float, float]]] = {}  # page -> (image in "L" 0-31, origin)
        self.crops: dict[tuple[Any, ...], Crop] = {}

    def close(self) -> None:
        self.plumber.close()
        self.pdfium.close()

    def image(self, page: int) -> tuple[Any, tuple[float, float]]:
        """The page as a PIL image and the point (x0, top) of its top-left corner, in pdfplumber's coordinates."""
        if page not in self.rendered:
            from yusuan.extract import reads_turned_back

            pl = self.plumber.pages[page - 1]
            pf = self.pdfium[page - 1]
            origin = (pl.cropbox[0], pl.cropbox[1])
            if reads_turned_back(pl):  # the page is read with its /Rotate undone (its text upright): drawn so too
                pf.set_rotation(0)
                pl.page_obj.attrs["Rotate"] = 0
                import pdfplumber

                pl = pdfplumber.page.Page(self.plumber, pl.page_obj, page_number=page, initial_doctop=0)
                origin = (pl.cropbox[0], pl.cropbox[1])
            grey = pf.render(scale=SCALE, grayscale=True).to_pil().convert("L")
            # 32 shades of grey in palette entries 0-31, the outline colours after them: a crop is a few bytes a
            # pixel to encode and its outlines are the only colour on it
            self.rendered[page] = (grey.point(lambda v: v // 8), origin)
        return self.rendered[page]

    def crop(self, page: int, boxes: list[Box]) -> Crop:
        """The region of `page` holding the boxes (the full width of the page, so that the row names show), each
        box outlined in the colour of its role; the whole page, smaller, where no box is known. The same region
        with the same outlines is cut once."""
        key = (page, tuple((b.role, b.box) for b in boxes if b.box is not None))
        if key not in self.crops:
            self.crops[key] = self.cut(page, boxes, f"{self.prefix}{len(self.crops) + 1}")
        return self.crops[key]

    def cut(self, page: int, boxes: list[Box], name: str) -> Crop:
        """Cut the region of `page` holding the boxes, each outlined (`crop` cuts each region once)."""
        from PIL import ImageDraw

        img, (ox, oy) = self.image(page)
        known = [b.box for b in boxes if b.box is not None]
        if known:
            top = int(max(0.0, (min(b[1] for b in known) - oy - PAD) * SCALE))
            bottom = int(min(float(img.height), (max(b[3] for b in known) - oy + PAD) * SCALE + 0.999))
            region = img.crop((0, top, img.width, bottom))
            region.putpalette(_PALETTE)
            draw = ImageDraw.Draw(region)
            for b in boxes:
                if b.box is None:
                    continue
                x0, t, x1, bt = b.box
                rect = ((x0 - ox) * SCALE - 3, (t - oy) * SCALE - top - 3, (x1 - ox) * SCALE + 3,
                        (bt - oy) * SCALE - top + 3)
                draw.rectangle(rect, outline=_INDEX.get(b.role, _INDEX["lhs"]), width=3)
            scale = SCALE
        else:
            top, scale = 0, SCALE
            region = img.copy()
            region.putpalette(_PALETTE)
        buf = io.BytesIO()
        region.save(buf, format="PNG", compress_level=3)  # 2.6 times faster than the default 6, 14 % larger
        uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
        return Crop(name, page, uri, region.width, region.height, ox, oy + top / SCALE, scale, whole=not known,
                    report_id=self.report_id)


@dataclass(frozen=True)
class Crop:
    """A region of a page cut out as an image: `left` and `top` are its upper left corner in PDF points (pdfplumber's
    coordinates), `scale` its pixels per point."""

    name: str
    page: int
    uri: str
    width: int
    height: int
    left: float
    top: float
    scale: float
    whole: bool = False  # the whole page (the finding records no box)
    report_id: str | None = None  # a page of another report

    def use(self) -> str:
        """The crop shown where a finding needs it (the image itself is defined once in the page)."""
        # a region at 1.4 CSS pixels a point (the page's type a little larger than printed); a whole page at 1.1
        shown = round(self.width / self.scale * (1.1 if self.whole else 1.4))
        return (f"<svg class=\"crop\" viewBox=\"0 0 {self.width} {self.height}\" width=\"{shown}\" "
                f"data-page=\"{self.page}\" data-left=\"{self.left:.2f}\" data-top=\"{self.top:.2f}\" "
                f"data-scale=\"{self.scale}\" " + (f"data-report=\"{self.report_id}\" " if self.report_id else "") +
                f"role=\"img\" aria-label=\"page {self.page}\"><use href=\"#{self.name}\"/></svg>")

    def definition(self) -> str:
        return f"<image id=\"{self.name}\" width=\"{self.width}\" height=\"{self.height}\" href=\"{self.uri}\"/>"


# ---- the page ----------------------------------------------------------------------------------

_CSS = "body { font-family: " + FONTS + """; margin: 2em auto; max-width: 1200px; color: #222; line-height: 1.5; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0; } td, th { border: 1px solid #ccc; padding: 2px 8px; }
th { background: #f3f3f3; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.status-loaded { color: #176317; } .status-quarantined, .status-rejected { color: #b00; }
.finding { border: 1px solid #ddd; border-radius: 4px; margin: 1em 0; padding: 0.6em 1em; }
.finding h3 { font-size: 1em; margin: 0 0 0.3em 0; } .sentence { font-size: 1.1em; margin: 0.3em 0; }
.meta { color: #555; font-size: 0.9em; }
.crop { max-width: 100%; height: auto; border: 1px solid #bbb; margin: 0.4em 0; display: block; }
.legend span { padding: 0 0.5em; border: 2px solid; margin-right: 0.5em; }
.counts td { text-align: right; } .counts td.text { text-align: left; }
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _page(title: str, body: Iterable[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def review_html(con: duckdb.DuckDBPyConnection, report_id: str, pdf_path: Path | None) -> str:
    """The review page of one report of the warehouse, its crops cut from `pdf_path` (None: no crops)."""
    rep = con.execute("""SELECT file_name, department, fiscal_year, report_kind, report_title, status, status_reason,
                                pages, sha256 FROM budget.reports WHERE report_id = ?""", [report_id]).fetchone()
    if rep is None:
        raise KeyError(f"report {report_id}: not in the warehouse")
    file_name, department, year, kind, title, status, reason, pages, sha = rep
    tables = con.execute("""SELECT coalesce(table_no, ''), coalesce(title, ''), coalesce(table_type, 'unrecognised'),
                                   first_page, last_page, is_empty, cell_count, coalesce(confirmation, ''),
                                   coalesce(confirmation_reason, ''), coalesce(reading, '')
                            FROM extracted.tables WHERE report_id = ? ORDER BY table_seq""", [report_id]).fetchall()
    coverage = con.execute("""SELECT errors, warnings, tables_confirmed, tables_unconfirmed, tables_unchecked,
                                     instances_evaluated, instances_not_evaluated
                              FROM budget.reports WHERE report_id = ?""", [report_id]).fetchone()
    found = findings(con, report_id)
    body = [f"<h1>{_e(title or file_name)}</h1>",
            f"<p class=\"meta\">{_e(file_name)} · report {_e(report_id)} · sha256 {_e(sha[:16])}…</p>",
            "<table>",
            f"<tr><th>部门/单位</th><td>{_e(department)}</td></tr>",
            f"<tr><th>年度</th><td>{_e(year)}</td></tr>",
            f"<tr><th>kind</th><td>{_e(kind)}</td></tr>",
            f"<tr><th>pages</th><td>{_e(pages)}</td></tr>",
            f"<tr><th>status</th><td class=\"status-{_e(status)}\"><b>{_e(status)}</b></td></tr>",
            f"<tr><th>reason</th><td>{_e(reason)}</td></tr>"]
    if coverage is not None and coverage[2] is not None:
        errors, warnings, confirmed, unconfirmed, unchecked, evaluated, not_evaluated = coverage
        body.append(f"<tr><th>coverage</th><td>{_e(errors)} error(s) and {_e(warnings)} warning(s) found; tables: "
                    f"{_e(confirmed)} confirmed by their arithmetic, {_e(unconfirmed)} not confirmed, {_e(unchecked)} "
                    f"with nothing to add up; identity instances: {_e(evaluated)} evaluated, {_e(not_evaluated)} "
                    "not evaluated (each with its reason below)</td></tr>")
    body.append("</table>")
    counts = {g: sum(1 for f in found if f.group == g) for g, _, _ in GROUPS}
    body.append("<p>" + " · ".join(f"<a href=\"#{g}\">{_e(name)}: {counts[g]}</a>" for g, name, _ in GROUPS) + "</p>")
    body += ["<h2>Tables found</h2>", "<table><tr><th>表</th><th>title</th><th>type</th><th>pages</th>"
             "<th>cells</th><th>reading</th></tr>"]
    for no, ttitle, ttype, first, last, empty, cells, confirmation, why, reading in tables:
        where = f"{first}" if first == last else f"{first}–{last}"
        said = {"confirmed": "confirmed by its arithmetic", "unchecked": "nothing to add up",
                "unconfirmed": "NOT confirmed: kept out of the analyst views"}.get(confirmation, confirmation)
        said += f" (read as: {reading})" if reading else ""
        said += f": {why}" if confirmation == "unconfirmed" and why else ""
        body.append(f"<tr><td>{_e(no)}</td><td>{_e(ttitle)}</td><td>{_e(ttype)}{' (empty)' if empty else ''}</td>"
                    f"<td class=\"n\">{_e(where)}</td><td class=\"n\">{_e(cells)}</td>"
                    f"<td class=\"reading-{_e(confirmation)}\">{_e(said)}</td></tr>")
    body.append("</table>")
    body.append("<p class=\"legend\">Outlined: <span style=\"border-color: rgb(200,30,30)\">left side</span>"
                "<span style=\"border-color: rgb(20,90,200)\">right side</span>"
                "<span style=\"border-color: rgb(230,140,0)\">sentence</span></p>")
    doc, why = _open_pages(pdf_path)
    if why:
        body.append(f"<p class=\"meta\">No page crops: {_e(why)}</p>")
    others = _OtherReports(con, Path(pdf_path).parent if pdf_path is not None else None)
    try:
        for group, name, meaning in GROUPS:
            mine = sorted((f for f in found if f.group == group), key=largest_first)
            body.append(f"<h2 id=\"{group}\">{_e(name)} ({len(mine)})</h2><p class=\"meta\">{_e(meaning)}</p>")
            if not mine:
                body.append("<p>none</p>")
            for f in mine:
                body.append(_finding_html(f, doc, pages, others))
        crops = (list(doc.crops.values()) if doc is not None else []) + others.crops()
        if crops:
            body.insert(0, "<svg width=\"0\" height=\"0\" style=\"position:absolute\"><defs>"
                        + "".join(c.definition() for c in crops) + "</defs></svg>")
    finally:
        if doc is not None:
            doc.close()
        others.close()
    return _page(f"{title or file_name} — review", body)


def _open_pages(pdf_path: Path | None, report_id: str | None = None) -> tuple[Pages | None, str | None]:
    """The report's pages to cut crops from (another report's: `report_id`), or None and why not."""
    if pdf_path is None or not Path(pdf_path).exists():
        return None, f"the stored file {pdf_path} is not there" if pdf_path else "no stored file"
    try:
        return Pages(Path(pdf_path), f"{report_id}-crop" if report_id else "crop", report_id), None
    except Exception as e:  # a file that is not a PDF, or that PDFium cannot open: the page says so
        return None, f"{Path(pdf_path).name} cannot be drawn ({type(e).__name__}: {e})"


class _OtherReports:
    """The PDFs of the reports that checks across reports compared this one with (stored beside its own), each
    opened once, when a finding first needs it."""

    def __init__(self, con: duckdb.DuckDBPyConnection, store: Path | None) -> None:
        self.con, self.store = con, store
        self.opened: dict[str, tuple[Pages | None, str, int | None, str | None]] = {}

    def get(self, report_id: str) -> tuple[Pages | None, str, int | None, str | None]:
        """(its pages or None, its file name, its page count, why it cannot be drawn)."""
        if report_id not in self.opened:
            row = self.con.execute("SELECT file_name, pages FROM budget.reports WHERE report_id = ?",
                                   [report_id]).fetchone()
            name, count = (row[0], row[1]) if row else (f"report {report_id}", None)
            path = self.store / f"{report_id}.pdf" if self.store is not None else None
            doc, why = _open_pages(path, report_id)
            self.opened[report_id] = (doc, name, count, why)
        return self.opened[report_id]

    def crops(self) -> list[Crop]:
        return [c for doc, *_ in self.opened.values() if doc is not None for c in doc.crops.values()]

    def close(self) -> None:
        for doc, *_ in self.opened.values():
            if doc is not None:
                doc.close()


def _finding_html(f: Finding, doc: Pages | None, pages: int | None, others: _OtherReports) -> str:
    rows = [("observed", plain(f.observed)), ("expected", plain(f.expected)),
            ("difference", plain(f.difference)), ("tolerance", plain(f.tolerance)), ("unit", f.unit),
            ("table", f.table_no), ("page", f.page)]
    if f.observed is None and f.expected is None:  # a comparison of words (names, a year, a table listed)
        rows = [("compared", "as text"), ("table", f.table_no), ("page", f.page)]
    said = f"<p class=\"sentence\" lang=\"zh-CN\">{_e(f.sentence)}</p>" if f.sentence else ""
    parts = [f"<div class=\"finding {f.group}\"><h3>{_e(f.check_name)}: {_e(f.instance)}</h3>{said}",
             "<table><tr>" + "".join(f"<th>{k}</th>" for k, _ in rows) + "</tr><tr>"
             + "".join(f"<td class=\"n\">{_e(v)}</td>" for _, v in rows) + "</tr></table>"]
    if f.reason:
        parts.append(f"<p><b>{'waived' if f.group == 'waived' else 'why not evaluated'}:</b> {_e(f.reason)}</p>")
    if f.detail:
        parts.append(f"<p class=\"meta\">{_e(f.detail)}</p>")
    for report, page, boxes in f.regions():
        source, count, of, why = doc, pages, "", None
        if report is not None:  # a page of the report a check across reports compared with
            source, name, count, why = others.get(report)
            of = f" of {name}"
        if source is None:
            if report is not None:
                parts.append(f"<p class=\"meta\">page {page}{_e(of)}: not drawn ({_e(why)})</p>")
            continue
        if count and not 1 <= page <= count:
            continue
        printed = ", ".join(b.printed for b in boxes if b.printed and b.role != "claim")
        try:
            shown = source.crop(page, boxes).use()
        except Exception as e:  # one page PDFium cannot draw costs its crop, not the review
            shown = f"<p class=\"meta\">page {page} cannot be drawn ({_e(type(e).__name__)}: {_e(e)})</p>"
        parts.append(f"<p class=\"meta\">page {page}{_e(of)}{': ' + _e(printed) if printed else ''}</p>" + shown)
    parts.append("</div>")
    return "\n".join(parts)


def write_review(con: duckdb.DuckDBPyConnection, report_id: str, pdf_path: Path | None, out: Path) -> Path:
    """Write the review page of a report to `out` (replaced whole) and return its path."""
    text = review_html(con, report_id, pdf_path)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return out


def index_html(con: duckdb.DuckDBPyConnection, pages: dict[str, str]) -> str:
    """An index of every report with its counts, linking each report's review page (`pages`: id -> href)."""
    rows = con.execute("""
        SELECT r.report_id, r.file_name, r.department, r.fiscal_year, r.report_kind, r.status,
               count(*) FILTER (WHERE c.outcome = 'fail' AND c.severity = 'error'),
               count(*) FILTER (WHERE c.outcome = 'fail' AND c.severity <> 'error'),
               count(*) FILTER (WHERE c.outcome = 'rounding'), count(*) FILTER (WHERE c.outcome = 'not_evaluated'),
               count(*) FILTER (WHERE c.outcome = 'waived')
        FROM budget.reports r LEFT JOIN budget.check_results c USING (report_id)
        GROUP BY ALL ORDER BY r.file_name""").fetchall()
    body = ["<h1>Reports</h1>", "<table class=\"counts\"><tr><th>file</th><th>部门/单位</th><th>年度</th><th>kind</th>"
            "<th>status</th><th>errors</th><th>warnings</th><th>rounding</th><th>not evaluated</th><th>waived</th></tr>"]
    for rid, name, dept, year, kind, status, *counts in rows:
        link = f"<a href=\"{_e(pages[rid])}\">{_e(name)}</a>" if rid in pages else _e(name)
        body.append(f"<tr><td class=\"text\">{link}</td><td class=\"text\">{_e(dept)}</td>"
                    f"<td>{_e(year)}</td><td class=\"text\">{_e(kind)}</td>"
                    f"<td class=\"text status-{_e(status)}\">{_e(status)}</td>"
                    + "".join(f"<td>{n}</td>" for n in counts) + "</tr>")
    body.append("</table>")
    return _page("yusuan — reports", body)
