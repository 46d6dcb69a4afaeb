"""The words beside the arithmetic: what the text of a report says of itself, checked against the report.

Each rule reads the report's prose (its narrative, page by page) and its tables, and returns one instance
per statement it can judge: a table its 目录 lists, a placeholder left in the text, a year it names, a
comparison word between two stated amounts, a 决算 figure that differs from its budget. A statement that
holds is recorded as passing; one that does not is a warning naming its page and sentence (family
`wording`). Nothing here quarantines a report.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance, Source
from yusuan.checks.registry import rule
from yusuan.identify import find_placeholders
from yusuan.money import last_digit_unit, parse_amount
from yusuan.narrative import ProseLines
from yusuan.recognise import read_title, table_type
from yusuan.view import Report
from yusuan.vocabulary import vocabulary

_VOC = vocabulary()
# 目录 heading, and an entry's trailing leaders and page number (一、部门收支总表……5)
_CONTENTS = _VOC.word("contents_heading")
_LEADERS = _VOC.word("contents_leaders")
# the years a sentence compares with: 比2025年, 与2023年度相比, 与2025年预算持平
_COMPARED_YEAR = _VOC.word("comparison_with_year")
_YEAR_END = _VOC.word("year_end_date")  # 截至2025年12月31日
# a heading that names the report and its year (XX局2026年部门预算, 2024年度部门决算)
_HEADING = _VOC.word("report_heading_with_year")
# a 决算 item: 年初预算为 A 万元，支出决算为 B 万元 … 决算数大于/小于/与…持平 预算数 … 主要原因
_ITEM = _VOC.word("budget_and_outturn_stated")
_COMPLETED = _VOC.word("completion_rate")
_VERDICT = _VOC.word("outturn_against_budget")
# a difference explained (主要原因 …), said to be about the same (基本持平) or explained by the items it lists (其中)
_EXPLAINED = _VOC.word("difference_explained")
_SENTENCE_END = _VOC.word("sentence_end")  # 。 ；
_FULLWIDTH_COMMA = _VOC.word("fullwidth_comma")
_SPACE = re.compile(r"\s+")


class Item(NamedTuple):
    """A 决算 item of the prose: 年初预算为 A 万元，支出决算为 B 万元, and the text that follows it."""

    page: int
    said: str  # the item as printed (whitespace removed)
    budget: Decimal
    final: Decimal
    following: str  # from the item to the next item (at most 400 characters), the item included


def _squeeze(text: str) -> str:
    return _SPACE.sub("", text)


def _sentence(text: str, at: int) -> str:
    """The sentence of `text` (whitespace removed) around position `at`."""
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, at)), default=0)
    end = m.start() if (m := _SENTENCE_END.search(text, at)) else len(text)
    return text[start:end + 1][:200]


def _said(report: Report, page: int | None, text: str | None) -> list[Source]:
    """The sentence (or line) a finding is about, where its page prints it."""
    if page is None or not text:
        return []
    return [Source("claim", page, _lines(report).box(page, text), text)]


_LINES: dict[int, tuple[object, ProseLines]] = {}


def _lines(report: Report) -> ProseLines:
    """The report's prose lines, joined once per report (a finding per sentence would otherwise join them again)."""
    cached = _LINES.get(id(report.narrative))
    if cached is None or cached[0] is not report.narrative:
        _LINES.clear()
        cached = _LINES[id(report.narrative)] = (report.narrative, ProseLines(report.narrative))
    return cached[1]


def _finding(report: Report, ident: Identity, label: str, page: int | None, holds: bool, detail: str,
             said: str | None = None) -> Instance:
    """A statement of the prose that holds or does not, with the sentence it is about."""
    inst = ident.statement(label, holds, "narrative", None, page, detail)
    inst.compared = _said(report, page, said)
    return inst


def _items(report: Report) -> list[Item]:
    """The 决算 items of the prose, page by page, in the order they are printed."""
    out = []
    for paragraph in report.narrative:
        squeezed = _squeeze(paragraph.text)
        found = list(_ITEM.finditer(squeezed))
        for i, m in enumerate(found):
            budget = parse_amount(_FULLWIDTH_COMMA.sub(",", m.group(1))).amount
            final = parse_amount(_FULLWIDTH_COMMA.sub(",", m.group(2))).amount
            if budget is None or final is None:
                continue
            end = found[i + 1].start() if i + 1 < len(found) else len(squeezed)
            out.append(Item(paragraph.page, m.group(0), budget, final, squeezed[m.start():end][:400]))
    return out


