"""Identity families as Dagster asset checks: one check per family, named after it."""

from decimal import Decimal
from pathlib import Path

import dagster as dg

from yusuan.checks.catalog import load_catalog
from yusuan.checks.suites import FamilyResult
from yusuan.money import plain

CATALOG = load_catalog(Path(__file__).resolve().parents[1] / "expectations" / "identities.yaml")


def check_specs(asset: str, stage: str) -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(spec["check"], asset=asset, description=spec["description"])
            for family, spec in CATALOG.families.items() if spec["stage"] == stage]


FIRST_FINDINGS = 10  # the failing instances a failed check shows as a table


def findings_markdown(failing: list[dict[str, object]]) -> str:
    """The first failing instances as a markdown table, page first (what a reader looks up in the PDF)."""
    def cell(value: object, figure: bool = False) -> str:
        if figure and value is not None:  # a figure of the JSON (its exact decimal text) as a reader writes it
            value = plain(Decimal(str(value)))
        return str("" if value is None else value).replace("|", "\\|").replace("\n", " ")

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
