"""The raw file store: every input kept, content-addressed by its report id.

A file dropped in the inbox (or given to `yusuan ingest`) is copied to `store/<report_id>.pdf`
with a small JSON sidecar that remembers the name it arrived with. The report id comes from the
hash of the bytes actually copied (hashed while copying, then renamed into place), so the stored
content is always the content of its id, even when the source changes while it is read.

Only regular files are taken: a symbolic link, a device or a folder is refused. A file whose name
ends in `.part`, `.tmp` or `.crdownload`, or starts with a dot, is still being written and is left
alone; the inbox also waits until a file has not changed for a few seconds (`settle_seconds`).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from yusuan.report_id import check_report_id, is_report_id, report_id_for

IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".crdownload")
DEFAULT_SETTLE_SECONDS = 5.0


class StoreError(Exception):
    """An input that is refused; str() names the file and the reason."""


@dataclass(frozen=True)
class StoredFile:
    report_id: str
    path: Path
    file_name: str  # the name it arrived with, escaped where it is not valid UTF-8
    new: bool = False  # copied now (not already in the store)


def display_name(path: Path | str) -> str:
    """A file name as text: bytes that are not UTF-8 are shown escaped (\\xb9), never lost."""
    name = os.path.basename(os.fsencode(path))
    return name.decode("utf-8", errors="backslashreplace")


def _open_regular(source: Path) -> int:
    try:
        info = os.lstat(source)
    except FileNotFoundError:
        raise StoreError(f"{display_name(source)}: no such file") from None
    if stat.S_ISLNK(info.st_mode):
        raise StoreError(f"{display_name(source)}: refused: a symbolic link (only regular files are read)")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{display_name(source)}: refused: not a regular file")
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as e:
        raise StoreError(f"{display_name(source)}: cannot be read: {e.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced between the check and the open
        os.close(fd)
        raise StoreError(f"{display_name(source)}: refused: not a regular file")
    return fd


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def add_to_store(source: Path, store_dir: Path) -> StoredFile:
    """Copy `source` into the store (once) and return where it is kept. Raises StoreError for an
    input that is not a regular file."""
    source = Path(source)
    store_dir = Path(store_dir)
    store_dir.mkdir(parents=True, exist_ok=True)
    name = display_name(source)
    fd = _open_regular(source)
    tmp = store_dir / f".incoming.{uuid.uuid4().hex}.tmp"
    h = hashlib.sha256()
    try:
        with os.fdopen(fd, "rb") as src, open(tmp, "wb") as dst:
            for block in iter(lambda: src.read(1 << 20), b""):
                h.update(block)
                dst.write(block)
            dst.flush()
            os.fsync(dst.fileno())
        report_id = report_id_for(h.hexdigest())
        target = store_dir / f"{report_id}.pdf"
        new = not target.exists()
        if new:
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    sidecar = store_dir / f"{report_id}.json"
    if not _valid_sidecar(sidecar):
        source_text = os.fsencode(source.absolute()).decode("utf-8", errors="backslashreplace")
        _write_atomic(sidecar, json.dumps({"file_name": name, "source": source_text,
                                           "stored_at": datetime.now(UTC).isoformat()},
                                          ensure_ascii=False).encode("utf-8"))
    return StoredFile(report_id, target, _sidecar_name(sidecar) or name, new)


def _valid_sidecar(path: Path) -> bool:
    return _sidecar_name(path) is not None


def _sidecar_name(path: Path) -> str | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("file_name")
    except (OSError, ValueError):
        return None
    return value if isinstance(value, str) and value else None


def stored_file(store_dir: Path, report_id: str) -> StoredFile:
    """The stored file of a report; raises FileNotFoundError naming the report if it is gone."""
    target = Path(store_dir) / f"{check_report_id(report_id)}.pdf"
    if not target.exists():
        raise FileNotFoundError(f"report {report_id}: no stored file at {target}")
    return StoredFile(report_id, target, _sidecar_name(target.with_suffix(".json")) or target.name)


def stored_reports(store_dir: Path) -> list[str]:
    """Every report id the store holds."""
    return sorted(p.stem for p in Path(store_dir).glob("r*.pdf") if is_report_id(p.stem))


def in_progress(path: Path) -> bool:
    """A name that says the file is still being written (the `.part` convention) or hidden."""
    name = path.name
    return name.startswith(".") or name.endswith(IN_PROGRESS_SUFFIXES)


def inbox_files(folder: Path, *, settle_seconds: float = 0.0) -> list[Path]:
    """The files waiting in a folder, in name order: not hidden, not in progress, and (with
    `settle_seconds`) unchanged for that long. Symbolic links and other non-regular entries are
    listed too, so that they can be refused by name."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    now = time.time()
    out = []
    for p in folder.iterdir():
        if in_progress(p):
            continue
        try:
            info = os.lstat(p)
        except FileNotFoundError:
            continue
        if stat.S_ISDIR(info.st_mode):
            continue
        if settle_seconds and stat.S_ISREG(info.st_mode) and now - info.st_mtime < settle_seconds:
            continue  # still being written, most likely: taken at a later tick
        out.append(p)
    return sorted(out, key=lambda p: os.fsencode(p))
