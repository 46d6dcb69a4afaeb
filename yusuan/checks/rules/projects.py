"""Projects: the project list (项目支出表) against the performance forms that state each project's figures.

A project is named in 项目支出表 (a row of its own), in the 整体支出绩效目标表's 项目支出情况 and in its own
项目支出绩效目标表. The names are matched by their Jaro-Winkler similarity (at least 0.85, the most similar
row of 项目支出表 wins), as DuckDB's `jaro_winkler_similarity` computes it; the figures of a matched pair are
compared in yuan. The forms' own arithmetic (明细测算, 资金来源, 变动情况) and the headers of their
indicator blocks are checked here too.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from yusuan.checks.figures import select
from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance, Source
from yusuan.checks.registry import rule
from yusuan.model import Cell, Table
from yusuan.money import UNIT_FACTORS, YUAN, last_digit_unit, parse_amount
from yusuan.view import Amount, Report
from yusuan.vocabulary import vocabulary

SIMILAR = 0.85  # two names this similar (Jaro-Winkler) name the same project

_VOC = vocabulary()
_PROJECT_TOTAL = _VOC.word("class_total_column")  # 项目支出表: a project's total column (合计)
_LISTED_BUDGET = _VOC.word("this_years_budget_column")  # 项目支出情况: a project's budget column
_FORM_TITLE = _VOC.word("project_form_title_end")  # what a form's title adds to the project's name
_FORM_FUNDING = _VOC.word("form_total_label")  # a form's funding total column
_FORM_BUDGET_FIELDS = _VOC.word("this_years_project_budget_field")  # 项目当年预算
_ACTIVITY_BUDGET_FIELDS = _VOC.word("this_years_budget_field")  # 项目当年预算, 当年预算
_PROJECT_NAME = _VOC.word("project_name_field")  # 项目名称
_HISTORY = _VOC.word("yearly_budgets_stated")  # 变动情况: 2022 年 200 万元、…
_HISTORY_FIELD = _VOC.word("budget_changes_field")  # 变动情况
_DETAILS = _VOC.word("detail_block")  # 项目支出明细测算
_FUNDING_SOURCES = _VOC.word("funding_sources_block")  # 资金来源
_TOTAL_ROW = _VOC.word("form_total_row")  # 合计
_SPECIFIC_PURPOSE = _VOC.word("specific_purpose_category")  # 特定目标类
_PROJECT_COLUMN = _VOC.header_roles["project"]  # 项目支出
_NO_YUAN = "a figure's unit is not known: it cannot be read in yuan"
_YEAR_COLUMN = _VOC.word("year_column")  # 2023年


# ---- name similarity ------------------------------------------------------------------------------


def _jaro_counts(a: str, b: str) -> tuple[int, int]:
    """The characters of `a` and `b` that match within the Jaro window, and the half-transpositions among them."""
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    used_a = [False] * len(a)
    used_b = [False] * len(b)
    matches = 0
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not used_b[j] and b[j] == ch:
                used_a[i] = used_b[j] = True
                matches += 1
                break
    in_b = [ch for ch, used in zip(b, used_b, strict=True) if used]
    in_a = [ch for ch, used in zip(a, used_a, strict=True) if used]
    transpositions = sum(x != y for x, y in zip(in_a, in_b, strict=True))
    return matches, transpositions // 2


def jaro_similarity(a: str, b: str) -> float:
    """The Jaro similarity of two strings, by characters (0 where either is empty), as DuckDB computes it."""
    if not a or not b:
        return 0.0
    m, t = _jaro_counts(a, b)
    if not m:
        return 0.0
    return (m / len(a) + m / len(b) + (m - t) / m) / 3


def jaro_winkler_similarity(a: str, b: str) -> float:
    """The Jaro-Winkler similarity of two strings (prefix weight 0.1, a common prefix of at most 4 characters,
    applied above a Jaro similarity of 0.7), the same double as DuckDB's `jaro_winkler_similarity`: DuckDB's
    build fuses the last multiply-add (sim + prefix·0.1·(1 − sim), rounded once), and so does this."""
    sim = jaro_similarity(a, b)
    if sim <= 0.7:
        return sim
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return float(Fraction(sim) + Fraction(prefix * 0.1) * Fraction(1.0 - sim))


def most_similar(name: str | None, rows: list[Amount]) -> Amount | None:
    """The row of 项目支出表 whose name is most similar to `name` (at least SIMILAR; the first printed among
    equally similar rows), or None."""
    if name is None:
        return None
    best: tuple[float, Amount] | None = None
    for row in rows:
        score = jaro_winkler_similarity(name, row.name)
        if score >= SIMILAR and (best is None or score > best[0]):
            best = (score, row)
    return None if best is None else best[1]


def project_rows(report: Report) -> list[Amount]:
    """项目支出表: each project's 合计 (the rows that name a project, not its total rows), in printed order."""
    return [a for a in report.amounts_of("projects") if _PROJECT_TOTAL.search(a.column) and a.row_name is not None
            and a.row_kind is not None and a.row_kind != "total"]


