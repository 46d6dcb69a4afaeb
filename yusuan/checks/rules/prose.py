"""The figures stated in the prose (情况说明), checked against the tables and against each other.

The claims are read by yusuan/narrative.py; what a claim names in the tables is found by yusuan.checks.claims.
- an amount against the table figure its subject names, in the claim's unit: 万元 prose against 元 tables
  agrees to one unit of the prose's last printed digit (a figure cut rather than rounded is said so). A claim
  whose subject the tables do not print is recorded as not checkable and never compared with another figure.
- a share (占 84.67%) against amount / the total of the table the amount was found in;
- a change rate (增长 3.44%) against its stated change and amount, or against the earlier year's figure
  the item states (比 2025 年执行数增加 17.62%);
- an item's headline against the 预算安排 it states; a stated amount against the sum of the list it opens
  (其中/包括, a numbered list), and 政府采购 against 货物 + 工程 + 服务;
- last year's figure a stated change implies against the 整体支出绩效目标表's column for that year.
Every instance is a warning: prose never quarantines a report.
"""

from __future__ import annotations

import re
from decimal import Decimal

from yusuan.checks.claims import (
    ITEMISED,
    RESTATED,
    Figure,
    Tables,
    claim_source,
    code_in,
    heading_table_types,
    list_opener,
    normalise,
    resolve,
    unit_factor,
    with_claims,
)
from yusuan.checks.figures import select
from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance, Source
from yusuan.checks.registry import rule
from yusuan.money import last_digit_unit, plain
from yusuan.narrative import Claim, cn_number
from yusuan.view import Report
from yusuan.vocabulary import vocabulary

Claims = dict[int, Claim]  # a report's claims by seq

_VOC = vocabulary()
# a whole the prose lists the parts of, by their names
_PARTS = [(_VOC.facets["subject"]["gov_procurement"],  # 政府采购 = 货物 + 工程 + 服务
           tuple(_VOC.word(w) for w in ("procured_goods", "procured_works", "procured_services"))),
          (_VOC.facets["subject"]["gov_purchase_services"],  # 政府购买服务 = 公共服务 + 政府履职辅助性服务
           tuple(_VOC.word(w) for w in ("purchased_public_services", "purchased_auxiliary_services")))]
_INTRO = _VOC.word("parts_listed")  # 其中, 包括, 分别为
_CHAPTER = _VOC.word("chapter_marker_in_text")  # 七、
_LIST_INTRO = _VOC.word("list_opens")  # 包括, 其中, 如下 …
_ITEM = _VOC.word("item_marker_at_end")  # （一） 1. 3、
_POINT = _VOC.word("item_marker_point")  # 1. 1． 1、
_PERCENT = _VOC.word("percent_sign")
_NUMBER_START = _VOC.word("number_start")
_YEAR_AT_END = _VOC.word("year_at_end")  # 2023年
# the row of the 整体支出绩效目标表 that holds last year's figure of a metric (近两年收支金额/2023年)
_PRIOR_ROWS = {metric: _VOC.word(w).pattern for metric, w in (
    ("total", "form_total_row"), ("income_total", "form_total_row"), ("expenditure_total", "form_total_row"),
    ("personnel", "personnel_category"), ("office_operation", "operation_category"),
    ("project", "specific_purpose_category"))}


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _sentence(c: Claim) -> str:
    return f"sentence: {c.sentence[:200]}"


# ---- narrative -----------------------------------------------------------------------------------


