"""Who may read ``/metrics``: the bearer of WSCHAT_METRICS_TOKEN on the main port, anyone who reaches the
listener of WSCHAT_METRICS_ADDRESS (a private network).

Real servers on port 0, scraped over real sockets and parsed with ``prometheus_client.parser``."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from tests.support import FakeClock, LiveServer, start_server
from tests.test_cli import wschat
from wschat.config import Secret, Settings
from wschat.errors import ConfigError
from wschat.server.metrics import Metrics
from wschat.server.metrics_listener import MetricsListener
from wschat.storage import TABLES

TOKEN = secrets.token_urlsafe(32)


@pytest.fixture
async def private(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> AsyncIterator[LiveServer]:
    """A server whose metrics are on a listener of their own, and on no token."""
    async with start_server(replace(settings, metrics_address=("127.0.0.1", 0)), clock, http) as live:
        yield live


def listener_url(server: LiveServer) -> str:
    assert server.app.metrics_listener is not None
    return f"http://127.0.0.1:{server.app.metrics_listener.port}"


def families(text: str) -> dict[str, list[Sample]]:
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


async def _stored(server: LiveServer) -> dict[str, int]:
    db = server.app.runtime.db
    return {table: await db.count(table) for table in TABLES}


async def test_the_listener_serves_the_metrics_without_a_token(private: LiveServer) -> None:
    async with private.http.get(f"{listener_url(private)}/metrics?debug=1") as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        assert r.headers["Connection"] == "close"
        metrics = families(await r.text())
    [node] = metrics["wschat_node_info"]
    assert node.labels["node"] == private.app.runtime.node_id
    assert {"wschat_store_seconds", "wschat_queue_depth", "wschat_sockets"} <= metrics.keys()
    async with private.http.head(f"{listener_url(private)}/metrics") as r:
        assert r.status == 200
        assert await r.read() == b""


async def test_the_main_port_does_not_serve_the_listeners_metrics(private: LiveServer) -> None:
    reply = await private.request("GET", "/metrics")
    assert (reply.status, reply.code) == (404, "NOT_FOUND")


@pytest.mark.parametrize(("method", "path"), [("GET", "/"), ("GET", "/metricsx"), ("POST", "/metrics")])
async def test_the_listener_serves_nothing_else(private: LiveServer, method: str, path: str) -> None:
    async with private.http.request(method, listener_url(private) + path) as r:
        assert r.status == 404
        assert (await r.json())["error"]["code"] == "NOT_FOUND"


async def test_the_listener_refuses_what_is_not_http(private: LiveServer) -> None:
    assert private.app.metrics_listener is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", private.app.metrics_listener.port)
    writer.write(b"HELLO THERE\r\n\r\n")
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b'"code":"VALIDATION_FAILED"' in answer


async def test_an_address_in_use_fails_with_the_settings_name() -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        listener = MetricsListener(Metrics(dict), ("127.0.0.1", taken.getsockname()[1]))
        with pytest.raises(ConfigError) as info:
            await listener.start()
        assert info.value.variable == "WSCHAT_METRICS_ADDRESS"
    finally:
        taken.close()


async def test_serve_stops_at_once_when_the_metrics_address_is_taken(tmp_path: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        code, out, err = await wschat(
            tmp_path / "var", "serve", "--port", "0", WSCHAT_METRICS_ADDRESS=address
        )
    finally:
        taken.close()
    assert code == 2
    assert "ready" not in out
    expected = f"WSCHAT_METRICS_ADDRESS: cannot listen on {address}: Address already in use"
    assert err.strip() == f"wschat: configuration error: {expected}"


@pytest.fixture
async def guarded(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> AsyncIterator[LiveServer]:
    async with start_server(replace(settings, metrics_token=Secret(TOKEN)), clock, http) as live:
        yield live


@pytest.mark.parametrize("authorization", [None, "Bearer", f"Bearer {TOKEN[:-1]}", f"bearer {TOKEN} x"])
async def test_metrics_without_the_token_are_refused_and_nothing_changes(
    guarded: LiveServer, authorization: str | None
) -> None:
    await guarded.make_tenant("acme")
    before = await _stored(guarded)
    headers = {} if authorization is None else {"Authorization": authorization}
    reply = await guarded.request("GET", "/metrics", headers=headers)

    assert (reply.status, reply.code) == (401, "AUTH_INVALID")
    assert reply.body["error"]["message"]
    assert "wschat_" not in str(reply.body)
    assert await _stored(guarded) == before
    assert guarded.app.metrics_listener is None  # no second listener unless WSCHAT_METRICS_ADDRESS is set
