"""Reading a ruled table: header rows, leaf header paths, column roles and body cells.

Columns are recognised by their header text (code, name, money, percent, text), never by
position alone; each money column takes its row label from the name column of its own
header group, so side-by-side tables (收入 | 支出) label each side with its own items.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from yusuan.grid import Grid
from yusuan.model import Cell
from yusuan.money import is_figure, parse_amount, squeeze
from yusuan.vocabulary import vocabulary

_VOC = vocabulary()
_CODE_HEADER = _VOC.header_roles["code"]
_CODE_PART = _VOC.header_roles["code_part"]
_NAME_HEADER = _VOC.header_roles["name"]
_PRIMARY_NAME_HEADER = _VOC.header_roles["primary_name"]
_LINE_NUMBER = _VOC.header_roles["line_number"]
_TEXT_ONLY = _VOC.header_roles["text_only"]
_TOTAL_NAME = _VOC.row_roles["total"]
_COLUMN_NUMBERS_LABEL = _VOC.row_roles["column_numbers_label"]
_LIST_MARKER = re.compile("|".join(f"(?:{p.pattern})" for p in _VOC.list_markers.values()))
_UNIT_NAME = _VOC.word("unit_name_header")
_YEAR = re.compile(r"^(19|20)\d\d$")
_PERCENT = re.compile(r"^-?\d+(\.\d+)?" + _VOC.word("percent_sign").pattern + "$")
_UNIT_TEXT = _VOC.word("unit_label")
_COLUMN_NUMBERS_MARK = _VOC.word("column_numbers_mark")  # ** | 栏次 | 行次 beside the column numbers
_TOTAL_ALONE = _VOC.word("total_row_alone")
_CODE_PART_CLASS = _VOC.word("code_part_class")  # 类
_CODE_PART_SECTION = _VOC.word("code_part_section")  # 款
_NAMES_A_CODE = _VOC.word("names_a_code")
_CODE = re.compile(r"^\d{3,}$")


def is_total_name(name: str | None) -> bool:
    return bool(name) and bool(_TOTAL_NAME.search(name or ""))


def is_column_numbers_row(grid: Grid, r: int) -> bool:
    """The row under a header that numbers the columns (栏次 | 1 | 2 | 3 …, ** | ** | 1 | 2 …): part of the
    header, never data."""
    labels = [lab for c in range(grid.n_cols) if grid.own(r, c) and (lab := grid.slots[r][c].label)]
    numbers = [int(lab) for lab in labels if lab.isdigit()]
    others = [lab for lab in labels if not lab.isdigit()]
    marked = any(_COLUMN_NUMBERS_MARK.fullmatch(lab) for lab in others)
    return (bool(numbers) and (len(numbers) >= 2 or marked)
            and numbers == list(range(numbers[0], numbers[0] + len(numbers)))
            and numbers[0] <= 1 and all(_COLUMN_NUMBERS_LABEL.search(lab) for lab in others))


def _is_data_row(grid: Grid, r: int) -> bool:
    if is_column_numbers_row(grid, r):
        return False
    labels = [squeeze(grid.owned_text(r, c)) for c in range(grid.n_cols)]
    for lab in labels:
        if lab and not _YEAR.match(lab) and is_figure(lab):
            return True
    # a total or list-marked row with nothing else printed (an empty table's 合计 row) is data;
    # a row like 合计 | 基本支出 | 项目支出 is a header
    first = next(((c, lab) for c, lab in enumerate(labels) if lab), (0, ""))
    others = [lab for c, lab in enumerate(labels) if lab and c != first[0]]
    if others and all(_LIST_MARKER.match(lab) for lab in [first[1], *others]):
        return True  # 一、部门预算 printed in each of a side-by-side table's label columns: an item, not a header
    return (first[0] <= 1 and bool(first[1]) and not others
            and (bool(_TOTAL_ALONE.search(first[1])) or bool(_LIST_MARKER.match(first[1]))))


def header_row_count(grid: Grid) -> int:
    """The number of header rows: the rows before the first row that holds data."""
    for r in range(grid.n_rows):
        if _is_data_row(grid, r):
            return r
    return grid.n_rows


def leaf_paths(grid: Grid, rows: range) -> list[str]:
    """For each column, the header labels from top to leaf, joined with '/'."""
    paths = []
    rows = range(0) if not rows else [r for r in rows if not is_column_numbers_row(grid, r)]  # type: ignore[assignment]
    for c in range(grid.n_cols):
        parts: list[str] = []
        prev_owner: tuple[int, int] | None = None
        for r in rows:
            s = grid.slots[r][c]
            lab = s.label
            if s.owner != prev_owner and lab and not _UNIT_TEXT.search(lab) and (not parts or parts[-1] != lab):
                parts.append(lab)
            prev_owner = s.owner
        paths.append("/".join(parts))
    return paths


@dataclass(frozen=True)
class ColumnRoles:
    code: list[int]  # one column, or the 类/款/项 parts in order
    names: list[int]
    primary_name: int | None
    money: list[int]
    percent: list[int]
    text: list[int]
    line_number: list[int]  # 行次: the printed number of each line


def column_roles(grid: Grid, header: list[str], body: range) -> ColumnRoles:
    """Classify each column by its header and its body cells."""
    code: list[int] = []
    names: list[int] = []
    money: list[int] = []
    percent: list[int] = []
    text: list[int] = []
    line_number: list[int] = []
    # 类 | 款 | 项 printed side by side are the parts of a code, with or without a 科目编码 above them
    leaves = [h.rsplit("/", 1)[-1] for h in header]
    trio = any(_CODE_PART_CLASS.fullmatch(leaf) for leaf in leaves) and any(
        _CODE_PART_SECTION.fullmatch(leaf) for leaf in leaves)
    for c, path in enumerate(header):
        leaf = path.rsplit("/", 1)[-1]
        values = [squeeze(grid.owned_text(r, c)) for r in body]
        filled = [v for v in values if v]
        numeric = sum(1 for v in filled if is_figure(v))
        pct = sum(1 for v in filled if _PERCENT.match(v))
        codes = sum(1 for v in filled if _CODE.match(v))
        if _LINE_NUMBER.search(leaf):
            line_number.append(c)
        elif _CODE_HEADER.search(leaf) or (_CODE_PART.match(leaf) and (_NAMES_A_CODE.search(path) or trio)):
            code.append(c)
        elif _TEXT_ONLY.search(leaf):
            text.append(c)
        elif filled and pct > len(filled) / 2:
            percent.append(c)
        elif _NAME_HEADER.search(leaf) and numeric < max(1, len(filled)) * 0.5:
            names.append(c)
        elif filled and numeric >= len(filled) * 0.5 and not (codes == len(filled) and numeric and not leaf):
            money.append(c)
        elif not path and names and names[-1] == c - 1 and filled and numeric < len(filled) * 0.5:
            names.append(c)  # a second label column under a spanning 项目名称 header (category | item)
        elif not filled and not _NAME_HEADER.search(leaf):
            money.append(c)  # an empty column of an empty table still has a money header
        else:
            text.append(c)
    # the row's own name; a unit's name beside it (单位名称 | 项目名称) says whose item it is
    named = [c for c in names if _PRIMARY_NAME_HEADER.search(header[c].rsplit("/", 1)[-1])]
    items = [c for c in named if not _UNIT_NAME.search(header[c].rsplit("/", 1)[-1])]
    primary = next(iter(items or named or names), None)
    return ColumnRoles(code, names, primary, money, percent, text, line_number)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split("/")[:-1], b.split("/")[:-1], strict=False):
        if x != y:
            break
        n += 1
    return n


def _label_column(roles: ColumnRoles, header: list[str], c: int) -> int | None:
    """The name column that labels money column `c`: the one sharing most of its header
    group (收入 | 支出/功能分类 | 支出/支出用途), the nearest to its left on a tie; else the primary."""
    best, best_score = roles.primary_name, 0
    for n in roles.names:
        score = _common_prefix(header[n], header[c])
        nearer = best is None or best > c or n > best
        if score > best_score or (score == best_score and score > 0 and n < c and nearer):
            best, best_score = n, score
    return best


def _column_names(roles: ColumnRoles, header: list[str]) -> list[str]:
    """Each column's name: its header path; where several amount columns print one path (支出 | 功能分类科目 |
    预算数 | 经济分类科目 | 预算数), each is named by the label column it pairs with (支出/功能分类科目/预算数)."""
    names = [h or f"列{c + 1}" for c, h in enumerate(header)]
    money = [c for c in roles.money if header[c]]
    for c in money:
        if sum(1 for k in money if header[k] == header[c]) > 1:
            label = _label_column(roles, header, c)
            if label is not None and header[label] and header[label] != header[c]:
                parent, _, leaf = header[c].rpartition("/")
                own = header[label].rsplit("/", 1)[-1]
                names[c] = "/".join(p for p in (parent, own, leaf) if p)
    return names


def _row_label(grid: Grid, r: int, roles: ColumnRoles, header: list[str], label_col: int | None) -> str:
    """The row's label in `label_col`, joined with the labels of the unheaded label columns
    right after it ('一般公共预算资金/公共财政拨款(补助)资金')."""
    if label_col is None:
        return ""
    parts = [grid.slots[r][label_col].label]
    k = label_col + 1
    while k in roles.names and (not header[k] or header[k] == header[label_col]):
        parts.append(grid.slots[r][k].label)
        k += 1
    parts = [p for i, p in enumerate(parts) if p and (i == 0 or p != parts[i - 1])]
    return "/".join(parts)


def row_code(grid: Grid, r: int, roles: ColumnRoles, above: list[str] | None = None) -> tuple[str | None, str | None]:
    """The row's classification code, and any non-code text printed in the code column.

    With 类 | 款 | 项 printed apart, a row that leaves the leading parts blank (a 款 row printing only
    its 款, 11) takes them from the rows above (the hierarchy is printed in order); `above` holds the
    parts last printed and is updated. Some templates drop the leading zero of 款/项 ('2' for '02')."""
    parts = [grid.slots[r][c].label for c in roles.code]
    if len(parts) > 1:
        if above is not None and all(p.isdigit() or not p for p in parts) and any(parts):
            first = next(i for i, p in enumerate(parts) if p)
            if first > 0 and len(above) >= first and all(above[:first]):
                parts = above[:first] + parts[first:]
            last = max(i for i, p in enumerate(parts) if p)
            above[:] = parts[:last + 1]
        joined = "".join(p if i == 0 or not p.isdigit() else p.zfill(2) for i, p in enumerate(parts) if p)
        return (joined, None) if joined and joined.isdigit() else (None, joined or None)
    if not parts:
        return None, None
    p = parts[0]
    if p and _CODE.match(p):
        return p, None
    return None, (p or None)


def row_codes_and_names(grid: Grid, header_rows: int) -> tuple[list[str], list[str]]:
    """The codes and the primary names printed on the body rows (what the rows classify)."""
    header = leaf_paths(grid, range(header_rows))
    body = range(header_rows, grid.n_rows)
    roles = column_roles(grid, header, body)
    codes: list[str] = []
    names: list[str] = []
    above: list[str] = []
    for r in body:
        code, _ = row_code(grid, r, roles, above)
        if code:
            codes.append(code)
        if roles.primary_name is not None and grid.slots[r][roles.primary_name].label:
            names.append(grid.slots[r][roles.primary_name].label)
    return codes, names


def body_cells(grid: Grid, header: list[str], first_body_row: int, *, table_seq: int,
               unit: str | None) -> list[Cell]:
    """Every non-blank cell of the body, with its row code, row label and parsed amount."""
    body = range(first_body_row, grid.n_rows)
    roles = column_roles(grid, header, body)
    cells: list[Cell] = []
    row_seq = 0
    above: list[str] = []
    row_of_seq: dict[int, int] = {}
    columns = _column_names(roles, header)
    for r in body:
        if not any(grid.slots[r][c].label for c in range(grid.n_cols)) or is_column_numbers_row(grid, r):
            continue
        code, code_text = row_code(grid, r, roles, above)
        row_seq += 1
        row_of_seq[row_seq] = r
        for c in range(grid.n_cols):
            if c in roles.code or c in roles.names or c in roles.line_number or not grid.own(r, c):
                continue
            raw = grid.slots[r][c].text
            if not squeeze(raw):
                continue
            label_col = _label_column(roles, header, c)
            name: str | None = _row_label(grid, r, roles, header, label_col)
            if not name and code_text and not code:
                name = code_text
            if not name:
                # a hierarchy over several label columns (采购品目大类 | 专项名称 | …): the first
                # label printed left of the amount
                name = next((grid.slots[r][k].label for k in sorted(roles.text + roles.names)
                             if k < c and grid.slots[r][k].label), "")
            name = name or None
            kind = "money" if c in roles.money else "percent" if c in roles.percent else "text"
            parsed = parse_amount(raw) if kind == "money" else None
            cells.append(Cell(
                table_seq=table_seq, row_seq=row_seq, page=grid.row_pages[r], row_code=code,
                row_name=name, column_name=columns[c], column_seq=c + 1,
                raw_text=raw.replace("\n", ""), kind=kind,
                amount=parsed.amount if parsed else None, unit=unit if kind == "money" else None,
                parse_error=parsed.reason if parsed else None,
                row_kind="total" if is_total_name(name) and not code else "detail", box=grid.slots[r][c].box))
    cells = _with_levels(grid, cells, roles, header, row_of_seq)
    # an unlabelled row above labelled ones (表10's first row) is the table's total
    if any(c.row_name or c.row_code for c in cells):
        cells = [c if c.row_name or c.row_code or c.kind != "money" else
                 Cell(**{**c.__dict__, "row_kind": "total"}) for c in cells]
    return cells


# complexity above the limit, kept: one pass over the rows
def _with_levels(grid: Grid, cells: list[Cell], roles: ColumnRoles, header: list[str],  # noqa: C901
                 row_of_seq: dict[int, int]) -> list[Cell]:
    """In a table without codes, names indented by regular steps show the hierarchy (类 > 款 > 项, or
    department > unit > category > project): each row gets its depth from its label column's indentation.
    A total row (合计) stands outside the hierarchy. Indents that do not fall into a few regular steps
    (centred text) say nothing and give no depth."""
    if roles.code:
        return cells
    levels: dict[int, dict[int, int]] = {}
    # rows that print amounts (a wrapped label's tail on a row of its own says nothing of depth)
    row_of_seq = {sq: r for sq, r in row_of_seq.items()
                  if any(x.row_seq == sq and x.kind == "money" and x.amount is not None for x in cells)}
    for n in roles.names:
        side = [k for k in roles.names if "/" not in header[n]  # the side of a 收入 | 支出 table, or the whole
                or header[k].split("/")[0] == header[n].split("/")[0]]
        named = sorted(sq for sq, r in row_of_seq.items()
                       if any(grid.slots[r][k].label and not is_total_name(grid.slots[r][k].label) for k in side))
        indents: dict[int, float] = {}
        for seq, r in row_of_seq.items():
            owner = grid.slots[r][n].owner
            if owner is not None and owner[0] == r and grid.slots[r][n].label and owner in grid.indents \
                    and not is_total_name(grid.slots[r][n].label):
                indents[seq] = grid.indents[owner]
        merged: list[int] = []
        for v in sorted({round(v) for v in indents.values()}):  # indents a point or two apart are one step
            if not merged or v - merged[-1] > 2:
                merged.append(v)
        steps = [b - a for a, b in zip(merged, merged[1:], strict=False)]
        # a deliberate indent is a character or more (about 10 pt); a few points is the cell's layout
        if not 2 <= len(merged) <= 5 or max(steps) - min(steps) > 3 or min(steps) < 6 or len(indents) < 3:
            continue
        level = {sq: next(i for i, m in enumerate(merged) if abs(round(v) - m) <= 2) for sq, v in indents.items()}
        labelled = {x.row_seq for x in cells if x.kind == "money" and x.amount is not None and x.row_kind != "total"
                    and x.row_seq in row_of_seq and grid.slots[row_of_seq[x.row_seq]][n].label
                    and _label_column(roles, header, x.column_seq - 1) == n}
        if _is_hierarchy(grid, n, labelled, named, row_of_seq, level):
            levels[n] = level
    if not levels:
        return cells
    out = []
    for x in cells:
        col = _label_column(roles, header, x.column_seq - 1)
        out.append(Cell(**{**x.__dict__, "row_level": levels.get(col, {}).get(x.row_seq) if col is not None else None}))
    return out


def _is_hierarchy(grid: Grid, n: int, labelled: set[int], named: list[int], row_of_seq: dict[int, int],
                  level: dict[int, int]) -> bool:
    """Indentation read as depth only where it reads as a hierarchy: nearly every named row indented on a
    step, the first at the outermost step, never more than one step deeper than the row above, and rows
    numbered alike (一、 二、) at one depth."""
    # nearly every row with an amount this column labels (its total apart) is on a step, and no row named
    # in another column sits among them (items of a further level printed in another column)
    if not labelled or len(set(level) & labelled) < 0.8 * len(labelled):
        return False
    inside = [sq for sq in named if min(level) <= sq <= max(level)]
    if any(sq not in level for sq in inside):
        return False
    order = [level[sq] for sq in sorted(level)]
    if order[0] != 0 or any(b > a + 1 for a, b in zip(order, order[1:], strict=False)):
        return False
    by_page: dict[int, set[int]] = {}
    for sq, lv in level.items():  # a hierarchy shows on a page: indents of different pages are not comparable
        by_page.setdefault(grid.row_pages[row_of_seq[sq]], set()).add(lv)
    if not any(len(depths) > 1 for depths in by_page.values()):
        return False
    by_marker: dict[int, set[int]] = {}
    for sq, lv in level.items():
        label = grid.slots[row_of_seq[sq]][n].label
        for depth, marker in _VOC.list_markers.items():
            if marker.match(label):
                by_marker.setdefault(depth, set()).add(lv)
    return all(len(depths) == 1 for depths in by_marker.values())


def split_fragment(grid: Grid, r: int, money_cols: set[int]) -> int | None:
    """If row r is the tail of a cell split by a page break, return that cell's column."""
    own = [(c, grid.slots[r][c].label) for c in range(grid.n_cols)
           if grid.own(r, c) and grid.slots[r][c].label]
    if len(own) != 1:
        return None
    c, text = own[0]
    if c in money_cols or _CODE.match(text) or _LIST_MARKER.match(text) or is_total_name(text):
        return None
    return c


