"""Every column of schema budget says what it means (COMMENT ON, from the data dictionary, yusuan/dictionary.py)."""

from __future__ import annotations

import duckdb

from yusuan import dictionary
from yusuan.schema import ensure_schema


def test_every_column_of_the_analyst_contract_has_a_comment_with_its_chinese_term() -> None:
    con = duckdb.connect()
    ensure_schema(con)
    rows = con.execute("SELECT table_name, column_name, comment FROM duckdb_columns() "
                       "WHERE schema_name = 'budget' ORDER BY table_name, column_index").fetchall()
    assert len(rows) > 250
    missing = [f"{t}.{c}" for t, c, comment in rows if not comment]
    assert missing == []
    # each says it in English with the Chinese term (a CJK character in it)
    untranslated = [f"{t}.{c}" for t, c, comment in rows
                    if not any("\u4e00" <= ch <= "\u9fff" for ch in comment) and c not in ("x0", "top", "x1", "bottom")]
    assert untranslated == []


def test_a_column_means_what_its_table_says_before_what_its_name_says() -> None:
    assert dictionary.meaning("narrative_claims", "kind") != dictionary.meaning("units", "kind")
    assert "budget (预算)" in (dictionary.meaning("series", "kind") or "")
    assert dictionary.meaning("nowhere", "no_such_column") is None
