"""Each finding as one sentence in Chinese that a reader of the report can check on its page: what the report
prints and where, what that figure should equal, and by how much the two differ.

The figures are written in the unit the report prints them in (元 or 万元, as the table says above it), with
thousands separators and at least two decimals (`64,840,547.00 元`, `6,484.05 万元`), exactly: `Decimal` only.
A check that compares two tables works in yuan; the sentence gives each side back its printed unit, read from
the figures it compared as printed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache, reduce

from yusuan.checks.instance import Instance
from yusuan.money import UNIT_FACTORS, parse_amount
from yusuan.vocabulary import vocabulary

# the families whose failures are about our own reading or stages, not about what the document prints
_NOT_OF_THE_DOCUMENT = frozenset({"readings", "stage_preservation"})
_PERCENT = "%"
_YUAN_SUFFIX = " (yuan)"
_MANY = 3  # terms named before "等 N 项"

_RELATION = re.compile(r" (=|≥) ")
_ROW_COLUMN = re.compile(r"^(?:row )?(?P<row>[^:]*): (?P<column>.+)$")
_SUM_OF = re.compile(r"^Σ (?P<n>\d+) (?P<what>children|rows under it|sub-items|items)(?: \((?P<read>\d+) read\))?$")
_TOP_LEVEL = re.compile(r"^Σ top-level codes \((?P<n>\d+)\)$")
_FORMS = re.compile(r"^Σ (?P<n>\d+) project forms' (?:funding|(?P<year>\S+) budgets)$")
_TABLES = re.compile(r"^Σ (?P<what>.+) tables$")
_PROSE = re.compile(r"^prose p(?P<page>\d+) (?P<claim>.+)$")
_ACROSS = re.compile(r"^.+? p(?P<page>\d+) (?P<said>“.+): (?P<year>\d{4}) = (?P<other>.+?\.pdf|\S+) (?P<where>.+) "
                     r"p(?P<other_page>\d+)$")
_NOT_PRINTED = " (not printed: 0)"
_WHOLE_MONEY = " (the fund's whole money)"
_TABLE_AMOUNT = "table amount / "
_STATED = re.compile(r"(?P<before>.*?) ?\b(?P<what>change|share|last year|completion) (?P<rest>.+)$")
_SUMS_UNITS = frozenset({"department_equals_sum_of_its_units"})  # its rows under a 部门 are its units
_TABLE_NOUN = vocabulary().term("table_noun")


def finding_sentence(inst: Instance) -> str | None:
    """The instance as one sentence in Chinese (see the module), or None where it states nothing about the
    document's figures: it passes, is waived or not evaluated, compares words rather than amounts, or is about
    our own reading of a table."""
    if inst.outcome not in ("fail", "rounding") or inst.family in _NOT_OF_THE_DOCUMENT:
        return None
    if inst.lhs is None or inst.rhs is None:
        return None
    label = inst.instance.removesuffix(_YUAN_SUFFIX)
    lhs_unit, rhs_unit = _printed_unit(inst, "lhs", inst.lhs), _printed_unit(inst, "rhs", inst.rhs)
    lhs, rhs = _in_unit(inst.lhs, inst.unit, lhs_unit), _in_unit(inst.rhs, inst.unit, rhs_unit)
    said = _said(inst, label, amount_text(lhs, lhs_unit), amount_text(rhs, rhs_unit))
    if said is None:
        return None
    return f"{said}，{_gap(inst, lhs_unit)}。"


def amount_text(value: Decimal, unit: str | None) -> str:
    """A figure as the sentence writes it: `64,840,547.00 元`, `6,484.05 万元`, `-31.2%` (never an exponent)."""
    if unit == _PERCENT:
        return f"{_grouped(value, 0)}%"
    return f"{_grouped(value, 2)} {unit}" if unit else _grouped(value, 0)


def _grouped(value: Decimal, places: int) -> str:
    """`value` with thousands separators and at least `places` decimals (more where the figure has more)."""
    exponent = value.normalize().as_tuple().exponent
    shown = max(places, -exponent if isinstance(exponent, int) and exponent < 0 else 0)
    return format(value.quantize(Decimal(1).scaleb(-shown)), ",f")


def _printed_unit(inst: Instance, role: str, value: Decimal) -> str | None:
    """The unit one side is printed in: the unit in which its compared figures, as printed, add up to the side
    (a check across tables states both sides in yuan); the instance's unit where that cannot be told."""
    unit = inst.unit
    if unit not in UNIT_FACTORS:
        return unit
    amounts = [parse_amount(s.printed).amount for s in inst.compared if s.role == role and s.printed]
    if not amounts or any(a is None for a in amounts):
        return unit
    printed = sum((a for a in amounts if a is not None), Decimal(0))
    in_yuan = value * UNIT_FACTORS[unit]
    candidates = [unit, *sorted(u for u in UNIT_FACTORS if u != unit)]
    return next((u for u in candidates if printed * UNIT_FACTORS[u] == in_yuan), unit)