def split_row(target: Grid, grid: Grid, r: int, money_cols: set[int]) -> list[int]:
    """If row r of `grid` is the tail of the last row of `target` (the row before the page break) split across the
    break, name and amounts alike (杭州市机动 | 12,437.3 / 车驾驶员考试服务中心 | 6), the columns to join: every
    filled cell of r sits under a filled cell of `last`, its name starts no new item (no code, no list marker,
    not a total), and each of its amounts completes an amount of `last` printed with fewer decimals than the
    table's own (a figure cut, not a figure)."""
    last = target.row_labels(target.n_rows - 1)
    own = [(c, grid.slots[r][c].label) for c in range(grid.n_cols) if grid.own(r, c) and grid.slots[r][c].label]
    amounts = [(c, t) for c, t in own if c in money_cols]
    if not amounts or any(not last[c] for c, _ in own):
        return []
    decimals = Counter(_decimals(s.label) for row in target.slots for c, s in enumerate(row)
                       if c in money_cols and is_figure(s.label))
    usual = decimals.most_common(1)[0][0] if decimals else None
    for c, text in own:
        if c in money_cols:
            joined = last[c] + text
            if usual is None or _decimals(last[c]) >= usual or parse_amount(joined).amount is None \
                    or _decimals(joined) != usual:
                return []
        elif _CODE.match(text) or _LIST_MARKER.match(text) or is_total_name(text):
            return []
    return [c for c, _ in own]


def _decimals(text: str) -> int:
    s = squeeze(text)
    return len(s.rsplit(".", 1)[1]) if "." in s else 0
