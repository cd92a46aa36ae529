"""Scanning benchmark: how long the fallback QR decoder takes on one camera frame in Chromium.

    .venv/bin/python bench/scan_bench.py [--rounds N]

Prints one line on stdout; progress goes to stderr. Not part of the test run and asserts nothing
about timings. See bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import io
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from flask import Flask  # noqa: E402

from tests.browser import camera  # noqa: E402
from webapp.tags import labels, signing  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ORIGIN = "http://localhost:8765"  # never contacted: every request is answered by page.route
# The frame the browser test scans: the printed label at an angle, out of focus, grainy.
PHOTO = {"tilt": 0.15, "turn": 8, "blur": 1.2, "noise": 8, "seed": 0}

BENCH_JS = """
async ([src, rounds]) => {
  const { jsqrDecoder, loadJsQR } = await import('/static/js/scanner.js');
  const jsQR = await loadJsQR();
  const img = new Image();
  img.src = src;
  await img.decode();
  const frame = await createImageBitmap(img);
  const decoder = jsqrDecoder(jsQR);  // the app's own path: draw, getImageData, jsQR
  const bare = document.createElement('canvas');
  bare.width = frame.width;
  bare.height = frame.height;
  const ctx = bare.getContext('2d', { willReadFrequently: true });
  const out = { blurred: [], sharp: [], getImageData: [], grab: [], texts: [] };
  const timeIt = async (fn) => {
    const t0 = performance.now();
    const r = await fn();
    return [performance.now() - t0, r];
  };
  for (let i = 0; i < 4; i++) await decoder.decode(frame);  // warm-up: two of each pass
  for (let i = 0; i < rounds; i++) {
    // The decoder alternates: a blurred pass, then a sharp one.
    const [b, text] = await timeIt(() => decoder.decode(frame));
    const [s, sharpText] = await timeIt(() => decoder.decode(frame));
    out.blurred.push(b);
    out.sharp.push(s);
    out.texts.push([text, sharpText]);
    const [g] = await timeIt(() => {
      ctx.drawImage(frame, 0, 0);
      return ctx.getImageData(0, 0, bare.width, bare.height);
    });
    out.grab.push(g);
    ctx.drawImage(frame, 0, 0);
    const [d] = await timeIt(() => ctx.getImageData(0, 0, bare.width, bare.height));
    out.getImageData.push(d);
  }
  out.size = [frame.width, frame.height];
  return out;
}
"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def label_frame(work: Path) -> tuple[bytes, str, int]:
    """A 640x480 photo-like PNG of the first label of a printed sheet, its URL and QR size."""
    key = Ed25519PrivateKey.generate()
    token = signing.make_token(uuid.uuid4(), "equipment", key=key)
    url = labels.tag_url(ORIGIN, token)
    layout = labels.LAYOUTS[labels.DEFAULT_LAYOUT]
    with Flask(__name__).app_context():
        pdf = labels.sheet_pdf([labels.Label(url, "数字调音台", "AV-001", "主楼")], layout)
    left, top = layout.origin(0)
    label = camera.first_label_of_pdf(pdf, work, (left, top, layout.width, layout.height))
    frame = camera.photo_of_label(label, **PHOTO)
    out = io.BytesIO()
    frame.save(out, format="PNG")
    return out.getvalue(), url, len(labels.qr_matrix(url))


def serve_static(route) -> None:
    """Answer /static/... from the repository; nothing else exists."""
    path = route.request.url.removeprefix(ORIGIN).split("?")[0]
    if path == "/":
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>b</title>")
        return
    file = (ROOT / path.lstrip("/")).resolve()
    if not path.startswith("/static/") or not file.is_file() or ROOT not in file.parents:
        route.fulfill(status=404, body="")
        return
    kind = "text/javascript" if file.suffix == ".js" else "application/octet-stream"
    route.fulfill(status=200, content_type=kind, body=file.read_bytes())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40, help="timed decodes of each pass")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="rounds-scan-bench-") as tmp:
        log("rendering the label sheet and the photo-like frame")
        png, url, modules = label_frame(Path(tmp))
        src = "data:image/png;base64," + base64.b64encode(png).decode()
        log("starting Chromium")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.route(f"{ORIGIN}/**", serve_static)
                page.goto(f"{ORIGIN}/")
                result = page.evaluate(BENCH_JS, [src, args.rounds])
                version = browser.version
            finally:
                browser.close()
    med = statistics.median
    blurred_ok = sum(1 for text, _ in result["texts"] if text == url)
    sharp_ok = sum(1 for _, text in result["texts"] if text == url)
    wrong = sum(1 for pair in result["texts"] for text in pair if text and text != url)
    width, height = result["size"]
    n = args.rounds
    print(
        f"scan_decode_{width}x{height}_jsqr: {med(result['blurred']):.1f} ms median to decode"
        f" (the app's blurred pass: drawImage + getImageData + jsQR, read {blurred_ok}/{n});"
        f" sharp pass {med(result['sharp']):.1f} ms (read {sharp_ok}/{n});"
        f" bare getImageData {med(result['getImageData']):.2f} ms,"
        f" drawImage + getImageData {med(result['grab']):.2f} ms; wrong reads {wrong};"
        f" photo-like label frame (tilt {PHOTO['tilt']:g}, turn {PHOTO['turn']}°,"
        f" blur {PHOTO['blur']} px, noise sd {PHOTO['noise']}), QR {modules}x{modules} modules;"
        f" medians of {n}; Chromium {version} headless",
        flush=True,
    )


if __name__ == "__main__":
    main()
