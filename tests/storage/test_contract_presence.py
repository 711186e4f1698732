"""Store contract: agent presence, sockets and nodes (``wschat/chat/presence_store.py``) and leases
(``wschat/chat/lease_store.py``), on both adapters."""

from __future__ import annotations

import asyncio

from tests.storage.builders import at
from tests.storage.conftest import TwoTenants
from wschat.chat.models import AgentStatus
from wschat.chat.presence_store import Presence
from wschat.storage import Stores

#: How often a race is run: one that only luck settles would pass a single run now and then.
RACE_ROUNDS = 50

# -- agent status --------------------------------------------------------------------------------------------


async def test_presence_update_creates_then_changes_the_record(stores: Stores, two: TwoTenants) -> None:
    assert await stores.presence.get(two.a.id, "usr_1") is None

    created = await stores.presence.update(two.a.id, "usr_1", {"status": "online", "changed_at": at(1)})
    assert created == Presence("usr_1", two.a.id, AgentStatus.ONLINE, at(1))
    assert await stores.presence.get(two.a.id, "usr_1") == created

    gone = await stores.presence.update(two.a.id, "usr_1", {"disconnected_at": at(5)})
    assert gone == Presence("usr_1", two.a.id, AgentStatus.ONLINE, at(1), disconnected_at=at(5))

    back = await stores.presence.update(
        two.a.id, "usr_1", {"disconnected_at": None, "last_assigned_at": at(9), "status": "away"}
    )
    assert back == Presence("usr_1", two.a.id, AgentStatus.AWAY, at(1), None, at(9))
    assert await stores.presence.get(two.a.id, "usr_1") == back


async def test_presence_first_update_without_a_status_is_offline(stores: Stores, two: TwoTenants) -> None:
    created = await stores.presence.update(two.a.id, "usr_1", {"last_assigned_at": at(3)})

    assert created == Presence("usr_1", two.a.id, AgentStatus.OFFLINE, None, last_assigned_at=at(3))


async def test_presence_of_tenant(stores: Stores, two: TwoTenants) -> None:
    await stores.presence.update(two.a.id, "usr_1", {"status": "online", "changed_at": at(1)})
    await stores.presence.update(two.a.id, "usr_2", {"status": "away", "changed_at": at(2)})
    await stores.presence.update(two.b.id, "usr_3", {"status": "online", "changed_at": at(3)})

    listed = await stores.presence.of_tenant(two.a.id)

    assert sorted(listed, key=lambda p: p.user_id) == [
        Presence("usr_1", two.a.id, AgentStatus.ONLINE, at(1)),
        Presence("usr_2", two.a.id, AgentStatus.AWAY, at(2)),
    ]
    assert await stores.presence.get(two.b.id, "usr_1") is None
    assert [p.user_id for p in await stores.presence.of_tenant(two.b.id)] == ["usr_3"]


async def test_presence_online_disconnected_before(stores: Stores, two: TwoTenants) -> None:
    await stores.presence.update(two.a.id, "usr_old", {"status": "online", "disconnected_at": at(10)})
    await stores.presence.update(two.b.id, "usr_away", {"status": "away", "disconnected_at": at(20)})
    await stores.presence.update(two.a.id, "usr_new", {"status": "online", "disconnected_at": at(100)})
    await stores.presence.update(two.a.id, "usr_off", {"status": "offline", "disconnected_at": at(5)})
    await stores.presence.update(two.a.id, "usr_here", {"status": "online", "disconnected_at": None})

    found = await stores.presence.online_disconnected_before(at(50))

    assert sorted(found, key=lambda p: p.user_id) == [
        Presence("usr_away", two.b.id, AgentStatus.AWAY, None, disconnected_at=at(20)),
        Presence("usr_old", two.a.id, AgentStatus.ONLINE, None, disconnected_at=at(10)),
    ]


# -- sockets -------------------------------------------------------------------------------------------------


