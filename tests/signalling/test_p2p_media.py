"""Two aiortc peers, each behind a real Socket.IO client, negotiate a call only through ``rtc.signal``.

The agent's peer sends a synthetic video track, then adds a screen track and renegotiates; the visitor's
peer counts the frames of each track and drops them into a blackhole. Candidates are trickled as a browser
does (``RTCIceCandidate.toJSON()``), with no STUN server, so ICE uses host candidates on this machine only.
The server relays every signal unchanged, to the other participant only, and holds no peer connection.
"""

from __future__ import annotations

import asyncio
import gc
import json
from pathlib import Path
from typing import Any

from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.contrib.media import MediaBlackhole
from aiortc.sdp import candidate_from_sdp
from av import VideoFrame

import wschat
from tests.signalling.conftest import Chat
from tests.support import Peer, wait_for


class SmallVideo(VideoStreamTrack):
    """Synthetic frames, small so that two encoders stay cheap on a shared machine."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__()
        self.size = (width, height)

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame(width=self.size[0], height=self.size[1])
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.pts, frame.time_base = pts, time_base
        return frame


class Counted(MediaStreamTrack):
    """Passes frames on to the blackhole and counts them."""

    kind = "video"

    def __init__(self, inner: MediaStreamTrack) -> None:
        super().__init__()
        self.inner = inner
        self.frames = 0

    async def recv(self) -> Any:
        frame = await self.inner.recv()
        self.frames += 1
        return frame


class Endpoint:
    """One browser: a peer connection whose every signal goes through the wsChat socket."""

    def __init__(self, peer: Peer, call_id: str) -> None:
        self.peer = peer
        self.call_id = call_id
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.sent: list[dict[str, Any]] = []
        self.handled = 0
        self.received: list[Counted] = []
        self.blackhole = MediaBlackhole()
        self.pc.on("track", self._on_track)

    def _on_track(self, track: MediaStreamTrack) -> None:
        counted = Counted(track)
        self.received.append(counted)
        self.blackhole.addTrack(counted)

    async def send(self, **signal: Any) -> None:
        payload = {"call_id": self.call_id, **signal}
        self.sent.append(payload)
        assert (await self.peer.call("rtc.signal", payload)) == {"ok": True}

    async def describe(self, *, trickle: bool) -> None:
        """Send the local description without its candidates, then each candidate on its own."""
        description = self.pc.localDescription
        lines = description.sdp.splitlines()
        sdp = "".join(f"{line}\r\n" for line in lines if not line.startswith(("a=candidate:", "a=end-of")))
        await self.send(type=description.type, sdp=sdp)
        if not trickle:
            return
        ufrag = next(line.split(":", 1)[1] for line in lines if line.startswith("a=ice-ufrag:"))
        first_mid = next(line.split(":", 1)[1] for line in lines if line.startswith("a=mid:"))
        for line in lines:
            if line.startswith("a=candidate:"):
                candidate = {"candidate": line[2:], "sdpMid": first_mid, "sdpMLineIndex": 0}
                await self.send(type="candidate", candidate={**candidate, "usernameFragment": ufrag})
        await self.send(
            type="candidate", candidate={"candidate": "", "sdpMid": first_mid, "sdpMLineIndex": 0}
        )

    async def offer(self, *, trickle: bool) -> None:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self.describe(trickle=trickle)

    async def handle_signals(self) -> None:
        """Apply every relayed signal in order, as the front end will."""
        while True:
            signals = self.peer.received("rtc.signal")
            while self.handled < len(signals):
                await self._apply(signals[self.handled])
                self.handled += 1
            await self.blackhole.start()
            await asyncio.sleep(0.01)

    async def _apply(self, signal: dict[str, Any]) -> None:
        if signal["type"] in ("offer", "answer"):
            await self.pc.setRemoteDescription(RTCSessionDescription(signal["sdp"], signal["type"]))
            if signal["type"] == "offer":
                await self.pc.setLocalDescription(await self.pc.createAnswer())
                await self.describe(trickle=self.pc.iceConnectionState == "new")
        elif signal["type"] == "candidate":
            data = signal["candidate"]
            if not data["candidate"]:
                await self.pc.addIceCandidate(None)
                return
            candidate = candidate_from_sdp(data["candidate"].split(":", 1)[1])
            candidate.sdpMid, candidate.sdpMLineIndex = data["sdpMid"], data["sdpMLineIndex"]
            await self.pc.addIceCandidate(candidate)


def _peer_connections() -> list[RTCPeerConnection]:
    return [o for o in gc.get_objects() if isinstance(o, RTCPeerConnection)]


def test_the_server_package_never_touches_media_libraries() -> None:
    package = Path(wschat.__file__).parent
    for source in package.rglob("*.py"):
        text = source.read_text()
        for name in ("aiortc", "aioice", "import av", "from av"):
            assert name not in text, f"{source} mentions {name}"


async def test_p2p_video_then_screen_share_through_the_relay_only(chat: Chat) -> None:
    before = len(_peer_connections())
    call_id = (await chat.start_call())["call"]["id"]
    await chat.visitor.wait("call.invite")
    joined = await chat.visitor.ok("call.join", {"call_id": call_id})
    assert joined["ice_servers"] == []
    await chat.bert.wait("call.joined")
    agent, visitor = Endpoint(chat.bert, call_id), Endpoint(chat.visitor, call_id)
    assert len(_peer_connections()) == before + 2
    loops = [asyncio.create_task(side.handle_signals()) for side in (agent, visitor)]
    try:
        agent.pc.addTrack(SmallVideo(160, 120))
        await agent.offer(trickle=True)
        await wait_for(lambda: visitor.received and visitor.received[0].frames >= 10, timeout=30)
        assert agent.pc.connectionState == "connected"

        # The agent presents the screen: a second track, renegotiated through the same relay.
        agent.pc.addTrack(SmallVideo(320, 180))
        offers = len(visitor.peer.received("rtc.signal"))
        await agent.offer(trickle=False)
        await wait_for(lambda: len(visitor.received) == 2 and visitor.received[1].frames >= 10, timeout=30)
        assert len(visitor.peer.received("rtc.signal")) == offers + 1

        await chat.bert.ok("call.end", {"call_id": call_id})
        for side in (agent, visitor):
            await side.peer.wait("call.ended")
            await side.pc.close()
            await side.blackhole.stop()
            assert side.pc.connectionState == "closed"
    finally:
        for loop in loops:
            loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        for side in (agent, visitor):
            await side.pc.close()

    # Every signal arrived once, unchanged, in order, at the other side (and nothing else arrived).
    for sender, receiver in ((agent, visitor), (visitor, agent)):
        delivered = receiver.peer.received("rtc.signal")
        assert [json.dumps(s, sort_keys=True) for s in delivered] == [
            json.dumps(s, sort_keys=True) for s in sender.sent
        ]
    assert any(s["type"] == "candidate" and s["candidate"]["candidate"] for s in agent.sent)
    assert len(_peer_connections()) == before + 2, "the server made a peer connection of its own"
