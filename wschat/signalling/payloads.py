"""What the server sends about calls: the typed shape of each payload and ack (docs/protocol.md §12)."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from wschat.boundary.protocol import Event


class ParticipantWire(TypedDict):
    """One person's part in a call; never their socket id."""

    side: str
    id: str
    display_name: str
    joined_at: str
    left_at: str | None


class CallWire(TypedDict):
    id: str
    conversation_id: str
    kind: str
    mode: str
    status: str
    room: str | None
    started_by: str
    participants: list[ParticipantWire]
    created_at: str
    expires_at: str
    started_at: str | None
    ended_at: str | None
    end_reason: str | None
    ended_by: str | None
    duration: int
    #: Always false: wsChat never records a call.
    recorded: bool


class IceServer(TypedDict):
    """An ``RTCIceServer``: TURN servers carry credentials, STUN servers none."""

    urls: list[str]
    username: NotRequired[str]
    credential: NotRequired[str]


class JitsiJoin(TypedDict):
    domain: str | None
    room: str
    jwt: str


class ConnectInfo(TypedDict, total=False):
    """Peer to peer: ``ice_servers``; Jitsi: ``jitsi``. Exactly one of the two."""

    ice_servers: list[IceServer]
    jitsi: JitsiJoin


class JoinedWire(ConnectInfo):
    """A call as one participant sees it, with what their browser needs to connect."""

    call: CallWire


# -- events --------------------------------------------------------------------------------------------------


class CallParticipantEvent(TypedDict):
    call: CallWire
    participant: ParticipantWire


class CallEvent(TypedDict):
    call: CallWire


class RtcSignalEvent(TypedDict):
    """Relayed as the sender sent it (validated, never changed)."""

    call_id: str
    type: str
    sdp: NotRequired[str | None]
    candidate: NotRequired[dict[str, Any] | None]


# -- acks ----------------------------------------------------------------------------------------------------


class CallAck(TypedDict):
    call: CallWire


class CurrentCallAck(TypedDict):
    call: CallWire | None


#: Server→client events of this feature and their payloads, by namespace ("agent" or "visitor").
SENT: dict[tuple[str, Event], type] = {
    **{(side, Event.CALL_INVITE): JoinedWire for side in ("agent", "visitor")},
    **{(side, Event.CALL_JOINED): CallParticipantEvent for side in ("agent", "visitor")},
    **{(side, Event.CALL_LEFT): CallParticipantEvent for side in ("agent", "visitor")},
    **{(side, Event.CALL_ENDED): CallEvent for side in ("agent", "visitor")},
    **{(side, Event.RTC_SIGNAL): RtcSignalEvent for side in ("agent", "visitor")},
}
