"""The raw file store: every input kept, content-addressed by its report id.

A file dropped in the inbox (or given to `yusuan ingest`) is copied to
`store/<report_id>.pdf` with a small JSON sidecar that remembers its original name.
The report id comes from the content hash, so the same file twice is the same report.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from yusuan.register import report_id_for, sha256_of


@dataclass(frozen=True)
class StoredFile:
    report_id: str
    path: Path
    file_name: str  # the name it arrived with


def add_to_store(source: Path, store_dir: Path) -> StoredFile:
    """Copy `source` into the store (once) and return where it is kept."""
    source = Path(source)
    store_dir = Path(store_dir)
    store_dir.mkdir(parents=True, exist_ok=True)
    report_id = report_id_for(sha256_of(source))
    target = store_dir / f"{report_id}.pdf"
    sidecar = store_dir / f"{report_id}.json"
    if not target.exists():
        tmp = target.with_suffix(".tmp")
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    if not sidecar.exists():
        sidecar.write_text(json.dumps({"file_name": source.name, "source": str(source.resolve()),
                                       "stored_at": datetime.now(UTC).isoformat()}, ensure_ascii=False),
                           encoding="utf-8")
    return StoredFile(report_id, target, source.name)


def stored_file(store_dir: Path, report_id: str) -> StoredFile:
    """The stored file of a report; raises FileNotFoundError naming the report if it is gone."""
    target = Path(store_dir) / f"{report_id}.pdf"
    if not target.exists():
        raise FileNotFoundError(f"report {report_id}: no stored file at {target}")
    sidecar = target.with_suffix(".json")
    name = target.name
    if sidecar.exists():
        name = json.loads(sidecar.read_text(encoding="utf-8")).get("file_name", name)
    return StoredFile(report_id, target, name)


def inbox_files(folder: Path) -> list[Path]:
    """The files waiting in a folder (not hidden, not temporary), in name order."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".") and not p.name.endswith((".part", ".tmp")))
