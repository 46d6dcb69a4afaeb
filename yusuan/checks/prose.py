"""The figures stated in the prose (情况说明), checked against the tables and against each other.

The claims are read by yusuan/narrative.py. Each claim is checked where its subject is printed:
- an amount against the table figure its subject names, in the claim's unit: 万元 prose against 元 tables
  agrees to half a unit of the prose's last printed digit. The table is found from the heading the
  claim is printed under (四、关于财政拨款收支总表的说明 -> that table's rows), the item's code
  (（204类）…（06款）…（01项）), the subject's name (a 类 by its name), or the subjects of the vocabulary
  (prose_subjects: 基本支出, 人员经费, “三公”经费 …). A claim whose subject the tables do not print is
  recorded as not checkable and never compared with another figure.
- a share (占 84.67%) against amount / the total of the table the amount was found in;
- a change rate (增长 3.44%) against its stated change and amount, or against the earlier year's figure
  the item states (比 2025 年执行数增加 17.62%): the printed percentage must be the correctly rounded
  value, and its direction (增加/减少) the sign;
- an item's headline against the 预算安排 it states; a stated amount against the sum of the numbered list
  it opens, and 政府采购 against 货物 + 工程 + 服务.
Every instance is a warning: prose never quarantines a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, NamedTuple

from yusuan.checks.instance import Source
from yusuan.money import UNIT_FACTORS, last_digit_unit, plain
from yusuan.narrative import Claim, cn_number
from yusuan.recognise import read_title, table_type
from yusuan.vocabulary import vocabulary

_PARTS = [("政府采购", ("货物", "工程", "服务")), ("政府购买服务", ("公共服务", "政府履职辅助性服务"))]
_TOTAL_COLUMN = re.compile(r"(^|/)(合计|总计|金额|预算数|小计)$")
_NORMALISE = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、])"
                        r"|[（(][^）)]*[类款项][)）]|[“”\"\s]")
_HEADING_MARK = re.compile(r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
_ITEMISED = re.compile(r"^([（(][一二三四五六七八九十\d]+[)）]|\d+[.．、](?!\d))")
_CLAIM_COLUMNS = "seq, page, sentence, subject, kind, value, unit, raw, base_seq, period, section, item, code"


class Amount(NamedTuple):
    """One amount of the report's tables, as a claim can name it."""

    table_seq: int
    table_type: str | None
    table_no: str | None
    page: int
    row_seq: int
    row_code: str | None
    row_name: str | None
    row_kind: str | None
    column: str
    column_seq: int
    yuan: Decimal
    half_yuan: Decimal
    raw_text: str | None = None
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None


@dataclass(frozen=True)
class Figure:
    """The table figure a claim names, and how it was found."""

    amount: Amount
    what: str  # 表3 合计 基本支出
    how: str  # heading | code | name | project | subject:<metric>
    reading: str | None = None  # where the subject names two figures: which one was read


def _factor(unit: str) -> Decimal:
    return UNIT_FACTORS.get(unit, Decimal(1))


def normalise(name: str | None) -> str:
    """A row's or a subject's name without its list marker, its （类）/（款）/（项） and quotes."""
    return _NORMALISE.sub("", name or "")


def heading_table_types(section: str | None) -> list[str]:
    """The table types the headings in force name, innermost first (四、关于财政拨款收支总表的说明 ->
    fiscal_summary; 三、支出预算安排情况 -> expenditure)."""
    out = []
    for heading in reversed((section or "").split(" / ")):
        core = _HEADING_MARK.sub("", heading)
        core = re.sub(r"^关于", "", re.sub(r"[（(]详见.*?[)）]$", "", core))
        core = re.sub(r"(的)?(总体|具体)?(安排|编制)?(情况)?(的)?(说明)?$", "", core)
        reading = read_title(core if core.endswith("表") else core + "表")
        ttype = table_type(reading)
        if ttype is not None and ttype.name not in out:
            out.append(ttype.name)
    return out


