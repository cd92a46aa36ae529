"""A push service on loopback for tests: it takes the Web Push POSTs the worker sends and
DECRYPTS each one (RFC 8291, aes128gcm) with the subscriber's own private key, so a test knows
the payload arrived whole and readable by the phone it was meant for.

`Subscriber` is a browser's side of a subscription: an ECDH P-256 key pair and a 16-byte auth
secret, made with `cryptography`; `http_ece` (pywebpush's own dependency) decrypts.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Subscriber:
    """One browser's push keys."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def keys(self) -> dict[str, str]:
        return {"p256dh": self.p256dh, "auth": b64url(self.auth)}

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


class PushReceiver:
    """`ThreadingHTTPServer` on 127.0.0.1. Paths are /push/<name>; each name has a subscriber
    and an answer (201 by default; 410 to say the subscription is gone, 500 to fail)."""

    def __init__(self) -> None:
        self.subscribers: dict[str, Subscriber] = {}
        self.answers: dict[str, int] = {}
        self.received: list[tuple[str, dict, dict]] = []  # (name, payload, headers)
        self.refused: list[str] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server convention
                name = self.path.rsplit("/", 1)[-1]
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                answer = receiver.answers.get(name, 201)
                if answer < 300:
                    payload = receiver.subscribers[name].decrypt(body)
                    with receiver.lock:
                        receiver.received.append(
                            (name, payload, {k.lower(): v for k, v in self.headers.items()})
                        )
                else:
                    with receiver.lock:
                        receiver.refused.append(name)
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def subscription(self, name: str, answer: int = 201) -> dict:
        """A new subscriber at /push/<name>, as PushSubscription.toJSON() gives it."""
        self.subscribers[name] = Subscriber()
        self.answers[name] = answer
        return {"endpoint": f"{self.base_url}/push/{name}", "keys": self.subscribers[name].keys()}

    def ids(self) -> Counter:
        """How many times each notification id arrived."""
        with self.lock:
            return Counter(payload["id"] for _name, payload, _headers in self.received)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
