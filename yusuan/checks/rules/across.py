"""Figures across reports: what one report states of another report of the same body.

A budget says what last year's budget was (比上年增加 X 万元, a 上年预算数 column); a 决算 prints the budget it
executed (its 预算数 columns); a 部门 report prints a row for each of its units. Where the published corpus
(yusuan.checks.corpus.Corpus) holds both reports, the figure one report states is compared with the figure the
other prints. Every instance names both reports, records both figures (the other report's with its id, so
that a review page can draw it), and belongs to the stating report: each rule returns (stating report id,
instance). These correspondences are customary, not strict: the family across_reports warns and never
quarantines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from yusuan.checks.claims import Tables, claim_source, list_opener, resolve, total_column, unit_factor
from yusuan.checks.corpus import Corpus, Published
from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance, Source
from yusuan.checks.registry import rule
from yusuan.identify import body_key
from yusuan.money import YUAN, last_digit_unit
from yusuan.narrative import Claim
from yusuan.three_public import item_of_column
from yusuan.view import Amount
from yusuan.vocabulary import vocabulary

Found = tuple[str, Instance]  # (the stating report's id, the instance)

_VOC = vocabulary()
# 比2023年预算减少 / 比上年增加 / 比2023年预算执行数增加: the year compared with, and whether it is a budget
_COMPARED = _VOC.word("than_year_figure")
_OUTTURN = _VOC.word("outturn")  # 执行, 决算
_FINAL = _VOC.kind["final"]  # 决算
_LAST_YEAR = _VOC.word("last_year")  # 上年
_YEAR = _VOC.word("year_label")  # 2025年
# a column of last year's figures: 上年预算数, 2025年执行数; 上年结转 is this year's income, not last year's
_CARRIED = _VOC.word("carried_over")
# the budget a 决算 prints beside its outturn (预算数 | 年初预算数), never the outturn itself
_BUDGET_COLUMN = _VOC.word("budget_column")
_THREE_PUBLIC_TYPES = ("three_public", "three_public_and_office_operation", "three_public_meetings_training")
# the tables of a 部门 report that list its units by name, and the table of a 单位 report holding the same total
_UNIT_ROW_TABLES = ("income", "expenditure", "general_public_by_unit")
_UNIT_TABLE_IN_UNIT_REPORT = {"general_public_by_unit": ("general_public_by_unit", "general_public_by_function")}
_UNIT_CODE = re.compile(r"^\d+[\s_\-]*")  # 106001 长沙市公安局, 106_长沙市公安局


class _Read:
    """The tables of the corpus's reports, each read once per rule."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self._tables: dict[str, Tables] = {}

    def __call__(self, r: Published) -> Tables:
        if r.report_id not in self._tables:
            self._tables[r.report_id] = Tables(self.corpus.view(r))
        return self._tables[r.report_id]


def _where(a: Amount) -> str:
    return f"{a.table_no or a.table_type} {a.row_code or a.row_name or ''} {a.column}".replace("  ", " ").strip()


def _instance(ident: Identity, r: Published, label: str, lhs: Any, rhs: Any, tol: Any, page: int | None,
              unit: str | None, table_type: str | None, detail: str, compared: list[Source],
              why_not: str | None = None) -> Found:
    """One instance of a stating report: the figures compared, and why it is not evaluated, if it is not."""
    inst = ident.instance(label, lhs, rhs, tol, table_type, None, page, unit, detail=detail)
    inst.compared = compared
    inst.not_evaluated = why_not
    return r.report_id, inst


def _compared_with(other: Published) -> str:
    return f"compared with report {other.report_id} ({other.file_name})"


# ---- stated_last_year ----------------------------------------------------------------------------


@rule(over="corpus")
def stated_last_year(corpus: Corpus, ident: Identity) -> list[Found]:
    """A figure a report states of an earlier year (比2023年预算减少 876.75 万元: 2023's = this year's + 876.75;
    2023年预算数为 X) = the figure the earlier report prints for the same subject (found as the narrative rule
    finds a claim's figure, yusuan.checks.claims.resolve, in the earlier report's tables)."""
    read = _Read(corpus)
    out: list[Found] = []
    for r, other, c, change in _stated_of_others(corpus):
        found = _stated(ident, corpus, read, r, other, c, change)
        if found is not None:
            out.append(found)
    return out


def _stated_of_others(corpus: Corpus) -> list[tuple[Published, Published, Claim, Claim | None]]:
    """(stating report, report stated of, the claim, the change it states or None for a stated amount), for
    each change compared with a named year (比2023年, 比上年) and each amount of an earlier year, where the
    corpus holds the report of that year and kind (a budget, or a 决算 for 执行数/决算数)."""
    out: list[tuple[Published, Published, Claim, Claim | None]] = []
    for r in corpus.stating:
        for c in corpus.view(r).claims_by_seq.values():
            other = _stated_of(corpus, r, c)
            if other is not None:
                out.append((r, other, c, None if c.kind == "amount" else c))
    return out


