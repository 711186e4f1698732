"""The login and new-visitor limits hold across two servers sharing Redis, and still work without it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import aiohttp
import pytest

from tests.redis_support import free_port
from tests.support import PASSWORD, FakeClock, LiveServer, Reply, start_server
from wschat.accounts.models import Role
from wschat.config import Secret, Settings

LOGIN = "/api/auth/login"
SESSION = "/api/widget/acme/session"
WRONG = {"tenant": "acme", "login": "anna", "password": "wrong password"}
RIGHT = {**WRONG, "password": PASSWORD}
NEW_VISITORS = 4


def _sharing(settings: Settings, redis_url: str) -> Settings:
    chat = replace(settings.chat, new_visitors_per_minute=NEW_VISITORS)
    return replace(settings, redis_url=Secret(redis_url), chat=chat)


async def _acme(server: LiveServer) -> None:
    tenant = await server.make_tenant("acme")
    await server.make_user(tenant, "anna", Role.ADMIN)


@pytest.fixture
def backend() -> str:
    """Two processes share one database: the MongoDB adapter (a SQLite file belongs to one process)."""
    return "mongodb"


@pytest.fixture
async def pair(
    settings: Settings, redis_url: str, clock: FakeClock, http: aiohttp.ClientSession
) -> AsyncIterator[tuple[LiveServer, LiveServer]]:
    """Two servers, as two processes behind a load balancer: one database, one Redis, one secret key."""
    shared = _sharing(settings, redis_url)
    async with start_server(shared, clock, http) as a, start_server(shared, clock, http) as b:
        await _acme(a)
        yield a, b
        await a.app.runtime.db.drop()


async def _login(server: LiveServer, body: dict[str, str]) -> Reply:
    return await server.request("POST", LOGIN, json=body)


async def _new_visitor(server: LiveServer) -> Reply:
    return await server.request("POST", SESSION, json={"token": None})


async def test_failed_logins_count_across_processes(
    pair: tuple[LiveServer, LiveServer], clock: FakeClock
) -> None:
    a, b = pair
    codes = [(await _login(a, WRONG)).code for _ in range(6)] + [
        (await _login(b, WRONG)).code for _ in range(6)
    ]
    assert codes == ["INVALID_CREDENTIALS"] * 10 + ["RATE_LIMITED"] * 2
    assert (await _login(a, RIGHT)).status == 429
    clock.advance(seconds=61)
    assert (await _login(a, RIGHT)).status == 200


async def test_failures_per_address_count_across_processes(pair: tuple[LiveServer, LiveServer]) -> None:
    a, b = pair
    for i in range(a.settings.auth.login_failures_per_address_per_minute):
        guess = {"tenant": "acme", "login": f"guess{i}", "password": "x"}
        assert (await _login((a, b)[i % 2], guess)).code == "INVALID_CREDENTIALS"
    for server in (a, b):
        limited = await _login(server, RIGHT)
        assert (limited.status, limited.code) == (429, "RATE_LIMITED")


async def test_new_visitors_count_across_processes(
    pair: tuple[LiveServer, LiveServer], clock: FakeClock
) -> None:
    a, b = pair
    statuses = [(await _new_visitor(server)).status for server in (a, b, a, b, a, b)]
    assert statuses == [201] * NEW_VISITORS + [429, 429]
    clock.advance(seconds=61)
    assert (await _new_visitor(b)).status == 201


async def test_logins_and_new_visitors_work_while_redis_is_down(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "wschat.limits.redis_counter")
    down = _sharing(settings, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    async with start_server(down, clock, http) as server:
        await _acme(server)
        try:
            assert (await _login(server, RIGHT)).status == 200
            assert (await _login(server, WRONG)).code == "INVALID_CREDENTIALS"
            assert [(await _new_visitor(server)).status for _ in range(NEW_VISITORS)] == [201] * NEW_VISITORS
            # One warning per limit, not one per request; no address, login or URL secret in it.
            warnings = [r.getMessage() for r in caplog.records if r.name == "wschat.limits.redis_counter"]
            assert len(warnings) == 4, warnings  # three login counts, one of new visitors
            assert all("Redis does not answer" in warning for warning in warnings)
            assert "anna" not in caplog.text
            # Meanwhile each process still counts on its own.
            assert (await _new_visitor(server)).status == 429
            for _ in range(9):
                assert (await _login(server, WRONG)).code == "INVALID_CREDENTIALS"
            assert (await _login(server, RIGHT)).status == 429
        finally:
            await server.app.runtime.db.drop()
