"""An identity of the catalog, as declared (expectations/identities.yaml), and the instances it makes."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from yusuan.checks.instance import Instance


@dataclass(frozen=True)
class Identity:
    name: str
    family: str
    stage: str
    severity: str
    rule: str
    description: str
    why: str  # why it must hold: the template's definition (strict), or a custom (a correspondence)
    tables: tuple[str, ...] = ()  # the table types it reads: the rule sees these tables only (all when empty)
    kinds: tuple[str, ...] = ("budget", "final")  # the report kinds it applies to
    params: dict[str, Any] = field(default_factory=dict)

    def applies_to(self, report_kind: str | None) -> bool:
        kind = "final" if report_kind and report_kind.endswith("final") else "budget"
        return kind in self.kinds

    def instance(self, label: str, lhs: Any, rhs: Any, tolerance: Any, table_type: str | None, table_no: str | None,
                 page: int | None, unit: str | None, detail: str | None = None) -> Instance:
        """One instance of this identity: lhs against rhs within `tolerance`, on a table and page."""
        return Instance(identity=self.name, family=self.family, stage=self.stage, severity=self.severity,
                        instance=label, lhs=None if lhs is None else Decimal(lhs),
                        rhs=None if rhs is None else Decimal(rhs), tolerance=Decimal(tolerance or 0),
                        table_type=table_type, table_no=table_no, page=page, unit=unit, detail=detail)

    def statement(self, label: str, holds: bool, table_type: str | None, table_no: str | None, page: int | None,
                  detail: str | None = None) -> Instance:
        """One instance that compares words, not amounts: it holds or it does not."""
        inst = self.instance(label, None, None, 0, table_type, table_no, page, None, detail=detail)
        inst.agrees = holds
        return inst
