"""Identity families as Dagster asset checks: one check per family, named after it; and the report's status
as a check of its own (`report_is_loaded`), so that a quarantined report is red on its partition.

The checks of a report's stages are partitioned like their assets: the UI shows each check's result per report
(which partitions failed), not only the last report evaluated."""

import warnings
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import dagster as dg

# not exported at the top level in Dagster 1.13; AssetCheckEvaluation takes it
from dagster._core.definitions.asset_checks.asset_check_evaluation import AssetCheckEvaluationTargetMaterializationData

from yusuan.checks.catalog import load_catalog
from yusuan.checks.suites import FamilyResult
from yusuan.money import plain
from yusuan.status import Status

CATALOG = load_catalog(Path(__file__).resolve().parents[1] / "expectations" / "identities.yaml")


def _spec(name: str, asset: str, description: str,
          partitions_def: dg.PartitionsDefinition | None) -> dg.AssetCheckSpec:
    with warnings.catch_warnings():
        # a partitions_def on a check is in preview in Dagster 1.13; it is what shows a check per partition
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return dg.AssetCheckSpec(name, asset=asset, description=description, partitions_def=partitions_def)


def check_specs(asset: str, stage: str,
                partitions_def: dg.PartitionsDefinition | None = None) -> list[dg.AssetCheckSpec]:
    """The checks of the identity families of a stage on its asset (partitioned as the asset is)."""
    return [_spec(spec["check"], asset, spec["description"], partitions_def)
            for family, spec in CATALOG.families.items() if spec["stage"] == stage]


STATUS_CHECK = "report_is_loaded"


def status_check_spec(partitions_def: dg.PartitionsDefinition) -> dg.AssetCheckSpec:
    return _spec(STATUS_CHECK, "conformed_facts",
                 "The report reached the analyst views (status loaded). Fails on the report's partition, with "
                 "its status and reason: ERROR for a quarantined report (the reading of a core table is not "
                 "confirmed by its own arithmetic, or amounts were lost between stages) or a failed run; WARN "
                 "for a rejected or unsupported file.", partitions_def)


