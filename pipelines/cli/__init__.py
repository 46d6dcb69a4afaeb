"""`yusuan`: ingest PDFs through the Dagster batch job, and inspect the warehouse.

    yusuan ingest PATH... [--warehouse FILE] [--data-dir DIR] [--max-pages N] [--force]
    yusuan rebuild [--warehouse FILE] [--data-dir DIR]
    yusuan status [--warehouse FILE]
    yusuan checks [REPORT] [--all] [--warehouse FILE]
    yusuan review REPORT [--out FILE] | --all [--out DIR]
    yusuan remove REPORT [--warehouse FILE]
    yusuan verify [--warehouse FILE] [--data-dir DIR]
    yusuan export [--out DIR] [--warehouse FILE] [--data-dir DIR]

`ingest` runs the job the sensor and the schedule run (one run per batch: a step per report on
every core, one publish), shows progress, and ends with one line per input. It exits 0 when every
input ended with a recorded status (loaded, quarantined, rejected, unsupported, or refused,
duplicate, already ingested), 1 when a report failed or a file is missing.

The commands, one module each: `batch` (ingest), `inspect` (status, checks, review), `upkeep` (remove, verify, rebuild),
`share` (export);
`common` holds what they share.
"""

import argparse
import sys

from pipelines.cli.batch import ingest
from pipelines.cli.common import operational, shown
from pipelines.cli.inspect import checks, review, status
from pipelines.cli.share import add_parser as add_export
from pipelines.cli.upkeep import rebuild, remove, verify
from pipelines.signals import interruptible

__all__ = ["main", "shown"]


def main(argv: list[str] | None = None) -> int:
    import warnings

    interruptible()
    # Dagster's notes on its own beta parameters (a sensor's `owners`) are not the operator's business
    warnings.filterwarnings("ignore", message=r"Parameter `\w+` of .* is currently in beta")
    parser = argparse.ArgumentParser(prog="yusuan", description="Budget-disclosure PDFs into a DuckDB warehouse.")
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--warehouse", help="warehouse file (default: DATA_DIR/warehouse.duckdb, or $YUSUAN_WAREHOUSE)")
    common.add_argument("--data-dir", help="data folder with store/, staging/, review/ and the warehouse "
                                           "(default: data, or $YUSUAN_DATA_DIR)")
    p_ingest = sub.add_parser("ingest", parents=[common], help="ingest PDF files or folders")
    p_ingest.add_argument("paths", nargs="+", help="PDF files or folders of PDFs")
    p_ingest.add_argument("--max-pages", type=int, help="reject PDFs with more pages (default 500, $YUSUAN_MAX_PAGES)")
    p_ingest.add_argument("--force", action="store_true", help="run reports again even if already ingested")
    p_ingest.add_argument("-v", "--verbose", action="store_true", help="show Dagster's log lines")
    p_ingest.set_defaults(func=ingest)
    p_rebuild = sub.add_parser("rebuild", parents=[common],
                               help="run every stored report again and publish them (after damage or loss)")
    p_rebuild.set_defaults(func=rebuild)
    p_status = sub.add_parser("status", parents=[common], help="list the reports in the warehouse")
    p_status.set_defaults(func=status)
    p_checks = sub.add_parser("checks", parents=[common],
                              help="the failing, warned, waived and rounding identities of the reports")
    p_checks.add_argument("report", nargs="?", help="report id, file name or SHA-256 prefix (default: all)")
    p_checks.add_argument("--all", action="store_true", help="also list the instances not evaluated, with their reasons")
    p_checks.set_defaults(func=checks)
    p_review = sub.add_parser("review", parents=[common],
                              help="write a report's review page (HTML: findings beside crops of the pages)")
    p_review.add_argument("report", nargs="?", help="report id (or its start), file name or path, or SHA-256 prefix")
    p_review.add_argument("--all", action="store_true", help="every report's page and an index page")
    p_review.add_argument("--out", help="the HTML file, or a folder for it (with --all: the folder; "
                          "default: DATA_DIR/review/)")
    p_review.set_defaults(func=review)
    p_remove = sub.add_parser("remove", parents=[common], help="remove a report from every stage")
    p_remove.add_argument("report", help="report id, file name or SHA-256 prefix")
    p_remove.set_defaults(func=remove)
    p_verify = sub.add_parser("verify", parents=[common],
                              help="check every published file against its checksum; name what is damaged")
    p_verify.set_defaults(func=verify)
    add_export(sub, common)
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
    except Exception as e:
        said = operational(e)
        if said is None:
            raise
        print(shown(f"yusuan {args.command}: {said}"), file=sys.stderr)
        return 2
    return result