def _in_unit(value: Decimal, unit: str | None, shown: str | None) -> Decimal:
    """`value`, stated in `unit`, as a figure in `shown` (exact: the factors are powers of ten)."""
    if unit == shown or unit not in UNIT_FACTORS or shown not in UNIT_FACTORS:
        return value
    return value * UNIT_FACTORS[unit] / UNIT_FACTORS[shown]


def _gap(inst: Instance, unit: str | None) -> str:
    """By how much the sides differ, in the unit of the printed side, and what the gap is."""
    assert inst.lhs is not None and inst.rhs is not None
    size = amount_text(abs(_in_unit(inst.lhs - inst.rhs, inst.unit, unit)), unit)
    if unit == _PERCENT:
        size = f"{size.removesuffix(_PERCENT)} 个百分点"
    if inst.outcome == "rounding":
        return f"相差 {size}，在印刷数字的舍入误差之内"
    if inst.relation == "covers":
        return f"少 {size}（前者应不小于后者）"
    return f"相差 {size}"


def _said(inst: Instance, label: str, lhs: str, rhs: str) -> str | None:
    """What is printed where, and what it is compared with: the sentence before its gap."""
    across = _ACROSS.match(label)
    if across:
        where = _chinese(across["where"])
        return (f"第{across['page']}页正文写{_stated(across['said'])}，即 {across['year']}年为 {lhs}；"
                f"{across['other']} 第{across['other_page']}页 {where} 印 {rhs}")
    split = _RELATION.split(label, maxsplit=1)
    if len(split) != 3:
        return None
    left, _, right = split
    prose = _PROSE.match(left)
    if prose:
        claim = _stated(prose["claim"])
        shown = lhs.replace(" ", "") in claim.replace(" ", "") or (inst.unit != _PERCENT and _printed_in(claim))
        stated = "" if shown else f"，即 {lhs}"
        return f"第{prose['page']}页正文写{claim}{stated}；{_other_side(inst, right, rhs)}"
    where = _where(inst)
    if _NOT_PRINTED in left:
        return f"{where}未印 {_row(inst, left.replace(_NOT_PRINTED, ''))}（按 0 计）；{_other_side(inst, right, rhs)}"
    return f"{where}印 {_row(inst, left)} {lhs}；{_other_side(inst, right, rhs)}"


def _printed_in(claim: str) -> bool:
    """True when the quoted claim ends in its figure and unit (`“综合管理 2,749.53万元”`), so the sentence need not
    repeat it."""
    return bool(re.search(r"\d\D{0,3}$", claim))


def _where(inst: Instance) -> str:
    """`表3（第12页）`: the table as it numbers itself (else its kind), and the page."""
    table = inst.table_no
    if table and _TABLE_NOUN not in table:
        table = f"{_TABLE_NOUN}{table}"
    if not table and inst.table_type:
        table = _table_names().get(inst.table_type, inst.table_type)
    page = f"第{inst.page}页" if inst.page else ""
    if table and page:
        return f"{table}（{page}）"
    return table or page


