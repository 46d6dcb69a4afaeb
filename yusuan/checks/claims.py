"""What a claim of the prose (情况说明) names among a report's tables: the part of the prose checks that the
checks of one report (yusuan.checks.rules.prose) and across reports (yusuan.checks.rules.across) share.

A claim (yusuan.narrative.Claim) states a figure of a subject. `resolve` finds the table figure that subject
names, where the report prints it:
- by the item's classification code (（204类）…（06款）…（01项）, or a code the item names), in the tables the
  headings in force name (四、关于财政拨款收支总表的说明 -> fiscal_summary) and then the function tables;
- by the subject's name, as a row of the tables under the heading, or as a project of a numbered list;
- by the subjects of the vocabulary (prose_subjects: 基本支出, 人员经费, “三公”经费 …);
- by a 类 of the function and economic tables of that name, or a project whose name is close enough.
A subject the tables do not print is not checkable, and says why (`resolve` returns None and the reason).

`Tables` holds the amounts of one report (yusuan.view.Report.amounts) and answers the look-ups; it reads the
report given, so a rule that sees a scoped report (Report.scoped) looks in those tables only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher

from yusuan.checks.instance import Instance, Source
from yusuan.money import UNIT_FACTORS, last_digit_unit
from yusuan.narrative import Claim
from yusuan.recognise import read_title, table_type
from yusuan.view import Amount, Report
from yusuan.vocabulary import vocabulary

_VOC = vocabulary()
# a row's side's total column (合计, 金额 …), the one a figure of a row is read in
TOTAL_COLUMN = _VOC.word("side_total_column")
# a subject that restates the item's budget (2026年预算安排为 201.50 万元)
RESTATED = _VOC.word("restated_budget")
# a numbered item of a list (（一）, 1.), but not a decimal number (1.5)
ITEMISED = _VOC.word("numbered_item_marker")

# what a name carries besides its words: a list marker, its （类）/（款）/（项）, quotes and spaces
_NORMALISE = re.compile("|".join(_VOC.word(w).pattern for w in (
    "leading_list_marker", "classification_level_note", "quotes_and_spaces")))
_QUOTES_AND_SPACES = _VOC.word("quotes_and_spaces")
_LEVEL_MARK = _VOC.word("classification_level_mark")  # （类）（款）（项）
_LEVEL_CODE = _VOC.word("classification_level_code")  # （204类）
_HEADING_MARK = _VOC.word("heading_marker")
_TRAILING_BUDGET = _VOC.word("trailing_budget_words")
# what a heading adds to the name of the table it is about (关于…的说明, （详见附表1）)
_SEE_TABLE = _VOC.word("see_table_note")
_ABOUT = _VOC.word("about_prefix")
_EXPLANATION = _VOC.word("explanation_suffix")
_TABLE_NOUN = _VOC.term("table_noun")  # 表, which a heading naming a table may leave out
_CLAUSE_BREAK = _VOC.word("clause_break")
_PARTS_FOLLOW = _VOC.word("parts_follow")  # 其中, 包括
# the measures a list of amounts can break down: the words naming it (项目支出预算), and its column's header role
_MEASURES = ((_VOC.word("project_expenditure"), "project"), (_VOC.word("basic_expenditure"), "basic"))
_BUDGET_FIGURE = _VOC.word("budget_figure_suffix")  # 项目支出预算数
_CLOSING_BRACKET = _VOC.word("closing_bracket_at_end")
_ARRANGEMENT = _VOC.word("arrangement")  # 预算安排
_BUDGET_OR_ARRANGEMENT = _VOC.word("budget_or_arrangement_suffix")
_PROJECT_SUFFIX = _VOC.word("project_suffix")  # …项目
_GENERAL_PUBLIC_FUND = _VOC.facets["scope"]["general_public"]  # 一般公共预算
_FISCAL_FUND = _VOC.facets["scope"]["fiscal"]  # 财政拨款
# the tables a claim's code or name is looked up in, by the fund its sentence names
_GENERAL_PUBLIC = ["general_public_by_function"]
_FISCAL = ["fiscal_expenditure", "general_public_by_function"]
_ALL_FUNDS = ["expenditure", "general_public_by_function"]
_ECONOMIC = ["general_public_basic_by_economic", "fiscal_basic_by_economic"]
NOT_PRINTED = "not checkable: no table prints what the sentence states"


@dataclass(frozen=True)
class Figure:
    """The table figure a claim names, and how it was found."""

    amount: Amount
    what: str  # 表3 合计 基本支出
    how: str  # heading | code | name | project | subject:<metric>
    reading: str | None = None  # where the subject names two figures: which one was read


def unit_factor(unit: str) -> Decimal:
    """Yuan per unit of a claim's unit (万元 -> 10000); 1 for a unit that is no money (%)."""
    return UNIT_FACTORS.get(unit, Decimal(1))


