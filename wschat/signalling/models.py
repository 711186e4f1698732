"""Calls as the rules see them, a tenant's video settings, and the payloads of every call event."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from wschat.chat.models import Id
from wschat.config import Secret
from wschat.wire import WireModel

#: Largest SDP accepted, in bytes of UTF-8 (an offer with a few tracks is 3–10 KB).
MAX_SDP_BYTES = 64 * 1024
#: Largest ICE candidate object, in bytes of its compact JSON.
MAX_CANDIDATE_BYTES = 2048
MIN_JITSI_SECRET_BYTES = 32


class CallKind(StrEnum):
    VIDEO = "video"
    #: The starter presents their screen, the other side watches.
    SCREEN = "screen"


class CallMode(StrEnum):
    P2P = "p2p"
    JITSI = "jitsi"


class CallStatus(StrEnum):
    #: Invited, nobody has answered yet.
    RINGING = "ringing"
    ACTIVE = "active"
    ENDED = "ended"


class EndReason(StrEnum):
    HANGUP = "hangup"  # call.end
    DECLINED = "declined"  # call.decline by the invited side
    EXPIRED = "expired"  # nobody answered in time
    LEFT = "left"  # the last participant left (call.leave or a closed socket)
    CONVERSATION_CLOSED = "conversation_closed"
    HANDED_OVER = "handed_over"  # the chat went to another agent, or back to the queue


class Side(StrEnum):
    VISITOR = "visitor"
    AGENT = "agent"


@dataclass(frozen=True)
class Caller:
    """One socket of a person taking part in calls: who, and on which socket (signals go to that one)."""

    side: Side
    id: str
    display_name: str
    sid: str
    photo_url: str | None = None


@dataclass(frozen=True)
class Participation:
    """One stay of a person in a call; a rejoin is a new entry."""

    side: Side
    id: str
    display_name: str
    sid: str
    joined_at: datetime
    left_at: datetime | None = None

    def to_doc(self) -> dict[str, Any]:
        return {
            "side": self.side.value,
            "id": self.id,
            "display_name": self.display_name,
            "sid": self.sid,
            "joined_at": self.joined_at,
            "left_at": self.left_at,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Participation:
        return cls(
            Side(doc["side"]), doc["id"], doc["display_name"], doc["sid"], doc["joined_at"], doc["left_at"]
        )

    def to_wire(self) -> dict[str, Any]:
        """Never the socket id."""
        return {
            "side": self.side.value,
            "id": self.id,
            "display_name": self.display_name,
            "joined_at": self.joined_at.isoformat(),
            "left_at": self.left_at.isoformat() if self.left_at else None,
        }


@dataclass(frozen=True)
class Call:
    id: str
    tenant_id: str
    conversation_id: str
    visitor_id: str
    agent_id: str
    kind: CallKind
    mode: CallMode
    status: CallStatus
    epoch: int
    started_by: Side
    started_by_id: str
    created_at: datetime
    expires_at: datetime
    #: Jitsi only: the room every token of this call names.
    room: str | None = None
    participants: tuple[Participation, ...] = ()
    started_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: EndReason | None = None
    ended_by: Side | None = None

    @property
    def is_open(self) -> bool:
        return self.status is not CallStatus.ENDED

    @property
    def invited(self) -> Side:
        return Side.VISITOR if self.started_by is Side.AGENT else Side.AGENT

    @property
    def present(self) -> list[Participation]:
        return [p for p in self.participants if p.left_at is None]

    def present_on(self, sid: str) -> Participation | None:
        return next((p for p in self.present if p.sid == sid), None)

    @property
    def duration(self) -> int:
        """Seconds from the answer to the end; 0 for a call nobody answered."""
        if self.started_at is None or self.ended_at is None:
            return 0
        return max(0, int((self.ended_at - self.started_at).total_seconds()))

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "kind": self.kind.value,
            "mode": self.mode.value,
            "status": self.status.value,
            "room": self.room,
            "started_by": self.started_by.value,
            "participants": [p.to_wire() for p in self.participants],
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "end_reason": self.end_reason.value if self.end_reason else None,
            "ended_by": self.ended_by.value if self.ended_by else None,
            "duration": self.duration,
            "recorded": False,
        }


# -- a tenant's video settings -----------------------------------------------------------------------------


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


# -- payloads ----------------------------------------------------------------------------------------------

KindName = Annotated[CallKind, Field(strict=False)]


class CallStart(WireModel):
    conversation_id: Id
    kind: KindName = CallKind.VIDEO


class CallRef(WireModel):
    call_id: Id


class IceCandidate(WireModel):
    """``RTCIceCandidate.toJSON()``; ``candidate: ""`` is the end of candidates."""

    candidate: Annotated[str, Field(max_length=MAX_CANDIDATE_BYTES)]
    sdpMid: Annotated[str, Field(max_length=64)] | None = None
    sdpMLineIndex: Annotated[int, Field(ge=0, le=1024)] | None = None
    usernameFragment: Annotated[str, Field(max_length=256)] | None = None

    @model_validator(mode="after")
    def _small(self) -> IceCandidate:
        size = len(json.dumps(self.model_dump(exclude_unset=True), separators=(",", ":")).encode())
        if size >= MAX_CANDIDATE_BYTES:
            raise ValueError(f"a candidate must be under {MAX_CANDIDATE_BYTES} bytes")
        if self.candidate and not self.candidate.startswith("candidate:"):
            raise ValueError("must be an ICE candidate line ('candidate:…')")
        return self


def _sdp(value: str) -> str:
    if not value.startswith("v=0"):
        raise ValueError("is not SDP (it must start with 'v=0')")
    if len(value.encode()) >= MAX_SDP_BYTES:
        raise ValueError(f"must be under {MAX_SDP_BYTES} bytes")
    return value


Sdp = Annotated[str, Field(max_length=MAX_SDP_BYTES), AfterValidator(_sdp)]


class RtcSignal(WireModel):
    """Relayed unchanged to the other participants of the call."""

    call_id: Id
    type: Literal["offer", "answer", "candidate", "bye"]
    sdp: Sdp | None = None
    candidate: IceCandidate | None = None

    @model_validator(mode="after")
    def _fits_type(self) -> RtcSignal:
        needs_sdp, needs_candidate = self.type in ("offer", "answer"), self.type == "candidate"
        if needs_sdp != (self.sdp is not None):
            raise ValueError("offer and answer carry sdp, the others do not")
        if needs_candidate != (self.candidate is not None):
            raise ValueError("candidate carries candidate, the others do not")
        return self

    def relayed(self) -> dict[str, Any]:
        """The payload as the sender sent it (strict validation changed nothing)."""
        return self.model_dump(exclude_unset=True)


# -- the admin's video settings ----------------------------------------------------------------------------

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
