"""A typed view of one report: its tables, their amounts, its claims and its identity.

The checks read a report through this view and nothing else. It is built from an extraction held in
memory (`Report.from_extraction`, before anything is written) or from a warehouse that holds the report
(`Report.from_warehouse`); both give the same objects, so a rule runs the same way on a table built in a
test, on a PDF just read, and on a report published long ago.

- `Table` (yusuan.model) holds its cells: row code, name, kind (total | detail) and level, column (the leaf
  header path), the text as printed, the exact amount and the box on the page.
- `Amount` is one printed amount of a table, flattened with what a rule needs beside it: the table's type,
  number and title, the unit, the value in yuan, and half a unit of its last printed digit (`half`), the
  rounding a printed figure carries.
- `Report` holds the tables, the claims of the prose, the prose itself and the identity.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from typing import Any, NamedTuple

from yusuan.model import Cell, Extraction, NarrativeParagraph, ReportIdentity, Table
from yusuan.money import UNIT_FACTORS, squeeze
from yusuan.narrative import Claim

Box = tuple[float, float, float, float]


def half_unit(raw_text: str | None) -> Decimal:
    """Half a unit of the last printed digit of a figure: `1,272.07` -> 0.005, `82` -> 0.5, `-3.5` -> 0.05."""
    s = squeeze(raw_text).replace(",", "").replace("-", "")
    decimals = len(s.split(".")[1]) if "." in s else 0
    return Decimal("0.5").scaleb(-decimals)


class Amount(NamedTuple):
    """One printed amount of a table: where it is, what it says, and the rounding it carries."""

    table_seq: int
    table_type: str | None
    table_no: str | None
    title: str | None
    page: int
    row_seq: int
    row_code: str | None
    row_name: str | None
    row_kind: str | None
    row_level: int | None
    column: str
    column_seq: int
    raw_text: str
    amount: Decimal
    unit: str | None
    half: Decimal  # half a unit of the last printed digit, in the table's unit
    yuan: Decimal | None  # the amount in yuan (None: the unit is not known)
    half_yuan: Decimal | None
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None

    @property
    def table(self) -> str:
        """The table as a reader names it: its printed number, else its type."""
        return self.table_no or self.table_type or ""

    @property
    def name(self) -> str:
        return self.row_name or ""

    @property
    def is_total(self) -> bool:
        """A total row without a code (合计, 总计): the table's own total."""
        return self.row_kind == "total" and self.row_code is None


def amount_of(table: Table, cell: Cell) -> Amount | None:
    """The cell as an Amount, or None when it prints no parsed amount (blank, text, unparseable)."""
    if cell.kind != "money" or cell.amount is None:
        return None
    factor = UNIT_FACTORS.get(cell.unit or "")
    half = half_unit(cell.raw_text)
    box = cell.box or (None, None, None, None)
    return Amount(table.seq, table.table_type, table.table_no, table.title, cell.page, cell.row_seq, cell.row_code,
                  cell.row_name, cell.row_kind, cell.row_level, cell.column_name, cell.column_seq, cell.raw_text,
                  cell.amount, cell.unit, half, None if factor is None else cell.amount * factor,
                  None if factor is None else half * factor, *box)


def _readings(con: Any) -> str:
    """The columns of a table's reading, where the warehouse has them (one published before they were added has
    not: its tables read as not judged)."""
    have = {c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = 'extracted' "
                                      "AND table_name = 'tables'").fetchall()}
    wanted = ("confirmation", "confirmation_reason", "reading")
    return ", ".join(c if c in have else f"NULL AS {c}" for c in wanted)


