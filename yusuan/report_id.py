"""The report id: `r` and the first 16 hex digits of the file's SHA-256, so that the same file is one report.

It names the report everywhere: its partition, its stored file (store/<id>.pdf), its staging folder and its
rows. Anything that is not a report id never becomes a path.
"""

from __future__ import annotations

import re

REPORT_ID = re.compile(r"^r[0-9a-f]{16}$")


class InvalidReportId(ValueError):
    pass


def report_id_for(sha256: str) -> str:
    """The stable, ASCII report id derived from the file's content hash."""
    return f"r{sha256[:16]}"


def check_report_id(report_id: str) -> str:
    """A report id is `r` and 16 hex digits; anything else never becomes a path."""
    if not isinstance(report_id, str) or not REPORT_ID.match(report_id):
        raise InvalidReportId(f"not a report id: {report_id!r} (expected 'r' and 16 hex digits)")
    return report_id


def is_report_id(text: str) -> bool:
    return bool(REPORT_ID.match(text))