def normalise(name: str | None) -> str:
    """A row's or a subject's name without its list marker, its （类）/（款）/（项） and quotes."""
    return _NORMALISE.sub("", name or "")


def figure_name(a: Amount) -> str:
    """A table figure as the instances name it: 表3 2010101 合计 (table, row code or name, column)."""
    return f"{a.table_no or a.table_type} {a.row_code or a.row_name or ''} {a.column}".replace("  ", " ")


def heading_table_types(section: str | None) -> list[str]:
    """The table types the headings in force name, innermost first (四、关于财政拨款收支总表的说明 ->
    fiscal_summary; 三、支出预算安排情况 -> expenditure)."""
    out: list[str] = []
    for heading in reversed((section or "").split(" / ")):
        core = _HEADING_MARK.sub("", heading)
        core = _ABOUT.sub("", _SEE_TABLE.sub("", core))
        core = _EXPLANATION.sub("", core)
        reading = read_title(core if core.endswith(_TABLE_NOUN) else core + _TABLE_NOUN)
        ttype = table_type(reading)
        if ttype is not None and ttype.name not in out:
            out.append(ttype.name)
    return out


def total_column(cells: Sequence[Amount], measure: str | None = None) -> Amount | None:
    """Of one row's amounts, the one of its side's total column (合计, 金额 …), or its only amount; with a
    measure (a regex of a column: 项目支出), the first of that column."""
    if measure is not None:
        return next((a for a in cells if re.search(measure, a.column)), None)
    totals = [a for a in cells if TOTAL_COLUMN.search(a.column)]
    if totals:
        return totals[0]
    return cells[0] if len(cells) == 1 else None


class Tables:
    """The amounts of one report's tables, and what a claim's subject names among them."""

    def __init__(self, report: Report) -> None:
        self.amounts: list[Amount] = report.amounts  # by table, row and column as printed
        self._first: dict[str, list[Amount]] = {}

    def of_type(self, ttype: str) -> list[Amount]:
        """The amounts of the first table of the type that prints any amount, in printed order."""
        if ttype not in self._first:
            seqs = sorted({a.table_seq for a in self.amounts if a.table_type == ttype})
            self._first[ttype] = [a for a in self.amounts if a.table_seq == seqs[0]] if seqs else []
        return self._first[ttype]

    def of_types(self, types: Sequence[str]) -> list[Amount]:
        """The amounts of the first table of each given type, in the order of `types`."""
        return [a for t in types for a in self.of_type(t)]

    def by_code(self, types: Sequence[str], code: str, measure: str | None = None) -> Amount | None:
        """The figure of the row of `code` in the first of `types` that prints it, in its total column (or the
        measure's column)."""
        for t in types:
            cells = [a for a in self.of_type(t) if a.row_code == code]
            got = total_column(cells, measure) if cells else None
            if got is not None:
                return got
        return None

    def by_name(self, types: Sequence[str], name: str, measure: str | None = None) -> Amount | None:
        """The amount of the row named `name` (names compared without markers), in the row's own side."""
        if len(name) < 2:
            return None
        for t in types:
            rows: dict[tuple[int, int, str], list[Amount]] = {}
            for a in self.of_type(t):
                if a.row_name and normalise(a.row_name.rsplit("/", 1)[-1]) == name:
                    side = a.column.split("/", 1)[0]
                    rows.setdefault((a.table_seq, a.row_seq, side), []).append(a)
            for cells in rows.values():
                got = total_column(cells, measure)
                if got is not None:
                    return got
        return None

    def code_by_path(self, types: Sequence[str], names: Sequence[str]) -> str | None:
        """The code of the row named by a path of names (类, 款, 项), each name the row of the code's parent;
        None unless exactly one code answers."""
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
        """The total row of the amount's table, in the total column of the amount's side (a side's 总计, printed
        last, before its 合计)."""
        side = a.column.split("/", 1)[0] if "/" in a.column else None
        rows: dict[int, list[Amount]] = {}
        for x in self.amounts:
            if x.table_seq == a.table_seq and x.row_kind == "total" and x.row_code is None \
                    and (side is None or x.column.startswith(side)):
                rows.setdefault(x.row_seq, []).append(x)
        for seq in sorted(rows, key=lambda s: -s if side else s):
            got = total_column(rows[seq])
            if got is not None:
                return got
        return None

    def by_subject(self, subject: str, prefer: Sequence[str]) -> tuple[str, Amount] | None:
        """The figure a subject of the vocabulary names (基本支出, “三公”经费 …), with its metric: the first
        subject of the vocabulary that matches and whose tables print it, the tables under the heading first."""
        for ps in vocabulary().prose_subjects:
            if not ps.subject.search(subject):
                continue
            types = [t for t in prefer if t in ps.tables] + [t for t in ps.tables if t not in prefer]
            for t in types:
                cells = [a for a in self.of_type(t) if re.search(ps.column, a.column)]
                if ps.row == "total":
                    cells = [a for a in cells if a.row_kind == "total" and a.row_code is None]
                elif ps.row.startswith("name:"):
                    cells = [a for a in cells if re.search(ps.row[5:], a.row_name or "")]
                if cells:
                    return ps.metric, cells[0]
        return None


