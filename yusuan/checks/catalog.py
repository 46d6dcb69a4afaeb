"""The identity catalog (expectations/identities.yaml), loaded and validated."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from yusuan.checks.identity import Identity
from yusuan.checks.registry import RULES

SEVERITIES = ("error", "warn")


@dataclass(frozen=True)
class Catalog:
    families: dict[str, dict[str, str]]
    identities: tuple[Identity, ...]

    def for_stage(self, stage: str) -> list[Identity]:
        return [i for i in self.identities if i.stage == stage]

    def families_of(self, stage: str) -> list[str]:
        return [f for f, spec in self.families.items() if spec["stage"] == stage]


class CatalogError(ValueError):
    """The catalog is wrong; the message names the entry."""


_FAMILY_KEYS = {"check", "stage", "severity", "description"}
_IDENTITY_KEYS = {"name", "family", "rule", "description", "why", "scope", "severity",
                  # the rules' parameters
                  "lhs", "rhs", "relation", "zero_when_absent", "domain", "rule_tables", "fund", "table", "part"}
_SELECTOR_KEYS = {"table", "row", "column", "optional", "named"}
_STAGES = ("extracted", "conformed", "published")  # published: across the reports of the warehouse
_KINDS = ("budget", "final")


def _types_named(item: dict[str, Any]) -> list[str]:
    """Every table type an identity's parameters name."""
    out: list[str] = []
    for sel in [item.get("lhs")] + list(item.get("rhs") or []):
        if isinstance(sel, dict):
            out += list(sel.get("table") or [])
    for side in (item.get("rule_tables") or {}).values():
        out += list(side)
    out += list(item.get("table") or [])
    out += list((item.get("scope") or {}).get("tables") or [])
    return out


def default_catalog_path() -> Path:
    """The project's catalog, expectations/identities.yaml beside the package."""
    return Path(__file__).resolve().parents[2] / "expectations" / "identities.yaml"


def cached_catalog(path: Path) -> Catalog:
    """The catalog, read once per process while the file is unchanged."""
    path = Path(path)
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _CATALOGS:
        _CATALOGS.clear()
        _CATALOGS[key] = load_catalog(path)
    return _CATALOGS[key]


_CATALOGS: dict[tuple[str, int], Catalog] = {}


def _check_family(where: str, spec: dict[str, Any]) -> None:
    extra = sorted(set(spec) - _FAMILY_KEYS)
    if extra or set(spec) != _FAMILY_KEYS:
        raise CatalogError(f"{where}: keys must be {sorted(_FAMILY_KEYS)}, got {sorted(spec)}")
    if spec["stage"] not in _STAGES or spec["severity"] not in SEVERITIES:
        raise CatalogError(f"{where}: stage must be one of {_STAGES}, severity one of {SEVERITIES}")


def _check_keys(where: str, item: dict[str, Any], families: dict[str, Any], rules: set[str]) -> None:
    extra = sorted(set(item) - _IDENTITY_KEYS)
    if extra:
        raise CatalogError(f"{where}: unknown key(s) {extra}")
    for key in ("name", "family", "rule", "description", "why"):
        if not item.get(key):
            raise CatalogError(f"{where}: needs {key!r}")
    if item["family"] not in families:
        raise CatalogError(f"{where}: unknown family {item['family']!r}")
    if item["rule"] not in rules:
        raise CatalogError(f"{where}: unknown rule {item['rule']!r}")
    across = families[item["family"]]["stage"] == "published"
    if item["rule"] in RULES and (RULES[item["rule"]].over == "corpus") != across:
        raise CatalogError(f"{where}: rule {item['rule']!r} reads " + ("one report" if across else "several reports")
                           + f", but family {item['family']} is " + ("" if across else "not ") + "checked across reports")


def _check_parameters(where: str, item: dict[str, Any]) -> None:
    from yusuan.vocabulary import vocabulary

    if item.get("relation", "equals") not in ("equals", "covers"):
        raise CatalogError(f"{where}: relation must be equals or covers")
    for sel in [item.get("lhs")] + list(item.get("rhs") or []):
        if sel is not None and (not isinstance(sel, dict) or set(sel) - _SELECTOR_KEYS):
            raise CatalogError(f"{where}: a selector's keys must be among {sorted(_SELECTOR_KEYS)}: {sel}")
    unknown = sorted(set(_types_named(item)) - {t.name for t in vocabulary().table_types})
    if unknown:
        raise CatalogError(f"{where}: unknown table type(s) {unknown}")
    scope = item.get("scope") or {}
    if set(scope) - {"tables", "kinds"} or set(scope.get("kinds") or _KINDS) - set(_KINDS):
        raise CatalogError(f"{where}: scope takes tables and kinds ({_KINDS}), got {scope}")


def _identity(where: str, item: dict[str, Any], families: dict[str, Any], rules: set[str]) -> Identity:
    """One validated entry of the catalog."""
    _check_keys(where, item, families, rules)
    severity = item.get("severity", families[item["family"]]["severity"])
    if severity not in SEVERITIES:
        raise CatalogError(f"{where}: unknown severity {severity!r}")
    _check_parameters(where, item)
    params = {k: v for k, v in item.items() if k not in ("name", "family", "rule", "description", "severity", "why", "scope")}
    return Identity(name=item["name"], family=item["family"], stage=families[item["family"]]["stage"],
                    severity=severity, rule=item["rule"], description=" ".join(str(item["description"]).split()),
                    why=str(item["why"]), tables=tuple(dict.fromkeys(_types_named(item))),
                    kinds=tuple((item.get("scope") or {}).get("kinds") or _KINDS), params=params)


def registered_rules() -> set[str]:
    """The names of every rule of the registry (yusuan.checks.rules registers them on import)."""
    import yusuan.checks.rules  # noqa: F401

    return set(RULES)


def load_catalog(path: Path, rules: set[str] | None = None) -> Catalog:
    """Load and validate the catalog: an unknown key, family, rule, stage, severity, relation or table type is an
    error naming the entry. `rules`: the rules an identity may name (by default every rule of the registry)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != {"families", "identities"}:
        raise CatalogError(f"{path}: expected exactly the keys families and identities")
    families = data["families"]
    for fname, spec in families.items():
        _check_family(f"{path}: family {fname}", spec)
    known = registered_rules() if rules is None else rules
    identities = [_identity(f"{path}: identity {item.get('name', '?')}", item, families, known)
                  for item in data["identities"]]
    names = [i.name for i in identities]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise CatalogError(f"identity names declared twice in {path}: {sorted(dupes)}")
    return Catalog(families=families, identities=tuple(identities))