class Tables:
    """The report's amounts, read once, and what a claim's subject names among them."""

    def __init__(self, ev: Any) -> None:
        self.ev = ev
        self.amounts = [Amount(*r) for r in ev.rows(
            """SELECT table_seq, table_type, table_no, page, row_seq, row_code, row_name, row_kind, column_name,
                      column_seq, amount_yuan, half_yuan, raw_text, x0, top, x1, bottom
               FROM li ORDER BY table_seq, row_seq, column_seq""")]

    def of_types(self, types: list[str] | tuple[str, ...]) -> list[Amount]:
        """The amounts of the first table of each given type, in the order of `types`."""
        out = []
        for t in types:
            seqs = sorted({a.table_seq for a in self.amounts if a.table_type == t})
            if seqs:
                out += [a for a in self.amounts if a.table_seq == seqs[0]]
        return out

    @staticmethod
    def _total_column(cells: list[Amount], measure: str | None = None) -> Amount | None:
        """Of one row's amounts, the one of its side's total column (合计, 金额 …), or its only amount; with a
        measure (项目支出), the column of that measure."""
        if measure is not None:
            return next((a for a in cells if re.search(measure, a.column)), None)
        totals = [a for a in cells if _TOTAL_COLUMN.search(a.column)]
        if totals:
            return totals[0]
        return cells[0] if len(cells) == 1 else None

    def by_code(self, types: list[str], code: str, measure: str | None = None) -> Amount | None:
        for t in types:
            cells = [a for a in self.of_types([t]) if a.row_code == code]
            got = self._total_column(cells, measure) if cells else None
            if got is not None:
                return got
        return None

    def by_name(self, types: list[str], name: str, measure: str | None = None) -> Amount | None:
        """The amount of the row named `name` (names compared without markers), in the row's own side."""
        if len(name) < 2:
            return None
        for t in types:
            rows: dict[tuple[int, int, str], list[Amount]] = {}
            for a in self.of_types([t]):
                if a.row_name and normalise(a.row_name.rsplit("/", 1)[-1]) == name:
                    side = a.column.split("/", 1)[0]
                    rows.setdefault((a.table_seq, a.row_seq, side), []).append(a)
            for cells in rows.values():
                got = self._total_column(cells, measure)
                if got is not None:
                    return got
        return None

    def code_by_path(self, types: list[str], names: list[str]) -> str | None:
        """The code of the row named by a path of names (类, 款, 项), each name the row of the code's parent."""
        if len(names) < 2:
            return None
        named: dict[str, set[str]] = {}
        for a in self.of_types(list(dict.fromkeys(types))):
            if a.row_code and a.row_name:
                named.setdefault(normalise(a.row_name), set()).add(a.row_code)
        candidates = named.get(normalise(names[-1]), set())
        parents = named.get(normalise(names[-2]), set())
        found = sorted(c for c in candidates if c[:-2] in parents)
        return found[0] if len(found) == 1 else None

    def total_of(self, a: Amount) -> Amount | None:
        """The total row of the amount's table, in the total column of the amount's side."""
        side = a.column.split("/", 1)[0] if "/" in a.column else None
        rows: dict[int, list[Amount]] = {}
        for x in self.amounts:
            if x.table_seq == a.table_seq and x.row_kind == "total" and x.row_code is None \
                    and (side is None or x.column.startswith(side)):
                rows.setdefault(x.row_seq, []).append(x)
        for seq in sorted(rows, key=lambda s: -s if side else s):  # a side's 总计 is printed last
            got = self._total_column(rows[seq])
            if got is not None:
                return got
        return None

    def by_subject(self, subject: str, prefer: list[str]) -> tuple[str, Amount] | None:
        """The figure a subject of the vocabulary names (基本支出, “三公”经费 …); tables under the heading first."""
        for ps in vocabulary().prose_subjects:
            if not ps.subject.search(subject):
                continue
            types = [t for t in prefer if t in ps.tables] + [t for t in ps.tables if t not in prefer]
            for t in types:
                cells = [a for a in self.of_types([t]) if re.search(ps.column, a.column)]
                if ps.row == "total":
                    cells = [a for a in cells if a.row_kind == "total" and a.row_code is None]
                elif ps.row.startswith("name:"):
                    cells = [a for a in cells if re.search(ps.row[5:], a.row_name or "")]
                if cells:
                    return ps.metric, cells[0]
        return None