async def test_sockets_remove_returns_the_record(stores: Stores, two: TwoTenants) -> None:
    await stores.presence.add_socket(
        "sid_1", two.a.id, "usr_1", "agent", "node_1", at(1), password_version="pwv_1", session_id="ses_1"
    )
    await stores.presence.add_socket("sid_2", two.a.id, "vis_1", "visitor", "node_1", at(2))

    assert await stores.presence.remove_socket("sid_1") == {
        "_id": "sid_1",
        "tenant_id": two.a.id,
        "owner_id": "usr_1",
        "kind": "agent",
        "password_version": "pwv_1",
        "session_id": "ses_1",
        "node_id": "node_1",
        "at": at(1),
    }
    assert await stores.presence.remove_socket("sid_1") is None
    assert await stores.presence.remove_socket("sid_unknown") is None
    removed = await stores.presence.remove_socket("sid_2")
    assert removed is not None
    assert (removed["owner_id"], removed["password_version"], removed["session_id"]) == ("vis_1", None, None)


async def test_sockets_count_per_owner_and_tenant(stores: Stores, two: TwoTenants) -> None:
    for n in range(3):
        await stores.presence.add_socket(f"sid_{n}", two.a.id, "usr_1", "agent", "node_1", at(n))
    await stores.presence.add_socket("sid_x", two.a.id, "usr_2", "agent", "node_1", at(0))

    assert await stores.presence.socket_count(two.a.id, "usr_1") == 3
    assert await stores.presence.socket_count(two.b.id, "usr_1") == 0
    await stores.presence.remove_socket("sid_1")
    assert await stores.presence.socket_count(two.a.id, "usr_1") == 2
    assert await stores.presence.socket_count(two.a.id, "usr_nobody") == 0


async def test_sockets_of_an_owner_by_kind_and_session(stores: Stores, two: TwoTenants) -> None:
    await stores.presence.add_socket("sid_1", two.a.id, "usr_1", "agent", "node_1", at(1), session_id="ses_a")
    await stores.presence.add_socket("sid_2", two.a.id, "usr_1", "agent", "node_2", at(2), session_id="ses_a")
    await stores.presence.add_socket("sid_3", two.a.id, "usr_1", "agent", "node_1", at(3), session_id="ses_b")
    await stores.presence.add_socket("sid_4", two.a.id, "usr_2", "agent", "node_1", at(4), session_id="ses_a")
    await stores.presence.add_socket("sid_5", two.a.id, "vis_1", "visitor", "node_1", at(5))

    assert sorted(await stores.presence.sockets_of("usr_1", "agent")) == ["sid_1", "sid_2", "sid_3"]
    assert sorted(await stores.presence.sockets_of("usr_1", "agent", session_id="ses_a")) == [
        "sid_1",
        "sid_2",
    ]
    assert await stores.presence.sockets_of("usr_1", "agent", session_id="ses_b") == ["sid_3"]
    assert await stores.presence.sockets_of("usr_1", "agent", session_id="ses_none") == []
    assert await stores.presence.sockets_of("usr_1", "visitor") == []
    assert await stores.presence.sockets_of("vis_1", "visitor") == ["sid_5"]


async def test_sockets_connected_owners_per_tenant_and_kind(stores: Stores, two: TwoTenants) -> None:
    await stores.presence.add_socket("sid_1", two.a.id, "usr_1", "agent", "node_1", at(1))
    await stores.presence.add_socket("sid_2", two.a.id, "usr_1", "agent", "node_2", at(2))
    await stores.presence.add_socket("sid_3", two.a.id, "usr_2", "agent", "node_1", at(3))
    await stores.presence.add_socket("sid_4", two.a.id, "vis_1", "visitor", "node_1", at(4))
    await stores.presence.add_socket("sid_5", two.b.id, "usr_9", "agent", "node_1", at(5))

    assert await stores.presence.connected_owners(two.a.id, "agent") == {"usr_1", "usr_2"}
    assert await stores.presence.connected_owners(two.a.id, "visitor") == {"vis_1"}
    assert await stores.presence.connected_owners(two.b.id, "agent") == {"usr_9"}
    await stores.presence.remove_socket("sid_3")
    assert await stores.presence.connected_owners(two.a.id, "agent") == {"usr_1"}


