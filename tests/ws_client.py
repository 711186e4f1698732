"""Clients of wsChat's own socket layer for its tests (test_engine_socket.py, test_ws_frames.py): a raw
WebSocket (websockets) and raw TCP where the frames themselves must be wrong."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import struct
from collections.abc import AsyncIterator, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.support import LiveServer

PATH = "/socket.io/?EIO=4&transport=websocket"


async def until(check: Callable[[], bool], within: float = 10.0) -> None:
    """Wait for a condition the server reaches on its own (a disconnect handler, a timer)."""
    async with asyncio.timeout(within):
        while not check():
            await asyncio.sleep(0.01)


async def token(server: LiveServer) -> str:
    reply = await server.request("POST", "/api/widget/acme/session", json={"token": None})
    value: str = reply.body["token"]
    return value


async def open_socket(server: LiveServer, **headers: str) -> tuple[ClientConnection, dict[str, Any]]:
    ws = await connect(
        server.url.replace("http", "ws", 1) + PATH,
        additional_headers=headers,
        compression=None,
        ping_interval=None,
        max_size=None,
    )
    opening = await ws.recv()
    assert isinstance(opening, str), opening
    assert opening.startswith("0"), opening
    return ws, json.loads(opening[1:])


async def visitor_socket(server: LiveServer, **headers: str) -> tuple[ClientConnection, str]:
    """A raw widget socket connected to /visitor: (the connection, its Socket.IO sid)."""
    ws, _ = await open_socket(server, **headers)
    await ws.send("40/visitor," + json.dumps({"tenant": "acme", "token": await token(server)}))
    reply = await ws.recv()
    assert isinstance(reply, str), reply
    assert reply.startswith("40/visitor,"), reply
    sid: str = json.loads(reply.removeprefix("40/visitor,"))["sid"]
    return ws, sid


async def closed_with(ws: ClientConnection) -> tuple[list[str | bytes], int | None]:
    """What the server sent until it closed the connection, and its close code."""
    received: list[str | bytes] = []
    with contextlib.suppress(ConnectionClosed):
        async with asyncio.timeout(10):
            async for message in ws:
                received.append(message)
    assert ws.close_code is not None
    rcvd = ws.protocol.close_rcvd
    return received, rcvd.code if rcvd is not None else None


@contextlib.asynccontextmanager
async def raw_tcp(server: LiveServer, path: str = PATH, **extra: str) -> AsyncIterator[Any]:
    """A TCP connection that sent a WebSocket request; yields (reader, writer, the response head)."""
    port = int(server.url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    headers = {"Host": f"127.0.0.1:{port}", "Upgrade": "websocket", "Connection": "Upgrade"}
    headers |= {"Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13", **extra}
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    writer.write(f"GET {path} HTTP/1.1\r\n{lines}\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    try:
        yield reader, writer, head.decode()
    finally:
        writer.close()


def masked(opcode: int, payload: bytes, *, fin: bool = True, mask: bool = True) -> bytes:
    first = (0x80 if fin else 0) | opcode
    key = os.urandom(4) if mask else b""
    body = bytes(b ^ key[i % 4] for i, b in enumerate(payload)) if mask else payload
    length = len(payload)
    bit = 0x80 if mask else 0
    if length < 126:
        size = bytes([length | bit])
    elif length < 65536:
        size = struct.pack("!BH", 126 | bit, length)
    else:
        size = struct.pack("!BQ", 127 | bit, length)
    return bytes([first]) + size + key + body


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    first, second = await reader.readexactly(2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", await reader.readexactly(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", await reader.readexactly(8))[0]
    return first & 0x0F, await reader.readexactly(length)