def _what(a: Amount) -> str:
    return f"{a.table_no or a.table_type} {a.row_code or a.row_name or ''} {a.column}".replace("  ", " ")


_RESTATED = re.compile(r"^(\d{4}年)?(当年)?(预算安排|预算数|安排预算|预算)为?$")
_TRAILING_BUDGET = re.compile(r"(\d{4}年)?(当年)?(预算安排|预算数)为?$")
_MEASURES = {"项目支出": r"(^|/)项目支出$", "基本支出": r"(^|/)基本支出(/小计|/合计)?$"}


def subject_of(claim: Claim) -> str:
    """What the claim is about: its subject, without a trailing 2026年预算数; a bare 预算安排 in a numbered item
    is about the item (3.公务用车购置和运行维护费。2026年预算数 4.20 万元)."""
    subject = normalise(claim.subject)
    if _RESTATED.match(subject) and claim.item:
        subject = normalise(re.split(r"[。，,]", claim.item)[0])
        subject = re.sub(r"[\d,.]+$", "", subject)
    stripped = _TRAILING_BUDGET.sub("", subject)
    return stripped if len(stripped) >= 2 else subject


def measure_of(claim: Claim, opener: Claim | None) -> str | None:
    """The measure column a listed amount belongs to: that of the amount whose list it is in (项目支出预算
    40233.95 万元，…其中：一般公共服务支出 3.00 万元 … 公共安全支出 40230.95 万元 -> 项目支出)."""
    if opener is None:
        return None
    named = [m for m in _MEASURES if re.search(m + r"(预算数?)?$", re.sub(r"\s+", "", opener.subject))]
    return _MEASURES[named[0]] if len(named) == 1 else None


def list_opener(claims: dict[int, Claim], c: Claim) -> Claim | None:
    """The amount, stated just before in the same section, whose sentence opens a list (其中/包括) that `c` is in."""
    for k in range(c.seq - 1, max(c.seq - 8, -1), -1):
        x = claims.get(k)
        if x is None or x.section != c.section:
            return None
        if x.kind == "amount" and x.period == "current":
            text = re.sub(r"\s+", "", x.sentence)
            at = text.find(re.sub(r"\s+", "", x.raw))
            if at >= 0 and re.search("其中|包括", text[at:]):
                return x
    return None


