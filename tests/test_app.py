from __future__ import annotations

import os
import signal
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
import uvicorn

from tests.support import FakeClock, LiveServer, start_server, wait_for
from tests.test_embedded import _wait_gone
from wschat.config import MongoSettings, Settings


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


@pytest.fixture
def embedded_settings(settings: Settings, tmp_path: Path) -> Settings:
    """No MongoDB URI: the app starts its own FerretDB under the data dir."""
    return replace(settings, data_dir=tmp_path / "data", mongo=MongoSettings(uri=None, database="wschat"))


async def test_app_starts_and_stops_the_embedded_database(
    embedded_settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    async with start_server(embedded_settings, clock, http) as live:
        embedded = live.app.embedded
        assert embedded is not None
        pid = embedded.pid
        assert pid is not None
        assert (await live.request("GET", "/readyz")).status == 200
        await live.make_tenant("acme")
    assert live.app.embedded is None
    assert _wait_gone(pid), "FerretDB is still running after the app stopped"
    assert (embedded_settings.db_dir / "wschat.sqlite").exists()


async def test_database_outage_gives_unavailable_and_the_server_stays_up(
    embedded_settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    async with start_server(embedded_settings, clock, http) as live:
        await live.make_tenant("acme")
        assert live.app.embedded is not None
        pid = live.app.embedded.pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)  # the database hangs: no answer, no error
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


async def test_missing_database_binary_stops_start_up(embedded_settings: Settings, tmp_path: Path) -> None:
    from wschat.app import create_app

    app = create_app(replace(embedded_settings, ferretdb_bin=tmp_path / "missing"))
    server = uvicorn.Server(uvicorn.Config(app, port=0, lifespan="on", log_level="critical"))
    with pytest.raises(SystemExit):
        await server.serve()
    assert app.embedded is None