@rule
def narrative(report: Report, ident: Identity) -> list[Instance]:
    """Each figure the prose states = the table figure its subject names; a stated share = amount / the table's
    total; a stated change rate = its change / last year's figure; an item's headline = the 预算安排 it states;
    a stated whole = the parts the prose lists (each sum once, however many readings of the list find it)."""
    claims = report.claims_by_seq
    tables = Tables(report)
    out, resolved = _stated_amounts(ident, claims, tables)
    for c in claims.values():
        base = claims.get(c.base_seq) if c.base_seq is not None else None
        if base is None:
            continue
        if c.kind == "change_pct":
            out += _change_rate(ident, claims, c, base)
        elif c.kind == "share_pct" and base.seq in resolved:
            out += _shares(ident, claims, tables, c, base, resolved[base.seq])
    out += _stated_budgets(ident, claims)
    ordered = sorted(claims.values(), key=lambda x: x.seq)
    # a total and its parts found by two readings of the list (政府采购 = 货物 + 工程 + 服务, and 其中：…) is one sum
    sums = _listed_parts(ident, ordered) + _enumerated_parts(ident, ordered, tables) + _inline_parts(ident, ordered)
    out += [inst for k, inst in enumerate(sums) if all(inst.instance != x.instance for x in sums[:k])]
    return out


def _stated_amounts(ident: Identity, claims: Claims, tables: Tables) -> tuple[list[Instance], dict[int, Figure]]:
    """Each amount of this year against the table figure it names (or not checkable), and the figures found."""
    out: list[Instance] = []
    resolved: dict[int, Figure] = {}
    for c in claims.values():
        if c.kind != "amount" or c.period != "current":
            continue
        fig, why = resolve(c, tables, list_opener(claims, c))
        if fig is None:
            inst = ident.instance(f"prose p{c.page} “{c.subject} {c.raw}{c.unit}”: not checked against the tables",
                                  c.value, None, 0, "narrative", None, c.page, c.unit, detail=_sentence(c))
            inst.not_evaluated = why
            inst.compared = [claim_source(c)]
            out.append(inst)
            continue
        resolved[c.seq] = fig
        out.append(_against_table(ident, c, fig))
    return out, resolved


def _against_table(ident: Identity, c: Claim, fig: Figure) -> Instance:
    """A stated amount = the table figure, in the claim's unit. A table figure in 元 stated in 万元 is often cut
    rather than rounded (268.776 -> 268.77): a gap within one unit of the prose's last digit is a rounding gap,
    said as such; beyond it, a disagreement."""
    factor = unit_factor(c.unit)
    tol = max(last_digit_unit(c.raw), fig.amount.half_yuan / factor)  # type: ignore[operator]
    table = fig.amount.yuan / factor  # type: ignore[operator]
    gap = abs(c.value - table)
    note = "; not correctly rounded (cut): within one unit of the last printed digit" \
        if last_digit_unit(c.raw) / 2 < gap <= tol else ""
    inst = ident.instance(f"prose p{c.page} “{c.subject} {c.raw}{c.unit}” = {fig.what}", c.value, table, tol,
                          "narrative", fig.amount.table_no, c.page, c.unit, detail=f"{fig.how}{note}; {_sentence(c)}")
    inst.reading = fig.reading
    inst.compared = [claim_source(c), Source.of("rhs", fig.amount)]
    return inst


def _change_rate(ident: Identity, claims: Claims, c: Claim, base: Claim) -> list[Instance]:
    """A stated rate of change = its stated change / last year's figure (this year's less the change), or, where
    the item states last year's figure instead, (this year's - last year's) / last year's."""
    tol = last_digit_unit(c.raw) / 2
    change = next((x for x in reversed(list(claims.values())) if x.base_seq == base.seq
                   and x.kind == "change" and x.sentence == c.sentence and x.seq < c.seq), None)
    earlier = next((x for x in claims.values() if x.kind == "amount" and x.period == "previous"
                    and x.item is not None and x.item == base.item and x.unit == base.unit
                    and x.seq < c.seq and x.seq > base.seq - 5), None)
    if change is not None:
        previous = base.value - change.value
        if not previous:
            return []
        return [with_claims(ident.instance(f"prose p{c.page} “{base.subject}” change {c.raw}% = "
                                           f"{change.raw} / ({base.raw} - ({plain(change.value)}))", c.value,
                                           change.value / previous * 100, tol, "narrative", None, c.page, "%",
                                           detail=_sentence(c)), c, base)]
    if earlier is not None and earlier.value:
        current = _stated_budget(claims, base, c) or base
        return [with_claims(ident.instance(f"prose p{c.page} “{base.subject}” change {c.raw}% = "
                                           f"({current.raw} - {earlier.raw}) / {earlier.raw}", c.value,
                                           (current.value - earlier.value) / earlier.value * 100, tol, "narrative",
                                           None, c.page, "%", detail=_sentence(c)), c, current, earlier)]
    return []


