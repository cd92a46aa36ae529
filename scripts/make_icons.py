"""Draw the app's PNG icons from the design of static/icons/icon.svg, with Pillow only.

The SVG (512 x 512): a rounded square (rx 96) in the brand green, a white ring (r 150, stroke 40)
and a clock hand (M256 150 v106 l70 50, stroke 40, round caps). Shapes are drawn at 4x and
scaled down for smooth edges. Run after changing the design:

    .venv/bin/python scripts/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
BRAND = (0x0F, 0x5C, 0x4D, 255)
WHITE = (255, 255, 255, 255)
SUPERSAMPLE = 4
PALETTE = 32
VIEWBOX = 512


def draw_icon(size: int, *, rounded: bool) -> Image.Image:
    """The icon at `size` px; `rounded=False` fills the square (maskable, Apple touch)."""
    big = size * SUPERSAMPLE
    k = big / VIEWBOX  # viewBox units -> pixels
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=round(96 * k), fill=BRAND)
    else:
        draw.rectangle((0, 0, big, big), fill=BRAND)
    stroke = 40 * k
    centre = 256 * k
    outer = 150 * k + stroke / 2
    inner = 150 * k - stroke / 2
    draw.ellipse((centre - outer, centre - outer, centre + outer, centre + outer), fill=WHITE)
    draw.ellipse((centre - inner, centre - inner, centre + inner, centre + inner), fill=BRAND)
    hand = [(256 * k, 150 * k), (256 * k, 256 * k), (326 * k, 306 * k)]
    draw.line(hand, fill=WHITE, width=round(stroke), joint="curve")
    radius = stroke / 2
    for x, y in (hand[0], hand[-1]):  # round line caps
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    outputs = {
        "icon-192.png": draw_icon(192, rounded=True),
        "icon-512.png": draw_icon(512, rounded=True),
        "icon-maskable-512.png": draw_icon(512, rounded=False),
        "apple-touch-icon.png": draw_icon(180, rounded=False).convert("RGB"),
    }
    for name, image in outputs.items():
        # Two colours and their anti-aliased edges: a 32-colour palette looks the same and
        # weighs a sixth of full colour (bench/shell_bench.py).
        method = Image.Quantize.FASTOCTREE if image.mode == "RGBA" else Image.Quantize.MEDIANCUT
        image.quantize(colors=PALETTE, method=method).save(ICONS / name, optimize=True)
        print(f"wrote static/icons/{name}")


if __name__ == "__main__":
    main()