def _first_field(table: Table, columns: re.Pattern[str]) -> Cell | None:
    """The first field of a form (in printed order) under a column `columns` names (the whole name)."""
    return next((c for c in _ordered(table.cells) if c.kind == "field" and columns.fullmatch(c.column_name)), None)


def _ordered(cells: list[Cell]) -> list[Cell]:
    return sorted(cells, key=lambda c: (c.row_seq, c.column_seq))


def _greatest(*halves: Decimal | None) -> Decimal | None:
    """The largest of the halves that are known (None when none is)."""
    known = [h for h in halves if h is not None]
    return max(known) if known else None


# ---- a project form against its row of 项目支出表 ---------------------------------------------------


def _form_project(table: Table) -> str | None:
    """The project a form is of: its 项目名称 field, else its title without 项目支出绩效目标表."""
    field = _first_field(table, _PROJECT_NAME)
    if field is not None:
        return field.raw_text
    return None if table.title is None else _FORM_TITLE.sub("", table.title, count=1)


@rule
def project_forms(report: Report, ident: Identity) -> list[Instance]:
    """项目支出绩效目标表: the form's first total row (资金来源 合计) = 项目支出表 the same project's 合计, in yuan. The
    form's project (its 项目名称, else its title) is matched to the most similar row of 项目支出表. Reads the
    项目支出绩效目标表 and 项目支出表 tables."""
    rows = project_rows(report)
    out = []
    for table in report.of_types("project_performance"):
        total = next((a for a in report.amounts if a.table_seq == table.seq and a.row_kind == "total"), None)
        project = _form_project(table)
        listed = most_similar(project, rows) if total is not None else None
        if total is None or listed is None:
            continue
        out.append(ident.instance(f"{total.table_no} {project} = {listed.table_no or 'projects'} {listed.row_name} 合计 "
                                  "(yuan)", total.yuan, listed.yuan, _greatest(total.half_yuan, listed.half_yuan),
                                  "project_performance", total.table_no, total.page, YUAN))
    return out


# ---- the projects the forms name, against 项目支出表 --------------------------------------------------


class Named(NamedTuple):
    """A project a performance form names: a row of 项目支出情况 (with its budget) or a form's 项目名称."""

    table_seq: int
    table_no: str | None
    page: int
    project: str
    column: str  # the budget's column, or 项目名称
    yuan: Decimal | None
    half_yuan: Decimal | None


class Pair(NamedTuple):
    """A project a form names, and the row of 项目支出表 most similar to it."""

    named: Named
    listed: Amount


def _named(report: Report) -> list[Named]:
    """Every project the forms name, each form in printed order: 整体支出绩效目标表 项目支出情况 (a row per project,
    its 本年度预算) and each 项目支出绩效目标表's 项目名称."""
    out = [Named(a.table_seq, a.table_no, a.page, a.name, a.column, a.yuan, a.half_yuan)
           for a in report.amounts_of("overall_performance")
           if a.row_name is not None and _LISTED_BUDGET.search(a.column)]
    for table in report.of_types("project_performance"):
        out += [Named(table.seq, table.table_no, c.page, c.raw_text, c.column_name, None, None)
                for c in _ordered(table.cells) if c.kind == "field" and _PROJECT_NAME.fullmatch(c.column_name)]
    return out


