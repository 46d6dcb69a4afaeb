"""The typed results of each stage, shared by the parsing library and the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

REPORT_KINDS = ("unit_budget", "dept_budget", "unit_final", "dept_final")
SUPPORTED_KINDS = ("unit_budget", "dept_budget")


@dataclass(frozen=True)
class Registration:
    """What the raw stage learns about a PDF file without parsing its tables."""

    report_id: str
    file_name: str
    sha256: str
    size_bytes: int
    pages: int | None
    producer: str | None
    encrypted: bool
    has_text_layer: bool
    pages_without_text: tuple[int, ...] = ()
    problem: str | None = None  # set when the file cannot be processed further
    published_at: datetime | None = None  # the PDF's own modification or creation date

    @property
    def readable(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class ReportIdentity:
    """Who published the report, for which year, and what kind of report it is."""

    department: str | None
    department_code: str | None
    unit_codes: tuple[str, ...]
    fiscal_year: int | None
    report_kind: str | None  # one of REPORT_KINDS, None when the document does not say
    title: str | None
    money_unit: str | None


@dataclass(frozen=True)
class Cell:
    """One cell of a table body, as printed and as parsed.

    `column_name` is the leaf header path joined with '/'. `amount` is set for money
    cells that parse; `parse_error` explains a money cell that does not.
    """

    table_seq: int
    row_seq: int
    page: int
    row_code: str | None
    row_name: str | None
    column_name: str
    column_seq: int
    raw_text: str
    kind: str  # money | percent | text
    amount: Decimal | None
    unit: str | None
    parse_error: str | None = None
    row_kind: str | None = None  # total | detail
    block: str | None = None  # for forms: the section the cell belongs to
    row_level: int | None = None  # depth shown by indentation in tables without codes (0 = outermost)
    # the cell's box on its page, in PDF points as pdfplumber measures them (the whole merged cell)
    box: tuple[float, float, float, float] | None = None


@dataclass
class Table:
    """One recognised table of a report, joined across pages, with its cells."""

    seq: int
    table_type: str | None
    table_no: str | None
    title: str | None
    pages: list[int]
    unit: str | None
    header: list[str]
    cells: list[Cell] = field(default_factory=list)
    note: str | None = None  # the 备注 line of an empty table
    empty: bool = False
    row_count: int = 0
    confirmation: str | None = None  # confirmed | unconfirmed | unchecked: what its own arithmetic says of our reading
    confirmation_reason: str | None = None
    reading: str | None = None  # the reading used, where the layout allows another and the first did not add up


@dataclass(frozen=True)
class NarrativeParagraph:
    page: int
    text: str
    # the box of each line of `text` on the page (x0, top, x1, bottom in PDF points), in the same order
    line_boxes: tuple[tuple[float, float, float, float], ...] = ()


@dataclass(frozen=True)
class Placeholder:
    """Text a template leaves to fill in (XX局, 202X年, 待填写), where the document prints it."""

    page: int
    text: str  # the placeholder as printed
    line: str  # the line that holds it
    kind: str  # name | year | blank_year | to_fill | field (vocabulary.yaml: placeholders)
    in_identity: bool  # on the cover or in a title: the lines that say whose report it is, for which year


@dataclass
class Extraction:
    """Everything the extracted stage learns from one report."""

    identity: ReportIdentity
    tables: list[Table]
    narrative: list[NarrativeParagraph]
    claims: list[Any] = field(default_factory=list)  # yusuan.narrative.Claim, the figures stated in the prose
    problems: list[str] = field(default_factory=list)  # recognition problems, page and table named
    missing_tables: list[str] = field(default_factory=list)
    # pages whose text cannot be read: glyphs without a Unicode map (no ToUnicode), read as (cid:N)
    unreadable_pages: list[int] = field(default_factory=list)
    placeholders: list[Placeholder] = field(default_factory=list)

    @property
    def cells(self) -> list[Cell]:
        return [c for t in self.tables for c in t.cells]