def _shares(ident: Identity, claims: Claims, tables: Tables, c: Claim, base: Claim, fig: Figure) -> list[Instance]:
    """A stated share = the table figure its amount names / the table's total; and, where the amount stated
    differs from the table's, = the stated amount / the table's total."""
    total = tables.total_of(fig.amount)
    if total is None or not total.yuan or total == fig.amount:
        return []
    where = f"{total.table_no or total.table_type} 合计"
    tol = last_digit_unit(c.raw) / 2
    # shares listed so that they sum to exactly 100% have had one of them adjusted by a unit of the last
    # digit (9.56% printed as 9.55% so that the list closes): one unit, not half, is the rounding here
    listed = [x.value for x in claims.values() if x.kind == "share_pct" and x.sentence == c.sentence]
    if len(listed) > 1 and sum(listed) == 100:
        tol = last_digit_unit(c.raw)
    share = ident.instance(f"prose p{c.page} “{base.subject}” share {c.raw}% = table amount / {where}", c.value,
                           fig.amount.yuan / total.yuan * 100, tol, "narrative",  # type: ignore[operator]
                           total.table_no, c.page, "%", detail=_sentence(c))
    share.compared = [claim_source(c), Source.of("rhs", fig.amount), Source.of("rhs", total)]
    if base.value * unit_factor(base.unit) == fig.amount.yuan:
        return [share]  # the stated amount is the table's: the same division, one finding
    stated = ident.instance(f"prose p{c.page} “{base.subject}” share {c.raw}% = stated {base.raw}{base.unit} / "
                            f"{where}", c.value, base.value * unit_factor(base.unit) / total.yuan * 100, tol,
                            "narrative", total.table_no, c.page, "%", detail=_sentence(c))
    stated.compared = [claim_source(c), Source.of("rhs", total)]
    return [share, stated]


def _stated_budget(claims: Claims, headline: Claim, upto: Claim) -> Claim | None:
    """The 预算安排 an item states after its headline (2026年预算安排 201.50 万元), before `upto`."""
    return next((x for x in claims.values() if x.item == headline.item and headline.seq < x.seq < upto.seq
                 and x.kind == "amount" and x.period == "current" and x.unit == headline.unit
                 and RESTATED.match(normalise(x.subject))), None)


def _stated_budgets(ident: Identity, claims: Claims) -> list[Instance]:
    """An item's headline amount = the 预算安排 the same item states (住房公积金 208.8 万元 … 预算安排 201.50 万元)."""
    out: list[Instance] = []
    headlines: dict[str, Claim] = {}
    for c in claims.values():
        if c.item and c.kind == "amount" and c.period == "current" and c.item not in headlines:
            headlines[c.item] = c
    for c in claims.values():
        head = headlines.get(c.item) if c.item else None
        if head is None or c.seq == head.seq or c.kind != "amount" or c.period != "current" or c.unit != head.unit:
            continue
        if not RESTATED.match(normalise(c.subject)):
            continue
        tol = max(last_digit_unit(c.raw), last_digit_unit(head.raw)) / 2
        out.append(with_claims(ident.instance(f"prose p{head.page} “{head.subject} {head.raw}{head.unit}” = "
                                              f"{c.subject} {c.raw}{c.unit}", head.value, c.value, tol, "narrative",
                                              None, head.page, head.unit, detail=f"sentence: {c.sentence[:200]}"),
                               head, c))
    return out


# ---- a stated whole and the parts the prose lists ------------------------------------------------


