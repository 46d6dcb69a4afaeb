"""Which table a grid is: read from its title, its header and its rows, with the vocabulary.

A title is read into facets (yusuan/vocabulary.yaml): scope (whose money), subject (what about),
breakdown (by function, economic class or unit) and kind (预算/决算). A table type is the
combination its entry declares. Where the title leaves the breakdown unsaid, the rows tell it:
economic codes (301…) or economic class names mean the economic classification, function codes
(201…) the functional one. A title that matches no type leaves the table unrecognised: it is
reported, never forced into a type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from yusuan.vocabulary import NONE, TableType, vocabulary

_CODE = re.compile(r"^\d{3,}$")
_NUMBER_DASH = vocabulary().word("table_number_dash")
_LEADING_PUNCTUATION = vocabulary().word("title_leading_punctuation")


@dataclass(frozen=True)
class TitleReading:
    """What a title line says about its table."""

    text: str  # the title as printed, whitespace removed
    number: str | None  # the printed table number (表5-1, 公开01表, 一), when the line carries one
    scope: str  # general_public | gov_fund | soe_capital | fiscal | none
    subject: str
    breakdown: str  # function | economic | unit | none
    kind: str | None  # budget | final, when the title says 预算/决算
    kind_word: str | None = None  # the kind as the title prints it (预算 | 决算)

    @property
    def is_form(self) -> bool:
        return any(t.form for t in vocabulary().table_types if self.subject in t.subject)


def table_number(text: str) -> str | None:
    """The printed table number in a line ('表 5-1' -> '表5-1', '公开01表', '五、…表' -> '五'), or None."""
    voc = vocabulary()
    s = re.sub(r"\s+", "", text)
    m = voc.numbers.search(s)
    if m:
        return _NUMBER_DASH.sub("-", m.group(0))
    chapter = voc.chapter_number.match(s)
    if chapter and voc.title_ends.search(s):
        return chapter.group(1)
    return None


def _first(options: dict[str, re.Pattern[str]], text: str) -> str | None:
    return next((value for value, pattern in options.items() if pattern.search(text)), None)


def read_title(text: str) -> TitleReading | None:
    """Read a line as a table title, or None when it does not name a table (it names no subject, or does
    not end with 表: a prose heading such as 一般公共预算支出情况说明 is not a title)."""
    voc = vocabulary()
    s = re.sub(r"\s+", "", text)
    if not s or len(s) > 70:
        return None
    number = table_number(s)
    body = voc.numbers.sub("", s) if number else s
    body = _LEADING_PUNCTUATION.sub("", body)
    if not voc.title_ends.search(body):
        return None
    subject = _first(voc.facets["subject"], body)
    if subject is None:
        return None
    scope = _first(voc.facets["scope"], body) or NONE
    # the kind (预算/决算) is read without the scope's words: 一般公共预算 does not make a title a budget's
    unscoped = body
    for pattern in voc.facets["scope"].values():
        unscoped = pattern.sub("", unscoped)
    kind = _first(voc.kind, unscoped)
    kind_word = voc.kind[kind].search(unscoped) if kind else None
    return TitleReading(text=s, number=number, scope=scope, subject=subject,
                        breakdown=_first(voc.facets["breakdown"], body) or NONE, kind=kind,
                        kind_word=kind_word.group(0) if kind_word else None)


def breakdown_from_rows(codes: Iterable[str], names: Iterable[str]) -> str:
    """function | economic | none: the classification the rows follow, from their codes, or, where no
    code is printed, from the 类 names of the two classifications."""
    classes = {c[:1] for c in codes if _CODE.match(c) and len(c) in (3, 5, 7)}
    if classes == {"3"}:
        return "economic"
    if classes == {"2"}:
        return "function"
    if classes:
        return NONE
    voc = vocabulary()
    names = [re.sub(r"\s+", "", voc.list_markers[1].sub("", n)) for n in names]
    economic = sum(1 for n in names if n in voc.economic_classes)
    function = sum(1 for n in names if n in voc.function_classes)
    if economic and not function:
        return "economic"
    if function and not economic:
        return "function"
    return NONE


def _accepts(allowed: tuple[str, ...] | None, value: str) -> bool:
    return allowed is None or value in allowed


def table_type(reading: TitleReading | None, *, codes: Iterable[str] = (), names: Iterable[str] = ()) -> TableType | None:
    """The table type a title names, completed by the rows' classification where the title does not say it."""
    if reading is None:
        return None
    breakdown = reading.breakdown
    if breakdown == NONE:
        breakdown = breakdown_from_rows(codes, names)
    for ttype in vocabulary().table_types:
        if reading.subject in ttype.subject and _accepts(ttype.scope, reading.scope) \
                and _accepts(ttype.breakdown, breakdown):
            return ttype
    return None
