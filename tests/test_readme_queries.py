"""Every SQL query of the README's analyst section runs on the sample warehouse and answers."""

from __future__ import annotations

import re
from decimal import Decimal

import duckdb
import pytest
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"```sql\n(.*?)```", README, flags=re.S)


@pytest.fixture(scope="module")
def warehouse(corpus_db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    return corpus_db


def test_the_readme_has_at_least_eight_questions() -> None:
    assert len(QUERIES) >= 8


@pytest.mark.parametrize("query", QUERIES, ids=[f"q{i + 1}" for i in range(len(QUERIES))])
def test_readme_query_answers(warehouse: duckdb.DuckDBPyConnection, query: str) -> None:
    rows = warehouse.execute(query).fetchall()
    assert rows, query


def test_readme_answers_match_the_documents(warehouse: duckdb.DuckDBPyConnection) -> None:
    by_start = {q.split("\n", 1)[0]: q for q in QUERIES}
    science = warehouse.execute(next(q for k, q in by_start.items() if "fiscal_year, department, amount_yuan" in k)
                                ).fetchall()
    assert (2024, "武昌区科学技术和经济信息化局", Decimal("8441600.000000")) in science  # 表3 206: 844.16 万元
    three = {r[0]: (r[2], r[3]) for r in warehouse.execute(QUERIES[0]).fetchall()}
    assert three["武昌区科学技术和经济信息化局"] == (Decimal("9000.000000"), Decimal("9000.000000"))  # 表7 0.90 万元
    assert three["上海市普陀区司法局"] == (Decimal("108100.000000"), Decimal("8300.000000"))  # 10.81 / 0.83 万元
    kept_out = {r[0]: r[4] for r in warehouse.execute(QUERIES[-1]).fetchall()}
    assert "unsupported" not in kept_out.values()
    # the two 决算 whose 表4 and 表5 differ by 0.01 万元 on one 类 (czj p12/p15, ghzy p12/p14)
    assert kept_out["sh_putuo_czj_2024_dept_final.pdf"] == "quarantined"
    assert kept_out["sh_putuo_ghzy_2024_dept_final.pdf"] == "quarantined"
