"""Run-time configuration: where the data lives, the parsing limits, and how to reach the warehouse."""


import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from yusuan import publish as publishing
from yusuan.register import DEFAULT_MAX_PAGES
from yusuan.sandbox import Limits
from yusuan.stages import Settings


class YusuanConfig(dg.ConfigurableResource):  # type: ignore[type-arg]
    """Folders and files of a deployment. Empty fields fall back to the environment
    (YUSUAN_DATA_DIR, YUSUAN_WAREHOUSE, YUSUAN_MAX_PAGES, YUSUAN_EXPECTATIONS, YUSUAN_PARSE_MEMORY_MB,
    YUSUAN_PARSE_SECONDS), then to defaults under `data/` (and the project's `expectations/`)."""

    data_dir: str = ""
    warehouse: str = ""
    max_pages: int = 0
    expectations: str = ""
    parse_memory_mb: int = 0
    parse_seconds: float = 0

    def data_path(self) -> Path:
        return Path(self.data_dir or os.environ.get("YUSUAN_DATA_DIR") or "data").resolve()

    def warehouse_path(self) -> Path:
        explicit = self.warehouse or os.environ.get("YUSUAN_WAREHOUSE")
        return Path(explicit).resolve() if explicit else self.data_path() / "warehouse.duckdb"

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

    def settings(self) -> Settings:
        return Settings(data_dir=self.data_path(), warehouse=self.warehouse_path(),
                        expectations=self.expectations_dir(), max_pages=self.page_limit(),
                        limits=Limits.from_env(self.parse_memory_mb, self.parse_seconds))

    def publish(self, exported: Mapping[str, Path] | None = None,
                remove: tuple[str, ...] = ()) -> publishing.Published:
        """Make the exported reports (and the removals) visible to analysts, at once."""
        return publishing.publish(self.warehouse_path(), exported or {}, remove=remove,
                                  catalog=self.expectations_dir() / "identities.yaml")

    def published(self) -> dict[str, tuple[str | None, str]]:
        """report_id -> (part, status) of what analysts see."""
        return publishing.read_manifest(self.warehouse_path())

    def published_reports(self) -> list[dict[str, str]]:
        """Every published report: file, report_id, department, status, reason."""
        if not self.warehouse_path().exists():
            return []
        with self.read() as con:
            rows = con.execute("SELECT file_name, report_id, coalesce(department, ''), status, "
                               "coalesce(status_reason, '') FROM budget.reports ORDER BY file_name").fetchall()
        return [dict(zip(("file", "report_id", "department", "status", "reason"), r, strict=True)) for r in rows]

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection to the published warehouse, as analysts see it."""
        path = self.warehouse_path()
        if not path.exists():
            self.publish()
        try:
            publishing.relink(path)  # a copied or moved data folder: its views read its own parts
        except (OSError, duckdb.Error):
            pass  # a folder this process cannot write: read it as it is (its views name their parts)
        con = duckdb.connect(str(path), read_only=True)
        try:
            yield con
        finally:
            con.close()
