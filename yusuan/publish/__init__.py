"""Publishing: what analysts read, made of immutable Parquet parts behind a small file of views.

Each report is processed in a database of its own (`staging/<report>/work.duckdb`). When it reaches a
final status its rows are exported, table by table, to Parquet (`export_report`). A publish takes the
exported reports of a batch, writes them as one new *part* (one Parquet file per table), and then
replaces the *manifest*, the single small file that says which part holds the current version of
each report. The analyst file, `warehouse.duckdb`, holds only views: every table of the contract
reads the parts the manifest names.

    <warehouse>.parts/
        manifest.parquet                 report_id -> part, and the SHA-256 of the part's checksums.json
                                         (replaced atomically: the commit point)
        part=_schema/<schema>.<table>.parquet   empty, typed: the columns of every table
        part=<batch>/<schema>.<table>.parquet   the rows of the reports of one publish
        part=<batch>/checksums.json      the SHA-256 of each file of the part
        part=_across/budget.check_results.parquet  the checks across reports, recomputed at every publish
        retired/part=<batch>/          a part no report points to any more (deleted an hour later)
        unused.json                      when each retired part stopped being used
        damaged/                         parts set aside by `yusuan rebuild` (never read again)
    <warehouse>.duckdb                   views over the files of the parts the manifest names (rebuilt at
                                         every publish, and by `relink` when the folder was copied or moved)

So a publish costs the size of its batch, not of the warehouse; a reader never holds a lock the
pipeline needs, and sees whole reports only (the manifest names a part only once it is complete);
a report stays published until `remove` or a final newer version replaces it; nothing left beside
the analyst file (a WAL of a crashed session) survives the next publish.

The parts of the package: `layout` (where things are, the publish lock), `parts` (writing a report's export and
a part), `manifest` (the commit point and the checksums), `views` (the analyst file), `commit` (a publish),
`across` (the checks across reports a publish runs again, for the reports a change reaches), `verify` (finding a
damaged part, and setting it aside), `garbage` (unused parts and temporary files).
"""

from yusuan.publish.commit import (
    Published,
    first_ingested,
    first_ingested_of,
    publish,
    refresh_across,
    relink,
)
from yusuan.publish.layout import MANIFEST, PublishedStateError, parts_dir
from yusuan.publish.manifest import manifest_rows
from yusuan.publish.parts import export_report
from yusuan.publish.verify import Damage, set_aside, verify

__all__ = ["MANIFEST", "Damage", "Published", "PublishedStateError", "export_report", "first_ingested",
           "first_ingested_of", "manifest_rows", "parts_dir", "publish", "read_manifest",
           "refresh_across", "relink", "set_aside", "verify"]


def read_manifest(warehouse: object) -> dict[str, tuple[str | None, str]]:
    """report_id -> (part, status) of the published reports."""
    from pathlib import Path

    return {r[0]: (r[1], r[2]) for r in manifest_rows(Path(str(warehouse)))}
