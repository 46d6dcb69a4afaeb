"""Reading the warehouse: `yusuan status`, `yusuan checks`, `yusuan review`."""

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from pipelines.cli.common import config, console_for, no_warehouse, one_report, review_config, shown, texts


def status(args: argparse.Namespace) -> int:
    """The published reports, one row each; then the published state checked against its checksums (yusuan
    verify): 0 when whole, 2 with each damaged or missing file named and the way back."""
    import duckdb

    from pipelines.resources import YusuanConfig
    from yusuan.publish import PublishedStateError, verify

    cfg = config(args)
    resource = YusuanConfig(**cfg)
    if no_warehouse(resource):
        return 0
    settings = resource.settings()
    back = f"the way back: yusuan rebuild --data-dir {settings.data_dir} --warehouse {settings.warehouse}"
    try:
        damage = verify(settings.warehouse)
        with resource.read() as con:
            rows = con.execute(
                "SELECT report_id, file_name, department, fiscal_year, report_kind, money_unit, status, "
                "coalesce(status_reason, ''), tables_found, cells, errors, warnings, "
                "CASE WHEN tables_confirmed IS NULL THEN '' ELSE format('{}/{}/{}', tables_confirmed, "
                "tables_unconfirmed, tables_unchecked) END, "
                "CASE WHEN instances_evaluated IS NULL THEN '' ELSE format('{}/{}', instances_evaluated, "
                "instances_not_evaluated) END, ingested_at FROM budget.reports "
                "ORDER BY ingested_at, file_name").fetchall()
    except (PublishedStateError, duckdb.Error) as e:
        print(shown(f"yusuan: the published state of {settings.warehouse} cannot be read: "
                    f"{str(e).splitlines()[0] if str(e) else type(e).__name__}\n{back}"), file=sys.stderr)
        return 2
    console = console_for(200)
    table = Table(title=Text(shown(f"reports in {resource.warehouse_path()}")))
    for col in ("report", "file", "department", "year", "kind", "unit", "status", "reason", "tables", "cells",
                "errors", "warnings", "tables confirmed/unconfirmed/unchecked", "instances evaluated/not"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*texts(*r[:14]))
    console.print(table)
    if not rows:
        console.print("no reports yet: yusuan ingest data/samples")
    else:
        console.print(shown(counted([r[6] for r in rows])))
    for d in damage:
        print(shown(f"damaged: {d}"), file=sys.stderr)
    if damage:
        print(shown(back), file=sys.stderr)
    return 2 if damage else 0


def counted(statuses: list[str]) -> str:
    """One line of the reports by status, what analysts see first: `25 reports: 23 loaded (what analysts see),
    1 superseded, 1 quarantined`."""
    order = ["loaded", "superseded", "quarantined", "rejected", "unsupported"]
    n = {s: statuses.count(s) for s in dict.fromkeys(order + sorted(set(statuses) - set(order)))}
    parts = [f"{n[s]} {s}" + (" (what analysts see)" if s == "loaded" else "") for s in n if n[s] or s == "loaded"]
    return f"{len(statuses)} reports: " + ", ".join(parts)


