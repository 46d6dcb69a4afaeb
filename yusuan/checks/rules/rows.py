"""Row identities: a total column against the columns it totals, on every row; a form's printed shares."""

from __future__ import annotations

from decimal import Decimal

from yusuan.checks.figures import with_sources
from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance, Source
from yusuan.checks.registry import rule
from yusuan.model import Cell
from yusuan.money import last_digit_unit
from yusuan.view import Amount, Report
from yusuan.vocabulary import vocabulary

# The readings of 其中 (a memo) a header allows; the first is the usual one, the others are tried where a table does
# not add up under it (yusuan/reading.py), and the one used is recorded with the table.
MEMO_READINGS: dict[str, str] = {
    "memo_leaf": "a column whose own header starts with 其中 (or 扣除, 含) is a memo of its sibling, not a part",
    "memo_first_is_part": "其中 printed on the first column after a total, before parts without it (小计 | 其中：基本支出 "
                          "| 项目支出), spans the total's breakdown: that column is its first part",
    "memo_group": "every column under a 其中 header is a memo (合计 | 基本支出 | 项目支出 | 其中/事业单位经营支出)",
}


def _memos(columns: list[str], prefix: str, total: str, reading: str | None) -> set[str]:
    """The columns under the total's parent that are memos, not parts, as `reading` reads 其中."""
    memo = vocabulary().header_roles["memo"]
    under = [c for c in columns if c != total and c.startswith(prefix)]
    if reading == "memo_group":
        return {c for c in under if any(memo.search(part) for part in c[len(prefix):].split("/"))}
    leaf_memos = {c for c in under if memo.search(c.rsplit("/", 1)[-1])}
    if reading == "memo_first_is_part" and under and under[0] in leaf_memos and any(
            c not in leaf_memos for c in under[1:]):
        leaf_memos.discard(under[0])
    return leaf_memos


def _group_parts(group: str, members: list[str]) -> list[str]:
    """A sibling group counts once: by its own total column if it prints one, else by its direct leaf columns."""
    if len(members) == 1:
        return members
    sub_totals = [m for m in members if m.startswith(group)
                  and vocabulary().word("sibling_total_column").fullmatch(m[len(group):])]
    if sub_totals:
        return sub_totals[:1]
    return [m for m in members if m.count("/") == group.count("/") + 1]


def column_sum_map(columns: list[str], reading: str | None = None) -> list[tuple[str, list[str]]]:
    """For each total column (合计/小计) among money `columns`, the columns it totals.

    Under the total's parent header, each sibling group counts once: by its own total column
    (小计/合计/总数) if it prints one, else by its direct leaf columns. A column that is part of a
    sibling (其中：经费拨款, 扣除基建项目后预算数) is not a part of the total; which columns those are is read as
    `reading` says (MEMO_READINGS; by default the first).
    """
    out = []
    for total in columns:
        if not vocabulary().word("sums_columns_under_it").search(total.rsplit("/", 1)[-1]):
            continue
        parent = total.rsplit("/", 1)[0] if "/" in total else ""
        prefix = parent + "/" if parent else ""
        skip = _memos(columns, prefix, total, reading)
        groups: dict[str, list[str]] = {}
        for c in columns:
            if c != total and c.startswith(prefix) and c not in skip:
                groups.setdefault(c[len(prefix):].split("/", 1)[0], []).append(c)
        parts = [p for g, members in groups.items() for p in _group_parts(prefix + g, members)]
        if vocabulary().word("three_public_named_total").search(total.rsplit("/", 1)[-1]):
            # a total naming its subject (“三公”经费合计) sums that subject's items, not those printed beside it
            parts = [p for p in parts if not vocabulary().word("not_three_public_items").search(p.rsplit("/", 1)[-1])]
        if parts:
            out.append((total, parts))
    return out


@rule
def column_sum(report: Report, ident: Identity) -> list[Instance]:
    """合计 = 基本支出 + 项目支出 and the like: on every row, a total column = the columns under its parent header."""
    out: list[Instance] = []
    for table in report.tables:
        amounts = [a for a in report.amounts if a.table_seq == table.seq]
        money = list(dict.fromkeys(a.column for a in amounts))
        columns = list(dict.fromkeys([h for h in table.header if h in money] + [c for c in money if c not in table.header]))
        by_cell: dict[tuple[int, str], list[Amount]] = {}
        for a in amounts:
            by_cell.setdefault((a.row_seq, a.column), []).append(a)
        for total_column, parts in column_sum_map(columns, table.reading):
            for total in (a for a in amounts if a.column == total_column):
                terms = [p for part in parts for p in by_cell.get((total.row_seq, part), [])]
                label = (f"{table.table_no or table.table_type} row {total.row_code or total.row_name or ''}: "
                         f"{total_column} = {' + '.join(parts)}")
                inst = ident.instance(label, total.amount, sum((t.amount for t in terms), Decimal(0)),
                                      total.half + sum((t.half for t in terms), Decimal(0)), table.table_type,
                                      table.table_no, total.page, total.unit)
                inst.column = total_column
                out.append(with_sources(inst, [total], terms))
    return out


@rule
def form_shares(report: Report, ident: Identity) -> list[Instance]:
    """绩效目标表 funding blocks: a printed 占比 = the row's 当年金额 / the block's 合计, in percent."""
    out: list[Instance] = []
    for table in report.tables:
        rows: dict[int, list[Cell]] = {}
        for c in sorted(table.cells, key=lambda c: (c.row_seq, c.column_seq)):
            if c.kind in ("money", "percent") and c.block is not None:
                rows.setdefault(c.row_seq, []).append(c)
        ordered = sorted(rows.items())
        for i, (_, row) in enumerate(ordered):
            pct = next((c for c in row if c.kind == "percent"), None)
            amount = next((c for c in row if c.kind == "money" and _THIS_YEAR.match(c.column_name)), None)
            if pct is None or amount is None or amount.amount is None:
                continue
            # the 合计 of the block: this row or the next total row of the table
            total = next((next((c for c in r if c.kind == "money" and c.column_name == amount.column_name), None)
                          for _, r in ordered[i:] if _TOTAL_ROW.match(r[0].row_name or "")), None)
            if total is None or not total.amount:
                continue
            stated = Decimal(_PERCENT.sub("", pct.raw_text).strip())
            inst = ident.instance(f"{table.table_no or 'form'} {row[0].row_name or ''}: 占比 {pct.raw_text} = "
                                  f"{amount.raw_text} / {total.raw_text}", stated, amount.amount / total.amount * 100,
                                  last_digit_unit(_PERCENT.sub("", pct.raw_text)) / 2, "overall_performance",
                                  table.table_no, pct.page, "%")
            inst.compared = [_cell_source("lhs", pct), _cell_source("rhs", amount), _cell_source("rhs", total)]
            out.append(inst)
    return out


_THIS_YEAR = vocabulary().word("this_years_amount_column")
_TOTAL_ROW = vocabulary().word("form_total_row")
_PERCENT = vocabulary().word("percent_sign")


def _cell_source(role: str, cell: Cell) -> Source:
    return Source(role, cell.page, cell.box, cell.raw_text)
