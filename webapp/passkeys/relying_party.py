"""Who we are to a passkey: the relying party's id and origin, from the configured public URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, request


@dataclass(frozen=True)
class RelyingParty:
    id: str  # the host name: a passkey made here works on this host and nowhere else
    origin: str  # scheme://host[:port], exactly as the browser writes it in clientDataJSON
    name: str = "Rounds"


def relying_party(public_url: str | None, fallback_url: str) -> RelyingParty:
    """The relying party for `public_url` (ROUNDS_PUBLIC_URL), or for the address the request
    came to when it is not set (a single install on one name; docs/deployment.md)."""
    parts = urlsplit((public_url or fallback_url).strip())
    host = (parts.hostname or "").lower()
    if not parts.scheme or not host:
        raise ValueError(f"not an absolute URL: {public_url or fallback_url!r}")
    default_port = {"https": 443, "http": 80}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return RelyingParty(id=host, origin=f"{parts.scheme}://{host}{port}")


def current_rp() -> RelyingParty:
    """The relying party of this request: ROUNDS_PUBLIC_URL, else the address asked for."""
    return relying_party(current_app.config.get("PUBLIC_URL"), request.host_url)
