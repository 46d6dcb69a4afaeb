"""Identity families as Dagster asset checks: one check per family, named after it."""

from pathlib import Path

import dagster as dg

from yusuan.checks.catalog import load_catalog
from yusuan.checks.suites import FamilyResult

CATALOG = load_catalog(Path(__file__).resolve().parents[1] / "expectations" / "identities.yaml")


def check_specs(asset: str, stage: str) -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(spec["check"], asset=asset, description=spec["description"])
            for family, spec in CATALOG.families.items() if spec["stage"] == stage]


def check_results(asset: str, families: list[FamilyResult]) -> list[dg.AssetCheckResult]:
    out = []
    for f in families:
        out.append(dg.AssetCheckResult(
            asset_key=asset, check_name=f.check_name, passed=f.success,
            severity=dg.AssetCheckSeverity.ERROR if f.severity == "error" else dg.AssetCheckSeverity.WARN,
            metadata={"family": f.family, "evaluated": f.evaluated, "failed": len(f.failing),
                      "rounding": f.counts.get("rounding", 0), "waived": f.counts.get("waived", 0),
                      "failing_instances": dg.MetadataValue.json(f.failing[:50]),
                      **({"gx_error": f.error} if f.error else {})}))
    return out


def not_evaluated(asset: str, stage: str, reason: str) -> list[dg.AssetCheckResult]:
    """A report that is not loaded (unsupported) has nothing to check; say so."""
    return [dg.AssetCheckResult(asset_key=asset, check_name=spec["check"], passed=True,
                                metadata={"family": family, "evaluated": 0, "not_evaluated": reason})
            for family, spec in CATALOG.families.items() if spec["stage"] == stage]
