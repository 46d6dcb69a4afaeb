"""identities.md (the sample's hand-checked identity list) and where each of its ids lands in
budget.check_results.

`resolve` maps an id to the check that evaluates it and a pattern of that check's instances,
from the id's structure: table (T5_1 -> 表5-1), row (code or name), column (header path). The
irregular ids (the totals of 表1/表4, the forms' singletons, the prose, the correspondences) are
listed. `None`: no check is meant to evaluate the id; an id that resolves but matches no row is
not evaluated either.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

BASIC = "本年一般公共预算基本支出"
NARRATIVE = "narrative_figures_agree_with_tables"
LAST_YEAR = "prose_last_year_figures_match_performance_table"


@dataclass(frozen=True)
class MdIdentity:
    id: str
    description: str
    broken: bool
    value: str = ""  # Holding: the value of both sides, as printed in identities.md
    lhs: str = ""  # Broken: the two sides, their difference and the severity
    rhs: str = ""
    difference: str = ""
    severity: str = ""


@dataclass(frozen=True)
class Target:
    check: re.Pattern[str]  # the check_name (fully matched)
    instance: re.Pattern[str]  # searched in the instance


def parse(path: Path) -> list[MdIdentity]:
    """The rows of the Broken and the Holding tables (rows starting with "| `id` |")."""
    out: list[MdIdentity] = []
    broken = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            broken = line.startswith("## Broken")
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        md_id, description = cells[0].strip("`"), cells[1]
        if broken:
            lhs, rhs, difference, severity = cells[2:6]
            out.append(MdIdentity(md_id, description, True, lhs=lhs, rhs=rhs, difference=difference, severity=severity))
        else:
            out.append(MdIdentity(md_id, description, False, value=cells[2]))
    return out


def table(t: str) -> str:
    return "表" + t.replace("_", "-")


def target(check: str, pattern: str) -> Target:
    return Target(re.compile(check), re.compile(pattern))


esc = re.escape


def _children(m: re.Match[str], _: MdIdentity) -> Target:
    t, row, col = m.groups()
    if t == "10":
        return target("nested_rows_sum_to_their_parent", rf"^表10 {esc(row)}: {esc(col)} = Σ \d+ rows under it$")
    check = "economic_class_equals_sum_of_its_items" if t == "6" else "function_class_equals_sum_of_its_subitems"
    return target(check, rf"^{table(t)} {esc(row)} [^:]+: {esc(col)} = Σ \d+ children$")


def _row_identity(m: re.Match[str], _: MdIdentity) -> Target:
    t, row, col = m.groups()
    row = "" if row == "row0" else row
    return target("total_column_equals_sum_of_its_parts", rf"^{table(t)} row {esc(row)}: {esc(col)} = ")


def _by_code(m: re.Match[str], _: MdIdentity) -> Target:
    code, col = m.groups()
    side = {"合计": "total", "基本支出": "basic", "项目支出": "project"}[col]
    return target("expenditure_equals_fiscal_tables_by_code",
                  rf"^表3 {esc(code)} {side} = .* {esc(code)} {side} \(yuan\)$")


def _t6_t5_1(m: re.Match[str], _: MdIdentity) -> Target:
    col = m[1]
    check = {"合计": "general_public_basic_equals_basic_by_economic",
             "人员经费": "general_public_personnel_equals_basic_by_economic",
             "公用经费": "general_public_operating_equals_basic_by_economic"}[col]
    t5_1 = "小计" if col == "合计" else col
    return target(check, rf"^表6 合计 {BASIC}/{col} = 表5-1 合计 基本支出/{t5_1} \(yuan\)$")


def _t12(m: re.Match[str], _: MdIdentity) -> Target | None:
    t, what = table(f"12_{m[1]}"), m[2]
    activities = "project_activities_sum_to_project_budget"
    return {
        ":资金来源合计": target("form_funding_total_equals_its_rows", rf"^{t} 合计: 金额 = Σ \d+ rows below$"),
        ":资金来源合计=当年预算": target(activities, rf"^{t} [^:]+: 资金来源 合计 = 项目当年预算$"),
        ":明细测算=当年预算": target(activities, rf"^{t} [^:]+: Σ 项目支出明细测算 = 项目当年预算$"),
        ":变动情况当年=当年预算": target("project_budget_history_agrees", rf"^{t} 变动情况 \d{{4}} = 项目当年预算 \(yuan\)$"),
        "=T10:project": target("project_form_total_equals_projects_row", rf"^{t} \S+ = 表10 \S+ 合计 \(yuan\)$"),
    }.get(what)


Rule = Callable[[re.Match[str], MdIdentity], "Target | None"]

RULES: list[tuple[str, Rule]] = [
    (r"T(\w+)\[(.+)\]:(.+)=sum\(children\)", _children),
    (r"T(\w+)\[合计\]:(.+)=sum\((?:classes|departments)\)",
     lambda m, _: target("total_row_equals_sum_of_top_level_rows",
                         rf"^{table(m[1])} 合计: {esc(m[2])} = Σ top-level codes \(\d+\)$")),
    (r"T10\[合计\]:(.+)=sum\(level0\)",
     lambda m, _: target("nested_rows_sum_to_their_parent", rf"^表10 合计: {esc(m[1])} = Σ \d+ rows under it$")),
    (r"T(\w+)\[(.+)\]:(.+)=sum\(units\)",
     lambda m, _: target("department_equals_sum_of_its_units",
                         rf"^{table(m[1])} {esc(m[2])} [^:]+: {esc(m[3])} = Σ \d+ children$")),
    (r"T(\w+)\[([^]]+)\]:([^=]+)", _row_identity),
    (r"T3=T5_1\(\+T8\+T9\)\[(.+)\]:(.+)", _by_code),
    (r"T1=T3\[(\d+)\]",
     lambda m, _: target("summary_class_equals_expenditure_class", rf"^表1 \S+ = 表3 {m[1]} 合计 \(yuan\)$")),
    (r"T4=T3\[(\d+)\]",  # 表4 names the class, not its code: the line is the description's left side
     lambda m, i: target("fiscal_summary_class_equals_fiscal_tables",
                         rf"^{esc(i.description.split(' = ')[0])} = Σ .* \(yuan\)$")),
    (r"T2=T1:(本年收入/.+|上年结转结余)",
     lambda m, _: target("income_sources_equal_summary_lines", rf"^表2 合计 {esc(m[1])} = 表1 .+ \(yuan\)$")),
    (r"T5_2=T5_1:(.+)",
     lambda m, _: target("general_public_by_unit_equals_by_function",
                         rf"^表5-2 合计 {esc(m[1])} = 表5-1 合计 {esc(m[1])} \(yuan\)$")),
    (r"T6=T5_1:(.+)", _t6_t5_1),
    (r"T7=T6:(\d+)",
     lambda m, _: target(rf"three_public_\w+_covers_economic_{m[1]}", r"^表7 ")),
    (r"T12_(\d)([:=].+)", _t12),
    (r"T11:(?:收入构成|支出构成):(.+)=sum",  # the instance does not name the section: both 合计 rows match
     lambda m, _: target("form_funding_total_equals_its_rows", rf"^表11 合计: {esc(m[1])} = Σ \d+ rows above$")),
    (r"T11:(?:收入构成|支出构成):(.+):占比",
     lambda m, _: target("share_equals_amount_over_total", rf"^表11 {esc(m[1])}: 占比 [\d.]+% = ")),
    (r"T11:收入合计=支出合计:(.+)",
     lambda m, _: target("performance_income_equals_spending", rf"^表11 收入构成 合计 = 支出构成 合计: {esc(m[1])}$")),
    (r"T11=T12:特定目标类:(\d{4})",
     lambda m, _: target("project_forms_history_matches_overall_specific",
                         rf"^表11 特定目标类 近两年收支金额/{m[1]}年 = Σ \d+ project forms' {m[1]} budgets \(yuan\)$")),
    (r"T11=T10:project\d",  # the description names both projects, as the instance does
     lambda m, i: target("listed_projects_equal_projects_rows", rf"^{esc(i.description)} \(yuan\)$")),
    (r"T(\w+)~T10:name\d?",  # broken: lhs and rhs are the two names
     lambda m, i: target("project_names_agree", rf"^{table(m[1])} 项目名称 {esc(i.lhs)} ≠ 表10 {esc(i.rhs)}$")),
    (r"T(\w+):(.+):header",  # broken: lhs the header printed, rhs the one the sibling blocks print
     lambda m, i: target("indicator_blocks_print_the_same_header",
                         rf"^{table(m[1])} {esc(m[2])}: header lacks {esc(i.rhs)} \(prints {esc(i.lhs)}\)$")),
    # the classes are stated under 四、财政拨款收支预算总体情况: the 财政拨款收支总表 (表4) prints them by name
    (r"N:func\[(\d+)\]", lambda m, i: target(NARRATIVE, rf"^prose p\d+ “\S+ {esc(i.value)}万元” = "
                                                         r"表4 （[一二三四五六七八九十]+）\S+ 支出/预算数$")),
    (r"N:(\d{3})", lambda m, _: target(NARRATIVE, rf"^prose p\d+ “\S+ [\d,.]+万元” = 表6 {m[1]} {BASIC}/合计$")),
    (r"N:(\S+)=T10",
     lambda m, _: target(NARRATIVE, rf"^prose p\d+ “{esc(m[1])}项目 [\d,.]+万元” = 表10 {esc(m[1])} 合计$")),
]

SINGLES: dict[str, tuple[str, str]] = {
    "T1:本年收入合计=sum(income items)":
        ("listed_items_sum_to_their_total", r"^表1 本年收入合计: 收入/预算数 = Σ \d+ items$"),
    "T1:本年支出合计=sum(expenditure classes)":
        ("listed_items_sum_to_their_total", r"^表1 本年支出合计: 支出/预算数 = Σ \d+ items$"),
    "T1:收入总计=本年收入合计+上年结转结余":
        ("grand_total_equals_total_plus_carryover", r"^表1 收入总计: 收入/预算数 = 本年收入合计 \+ 上年结转结余$"),
    "T1:支出总计=本年支出合计+年终结转结余":
        ("grand_total_equals_total_plus_carryover", r"^表1 支出总计: 支出/预算数 = 本年支出合计 \+ 年终结转结余$"),
    "T1:收入总计=支出总计": ("income_total_equals_expenditure_total", r"^表1 收入总计 = 支出总计$"),
    "T1=T3:本年支出合计":
        ("summary_expenditure_equals_expenditure_table", r"^表1 本年支出合计 支出/预算数 = 表3 合计 合计 \(yuan\)$"),
    "T2=T1:本年收入":
        ("summary_income_equals_income_table", r"^表1 本年收入合计 收入/预算数 = 表2 合计 本年收入/小计 \(yuan\)$"),
    "T2=T1:收入总计":
        ("summary_grand_total_equals_income_table", r"^表1 收入总计 收入/预算数 = 表2 合计 合计 \(yuan\)$"),
    "T4:本年收入=sum(一..三)":
        ("listed_items_sum_to_their_total", r"^表4 一、本年收入: 收入/预算数 = Σ \d+ sub-items$"),
    "T4:本年支出=sum(classes)":
        ("listed_items_sum_to_their_total", r"^表4 一、本年支出: 支出/预算数 = Σ \d+ sub-items$"),
    "T4:收入总计=本年收入+上年结转": ("grand_total_equals_total_plus_carryover", r"^表4 收入总计: 收入/预算数 = "),
    "T4:支出总计=本年支出+年终结转结余": ("grand_total_equals_total_plus_carryover", r"^表4 支出总计: 支出/预算数 = "),
    "T4:收入总计=支出总计": ("income_total_equals_expenditure_total", r"^表4 收入总计 = 支出总计$"),
    "T4=T5_1:一般公共预算": ("fiscal_summary_general_public_equals_general_public_table",
                        r"^表4 （一）一般公共预算拨款 = 表5-1 合计 \(yuan\)$"),
    "T4=T1:一般公共预算":
        ("fiscal_income_lines_equal_summary_lines", r"^表4 （一）一般公共预算拨款 = 表1 一、一般公共预算拨款收入 \(yuan\)$"),
    "T4=T1:政府性基金": ("fiscal_income_lines_equal_summary_lines",  # a line of 0 表4 may leave out
                      r"^表4 \S*政府性基金预算拨款\S*( \(not printed: 0\))? = 表1 二、政府性基金预算拨款收入 \(yuan\)$"),
    "T7:合计=出国+车+接待": ("total_column_equals_sum_of_its_parts",
                       r"^表7 row : “三公”经费合计 = 因公出国（境）费 \+ 公务用车购置及运行费/小计 \+ 公务接待费$"),
    "T7:车小计=购置+运行": ("total_column_equals_sum_of_its_parts",
                      r"^表7 row : 公务用车购置及运行费/小计 = 公务用车购置及运行费/公务用车购置费 \+ "
                      r"公务用车购置及运行费/公务用车运行费$"),
    "T10=T3:项目支出": ("projects_total_equals_project_expenditure", r"^表10 +合计 = 表3 合计 项目支出 \(yuan\)$"),
    "T10=T5_1:项目支出": ("projects_general_public_equals_general_public_project_expenditure",
                       r"^表10 +本年拨款/一般公共预算 = 表5-1 合计 项目支出 \(yuan\)$"),
    "T11=T1:收入合计": ("performance_income_equals_summary_total", r"^表11 合计 当年金额 = 表1 收入总计 收入/预算数 \(yuan\)$"),
    "T11=T4:财政拨款": ("performance_fiscal_income_equals_fiscal_summary",
                     r"^表11 财政拨款 当年金额 = 表4 一、本年收入 收入/预算数 \(yuan\)$"),
    "T11=T6:人员类项目支出": ("performance_personnel_equals_personnel_expenditure",
                        rf"^表11 人员类项目支出 当年金额 = 表6 合计 {BASIC}/人员经费 \(yuan\)$"),
    "T11=T6:运转类项目支出": ("performance_operating_equals_operating_expenditure",
                        rf"^表11 运转类项目支出 当年金额 = 表6 合计 {BASIC}/公用经费 \(yuan\)$"),
    "T11=T10:特定目标类":
        ("performance_specific_equals_projects_total", r"^表11 特定目标类项目支出 当年金额 = 表10 +合计 \(yuan\)$"),
    # the prose: instances quote the sentence's figure, then name the table cell it is held against
    "N:total=T1": (NARRATIVE, r"^prose p\d+ “单位收支总预算 1,272\.07万元” = 表1 收入总计 收入/预算数$"),
    "N:basic=T3": (NARRATIVE, r"^prose p\d+ “基本支出 1,072\.07万元” = 表3 合计 基本支出$"),
    "N:basic_share": (NARRATIVE, r"^prose p\d+ “基本支出” share 84\.67% = table amount / 表3 合计$"),
    "N:basic_share_vs_stated_amount": (NARRATIVE, r"^prose p\d+ “基本支出” share 84\.67% = stated 1,072\.07万元 / 表3 合计$"),
    "N:project": (NARRATIVE, r"^prose p\d+ “项目支出 195万元” = 表3 合计 项目支出$"),
    "N:project_share": (NARRATIVE, r"^prose p\d+ “项目支出” share 15\.33% = "),
    "N:decrease_pct": (NARRATIVE, r"^prose p\d+ “单位收支总预算” change 17\.37% = "),
    "N:personnel": (NARRATIVE, rf"^prose p\d+ “人员经费 995\.07万元” = 表6 合计 {BASIC}/人员经费$"),
    "N:public": (NARRATIVE, rf"^prose p\d+ “公用经费 82万元” = 表6 合计 {BASIC}/公用经费$"),
    "N:basic_general=T6": (NARRATIVE, rf"^prose p\d+ “一般公共预算基本支出 1,077\.07万元” = 表6 合计 {BASIC}/合计$"),
    "N:三公=T7": (NARRATIVE, r"^prose p\d+ “一般公共预算“三公”经费支出 0\.9万元” = 表7 +“三公”经费合计$"),
    "N:三公_pct": (NARRATIVE, r"^prose p\d+ “一般公共预算“三公”经费支出” change 3\.44% = "),
    "N:接待=T7": (NARRATIVE, r"^prose p\d+ “公务接待费 0\.9万元” = 表7 +公务接待费$"),
    # the prose's 机关运行经费 is held against 表6 合计 公用经费 (identities.md: 表6 302; both 82)
    "N:机关运行经费=T6 302": (NARRATIVE, rf"^prose p\d+ “机关运行经费 82万元” = 表6 合计 {BASIC}/公用经费$"),
    "N:机关运行经费_pct": (NARRATIVE, r"^prose p\d+ “机关运行经费” change 3\.17% = "),
    "N:personnel=301+303":
        (NARRATIVE, r"^prose p\d+ “人员经费 995\.07万元” = 工资福利支出 844\.85 \+ 对个人和家庭的补助 150\.22$"),
    "N:项目=145+50": (NARRATIVE, r"^prose p\d+ “项目支出 195万元” = 计划管理经费项目 145 \+ 企业管理经费项目 50$"),
    "N:prev_year_total=T11":
        (LAST_YEAR, r"^prose p\d+ “单位收支总预算” last year 1,272\.07 \+ 267\.33 = 表11 合计 近两年收支金额/2023年$"),
    "N:机关运行经费_prev=T11 运转类 2023":
        (LAST_YEAR, r"^prose p\d+ “机关运行经费” last year 82 - 2\.52 = 表11 运转类项目支出 近两年收支金额/2023年$"),
    "N:三公=出国+车+接待": (NARRATIVE, r"^prose p\d+ “一般公共预算“三公”经费支出 0\.9万元” = 因公出国\(境\)经费 0 \+ "
                                    r"公务用车购置及运行维护费 0 \+ 公务接待费 0\.9$"),
    "N:采购=货物+工程+服务":
        (NARRATIVE, r"^prose p\d+ “政府采购预算支出合计 19\.9万元” = 货物类 6\.1 \+ 工程类 0 \+ 服务类 13\.8$"),
    "N:采购_pct": (NARRATIVE, r"^prose p\d+ “政府采购预算支出合计” change 59\.8% = "),
    "N:购买服务":
        (NARRATIVE, r"^prose p\d+ “政府购买服务预算支出合计 17\.5万元” = 公共服务 0 \+ 政府履职辅助性服务 17\.5$"),
    # customary correspondences of the function (表5-1) and the economic (表6) classification
    "X:2080505=30108": ("pension_contributions_by_function_and_economic_item", r"^表5-1 .+ 合计 = 表6 .+ \(yuan\)$"),
    "X:2210201=30113": ("housing_fund_by_function_and_economic_item", r"^表5-1 .+ 合计 = 表6 .+ \(yuan\)$"),
    "X:2101101+2101102=30110": ("medical_insurance_by_function_and_economic_item",
                                r"^表6 .+ = 表5-1 .+ 合计 \+ 表5-1 .+ 合计 \(yuan\)$"),
    "X:2101103=30111+30307": ("civil_servant_medical_subsidy_by_function_and_economic_item",
                              r"^表5-1 .+ 合计 = 表6 .+ \+ 表6 .+ \(yuan\)$"),
    "X:208 人员=30302+30108": ("pension_personnel_by_function_and_economic_items",
                             r"^表5-1 .+ 基本支出/人员经费 = 表6 .+ \+ 表6 .+ \(yuan\)$"),
}


def resolve(identity: MdIdentity) -> Target | None:
    if identity.id in SINGLES:
        return target(*SINGLES[identity.id])
    for pattern, rule in RULES:
        if m := re.fullmatch(pattern, identity.id):
            return rule(m, identity)
    return None


def matching(rows: Iterable[tuple[Any, ...]], identity: MdIdentity) -> list[tuple[Any, ...]]:
    """The check_results rows (check_name, instance, ...) that evaluate `identity`."""
    t = resolve(identity)
    return [] if t is None else [r for r in rows if t.check.fullmatch(r[0]) and t.instance.search(r[1])]


def in_wan(row: tuple[Any, ...]) -> tuple[Decimal | None, Decimal | None]:
    """Observed and expected of a row in the unit identities.md prints: 万元 (or % as printed)."""
    scale = Decimal(10000) if "(yuan)" in row[1] else Decimal(1)
    return (None if row[3] is None else row[3] / scale, None if row[4] is None else row[4] / scale)


def sides(row: tuple[Any, ...]) -> set[Decimal]:
    """Both sides of a row, unsigned (a change is signed in the warehouse, printed as 增长/下降 x%)."""
    return {abs(v) for v in in_wan(row) if v is not None}


def as_printed(value: Decimal | None, like: str) -> Decimal | None:
    """`value` rounded half-up to the decimals of `like` (84.277595 like 84.28 -> 84.28)."""
    return None if value is None else value.quantize(Decimal(like), rounding=ROUND_HALF_UP)