async def test_sockets_live_sockets(stores: Stores, two: TwoTenants) -> None:
    await stores.presence.add_socket("sid_1", two.a.id, "usr_1", "agent", "node_1", at(1))
    await stores.presence.add_socket("sid_2", two.b.id, "usr_2", "agent", "node_1", at(2))

    assert await stores.presence.live_sockets(["sid_1", "sid_2", "sid_3"]) == {"sid_1", "sid_2"}
    assert await stores.presence.live_sockets([]) == set()
    await stores.presence.remove_socket("sid_1")
    assert await stores.presence.live_sockets(["sid_1", "sid_2"]) == {"sid_2"}


async def test_sockets_of_node_by_kind(stores: Stores, two: TwoTenants) -> None:
    await stores.presence.add_socket("sid_1", two.a.id, "usr_1", "agent", "node_1", at(1))
    await stores.presence.add_socket("sid_2", two.b.id, "vis_1", "visitor", "node_1", at(2))
    await stores.presence.add_socket("sid_3", two.a.id, "usr_2", "agent", "node_2", at(3))

    assert sorted(d["_id"] for d in await stores.presence.sockets_of_node("node_1")) == ["sid_1", "sid_2"]
    agents = await stores.presence.sockets_of_node("node_1", "agent")
    assert [(d["_id"], d["owner_id"], d["kind"], d["tenant_id"]) for d in agents] == [
        ("sid_1", "usr_1", "agent", two.a.id)
    ]
    assert await stores.presence.sockets_of_node("node_9") == []


async def test_sockets_announced_per_tenant(stores: Stores, two: TwoTenants) -> None:
    assert await stores.presence.announced(two.a.id) is None

    await stores.presence.set_announced(two.a.id, True)
    assert await stores.presence.announced(two.a.id) is True
    assert await stores.presence.announced(two.b.id) is None
    await stores.presence.set_announced(two.a.id, False)
    assert await stores.presence.announced(two.a.id) is False


# -- nodes ---------------------------------------------------------------------------------------------------


async def test_nodes_heartbeat_and_dead_nodes(stores: Stores) -> None:
    await stores.presence.heartbeat("node_1", at(0))
    await stores.presence.heartbeat("node_2", at(60))

    assert await stores.presence.dead_nodes(at(30)) == ["node_1"]
    assert sorted(await stores.presence.dead_nodes(at(120))) == ["node_1", "node_2"]
    await stores.presence.heartbeat("node_1", at(90))
    assert await stores.presence.dead_nodes(at(30)) == []
    assert await stores.presence.dead_nodes(at(75)) == ["node_2"]


async def test_nodes_heartbeat_says_whether_the_node_was_still_known(stores: Stores) -> None:
    assert await stores.presence.heartbeat("node_1", at(0)) is False  # the first beat
    assert await stores.presence.heartbeat("node_1", at(5)) is True
    await stores.presence.forget_node("node_1")  # another process took it for dead
    assert await stores.presence.heartbeat("node_1", at(10)) is False
    assert await stores.presence.dead_nodes(at(8)) == []


async def test_nodes_forget_node_returns_and_removes_its_sockets(stores: Stores, two: TwoTenants) -> None:
    await stores.presence.heartbeat("node_1", at(0))
    await stores.presence.heartbeat("node_2", at(0))
    await stores.presence.add_socket("sid_1", two.a.id, "usr_1", "agent", "node_1", at(1), session_id="ses_1")
    await stores.presence.add_socket("sid_2", two.b.id, "vis_1", "visitor", "node_1", at(2))
    await stores.presence.add_socket("sid_3", two.a.id, "usr_1", "agent", "node_2", at(3))

    forgotten = await stores.presence.forget_node("node_1")

    assert sorted(forgotten, key=lambda d: d["_id"]) == [
        {
            "_id": "sid_1",
            "tenant_id": two.a.id,
            "owner_id": "usr_1",
            "kind": "agent",
            "password_version": None,
            "session_id": "ses_1",
            "node_id": "node_1",
            "at": at(1),
        },
        {
            "_id": "sid_2",
            "tenant_id": two.b.id,
            "owner_id": "vis_1",
            "kind": "visitor",
            "password_version": None,
            "session_id": None,
            "node_id": "node_1",
            "at": at(2),
        },
    ]
    assert await stores.presence.live_sockets(["sid_1", "sid_2", "sid_3"]) == {"sid_3"}
    assert await stores.presence.socket_count(two.a.id, "usr_1") == 1
    assert await stores.presence.dead_nodes(at(10)) == ["node_2"]
    assert await stores.presence.forget_node("node_1") == []


