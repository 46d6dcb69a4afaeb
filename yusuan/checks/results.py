"""Check results: waivers, the budget.check_results table, and what the results say of a report's status."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import yaml

from yusuan.checks.instance import Instance, Source
from yusuan.checks.sentences import finding_sentence
from yusuan.money import plain

# ---- waivers, results, status -----------------------------------------------------------------

def load_waivers(path: Path) -> list[dict[str, str]]:
    if not Path(path).exists():
        return []
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise ValueError(f"{path}: not valid YAML: {str(e).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping with a `waivers:` list")
    waivers: list[dict[str, str]] = data.get("waivers") or []
    for n, w in enumerate(waivers, 1):
        if not isinstance(w, dict):
            raise ValueError(f"{path}: waiver {n} is not a mapping: {w!r}")
        missing = [k for k in ("sha256", "identity", "reason") if not w.get(k)]
        if missing:
            raise ValueError(f"{path}: waiver {n} lacks {missing}: {w}")
        sha = w["sha256"]
        if not isinstance(sha, str):
            raise ValueError(f"{path}: waiver {n}: sha256 {sha!r} reads as a number; quote it ('{sha}')")
        if not re.fullmatch(r"[0-9a-f]{8,64}", sha):
            raise ValueError(f"{path}: waiver {n}: sha256 {sha!r} is not 8 to 64 lowercase hex digits")
    return waivers


def apply_waivers(results: list[Instance], sha256: str, waivers: list[dict[str, str]]) -> None:
    for w in waivers:
        if not sha256.startswith(w["sha256"]):
            continue
        for r in results:
            if r.identity == w["identity"] and (not w.get("instance") or w["instance"] in r.instance):
                r.waived = w["reason"]


RESULT_COLUMNS = ["report_id", "stage", "family", "check_name", "instance", "severity", "passed", "outcome", "observed",
                  "expected", "difference", "tolerance", "unit", "table_type", "table_no", "page", "detail", "reason",
                  "reading", "checked_at", "compared", "finding"]


def result_rows(results: list[tuple[str, Instance]]) -> list[tuple[object, ...]]:
    """The budget.check_results rows of (report_id, instance) pairs, in the order of RESULT_COLUMNS (`finding`: the
    instance as a sentence a reader can check on the page, where it fails or is within rounding)."""
    checked_at = datetime.now(UTC).replace(tzinfo=None)
    rows: list[tuple[object, ...]] = []
    for report_id, r in results:
        detail = "; ".join(x for x in (r.detail, f"waived: {r.waived}" if r.waived else None) if x) or None
        rows.append((report_id, r.stage, r.family, r.identity, r.instance, r.severity, r.passed, r.outcome,
                     r.lhs, r.rhs, r.difference, r.tolerance, r.unit, r.table_type, r.table_no, r.page, detail,
                     r.not_evaluated, r.reading, checked_at, [_source_record(x) for x in r.compared],
                     finding_sentence(r)))
    return rows


def _source_record(source: Source) -> dict[str, object]:
    x0, top, x1, bottom = source.box or (None, None, None, None)
    return {"role": source.role, "page": source.page, "x0": x0, "top": top, "x1": x1, "bottom": bottom,
            "printed": source.printed, "report_id": source.report_id}


def write_results(con: duckdb.DuckDBPyConnection, report_id: str, stage: str, results: list[Instance]) -> None:
    """Replace the report's results of one stage (the caller owns the transaction)."""
    from yusuan.warehouse import insert_rows

    con.execute("DELETE FROM budget.check_results WHERE report_id = ? AND stage = ?", [report_id, stage])
    insert_rows(con, "budget.check_results", RESULT_COLUMNS, result_rows([(report_id, r) for r in results]))


def quarantine_reason(broken: list[Instance]) -> str:
    first = broken[0]
    more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
    unit = f" {first.unit}" if first.unit else ""
    return (f"identity {first.identity} broken beyond rounding: {first.instance}: {plain(first.lhs)} vs "
            f"{plain(first.rhs)}{unit}, difference {plain(first.difference)}, tolerance {plain(first.tolerance)}"
            + (f", page {first.page}" if first.page else "") + more)


def warning_summary(results: list[Instance]) -> str | None:
    """What the warn-severity failures say, family by family (for a loaded report's status reason)."""
    counts: dict[str, int] = {}
    for r in results:
        if r.severity == "warn" and not r.passed:
            counts[r.family] = counts.get(r.family, 0) + 1
    said = {"narrative": "narrative figure(s) disagree with the tables",
            "correspondences": "customary correspondence(s) differ"}
    parts = [f"{n} {said.get(family, family + ' warning(s)')}" for family, n in sorted(counts.items(), reverse=True)]
    return f"{'; '.join(parts)} (warnings)" if parts else None


def blocking_failures(results: list[Instance]) -> list[Instance]:
    """Error-severity instances beyond tolerance and not waived: they quarantine the report."""
    return [r for r in results if r.severity == "error" and not r.passed]