# ---- a claim -------------------------------------------------------------------------------------


def subject_of(claim: Claim) -> str:
    """What the claim is about: its subject, without a trailing 2026年预算数; a bare 预算安排 in a numbered item
    is about the item (3.公务用车购置和运行维护费。2026年预算数 4.20 万元)."""
    subject = normalise(claim.subject)
    if RESTATED.match(subject) and claim.item:
        subject = normalise(_CLAUSE_BREAK.split(claim.item)[0])
        subject = re.sub(r"[\d,.]+$", "", subject)
    stripped = _TRAILING_BUDGET.sub("", subject)
    return stripped if len(stripped) >= 2 else subject


def measure_of(claim: Claim, opener: Claim | None) -> str | None:
    """The measure column a listed amount belongs to: that of the amount whose list it is in (项目支出预算
    40233.95 万元，…其中：一般公共服务支出 3.00 万元 … 公共安全支出 40230.95 万元 -> 项目支出)."""
    if opener is None:
        return None
    subject = re.sub(r"\s+", "", opener.subject)
    named = [role for words, role in _MEASURES if re.search(words.pattern + _BUDGET_FIGURE.pattern, subject)]
    return _VOC.header_roles[named[0]].pattern if len(named) == 1 else None


def list_opener(claims: dict[int, Claim], c: Claim) -> Claim | None:
    """The amount, stated just before in the same section, whose sentence opens a list (其中/包括) that `c` is in.
    `claims`: the report's claims by seq."""
    for k in range(c.seq - 1, max(c.seq - 8, -1), -1):
        x = claims.get(k)
        if x is None or x.section != c.section:
            return None
        if x.kind == "amount" and x.period == "current":
            text = re.sub(r"\s+", "", x.sentence)
            at = text.find(re.sub(r"\s+", "", x.raw))
            if at >= 0 and _PARTS_FOLLOW.search(text[at:]):
                return x
    return None


def code_in(subject: str) -> str | None:
    """The code a subject prints as its parts (（204类）（06款）（01项） -> 2040601), or None."""
    codes = _LEVEL_CODE.findall(subject)
    if not codes:
        return None
    return "".join(c.zfill(2) if i else c for i, (c, _) in enumerate(codes))


def name_path(subject: str) -> list[str]:
    """社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位职业年金缴费支出（项） -> the three names
    ([] for a subject that names no 类/款/项)."""
    s = _QUOTES_AND_SPACES.sub("", subject)
    if not _LEVEL_MARK.search(s):
        return []
    return [p for p in _LEVEL_MARK.split(s) if p][:3]


def similarity(a: str, b: str) -> float:
    """How alike two names are, 0 to 1 (difflib's ratio)."""
    return SequenceMatcher(None, a, b).ratio()


def claim_source(c: Claim) -> Source:
    """The sentence that states a claim, where its page prints it."""
    return Source("claim", c.page, c.box, c.sentence)


def with_claims(inst: Instance, *claims: Claim) -> Instance:
    """The instance, recording the sentences of the claims it compared (each sentence once)."""
    seen: set[tuple[int, str]] = set()
    for c in claims:
        if (c.page, c.sentence) not in seen:
            seen.add((c.page, c.sentence))
            inst.compared.append(claim_source(c))
    return inst


# ---- the figure a claim names -------------------------------------------------------------------


