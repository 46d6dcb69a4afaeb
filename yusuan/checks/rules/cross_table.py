"""Across tables: one defined figure printed in two tables agrees (收支总表 本年支出合计 = 支出总表 合计 …).

Figures are compared in yuan: two tables of one report may print different units (a 元 table beside a
万元 三公 table). The same figure printed twice may differ by half a unit of the coarser print; a sum by
half a unit of each printed figure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from yusuan.checks.figures import Selected, absent, select, with_sources
from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance, Source
from yusuan.checks.registry import rule
from yusuan.checks.rules.codes import code_domain
from yusuan.conform import FUNCTION_TABLES, fund_of, measure_of
from yusuan.money import YUAN
from yusuan.view import Amount, Report
from yusuan.vocabulary import vocabulary

_VOC = vocabulary()
_LEVEL1 = _VOC.list_markers[1]  # 一、
_MARKER = re.compile(f"{_LEVEL1.pattern}|{_VOC.list_markers[2].pattern}")  # 一、 （一） 1.
_EXPENDITURE_SIDE = _VOC.header_roles["expenditure_side"]
_INCOME_SIDE = _VOC.header_roles["income_side"]
_TOTAL_ROW = _VOC.row_roles["total"]
_CLASS_TOTAL = _VOC.word("class_total_column")
_FUND_TOTAL = _VOC.word("fund_table_total_column")


def _greatest(*values: Decimal | None) -> Decimal:
    """The largest of the values given (None ignored, as SQL's greatest does)."""
    return max((v for v in values if v is not None), default=Decimal(0))


def _yuan(a: Amount) -> Decimal:
    return a.yuan if a.yuan is not None else a.amount


def _half(a: Amount) -> Decimal:
    return a.half_yuan if a.half_yuan is not None else a.half


def _unmarked(name: str | None) -> str:
    """A row's name without its list marker (一、 （一） 1.)."""
    return _MARKER.sub("", name or "", count=1)


def _first_per_row(amounts: Iterable[Amount], prefer: re.Pattern[str] | None = None) -> list[Amount]:
    """One amount per printed row: the first column (by `prefer`, then printed order)."""
    best: dict[tuple[int, int], Amount] = {}
    for a in amounts:
        key = (a.table_seq, a.row_seq)
        rank = (not bool(prefer and prefer.search(a.column)), a.column_seq)
        if key not in best or rank < (not bool(prefer and prefer.search(best[key].column)), best[key].column_seq):
            best[key] = a
    return sorted(best.values(), key=lambda a: (a.row_seq, a.table_seq))


@rule
def cross_table(report: Report, ident: Identity) -> list[Instance]:
    """lhs = Σ rhs (or, with relation covers, lhs >= Σ rhs), each side one selected figure.

    A selector may say `optional: true` (a row its table does not print counts 0) and `named: <regex>`
    (the selected row must be named so: a code printed beside another name is a misreading, and the
    instance is not evaluated)."""
    lhs = select(report, ident.params["lhs"])
    specs = ident.params["rhs"]
    rhs: list[Selected | None] = [select(report, s) for s in specs]
    if lhs is not None and lhs.yuan == 0 and ident.params.get("zero_when_absent"):
        rhs = [r if r is not None else absent(report, s) for r, s in zip(rhs, specs, strict=True)]
    rhs = [absent(report, s) if r is None and s.get("optional") else r for r, s in zip(rhs, specs, strict=True)]
    if lhs is None or any(r is None for r in rhs):
        return []
    terms = [r for r in rhs if r is not None]
    total = sum((r.yuan for r in terms), Decimal(0))
    # the same figure in two tables: half a unit of the coarser; a sum: of each printed figure
    tol = max(lhs.half, terms[0].half) if len(terms) == 1 else lhs.half + sum((r.half for r in terms), Decimal(0))
    where = " + ".join(f"{r.table} {r.row_name or ''} {r.column}".strip() for r in terms)
    relation = ident.params.get("relation", "equals")
    inst = ident.instance(f"{lhs.table} {lhs.row_name or ''} {lhs.column} {'≥' if relation == 'covers' else '='} "
                          f"{where} (yuan)", lhs.yuan, total, tol, lhs.table_type, lhs.table_no, lhs.page, YUAN,
                          detail=f"as printed: {lhs.as_printed} {lhs.unit} vs "
                                 + ", ".join(f"{r.as_printed} {r.unit}" for r in terms))
    inst.relation = relation
    inst.compared = [Source.of("lhs", lhs)] + [Source.of("rhs", r) for r in terms if r.x0 is not None]
    for sel, got in [(ident.params["lhs"], lhs), *zip(specs, rhs, strict=True)]:
        if got is not None and sel.get("named") and got.column and not re.search(sel["named"], got.row_name or ""):
            inst.not_evaluated = (f"{got.table} prints {sel.get('row')} as {got.row_name}, not as "
                                  f"{sel['named']}: the row is doubtful")
    return [inst]


def _first_totals(report: Report, types: list[str]) -> dict[str, Amount]:
    """The first table of the given types: the first total row's amount of each column."""
    seqs = [a.table_seq for a in report.amounts if a.table_type in types]
    out: dict[str, Amount] = {}
    for a in report.amounts:
        if seqs and a.table_seq == min(seqs) and a.is_total and a.column not in out:
            out[a.column] = a
    return out


@rule
def total_rows_by_column(report: Report, ident: Identity) -> list[Instance]:
    """Two tables' 合计 rows, column by column where both print the same header path."""
    tables = ident.params["rule_tables"]
    left, right = _first_totals(report, tables["lhs"]), _first_totals(report, tables["rhs"])
    out = []
    for col, a in sorted(left.items(), key=lambda kv: kv[1].column_seq):
        b = right.get(col)
        if b is None:
            continue
        inst = ident.instance(f"{a.table_no or a.table_type} {a.row_name or '合计'} {col} = "
                              f"{b.table_no or tables['rhs'][0]} {b.row_name or '合计'} {col} (yuan)", a.yuan, b.yuan,
                              _greatest(a.half_yuan, b.half_yuan), a.table_type, a.table_no, a.page, YUAN)
        out.append(with_sources(inst, [a], [b]))
    return out


@rule
def classes_by_name(report: Report, ident: Identity) -> list[Instance]:
    """收支总表 each expenditure class (一、一般公共服务支出 …) = 支出总表 that 类's 合计, matched by name."""
    parts = _VOC.word("basic_or_project_column")
    lines = _first_per_row((a for a in report.amounts_of("summary") if _EXPENDITURE_SIDE.match(a.column)
                            and _LEVEL1.match(a.row_name or "") and not parts.search(a.column)),
                           prefer=_VOC.word("total_or_grand_total"))
    classes = [a for a in report.amounts_of("expenditure")
               if a.row_code and len(a.row_code) == 3 and _CLASS_TOTAL.search(a.column)]
    out = []
    for e in sorted(classes, key=lambda a: a.row_code or ""):
        for s in lines:
            if _LEVEL1.sub("", s.row_name or "", count=1) != e.row_name:
                continue
            inst = ident.instance(f"{s.table_no or 'summary'} {s.row_name} = {e.table_no or 'expenditure'} {e.row_code} 合计 "
                                  "(yuan)", s.yuan, e.yuan, _greatest(s.half_yuan, e.half_yuan), "summary", s.table_no,
                                  s.page, YUAN)
            out.append(with_sources(inst, [s], [e]))
    return out


@rule
def fiscal_classes_by_name(report: Report, ident: Identity) -> list[Instance]:
    """财政拨款收支总表 each expenditure class = Σ of that class in the general public, government
    fund and state capital tables (财政拨款 is those three)."""
    lines = _first_per_row(a for a in report.amounts_of("fiscal_summary")
                           if _EXPENDITURE_SIDE.match(a.column) and _MARKER.search(a.row_name or ""))
    classes: dict[str | None, list[Amount]] = {}
    for a in report.amounts_of("general_public_by_function", "gov_fund", "soe_capital"):
        if a.row_code and len(a.row_code) == 3 and _FUND_TOTAL.search(a.column):
            classes.setdefault(a.row_name, []).append(a)
    out = []
    for s in lines:
        parts = classes.get(_unmarked(s.row_name))
        if not parts:
            continue
        parts = sorted(parts, key=lambda a: a.row_seq)
        tol = _greatest(s.half_yuan, _greatest(*(p.half_yuan for p in parts))) * len(parts)
        inst = ident.instance(f"{s.table_no or 'fiscal_summary'} {s.row_name} = Σ 一般公共预算/政府性基金/国有资本 "
                              "tables (yuan)", s.yuan, sum((_yuan(p) for p in parts), Decimal(0)), tol, "fiscal_summary",
                              s.table_no, s.page, YUAN)
        out.append(with_sources(inst, [s], parts))
    return out


class _Coded(NamedTuple):
    code: str | None  # None: the table's total row
    measure: str
    amount: Amount


@rule
def fiscal_tables_by_code(report: Report, ident: Identity) -> list[Instance]:
    """支出总表 = 一般公共预算 + 政府性基金 + 国有资本经营 tables, code by code and for 合计/基本/项目,
    evaluated only where the report's spending is all fiscal appropriation (the totals agree)."""
    # a table keyed by unit codes (单位编码 116, 116001) joins by its total row only: its codes are no subjects
    by_unit = {t.seq for t in report.tables if code_domain(t.header, t.table_type) == "unit"}
    coded = [_Coded(a.row_code if a.table_seq not in by_unit else None, measure_of(a.column), a) for a in report.amounts
             if a.table_type in FUNCTION_TABLES and measure_of(a.column) in ("total", "basic", "project")
             and (a.is_total or (a.row_code is not None and a.table_seq not in by_unit))]
    spending = sorted((c for c in coded if fund_of(c.amount.table_type) == "all"),
                      key=lambda c: (c.code is None, c.code or "", c.measure))
    funds: dict[tuple[str | None, str], list[Amount]] = {}
    for c in coded:
        if fund_of(c.amount.table_type) in ("general_public", "gov_fund", "soe_capital"):
            funds.setdefault((c.code, c.measure), []).append(c.amount)
    rows = []
    for c in spending:
        parts = sorted(funds.get((c.code, c.measure), []), key=lambda a: a.row_seq)
        if not parts and c.amount.yuan == 0:
            continue
        tol = _greatest(c.amount.half_yuan, _greatest(*(p.half_yuan for p in parts))) * max(len(parts), 1)
        rows.append((c, parts, sum((_yuan(p) for p in parts), Decimal(0)), tol))
    total = next(((c.amount.yuan, rhs, tol) for c, _, rhs, tol in rows if c.code is None and c.measure == "total"),
                 None)
    if total is None or total[0] is None or abs(total[0] - total[1]) > total[2]:
        return []  # spending funded from other sources too: the identity does not apply
    out = []
    for c, parts, rhs, tol in rows:
        e = c.amount
        code = f"{c.code or '合计'} {c.measure}"
        inst = ident.instance(f"{e.table_no or 'expenditure'} {code} = 一般公共预算 + 政府性基金 + 国有资本经营 {code} (yuan)",
                              e.yuan, rhs, tol, "expenditure", e.table_no,
                              e.page, YUAN)
        out.append(with_sources(inst, [e], parts))
    return out


@rule
def income_sources_by_name(report: Report, ident: Identity) -> list[Instance]:
    """收入总表 合计 row, each source column = 收支总表 the income line naming that source; a column under 上年结转结余
    (上年结转结余/一般公共预算) names a carry-over line only."""
    sources: dict[str, Amount] = {}
    for a in report.amounts_of("income"):
        if a.is_total and not _VOC.word("sums_columns_under_it").search(a.column) and a.column not in sources:
            sources[a.column] = a
    lines = _first_per_row(a for a in report.amounts_of("summary") if _INCOME_SIDE.match(a.column))
    out = []
    for column, a in sources.items():
        leaf = column.rsplit("/", 1)[-1]
        carried = bool(_VOC.word("carried_over").search(column))
        hits = [line for line in lines if line.row_name and _unmarked(line.row_name) and leaf in _unmarked(line.row_name)
                and bool(_VOC.word("carried_over").search(line.row_name)) == carried]
        if len(hits) != 1:
            continue
        line = hits[0]
        inst = ident.instance(f"{a.table_no or 'income'} 合计 {column} = {line.table_no or 'summary'} {line.row_name} "
                              "(yuan)", a.yuan, line.yuan, _greatest(a.half_yuan, line.half_yuan), "income",
                              a.table_no, a.page, YUAN)
        out.append(with_sources(inst, [a], [line]))
    return out


def fund_lines(report: Report, table_type: str) -> dict[tuple[str, str], list[Amount]]:
    """The income lines of a 收支总表-style table that name one fund (一般公共预算, 政府性基金, 国有资本经营),
    keyed by (block, fund): block is 'carryover' under (or naming) 上年结转/结余, else 'year'."""
    funds = {k: v for k, v in vocabulary().facets["scope"].items() if k != "fiscal"}
    out: dict[tuple[str, str], list[Amount]] = {}
    block = "year"
    for a in _first_per_row(a for a in report.amounts_of(table_type) if _INCOME_SIDE.match(a.column)):
        name = _unmarked(a.row_name)
        if not name:
            continue
        carry = bool(_VOC.word("carried_over").search(name))
        if _LEVEL1.match(a.row_name or ""):
            block = "carryover" if carry else "year"
        fund = next((f for f, pattern in funds.items() if pattern.search(name)), None)
        if fund is None or _TOTAL_ROW.search(name):
            continue
        out.setdefault(("carryover" if carry else block, fund), []).append(a)
    return out


@rule
def fiscal_income_lines_by_name(report: Report, ident: Identity) -> list[Instance]:
    """财政拨款收支总表 each fund's income line = the 收支总表 line of the same fund and block (this year's
    appropriation, or the carry-over), where each table prints that line once. Where the 收支总表's income side
    prints no carry-over at all, each of its fund lines is the fund's whole money: this year's and carried over."""
    summary = fund_lines(report, "summary")
    fiscal = fund_lines(report, "fiscal_summary")
    carried = any(_VOC.word("carried_over").search(a.row_name or "") for a in report.amounts_of("summary")
                  if _INCOME_SIDE.match(a.column))
    if not carried and any(block == "carryover" for block, _ in fiscal):
        return _whole_fund_lines(ident, summary, fiscal)
    out = []
    for key, lines in fiscal.items():
        other = summary.get(key, [])
        if len(lines) != 1 or len(other) != 1:
            continue
        mine, theirs = lines[0], other[0]
        inst = ident.instance(f"{mine.table_no or 'fiscal_summary'} {mine.row_name} = {theirs.table_no or 'summary'} "
                              f"{theirs.row_name} (yuan)", mine.yuan, theirs.yuan,
                              _greatest(mine.half_yuan, theirs.half_yuan), "fiscal_summary", mine.table_no, mine.page,
                              YUAN)
        out.append(with_sources(inst, [mine], [theirs]))
    printed = report.amounts_of("fiscal_summary")
    if printed:
        # a fund the 收支总表 gives as 0 may be left out of the 财政拨款收支总表 (0 if absent)
        no = printed[0].table_no
        for key, lines in summary.items():
            if key not in fiscal and len(lines) == 1 and lines[0].yuan == 0:
                line = lines[0]
                out.append(ident.instance(f"{no or 'fiscal_summary'} {_unmarked(line.row_name)} (not printed: 0) = "
                                          f"{line.table_no or 'summary'} {line.row_name} (yuan)", Decimal(0), line.yuan,
                                          line.half_yuan, "fiscal_summary", no, line.page, YUAN))
    return out


def _whole_fund_lines(ident: Identity, summary: dict[tuple[str, str], list[Amount]],
                      fiscal: dict[tuple[str, str], list[Amount]]) -> list[Instance]:
    """Each 收支总表 fund line (the fund's whole money) = the 财政拨款收支总表's lines of that fund, this year's and
    carried over."""
    out = []
    for (_, fund), other in summary.items():
        mine = fiscal.get(("year", fund), []) + fiscal.get(("carryover", fund), [])
        if len(other) != 1 or not mine:
            continue
        theirs = other[0]
        tol = _greatest(theirs.half_yuan, *(m.half_yuan for m in mine)) * len(mine)
        inst = ident.instance(f"{mine[0].table_no or 'fiscal_summary'} " + " + ".join(m.row_name or "" for m in mine)
                              + f" = {theirs.table_no or 'summary'} {theirs.row_name} (the fund's whole money) (yuan)",
                              sum((_yuan(m) for m in mine), Decimal(0)), theirs.yuan, tol, "fiscal_summary",
                              mine[0].table_no, mine[0].page, YUAN)
        out.append(with_sources(inst, mine, [theirs]))
    return out


@rule
def fund_income_equals_fund_table(report: Report, ident: Identity) -> list[Instance]:
    """The 财政拨款收支总表's income of one fund, this year's and carried over, = the 合计 of that fund's
    spending table (一般公共预算支出表 spends both)."""
    lines = [a for (_, fund), found in fund_lines(report, "fiscal_summary").items() if fund == ident.params["fund"]
             for a in found]
    total = select(report, {"table": ident.params["table"], "row": "total", "column": _FUND_TOTAL.pattern})
    if not lines or total is None:
        return []
    no, page = lines[0].table_no, lines[0].page
    tol = _greatest(total.half, *(a.half_yuan for a in lines)) * len(lines)
    inst = ident.instance(f"{no or 'fiscal_summary'} " + " + ".join(a.row_name or "" for a in lines)
                          + f" = {total.table} 合计 (yuan)", sum((_yuan(a) for a in lines), Decimal(0)), total.yuan, tol,
                          "fiscal_summary", no, page, YUAN)
    with_sources(inst, lines, [])
    inst.compared.append(Source.of("rhs", total))
    return [inst]
