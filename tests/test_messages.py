"""Failures of the machine rather than of a report, said in one line with the way on: a full disk while storing
the inputs, in a work database, under the Dagster instance; and a failed publish, with its error."""

from __future__ import annotations

import errno
from pathlib import Path

import badfiles
import duckdb
import pytest

from pipelines.cli import main
from yusuan import warehouse
from yusuan.schema import ensure_schema


def test_a_full_disk_while_storing_inputs_is_a_line_for_that_input(tmp_path: Path, dagster_home: Path,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import yusuan.store as store

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    badfiles.zero_pages(inbox / "a-zero-pages.pdf")
    badfiles.corrupt(inbox / "b-no-room.pdf")
    real = store.add_to_store

    def no_room(source: Path, store_dir: Path) -> object:
        if Path(source).name == "b-no-room.pdf":
            raise OSError(errno.ENOSPC, "No space left on device", str(store_dir / "x.pdf.tmp"))
        return real(source, store_dir)

    monkeypatch.setattr(store, "add_to_store", no_room)
    assert main(["ingest", str(inbox), "--data-dir", str(tmp_path / "data")]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    lines = out.out.splitlines()
    assert any(ln.startswith("a-zero-pages.pdf") and ": rejected" in ln for ln in lines)
    (line,) = [ln for ln in lines if ln.startswith("b-no-room.pdf")]
    assert ": failed (could not be stored in " in line and "No space left on device" in line


def test_an_error_that_ends_the_transaction_is_the_one_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk at COMMIT ends the transaction itself; the error reported is the disk's, not "cannot rollback -
    no transaction is active"."""
    con = duckdb.connect()
    ensure_schema(con)

    def commits_then_fails(c: duckdb.DuckDBPyConnection, report_id: str, keep_report_row: bool = False) -> None:
        c.execute("COMMIT")
        raise duckdb.IOException("Could not write file \"work.duckdb\": No space left on device")

    monkeypatch.setattr(warehouse, "delete_report_rows", commits_then_fails)
    with pytest.raises(duckdb.IOException, match="No space left on device"):
        warehouse.remove_report(con, "r0000000000000001")


def test_an_unusable_dagster_instance_is_one_line_not_a_traceback(tmp_path: Path, dagster_home: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (dagster_home / "history").write_text("not a folder")  # its run database cannot be made
    badfiles.zero_pages(tmp_path / "zero.pdf")
    assert main(["ingest", str(tmp_path / "zero.pdf"), "--data-dir", str(tmp_path / "data")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.startswith(f"yusuan ingest: the Dagster instance in {dagster_home} cannot be used: ")
    assert "run the command again" in err


def test_a_failed_publish_says_what_failed(tmp_path: Path, dagster_home: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "warehouse.parts").write_text("a file where the parts folder should be")
    badfiles.zero_pages(tmp_path / "zero.pdf")
    assert main(["ingest", str(tmp_path / "zero.pdf"), "--data-dir", str(data)]) == 1
    (line,) = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("zero.pdf")]
    assert "rejected, but the batch's publish step failed: FileExistsError: [Errno 17] File exists: " in line
    assert str(data / "warehouse.parts") in line
