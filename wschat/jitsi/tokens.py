"""The JWT that lets one participant into one Jitsi room, and a verifier that checks it as Prosody does.

Prosody's token plugin (jitsi-meet ``resources/prosody-plugins/token/util.lib.lua``) wants header ``typ: JWT``
and the configured algorithm (HS256 with ``JWT_APP_SECRET``), ``iss`` among the accepted issuers, ``aud`` a
string among the accepted audiences, ``room`` equal to the meeting's room, ``sub``, and ``exp``/``nbf`` as
numbers of **seconds** with no clock-skew tolerance. Facts and pitfalls: reference/jitsi.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from wschat.video.models import JitsiSettings

ALGORITHM = "HS256"
#: ``nbf`` lies this far in the past: Prosody allows no clock skew between its host and ours.
NBF_LEEWAY = timedelta(seconds=10)
#: Our verifier refuses tokens valid for longer: a millisecond ``exp`` would last ~50,000 years.
LONGEST_LIFETIME = timedelta(days=1)


@dataclass(frozen=True)
class JitsiUser:
    id: str
    name: str
    #: An absolute URL on the wsChat server, or None.
    avatar: str | None
    #: Agents own the room (moderator with ``token_affiliation``); visitors do not.
    owner: bool
    screen_sharing: bool


class TokenRejected(Exception):
    """A token Prosody would refuse; the message is Prosody's log line for it."""


def issue_token(jitsi: JitsiSettings, room: str, user: JitsiUser, now: datetime) -> str:
    """An HS256 token for exactly ``room``, valid from a few seconds ago for the tenant's token lifetime."""
    if jitsi.secret is None or not jitsi.app_id:
        raise ValueError("Jitsi is not configured for this tenant")
    profile: dict[str, str] = {"id": user.id, "name": user.name}
    if user.avatar:
        profile["avatar"] = user.avatar
    profile["affiliation"] = "owner" if user.owner else "member"
    claims: dict[str, Any] = {
        "iss": jitsi.app_id,
        "aud": jitsi.audience,
        "sub": jitsi.sub,
        "room": room,
        "nbf": int((now - NBF_LEEWAY).timestamp()),
        "exp": int(now.timestamp()) + jitsi.token_ttl_seconds,
        "context": {
            "user": profile,
            "features": {
                "recording": False,
                "livestreaming": False,
                "transcription": False,
                "outbound-call": False,
                "screen-sharing": user.screen_sharing,
            },
        },
    }
    return jwt.encode(claims, jitsi.secret.reveal(), algorithm=ALGORITHM, headers={"typ": "JWT"})


def verify_like_prosody(
    token: str, *, secret: str, issuer: str, audience: str, room: str, now: datetime
) -> dict[str, Any]:
    """The claims of a token Prosody would accept for ``room`` at ``now``; raises :class:`TokenRejected`.

    Stricter than Prosody in one point: a lifetime over a day is refused (that is a milliseconds bug).
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as e:
        raise TokenRejected("Invalid token") from e
    if header.get("typ") != "JWT":
        raise TokenRejected("Invalid typ")
    if header.get("alg") != ALGORITHM:
        raise TokenRejected("Invalid or incorrect alg")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],  # never taken from the token (CVE-2022-29217, CVE-2021-39215)
            audience=audience,
            issuer=issuer,
            options={"require": ["iss", "aud", "exp", "nbf"], "verify_exp": False, "verify_nbf": False},
        )
    except jwt.InvalidSignatureError as e:
        raise TokenRejected("Invalid signature") from e
    except jwt.InvalidTokenError as e:
        raise TokenRejected(f"invalid claims: {e}") from e
    _check_claims(claims, room, now)
    return claims


def _check_claims(claims: dict[str, Any], room: str, now: datetime) -> None:
    if not isinstance(claims["aud"], str):
        raise TokenRejected("invalid 'aud' claim")
    for name in ("exp", "nbf"):
        if type(claims[name]) is not int:  # bool is an int to Python, not to Prosody
            raise TokenRejected(f"{name} must be number")
    seconds = int(now.timestamp())
    if claims["exp"] <= seconds:
        raise TokenRejected("Not acceptable by exp")
    if claims["nbf"] > seconds:
        raise TokenRejected("Not acceptable by nbf")
    if claims["exp"] - seconds > LONGEST_LIFETIME.total_seconds():
        raise TokenRejected("exp too far away (milliseconds?)")
    if "room" not in claims:
        raise TokenRejected("'room' claim is missing")
    if not isinstance(claims["room"], str) or claims["room"] == "*" or claims["room"].lower() != room:
        raise TokenRejected("room-mismatch")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise TokenRejected("sub claim is missing")
