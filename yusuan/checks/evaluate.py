"""The identities of a stage evaluated on one report's view, each by its registered rule."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from yusuan.checks.confirm import Confirmation, doubt, judge
from yusuan.checks.identity import Identity
from yusuan.checks.instance import Instance
from yusuan.checks.registry import RULES
from yusuan.view import Report


def evaluate(report: Report, identities: Iterable[Identity]) -> list[Instance]:
    """Every instance of the given identities on one report: each rule sees the tables its entry names."""
    import yusuan.checks.rules  # noqa: F401  (the rule modules register themselves)

    out: list[Instance] = []
    for ident in identities:
        if not ident.applies_to(report.report_kind):
            continue
        found = RULES.get(ident.rule)
        if found is None or found.over != "report":
            raise ValueError(f"identity {ident.name}: {ident.rule!r} is not a rule over one report")
        out += found.fn(report.scoped(ident.tables), ident)
    return out


READING_FAMILY = "readings"  # the identities that report a table's reading, not its arithmetic


def evaluate_tables(report: Report, identities: Iterable[Identity]) -> tuple[list[Instance], dict[int, Confirmation]]:
    """A table's own identities (row identities, totals, code hierarchies), table by table, each table's reading
    judged by them (yusuan.checks.confirm): the instances of an identity failing in a pattern on a table are not
    evaluated, with the pattern as the reason. Returns the instances and each table's verdict."""
    identities = list(identities)
    arithmetic = [i for i in identities if i.family != READING_FAMILY]
    readings = [i for i in identities if i.family == READING_FAMILY]
    out: list[Instance] = []
    verdicts: dict[int, Confirmation] = {}
    for table in report.tables:
        found = evaluate(report.only([table]), arithmetic)
        verdicts[table.seq] = verdict = judge(found)
        doubt(found, verdict)
        out += found
    return out + evaluate(report, readings), verdicts


def evaluate_across(con: Any, identities: Iterable[Identity],
                    stating: set[str] | None = None) -> list[tuple[str, Instance]]:
    """Every instance of the cross-report identities over a published warehouse: (stating report, instance);
    with `stating`, those of these reports only."""
    import yusuan.checks.rules  # noqa: F401
    from yusuan.checks.corpus import Corpus

    corpus = Corpus.from_warehouse(con)
    if stating is not None:
        corpus.stating_only(stating)
    out: list[tuple[str, Instance]] = []
    for ident in identities:
        found = RULES.get(ident.rule)
        if found is None or found.over != "corpus":
            raise ValueError(f"identity {ident.name}: {ident.rule!r} is not a rule across reports")
        out += found.fn(corpus, ident)
    return out
