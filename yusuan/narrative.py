"""Figures stated in the prose (情况说明), read sentence by sentence, and checked against the tables.

A claim is one amount, change or percentage in one sentence, with the subject printed just
before it (`基本支出 1,072.07 万元`, `比 2023 年预算减少 267.33 万元`, `占比 84.67%`). Numbers are
never paired across sentences, and a number is an amount only when a money unit follows it,
so a year (`2024 年`) is never read as one. Checking a claim (warnings, never blocking):
- its amount against the table figure its subject names (基本支出 -> 支出总表 合计 基本支出);
- a stated change rate against its amounts (增加 Y, 增长 Z%: Z = Y / (X - Y));
- a stated share against the tables (占比 P%: P = amount / 合计), and against the stated amount;
- 政府采购 = 货物 + 工程 + 服务 and 政府购买服务 = its parts, as stated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from yusuan.model import NarrativeParagraph
from yusuan.money import UNIT_FACTORS, last_digit_unit, parse_amount

_AMOUNT = re.compile(r"(?P<num>-?\d[\d,，]*(?:\.\d+)?)\s*(?P<unit>亿元|万元|千元|元)")
_PCT = re.compile(r"(?P<num>-?\d+(?:\.\d+)?)\s*[%％]")
_MARKER = re.compile(r"^([（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.．、])")
_YEAR_PREFIX = re.compile(r"^(20\d\d|19\d\d)年度?")
_DOWN = re.compile(r"(减少|下降|降低|压减|缩减)")
_UP = re.compile(r"(增加|增长|提高|上升)")


@dataclass(frozen=True)
class Claim:
    seq: int
    page: int
    sentence: str
    subject: str
    kind: str  # amount | change | change_pct | share_pct
    value: Decimal
    unit: str  # 万元 | 元 | %
    raw: str  # the number as printed
    base_seq: int | None  # for change/share: the amount claim of the same sentence it refers to


def _clean_subject(text: str) -> str:
    s = re.sub(r"\s+", "", text)
    s = re.split(r"[，,：:；;。（(]?(其中|包括)[:：]?|[，,：:；;]", s)[-1] if s else s
    s = re.split(r"(?:情况|说明)(?=\S)", s)[-1]  # a heading run into the sentence (…安排情况2024年…)
    s = _MARKER.sub("", s)
    s = _YEAR_PREFIX.sub("", s)
    return s.strip("“”\"")


def extract_claims(paragraphs: list[NarrativeParagraph]) -> list[Claim]:
    """Given the report's prose page by page, return every stated figure, sentence by sentence."""
    # rejoin the lines (the prose wraps mid-sentence), remembering where each page starts
    text = ""
    starts: list[tuple[int, int]] = []
    for p in paragraphs:
        starts.append((len(text), p.page))
        text += p.text.replace("\n", "")
    claims: list[Claim] = []
    for m in re.finditer(r"[^。]+。?", text):
        sentence = m.group(0).strip()
        page = max((pg for pos, pg in starts if pos <= m.start()), default=1)
        tokens = sorted([(a.start(), "amount", a) for a in _AMOUNT.finditer(sentence)]
                        + [(b.start(), "pct", b) for b in _PCT.finditer(sentence)], key=lambda t: t[0])
        last_amount: int | None = None
        prev_end = 0
        for start, kind, tok in tokens:
            before = sentence[prev_end:start]
            prev_end = tok.end()
            value = parse_amount(tok.group("num").replace("，", ",")).amount
            if value is None:
                continue
            subject = _clean_subject(before)
            if kind == "amount":
                if re.search(r"比(20\d\d|上)", re.sub(r"\s+", "", before)) and last_amount is not None:
                    signed = -value if _DOWN.search(before) else value
                    claims.append(Claim(len(claims), page, sentence, subject, "change", signed, tok.group("unit"),
                                        tok.group("num"), last_amount))
                    continue
                claims.append(Claim(len(claims), page, sentence, subject, "amount", value, tok.group("unit"),
                                    tok.group("num"), None))
                last_amount = claims[-1].seq
            else:
                squeezed = re.sub(r"\s+", "", before)
                if last_amount is None:
                    continue
                if re.search(r"占(比|总?支出的?|总?收入的?)?$", squeezed) or squeezed.endswith("占比"):
                    claims.append(Claim(len(claims), page, sentence, subject, "share_pct", value, "%",
                                        tok.group("num"), last_amount))
                elif _DOWN.search(squeezed[-4:]) or _UP.search(squeezed[-4:]):
                    signed = -value if _DOWN.search(squeezed[-4:]) else value
                    claims.append(Claim(len(claims), page, sentence, subject, "change_pct", signed, "%",
                                        tok.group("num"), last_amount))
    return claims


