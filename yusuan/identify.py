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

_VOC = vocabulary()
# 武昌区科学技术和经济信息化局 2024 年单位预算 / 江苏省人大常委会办公厅2017年部门预算
_ORG_YEAR_KIND = _VOC.word("body_year_kind")
# 2024年上海市普陀区财政局部门决算
_YEAR_ORG_KIND = _VOC.word("year_body_kind")
# 预算主管部门：上海市普陀区司法局 / 编制部门：… / 部门：江苏省人大常委会办公厅 单位：万元
_DEPT_LINE = _VOC.word("body_line")
_COMPILED_BY = _VOC.word("compiled_by_label")
_REGIONAL_LEVEL = _VOC.word("government_level")
_LEADING_NOISE = _VOC.word("heading_before_body")
# whose report (部门 | 单位) and which kind (预算 | 决算): kept as the report prints them, for its title
_DEPARTMENT_REPORT = _VOC.word("department_report")
_UNIT_REPORT = _VOC.word("unit_report")
_WHO = re.compile(f"{_DEPARTMENT_REPORT.pattern}|{_UNIT_REPORT.pattern}")
_FINAL = _VOC.kind["final"]
_KIND_IN_NUMBER = _VOC.word("kind_in_table_number")
_TITLE_TO_TABLE_WORD = _VOC.word("title_to_table_word")
_WHOSE_TABLE = _VOC.word("whose_table")
_BODY_NAME_FIELD = _VOC.word("body_name_field")
_YEAR_STATED = _VOC.word("year_stated")
_UNIT_CODE_HEADER = _VOC.word("unit_code_header")
_SUBJECT_HEADER = _VOC.word("subject_header")
_SPACING_AND_QUOTES = _VOC.word("spacing_and_quotes")
_OPEN_BRACKET = _VOC.word("full_width_open_bracket")
_CLOSE_BRACKET = _VOC.word("full_width_close_bracket")
_OWN_LEVEL = _VOC.word("own_level_suffix")


def _said(pattern: re.Pattern[str], text: str) -> str:
    """The words of `pattern` as `text` prints them (the caller knows they are there)."""
    m = pattern.search(text)
    assert m is not None, (pattern.pattern, text)
    return m.group(0)


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
        if reading is not None and reading.kind_word:
            kinds[reading.kind_word] += 1
        elif numbered := _KIND_IN_NUMBER.search(text):
            kinds[final.group(0) if (final := _FINAL.search(text)) else numbered.group("kind")] += 1
        m = _WHOSE_TABLE.search(_TITLE_TO_TABLE_WORD.sub("", text))
        if t.table_type and m:
            whos[_said(_WHO, m.group(1))] += 1
        for c in t.cells:
            if name is None and c.kind == "field" and _BODY_NAME_FIELD.fullmatch(c.column_name or ""):
                name = re.sub(r"\s+", "", c.raw_text) or None
                if department := _DEPARTMENT_REPORT.match(c.column_name):
                    whos[department.group(0)] += 1
    kind = kinds.most_common(1)[0][0] if kinds else None
    who = whos.most_common(1)[0][0] if whos else None
    return kind, who, name


def _sections_say(lines: list[str]) -> str | None:
    """Whose report the sections say, where nothing else does (第一部分 部门概况: a department's)."""
    for text in lines:
        m = _VOC.word("department_sections").search(re.sub(r"\s+", "", text))
        if m:
            return m.group(1)
    return None


# complexity above the limit, kept: each source of the identity in turn
def identify_report(*, all_lines_text: list[str], metadata: dict[str, Any], tables: list[Table],  # noqa: C901
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
    line_who = Counter(_said(_WHO, m.group("label"))
                       for m in matches if not _COMPILED_BY.fullmatch(m.group("label"))).most_common(1)
    department = year = None
    who = kind = None
    title = None
    if cands:
        counts = Counter((c[0], c[1]) for c in cands)
        (department, year), _ = counts.most_common(1)[0]
        whos = [c[2] for c in cands if c[2]]
        who = Counter(whos).most_common(1)[0][0] if whos else None
        finals = [c[3] for c in cands if _FINAL.fullmatch(c[3])]
        budgets = [c[3] for c in cands if not _FINAL.fullmatch(c[3])]
        kind = finals[0] if finals and len(finals) >= len(budgets) else budgets[0]
    if dept_lines:
        # a department named on its own line beats one read off a title
        department = Counter(dept_lines).most_common(1)[0][0]
    table_kind, table_who, form_name = _from_tables(tables)
    department = department or form_name
    kind = kind or table_kind
    who = who or table_who or (line_who[0][0] if line_who else None) or _sections_say(all_lines_text)
    if year is None:
        years = Counter(int(y) for t in all_lines_text for y in _YEAR_STATED.findall(t))
        year = years.most_common(1)[0][0] if years else None
    if department and year is not None and kind is not None:
        title = f"{department} {year} 年{who or ''}{kind}"
    report_kind = None
    if kind is not None:
        suffix = "final" if _FINAL.fullmatch(kind) else "budget"
        if who is not None and _UNIT_REPORT.fullmatch(who):
            report_kind = f"unit_{suffix}"
        elif who is not None and _DEPARTMENT_REPORT.fullmatch(who):
            report_kind = f"dept_{suffix}"
        elif suffix == "final":
            report_kind = "dept_final"  # recognised as final accounts either way
    codes: list[str] = []
    for t in tables:
        unit_coded = any(_UNIT_CODE_HEADER.search(h) and not _SUBJECT_HEADER.search(h) for h in t.header)
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


def body_key(name: str | None, report_kind: str | None = None) -> str | None:
    """The body a report is of, as a key linking its reports across years and kinds: the name as printed,
    without spacing, quotes or bracket variants, and without a trailing （本级）; given the report's kind, then
    /dept (a department's report: all its units) or /unit (one unit's, such as the department's own 本级), so a
    部门 and its own 本级 单位 are never one body."""
    if not name:
        return None
    s = _CLOSE_BRACKET.sub(")", _OPEN_BRACKET.sub("(", _SPACING_AND_QUOTES.sub("", name)))
    key = _OWN_LEVEL.sub("", s) or None
    if key is None or not report_kind:
        return key
    return f"{key}/{report_kind.split('_')[0]}"
