"""What a publish leaves behind. A part no report points to any more is moved at once out of the folder the views
read (into `retired/`, so a damaged one can never break a query), and deleted a grace period after the publish
that stopped using it. The temporary files of publishes that died are deleted: every writer of these folders
holds the publish lock, so under it none is in use."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from yusuan.publish.layout import ACROSS_PART, GRACE_SECONDS, SCHEMA_PART, UNUSED

RETIRED = "retired"


def retire_unused(folder: Path, referenced: set[str | None], *, now: float | None = None) -> list[str]:
    """Move the parts no report points to into `retired/`, recording when; returns their names."""
    now = time.time() if now is None else now
    ledger = _ledger(folder)
    moved = []
    for p in sorted(folder.glob("part=*")):
        name = p.name.split("=", 1)[1]
        if name in (SCHEMA_PART, ACROSS_PART) or name in referenced:
            continue
        (folder / RETIRED).mkdir(exist_ok=True)
        target = folder / RETIRED / p.name
        shutil.rmtree(target, ignore_errors=True)
        p.rename(target)
        ledger.setdefault(name, now)
        moved.append(name)
    _save(folder, ledger)
    return moved


def collect_garbage(folder: Path, warehouse: Path, *, now: float | None = None,
                    grace: float = GRACE_SECONDS) -> list[str]:
    """Delete the parts retired longer than `grace` ago and every leftover temporary file (under the publish
    lock); returns the names deleted."""
    now = time.time() if now is None else now
    ledger = _ledger(folder)
    deleted = []
    for p in sorted((folder / RETIRED).glob("part=*")):
        name = p.name.split("=", 1)[1]
        since = float(ledger.setdefault(name, now))
        if now - since > grace:
            shutil.rmtree(p, ignore_errors=True)
            ledger.pop(name, None)
            deleted.append(p.name)
    ledger = {k: v for k, v in ledger.items() if (folder / RETIRED / f"part={k}").exists()}
    for p in _leftovers(folder, warehouse):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        deleted.append(p.name)
    _save(folder, ledger)
    return deleted


def _leftovers(folder: Path, warehouse: Path) -> list[Path]:
    mine = [p for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith((".tmp", ".old"))]
    beside = [p for p in warehouse.parent.glob(f".{warehouse.name}.*") if p.name.endswith((".tmp", ".tmp.wal"))]
    return mine + beside


def _ledger(folder: Path) -> dict[str, float]:
    try:
        found = json.loads((folder / UNUSED).read_text(encoding="utf-8"))
        return {str(k): float(v) for k, v in found.items()}
    except (OSError, ValueError, AttributeError):
        return {}


def _save(folder: Path, ledger: dict[str, float]) -> None:
    tmp = folder / f".{UNUSED}.tmp"
    tmp.write_text(json.dumps(ledger, sort_keys=True), encoding="utf-8")
    tmp.replace(folder / UNUSED)
