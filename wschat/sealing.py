"""Secrets wsChat must use again later (a tenant's Jitsi and TURN secrets), sealed before they are stored.

Passwords are hashed, but these secrets cannot be: wsChat signs Jitsi tokens and TURN credentials with them.
So they are stored encrypted with AES-256-GCM under a key derived (HKDF-SHA256) from the server's secret key,
which lives in the environment or the data directory, never in the database. A copy of the database alone
(a backup, a dump) reveals none of them.

Each sealed value is bound to its place (the tenant and the field) as associated data: a sealed secret copied
into another tenant's document, or into another field, does not open. A value that does not open (the server's
secret key was changed, the document was tampered with) raises :class:`Unsealable`; the caller treats the
secret as not set and says so in the log.
"""

from __future__ import annotations

import base64
import binascii
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from wschat.config import Secret

VERSION = 1
_INFO = b"wschat sealed settings v1"
_NONCE_BYTES = 12


class Unsealable(Exception):
    """A stored value that does not open with this server's key."""


class Sealer:
    def __init__(self, secret_key: Secret) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            secret_key.reveal().encode()
        )
        self._aead = AESGCM(key)

    def seal(self, plain: str, *, place: str) -> dict[str, Any]:
        """The stored form of ``plain``, bound to ``place``: ``{"sealed": 1, "nonce", "data"}`` (base64)."""
        nonce = os.urandom(_NONCE_BYTES)
        data = self._aead.encrypt(nonce, plain.encode(), place.encode())
        return {"sealed": VERSION, "nonce": _b64(nonce), "data": _b64(data)}

    def open(self, stored: Any, *, place: str) -> Secret:
        """The secret a sealed value holds. Raises :class:`Unsealable`."""
        if not is_sealed(stored):
            raise Unsealable(f"{place}: not a sealed value")
        try:
            nonce = base64.b64decode(stored["nonce"], validate=True)
            data = base64.b64decode(stored["data"], validate=True)
            plain = self._aead.decrypt(nonce, data, place.encode())
        except (InvalidTag, ValueError, TypeError, binascii.Error) as error:
            raise Unsealable(f"{place}: does not open with this server's secret key") from error
        return Secret(plain.decode())


def is_sealed(stored: Any) -> bool:
    return (
        isinstance(stored, dict)
        and stored.get("sealed") == VERSION
        and isinstance(stored.get("nonce"), str)
        and isinstance(stored.get("data"), str)
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