def project_pairs(report: Report) -> list[Pair]:
    """Each project the forms name (once per form and name: where a form names it twice, the first printed) with
    its most similar row of 项目支出表; a project without a row similar enough is left out."""
    rows = project_rows(report)
    firsts: dict[tuple[int, str], Named] = {}
    for named in _named(report):
        firsts.setdefault((named.table_seq, named.project), named)
    pairs = [Pair(named, listed) for named in firsts.values()
             if (listed := most_similar(named.project, rows)) is not None]
    return sorted(pairs, key=lambda p: (p.named.table_seq, p.named.project))


@rule
def listed_projects(report: Report, ident: Identity) -> list[Instance]:
    """整体支出绩效目标表 项目支出情况: each project's 项目本年度预算 = 项目支出表 its 合计, in yuan (the project matched
    by name similarity). Reads 整体支出绩效目标表, 项目支出绩效目标表 and 项目支出表."""
    out = []
    for named, listed in project_pairs(report):
        if named.yuan is None:
            continue
        out.append(ident.instance(f"{named.table_no} 项目 {named.project} {named.column} = "
                                  f"{listed.table_no or 'projects'} {listed.row_name} 合计 (yuan)", named.yuan,
                                  listed.yuan, _greatest(named.half_yuan, listed.half_yuan), "overall_performance",
                                  named.table_no, named.page, YUAN))
    return out


@rule
def project_names(report: Report, ident: Identity) -> list[Instance]:
    """The same project (matched by name similarity) is named alike in 项目支出表 and in the performance forms
    (项目支出情况, 项目支出绩效目标表). Where one name is the other cut short (both at least 4 characters), the
    instance is not evaluated: a name split by a page or cell break."""
    out = []
    for named, listed in project_pairs(report):
        proj, pname = named.project, listed.name
        same = proj == pname
        inst = ident.statement(f"{named.table_no} 项目名称 {proj} {'=' if same else '≠'} {listed.table_no or 'projects'} "
                               f"{pname}", same,
                               "project_performance" if _PROJECT_NAME.fullmatch(named.column) else "overall_performance",
                               named.table_no, named.page, None if same else f"{proj} vs {pname}")
        if not same and min(len(proj), len(pname)) >= 4 and (proj.startswith(pname) or pname.startswith(proj)):
            inst.not_evaluated = "one name is the other cut short (a name split by a page or cell break)"
        out.append(inst)
    return out


# ---- a project form's own figures -----------------------------------------------------------------


class Activity(NamedTuple):
    """What a form sums to its budget: Σ 项目支出明细测算, or 资金来源 合计."""

    details: bool  # Σ 项目支出明细测算 (else 资金来源 合计)
    total: Decimal | None
    figures: int  # how many figures are summed
    page: int


def _activities(table: Table) -> list[Activity]:
    """The form's Σ 项目支出明细测算 (its detail amounts) and its 资金来源 合计 (the first printed), where printed."""
    cells = _ordered(table.cells)
    details = [c for c in cells if c.kind == "detail_amount" and _DETAILS.search(c.block or "")]
    sources = [c for c in cells if c.kind == "money" and c.row_name is not None and _TOTAL_ROW.fullmatch(c.row_name)
               and _FUNDING_SOURCES.search(c.block or "")]
    out = []
    if details:
        amounts = [c.amount for c in details if c.amount is not None]
        out.append(Activity(True, sum(amounts, Decimal(0)) if amounts else None, len(details),
                            min(c.page for c in details)))
    if sources:
        first = next((c.amount for c in sources if c.amount is not None), None)
        out.append(Activity(False, first, 1, min(c.page for c in sources)))
    return out


@rule
def project_activities(report: Report, ident: Identity) -> list[Instance]:
    """Σ 项目支出明细测算 = 项目当年预算, and 资金来源 合计 = 项目当年预算, in each project form, within half a unit
    of the budget's last printed digit per figure summed (the form's unit)."""
    out = []
    for table in report.tables:
        budget = _first_field(table, _ACTIVITY_BUDGET_FIELDS)
        value = None if budget is None else parse_amount(budget.raw_text).amount
        if budget is None or value is None:
            continue
        half = last_digit_unit(budget.raw_text) / 2
        for act in _activities(table):
            what = f"{table.table_no} {table.title}: Σ 项目支出明细测算" if act.details \
                else f"{table.table_no} {table.title}: 资金来源 合计"
            out.append(ident.instance(f"{what} = 项目当年预算", act.total, value,
                                      act.figures * half, "project_performance", table.table_no, act.page, table.unit))
    return out


