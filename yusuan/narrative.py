"""Figures stated in the prose (情况说明), read sentence by sentence, and checked against the tables."""

from __future__ import annotations

from typing import Any


def evaluate_claims(ev: Any, ident: Any) -> list[Any]:
    return []
