"""The figures stated in the prose (情况说明), read as claims, sentence by sentence.

A claim is one amount, change or percentage in one sentence, with what it says:
- its subject, the words printed just before the number (`基本支出 1,072.07 万元`);
- its measure: an amount, a change against an earlier year (`比 2023 年预算减少 267.33 万元`,
  `与上年相比增加 …，增长 10.06%`), or a share (`占 84.67%`);
- its period: this year's figure, or an earlier year's (`2025年当年预算执行数为 1690.69 万元`);
- the section it is printed under (`四、关于财政拨款收支总表的说明`), and the numbered item it belongs
  to (`1、公共安全支出（204类）司法（06款）行政运行（01项）1672.67万元。…`) with the code the item names.

Numbers are never paired across sentences, and a number is an amount only when a money unit
follows it, so a year (`2024 年`) is never read as one. Checking the claims is not done here:
see yusuan/checks/prose.py.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal

from yusuan.model import NarrativeParagraph
from yusuan.money import parse_amount
from yusuan.vocabulary import vocabulary

_SPACES = re.compile(r"\s+")

_VOC = vocabulary()
_AMOUNT = _VOC.word("amount_in_sentence")
_PCT = re.compile(r"(?P<num>-?\d+(?:\.\d+)?)\s*" + _VOC.word("percent_sign").pattern)
_MARKER = _VOC.word("item_marker")
_YEAR_PREFIX = _VOC.word("year_opening")
_DOWN = _VOC.word("decrease_words")
_UP = _VOC.word("increase_words")
_COMPARE = _VOC.word("comparison_words")
# an earlier year's figure (执行数, 上年…): but 上年结转 is this year's income carried over
_PREVIOUS = _VOC.word("earlier_year_figure")
_SHARE = _VOC.word("share_words")
# a heading of the narrative: 第二部分…, 四、关于财政拨款收支总表的说明, （二）一般公共预算当年拨款结构情况
_HEADING = _VOC.word("heading_marker")
_PART_HEADING = _VOC.word("part_heading")  # 第二部分: depth 0; 四、 (a chapter): 1; （二）: 2
_ITEM_START = _VOC.word("item_start")
# the code an item names: 公共安全支出（204类）司法（06款）行政运行（01项）, or 2014099其他信访事务支出
_CODE_PARTS = _VOC.word("code_in_item_words")
_LEADING_CODE = re.compile(r"(?<!\d)(2\d{2}(?:\d{2}){1,2})(?=[\u4e00-\u9fff])")
_SUBJECT_BREAK = _VOC.word("subject_break")
_HEADING_RUN_IN = _VOC.word("heading_run_in")
_LIST_COMMA = _VOC.word("list_comma_opening")
_QUOTES_AT_ENDS = _VOC.word("quotes_at_ends")
_FIGURE_IN_HEADING = _VOC.word("figure_in_heading")
_COLON_THEN_TEXT = _VOC.word("colon_then_text")
_HEADING_END = _VOC.word("heading_end_mark")
_FULL_STOP = _VOC.word("full_stop")
_CLAUSE_SEPARATOR = _VOC.word("clause_separator")
_FULLWIDTH_COMMA = _VOC.word("fullwidth_comma")
_YEAR_MARK = _VOC.word("year_mark")


@dataclass(frozen=True)
class Claim:
    seq: int
    page: int
    sentence: str
    subject: str
    kind: str  # amount | change | change_pct | share_pct
    value: Decimal  # signed for changes: 减少 267.33 is -267.33
    unit: str  # 万元 | 元 | %
    raw: str  # the number as printed
    base_seq: int | None  # for change/share: the amount claim it refers to
    period: str = "current"  # current | previous (an earlier year's figure: 执行数, 上年)
    section: str | None = None  # the headings in force, outermost first, joined with ' / '
    item: str | None = None  # the numbered item the claim belongs to (its first words)
    code: str | None = None  # the classification code the item names
    box: tuple[float, float, float, float] | None = None  # the sentence's lines on `page`, in PDF points


def _clean_subject(text: str) -> str:
    s = re.sub(r"\s+", "", text)
    s = _SUBJECT_BREAK.split(s)[-1] if s else s
    s = _HEADING_RUN_IN.split(s)[-1]  # a heading run into the sentence (…安排情况2024年…)
    s = _MARKER.sub("", s)
    s = _YEAR_PREFIX.sub("", s)
    # 货物采购4.79万元、工程采购0万元: the list's 、 is no part of the subject
    return _QUOTES_AT_ENDS.sub("", _LIST_COMMA.sub("", s))


def _is_heading(line: str) -> bool:
    """A heading line: numbered, short, no figure; a heading run into its text (（二）项目支出：2025年…) is text."""
    s = re.sub(r"\s+", "", line)
    return (bool(_HEADING.match(s)) and len(s) <= 40 and not _FIGURE_IN_HEADING.search(s)
            and not _COLON_THEN_TEXT.search(s) and not _HEADING_END.search(s))


def item_code(text: str) -> str | None:
    """The function code an item's words name: （204类）…（06款）…（01项） -> 2040601; 2014099其他… -> 2014099."""
    s = re.sub(r"\s+", "", text)
    m = _CODE_PARTS.search(s)
    if m:
        return m.group(1) + m.group(2).zfill(2) + (m.group(3).zfill(2) if m.group(3) else "")
    m = _LEADING_CODE.search(s)
    return m.group(1) if m else None


