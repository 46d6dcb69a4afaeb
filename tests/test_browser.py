"""The Dagster UI in a real headless browser: a screenshot of the asset graph.

Slow and needs Chromium (Debian's package): run with `make test-browser`, which installs it when
missing. Skipped, with the reason, where Chromium is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from test_ui import webserver  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def test_asset_graph_screenshot(webserver: tuple[str, Path, Path], tmp_path: Path) -> None:  # noqa: F811
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium is not installed: `make test-browser` installs Debian's chromium package (needs root)")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "asset-graph.png"
    shot.unlink(missing_ok=True)
    url = webserver[0] + "/asset-groups"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,900",
                    "--virtual-time-budget=20000", f"--screenshot={shot}", url],
                   check=True, timeout=120, capture_output=True)
    assert shot.exists() and shot.stat().st_size > 20_000, "the screenshot is missing or blank"


def test_review_page_screenshot(tmp_path: Path) -> None:
    """The sample's review page, written by the run, opened in headless Chromium: a screenshot of its first screen
    (the identity, the tables found, the first findings with their crops) in tests/artifacts/review-page.png."""
    from conftest import SAMPLE_PDF

    from pipelines.cli import main

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium is not installed: `make test-browser` installs Debian's chromium package (needs root)")
    data = tmp_path / "data"
    assert main(["ingest", str(SAMPLE_PDF), "--data-dir", str(data)]) == 0
    (page,) = (data / "review").glob("*.html")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "review-page.png"
    shot.unlink(missing_ok=True)
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2600",
                    "--virtual-time-budget=5000", f"--screenshot={shot}", page.as_uri()],
                   check=True, timeout=120, capture_output=True)
    assert shot.exists() and shot.stat().st_size > 50_000, "the screenshot is missing or blank"
