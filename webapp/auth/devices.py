"""A User-Agent header, shortened to what a person recognises: "XiaoMi Redmi Note 12 · Android 13
· Chrome Mobile 131". Parsed with ua-parser's maintained rules; the raw header is not kept."""

from __future__ import annotations

from functools import lru_cache

from ua_parser import parse

MAX_LENGTH = 120
_VAGUE = {"Other", "Generic Smartphone", "Generic Tablet", "Generic Feature Phone", "K"}


def _version(family: str, major: str | None) -> str:
    return f"{family} {major}" if major else family


@lru_cache(maxsize=256)
def describe_device(user_agent: str | None) -> str:
    """A short, readable description, or "" when the header says nothing useful."""
    header = (user_agent or "").strip()[:500]
    if not header:
        return ""
    result = parse(header)
    parts: list[str] = []
    browser = result.user_agent.family if result.user_agent else None
    if result.device and result.device.family not in _VAGUE and result.device.family != browser:
        device = result.device.family
        brand = result.device.brand or ""
        if brand and brand.lower() not in device.lower() and not brand.startswith("Generic"):
            device = f"{brand} {device}"
        parts.append(device)
    if result.os and result.os.family not in _VAGUE:
        parts.append(_version(result.os.family, result.os.major))
    if result.user_agent and result.user_agent.family not in _VAGUE:
        parts.append(_version(result.user_agent.family, result.user_agent.major))
    text = " · ".join(dict.fromkeys(parts))  # "iPhone · iOS 17" but never "Mac · Mac"
    if not text:
        text = header.split(" ", 1)[0]  # a script: "curl/8.5.0"
    return text[:MAX_LENGTH]
