"""No visitor's full IP address in a log line, a Redis key or value, or a database document.

A visitor behind a trusted reverse proxy (its address in ``X-Forwarded-For``) opens the widget, chats,
takes a call and fails a login; every log record of every logger (uvicorn's WebSocket lines included),
everything in Redis and every stored document is then searched for the address.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import replace

import aiohttp
import pytest
import redis.asyncio as aioredis
import socketio
from bson import json_util

from tests.support import FakeClock, LiveServer, Peer, start_server, stored
from wschat.accounts.models import Role
from wschat.config import Secret, Settings
from wschat.privacy.logs import scrub
from wschat.storage import TABLES

ADDRESS = "203.0.113.77"
IPV6 = "2001:db8:4242:1717:aaaa:bbbb:cccc:dddd"


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")
        if record.exc_info:
            self.lines.append(logging.Formatter().formatException(record.exc_info))


@contextmanager
def every_log_line() -> Iterator[Capture]:
    """Every record of every logger at DEBUG, also of loggers that do not propagate (uvicorn's)."""
    capture = Capture()
    loggers = [logging.getLogger()] + [
        logging.getLogger(name)
        for name in list(logging.root.manager.loggerDict)
        if name.startswith("uvicorn")
    ]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(capture)
        logger.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(capture)
            logger.setLevel(level)


@pytest.fixture(params=["lean", "standard"])  # both socket layers (wschat.server.socket_layer)
async def proxied(
    settings: Settings,
    redis_url: str,
    clock: FakeClock,
    http: aiohttp.ClientSession,
    request: pytest.FixtureRequest,
) -> AsyncIterator[LiveServer]:
    behind_proxy = replace(
        settings,
        server=replace(settings.server, trusted_proxies="127.0.0.0/8"),
        redis_url=Secret(redis_url),
        socket_layer=request.param,
    )
    async with start_server(behind_proxy, clock, http) as live:
        tenant = await live.make_tenant("acme")
        await live.make_user(tenant, "bert", Role.AGENT)
        yield live
        await live.app.runtime.db.drop()


async def _visitor(server: LiveServer, address: str) -> Peer:
    forwarded = {"X-Forwarded-For": f"{address}, 127.0.0.1"}
    reply = await server.request("POST", "/api/widget/acme/session", json={"token": None}, headers=forwarded)
    assert reply.status == 201, reply.body
    client = socketio.AsyncClient(reconnection=False)
    server.clients.append(client)
    await client.connect(
        server.url,
        namespaces=["/visitor"],
        auth={"tenant": "acme", "token": reply.body["token"]},
        transports=["websocket"],
        headers=forwarded,
        wait_timeout=5,
    )
    return Peer(client, "/visitor")


async def _redis_dump(url: str) -> str:
    client = aioredis.Redis.from_url(url)
    try:
        found: list[str] = []
        async for key in client.scan_iter():
            found.append(repr(key))
            kind = (await client.type(key)).decode()
            if kind == "zset":
                found.append(repr(await client.zrange(key, 0, -1, withscores=True)))
            elif kind == "string":
                found.append(repr(await client.get(key)))
            elif kind == "hash":
                found.append(repr(await client.hgetall(key)))
            elif kind in ("list", "set"):
                found.append(
                    repr(await client.lrange(key, 0, -1) if kind == "list" else await client.smembers(key))
                )
        return "\n".join(found)
    finally:
        await client.aclose()


async def _database_dump(server: LiveServer) -> str:
    dumped = []
    for name in TABLES:
        for doc in await stored(server.app.runtime.db, name):
            dumped.append(f"{name}: {json_util.dumps(doc)}")
    return "\n".join(dumped)


async def test_a_visitors_full_address_is_nowhere(proxied: LiveServer, redis_url: str) -> None:
    with every_log_line() as logs:
        bert = Peer(await proxied.connect("/agent", {"token": await proxied.login("acme", "bert")}), "/agent")
        await bert.ok("status.set", {"status": "online"})
        for address in (ADDRESS, IPV6):
            visitor = await _visitor(proxied, address)
            await visitor.ok("chat.start", {"alias": "Sam", "text": "Hello", "client_id": "c-1"})
            conversation_id = (await visitor.wait("chat.assigned"))["conversation_id"]
            await visitor.ok(
                "message.send", {"conversation_id": conversation_id, "client_id": "c-2", "text": "Hi"}
            )
            call = (await bert.ok("call.start", {"conversation_id": conversation_id, "kind": "video"}))[
                "call"
            ]
            await visitor.wait("call.invite")
            await visitor.ok("call.join", {"call_id": call["id"]})
            await bert.ok("call.end", {"call_id": call["id"]})
            await visitor.ok("chat.end", {"conversation_id": conversation_id})
            await visitor.disconnect()
            failed = await proxied.request(
                "POST",
                "/api/auth/login",
                json={"tenant": "acme", "login": "bert", "password": "wrong password"},
                headers={"X-Forwarded-For": address},
            )
            assert failed.code == "INVALID_CREDENTIALS"
    text = "\n".join(logs.lines)
    # The capture did see lines with the client's address, truncated as stored: uvicorn's WebSocket lines
    # (wsChat's own socket layer writes no line per connection) and its lines of the widget's requests.
    seen = "WebSocket" if proxied.settings.socket_layer == "standard" else "/api/widget/acme/session"
    assert any(seen in line and "203.0.113.0" in line for line in logs.lines), text[-2000:]
    assert any(seen in line and "2001:db8:4242::" in line for line in logs.lines), text[-2000:]
    stored = await _database_dump(proxied)
    assert '"ip": "203.0.113.0"' in stored  # the visitor's address, as stored: truncated
    for address in (ADDRESS, IPV6, "2001:db8:4242:1717"):
        assert address not in text
        assert address not in await _redis_dump(redis_url)
        assert address not in stored


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '203.0.113.77:51234 - "WebSocket /socket.io/" [accepted]',
            '203.0.113.0:51234 - "WebSocket /socket.io/" [accepted]',
        ),
        ("2001:db8:1:2::5:443 - x", "2001:db8:1:: - x"),
        ("[2001:db8:1:2::5]:443", "[2001:db8:1::]:443"),
        ("::ffff:198.51.100.9", "198.51.100.0"),
        ("at 12:30:05 took 3.5 ms", "at 12:30:05 took 3.5 ms"),
        ("version 1.2.3", "version 1.2.3"),
    ],
)
def test_scrub_truncates_addresses_and_leaves_the_rest(line: str, expected: str) -> None:
    assert scrub(line) == expected