def latest_materialization(instance: dg.DagsterInstance, asset: str,
                           partition: str | None) -> AssetCheckEvaluationTargetMaterializationData | None:
    """The asset's (partition's) latest materialization, as the target of a check evaluation an op logs itself.

    The UI counts an evaluation as a check's current result for a partition only when it targets the latest
    materialization of that partition (as a check run by Dagster after its asset does); without it, a partition's
    check shows neither passed nor failed."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[partition] if partition else None),
        limit=1).records
    return _target(records[0]) if records else None


def latest_materializations(instance: dg.DagsterInstance, asset: str,
                            partitions: Sequence[str]) -> dict[str, AssetCheckEvaluationTargetMaterializationData]:
    """The same for several partitions, in one query when each was just materialized (the newest records are
    theirs); a partition not among them is looked up alone."""
    if not partitions:
        return {}
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=list(partitions)),
        limit=2 * len(partitions) + 8).records
    found: dict[str, AssetCheckEvaluationTargetMaterializationData] = {}
    for mat in records:  # newest first
        if mat.partition_key is not None:
            found.setdefault(mat.partition_key, _target(mat))
    for partition in partitions:
        if partition not in found and (alone := latest_materialization(instance, asset, partition)) is not None:
            found[partition] = alone
    return found


def _target(mat: dg.EventLogRecord) -> AssetCheckEvaluationTargetMaterializationData:
    return AssetCheckEvaluationTargetMaterializationData(storage_id=mat.storage_id, run_id=mat.run_id,
                                                         timestamp=mat.timestamp)


def status_evaluation(report_id: str, about: Mapping[str, Any], review: Mapping[str, Any] | None = None,
                      target: AssetCheckEvaluationTargetMaterializationData | None = None) -> dg.AssetCheckEvaluation:
    """The `report_is_loaded` result of a report from `about` (file, department, status, reason), on its
    partition; `review` links its review page, `target` is the materialization it judges."""
    status = str(about.get("status") or Status.FAILED)
    severity = dg.AssetCheckSeverity.WARN if status in (Status.REJECTED, Status.UNSUPPORTED) \
        else dg.AssetCheckSeverity.ERROR
    return dg.AssetCheckEvaluation(
        asset_key=dg.AssetKey("conformed_facts"), check_name=STATUS_CHECK, passed=status == Status.LOADED,
        severity=severity, partition=report_id,
        description=f"{about.get('file') or report_id}: {status}" + (f" ({about['reason']})" if about.get("reason")
                                                                     else ""),
        metadata={k: str(about.get(k) or "") for k in ("file", "department", "status", "reason")} | dict(review or {}),
        target_materialization_data=target)


def evaluation_of(result: dg.AssetCheckResult, partition: str | None = None,
                  target: AssetCheckEvaluationTargetMaterializationData | None = None) -> dg.AssetCheckEvaluation:
    """A check result as the event an op logs (`context.log_event`) for an asset it does not materialize itself."""
    assert result.asset_key is not None and result.check_name is not None
    return dg.AssetCheckEvaluation(asset_key=result.asset_key, check_name=result.check_name, passed=result.passed,
                                   severity=result.severity, description=result.description,
                                   metadata=result.metadata, partition=partition, target_materialization_data=target)


def status_result(report_id: str, about: Mapping[str, Any],
                  review: Mapping[str, Any] | None = None) -> dg.AssetCheckResult:
    """The same, yielded by the conformed asset (its partition is the run's)."""
    e = status_evaluation(report_id, about, review)
    return dg.AssetCheckResult(asset_key=e.asset_key, check_name=e.check_name, passed=e.passed, severity=e.severity,
                               description=e.description, metadata=e.metadata)


FIRST_FINDINGS = 10  # the failing instances a failed check shows as a table


def cell(value: object, figure: bool = False) -> str:
    """A value as a markdown table cell (a figure as a reader writes it)."""
    if figure and value is not None:  # a figure of the JSON (its exact decimal text) as a reader writes it
        value = plain(Decimal(str(value)))
    return str("" if value is None else value).replace("|", "\\|").replace("\n", " ")


def findings_markdown(failing: list[dict[str, object]]) -> str:
    """The first failing instances as a markdown table, page first (what a reader looks up in the PDF)."""

    lines = ["| page | table | instance | observed | expected | difference | tolerance |",
             "|---:|---|---|---:|---:|---:|---:|"]
    for f in failing[:FIRST_FINDINGS]:
        lines.append("| " + " | ".join([cell(f.get(k)) for k in ("page", "table", "instance")]
                                       + [cell(f.get(k), figure=True) for k in ("lhs", "rhs", "difference", "tolerance")])
                     + " |")
    if len(failing) > FIRST_FINDINGS:
        lines.append(f"\n… and {len(failing) - FIRST_FINDINGS} more (yusuan review REPORT shows them all)")
    return "\n".join(lines)


def check_results(asset: str, families: list[FamilyResult]) -> list[dg.AssetCheckResult]:
    out = []
    for f in families:
        findings = {"first_findings": dg.MetadataValue.md(findings_markdown(f.failing))} if f.failing else {}
        out.append(dg.AssetCheckResult(
            asset_key=asset, check_name=f.check_name, passed=f.success,
            severity=dg.AssetCheckSeverity.ERROR if f.severity == "error" else dg.AssetCheckSeverity.WARN,
            metadata={"family": f.family, "evaluated": f.evaluated, "failed": len(f.failing),
                      "rounding": f.counts.get("rounding", 0), "waived": f.counts.get("waived", 0),
                      **findings, "failing_instances": dg.MetadataValue.json(f.failing[:50]),
                      **({"gx_error": f.error} if f.error else {})}))
    return out


def not_evaluated(asset: str, stage: str, reason: str) -> list[dg.AssetCheckResult]:
    """A report that is not loaded (unsupported) has nothing to check; say so."""
    return [dg.AssetCheckResult(asset_key=asset, check_name=spec["check"], passed=True,
                                metadata={"family": family, "evaluated": 0, "not_evaluated": reason})
            for family, spec in CATALOG.families.items() if spec["stage"] == stage]


FIRST_REPORTS = 50  # the reports a summary lists


def reports_markdown(reports: Sequence[Mapping[str, Any]]) -> str:
    """Reports (file, report_id, department, status, reason) as a markdown table, quarantined first."""
    order = {str(s): i for i, s in enumerate((Status.QUARANTINED, Status.FAILED, Status.REJECTED, Status.UNSUPPORTED))}
    ranked = sorted(reports, key=lambda r: (order.get(str(r.get("status")), 9), str(r.get("file"))))
    lines = ["| file | report | department | status | reason |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(cell(r.get(k)) for k in ("file", "report_id", "department", "status", "reason")) + " |"
              for r in ranked[:FIRST_REPORTS]]
    if len(ranked) > FIRST_REPORTS:
        lines.append(f"\n… and {len(ranked) - FIRST_REPORTS} more (`yusuan status` lists them all)")
    return "\n".join(lines)


def status_counts(reports: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in reports:
        counts[str(r.get("status"))] = counts.get(str(r.get("status")), 0) + 1
    return dict(sorted(counts.items()))


def batch_summary(reports: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What became of a batch's reports, as metadata: a count per status, and which reports were not loaded and
    why (a markdown table)."""
    not_loaded = [r for r in reports if r.get("status") != Status.LOADED]
    meta: dict[str, Any] = {"batch_reports": len(reports),
                            **{f"batch_{status}": n for status, n in status_counts(reports).items()}}
    meta["batch_not_loaded"] = dg.MetadataValue.md(reports_markdown(not_loaded) if not_loaded
                                                   else "every report of the batch is loaded")
    return meta


def published_summary(reports: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The same over everything published: a count per status, and the reports not loaded and why."""
    not_loaded = [r for r in reports if r.get("status") != Status.LOADED]
    return {"published_reports": len(reports),
            **{f"published_{status}": n for status, n in status_counts(reports).items()},
            "published_not_loaded": dg.MetadataValue.md(reports_markdown(not_loaded) if not_loaded
                                                        else "every published report is loaded")}
