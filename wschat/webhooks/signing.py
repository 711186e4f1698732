"""How a delivery is signed (docs/webhooks.md shows the receiver's side in Python and JavaScript).

``X-WsChat-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``. The timestamp is part
of what is signed, so a receiver that refuses old timestamps (:data:`TOLERANCE`) cannot be fed a recorded
delivery again later; the scheme is the one Stripe and Slack use, so receivers know it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER = "X-WsChat-Signature"
#: The receiver's replay window, seconds (what docs/webhooks.md recommends; wsChat signs at send time).
TOLERANCE = 300
SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix that marks a value as one


def new_secret() -> str:
    """A signing secret: 256 random bits, URL-safe."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = TOLERANCE) -> bool:
    """What a receiver does: the header's timestamp is recent and one of its ``v1`` values matches."""
    fields = [part.partition("=") for part in header.split(",")]
    stamps = [value for key, _, value in fields if key.strip() == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit() or abs(now - int(stamps[0])) > tolerance:
        return False
    expected = signature(secret, int(stamps[0]), body).partition(",v1=")[2]
    given = [value for key, _, value in fields if key.strip() == "v1"]
    return any(hmac.compare_digest(expected, value.strip()) for value in given)