@dataclass
class Report:
    """One report as the checks read it."""

    report_id: str
    identity: ReportIdentity
    tables: list[Table]
    claims: list[Claim] = field(default_factory=list)
    narrative: list[NarrativeParagraph] = field(default_factory=list)
    sha256: str | None = None
    file_name: str | None = None
    # the conformed stage's amounts per table (count, sum), where the report has been conformed (warehouse)
    conformed: dict[int, tuple[int, Decimal]] | None = None

    @property
    def fiscal_year(self) -> int | None:
        return self.identity.fiscal_year

    @property
    def report_kind(self) -> str | None:
        return self.identity.report_kind

    @property
    def is_final(self) -> bool:
        return bool(self.report_kind and self.report_kind.endswith("final"))

    @cached_property
    def amounts(self) -> list[Amount]:
        """Every parsed amount of every table, by table, row and column as printed."""
        out = [a for t in self.tables for c in t.cells if (a := amount_of(t, c)) is not None]
        return sorted(out, key=lambda a: (a.table_seq, a.row_seq, a.column_seq))

    @cached_property
    def claims_by_seq(self) -> dict[int, Claim]:
        return {c.seq: c for c in sorted(self.claims, key=lambda c: c.seq)}

    def table(self, seq: int) -> Table | None:
        return next((t for t in self.tables if t.seq == seq), None)

    def of_types(self, *types: str) -> list[Table]:
        """The tables of the given types, in printed order."""
        return [t for t in self.tables if t.table_type in types]

    def amounts_of(self, *types: str | None) -> list[Amount]:
        """The amounts of every table of the given types, in printed order."""
        return [a for a in self.amounts if a.table_type in types]

    def scoped(self, types: tuple[str, ...]) -> Report:
        """The report as a rule whose catalog entry names `types` sees it: those tables only (all of them
        when no type is named)."""
        if not types:
            return self
        return self.only([t for t in self.tables if t.table_type in types])

    def only(self, tables: list[Table]) -> Report:
        """The report with the given tables only (their amounts read once, from this view's)."""
        seqs = {t.seq for t in tables}
        view = replace(self, tables=tables)
        mine = {id(t) for t in self.tables}
        if "amounts" in self.__dict__ and all(id(t) in mine for t in tables):  # already read: these tables' part
            view.__dict__["amounts"] = [a for a in self.amounts if a.table_seq in seqs]
        return view

    # ---- building ------------------------------------------------------------------------------

    @classmethod
    def from_extraction(cls, report_id: str, extraction: Extraction, *, sha256: str | None = None,
                        file_name: str | None = None) -> Report:
        """The view of an extraction held in memory (nothing written yet)."""
        return cls(report_id, extraction.identity, list(extraction.tables), list(extraction.claims),
                   list(extraction.narrative), sha256=sha256, file_name=file_name)

    @classmethod
    def from_warehouse(cls, con: Any, report_id: str) -> Report:
        """The view of a report a warehouse (a report's work database, or the published views) holds."""
        row = con.execute("""SELECT department, unit_code, unit_codes, fiscal_year, report_kind, report_title,
                                    money_unit, sha256, file_name
                             FROM budget.reports WHERE report_id = ?""", [report_id]).fetchone()
        if row is None:
            raise KeyError(f"report {report_id} is not in the warehouse")
        identity = ReportIdentity(department=row[0], department_code=row[1], unit_codes=tuple(row[2] or ()),
                                  fiscal_year=row[3], report_kind=row[4], title=row[5], money_unit=row[6])
        cells: dict[int, list[Cell]] = {}
        names = ("table_seq", "row_seq", "page", "row_code", "row_name", "column_name", "column_seq", "raw_text", "kind",
                 "amount", "unit", "parse_error", "row_kind", "block", "row_level")
        for r in con.execute(f"""SELECT {", ".join(names)}, x0, top, x1, bottom FROM extracted.cells
                                 WHERE report_id = ? ORDER BY table_seq, row_seq, column_seq""", [report_id]).fetchall():
            box = (r[15], r[16], r[17], r[18]) if r[15] is not None else None
            cells.setdefault(r[0], []).append(Cell(**dict(zip(names, r[:15], strict=True)), box=box))
        tables = [Table(seq=seq, table_type=ttype, table_no=no, title=title,
                        pages=list(range(first, last + 1)) if first is not None else [], unit=unit,
                        header=list(header or []), cells=cells.get(seq, []), note=note, empty=bool(empty),
                        row_count=row_count or 0, confirmation=confirmation, confirmation_reason=why, reading=reading)
                  for seq, ttype, no, title, first, last, unit, header, empty, note, row_count, confirmation, why, reading
                  in con.execute(
                      f"""SELECT table_seq, table_type, table_no, title, first_page, last_page, unit, header, is_empty,
                                 note, row_count, {_readings(con)}
                          FROM extracted.tables WHERE report_id = ? ORDER BY table_seq""", [report_id]).fetchall()]
        fields = ("seq", "page", "sentence", "subject", "kind", "value", "unit", "raw", "base_seq", "period", "section",
                  "item", "code")
        claims = [Claim(**dict(zip(fields, r[:13], strict=True)),
                        box=(r[13], r[14], r[15], r[16]) if r[13] is not None else None)
                  for r in con.execute(f"""SELECT {", ".join(fields)}, x0, top, x1, bottom FROM extracted.claims
                                           WHERE report_id = ? ORDER BY seq""", [report_id]).fetchall()]
        narrative = [NarrativeParagraph(page, text, tuple(tuple(b) for b in boxes or ()))
                     for page, text, boxes in con.execute(
                         "SELECT page, text, line_boxes FROM extracted.narrative WHERE report_id = ? ORDER BY page",
                         [report_id]).fetchall()]
        conformed = {seq: (n, total) for seq, n, total in con.execute(
            """SELECT table_seq, count(*), coalesce(sum(amount), 0) FROM conformed.all_amounts
               WHERE report_id = ? AND amount IS NOT NULL GROUP BY 1""", [report_id]).fetchall()}
        return cls(report_id, identity, tables, claims, narrative, sha256=row[7], file_name=row[8],
                   conformed=conformed)
