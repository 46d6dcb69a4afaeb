"""Reading the performance-target forms (整体/项目支出绩效目标表).

A form is a ruled table of labelled sections, not a grid of amounts. It is read block by
block, each block opened by a header row:
- funding blocks (部门总体资金情况, 项目资金来源): money rows, each labelled by its rightmost
  text cell before the amount columns (当年金额, 金额, 近两年收支金额/2023年 ...);
- indicator blocks (一级指标 | 二级指标 | 三级指标 | 指标值 ...): one row per indicator, every
  value kept as printed text (`≥95%`, `显著提高`), merged labels filled down;
- detail blocks (项目支出明细测算, 项目采购): their amounts are kept as `detail_amount`;
- list blocks (项目支出情况: 项目名称 | 支出项目类别 | 项目总预算 | 项目本年度预算 | …): one row per
  item, named by its 名称 column, money in the columns whose header names an amount;
- any other row is read as label/value fields (项目当年预算 | 145).
The form's parts on later pages continue the open block when their columns match.
"""

from __future__ import annotations

from dataclasses import dataclass

from yusuan.grid import Grid
from yusuan.model import Cell
from yusuan.money import is_figure, parse_amount, squeeze
from yusuan.tables import is_total_name, leaf_paths
from yusuan.vocabulary import vocabulary

_VOC = vocabulary()
_MONEY_HEADER = _VOC.word("form_money_header")
_BLOCK_MONEY_HEADER = _VOC.word("form_money_block_header")
_SHARE_HEADER = _VOC.word("share_header")
_FUNDING_SECTION = _VOC.word("funding_section")
_YEARISH = _VOC.word("form_sub_header")
_GOAL = _VOC.word("performance_goal")
_LIST_MONEY = _VOC.word("list_money_header")
_INDICATOR = _VOC.word("indicator_header")  # 一级指标 | 二级指标 | 三级指标
_INDICATOR_VALUE = _VOC.word("indicator_value_header")
_INDICATOR_NAME = _VOC.word("indicator_level3")  # the indicator itself, at the third level
_BASIS = _VOC.word("indicator_basis")  # 确定依据: a header cut in two by a page break ends so
_NAME = _VOC.word("name_header")
_PROJECT = _VOC.word("project_header")


@dataclass
class _Block:
    kind: str  # funding | indicator | detail | list
    section: str
    paths: list[str]
    edges: list[float]
    name_col: int | None = None
    value_cols: tuple[int, ...] = ()
    money_cols: tuple[int, ...] = ()
    first_value: int = 0


def performance_grid(grid: Grid) -> bool:
    """True when a performance table is printed as a grid (单位编码 | 项目名称 | 资金总额 | 绩效目标 | 一级指标 …:
    every label of its first row is a column header) rather than as a form of labelled fields."""
    labels = {grid.slots[0][c].label for c in range(grid.n_cols) if grid.own(0, c) and grid.slots[0][c].label}
    pattern = _VOC.header_roles["performance_grid"]
    return len(labels) >= 3 and all(pattern.search(lab) for lab in labels)


_MONEY_SECTION = _VOC.word("form_money_section")
_UNIT_IN_LABEL = _VOC.word("unit_in_label")


def _unit_in(label: str) -> str | None:
    """The unit a section label prints (项目资金（元）, 总体资金情况（万元）), which overrides the table's."""
    m = _UNIT_IN_LABEL.search(label)
    return m.group(1) if m else None


def _spans_rows(grid: Grid, r: int, c: int) -> bool:
    """True when the cell covering (r, c) covers more than this row (a section label down the left)."""
    owner = grid.slots[r][c].owner
    if owner is None:
        return False
    return owner[0] < r or (r + 1 < grid.n_rows and grid.slots[r + 1][c].owner == owner)


def _value_row(grid: Grid, r: int) -> int | None:
    """Under a section label spanning rows r…, the first row holding only amounts right after rows holding
    only labels (the header of a small grid), or None."""
    section = grid.slots[r][0].owner
    k = r
    while k < grid.n_rows and grid.slots[k][0].owner == section:
        own = _own_labels(grid, k, 1)
        if own and all(is_figure(lab) for _, lab in own):
            return k if k > r else None
        if not own or any(is_figure(lab) for _, lab in own):
            return None
        k += 1
    return None


def _section_label(grid: Grid, r: int) -> str:
    return grid.slots[r][0].label


