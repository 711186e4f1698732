"""Malformed Socket.IO and Engine.IO traffic (security review, items 8 and 9; CVE-2026-48804): an error
ack or a clean disconnect of that one connection, never a traceback per packet, and every other client
keeps being served. The packets are written by hand over a raw WebSocket or long-polling."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable

import aiohttp
import pytest

from tests.support import LiveServer, wait_for
from wschat.realtime import MAX_PACKET


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
        sockets = server.app.runtime.db["sockets"]
        await wait_for(lambda: _none_left(sockets.count_documents({"kind": "visitor"})))
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


async def _none_left(count: Awaitable[int]) -> bool:
    return await count == 0


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
    ],
    ids=["binary-event", "many-attachments", "binary-ack", "bad-json", "unknown-type"],
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