class Budget(NamedTuple):
    """A form's 项目当年预算, in yuan."""

    yuan: Decimal
    half: Decimal
    table_no: str | None
    page: int


def _history(table: Table) -> dict[int, tuple[Decimal, Decimal]]:
    """A form's 变动情况: each year's budget it states, in yuan, with half a unit of its last digit (a year stated
    twice: the last printed)."""
    years: dict[int, tuple[Decimal, Decimal]] = {}
    for cell in _ordered(table.cells):
        if cell.kind != "field" or not _HISTORY_FIELD.search(cell.column_name):
            continue
        for year, number, unit in _HISTORY.findall(cell.raw_text):
            value = parse_amount(number).amount
            if value is not None:
                factor = UNIT_FACTORS[unit if unit in UNIT_FACTORS else unit + YUAN]  # 万: 万元
                years[int(year)] = (value * factor, last_digit_unit(number) / 2 * factor)
    return years


def _form_budget(table: Table) -> Budget | None:
    """A form's 项目当年预算 field in yuan (the last printed, where it parses and the table's unit is known)."""
    found = None
    factor = UNIT_FACTORS.get(table.unit or "")
    for cell in _ordered(table.cells):
        if cell.kind == "field" and _FORM_BUDGET_FIELDS.fullmatch(cell.column_name):
            value = parse_amount(cell.raw_text).amount
            if value is not None and factor is not None:
                found = Budget(value * factor, last_digit_unit(cell.raw_text) / 2 * factor, table.table_no, cell.page)
    return found


def _listed_count(report: Report) -> int:
    """How many projects 项目支出表 lists: the distinct names of its rows that are no total, at its deepest level
    of indentation (or without one)."""
    amounts = report.amounts_of("projects")
    levels = [a.row_level for a in amounts if a.row_level is not None]
    deepest = max(levels) if levels else None
    return len({a.row_name for a in amounts if a.row_kind is not None and a.row_kind != "total" and a.row_name is not None
                and (a.row_level is None or a.row_level == deepest)})


def _overall_history(report: Report, ident: Identity, history: dict[int, dict[int, tuple[Decimal, Decimal]]]
                     ) -> list[Instance]:
    """整体支出绩效目标表 特定目标类 of a year = Σ the forms' budgets of that year, where every form states it."""
    out = []
    for a in report.amounts_of("overall_performance"):
        found = _YEAR_COLUMN.search(a.column)
        if found is None or not _SPECIFIC_PURPOSE.search(a.row_name or ""):
            continue
        year = int(found.group(1))
        parts = [years[year] for years in history.values() if year in years]
        if not parts or len(parts) != len(history):
            continue
        halves = [a.half_yuan or Decimal(0)] + [half for _, half in parts]
        inst = ident.instance(f"{a.table_no} 特定目标类 {a.column} = Σ {len(parts)} project forms' {year} budgets (yuan)",
                              a.yuan, sum((value for value, _ in parts), Decimal(0)), max(halves) * len(parts),
                              "overall_performance", a.table_no, a.page, YUAN)
        if a.yuan is None:
            inst.not_evaluated = _NO_YUAN
        out.append(inst)
    return out


@rule
def project_budget_history(report: Report, ident: Identity) -> list[Instance]:
    """项目支出绩效目标表 变动情况 (2022 年 200 万元、2023 年 200 万元、2024 年 145 万元). With `part: form` (the default),
    the budget year's figure = the same form's 项目当年预算, in yuan. With `part: overall`, each year's figure summed
    over the forms = 整体支出绩效目标表 特定目标类 of that year, where the forms cover the projects of 项目支出表 (as
    many forms state a 变动情况 as 项目支出表 lists projects) and every form states that year."""
    forms = report.of_types("project_performance")
    history = {t.seq: years for t in forms if (years := _history(t))}
    budgets = {t.seq: budget for t in forms if (budget := _form_budget(t)) is not None}
    year = report.fiscal_year
    out = []
    part = ident.params.get("part", "form")
    for seq, years in history.items():
        budget = budgets.get(seq)
        if part == "form" and year is not None and year in years and budget is not None:
            stated, half = years[year]
            out.append(ident.instance(f"{budget.table_no} 变动情况 {year} = 项目当年预算 (yuan)", stated, budget.yuan,
                                      max(half, budget.half), "project_performance", budget.table_no, budget.page, YUAN))
    if part != "overall" or _listed_count(report) != len(history):
        return out
    return out + _overall_history(report, ident, history)


