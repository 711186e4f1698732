"""Shared fixtures: a fresh database and a live server per test, and one Redis for the session, emptied
for each test that uses it.

The database is a SQLite file per test (the default adapter). Tests marked ``both_backends`` run once more
on the MongoDB adapter, against one in-memory FerretDB for the session (built by ``make test``). Set
``WSCHAT_TEST_BACKEND=mongodb`` to run every test on the MongoDB adapter, and ``WSCHAT_TEST_MONGODB_URI``
to use another server for it (e.g. a real MongoDB replica set).
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

from tests.mail.smtpd import SmtpServer
from tests.redis_support import running_redis
from tests.support import FakeClock, LiveServer, start_server
from wschat.accounts import passwords
from wschat.config import ChatSettings, DatabaseSettings, Secret, ServerSettings, Settings
from wschat.storage.mongo.ferretdb import EmbeddedDatabase, find_binary

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


BACKENDS = ("sqlite", "mongodb")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_backends: run the test on the SQLite and the MongoDB adapter")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_backends"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The storage adapter a test's server uses: ``sqlite`` unless parametrized or WSCHAT_TEST_BACKEND."""
    chosen: str = getattr(request, "param", None) or os.environ.get("WSCHAT_TEST_BACKEND", "sqlite")
    assert chosen in BACKENDS, f"WSCHAT_TEST_BACKEND must be one of {BACKENDS}"
    return chosen


@pytest.fixture(scope="session")
def mongodb_uri() -> Iterator[str]:
    external = os.environ.get("WSCHAT_TEST_MONGODB_URI")
    if external:
        yield external
        return
    database = EmbeddedDatabase(find_binary(), data_dir=None)
    yield database.start()
    database.stop()


@pytest.fixture
def ferretdb() -> Iterator[EmbeddedDatabase]:
    """A MongoDB-wire server of the test's own (FerretDB in memory), for a test that stops or kills it."""
    database = EmbeddedDatabase(find_binary(), data_dir=None)
    database.start()
    yield database
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


def database_settings(request: pytest.FixtureRequest, backend: str) -> DatabaseSettings:
    """SQLite in the data dir (url None), or a fresh database on the session's MongoDB server."""
    if backend == "sqlite":
        return DatabaseSettings()
    uri: str = request.getfixturevalue("mongodb_uri")
    return DatabaseSettings(url=Secret(uri), mongo_database=f"test_{secrets.token_hex(6)}")


@pytest.fixture
def settings(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Settings:
    return Settings(
        secret_key=Secret(secrets.token_urlsafe(48)),
        data_dir=tmp_path / "data",
        server=ServerSettings(host="127.0.0.1", port=0, public_url="http://127.0.0.1:0"),
        database=database_settings(request, backend),
        # Short, so tests that wait for a presence event wait less (its coalescing is tested by count).
        chat=ChatSettings(presence_debounce_ms=20),
        # WSCHAT_TEST_SOCKET_LAYER=standard runs the socket suites on python-engineio's WebSocket path.
        socket_layer=os.environ.get("WSCHAT_TEST_SOCKET_LAYER", "lean"),
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
        if live.app.runtime.db.kind == "mongodb":
            await live.app.runtime.db.drop()


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    """A running SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""
    server = SmtpServer()
    await server.start()
    yield server
    await server.stop()
