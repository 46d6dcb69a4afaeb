"""GX validates the instances of several reports at once and gives each report what a validation of its own
gives: a family fails a report only for that report's unexpected instances."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

from yusuan.checks.instance import Instance
from yusuan.checks.suites import run_suite, run_suite_by_report

SUITE = Path(__file__).resolve().parents[2] / "expectations" / "extracted_suite.json"


def _instance(family: str, name: str, lhs: str, rhs: str, waived: str | None = None) -> Instance:
    return Instance(identity=f"{family}_identity", family=family, stage="extracted", severity="error", instance=name,
                    lhs=Decimal(lhs), rhs=Decimal(rhs), tolerance=Decimal("0.01"), table_no="表1", page=3,
                    waived=waived)


def test_a_batch_validation_gives_each_report_its_own_results() -> None:
    reports = {
        "clean": [_instance("totals", "合计", "100.00", "100.00"), _instance("row_identities", "r1", "5", "5")],
        "broken": [_instance("totals", "合计", "100.00", "90.00"), _instance("totals", "小计", "7", "7"),
                   _instance("row_identities", "r1", "5", "6", waived="a misprint the department corrected")],
        "empty": [],
    }
    together = run_suite_by_report(SUITE, reports)
    for name, instances in reports.items():
        assert [asdict(f) for f in together[name]] == [asdict(f) for f in run_suite(SUITE, instances)], name
    broken = {f.family: f for f in together["broken"]}
    assert not broken["totals"].success and [x["instance"] for x in broken["totals"].failing] == ["合计"]
    assert broken["row_identities"].success  # its one break is waived
    assert all(f.success for f in together["clean"]) and all(f.evaluated == 0 for f in together["empty"])


def test_a_gx_failure_fails_every_family_of_every_report_with_its_reason(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from yusuan.checks import suites

    class Broken:
        def get_batch(self, **_: object) -> None:
            raise RuntimeError("the metric graph could not be built")

    monkeypatch.setattr(suites, "batch_definition", lambda: Broken())
    reports = {"clean": [_instance("totals", "合计", "100.00", "100.00")], "empty": []}
    found = run_suite_by_report(SUITE, reports)
    families = {m["family"] for m in suites.suite_families(SUITE)}
    for name in reports:
        assert {f.family for f in found[name]} == families, name
        assert all(not f.success and "the metric graph could not be built" in (f.error or "") for f in found[name])
    assert {f.family: f.evaluated for f in found["clean"]}["totals"] == 1