def resolve(claim: Claim, tables: Tables, opener: Claim | None = None) -> tuple[Figure | None, str | None]:
    """The table figure a claim of this year names, or (None, why not): not printed in the tables, or
    printed in two places that disagree. `opener` is the amount whose list the claim is in, if any."""
    if claim.kind != "amount" or claim.period != "current":
        return None, "not a figure of this year"
    under = heading_table_types(claim.section)
    subject = subject_of(claim)
    words = re.sub(r"\s+", "", claim.sentence)
    measure = measure_of(claim, opener) if not re.search("项目支出|基本支出", subject) else None
    scope = (["general_public_by_function"] if "一般公共预算" in words else
             ["fiscal_expenditure", "general_public_by_function"] if "财政拨款" in words else
             ["expenditure", "general_public_by_function"])
    code = claim.code if claim.item and claim.code and (
        claim.subject.endswith(")") or claim.subject.endswith("）") or "安排" in claim.subject
        or claim.item.startswith(re.sub(r"\s+", "", claim.subject)[:6])) else None
    code = code or _code_in(claim.subject) or tables.code_by_path(scope + under, _name_path(claim.subject))
    if code:
        got = tables.by_code(under + [t for t in scope if t not in under], code, measure)
        if got is not None:
            return Figure(got, _what(got), "code"), None
    named = tables.by_name(under, subject, measure) if under else None
    project = tables.by_name(["projects"], subject) if _ITEMISED.search(words) else None  # a list of projects
    if named is not None and project is not None and named.yuan != project.yuan:
        # a name printed both as a row of the heading's table and as a project: the reading that agrees
        # with the sentence, where one does; otherwise the claim is ambiguous
        factor = _factor(claim.unit)
        agreeing = [a for a in (named, project) if abs(a.yuan / factor - claim.value) <= last_digit_unit(claim.raw) / 2]
        if len(agreeing) != 1:
            return None, (f"ambiguous: {subject} is both {_what(named)} and {_what(project)}")
        chosen = agreeing[0]
        return Figure(chosen, _what(chosen), "project" if chosen is project else "heading",
                      f"{subject} read as {_what(chosen)}, not {_what(named if chosen is project else project)}"), None
    if named is not None:
        return Figure(named, _what(named), "heading"), None
    hit = tables.by_subject(subject, under)
    if hit is not None:
        return Figure(hit[1], _what(hit[1]), f"subject:{hit[0]}"), None
    if project is not None:
        return Figure(project, _what(project), "project"), None
    for candidate in (subject, re.sub(r"(预算数?|安排)$", "", subject)):
        got = tables.by_name(scope + ["general_public_basic_by_economic", "fiscal_basic_by_economic"], candidate,
                             measure)
        if got is not None and got.row_code and len(got.row_code) == 3:
            return Figure(got, _what(got), "name"), None
    if subject.endswith("项目") and len(subject) > 3:
        projects = [a for a in tables.of_types(["projects"]) if a.row_name and _TOTAL_COLUMN.search(a.column)]
        best = max(projects, key=lambda a: _similar(a.row_name or "", subject[:-2]), default=None)
        if best is not None and _similar(best.row_name or "", subject[:-2]) >= 0.85:
            return Figure(best, f"{best.table_no or 'projects'} {best.row_name} 合计", "project"), None
    return None, "not checkable: no table prints what the sentence states"


def _name_path(subject: str) -> list[str]:
    """社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位职业年金缴费支出（项） -> the three names."""
    s = re.sub(r"[“”\"\s]", "", subject)
    if not re.search(r"[（(][类款项][)）]", s):
        return []
    return [p for p in re.split(r"[（(][类款项][)）]", s) if p][:3]


def _code_in(subject: str) -> str | None:
    codes = re.findall(r"[（(](\d+)(类|款|项)[)）]", subject)
    if not codes:
        return None
    return "".join(c.zfill(2) if i else c for i, (c, _) in enumerate(codes))


def _similar(a: str, b: str) -> float:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b).ratio()


def read_claims(ev: Any) -> dict[int, Claim]:
    rows = ev.rows(f"SELECT {_CLAIM_COLUMNS}, x0, top, x1, bottom FROM extracted.claims WHERE report_id = ? "
                   "ORDER BY seq", [ev.report_id])
    return {r[0]: replace(Claim(*r[:-4]), box=tuple(r[-4:]) if r[-4] is not None else None) for r in rows}


def claim_source(c: Claim) -> Source:
    """The sentence that states a claim, where its page prints it."""
    return Source("claim", c.page, c.box, c.sentence)


def _with(inst: Any, *claims: Claim) -> Any:
    """The instance, recording the sentences of the claims it compared (each sentence once)."""
    seen: set[tuple[int, str]] = set()
    for c in claims:
        if (c.page, c.sentence) not in seen:
            seen.add((c.page, c.sentence))
            inst.compared.append(claim_source(c))
    return inst


def _prose_of(ev: Any) -> tuple[dict[int, Claim], Tables]:
    """The report's claims and its tables, read once per evaluation (every prose rule shares them)."""
    if getattr(ev, "_prose", None) is None:
        ev._prose = (read_claims(ev), Tables(ev))
    return ev._prose  # type: ignore[no-any-return]


