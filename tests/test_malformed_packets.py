"""Malformed Socket.IO and Engine.IO traffic (security review, items 8 and 9; CVE-2026-48804): an error
ack or a clean disconnect of that one connection, never a traceback per packet, and every other client
keeps being served. The packets are written by hand over a raw WebSocket or long-polling."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from tests.support import LiveServer, stored, wait_for
from tests.test_cli import served
from wschat.server.realtime import MAX_PACKET


@pytest.fixture
async def acme(server: LiveServer) -> LiveServer:
    await server.make_tenant("acme")
    return server


class RawSocket:
    """A visitor's WebSocket that speaks Engine.IO v4 / Socket.IO v5 by hand."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def receive(self) -> aiohttp.WSMessage:
        return await asyncio.wait_for(self.ws.receive(), 5)

    async def closed(self, server: LiveServer) -> bool:
        """True once the server ended the session: Engine.IO's close packet (``1``) or the WebSocket closed,
        with nothing but pings (``2``) or Socket.IO's disconnect (``41…``) before; and the server has
        forgotten the visitor's socket."""
        while True:
            message = await self.receive()
            ended = message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            if ended or (message.type == aiohttp.WSMsgType.TEXT and message.data == "1"):
                break
            if message.type != aiohttp.WSMsgType.TEXT or not (
                message.data == "2" or message.data.startswith("41")
            ):
                return False
        db = server.app.runtime.db
        await wait_for(lambda: _none_left(stored(db, "sockets", kind="visitor")))
        return True


async def _visitor_token(server: LiveServer) -> str:
    reply = await server.request("POST", "/api/widget/acme/session", json={"token": None})
    token: str = reply.body["token"]
    return token


@pytest.fixture
async def raw(acme: LiveServer) -> AsyncIterator[RawSocket]:
    token = await _visitor_token(acme)
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(
            acme.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        )
        socket = RawSocket(ws)
        assert (await socket.receive()).data.startswith("0{")
        await ws.send_str("40/visitor," + json.dumps({"tenant": "acme", "token": token}))
        assert (await socket.receive()).data.startswith("40/visitor,{")
        yield socket
        await ws.close()


async def _none_left(records: Awaitable[list[Any]]) -> bool:
    return await records == []


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def _still_serves(server: LiveServer) -> None:
    other = await server.visitor()
    assert "online" in await other.ok("chat.current", {})