def _sentences(paragraphs: list[NarrativeParagraph]) -> list[tuple[int, str, str | None]]:
    """(page, sentence, the headings in force) for the prose: lines rejoined (the prose wraps mid-sentence),
    a heading line read as a sentence of its own."""
    out: list[tuple[int, str, str | None]] = []
    headings: list[tuple[int, str]] = []  # (depth, text): 第…部分 0, 一、 1, （一） 2
    buffer, page_of_buffer = "", None
    for p in paragraphs:
        for line in p.text.split("\n"):
            if _is_heading(line):
                if buffer.strip():
                    out.append((page_of_buffer or p.page, buffer, _joined(headings)))
                buffer = ""
                s = re.sub(r"\s+", "", line)
                depth = 0 if _PART_HEADING.match(s) else 1 if _VOC.chapter_number.match(s) else 2
                headings = [h for h in headings if h[0] < depth] + [(depth, s)]
                continue
            if not buffer:
                page_of_buffer = p.page
            buffer += line
            while stop := _FULL_STOP.search(buffer):
                sentence, buffer = buffer[:stop.start()], buffer[stop.end():]
                if sentence.strip():
                    out.append((page_of_buffer or p.page, sentence + stop.group(0), _joined(headings)))
                page_of_buffer = p.page
    if buffer.strip():
        out.append((page_of_buffer or 1, buffer, _joined(headings)))
    return out


def _joined(headings: list[tuple[int, str]]) -> str | None:
    return " / ".join(h for _, h in headings) or None


_RESTATED = _VOC.word("restated_budget")
_MARKED = _VOC.word("marked_item_words")


