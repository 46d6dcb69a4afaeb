"""The steps of a batch take its reports one at a time, largest first, each report by exactly one step."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipelines.jobs import claim, largest_first


def test_the_longest_work_is_taken_first() -> None:
    assert largest_first({"a": 3, "b": 40, "c": 3, "d": 12}) == ["b", "d", "a", "c"]


def test_each_report_is_taken_by_one_step(tmp_path: Path) -> None:
    folder = tmp_path / "claims" / "run-1"
    reports = [f"ref{i:014x}" for i in range(200)]

    def step(_: int) -> list[str]:
        return [r for r in reports if claim(folder, r)]

    with ThreadPoolExecutor(4) as pool:
        taken = list(pool.map(step, range(4)))
    assert sorted(r for t in taken for r in t) == reports
    assert not claim(folder, reports[0])
    assert claim(tmp_path / "claims" / "run-2", reports[0])  # another run takes it again
