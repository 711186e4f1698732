"""The assignment lock across processes: two AssignmentLocks, as two processes have, on one database.

Run on both adapters: the lease's rules are the store's."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.support import FakeClock, LiveServer, stored
from wschat.chat import assignment_lock
from wschat.chat.assignment_lock import AssignmentLock

pytestmark = pytest.mark.both_backends


def _two_processes(server: LiveServer, clock: FakeClock) -> tuple[AssignmentLock, AssignmentLock]:
    leases = server.app.runtime.db.stores.leases
    return AssignmentLock(leases, clock), AssignmentLock(leases, clock)


async def test_the_second_process_waits_for_the_first(server: LiveServer, clock: FakeClock) -> None:
    first, second = _two_processes(server, clock)
    order: list[str] = []

    async def decide(lock: AssignmentLock, name: str, hold: float) -> None:
        async with lock.tenant("ten_1"):
            order.append(f"{name} in")
            await asyncio.sleep(hold)
            order.append(f"{name} out")

    one = asyncio.create_task(decide(first, "first", 0.2))
    await asyncio.sleep(0.05)  # the first holds the lease now
    await decide(second, "second", 0)
    await one
    assert order == ["first in", "first out", "second in", "second out"]
    assert await server.app.runtime.db.count("leases") == 0  # both let go


async def test_other_tenants_do_not_wait(server: LiveServer, clock: FakeClock) -> None:
    first, second = _two_processes(server, clock)
    async with first.tenant("ten_1"):
        await asyncio.wait_for(_enter(second, "ten_2"), 1)


async def test_a_lease_of_a_process_that_died_is_taken_over_when_its_time_is_up(
    server: LiveServer, clock: FakeClock
) -> None:
    leases = server.app.runtime.db.stores.leases
    assert await leases.acquire("assign:ten_1", "dead", clock(), clock() + assignment_lock.TTL)
    assert not await leases.acquire("assign:ten_1", "alive", clock(), clock() + assignment_lock.TTL)
    clock.advance(seconds=assignment_lock.TTL.total_seconds() + 1)
    lock = AssignmentLock(leases, clock)
    await asyncio.wait_for(_enter(lock, "ten_1"), 1)
    await leases.release("assign:ten_1", "dead")  # the dead holder's late release takes nothing away
    assert await server.app.runtime.db.count("leases") == 0


async def test_a_process_that_hangs_holding_the_lease_delays_but_does_not_stop_assignments(
    server: LiveServer, clock: FakeClock, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assignment_lock, "PATIENCE_SECONDS", 0.2)
    leases = server.app.runtime.db.stores.leases
    assert await leases.acquire("assign:ten_1", "hung", clock(), clock() + assignment_lock.TTL)
    with caplog.at_level(logging.WARNING, logger="wschat.chat.assignment_lock"):
        await asyncio.wait_for(_enter(AssignmentLock(leases, clock), "ten_1"), 2)
    assert "held the assignment lease too long" in caplog.text
    leases_stored = await stored(server.app.runtime.db, "leases", _id="assign:ten_1")
    assert [lease["holder"] for lease in leases_stored] == [
        "hung"
    ]  # not released by the one that decided without it


async def _enter(lock: AssignmentLock, tenant_id: str) -> None:
    async with lock.tenant(tenant_id):
        pass
