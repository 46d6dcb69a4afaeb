"""Figures across reports: what one report states of another report of the same body.

A budget says what last year's budget was (比上年增加 X 万元, a 上年预算数 column); a 决算 prints the
budget it executed (its 预算数 columns). Where the published warehouse holds both reports, the figure
one report states is compared with the figure the other prints. Every instance names both reports and
both pages, records both figures (the other report's with its id, so that a review page can draw it), and
belongs to the stating report. These correspondences are customary, not strict: the family
`across_reports` warns and never quarantines.

Reports are linked by body (budget.reports.body_key, yusuan.identify.body_key), year, kind (budget | final)
and level (部门 | 单位).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb

from yusuan.checks.catalog import Identity
from yusuan.checks.instance import Instance, Source
from yusuan.checks.prose import Amount, Tables, claim_source, list_opener, read_claims, resolve
from yusuan.checks.rules import _PREPARE, _Evaluator
from yusuan.identify import body_key
from yusuan.money import UNIT_FACTORS, last_digit_unit
from yusuan.narrative import Claim
from yusuan.vocabulary import vocabulary

# 比2023年预算减少 / 比上年增加 / 比2023年预算执行数增加: the year compared with, and whether it is a budget
_COMPARED = re.compile(r"比(?:(上)年|(\d{4})年(?:度)?)(年初)?(预算执行数|执行数|决算数?|预算数?)?")
_OUTTURN = re.compile(r"执行|决算")
# a column of last year's figures: 上年预算数, 2025年执行数; 上年结转 is this year's income, not last year's
_CARRIED = re.compile(r"结转|结余")
# the budget a 决算 prints beside its outturn (预算数 | 年初预算数), never the outturn itself
_BUDGET_COLUMN = re.compile(r"(^|/)(年初)?预算数?$|(^|/)(年初)?预算数?/")
def _not_the_budget(column: str) -> bool:
    """In the report compared with, a 三公 column of an outturn (决算数) or of another year is not the budget."""
    return "决算" in column or bool(re.search(r"上年|执行", column))


_THREE_PUBLIC_TYPES = ("three_public", "three_public_and_office_operation", "three_public_meetings_training")
# the items of a 三公 table, by the words of its column (the year, 预算数/决算数 and 财政拨款 removed)
_THREE_PUBLIC_ITEMS = (("vehicle_purchase", r"(?<!及)购置费$"), ("vehicle_operation", r"(?<!购置及)运行(维护)?费$"),
                       ("vehicles", r"公务用车购置(及|和)运行(维护)?费$"), ("overseas", r"因公出国"),
                       ("reception", r"公务接待费$"), ("office_operation", r"机关运行经费$"),
                       ("meetings", r"会议费$"), ("training", r"培训费$"), ("total", r"^(“?三公”?经费)?合计$"))


@dataclass(frozen=True)
class Published:
    """One published report, as the cross-report checks link it."""

    report_id: str
    file_name: str
    body: str
    year: int
    kind: str  # budget | final
    level: str  # dept | unit


class _Report:
    """One report's tables and claims, read from the warehouse."""

    def __init__(self, con: duckdb.DuckDBPyConnection, report: Published) -> None:
        first, rest = _PREPARE.split(";", 1)
        con.execute(first, [report.report_id])
        con.execute(rest)
        ev = _Evaluator(con, report.report_id)
        self.report = report
        self.tables = Tables(ev)
        self.claims = read_claims(ev)


def _item_of_three_public(column: str) -> str | None:
    s = re.sub(r"\d{4}年|预算数|决算数|财政拨款|[（(]?[一二三四五六七八九十]+[)）、]", "", column)
    parts = [p for p in s.split("/") if p]
    if parts and parts[-1] == "小计" and len(parts) > 1:
        parts = parts[:-1]
    label = parts[-1] if parts else ""
    if label in ("小计", ""):
        label = "合计"
    return next((item for item, pattern in _THREE_PUBLIC_ITEMS if re.search(pattern, label)), None)


def _factor(unit: str) -> Decimal:
    return UNIT_FACTORS.get(unit, Decimal(1))


def _where(a: Amount) -> str:
    return f"{a.table_no or a.table_type} {a.row_code or a.row_name or ''} {a.column}".replace("  ", " ").strip()


