"""Checking the published state against its checksums: every part the manifest names is present and whole."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from yusuan.publish.layout import ACROSS_PART, CHECKSUMS, SCHEMA_PART, part_dir, parts_dir, publish_lock
from yusuan.publish.manifest import manifest_rows, sha256_file, write_manifest

DAMAGED = "damaged"  # where `set_aside` moves a damaged part (never read again; kept for a person to look at)


@dataclass(frozen=True)
class Damage:
    part: str
    file: str | None
    problem: str
    reports: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"part {self.part}" + (f", file {self.file}" if self.file else "")
        held = f" ({len(self.reports)} report(s) published in it)" if self.reports else ""
        return f"{where}: {self.problem}{held}"


def _check_part(folder: Path, part: str, digest: str | None, reports: tuple[str, ...],
                *, contents: bool) -> list[Damage]:
    where = part_dir(folder, part)
    if not where.is_dir():
        return [Damage(part, None, "the part's folder is missing", reports)]
    listing = where / CHECKSUMS
    if not listing.exists():
        return [Damage(part, CHECKSUMS, "its list of checksums is missing", reports)] if digest else []
    if digest and sha256_file(listing) != digest:
        return [Damage(part, CHECKSUMS, "its list of checksums differs from the manifest's", reports)]
    try:
        sums: dict[str, str] = json.loads(listing.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [Damage(part, CHECKSUMS, "its list of checksums cannot be read", reports)]
    out = []
    for name, expected in sorted(sums.items()):
        path = where / name
        if not path.exists():
            out.append(Damage(part, name, "the file is missing", reports))
        elif contents and sha256_file(path) != expected:
            out.append(Damage(part, name, "its content changed (the SHA-256 differs from the one recorded)", reports))
    return out


def verify(warehouse: Path, *, contents: bool = True) -> list[Damage]:
    """The damage of the published state: parts the manifest names that are missing, or whose files are missing
    or (with `contents`) changed since they were written; the schema and across parts too. Raises
    PublishedStateError when the manifest itself is damaged or missing."""
    folder = parts_dir(warehouse)
    held: dict[str, list[str]] = {}
    digests: dict[str, str | None] = {}
    for report_id, part, _status, _at, digest in manifest_rows(warehouse):
        if part:
            held.setdefault(part, []).append(report_id)
            digests[part] = digest
    out = []
    for part in sorted(held):
        out += _check_part(folder, part, digests[part], tuple(sorted(held[part])), contents=contents)
    for part in (SCHEMA_PART, ACROSS_PART):
        if part_dir(folder, part).is_dir():
            out += _check_part(folder, part, None, (), contents=contents)
    return out


def set_aside(warehouse: Path, damage: list[Damage]) -> list[str]:
    """Move each damaged part into `<parts>/damaged/` and take its reports out of the manifest (the schema and
    across parts are rewritten by the next publish); returns the reports taken out, to run again."""
    folder = parts_dir(warehouse)
    parts = sorted({d.part for d in damage})
    with publish_lock(folder):
        rows = manifest_rows(warehouse)
        out = sorted({r for d in damage for r in d.reports})
        write_manifest(folder, [r for r in rows if r[0] not in out])
        for part in parts:
            where = part_dir(folder, part)
            if where.exists():
                (folder / DAMAGED).mkdir(exist_ok=True)
                target = folder / DAMAGED / where.name
                shutil.rmtree(target, ignore_errors=True)
                where.rename(target)
    return out
