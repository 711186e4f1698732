"""Signed JWTs for console users: short-lived access tokens and the longer session cookie.

Both are HS256 with the installation's secret key and carry user id, tenant id, role and the user's
password version; a password change, a disable or a role change gives the user a new version, so every
older token fails the check in :meth:`AccountService.authenticate`. Both also carry the id of the session
(``sid``, one per sign-in; the access tokens renewed from a session cookie get its id), so that signing out
ends that one session and no other. Tokens issued before sessions had ids carry none. PyJWT is always
called with an explicit ``algorithms`` list and verifies ``aud`` and ``iss`` (CVE-2022-29217,
CVE-2024-53861).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import jwt

from wschat.accounts.models import Role, User
from wschat.clock import Clock
from wschat.config import Secret
from wschat.errors import AuthInvalid

ISSUER = "wschat"
ALGORITHM = "HS256"


class TokenKind(StrEnum):
    ACCESS = "wschat-access"
    SESSION = "wschat-session"
    #: Says that a browser signed in to an account before: exempt from the account-wide login delay
    #: (wschat.accounts.login_limits). It grants no access of any kind.
    DEVICE = "wschat-device"


#: Lifetime of a device token, seconds: 180 days.
DEVICE_TTL = 180 * 86400


@dataclass(frozen=True)
class Claims:
    user_id: str
    tenant_id: str
    role: Role
    password_version: str
    expires_at: datetime
    #: The sign-in this token belongs to; None for tokens issued before sessions had ids.
    session_id: str | None = None


class TokenIssuer:
    def __init__(self, secret: Secret, clock: Clock, *, access_ttl: int, session_ttl: int) -> None:
        self._secret = secret
        self._clock = clock
        self._ttl = {
            TokenKind.ACCESS: access_ttl,
            TokenKind.SESSION: session_ttl,
            TokenKind.DEVICE: DEVICE_TTL,
        }

    def issue(self, user: User, kind: TokenKind, *, session_id: str | None) -> tuple[str, datetime]:
        """A token of ``kind`` for ``user`` in the session ``session_id``, and when it expires."""
        now = self._clock()
        expires = now + timedelta(seconds=self._ttl[kind])
        payload: dict[str, str | int] = {
            "iss": ISSUER,
            "aud": kind.value,
            "sub": user.id,
            "tid": user.tenant_id,
            "role": user.role.value,
            "pwv": user.password_version,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
        }
        if session_id is not None:
            payload["sid"] = session_id
        return jwt.encode(payload, self._secret.reveal(), algorithm=ALGORITHM), expires

    def verify(self, token: str, kind: TokenKind) -> Claims:
        """The claims of a valid, unexpired token of ``kind``; raises :class:`AuthInvalid` otherwise."""
        now = self._clock()
        try:
            payload = jwt.decode(
                token,
                self._secret.reveal(),
                algorithms=[ALGORITHM],
                audience=kind.value,
                issuer=ISSUER,
                # exp and iat are checked below against the injected clock, not the wall clock.
                options={
                    "require": ["exp", "iat", "sub", "aud", "iss"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
            expires = datetime.fromtimestamp(int(payload["exp"]), tz=now.tzinfo)
            claims = Claims(
                user_id=str(payload["sub"]),
                tenant_id=str(payload["tid"]),
                role=Role(payload["role"]),
                password_version=str(payload["pwv"]),
                expires_at=expires,
                session_id=_optional_str(payload.get("sid")),
            )
        except (jwt.InvalidTokenError, KeyError, ValueError, TypeError) as e:
            raise AuthInvalid() from e
        if now >= expires:
            raise AuthInvalid("Your session has expired. Please sign in again.")
        return claims

    def session_end(self, session: Claims) -> datetime:
        """When the last token of a session expires: one renewed just before the session cookie expired."""
        return session.expires_at + timedelta(seconds=self._ttl[TokenKind.ACCESS])


def _optional_str(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError("expected a string")
