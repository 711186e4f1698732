"""Who may send and receive ``rtc.signal`` for a call, what a signal may hold, and how many per socket."""

from __future__ import annotations

from typing import Any

from tests.signalling.conftest import Chat, open_chat
from tests.support import Peer, stored
from wschat.accounts.models import Role
from wschat.signalling.events import SIGNAL_BURST

LONG = "candidate:" + "1" * 1800  # with a 200-character fragment: over 2 KB in all
SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
CANDIDATE = {
    "candidate": "candidate:1 1 UDP 2122252543 192.0.2.7 50000 typ host",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
    "usernameFragment": "abcd",
}


async def _active_call(chat: Chat) -> str:
    call_id: str = (await chat.start_call())["call"]["id"]
    await chat.visitor.ok("call.join", {"call_id": call_id})
    await chat.bert.wait("call.joined")
    return call_id


async def _record(chat: Chat, call_id: str) -> dict[str, Any]:
    doc = (await stored(chat.team.server.app.runtime.db, "calls", _id=call_id))[0]
    assert doc is not None
    return doc


async def _settled(*peers: Peer) -> None:
    """Every signal relayed so far has arrived at ``peers`` (wrongly relayed ones too)."""
    for peer in peers:
        await peer.barrier()


async def test_only_the_participants_exchange_signals(chat: Chat) -> None:
    s, team = chat.team.server, chat.team
    call_id = await _active_call(chat)
    second_tab = await s.visitor(token=chat.visitor.token)  # the same visitor, not in the call
    stranger, _ = await open_chat(team)
    carl = await team.agent("carl")
    globex = await s.make_tenant("globex")
    await s.make_user(globex, "gina", Role.ADMIN)
    foreign_agent = await s.agent(await s.login("globex", "gina"))
    foreign_visitor = await s.visitor("globex")
    outsiders: list[Peer] = [second_tab, stranger, carl, foreign_agent, foreign_visitor]
    before = await _record(chat, call_id)

    offer = {"call_id": call_id, "type": "offer", "sdp": SDP}
    for outsider in outsiders:
        assert await outsider.error("rtc.signal", offer) == "FORBIDDEN"
    assert await carl.error("call.join", {"call_id": call_id}) == "FORBIDDEN"
    for outsider in (second_tab, stranger, foreign_visitor, foreign_agent):
        code = await outsider.error("call.join", {"call_id": call_id})
        assert code in ("NOT_FOUND", "CONFLICT"), code
    assert await stranger.error("call.end", {"call_id": call_id}) == "NOT_FOUND"
    assert await foreign_agent.error("call.end", {"call_id": call_id}) == "NOT_FOUND"

    await chat.bert.ok("rtc.signal", offer)
    await chat.visitor.ok("rtc.signal", {"call_id": call_id, "type": "candidate", "candidate": CANDIDATE})
    await chat.visitor.wait("rtc.signal")
    await chat.bert.wait("rtc.signal")
    await _settled(chat.visitor, *outsiders)
    for outsider in outsiders:
        assert outsider.received("rtc.signal") == []
        assert outsider.received("call.invite") == []
    assert chat.visitor.received("rtc.signal") == [offer]
    after = await _record(chat, call_id)
    assert after["epoch"] == before["epoch"]
    assert after["participants"] == before["participants"]


async def test_the_second_tab_of_a_participant_cannot_join_twice(chat: Chat) -> None:
    call_id = await _active_call(chat)
    before = await _record(chat, call_id)
    second_tab = await chat.team.server.visitor(token=chat.visitor.token)
    assert await second_tab.error("call.join", {"call_id": call_id}) == "CONFLICT"
    assert await second_tab.error("call.leave", {"call_id": call_id}) == "FORBIDDEN"
    after = await _record(chat, call_id)
    assert after["participants"] == before["participants"]
    assert after["sids"] == before["sids"]


async def test_malformed_signals_are_refused_and_not_relayed(chat: Chat) -> None:
    call_id = await _active_call(chat)
    before = await _record(chat, call_id)
    bad: list[dict[str, Any]] = [
        {"type": "offer", "sdp": "hello"},  # not SDP
        {"type": "offer", "sdp": SDP + "a=x:" + "y" * (64 * 1024) + "\r\n"},  # 64 KB and more
        {"type": "offer"},  # an offer without SDP
        {"type": "answer", "sdp": SDP, "candidate": CANDIDATE},
        {"type": "candidate", "sdp": SDP},
        {"type": "candidate", "candidate": {**CANDIDATE, "candidate": "candidate:" + "1" * 2100}},
        {"type": "candidate", "candidate": {**CANDIDATE, "usernameFragment": "u" * 200, "candidate": LONG}},
        {"type": "candidate", "candidate": {**CANDIDATE, "candidate": "<script>"}},
        {"type": "candidate", "candidate": {**CANDIDATE, "extra": 1}},
        {"type": "hello"},
        {"type": "bye", "sdp": SDP},
        {"type": "offer", "sdp": {"$ne": None}},
        {"type": "offer", "sdp": SDP, "to": "somebody"},
    ]  # fmt: skip
    for payload in bad:
        assert await chat.bert.error("rtc.signal", {"call_id": call_id, **payload}) == "VALIDATION_FAILED"
    assert await chat.bert.error("rtc.signal", {"call_id": "nonsense", "type": "bye"}) == "VALIDATION_FAILED"
    await chat.bert.ok("rtc.signal", {"call_id": call_id, "type": "bye"})
    await chat.visitor.wait("rtc.signal")
    await _settled(chat.visitor)
    assert chat.visitor.received("rtc.signal") == [{"call_id": call_id, "type": "bye"}]
    assert await _record(chat, call_id) == before


async def test_signals_are_rate_limited_per_socket(chat: Chat) -> None:
    call_id = await _active_call(chat)
    candidate = {"call_id": call_id, "type": "candidate", "candidate": CANDIDATE}
    for _ in range(SIGNAL_BURST):
        await chat.bert.ok("rtc.signal", candidate)
    assert await chat.bert.error("rtc.signal", candidate) == "RATE_LIMITED"
    await chat.visitor.ok("rtc.signal", candidate)  # the other socket has its own allowance
    chat.team.server.clock.advance(seconds=6)
    await chat.bert.ok("rtc.signal", {"call_id": call_id, "type": "bye"})
    await chat.visitor.wait("rtc.signal", lambda d: d["type"] == "bye")
    assert len(chat.visitor.received("rtc.signal")) == SIGNAL_BURST + 1


async def test_signals_for_an_ended_or_jitsi_call_are_refused(chat: Chat) -> None:
    call_id = await _active_call(chat)
    await chat.bert.ok("call.end", {"call_id": call_id})
    bye = {"call_id": call_id, "type": "bye"}
    assert await chat.bert.error("rtc.signal", bye) == "FORBIDDEN"
    await chat.video(jitsi={"domain": "meet.example.com", "app_id": "wschat", "secret": "s" * 32})
    jitsi_call = (await chat.start_call())["call"]
    assert jitsi_call["mode"] == "jitsi"
    assert await chat.bert.error("rtc.signal", {"call_id": jitsi_call["id"], "type": "bye"}) == "FORBIDDEN"
    await _settled(chat.visitor)
    assert chat.visitor.received("rtc.signal") == []