async def test_an_event_with_two_arguments_gets_an_error_ack(
    raw: RawSocket, acme: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    await raw.ws.send_str('42/visitor,1["chat.current",{},{"extra":true}]')
    ack = (await raw.receive()).data
    assert ack.startswith("43/visitor,1[")
    body = json.loads(ack.removeprefix("43/visitor,1"))[0]
    assert body["error"]["code"] == "VALIDATION_FAILED"
    assert _tracebacks(caplog) == []
    # The same connection goes on working.
    await raw.ws.send_str('42/visitor,2["chat.current",{}]')
    assert json.loads((await raw.receive()).data.removeprefix("43/visitor,2"))[0]["ok"] is True


@pytest.mark.parametrize(
    "packet",
    [
        '451-/visitor,1["chat.current",{"_placeholder":true,"num":0}]',  # an attachment that never comes
        '499999-/visitor,1["chat.current",{"_placeholder":true,"num":0}]',  # ... or a hundred thousand
        "461-/visitor,1[{}]",  # a binary ack
        '42/visitor,1["chat.current",{unquoted: json}]',
        "49/visitor,1[]",  # no such packet type
        '42/visitor,1{"event":"chat.current"}',  # an event that is not an array
        "42/visitor,1[]",  # ... or has no name
        '42/visitor,1["message.send",{"text":NaN}]',  # not JSON, though Python's json module reads it
        '42/visitor,1["message.send",{"n":1e999}]',  # a number no double holds
        '42/visitor,1["message.send",{"text":"\\ud800"}]',  # half a surrogate pair
    ],
    ids=[
        "binary-event",
        "many-attachments",
        "binary-ack",
        "bad-json",
        "unknown-type",
        "not-array",
        "no-name",
        "nan",
        "infinite-number",
        "lone-surrogate",
    ],
)
async def test_a_malformed_packet_closes_only_its_connection_without_a_traceback(
    raw: RawSocket, acme: LiveServer, caplog: pytest.LogCaptureFixture, packet: str
) -> None:
    caplog.set_level(logging.INFO)
    await raw.ws.send_str(packet)
    assert await raw.closed(acme)
    assert _tracebacks(caplog) == []
    assert any("closed a connection that sent" in r.getMessage() for r in caplog.records)
    await _still_serves(acme)


async def test_a_binary_frame_closes_the_connection(
    raw: RawSocket, acme: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    await raw.ws.send_bytes(b"\x00" * 64)
    assert await raw.closed(acme)
    assert _tracebacks(caplog) == []
    await _still_serves(acme)


async def test_an_oversized_websocket_message_closes_only_that_connection(
    raw: RawSocket, acme: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    await raw.ws.send_str('42/visitor,1["chat.current","' + "x" * (MAX_PACKET + 1) + '"]')
    assert await raw.closed(acme)
    assert _tracebacks(caplog) == []
    await _still_serves(acme)


async def test_an_oversized_polling_body_is_refused_before_it_is_used(
    acme: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    base = acme.url + "/socket.io/?EIO=4&transport=polling"
    async with aiohttp.ClientSession() as http:
        async with http.get(base) as reply:
            opened = json.loads((await reply.text())[1:])
        url = f"{base}&sid={opened['sid']}"
        # Answered at once (Engine.IO itself would hold this request open for good).
        async with http.post(
            url, data="4" + "x" * (MAX_PACKET + 1), timeout=aiohttp.ClientTimeout(5)
        ) as reply:
            assert reply.status == 413

        async def chunked() -> AsyncIterator[bytes]:
            yield b"4hello"

        async with http.post(url, data=chunked(), timeout=aiohttp.ClientTimeout(5)) as reply:
            assert reply.status == 411
    assert _tracebacks(caplog) == []
    await _still_serves(acme)


async def test_wschat_serve_refuses_an_oversized_websocket_frame_from_its_header(tmp_path: Path) -> None:
    """Memory stays bounded: ``wschat serve`` closes the connection (1009, message too big) as soon as a
    frame announces more than one packet, without waiting for the payload it would have to hold; a client
    connected before goes on being served, and new ones too."""
    async with served(tmp_path / "data") as server, aiohttp.ClientSession() as http:
        ws_url = server.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        async with http.ws_connect(ws_url) as other:
            assert (await other.receive_str(timeout=5)).startswith("0{")
            reader, writer = await _raw_websocket(server.url)
            try:
                # A text frame announcing 1 MiB (under uvicorn's default 16 MiB), of which 1 KiB is sent.
                writer.write(bytes([0x81, 0x80 | 127]) + (1 << 20).to_bytes(8) + bytes(4) + b"4" * 1024)
                await writer.drain()
                assert await _close_code(reader) == 1009
            finally:
                writer.close()
            await other.send_str("40")  # Socket.IO connect to "/": answered (refused or not), so served
            assert (await other.receive_str(timeout=5)).startswith("4")
        async with http.get(server.url + "/socket.io/?EIO=4&transport=polling") as reply:
            assert (await reply.text()).startswith("0{")


async def _raw_websocket(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """An Engine.IO WebSocket opened by hand (RFC 6455 §4.1), to write frames no client library would."""
    where = urlsplit(url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {where.netloc}\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 101"), head
    return reader, writer


async def _close_code(reader: asyncio.StreamReader) -> int:
    """Read the server's (unmasked) frames until its close frame; its status code (RFC 6455 §5.5.1)."""
    async with asyncio.timeout(5):
        while True:
            first, second = await reader.readexactly(2)
            length = second & 0x7F
            if length >= 126:
                length = int.from_bytes(await reader.readexactly(2 if length == 126 else 8))
            payload = await reader.readexactly(length)
            if first & 0x0F == 0x8:
                return int.from_bytes(payload[:2])
