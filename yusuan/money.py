"""Exact parsing of the numbers printed in budget tables.

Amounts are `Decimal`, never floats. A cell that does not parse gives `None` and a reason;
a blank cell gives `None` and no reason (blank is not zero).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from yusuan.vocabulary import vocabulary

_WS = re.compile(r"[\s\u3000]+")
# a gap printed on one line between two pieces of a cell (a line wrap is a newline, and joins)
_GAP = re.compile(r"(?P<before>\S)[^\S\n]+(?P<after>\S)")
# 1,272.07  1272.07  -3.5  (12.00)  and full-width digits, commas, points and brackets, folded to these (NFKC)
# (a comma groups the three digits after it: 1,272.07, and 19349,057 where only the last group is marked)
_AMOUNT = re.compile(r"^(?P<neg>[-\u2212])?(?P<int>\d+(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?$")
_PAREN_NEG = re.compile(r"^\((?P<body>.+)\)$")
# what the warehouse keeps of an amount (budget.line_items.amount DECIMAL(24, 6), and amount_yuan DECIMAL(30, 6)
# for an amount in 亿元): a figure with more is refused with its text, never rounded
MAX_DECIMALS = 6
MAX_INTEGER_DIGITS = 16
# dashes printed for "nothing" in some templates
_DASHES = {"-", "\u2014", "\u2013", "\u2014\u2014", "--", "/"}

# the money units a document prints, and their value in yuan (vocabulary.yaml: units)
UNIT_FACTORS: dict[str, Decimal] = dict(vocabulary().units)
YUAN = next(unit for unit, factor in UNIT_FACTORS.items() if factor == 1)  # 元
WAN_YUAN = next(unit for unit, factor in UNIT_FACTORS.items() if factor == 10000)  # 万元


@dataclass(frozen=True)
class Parsed:
    """The value of one printed cell: `amount` is None when blank or unparseable."""

    amount: Decimal | None
    reason: str | None = None  # why a non-blank cell gave no amount

    @property
    def blank(self) -> bool:
        return self.amount is None and self.reason is None


def squeeze(text: str | None) -> str:
    """Remove every whitespace character (line wraps, layout spaces, ideographic spaces)."""
    return _WS.sub("", text or "")


def parse_amount(text: str | None) -> Parsed:
    """Parse a printed amount exactly.

    Handles thousands separators, numbers wrapped over several lines (`1,272.0\\n7`),
    full-width digits, leading minus signs and bracketed negatives. A dash alone means
    "nothing printed" and is blank. Anything else gives `Parsed(None, reason)`.
    """
    printed = squeeze(text)
    s = unicodedata.normalize("NFKC", printed)
    if not s or s in _DASHES:
        return Parsed(None)
    two = _two_figures(text or "")
    if two:
        return Parsed(None, f"two figures in one cell: {two!r}")
    neg = False
    m_paren = _PAREN_NEG.match(s)
    if m_paren:
        neg, s = True, m_paren.group("body")
    m = _AMOUNT.match(s)
    if m and m_paren and m.group("neg"):  # (-5.00): a sign inside brackets says two things
        return Parsed(None, f"a sign inside brackets: {printed[:40]!r}")
    if not m:
        return Parsed(None, f"not a number: {printed[:40]!r}")
    digits = m.group("int").replace(",", "")
    frac = m.group("frac")
    if len(frac or "") > MAX_DECIMALS:
        return Parsed(None, f"more than {MAX_DECIMALS} decimals: {printed[:40]!r}")
    if len(digits.lstrip("0")) > MAX_INTEGER_DIGITS:
        return Parsed(None, f"more than {MAX_INTEGER_DIGITS} digits before the point: {printed[:40]!r}")
    try:
        value = Decimal(digits + ("." + frac if frac is not None else ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        return Parsed(None, f"not a number: {printed[:40]!r}")
    if m.group("neg"):
        neg = not neg
    return Parsed(-value if neg else value)


def _two_figures(text: str) -> str | None:
    """The cell's text when a gap on one line separates two whole figures (`100 200`); a gap before a point or a
    comma (`25180591 .33`, the producer's spacing inside one figure) and a line wrap (`1,272.0\\n7`) join."""
    folded = unicodedata.normalize("NFKC", text)
    for m in _GAP.finditer(folded):
        if m.group("before")[-1].isdigit() and (m.group("after")[0].isdigit() or m.group("after")[0] in "-("):
            return " ".join(folded.split())[:40]
    return None


_NOT_A_NUMBER = "not a number: "


def is_figure(text: str | None) -> bool:
    """True when the cell prints a figure, whether or not its text fits an amount: what the layout of a table is
    read by (a header row has no figure; a data row has), so a refused figure (`107.0000005`, `100 200`) still
    marks its row and column as figures."""
    parsed = parse_amount(text)
    return parsed.amount is not None or (parsed.reason is not None and not parsed.reason.startswith(_NOT_A_NUMBER))


def to_yuan(amount: Decimal | None, unit: str | None) -> Decimal | None:
    """Convert an amount printed in `unit` (元, 千元, 万元, 亿元) to yuan, exactly."""
    if amount is None or unit is None or unit not in UNIT_FACTORS:
        return None
    return amount * UNIT_FACTORS[unit]


def plain(value: Decimal | None) -> str:
    """A decimal as a reader writes it: no padding zeros, no exponent (`64840547.000000` -> `64840547`)."""
    if value is None:
        return ""
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f").rstrip("0")
    return text.rstrip(".")


def last_digit_unit(text: str | None) -> Decimal:
    """The value of one unit of the last printed digit: `1,272.07` -> 0.01, `82` -> 1."""
    s = squeeze(text)
    if "." in s:
        return Decimal(1).scaleb(-len(s.rsplit(".", 1)[1]))
    return Decimal(1)
