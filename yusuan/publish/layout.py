"""Where the published state lives, and the one lock its writers share."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA_PART = "_schema"
# the results of the checks across reports (budget.check_results, family across_reports): at every publish those
# its batch can reach are recomputed and the others kept (yusuan.publish.across); read with the rows of the reports
# they belong to
ACROSS_PART = "_across"
# in the across part: what its results were computed from (yusuan.publish.across)
ACROSS_STATE = "state.json"
MANIFEST = "manifest.parquet"
# in every part: the SHA-256 of each of its files; the manifest holds the SHA-256 of this file
CHECKSUMS = "checksums.json"
# a part no report points to any more is deleted once no query can still be reading it: this long after the
# publish that stopped using it
GRACE_SECONDS = 3600.0
# when each part stopped being used (part -> time), kept beside the manifest
UNUSED = "unused.json"


class PublishedStateError(RuntimeError):
    """The published state cannot be read (a damaged or missing manifest or part); the message says the way back."""


def parts_dir(warehouse: Path) -> Path:
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.stem + ".parts")


def part_dir(folder: Path, part: str) -> Path:
    return folder / f"part={part}"


def sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def sql_glob(folder: Path, pattern: str) -> str:
    """`folder/pattern` for read_parquet, the folder's own glob characters ([, *, ?) matched as themselves
    (a data folder may be named `d[/x]`)."""
    literal = "".join("[[]" if ch == "[" else f"[{ch}]" if ch in "*?" else ch for ch in str(folder))
    return sql_path(Path(literal) / pattern)


@contextmanager
def publish_lock(folder: Path) -> Iterator[None]:
    """One publisher at a time per warehouse (the manifest is read, changed and replaced)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".publish.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
