"""The Dagster UI in a real headless browser: screenshots of the asset graph, the asset catalog, a quarantined
report's partition and its failing check, and review pages (in tests/artifacts/).

Slow and needs Chromium (Debian's package): run with `make test-browser`, which installs it when
missing. Skipped, with the reason, where Chromium is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from test_ui import ROOT, graphql, quarantine_by_losing_an_amount, webserver  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium is not installed: `make test-browser` installs Debian's chromium package (needs root)")
    return chromium


def _screenshot(url: str, name: str, profile: Path, size: str = "1400,900", wait_ms: int = 20000) -> Path:
    """A screenshot of `url` once the page has rendered, in tests/artifacts/NAME."""
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / name
    shot.unlink(missing_ok=True)
    subprocess.run([_chromium(), *FLAGS, f"--user-data-dir={profile}", f"--window-size={size}",
                    f"--virtual-time-budget={wait_ms}", f"--screenshot={shot}", url],
                   check=True, timeout=180, capture_output=True)
    return shot


def _rendered(url: str, profile: Path, wait_ms: int = 20000) -> str:
    """The page's DOM once rendered (what the screenshot shows, as text)."""
    done = subprocess.run([_chromium(), *FLAGS, f"--user-data-dir={profile}", "--window-size=1400,900",
                           f"--virtual-time-budget={wait_ms}", "--dump-dom", url],
                          check=True, timeout=180, capture_output=True, text=True)
    return done.stdout


def test_asset_graph_screenshot(webserver: tuple[str, Path, Path], tmp_path: Path) -> None:  # noqa: F811
    graphql(webserver[0], "mutation { setNuxSeen }")
    shot = _screenshot(webserver[0] + "/asset-groups", "asset-graph.png", tmp_path / "profile")
    assert shot.exists() and shot.stat().st_size > 20_000, "the screenshot is missing or blank"


def test_catalog_and_a_quarantined_partition_with_its_failing_check(
        webserver: tuple[str, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """A report quarantined (an amount lost between stages): the asset catalog, the report's partition of
    conformed_facts (its file, department, status and reason), the page of its failing check `report_is_loaded`,
    and the report's review page, each in tests/artifacts/."""
    _chromium()
    url, home, data = webserver
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    from pipelines.cli import main
    from yusuan.store import add_to_store

    pdf = tmp_path / "quarantined-copy.pdf"
    pdf.write_bytes((ROOT / "data" / "samples" / "wuchang-kjj-2024-budget.pdf").read_bytes() + b"\n% copy\n")
    report_id = add_to_store(pdf, tmp_path / "store").report_id
    quarantine_by_losing_an_amount(monkeypatch)
    assert main(["ingest", str(pdf), "--data-dir", str(data)]) == 0
    graphql(url, "mutation { setNuxSeen }")  # no "join the community" dialog over the screenshots
    profile = tmp_path / "profile"
    catalog = _screenshot(url + "/assets", "asset-catalog.png", profile)
    assert catalog.stat().st_size > 20_000, "the catalog screenshot is missing or blank"
    partition = f"{url}/assets/conformed_facts?view=partitions&partition={report_id}"
    page = _rendered(partition, profile)
    for shown in (report_id, pdf.name, "武昌区科学技术和经济信息化局", "quarantined", "amounts lost between"):
        assert shown in page, f"{shown} is not on the partition's page"
    shot = _screenshot(partition, "quarantined-partition.png", profile, size="1400,1400")
    assert shot.stat().st_size > 20_000
    check = f"{url}/assets/conformed_facts?view=checks&checkDetail=report_is_loaded"
    page = _rendered(check, profile)
    for shown in ("report_is_loaded", "Failed", report_id, pdf.name, "quarantined"):
        assert shown in page, f"{shown} is not on the check's page"
    assert _screenshot(check, "quarantined-check.png", profile, size="1400,1100").stat().st_size > 20_000
    review = data / "review" / f"{report_id}.html"
    shot = _screenshot(review.as_uri(), "review-page-quarantined.png", profile, size="1280,2600", wait_ms=5000)
    assert shot.stat().st_size > 50_000, "the review page screenshot is missing or blank"


def test_review_page_screenshot(tmp_path: Path) -> None:
    """The sample's review page, written by the run, opened in headless Chromium: a screenshot of its first screen
    (the identity, the tables found, the first findings with their crops) in tests/artifacts/review-page.png."""
    from conftest import SAMPLE_PDF

    from pipelines.cli import main

    _chromium()
    data = tmp_path / "data"
    assert main(["ingest", str(SAMPLE_PDF), "--data-dir", str(data)]) == 0
    (page,) = (data / "review").glob("*.html")
    shot = _screenshot(page.as_uri(), "review-page.png", tmp_path / "profile", size="1280,2600", wait_ms=5000)
    assert shot.exists() and shot.stat().st_size > 50_000, "the screenshot is missing or blank"
