"""A fake camera for the scanning tests: photo-like frames of a printed label, as Y4M video.

Chromium plays a Y4M file as its camera with `--use-fake-device-for-media-stream
--use-file-for-fake-video-capture=<file>`, in a loop. The frames here imitate a phone held over a
label: the label seen at an angle (a perspective warp), on a desk lit unevenly, slightly out of
focus, with sensor noise. Everything is deterministic for a given seed.
"""

from __future__ import annotations

import math
import random
import subprocess
from pathlib import Path

import qrcode
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps
from qrcode.constants import ERROR_CORRECT_M

FRAME = (640, 480)


# --- Y4M -----------------------------------------------------------------------------------------


def write_y4m(path: Path, frames: list[Image.Image], fps: int = 15) -> Path:
    """Write frames (all the same size, even sides) as a 4:2:0 YUV4MPEG2 file."""
    width, height = frames[0].size
    if width % 2 or height % 2:
        raise ValueError("Y4M 4:2:0 needs even sides")
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            if frame.size != (width, height):
                raise ValueError("every frame must have the same size")
            y, cb, cr = frame.convert("RGB").convert("YCbCr").split()
            half = (width // 2, height // 2)
            out.write(b"FRAME\n")
            out.write(y.tobytes())
            out.write(cb.resize(half, Image.Resampling.BOX).tobytes())
            out.write(cr.resize(half, Image.Resampling.BOX).tobytes())
    return path


# --- labels --------------------------------------------------------------------------------------


def qr_label(text: str, module: int = 8) -> Image.Image:
    """A plain label: the QR code of `text` with its quiet zone, black on white (RGB)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=module, border=4)
    code.add_data(text)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def first_label_of_pdf(
    pdf: bytes, workdir: Path, box_mm: tuple[float, float, float, float], dpi: int = 300
) -> Image.Image:
    """Render page 1 of a label sheet with pdftoppm and crop one label.

    `box_mm` is the label's (left, top, width, height) on the A4 page in millimetres.
    """
    source = workdir / "sheet.pdf"
    source.write_bytes(pdf)
    stem = workdir / "sheet"
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", "-singlefile", source, stem],
        check=True,
        capture_output=True,
        timeout=60,
    )
    page = Image.open(stem.with_suffix(".png")).convert("RGB")
    px = dpi / 25.4
    left, top, width, height = box_mm
    return page.crop(
        (round(left * px), round(top * px), round((left + width) * px), round((top + height) * px))
    )


# --- photo-like frames ---------------------------------------------------------------------------


def _solve(matrix: list[list[float]], values: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (8 x 8 here)."""
    n = len(values)
    rows = [row[:] + [value] for row, value in zip(matrix, values, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def perspective_coefficients(dest: list[tuple[float, float]], src: list[tuple[float, float]]):
    """Pillow's PERSPECTIVE data mapping frame points `dest` back to label points `src`."""
    matrix, values = [], []
    for (x, y), (u, v) in zip(dest, src, strict=True):
        matrix.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        values.append(u)
        matrix.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values.append(v)
    return _solve(matrix, values)


def desk(size: tuple[int, int] = FRAME, seed: int = 0) -> Image.Image:
    """A grey-brown surface lit from one side, with some texture: the scene without a label."""
    rng = random.Random(seed)
    width, height = size
    base = Image.new("RGB", size, (118 + rng.randint(-10, 10), 104, 92))
    grain = noise_image(size, 18, seed).filter(ImageFilter.GaussianBlur(2))
    base = ImageChops.add(base, Image.merge("RGB", (grain, grain, grain)), offset=-128)
    light = Image.linear_gradient("L").rotate(rng.choice([90, -90, 0, 180])).resize(size)
    light = light.point(lambda v: 150 + v * 105 // 255)  # 60 % .. 100 % brightness
    return ImageChops.multiply(base, Image.merge("RGB", (light, light, light)))


def photo_of_label(
    label: Image.Image,
    *,
    size: tuple[int, int] = FRAME,
    width_share: float = 0.78,
    tilt: float = 0.12,
    turn: float = 6.0,
    blur: float = 1.0,
    noise: float = 10.0,
    seed: int = 0,
) -> Image.Image:
    """The label as a phone camera sees it.

    width_share: how much of the frame's width the label spans; tilt: how much narrower its far
    edge looks (perspective); turn: rotation in degrees; blur: Gaussian radius in pixels;
    noise: standard deviation of the sensor noise in grey levels.
    """
    rng = random.Random(seed)
    width, height = size
    lw, lh = label.size
    span = width * width_share
    shown_h = span * lh / lw
    cx = width / 2 + rng.uniform(-0.04, 0.04) * width
    cy = height / 2 + rng.uniform(-0.04, 0.04) * height
    half_w, half_h = span / 2, shown_h / 2
    # A trapezoid: the top edge farther from the camera, hence shorter.
    corners = [
        (-half_w * (1 - tilt), -half_h),
        (half_w * (1 - tilt), -half_h),
        (half_w, half_h),
        (-half_w, half_h),
    ]
    angle = math.radians(turn)
    cos, sin = math.cos(angle), math.sin(angle)
    dest = [(cx + x * cos - y * sin, cy + x * sin + y * cos) for x, y in corners]
    src = [(0, 0), (lw, 0), (lw, lh), (0, lh)]
    data = perspective_coefficients(dest, src)
    paper = ImageOps.colorize(label.convert("L"), black=(28, 26, 30), white=(236, 232, 220))
    warped = paper.transform(size, Image.Transform.PERSPECTIVE, data, Image.Resampling.BICUBIC)
    mask = Image.new("L", label.size, 255).transform(
        size, Image.Transform.PERSPECTIVE, data, Image.Resampling.BILINEAR
    )
    scene = desk(size, seed)
    scene.paste(warped, (0, 0), mask)
    shade = Image.linear_gradient("L").rotate(rng.choice([45, 135, -45])).resize(size)
    shade = shade.point(lambda v: 200 + v * 55 // 255)  # a soft shadow across the frame
    scene = ImageChops.multiply(scene, Image.merge("RGB", (shade, shade, shade)))
    return add_noise(scene.filter(ImageFilter.GaussianBlur(blur)), noise, seed)


def noise_image(size: tuple[int, int], sigma: float, seed: int = 0) -> Image.Image:
    """Grey levels around 128 with about `sigma` standard deviation, the same for a given seed."""
    rng = random.Random(seed)
    count = size[0] * size[1]
    a = Image.frombytes("L", size, rng.randbytes(count))
    b = Image.frombytes("L", size, rng.randbytes(count))
    mixed = ImageChops.add(a, b, scale=2)  # triangular, sd ~52: near enough to Gaussian
    return mixed.point(lambda v: max(0, min(255, round(128 + (v - 128) * sigma / 52))))


def add_noise(image: Image.Image, sigma: float, seed: int = 0) -> Image.Image:
    """Add zero-mean noise, the same on the three channels (like luminance noise)."""
    if sigma <= 0:
        return image
    grain = noise_image(image.size, sigma, seed + 1)
    return ImageChops.add(image, Image.merge("RGB", (grain, grain, grain)), offset=-128)


def text_label(lines: list[str], size: tuple[int, int] = (700, 370)) -> Image.Image:
    """A label with words and no code: for the "nothing to read" case."""
    label = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(label)
    draw.rectangle((20, 20, size[1] - 20, size[1] - 20), outline="black", width=6)
    for i, line in enumerate(lines):
        draw.text((size[1] + 10, 60 + i * 50), line, fill="black")
    return label