class Across:
    """The published reports, linked; one method per rule of the family across_reports."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        rows = con.execute("""SELECT report_id, file_name, body_key, fiscal_year, report_kind FROM budget.reports
                              WHERE status IN ('loaded', 'quarantined') AND fiscal_year IS NOT NULL
                                AND report_kind IS NOT NULL AND body_key IS NOT NULL
                              ORDER BY ingested_at, report_id""").fetchall()
        self.reports = [Published(rid, name, key, year, kind.split("_")[1], kind.split("_")[0])
                        for rid, name, key, year, kind in rows]
        self._read: dict[str, _Report] = {}

    def _of(self, r: Published) -> _Report:
        if r.report_id not in self._read:
            self._read[r.report_id] = _Report(self.con, r)
        return self._read[r.report_id]

    def partner(self, r: Published, year: int, kind: str) -> Published | None:
        """The report of the same body and level for `year` and `kind`: the newest publication when several."""
        found = [x for x in self.reports if x.body == r.body and x.level == r.level and x.year == year
                 and x.kind == kind and x.report_id != r.report_id]
        return found[-1] if found else None

    @cached_property
    def _pairs_by_claim(self) -> list[tuple[Published, Published, Claim, Claim | None]]:
        """(stating report, report stated of, the claim, the change it states or None for a stated amount)."""
        out = []
        for r in self.reports:
            claims = self._claims_of(r)
            for c in claims.values():
                stated = c.kind == "change" or (c.kind == "amount" and c.period == "previous")
                m = _COMPARED.search(re.sub(r"\s+", "", c.subject)) if stated else None
                if not stated or (c.kind == "change" and m is None):
                    continue
                year = (int(m.group(2)) if m and m.group(2) else r.year - 1)
                words = (m.group(0) if m else "") + c.subject
                kind = "final" if _OUTTURN.search(words) else "budget"
                other = self.partner(r, year, kind) if year != r.year else None
                if other is not None:
                    out.append((r, other, c, None if c.kind == "amount" else c))
        return out

    def _claims_of(self, r: Published) -> dict[int, Claim]:
        rows = self.con.execute(
            "SELECT seq, page, sentence, subject, kind, value, unit, raw, base_seq, period, section, item, code, "
            "x0, top, x1, bottom FROM extracted.claims WHERE report_id = ? ORDER BY seq", [r.report_id]).fetchall()
        return {row[0]: replace(Claim(*row[:-4]), box=tuple(row[-4:]) if row[-4] is not None else None) for row in rows}

    def _inst(self, ident: Identity, r: Published, label: str, lhs: Any, rhs: Any, tol: Any, page: int | None,
              unit: str | None, table_type: str | None, detail: str, why_not: str | None = None,
              compared: list[Source] | None = None) -> tuple[str, Instance]:
        inst = Instance(identity=ident.name, family=ident.family, stage=ident.stage, severity=ident.severity,
                        instance=label, lhs=None if lhs is None else Decimal(lhs),
                        rhs=None if rhs is None else Decimal(rhs), tolerance=Decimal(tol or 0),
                        table_type=table_type, page=page, unit=unit, detail=detail, compared=compared or [])
        inst.not_evaluated = why_not
        return r.report_id, inst

    # -- the rules -------------------------------------------------------------------------------
    def stated_last_year(self, ident: Identity) -> list[tuple[str, Instance]]:
        """A figure a report states of an earlier year (比2023年预算减少 876.75 万元: 2023's = this year's + 876.75;
        2023年预算数为 X) = the figure the earlier report prints for the same subject."""
        out = []
        for r, other, c, change in self._pairs_by_claim:
            mine = self._of(r)
            base = mine.claims.get(c.base_seq) if change is not None and c.base_seq is not None else None
            if change is not None and (base is None or base.unit != change.unit or base.kind != "amount"):
                continue
            subject = base if base is not None else replace(c, period="current")
            theirs = self._of(other)
            fig, why = resolve(subject, theirs.tables, list_opener(mine.claims, subject))
            stated = subject.value - change.value if change is not None else c.value
            factor = _factor(subject.unit)
            said = (f"“{subject.subject} {subject.raw}{subject.unit}” {change.subject} {change.raw}{change.unit}"
                    if change is not None else f"“{c.subject} {c.raw}{c.unit}”")
            label = f"{r.file_name} p{c.page} {said}: {other.year} = {other.file_name}"
            detail = f"sentence: {c.sentence[:200]}; compared with report {other.report_id} ({other.file_name})"
            # the stating report's sentence, then (where it prints it) the other report's figure, on its own page
            sentences = [claim_source(c)] + ([claim_source(base)] if base is not None and base.sentence != c.sentence
                                             else [])
            if fig is None:
                out.append(self._inst(ident, r, f"{label} (not printed there)", stated, None, 0, c.page,
                                      subject.unit, None, detail, why_not=f"{other.file_name}: {why}", compared=sentences))
                continue
            tol = last_digit_unit(subject.raw) / 2 + (last_digit_unit(change.raw) / 2 if change is not None else 0) \
                + fig.amount.half_yuan / factor
            out.append(self._inst(ident, r, f"{label} {_where(fig.amount)} p{fig.amount.page}", stated,
                                  fig.amount.yuan / factor, tol, c.page, subject.unit, fig.amount.table_type, detail,
                                  compared=sentences + [Source.of("rhs", fig.amount, other.report_id)]))
        return out

    def printed_last_year(self, ident: Identity) -> list[tuple[str, Instance]]:
        """A column of last year's figures (上年预算数, 2025年执行数) = that year's report, row by row (the same
        code, or the same 三公 item), in its total column."""
        previous = vocabulary().header_roles["previous_year"]
        change = vocabulary().header_roles["change"]
        memo = vocabulary().header_roles["memo"]
        out = []
        for r in self.reports:
            cells = self.con.execute(
                """SELECT column_name FROM budget.line_items WHERE report_id = ? AND amount IS NOT NULL
                   GROUP BY column_name""", [r.report_id]).fetchall()
            for (column,) in cells:
                m = re.search(r"(\d{4})年", column)
                year = int(m.group(1)) if m else r.year - 1
                if not (previous.search(column) or (m and year < r.year)) or change.search(column) \
                        or memo.search(column) or _CARRIED.search(column):
                    continue
                kind = "final" if _OUTTURN.search(column) else "budget"
                other = self.partner(r, year, kind) if year < r.year else None
                if other is not None:
                    out += self._column_against(ident, r, other, column)
        return out

    def budget_in_final(self, ident: Identity) -> list[tuple[str, Instance]]:
        """A 决算's 预算数 columns (the 三公 table's 预算数 beside its 决算数) = that year's budget."""
        out = []
        for r in self.reports:
            other = self.partner(r, r.year, "budget") if r.kind == "final" else None
            if other is None:
                continue
            cells = self.con.execute(
                """SELECT column_name FROM budget.line_items WHERE report_id = ? AND amount IS NOT NULL
                   GROUP BY column_name""", [r.report_id]).fetchall()
            for (column,) in cells:
                if _BUDGET_COLUMN.search(column) and "决算" not in column:
                    out += self._column_against(ident, r, other, column)
        return out

    def _column_against(self, ident: Identity, r: Published, other: Published, column: str) -> list[tuple[str, Instance]]:
        """Each amount of `column` in report r against the same row (code or 三公 item) of `other`."""
        mine, theirs = self._of(r), self._of(other)
        out = []
        for a in [x for x in mine.tables.amounts if x.column == column]:
            if a.table_type in _THREE_PUBLIC_TYPES:
                item = _item_of_three_public(a.column)
                if item is None:
                    continue
                found = [x for x in theirs.tables.of_types(list(_THREE_PUBLIC_TYPES))
                         if _item_of_three_public(x.column) == item and not _not_the_budget(x.column)]
            elif a.row_code:
                rows = [x for x in theirs.tables.of_types([a.table_type or ""]) if x.row_code == a.row_code]
                total = Tables._total_column(rows) if rows else None
                found = [total] if total is not None else []
            else:
                continue
            label = (f"{r.file_name} {_where(a)} p{a.page} = {other.file_name}")
            detail = f"compared with report {other.report_id} ({other.file_name})"
            if len(found) != 1:
                why = "not printed there" if not found else f"printed {len(found)} times there"
                out.append(self._inst(ident, r, f"{label} ({why})", a.yuan, None, 0, a.page, "元", a.table_type,
                                      detail, why_not=f"{other.file_name}: {why}", compared=[Source.of("lhs", a)]))
                continue
            b = found[0]
            out.append(self._inst(ident, r, f"{label} {_where(b)} p{b.page}", a.yuan, b.yuan, a.half_yuan + b.half_yuan,
                                  a.page, "元", a.table_type, detail,
                                  compared=[Source.of("lhs", a), Source.of("rhs", b, other.report_id)]))
        return out


    def unit_rows(self, ident: Identity) -> list[tuple[str, Instance]]:
        """A 部门 report's row for one of its units (a 收入总表, 支出总表 or 分单位 table listing units by name) = that
        unit's own 单位 report of the same year and kind: its table of the same type, 合计 row, total column."""
        out = []
        for r in self.reports:
            units = [u for u in self.reports if u.level == "unit" and u.year == r.year and u.kind == r.kind
                     and u.body != r.body] if r.level == "dept" else []
            if not units:
                continue
            mine = self._of(r)
            named: dict[str, list[Amount]] = {}
            for a in mine.tables.amounts:
                if a.row_code is None and a.row_kind != "total" and a.table_type in _UNIT_ROW_TABLES and a.row_name:
                    key = body_key(_UNIT_CODE.sub("", a.row_name))
                    if key is not None:
                        named.setdefault(key, []).append(a)
            for u in units:
                by_table: dict[int, list[Amount]] = {}
                for a in named.get(u.body, []):
                    by_table.setdefault(a.table_seq, []).append(a)
                for cells in by_table.values():
                    a = Tables._total_column(cells) if len({c.row_seq for c in cells}) == 1 else None
                    first = cells[0]
                    label = f"{r.file_name} {first.table_no or first.table_type} {first.row_name} p{first.page} = {u.file_name}"
                    detail = f"compared with report {u.report_id} ({u.file_name})"
                    if a is None:
                        why = "the unit is printed on more than one row" if len({c.row_seq for c in cells}) > 1 \
                            else "its row has no total column"
                        out.append(self._inst(ident, r, f"{label} (doubtful)", None, None, 0, first.page, "元",
                                              first.table_type, detail, why_not=why,
                                              compared=[Source.of("lhs", first)]))
                        continue
                    theirs = self._of(u)
                    rows = [x for x in theirs.tables.of_types(list(_UNIT_TABLE_IN_UNIT_REPORT.get(a.table_type or "",
                                                                                                    (a.table_type,))))
                            if x.row_kind == "total" and x.row_code is None]
                    total = Tables._total_column([x for x in rows if x.row_seq == rows[0].row_seq]) if rows else None
                    if total is None:
                        out.append(self._inst(ident, r, f"{label} (no total there)", a.yuan, None, 0, a.page, "元",
                                              a.table_type, detail, why_not=f"{u.file_name}: no {a.table_type} total",
                                              compared=[Source.of("lhs", a)]))
                        continue
                    out.append(self._inst(ident, r, f"{label} {_where(total)} p{total.page}", a.yuan, total.yuan,
                                          a.half_yuan + total.half_yuan, a.page, "元", a.table_type, detail,
                                          compared=[Source.of("lhs", a), Source.of("rhs", total, u.report_id)]))
        return out


