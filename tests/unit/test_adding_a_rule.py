"""Adding a check is one function and one catalog entry: the function registers itself by name, the catalog
entry names it and the tables it reads, and the catalog is validated against the registry when it is loaded."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from build import ROOT, report, table

from yusuan.checks.catalog import CatalogError, load_catalog
from yusuan.checks.evaluate import evaluate
from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance
from yusuan.checks.registry import RULES, rule
from yusuan.view import Report


@rule
def basic_at_most_the_total(report: Report, ident: Identity) -> list[Instance]:
    """On every row of the tables the entry names, the 基本支出 column is no larger than the 合计 column."""
    out = []
    for t in report.tables:
        rows: dict[int, dict[str, Decimal]] = {}
        for a in report.amounts:
            if a.table_seq == t.seq:
                rows.setdefault(a.row_seq, {})[a.column] = a.amount
        for seq, row in rows.items():
            if "合计" in row and "基本支出" in row:
                inst = ident.instance(f"{t.table_no} row {seq}: 合计 ≥ 基本支出", row["合计"], row["基本支出"], 0,
                                      t.table_type, t.table_no, 1, "万元")
                inst.relation = "covers"
                out.append(inst)
    return out


ENTRY = {"name": "basic_is_part_of_the_total", "family": "row_identities", "rule": "basic_at_most_the_total",
         "description": "基本支出 ≤ 合计 on every row", "why": "基本支出 is one of the parts of 合计",
         "scope": {"tables": ["expenditure"]}}


def _catalog_with(tmp_path: Path, entry: dict[str, object]) -> Path:
    data = yaml.safe_load((ROOT / "expectations" / "identities.yaml").read_text(encoding="utf-8"))
    data["identities"].append(entry)
    path = tmp_path / "identities.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_new_rule_and_its_entry_are_all_it_takes(tmp_path: Path) -> None:
    assert RULES["basic_at_most_the_total"].over == "report"
    catalog = load_catalog(_catalog_with(tmp_path, ENTRY))
    ident = next(i for i in catalog.identities if i.name == "basic_is_part_of_the_total")
    assert ident.tables == ("expenditure",) and ident.severity == "error"
    header = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
    spending = table("expenditure", header, [["201", "一般公共服务支出", "100.00", "60.00", "40.00"],
                                             ["208", "社会保障和就业支出", "50.00", "70.00", "0.00"]], no="表3")
    # a table the entry does not name is not read
    other = table("general_public_by_function", header, [["201", "一般公共服务支出", "1.00", "9.00", "0.00"]])
    found = evaluate(report(spending, other), [ident])
    assert [(i.instance, i.outcome) for i in found] == [("表3 row 0: 合计 ≥ 基本支出", "pass"),
                                                        ("表3 row 1: 合计 ≥ 基本支出", "fail")]


def test_an_entry_naming_no_registered_rule_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="basic_is_part_of_the_total: unknown rule 'no_such_rule'"):
        load_catalog(_catalog_with(tmp_path, {**ENTRY, "rule": "no_such_rule"}))
