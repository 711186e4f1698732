"""Calls as the rules see them and the payloads of every call event."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from wschat.signalling.payloads import CallWire, ParticipantWire, RtcSignalEvent
from wschat.video.models import CallMode
from wschat.wire import Id, WireModel

#: Largest SDP accepted, in bytes of UTF-8 (an offer with a few tracks is 3–10 KB).
MAX_SDP_BYTES = 64 * 1024
#: Largest ICE candidate object, in bytes of its compact JSON.
MAX_CANDIDATE_BYTES = 2048


class CallKind(StrEnum):
    VIDEO = "video"
    #: The starter presents their screen, the other side watches.
    SCREEN = "screen"


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

    def to_wire(self) -> ParticipantWire:
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

    def to_wire(self) -> CallWire:
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

    def relayed(self) -> RtcSignalEvent:
        """The payload as the sender sent it (strict validation changed nothing)."""
        relayed: RtcSignalEvent = {"call_id": self.call_id, "type": self.type}
        if "sdp" in self.model_fields_set:
            relayed["sdp"] = self.sdp
        if "candidate" in self.model_fields_set:
            relayed["candidate"] = self.candidate.model_dump(exclude_unset=True) if self.candidate else None
        return relayed