# ---- what a subject names in the tables --------------------------------------------------------

# (subject pattern, table types, row selector, column pattern); the first table found is used
_METRICS: list[tuple[str, str, tuple[str, ...], str, str]] = [
    ("fiscal_total", r"财政拨款收支总预算$", ("fiscal_summary",), "name:总计$", "收入"),
    ("total", r"收支(总)?预算(总计)?$|收入支出预算总计$", ("summary",), "name:总计$", "收入"),
    ("income_total", r"(预算收入|收入预算)(总计|合计)?$", ("summary",), "name:总计$", "收入"),
    ("general_public", r"一般公共预算(财政拨款)?支出(预算)?$", ("general_public_by_function",), "total",
     r"(^|/)(合计|金额)$"),
    ("expenditure_total", r"^(单位|部门)(预算支出|支出预算)(合计)?$|^支出预算(合计|总计)$", ("expenditure",),
     "total", r"(^|/)合计$"),
    ("basic_general", r"一般公共预算基本支出$", ("general_public_basic_by_economic",), "total",
     r"(^|/)(合计|金额)$"),
    ("basic", r"^基本支出$", ("expenditure",), "total", r"(^|/)基本支出$"),
    ("project", r"^项目(支出|经费)$", ("expenditure",), "total", r"(^|/)项目支出$"),
    ("personnel", r"人员经费$", ("general_public_basic_by_economic",), "total", r"人员经费$"),
    ("public", r"公用经费$", ("general_public_basic_by_economic",), "total", r"公用经费$"),
    ("three_public", r"三公”?经费(支出)?(预算数?)?$",
     ("three_public", "three_public_and_office_operation"), "first", r"合计$"),
    ("reception", r"公务接待费$", ("three_public", "three_public_and_office_operation"), "first", r"公务接待费$"),
    ("vehicles", r"公务用车购置及运行(维护)?费$", ("three_public", "three_public_and_office_operation"), "first",
     r"公务用车购置及运行(维护)?费(/小计)?$"),
    ("vehicle_purchase", r"公务用车购置费$", ("three_public", "three_public_and_office_operation"), "first",
     r"购置费$"),
    ("vehicle_operation", r"公务用车运行(维护)?费$", ("three_public", "three_public_and_office_operation"), "first",
     r"运行(维护)?费$"),
    ("overseas", r"因公出国[（(]?境[)）]?(经)?费$", ("three_public", "three_public_and_office_operation"), "first",
     r"因公出国"),
    ("office_operation", r"机关运行经费(预算)?(支出)?$", ("office_operation",), "total", r"."),
    ("office_operation", r"机关运行经费(预算)?(支出)?$", ("three_public_and_office_operation",), "first",
     r"机关运行经费"),
    ("office_operation", r"机关运行经费(预算)?(支出)?$", ("general_public_basic_by_economic",), "total",
     r"公用经费$"),
]
_SHARE_OF = {"basic": ("expenditure", r"(^|/)合计$"), "project": ("expenditure", r"(^|/)合计$"),
             "class": ("expenditure", r"(^|/)合计$")}
_PARTS = [("政府采购", ("货物", "工程", "服务")), ("政府购买服务", ("公共服务", "政府履职辅助性服务"))]


def _factor(unit: str) -> Decimal:
    return UNIT_FACTORS.get(unit, Decimal(1))


class _Lookup:
    """The table figures a claim can name, read once per report."""

    def __init__(self, ev: Any) -> None:
        self.classes: dict[tuple[str, str], tuple[Any, ...]] = {}
        for metric, types in (("class", ("expenditure", "general_public_by_function")),
                              ("economic", ("general_public_basic_by_economic", "fiscal_basic_by_economic"))):
            for name, code, yuan, ttype, no, page, col in ev.rows(
                    """SELECT row_name, row_code, amount_yuan, table_type, table_no, page, column_name FROM li
                       WHERE table_type IN (SELECT unnest(?::VARCHAR[])) AND length(row_code) = 3
                         AND regexp_matches(column_name, '(^|/)(合计|金额)$')
                       ORDER BY table_seq, column_seq""", [list(types)]):
                self.classes.setdefault((metric, name), (code, yuan, ttype, no, page, col))
        self.projects = ev.rows("""SELECT row_name, amount_yuan, table_no, page FROM li
                                   WHERE table_type = 'projects' AND regexp_matches(column_name, '(^|/)合计$')
                                     AND row_name IS NOT NULL""")


