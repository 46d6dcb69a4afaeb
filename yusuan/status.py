"""What became of a report: one enum, read by the library, the pipeline and the command line alike.

A report's status is stored in `budget.reports.status`. The final ones end its run; the others mark a report
on its way through the stages, or a run that ended without a status (`failed`: its last published version,
if any, stays).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    REGISTERED = "registered"  # stored and registered; extracted, not yet conformed
    LOADABLE = "loadable"  # the extraction's verdict: the report can be loaded (not a final status)
    EXTRACTED = "extracted"  # the extracted stage ended (its verdict is staged beside the extraction)
    LOADED = "loaded"  # in the analyst views
    QUARANTINED = "quarantined"  # its reading of a core table is not confirmed: kept out of the analyst views
    REJECTED = "rejected"  # not usable, with the reason (not a PDF, encrypted, a template, no tables …)
    UNSUPPORTED = "unsupported"  # a disclosure of a kind the pipeline does not read
    FAILED = "failed"  # the run ended without a status for it (never stored)

    @property
    def final(self) -> bool:
        return self in FINAL


FINAL: frozenset[Status] = frozenset({Status.LOADED, Status.QUARANTINED, Status.REJECTED, Status.UNSUPPORTED})


def is_final(status: str | None) -> bool:
    """True for the statuses that end a report's run (loaded, quarantined, rejected, unsupported)."""
    return status in FINAL
