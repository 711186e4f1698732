from __future__ import annotations

import os
import signal
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
import uvicorn

from tests.support import FakeClock, LiveServer, start_server, wait_for
from wschat.config import DatabaseSettings, Secret, Settings
from wschat.storage import StorageError
from wschat.storage.mongo.ferretdb import EmbeddedDatabase
from wschat.storage.sqlite.database import take_lock


async def test_healthz_answers(server: LiveServer) -> None:
    reply = await server.request("GET", "/healthz")
    assert (reply.status, reply.body) == (200, {"status": "ok"})


async def test_readyz_pings_the_database(server: LiveServer) -> None:
    reply = await server.request("GET", "/readyz")
    assert (reply.status, reply.body) == (200, {"status": "ready"})


async def test_unexpected_errors_are_json_without_internals(server: LiveServer) -> None:
    @server.app.quart.get("/api/test-explodes")
    async def explode() -> None:
        raise RuntimeError("secret internal detail /etc/passwd")

    reply = await server.request("GET", "/api/test-explodes")
    assert reply.status == 500
    assert reply.body == {"error": {"code": "INTERNAL", "message": "Something went wrong on our side."}}


async def test_responses_carry_security_headers(server: LiveServer) -> None:
    reply = await server.request("GET", "/api/me")
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Cache-Control"] == "no-store"


async def test_the_app_opens_its_sqlite_file_and_holds_its_lock_while_it_serves(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    path = settings.data_dir / "wschat.db"
    async with start_server(settings, clock, http) as live:
        assert live.app.runtime.db.kind == "sqlite"
        await live.make_tenant("acme")
        assert path.exists()
        with pytest.raises(StorageError, match="another wsChat server"):
            take_lock(path)
    take_lock(path).close()  # let go when the app stopped


async def test_database_outage_gives_unavailable_and_the_server_stays_up(
    settings: Settings, ferretdb: EmbeddedDatabase, clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    """On the MongoDB adapter, against a server that hangs (stopped with SIGSTOP): no answer, no error."""
    assert ferretdb.pid is not None
    settings = replace(settings, database=DatabaseSettings(url=Secret(ferretdb.uri), mongo_database="outage"))
    async with start_server(settings, clock, http) as live:
        await live.make_tenant("acme")
        pid = ferretdb.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            # The kernel stops a busy process a moment later, not at once: wait for it.
            await wait_for(lambda: "State:\tT" in Path(f"/proc/{pid}/status").read_text())
            ready = await live.request("GET", "/readyz")
            assert (ready.status, ready.code) == (503, "UNAVAILABLE")
            health = await live.request("GET", "/healthz")
            assert health.status == 200
            login = await live.request(
                "POST", "/api/auth/login", json={"tenant": "acme", "login": "x", "password": "y"}
            )
            assert (login.status, login.code) == (503, "UNAVAILABLE")
        finally:
            os.kill(pid, signal.SIGCONT)

        async def ready() -> bool:
            return (await live.request("GET", "/readyz")).status == 200

        # The driver reconnects on its own; on a busy machine that can take a few seconds.
        await wait_for(ready, timeout=20, interval=0.2)
        login = await live.request(
            "POST", "/api/auth/login", json={"tenant": "acme", "login": "x", "password": "y"}
        )
        assert login.code == "INVALID_CREDENTIALS"


async def test_a_damaged_database_file_stops_start_up_and_stays_as_it_was(settings: Settings) -> None:
    from wschat.server.app import create_app

    settings.data_dir.mkdir(parents=True)
    damaged = b"this is not a database " * 100
    (settings.data_dir / "wschat.db").write_bytes(damaged)
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, port=0, lifespan="on", log_level="critical"))
    with pytest.raises(SystemExit):
        await server.serve()
    assert (settings.data_dir / "wschat.db").read_bytes() == damaged
