from __future__ import annotations

import functools
from pathlib import Path

import pytest

from yusuan.extract import extract_report
from yusuan.model import Extraction

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
SAMPLE_PDF = SAMPLES / "wuchang-kjj-2024-budget.pdf"


@functools.cache
def extraction_of(name: str) -> Extraction:
    """Each sample is parsed once per test session."""
    return extract_report(SAMPLES / name)


@pytest.fixture(autouse=True)
def _quiet_dagster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_DISABLE_TELEMETRY", "1")