def _stated_of(corpus: Corpus, r: Published, c: Claim) -> Published | None:
    """The report a claim of `r` states a figure of, where the corpus holds it."""
    stated = c.kind == "change" or (c.kind == "amount" and c.period == "previous")
    m = _COMPARED.search(re.sub(r"\s+", "", c.subject)) if stated else None
    if not stated or (c.kind == "change" and m is None):
        return None
    year = int(m.group(2)) if m and m.group(2) else r.year - 1
    words = (m.group(0) if m else "") + c.subject
    kind = "final" if _OUTTURN.search(words) else "budget"
    return corpus.partner(r, year, kind) if year != r.year else None


def _stated(ident: Identity, corpus: Corpus, read: _Read, r: Published, other: Published, c: Claim,
            change: Claim | None) -> Found | None:
    """The instance of one stated figure: this year's amount less the change (or the amount stated) against the
    figure the other report prints for the subject; not evaluated where the other report does not print it."""
    mine = corpus.view(r).claims_by_seq
    base = mine.get(c.base_seq) if change is not None and c.base_seq is not None else None
    if change is not None and (base is None or base.unit != change.unit or base.kind != "amount"):
        return None
    subject = base if base is not None else replace(c, period="current")
    fig, why = resolve(subject, read(other), list_opener(mine, subject))
    stated = subject.value - change.value if change is not None else c.value
    factor = unit_factor(subject.unit)
    said = (f"“{subject.subject} {subject.raw}{subject.unit}” {change.subject} {change.raw}{change.unit}"
            if change is not None else f"“{c.subject} {c.raw}{c.unit}”")
    label = f"{r.file_name} p{c.page} {said}: {other.year} = {other.file_name}"
    detail = f"sentence: {c.sentence[:200]}; {_compared_with(other)}"
    # the stating report's sentence, then (where it prints it) the other report's figure, on its own page
    sentences = [claim_source(c)] + ([claim_source(base)] if base is not None and base.sentence != c.sentence else [])
    if fig is None:
        return _instance(ident, r, f"{label} (not printed there)", stated, None, 0, c.page, subject.unit, None,
                         detail, sentences, why_not=f"{other.file_name}: {why}")
    a = fig.amount
    tol = last_digit_unit(subject.raw) / 2 + (last_digit_unit(change.raw) / 2 if change is not None else 0) \
        + a.half_yuan / factor  # type: ignore[operator]
    return _instance(ident, r, f"{label} {_where(a)} p{a.page}", stated, a.yuan / factor,  # type: ignore[operator]
                     tol, c.page, subject.unit, a.table_type, detail,
                     sentences + [Source.of("rhs", a, other.report_id)])


# ---- printed_last_year, budget_in_final ----------------------------------------------------------


def _columns(tables: Tables) -> list[str]:
    """The money columns of a report (their leaf header paths), each once, in the order first printed (by
    table, then left to right)."""
    first: dict[str, tuple[int, int]] = {}
    for a in tables.amounts:
        key = (a.table_seq, a.column_seq)
        if a.column not in first or key < first[a.column]:
            first[a.column] = key
    return sorted(first, key=lambda column: first[column])


def _year_of_last_years_column(column: str, year: int) -> int | None:
    """The earlier year a column of last year's figures is of (上年预算数: the year before; 2025年执行数: 2025),
    or None for a column of this year, a change (增减), a memo, or 上年结转 (this year's income)."""
    previous = vocabulary().header_roles["previous_year"]
    change = vocabulary().header_roles["change"]
    memo = vocabulary().header_roles["memo"]
    m = _YEAR.search(column)
    of = int(m.group(1)) if m else year - 1
    if not (previous.search(column) or (m and of < year)) or change.search(column) \
            or memo.search(column) or _CARRIED.search(column):
        return None
    return of if of < year else None


@rule(over="corpus")
def printed_last_year(corpus: Corpus, ident: Identity) -> list[Found]:
    """A column of last year's figures (上年预算数, 2025年执行数) = that year's report, row by row (the same
    code, or the same 三公 item), in its total column."""
    read = _Read(corpus)
    out: list[Found] = []
    for r in corpus.stating:
        for column in _columns(read(r)):
            year = _year_of_last_years_column(column, r.year)
            other = corpus.partner(r, year, "final" if _OUTTURN.search(column) else "budget") \
                if year is not None else None
            if other is not None:
                out += _column_against(ident, read, r, other, column)
    return out


@rule(over="corpus")
def budget_in_final(corpus: Corpus, ident: Identity) -> list[Found]:
    """A 决算's 预算数 columns (the 三公 table's 预算数 beside its 决算数) = that year's budget."""
    read = _Read(corpus)
    out: list[Found] = []
    for r in corpus.stating:
        other = corpus.partner(r, r.year, "budget") if r.kind == "final" else None
        if other is None:
            continue
        for column in _columns(read(r)):
            if _BUDGET_COLUMN.search(column) and not _FINAL.search(column):
                out += _column_against(ident, read, r, other, column)
    return out


def _not_the_budget(column: str) -> bool:
    """In the report compared with, a 三公 column of an outturn (决算数) or of another year is not the budget."""
    return bool(_OUTTURN.search(column) or _LAST_YEAR.search(column))


