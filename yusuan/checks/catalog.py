"""The identity catalog (expectations/identities.yaml), loaded and validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SEVERITIES = ("error", "warn")


@dataclass(frozen=True)
class Identity:
    name: str
    family: str
    stage: str
    severity: str
    rule: str
    description: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    families: dict[str, dict[str, str]]
    identities: tuple[Identity, ...]

    def for_stage(self, stage: str) -> list[Identity]:
        return [i for i in self.identities if i.stage == stage]

    def families_of(self, stage: str) -> list[str]:
        return [f for f, spec in self.families.items() if spec["stage"] == stage]


def load_catalog(path: Path) -> Catalog:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    families = data["families"]
    identities = []
    for item in data["identities"]:
        fam = families[item["family"]]
        params = {k: v for k, v in item.items() if k not in ("name", "family", "rule", "description", "severity")}
        identities.append(Identity(name=item["name"], family=item["family"], stage=fam["stage"],
                                   severity=item.get("severity", fam["severity"]), rule=item["rule"],
                                   description=" ".join(str(item.get("description", "")).split()), params=params))
    names = [i.name for i in identities]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ValueError(f"identity names declared twice in {path}: {sorted(dupes)}")
    return Catalog(families=families, identities=tuple(identities))
