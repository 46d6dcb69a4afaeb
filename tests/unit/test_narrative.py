"""Claims read from the prose, sentence by sentence, and the numbered lists they open."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from build import check, report

from yusuan.model import NarrativeParagraph
from yusuan.narrative import cn_number as _cn_number
from yusuan.narrative import extract_claims


def claims_of(*texts: str) -> list[Any]:
    return extract_claims([NarrativeParagraph(page=1, text=t) for t in texts])


def stated_sums(*texts: str) -> dict[str, tuple[Decimal, Decimal]]:
    """The prose's own sums (a stated amount = the parts it lists), as the narrative identity finds them."""
    found = check("narrative_figures_agree_with_tables", report(prose=texts))
    return {i.instance: (i.lhs, i.rhs) for i in found if " + " in i.instance and i.not_evaluated is None}


def test_a_year_is_never_an_amount_and_changes_refer_to_their_sentence() -> None:
    claims = claims_of("2024 年单位收支总预算 1,272.07 万元，比 2023 年预算减少 267.33万元，下降 17.37%。")
    assert [(c.kind, c.subject, c.value) for c in claims] == [
        ("amount", "单位收支总预算", Decimal("1272.07")),
        ("change", "比2023年预算减少", Decimal("-267.33")),
        ("change_pct", "下降", Decimal("-17.37")),
    ]
    assert claims[1].base_seq == claims[2].base_seq == claims[0].seq


def test_a_percentage_is_not_paired_with_an_amount_of_another_sentence() -> None:
    claims = claims_of("基本支出 1,077.07 万元。占比 84.67%。")
    assert [c.kind for c in claims] == ["amount"]


def test_numbered_list_in_the_same_sentence_and_across_sentences() -> None:
    found = stated_sums(
        "一般公共预算基本支出 1,077.07 万元，其中：（一）人员经费 995.07 万元，包括：1.工资福利支出 844.85 万元，"
        "主要用于基本工资。2.对个人和家庭的补助 150.22 万元，主要用于退休费。（二）公用经费 82 万元。"
        "七、“三公”经费支出 0.9 万元，比 2023 年预算增加 0.03 万元。"
        "其中：1.因公出国(境)经费 0 万元。2.公务用车购置及运行维护费 0 万元。3.公务接待费 0.9 万元。")
    assert found == {
        "prose p1 “一般公共预算基本支出 1,077.07万元” = 人员经费 995.07 + 公用经费 82": (Decimal("1077.07"), Decimal("1077.07")),
        "prose p1 “人员经费 995.07万元” = 工资福利支出 844.85 + 对个人和家庭的补助 150.22":
            (Decimal("995.07"), Decimal("995.07")),
        "prose p1 “三公”经费支出 0.9万元” = 因公出国(境)经费 0 + 公务用车购置及运行维护费 0 + 公务接待费 0.9":
            (Decimal("0.9"), Decimal("0.9")),
    }


def test_a_list_of_larger_items_is_not_a_breakdown() -> None:
    assert stated_sums("主要原因是政策性增资，增加基本支出 844.15 万元。其中：（一）收入预算总计 13649.07 万元。"
                       "（二）支出预算总计 13649.07 万元。") == {}


def test_list_without_numbering_or_introduction_is_not_summed() -> None:
    assert stated_sums("人员经费 995.07 万元，公用经费 82 万元，项目经费 195 万元。") == {}


def test_chinese_numerals() -> None:
    assert [_cn_number(n) for n in ("一", "九", "十", "十一", "二十三", "九十九", "百", "十十")] == [
        1, 9, 10, 11, 23, 99, 0, 0]


def test_boxing_the_claims_joins_the_prose_once_however_long_it_is(monkeypatch: Any) -> None:
    """400 pages of prose, a sentence with an amount on each: the lines are joined once (not once per claim, which
    made boxing quadratic in the prose), and each claim is boxed on its own page's line."""
    import yusuan.narrative as narrative

    made = []
    original = narrative.ProseLines.__init__

    def counted(self: Any, paragraphs: Any) -> None:
        made.append(len(paragraphs))
        original(self, paragraphs)

    monkeypatch.setattr(narrative.ProseLines, "__init__", counted)
    paragraphs = [NarrativeParagraph(page=n, text=f"一、收入预算\n2024年收入预算{n},000.00万元。",
                                     line_boxes=((50.0, 100.0, 300.0, 112.0), (50.0, 120.0 + n % 7, 400.0, 132.0 + n % 7)))
                  for n in range(1, 401)]
    claims = extract_claims(paragraphs, 2024)
    assert made == [400]
    amounts = [c for c in claims if c.kind == "amount"]
    assert len(amounts) == 400
    assert all(c.box == (50.0, 120.0 + c.page % 7, 400.0, 132.0 + c.page % 7) for c in amounts)
    assert all(c.value == Decimal(f"{c.page}000.00") for c in amounts)