# complexity above the limit, kept: one pass over the sentences
def extract_claims(paragraphs: list[NarrativeParagraph], fiscal_year: int | None = None) -> list[Claim]:  # noqa: C901
    """Given the report's prose page by page, return every stated figure, sentence by sentence.

    A numbered item (1、公共安全支出（204类）…（01项）1672.67万元。主要用于…。2025年当年预算执行数为 1690.69万元，
    2026年预算安排 1672.67万元，比2025年预算执行数减少 1.07%。) runs from its numbered amount through the
    sentences that only restate it (预算安排), give earlier years' figures or changes; a new subject with an
    amount of this year, a new number or a heading ends it."""
    claims: list[Claim] = []
    item: tuple[str, str | None] | None = None  # (words, code)
    last_section: str | None = None
    previous_sentence_amount: int | None = None
    for page, raw_sentence, section in _sentences(paragraphs):
        sentence = raw_sentence.strip()
        squeezed = re.sub(r"\s+", "", sentence)
        if section != last_section:
            item, last_section, previous_sentence_amount = None, section, None
        tokens = sorted([(a.start(), "amount", a) for a in _AMOUNT.finditer(sentence)]
                        + [(b.start(), "pct", b) for b in _PCT.finditer(sentence)], key=lambda t: t[0])
        if not tokens and _ITEM_START.match(squeezed):
            item = None  # a numbered sentence without a figure (a definition, a heading run into the text)
        last_amount: int | None = None  # this sentence's last amount of this year
        prev_end = 0
        for start, kind, tok in tokens:
            before = sentence[prev_end:start]
            prev_end = tok.end()
            value = parse_amount(_FULLWIDTH_COMMA.sub(",", tok.group("num"))).amount
            if value is None:
                continue
            b = re.sub(r"\s+", "", before)
            clause = _CLAUSE_SEPARATOR.split(b)[-1]
            subject = _clean_subject(before)
            if kind == "amount":
                direction = _DOWN.search(clause[-6:]) or _UP.search(clause[-6:])
                base = last_amount if last_amount is not None else (
                    _named(claims, section, subject) or _latest(claims, item, previous_sentence_amount))
                if direction and (_COMPARE.search(b) or _COMPARE.search(squeezed[:start])) and base is not None:
                    signed = -value if _DOWN.search(clause[-6:]) else value
                    claims.append(Claim(len(claims), page, sentence, subject, "change", signed, tok.group("unit"),
                                        tok.group("num"), base, "current", section, *(item or (None, None))))
                    continue
                previous = bool(_PREVIOUS.search(clause)) or bool(
                    fiscal_year and re.search(str(fiscal_year - 1) + _YEAR_MARK.pattern, clause)
                    and not re.search(str(fiscal_year) + _YEAR_MARK.pattern, clause))
                if not previous:
                    marked = _MARKED.search(b) if last_amount is None else _MARKED.search(clause)
                    if marked or (last_amount is None and _ITEM_START.match(squeezed)):
                        words = marked.group(0) if marked else clause
                        item = (words[:60], item_code(words) or item_code(squeezed[:start + len(tok.group(0))]))
                    elif not _RESTATED.match(subject):
                        item = None  # an amount of another subject ends the item
                claims.append(Claim(len(claims), page, sentence, subject, "amount", value, tok.group("unit"),
                                    tok.group("num"), None, "previous" if previous else "current", section,
                                    *(item or (None, None))))
                if not previous:
                    last_amount = claims[-1].seq
            else:
                base = last_amount if last_amount is not None else _latest(claims, item, previous_sentence_amount)
                if base is None:
                    continue
                if _SHARE.search(b) and last_amount is not None:
                    claims.append(Claim(len(claims), page, sentence, subject, "share_pct", value, "%",
                                        tok.group("num"), last_amount, "current", section, *(item or (None, None))))
                elif _DOWN.search(b[-8:]) and _UP.search(b[-8:]):
                    continue  # 下降（增长）: a template's two words left side by side state no direction
                elif _DOWN.search(b[-4:]) or _UP.search(b[-4:]):
                    signed = -value if _DOWN.search(b[-4:]) else value
                    claims.append(Claim(len(claims), page, sentence, subject, "change_pct", signed, "%",
                                        tok.group("num"), base, "current", section, *(item or (None, None))))
        previous_sentence_amount = last_amount if last_amount is not None else previous_sentence_amount
    boxes: dict[tuple[int, str], tuple[float, float, float, float] | None] = {}
    lines = ProseLines(paragraphs)
    for k, c in enumerate(claims):
        if (c.page, c.sentence) not in boxes:
            boxes[(c.page, c.sentence)] = lines.box(c.page, c.sentence)
        claims[k] = replace(c, box=boxes[(c.page, c.sentence)])
    return claims


