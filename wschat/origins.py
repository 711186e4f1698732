"""Same-origin checks for browsers (Cross-Site WebSocket Hijacking, CSRF with the session cookie)."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_same_origin(origin: str | None, host: str | None, public_origin: str) -> bool:
    """True for no Origin (not a browser), the configured public origin, or the origin of the Host header."""
    if origin is None:
        return True
    if origin == public_origin:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and host is not None and parts.netloc == host