def evaluate_claims(ev: Any, ident: Any) -> list[Any]:
    """Instances of the narrative identity for the report's stated figures."""
    claims, tables = _prose_of(ev)
    out = []
    resolved: dict[int, Figure] = {}

    def sentence(c: Claim) -> str:
        return f"sentence: {c.sentence[:200]}"

    for c in claims.values():
        if c.kind != "amount" or c.period != "current":
            continue
        fig, why = resolve(c, tables, list_opener(claims, c))
        if fig is None:
            inst = ev._inst(ident, f"prose p{c.page} “{c.subject} {c.raw}{c.unit}”: not checked against the tables",
                            c.value, None, 0, "narrative", None, c.page, c.unit, detail=sentence(c))
            inst.not_evaluated = why
            inst.compared = [claim_source(c)]
            out.append(inst)
            continue
        resolved[c.seq] = fig
        factor = _factor(c.unit)
        # a table figure in 元 stated in 万元 is often cut rather than rounded (268.776 -> 268.77): a gap within
        # one unit of the prose's last digit is a rounding gap, said as such; beyond it, a disagreement
        tol = max(last_digit_unit(c.raw), fig.amount.half_yuan / factor)
        table = fig.amount.yuan / factor
        gap = abs(c.value - table)
        note = "; not correctly rounded (cut): within one unit of the last printed digit" \
            if last_digit_unit(c.raw) / 2 < gap <= tol else ""
        inst = ev._inst(ident, f"prose p{c.page} “{c.subject} {c.raw}{c.unit}” = {fig.what}", c.value,
                        table, tol, "narrative", fig.amount.table_no, c.page, c.unit,
                        detail=f"{fig.how}{note}; {sentence(c)}")
        inst.reading = fig.reading
        inst.compared = [claim_source(c), Source.of("rhs", fig.amount)]
        out.append(inst)
    for c in claims.values():
        base = claims.get(c.base_seq) if c.base_seq is not None else None
        if base is None:
            continue
        tol = last_digit_unit(c.raw) / 2
        if c.kind == "change_pct":
            change = next((x for x in reversed(list(claims.values())) if x.base_seq == base.seq
                           and x.kind == "change" and x.sentence == c.sentence and x.seq < c.seq), None)
            earlier = next((x for x in claims.values() if x.kind == "amount" and x.period == "previous"
                            and x.item is not None and x.item == base.item and x.unit == base.unit
                            and x.seq < c.seq and x.seq > base.seq - 5), None)
            if change is not None:
                previous = base.value - change.value
                if previous:
                    out.append(_with(ev._inst(ident, f"prose p{c.page} “{base.subject}” change {c.raw}% = "
                                                     f"{change.raw} / ({base.raw} - ({plain(change.value)}))", c.value,
                                              change.value / previous * 100, tol, "narrative", None, c.page, "%",
                                              detail=sentence(c)), c, base))
            elif earlier is not None and earlier.value:
                current = _stated_budget(claims, base, c) or base
                out.append(_with(ev._inst(ident, f"prose p{c.page} “{base.subject}” change {c.raw}% = "
                                                 f"({current.raw} - {earlier.raw}) / {earlier.raw}", c.value,
                                          (current.value - earlier.value) / earlier.value * 100, tol, "narrative",
                                          None, c.page, "%", detail=sentence(c)), c, current, earlier))
        elif c.kind == "share_pct" and base.seq in resolved:
            fig = resolved[base.seq]
            total = tables.total_of(fig.amount)
            if total is None or not total.yuan or total == fig.amount:
                continue
            where = f"{total.table_no or total.table_type} 合计"
            # shares listed so that they sum to exactly 100% have had one of them adjusted by a unit of the last
            # digit (9.56% printed as 9.55% so that the list closes): one unit, not half, is the rounding here
            listed = [x.value for x in claims.values() if x.kind == "share_pct" and x.sentence == c.sentence]
            if len(listed) > 1 and sum(listed) == 100:
                tol = last_digit_unit(c.raw)
            share = ev._inst(ident, f"prose p{c.page} “{base.subject}” share {c.raw}% = table amount / {where}",
                             c.value, fig.amount.yuan / total.yuan * 100, tol, "narrative", total.table_no, c.page,
                             "%", detail=sentence(c))
            share.compared = [claim_source(c), Source.of("rhs", fig.amount), Source.of("rhs", total)]
            out.append(share)
            if base.value * _factor(base.unit) == fig.amount.yuan:
                continue  # the stated amount is the table's: the same division, one finding
            share = ev._inst(ident, f"prose p{c.page} “{base.subject}” share {c.raw}% = stated "
                                    f"{base.raw}{base.unit} / {where}", c.value,
                             base.value * _factor(base.unit) / total.yuan * 100, tol, "narrative", total.table_no,
                             c.page, "%", detail=sentence(c))
            share.compared = [claim_source(c), Source.of("rhs", total)]
            out.append(share)
    out += _stated_budgets(ev, ident, claims)
    ordered = sorted(claims.values(), key=lambda x: x.seq)
    # a total and its parts found by two readings of the list (政府采购 = 货物 + 工程 + 服务, and 其中：…) is one sum
    sums = _listed_parts(ev, ident, ordered) + _enumerated_parts(ev, ident, ordered, tables) \
        + _inline_parts(ev, ident, ordered)
    out += [inst for k, inst in enumerate(sums) if all(inst.instance != x.instance for x in sums[:k])]
    return out


