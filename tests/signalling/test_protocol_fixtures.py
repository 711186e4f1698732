"""The call fixtures in tests/fixtures/protocol/ are what the server really sends and accepts, both modes."""

from __future__ import annotations

from typing import Any

from tests.chat.test_protocol_fixtures import CALL_EVENTS, CLIENT, SERVER, same_shape
from tests.signalling.conftest import Chat
from tests.support import LiveServer, Peer
from wschat.wire import parse

CALL_CLIENT = {key: doc for key, doc in CLIENT.items() if key[1].startswith(CALL_EVENTS)}
CALL_SERVER = {key: doc for key, doc in SERVER.items() if key[1].startswith(CALL_EVENTS)}
JITSI = {"domain": "meet.example.eu", "app_id": "wschat-acme", "secret": "s" * 40}


def test_every_variant_payload_validates(server: LiveServer) -> None:
    models = server.app.realtime.models
    for key, doc in CALL_CLIENT.items():
        model = models[key]
        for variant in [doc, *doc.get("variants", {}).values()]:
            if "payload" in variant:
                parse(model, variant["payload"])


class Recorder:
    def __init__(self, visitor: Peer, agent: Peer) -> None:
        self.peers = {"/visitor": visitor, "/agent": agent}
        self.acks: dict[tuple[str, str], dict[str, Any]] = {}

    async def send(self, namespace: str, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.acks[(namespace, event)] = reply = await self.peers[namespace].ok(event, payload)
        return reply

    def received(self) -> dict[tuple[str, str], Any]:
        return {
            (ns, e): d for ns, peer in self.peers.items() for e, d in peer.events if e.startswith(CALL_EVENTS)
        }


async def _exercise(chat: Chat) -> Recorder:
    """Every call event on both namespaces."""
    r = Recorder(chat.visitor, chat.bert)
    cid = chat.conversation_id
    call = (await r.send("/agent", "call.start", {"conversation_id": cid, "kind": "video"}))["call"]
    await r.send("/visitor", "call.decline", {"call_id": call["id"]})
    call = (await r.send("/visitor", "call.start", {"conversation_id": cid, "kind": "video"}))["call"]
    await r.send("/agent", "call.join", {"call_id": call["id"]})
    sdp = CALL_CLIENT[("/agent", "rtc.signal")]["payload"]["sdp"]
    for ns, kind in (("/agent", "offer"), ("/visitor", "answer")):
        await r.send(ns, "call.current", {"conversation_id": cid})
        await r.send(ns, "rtc.signal", {"call_id": call["id"], "type": kind, "sdp": sdp})
    await r.send("/visitor", "call.leave", {"call_id": call["id"]})
    await r.send("/visitor", "call.end", {"call_id": call["id"]})
    call = (await chat.bert.ok("call.start", {"conversation_id": cid}))["call"]
    await r.send("/visitor", "call.join", {"call_id": call["id"]})
    await r.send("/agent", "call.leave", {"call_id": call["id"]})
    await chat.bert.ok("call.join", {"call_id": call["id"]})
    call = (await r.send("/agent", "call.end", {"call_id": call["id"]}))["call"]
    call = (await chat.visitor.ok("call.start", {"conversation_id": cid}))["call"]
    await r.send("/agent", "call.decline", {"call_id": call["id"]})
    await chat.visitor.wait("call.ended", lambda d: d["call"]["id"] == call["id"])
    return r


async def test_real_p2p_traffic_matches_the_fixtures(chat: Chat) -> None:
    # TURN only: same_shape compares every list item with the fixture's first (the TURN entry).
    await chat.video(allow_visitor_calls=True, turn_urls=["turn:turn.example.eu:3478"], turn_secret="t" * 32)
    r = await _exercise(chat)
    assert set(r.acks) == set(CALL_CLIENT), f"not exercised: {set(CALL_CLIENT) - set(r.acks)}"
    for key, reply in r.acks.items():
        same_shape(reply, CALL_CLIENT[key]["ack"], f"{key[1]} ack")
    received = r.received()
    assert set(received) == set(CALL_SERVER), set(received) ^ set(CALL_SERVER)
    for ns, peer in r.peers.items():
        for event, data in peer.events:
            if event.startswith(CALL_EVENTS):
                same_shape(data, CALL_SERVER[(ns, event)]["payload"], f"{event} event")


async def test_real_jitsi_traffic_matches_the_jitsi_variants(chat: Chat) -> None:
    await chat.video(allow_visitor_calls=True, jitsi=JITSI)
    r = Recorder(chat.visitor, chat.bert)
    started = await r.send("/agent", "call.start", {"conversation_id": chat.conversation_id})
    same_shape(started, CALL_CLIENT[("/agent", "call.start")]["variants"]["jitsi"]["ack"])
    invite = await chat.visitor.wait("call.invite")
    same_shape(invite, CALL_SERVER[("/visitor", "call.invite")]["variants"]["jitsi"]["payload"])
    joined = await r.send("/visitor", "call.join", {"call_id": started["call"]["id"]})
    same_shape(joined, CALL_CLIENT[("/visitor", "call.join")]["variants"]["jitsi"]["ack"])
    await chat.bert.ok("call.end", {"call_id": started["call"]["id"]})
    started = await r.send("/visitor", "call.start", {"conversation_id": chat.conversation_id})
    same_shape(started, CALL_CLIENT[("/visitor", "call.start")]["variants"]["jitsi"]["ack"])
    invite = await chat.bert.wait("call.invite")
    same_shape(invite, CALL_SERVER[("/agent", "call.invite")]["variants"]["jitsi"]["payload"])
