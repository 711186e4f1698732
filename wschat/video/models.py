"""A tenant's video settings as the rules see them (Jitsi or peer to peer, STUN/TURN) and their patch."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from wschat.config import Secret
from wschat.wire import WireModel

MIN_JITSI_SECRET_BYTES = 32


class CallMode(StrEnum):
    P2P = "p2p"
    JITSI = "jitsi"


@dataclass(frozen=True)
class JitsiSettings:
    domain: str | None = None
    app_id: str | None = None
    secret: Secret | None = None
    audience: str = "jitsi"
    #: docker-jitsi-meet's internal XMPP domain; Prosody only compares it with domain verification on.
    sub: str = "meet.jitsi"
    token_ttl_seconds: int = 600

    @property
    def configured(self) -> bool:
        return bool(self.domain and self.app_id and self.secret)

    def to_wire(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "app_id": self.app_id,
            "secret_set": self.secret is not None,
            "audience": self.audience,
            "sub": self.sub,
            "token_ttl_seconds": self.token_ttl_seconds,
        }


@dataclass(frozen=True)
class VideoSettings:
    stun_urls: tuple[str, ...] = ()
    turn_urls: tuple[str, ...] = ()
    #: coturn's ``static-auth-secret`` (``use-auth-secret``); without it no TURN server is handed out.
    turn_secret: Secret | None = None
    turn_ttl_seconds: int = 3600
    allow_visitor_calls: bool = False
    allow_visitor_screen_share: bool = False
    invite_timeout_seconds: int = 60
    jitsi: JitsiSettings = field(default_factory=JitsiSettings)

    @property
    def mode(self) -> CallMode:
        return CallMode.JITSI if self.jitsi.configured else CallMode.P2P

    def to_wire(self) -> dict[str, Any]:
        """What the tenant's admin sees: never a secret, only whether it is set."""
        return {
            "mode": self.mode.value,
            "stun_urls": list(self.stun_urls),
            "turn_urls": list(self.turn_urls),
            "turn_secret_set": self.turn_secret is not None,
            "turn_ttl_seconds": self.turn_ttl_seconds,
            "allow_visitor_calls": self.allow_visitor_calls,
            "allow_visitor_screen_share": self.allow_visitor_screen_share,
            "invite_timeout_seconds": self.invite_timeout_seconds,
            "jitsi": self.jitsi.to_wire(),
        }


# -- the admin's patch -----------------------------------------------------------------------------------
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::[0-9]{1,5})?$")
_ICE_URL = re.compile(r"^(stuns?|turns?):[A-Za-z0-9.\-\[\]:]{1,260}(\?transport=(udp|tcp))?$")
_TOKEN_VALUE = re.compile(r"^[A-Za-z0-9._:*-]{1,128}$")


def _checked(pattern: re.Pattern[str], what: str, prefixes: tuple[str, ...] = ()) -> AfterValidator:
    def check(value: str) -> str:
        value = value.strip()
        if not pattern.fullmatch(value) or (prefixes and not value.startswith(prefixes)):
            raise ValueError(f"is not a valid {what}")
        return value

    return AfterValidator(check)


def _secret_bytes(minimum: int) -> AfterValidator:
    def check(value: str) -> str:
        if len(value.encode()) < minimum:
            raise ValueError(f"must have at least {minimum} bytes")
        return value

    return AfterValidator(check)


JitsiDomain = Annotated[str, Field(max_length=260), _checked(_HOST, "host name (e.g. meet.example.com)")]
StunUrl = Annotated[str, Field(max_length=300), _checked(_ICE_URL, "STUN URL (stun:host:port)", ("stun",))]
TurnUrl = Annotated[str, Field(max_length=300), _checked(_ICE_URL, "TURN URL (turn:host:port)", ("turn",))]
ClaimValue = Annotated[str, _checked(_TOKEN_VALUE, "value (letters, digits, . _ : * -)")]
JitsiSecret = Annotated[str, Field(max_length=512), _secret_bytes(MIN_JITSI_SECRET_BYTES)]
TurnSecret = Annotated[str, Field(max_length=512), _secret_bytes(16)]


class JitsiPatch(WireModel):
    """Fields left out stay as they are; ``null`` clears domain, app id or secret."""

    domain: JitsiDomain | None = None
    app_id: ClaimValue | None = None
    secret: JitsiSecret | None = None
    audience: ClaimValue | None = None
    sub: ClaimValue | None = None
    token_ttl_seconds: Annotated[int, Field(ge=60, le=3600)] | None = None

    @model_validator(mode="after")
    def _no_wildcards(self) -> JitsiPatch:
        for name in ("app_id", "audience", "sub"):
            if getattr(self, name) == "*":
                raise ValueError(f"{name} must name one value, not '*'")
        return self


class VideoSettingsPatch(WireModel):
    stun_urls: Annotated[list[StunUrl], Field(max_length=10)] | None = None
    turn_urls: Annotated[list[TurnUrl], Field(max_length=10)] | None = None
    turn_secret: TurnSecret | None = None
    turn_ttl_seconds: Annotated[int, Field(ge=60, le=86400)] | None = None
    allow_visitor_calls: bool | None = None
    allow_visitor_screen_share: bool | None = None
    invite_timeout_seconds: Annotated[int, Field(ge=10, le=600)] | None = None
    jitsi: JitsiPatch | None = None