def _stated_sum(ident: Identity, whole: Claim, parts: list[Claim]) -> Instance:
    """The prose's own arithmetic: a total it states = the parts it lists, exactly. The writer chose both
    figures, so a gap is a disagreement the reader can see, even one within the rounding of the parts
    (which the detail says)."""
    total = sum((p.value for p in parts), Decimal(0))
    # a part stated as 0 (工程采购金额0万元: none bought) is no rounded figure
    rounding = sum((last_digit_unit(p.raw) for p in parts + [whole] if p.value), Decimal(0)) / 2
    within = (f"; compared exactly, as the prose states both its total and its parts: the gap is no larger than "
              f"the rounding of the figures printed (±{plain(rounding)}), which may explain it") \
        if total != whole.value and abs(total - whole.value) <= rounding else ""
    return with_claims(ident.instance(_sum_label(whole, parts), whole.value, total, 0, "narrative", None, whole.page,
                                      whole.unit, detail=f"sentence: {whole.sentence[:200]}{within}"), whole, *parts)


def _sum_label(whole: Claim, parts: list[Claim]) -> str:
    return (f"prose p{whole.page} “{whole.subject} {whole.raw}{whole.unit}” = "
            + " + ".join(f"{p.subject} {p.raw}" for p in parts))


def _listed_parts(ident: Identity, ordered: list[Claim]) -> list[Instance]:
    """政府采购 = 货物 + 工程 + 服务, and 政府购买服务 = its parts, as the prose lists them (the first statement of
    the whole only)."""
    out: list[Instance] = []
    for whole, parts in _PARTS:
        for i, c in enumerate(ordered):
            if c.kind != "amount" or not whole.search(c.subject) or any(p.search(c.subject) for p in parts[:1]):
                continue
            found = [x for x in ordered[i + 1:i + 1 + 2 * len(parts)]
                     if x.kind == "amount" and any(p.match(x.subject) for p in parts)]
            if len(found) == len(parts) and all(f.unit == c.unit for f in found):
                out.append(_stated_sum(ident, c, found))
            break
    return out


def _inline_parts(ident: Identity, ordered: list[Claim]) -> list[Instance]:
    """A stated amount and the amounts its sentence lists after 其中/包括 (预算 5,417.80 万元，包括在职人员经费
    2,830.73 万元、公用经费 502.22 万元 …): the parts sum to the whole. A sentence that lists without stating
    the whole (2.按支出用途分类，包括 …) lists the parts of the amount stated before its numbered list. Parts
    that fall short of the whole by more than 1% are a partial list (其中 names some items only): not a
    breakdown, not evaluated."""
    out: list[Instance] = []
    by_sentence: dict[tuple[int, str], list[Claim]] = {}
    for c in ordered:
        by_sentence.setdefault((c.page, c.sentence), []).append(c)
    sentences = list(by_sentence.items())
    for k, ((_page, text), claims) in enumerate(sentences):
        found = _listed_in(text, claims)
        if found is None:
            continue
        before, parts = found
        whole = before[-1] if before else _opener(sentences, k)
        if whole is None or len(parts) < 2 or any(p.unit != whole.unit for p in parts):
            continue
        total = sum((p.value for p in parts), Decimal(0))
        inst = _stated_sum(ident, whole, parts)
        if whole.value and total < whole.value and (whole.value - total) > whole.value / 100:
            inst.not_evaluated = "a partial list: the items listed cover less than the amount stated"
        out.append(inst)
    return out


def _listed_in(text: str, claims: list[Claim]) -> tuple[list[Claim], list[Claim]] | None:
    """Of a sentence that lists (其中/包括/分别为), the amounts of this year stated before the list and those listed
    (up to a second 其中); None when it lists nothing, or an amount is not found where the sentence prints it."""
    squeezed = _squeezed(text)
    intro = _INTRO.search(squeezed)
    if intro is None:
        return None
    amounts = [c for c in claims if c.kind == "amount" and c.period == "current"]
    positions = _positions(squeezed, claims)
    if any(c.seq not in positions for c in amounts):
        return None
    before = [c for c in amounts if positions[c.seq] < intro.start()]
    second = _INTRO.search(squeezed, intro.end())
    parts = [c for c in amounts if positions[c.seq] > intro.start()
             and (second is None or positions[c.seq] < second.start())]
    return before, parts


