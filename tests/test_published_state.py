"""The published state when its files are damaged, deleted or left half-written: each damage is found and named
with the way back, none changes an amount silently or unpublishes a report without a word, and the way back
works as its message says (yusuan/publish/)."""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT
from synthetic import build

from pipelines.cli import main
from yusuan.publish import PublishedStateError, parts_dir, publish, verify
from yusuan.publish.garbage import RETIRED, collect_garbage
from yusuan.publish.layout import GRACE_SECONDS
from yusuan.stages import Settings, process_report, publish_reports
from yusuan.store import add_to_store


def _pdf(path: Path, seed: int) -> Path:
    build(path, seed)
    return path


def _settings(data: Path) -> Settings:
    return Settings(data_dir=data, warehouse=data / "warehouse.duckdb", expectations=ROOT / "expectations")


def _ingest(settings: Settings, pdfs: list[Path]) -> list[str]:
    """Run and publish reports as the batch job does (no Dagster: the published state is what is tried here)."""
    ids = [add_to_store(p, settings.store_dir).report_id for p in pdfs]
    for rid in ids:
        assert process_report(settings, rid).status == "loaded"
    publish_reports(settings, ids, lambda ready, remove: publish(settings.warehouse, ready))
    return ids


def _amounts(settings: Settings) -> dict[str, object]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return dict(con.execute("SELECT report_id, sum(amount_yuan) FROM budget.line_items GROUP BY ALL").fetchall())
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Two clean reports published in one part, once; each test works on its own copy."""
    tmp = tmp_path_factory.mktemp("published")
    pdfs = [_pdf(tmp / f"report-{seed}.pdf", seed) for seed in (1, 2)]
    settings = _settings(tmp / "data")
    return settings.data_dir, _ingest(settings, pdfs)


@pytest.fixture
def data(built: tuple[Path, list[str]], tmp_path: Path) -> tuple[Settings, list[str]]:
    """A copy of the published state; its analyst file rebuilt for its new place by an empty publish."""
    shutil.copytree(built[0], tmp_path / "data", symlinks=True)
    settings = _settings(tmp_path / "data")
    publish(settings.warehouse, {})
    return settings, built[1]


def _part_file(settings: Settings, name: str = "budget.line_items.parquet") -> Path:
    (found,) = [p for p in parts_dir(settings.warehouse).glob(f"part=b*/{name}")]
    return found


def test_every_part_carries_its_checksums_and_verifies_whole(data: tuple[Settings, list[str]]) -> None:
    settings, ids = data
    assert verify(settings.warehouse) == []
    assert main(["verify", "--data-dir", str(settings.data_dir)]) == 0
    sums = _part_file(settings, "checksums.json").read_text(encoding="utf-8")
    assert "budget.line_items.parquet" in sums and "budget.reports.parquet" in sums


def test_one_flipped_byte_in_a_part_is_found_never_read_as_another_amount(data: tuple[Settings, list[str]]) -> None:
    """Bit rot: a flipped byte anywhere in the file of amounts is named by verify, every time (20 random flips)."""
    settings, _ = data
    target = _part_file(settings)
    original = target.read_bytes()
    rng = random.Random(7)
    for _ in range(20):
        at = rng.randrange(len(original))
        flipped = bytearray(original)
        flipped[at] ^= 1 << rng.randrange(8)
        target.write_bytes(bytes(flipped))
        damage = verify(settings.warehouse)
        assert [(d.file, d.problem.split(" (")[0]) for d in damage] == [
            ("budget.line_items.parquet", "its content changed")], at
    target.write_bytes(original)
    assert verify(settings.warehouse) == []


def test_a_damaged_part_in_use_is_named_with_the_way_back_and_rebuilt_around(
        data: tuple[Settings, list[str]], dagster_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings, ids = data
    before = _amounts(settings)
    target = _part_file(settings)
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])  # truncated
    capsys.readouterr()
    assert main(["status", "--data-dir", str(settings.data_dir)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "budget.line_items.parquet" in err
    assert f"yusuan rebuild --data-dir {settings.data_dir}" in err  # the way back keeps the data folder
    assert main(["verify", "--data-dir", str(settings.data_dir)]) == 2
    assert "its content changed" in capsys.readouterr().err
    assert main(["rebuild", "--data-dir", str(settings.data_dir)]) == 0
    assert verify(settings.warehouse) == [] and _amounts(settings) == before
    assert list((parts_dir(settings.warehouse) / "damaged").glob("part=b*"))  # set aside, kept for a person


def test_a_damaged_part_no_report_points_to_is_never_read(data: tuple[Settings, list[str]], tmp_path: Path) -> None:
    """A stray part in the parts folder (a truncated copy of a real one) breaks neither the queries after the next
    publish nor that publish: it is moved out of the folder the views read."""
    settings, ids = data
    stray = parts_dir(settings.warehouse) / "part=bstray"
    stray.mkdir()
    good = _part_file(settings)
    (stray / good.name).write_bytes(good.read_bytes()[:100])
    pdf = _pdf(tmp_path / "third.pdf", 5)
    third = _ingest(settings, [pdf])[0]
    assert set(_amounts(settings)) == {*ids, third}
    assert (parts_dir(settings.warehouse) / RETIRED / "part=bstray").exists() and not stray.exists()


def test_a_deleted_part_folder_is_noticed_and_its_reports_run_again(
        data: tuple[Settings, list[str]], dagster_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings, ids = data
    before = _amounts(settings)
    shutil.rmtree(_part_file(settings).parent)
    assert main(["status", "--data-dir", str(settings.data_dir)]) == 2
    assert "the part's folder is missing (2 report(s) published in it)" in capsys.readouterr().err
    with pytest.raises(PublishedStateError, match="missing"):  # nothing is published over it as if it were whole
        publish(settings.warehouse, {})
    stored = sorted(str(p) for p in settings.store_dir.glob("*.pdf"))
    assert main(["ingest", *stored, "--data-dir", str(settings.data_dir)]) == 0
    out = capsys.readouterr().out
    assert "already ingested" not in out and "set aside, its reports are run again" in out
    assert _amounts(settings) == before and verify(settings.warehouse) == []


def test_a_deleted_manifest_is_never_silently_replaced(data: tuple[Settings, list[str]], tmp_path: Path,
                                                       dagster_home: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    settings, ids = data
    before = _amounts(settings)
    (parts_dir(settings.warehouse) / "manifest.parquet").unlink()
    pdf = _pdf(tmp_path / "third.pdf", 5)
    with pytest.raises(PublishedStateError, match="manifest .* is missing"):
        publish(settings.warehouse, {})
    assert main(["ingest", str(pdf), "--data-dir", str(settings.data_dir)]) == 2
    err = capsys.readouterr().err
    assert "is missing" in err and f"yusuan rebuild --data-dir {settings.data_dir}" in err
    # the way back, followed with another (empty) data folder: refused, and nothing is changed
    elsewhere = tmp_path / "elsewhere"
    assert main(["rebuild", "--data-dir", str(elsewhere), "--warehouse", str(settings.warehouse)]) == 2
    assert "holds no report" in capsys.readouterr().err
    assert not (parts_dir(settings.warehouse) / "manifest.parquet").exists()
    # followed as printed: every stored report back
    assert main(["rebuild", "--data-dir", str(settings.data_dir), "--warehouse", str(settings.warehouse)]) == 0
    assert _amounts(settings) == before


def test_a_failure_after_the_commit_is_said_as_such(data: tuple[Settings, list[str]], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The manifest replaced, then the analyst file cannot be written: the publish is not reported failed (the new
    version is live), and says what did not happen."""
    import yusuan.publish.commit as commit

    settings, ids = data
    pdf = _pdf(tmp_path / "third.pdf", 5)
    rid = add_to_store(pdf, settings.store_dir).report_id
    assert process_report(settings, rid).status == "loaded"

    def no_room(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(commit, "write_views", no_room)
    published = publish_reports(settings, [rid], lambda ready, remove: publish(settings.warehouse, ready))
    assert published.added == 1 and len(published.after_commit) == 1
    assert "could not be rebuilt (OSError: [Errno 28] No space left on device)" in published.after_commit[0]
    monkeypatch.undo()
    publish(settings.warehouse, {})
    assert rid in _amounts(settings)


def test_an_unused_part_is_kept_an_hour_after_it_stopped_being_used_and_leftovers_go(
        data: tuple[Settings, list[str]], tmp_path: Path) -> None:
    settings, ids = data
    folder = parts_dir(settings.warehouse)
    old = _part_file(settings).parent
    two_hours_ago = time.time() - 7200
    for p in [old, *old.iterdir()]:
        os.utime(p, (two_hours_ago, two_hours_ago))  # written long ago
    leftovers = [folder / ".b20260101T000000000000-99999.tmp", folder / ".manifest.parquet.99999.tmp",
                 settings.warehouse.with_name(f".{settings.warehouse.name}.99999.tmp"),
                 settings.warehouse.with_name(f".{settings.warehouse.name}.99999.tmp.wal")]
    leftovers[0].mkdir()
    for p in leftovers[1:]:
        p.write_bytes(b"left by a publish that died")
    for rid in ids:  # a new version of both reports: the old part stops being used now
        assert process_report(settings, rid).status == "loaded"
    stopped = time.time()
    publish_reports(settings, ids, lambda ready, remove: publish(settings.warehouse, ready))
    retired = folder / RETIRED / old.name
    assert retired.exists(), "deleted by the publish that stopped using it"
    assert not any(p.exists() for p in leftovers)
    collect_garbage(folder, settings.warehouse, now=stopped + GRACE_SECONDS - 60)
    assert retired.exists()
    collect_garbage(folder, settings.warehouse, now=stopped + GRACE_SECONDS + 60)
    assert not retired.exists()
    assert verify(settings.warehouse) == []
