"""Synthetic budget disclosures: distinct, internally consistent reports built from one set of figures.

`build(path, seed)` writes a department budget (预算) whose every identity holds exactly: a cover,
a 情况说明 page whose stated figures are the tables' own, and seven tables (收支总表, 收入总表,
支出总表, 财政拨款收支总表, 一般公共预算支出表, 一般公共预算基本支出表, “三公”经费支出表), ruled
as the published ones are. The figures follow from the seed; every amount is a whole number of
fen of 万元, so every sum is exact and there is no rounding to explain. A clean report built
this way must pass every check with nothing flagged; a benchmark builds many of them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

_BUREAUS = ["统计局", "审计局", "档案局", "科学技术局", "司法局", "民政局", "文化和旅游局", "商务局", "水务局", "气象局"]
_CITIES = ["东川", "西岭", "南浦", "北湖", "青石", "白沙", "临江", "安平", "长宁", "永和"]


@dataclass(frozen=True)
class Figures:
    """The figures of one synthetic budget, in 万元."""

    department: str
    year: int
    wages: Decimal          # 30101 基本工资 (2010301 行政运行, 人员经费)
    pension: Decimal        # 30108 = 2080505 机关事业单位基本养老保险缴费支出
    housing: Decimal        # 30113 = 2210201 住房公积金
    office: Decimal         # 30201 办公费
    overseas: Decimal       # 30212 因公出国（境）费用
    reception: Decimal      # 30217 公务接待费
    vehicles: Decimal       # 30231 公务用车运行维护费
    projects: Decimal       # 2010302 一般行政管理事务 (项目支出)
    reception_projects: Decimal  # 公务接待费 paid from projects (三公 covers it, the basic table does not)

    @property
    def personnel(self) -> Decimal:
        return self.wages + self.pension + self.housing

    @property
    def operating(self) -> Decimal:
        return self.office + self.overseas + self.reception + self.vehicles

    @property
    def basic(self) -> Decimal:
        return self.personnel + self.operating

    @property
    def general(self) -> Decimal:  # 201 一般公共服务支出
        return self.wages + self.operating + self.projects

    @property
    def total(self) -> Decimal:
        return self.basic + self.projects

    @property
    def three_public(self) -> Decimal:
        return self.overseas + self.vehicles + self.reception + self.reception_projects


def figures(seed: int) -> Figures:
    rng = random.Random(seed)

    def amount(low: int, high: int) -> Decimal:
        return Decimal(rng.randint(low * 100, high * 100)) / 100

    department = f"{_CITIES[seed % len(_CITIES)]}市{_BUREAUS[(seed // len(_CITIES)) % len(_BUREAUS)]}"
    if seed >= len(_CITIES) * len(_BUREAUS):
        department = f"{department}第{seed // (len(_CITIES) * len(_BUREAUS)) + 1}分局"
    return Figures(department=department, year=2020 + seed % 6, wages=amount(300, 900), pension=amount(40, 120),
                   housing=amount(30, 90), office=amount(10, 60), overseas=amount(1, 9), reception=amount(1, 5),
                   vehicles=amount(2, 12), projects=amount(50, 400), reception_projects=amount(0, 3))


def _classes(f: Figures) -> list[tuple[str, str, Decimal, Decimal]]:
    """The functional classes of the body's spending: (code, name, basic, project)."""
    zero = Decimal(0)
    return [("201", "一般公共服务支出", f.wages + f.operating, f.projects),
            ("20103", "政府办公厅（室）及相关机构事务", f.wages + f.operating, f.projects),
            ("2010301", "行政运行", f.wages + f.operating, zero),
            ("2010302", "一般行政管理事务", zero, f.projects),
            ("208", "社会保障和就业支出", f.pension, zero),
            ("20805", "行政事业单位养老支出", f.pension, zero),
            ("2080505", "机关事业单位基本养老保险缴费支出", f.pension, zero),
            ("221", "住房保障支出", f.housing, zero),
            ("22102", "住房改革支出", f.housing, zero),
            ("2210201", "住房公积金", f.housing, zero)]


def _m(x: Decimal) -> str:
    return f"{x:,.2f}"