def checks(args: argparse.Namespace) -> int:  # noqa: C901 (one branch per option; split as the command grows)
    """One report's (or every report's) identity checks: the failures (errors, then warnings), the
    waived, the gaps within rounding (each with its size and tolerance), and with --all the
    instances not evaluated with their reasons."""
    from pipelines.resources import YusuanConfig

    resource = YusuanConfig(**config(args))
    if no_warehouse(resource):
        return 2
    where, params = "", []
    with resource.read() as con:
        if args.report:
            one = one_report(con, args.report, by_name=True)
            if one is None:
                return 2
            where, params = "AND r.report_id = ?", [one[0]]
        rows = con.execute(f"""
            SELECT r.file_name, c.outcome, c.severity, c.stage, c.check_name, c.instance, c.observed, c.expected,
                   c.difference, c.tolerance, c.unit, c.page, coalesce(c.reason, c.detail), c.reading
            FROM budget.check_results c JOIN budget.reports r USING (report_id)
            WHERE c.outcome <> 'pass' {where}
            ORDER BY r.file_name, c.severity, c.stage, c.check_name, c.page NULLS LAST, c.instance""",
                           params).fetchall()
        summary = con.execute(f"""
            SELECT r.file_name, r.status, count(c.outcome) FILTER (WHERE c.outcome = 'pass'),
                   count(*) FILTER (WHERE c.outcome = 'rounding'),
                   count(*) FILTER (WHERE c.outcome = 'fail' AND c.severity = 'error'),
                   count(*) FILTER (WHERE c.outcome = 'fail' AND c.severity = 'warn'),
                   count(*) FILTER (WHERE c.outcome = 'waived'), count(*) FILTER (WHERE c.outcome = 'not_evaluated')
            FROM budget.reports r LEFT JOIN budget.check_results c USING (report_id)
            WHERE true {where} GROUP BY ALL ORDER BY 1""", params).fetchall()
    console = console_for(200)
    overview = Table(title="identity checks per report")
    for col in ("file", "status", "pass", "rounding", "errors", "warnings", "waived", "not evaluated"):
        overview.add_column(col)
    for r in summary:
        overview.add_row(*texts(*r))
    console.print(overview)
    if not summary:
        console.print(Text(shown(f"no report matches {args.report!r}") if args.report else "no reports yet"))
        return 1 if args.report else 0

    def section(title: str, picked: list[tuple[Any, ...]], columns: tuple[str, ...], empty: str) -> None:
        if not picked:
            console.print(empty)
            return
        table = Table(title=title)
        for col in ("file", "identity", "instance", *columns):
            table.add_column(col, overflow="fold")
        for r in picked:
            table.add_row(*texts(*r))
        console.print(table)

    def figures(r: tuple[Any, ...]) -> tuple[Any, ...]:
        return (r[0], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11])

    section("errors (the report is quarantined)",
            [(*figures(r), r[12], r[13]) for r in rows if r[1] == "fail" and r[2] == "error"],
            ("observed", "expected", "difference", "tolerance", "unit", "page", "detail", "reading"), "no errors")
    section("warnings", [(*figures(r), r[12]) for r in rows if r[1] == "fail" and r[2] == "warn"],
            ("observed", "expected", "difference", "tolerance", "unit", "page", "detail"), "no warnings")
    section("waived", [(*figures(r), r[12]) for r in rows if r[1] == "waived"],
            ("observed", "expected", "difference", "tolerance", "unit", "page", "waiver"), "nothing waived")
    section("within rounding (a gap no larger than the printed figures' rounding)",
            [(*figures(r), r[13]) for r in rows if r[1] == "rounding"],
            ("observed", "expected", "difference", "tolerance", "unit", "page", "reading"), "no rounding gaps")
    not_evaluated = [(r[0], r[4], r[5], r[11], r[12]) for r in rows if r[1] == "not_evaluated"]
    if args.all:
        section("not evaluated (the reading was doubtful or an input is not printed)", not_evaluated,
                ("page", "reason"), "every instance was evaluated")
    elif not_evaluated:
        console.print(f"{len(not_evaluated)} instance(s) not evaluated: --all lists them with their reasons")
    return 0


def review(args: argparse.Namespace) -> int:  # noqa: C901 (one branch per option; split as the command grows)
    """Write the review page of one report (its findings, each beside a crop of the page with the figures
    outlined), or with --all the page of every report and an index. Prints the path of what it wrote."""
    from pipelines.resources import YusuanConfig
    from yusuan.review import index_html, write_review

    if bool(args.report) == bool(args.all):
        named = "id, file name or part of it, department, or SHA-256 prefix"
        print(f"give one REPORT ({named}) or --all, not both" if args.all else
              f"give one REPORT ({named}), or --all", file=sys.stderr)
        return 2
    resource = YusuanConfig(**review_config(args))
    settings = resource.settings()
    target = Path(args.out) if args.out else None
    if args.all and target is not None and target.exists() and not target.is_dir():
        print(f"--out {target} is a file: with --all, --out names the folder for the pages and their index",
              file=sys.stderr)
        return 2
    if no_warehouse(resource):
        return 2
    with resource.read() as con:
        if not con.execute("SELECT count(*) FROM budget.reports").fetchone()[0]:  # type: ignore[index]
            print(f"the warehouse {settings.warehouse} holds no report yet (--data-dir or --warehouse names "
                  "another; `yusuan ingest` fills it)", file=sys.stderr)
            return 2
        if args.all:
            found = con.execute("SELECT report_id, file_name FROM budget.reports ORDER BY file_name").fetchall()
        else:
            one = one_report(con, args.report, by_name=True)
            if one is None:
                return 2
            found = [one]
        folder = target if args.all and target is not None else settings.review_dir
        written: dict[str, str] = {}
        for n, (report_id, file_name) in enumerate(found, 1):
            out = folder / f"{report_id}.html"
            if target is not None and not args.all:  # a file, or a folder to put the page in
                out = target / f"{report_id}.html" if target.is_dir() else target
            write_review(con, report_id, settings.store_dir / f"{report_id}.pdf", out)
            written[report_id] = out.name
            if args.all:
                print(shown(f"[{n}/{len(found)}] {file_name}: {out}"), flush=True)
        if args.all:
            index = folder / "index.html"
            index.write_text(index_html(con, written), encoding="utf-8")
            print(index)
        else:
            print(out)
    return 0