class ProseLines:
    """The prose's lines in reading order with their boxes, joined once: each sentence is then found from the
    start of its page to the end of it, so boxing every claim costs the length of the prose once, plus each
    page's own text per sentence (never the whole prose per claim)."""

    def __init__(self, paragraphs: list[NarrativeParagraph]) -> None:
        parts: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.pages: list[int] = []
        self.boxes: list[tuple[float, float, float, float]] = []
        self.page_start: dict[int, int] = {}
        self.page_end: dict[int, int] = {}
        at = 0
        for p in paragraphs:
            lines = p.text.split("\n")
            if len(lines) != len(p.line_boxes):
                continue
            self.page_start.setdefault(p.page, at)
            for line, box in zip(lines, p.line_boxes, strict=True):
                squeezed = _SPACES.sub("", line)
                self.starts.append(at)
                at += len(squeezed)
                self.ends.append(at)
                self.pages.append(p.page)
                self.boxes.append(box)
                parts.append(squeezed)
            self.page_end[p.page] = at
        self.text = "".join(parts)

    def box(self, page: int, sentence: str) -> tuple[float, float, float, float] | None:
        """The box around the lines of `page` that print `sentence` (a sentence run on to the next page is boxed
        on the page where it starts); None where the prose carries no line boxes or the sentence is not found."""
        wanted = _SPACES.sub("", sentence)
        start = self.page_start.get(page)
        if start is None or not wanted:
            return None
        at = self.text.find(wanted, start, self.page_end[page] + len(wanted))
        if at < 0:
            return None
        end = at + len(wanted)
        hit = []
        i = bisect.bisect_right(self.ends, at)
        while i < len(self.starts) and self.starts[i] < end:
            if self.pages[i] == page:
                hit.append(self.boxes[i])
            i += 1
        if not hit:
            return None
        return (min(b[0] for b in hit), min(b[1] for b in hit), max(b[2] for b in hit), max(b[3] for b in hit))


def sentence_box(paragraphs: list[NarrativeParagraph], page: int,
                 sentence: str) -> tuple[float, float, float, float] | None:
    """ProseLines(paragraphs).box(page, sentence), for one sentence (for many, make the ProseLines once)."""
    return ProseLines(paragraphs).box(page, sentence)


_CHANGE_WORDS = _VOC.word("change_words")


def _named(claims: list[Claim], section: str | None, subject: str) -> int | None:
    """What a change opening its sentence refers to by name (收入较去年减少 … -> the last 收入 amount stated)."""
    head = _CHANGE_WORDS.sub("", subject)
    if len(head) < 2:
        return None
    for c in reversed(claims[-12:]):
        if c.section == section and c.kind == "amount" and c.period == "current" and head in c.subject:
            return c.seq
    return None


def _latest(claims: list[Claim], item: tuple[str, str | None] | None, fallback: int | None) -> int | None:
    """What a change printed without its own amount refers to: the item's latest amount of this year, or the
    last amount of this year of the sentences before."""
    if item is not None:
        own = [c.seq for c in claims if c.item == item[0] and c.kind == "amount" and c.period == "current"]
        if own:
            return own[-1]
    return fallback


_CN_NUMERAL = _VOC.word("chinese_numeral")


def cn_number(num: str) -> int:
    """一 … 十, 十一 … 九十九 as an int (0 when not such a numeral)."""
    m = _CN_NUMERAL.fullmatch(num)
    if m is None:
        return 0
    tens = int(unicodedata.numeric(m.group("tens"))) if m.group("tens") else 1
    units = int(unicodedata.numeric(m.group("units"))) if m.group("units") else 0
    return (tens * 10 if m.group("ten") else 0) + units
