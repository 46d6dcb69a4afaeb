from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.signals import interruptible
from yusuan.extract import extract_report
from yusuan.model import Extraction

interruptible()  # a test session started with SIGINT ignored would leave the runs' output tails unstoppable

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TRUTH = FIXTURES / "truth"  # the light truth of each real report, read by hand from its PDF
SAMPLE_PDF = SAMPLES / "wuchang-kjj-2024-budget.pdf"


@functools.cache
def extraction_of(name: str) -> Extraction:
    """Each sample is parsed once per test session."""
    return extract_report(SAMPLES / name)


@pytest.fixture(autouse=True)
def _quiet_dagster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_DISABLE_TELEMETRY", "1")


@pytest.fixture
def dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Dagster instance of the test's own, configured as the project's (pools, telemetry off)."""
    import shutil

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every PDF of data/samples (the sample and the real reports) ingested once per test session through
    the Dagster batch job (a step per report on every core, one publish), as in production; returns the
    data folder (warehouse.duckdb inside)."""
    data = tmp_path_factory.mktemp("corpus")
    run_batch(sorted(SAMPLES.glob("*.pdf")), data)
    return data


def run_batch(pdfs: list[Path], data: Path) -> Any:
    """Ingest `pdfs` into the data folder `data` through the Dagster batch job, as in production; returns the
    run's events (dagster.DagsterEvent) once the run has succeeded."""
    import dagster as dg

    from pipelines.definitions import batch_job
    from pipelines.jobs import execution_config
    from yusuan.store import add_to_store

    ids = [add_to_store(p, data / "store").report_id for p in pdfs]
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("reports", ids)
        result = dg.execute_job(dg.reconstructable(batch_job), instance=instance, run_config={
            "resources": {"yusuan": {"config": {"data_dir": str(data)}}},
            "ops": {"batch_reports": {"config": {"reports": ids}}}, "execution": execution_config(len(ids))})
        assert result.success
        return result.all_events


@pytest.fixture(scope="session")
def corpus_db(corpus: Path) -> duckdb.DuckDBPyConnection:
    """The published warehouse of the corpus, read-only."""
    return duckdb.connect(str(corpus / "warehouse.duckdb"), read_only=True)
