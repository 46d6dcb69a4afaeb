"""One evaluated instance of an identity: its two sides, its tolerance, and its one verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Source:
    """A printed figure or sentence that an instance compared, where the page prints it."""

    role: str  # lhs | rhs | claim (a sentence or line of the prose: one stating a figure, or the words checked)
    page: int | None
    box: tuple[float, float, float, float] | None  # x0, top, x1, bottom in PDF points
    printed: str | None = None  # the figure as printed, or the sentence
    report_id: str | None = None  # another report's figure (a check across reports); None: the instance's own

    @classmethod
    def of(cls, role: str, row: Any, report_id: str | None = None) -> Source:
        """From anything with page, x0, top, x1, bottom (a line item read by a rule) and raw_text."""
        box = (row.x0, row.top, row.x1, row.bottom) if getattr(row, "x0", None) is not None else None
        return cls(role, row.page, box, getattr(row, "raw_text", None), report_id)

    @classmethod
    def from_record(cls, role: str, rec: dict[str, Any]) -> Source:
        """From a struct of page, x0, top, x1, bottom, printed (as the SQL rules aggregate them)."""
        box = (rec["x0"], rec["top"], rec["x1"], rec["bottom"]) if rec.get("x0") is not None else None
        return cls(role, rec.get("page"), box, rec.get("printed"), rec.get("report_id"))


@dataclass
class Instance:
    """One evaluated instance of an identity."""

    identity: str
    family: str
    stage: str
    severity: str
    instance: str
    lhs: Decimal | None
    rhs: Decimal | None
    tolerance: Decimal
    table_type: str | None = None
    table_no: str | None = None
    page: int | None = None
    unit: str | None = None
    detail: str | None = None
    waived: str | None = None  # the waiver's reason
    agrees: bool | None = None  # for comparisons of text (names), which have no amounts
    relation: str = "equals"  # equals: lhs = rhs; covers: lhs >= rhs (a whole and one of its parts)
    not_evaluated: str | None = None  # why the inputs are too doubtful to judge the document by them
    reading: str | None = None  # the reading of the table used, where the printed structure allows two
    compared: list[Source] = field(default_factory=list)  # the figures and sentences compared, on their pages
    column: str | None = None  # the column an instance reads down (a failure repeated down it is a pattern)

    @property
    def difference(self) -> Decimal | None:
        if self.lhs is None or self.rhs is None:
            return None
        return self.lhs - self.rhs

    @property
    def outcome(self) -> str:
        """pass (equal) | rounding (within tolerance) | fail | waived | not_evaluated."""
        if self.not_evaluated:
            return "not_evaluated"
        d = self.difference
        if d is None:
            if self.agrees:
                return "pass"
            return "fail" if not self.waived else "waived"
        if self.relation == "covers":
            d = min(d, Decimal(0))  # a whole larger than its part holds
        if d == 0:
            return "pass"
        if abs(d) <= self.tolerance:
            return "rounding"
        return "waived" if self.waived else "fail"

    @property
    def passed(self) -> bool:
        return self.outcome != "fail"

    @property
    def excess(self) -> Decimal:
        """How far beyond its tolerance the instance is: > 0 exactly when its outcome is fail (or waived)."""
        if self.outcome in ("pass", "rounding", "not_evaluated"):
            return Decimal(-1)
        d = self.difference
        if d is None:
            return Decimal(1)
        if self.relation == "covers":
            d = min(d, Decimal(0))
        return abs(d) - self.tolerance