# the tables of a 部门 report that list its units by name, and the table of a 单位 report holding the same total
_UNIT_ROW_TABLES = ("income", "expenditure", "general_public_by_unit")
_UNIT_TABLE_IN_UNIT_REPORT = {"general_public_by_unit": ("general_public_by_unit", "general_public_by_function")}
_UNIT_CODE = re.compile(r"^\d+[\s_\-]*")  # 106001 长沙市公安局, 106_长沙市公安局

RULES = {"stated_last_year", "printed_last_year", "budget_in_final", "unit_rows"}


def evaluate_across(con: duckdb.DuckDBPyConnection, identities: list[Identity]) -> list[tuple[str, Instance]]:
    """Every instance of the cross-report identities over the published warehouse: (stating report, instance)."""
    across = Across(con)
    out: list[tuple[str, Instance]] = []
    for ident in identities:
        out += getattr(across, ident.rule)(ident)
    return out


def across_results(con: duckdb.DuckDBPyConnection, catalog_path: Path) -> list[tuple[str, Instance]]:
    """The cross-report instances of the catalog over the published warehouse, waivers applied (a waiver
    names the stating report's sha256)."""
    from yusuan.checks.results import apply_waivers, load_waivers
    from yusuan.checks.suites import _catalog

    catalog = _catalog(Path(catalog_path))
    found = evaluate_across(con, catalog.for_stage("published"))
    waivers = load_waivers(Path(catalog_path).with_name("waivers.yaml"))
    if waivers:
        sha = dict(con.execute("SELECT report_id, sha256 FROM budget.reports").fetchall())
        for report_id, inst in found:
            apply_waivers([inst], sha.get(report_id) or "", waivers)
    return found
