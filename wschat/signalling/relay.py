"""The peer-to-peer signal relay: offers, answers and ICE candidates passed unchanged between the sockets
that joined a call. Never stored; media never passes here."""

from __future__ import annotations

from wschat.boundary.protocol import Event
from wschat.errors import Forbidden
from wschat.signalling.payloads import RtcSignalEvent
from wschat.signalling.service import CallPublisher
from wschat.signalling.store import CallStore
from wschat.video.models import CallMode


class SignalRelay:
    def __init__(self, calls: CallStore, publisher: CallPublisher) -> None:
        self.calls = calls
        self.publisher = publisher

    async def relay(self, tenant_id: str, call_id: str, sid: str, signal: RtcSignalEvent) -> int:
        """Pass a WebRTC signal unchanged to the call's other participants; how many got it.

        Raises FORBIDDEN unless this socket takes part in this open peer-to-peer call (for any other
        call id too, so a refusal tells nothing about other people's calls).
        """
        call = await self.calls.get(tenant_id, call_id)
        if call is None or not call.is_open or call.present_on(sid) is None:
            raise Forbidden("You are not in this call.")
        if call.mode is not CallMode.P2P:
            raise Forbidden("This call runs on Jitsi; there is nothing to relay.")
        others = [p for p in call.present if p.sid != sid]
        for other in others:
            await self.publisher.to_socket(other.sid, other.side.value, Event.RTC_SIGNAL, signal)
        return len(others)
