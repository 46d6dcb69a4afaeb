"""Reading the performance-target forms (整体/项目支出绩效目标表).

A form is a ruled table of labelled sections, not a grid of amounts. Its funding blocks
(部门总体资金情况, 项目资金来源) are read as money rows: a block header row names the amount
columns (当年金额, 金额, 近两年收支金额/2023年 ...), each following row is labelled by its
rightmost text cell before them. Every other filled cell is kept as text, with the section
label of its row, so indicator targets stay as printed (`≥95%`, `显著提高`).
"""

from __future__ import annotations

import re

from yusuan.grid import Grid
from yusuan.model import Cell
from yusuan.money import parse_amount, squeeze
from yusuan.tables import is_total_name, leaf_paths

_MONEY_HEADER = re.compile(r"(金额|预算数|预算|资金|收支)$|^(20\d\d|19\d\d)年?$")
_BLOCK_MONEY_HEADER = re.compile(r"(金额|预算数)$")
_SHARE_HEADER = re.compile(r"(占比|比例|比重)$")
_FUNDING_SECTION = re.compile(r"资金(情况|来源|构成)|资金$")


def _section_label(grid: Grid, r: int) -> str:
    return grid.slots[r][0].label


def _is_block_header(grid: Grid, r: int) -> bool:
    labels = [grid.slots[r][c].label for c in range(1, grid.n_cols) if grid.own(r, c)]
    labels = [lab for lab in labels if lab]
    if len(labels) < 2 or any(parse_amount(lab).amount is not None for lab in labels):
        return False
    return any(_BLOCK_MONEY_HEADER.search(lab) for lab in labels)


def form_cells(segments: list[Grid], *, table_seq: int, unit: str | None) -> list[Cell]:
    """Cells of a form given as grid segments (one per page, columns may differ)."""
    cells: list[Cell] = []
    row_seq = 0
    for grid in segments:
        r = 0
        while r < grid.n_rows:
            section = _section_label(grid, r)
            if _is_block_header(grid, r) and _FUNDING_SECTION.search(section):
                # the block header may take two rows (近两年收支金额 / 2023年 2022年)
                h_end = r + 1
                while h_end < grid.n_rows and _section_label(grid, h_end) == section and \
                        not any(parse_amount(grid.owned_text(h_end, c)).amount is not None
                                for c in range(1, grid.n_cols)) and \
                        all(not grid.own(h_end, c) or not grid.slots[h_end][c].label
                            or re.match(r"^(19|20)\d\d年?$", grid.slots[h_end][c].label)
                            for c in range(1, grid.n_cols)):
                    h_end += 1
                paths = leaf_paths(grid, range(r, h_end))
                value_cols = [c for c in range(1, grid.n_cols)
                              if paths[c] and (_MONEY_HEADER.search(paths[c].rsplit("/", 1)[-1])
                                               or _SHARE_HEADER.search(paths[c]))
                              and not paths[c].startswith("项目")]
                money_cols = [c for c in value_cols if not _SHARE_HEADER.search(paths[c])]
                first_value = min(value_cols) if value_cols else grid.n_cols
                r = h_end
                while r < grid.n_rows and _section_label(grid, r) == section and not _is_block_header(grid, r):
                    label = ""
                    for c in range(first_value - 1, 0, -1):
                        if grid.slots[r][c].label:
                            label = grid.slots[r][c].label
                            break
                    row_seq += 1
                    for c in value_cols:
                        if not grid.own(r, c):
                            continue
                        raw = grid.slots[r][c].text
                        if not squeeze(raw):
                            continue
                        is_money = c in money_cols
                        parsed = parse_amount(raw) if is_money else None
                        cells.append(Cell(
                            table_seq=table_seq, row_seq=row_seq, page=grid.row_pages[r], row_code=None,
                            row_name=label or None, column_name=paths[c], column_seq=c + 1,
                            raw_text=raw.replace("\n", ""), kind="money" if is_money else "percent",
                            amount=parsed.amount if parsed else None, unit=unit if is_money else None,
                            parse_error=parsed.reason if parsed else None,
                            row_kind="total" if is_total_name(label) else "detail", block=section))
                    r += 1
                continue
            # any other row: keep its filled cells as text
            row_seq += 1
            for c in range(1 if section else 0, grid.n_cols):
                if not grid.own(r, c) or not grid.slots[r][c].label:
                    continue
                cells.append(Cell(
                    table_seq=table_seq, row_seq=row_seq, page=grid.row_pages[r], row_code=None,
                    row_name=section or None, column_name=f"列{c + 1}", column_seq=c + 1,
                    raw_text=grid.slots[r][c].text.replace("\n", ""), kind="text", amount=None,
                    unit=None, block=section or None))
            r += 1
    return cells
