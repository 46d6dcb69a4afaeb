"""A ruled table as a grid of slots, each slot knowing the (possibly merged) cell that covers it.

pdfplumber returns merged cells as one cell plus `None` for the slots it covers; which slots a
merged cell covers is only known from the geometry. `Grid` resolves that once, so that header
paths and row labels can be read without guessing whether a `None` spans left or up.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from yusuan.money import squeeze

_EPS = 1.0  # points: two cell edges closer than this are the same grid line


@dataclass(frozen=True)
class Slot:
    text: str  # the owning cell's text, as printed (line breaks kept)
    owner: tuple[int, int] | None  # (row, column) of the owning cell's top-left slot
    # the owning cell's box on its page, in PDF points as pdfplumber measures them (x0, top, x1, bottom):
    # the whole merged cell where it spans rows or columns
    box: tuple[float, float, float, float] | None = None

    @property
    def label(self) -> str:
        """The text with every whitespace removed, as used for labels and headers."""
        return squeeze(self.text)


@dataclass
class Grid:
    """Rows x columns of slots, with the x edges of the columns and the page of each row."""

    slots: list[list[Slot]]
    col_edges: list[float]  # len = n_cols + 1
    row_pages: list[int]
    row_tops: list[float]
    bbox: tuple[float, float, float, float]
    # how far the first line of each cell's text is indented from the cell's left edge (points);
    # Word-style tables show a hierarchy this way (项目支出表: department > unit > category > project)
    indents: dict[tuple[int, int], float] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return len(self.slots)

    @property
    def n_cols(self) -> int:
        return len(self.col_edges) - 1

    def row_labels(self, r: int) -> list[str]:
        return [s.label for s in self.slots[r]]

    def own(self, r: int, c: int) -> bool:
        """True when the slot is the top-left of its cell (its text starts here)."""
        return self.slots[r][c].owner == (r, c)

    def owned_text(self, r: int, c: int) -> str:
        """The slot's text if the cell starts in this row, else '' (a cell spanning from above)."""
        s = self.slots[r][c]
        return s.text if s.owner is not None and s.owner[0] == r else ""


def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _EPS:
            out.append(v)
    return out


def grid_from_table(table: Any, page_number: int) -> Grid:  # noqa: C901 (one pass over a grid's geometry)
    """Build a `Grid` from a pdfplumber `Table` found on page `page_number` (1-based)."""
    cells: list[tuple[float, float, float, float]] = list(table.cells)
    texts = table.extract()
    # pdfplumber lays extract() out on the distinct tops (rows) and distinct x0s (columns)
    tops = sorted({c[1] for c in cells})
    x0s = sorted({c[0] for c in cells})
    text_at: dict[tuple[float, float], str] = {}
    for r, row in enumerate(table.rows):
        for c, bbox in enumerate(row.cells):
            if bbox is not None:
                text_at[(bbox[0], bbox[1])] = texts[r][c] or ""
    col_edges = _cluster(x0s + [max(c[2] for c in cells)])
    row_edges = _cluster(tops + [max(c[3] for c in cells)])
    n_rows, n_cols = len(row_edges) - 1, len(col_edges) - 1
    grid: list[list[Slot]] = [[Slot("", None) for _ in range(n_cols)] for _ in range(n_rows)]

    def index(edges: list[float], v: float) -> int:
        i = bisect_left(edges, v - _EPS)
        return min(i, len(edges) - 1)

    for bbox in cells:
        x0, top, x1, bottom = bbox
        c0, c1 = index(col_edges, x0), index(col_edges, x1)
        r0, r1 = index(row_edges, top), index(row_edges, bottom)
        text = text_at.get((x0, top), "")
        owner = (r0, c0)
        for r in range(r0, max(r1, r0 + 1)):
            for c in range(c0, max(c1, c0 + 1)):
                if r < n_rows and c < n_cols and grid[r][c].owner is None:
                    grid[r][c] = Slot(text, owner, (x0, top, x1, bottom))
    first: dict[tuple[int, int], tuple[float, float]] = {}
    x_min, top_min, x_max, bottom_max = table.bbox
    for ch in table.page.chars:
        if not (x_min <= ch["x0"] < x_max and top_min <= ch["top"] < bottom_max) or not ch["text"].strip():
            continue
        r, c = bisect_left(row_edges, ch["top"] + _EPS) - 1, bisect_left(col_edges, ch["x0"] + _EPS) - 1
        cell_owner = grid[r][c].owner if 0 <= r < n_rows and 0 <= c < n_cols else None
        if cell_owner is not None:
            key = (float(round(ch["top"])), float(ch["x0"]))
            if cell_owner not in first or key < first[cell_owner]:
                first[cell_owner] = key
    indents = {owner: x - col_edges[owner[1]] for owner, (_, x) in first.items()}
    return Grid(slots=grid, col_edges=col_edges, row_pages=[page_number] * n_rows,
                row_tops=row_edges[:-1], bbox=tuple(table.bbox), indents=indents)


