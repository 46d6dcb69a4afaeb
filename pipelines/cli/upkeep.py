"""Looking after the published state: `yusuan remove`, `yusuan verify`, `yusuan rebuild`."""

import argparse
import os
import sys
from typing import Any

from pipelines.cli.batch import ingest
from pipelines.cli.common import config, dagster_instance, default_dagster_home, no_warehouse, one_report, shown


def way_back(settings: Any) -> str:
    """The command that rebuilds this data folder's published state, as the operator typed its folders."""
    return f"yusuan rebuild --data-dir {settings.data_dir} --warehouse {settings.warehouse}"


def remove(args: argparse.Namespace) -> int:
    """Remove a report from what analysts see and from the pipeline's folders (its partition and review page
    too); the stored input file is kept, so the same file can be ingested again. Taken under the report's lock: a
    run processing it finishes first, and a run asked for before the removal does not bring it back."""
    from pipelines.resources import YusuanConfig
    from yusuan.locks import mark_removed, report_lock
    from yusuan.stages import clear

    resource = YusuanConfig(**config(args))
    if no_warehouse(resource):
        return 2
    settings = resource.settings()
    default_dagster_home(settings.data_dir)
    with resource.read() as con:
        one = one_report(con, args.report)
    if one is None:
        return 2
    report_id, file_name = one
    with report_lock(settings.staging_dir, report_id,
                     on_wait=lambda why: print(shown(why), file=sys.stderr, flush=True)):
        mark_removed(settings.staging_dir, report_id)
        resource.publish(remove=(report_id,))
        clear(settings, report_id)
        settings.review_page(report_id).unlink(missing_ok=True)
    instance = dagster_instance()
    if instance.has_dynamic_partition("reports", report_id):
        instance.delete_dynamic_partition("reports", report_id)
    print(shown(f"removed {file_name} [{report_id}] from every stage; its stored file is kept in {settings.store_dir}"))
    return 0


def verify(args: argparse.Namespace) -> int:
    """Check every published part against the checksums recorded when it was written: 0 when whole, 2 with each
    damaged or missing file named, and the way back."""
    from pipelines.resources import YusuanConfig
    from yusuan.publish import PublishedStateError
    from yusuan.publish import verify as check

    resource = YusuanConfig(**config(args))
    settings = resource.settings()
    try:
        damage = check(settings.warehouse)
    except PublishedStateError as e:
        print(shown(f"yusuan: {e}\nthe way back: {way_back(settings)}"), file=sys.stderr)
        return 2
    if not damage:
        print(shown(f"the published state of {settings.warehouse} is whole: every file matches its checksum"))
        return 0
    for d in damage:
        print(shown(f"damaged: {d}"), file=sys.stderr)
    print(shown(f"the way back: {way_back(settings)} (sets the damaged parts aside and runs their reports again "
                "from the store)"), file=sys.stderr)
    return 2


def rebuild(args: argparse.Namespace) -> int:
    """Run every report the store keeps again and publish them: the way back from a damaged or lost published
    state (the store keeps every input). Damaged parts are set aside (never read again), a damaged manifest kept
    beside as `.damaged`; nothing is touched when the store holds no report."""
    from pipelines.resources import YusuanConfig
    from yusuan.publish import MANIFEST, PublishedStateError, parts_dir, set_aside
    from yusuan.publish import verify as check
    from yusuan.store import stored_reports

    resource = YusuanConfig(**config(args))
    settings = resource.settings()
    ids = stored_reports(settings.store_dir)
    if not ids:
        print(shown(f"the store {settings.store_dir} holds no report: nothing to rebuild from, and nothing was "
                    "changed (--data-dir names the folder the reports were ingested into)"), file=sys.stderr)
        return 2
    try:
        damage = check(settings.warehouse)
    except PublishedStateError:
        folder = parts_dir(settings.warehouse)
        manifest = folder / MANIFEST
        if manifest.exists():
            aside = manifest.with_name(manifest.name + ".damaged")
            os.replace(manifest, aside)
            print(shown(f"the damaged manifest is kept as {aside}"), flush=True)
        (folder / ".committed").unlink(missing_ok=True)
        resource.publish()  # an empty published state, which the rebuild fills
        damage = []
    if damage:
        again = set_aside(settings.warehouse, damage)
        print(shown(f"set aside {len({d.part for d in damage})} damaged part(s) in {parts_dir(settings.warehouse)}"
                    f"/damaged ({len(again)} report(s) to run again)"), flush=True)
    args.paths = [str(settings.store_dir / f"{rid}.pdf") for rid in ids]
    args.force, args.max_pages = True, None
    args.verbose = getattr(args, "verbose", False)
    return ingest(args)