def _similar(a: str, b: str) -> float:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b).ratio()


def _table_value(ev: Any, claim: Claim, lookup: _Lookup) -> tuple[str, Decimal, str, str | None, int | None] | None:
    """(metric, value in yuan, what it is, table_no, page) for the table figure the claim's subject names."""
    subject = claim.subject
    for metric, pattern, types, row, column in _METRICS:
        if re.search(pattern, subject):
            got = ev._select({"table": list(types), "row": row, "column": column})
            if got is not None:
                return metric, got[1], f"{got[4] or got[3]} {got[7] or ''} {got[8]}".strip(), got[4], got[5]
    # 公共安全支出（204类）司法（06款）行政运行（01项）
    codes = re.findall(r"[（(](\d+)(类|款|项)[)）]", subject)
    if codes:
        code = "".join(c.zfill(2) if i else c for i, (c, _) in enumerate(codes))
        got = ev._select({"table": ["general_public_by_function", "expenditure"], "row": f"code:{code}",
                          "column": r"(^|/)(合计|金额)$"})
        if got is not None:
            return "class", got[1], f"{got[4] or got[3]} {code} {got[8]}", got[4], got[5]
    name = re.sub(r"[（(].*?[)）]", "", subject)
    for metric in ("class", "economic"):
        hit = lookup.classes.get((metric, name))
        if hit:
            code, yuan, ttype, no, page, col = hit
            return metric, yuan, f"{no or ttype} {code} {col}", no, page
    if name.endswith("项目") and len(name) > 3 and lookup.projects:
        best = max(lookup.projects, key=lambda p: _similar(p[0], name[:-2]))
        if _similar(best[0], name[:-2]) >= 0.85:
            return "project_item", best[1], f"{best[2] or 'projects'} {best[0]} 合计", best[2], best[3]
    return None


