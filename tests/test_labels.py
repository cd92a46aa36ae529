"""Printed tags: every QR code on a sheet decodes to its own tag's URL in its own place; names,
Chinese included, are in the PDF as text; single labels decode as PNG and SVG.

Codes are read with `zbarimg` (Debian: zbar-tools). Without it, each code is read back by
sampling the rendered page module by module and comparing with the encoder's own matrix.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from secrets import token_urlsafe

import pytest
from PIL import Image

from tests.conftest import sign_in_as
from tests.factories import create_equipment, create_site
from webapp.models import Tag
from webapp.tags import labels
from webapp.tags.labels import LAYOUTS, QUIET, Label, fit_lines, qr_matrix, truncate

DPI = 200
MM = DPI / 25.4
ZBAR = shutil.which("zbarimg")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")), reason="needs poppler-utils"
)


def render_pdf(pdf: bytes, tmp_path: Path) -> list[Image.Image]:
    source = tmp_path / "sheet.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", str(source), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.pgm"), key=lambda p: int(p.stem.split("-")[-1]))
    return [Image.open(p).convert("L") for p in pages]


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / "text.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(source), "-"], check=True, capture_output=True)
    return out.stdout.decode()


def zbar(image: Image.Image, tmp_path: Path) -> list[str]:
    path = tmp_path / "code.png"
    image.save(path)
    out = subprocess.run([ZBAR, "-q", "--raw", str(path)], capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if line]


def sample(image: Image.Image, left: float, top: float, module: float, size: int):
    """The modules of a code drawn at (left, top) with `module` pixels each, read at their
    centres (True = dark)."""
    pixels = image.load()
    return [
        [
            pixels[int(left + (x + 0.5) * module), int(top + (y + 0.5) * module)] < 128
            for x in range(size)
        ]
        for y in range(size)
    ]


def read_code(image: Image.Image, box, expected: str, tmp_path: Path) -> str | None:
    """What the code in `box` (left, top, side in px, quiet zone included) says."""
    left, top, side = box
    crop = image.crop((int(left), int(top), int(left + side), int(top + side)))
    if ZBAR:
        found = zbar(crop, tmp_path)
        return found[0] if len(found) == 1 else None
    matrix = qr_matrix(expected)
    module = side / (len(matrix) + 2 * QUIET)
    seen = sample(image, left + QUIET * module, top + QUIET * module, module, len(matrix))
    return expected if seen == matrix else None


def sheet_boxes(layout, count: int, skip: int = 0):
    """(page, box in px) of each label's code, in order."""
    for position in range(skip, skip + count):
        x, y = layout.origin(position)
        yield position // layout.per_page, (x * MM, y * MM, layout.height * MM)


def make_labels(count: int) -> list[Label]:
    """Labels with URLs as long as real ones (a 110-character token, mixed case)."""
    return [
        Label(
            url=f"https://rounds.example.cn/t/{token_urlsafe(82)}",
            name=f"数字调音台 {i}号",
            code=f"AV-{i:03d}",
            site="会议中心主楼",
        )
        for i in range(count)
    ]


# --- through the office page: 30 devices, one sheet ----------------------------------------------


def test_a_sheet_for_30_devices_has_30_codes_that_open_their_own_tags(app, client, world, tmp_path):
    site = create_site(world["clients"][0], "会展中心")
    devices = [create_equipment(site, name=f"投影机{i:02d}", code=f"TY-{i:02d}") for i in range(30)]
    token = sign_in_as(client, world["users"]["dispatcher"])
    client.post("/office/tags/issue", data={"csrf_token": token, "site": str(site.id)})
    tags = {t.target_id: t for t in Tag.select().where(Tag.site == site)}
    assert len(tags) == 30

    r = client.post(
        "/office/tags/sheet",
        data={"csrf_token": token, "site": str(site.id), "layout": "3x8", "all": "1"},
    )
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pages = render_pdf(r.data, tmp_path)
    assert len(pages) == 2  # 24 + 6
    ordered = sorted(devices, key=lambda d: d.code)  # the sheet follows the register's order
    for device, (page, box) in zip(ordered, sheet_boxes(LAYOUTS["3x8"], 30), strict=True):
        url = f"http://localhost/t/{tags[device.id].token}"
        assert read_code(pages[page], box, url, tmp_path) == url, device.name
    text = pdf_text(r.data, tmp_path)
    for device in devices:
        assert device.name in text and device.code in text
    assert "会展中心" in text


def test_a_selection_prints_only_the_chosen_tags(app, client, world, tmp_path):
    site = world["sites"][0]
    token = sign_in_as(client, world["users"]["admin"])
    client.post("/office/tags/issue", data={"csrf_token": token, "site": str(site.id)})
    device_tag = Tag.get(Tag.target_id == world["equipment"][0].id)
    r = client.post(
        "/office/tags/sheet",
        data={"csrf_token": token, "site": str(site.id), "tag": [str(device_tag.id)]},
    )
    assert r.status_code == 200
    text = pdf_text(r.data, tmp_path)
    assert "数字调音台" in text and "音控机房" not in text


