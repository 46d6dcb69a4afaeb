"""Conformed stage: the report's star-schema facts, the identities across tables, the verdict.

After this asset a report is `loaded` (visible in the analyst views) or `quarantined` (an
error-severity identity broke beyond rounding and is not waived); narrative disagreements
are warnings and never quarantine.
"""

from collections.abc import Iterator
from typing import Any

import dagster as dg

from assets.checks import check_results, check_specs, not_evaluated
from assets.extracted import line_items
from assets.partitions import reports_partitions
from pipelines.resources import YusuanConfig
from yusuan import warehouse
from yusuan.checks.instance import Instance
from yusuan.checks.results import blocking_failures, quarantine_reason, warning_summary
from yusuan.checks.suites import check_stage
from yusuan.conform import conform_report
from yusuan.store import stored_file


@dg.asset(
    partitions_def=reports_partitions,
    group_name="conformed",
    kinds={"duckdb"},
    pool="duckdb_write",
    deps=[line_items],
    check_specs=check_specs("conformed_facts", "conformed"),
    description="The conformed facts (schema conformed, analyst views in budget) of the report; identities "
                "across tables, stage preservation and narrative claims checked (GX suite "
                "expectations/conformed_suite.json); the report promoted (loaded) or quarantined.",
)
def conformed_facts(context: dg.AssetExecutionContext, yusuan: YusuanConfig) -> Iterator[Any]:  # type: ignore[type-arg]
    report_id = context.partition_key
    stored = stored_file(yusuan.store_dir(), report_id)
    with yusuan.connect() as con:
        row = con.execute("SELECT status, status_reason, sha256 FROM budget.reports WHERE report_id = ?",
                          [report_id]).fetchone()
        if row is None or row[0] not in ("registered", "loaded", "quarantined"):
            status = row[0] if row else "missing"
            context.log.info(f"{stored.file_name} [{report_id}] conformed: skipped ({status})")
            yield dg.MaterializeResult(metadata={"file": stored.file_name, "status": status, "conformed": 0})
            yield from not_evaluated("conformed_facts", "conformed", f"report {status}")
            return
        con.execute("BEGIN TRANSACTION")
        try:
            counts = conform_report(con, report_id)
            results, families = check_stage(con, report_id, row[2], "conformed", yusuan.expectations_dir())
            earlier = con.execute(
                "SELECT check_name, instance, observed, expected, difference, tolerance, page FROM budget.check_results "
                "WHERE report_id = ? AND stage = 'extracted' AND severity = 'error' AND NOT passed "
                "ORDER BY check_name, instance", [report_id]).fetchall()
            broken = [Instance(identity=r[0], family="", stage="extracted", severity="error", instance=r[1],
                               lhs=r[2], rhs=r[3], tolerance=r[5], page=r[6]) for r in earlier]
            broken += blocking_failures(results)
            verdict_reason = warehouse.read_staged_report(yusuan.staging_dir() / report_id)["verdict"][1]
            status, reason = ("quarantined", quarantine_reason(broken)) if broken else ("loaded", verdict_reason)
            if status == "loaded":
                reason = "; ".join(x for x in (reason, warning_summary(results)) if x) or None
            warehouse.set_status(con, report_id, status, reason)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    yusuan.publish()
    context.log.info(f"{stored.file_name} [{report_id}] conformed: {status}, {counts['conformed_amounts']} amounts"
                     + (f" ({reason})" if reason else ""))
    yield dg.MaterializeResult(metadata={
        "file": stored.file_name, "status": status, "reason": reason or "",
        "conformed_amounts": counts["conformed_amounts"],
        "checks_passed": sum(1 for f in families if f.success),
        "checks_failed": sum(1 for f in families if not f.success),
    })
    yield from check_results("conformed_facts", families)