def _positions(squeezed: str, claims: list[Claim]) -> dict[int, int]:
    """Where each claim's number is printed in its sentence (claims in printed order)."""
    out: dict[int, int] = {}
    at = 0
    for c in claims:
        number = re.escape(_squeezed(c.raw))
        unit = _PERCENT.pattern if c.unit == "%" else re.escape(c.unit)
        m = re.compile(_NUMBER_START.pattern + number + unit).search(squeezed, at)
        if m is not None:
            out[c.seq] = m.start()
            at = m.end()
    return out


def _opener(sentences: list[tuple[tuple[int, str], list[Claim]]], k: int) -> Claim | None:
    """The amount a numbered list's items break down: the last amount of the sentence before the list."""
    j = k
    while j > 0 and ITEMISED.match(sentences[j][0][1].lstrip()):  # a numbered item (1. （一）) opens it
        j -= 1
    if j == k:
        return None
    amounts = [c for c in sentences[j][1] if c.kind == "amount" and c.period == "current"]
    return amounts[-1] if amounts else None


def _item_marker(sentence: str, subject: str) -> tuple[str, int] | None:
    """The enumeration marker printed just before a claim's subject as (style, number), or None: （一） is
    ('（numerals）', 1), 1． is ('digits.', 1) …"""
    text = _squeezed(sentence)
    at = text.find(subject)
    if at <= 0:
        return None
    m = _ITEM.search(text[:at])
    if m is None:
        return None
    opening, num, closing = m.groups()
    n = int(num) if num.isdigit() else cn_number(num)
    closing = "." if _POINT.fullmatch(closing) and num.isdigit() else closing  # 1． 2． 3、 are one numbering
    style = f"{opening or ''}{'digits' if num.isdigit() else 'numerals'}{closing}"
    return (style, n) if n else None


def _unlisted_codes(tables: Tables, parts: list[Claim]) -> list[str]:
    """For a list whose items name codes (（一）2060101-行政运行 693.69 万元 …), the codes of the same length the
    function tables print and the list leaves out: a list that names only some of them is not a breakdown."""
    codes = {p.code or code_in(p.subject) or (m.group(1) if (m := re.match(r"(\d{3,7})", p.subject)) else None)
             for p in parts}
    if None in codes or not codes:
        return []
    lengths = {len(c) for c in codes if c}
    if len(lengths) != 1:
        return []
    printed = {a.row_code for a in tables.of_types(["general_public_by_function", "expenditure"])
               if a.row_code and len(a.row_code) in lengths}
    return sorted(printed - {c for c in codes if c})


def _enumerated_parts(ident: Identity, ordered: list[Claim], tables: Tables) -> list[Instance]:
    """A stated amount that introduces a numbered list (人员经费 995.07 万元，包括：1.工资福利支出 844.85 万元 …
    2.对个人和家庭的补助 150.22 万元; or a sentence ending with the amount and the next opening with 其中：1.…)
    = the sum of the list's items, followed across its sentences while the numbering runs on (1. 2. 3. or
    （一）（二）) and before the next chapter (七、…). A list of codes that leaves out codes the tables print is
    a partial list: not evaluated."""
    amounts = [c for c in ordered if c.kind == "amount" and c.period == "current"]
    out: list[Instance] = []
    for i, whole in enumerate(amounts[:-1]):
        nxt = amounts[i + 1]
        first = _item_marker(nxt.sentence, nxt.subject) if _opens_list(whole, nxt) else None
        if first is None or first[1] != 1:
            continue
        parts = _items(amounts[i + 2:], nxt, first[0])
        if not _breaks_down(whole, parts):
            continue  # items as large as the stated amount are not its breakdown (其中：（一）收入…（二）支出…)
        partial = _unlisted_codes(tables, parts)
        if partial:
            inst = ident.instance(_sum_label(whole, parts), whole.value, sum((p.value for p in parts), Decimal(0)), 0,
                                  "narrative", None, whole.page, whole.unit, detail=f"sentence: {whole.sentence[:200]}")
            inst.not_evaluated = f"a partial list: the tables print {', '.join(partial[:5])} too, not listed"
            out.append(with_claims(inst, whole, *parts))
            continue
        out.append(_stated_sum(ident, whole, parts))
    return out


