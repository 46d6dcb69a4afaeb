"""One evaluated instance of an identity: its two sides, its tolerance, and its one verdict."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


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
