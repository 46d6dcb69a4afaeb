"""Across reports: what one report states of another report of the same body, checked over the warehouse.

Not partitioned: it reads every published report. Every publish runs the checks again (yusuan/publish.py),
and a batch run records the result on this asset from its publish step; materializing the asset (from the
UI, after reports were materialized one by one) does so too.
"""

from typing import Any

import dagster as dg

from assets.checks import check_results, check_specs, published_summary
from assets.conformed import conformed_facts
from pipelines.resources import YusuanConfig
from yusuan.checks.suites import across_families
from yusuan.publish import refresh_across


@dg.asset(
    group_name="across",
    kinds={"duckdb"},
    pool="duckdb_write",
    deps=[conformed_facts],
    check_specs=check_specs("across_reports", "published"),
    description="The checks across reports (budget.check_results, family across_reports): last year's figures a "
                "report states against last year's report, a 决算's 预算数 against that year's budget; warnings "
                "naming both reports and pages (GX suite expectations/published_suite.json). Its materialization "
                "counts the published reports per status and lists those not loaded, with why; a batch's (by its "
                "publish step) also counts what became of the batch's reports.",
)
def across_reports(context: dg.AssetExecutionContext, yusuan: YusuanConfig) -> Any:  # type: ignore[type-arg]
    found = refresh_across(yusuan.warehouse_path(), yusuan.expectations_dir() / "identities.yaml")
    families = across_families(yusuan.expectations_dir(), found)
    context.log.info(f"across reports: {len(found)} instances, "
                     f"{sum(len(f.failing) for f in families)} disagree")
    yield dg.MaterializeResult(metadata={**across_metadata(found), **published_summary(yusuan.published_reports())})
    yield from check_results("across_reports", families)


def across_metadata(found: list[tuple[str, Any]]) -> dict[str, Any]:
    outcomes: dict[str, int] = {}
    for _, inst in found:
        outcomes[inst.outcome] = outcomes.get(inst.outcome, 0) + 1
    return {"instances": len(found), "reports_stating": len({rid for rid, _ in found}),
            **{f"outcome_{k}": v for k, v in sorted(outcomes.items())}}