def _opens_list(whole: Claim, nxt: Claim) -> bool:
    """Whether the amount after `whole` opens a list of its parts: in the same sentence, words of a list
    (包括, 其中 …) printed between the two; in the next sentence, that sentence opening with them."""
    if nxt.sentence == whole.sentence:  # 人员经费 995.07 万元，包括：1.…
        squeezed = _squeezed(whole.sentence)
        stated = whole.subject + _squeezed(whole.raw) + whole.unit
        between = squeezed[squeezed.find(stated) + len(stated):squeezed.rfind(nxt.subject)] \
            if stated in squeezed else ""
        return bool(_LIST_INTRO.search(between))
    return bool(_LIST_INTRO.match(_squeezed(nxt.sentence)))  # …0.9 万元，…。其中：1.…


def _items(after: list[Claim], first: Claim, style: str) -> list[Claim]:
    """The items of a numbered list opened by `first` (item 1 of `style`): the amounts after it marked 2, 3 …
    in the same style, until the numbering breaks or a new chapter (七、…) begins in another sentence."""
    parts = [first]
    for x in after:
        squeezed = _squeezed(x.sentence)
        if x.sentence != parts[-1].sentence and _CHAPTER.search(squeezed[:max(squeezed.find(x.subject), 0)]):
            break
        marker = _item_marker(x.sentence, x.subject)
        if marker is None or marker[0] != style:
            continue
        if marker[1] != len(parts) + 1:
            break
        parts.append(x)
    return parts


def _breaks_down(whole: Claim, parts: list[Claim]) -> bool:
    """Whether the items can be the parts of the stated amount: two at least, in its unit, none larger than it,
    and not two as large as it."""
    return not (len(parts) < 2 or any(p.unit != whole.unit or abs(p.value) > abs(whole.value) for p in parts)
                or (whole.value and sum(1 for p in parts if abs(p.value) == abs(whole.value)) > 1))


# ---- narrative_prior_year ------------------------------------------------------------------------


@rule
def narrative_prior_year(report: Report, ident: Identity) -> list[Instance]:
    """Last year's figure a stated change implies (收支总预算 1,272.07 万元，比 2023 年减少 267.33 万元 ->
    1,539.40) = the 整体支出绩效目标表's column for that year (合计, 人员类, 运转类, 特定目标类). The subject's
    metric is read as the narrative rule reads it (yusuan.checks.claims.Tables.by_subject), in the tables the
    report given holds."""
    if report.fiscal_year is None:
        return []
    column = f"{report.fiscal_year - 1}{_YEAR_AT_END.pattern}"  # 2025年
    claims = report.claims_by_seq
    tables = Tables(report)
    out: list[Instance] = []
    for change in claims.values():
        base = claims.get(change.base_seq) if change.base_seq is not None else None
        if change.kind != "change" or base is None or base.unit != change.unit:
            continue
        hit = tables.by_subject(normalise(base.subject), heading_table_types(base.section))
        if hit is None or hit[0] not in _PRIOR_ROWS:
            continue
        got = select(report, {"table": ["overall_performance"], "row": f"name:{_PRIOR_ROWS[hit[0]]}", "column": column})
        if got is None:
            continue
        factor = unit_factor(base.unit)
        previous = base.value - change.value
        tol = max(last_digit_unit(base.raw) / 2, last_digit_unit(change.raw) / 2, got.half / factor) * 2
        inst = with_claims(ident.instance(f"prose p{base.page} “{base.subject}” last year {base.raw} "
                                          f"{'+' if change.value < 0 else '-'} {change.raw} = "
                                          f"{got.table_no or 'overall_performance'} {got.row_name} {got.column}",
                                          previous, got.yuan / factor, tol, "narrative", got.table_no, base.page,
                                          base.unit, detail=f"sentence: {base.sentence[:200]}"), base, change)
        inst.compared.append(Source.of("rhs", got))
        out.append(inst)
    return out
