"""`yusuan export`: the warehouse as files an analyst can take anywhere (yusuan/export.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipelines.cli.common import config, no_warehouse, shown


def export(args: argparse.Namespace) -> int:
    """Write the export folder: a DuckDB file older versions read, Parquet and CSV per table, datapackage.json."""
    from pipelines.resources import YusuanConfig
    from yusuan.export import EXPORT_FILE, PACKAGE_FILE, export
    from yusuan.schema import STORAGE_VERSION

    resource = YusuanConfig(**config(args))
    if no_warehouse(resource):
        return 2
    out = Path(args.out) if args.out else resource.settings().data_dir / "export"
    from yusuan.publish import relink

    relink(resource.warehouse_path())  # a copied or moved data folder reads its own parts
    done = export(resource.warehouse_path(), out)
    rows = sum(done.tables.values())
    print(shown(f"exported {len(done.tables)} tables ({rows:,} rows) of schema budget to {done.folder} on "
                f"{done.created}:"))
    print(f"  {EXPORT_FILE} (DuckDB {STORAGE_VERSION.lstrip('v')} and later), data/*.parquet, data/*.csv, "
          f"{PACKAGE_FILE} (the data dictionary)")
    return 0 if done.tables else 2


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("export", parents=[common],
                       help="write the warehouse as one portable DuckDB file, Parquet and CSV per table, and "
                            "datapackage.json")
    p.add_argument("--out", help="the export folder (replaced whole; default: DATA_DIR/export)")
    p.set_defaults(func=export)