def _own_labels(grid: Grid, r: int, start: int = 0) -> list[tuple[int, str]]:
    return [(c, grid.slots[r][c].label) for c in range(start, grid.n_cols)
            if grid.own(r, c) and grid.slots[r][c].label]


def _is_money_header(grid: Grid, r: int) -> bool:
    labels = [lab for _, lab in _own_labels(grid, r, 1)]
    if len(labels) < 2 or any(is_figure(lab) for lab in labels):
        return False
    return any(_BLOCK_MONEY_HEADER.search(lab) for lab in labels)


def _is_indicator_header(grid: Grid, r: int) -> bool:
    labels = [lab for _, lab in _own_labels(grid, r)]
    return sum(1 for lab in labels if _INDICATOR.search(lab)) >= 2 and any(_INDICATOR_VALUE.match(lab) for lab in labels)


def _is_list_header(grid: Grid, r: int) -> bool:
    """项目名称 | 支出项目类别 | 项目总预算 | 项目本年度预算 | …: a header of several text labels, one of them
    the items' 名称 and one an amount, none of them a number."""
    labels = [lab for _, lab in _own_labels(grid, r, 1)]
    if len(labels) < 3 or any(is_figure(lab) for lab in labels):
        return False
    return sum(1 for lab in labels if _NAME.search(lab)) == 1 and any(_LIST_MONEY.search(lab) for lab in labels)


def _header_end(grid: Grid, r: int) -> int:
    """Rows after a block header that only carry more header labels (2023年, 前年, 预计当年实现)."""
    end = r + 1
    while end < grid.n_rows:
        labels = [lab for _, lab in _own_labels(grid, end, 1)]
        if not labels or not all(_YEARISH.match(lab) for lab in labels):
            break
        end += 1
    return end


def _open_block(grid: Grid, r: int) -> tuple[_Block, int] | None:
    section = _section_label(grid, r)
    if _is_indicator_header(grid, r):
        end = _header_end(grid, r)
        paths = leaf_paths(grid, range(r, end))
        name_col = next((c for c, p in enumerate(paths) if _INDICATOR_NAME.search(p)), None)
        return _Block("indicator", section, paths, grid.col_edges, name_col=name_col), end
    if _is_money_header(grid, r):
        end = _header_end(grid, r)
        paths = leaf_paths(grid, range(r, end))
        value_cols = tuple(c for c in range(1, grid.n_cols)
                           if paths[c] and (_MONEY_HEADER.search(paths[c].rsplit("/", 1)[-1])
                                            or _SHARE_HEADER.search(paths[c]))
                           and not _PROJECT.match(paths[c]))
        money_cols = tuple(c for c in value_cols if not _SHARE_HEADER.search(paths[c]))
        kind = "funding" if _FUNDING_SECTION.search(section) else "detail"
        return _Block(kind, section, paths, grid.col_edges, value_cols=value_cols, money_cols=money_cols,
                      first_value=min(value_cols) if value_cols else grid.n_cols), end
    if _is_list_header(grid, r):
        paths = [""] + [grid.slots[r][c].label for c in range(1, grid.n_cols)]  # a merged header covers its slots
        name_col = next(c for c, p in enumerate(paths) if _NAME.search(p))
        money_cols = tuple(c for c, p in enumerate(paths) if c != name_col and _LIST_MONEY.search(p))
        return _Block("list", section, paths, grid.col_edges, name_col=name_col, value_cols=money_cols,
                      money_cols=money_cols), r + 1
    return None


