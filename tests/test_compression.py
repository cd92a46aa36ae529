"""Every text the app sends travels compressed when the client accepts it, and decompresses to
exactly what an uncompressed request gets; what must not be compressed is not."""

from __future__ import annotations

import gzip
import json

import brotli
import pytest

from tests.conftest import sign_in_as
from webapp.pwa import views as pwa_views

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


@pytest.mark.parametrize("encoding", ["br", "gzip"])
@pytest.mark.parametrize(
    "path",
    ["/static/js/app.js", "/static/css/app.css", "/app/i18n/zh_Hans.json", "/app/sw.js", "/app/"],
)
def test_text_arrives_compressed_and_intact(client, encoding, path):
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": encoding})
    assert plain.status_code == packed.status_code == 200
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == encoding
    assert "accept-encoding" in packed.headers["Vary"].lower()
    assert DECODE[encoding](packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2


def test_a_pull_page_arrives_compressed(app, world):
    client = app.test_client()
    sign_in_as(client, world["users"]["engineer"])
    url = "/api/sync/pull?client_id=5d0f7e9e-6a3c-4a8e-9a57-1f0d2b0a3c11&limit=500"
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert packed.headers["Content-Encoding"] == "br"
    got, sent = json.loads(brotli.decompress(packed.data)), plain.get_json()
    # Two requests: the signed server time in each may be a second apart.
    assert got.pop("server_time") and sent.pop("server_time")
    assert got == sent and got["changes"]


def test_a_revalidated_file_answers_not_modified_in_its_encoding(client):
    first = client.get("/static/js/app.js", headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    assert etag.endswith(':gzip"'), "one ETag for two encodings would let a cache mix them"
    again = client.get(
        "/static/js/app.js", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    )
    assert again.status_code == 304


def test_images_and_byte_ranges_are_sent_as_they_are(client):
    icon = client.get("/static/icons/icon-512.png", headers={"Accept-Encoding": "br, gzip"})
    assert icon.status_code == 200 and "Content-Encoding" not in icon.headers
    part = client.get(
        "/static/js/app.js", headers={"Accept-Encoding": "br, gzip", "Range": "bytes=0-1999"}
    )
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert len(part.data) == 2000


def test_a_file_is_compressed_once_at_the_smallest_level_and_again_when_it_changes(
    app, tmp_path, monkeypatch
):
    """The bundle goes to every phone: it is compressed once per version, smaller than a body
    made per request, and a new version on disk is never answered with the old body."""
    first = (pwa_views.STATIC_DIR / "css" / "app.css").read_text()
    monkeypatch.setattr(pwa_views, "STATIC_DIR", tmp_path)
    client = app.test_client()
    (tmp_path / "code.js").write_text(first)
    packed = client.get("/static/code.js", headers={"Accept-Encoding": "br"})
    assert brotli.decompress(packed.data) == first.encode()
    assert len(packed.data) < len(brotli.compress(first.encode(), quality=4))
    again = client.get("/static/code.js", headers={"Accept-Encoding": "br"})
    assert again.data == packed.data and again.headers["ETag"] == packed.headers["ETag"]

    second = first.replace("color", "colour") + "/* v2 */\n"
    (tmp_path / "code.js").write_text(second)
    fresh = client.get("/static/code.js", headers={"Accept-Encoding": "br"})
    assert brotli.decompress(fresh.data) == second.encode()
    assert fresh.headers["ETag"] != packed.headers["ETag"]
    unzipped = client.get("/static/code.js", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(unzipped.data) == second.encode()
    with client.get("/static/code.js") as plain:  # sent as it is, streamed from the file
        assert plain.data == second.encode() and "Content-Encoding" not in plain.headers


@pytest.mark.parametrize("path", ["/app/i18n/zh_Hans.json", "/app/contract.json"])
def test_the_translations_and_the_contract_are_compressed_once_and_revalidate(client, path):
    """Every phone downloads them at install: the smallest body, and 304 while unchanged."""
    plain = client.get(path).data
    packed = client.get(path, headers={"Accept-Encoding": "br"})
    assert brotli.decompress(packed.data) == plain
    assert len(packed.data) < len(brotli.compress(plain, quality=5))
    etag = packed.headers["ETag"]
    assert etag.endswith(':br"')
    again = client.get(path, headers={"Accept-Encoding": "br", "If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    unpacked = client.get(path, headers={"If-None-Match": client.get(path).headers["ETag"]})
    assert unpacked.status_code == 304