def evaluate_claims(ev: Any, ident: Any) -> list[Any]:
    """Instances of the narrative identity for the report's stated figures."""
    rows = ev.rows("""SELECT seq, page, sentence, subject, kind, value, unit, raw, base_seq FROM extracted.claims
                      WHERE report_id = ? ORDER BY seq""", [ev.report_id])
    claims = {r[0]: Claim(*r) for r in rows}
    out = []
    resolved: dict[int, tuple[str, Decimal, str, str | None, int | None]] = {}
    lookup = _Lookup(ev)
    for c in claims.values():
        if c.kind != "amount":
            continue
        hit = _table_value(ev, c, lookup)
        if hit is None:
            continue
        resolved[c.seq] = hit
        metric, yuan, what, no, page = hit
        factor = _factor(c.unit)
        table_in_claim_unit = yuan / factor
        tol = last_digit_unit(c.raw) / 2
        out.append(ev._inst(ident, f"prose p{c.page} “{c.subject} {c.raw}{c.unit}” = {what}", c.value,
                            table_in_claim_unit, tol, "narrative", no, c.page, c.unit,
                            detail=f"{metric}; sentence: {c.sentence[:200]}"))
    for c in claims.values():
        base = claims.get(c.base_seq) if c.base_seq is not None else None
        if base is None:
            continue
        tol = last_digit_unit(c.raw) / 2
        if c.kind == "change_pct":
            change = next((x for x in claims.values() if x.base_seq == base.seq and x.kind == "change"), None)
            if change is None:
                continue
            previous = base.value - change.value
            if previous == 0:
                continue
            computed = change.value / previous * 100
            out.append(ev._inst(ident, f"prose p{c.page} “{base.subject}” change {c.raw}% = "
                                       f"{change.raw} / ({base.raw} - ({change.value}))", c.value, computed, tol,
                                "narrative", None, c.page, "%", detail=f"sentence: {c.sentence[:200]}"))
        elif c.kind == "share_pct" and base.seq in resolved:
            metric = resolved[base.seq][0]
            if metric not in _SHARE_OF:
                continue
            ttype, column = _SHARE_OF[metric]
            total = ev._select({"table": [ttype], "row": "total", "column": column})
            if total is None or not total[1]:
                continue
            from_tables = resolved[base.seq][1] / total[1] * 100
            out.append(ev._inst(ident, f"prose p{c.page} “{base.subject}” share {c.raw}% = table amount / "
                                       f"{total[4] or ttype} 合计", c.value, from_tables, tol, "narrative",
                                total[4], c.page, "%", detail=f"sentence: {c.sentence[:200]}"))
            stated = base.value * _factor(base.unit) / total[1] * 100
            out.append(ev._inst(ident, f"prose p{c.page} “{base.subject}” share {c.raw}% = stated "
                                       f"{base.raw}{base.unit} / {total[4] or ttype} 合计", c.value, stated, tol,
                                "narrative", total[4], c.page, "%", detail=f"sentence: {c.sentence[:200]}"))
    ordered = sorted(claims.values(), key=lambda x: x.seq)
    for whole, parts in _PARTS:
        for i, c in enumerate(ordered):
            if c.kind != "amount" or whole not in c.subject or any(p in c.subject for p in parts[:1]):
                continue
            found = []
            for x in ordered[i + 1:i + 1 + 2 * len(parts)]:
                if x.kind == "amount" and any(x.subject.startswith(p) for p in parts):
                    found.append(x)
            if len(found) == len(parts) and all(f.unit == c.unit for f in found):
                tol = max(last_digit_unit(f.raw) for f in found + [c]) / 2 * len(parts)
                out.append(ev._inst(ident, f"prose p{c.page} “{c.subject} {c.raw}{c.unit}” = "
                                           + " + ".join(f"{f.subject} {f.raw}" for f in found),
                                    c.value, sum((f.value for f in found), Decimal(0)), tol, "narrative", None,
                                    c.page, c.unit, detail=f"sentence: {c.sentence[:200]}"))
            break
    out += _enumerated_parts(ev, ident, ordered)
    return out


_CHAPTER = re.compile(r"(^|[^（(])[一二三四五六七八九十]+、")
_LIST_INTRO = re.compile(r"(包括|其中|如下|分别为|主要有)")
_ITEM = re.compile(r"([（(])?([一二三四五六七八九十]+|\d+)([)）]|[.．、])$")
_CN_DIGITS = "一二三四五六七八九十"


def _cn_number(num: str) -> int:
    """一 … 十, 十一 … 九十九 as an int (0 when not such a numeral)."""
    tens, _, units = num.rpartition("十") if "十" in num else ("", "", num)
    if "十" not in num:
        return _CN_DIGITS.index(num) + 1 if len(num) == 1 and num in _CN_DIGITS[:9] else 0
    t = 1 if tens == "" else (_CN_DIGITS.index(tens) + 1 if len(tens) == 1 and tens in _CN_DIGITS[:9] else 0)
    u = 0 if units == "" else (_CN_DIGITS.index(units) + 1 if len(units) == 1 and units in _CN_DIGITS[:9] else -99)
    return max(t * 10 + u, 0) if t else 0


def _item_marker(sentence: str, subject: str) -> tuple[str, int] | None:
    """The enumeration marker printed just before a claim's subject: ('（一）', 1), ('1.', 1) … as
    (style, number), or None."""
    text = re.sub(r"\s+", "", sentence)
    at = text.find(subject)
    if at <= 0:
        return None
    m = _ITEM.search(text[:at])
    if m is None:
        return None
    opening, num, closing = m.groups()
    n = int(num) if num.isdigit() else _cn_number(num)
    style = f"{opening or ''}{'1' if num.isdigit() else '一'}{closing}"
    return (style, n) if n else None


