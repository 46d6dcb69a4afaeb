"""The grid's own operations, on grids built here: a classification list folded into column groups."""

from __future__ import annotations

from yusuan.grid import Grid, Slot, column_groups, unfold


def _grid(rows: list[list[str]], pages: list[int]) -> Grid:
    slots = [[Slot(text, (r, c)) for c, text in enumerate(row)] for r, row in enumerate(rows)]
    n = len(rows[0])
    return Grid(slots=slots, col_edges=[float(10 * i) for i in range(n + 1)], row_pages=pages,
                row_tops=[float(10 * r) for r in range(len(rows))], bbox=(0, 0, 10 * n, 10 * len(rows)))


def is_code(label: str) -> bool:
    return label.endswith("编码")


def test_two_equal_blocks_with_a_code_column_are_two_groups() -> None:
    leaves = ["科目编码", "科目名称", "决算数", "科目编码", "科目名称", "决算数"]
    assert column_groups(leaves, is_code) == 2
    assert column_groups(leaves * 2, is_code) == 4  # the largest number of equal blocks


def test_a_two_sided_table_without_codes_is_not_folded() -> None:
    assert column_groups(["项目", "金额", "项目", "金额"], is_code) == 1  # 收入 | 支出
    assert column_groups(["科目编码", "科目名称", "决算数", "科目编码", "科目名称"], is_code) == 1


def test_unfold_reads_each_group_down_every_page_before_the_next() -> None:
    grid = _grid([["人员经费", "人员经费", "人员经费", "公用经费", "公用经费", "公用经费"],
                  ["科目编码", "科目名称", "决算数", "科目编码", "科目名称", "决算数"],
                  ["301", "工资福利支出", "10.00", "302", "商品和服务支出", "5.00"],
                  ["30101", "基本工资", "10.00", "30201", "办公费", "5.00"],
                  ["303", "对个人和家庭的补助", "1.00", "", "", ""]],   # the second group ends first
                 pages=[16, 16, 16, 16, 17])
    flat = unfold(grid, 2, 2)
    assert flat.n_cols == 3
    labels = [[s.label for s in row] for row in flat.slots]
    # the header label that differs between the groups (人员经费 | 公用经费) is not kept as a column header
    assert labels[:2] == [["", "", ""], ["科目编码", "科目名称", "决算数"]]
    assert [row[0] for row in labels[2:]] == ["301", "30101", "303", "302", "30201"]
    assert flat.row_pages[2:] == [16, 16, 17, 16, 16]
    assert [row[2] for row in labels[2:]] == ["10.00", "10.00", "1.00", "5.00", "5.00"]
    assert all(s.owner is not None and s.owner[1] < 3 for row in flat.slots for s in row if s.owner)
