"""Provenance to the box, and the review page of a report.

Every line item carries its page and its cell's box in PDF points: cut from the page with pdfplumber, the box
holds the item's printed text (on the sample and on real reports of three templates). Every claim carries
the box of its sentence. On a built report with one figure changed, the review page shows exactly one error,
and the outline drawn on its crop holds the changed figure.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import duckdb
import pdfplumber
import pytest
from conftest import SAMPLE_PDF, SAMPLES
from synthetic import _m, build

from pipelines.cli import main
from yusuan.money import squeeze

# three templates: a Hubei district bureau (the sample), the central 公开01-09表 决算, a Hangzhou bureau, a
# Shanghai 街道 budget
REAL = ("cn_central_gjxfj_2024_dept_final.pdf", "zj_hangzhou_qxj_2026_dept_budget.pdf",
        "sh_putuo_wanli_2025_dept_budget.pdf")


def _warehouse(corpus: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(corpus / "warehouse.duckdb"), read_only=True)


def _boxes_hold_their_text(con: duckdb.DuckDBPyConnection, pdf: Path) -> tuple[int, list[str]]:
    rows = con.execute("""
        SELECT l.page, l.x0, l.top, l.x1, l.bottom, l.raw_text, l.row_name, l.column_name
        FROM budget.line_items l JOIN budget.reports r USING (report_id) WHERE r.file_name = ?
        ORDER BY l.page, l.top, l.x0""", [pdf.name]).fetchall()
    wrong: list[str] = []
    with pdfplumber.open(pdf) as doc:
        for page, x0, top, x1, bottom, raw, row, column in rows:
            if x0 is None:
                wrong.append(f"p{page} {row}/{column} {raw!r}: no box")
                continue
            held = squeeze(doc.pages[page - 1].crop((x0, top, x1, bottom), strict=False).extract_text() or "")
            if squeeze(raw) not in held:
                wrong.append(f"p{page} {row}/{column} {raw!r}: the box holds {held!r}")
    return len(rows), wrong


def test_every_line_item_of_the_sample_is_in_its_box(corpus: Path) -> None:
    n, wrong = _boxes_hold_their_text(_warehouse(corpus), SAMPLE_PDF)
    assert n >= 438  # the sample's 438 figures of the truth, and the few the truth leaves out
    assert wrong == []


@pytest.mark.parametrize("name", REAL)
def test_every_line_item_of_a_real_report_is_in_its_box(corpus: Path, name: str) -> None:
    n, wrong = _boxes_hold_their_text(_warehouse(corpus), SAMPLES / name)
    assert n > 100
    assert wrong == []


def test_a_claim_carries_the_box_of_its_sentence(corpus: Path) -> None:
    """Each stated figure's sentence is boxed on the page where it starts: the box holds its first words (the
    start of a sentence that runs on to the next page ends the box)."""
    con = _warehouse(corpus)
    rows = con.execute("""
        SELECT c.page, c.x0, c.top, c.x1, c.bottom, c.sentence FROM extracted.claims c
        JOIN budget.reports r USING (report_id) WHERE r.file_name = ? ORDER BY c.seq""", [REAL[0]]).fetchall()
    assert len(rows) > 50
    boxed = [r for r in rows if r[1] is not None]
    assert len(boxed) == len(rows)
    with pdfplumber.open(SAMPLES / REAL[0]) as doc:
        for page, x0, top, x1, bottom, sentence in boxed:
            held = squeeze(doc.pages[page - 1].crop((x0, top, x1, bottom), strict=False).extract_text() or "")
            first = squeeze(sentence)[:8]
            # a sentence run on to the next page: its first words end the box
            assert first in held or any(held.endswith(first[:k]) for k in range(1, 8)), (page, sentence, held)


def test_check_results_record_the_figures_compared(corpus: Path) -> None:
    """A sum's instance names the total and each term with its page and box; a claim's, its sentence."""
    con = _warehouse(corpus)
    row = con.execute("""
        SELECT c.compared FROM budget.check_results c JOIN budget.reports r USING (report_id)
        WHERE r.file_name = ? AND c.family = 'code_hierarchy' AND c.instance LIKE '%= Σ 2 children'
        ORDER BY c.instance LIMIT 1""", [SAMPLE_PDF.name]).fetchone()
    assert row is not None
    roles = [c["role"] for c in row[0]]
    assert roles == ["lhs", "rhs", "rhs"] and all(c["x0"] is not None and c["page"] for c in row[0])
    claim = con.execute("""
        SELECT c.compared FROM budget.check_results c JOIN budget.reports r USING (report_id)
        WHERE r.file_name = ? AND c.family = 'narrative' AND c.outcome = 'pass' AND len(c.compared) = 2
        LIMIT 1""", [SAMPLE_PDF.name]).fetchone()
    assert claim is not None and [c["role"] for c in claim[0]] == ["claim", "rhs"]
    assert claim[0][0]["printed"].endswith("。")


# ---- the review page --------------------------------------------------------------------------


def _findings(page: str, group: str) -> list[str]:
    section = page.split(f'<h2 id="{group}">', 1)[1].split("<h2 ", 1)[0]
    return re.findall(r'<div class="finding [a-z_]+">.*?</div>', section, flags=re.S)


def _outline(page: str, finding: str, colour: tuple[int, int, int]) -> tuple[int, tuple[float, ...]]:
    """The page and the box (PDF points) of the outline drawn in `colour` on the finding's first crop."""
    from PIL import Image

    crop = re.search(r'data-page="(\d+)" data-left="([\d.]+)" data-top="([\d.]+)" data-scale="([\d.]+)".*?href="#(\w+)"',
                     finding)
    assert crop is not None, "the finding shows no crop"
    page_no, left, top, scale, name = int(crop[1]), float(crop[2]), float(crop[3]), float(crop[4]), crop[5]
    uri = re.search(rf'<image id="{name}" [^>]*href="data:image/png;base64,([^"]+)"', page)
    assert uri is not None
    img = Image.open(io.BytesIO(base64.b64decode(uri[1]))).convert("RGB")
    xs, ys = [], []
    pixels = img.tobytes()
    for k in range(0, len(pixels), 3):
        r, g, b = pixels[k], pixels[k + 1], pixels[k + 2]
        if abs(r - colour[0]) + abs(g - colour[1]) + abs(b - colour[2]) < 60:
            xs.append(k // 3 % img.width)
            ys.append(k // 3 // img.width)
    assert xs, f"no outline in {colour}"
    return page_no, (left + min(xs) / scale, top + min(ys) / scale, left + (max(xs) + 1) / scale,
                     top + (max(ys) + 1) / scale)


def test_a_planted_defect_is_the_one_error_of_the_review_page(tmp_path: Path) -> None:
    """表7's 合计 printed 1.00 万元 too high: the review page (written by the run) has one error, the sum of
    the “三公” table, and its crop outlines the changed figure."""
    from synthetic import figures

    pdf = tmp_path / "inbox" / "planted.pdf"
    pdf.parent.mkdir()
    f = figures(4)
    changed = _m(f.three_public + 1)
    build(pdf, 4, altered=("一般公共预算“三公”经费支出表", 2, 0, changed))
    data = tmp_path / "data"
    assert main(["ingest", str(pdf.parent), "--data-dir", str(data)]) == 0
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    report_id, status = con.execute("SELECT report_id, status FROM budget.reports").fetchone()  # type: ignore[misc]
    assert status == "loaded"  # one figure off: a finding of a report whose reading its arithmetic confirms
    page = (data / "review" / f"{report_id}.html").read_text(encoding="utf-8")
    errors = _findings(page, "error")
    assert len(errors) == 1, errors
    assert "表7" in errors[0] and changed.replace(",", "") in errors[0]  # the observed figure, as printed
    page_no, box = _outline(page, errors[0], (200, 30, 30))
    assert box[2] - box[0] < 120 and box[3] - box[1] < 40, f"the outline {box} is not one cell's"
    with pdfplumber.open(pdf) as doc:
        held = squeeze(doc.pages[page_no - 1].crop(box, strict=False).extract_text() or "")
    assert changed.replace(",", "") in held.replace(",", "")


def test_review_from_the_command_line(tmp_path: Path, corpus: Path) -> None:
    """`yusuan review REPORT --out FILE` writes one self-contained page; `--all` every page and an index."""
    out = tmp_path / "sample.html"
    assert main(["review", SAMPLE_PDF.name, "--data-dir", str(corpus), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<h2>Tables found</h2>" in page and '<h2 id="error">' in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "the page fetches something when viewed"
    assert main(["review", "no-such-report.pdf", "--data-dir", str(corpus), "--out", str(out)]) == 2
    folder = tmp_path / "all"
    assert main(["review", "--all", "--data-dir", str(corpus), "--out", str(folder)]) == 0
    index = (folder / "index.html").read_text(encoding="utf-8")
    linked = re.findall(r'<a href="([^"]+\.html)">', index)
    assert len(linked) == len(list(SAMPLES.glob("*.pdf")))
    assert all((folder / name).exists() for name in linked)


def test_review_names_a_report_as_its_reader_does(tmp_path: Path, corpus: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A report is named by the path of the file ingested, its id in capitals or its start; --out may name a
    folder; --all refuses a file for its folder; a folder without a warehouse is said so and left untouched."""
    sample = _warehouse(corpus).execute("SELECT report_id FROM budget.reports WHERE file_name = ?",
                                        [SAMPLE_PDF.name]).fetchone()[0]  # type: ignore[index]
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in (str(SAMPLE_PDF), sample.upper(), sample[:6]):
        assert main(["review", name, "--data-dir", str(corpus), "--out", str(folder)]) == 0, name
        assert (folder / f"{sample}.html").is_file()
        (folder / f"{sample}.html").unlink()
    file = tmp_path / "one.html"
    file.write_text("kept", encoding="utf-8")
    capsys.readouterr()
    assert main(["review", "--all", "--data-dir", str(corpus), "--out", str(file)]) == 2
    assert "is a file" in capsys.readouterr().err and file.read_text(encoding="utf-8") == "kept"
    empty = tmp_path / "nothing-here"
    for command in (["review", sample], ["checks", sample], ["remove", sample], ["status"]):
        main([*command, "--data-dir", str(empty)])
        assert f"no warehouse at {empty / 'warehouse.duckdb'} yet" in capsys.readouterr().err, command
    assert not empty.exists(), "a reading command created the data folder"


def test_a_check_across_reports_draws_the_other_reports_figure(tmp_path: Path, corpus: Path) -> None:
    """Every compared instance across the 万里街道 budgets records last year's figure in last year's report, its box
    holding the figure on that report's page; the later budget's review page draws that page of the earlier PDF."""
    con = _warehouse(corpus)
    ids = dict(con.execute("SELECT file_name, report_id FROM budget.reports").fetchall())
    rows = con.execute("""SELECT r.file_name, c.instance, c.outcome, c.compared
                          FROM budget.check_results c JOIN budget.reports r USING (report_id)
                          WHERE c.family = 'across_reports' AND r.file_name LIKE 'sh_putuo_wanli_%'""").fetchall()
    assert len(rows) == 12
    for name, instance, _outcome, compared in rows:
        earlier = name.replace("2025", "2024") if "2025" in name else name.replace("2024", "2023")
        theirs = [c for c in compared if c["report_id"] is not None]
        assert [c["report_id"] for c in theirs] == [ids[earlier]], instance
        c = theirs[0]
        with pdfplumber.open(SAMPLES / earlier) as doc:
            held = squeeze(doc.pages[c["page"] - 1].crop((c["x0"], c["top"], c["x1"], c["bottom"]), strict=False)
                           .extract_text() or "")
        assert c["printed"] and squeeze(c["printed"]) in held, (instance, c)
    out = tmp_path / "wanli-2025.html"
    assert main(["review", "sh_putuo_wanli_2025_dept_budget.pdf", "--data-dir", str(corpus), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert f'data-report="{ids["sh_putuo_wanli_2024_dept_budget.pdf"]}"' in page
    assert "of sh_putuo_wanli_2024_dept_budget.pdf: 156,211,123" in page  # 2024 p15 收入总表 财政拨款收入


def test_a_review_page_that_cannot_be_written_costs_the_report_nothing(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The report keeps its status; its review page says why it could not be drawn."""
    from yusuan import review
    from yusuan.stages import Settings, process_report
    from yusuan.store import add_to_store

    def fails(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no room on the device")

    monkeypatch.setattr(review, "write_review", fails)
    settings = Settings(data_dir=tmp_path / "data", warehouse=tmp_path / "data" / "warehouse.duckdb",
                        expectations=Path(__file__).resolve().parents[1] / "expectations")
    build(tmp_path / "clean.pdf", 0)
    stored = add_to_store(tmp_path / "clean.pdf", settings.store_dir)
    run = process_report(settings, stored.report_id)
    assert (run.status, run.reason) == ("loaded", None)
    page = settings.review_page(stored.report_id).read_text(encoding="utf-8")
    assert "could not be written: RuntimeError: no room on the device" in page


def test_an_outline_lands_on_its_cell_on_a_turned_page(corpus: Path) -> None:
    """On a page turned by /Rotate (js_prov_swbgt_2019, every page at 90°), the outline drawn on the rendered page,
    mapped back to PDF points, holds the cell it outlines."""
    from PIL import Image

    from yusuan.review import Box, Pages

    name = "js_prov_swbgt_2019_budget_tables.pdf"
    con = _warehouse(corpus)
    with pdfplumber.open(SAMPLES / name) as doc:
        assert doc.pages[0].rotation == 90
        rows = con.execute("""
            SELECT l.page, l.x0, l.top, l.x1, l.bottom, l.raw_text FROM budget.line_items l
            JOIN budget.reports r USING (report_id) WHERE r.file_name = ? AND l.amount > 0
            ORDER BY l.page, l.top, l.x0 LIMIT 5""", [name]).fetchall()
        assert len(rows) == 5
        pages = Pages(SAMPLES / name)
        try:
            for page, x0, top, x1, bottom, raw in rows:
                crop = pages.crop(page, [Box("lhs", page, (x0, top, x1, bottom), raw)])
                img = Image.open(io.BytesIO(base64.b64decode(crop.uri.split(",", 1)[1]))).convert("RGB")
                pixels = img.tobytes()
                red = [k // 3 for k in range(0, len(pixels), 3) if pixels[k:k + 3] == bytes((200, 30, 30))]
                xs, ys = [k % img.width for k in red], [k // img.width for k in red]
                box = (crop.left + min(xs) / crop.scale, crop.top + min(ys) / crop.scale,
                       crop.left + (max(xs) + 1) / crop.scale, crop.top + (max(ys) + 1) / crop.scale)
                held = squeeze(doc.pages[page - 1].crop(box, strict=False).extract_text() or "")
                assert squeeze(raw) in held and box[2] - box[0] < (x1 - x0) + 10, (raw, box, held)
        finally:
            pages.close()
