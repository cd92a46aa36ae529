"""Compressed responses: every text the app sends (pages, JS, CSS, JSON, pull pages, CSV) goes
out with brotli or gzip when the client accepts it, with `Vary: Accept-Encoding` and ETags that
name the encoding, so a cache never hands one encoding to a client that asked for another.

What is not compressed: bodies under `COMPRESS_MIN_SIZE` bytes, images and PDFs (already
compressed), partial responses (a byte range of a compressed body would not be the range asked
for), and attachments (served as stored, with their own ranges and ETags).
"""

from __future__ import annotations

from flask import Flask, Response, request
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


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", TEXT_TYPES)
    # Brotli at a level cheap enough to run per request (bench/shell_bench.py); gzip otherwise.
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)  # smaller than gzip 6 at about its cost
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
        if response.direct_passthrough and response.mimetype in compress.compress_mimetypes_set:
            # A file from a folder (the shell, scripts, styles): small, so read it whole and
            # compress it like any other body, for gzip-only clients too, with its 304s.
            response.direct_passthrough = False
            response.make_sequence()
        return compress.after_request(response)
