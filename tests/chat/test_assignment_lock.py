"""The assignment lock across processes: two AssignmentLocks, as two processes have, on one database.

Run on both adapters: the lease's rules are the store's."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from tests.support import FakeClock, LiveServer, wait_for
from wschat.chat import assignment_lock
from wschat.chat.assignment_lock import AssignmentLock

pytestmark = pytest.mark.both_backends


def _two_processes(server: LiveServer, clock: FakeClock) -> tuple[AssignmentLock, AssignmentLock]:
    leases = server.app.runtime.db.stores.leases
    return AssignmentLock(leases, clock), AssignmentLock(leases, clock)


async def test_the_second_process_waits_for_the_first(
    server: LiveServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _two_processes(server, clock)
    order: list[str] = []
    inside, release = asyncio.Event(), asyncio.Event()
    leases = server.app.runtime.db.stores.leases
    refused = 0
    acquire = leases.acquire

    async def counted(name: str, holder: str, now: Any, until: Any) -> bool:
        nonlocal refused
        taken = await acquire(name, holder, now, until)
        refused += not taken
        return taken

    monkeypatch.setattr(leases, "acquire", counted)

    async def first_decides() -> None:
        async with first.tenant("ten_1"):
            order.append("first in")
            inside.set()
            await release.wait()
            order.append("first out")

    async def second_decides() -> None:
        async with second.tenant("ten_1"):
            order.append("second in")

    one = asyncio.create_task(first_decides())
    await inside.wait()
    two = asyncio.create_task(second_decides())
    await wait_for(lambda: refused >= 3)  # the second has asked for the lease, and waits
    assert order == ["first in"]
    release.set()
    await asyncio.gather(one, two)
    assert order == ["first in", "first out", "second in"]
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


async def test_decisions_waiting_for_the_lock_are_made_together(server: LiveServer, clock: FakeClock) -> None:
    lock, _ = _two_processes(server, clock)
    rounds: list[list[int]] = []

    async def decide(items: list[int]) -> list[str]:
        rounds.append(items)
        return [f"outcome {item}" for item in items]

    release, held = await _hold(lock)
    waiting = [asyncio.create_task(lock.together("ten_1", n, decide)) for n in range(5)]
    await asyncio.sleep(0.05)
    assert rounds == []  # all of them wait for the lock
    release.set()
    assert await asyncio.gather(*waiting) == [f"outcome {n}" for n in range(5)]
    assert rounds == [[0, 1, 2, 3, 4]]  # one decision for all, in the order they came
    await held
    # Alone, a decision is its own round.
    assert await lock.together("ten_1", 7, decide) == "outcome 7"
    assert rounds[-1] == [7]


async def test_a_failed_decision_fails_every_caller_it_was_made_for(
    server: LiveServer, clock: FakeClock
) -> None:
    lock, _ = _two_processes(server, clock)

    async def decide(items: list[int]) -> list[str]:
        raise RuntimeError("the database went away")

    release, held = await _hold(lock)
    waiting = [asyncio.create_task(lock.together("ten_1", n, decide)) for n in range(3)]
    await asyncio.sleep(0.05)
    release.set()
    outcomes = await asyncio.gather(*waiting, return_exceptions=True)
    assert [type(o) for o in outcomes] == [RuntimeError] * 3
    await held
    # The lock and the lease are free again.
    async with asyncio.timeout(2), lock.tenant("ten_1"):
        pass


async def _hold(lock: AssignmentLock) -> tuple[asyncio.Event, asyncio.Task[None]]:
    """Take the tenant's lock in a task of its own until the event is set."""
    release = asyncio.Event()

    async def holder() -> None:
        async with lock.tenant("ten_1"):
            await release.wait()

    held = asyncio.create_task(holder())
    await asyncio.sleep(0)
    return release, held