def _rebase(block: _Block, grid: Grid) -> _Block | None:
    """The open block laid on the next page's columns (matched by x position), or None."""
    if grid.col_edges == block.edges:
        return block
    if abs(grid.col_edges[0] - block.edges[0]) > 3 or abs(grid.col_edges[-1] - block.edges[-1]) > 3:
        return None
    old_of: list[int] = []
    for c in range(grid.n_cols):
        x = (grid.col_edges[c] + grid.col_edges[c + 1]) / 2
        old_of.append(next(k for k in range(len(block.edges) - 1) if block.edges[k] <= x <= block.edges[k + 1]))

    def new_cols(cols: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(c for c in range(grid.n_cols) if old_of[c] in cols and (c == 0 or old_of[c - 1] != old_of[c]))

    name_col = next((c for c in range(grid.n_cols) if old_of[c] == block.name_col), None)
    value_cols = new_cols(block.value_cols)
    return _Block(block.kind, block.section, [block.paths[k] for k in old_of], grid.col_edges, name_col=name_col,
                  value_cols=value_cols, money_cols=new_cols(block.money_cols),
                  first_value=min(value_cols) if value_cols else grid.n_cols)


def form_cells(segments: list[Grid], *, table_seq: int, unit: str | None) -> list[Cell]:
    """Cells of a form given as grid segments (one per page, columns may differ)."""
    return _FormReader(table_seq, unit).read(segments)


class _FormReader:
    """Reads a form row by row: the block a row is in (indicators, a list, funding or detail lines, a money
    grid) decides how its cells are read; outside any block, a row is label | value fields."""

    def __init__(self, table_seq: int, unit: str | None) -> None:
        self.table_seq = table_seq
        self.unit = unit
        self.cells: list[Cell] = []
        self.row_seq = 0
        self.block: _Block | None = None
        self.goal: str | None = None
        self.carried: dict[str, str] = {}  # the indicator block's last label per column (merged labels fill down)

    def read(self, segments: list[Grid]) -> list[Cell]:
        for grid in segments:
            if self.block is not None:
                self.block = _rebase(self.block, grid)
            r = 0
            while r < grid.n_rows:
                r = self._row(grid, r)
        return self.cells

    def cell(self, grid: Grid, r: int, c: int, *, name: str | None, column: str, kind: str, text: str | None = None,
             block_name: str | None, in_unit: str | None = None) -> Cell:
        raw = (grid.slots[r][c].text if text is None else text).replace("\n", "")
        is_money = kind in ("money", "detail_amount")
        parsed = parse_amount(raw) if is_money else None
        return Cell(table_seq=self.table_seq, row_seq=self.row_seq, page=grid.row_pages[r], row_code=None,
                    row_name=name, column_name=column, column_seq=c + 1, raw_text=raw, kind=kind,
                    amount=parsed.amount if parsed else None, unit=(in_unit or self.unit) if is_money else None,
                    parse_error=parsed.reason if parsed else None,
                    row_kind="total" if is_total_name(name) else "detail", block=block_name,
                    box=grid.slots[r][c].box)

    def _row(self, grid: Grid, r: int) -> int:
        """Read row `r` of `grid`; returns the next row to read."""
        opened = _open_block(grid, r)
        if opened is not None:
            self.block, r = opened
            self.carried = {}
            return r
        own = _own_labels(grid, r)
        if not own:
            return r + 1
        block = self.block
        if block is not None and block.kind in ("funding", "detail", "list") and \
                _section_label(grid, r) != block.section and grid.slots[r][0].label:
            self.block = block = None
        if block is not None and block.kind == "indicator":
            return self._indicator_row(grid, r, own, block)
        if block is not None and block.kind == "list":
            return self._list_row(grid, r, own, block)
        if block is not None and block.kind in ("funding", "detail"):
            return self._funding_row(grid, r, own, block)
        section = _section_label(grid, r)
        if _spans_rows(grid, r, 0) and _MONEY_SECTION.search(section):
            values = _value_row(grid, r)
            if values is not None:
                return self._money_grid(grid, r, values, section)
        return self._fields(grid, r, own, section)

    def _indicator_row(self, grid: Grid, r: int, own: list[tuple[int, str]], block: _Block) -> int:
        if all(_YEARISH.match(lab) or _BASIS.search(lab) for _, lab in own):
            # the rest of a header split by a page break: sub-headers (前年 | 上年 | 预计当年实现) go under
            # the path above them; the tail of a cell cut in two (指标值 | 确定依据) completes it
            for c, lab in own:
                above = block.paths[c]
                if above and not above.endswith(lab):
                    block.paths[c] = above + lab if _BASIS.search(lab) else f"{above}/{lab}"
            return r + 1
        nc = block.name_col
        owner = grid.slots[r][nc].owner if nc is not None else None
        if nc is None or owner is None or owner[1] != nc or not grid.slots[r][nc].label:
            self.block = None  # a row that is not an indicator ends the block
            return self._row_outside_blocks(grid, r, own)
        if len(own) == 1 and own[0][0] == nc and self.cells and self.cells[-1].kind == "indicator":
            # the tail of an indicator name split by a page break
            prev = [c for c in self.cells if c.row_seq == self.row_seq]
            extra = grid.slots[r][nc].label
            self.cells = [c for c in self.cells if c.row_seq != self.row_seq] + [
                Cell(**{**c.__dict__, "row_name": (c.row_name or "") + extra}) for c in prev]
            return r + 1
        self.row_seq += 1
        name = grid.slots[r][nc].label
        for c in range(grid.n_cols):
            if not block.paths[c] or c == nc or (c > 0 and grid.slots[r][c].owner == grid.slots[r][c - 1].owner):
                continue
            text = squeeze(grid.slots[r][c].text) and grid.slots[r][c].text
            slot_owner = grid.slots[r][c].owner
            if not text and c < nc and slot_owner is not None and (
                    slot_owner[0] == 0 or grid.row_pages[slot_owner[0]] != grid.row_pages[slot_owner[0] - 1]):
                # a merged label (产出指标) cut by the page break: its text is on the page before
                text = self.carried.get(block.paths[c], "")
            self.carried[block.paths[c]] = text or ""
            self.cells.append(self.cell(grid, r, c, name=name, column=block.paths[c], kind="indicator",
                                        text=text or "", block_name=self.goal or block.section))
        return r + 1

    def _row_outside_blocks(self, grid: Grid, r: int, own: list[tuple[int, str]]) -> int:
        """A row read as if no block were open (the row that ends an indicator block)."""
        section = _section_label(grid, r)
        if _spans_rows(grid, r, 0) and _MONEY_SECTION.search(section):
            values = _value_row(grid, r)
            if values is not None:
                return self._money_grid(grid, r, values, section)
        return self._fields(grid, r, own, section)

    def _list_row(self, grid: Grid, r: int, own: list[tuple[int, str]], block: _Block) -> int:
        self.row_seq += 1
        nc = block.name_col if block.name_col is not None else 1
        item = grid.slots[r][nc].label or None
        for c, _ in own:
            column = block.paths[c] if c < len(block.paths) else ""
            if c == 0 or c == nc or not column:
                continue
            self.cells.append(self.cell(grid, r, c, name=item, column=column,
                                        kind="money" if c in block.money_cols else "text", block_name=block.section))
        return r + 1

    def _funding_row(self, grid: Grid, r: int, own: list[tuple[int, str]], block: _Block) -> int:
        # funding rows: the most specific label (收入构成 | 财政拨款); detail rows: the first
        label_cols = range(block.first_value - 1, 0, -1) if block.kind == "funding" else range(1, block.first_value)
        label = next((grid.slots[r][c].label for c in label_cols if grid.slots[r][c].label), "")
        self.row_seq += 1
        for c, _ in own:
            if c in block.value_cols:
                kind = ("money" if block.kind == "funding" else "detail_amount") if c in block.money_cols else "percent"
                self.cells.append(self.cell(grid, r, c, name=label or None, column=block.paths[c], kind=kind,
                                            block_name=block.section))
            elif c > 0 and block.paths[c]:
                self.cells.append(self.cell(grid, r, c, name=label or None, column=block.paths[c], kind="text",
                                            block_name=block.section))
        return r + 1

    def _money_grid(self, grid: Grid, r: int, values: int, section: str) -> int:
        """A money section printed as a small grid: header rows, then one row of amounts
        (总体资金情况（万元）| 预算支出总额 | 财政拨款/合计 | 基本支出 | 项目支出 …)."""
        paths = leaf_paths(grid, range(r, values))
        self.row_seq += 1
        for c, _ in _own_labels(grid, values, 1):
            self.cells.append(self.cell(grid, values, c, name=section, column=paths[c], kind="money",
                                        block_name=section, in_unit=_unit_in(section)))
        return values + 1

    def _fields(self, grid: Grid, r: int, own: list[tuple[int, str]], section: str) -> int:
        """label | value fields; a first cell spanning several rows is the section, not a key."""
        self.row_seq += 1
        first_label = own[0][1]
        if _GOAL.match(first_label) and len(own) >= 1:
            self.goal = first_label
        key: str | None = None
        sectioned = _spans_rows(grid, r, 0) and bool(section) and sum(1 for c, _ in own if c > 0) >= 2
        money_section = sectioned and bool(_MONEY_SECTION.search(section))
        for i, (c, lab) in enumerate(own):
            if c == 0 and section and len(own) > 1:
                if not sectioned:
                    key = lab
                continue
            if key is None:
                key = lab
                if i == len(own) - 1:
                    self.cells.append(self.cell(grid, r, c, name=section or None, column=lab, kind="text",
                                                block_name=section or None))
                continue
            # in a money section (项目资金（元）| 项目资金总额 | 4,100,000.00 …) an amount is money
            is_money = money_section and is_figure(lab)
            self.cells.append(self.cell(grid, r, c, name=section or None, column=key,
                                        kind="money" if is_money else "field", block_name=section or None,
                                        in_unit=_unit_in(section) if is_money else None))
            key = None
        return r + 1
