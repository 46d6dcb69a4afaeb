"""The rules by name: a leaf that the rule modules fill when they are imported, and that imports none of them.

A rule is a plain function. A rule over one report takes the report's view (yusuan.view.Report, restricted
to the tables its catalog entry names) and the identity, and returns the identity's instances:

    @rule
    def total_row(report: Report, ident: Identity) -> list[Instance]: ...

A rule across reports (`@rule(over="corpus")`) takes the published reports instead (yusuan.checks.rules.across)
and returns (stating report id, instance) pairs. The catalog (yusuan.checks.catalog) names a rule per identity
and is validated against this registry when it is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, overload

Over = Literal["report", "corpus"]


@dataclass(frozen=True)
class Rule:
    name: str
    fn: Callable[..., Any]
    over: Over  # report: one report's view; corpus: the published reports

    @property
    def doc(self) -> str:
        return (self.fn.__doc__ or "").strip()


RULES: dict[str, Rule] = {}


class RegistryError(ValueError):
    """A rule registered twice under one name."""


@overload
def rule(fn: Callable[..., Any], /) -> Callable[..., Any]: ...
@overload
def rule(*, name: str | None = None, over: Over = "report") -> Callable[[Callable[..., Any]], Callable[..., Any]]: ...


def rule(fn: Callable[..., Any] | None = None, /, *, name: str | None = None,
         over: Over = "report") -> Any:
    """Register `fn` as the rule named `name` (default: the function's name)."""

    def register(f: Callable[..., Any]) -> Callable[..., Any]:
        key = name or f.__name__
        if key in RULES and RULES[key].fn is not f:
            raise RegistryError(f"rule {key!r} registered twice: {RULES[key].fn.__module__} and {f.__module__}")
        RULES[key] = Rule(key, f, over)
        return f

    return register(fn) if fn is not None else register
