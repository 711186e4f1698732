"""The confirmation link's token: the sign-up's id and the link's expiry, signed with a key derived from the
server's secret key for this one purpose (HMAC-SHA256, as the archive's cursors).

A token that was changed in any way is LINK_INVALID; a genuine one past its time is LINK_EXPIRED, checked
against the injected clock; a genuine one whose sign-up is gone was used (the sign-up moved into its
tenant) or its sign-up expired and was deleted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wschat.errors import LinkExpired, LinkInvalid

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PURPOSE = "wschat signup confirmation v1"


@dataclass(frozen=True)
class Link:
    signup_id: str
    expires_at: datetime


class ConfirmationLinks:
    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, _PURPOSE.encode(), hashlib.sha256).digest()

    def make(self, signup_id: str, expires_at: datetime) -> str:
        body = f"{(expires_at - _EPOCH) // timedelta(milliseconds=1)}.{signup_id}"
        return _b64(body.encode()) + "." + self._mac(body)

    def read(self, token: str, now: datetime) -> Link:
        """Raises LinkInvalid (changed, cut, not a token), LinkExpired."""
        encoded, _, mac = token.partition(".")
        try:
            body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise LinkInvalid() from None
        if not hmac.compare_digest(mac.encode(), self._mac(body).encode()):
            raise LinkInvalid()
        millis, _, signup_id = body.partition(".")
        expires = _EPOCH + timedelta(milliseconds=int(millis))
        if now >= expires:
            raise LinkExpired()
        return Link(signup_id, expires)

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