@dataclass(frozen=True)
class Verdict:
    """What a report's checks say: its status and why, and its coverage (budget.reports)."""

    status: str  # loaded | quarantined
    reason: str | None
    errors: int  # strict identities the document breaks beyond rounding (not waived)
    warnings: int
    tables_confirmed: int
    tables_unconfirmed: int
    tables_unchecked: int
    instances_evaluated: int
    instances_not_evaluated: int

    @property
    def coverage(self) -> str:
        """Coverage in words: what "no findings" is said over."""
        return (f"tables: {self.tables_confirmed} confirmed, {self.tables_unconfirmed} unconfirmed, "
                f"{self.tables_unchecked} with nothing to add up; identity instances: {self.instances_evaluated} "
                f"evaluated, {self.instances_not_evaluated} not evaluated")


def report_verdict(con: duckdb.DuckDBPyConnection, report_id: str, flags: str | None,
                   core_types: set[str]) -> Verdict:
    """The report's status from its tables' readings and its checks: quarantined only when the reading of a core
    table is not confirmed, or when amounts were lost between our own stages (its figures might be ours, not the
    document's); otherwise loaded, its own breaks counted and named as findings. `flags`: what the extraction
    noted (an identity not stated …)."""
    tables = con.execute("""SELECT table_seq, table_type, table_no, title, first_page, confirmation, confirmation_reason
                            FROM extracted.tables WHERE report_id = ? ORDER BY table_seq""", [report_id]).fetchall()
    counts = {s: sum(1 for t in tables if t[5] == s) for s in ("confirmed", "unconfirmed", "unchecked")}
    outcomes = dict(con.execute("""SELECT outcome, count(*) FROM budget.check_results WHERE report_id = ?
                                   GROUP BY outcome""", [report_id]).fetchall())
    errors = con.execute("""SELECT check_name, instance, observed, expected, difference, tolerance, unit, page, family
                            FROM budget.check_results WHERE report_id = ? AND outcome = 'fail' AND severity = 'error'
                            ORDER BY stage DESC, page, check_name, instance""", [report_id]).fetchall()
    lost = [e for e in errors if e[8] == "stage_preservation"]
    warnings = con.execute("""SELECT family, count(*) FROM budget.check_results WHERE report_id = ?
                              AND outcome = 'fail' AND severity = 'warn' GROUP BY family ORDER BY family DESC""",
                           [report_id]).fetchall()
    doubtful = [t for t in tables if t[5] == "unconfirmed" and t[1] in core_types]
    parts: list[str] = []
    if doubtful:
        status = "quarantined"
        seq, ttype, no, title, page, _, why = doubtful[0]
        parts.append(f"the reading of {no or title or ttype} ({ttype}), page {page}, is not confirmed by the table's "
                     f"own arithmetic: {why}" + (f" (and {len(doubtful) - 1} more core table(s))" if len(doubtful) > 1
                                                 else ""))
    elif lost:
        status = "quarantined"
        parts.append(f"amounts lost between the extracted and the conformed stage: {lost[0][1]} "
                     f"({plain(lost[0][2])} vs {plain(lost[0][3])})")
    else:
        status = "loaded"
    if flags:
        parts.append(flags)
    if errors:
        check, instance, lhs, rhs, diff, tol, unit, page, _ = errors[0]
        parts.append(f"{len(errors)} strict identit{'y' if len(errors) == 1 else 'ies'} broken beyond rounding "
                     f"(findings), first {check}: {instance}: {plain(lhs)} vs {plain(rhs)}{' ' + unit if unit else ''}, "
                     f"difference {plain(diff)}, tolerance {plain(tol)}" + (f", page {page}" if page else ""))
    said = {"narrative": "narrative figure(s) disagree with the tables",
            "correspondences": "customary correspondence(s) differ", "readings": "table(s) not confirmed"}
    if warnings:
        parts.append("; ".join(f"{n} {said.get(family, family + ' warning(s)')}" for family, n in warnings)
                     + " (warnings)")
    return Verdict(status, "; ".join(parts) or None, len(errors), sum(n for _, n in warnings), counts["confirmed"],
                   counts["unconfirmed"], counts["unchecked"],
                   sum(n for o, n in outcomes.items() if o != "not_evaluated"), outcomes.get("not_evaluated", 0))


def record_verdict(con: duckdb.DuckDBPyConnection, report_id: str, verdict: Verdict) -> None:
    """The report's status, reason, findings and coverage in budget.reports (the caller owns the transaction)."""
    con.execute("""UPDATE budget.reports SET status = ?, status_reason = ?, errors = ?, warnings = ?,
                          tables_confirmed = ?, tables_unconfirmed = ?, tables_unchecked = ?, instances_evaluated = ?,
                          instances_not_evaluated = ?
                   WHERE report_id = ?""",
                [verdict.status, verdict.reason, verdict.errors, verdict.warnings, verdict.tables_confirmed,
                 verdict.tables_unconfirmed, verdict.tables_unchecked, verdict.instances_evaluated,
                 verdict.instances_not_evaluated, report_id])
