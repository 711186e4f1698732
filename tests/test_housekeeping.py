"""Housekeeping steps fail on their own: the others still run, a failing step backs off, and a step failing
for minutes makes the process not ready until it works again."""

from __future__ import annotations

import itertools
import logging
import sqlite3
from datetime import timedelta

import pytest

from tests.support import FakeClock, LiveServer, wait_for
from wschat import housekeeping
from wschat.accounts.models import Role
from wschat.housekeeping import Steps


class Broken:
    """A step that fails until it is mended, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.mended = False

    async def __call__(self) -> list[object]:
        self.calls += 1
        if not self.mended:
            raise sqlite3.OperationalError("database is locked")
        return []


async def test_a_failing_step_backs_off_doubling_up_to_five_minutes(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    steps, step = Steps(clock), Broken()
    tried_at = []
    with caplog.at_level(logging.INFO, logger="wschat.housekeeping"):
        for _ in range(1300):  # a pass every second for about 20 minutes
            calls = step.calls
            assert await steps.run("sweep", step) is False
            if step.calls > calls:
                tried_at.append(clock())
            clock.advance(seconds=1)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(tried_at)]
    assert gaps == [5, 10, 20, 40, 80, 160, 300, 300, 300]
    assert timedelta(minutes=5) == housekeeping.MAX_BACKOFF
    # The traceback once; afterwards one line per failure, naming the error's kind.
    records = [r for r in caplog.records if r.name == "wschat.housekeeping"]
    assert len(records) == len(tried_at)
    assert [r.exc_info is not None for r in records] == [True] + [False] * (len(records) - 1)
    assert "trying again in 5 s" in records[0].getMessage()
    assert all("OperationalError" in r.getMessage() for r in records[1:])


async def test_a_step_is_unhealthy_after_two_minutes_and_healthy_once_it_works(clock: FakeClock) -> None:
    steps, step = Steps(clock), Broken()
    await steps.run("sweep", step)
    clock.advance(seconds=119)
    assert steps.unhealthy() == []
    clock.advance(seconds=1)
    assert [f.step for f in steps.unhealthy()] == ["sweep"]
    step.mended = True
    assert await steps.run("sweep", step) is True
    assert steps.unhealthy() == []


@pytest.fixture
async def acme(server: LiveServer) -> LiveServer:
    tenant = await server.make_tenant("acme")
    await server.make_user(tenant, "bert", Role.AGENT)
    await server.make_user(tenant, "anna", Role.ADMIN)
    return server


async def test_one_failing_janitor_step_does_not_stop_the_others(
    acme: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agents-gone step fails (a locked database, say); the socket re-check after it still closes the
    socket of an agent whose password was changed from elsewhere, and /readyz tells after two minutes."""
    s = acme
    runtime = s.app.runtime
    broken = Broken()
    monkeypatch.setattr(runtime.presence, "agents_gone", broken)
    bert = await s.agent(await s.login("acme", "bert"))
    tenant = await s.accounts.tenant("acme")
    bert_id = (await s.accounts.users.by_login(tenant.id, "bert")).id  # type: ignore[union-attr]
    await s.accounts.users.update(tenant.id, bert_id, {"password_version": "set-by-the-cli"})

    await runtime.janitor.run_once()

    assert broken.calls == 1
    await wait_for(lambda: not bert.client.connected)
    assert (await s.request("GET", "/readyz")).status == 200  # failing, but not for minutes yet

    s.clock.advance(minutes=3)
    await runtime.janitor.run_once()
    ready = await s.request("GET", "/readyz")
    assert ready.status == 503
    assert ready.body["status"] == "not_ready"
    assert [f["step"] for f in ready.body["failing"]] == ["agents gone offline"]
    assert ready.body["failing"][0]["failures"] == 2

    broken.mended = True
    s.clock.advance(minutes=5)
    await runtime.janitor.run_once()
    assert broken.calls == 3
    assert (await s.request("GET", "/readyz")).body == {"status": "ready"}
