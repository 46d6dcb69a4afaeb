"""The published reports of a warehouse, linked by body, year, kind and level: what the rules across reports
(yusuan.checks.rules.across) read.

A report is linked by its body (yusuan.identify.body_key of the department it
names), its fiscal year, its kind (budget | final) and its level (dept: 部门 | unit: 单位). Each report's view
(yusuan.view.Report) is built on first use and kept. A corpus is built from a warehouse (`Corpus.from_warehouse(con)`: its
loaded and quarantined reports, in the order they were ingested) or from views already built (`Corpus.of`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from yusuan.identify import body_key
from yusuan.view import Report


@dataclass(frozen=True)
class Published:
    """One published report, as the cross-report checks link it."""

    report_id: str
    file_name: str
    body: str
    year: int
    kind: str  # budget | final
    level: str  # dept | unit

    @classmethod
    def of(cls, report_id: str, file_name: str, body: str, year: int, report_kind: str) -> Published:
        """From a report kind as the warehouse names it (dept_budget, unit_final …)."""
        parts = report_kind.split("_")
        return cls(report_id, file_name, body, year, parts[1], parts[0])


def _missing(report_id: str) -> Report:
    raise KeyError(f"report {report_id} is not in the corpus")


class Corpus:
    """The published reports, linked; each report's view built once, when a rule first reads it."""

    def __init__(self, reports: list[Published], load: Callable[[str], Report],
                 views: dict[str, Report] | None = None) -> None:
        """The reports, in the order of publication, and how a report's view is read (`load(report_id)`)."""
        self.reports = reports
        # the reports whose instances the rules give (their stating reports): all, unless `stating_only` narrows
        self.stating = reports
        self._load = load
        self._views: dict[str, Report] = dict(views or {})

    @classmethod
    def from_warehouse(cls, con: Any) -> Corpus:
        """The loaded and quarantined reports of a warehouse that name their year, kind and body, in the order
        they were ingested (then by id). `con`: a DuckDB connection to the warehouse (read only is enough)."""
        rows = con.execute("""SELECT report_id, file_name, department, fiscal_year, report_kind FROM budget.reports
                              WHERE status IN ('loaded', 'quarantined') AND fiscal_year IS NOT NULL
                                AND report_kind IS NOT NULL AND department IS NOT NULL
                              ORDER BY ingested_at, report_id""").fetchall()
        found = [(rid, name, body_key(department), year, kind) for rid, name, department, year, kind in rows]
        return cls([Published.of(rid, name, key, year, kind) for rid, name, key, year, kind in found if key],
                   lambda report_id: Report.from_warehouse(con, report_id))

    @classmethod
    def of(cls, reports: Iterable[Report], file_names: Sequence[str] | None = None) -> Corpus:
        """A corpus of views already built, in the order given (that of publication: the later of two reports
        of one body, year and kind is its newest). A report's file name is `file_names`' (in the same order),
        else its own, else its id; a report that names no year, kind or body is left out, as the warehouse's
        corpus leaves it out."""
        views = list(reports)
        names = list(file_names) if file_names is not None else [v.file_name or v.report_id for v in views]
        published: list[Published] = []
        built: dict[str, Report] = {}
        for view, name in zip(views, names, strict=True):
            body = body_key(view.identity.department)
            if view.fiscal_year is None or view.report_kind is None or body is None:
                continue
            published.append(Published.of(view.report_id, name, body, view.fiscal_year, view.report_kind))
            built[view.report_id] = view
        return cls(published, _missing, built)

    def stating_only(self, report_ids: set[str]) -> Corpus:
        """The rules give the instances of these reports only (they still read every report they link to)."""
        self.stating = [r for r in self.reports if r.report_id in report_ids]
        return self

    def view(self, r: Published) -> Report:
        """The report's view (every table, its claims), built on first use."""
        if r.report_id not in self._views:
            self._views[r.report_id] = self._load(r.report_id)
        return self._views[r.report_id]

    def partner(self, r: Published, year: int, kind: str) -> Published | None:
        """The report of the same body and level for `year` and `kind`: the newest publication when several."""
        found = [x for x in self.reports if x.body == r.body and x.level == r.level and x.year == year
                 and x.kind == kind and x.report_id != r.report_id]
        return found[-1] if found else None

    def units_of(self, r: Published) -> list[Published]:
        """For a 部门 report, the 单位 reports of other bodies of its year and kind (the units it may list);
        none for a 单位 report."""
        if r.level != "dept":
            return []
        return [u for u in self.reports if u.level == "unit" and u.year == r.year and u.kind == r.kind
                and u.body != r.body]
