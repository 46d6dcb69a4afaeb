"""Reports built in a few lines, for the unit tests of the rules: no PDF, no Dagster.

    t = table("expenditure", ["科目编码", "科目名称", "合计", "基本支出", "项目支出"], [
        ["201", "一般公共服务支出", "100.00", "60.00", "40.00"],
        ["", "合计", "100.00", "60.00", "40.00"]], no="表3")
    r = report(t)

A column is a code column when its header ends in 编码/代码 (or is 类/款/项), a name column when its header
ends in 名称/项目/科目/单位; every other column holds amounts, parsed exactly as the extraction parses them.
A row is a total row when its name ends in 合计/总计/小计. Leading spaces in a name (two per step) give the
row's level (indentation), for tables without codes. The prose of a report is read into claims by the
product's own reader (yusuan.narrative).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from yusuan.model import Cell, NarrativeParagraph, ReportIdentity, Table
from yusuan.money import parse_amount
from yusuan.narrative import extract_claims
from yusuan.view import Report

ROOT = Path(__file__).resolve().parents[2]
_CODE = re.compile(r"(编码|代码)$|^(类|款|项)$")
_NAME = re.compile(r"(名称|项目|科目|单位)$")
_TOTAL = re.compile(r"(合计|总计|小计)$")

_seqs = iter(range(1, 10_000))


def table(table_type: str | None, header: Sequence[str], rows: Sequence[Sequence[str]], *, no: str | None = None,
          title: str | None = None, unit: str = "万元", page: int = 1, seq: int | None = None,
          indented: bool = False, kinds: dict[str, str] | None = None, block: str | None = None) -> Table:
    """A table of `table_type` whose body prints `rows` under `header` (leaf paths, '/' between levels).
    `kinds` overrides a column's cell kind (percent, text, field …); `block` names the form section of every cell."""
    seq = seq if seq is not None else next(_seqs)
    code_cols = [i for i, h in enumerate(header) if _CODE.search(h.rsplit("/", 1)[-1])]
    name_cols = [i for i, h in enumerate(header) if i not in code_cols and _NAME.search(h.rsplit("/", 1)[-1])]
    cells: list[Cell] = []
    for r, row in enumerate(rows):
        assert len(row) == len(header), f"row {r} has {len(row)} cells for {len(header)} columns"
        code = "".join(row[i] for i in code_cols).strip() or None
        top = 100.0 + 20 * r
        for c, (h, text) in enumerate(zip(header, row, strict=True)):
            if c in code_cols or c in name_cols or not text.strip():
                continue
            # side by side (收入 | 金额 | 支出 | 金额): an amount is labelled by the name printed on its own side
            own = [i for i in name_cols if i < c] or name_cols
            raw_name = row[own[-1]] if len(name_cols) > 1 else next((row[i] for i in name_cols if row[i].strip()), "")
            name = raw_name.strip() or None
            kind = "total" if name and _TOTAL.search(name) and code is None else "detail"
            level = (len(raw_name) - len(raw_name.lstrip(" "))) // 2 if indented and name and kind != "total" else None
            cell_kind = (kinds or {}).get(h, "money")
            parsed = parse_amount(text) if cell_kind == "money" else None
            cells.append(Cell(table_seq=seq, row_seq=r, page=page, row_code=code, row_name=name, column_name=h,
                              column_seq=c, raw_text=text, kind=cell_kind,
                              amount=parsed.amount if parsed else None, unit=unit if cell_kind == "money" else None,
                              parse_error=parsed.reason if parsed else None, row_kind=kind, block=block,
                              row_level=level, box=(50.0 + 60 * c, top, 110.0 + 60 * c, top + 20)))
    return Table(seq=seq, table_type=table_type, table_no=no, title=title, pages=[page], unit=unit,
                 header=list(header), cells=cells, row_count=len(rows))


def cell(row: int, column: str, text: str, *, name: str | None = None, code: str | None = None, column_seq: int = 0,
         kind: str = "money", unit: str | None = "元", block: str | None = None, page: int = 1,
         table_seq: int = 0) -> Cell:
    """One cell, where a table's cells do not sit under one header (a form's label | amount pairs)."""
    parsed = parse_amount(text) if kind == "money" else None
    return Cell(table_seq=table_seq, row_seq=row, page=page, row_code=code, row_name=name, column_name=column,
                column_seq=column_seq, raw_text=text, kind=kind, amount=parsed.amount if parsed else None,
                unit=unit if kind == "money" else None, parse_error=parsed.reason if parsed else None,
                row_kind="total" if name and _TOTAL.search(name) and code is None else "detail", block=block,
                box=(50.0 + 60 * column_seq, 100.0 + 20 * row, 110.0 + 60 * column_seq, 120.0 + 20 * row))


def form(table_type: str, cells: Sequence[Cell], *, no: str | None = None, title: str | None = None,
         unit: str | None = "元") -> Table:
    """A table (a form) of the given cells."""
    seq = next(_seqs)
    cells = [replace(c, table_seq=seq) for c in cells]
    return Table(seq=seq, table_type=table_type, table_no=no, title=title, pages=sorted({c.page for c in cells}),
                 unit=unit, header=sorted({c.column_name for c in cells}), cells=cells,
                 row_count=len({c.row_seq for c in cells}))


def report(*tables: Table, prose: Sequence[str] = (), fiscal_year: int | None = 2026,
           kind: str | None = "dept_budget", department: str | None = "某某市测试局", report_id: str = "r0000000000000001",
           page_of_prose: int = 1) -> Report:
    """A report of the given tables; `prose` (lines of the 情况说明) is read into claims as the extraction reads it."""
    narrative = [NarrativeParagraph(page_of_prose, "\n".join(prose))] if prose else []
    identity = ReportIdentity(department=department, department_code=None, unit_codes=(), fiscal_year=fiscal_year,
                              report_kind=kind, title=None, money_unit=None)
    claims = extract_claims(narrative, fiscal_year) if narrative else []
    return Report(report_id, identity, list(tables), claims, narrative)


@cache
def catalog() -> Any:
    """The project's identity catalog (expectations/identities.yaml), loaded and validated."""
    from yusuan.checks.catalog import load_catalog

    return load_catalog(ROOT / "expectations" / "identities.yaml")


def identity(name: str) -> Any:
    """One identity of the catalog, by name."""
    found = [i for i in catalog().identities if i.name == name]
    assert found, f"no identity {name} in the catalog"
    return found[0]


def check(name: str, r: Report) -> list[Any]:
    """The instances of the catalog's identity `name` on the built report, evaluated as the pipeline does
    (the rule sees the tables its entry names)."""
    from yusuan.checks.evaluate import evaluate

    return evaluate(r, [identity(name)])


def outcomes(instances: list[Any]) -> list[str]:
    return [i.outcome for i in instances]