# --- layouts -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(LAYOUTS))
def test_each_layout_fits_a4_without_overlaps_and_every_code_decodes(key, app, tmp_path):
    layout = LAYOUTS[key]
    last_x, last_y = layout.origin(layout.per_page - 1)
    assert layout.origin(0)[0] >= 0 and layout.origin(0)[1] >= 0
    assert last_x + layout.width <= 210 + 1e-6 and last_y + layout.height <= 297 + 1e-6
    assert layout.pitch_x >= layout.width and layout.pitch_y >= layout.height
    items = make_labels(layout.per_page)
    with app.test_request_context():
        pdf = labels.sheet_pdf(items, layout)
    (page,) = render_pdf(pdf, tmp_path)
    boxes = list(sheet_boxes(layout, len(items)))
    # the four corners of the grid and one inside: a wrong margin or pitch shows in one of them
    n, cols = layout.per_page, layout.columns
    for i in sorted({0, cols - 1, n // 2, n - cols, n - 1}):
        assert read_code(page, boxes[i][1], items[i].url, tmp_path) == items[i].url, (key, i)


def test_labels_already_used_on_a_sheet_are_left_empty(app, tmp_path):
    layout = LAYOUTS["4x10"]
    items = make_labels(3)
    with app.test_request_context():
        pdf = labels.sheet_pdf(items, layout, skip=38)
    pages = render_pdf(pdf, tmp_path)
    assert len(pages) == 2  # positions 38 and 39, then the first label of a new sheet
    for item, (page, box) in zip(items, sheet_boxes(layout, 3, skip=38), strict=True):
        assert read_code(pages[page], box, item.url, tmp_path) == item.url
    first = layout.origin(0)
    blank = pages[0].crop(
        (
            int(first[0] * MM),
            int(first[1] * MM),
            int((first[0] + layout.width) * MM),
            int((first[1] + layout.height) * MM),
        )
    )
    assert blank.getextrema() == (255, 255)


def test_long_names_are_cut_to_fit_and_traditional_chinese_prints(app, tmp_path):
    long_name = "多媒体会议系统中央控制主机（三楼大会议室东侧机柜第二层）"
    items = [
        Label("https://rounds.example.cn/t/x", long_name, "K-1", "會議中心"),
        Label("https://rounds.example.cn/t/y", "數位混音台", "K-2", "會議中心"),
    ]
    with app.test_request_context(headers={"Accept-Language": "zh-TW"}):
        pdf = labels.sheet_pdf(items, LAYOUTS["4x10"], locale="zh_Hant")
    text = pdf_text(pdf, tmp_path)
    assert "數位混音台" in text and "會議中心" in text
    assert "…" in text and long_name not in text.replace("\n", "")
    assert long_name[:6] in text


# --- fitting text --------------------------------------------------------------------------------


def width_in_chars(text: str) -> float:
    return sum(1.0 if ord(c) > 0x2E80 else 0.5 for c in text)


def test_fit_lines_breaks_chinese_anywhere_and_other_text_at_spaces():
    assert fit_lines("数字调音台", 10, width_in_chars, 2) == ["数字调音台"]
    assert fit_lines("一二三四五六七八", 5, width_in_chars, 2) == ["一二三四五", "六七八"]
    assert fit_lines("Core switch rack two", 6, width_in_chars, 2) == ["Core switch", "rack two"]
    assert fit_lines("Core switch rack two three", 6, width_in_chars, 2) == [
        "Core switch",
        "rack two th…",
    ]
    lines = fit_lines("一二三四五六七八九十甲乙丙", 5, width_in_chars, 2)
    assert lines == ["一二三四五", "六七八九…"]
    assert all(width_in_chars(line) <= 5 for line in lines)
    assert truncate("一二三四五六", 3, width_in_chars) == "一二…"


def test_control_characters_in_names_do_not_reach_the_label():
    assert labels.clean("机柜\n第二层\t\x00A") == "机柜 第二层 A"


# --- single labels -------------------------------------------------------------------------------


@pytest.mark.skipif(not ZBAR, reason="needs zbarimg (zbar-tools)")
def test_a_png_label_decodes(app, tmp_path):
    item = make_labels(1)[0]
    with app.test_request_context():
        png = labels.label_png(item)
    image = Image.open(io.BytesIO(png))
    assert image.width == (len(qr_matrix(item.url)) + 2 * QUIET) * labels.PX
    assert zbar(image.convert("L"), tmp_path) == [item.url]


def svg_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules the SVG path draws (it draws runs as M x y h w v 1 h -w z)."""
    dark = set()
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        dark.update((int(x) + i, int(y)) for i in range(int(w)))
    return dark


def test_an_svg_label_draws_the_code_and_escapes_the_name(app, tmp_path):
    item = Label("https://rounds.example.cn/t/abc", "<script>alert(1)</script>机柜", "K", "站")
    with app.test_request_context():
        svg = labels.label_svg(item)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    matrix = qr_matrix(item.url)
    expected = {
        (x + QUIET, y + QUIET) for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    }
    assert svg_modules(svg) == expected


@pytest.mark.skipif(not (ZBAR and CHROMIUM), reason="needs zbarimg and Chromium")
def test_an_svg_label_decodes_when_a_browser_draws_it(app, tmp_path):
    item = make_labels(1)[0]
    with app.test_request_context():
        svg = labels.label_svg(item)
    source = tmp_path / "label.svg"
    source.write_text(svg, encoding="utf-8")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=3",
            "--window-size=200,260",
            f"--screenshot={shot}",
            source.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert zbar(Image.open(shot).convert("L"), tmp_path) == [item.url]
