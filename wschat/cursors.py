"""Opaque, signed keyset cursors for every list that pages by ``(time, id)``: the archive, its exports, the
data-subject requests and the audit log."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from wschat.errors import InvalidCursor

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Cursors:
    """Opaque, signed keyset cursors: ``(time, id)`` of the last row of a page. A cursor that was changed
    (or made for another list) is refused with INVALID_CURSOR, never read as some other position."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def make(self, kind: str, at: datetime, row_id: str) -> str:
        micros = (at - _EPOCH) // timedelta(microseconds=1)
        body = f"{micros}.{row_id}"
        return _b64(body.encode()) + "." + self._mac(kind, body)

    def read(self, kind: str, cursor: str) -> tuple[datetime, str]:
        encoded, _, mac = cursor.partition(".")
        try:
            body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            raise InvalidCursor() from None
        if not hmac.compare_digest(mac, self._mac(kind, body)):
            raise InvalidCursor()
        micros, _, row_id = body.partition(".")
        return _EPOCH + timedelta(microseconds=int(micros)), row_id

    def _mac(self, kind: str, body: str) -> str:
        digest = hmac.new(self._key, f"{kind}:{body}".encode(), hashlib.sha256).digest()
        return _b64(digest[:18])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