def _enumerated_parts(ev: Any, ident: Any, ordered: list[Claim]) -> list[Any]:
    """A stated amount that introduces a numbered list (人员经费 995.07 万元，包括：1.工资福利支出 844.85 万元 …
    2.对个人和家庭的补助 150.22 万元; or a sentence ending with the amount and the next opening with 其中：1.…)
    = the sum of the list's items, followed across its sentences while the numbering runs on (1. 2. 3. or
    （一）（二）) and before the next chapter (七、…)."""
    amounts = [c for c in ordered if c.kind == "amount"]
    out = []
    for i, whole in enumerate(amounts):
        nxt = amounts[i + 1] if i + 1 < len(amounts) else None
        if nxt is None:
            continue
        if nxt.sentence == whole.sentence:  # 人员经费 995.07 万元，包括：1.…
            squeezed = re.sub(r"\s+", "", whole.sentence)
            stated = whole.subject + re.sub(r"\s+", "", whole.raw) + whole.unit
            between = squeezed[squeezed.find(stated) + len(stated):squeezed.rfind(nxt.subject)] \
                if stated in squeezed else ""
            if not _LIST_INTRO.search(between):
                continue
        elif not _LIST_INTRO.match(re.sub(r"\s+", "", nxt.sentence)):  # …0.9 万元，…。其中：1.…
            continue
        first = _item_marker(nxt.sentence, nxt.subject)
        if first is None or first[1] != 1:
            continue
        parts = [nxt]
        for x in amounts[i + 2:]:
            if x.sentence != parts[-1].sentence and _CHAPTER.search(
                    re.sub(r"\s+", "", x.sentence)[:max(re.sub(r"\s+", "", x.sentence).find(x.subject), 0)]):
                break
            marker = _item_marker(x.sentence, x.subject)
            if marker is None or marker[0] != first[0]:
                continue
            if marker[1] != len(parts) + 1:
                break
            parts.append(x)
        if len(parts) < 2 or any(p.unit != whole.unit or abs(p.value) > abs(whole.value) for p in parts):
            continue  # items larger than the stated amount are not its breakdown (其中：（一）收入…（二）支出…)
        tol = max(last_digit_unit(p.raw) for p in parts + [whole]) / 2 * len(parts)
        out.append(ev._inst(ident, f"prose p{whole.page} “{whole.subject} {whole.raw}{whole.unit}” = "
                                   + " + ".join(f"{p.subject} {p.raw}" for p in parts),
                            whole.value, sum((p.value for p in parts), Decimal(0)), tol, "narrative", None,
                            whole.page, whole.unit, detail=f"sentence: {whole.sentence[:200]}"))
    return out


# the row of the 整体支出绩效目标表 that holds last year's figure of a metric (近两年收支金额/2023年)
_PRIOR_ROWS = {"total": "^合计$", "income_total": "^合计$", "expenditure_total": "^合计$",
               "personnel": "^人员类", "office_operation": "^运转类", "project": "^特定目标类"}


def evaluate_prior_year(ev: Any, ident: Any) -> list[Any]:
    """Last year's figure a stated change implies (收支总预算 1,272.07 万元，比 2023 年减少 267.33 万元 ->
    1,539.40) = the 整体支出绩效目标表's column for that year (合计, 人员类, 运转类, 特定目标类)."""
    year = ev.rows("SELECT fiscal_year FROM budget.reports WHERE report_id = ?", [ev.report_id])
    if not year or year[0][0] is None:
        return []
    column = rf"{year[0][0] - 1}年$"
    rows = ev.rows("""SELECT seq, page, sentence, subject, kind, value, unit, raw, base_seq FROM extracted.claims
                      WHERE report_id = ? ORDER BY seq""", [ev.report_id])
    claims = {r[0]: Claim(*r) for r in rows}
    lookup = _Lookup(ev)
    out = []
    for change in claims.values():
        base = claims.get(change.base_seq) if change.base_seq is not None else None
        if change.kind != "change" or base is None or base.unit != change.unit:
            continue
        hit = _table_value(ev, base, lookup)
        if hit is None or hit[0] not in _PRIOR_ROWS:
            continue
        got = ev._select({"table": ["overall_performance"], "row": f"name:{_PRIOR_ROWS[hit[0]]}", "column": column})
        if got is None:
            continue
        factor = _factor(base.unit)
        previous = base.value - change.value
        tol = max(last_digit_unit(base.raw) / 2, last_digit_unit(change.raw) / 2, got[2] / factor) * 2
        out.append(ev._inst(ident, f"prose p{base.page} “{base.subject}” last year {base.raw} {'+' if change.value < 0 else '-'} "
                                   f"{change.raw} = "
                                   f"{got[4] or 'overall_performance'} {got[7]} {got[8]}", previous, got[1] / factor,
                            tol, "narrative", got[4], base.page, base.unit, detail=f"sentence: {base.sentence[:200]}"))
    return out
