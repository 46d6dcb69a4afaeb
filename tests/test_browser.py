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
