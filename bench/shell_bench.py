"""What a phone downloads: the precached shell by category, as sent plain, gzip and brotli by
the app itself, and one page of a pull of the demo register.

    .venv/bin/python bench/shell_bench.py

Sizes, not timings: they do not depend on the machine. The app runs from `create_app` on a
fresh temporary SQLite file with the demo seeded; every body is fetched through the app's own
response path (the test client), so the figures are what the app sends, not what a proxy would.
"""

from __future__ import annotations

import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp import create_app  # noqa: E402
from webapp.db import upgrade, write_transaction  # noqa: E402
from webapp.demo import DEMO_PASSWORD, seed_demo  # noqa: E402
from webapp.pwa.views import precache_manifest  # noqa: E402

ENCODINGS = ("identity", "gzip", "br")
CLIENT_ID = "5d0f7e9e-6a3c-4a8e-9a57-1f0d2b0a3c11"


def category(url: str) -> str:
    if url.startswith("/app/i18n/"):
        return "translations"
    if "/vendor/" in url:
        return "QR decoder (loaded when scanning)"
    if "/icons/" in url:
        return "icons"
    if url.endswith(".css"):
        return "CSS"
    if url.endswith(".js"):
        return "app JS"
    return "shell and manifest"


def sizes(client, url: str, **headers) -> dict[str, int]:
    found = {}
    for encoding in ENCODINGS:
        response = client.get(url, headers={"Accept-Encoding": encoding, **headers})
        assert response.status_code == 200, (url, response.status_code)
        found[encoding] = len(response.data)
    return found


def kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench"})
        client = app.test_client()
        with app.app_context():
            upgrade()
            with write_transaction():
                seed_demo()
            _version, urls = precache_manifest()
        totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ENCODINGS, 0))
        for url in urls:
            for encoding, n in sizes(client, url).items():
                totals[category(url)][encoding] += n
        print(f"{'precached shell':36} {'plain':>10} {'gzip':>10} {'brotli':>10}")
        for name, row in sorted(totals.items()):
            print(f"{name:36} " + " ".join(f"{kb(row[e]):>10}" for e in ENCODINGS))
        critical = {
            e: sum(row[e] for name, row in totals.items() if not name.startswith("QR"))
            for e in ENCODINGS
        }
        row = " ".join(f"{kb(critical[e]):>10}" for e in ENCODINGS)
        print(f"{'all but the QR decoder':36} {row}")

        csrf = client.get("/api/auth/csrf").get_json()["csrf_token"]
        answer = client.post(
            "/api/auth/sign-in",
            json={"username": "engineer", "password": DEMO_PASSWORD},
            headers={"X-CSRF-Token": csrf},
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        page = sizes(client, f"/api/sync/pull?client_id={CLIENT_ID}&limit=500")
        print(
            f"pull page of 500 (demo engineer): plain {kb(page['identity'])}, "
            f"gzip {kb(page['gzip'])} ({page['identity'] / page['gzip']:.1f}x smaller), "
            f"brotli {kb(page['br'])} ({page['identity'] / page['br']:.1f}x smaller)"
        )


if __name__ == "__main__":
    main()
