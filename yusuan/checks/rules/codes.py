"""Code hierarchies: a classification code against its children (类 = Σ 款, 款 = Σ 项; 部门 = Σ 单位)."""

from __future__ import annotations

from decimal import Decimal

from yusuan.checks.figures import with_sources
from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance
from yusuan.checks.registry import rule
from yusuan.conform import ECONOMIC_TABLES
from yusuan.view import Amount, Report
from yusuan.vocabulary import vocabulary


def code_domain(header: list[str], table_type: str | None = None) -> str | None:
    """function | economic | unit: what the codes of a table classify, read from its code header
    (科目编码 alone is read with the table's type: 基本支出表 are by economic code)."""
    voc = vocabulary()
    for h in header:
        if voc.header_roles["code"].search(h) or voc.word("code_header_with_parts").search(h):
            if voc.word("code_header_economic").search(h) or table_type in ECONOMIC_TABLES:
                return "economic"
            if voc.word("unit_code_header").search(h) and not voc.word("subject_header").search(h):
                return "unit"
            return "function"
    return None


def children(codes: set[str]) -> dict[str, list[str]]:
    """Each code's direct children among `codes`: the codes it prefixes with no code between them."""
    out: dict[str, list[str]] = {}
    for parent in codes:
        below = [c for c in codes if c != parent and c.startswith(parent)]
        direct = [c for c in below if not any(m not in (parent, c) and c.startswith(m) and m.startswith(parent)
                                              for m in below)]
        if direct:
            out[parent] = sorted(direct)
    return out


def code_lists(amounts: list[Amount]) -> list[list[Amount]]:
    """The lists of codes a table prints: one, or, where codes print again (a department's table listing each of
    its units' codes under the unit's name), one per named row without a code that opens a list."""
    rows_of: dict[str, set[int]] = {}
    for a in amounts:
        if a.row_code is not None:
            rows_of.setdefault(a.row_code, set()).add(a.row_seq)
    if all(len(rows) == 1 for rows in rows_of.values()):
        return [amounts]
    lists: list[list[Amount]] = [[]]
    opened: int | None = None
    for a in sorted(amounts, key=lambda a: (a.row_seq, a.column_seq)):
        if a.row_code is None and a.row_kind != "total" and a.row_name and a.row_seq != opened:
            lists.append([])
            opened = a.row_seq
        lists[-1].append(a)
    return [part for part in lists if part]


@rule
def code_hierarchy(report: Report, ident: Identity) -> list[Instance]:
    """A code = Σ its direct children, column by column, in the tables whose codes are of the identity's
    domain (function, economic or unit), within each list of codes the table prints."""
    out: list[Instance] = []
    for table in report.tables:
        if code_domain(table.header, table.table_type) != ident.params["domain"]:
            continue
        for amounts in code_lists([a for a in report.amounts if a.table_seq == table.seq]):
            out += _hierarchy(ident, amounts)
    return out


def _hierarchy(ident: Identity, amounts: list[Amount]) -> list[Instance]:
    """Each code of one list = Σ its direct children in the list, column by column."""
    out: list[Instance] = []
    kids_of = children({a.row_code for a in amounts if a.row_code is not None})
    by_code: dict[tuple[str, str], list[Amount]] = {}
    for a in amounts:
        if a.row_code is not None:
            by_code.setdefault((a.row_code, a.column), []).append(a)
    for parent in (a for a in amounts if a.row_code in kids_of):
        kids = kids_of[parent.row_code or ""]
        terms = sorted((k for code in kids for k in by_code.get((code, parent.column), [])), key=lambda k: k.row_seq)
        inst = ident.instance(f"{parent.table_no or parent.table_type} {parent.row_code} {parent.row_name}: "
                              f"{parent.column} = Σ {len(kids)} children", parent.amount,
                              sum((k.amount for k in terms), Decimal(0)),
                              parent.half + sum((k.half for k in terms), Decimal(0)), parent.table_type,
                              parent.table_no, parent.page, parent.unit)
        inst.column = parent.column
        out.append(with_sources(inst, [parent], terms))
    return out
