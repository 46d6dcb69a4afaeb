"""The words beside the arithmetic: what the text of a report says of itself, checked against the report.

Each rule reads the report's prose (extracted.narrative, page by page) and its tables, and returns
one instance per statement it can judge: a table its 目录 lists, a placeholder left in the text, a
year it names, a comparison word between two stated amounts, a 决算 figure that differs from its
budget. A statement that holds is recorded as passing; one that does not is a warning naming its
page and sentence (family `wording`). Nothing here quarantines a report.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from yusuan.checks.catalog import Identity
from yusuan.checks.instance import Instance, Source
from yusuan.identify import find_placeholders
from yusuan.model import NarrativeParagraph
from yusuan.money import last_digit_unit, parse_amount
from yusuan.narrative import sentence_box
from yusuan.recognise import read_title, table_type
from yusuan.vocabulary import vocabulary

# 目录 heading, and an entry's trailing leaders and page number (一、部门收支总表……5)
_CONTENTS = re.compile(r"^目录$")
_LEADERS = re.compile(r"[.·…．\-—_]+\d*$|\d+$")
# the years a sentence compares with: 比2025年, 与2023年度相比, 与2025年预算持平
_COMPARED_YEAR = re.compile(r"(?:比|较|与|同)(20\d\d)年度?(?:预算|决算|同期)?(?:数)?(?:相比|持平|增加|减少|增长|下降|相同)?")
_YEAR_END = re.compile(r"截[至止](20\d\d)年12月31日")
# a heading that names the report and its year (XX局2026年部门预算, 2024年度部门决算)
_HEADING = re.compile(r"^[^，。,；：:]{0,30}?(20\d\d)年度?(部门|单位)(预算|决算)[^，。,；]{0,10}$")
# a 决算 item: 年初预算为 A 万元，支出决算为 B 万元 … 决算数大于/小于/与…持平 预算数 … 主要原因
_ITEM = re.compile(r"(?:年初)?预算(?:数)?为([\d,，.]+)万元[，,；]?(?:支出)?决算(?:数)?为([\d,，.]+)万元")
_COMPLETED = re.compile(r"^[，,；]?完成(?:年初|全年)?预算(?:数)?的([\d.]+)[%％]")
_VERDICT = re.compile(r"决算数?(大于|小于|高于|低于|等于|同|与)(?:全年|年初)?预算数?(基本)?(持平|相同|一致)?")
_REASON = re.compile(r"原因|由于|因为|主要是|主要用于|系")


def _pages(ev: Any) -> list[tuple[int, str]]:
    return [(p, t) for p, t in ev.rows("SELECT page, text FROM extracted.narrative WHERE report_id = ? ORDER BY page",
                                        [ev.report_id])]


def _fiscal(ev: Any) -> tuple[int | None, str | None]:
    row = ev.rows("SELECT fiscal_year, report_kind FROM budget.reports WHERE report_id = ?", [ev.report_id])
    return (row[0][0], row[0][1]) if row else (None, None)


def _sentence(text: str, at: int) -> str:
    """The sentence of `text` (whitespace removed) around position `at`."""
    start = max(text.rfind("。", 0, at), text.rfind("；", 0, at)) + 1
    end = min((i for i in (text.find("。", at), text.find("；", at)) if i >= 0), default=len(text))
    return text[start:end + 1][:200]


def _paragraphs(ev: Any) -> list[NarrativeParagraph]:
    """The prose with the box of each line (read once per evaluation)."""
    if getattr(ev, "_paragraphs", None) is None:
        ev._paragraphs = [NarrativeParagraph(page, text, tuple(tuple(b) for b in boxes or ()))
                          for page, text, boxes in ev.rows("SELECT page, text, line_boxes FROM extracted.narrative "
                                                           "WHERE report_id = ? ORDER BY page", [ev.report_id])]
    return ev._paragraphs  # type: ignore[no-any-return]


def _said(ev: Any, page: int | None, text: str | None) -> list[Source]:
    """The sentence (or line) a finding is about, where its page prints it."""
    if page is None or not text:
        return []
    return [Source("claim", page, sentence_box(_paragraphs(ev), page, text), text)]


def _finding(ev: Any, ident: Identity, label: str, page: int | None, holds: bool, detail: str,
             said: str | None = None) -> Instance:
    inst: Instance = ev._inst(ident, label, None, None, 0, "narrative", None, page, None, detail=detail)
    inst.agrees = holds
    inst.compared = _said(ev, page, said)
    return inst


def contents(ev: Any, ident: Identity) -> list[Instance]:
    """Each table the 目录 lists is printed; each table the template requires (vocabulary: required_tables)
    is printed."""
    types = {t for (t,) in ev.rows("SELECT table_type FROM extracted.tables WHERE report_id = ?", [ev.report_id]) if t}
    out = []
    for page, text in _pages(ev):
        lines = [re.sub(r"\s+", "", ln) for ln in text.splitlines()]
        heads = [i for i, ln in enumerate(lines) if _CONTENTS.match(ln)]
        for line in lines[heads[0] + 1:] if heads else []:
            entry = _LEADERS.sub("", line)
            reading = read_title(entry)
            listed = table_type(reading) if reading else None
            if listed is None:
                continue
            out.append(_finding(ev, ident, f"目录 p{page} lists “{entry}” ({listed.name})", page,
                                listed.name in types, f"printed: {listed.name in types}; entry: {line}", said=line))
    for group in vocabulary().required_tables:
        names = " | ".join(f"{t} ({vocabulary().types_by_name[t].chinese})" for t in group)
        out.append(_finding(ev, ident, f"a table the template requires: {names}", None,
                            bool(types & set(group)), "printed" if types & set(group) else "not printed"))
    return out


def placeholders(ev: Any, ident: Identity) -> list[Instance]:
    """No placeholder a template leaves (XX局, 202X年, 待填写, {单位}) is left in the text."""
    year, _ = _fiscal(ev)
    lines = [(page, ln) for page, text in _pages(ev) for ln in text.splitlines()]
    found = [p for p in find_placeholders(lines, []) if p.kind != "blank_year" or year is None]
    return [_finding(ev, ident, f"p{p.page} placeholder “{p.text}” left in the text", p.page, False,
                     f"line: {p.line[:200]}", said=p.line) for p in found]


def years(ev: Any, ident: Identity) -> list[Instance]:
    """A year the text names agrees with the report's fiscal year: a comparison with an earlier year (比2025年
    in a 2026 budget, never 比2026年), the year end of a figure (截至2025年12月31日 in a 2026 budget, 截至2024年
    12月31日 in a 2024 决算), and a heading that names the report."""
    year, kind = _fiscal(ev)
    if year is None:
        return []
    final = bool(kind and kind.endswith("final"))
    out = []
    for page, text in _pages(ev):
        squeezed = re.sub(r"\s+", "", text)
        for m in _COMPARED_YEAR.finditer(squeezed):
            named = int(m.group(1))
            sentence = _sentence(squeezed, m.start())
            out.append(_finding(ev, ident, f"p{page} “{m.group(0)}” compares with {named}, the report is of {year}",
                                page, named < year, f"sentence: {sentence}", said=sentence))
        for m in _YEAR_END.finditer(squeezed):
            named, expected = int(m.group(1)), year if final else year - 1
            sentence = _sentence(squeezed, m.start())
            out.append(_finding(ev, ident, f"p{page} “{m.group(0)}” in a {year} {'决算' if final else '预算'}", page,
                                named == expected, f"expected {expected}; sentence: {sentence}", said=sentence))
        for line in text.splitlines():
            head = _HEADING.match(re.sub(r"\s+", "", line))
            if head:
                out.append(_finding(ev, ident, f"p{page} heading “{head.group(0)}” names {head.group(1)}", page,
                                    int(head.group(1)) == year, f"the report is of {year}", said=line))
    return out


def _items(ev: Any) -> list[tuple[int, str, Decimal, Decimal, str]]:
    """The 决算 items of the prose: (page, the item's text, 预算数, 决算数, the text until the next item)."""
    out = []
    for page, text in _pages(ev):
        squeezed = re.sub(r"\s+", "", text)
        found = list(_ITEM.finditer(squeezed))
        for i, m in enumerate(found):
            budget, final = parse_amount(m.group(1).replace("，", ",")).amount, parse_amount(m.group(2).replace("，", ",")).amount
            if budget is None or final is None:
                continue
            end = found[i + 1].start() if i + 1 < len(found) else len(squeezed)
            out.append((page, m.group(0), budget, final, squeezed[m.start():end][:400]))
    return out


def comparisons(ev: Any, ident: Identity) -> list[Instance]:
    """A comparison word agrees with the two amounts it compares: 决算数大于预算数 where 决算 > 预算, 小于 where it is
    less, 持平 / 相同 / 等于 (without 基本) where they are equal."""
    out = []
    for page, said, budget, final, following in _items(ev):
        m = _VERDICT.search(following)
        if m is None or m.group(2):  # 基本持平: approximately, nothing to hold it to
            continue
        word = m.group(1) if m.group(1) not in ("同", "与") else (m.group(3) or "")
        holds = {"大于": final > budget, "高于": final > budget, "小于": final < budget, "低于": final < budget,
                 "等于": final == budget, "持平": final == budget, "相同": final == budget,
                 "一致": final == budget}.get(word)
        if holds is None:
            continue
        out.append(_finding(ev, ident, f"p{page} “{m.group(0)}” for 预算 {budget} and 决算 {final}", page, holds,
                            f"sentence: {said}", said=following[:m.end()]))
    return out


def reasons(ev: Any, ident: Identity) -> list[Instance]:
    """A 决算 figure that differs from its budget (年初预算为 A 万元，支出决算为 B 万元, A ≠ B) is explained (主要原因 …),
    said to be about the same (基本持平) or explained by the items it lists (其中：1. …) before the next item."""
    out = []
    for page, said, budget, final, following in _items(ev):
        if budget == final:
            continue
        rest = following[len(said):]
        holds = bool(_REASON.search(rest) or re.search("持平|其中", rest))
        out.append(_finding(ev, ident, f"p{page} 预算 {budget} vs 决算 {final}: the difference is explained", page,
                            holds, f"item: {following[:200]}", said=following))
    return out


def completion(ev: Any, ident: Identity) -> list[Instance]:
    """A stated completion rate (年初预算为 A 万元，支出决算为 B 万元，完成年初预算的 C%) is B / A, correctly rounded."""
    out = []
    for page, said, budget, final, following in _items(ev):
        m = _COMPLETED.match(following[len(said):])
        if m is None or not budget:
            continue
        stated = Decimal(m.group(1))
        inst = ev._inst(ident, f"prose p{page} completion {m.group(1)}% = 决算 {final} / 预算 {budget}", stated,
                        final / budget * 100, last_digit_unit(m.group(1)) / 2, "narrative", None, page, "%",
                        detail=f"sentence: {said}{m.group(0)}")
        inst.compared = _said(ev, page, f"{said}{m.group(0)}")
        out.append(inst)
    return out
