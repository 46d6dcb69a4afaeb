"""Who published a report, for which year, and what kind of report it is.

Read from the report's own words: its title (`XX局 2024 年单位预算`, `2024年XX局部门决算`),
the PDF's title metadata, and the codes printed in its income and by-unit tables.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from yusuan.model import Placeholder, ReportIdentity, Table
from yusuan.vocabulary import vocabulary

_ORG = r"[\u4e00-\u9fff（）()“”]{2,40}?"
# 武昌区科学技术和经济信息化局 2024 年单位预算 / 江苏省人大常委会办公厅2017年部门预算
_ORG_YEAR_KIND = re.compile(rf"(?P<org>{_ORG})(?P<year>20\d\d)年度?(?P<who>部门|单位)?(?P<kind>预算|决算)")
# 2024年上海市普陀区财政局部门决算
_YEAR_ORG_KIND = re.compile(rf"(?P<year>20\d\d)年度?(?P<org>{_ORG})(?P<who>部门|单位)(?P<kind>预算|决算)")
# 预算主管部门：上海市普陀区司法局 / 编制部门：… / 部门：江苏省人大常委会办公厅 单位：万元
_DEPT_LINE = re.compile(r"(?P<label>预算主管部门|主管部门|编制部门|编制单位|部门名称|单位名称|部门)[:：]"
                        r"(?P<org>[\u4e00-\u9fff（）()]{2,40}?)(?=单位[:：]|金额单位|$)")
_REGIONAL_LEVEL = re.compile(r"(区级|市级|省级|县级|本级)(?=部门|单位|预算|决算)")
_LEADING_NOISE = re.compile(r"^(第[一二三四五六七八九十]+部分|关于|[一二三四五六七八九十]+、)")


def _candidates(texts: Iterable[str]) -> list[tuple[str, int, str | None, str]]:
    found = []
    for text in texts:
        s = re.sub(r"\s+", "", text)
        for pattern in (_ORG_YEAR_KIND, _YEAR_ORG_KIND):
            for m in pattern.finditer(s):
                org = _LEADING_NOISE.sub("", m.group("org"))
                if len(org) >= 2:
                    found.append((org, int(m.group("year")), m.group("who"), m.group("kind")))
    return found


def _decode_hex_title(title: str) -> str:
    """Some producers store the title as hex of GBK bytes ('<BDADCBD5...>')."""
    m = re.fullmatch(r"<?([0-9A-Fa-f]{8,})>?", title.strip())
    if not m:
        return title
    try:
        return bytes.fromhex(m.group(1)).decode("gbk")
    except (ValueError, UnicodeDecodeError):
        return title


def _from_tables(tables: list[Table]) -> tuple[str | None, str | None, str | None]:
    """What the tables themselves say when the text does not: the kind their titles and numbers name
    (预算01表, …决算表), whose they are (部门收支总表, 预算单位收入预算总表) and the name a form prints
    (部门名称 | 北京市审计局)."""
    from yusuan.recognise import read_title

    kinds: Counter[str] = Counter()
    whos: Counter[str] = Counter()
    name = None
    for t in tables:
        text = re.sub(r"\s+", "", f"{t.table_no or ''}{t.title or ''}")
        reading = read_title(t.title or "") if t.title else None
        if reading is not None and reading.kind:
            kinds["决算" if reading.kind == "final" else "预算"] += 1
        elif re.search(r"(预算|决算)\d*表", text):
            kinds["决算" if "决算" in text else "预算"] += 1
        m = re.search(r"(?:^|\d年度?|[：:])(预算单位|单位|部门)", re.sub(r"^[^：:]*表[：:]?", "", text))
        if t.table_type and m:
            whos["单位" if "单位" in m.group(1) else "部门"] += 1
        for c in t.cells:
            if name is None and c.kind == "field" and re.fullmatch(r"(部门|单位)(（单位）)?名称", c.column_name or ""):
                name = re.sub(r"\s+", "", c.raw_text) or None
                if c.column_name.startswith("部门"):
                    whos["部门"] += 1
    kind = kinds.most_common(1)[0][0] if kinds else None
    who = whos.most_common(1)[0][0] if whos else None
    return kind, who, name


def identify_report(*, all_lines_text: list[str], metadata: dict[str, Any], tables: list[Table],
                    cover: list[str] | None = None) -> ReportIdentity:
    """Given the report's text lines, PDF metadata and tables, return its identity.

    The cover (the first page's text before any table, read as one line: 长沙市公安局 / 2025 年部门预算公开)
    is read first; then the PDF's title and the first lines, by majority; then what the tables say."""
    title_meta = _decode_hex_title(str(metadata.get("Title") or ""))
    head = [_REGIONAL_LEVEL.sub("", t) for t in all_lines_text[:60]]
    cover_text = _REGIONAL_LEVEL.sub("", "".join(re.sub(r"\s+", "", t) for t in cover or []))
    cands = (_candidates([cover_text]) if cover_text else []) or _candidates([title_meta] + head) \
        or _candidates([_REGIONAL_LEVEL.sub("", t) for t in all_lines_text])
    matches = [m for t in all_lines_text for m in [_DEPT_LINE.search(re.sub(r"\s+", "", t))] if m]
    dept_lines = [m.group("org") for m in matches]
    # a table headed 部门：… / 部门名称：… is a department's (the unit's line says 单位名称)
    line_who = Counter("部门" if m.group("label").endswith("部门") or m.group("label") == "部门名称" else "单位"
                       for m in matches if m.group("label") != "编制单位").most_common(1)
    department = year = None
    who = kind = None
    title = None
    if cands:
        counts = Counter((c[0], c[1]) for c in cands)
        (department, year), _ = counts.most_common(1)[0]
        whos = [c[2] for c in cands if c[2]]
        who = Counter(whos).most_common(1)[0][0] if whos else None
        kinds = [c[3] for c in cands]
        kind = "决算" if "决算" in kinds and kinds.count("决算") >= kinds.count("预算") else "预算"
    if dept_lines:
        # a department named on its own line beats one read off a title
        department = Counter(dept_lines).most_common(1)[0][0]
    table_kind, table_who, form_name = _from_tables(tables)
    department = department or form_name
    kind = kind or table_kind
    who = who or table_who or (line_who[0][0] if line_who else None)
    if year is None:
        years = Counter(int(y) for t in all_lines_text for y in re.findall(r"(20\d\d)\s*年", t))
        year = years.most_common(1)[0][0] if years else None
    if department and year is not None and kind is not None:
        title = f"{department} {year} 年{who or ''}{kind}"
    report_kind = None
    if kind is not None:
        suffix = "budget" if kind == "预算" else "final"
        if who == "单位":
            report_kind = f"unit_{suffix}"
        elif who == "部门":
            report_kind = f"dept_{suffix}"
        elif kind == "决算":
            report_kind = "dept_final"  # recognised as final accounts either way
    codes: list[str] = []
    for t in tables:
        unit_coded = any(re.search(r"(单位|部门)[（(]?(单位)?[)）]?(代码|编码)$", h) and "科目" not in h
                         for h in t.header)
        if unit_coded:
            for c in t.cells:
                if c.row_code and c.row_code not in codes and len(c.row_code) in (3, 6, 9):
                    codes.append(c.row_code)
    dept_code = min(codes, key=len) if codes else None
    units = Counter(t.unit for t in tables if t.unit and t.table_type)
    money_unit = units.most_common(1)[0][0] if units else None
    return ReportIdentity(department=department, department_code=dept_code, unit_codes=tuple(codes),
                          fiscal_year=year, report_kind=report_kind, title=title, money_unit=money_unit)


def find_placeholders(lines: Iterable[tuple[int, str]], identity: Iterable[tuple[int, str]]) -> list[Placeholder]:
    """Given the document's lines (page, text) and those that say whose report it is (the cover, the titles),
    return what a template leaves to fill in (vocabulary.yaml: placeholders), each where it is printed."""
    said = {(page, re.sub(r"\s+", "", text)) for page, text in identity}
    out = []
    for page, text in lines:
        squeezed = re.sub(r"\s+", "", text)
        for kind, pattern in vocabulary().placeholders.items():
            for m in pattern.finditer(squeezed):
                found = m.group(0) if kind != "blank_year" else squeezed[max(0, m.start() - 8):m.end() + 6]
                out.append(Placeholder(page=page, text=found, line=text.strip(), kind=kind,
                                       in_identity=(page, squeezed) in said))
    return out


def body_key(name: str | None) -> str | None:
    """The body a report is of, as a key linking its reports across years and kinds: the name as printed,
    without spacing, quotes or bracket variants, and without a trailing （本级）."""
    if not name:
        return None
    s = re.sub(r"[\s“”\"'‘’]", "", name).replace("（", "(").replace("）", ")")
    return re.sub(r"\((本级|部门|单位)\)$", "", s) or None
