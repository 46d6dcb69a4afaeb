"""Totals: a total row against the rows it totals.

By codes (合计 = Σ the top-level codes), by indentation (a row = Σ the rows one step in under it), by the
numbered items of a 收支总表 (一、… （一）…), by the blocks and sections of a performance form, and the two
sides of a budget (收入总计 = 支出总计).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from yusuan.checks.figures import columns, sum_with_reading, with_sources
from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance, Source
from yusuan.checks.registry import rule
from yusuan.view import Amount, Report
from yusuan.vocabulary import vocabulary

_VOC = vocabulary()
_LEVEL1 = _VOC.list_markers[1]  # 一、
_LEVEL2 = _VOC.list_markers[2]  # （一） 1.
_TOTAL = _VOC.row_roles["total"]  # 合计 小计 总计
_GRAND = _VOC.word("grand_total_line")  # 总计
_SUBTOTAL = _VOC.header_roles["subtotal"]  # 小计
_INCOME_SIDE = _VOC.header_roles["income_side"]
_EXPENDITURE_SIDE = _VOC.header_roles["expenditure_side"]
_FORM_TOTAL_LABEL = _VOC.word("form_total_label")
_FORM_MONEY_SECTION = _VOC.word("form_money_section")
_FORM_TOTAL_ROW = _VOC.word("form_total_row")
_MEMO_ROW = _VOC.word("memo_row")


def _closes(name: str) -> bool:
    """A 合计/小计 line (not a side's 总计)."""
    return bool(_TOTAL.search(name)) and not _GRAND.search(name)
_SIDE_TABLES = ("summary", "fiscal_summary")
_FORMS = ("overall_performance", "project_performance")


def _top_level(amounts: list[Amount]) -> tuple[set[str], set[str]]:
    """The table's codes that no other code of it contains (its 类, or its departments), and of those the ones
    of the length most of them have (a code of another length is printed outside the hierarchy)."""
    codes = {a.row_code for a in amounts if a.row_code is not None}
    top = {c for c in codes if not any(p != c and c.startswith(p) for p in codes)}
    lengths = Counter(len(c) for c in top)
    usual = min(lengths, key=lambda n: (-lengths[n], n)) if lengths else None
    return top, {c for c in top if len(c) == usual}


@rule
def total_row(report: Report, ident: Identity) -> list[Instance]:
    """合计 = Σ the top-level codes. A total printed above the codes totals them all; totals printed under
    them each close the codes since the total before (人员经费合计 under 301, 303 … 公用经费合计 under 302,
    310 in a 决算's economic table). A top-level code of another length than the others (7 11 02 read as
    71102 beside 201, 208, 221) is printed outside the hierarchy: the sum is read without it, and where
    that does not hold either the instance is not evaluated (the reading is doubtful)."""
    out: list[Instance] = []
    for table in report.tables:
        amounts = [a for a in report.amounts if a.table_seq == table.seq]
        coded = [a for a in amounts if a.row_code is not None]
        if len({a.row_code for a in coded}) < 2:
            continue
        top, in_hierarchy = _top_level(amounts)
        first_code = min(a.row_seq for a in coded)
        for column, rows in columns(report, amounts).items():
            totals = [a for a in rows if a.is_total]
            if not totals:
                continue
            heads = totals[0].row_seq < first_code
            chosen = totals[:1] if heads else totals
            for k, t in enumerate(chosen):
                previous = -1 if heads or k == 0 else chosen[k - 1].row_seq
                kids = [a for a in rows if a.row_code in top and (heads or previous < a.row_seq < t.row_seq)]
                if not heads and not kids:
                    continue
                out.append(_total_of_codes(ident, t, kids, in_hierarchy, column[1]))
    return out


def _total_of_codes(ident: Identity, total: Amount, kids: list[Amount], in_hierarchy: set[str],
                    column: str) -> Instance:
    label = (f"{total.table_no or total.table_type} {total.row_name or '合计'}: {column} = Σ top-level codes "
             f"({len({k.row_code for k in kids})})")
    inside = [k for k in kids if k.row_code in in_hierarchy]
    outside = sorted({k.row_code or "" for k in kids if k.row_code not in in_hierarchy})

    def compare(terms: list[Amount]) -> Instance:
        inst = ident.instance(label, total.amount, sum((k.amount for k in terms), Decimal(0)),
                              total.half + sum((k.half for k in terms), Decimal(0)), total.table_type, total.table_no,
                              total.page, total.unit)
        inst.column = column
        return with_sources(inst, [total], kids)

    inst = compare(kids)
    if outside:
        reread = compare(inside)
        if reread.passed:
            reread.reading = f"without {', '.join(outside)}, printed outside the code hierarchy (a misprinted code)"
            return reread
        inst.not_evaluated = f"{', '.join(outside)} is printed outside the code hierarchy: the sum is doubtful"
    return inst


def _side_rows(report: Report) -> dict[tuple[int, str], list[Amount]]:
    """The columns of the side-by-side tables (收支总表, 财政拨款收支总表)."""
    return columns(report, report.amounts_of(*_SIDE_TABLES))


def _level(name: str) -> int | None:
    """The level of a row's list marker (一、 1, （一） and 1、 2, (1) 3), or None."""
    return next((level for level, marker in sorted(_VOC.list_markers.items()) if marker.match(name)), None)


def _sub_items(rows: list[Amount]) -> list[Amount]:
    """The items listed under an item: the rows marked like the first row under it, up to a row of a higher or
    no marker (a deeper row, or a 其中 row, is a part of a part)."""
    if not rows or _level(rows[0].name) not in (2, 3):
        return []
    level = _level(rows[0].name)
    kids: list[Amount] = []
    for k in rows:
        found = _level(k.name)
        if found == level:
            kids.append(k)
        elif not (_MEMO_ROW.match(k.name) or (found is not None and level is not None and found > level)):
            break
    return kids


@rule
def listed_items(report: Report, ident: Identity) -> list[Instance]:
    """In 收支总表-style tables: 本年收入合计 = Σ 一、二、…; 一、本年收入 = Σ （一）（二）… printed under it (the rows of
    the first marker form under an item; rows marked one level deeper, (1) (2), and 其中 rows are parts of parts:
    skipped, they do not end the list)."""
    found: list[Instance] = []
    for (_, col), rows in _side_rows(report).items():
        for i, r in enumerate(rows):
            if _LEVEL1.match(r.name):
                kids = _sub_items(rows[i + 1:])
                if kids:
                    found.append(sum_with_reading(ident, f"{r.table} {r.name}: {col} = Σ {len(kids)} sub-items", r, kids))
            elif _closes(r.name):
                items = [k for k in rows[:i] if _LEVEL1.match(k.name)]
                if items:
                    found.append(sum_with_reading(ident, f"{r.table} {r.name}: {col} = Σ {len(items)} items", r, items))
                break
    return found


@rule
def grand_total(report: Report, ident: Identity) -> list[Instance]:
    """收入总计 = 本年收入合计 + 上年结转结余; where the parts are numbered (一、本年支出合计 … 二、年终结转结余,
    or 一、财政拨款 … 二、上年结转结余 without a 合计 line), the numbered lines. Lines numbered anew after the
    合计 (一、一般公共预算拨款 under 上年结转结余) are the parts of a part, not terms."""
    found: list[Instance] = []
    for (_, col), rows in _side_rows(report).items():
        for i, r in enumerate(rows):
            if not _GRAND.search(r.name):
                continue
            sub = [k for k in rows[:i] if _closes(k.name)]
            if sub and not _LEVEL1.match(sub[0].name):
                j = rows.index(sub[0])
                after = [k for k in rows[j + 1:i] if k.name and not _LEVEL2.match(k.name) and not _LEVEL1.match(k.name)
                         and not _MEMO_ROW.match(k.name)]
                # a line indented under another (一般公共预算财政拨款 under 年初财政拨款结转和结余) is its part
                levels = [k.row_level for k in after if k.row_level is not None]
                terms = [sub[0]] + [k for k in after if k.row_level is None or k.row_level == min(levels)]
                desc = " + ".join(k.name for k in terms)
            else:
                terms = [k for k in rows[:i] if _LEVEL1.match(k.name)]
                desc = " + ".join(k.name for k in terms) if sub else f"Σ {len(terms)} items"
            if terms:
                found.append(sum_with_reading(ident, f"{r.table} {r.name}: {col} = {desc}", r, terms))
            break
    return found


@rule
def sides_balance(report: Report, ident: Identity) -> list[Instance]:
    """收入总计 = 支出总计: the last total of the income side against that of the expenditure side."""
    by_table: dict[int, dict[str, Amount]] = {}
    for (table_seq, col), rows in _side_rows(report).items():
        side = "income" if _INCOME_SIDE.match(col) else "expenditure" if _EXPENDITURE_SIDE.match(col) else None
        totals = [r for r in rows if _TOTAL.search(r.name) and not _SUBTOTAL.search(r.name)]
        if side and totals and side not in by_table.setdefault(table_seq, {}):
            by_table[table_seq][side] = totals[-1]
    found: list[Instance] = []
    for sides in by_table.values():
        if "income" in sides and "expenditure" in sides:
            inc, exp = sides["income"], sides["expenditure"]
            inst = ident.instance(f"{inc.table} {inc.name} = {exp.name}", inc.amount, exp.amount,
                                  max(inc.half, exp.half), inc.table_type, inc.table_no, inc.page, inc.unit)
            inst.compared = [Source.of("lhs", inc), Source.of("rhs", exp)]
            found.append(inst)
    return found


@rule
def form_section_totals(report: Report, ident: Identity) -> list[Instance]:
    """A performance form's money section of label | amount pairs (项目资金（元）| 年度资金申请总额 | … /
    其中：当年财政拨款 | … / 上年结转资金 | … / 其他资金 | …): in each column of pairs, the amount whose label
    names a total (总额, 合计) = the amounts printed under it."""
    by_position: dict[tuple[int, str, int], list[Amount]] = {}
    for a in sorted(report.amounts_of(*_FORMS), key=lambda a: (a.table_seq, a.column_seq, a.row_seq)):
        if _FORM_MONEY_SECTION.search(a.name):
            by_position.setdefault((a.table_seq, a.name, a.column_seq), []).append(a)
    found: list[Instance] = []
    for (_, section, _), rows in by_position.items():
        if len(rows) >= 3 and _FORM_TOTAL_LABEL.search(rows[0].column) \
                and not any(_FORM_TOTAL_LABEL.search(r.column) for r in rows[1:]):
            found.append(sum_with_reading(ident, f"{rows[0].table} {section}: {rows[0].column} = "
                                                 + " + ".join(r.column for r in rows[1:]), rows[0], rows[1:]))
    return found


@rule
def form_block_totals(report: Report, ident: Identity) -> list[Instance]:
    """In a form's funding block, a 合计 row equals the rows it closes (above it) or opens (below it);
    '其中' rows are parts of a part and not summed."""
    found: list[Instance] = []
    for (_, col), rows in columns(report, report.amounts_of(*_FORMS)).items():
        last_total = -1
        for i, r in enumerate(rows):
            if not _FORM_TOTAL_ROW.match(r.name):
                continue
            before = [k for k in rows[last_total + 1:i] if not _MEMO_ROW.match(k.name)]
            if before:
                terms, where = before, "above"
            else:
                terms, where = [], "below"
                for k in rows[i + 1:]:
                    if _FORM_TOTAL_ROW.match(k.name):
                        break
                    if not _MEMO_ROW.match(k.name):
                        terms.append(k)
            if terms:
                found.append(sum_with_reading(ident, f"{r.table} 合计: {col} = Σ {len(terms)} rows {where}", r, terms))
            last_total = i
    return found


@rule
def indent_hierarchy(report: Report, ident: Identity) -> list[Instance]:
    """Tables whose rows nest by indentation (项目支出表): a row = Σ the rows one level deeper printed under it;
    the total row, where a column has one, = Σ the outermost rows. (A column closed by several totals,
    本年收入合计 … 总计, is summed by its markers: listed_items, grand_total.)"""
    nested = {a.table_seq for a in report.amounts if a.row_level is not None}
    found: list[Instance] = []
    for (_, col), rows in columns(report, [a for a in report.amounts if a.table_seq in nested]).items():
        single_total = sum(1 for r in rows if r.row_kind == "total" and r.row_level is None) == 1
        for i, r in enumerate(rows):
            if r.row_kind == "total" and r.row_level is None:
                if not single_total:
                    continue
                kids = [k for k in rows if k.row_level == 0 and not _MEMO_ROW.match(k.name)]
            elif r.row_level is not None:
                kids = []
                for k in rows[i + 1:]:
                    if k.row_level is None or k.row_level <= r.row_level:
                        break
                    if k.row_level == r.row_level + 1 and not _MEMO_ROW.match(k.name):
                        kids.append(k)
            else:
                continue
            if kids:
                found.append(sum_with_reading(ident, f"{r.table} {r.name or '合计'}: {col} = Σ {len(kids)} rows under it",
                                              r, kids))
    return found


@rule
def form_income_equals_spending(report: Report, ident: Identity) -> list[Instance]:
    """整体支出绩效目标表: 收入构成 合计 = 支出构成 合计, column by column."""
    groups: dict[tuple[int, str], list[Amount]] = {}
    for a in report.amounts_of("overall_performance"):
        if _FORM_TOTAL_ROW.match(a.row_name or ""):
            groups.setdefault((a.table_seq, a.column), []).append(a)
    found: list[Instance] = []
    for (_, col), rows in groups.items():
        if len(rows) != 2:
            continue
        income, spending = sorted(rows, key=lambda a: a.row_seq)
        found.append(ident.instance(f"{income.table_no or 'overall_performance'} 收入构成 合计 = 支出构成 合计: {col}",
                                    income.amount, spending.amount, max(income.half, spending.half),
                                    "overall_performance", income.table_no, income.page, income.unit))
    return found
