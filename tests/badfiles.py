"""Bad inputs built from the samples, one of each kind an operator meets."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
from conftest import SAMPLE_PDF


def truncated(path: Path) -> Path:
    data = SAMPLE_PDF.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def corrupt(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    return path


def encrypted(path: Path) -> Path:
    with pikepdf.open(SAMPLE_PDF) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(owner="owner-secret", user="user-secret", R=6))
    return path


def scanned(path: Path) -> Path:
    """The sample rasterised: every page an image, no text layer."""
    doc = pdfium.PdfDocument(str(SAMPLE_PDF))
    images = [doc[i].render(scale=0.5).to_pil().convert("RGB") for i in range(len(doc))]
    images[0].save(path, save_all=True, append_images=images[1:])
    return path


def not_a_budget(path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("STSong-Light", 14)
    for i, line in enumerate(["关于召开年度工作会议的通知", "各科室：", "定于下周一上午九时召开全体会议，请准时参加。"]):
        c.drawString(72, 760 - 24 * i, line)
    c.save()
    return path


def missing_core_tables(path: Path) -> Path:
    """The sample without its first table pages (收支总表, 收入总表, 支出总表, 财政拨款收支总表)."""
    with pikepdf.open(SAMPLE_PDF) as pdf:
        keep = pikepdf.Pdf.new()
        for i in (0, 1, 6, 7):  # the 概况 pages, then 表5-1 .. 表8
            keep.pages.append(pdf.pages[i])
        keep.save(path)
    return path


def large(path: Path, copies: int = 6) -> Path:
    """The sample's pages repeated: 126 pages."""
    with pikepdf.open(SAMPLE_PDF) as pdf:
        big = pikepdf.Pdf.new()
        for _ in range(copies):
            big.pages.extend(pdf.pages)
        big.save(path)
    return path


def republished(path: Path) -> Path:
    """A corrected re-publication of the sample: same report, a different file, a later date."""
    with pikepdf.open(SAMPLE_PDF) as pdf:
        pdf.docinfo["/ModDate"] = "D:20261201120000+08'00'"  # later than the sample's own date
        pdf.save(path)
    return path


def template(path: Path) -> Path:
    """A disclosure template: every table and sentence in place, the body XX局 and the year 202X."""
    from synthetic import build

    build(path, 3, name="XX局", year="202X")
    return path


def with_unknown_table(path: Path) -> Path:
    """The sample with one more page: a table whose title names no known type (资产配置情况表)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cjk", fontName="STSong-Light", fontSize=11, leading=16)
    extra = path.with_suffix(".extra.pdf")
    grid = Table([["资产类别", "数量", "金额"], ["合计", "3", "12.50"], ["办公设备", "3", "12.50"]],
                 colWidths=[160, 80, 100])
    grid.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "STSong-Light", 10),
                              ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))]))
    SimpleDocTemplate(str(extra), pagesize=A4).build(
        [Paragraph("表13 2024年部门资产配置情况表", style), Paragraph("单位：万元", style), grid])
    with pikepdf.open(SAMPLE_PDF) as pdf, pikepdf.open(extra) as more:
        pdf.pages.extend(more.pages)
        pdf.save(path)
    extra.unlink()
    return path


def zero_pages(path: Path) -> Path:
    """A well-formed PDF whose page tree is empty."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def bomb(path: Path, inflated_mb: int = 1024) -> Path:
    """The sample with one more page whose content stream inflates from about 1 MB to `inflated_mb`."""
    import zlib

    z = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    packed = b"".join(z.compress(chunk) for _ in range(inflated_mb)) + z.compress(b"BT ET\n") + z.flush()
    with pikepdf.open(SAMPLE_PDF) as pdf:
        page = pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842]))
        pdf.pages.append(page)
        stream = pikepdf.Stream(pdf, packed)
        stream.Filter = pikepdf.Name.FlateDecode
        pdf.pages[-1].obj.Contents = stream
        pdf.save(path)
    return path


def page_printed_twice(path: Path, page_index: int) -> Path:
    """The sample with one of its table pages printed a second time right after itself."""
    with pikepdf.open(SAMPLE_PDF) as pdf:
        out = pikepdf.Pdf.new()
        for i, page in enumerate(pdf.pages):
            out.pages.append(page)
            if i == page_index:
                out.pages.append(page)
        out.save(path)
    return path


def rotated(path: Path, degrees: int = 90) -> Path:
    """The sample with every page turned (/Rotate), as a viewer saves it after "rotate page"."""
    with pikepdf.open(SAMPLE_PDF) as pdf:
        for page in pdf.pages:
            page.obj.Rotate = degrees
        pdf.save(path)
    return path


def without_tounicode(path: Path) -> Path:
    """The sample with the Unicode maps of its fonts removed: the glyphs show, the text cannot be read."""
    with pikepdf.open(SAMPLE_PDF) as pdf:
        for page in pdf.pages:
            fonts = page.obj.get("/Resources", {}).get("/Font", {})
            for _, font in fonts.items():
                if "/ToUnicode" in font:
                    del font["/ToUnicode"]
        pdf.save(path)
    return path
