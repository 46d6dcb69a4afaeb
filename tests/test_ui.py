"""The Dagster UI: the webserver serves the code location with its assets, sensor and schedule."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
REPO = {"repositoryLocationName": "yusuan", "repositoryName": "__repository__"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def graphql(url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(f"{url}/graphql", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        data: dict[str, Any] = json.loads(resp.read())
    assert "errors" not in data, data.get("errors")
    return data["data"]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    home = tmp_path_factory.mktemp("dagster_home")
    data = tmp_path_factory.mktemp("data")
    shutil.copy(ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "DAGSTER_DISABLE_TELEMETRY": "1", "YUSUAN_DATA_DIR": str(data)}
    exe = Path(sys.executable).with_name("dagster-webserver")
    proc = subprocess.Popen([str(exe), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                entries = graphql(url, "{ workspaceOrError { ... on Workspace { locationEntries "
                                       "{ name loadStatus } } } }")["workspaceOrError"]["locationEntries"]
                if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                    break
            except OSError:
                pass
            assert proc.poll() is None, "dagster-webserver exited"
            assert time.monotonic() < deadline, "the code location did not load within 90 s"
            time.sleep(0.5)
        yield url, home, data
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_ui_serves_assets_sensor_and_schedule(webserver: tuple[str, Path, Path]) -> None:
    url = webserver[0]
    assets = graphql(url, "{ assetNodes { assetKey { path } groupName } }")["assetNodes"]
    assert {(a["assetKey"]["path"][0], a["groupName"]) for a in assets} == {
        ("raw_reports", "raw"), ("extracted_cells", "extracted"), ("line_items", "extracted"),
        ("conformed_facts", "conformed"), ("across_reports", "across")}
    sensors = graphql(url, """query($r: RepositorySelector!) { sensorsOrError(repositorySelector: $r) {
        ... on Sensors { results { name sensorState { status } } } } }""", {"r": REPO})
    assert [(s["name"], s["sensorState"]["status"]) for s in sensors["sensorsOrError"]["results"]] == [
        ("inbox_sensor", "RUNNING")]
    schedules = graphql(url, """query($r: RepositorySelector!) { schedulesOrError(repositorySelector: $r) {
        ... on Schedules { results { name cronSchedule executionTimezone scheduleState { status } } } } }""",
                        {"r": REPO})
    (nightly,) = schedules["schedulesOrError"]["results"]
    assert (nightly["name"], nightly["cronSchedule"], nightly["executionTimezone"]) == (
        "nightly_schedule", "0 2 * * *", "Asia/Shanghai")
    assert nightly["scheduleState"]["status"] == "RUNNING"


CHECKS = """query Checks($key: AssetKeyInput!) {
  assetNodeOrError(assetKey: $key) { ... on AssetNode {
    assetChecksOrError { ... on AssetChecks { checks {
      name
      executionForLatestMaterialization { status partition
        evaluation { success severity metadataEntries { label
          ... on IntMetadataEntry { intValue } ... on JsonMetadataEntry { jsonString }
          ... on TextMetadataEntry { text } ... on MarkdownMetadataEntry { mdStr } } } } } } } } } }"""


MATERIALIZATION = """query Latest($key: AssetKeyInput!) {
  assetOrError(assetKey: $key) { ... on Asset { assetMaterializations(limit: 1) { partition
    metadataEntries { label ... on PathMetadataEntry { path } } } } } }"""


def test_ui_shows_identity_checks_with_their_metadata(webserver: tuple[str, Path, Path],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    url, home, data = webserver
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    from pipelines.cli import main

    assert main(["ingest", str(ROOT / "data" / "samples" / "wuchang-kjj-2024-budget.pdf"), "--data-dir", str(data)]) == 0
    seen = {}
    for asset in ("line_items", "conformed_facts"):
        node = graphql(url, CHECKS, {"key": {"path": [asset]}})["assetNodeOrError"]
        for check in node["assetChecksOrError"]["checks"]:
            execution = check["executionForLatestMaterialization"]
            assert execution is not None and execution["status"] in ("SUCCEEDED", "FAILED"), check
            meta = {m["label"]: m for m in execution["evaluation"]["metadataEntries"]}
            seen[check["name"]] = (execution["status"], execution["evaluation"]["severity"], meta)
    assert set(seen) == {"row_identities_hold", "totals_equal_their_rows", "code_hierarchy_adds_up",
                         "tables_agree_with_each_other", "nothing_lost_between_stages", "related_figures_correspond",
                         "narrative_agrees_with_tables", "wording_agrees_with_the_report",
                         "tables_are_read_as_they_add_up", "report_is_loaded"}
    assert seen["tables_are_read_as_they_add_up"][0] == "SUCCEEDED"  # every table of the sample adds up as read
    status, severity, meta = seen["related_figures_correspond"]
    assert (status, severity) == ("FAILED", "WARN")
    names = {f["instance"] for f in json.loads(meta["failing_instances"]["jsonString"])}
    assert "表11 项目名称 计划管理费 ≠ 表10 计划管理经费" in names
    status, severity, meta = seen["narrative_agrees_with_tables"]
    assert (status, severity) == ("FAILED", "WARN")
    failing = json.loads(meta["failing_instances"]["jsonString"])
    basic = [f for f in failing if "基本支出 1,072.07" in f["instance"]]
    assert basic and basic[0]["difference"] == "-5.000000" and basic[0]["page"] == 17
    # a failed check shows its first findings as a table, page first
    table = meta["first_findings"]["mdStr"].splitlines()
    assert table[0].startswith("| page | table | instance |")
    shown = [line.split(" | ")[:3] for line in table[2:] if line.startswith("| ")]
    assert shown and shown == [[f"| {f['page']}", f["table"], f["instance"]] for f in failing[:len(shown)]]
    row = next(line for line in table[2:] if "基本支出 1,072.07" in line)
    assert row.endswith(" | 1072.07 | 1077.07 | -5 | 0.01 |")  # the figures as a reader writes them
    status, severity, meta = seen["code_hierarchy_adds_up"]
    assert status == "SUCCEEDED" and meta["rounding"]["intValue"] == 3 and meta["evaluated"]["intValue"] > 90
    # the report's materialization links its review page
    latest = graphql(url, MATERIALIZATION, {"key": {"path": ["conformed_facts"]}})["assetOrError"]
    (event,) = latest["assetMaterializations"]
    links = {m["label"]: m.get("path") for m in event["metadataEntries"]}
    page = Path(links["review_page"])
    assert page.parent == data / "review" and page.name == f"{event['partition']}.html" and page.exists()
    assert "narrative_figures_agree_with_tables" in page.read_text(encoding="utf-8")


PARTITION_CHECKS = """query Checks($key: AssetKeyInput!) {
  assetNodeOrError(assetKey: $key) { ... on AssetNode {
    assetChecksOrError { ... on AssetChecks { checks { name
      partitionStatuses { ... on AssetCheckDefaultPartitionStatuses { succeededPartitions failedPartitions } } } } } } } }"""

PARTITION_MATERIALIZATION = """query Latest($key: AssetKeyInput!, $partition: String!) {
  assetOrError(assetKey: $key) { ... on Asset { assetMaterializations(partitions: [$partition], limit: 1) {
    partition metadataEntries { label ... on TextMetadataEntry { text } } } } } }"""

LATEST = """query Latest($key: AssetKeyInput!) {
  assetOrError(assetKey: $key) { ... on Asset { assetMaterializations(limit: 1) { runId
    metadataEntries { label ... on IntMetadataEntry { intValue } ... on MarkdownMetadataEntry { mdStr } } } } } }"""

RUN_TAGS = """query Run($id: ID!) { runOrError(runId: $id) { ... on Run { tags { key value } } } }"""


def quarantine_by_losing_an_amount(monkeypatch: pytest.MonkeyPatch) -> None:
    """A conforming step that loses one amount (表7's 公务接待费): the report is quarantined (its figures would be
    ours), as tests/test_identities.py shows on the sample."""
    import yusuan.conform as conform

    original = conform.conform_report

    def lossy(con: Any, report_id: str) -> dict[str, int]:
        counts = original(con, report_id)
        con.execute("DELETE FROM conformed.fact_three_public WHERE report_id = ? AND item = '公务接待费'", [report_id])
        return counts

    monkeypatch.setattr("yusuan.conform.conform_report", lossy)


def test_ui_shows_a_quarantined_report_on_its_partition_and_in_the_batch_summary(
        webserver: tuple[str, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, every partition was green: the line_items materialization of a quarantined report said `loaded`,
    and a check showed only the last report it evaluated. Now the report's partition fails `report_is_loaded`
    (and the identity that broke), every stage names its final status, and the batch says what it quarantined."""
    url, home, data = webserver
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    from pipelines.cli import main
    from yusuan.store import add_to_store

    pdf = tmp_path / "quarantined-copy.pdf"  # the sample's content, another file (so another report)
    pdf.write_bytes((ROOT / "data" / "samples" / "wuchang-kjj-2024-budget.pdf").read_bytes() + b"\n% copy\n")
    report_id = add_to_store(pdf, tmp_path / "store").report_id
    quarantine_by_losing_an_amount(monkeypatch)
    assert main(["ingest", str(pdf), "--data-dir", str(data)]) == 0
    # each check shows its result per partition: this report failed
    node = graphql(url, PARTITION_CHECKS, {"key": {"path": ["conformed_facts"]}})["assetNodeOrError"]
    statuses = {c["name"]: c["partitionStatuses"] for c in node["assetChecksOrError"]["checks"]}
    for check in ("report_is_loaded", "nothing_lost_between_stages"):
        assert report_id in statuses[check]["failedPartitions"], (check, statuses[check])
        assert report_id not in statuses[check]["succeededPartitions"]
    assert report_id in statuses["tables_agree_with_each_other"]["succeededPartitions"]
    # every stage's materialization carries the report's final status, its file and its department
    for asset in ("extracted_cells", "line_items", "conformed_facts"):
        (event,) = graphql(url, PARTITION_MATERIALIZATION, {"key": {"path": [asset]}, "partition": report_id}
                           )["assetOrError"]["assetMaterializations"]
        meta = {m["label"]: m.get("text") for m in event["metadataEntries"]}
        assert (meta["status"], meta["file"], meta["department"]) == (
            "quarantined", pdf.name, "武昌区科学技术和经济信息化局"), asset
        assert "amounts lost between the extracted and the conformed stage" in (meta["reason"] or "")
    # the publish step says what became of the batch: how many were quarantined, which, and why (before, only the
    # checks across reports were there)
    (batch,) = graphql(url, LATEST, {"key": {"path": ["across_reports"]}})["assetOrError"]["assetMaterializations"]
    meta = {m["label"]: m for m in batch["metadataEntries"]}
    assert meta["batch_reports"]["intValue"] == 1 and meta["batch_quarantined"]["intValue"] == 1
    table = meta["batch_not_loaded"]["mdStr"]
    assert table.startswith("| file | report | department | status | reason |")
    row = next(line for line in table.splitlines() if pdf.name in line)
    assert f"| {report_id} |" in row and "| quarantined |" in row and "amounts lost" in row
    # ... and so does its count over everything published (whichever report was evaluated last)
    assert meta["published_quarantined"]["intValue"] >= 1
    assert pdf.name in meta["published_not_loaded"]["mdStr"]
    # the run's tags name the file and the outcome (the runs list shows them)
    tags = {t["key"]: t["value"] for t in graphql(url, RUN_TAGS, {"id": batch["runId"]})["runOrError"]["tags"]}
    assert (tags["yusuan/files"], tags["yusuan/outcome"]) == (pdf.name, "1 quarantined")