class _Document:
    """A report being written: a cover, prose and ruled tables, in a CJK font as the published ones."""

    def __init__(self, dept: str, yr: str) -> None:
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        self.dept, self.yr = dept, yr
        self.title = ParagraphStyle("title", fontName="STSong-Light", fontSize=16, leading=22, alignment=1)
        self.cover_style = ParagraphStyle("cover", fontName="STSong-Light", fontSize=26, leading=40, alignment=1)
        self.body = ParagraphStyle("body", fontName="STSong-Light", fontSize=11, leading=18, firstLineIndent=22)
        self.unit = ParagraphStyle("unit", fontName="STSong-Light", fontSize=9, leading=12, alignment=2)
        self.story: list[object] = []

    def cover(self, kind: str) -> None:
        from reportlab.platypus import PageBreak, Paragraph, Spacer

        self.story += [Spacer(1, 200), Paragraph(self.dept, self.cover_style),
                       Paragraph(f"{self.yr}年{kind}", self.cover_style), PageBreak()]

    def prose(self, heading: str, sentences: list[str]) -> None:
        from reportlab.platypus import PageBreak, Paragraph, Spacer

        self.story += [Paragraph(heading, self.title), Spacer(1, 8)]
        self.story += [Paragraph(text, self.body) for text in sentences] + [PageBreak()]

    def contents(self, entries: list[str]) -> None:
        """A 目录 page listing `entries` (一、部门收支总表 …)."""
        from reportlab.platypus import PageBreak, Paragraph, Spacer

        self.story += [Paragraph("目录", self.title), Spacer(1, 8)]
        self.story += [Paragraph(f"{entry}……{i + 3}", self.body) for i, entry in enumerate(entries)] + [PageBreak()]

    def table(self, number: int, title_of: str, rows: list[list[str]], header_rows: int = 1,
              spans: list[tuple[tuple[int, int], tuple[int, int]]] | None = None,
              widths: list[float] | None = None, note: str | None = None) -> None:
        from reportlab.lib import colors
        from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle

        t = Table(rows, colWidths=widths or [70] + [180] + [90] * (len(rows[0]) - 2), repeatRows=header_rows)
        style = [("FONT", (0, 0), (-1, -1), "STSong-Light", 9), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                 ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER"),
                 ("ALIGN", (2, header_rows), (-1, -1), "RIGHT")]
        style += [("SPAN", a, b) for a, b in spans or []]
        t.setStyle(TableStyle(style))
        self.story.extend([Paragraph(f"表{number}", self.unit), Paragraph(f"{self.dept}{self.yr}年{title_of}", self.title),
                           Paragraph("单位：万元", self.unit), Spacer(1, 4), t]
                          + ([Spacer(1, 6), Paragraph(note, self.body)] if note else []) + [PageBreak()])

    def save(self, path: Path, kind: str) -> None:
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.platypus import SimpleDocTemplate

        SimpleDocTemplate(str(path), pagesize=landscape(A4), title=f"{self.dept}{self.yr}年{kind}").build(self.story)


TABLES = ["部门收支总表", "部门收入总表", "部门支出总表", "财政拨款收支总表", "一般公共预算支出表", "一般公共预算基本支出表",
          "一般公共预算“三公”经费支出表", "政府性基金预算支出表"]


