"""The table types of a budget disclosure, recognised by title and header text.

Each `TableType` says how its printed titles read in the templates we know. Titles are
matched after removing whitespace; the first type whose pattern matches wins, so the more
specific types come first. A table whose title matches nothing is recorded as unrecognised,
never forced into a type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class TableType:
    name: str
    chinese: str  # the Chinese term, as in GLOSSARY.md
    title: re.Pattern[str]
    exclude: re.Pattern[str] | None = None
    form: bool = False  # a form (绩效目标表): money blocks and text fields, not a grid of amounts
    core: bool = False  # every budget disclosure has one
    nested_rows: bool = False  # rows nest by indentation (department > unit > category > project)


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


TABLE_TYPES: tuple[TableType, ...] = (
    TableType("project_performance", "项目支出绩效目标表", _p(r"项目(支出)?绩效目标(申报)?表"), form=True),
    TableType("overall_performance", "整体支出绩效目标表", _p(r"整体(支出)?绩效目标(申报)?表"), form=True),
    TableType("three_public_and_office_operation", "“三公”经费和机关运行经费预算表",
              _p(r"三公.{0,4}经费.{0,3}(和|及|与)机关运行经费")),
    TableType("three_public_meetings_training", "“三公”经费、会议费、培训费支出预算表",
              _p(r"三公.{0,4}经费.{0,3}会议费")),
    TableType("three_public", "一般公共预算“三公”经费支出表", _p(r"三公.{0,4}经费")),
    TableType("office_operation", "机关运行经费支出预算表", _p(r"机关运行经费(支出)?(预算)?(情况)?表")),
    TableType("gov_procurement", "政府采购预算表", _p(r"政府采购(预算|支出)?(情况|明细)?表")),
    TableType("gov_purchase_services", "政府购买服务预算表", _p(r"政府购买服务(预算|支出)?(情况|明细)?表")),
    TableType("fiscal_summary", "财政拨款收支总表", _p(r"财政拨款收支(预算)?总表"), core=True),
    TableType("fiscal_expenditure", "财政拨款支出预算表", _p(r"财政拨款支出(预算)?表")),
    TableType("fiscal_basic_by_economic", "财政拨款基本支出预算表", _p(r"财政拨款基本支出(预算)?表")),
    TableType("general_public_by_unit", "一般公共预算支出表(分单位)",
              _p(r"一般公共预算(财政拨款)?支出(预算)?表[（(]?(分|按)单位")),
    TableType("general_public_basic_by_economic", "一般公共预算基本支出表",
              _p(r"一般公共预算(财政拨款)?基本支出|基本支出(预算)?表.{0,6}经济分类|基本支出经济分类")),
    TableType("general_public_by_function", "一般公共预算支出表(分功能科目)",
              _p(r"一般公共预算(财政拨款)?支出(功能分类)?(预算)?(情况)?表")),
    TableType("gov_fund", "政府性基金预算支出表", _p(r"政府性基金(预算)?(财政拨款)?支出(功能分类)?(预算)?(情况)?表")),
    TableType("soe_capital", "国有资本经营预算支出表",
              _p(r"国有资本经营(预算)?(财政拨款)?支出(功能分类)?(预算)?(情况)?表")),
    TableType("projects", "项目支出表", _p(r"项目支出(预算)?(情况)?表|项目支出明细表"), nested_rows=True),
    TableType("summary", "部门收支总表", _p(r"收支(预算)?总表|财务收支(预算)?总表"), core=True),
    TableType("income", "部门收入总表", _p(r"收入(预算)?总表"), core=True),
    TableType("expenditure", "部门支出总表", _p(r"支出(预算)?总表"), core=True),
)

TYPES_BY_NAME = {t.name: t for t in TABLE_TYPES}
CORE_TYPES = tuple(t.name for t in TABLE_TYPES if t.core)

_TABLE_NO = re.compile(
    r"(附表\d+(?:[-－—]\d+)?|表\d+(?:[-－—]\d+)?|公开\d+表|预算\d+表|决算\d+表|[A-Za-z]+\d+表)"
)


def classify_title(text: str) -> TableType | None:
    """Given title text (whitespace removed), return the table type it names, or None."""
    for ttype in TABLE_TYPES:
        if ttype.title.search(text) and not (ttype.exclude and ttype.exclude.search(text)):
            return ttype
    return None


def table_number(text: str) -> str | None:
    """The printed table number in a title line ('表 5-1' -> '表5-1', '公开01表'), or None."""
    m = _TABLE_NO.search(text)
    return m.group(1).replace("－", "-").replace("—", "-") if m else None


def is_title_like(text: str) -> bool:
    """True for a short line that names a table (it ends in 表, or names a known type)."""
    return len(text) <= 60 and (classify_title(text) is not None or text.endswith("表"))
