"""The prose rules (yusuan.checks.rules.prose) and the look-ups they share (yusuan.checks.claims), on reports
built in a few lines: the figures the prose states against the tables and against each other."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from functools import cache
from pathlib import Path

from build import report, table

from yusuan.checks.catalog import load_catalog
from yusuan.checks.claims import NOT_PRINTED, Tables, heading_table_types, normalise, resolve, subject_of
from yusuan.checks.evaluate import evaluate
from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance
from yusuan.checks.rules.prose import narrative_prior_year
from yusuan.narrative import Claim
from yusuan.view import Report

ROOT = Path(__file__).resolve().parents[2]
EXPENDITURE = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]


@cache
def identity(name: str) -> Identity:
    catalog = load_catalog(ROOT / "expectations" / "identities.yaml")
    return next(i for i in catalog.identities if i.name == name)


def expenditure(basic: str = "60.00", project: str = "40.00", total: str = "100.00", unit: str = "万元") -> Report:
    """A report of one 支出预算表: 201 and its 合计 row."""
    return report(table("expenditure", EXPENDITURE, [["201", "一般公共服务支出", total, basic, project],
                                                     ["", "合计", total, basic, project]], no="表3", unit=unit,
                        page=9))


def with_prose(base: Report, *lines: str) -> Report:
    return report(*base.tables, prose=lines)


def stated(found: list[Instance], start: str) -> list[Instance]:
    return [i for i in found if i.instance.startswith(start)]


def narrative_of(r: Report) -> list[Instance]:
    return evaluate(r, [identity("narrative_figures_agree_with_tables")])


# ---- a stated amount against the table ----------------------------------------------------------------


def test_a_stated_amount_agrees_with_the_table_figure_its_subject_names() -> None:
    found = narrative_of(with_prose(expenditure(), "一、支出预算情况说明", "基本支出60.00万元。"))
    (inst,) = stated(found, "prose p1 “基本支出 60.00万元” = ")
    assert inst.outcome == "pass" and inst.lhs == inst.rhs == Decimal("60.00")
    assert inst.instance.endswith("= 表3 合计 基本支出") and inst.detail is not None
    assert inst.detail.startswith("subject:basic")
    assert [s.role for s in inst.compared] == ["claim", "rhs"] and inst.compared[1].page == 9


def test_a_stated_amount_that_differs_from_the_table_fails() -> None:
    (inst,) = stated(narrative_of(with_prose(expenditure(), "基本支出65.00万元。")), "prose p1 “基本支出 65.00万元”")
    assert inst.outcome == "fail" and inst.difference == Decimal("5.00")


def test_a_table_figure_cut_rather_than_rounded_is_a_rounding_said_so() -> None:
    tables = expenditure(basic="601,269.00", project="398,731.00", total="1,000,000.00", unit="元")
    (inst,) = stated(narrative_of(with_prose(tables, "基本支出60.12万元。")), "prose p1 “基本支出 60.12万元”")
    assert inst.outcome == "rounding" and inst.rhs == Decimal("60.1269") and inst.tolerance == Decimal("0.01")
    assert "not correctly rounded (cut)" in (inst.detail or "")
    (beyond,) = stated(narrative_of(with_prose(tables, "基本支出60.10万元。")), "prose p1 “基本支出 60.10万元”")
    assert beyond.outcome == "fail"


def test_a_subject_no_table_prints_is_not_checkable_and_compared_with_nothing() -> None:
    (inst,) = narrative_of(with_prose(expenditure(), "某某专项经费8.00万元。"))
    assert inst.outcome == "not_evaluated" and inst.not_evaluated == NOT_PRINTED and inst.rhs is None
    assert [s.role for s in inst.compared] == ["claim"]


def test_a_claim_is_found_by_the_code_its_subject_prints() -> None:
    r = with_prose(expenditure(), "三、支出预算情况说明", "（一）一般公共服务支出（201类）100.00万元。")
    fig, why = resolve(r.claims[0], Tables(r))
    assert why is None and fig is not None and fig.how == "code"
    assert fig.amount.row_code == "201" and fig.amount.column == "合计"


# ---- shares and rates ----------------------------------------------------------------------------------


def test_a_stated_share_is_the_amount_over_the_tables_total() -> None:
    good = narrative_of(with_prose(expenditure(), "基本支出60.00万元，占60.00%。"))
    (share,) = stated(good, "prose p1 “基本支出” share 60.00% = table amount / 表3 合计")
    assert share.outcome == "pass" and share.rhs == Decimal(60)
    bad = narrative_of(with_prose(expenditure(), "基本支出60.00万元，占65.00%。"))
    (wrong,) = stated(bad, "prose p1 “基本支出” share 65.00%")
    assert wrong.outcome == "fail" and wrong.tolerance == Decimal("0.005")


def test_a_share_of_a_stated_amount_that_is_not_the_tables_is_checked_twice() -> None:
    found = narrative_of(with_prose(expenditure(), "基本支出50.00万元，占50.00%。"))
    shares = stated(found, "prose p1 “基本支出” share 50.00%")
    assert sorted((i.instance.split(" = ")[1], i.outcome) for i in shares) == [
        ("stated 50.00万元 / 表3 合计", "pass"), ("table amount / 表3 合计", "fail")]


def test_a_stated_change_rate_is_the_change_over_last_years_figure() -> None:
    line = "2026年收支总预算120.00万元，比2025年预算减少20.00万元，下降{}%。"
    (good,) = stated(narrative_of(report(prose=[line.format("14.29")])), "prose p1 “收支总预算” change 14.29%")
    assert good.outcome == "rounding" and good.lhs == Decimal("-14.29")
    assert good.instance.endswith("= 20.00 / (120.00 - (-20))")
    (bad,) = stated(narrative_of(report(prose=[line.format("16.67")])), "prose p1 “收支总预算” change 16.67%")
    assert bad.outcome == "fail"


# ---- the prose's own arithmetic -----------------------------------------------------------------------


def test_a_stated_whole_equals_the_parts_listed_once_however_many_readings_find_them() -> None:
    line = "政府采购预算10.00万元，其中：货物采购4.00万元、工程采购3.00万元、服务采购{}万元。"
    good = stated(narrative_of(report(prose=[line.format("3.00")])), "prose p1 “政府采购预算 10.00万元” = ")
    assert [(i.instance, i.outcome) for i in good] == [
        ("prose p1 “政府采购预算 10.00万元” = 货物采购 4.00 + 工程采购 3.00 + 服务采购 3.00", "pass")]
    (bad,) = stated(narrative_of(report(prose=[line.format("2.00")])), "prose p1 “政府采购预算 10.00万元” = ")
    assert bad.outcome == "fail" and bad.tolerance == 0 and bad.rhs == Decimal("9.00")


def test_a_numbered_list_sums_to_the_amount_it_breaks_down() -> None:
    line = "人员经费50.00万元，包括：1.工资福利支出30.00万元；2.对个人和家庭的补助{}万元。"
    (good,) = stated(narrative_of(report(prose=[line.format("20.00")])), "prose p1 “人员经费 50.00万元” = ")
    assert good.outcome == "pass" and good.instance.endswith("工资福利支出 30.00 + 对个人和家庭的补助 20.00")
    (bad,) = stated(narrative_of(report(prose=[line.format("20.01")])), "prose p1 “人员经费 50.00万元” = ")
    assert bad.outcome == "fail" and "no larger than the rounding" in (bad.detail or "")


def test_a_partial_list_is_not_evaluated() -> None:
    line = "支出预算100.00万元，其中：一般公共服务支出30.00万元、教育支出20.00万元。"
    (inst,) = stated(narrative_of(report(prose=[line])), "prose p1 “支出预算 100.00万元” = ")
    assert inst.outcome == "not_evaluated" and "partial list" in (inst.not_evaluated or "")


def test_an_items_headline_equals_the_budget_it_restates() -> None:
    line = "（一）住房公积金208.80万元，主要用于缴纳住房公积金。2026年预算安排{}万元。"
    (good,) = stated(narrative_of(report(prose=[line.format("208.80")])), "prose p1 “住房公积金 208.80万元” = 预算安排")
    assert good.outcome == "pass"
    (bad,) = stated(narrative_of(report(prose=[line.format("201.50")])), "prose p1 “住房公积金 208.80万元” = 预算安排")
    assert bad.outcome == "fail" and bad.rhs == Decimal("201.50") and len(bad.compared) == 2


# ---- last year's figure against the performance form --------------------------------------------------


def prior_year(last_year: str) -> Report:
    summary = table("summary", ["收入/项目", "收入/预算数", "支出/项目", "支出/预算数"],
                    [["收入总计", "120.00", "支出总计", "120.00"]], no="表1")
    form = table("overall_performance", ["项目", "近两年收支金额/2025年", "近两年收支金额/2026年"],
                 [["合计", last_year, "120.00"]], no="表11", page=17)
    return report(summary, form, prose=["一、收支预算总体情况说明", "2026年收支总预算120.00万元，比2025年减少20.00万元。"])


def test_last_years_figure_a_stated_change_implies_agrees_with_the_performance_form() -> None:
    (inst,) = narrative_prior_year(prior_year("140.00"), identity("prose_last_year_figures_match_performance_table"))
    assert inst.instance == "prose p1 “收支总预算” last year 120.00 + 20.00 = 表11 合计 近两年收支金额/2025年"
    assert inst.outcome == "pass" and inst.lhs == inst.rhs == Decimal(140) and inst.tolerance == Decimal("0.01")
    assert [s.role for s in inst.compared] == ["claim", "rhs"] and inst.compared[1].page == 17


def test_last_years_figure_that_the_performance_form_does_not_print_fails() -> None:
    (inst,) = narrative_prior_year(prior_year("150.00"), identity("prose_last_year_figures_match_performance_table"))
    assert inst.outcome == "fail" and inst.difference == Decimal(-10)


def test_a_change_whose_subject_is_no_metric_of_the_form_is_not_compared() -> None:
    r = prior_year("140.00")
    other = report(*r.tables, prose=["某某专项经费120.00万元，比2025年减少20.00万元。"])
    assert narrative_prior_year(other, identity("prose_last_year_figures_match_performance_table")) == []


# ---- the look-ups ---------------------------------------------------------------------------------------


def test_a_subject_is_read_without_its_marker_and_trailing_budget() -> None:
    assert normalise("（一）“三公”经费（201类）") == "三公经费"
    restated = Claim(1, 1, "2026年预算数4.20万元。", "2026年预算数", "amount", Decimal("4.20"), "万元", "4.20", None,
                     item="3.公务用车购置和运行维护费。")
    assert subject_of(restated) == "公务用车购置和运行维护费"  # a bare 预算数 is about its item
    assert subject_of(replace(restated, subject="基本支出预算数")) == "基本支出"
    assert heading_table_types("四、关于财政拨款收支总表的说明") == ["fiscal_summary"]
