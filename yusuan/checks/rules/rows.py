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


def column_sum_map(columns: list[str]) -> list[tuple[str, list[str]]]:
    """For each total column (合计/小计) among money `columns`, the columns it totals.

    Under the total's parent header, each sibling group counts once: by its own total column
    (小计/合计/总数) if it prints one, else by its direct leaf columns. A column that is part of a
    sibling (其中：经费拨款, 扣除基建项目后预算数) is not a part of the total.
    """
    voc = vocabulary()
    memo = voc.header_roles["memo"]

    def is_memo(column: str) -> bool:
        return bool(memo.search(column.rsplit("/", 1)[-1]))

    out = []
    for total in columns:
        leaf = total.rsplit("/", 1)[-1]
        if not voc.word("sums_columns_under_it").search(leaf):
            continue
        parent = total.rsplit("/", 1)[0] if "/" in total else ""
        prefix = parent + "/" if parent else ""
        groups: dict[str, list[str]] = {}
        for c in columns:
            if c == total or not c.startswith(prefix) or is_memo(c):
                continue
            rest = c[len(prefix):]
            groups.setdefault(rest.split("/", 1)[0], []).append(c)
        parts: list[str] = []
        for g, members in groups.items():
            if len(members) == 1:
                parts += members
                continue
            sub_totals = [m for m in members if m.startswith(prefix + g)
                          and voc.word("sibling_total_column").fullmatch(m[len(prefix + g):])]
            if sub_totals:
                parts.append(sub_totals[0])
            else:
                parts += [m for m in members if m.count("/") == (prefix + g).count("/") + 1]
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
        for total_column, parts in column_sum_map(columns):
            for total in (a for a in amounts if a.column == total_column):
                terms = [p for part in parts for p in by_cell.get((total.row_seq, part), [])]
                label = (f"{table.table_no or table.table_type} row {total.row_code or total.row_name or ''}: "
                         f"{total_column} = {' + '.join(parts)}")
                inst = ident.instance(label, total.amount, sum((t.amount for t in terms), Decimal(0)),
                                      total.half + sum((t.half for t in terms), Decimal(0)), table.table_type,
                                      table.table_no, total.page, total.unit)
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