def _stated_budget(claims: dict[int, Claim], headline: Claim, upto: Claim) -> Claim | None:
    """The 预算安排 an item states after its headline (2026年预算安排 201.50 万元), before `upto`."""
    return next((x for x in claims.values() if x.item == headline.item and headline.seq < x.seq < upto.seq
                 and x.kind == "amount" and x.period == "current" and x.unit == headline.unit
                 and _RESTATED.match(normalise(x.subject))), None)


def _stated_budgets(ev: Any, ident: Any, claims: dict[int, Claim]) -> list[Any]:
    """An item's headline amount = the 预算安排 the same item states (住房公积金 208.8 万元 … 预算安排 201.50 万元)."""
    out = []
    headlines = {}
    for c in claims.values():
        if c.item and c.kind == "amount" and c.period == "current" and c.item not in headlines:
            headlines[c.item] = c
    for c in claims.values():
        head = headlines.get(c.item) if c.item else None
        if head is None or c.seq == head.seq or c.kind != "amount" or c.period != "current" or c.unit != head.unit:
            continue
        if not _RESTATED.match(normalise(c.subject)):
            continue
        tol = max(last_digit_unit(c.raw), last_digit_unit(head.raw)) / 2
        out.append(_with(ev._inst(ident, f"prose p{head.page} “{head.subject} {head.raw}{head.unit}” = "
                                         f"{c.subject} {c.raw}{c.unit}", head.value, c.value, tol, "narrative", None,
                                  head.page, head.unit, detail=f"sentence: {c.sentence[:200]}"), head, c))
    return out


def _listed_parts(ev: Any, ident: Any, ordered: list[Claim]) -> list[Any]:
    """政府采购 = 货物 + 工程 + 服务, and 政府购买服务 = its parts, as the prose lists them."""
    out = []
    for whole, parts in _PARTS:
        for i, c in enumerate(ordered):
            if c.kind != "amount" or whole not in c.subject or any(p in c.subject for p in parts[:1]):
                continue
            found = []
            for x in ordered[i + 1:i + 1 + 2 * len(parts)]:
                if x.kind == "amount" and any(x.subject.startswith(p) for p in parts):
                    found.append(x)
            if len(found) == len(parts) and all(f.unit == c.unit for f in found):
                out.append(_stated_sum(ev, ident, c, found))
            break
    return out


_INTRO = re.compile(r"其中|包括|分别为")