def build(path: Path, seed: int = 0, *, name: str | None = None, year: str | None = None,
          prose: tuple[str, ...] = (), contents: list[str] | None = None, omit: tuple[str, ...] = (),
          altered: tuple[str, int, int, str] | None = None, fig: Figures | None = None,
          units: list[tuple[str, Decimal]] | None = None, kind: str = "部门预算") -> Figures:
    """Write the synthetic report of `seed` to `path`; return its figures.

    `name` and `year` replace the body's name and the year as printed (XX局, 202X: a template); `prose`
    adds sentences to the 情况说明; `contents` prints a 目录 of these entries; `omit` leaves out the tables
    of these titles (TABLES); `altered` (title, row, column, text) prints `text` in that cell of that table
    instead of its figure (row and column count from 0, header rows included): a planted defect. `fig` gives
    the figures instead of the seed (a 部门 that sums its units: `combined`); `units` (name, 合计) lists the
    收入总表 by unit instead of by 科目; `kind` is 部门预算 or 单位预算."""
    f = figures(seed) if fig is None else fig
    dept = f.department if name is None else name
    yr = str(f.year) if year is None else year
    zero = Decimal(0)
    doc = _Document(dept, yr)

    def table(number: int, title_of: str, rows: list[list[str]], **kw: Any) -> None:
        if altered is not None and altered[0] == title_of:
            rows[altered[1]][altered[2]] = altered[3]
        if title_of not in omit:
            doc.table(number, title_of, rows, **kw)

    # the cover, the 目录 and the 情况说明
    doc.cover(kind)
    if contents is not None:
        doc.contents(contents)
    doc.prose(f"{dept}{yr}年{kind}情况说明", [
        f"一、收支预算总体情况。{yr}年{dept}收入预算{_m(f.total)}万元，支出预算{_m(f.total)}万元。",
        f"二、一般公共预算支出情况。{yr}年一般公共预算支出{_m(f.total)}万元，其中：基本支出{_m(f.basic)}万元，"
        f"项目支出{_m(f.projects)}万元。",
        f"三、“三公”经费预算情况。{yr}年“三公”经费预算{_m(f.three_public)}万元，其中：因公出国（境）费"
        f"{_m(f.overseas)}万元，公务用车购置及运行费{_m(f.vehicles)}万元，公务接待费"
        f"{_m(f.reception + f.reception_projects)}万元。",
    ] + list(prose))

    classes = _classes(f)
    personnel = {"2010301": f.wages, "2080505": f.pension, "2210201": f.housing,
                 "201": f.wages, "20103": f.wages, "208": f.pension, "20805": f.pension, "221": f.housing,
                 "22102": f.housing}

    side = [["收入", "", "支出", ""], ["项目", "预算数", "项目", "预算数"]]
    table(1, "部门收支总表", side + [
        ["一、一般公共预算拨款收入", _m(f.total), "一、一般公共服务支出", _m(f.general)],
        ["二、政府性基金预算拨款收入", _m(zero), "二、社会保障和就业支出", _m(f.pension)],
        ["三、国有资本经营预算拨款收入", _m(zero), "三、住房保障支出", _m(f.housing)],
        ["本年收入合计", _m(f.total), "本年支出合计", _m(f.total)],
        ["上年结转结余", _m(zero), "年终结转结余", _m(zero)],
        ["收入总计", _m(f.total), "支出总计", _m(f.total)],
    ], header_rows=2, spans=[((0, 0), (1, 0)), ((2, 0), (3, 0))], widths=[190, 90, 190, 90])
    if units is None:
        table(2, "部门收入总表", [["科目编码", "科目名称", "合计", "一般公共预算拨款收入", "上年结转结余"],
                                ["", "合计", _m(f.total), _m(f.total), _m(zero)]]
              + [[c, n, _m(b + p), _m(b + p), _m(zero)] for c, n, b, p in classes])
    else:  # by unit, as many 部门 print it: 单位名称 and the unit's 合计
        table(2, "部门收入总表", [["单位名称", "合计", "一般公共预算拨款收入", "上年结转结余"],
                                ["合计", _m(f.total), _m(f.total), _m(zero)]]
              + [[n, _m(t), _m(t), _m(zero)] for n, t in units], widths=[250, 90, 90, 90])
    table(3, "部门支出总表", [["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
                            ["", "合计", _m(f.total), _m(f.basic), _m(f.projects)]]
          + [[c, n, _m(b + p), _m(b), _m(p)] for c, n, b, p in classes])
    table(4, "财政拨款收支总表", side + [
        ["一、本年收入", _m(f.total), "一、本年支出", _m(f.total)],
        ["（一）一般公共预算拨款", _m(f.total), "（一）一般公共服务支出", _m(f.general)],
        ["（二）政府性基金预算拨款", _m(zero), "（二）社会保障和就业支出", _m(f.pension)],
        ["（三）国有资本经营预算拨款", _m(zero), "（三）住房保障支出", _m(f.housing)],
        ["二、上年结转", _m(zero), "二、年终结转结余", _m(zero)],
        ["收入总计", _m(f.total), "支出总计", _m(f.total)],
    ], header_rows=2, spans=[((0, 0), (1, 0)), ((2, 0), (3, 0))], widths=[190, 90, 190, 90])
    table(5, "一般公共预算支出表", [
        ["科目编码", "科目名称", "合计", "基本支出", "", "", "项目支出"],
        ["", "", "", "小计", "人员经费", "公用经费", ""],
        ["", "合计", _m(f.total), _m(f.basic), _m(f.personnel), _m(f.operating), _m(f.projects)],
    ] + [[c, n, _m(b + p), _m(b), _m(personnel.get(c, zero)), _m(b - personnel.get(c, zero)), _m(p)]
         for c, n, b, p in classes], header_rows=2,
        spans=[((0, 0), (0, 1)), ((1, 0), (1, 1)), ((2, 0), (2, 1)), ((3, 0), (5, 0)), ((6, 0), (6, 1))],
        widths=[60, 170, 75, 75, 75, 75, 75])
    economic = [("301", "工资福利支出", f.personnel, zero), ("30101", "基本工资", f.wages, zero),
                ("30108", "机关事业单位基本养老保险缴费", f.pension, zero), ("30113", "住房公积金", f.housing, zero),
                ("302", "商品和服务支出", zero, f.operating), ("30201", "办公费", zero, f.office),
                ("30212", "因公出国（境）费用", zero, f.overseas), ("30217", "公务接待费", zero, f.reception),
                ("30231", "公务用车运行维护费", zero, f.vehicles)]
    table(6, "一般公共预算基本支出表", [["科目编码", "科目名称", "合计", "人员经费", "公用经费"],
                                  ["", "合计", _m(f.basic), _m(f.personnel), _m(f.operating)]]
          + [[c, n, _m(p + o), _m(p), _m(o)] for c, n, p, o in economic])
    table(7, "一般公共预算“三公”经费支出表", [
        ["合计", "因公出国（境）费", "公务用车购置及运行费", "", "", "公务接待费"],
        ["", "", "小计", "公务用车购置费", "公务用车运行费", ""],
        [_m(f.three_public), _m(f.overseas), _m(f.vehicles), _m(zero), _m(f.vehicles),
         _m(f.reception + f.reception_projects)],
    ], header_rows=2, spans=[((0, 0), (0, 1)), ((1, 0), (1, 1)), ((2, 0), (4, 0)), ((5, 0), (5, 1))],
        widths=[90] * 6)
    table(8, "政府性基金预算支出表", [["科目编码", "科目名称", "合计", "基本支出", "项目支出"], ["", "", "", "", ""]],
          note="注：本部门无政府性基金预算拨款支出，故本表无数据。")
    doc.save(path, kind)
    return f


def combined(name: str, parts: list[Figures]) -> Figures:
    """The figures of a 部门 made of `parts` (its units): each figure the sum of theirs."""
    from dataclasses import fields, replace

    sums = {fl.name: sum((getattr(p, fl.name) for p in parts), Decimal(0)) for fl in fields(Figures)
            if fl.type in ("Decimal", Decimal)}
    return replace(parts[0], department=name, **sums)


def build_final(path: Path, seed: int = 0, *, reception_budget: Decimal = Decimal(0),
                prose: tuple[str, ...] = ()) -> Figures:
    """Write the 决算 of the synthetic body of `seed` for the same year as its budget: every figure spent as
    budgeted, the “三公” table printing 预算数 (the budget's) beside 决算数. `reception_budget` is added to
    the 预算数 of 公务接待费 (and so of the 合计) the 决算 prints: a difference from the budget planted."""
    f = figures(seed)
    zero = Decimal(0)
    doc = _Document(f.department, str(f.year))
    doc.cover("部门决算")
    doc.prose(f"{f.department}{f.year}年度部门决算情况说明", [
        f"一、收入支出决算总体情况。{f.year}年度收入、支出总计均为{_m(f.total)}万元。",
    ] + list(prose))
    classes = _classes(f)
    two = [((0, 0), (1, 0)), ((2, 0), (3, 0))]
    doc.table(1, "收入支出决算总表", [["收入", "", "支出", ""], ["项目", "决算数", "项目", "决算数"],
        ["一、财政拨款收入", _m(f.total), "一、一般公共服务支出", _m(f.general)],
        ["二、其他收入", _m(zero), "二、社会保障和就业支出", _m(f.pension)],
        ["", "", "三、住房保障支出", _m(f.housing)],
        ["本年收入合计", _m(f.total), "本年支出合计", _m(f.total)],
        ["年初结转和结余", _m(zero), "年末结转和结余", _m(zero)],
        ["总计", _m(f.total), "总计", _m(f.total)]], header_rows=2, spans=two, widths=[190, 90, 190, 90])
    doc.table(2, "收入决算表", [["科目编码", "科目名称", "本年收入合计", "财政拨款收入", "其他收入"],
                              ["", "合计", _m(f.total), _m(f.total), _m(zero)]]
              + [[c, n, _m(b + p), _m(b + p), _m(zero)] for c, n, b, p in classes])
    doc.table(3, "支出决算表", [["科目编码", "科目名称", "本年支出合计", "基本支出", "项目支出"],
                              ["", "合计", _m(f.total), _m(f.basic), _m(f.projects)]]
              + [[c, n, _m(b + p), _m(b), _m(p)] for c, n, b, p in classes])
    doc.table(4, "财政拨款收入支出决算总表", [["收入", "", "支出", ""], ["项目", "决算数", "项目", "决算数"],
        ["一、一般公共预算财政拨款", _m(f.total), "一、一般公共服务支出", _m(f.general)],
        ["二、政府性基金预算财政拨款", _m(zero), "二、社会保障和就业支出", _m(f.pension)],
        ["三、国有资本经营预算财政拨款", _m(zero), "三、住房保障支出", _m(f.housing)],
        ["本年收入合计", _m(f.total), "本年支出合计", _m(f.total)],
        ["年初财政拨款结转和结余", _m(zero), "年末财政拨款结转和结余", _m(zero)],
        ["总计", _m(f.total), "总计", _m(f.total)]], header_rows=2, spans=two, widths=[190, 90, 190, 90])
    doc.table(5, "一般公共预算财政拨款支出决算表", [["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
                                            ["", "合计", _m(f.total), _m(f.basic), _m(f.projects)]]
              + [[c, n, _m(b + p), _m(b), _m(p)] for c, n, b, p in classes])
    doc.table(6, "一般公共预算财政拨款基本支出决算表", [["科目编码", "科目名称", "决算数"],
        ["301", "工资福利支出", _m(f.personnel)], ["30101", "基本工资", _m(f.wages)],
        ["30108", "机关事业单位基本养老保险缴费", _m(f.pension)], ["30113", "住房公积金", _m(f.housing)],
        ["", "人员经费合计", _m(f.personnel)],
        ["302", "商品和服务支出", _m(f.operating)], ["30201", "办公费", _m(f.office)],
        ["30212", "因公出国（境）费用", _m(f.overseas)], ["30217", "公务接待费", _m(f.reception)],
        ["30231", "公务用车运行维护费", _m(f.vehicles)], ["", "公用经费合计", _m(f.operating)]],
        widths=[70, 180, 90])
    reception = f.reception + f.reception_projects
    printed = [(f.three_public + reception_budget, f.three_public), (f.overseas, f.overseas),
               (f.vehicles, f.vehicles), (zero, zero), (f.vehicles, f.vehicles),
               (reception + reception_budget, reception)]
    doc.table(7, "财政拨款“三公”经费支出决算表", [
        ["合计", "", "因公出国（境）费", "", "公务用车购置及运行费", "", "", "", "", "", "公务接待费", ""],
        ["", "", "", "", "小计", "", "公务用车购置费", "", "公务用车运行费", "", "", ""],
        ["预算数", "决算数"] * 6,
        [_m(x) for pair in printed for x in pair],
    ], header_rows=3, spans=[((0, 0), (1, 1)), ((2, 0), (3, 1)), ((4, 0), (9, 0)), ((10, 0), (11, 1)),
                             ((4, 1), (5, 1)), ((6, 1), (7, 1)), ((8, 1), (9, 1))], widths=[60] * 12)
    doc.table(8, "政府性基金预算财政拨款收入支出决算表", [["科目编码", "科目名称", "本年支出"], ["", "", ""]],
              widths=[70, 180, 90], note="注：本部门无政府性基金预算财政拨款收入支出，故本表无数据。")
    doc.save(path, "部门决算")
    return f
