"""The identity catalog (expectations/identities.yaml) is validated on load.

Every identity says why it must hold and which tables it reads; a wrong entry (an unknown key,
family, rule, relation or table type) is an error that names the entry, not a check silently
skipped. How an identity added by editing the catalog alone is evaluated through the pipeline
is in tests/test_identities.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from build import ROOT

from yusuan.checks.catalog import CatalogError, load_catalog
from yusuan.checks.registry import RULES
from yusuan.vocabulary import vocabulary

CATALOG = ROOT / "expectations" / "identities.yaml"


def test_every_identity_says_why_and_what_it_reads() -> None:
    catalog = load_catalog(CATALOG)
    types = {t.name for t in vocabulary().table_types}
    assert len(catalog.identities) >= 40
    for ident in catalog.identities:
        assert len(ident.why) > 10, ident.name
        assert ident.rule in RULES, ident.name
        assert set(ident.tables) <= types, ident.name
    # strict identities are errors, customary correspondences warnings
    severities = {i.family: i.severity for i in catalog.identities}
    assert severities["totals"] == severities["cross_table"] == "error"
    assert severities["correspondences"] == severities["narrative"] == severities["across_reports"] == "warn"


def test_the_three_public_lines_are_correspondences_of_covering() -> None:
    """三公 covers basic and project spending; the basic-expenditure line can only be smaller."""
    three = [i for i in load_catalog(CATALOG).identities if i.name.startswith("three_public_")
             and "economic" in i.name]
    assert len(three) == 3
    assert {(i.severity, i.params.get("relation")) for i in three} == {("warn", "covers")}


def _with(tmp_path: Path, change: dict[str, object], drop: str | None = None) -> Path:
    data = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    entry = next(i for i in data["identities"] if i["name"] == "summary_expenditure_equals_expenditure_table")
    entry.update(change)
    if drop:
        del entry[drop]
    path = tmp_path / "identities.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("change", "drop", "message"), [
    ({"tolerence": 1}, None, "unknown key(s) ['tolerence']"),
    ({"rule": "cross_tables"}, None, "unknown rule 'cross_tables'"),
    ({"family": "cross_tables"}, None, "unknown family 'cross_tables'"),
    ({"relation": "at_least"}, None, "relation must be equals or covers"),
    ({"severity": "fatal"}, None, "unknown severity 'fatal'"),
    ({"lhs": {"table": ["summary_table"], "row": "total", "column": "支出"}}, None,
     "unknown table type(s) ['summary_table']"),
    ({"lhs": {"table": ["summary"], "rows": "total", "column": "支出"}}, None, "a selector's keys"),
    ({"scope": {"kinds": ["budgets"]}}, None, "scope takes tables and kinds"),
    ({}, "why", "needs 'why'"),
])
def test_a_wrong_entry_is_an_error_naming_it(tmp_path: Path, change: dict[str, object], drop: str | None,
                                             message: str) -> None:
    with pytest.raises(CatalogError) as err:
        load_catalog(_with(tmp_path, change, drop))
    assert "identity summary_expenditure_equals_expenditure_table" in str(err.value)
    assert message in str(err.value)


def test_a_name_declared_twice_is_an_error(tmp_path: Path) -> None:
    data = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    data["identities"].append(dict(data["identities"][0]))
    path = tmp_path / "identities.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match=data["identities"][0]["name"]):
        load_catalog(path)


def test_an_identity_of_budgets_only_is_not_evaluated_on_final_accounts() -> None:
    ident = next(i for i in load_catalog(CATALOG).identities)
    narrowed = type(ident)(**{**ident.__dict__, "kinds": ("budget",)})
    assert narrowed.applies_to("dept_budget") and narrowed.applies_to(None)
    assert not narrowed.applies_to("dept_final")


def test_every_registered_rule_has_unit_tests_that_name_it() -> None:
    """Each rule of yusuan.checks.rules is exercised by a unit test (tests/unit/test_rules_*.py) that names the
    rule or one of the identities the catalog gives it."""
    import yusuan.checks.rules  # noqa: F401

    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests" / "unit").glob("test_rules_*.py"))
    by_rule: dict[str, list[str]] = {}
    for ident in load_catalog(CATALOG).identities:
        by_rule.setdefault(ident.rule, []).append(ident.name)
    product = [name for name, r in RULES.items() if r.fn.__module__.startswith("yusuan.")]
    untested = [name for name in product if name not in tests and not any(i in tests for i in by_rule.get(name, []))]
    assert len(product) >= 39
    assert untested == []