def _inline_parts(ev: Any, ident: Any, ordered: list[Claim]) -> list[Any]:
    """A stated amount and the amounts its sentence lists after 其中/包括 (预算 5,417.80 万元，包括在职人员经费
    2,830.73 万元、公用经费 502.22 万元 …): the parts sum to the whole. A sentence that lists without stating
    the whole (2.按支出用途分类，包括 …) lists the parts of the amount stated before its numbered list. Parts
    that fall short of the whole by more than 1% are a partial list (其中 names some items only): not a
    breakdown, not evaluated."""
    out = []
    by_sentence: dict[tuple[int, str], list[Claim]] = {}
    for c in ordered:
        by_sentence.setdefault((c.page, c.sentence), []).append(c)
    sentences = list(by_sentence.items())
    for k, ((_page, text), claims) in enumerate(sentences):
        squeezed = re.sub(r"\s+", "", text)
        intro = _INTRO.search(squeezed)
        if intro is None:
            continue
        amounts = [c for c in claims if c.kind == "amount" and c.period == "current"]
        positions = _positions(squeezed, claims)
        if any(c.seq not in positions for c in amounts):
            continue
        before = [c for c in amounts if positions[c.seq] < intro.start()]
        second = _INTRO.search(squeezed, intro.end())
        parts = [c for c in amounts if positions[c.seq] > intro.start()
                 and (second is None or positions[c.seq] < second.start())]
        whole = before[-1] if before else _opener(sentences, k)
        if whole is None or len(parts) < 2 or any(p.unit != whole.unit for p in parts):
            continue
        total = sum((p.value for p in parts), Decimal(0))
        inst = _stated_sum(ev, ident, whole, parts)
        if whole.value and total < whole.value and (whole.value - total) > whole.value / 100:
            inst.not_evaluated = "a partial list: the items listed cover less than the amount stated"
        out.append(inst)
    return out


def _positions(squeezed: str, claims: list[Claim]) -> dict[int, int]:
    """Where each claim's number is printed in its sentence (claims in printed order)."""
    out: dict[int, int] = {}
    at = 0
    for c in claims:
        number = re.escape(re.sub(r"\s+", "", c.raw))
        unit = "[%％]" if c.unit == "%" else re.escape(c.unit)
        m = re.compile(r"(?<![\d.,，])" + number + unit).search(squeezed, at)
        if m is not None:
            out[c.seq] = m.start()
            at = m.end()
    return out


def _opener(sentences: list[tuple[tuple[int, str], list[Claim]]], k: int) -> Claim | None:
    """The amount a numbered list's items break down: the last amount of the sentence before the list."""
    j = k
    while j > 0 and re.match(r"^\s*(\d+[.．、](?!\d)|[（(][\d一二三四五六七八九十]+[)）])", sentences[j][0][1]):
        j -= 1
    if j == k:
        return None
    amounts = [c for c in sentences[j][1] if c.kind == "amount" and c.period == "current"]
    return amounts[-1] if amounts else None


_CHAPTER = re.compile(r"(^|[^（(])[一二三四五六七八九十]+、")
_LIST_INTRO = re.compile(r"(包括|其中|如下|分别为|主要有)")
_ITEM = re.compile(r"([（(])?([一二三四五六七八九十]+|\d+)([)）]|[.．、])$")


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
    n = int(num) if num.isdigit() else cn_number(num)
    closing = "." if closing in ".．、" and num.isdigit() else closing  # 1． 2． 3、 are one numbering
    style = f"{opening or ''}{'1' if num.isdigit() else '一'}{closing}"
    return (style, n) if n else None


def _unlisted_codes(tables: Tables, parts: list[Claim]) -> list[str]:
    """For a list whose items name codes (（一）2060101-行政运行 693.69 万元 …), the codes of the same length the
    function tables print and the list leaves out: a list that names only some of them is not a breakdown."""
    codes = {p.code or _code_in(p.subject) or (m.group(1) if (m := re.match(r"(\d{3,7})", p.subject)) else None)
             for p in parts}
    if None in codes or not codes:
        return []
    lengths = {len(c) for c in codes if c}
    if len(lengths) != 1:
        return []
    printed = {a.row_code for a in tables.of_types(["general_public_by_function", "expenditure"])
               if a.row_code and len(a.row_code) in lengths}
    return sorted(printed - codes)