def _same_row(a: Amount, theirs: Tables) -> list[Amount] | None:
    """The figures of the other report that print what `a` prints: the same 三公 item (in a column of the budget),
    or the same code of a table of the same type, in its total column; None when `a` names neither."""
    if a.table_type in _THREE_PUBLIC_TYPES:
        item = item_of_column(a.column)
        if item is None:
            return None
        return [x for x in theirs.of_types(_THREE_PUBLIC_TYPES)
                if item_of_column(x.column) == item and not _not_the_budget(x.column)]
    if not a.row_code:
        return None
    rows = [x for x in theirs.of_type(a.table_type or "") if x.row_code == a.row_code]
    total = total_column(rows) if rows else None
    return [total] if total is not None else []


def _column_against(ident: Identity, read: _Read, r: Published, other: Published, column: str) -> list[Found]:
    """Each amount of `column` in report r against the same row (code or 三公 item) of `other`; not evaluated
    where the other report prints it not once."""
    theirs = read(other)
    out: list[Found] = []
    for a in [x for x in read(r).amounts if x.column == column]:
        found = _same_row(a, theirs)
        if found is None:
            continue
        label = f"{r.file_name} {_where(a)} p{a.page} = {other.file_name}"
        if len(found) != 1:
            why = "not printed there" if not found else f"printed {len(found)} times there"
            out.append(_instance(ident, r, f"{label} ({why})", a.yuan, None, 0, a.page, YUAN, a.table_type,
                                 _compared_with(other), [Source.of("lhs", a)], why_not=f"{other.file_name}: {why}"))
            continue
        b = found[0]
        out.append(_instance(ident, r, f"{label} {_where(b)} p{b.page}", a.yuan, b.yuan,
                             a.half_yuan + b.half_yuan, a.page, YUAN, a.table_type,  # type: ignore[operator]
                             _compared_with(other), [Source.of("lhs", a), Source.of("rhs", b, other.report_id)]))
    return out


# ---- unit_rows -----------------------------------------------------------------------------------


@rule(over="corpus")
def unit_rows(corpus: Corpus, ident: Identity) -> list[Found]:
    """A 部门 report's row for one of its units (a 收入总表, 支出总表 or 分单位 table listing units by name) = that
    unit's own 单位 report of the same year and kind: its table of the same type, 合计 row, total column."""
    read = _Read(corpus)
    out: list[Found] = []
    for r in corpus.stating:
        units = corpus.units_of(r)
        if not units:
            continue
        named = _units_named(read(r).amounts)
        for u in units:
            by_table: dict[int, list[Amount]] = {}
            for a in named.get(u.body, []):
                by_table.setdefault(a.table_seq, []).append(a)
            out += [_unit_row(ident, read, r, u, cells) for cells in by_table.values()]
    return out


def _units_named(amounts: Iterable[Amount]) -> dict[str, list[Amount]]:
    """The amounts of the rows of a 部门 report's tables that list units by name, by the body they name."""
    named: dict[str, list[Amount]] = {}
    for a in amounts:
        if a.row_code is None and a.row_kind != "total" and a.table_type in _UNIT_ROW_TABLES and a.row_name:
            key = body_key(_UNIT_CODE.sub("", a.row_name))
            if key is not None:
                named.setdefault(key, []).append(a)
    return named


def _unit_row(ident: Identity, read: _Read, r: Published, u: Published, cells: list[Amount]) -> Found:
    """One unit's row of a table of `r` against the unit's report `u`: the row's total column = the 合计 row of
    the unit report's table of that type; not evaluated where the unit is printed on more than one row, its
    row has no total column, or the unit report prints no such total."""
    rows = {c.row_seq for c in cells}
    a = total_column(cells) if len(rows) == 1 else None
    first = cells[0]
    label = f"{r.file_name} {first.table_no or first.table_type} {first.row_name} p{first.page} = {u.file_name}"
    detail = _compared_with(u)
    if a is None:
        why = "the unit is printed on more than one row" if len(rows) > 1 else "its row has no total column"
        return _instance(ident, r, f"{label} (doubtful)", None, None, 0, first.page, YUAN, first.table_type, detail,
                         [Source.of("lhs", first)], why_not=why)
    types = _UNIT_TABLE_IN_UNIT_REPORT.get(a.table_type or "", (a.table_type or "",))
    totals = [x for x in read(u).of_types(types) if x.row_kind == "total" and x.row_code is None]
    total = total_column([x for x in totals if x.row_seq == totals[0].row_seq]) if totals else None
    if total is None:
        return _instance(ident, r, f"{label} (no total there)", a.yuan, None, 0, a.page, YUAN, a.table_type, detail,
                         [Source.of("lhs", a)], why_not=f"{u.file_name}: no {a.table_type} total")
    return _instance(ident, r, f"{label} {_where(total)} p{total.page}", a.yuan, total.yuan,
                     a.half_yuan + total.half_yuan, a.page, YUAN, a.table_type, detail,  # type: ignore[operator]
                     [Source.of("lhs", a), Source.of("rhs", total, u.report_id)])
