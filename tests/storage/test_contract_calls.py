"""Store contract: calls and their claimed transitions, and a tenant's raw video settings
(``wschat/signalling/store.py``), on both adapters."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from tests.storage.builders import at, new_call
from tests.storage.conftest import TwoTenants
from wschat.signalling.models import Call, CallStatus, EndReason, Participation, Side
from wschat.signalling.store import Superseded
from wschat.storage import Stores

RINGING, ACTIVE, ENDED = CallStatus.RINGING, CallStatus.ACTIVE, CallStatus.ENDED


def _answered(call: Call, visitor_sid: str, now: float = 5) -> Call:
    joined = Participation(Side.VISITOR, call.visitor_id, "Visitor", visitor_sid, at(now))
    return replace(call, status=ACTIVE, started_at=at(now), participants=(*call.participants, joined))


def _ended(call: Call, now: float = 60) -> Call:
    left = tuple(p if p.left_at else replace(p, left_at=at(now)) for p in call.participants)
    return replace(
        call,
        status=ENDED,
        ended_at=at(now),
        end_reason=EndReason.HANGUP,
        ended_by=Side.AGENT,
        participants=left,
    )


async def _stored(stores: Stores, call: Call) -> Call:
    assert await stores.calls.insert(call) is True
    return call


async def _end(stores: Stores, call: Call, now: float = 60) -> Call:
    return await stores.calls.transition(call, _ended(call, now), at(now))


async def test_calls_insert_round_trips_every_field(stores: Stores, two: TwoTenants) -> None:
    call = new_call(two.a, "cnv_1", agent_id="usr_1", sid="sid_a", room="room-42")
    await _stored(stores, call)

    assert await stores.calls.get(two.a.id, call.id) == call
    assert await stores.calls.get(two.a.id, "cal_000000000000000000000000") is None


async def test_calls_one_open_per_conversation(stores: Stores, two: TwoTenants) -> None:
    first = await _stored(stores, new_call(two.a, "cnv_1", agent_id="usr_1", sid="sid_a"))

    assert await stores.calls.insert(new_call(two.a, "cnv_1", agent_id="usr_1", created=1)) is False
    assert await stores.calls.insert(new_call(two.a, "cnv_2", agent_id="usr_1")) is True
    assert await stores.calls.insert(new_call(two.b, "cnv_1", agent_id="usr_9")) is True
    assert await stores.calls.open_of_conversation(two.a.id, "cnv_1") == first

    await _end(stores, first)
    assert await stores.calls.open_of_conversation(two.a.id, "cnv_1") is None
    second = new_call(two.a, "cnv_1", agent_id="usr_1", created=100)
    assert await stores.calls.insert(second) is True
    assert await stores.calls.open_of_conversation(two.a.id, "cnv_1") == second


async def test_calls_of_one_tenant_are_invisible_to_another(stores: Stores, two: TwoTenants) -> None:
    call = await _stored(stores, new_call(two.a, "cnv_1", agent_id="usr_1", sid="sid_a"))

    assert await stores.calls.get(two.b.id, call.id) is None
    assert await stores.calls.open_of_conversation(two.b.id, "cnv_1") is None
    assert await stores.calls.of_conversation(two.b.id, "cnv_1") == []
    assert await stores.calls.open_with_agent(two.b.id, "usr_1") == []
    assert await stores.calls.get(two.a.id, call.id) == call


async def test_calls_transition_stores_the_changed_call(stores: Stores, two: TwoTenants) -> None:
    call = await _stored(stores, new_call(two.a, "cnv_1", agent_id="usr_1", sid="sid_a"))

    answered = await stores.calls.transition(call, _answered(call, "sid_v"), at(5))
    assert answered == replace(_answered(call, "sid_v"), epoch=1)
    assert await stores.calls.get(two.a.id, call.id) == answered

    ended = await _end(stores, answered)
    assert ended == replace(_ended(answered), epoch=2)
    assert await stores.calls.get(two.a.id, call.id) == ended
    assert ended.duration == 55


async def test_calls_transition_from_a_stale_epoch_is_superseded(stores: Stores, two: TwoTenants) -> None:
    call = await _stored(stores, new_call(two.a, "cnv_1", agent_id="usr_1", sid="sid_a"))
    answered = await stores.calls.transition(call, _answered(call, "sid_v"), at(5))

    with pytest.raises(Superseded):
        await _end(stores, call)

    assert await stores.calls.get(two.a.id, call.id) == answered


async def test_calls_two_transitions_at_once_one_wins(stores: Stores, two: TwoTenants) -> None:
    call = await _stored(stores, new_call(two.a, "cnv_1", agent_id="usr_1", sid="sid_a"))

    results = await asyncio.gather(
        stores.calls.transition(call, _answered(call, "sid_v"), at(5)),
        _end(stores, call, 6),
        return_exceptions=True,
    )

    winners = [r for r in results if isinstance(r, Call)]
    assert len(winners) == 1, results
    assert all(isinstance(r, Superseded) for r in results if not isinstance(r, Call)), results
    assert await stores.calls.get(two.a.id, call.id) == winners[0]
    assert winners[0].epoch == 1


async def test_calls_on_socket_finds_open_calls_with_that_socket_present(
    stores: Stores, two: TwoTenants
) -> None:
    call_a = await _stored(stores, new_call(two.a, "cnv_1", agent_id="usr_1", sid="sid_agent"))
    call_a = await stores.calls.transition(call_a, _answered(call_a, "sid_v1"), at(5))
    call_b = await _stored(stores, new_call(two.b, "cnv_2", agent_id="usr_2", sid="sid_b"))
    await _end(stores, await _stored(stores, new_call(two.a, "cnv_3", agent_id="usr_1", sid="sid_gone")))

    assert await stores.calls.on_socket("sid_agent") == [call_a]
    assert await stores.calls.on_socket("sid_v1") == [call_a]
    assert await stores.calls.on_socket("sid_b") == [call_b]  # any tenant
    assert await stores.calls.on_socket("sid_gone") == []  # only in an ended call
    assert await stores.calls.on_socket("sid_nobody") == []

    # The visitor left the call (the participation stays, with left_at): no longer on that socket.
    left = replace(
        call_a,
        participants=tuple(
            p if p.sid != "sid_v1" else replace(p, left_at=at(9)) for p in call_a.participants
        ),
    )
    call_a = await stores.calls.transition(call_a, left, at(9))
    assert await stores.calls.on_socket("sid_v1") == []
    assert await stores.calls.on_socket("sid_agent") == [call_a]


async def test_calls_with_dead_sockets(stores: Stores, two: TwoTenants) -> None:
    await stores.presence.add_socket("sid_live", two.a.id, "usr_1", "agent", "node_1", at(0))
    await stores.presence.add_socket("sid_live2", two.b.id, "usr_2", "agent", "node_1", at(0))
    half_dead = await _stored(stores, new_call(two.a, "cnv_1", agent_id="usr_1", sid="sid_live"))
    half_dead = await stores.calls.transition(half_dead, _answered(half_dead, "sid_dead"), at(5))
    healthy = await _stored(stores, new_call(two.b, "cnv_2", agent_id="usr_2", sid="sid_live2"))
    await _end(stores, await _stored(stores, new_call(two.a, "cnv_3", agent_id="usr_1", sid="sid_dead2")))
    await _stored(stores, new_call(two.a, "cnv_4", agent_id="usr_1"))  # nobody present yet

    assert await stores.calls.with_dead_sockets() == [(half_dead, ["sid_dead"])]

    await stores.presence.remove_socket("sid_live2")
    found = sorted(await stores.calls.with_dead_sockets(), key=lambda pair: pair[0].id)
    assert found == sorted([(half_dead, ["sid_dead"]), (healthy, ["sid_live2"])], key=lambda pair: pair[0].id)


async def test_calls_unanswered_across_tenants(stores: Stores, two: TwoTenants) -> None:
    expired_a = await _stored(stores, new_call(two.a, "cnv_1", agent_id="usr_1", sid="s1", expires=30))
    expired_b = await _stored(stores, new_call(two.b, "cnv_2", agent_id="usr_2", sid="s2", expires=40))
    await _stored(stores, new_call(two.a, "cnv_3", agent_id="usr_1", sid="s3", expires=300))
    answered = await _stored(stores, new_call(two.a, "cnv_4", agent_id="usr_1", sid="s4", expires=30))
    await stores.calls.transition(answered, _answered(answered, "s5"), at(5))
    ended = await _stored(stores, new_call(two.a, "cnv_5", agent_id="usr_1", sid="s6", expires=30))
    await _end(stores, ended, 10)

    found = await stores.calls.unanswered(at(100))

    assert sorted(found, key=lambda c: c.id) == sorted([expired_a, expired_b], key=lambda c: c.id)
    assert await stores.calls.unanswered(at(10)) == []


async def test_calls_of_conversation_oldest_first(stores: Stores, two: TwoTenants) -> None:
    made = []
    for n in (2, 0, 1):
        call = await _stored(stores, new_call(two.a, "cnv_1", agent_id="usr_1", sid="s", created=n * 100))
        made.append(await _end(stores, call, n * 100 + 50))
    current = await _stored(stores, new_call(two.a, "cnv_1", agent_id="usr_1", created=400))
    await _stored(stores, new_call(two.a, "cnv_2", agent_id="usr_1", created=-100))

    listed = await stores.calls.of_conversation(two.a.id, "cnv_1")

    assert listed == [*sorted(made, key=lambda c: c.created_at), current]


async def test_calls_open_with_agent(stores: Stores, two: TwoTenants) -> None:
    ringing = await _stored(stores, new_call(two.a, "cnv_1", agent_id="usr_1", sid="s1"))
    active = await _stored(stores, new_call(two.a, "cnv_2", agent_id="usr_1", sid="s2"))
    active = await stores.calls.transition(active, _answered(active, "s3"), at(5))
    await _end(stores, await _stored(stores, new_call(two.a, "cnv_3", agent_id="usr_1", sid="s4")))
    await _stored(stores, new_call(two.a, "cnv_4", agent_id="usr_2", sid="s5"))
    await _stored(stores, new_call(two.b, "cnv_5", agent_id="usr_1", sid="s6"))

    found = await stores.calls.open_with_agent(two.a.id, "usr_1")

    assert sorted(found, key=lambda c: c.id) == sorted([ringing, active], key=lambda c: c.id)


# -- video settings ------------------------------------------------------------------------------------------


async def test_video_of_a_new_or_unknown_tenant_is_empty(stores: Stores, two: TwoTenants) -> None:
    assert await stores.video.get(two.a.id) == {}
    assert await stores.video.get("ten_000000000000000000000000") == {}


async def test_video_update_with_dotted_keys_keeps_siblings(stores: Stores, two: TwoTenants) -> None:
    first = await stores.video.update(
        two.a.id,
        {
            "stun_urls": ["stun:stun.acme.example:3478"],
            "jitsi.domain": "meet.acme.example",
            "turn_ttl_seconds": 600,
        },
    )
    assert first == {
        "stun_urls": ["stun:stun.acme.example:3478"],
        "jitsi": {"domain": "meet.acme.example"},
        "turn_ttl_seconds": 600,
    }

    second = await stores.video.update(
        two.a.id,
        {
            "jitsi.app_id": "acme",
            "jitsi.secret": {"sealed": 1, "nonce": "bm9uY2U=", "data": "ZGF0YQ=="},
            "allow_visitor_calls": True,
        },
    )
    expected = {
        "stun_urls": ["stun:stun.acme.example:3478"],
        "jitsi": {
            "domain": "meet.acme.example",
            "app_id": "acme",
            "secret": {"sealed": 1, "nonce": "bm9uY2U=", "data": "ZGF0YQ=="},
        },
        "turn_ttl_seconds": 600,
        "allow_visitor_calls": True,
    }
    assert second == expected
    assert await stores.video.get(two.a.id) == expected
    assert await stores.video.get(two.b.id) == {}


async def test_video_update_of_an_unknown_tenant_is_none(stores: Stores, two: TwoTenants) -> None:
    assert await stores.video.update("ten_000000000000000000000000", {"jitsi.domain": "x.example"}) is None
    assert await stores.video.get("ten_000000000000000000000000") == {}


async def test_video_and_tenant_updates_leave_each_other_alone(stores: Stores, two: TwoTenants) -> None:
    await stores.video.update(two.a.id, {"jitsi.domain": "meet.acme.example"})

    renamed = await stores.tenants.update(two.a.id, {"name": "Acme AG", "branding.accent_color": "#010203"})
    await stores.video.update(two.a.id, {"turn_urls": ["turn:turn.acme.example"]})

    assert renamed == replace(two.a, name="Acme AG", branding={"accent_color": "#010203"})
    assert await stores.tenants.by_id(two.a.id) == renamed
    assert await stores.video.get(two.a.id) == {
        "jitsi": {"domain": "meet.acme.example"},
        "turn_urls": ["turn:turn.acme.example"],
    }