def same_columns(a: Grid, b: Grid, tolerance: float = 3.0) -> bool:
    """True when two grids have the same number of columns at the same x positions (or all shifted alike: the
    same grid printed a little to the side on the next page), but for one inner rule that may have moved (a label
    column resized from page to page: the frame and the amounts' columns stay)."""
    if a.n_cols != b.n_cols:
        return False
    shift = b.col_edges[0] - a.col_edges[0]
    if all(abs(y - x - shift) <= tolerance for x, y in zip(a.col_edges, b.col_edges, strict=True)):
        return True
    moved = [k for k, (x, y) in enumerate(zip(a.col_edges, b.col_edges, strict=True)) if abs(x - y) > tolerance]
    return not moved or (len(moved) == 1 and 0 < moved[0] < a.n_cols
                         and abs(a.col_edges[moved[0]] - b.col_edges[moved[0]]) < 4 * tolerance)


def append_rows(target: Grid, extra: Grid, skip: int = 0, header_rows: int = 0) -> None:
    """Append the rows of `extra` (after the first `skip`) to `target`, re-basing owners.

    Cells that span down over the page break are printed again at the top of the next page by some
    producers (a project's name and amount beside its many indicator rows): where the first appended
    row repeats, column by column, the text of every cell spanning down into `target`'s last row,
    those cells are one cell, not a second row of the same figures. `header_rows`: target's header, whose
    cells spanning rows are no cells of the body."""
    base = target.n_rows - skip
    same = _cells_printed_again(target, extra, skip, header_rows)
    for (r0, c0), indent in extra.indents.items():
        if r0 >= skip and (r0, c0) not in same:
            target.indents[(r0 + base, c0)] = indent
    for r in range(skip, extra.n_rows):
        row = []
        for s in extra.slots[r]:
            if s.owner in same:
                row.append(Slot(s.text, same[s.owner], target.slots[same[s.owner][0]][same[s.owner][1]].box))
                continue
            rebased = None if s.owner is None or s.owner[0] < skip else (s.owner[0] + base, s.owner[1])
            # (a cell spanning from a dropped repeated header has no owner left)
            row.append(Slot(s.text if rebased is not None else "", rebased, s.box if rebased is not None else None))
        target.slots.append(row)
        target.row_pages.append(extra.row_pages[r])
        target.row_tops.append(extra.row_tops[r])


def _cells_printed_again(target: Grid, extra: Grid, skip: int,
                         header_rows: int = 0) -> dict[tuple[int, int], tuple[int, int]]:
    """{owner in extra: owner in target} for the cells of extra's row `skip` that repeat, with the same text,
    the cell of target's last row in a column whose cells span rows of the body (a header spanning two rows
    makes no column of cells printed again: a row whose code and figures repeat its parent's is a new row)."""
    if not target.n_rows or skip >= extra.n_rows:
        return {}
    last = target.n_rows - 1
    # the columns whose cells span several rows in this table's body (a project's name beside its indicators)
    span_cols = {c for r in range(header_rows + 1, target.n_rows) for c in range(target.n_cols)
                 if target.slots[r][c].owner is not None and target.slots[r][c].owner == target.slots[r - 1][c].owner}
    spanning = {s.owner for c, s in enumerate(target.slots[last]) if s.owner is not None and c in span_cols
                and s.owner[1] == c}
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for owner in spanning:
        c = owner[1]
        new = extra.slots[skip][c]
        if new.owner is not None and new.owner[0] == skip and new.label and new.label == target.slots[owner[0]][c].label:
            out[new.owner] = owner
    # the row is the same only when a name is printed again, not a code or an amount alone
    if not any(not re.fullmatch(r"[-\d.,%]*", extra.slots[k[0]][k[1]].label) for k in out):
        return {}
    return out


def extend_cell_text(grid: Grid, r: int, c: int, extra: str) -> None:
    """Append `extra` to the text of the cell covering slot (r, c) (a cell split by a page break)."""
    owner = grid.slots[r][c].owner
    if owner is None:
        return
    for row in grid.slots:
        for i, s in enumerate(row):
            if s.owner == owner:
                row[i] = Slot(s.text + extra, owner, s.box)


def regrid(grid: Grid, edges: list[float], tolerance: float = 3.0) -> Grid | None:
    """Re-lay `grid` on the finer column `edges` of another part of the same table.

    A row left alone on a page can come back with merged cells collapsed (fewer columns):
    when each of its column edges is one of `edges`, its cells are spread over the columns
    they cover. Returns None when the columns do not line up.
    """
    mapping: list[int] = []
    for x in grid.col_edges:
        i = min(range(len(edges)), key=lambda k: abs(edges[k] - x))
        if abs(edges[i] - x) > tolerance:
            return None
        mapping.append(i)
    if mapping[0] != 0 or mapping[-1] != len(edges) - 1:
        return None
    n_cols = len(edges) - 1
    slots: list[list[Slot]] = []
    for row in grid.slots:
        new_row = [Slot("", None)] * n_cols
        for c, s in enumerate(row):
            owner = None if s.owner is None else (s.owner[0], mapping[s.owner[1]])
            for k in range(mapping[c], mapping[c + 1]):
                new_row[k] = Slot(s.text, owner, s.box)
        slots.append(new_row)
    return Grid(slots=slots, col_edges=list(edges), row_pages=list(grid.row_pages),
                row_tops=list(grid.row_tops), bbox=grid.bbox,
                indents={(o[0], mapping[o[1]]): v for o, v in grid.indents.items()})


