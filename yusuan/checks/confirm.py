"""Is our reading of a table right? Its own arithmetic says, before any figure of it is blamed on the document.

A document's error is local: one figure, one row, one total, and it breaks the identities that read that
figure. A failure that repeats (down a column, across most rows of a table, by one amount in many places) is
what a misreading does: a column read as another, a header span misplaced, a subtotal taken for a part. So,
table by table and identity by identity:

- `confirmed`: the table's own identities were evaluated and hold, but for local failures (the document's
  breaks, published as findings);
- `unconfirmed`: an identity fails in a pattern: its instances on the table are not evaluated ("reading not
  confirmed: 20 of 20 rows fail …"), and the table is said, once, not to add up under the reading;
- `unchecked`: no identity of the table could be evaluated (nothing printed adds up to anything).

The same judgement is made on the table in memory (when its readings are chosen, yusuan/reading.py) and on
the instances recorded at the extracted stage, so the two never disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from yusuan.checks.instance import Instance

CONFIRMED, UNCONFIRMED, UNCHECKED = "confirmed", "unconfirmed", "unchecked"
# a failure repeated this often, and in at least half of its identity's instances on a column, is a pattern
REPEATED = 3


@dataclass(frozen=True)
class Confirmation:
    """What a table's own arithmetic says of our reading of it."""

    status: str  # confirmed | unconfirmed | unchecked
    reason: str | None = None  # why it is unconfirmed (the pattern), or what was checked
    evaluated: int = 0  # instances of its own identities evaluated (pass, rounding, fail)
    failed: int = 0  # of those, failing beyond rounding
    doubtful: frozenset[str] = field(default_factory=frozenset)  # the identities whose failures form a pattern


def _key(inst: Instance) -> tuple[str, str]:
    return inst.identity, inst.column or ""


def _fails(inst: Instance) -> bool:
    return inst.outcome in ("fail", "waived")


def judge(instances: list[Instance]) -> Confirmation:
    """The verdict on one table from the instances of its own identities (its row identities, totals and code
    hierarchies)."""
    evaluated = [i for i in instances if i.outcome != "not_evaluated"]
    if not evaluated:
        return Confirmation(UNCHECKED, "no identity of the table could be evaluated")
    failing = [i for i in evaluated if _fails(i)]
    doubtful: dict[str, str] = {}
    by_column = Counter(_key(i) for i in evaluated)
    failing_by_column = Counter(_key(i) for i in failing)
    for (identity, column), n in failing_by_column.items():
        if n >= REPEATED and n * 2 >= by_column[(identity, column)]:
            where = f" in {column}" if column else ""
            doubtful.setdefault(identity, f"{n} of {by_column[(identity, column)]} instances{where} fail {identity}")
    # places, not instances: a row whose total is printed again in each of several column pairs, and fails the
    # same way in each, compares the same two figures each time; that is one place of the document
    places = {(i.identity, abs(i.difference), i.lhs, i.rhs) for i in failing if i.difference is not None}
    by_amount = Counter((identity, amount) for identity, amount, _, _ in places)
    for (identity, amount), n in by_amount.items():
        if n >= REPEATED and amount:
            doubtful.setdefault(identity, f"{n} instances of {identity} fail by the same amount, {amount}")
    if doubtful:
        return Confirmation(UNCONFIRMED, "; ".join(doubtful.values()), len(evaluated), len(failing),
                            frozenset(doubtful))
    return Confirmation(CONFIRMED, None, len(evaluated), len(failing))


def doubt(instances: list[Instance], confirmation: Confirmation) -> None:
    """Mark the instances of a table's doubtful identities not evaluated, with the pattern as the reason."""
    for inst in instances:
        if inst.identity in confirmation.doubtful and inst.not_evaluated is None:
            inst.not_evaluated = f"reading not confirmed: {confirmation.reason}"