# -- leases --------------------------------------------------------------------------------------------------


async def test_leases_one_holder_at_a_time(stores: Stores) -> None:
    assert await stores.leases.acquire("assign:ten_1", "node_1", at(0), at(10)) is True
    assert await stores.leases.acquire("assign:ten_1", "node_2", at(1), at(11)) is False
    assert await stores.leases.acquire("assign:ten_2", "node_2", at(1), at(11)) is True


async def test_leases_two_holders_at_once_one_wins(stores: Stores) -> None:
    for round_ in range(RACE_ROUNDS):
        results = await asyncio.gather(
            *(stores.leases.acquire(f"assign:ten_{round_}", f"node_{n}", at(0), at(10)) for n in range(3))
        )

        assert results.count(True) == 1, f"round {round_}: {results}"


async def test_leases_expired_lease_is_taken_over(stores: Stores) -> None:
    assert await stores.leases.acquire("assign:ten_1", "node_1", at(0), at(10))

    assert await stores.leases.acquire("assign:ten_1", "node_2", at(20), at(30)) is True
    # The new holder's time counts now: node_1 cannot take it back before at(30).
    assert await stores.leases.acquire("assign:ten_1", "node_1", at(25), at(35)) is False


async def test_leases_expired_lease_taken_over_by_one_of_many(stores: Stores) -> None:
    for round_ in range(RACE_ROUNDS):
        name = f"assign:ten_{round_}"
        assert await stores.leases.acquire(name, "node_dead", at(0), at(10))

        results = await asyncio.gather(
            *(stores.leases.acquire(name, f"node_{n}", at(20), at(30)) for n in range(3))
        )

        assert results.count(True) == 1, f"round {round_}: {results}"


async def test_leases_release_by_the_holder_frees_it(stores: Stores) -> None:
    assert await stores.leases.acquire("assign:ten_1", "node_1", at(0), at(10))

    await stores.leases.release("assign:ten_1", "node_1")

    assert await stores.leases.acquire("assign:ten_1", "node_2", at(1), at(11)) is True


async def test_leases_release_by_a_non_holder_keeps_it(stores: Stores) -> None:
    assert await stores.leases.acquire("assign:ten_1", "node_1", at(0), at(10))
    assert await stores.leases.acquire("assign:ten_1", "node_2", at(20), at(30))  # taken over

    await stores.leases.release("assign:ten_1", "node_1")  # the old holder lets go late

    assert await stores.leases.acquire("assign:ten_1", "node_3", at(21), at(31)) is False
    await stores.leases.release("assign:ten_1", "node_2")
    assert await stores.leases.acquire("assign:ten_1", "node_3", at(22), at(32)) is True


async def test_leases_late_release_racing_a_takeover_keeps_the_new_holder(stores: Stores) -> None:
    """The old holder lets go just as another takes the expired lease over: the release never removes the new
    holder's lease. Repeated, since a race that only luck settles shows only sometimes."""
    for round_ in range(RACE_ROUNDS):
        name = f"assign:ten_{round_}"
        assert await stores.leases.acquire(name, "node_old", at(0), at(10))

        _, taken = await asyncio.gather(
            stores.leases.release(name, "node_old"), stores.leases.acquire(name, "node_new", at(20), at(30))
        )

        # node_new has it, or (had its attempt fallen between the release's steps) nobody does; never both
        # node_new and a third, which is what a release that removed the new holder's lease would allow.
        third = await stores.leases.acquire(name, "node_third", at(21), at(31))
        assert [taken, third].count(True) == 1, f"round {round_}: node_new {taken}, node_third {third}"
