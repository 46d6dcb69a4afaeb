"""Run-time configuration: where the data lives and how to reach the warehouse."""


import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from yusuan import warehouse
from yusuan.register import DEFAULT_MAX_PAGES


class YusuanConfig(dg.ConfigurableResource):  # type: ignore[type-arg]
    """Folders and files of a deployment. Empty fields fall back to the environment
    (YUSUAN_DATA_DIR, YUSUAN_WAREHOUSE, YUSUAN_MAX_PAGES, YUSUAN_EXPECTATIONS), then to defaults under
    `data/` (and the project's `expectations/`)."""

    data_dir: str = ""
    warehouse: str = ""
    max_pages: int = 0
    expectations: str = ""

    def data_path(self) -> Path:
        return Path(self.data_dir or os.environ.get("YUSUAN_DATA_DIR") or "data").resolve()

    def warehouse_path(self) -> Path:
        explicit = self.warehouse or os.environ.get("YUSUAN_WAREHOUSE")
        return Path(explicit).resolve() if explicit else self.data_path() / "warehouse.duckdb"

    def work_path(self) -> Path:
        """The pipeline's own database; analysts read the published `warehouse_path()` copy."""
        published = self.warehouse_path()
        return published.with_name(published.stem + ".work" + published.suffix)

    def publish(self, *, wait_seconds: float = 120.0) -> Path:
        """Copy the work database over the analyst file atomically (call with no connection open),
        waiting while another process writes to the work database."""
        deadline = time.monotonic() + wait_seconds
        delay = 0.1
        while True:
            try:
                return warehouse.publish(self.work_path(), self.warehouse_path())
            except duckdb.IOException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

    def inbox_dir(self) -> Path:
        return self.data_path() / "inbox"

    def store_dir(self) -> Path:
        return self.data_path() / "store"

    def staging_dir(self) -> Path:
        return self.data_path() / "staging"

    def expectations_dir(self) -> Path:
        """The identity catalog, the GX suites and the waivers (expectations/ of the project by default)."""
        explicit = self.expectations or os.environ.get("YUSUAN_EXPECTATIONS")
        return Path(explicit).resolve() if explicit else Path(__file__).resolve().parents[1] / "expectations"

    def page_limit(self) -> int:
        return self.max_pages or int(os.environ.get("YUSUAN_MAX_PAGES") or DEFAULT_MAX_PAGES)

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection to the published warehouse, as analysts see it."""
        path = self.warehouse_path()
        if not path.exists():
            self.publish()
        if not path.exists():
            with self.connect():
                pass
            self.publish()
        con = duckdb.connect(str(path), read_only=True)
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def connect(self, *, wait_seconds: float = 120.0) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to the work database, waiting while another process holds it."""
        path = self.work_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + wait_seconds
        delay = 0.1
        while True:
            try:
                con = warehouse.connect(path)
                break
            except duckdb.IOException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
        try:
            yield con
        finally:
            con.close()
