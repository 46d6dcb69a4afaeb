"""A warehouse that travels: a copied data folder reads its own parts, and `yusuan export` writes one DuckDB file
the duckdb CLI from the package index opens, Parquet and CSV per table, and a valid Frictionless Data Package."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT

from pipelines.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"```sql\n(.*?)```", README, flags=re.S)
DUCKDB_CLI = Path(sys.executable).parent / "duckdb"


@pytest.fixture(scope="module")
def copied(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus's data folder copied elsewhere, then opened once by a yusuan command (which relinks it)."""
    copy = tmp_path_factory.mktemp("travelled") / "data copy"
    shutil.copytree(corpus, copy, ignore=shutil.ignore_patterns("staging", "store", "review"))
    assert main(["status", "--data-dir", str(copy)]) == 0
    return copy


def test_a_copied_folder_reads_its_own_parts_and_answers_the_readme(corpus: Path, copied: Path) -> None:
    con = duckdb.connect(str(copied / "warehouse.duckdb"), read_only=True)
    try:
        sql = " ".join(s for (s,) in con.execute("SELECT sql FROM duckdb_views() WHERE schema_name = 'budget'").fetchall())
        assert str(copied / "warehouse.parts") in sql and str(corpus / "warehouse.parts") not in sql
        for query in QUERIES:
            rows = con.execute(query).fetchall()
            assert rows or "status <> 'loaded'" in query, query
        original = duckdb.connect(str(corpus / "warehouse.duckdb"), read_only=True)
        try:
            for query in QUERIES:  # as sets of rows: rows that tie in a query's ORDER BY come in either order
                assert sorted(map(repr, con.execute(query).fetchall())) == sorted(
                    map(repr, original.execute(query).fetchall())), query
        finally:
            original.close()
    finally:
        con.close()


@pytest.fixture(scope="module")
def exported(copied: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "budget export"
    assert main(["export", "--data-dir", str(copied), "--out", str(out)]) == 0
    return out


def test_the_export_opens_with_the_duckdb_cli_and_keeps_exact_amounts(corpus: Path, exported: Path) -> None:
    assert DUCKDB_CLI.exists(), "make setup installs the duckdb CLI (duckdb-cli) in the venv"
    version = subprocess.run([str(DUCKDB_CLI), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1.")  # the CLI analysts install, not the library's 2.x
    three = QUERIES[0]
    out = subprocess.run([str(DUCKDB_CLI), "-readonly", "-json", str(exported / "yusuan_budget.duckdb"), "-c", three],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    by_cli = {(r["department"], r["fiscal_year"], r["report_kind"]): Decimal(str(r["three_public_yuan"]))
              for r in json.loads(out)}
    con = duckdb.connect(str(corpus / "warehouse.duckdb"), read_only=True)
    try:
        expected = {(r[0], r[1], r[2]): r[3] for r in con.execute(three).fetchall()}
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'budget' UNION "
                                           "SELECT view_name FROM duckdb_views() WHERE schema_name = 'budget'").fetchall()}
    finally:
        con.close()
    assert by_cli == expected and len(by_cli) > 20
    # every table and view of the contract is a table of the export, with its comments; nothing points outside it
    con = duckdb.connect(str(exported / "yusuan_budget.duckdb"), read_only=True)
    try:
        inside = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'budget'")
                  .fetchall()}
        assert inside == tables
        assert con.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'budget' AND comment IS NULL"
                           ).fetchone() == (0,)
        amount = con.execute("SELECT amount FROM budget.line_items WHERE amount IS NOT NULL LIMIT 1").fetchone()
        assert amount is not None and isinstance(amount[0], Decimal)
    finally:
        con.close()
    for t in tables:
        assert (exported / "data" / f"{t}.parquet").exists() and (exported / "data" / f"{t}.csv").exists()


def test_the_export_answers_every_readme_query_as_the_warehouse_does(corpus: Path, exported: Path) -> None:
    export = duckdb.connect(str(exported / "yusuan_budget.duckdb"), read_only=True)
    original = duckdb.connect(str(corpus / "warehouse.duckdb"), read_only=True)
    try:
        for query in QUERIES:
            assert sorted(map(repr, export.execute(query).fetchall())) == sorted(
                map(repr, original.execute(query).fetchall())), query
    finally:
        export.close()
        original.close()


def test_the_data_package_validates(exported: Path) -> None:
    from frictionless import validate

    package = json.loads((exported / "datapackage.json").read_text(encoding="utf-8"))
    assert package["created"].endswith("Z") and len(package["resources"]) > 15
    series = next(r for r in package["resources"] if r["title"] == "budget.series")
    fields = {f["name"]: f for f in series["schema"]["fields"]}
    assert fields["amount_yuan"]["type"] == "number" and "元" in fields["amount_yuan"]["description"]
    assert all(f["description"] for r in package["resources"] for f in r["schema"]["fields"])
    report = validate(str(exported / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:10]
