"""Compressed responses: every text the app sends (pages, JS, CSS, JSON, pull pages, CSV) goes
out with brotli or gzip when the client accepts it, with `Vary: Accept-Encoding` and ETags that
name the encoding, so a cache never hands one encoding to a client that asked for another.

Two levels (bench/shell_bench.py): a body made for one request (a pull page, a page, a list)
is compressed at a level cheap enough to run per request; a file from a folder (the bundle,
styles, the shell's files) and a body that is the same for every request (`once`: the
translations, the contract) are compressed once per process and version, at the smallest
level, and that body is kept and sent again to every phone that asks.

What is not compressed: bodies under `COMPRESS_MIN_SIZE` bytes, images and PDFs (already
compressed), partial responses (a byte range of a compressed body would not be the range asked
for), and attachments (served as stored, with their own ranges and ETags).
"""

from __future__ import annotations

import gzip
import threading

import brotli
from flask import Flask, Response, current_app, request
from flask_compress import Compress

compress = Compress()

TEXT_TYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
]

FILE_ENCODINGS = ("br", "gzip")  # preferred first, when the client accepts both equally


def _smallest(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=11)
    return gzip.compress(data, 9, mtime=0)


class _Files:
    """Compressed bodies of files, by path, version (the file's ETag) and encoding; a file
    changed on disk has a new ETag and is compressed again. Bounded: the app serves a few dozen
    files, so past `MAX` the oldest bodies go."""

    MAX = 256

    def __init__(self) -> None:
        self.bodies: dict[tuple[str, str, str], bytes] = {}
        self.lock = threading.Lock()

    def body(self, key: tuple[str, str, str], response: Response) -> bytes:
        body = self.bodies.get(key)
        if body is None:
            response.make_sequence()  # read the file
            body = _smallest(response.get_data(), key[2])
            with self.lock:
                while len(self.bodies) >= self.MAX:
                    del self.bodies[next(iter(self.bodies))]
                self.bodies[key] = body
        return body


files = _Files()

KEPT = "rounds_compress_once"


def once(response: Response) -> Response:
    """Mark a response whose body is the same for every request of its path with its ETag (a
    translation file, the contract): compressed once at the smallest level and kept, like a
    file."""
    setattr(response, KEPT, True)
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", TEXT_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # Per request: brotli 5 is smaller than gzip 6 at about its cost. (Level 4 takes 60% of its
    # time on a pull page of the demo's 500 records, 1.2 against 2.1 ms, for 13% more bytes: a
    # poor trade for a phone on a weak signal.)
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault("COMPRESS_LEVEL", 6)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_STREAMS", False)  # a generator stays a stream, uncompressed
    app.config["COMPRESS_REGISTER"] = False  # registered below, with the exceptions
    compress.init_app(app)

    @app.after_request
    def compressed(response: Response) -> Response:
        if (
            response.status_code == 206
            or "Content-Range" in response.headers
            or request.blueprint == "attachments_api"
        ):
            return response
        if response.mimetype in compress.compress_mimetypes_set and (
            response.direct_passthrough or getattr(response, KEPT, False)
        ):
            return _file(response)
        return compress.after_request(response)


def _file(response: Response) -> Response:
    """A file from a folder (the shell, scripts, styles) or a body marked `once`, in its kept
    compressed body. Sent as it is when the client takes neither encoding or it is too small to
    gain; compressed per request when it has no strong ETag to tell its versions apart."""
    etag, weak = response.get_etag()
    encoding = request.accept_encodings.best_match(FILE_ENCODINGS)
    small = (response.content_length or 0) < current_app.config["COMPRESS_MIN_SIZE"]
    if response.status_code != 200 or encoding is None or small:
        response.vary.add("Accept-Encoding")
        return response
    if not etag or weak:
        response.direct_passthrough = False
        response.make_sequence()
        return compress.after_request(response)
    body = files.body((request.path, etag, encoding), response)
    response.close()  # the file is not read when its body is kept
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    response.set_etag(f"{etag}:{encoding}")
    return response.make_conditional(request)
