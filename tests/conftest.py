"""Shared fixtures: one in-memory FerretDB for the session, a fresh database and a live server per test,
and one Redis for the session, emptied for each test that uses it.

Set ``WSCHAT_TEST_MONGODB_URI`` to run the whole suite against another server (e.g. a real MongoDB).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import redis
from argon2 import Parameters, Type

from tests.redis_support import running_redis
from tests.support import FakeClock, LiveServer, start_server
from wschat.accounts import passwords
from wschat.config import MongoSettings, Secret, ServerSettings, Settings
from wschat.embedded import EmbeddedDatabase, find_binary

#: Real argon2id with a small cost, so that a suite that creates hundreds of users stays fast.
#: tests/accounts/test_passwords.py switches back to the production profile where cost matters.
FAST_ARGON2 = Parameters(
    type=Type.ID, version=19, salt_len=16, hash_len=32, time_cost=1, memory_cost=1024, parallelism=1
)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    previous = passwords.use_profile(FAST_ARGON2)
    yield
    passwords.use_profile(previous)


@pytest.fixture(scope="session")
def mongodb_uri() -> Iterator[str]:
    external = os.environ.get("WSCHAT_TEST_MONGODB_URI")
    if external:
        yield external
        return
    database = EmbeddedDatabase(find_binary(), data_dir=None)
    yield database.start()
    database.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    with running_redis() as url:
        yield url


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The session's Redis, empty: no rate-limit count or channel of an earlier test is left."""
    with redis.Redis.from_url(redis_server) as client:
        client.flushall()
    return redis_server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(mongodb_uri: str, tmp_path: Path) -> Settings:
    return Settings(
        secret_key=Secret(secrets.token_urlsafe(48)),
        data_dir=tmp_path / "data",
        server=ServerSettings(host="127.0.0.1", port=0, public_url="http://127.0.0.1:0"),
        mongo=MongoSettings(uri=Secret(mongodb_uri), database=f"test_{secrets.token_hex(6)}"),
    )


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        yield session


@pytest.fixture
async def server(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> AsyncIterator[LiveServer]:
    async with start_server(settings, clock, http) as live:
        yield live
        await live.app.runtime.db.drop()
