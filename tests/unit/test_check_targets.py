"""The materialization a report's checks judge: each partition's latest, looked up for a flush of reports at once."""

import dagster as dg

from assets.checks import latest_materialization, latest_materializations


def _materialize(instance: dg.DagsterInstance, asset: str, partition: str) -> None:
    instance.report_runless_asset_event(dg.AssetMaterialization(asset, partition=partition))


def test_each_partition_is_judged_on_its_own_latest_materialization() -> None:
    with dg.instance_for_test() as instance:
        _materialize(instance, "line_items", "old")  # materialized long before the flush
        for partition in ("a", "a"):  # twice: its second is the one judged
            _materialize(instance, "line_items", partition)
        for _ in range(20):  # so many of b's that the one query sees none of a's or old's
            _materialize(instance, "line_items", "b")
        _materialize(instance, "conformed_facts", "a")  # another asset's record is never a target

        found = latest_materializations(instance, "line_items", ["a", "b", "old", "never"])

        assert set(found) == {"a", "b", "old"}  # a partition never materialized has no target
        for partition in ("a", "b", "old"):
            alone = latest_materialization(instance, "line_items", partition)
            assert alone is not None and found[partition].storage_id == alone.storage_id
        records = instance.fetch_materializations(dg.AssetRecordsFilter(
            asset_key=dg.AssetKey("line_items"), asset_partitions=["a"]), limit=5).records
        assert len(records) == 2 and found["a"].storage_id == max(r.storage_id for r in records)
        assert latest_materializations(instance, "line_items", []) == {}