def _enumerated_parts(ev: Any, ident: Any, ordered: list[Claim], tables: Tables | None = None) -> list[Any]:
    """A stated amount that introduces a numbered list (人员经费 995.07 万元，包括：1.工资福利支出 844.85 万元 …
    2.对个人和家庭的补助 150.22 万元; or a sentence ending with the amount and the next opening with 其中：1.…)
    = the sum of the list's items, followed across its sentences while the numbering runs on (1. 2. 3. or
    （一）（二）) and before the next chapter (七、…)."""
    amounts = [c for c in ordered if c.kind == "amount" and c.period == "current"]
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
        if len(parts) < 2 or any(p.unit != whole.unit or abs(p.value) > abs(whole.value) for p in parts) \
                or (whole.value and sum(1 for p in parts if abs(p.value) == abs(whole.value)) > 1):
            continue  # items as large as the stated amount are not its breakdown (其中：（一）收入…（二）支出…)
        partial = _unlisted_codes(tables, parts) if tables is not None else []
        if partial:
            inst = ev._inst(ident, f"prose p{whole.page} “{whole.subject} {whole.raw}{whole.unit}” = "
                                   + " + ".join(f"{p.subject} {p.raw}" for p in parts),
                            whole.value, sum((p.value for p in parts), Decimal(0)), 0, "narrative", None,
                            whole.page, whole.unit, detail=f"sentence: {whole.sentence[:200]}")
            inst.not_evaluated = f"a partial list: the tables print {', '.join(partial[:5])} too, not listed"
            _with(inst, whole, *parts)
            out.append(inst)
            continue
        out.append(_stated_sum(ev, ident, whole, parts))
    return out


def _stated_sum(ev: Any, ident: Any, whole: Claim, parts: list[Claim]) -> Any:
    """The prose's own arithmetic: a total it states = the parts it lists, exactly. The writer chose both
    figures, so a gap is a disagreement the reader can see, even one within the rounding of the parts
    (which the detail says)."""
    total = sum((p.value for p in parts), Decimal(0))
    # a part stated as 0 (工程采购金额0万元: none bought) is no rounded figure
    rounding = sum((last_digit_unit(p.raw) for p in parts + [whole] if p.value), Decimal(0)) / 2
    within = (f"; compared exactly, as the prose states both its total and its parts: the gap is no larger than "
              f"the rounding of the figures printed (±{plain(rounding)}), which may explain it") \
        if total != whole.value and abs(total - whole.value) <= rounding else ""
    return _with(ev._inst(ident, f"prose p{whole.page} “{whole.subject} {whole.raw}{whole.unit}” = "
                                 + " + ".join(f"{p.subject} {p.raw}" for p in parts), whole.value, total, 0,
                          "narrative", None, whole.page, whole.unit,
                          detail=f"sentence: {whole.sentence[:200]}{within}"), whole, *parts)


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
    claims, tables = _prose_of(ev)
    out = []
    for change in claims.values():
        base = claims.get(change.base_seq) if change.base_seq is not None else None
        if change.kind != "change" or base is None or base.unit != change.unit:
            continue
        hit = tables.by_subject(normalise(base.subject), heading_table_types(base.section))
        if hit is None or hit[0] not in _PRIOR_ROWS:
            continue
        got = ev._select({"table": ["overall_performance"], "row": f"name:{_PRIOR_ROWS[hit[0]]}", "column": column})
        if got is None:
            continue
        factor = _factor(base.unit)
        previous = base.value - change.value
        tol = max(last_digit_unit(base.raw) / 2, last_digit_unit(change.raw) / 2, got.half / factor) * 2
        inst = _with(ev._inst(ident, f"prose p{base.page} “{base.subject}” last year {base.raw} "
                                     f"{'+' if change.value < 0 else '-'} {change.raw} = "
                                     f"{got.table_no or 'overall_performance'} {got.row_name} {got.column}", previous,
                              got.yuan / factor, tol, "narrative", got.table_no, base.page, base.unit,
                              detail=f"sentence: {base.sentence[:200]}"), base, change)
        inst.compared.append(Source.of("rhs", got))
        out.append(inst)
    return out