def _row(inst: Instance, left: str) -> str:
    """The printed side's row and column, without the table named already (`20406 司法 项目支出`)."""
    for prefix in (inst.table_no, inst.table_type):
        if prefix and left.startswith(prefix + " "):
            left = left[len(prefix) + 1:]
            break
    m = _ROW_COLUMN.match(left)
    if m:
        row = m["row"].strip()
        left = m["column"] if row == m["column"] else f"{row} {m['column']}".strip()
    terms = [t.strip() for t in left.split(" + ")]
    if len(terms) > 1:
        return f"{_listed(terms)}合计"
    return _term(left)


def _other_side(inst: Instance, right: str, rhs: str) -> str:
    """What the printed figure is compared with, and its value: a sum computed from the figures under it, or
    another figure printed elsewhere."""
    right = right.strip()
    m = _SUM_OF.match(right)
    if m:
        read = f"（读到其中 {m['read']} 项）" if m["read"] else ""
        return f"其下 {m['n']} {'个单位' if inst.identity in _SUMS_UNITS else '项'}{read}合计 {rhs}"
    m = _TOP_LEVEL.match(right)
    if m:
        return f"各类级科目（{m['n']} 个）合计 {rhs}"
    m = _FORMS.match(right)
    if m:
        return f"{m['n']} 张项目支出绩效目标表所列{m['year'] + '年预算' if m['year'] else '资金'}合计 {rhs}"
    m = _TABLES.match(right)
    if m:
        return f"{_listed(_chinese(m['what']).split('/'))}各表合计 {rhs}"
    if right.startswith(_TABLE_AMOUNT):
        return f"按 表中金额 / {_chinese(right.removeprefix(_TABLE_AMOUNT))} 算得 {rhs}"
    if " / " in right or right.startswith("("):
        return f"按 {_chinese(right.replace('stated ', ''))} 算得 {rhs}"
    terms = [t.strip() for t in right.split(" + ")]
    if len(terms) > 1:
        return f"{_listed([_term(t) for t in terms])}之和为 {rhs}"
    return f"{_term(right)} 为 {rhs}"


def _listed(terms: list[str]) -> str:
    """`A、B、C` (the first few and how many where the list is long)."""
    if len(terms) > _MANY + 1:
        return f"{_listed(terms[:_MANY])} 等 {len(terms)} 项"
    return reduce(lambda joined, term: f"{joined}、{term}", terms)


def _term(text: str) -> str:
    """A figure named in an instance's text, in the words of the reports."""
    if text.endswith(_NOT_PRINTED):
        return f"{_chinese(text.removesuffix(_NOT_PRINTED))}（未印，按 0 计）"
    if text.endswith(_WHOLE_MONEY):
        return f"{_chinese(text.removesuffix(_WHOLE_MONEY))}（该项资金全部）"
    return _chinese(text)


def _stated(claim: str) -> str:
    """A claim of the prose as an instance quotes it, its English word in Chinese (`“公务用车运行维护费” change 31.2%`
    -> `“公务用车运行维护费”变动 31.2%`)."""
    m = _STATED.fullmatch(claim)
    if m is None:
        return claim
    w = m["what"]
    return f"{m['before']}{'变动' if w == 'change' else '占比' if w == 'share' else '上年' if w == 'last year' else '完成率'} " \
           f"{m['rest']}"


def _chinese(text: str) -> str:
    """Table kinds written as their Chinese names (`general_public_basic_by_economic` -> 一般公共预算基本支出表)."""
    names = _table_names()
    return re.sub(r"(?<![A-Za-z_])[a-z][a-z_]+(?![A-Za-z_])", lambda m: names.get(m[0], m[0]), text)


@cache
def _table_names() -> dict[str, str]:
    return {t.name: t.chinese for t in vocabulary().table_types}
