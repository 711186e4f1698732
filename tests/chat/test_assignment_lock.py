"""The assignment lock across processes: two AssignmentLocks, as two processes have, on one database.

Run on both adapters: the lease's rules are the store's."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.support import FakeClock, LiveServer
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
    assert await _free(server, clock, "assign:ten_1")  # both let go


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
    assert await leases.acquire("assign:ten_1", "alive", clock(), clock() + assignment_lock.TTL)
    await leases.release("assign:ten_1", "dead")  # the dead holder's late release takes nothing away
    assert not await _free(server, clock, "assign:ten_1")
    await leases.release("assign:ten_1", "alive")
    assert await _free(server, clock, "assign:ten_1")
    clock.advance(seconds=assignment_lock.TTL.total_seconds() + 1)
    await leases.acquire("assign:ten_1", "dead", clock(), clock() + assignment_lock.TTL)
    clock.advance(seconds=assignment_lock.TTL.total_seconds() + 1)
    await asyncio.wait_for(_enter(AssignmentLock(leases, clock), "ten_1"), 1)  # a lock takes it over too
    assert await _free(server, clock, "assign:ten_1")


async def test_a_process_that_hangs_holding_the_lease_delays_but_does_not_stop_assignments(
    server: LiveServer, clock: FakeClock, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assignment_lock, "PATIENCE_SECONDS", 0.2)
    leases = server.app.runtime.db.stores.leases
    assert await leases.acquire("assign:ten_1", "hung", clock(), clock() + assignment_lock.TTL)
    with caplog.at_level(logging.WARNING, logger="wschat.chat.assignment_lock"):
        await asyncio.wait_for(_enter(AssignmentLock(leases, clock), "ten_1"), 2)
    assert "held the assignment lease too long" in caplog.text
    # Not released by the one that decided without it: the hung process still holds it.
    assert not await _free(server, clock, "assign:ten_1")


async def _free(server: LiveServer, clock: FakeClock, name: str) -> bool:
    """Whether nobody holds the lease: a probe can take it (and lets go again)."""
    leases = server.app.runtime.db.stores.leases
    taken = await leases.acquire(name, "probe", clock(), clock() + assignment_lock.TTL)
    if taken:
        await leases.release(name, "probe")
    return taken


async def _enter(lock: AssignmentLock, tenant_id: str) -> None:
    async with lock.tenant(tenant_id):
        pass
