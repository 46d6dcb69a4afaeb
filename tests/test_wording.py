"""The words around the figures: templates that are not reports, and wording that contradicts itself.

Each report here is built (tests/synthetic.py): a template, or a clean report with one planted wording
defect, beside its clean twin that must flag nothing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from synthetic import build

from yusuan.extract import extract_report, verdict


def test_a_template_is_rejected_naming_its_placeholders(tmp_path: Path) -> None:
    build(tmp_path / "template.pdf", 3, name="XX局", year="202X")
    status, reason = verdict(extract_report(tmp_path / "template.pdf"))
    assert status == "rejected"
    assert reason is not None and reason.startswith("a template, not a report")
    assert "XX局 (page 1)" in reason and "202X年 (page 1)" in reason


def test_a_template_with_blank_names_and_years_is_rejected(tmp_path: Path) -> None:
    build(tmp_path / "blank.pdf", 3, name="", year="")
    status, reason = verdict(extract_report(tmp_path / "blank.pdf"))
    assert status == "rejected" and (reason or "").startswith("a template, not a report"), reason


def test_its_clean_twin_is_a_report(tmp_path: Path) -> None:
    build(tmp_path / "report.pdf", 3)
    ex = extract_report(tmp_path / "report.pdf")
    assert verdict(ex) == ("loaded", None)
    assert ex.placeholders == []


def test_a_document_whose_identity_cannot_be_read_is_rejected(tmp_path: Path) -> None:
    build(tmp_path / "report.pdf", 3)
    ex = extract_report(tmp_path / "report.pdf")
    ex.identity = replace(ex.identity, department=None, fiscal_year=None)
    status, reason = verdict(ex)
    assert status == "rejected" and "identity cannot be read" in (reason or "")