# ---- the forms within 项目支出 ------------------------------------------------------------------------


@rule
def project_forms_within_projects(report: Report, ident: Identity) -> list[Instance]:
    """项目支出 (支出总表 合计) ≥ Σ the project forms' funding totals (each form's first 总额/合计 figure), in yuan:
    the forms cover some or all of the projects, never more than they spend. Only where two forms or more print
    a funding total."""
    firsts: dict[int, Amount] = {}
    for a in report.amounts_of("project_performance"):
        if _FORM_FUNDING.search(a.column):
            firsts.setdefault(a.table_seq, a)
    forms = list(firsts.values())
    total = select(report, {"table": ["expenditure"], "row": "total", "column": _PROJECT_COLUMN.pattern})
    if len(forms) < 2 or total is None:
        return []
    unknown = total.yuan is None or any(f.yuan is None for f in forms)  # a unit not known: no figure in yuan
    inst = ident.instance(f"{total.table_no or 'expenditure'} 合计 项目支出 ≥ Σ {len(forms)} project forms' funding (yuan)",
                          total.yuan, None if unknown else sum((f.yuan or Decimal(0) for f in forms), Decimal(0)),
                          total.half + sum((f.half_yuan or Decimal(0) for f in forms), Decimal(0)), "expenditure",
                          total.table_no, total.page, YUAN)
    inst.relation = "covers"
    if unknown:
        inst.not_evaluated = _NO_YUAN
    inst.compared = [Source.of("lhs", total)] + [Source.of("rhs", f) for f in forms]
    return [inst]


# ---- the headers of a form's indicator blocks ---------------------------------------------------------


class Block(NamedTuple):
    """An indicator block of a form (年度目标1 …): its columns, sorted, and where it starts."""

    table: Table
    name: str
    first_row: int
    page: int
    header: tuple[str, ...]


def _blocks(report: Report) -> list[Block]:
    """Every indicator block of every table, by table and by the row where the block starts."""
    out = []
    for table in report.tables:
        cells: dict[str, list[Cell]] = {}
        for c in table.cells:
            if c.kind == "indicator" and c.block is not None:
                cells.setdefault(c.block, []).append(c)
        out += [Block(table, name, min(c.row_seq for c in cs), min(c.page for c in cs),
                      tuple(sorted({c.column_name for c in cs}))) for name, cs in cells.items()]
    return sorted(out, key=lambda b: (b.table.seq, b.first_row, b.name))


def _block_instances(ident: Identity, members: list[Block]) -> list[Instance]:
    """Each block of one group of siblings against the header most of them print (nothing where no header is
    printed by more than half of them, or where the group has fewer than 3 blocks)."""
    headers = Counter(b.header for b in members)
    common, count = headers.most_common(1)[0]
    if len(members) < 3 or count * 2 <= len(members):
        return []
    out = []
    for b in members:
        no, ttype = b.table.table_no, b.table.table_type
        same = b.header == common
        missing = [h for h in common if h not in b.header]
        label = f"{no or ttype} {b.name}: header " + (
            f"as its {len(members) - 1} siblings" if same else
            f"lacks {', '.join(missing)} (prints {', '.join(h for h in b.header if h not in common)})")
        out.append(ident.statement(label, same, ttype, no, b.page,
                                   None if same else f"siblings print: {' | '.join(common)}"))
    return out


@rule
def indicator_headers(report: Report, ident: Identity) -> list[Instance]:
    """The indicator blocks of one form (年度目标 1, 2, 3: the same name but for a trailing number) print the same
    header; a block whose header differs from what most (more than half) of its 3 or more siblings print (a
    sub-header left empty) is named."""
    groups: dict[tuple[int, str], list[Block]] = {}
    for b in _blocks(report):
        groups.setdefault((b.table.seq, re.sub(r"\d+$", "", b.name)), []).append(b)
    out = []
    for members in groups.values():
        out += _block_instances(ident, members)
    return out
