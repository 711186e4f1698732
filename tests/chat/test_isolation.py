"""Nobody reaches another visitor's conversation or another tenant's data, and bad payloads change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.chat.conftest import Team
from tests.support import Peer, stored
from wschat.accounts.models import Role


async def _snapshot(team: Team) -> dict[str, Any]:
    db = team.server.app.runtime.db
    return {name: await stored(db, name) for name in ("conversations", "messages", "visitors")}


async def test_visitor_a_cannot_touch_visitor_b_s_conversation(team: Team) -> None:
    bert = await team.agent("bert")
    alice = await team.server.visitor()
    bob = await team.server.visitor()
    await bob.ok("chat.start", {"alias": "Bob"})
    bob_cid = (await bob.wait("chat.assigned"))["conversation_id"]
    await bob.ok("message.send", {"conversation_id": bob_cid, "client_id": "b1", "text": "Bob's secret"})
    before = await _snapshot(team)
    events: list[tuple[str, dict[str, Any]]] = [
        ("message.send", {"conversation_id": bob_cid, "client_id": "x", "text": "hijack"}),
        ("messages.sync", {"conversation_id": bob_cid, "after_seq": 0}),
        ("messages.read", {"conversation_id": bob_cid, "seq": 99}),
        ("typing", {"conversation_id": bob_cid, "typing": True}),
        ("chat.end", {"conversation_id": bob_cid}),
        ("contact.submit", {"conversation_id": bob_cid, "name": "Mallory"}),
    ]
    for event, payload in events:
        reply = await alice.call(event, payload)
        assert reply == {
            "ok": False,
            "error": {"code": "NOT_FOUND", "message": "There is no such conversation."},
        }, event
    assert await _snapshot(team) == before
    await alice.barrier()
    await bert.barrier()
    assert "Bob's secret" not in str(alice.events)
    assert not [e for e in bert.events if e[0] == "typing"]


async def test_other_tenant_ids_are_refused_for_every_agent_event(team: Team) -> None:
    s = team.server
    globex = await s.make_tenant("globex")
    await s.make_user(globex, "gina", Role.ADMIN)
    gina = await s.agent(await s.login("globex", "gina"))
    await gina.ok("status.set", {"status": "online"})
    bert = await team.agent("bert")
    acme_visitor = await s.visitor("acme")
    await acme_visitor.ok("chat.start")
    acme_cid = (await acme_visitor.wait("chat.assigned"))["conversation_id"]
    globex_visitor = await s.visitor("globex")
    await globex_visitor.ok("chat.start")
    globex_cid = (await globex_visitor.wait("chat.assigned"))["conversation_id"]
    before = await _snapshot(team)
    gina_seen = len(gina.events)
    for event, payload in [
        ("chat.accept", {"conversation_id": globex_cid}),
        ("chat.close", {"conversation_id": globex_cid}),
        ("chat.transfer", {"conversation_id": globex_cid, "to_agent_id": team.bert.id}),
        (
            "chat.transfer",
            {
                "conversation_id": acme_cid,
                "to_agent_id": (await s.accounts.users.by_login(globex.id, "gina")).id,
            },
        ),  # type: ignore[union-attr]
        ("chat.history", {"conversation_id": globex_cid}),
        ("message.send", {"conversation_id": globex_cid, "client_id": "x", "text": "cross"}),
        ("messages.sync", {"conversation_id": globex_cid, "after_seq": 0}),
        ("messages.read", {"conversation_id": globex_cid, "seq": 1}),
        ("typing", {"conversation_id": globex_cid, "typing": True}),
    ]:
        assert await bert.error(event, payload) == "NOT_FOUND", event
    assert await _snapshot(team) == before
    # Bert's tenant-wide lists never show Globex.
    queue = await bert.ok("queue.list")
    agents = await bert.ok("agents.list")
    assert globex_cid not in str(queue)
    assert "Gina" not in str(agents)
    # Acme traffic never reaches Globex's console or widget.
    await acme_visitor.ok(
        "message.send", {"conversation_id": acme_cid, "client_id": "a", "text": "acme only"}
    )
    await bert.wait("message.new", lambda d: d["message"]["text"] == "acme only")
    await gina.barrier()
    await globex_visitor.barrier()
    assert "acme only" not in str(gina.events[gina_seen:]) + str(globex_visitor.events)


BAD_VALUES: list[Any] = [
    {"$ne": None},
    {"$gt": ""},
    ["cnv_0123456789abcdef01234567"],
    {"a.b": 1},
    None,
    5,
    True,
]


@pytest.mark.parametrize("bad", BAD_VALUES, ids=["ne", "gt", "array", "dotted", "null", "int", "bool"])
async def test_operator_and_type_confusion_is_refused_everywhere(team: Team, bad: Any) -> None:
    bert = await team.agent("bert")
    visitor = await team.server.visitor()
    await visitor.ok("chat.start")
    cid = (await visitor.wait("chat.assigned"))["conversation_id"]
    before = await _snapshot(team)
    visitor_events = [
        ("message.send", {"conversation_id": cid, "client_id": "c1", "text": "t"}),
        ("messages.sync", {"conversation_id": cid, "after_seq": 0}),
        ("messages.read", {"conversation_id": cid, "seq": 1}),
        ("typing", {"conversation_id": cid, "typing": True}),
        ("chat.end", {"conversation_id": cid}),
        ("contact.submit", {"conversation_id": cid, "name": "Sam"}),
    ]
    agent_events = [
        ("chat.accept", {"conversation_id": cid}),
        ("chat.transfer", {"conversation_id": cid, "to_agent_id": team.carl.id}),
        ("chat.close", {"conversation_id": cid}),
        ("status.set", {"status": "online"}),
    ]
    for peer, events in ((visitor, visitor_events), (bert, agent_events)):
        for event, payload in events:
            for field, good in payload.items():
                if type(bad) is type(good) or _optional_null(event, field, bad):
                    continue  # a value of the right type is not a bad value for this field
                code = await peer.error(event, {**payload, field: bad})
                assert code == "VALIDATION_FAILED", (event, field, bad, code)
            assert await peer.error(event, {**payload, "$where": "1"}) == "VALIDATION_FAILED"
            assert await peer.error(event, {**payload, "x.y": 1}) == "VALIDATION_FAILED"
            assert await peer.error(event, [payload]) == "VALIDATION_FAILED"
    assert await _snapshot(team) == before


def _optional_null(event: str, field: str, bad: Any) -> bool:
    """Fields where null means "not given" (and is therefore fine)."""
    return bad is None and (event, field) in {
        ("contact.submit", "conversation_id"),
        ("contact.submit", "name"),
    }


async def test_unknown_events_and_garbage_do_not_hurt(team: Team) -> None:
    visitor: Peer = await team.server.visitor()
    assert await visitor.call("chat.start", "not an object") == {
        "ok": False,
        "error": {"code": "VALIDATION_FAILED", "message": "The payload must be a JSON object."},
    }
    await visitor.client.emit("no.such.event", {"x": 1}, namespace="/visitor")
    assert (await visitor.call("chat.current"))["ok"] is True