def banner_text(grid: Grid, r: int) -> str | None:
    """The text of row r when one cell spans the whole row (a title printed inside the grid), else None."""
    if r >= grid.n_rows:
        return None
    owners = {s.owner for s in grid.slots[r]}
    if len(owners) != 1 or None in owners:
        return None
    text = grid.slots[r][0].label
    return text or None


def drop_rows(grid: Grid, k: int) -> Grid:
    """The grid without its first k rows (cells spanning from them into the rest lose their owner)."""
    slots = [[Slot(s.text, (s.owner[0] - k, s.owner[1]), s.box) if s.owner is not None and s.owner[0] >= k
              else Slot("", None) for s in row] for row in grid.slots[k:]]
    top = grid.row_tops[k] if k < grid.n_rows else grid.bbox[3]
    return Grid(slots=slots, col_edges=list(grid.col_edges), row_pages=grid.row_pages[k:], row_tops=grid.row_tops[k:],
                bbox=(grid.bbox[0], top, grid.bbox[2], grid.bbox[3]),
                indents={(r - k, c): v for (r, c), v in grid.indents.items() if r >= k})


def column_groups(leaves: list[str], is_code: Any) -> int:
    """How many times the same block of columns is printed side by side (科目编码 | 科目名称 | 决算数 twice): the
    largest k >= 2 such that the leaf header labels are k equal blocks, each holding a code column (`is_code`:
    a classification list folded to fit the page; a 收入 | 支出 table has no codes and stays two-sided) and
    another; 1 when they are not."""
    n = len(leaves)
    for k in range(n // 2, 1, -1):
        if n % k:
            continue
        w = n // k
        blocks = [leaves[i * w:(i + 1) * w] for i in range(k)]
        if all(b == blocks[0] for b in blocks) and any(is_code(x) for x in blocks[0]) \
                and not all(is_code(x) for x in blocks[0]) and all(blocks[0]):
            return k
    return 1


def unfold(grid: Grid, header_rows: int, groups: int) -> Grid:  # noqa: C901 (one pass over a grid's geometry)
    """The grid with its `groups` side-by-side column blocks read one after the other: every row of the first
    block (over all its pages), then of the second … (a list folded into columns continues in its own column
    on the next page). Header rows are those of
    the first block, without the labels that differ between the blocks (人员经费 | 公用经费 over the same
    经济分类 | 决算数). A body row of a block that prints nothing is dropped."""
    if groups < 2 or grid.n_cols % groups:
        return grid
    w = grid.n_cols // groups
    slots: list[list[Slot]] = []
    pages: list[int] = []
    tops: list[float] = []
    indents: dict[tuple[int, int], float] = {}

    def add(r: int, g: int, *, header: bool) -> None:
        new_r = len(slots)
        row: list[Slot] = []
        for c in range(w):
            s = grid.slots[r][g * w + c]
            same = all(grid.slots[r][k * w + c].label == s.label for k in range(groups))
            if s.owner is None or (header and not same):
                row.append(Slot("", None))
                continue
            o_r, o_c = s.owner
            # a cell spanning into the block from outside it, or from a row not kept, starts here
            if not g * w <= o_c < (g + 1) * w or (o_r, g) not in kept:
                row.append(Slot(s.text, (new_r, c), s.box))
                continue
            row.append(Slot(s.text, (kept[(o_r, g)], o_c - g * w), s.box))
            if (o_r, o_c) == (r, g * w + c) and (r, o_c) in grid.indents:
                indents[(new_r, c)] = grid.indents[(r, o_c)]
        slots.append(row)
        pages.append(grid.row_pages[r])
        tops.append(grid.row_tops[r])

    kept: dict[tuple[int, int], int] = {}
    for r in range(header_rows):
        kept[(r, 0)] = len(slots)
        for g in range(1, groups):
            kept[(r, g)] = len(slots)
        add(r, 0, header=True)
    for g in range(groups):
        for r in range(header_rows, grid.n_rows):
            if any(grid.slots[r][g * w + c].label for c in range(w)):
                kept[(r, g)] = len(slots)
                add(r, g, header=False)
    # header cells: owners in the header rows of block 0 map to themselves
    return Grid(slots=slots, col_edges=list(grid.col_edges[:w + 1]), row_pages=pages, row_tops=tops,
                bbox=grid.bbox, indents=indents)
