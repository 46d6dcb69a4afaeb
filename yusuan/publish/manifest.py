"""The manifest: which part holds the published version of each report (replaced atomically: the commit point of
a publish), and the checksums that let a damaged part be found."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

import duckdb

from yusuan.publish.layout import CHECKSUMS, MANIFEST, PublishedStateError, parts_dir, sql_path
from yusuan.schema import MANIFEST_COLUMNS

# report_id, part, status, published_at, SHA-256 of the part's checksums.json
ManifestRow = tuple[str, str | None, str, datetime | None, str | None]
COLUMNS = ["report_id", "part", "status", "published_at", "part_sha256"]
# left beside the manifest once a manifest was committed: a manifest missing after that was lost, not yet written
COMMITTED = ".committed"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksums(folder: Path) -> str:
    """Record the SHA-256 of every file of a part in its checksums.json; returns that file's own SHA-256."""
    sums = {p.name: sha256_file(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name != CHECKSUMS}
    (folder / CHECKSUMS).write_text(json.dumps(sums, indent=0, sort_keys=True), encoding="utf-8")
    return sha256_file(folder / CHECKSUMS)


def manifest_rows(warehouse: Path) -> list[ManifestRow]:
    """The manifest's rows; [] before the first publish. A manifest that cannot be read, or that is missing after
    one was committed, raises PublishedStateError: it is never silently replaced by a new one."""
    folder = parts_dir(warehouse)
    path = folder / MANIFEST
    if not path.exists():
        if (folder / COMMITTED).exists():
            raise PublishedStateError(
                f"the published manifest {path} is missing (it was written before: every published report would be "
                "lost from the views); `yusuan rebuild` runs every stored report again and publishes them")
        return []
    con = duckdb.connect()
    try:
        cur = con.execute(f"SELECT * FROM read_parquet('{sql_path(path)}')")
        names = [d[0] for d in cur.description]
        raw = cur.fetchall()
    except duckdb.Error as e:
        raise PublishedStateError(
            f"the published manifest {path} cannot be read ({str(e).splitlines()[0]}); `yusuan rebuild` runs every "
            "stored report again and publishes them (the store keeps every input)") from e
    finally:
        con.close()
    rows = [dict(zip(names, r, strict=True)) for r in raw]
    return [(r["report_id"], r["part"], r["status"], r.get("published_at"), r.get("part_sha256")) for r in rows]


def write_manifest(folder: Path, rows: list[ManifestRow]) -> None:
    from yusuan.warehouse import insert_rows

    con = duckdb.connect()
    try:
        con.execute(f"CREATE TABLE m ({MANIFEST_COLUMNS})")
        insert_rows(con, "m", COLUMNS, rows)
        tmp = folder / f".{MANIFEST}.{os.getpid()}.tmp"
        con.execute(f"COPY (SELECT * FROM m ORDER BY report_id) TO '{sql_path(tmp)}' (FORMAT parquet)")
    finally:
        con.close()
    os.replace(tmp, folder / MANIFEST)  # the commit point of a publish
    (folder / COMMITTED).touch()
