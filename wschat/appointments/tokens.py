"""The tokens of an appointment's links: the manage link (``manage``: see, cancel or move it) and the
join link of a video appointment (``join``: the call page). Each names the appointment's tenant and id,
what the link may do, and the end of the appointment when it was made, signed with a key derived from the
server's secret key for this one purpose (HMAC-SHA256, as the sign-up's confirmation links).

The purpose and the action are inside the signature: a sign-up's token, an archive cursor or a token made
for another action is LINK_INVALID here, as is one changed in any way; a genuine one past its time is
LINK_EXPIRED, checked against the injected clock. A moved appointment keeps its links: the services
check a genuine token (:meth:`AppointmentLinks.verify`) against the appointment's *current* end.
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
_PURPOSE = "wschat appointment link v1"
INVALID = "This appointment link is not valid. Please copy the whole link from the e-mail."
EXPIRED = "This appointment link has expired: the appointment is over."
MANAGE = "manage"
JOIN = "join"


@dataclass(frozen=True)
class Grant:
    tenant_id: str
    appointment_id: str
    action: str
    expires_at: datetime


class AppointmentLinks:
    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, _PURPOSE.encode(), hashlib.sha256).digest()

    def make(self, tenant_id: str, appointment_id: str, expires_at: datetime, action: str = MANAGE) -> str:
        millis = (expires_at - _EPOCH) // timedelta(milliseconds=1)
        body = f"{action}.{millis}.{tenant_id}.{appointment_id}"
        return _b64(body.encode()) + "." + self._mac(body)

    def read(self, token: str, now: datetime, action: str = MANAGE) -> Grant:
        """Raises LinkInvalid (changed, cut, another action, not a token), LinkExpired."""
        grant = self.verify(token, action)
        if now >= grant.expires_at:
            raise LinkExpired(EXPIRED)
        return grant

    def verify(self, token: str, action: str = MANAGE) -> Grant:
        """A genuine token made for ``action``, whatever its time. Raises LinkInvalid."""
        encoded, _, mac = token.partition(".")
        try:
            body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise LinkInvalid(INVALID) from None
        if not hmac.compare_digest(mac.encode(), self._mac(body).encode()):
            raise LinkInvalid(INVALID)
        made_for, millis, tenant_id, appointment_id = [*body.split(".", 3), "", "", "", ""][:4]
        if made_for != action or not millis.isdigit() or not tenant_id or not appointment_id:
            raise LinkInvalid(INVALID)
        return Grant(tenant_id, appointment_id, made_for, _EPOCH + timedelta(milliseconds=int(millis)))

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