# ---- 目录 and the tables the template requires ----------------------------------------------------


def _listed_in_contents(report: Report, ident: Identity, printed: set[str]) -> list[Instance]:
    """Each entry of a 目录 that names a table: the table is printed."""
    out = []
    for paragraph in report.narrative:
        lines = [_squeeze(ln) for ln in paragraph.text.splitlines()]
        heads = [i for i, ln in enumerate(lines) if _CONTENTS.match(ln)]
        for line in lines[heads[0] + 1:] if heads else []:
            entry = _LEADERS.sub("", line)
            reading = read_title(entry)
            listed = table_type(reading) if reading else None
            if listed is None:
                continue
            found = listed.name in printed
            out.append(_finding(report, ident, f"目录 p{paragraph.page} lists “{entry}” ({listed.name})", paragraph.page,
                                found, f"printed: {found}; entry: {line}", said=line))
    return out


@rule
def wording_contents(report: Report, ident: Identity) -> list[Instance]:
    """Each table the 目录 lists is printed; one table of each group the template requires (vocabulary:
    required_tables) is printed. Reads every table of the report (their types) and the prose."""
    printed = {t.table_type for t in report.tables if t.table_type}
    out = _listed_in_contents(report, ident, printed)
    voc = vocabulary()
    for group in voc.required_tables:
        names = " | ".join(f"{t} ({voc.types_by_name[t].chinese})" for t in group)
        found = bool(printed & set(group))
        out.append(_finding(report, ident, f"a table the template requires: {names}", None, found,
                            "printed" if found else "not printed"))
    return out


# ---- placeholders ---------------------------------------------------------------------------------


@rule
def wording_placeholders(report: Report, ident: Identity) -> list[Instance]:
    """No placeholder a template leaves (XX局, 202X年, 待填写, {单位}) is left in the text; a year left blank
    (年部门预算) counts only where the report states no fiscal year. Each one found is a failing instance."""
    lines = [(p.page, ln) for p in report.narrative for ln in p.text.splitlines()]
    found = [p for p in find_placeholders(lines, []) if p.kind != "blank_year" or report.fiscal_year is None]
    return [_finding(report, ident, f"p{p.page} placeholder “{p.text}” left in the text", p.page, False,
                     f"line: {p.line[:200]}", said=p.line) for p in found]


# ---- years ----------------------------------------------------------------------------------------


def _compared_years(report: Report, ident: Identity, page: int, squeezed: str, year: int) -> list[Instance]:
    """比2025年 and the like: a comparison names a year before the report's."""
    out = []
    for m in _COMPARED_YEAR.finditer(squeezed):
        named = int(m.group(1))
        sentence = _sentence(squeezed, m.start())
        out.append(_finding(report, ident, f"p{page} “{m.group(0)}” compares with {named}, the report is of {year}",
                            page, named < year, f"sentence: {sentence}", said=sentence))
    return out


def _year_ends(report: Report, ident: Identity, page: int, squeezed: str, year: int) -> list[Instance]:
    """截至…年12月31日: the year before a budget's, a 决算's own."""
    out = []
    final = report.is_final
    expected = year if final else year - 1
    for m in _YEAR_END.finditer(squeezed):
        named = int(m.group(1))
        sentence = _sentence(squeezed, m.start())
        kind = f"{year} 决算" if final else f"{year} 预算"
        out.append(_finding(report, ident, f"p{page} “{m.group(0)}” in a {kind}", page,
                            named == expected, f"expected {expected}; sentence: {sentence}", said=sentence))
    return out


def _headings(report: Report, ident: Identity, page: int, text: str, year: int) -> list[Instance]:
    """A line that heads the report (XX局2026年部门预算) names its year."""
    out = []
    for line in text.splitlines():
        head = _HEADING.match(_squeeze(line))
        if head:
            out.append(_finding(report, ident, f"p{page} heading “{head.group(0)}” names {head.group(1)}", page,
                                int(head.group(1)) == year, f"the report is of {year}", said=line))
    return out