def resolve(claim: Claim, tables: Tables, opener: Claim | None = None) -> tuple[Figure | None, str | None]:
    """The table figure a claim of this year names, or (None, why not): not printed in the tables, or
    printed in two places that disagree. `opener` is the amount whose list the claim is in, if any."""
    if claim.kind != "amount" or claim.period != "current":
        return None, "not a figure of this year"
    under = heading_table_types(claim.section)
    subject = subject_of(claim)
    words = re.sub(r"\s+", "", claim.sentence)
    measure = measure_of(claim, opener) if not any(named.search(subject) for named, _ in _MEASURES) else None
    scope = _scope(words)
    code = _code_of(claim, tables, scope + under)
    if code:
        got = tables.by_code(under + [t for t in scope if t not in under], code, measure)
        if got is not None:
            return Figure(got, figure_name(got), "code"), None
    return _by_words(claim, tables, subject, words, under, scope, measure)


def _scope(words: str) -> list[str]:
    """The tables of the fund a sentence names (一般公共预算, 财政拨款, else every fund)."""
    if _GENERAL_PUBLIC_FUND.search(words):
        return list(_GENERAL_PUBLIC)
    return list(_FISCAL) if _FISCAL_FUND.search(words) else list(_ALL_FUNDS)


def _code_of(claim: Claim, tables: Tables, types: list[str]) -> str | None:
    """The code a claim names: its item's code (where the subject is the item's), the code its subject prints,
    or the code of the path of names its subject prints."""
    subject = claim.subject
    code = claim.code if claim.item and claim.code and (
        _CLOSING_BRACKET.search(subject) or _ARRANGEMENT.search(subject)
        or claim.item.startswith(re.sub(r"\s+", "", subject)[:6])) else None
    return code or code_in(subject) or tables.code_by_path(types, name_path(subject))


def _by_words(claim: Claim, tables: Tables, subject: str, words: str, under: list[str], scope: list[str],
              measure: str | None) -> tuple[Figure | None, str | None]:
    """The figure a claim's subject names by its words: a row under the heading, a project of a numbered list,
    a subject of the vocabulary, a 类 of that name, a project of a close name."""
    named = tables.by_name(under, subject, measure) if under else None
    project = tables.by_name(["projects"], subject) if ITEMISED.search(words) else None  # a list of projects
    if named is not None and project is not None and named.yuan != project.yuan:
        return _one_of(claim, subject, named, project)
    if named is not None:
        return Figure(named, figure_name(named), "heading"), None
    hit = tables.by_subject(subject, under)
    if hit is not None:
        return Figure(hit[1], figure_name(hit[1]), f"subject:{hit[0]}"), None
    if project is not None:
        return Figure(project, figure_name(project), "project"), None
    found = _by_class_name(tables, subject, scope, measure) or _by_project_name(tables, subject)
    return (found, None) if found is not None else (None, NOT_PRINTED)


def _one_of(claim: Claim, subject: str, named: Amount, project: Amount) -> tuple[Figure | None, str | None]:
    """A name printed both as a row of the heading's table and as a project: the reading that agrees with the
    sentence, where one does; otherwise the claim is ambiguous."""
    factor = unit_factor(claim.unit)
    agreeing = [a for a in (named, project)
                if abs(a.yuan / factor - claim.value) <= last_digit_unit(claim.raw) / 2]  # type: ignore[operator]
    if len(agreeing) != 1:
        return None, f"ambiguous: {subject} is both {figure_name(named)} and {figure_name(project)}"
    chosen = agreeing[0]
    other = named if chosen is project else project
    return Figure(chosen, figure_name(chosen), "project" if chosen is project else "heading",
                  f"{subject} read as {figure_name(chosen)}, not {figure_name(other)}"), None


def _by_class_name(tables: Tables, subject: str, scope: list[str], measure: str | None) -> Figure | None:
    """A 类 (a three-digit code) of the function or economic tables named as the subject (without 预算/安排)."""
    for candidate in (subject, _BUDGET_OR_ARRANGEMENT.sub("", subject)):
        got = tables.by_name(scope + _ECONOMIC, candidate, measure)
        if got is not None and got.row_code and len(got.row_code) == 3:
            return Figure(got, figure_name(got), "name")
    return None


def _by_project_name(tables: Tables, subject: str) -> Figure | None:
    """A …项目 subject: the project of the project table whose name is closest, where it is close enough."""
    suffix = _PROJECT_SUFFIX.search(subject)
    if suffix is None or len(subject) <= 3:
        return None
    name = subject[:suffix.start()]
    projects = [a for a in tables.of_type("projects") if a.row_name and TOTAL_COLUMN.search(a.column)]
    best = max(projects, key=lambda a: similarity(a.row_name or "", name), default=None)
    if best is not None and similarity(best.row_name or "", name) >= 0.85:
        return Figure(best, f"{best.table_no or 'projects'} {best.row_name} 合计", "project")
    return None
