"""One writer per report at a time, and removals that stick.

A report's staging folder (its work database, extraction and export) is written by one process at a time:
`report_lock` holds an exclusive lock on `staging/.locks/<report>.lock` while a run processes the report,
while a publish copies its export, and while `yusuan remove` takes it away. A second run that meets the
lock says which process holds it and waits for it (a lock dies with its process: `kill -9` frees it).

`yusuan remove` leaves a mark (`staging/.removed/<report>`): a run requested before the removal neither
processes nor publishes the report again; a run requested after it does.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from yusuan.report_id import check_report_id


def _lock_path(staging_dir: Path, report_id: str) -> Path:
    return Path(staging_dir) / ".locks" / f"{check_report_id(report_id)}.lock"


def _removal_mark(staging_dir: Path, report_id: str) -> Path:
    return Path(staging_dir) / ".removed" / check_report_id(report_id)


@contextmanager
def report_lock(staging_dir: Path, report_id: str, *,
                on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the report's lock; when another process holds it, `on_wait` is told who (once) before waiting."""
    path = _lock_path(staging_dir, report_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            if on_wait is not None:
                on_wait(f"report {report_id} is being written by {holder}; waiting for it to finish")
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            lock.seek(0)
            lock.truncate()
            lock.write(f"process {os.getpid()}")
            lock.flush()
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def report_locks(staging_dir: Path, report_ids: list[str], *,
                 on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """The locks of several reports, always taken in the same order (so two holders never wait on each other)."""
    with ExitStack() as stack:
        for report_id in sorted(set(report_ids)):
            stack.enter_context(report_lock(staging_dir, report_id, on_wait=on_wait))
        yield


def mark_removed(staging_dir: Path, report_id: str) -> None:
    """Record that the report was removed now (under its lock)."""
    mark = _removal_mark(staging_dir, report_id)
    mark.parent.mkdir(parents=True, exist_ok=True)
    mark.write_text(f"{time.time()!r}\n", encoding="utf-8")


def removed_since(staging_dir: Path, report_id: str, requested_at: float | None) -> bool:
    """True when the report was removed after a run that asked for it was requested (at `requested_at`)."""
    mark = _removal_mark(staging_dir, report_id)
    if requested_at is None or not mark.exists():
        return False
    try:
        return float(mark.read_text(encoding="utf-8")) > requested_at
    except (OSError, ValueError):
        return True  # a mark that cannot be read is a removal: nothing comes back unasked