@rule
def wording_years(report: Report, ident: Identity) -> list[Instance]:
    """A year the text names agrees with the report's fiscal year: a comparison with an earlier year (比2025年
    in a 2026 budget, never 比2026年), the year end of a figure (截至2025年12月31日 in a 2026 budget, 截至2024年
    12月31日 in a 2024 决算), and a heading that names the report. Nothing where the fiscal year is not known."""
    year = report.fiscal_year
    if year is None:
        return []
    out = []
    for paragraph in report.narrative:
        squeezed = _squeeze(paragraph.text)
        out += _compared_years(report, ident, paragraph.page, squeezed, year)
        out += _year_ends(report, ident, paragraph.page, squeezed, year)
        out += _headings(report, ident, paragraph.page, paragraph.text, year)
    return out


# ---- a 决算's items: comparison words, completion rates, reasons ----------------------------------

_MORE = _VOC.word("more_than")  # 大于, 高于
_LESS = _VOC.word("less_than")  # 小于, 低于
_EQUAL = _VOC.word("equal_to")  # 等于, 持平, 相同, 一致
_PREPOSITION = _VOC.word("comparison_preposition")  # 与预算持平: the word comes after


def _word_holds(word: str, final: Decimal, budget: Decimal) -> bool | None:
    """Whether a comparison word of 决算 against 预算 holds for the two amounts (None: not a word compared)."""
    if _MORE.fullmatch(word):
        return final > budget
    if _LESS.fullmatch(word):
        return final < budget
    if _EQUAL.fullmatch(word):
        return final == budget
    return None


@rule
def wording_comparisons(report: Report, ident: Identity) -> list[Instance]:
    """A comparison word agrees with the two amounts it compares: 决算数大于预算数 where 决算 > 预算, 小于 where it is
    less, 持平 / 相同 / 等于 (without 基本) where they are equal. 基本持平 (about the same) is not judged."""
    out = []
    for item in _items(report):
        m = _VERDICT.search(item.following)
        if m is None or m.group(2):  # 基本持平: approximately, nothing to hold it to
            continue
        word = m.group(1) if not _PREPOSITION.fullmatch(m.group(1)) else (m.group(3) or "")
        holds = _word_holds(word, item.final, item.budget)
        if holds is None:
            continue
        out.append(_finding(report, ident, f"p{item.page} “{m.group(0)}” for 预算 {item.budget} and 决算 {item.final}",
                            item.page, holds, f"sentence: {item.said}",
                            said=item.following[:m.end()]))
    return out


@rule
def narrative_completion(report: Report, ident: Identity) -> list[Instance]:
    """A stated completion rate (年初预算为 A 万元，支出决算为 B 万元，完成年初预算的 C%) is B / A, within half a unit
    of the rate's last printed digit."""
    out = []
    for item in _items(report):
        m = _COMPLETED.match(item.following[len(item.said):])
        if m is None or not item.budget:
            continue
        sentence = f"{item.said}{m.group(0)}"
        inst = ident.instance(f"prose p{item.page} completion {m.group(1)}% = 决算 {item.final} / 预算 {item.budget}",
                              Decimal(m.group(1)), item.final / item.budget * 100, last_digit_unit(m.group(1)) / 2,
                              "narrative", None, item.page, "%", detail=f"sentence: {sentence}")
        inst.compared = _said(report, item.page, sentence)
        out.append(inst)
    return out


@rule
def wording_reasons(report: Report, ident: Identity) -> list[Instance]:
    """A 决算 figure that differs from its budget (年初预算为 A 万元，支出决算为 B 万元, A ≠ B) is explained (主要原因 …),
    said to be about the same (基本持平) or explained by the items it lists (其中：1. …) before the next item."""
    out = []
    for item in _items(report):
        if item.budget == item.final:
            continue
        rest = item.following[len(item.said):]
        holds = bool(_EXPLAINED.search(rest))
        out.append(_finding(report, ident, f"p{item.page} 预算 {item.budget} vs 决算 {item.final}: the difference is "
                                           "explained", item.page, holds, f"item: {item.following[:200]}",
                            said=item.following))
    return out
