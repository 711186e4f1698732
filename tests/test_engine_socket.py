"""wsChat's own Engine.IO layer over WebSocket (wschat.server.engine_socket, socket_layer): the real server
on a free port, spoken to with a raw WebSocket client (websockets) or raw TCP where the frames themselves
must be wrong, and with python-socketio's client."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import json
import os
import socket
import struct
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import socketio
from engineio.async_socket import AsyncSocket
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.support import FakeClock, LiveServer, start_server
from wschat.config import Settings, load_settings
from wschat.errors import ConfigError
from wschat.server import ws_frames as wf
from wschat.server.engine_socket import MAX_UNSENT, EngineSocket
from wschat.server.realtime import MAX_PACKET, VISITOR
from wschat.server.socket_layer import STANDARD, SocketLayer, websocket_protocol

PATH = "/socket.io/?EIO=4&transport=websocket"


@pytest.fixture
async def acme(server: LiveServer) -> LiveServer:
    await server.make_tenant("acme")
    return server


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


def engine_socket(server: LiveServer, sid: str) -> Any:
    sio = server.app.realtime.sio
    return sio.eio.sockets.get(sio.manager.eio_sid_from_sid(sid, VISITOR))


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


# -- the handshake -------------------------------------------------------------------------------------------


async def test_the_handshake_opens_an_engineio_connection_of_its_own(acme: LiveServer) -> None:
    ws, opening = await open_socket(acme, Origin=acme.url)
    eio = acme.app.realtime.sio.eio
    assert opening == {
        "sid": opening["sid"],
        "upgrades": [],
        "pingTimeout": 20000,
        "pingInterval": 25000,
        "maxPayload": MAX_PACKET,
    }
    assert isinstance(eio.sockets[opening["sid"]], EngineSocket)
    await ws.send("40/visitor," + json.dumps({"tenant": "acme", "token": await token(acme)}))
    reply = await ws.recv()
    assert isinstance(reply, str), reply
    assert reply.startswith('40/visitor,{"sid":'), reply
    assert eio.transport(opening["sid"]) == "websocket"
    await ws.close()


async def test_a_socket_event_is_handled_and_acknowledged(acme: LiveServer) -> None:
    ws, _ = await visitor_socket(acme)
    await ws.send('42/visitor,7["chat.start",{}]')
    ack = await ws.recv()
    assert isinstance(ack, str), ack
    assert ack.startswith("43/visitor,7["), ack
    assert json.loads(ack.removeprefix("43/visitor,7"))[0]["ok"] is True
    assert await acme.app.runtime.db.count("conversations") == 1
    await ws.close()


async def test_events_in_a_row_are_handled_one_after_the_other(acme: LiveServer) -> None:
    """More events than the connection queues before it stops reading: all handled, acked in order."""
    ws, _ = await visitor_socket(acme)
    for n in range(40):
        await ws.send(f'42/visitor,{n}["no.such.event",{{}}]')
    acks = [await ws.recv() for _ in range(40)]
    assert [str(a).removeprefix("43/visitor,").split("[", 1)[0] for a in acks] == [str(n) for n in range(40)]
    await ws.close()


async def test_a_fragmented_message_is_put_together(acme: LiveServer) -> None:
    ws, _ = await visitor_socket(acme)
    await ws.send(iter(['42/visitor,3["no.su', 'ch.event",', "{}]"]))
    ack = await ws.recv()
    assert isinstance(ack, str), ack
    assert ack.startswith("43/visitor,3["), ack
    assert json.loads(ack.removeprefix("43/visitor,3"))[0]["error"]["code"] == "NOT_FOUND"
    await ws.close()


async def test_a_frame_that_arrives_in_pieces_is_read_once_whole(acme: LiveServer) -> None:
    async with raw_tcp(acme) as (reader, writer, _):
        await read_frame(reader)  # the open packet
        big = "x" * 70_000  # a 64-bit length: ten header bytes
        auth = json.dumps({"tenant": "acme", "token": await token(acme)})
        event = '42/visitor,5["no.such.event",{"x":"' + big + '"}]'
        frame = masked(0x1, f"40/visitor,{auth}".encode()) + masked(0x1, event.encode())
        for at in range(0, len(frame), 9_000):
            writer.write(frame[at : at + 9_000])
            await writer.drain()
            await asyncio.sleep(0)
        replies = [(await read_frame(reader))[1].decode() for _ in range(2)]
    assert replies[0].startswith("40/visitor,")
    assert replies[1].startswith("43/visitor,5[")


def test_the_reader_says_how_much_an_unfinished_frame_needs() -> None:
    frame = masked(0x1, b"x" * 300)
    assert wf.read_frames(frame[:1], MAX_PACKET, 0)[1:] == (0, 2)
    assert wf.read_frames(frame[:3], MAX_PACKET, 0)[1:] == (0, 4)
    assert wf.read_frames(frame[:100], MAX_PACKET, 0)[1:] == (0, 4 + 4 + 300)
    frames, used, need = wf.read_frames(frame + frame[:5], MAX_PACKET, 0)
    assert [f.payload for f in frames] == [b"x" * 300]
    assert (used, need) == (len(frame), 4 + 4 + 300)
    with pytest.raises(wf.FrameError) as refused:
        wf.read_frames(masked(0x0, b"x" * 200), 300, 150)  # the continuation makes the message too big
    assert refused.value.code == wf.TOO_BIG


async def test_a_bad_websocket_version_is_refused_with_426(acme: LiveServer) -> None:
    async with raw_tcp(acme, **{"Sec-WebSocket-Version": "8"}) as (_, _, head):
        assert head.startswith("HTTP/1.1 426 ")
        assert "Sec-WebSocket-Version: 13" in head
    assert acme.app.realtime.sio.eio.sockets == {}


async def test_a_bad_key_is_refused_with_400(acme: LiveServer) -> None:
    async with raw_tcp(acme, **{"Sec-WebSocket-Key": "short"}) as (_, _, head):
        assert head.startswith("HTTP/1.1 400 ")
    assert acme.app.realtime.sio.eio.sockets == {}


async def test_an_old_protocol_version_goes_to_python_engineio_which_refuses_it(acme: LiveServer) -> None:
    async with raw_tcp(acme, "/socket.io/?EIO=3&transport=websocket") as (_, _, head):
        assert head.startswith("HTTP/1.1 403 ")  # python-engineio refuses it; uvicorn says 403
    assert acme.app.realtime.sio.eio.sockets == {}


async def test_an_upgrade_from_long_polling_stays_on_python_engineio(acme: LiveServer) -> None:
    """The console starts on long polling and upgrades: that WebSocket is python-engineio's."""
    client = socketio.AsyncClient(reconnection=False)
    acme.clients.append(client)
    auth = {"tenant": "acme", "token": await token(acme)}
    await client.connect(acme.url, namespaces=[VISITOR], auth=auth, transports=["polling", "websocket"])
    eio = acme.app.realtime.sio.eio
    eio_sid = acme.app.realtime.sio.manager.eio_sid_from_sid(client.get_sid(VISITOR), VISITOR)
    await until(lambda: eio.transport(eio_sid) == "websocket")
    assert type(eio.sockets[eio_sid]) is AsyncSocket
    reply = await client.call("chat.start", {}, namespace=VISITOR, timeout=10)
    assert reply["ok"] is True


# -- the origin ----------------------------------------------------------------------------------------------


async def test_a_foreign_page_is_refused_and_nothing_is_recorded(acme: LiveServer) -> None:
    ws, _ = await open_socket(acme, Origin="https://evil.example")
    await ws.send("40/visitor," + json.dumps({"tenant": "acme", "token": await token(acme)}))
    reply = await ws.recv()
    assert isinstance(reply, str), reply
    assert reply.startswith("44/visitor,"), reply
    assert json.loads(reply.removeprefix("44/visitor,"))["data"]["code"] == "ORIGIN_NOT_ALLOWED"
    assert await acme.app.runtime.db.count("sockets") == 0
    await ws.close()


async def test_an_origin_the_engineio_server_does_not_accept_is_refused_at_the_handshake(
    acme: LiveServer,
) -> None:
    eio = acme.app.realtime.sio.eio
    eio.cors_allowed_origins = ["https://www.acme.example"]  # wsChat's is "*": the namespaces decide
    async with raw_tcp(acme, Origin="https://evil.example") as (_, _, head):
        assert head.startswith("HTTP/1.1 400 ")
    assert eio.sockets == {}


async def test_the_upgraded_http_request_is_freed_at_once(
    acme: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The HTTP protocol of the request each socket came with (its scope, every header) is not left for
    the collector: freed as soon as the upgrade is done, with the collector off."""
    released: list[weakref.ref[Any]] = []
    release = SocketLayer.release_http_protocol

    def watched(protocol: Any) -> None:
        released.append(weakref.ref(protocol))
        release(protocol)

    monkeypatch.setattr(SocketLayer, "release_http_protocol", staticmethod(watched))
    gc.disable()
    try:
        sockets = [
            (await open_socket(acme, **{"User-Agent": "Mozilla/5.0 " + "x" * 200}))[0] for _ in range(5)
        ]
        assert len(released) == 5
        assert [ref() for ref in released] == [None] * 5
    finally:
        gc.enable()
    for ws in sockets:
        await ws.close()


# -- pings ---------------------------------------------------------------------------------------------------


async def test_pings_are_sent_and_a_missing_pong_disconnects(acme: LiveServer) -> None:
    eio = acme.app.realtime.sio.eio
    eio.ping_interval, eio.ping_timeout = 0.2, 0.3
    ws, sid = await visitor_socket(acme)
    assert await ws.recv() == "2"
    await ws.send("3")
    assert await ws.recv() == "2"  # the next ping comes once the pong was answered
    assert acme.app.realtime.holds(sid, "visitor")
    received, code = await closed_with(ws)  # no pong this time
    assert received == ["1"]  # Engine.IO's close packet, then the closing handshake
    assert code == 1000
    await until(lambda: not acme.app.realtime.holds(sid, "visitor"))
    assert await acme.app.runtime.db.count("sockets") == 0


# -- what the client must not send ---------------------------------------------------------------------------


async def test_a_message_over_the_limit_closes_with_1009(acme: LiveServer) -> None:
    ws, sid = await visitor_socket(acme)
    await ws.send('42/visitor,["chat.start",{"x":"' + "x" * MAX_PACKET + '"}]')
    _, code = await closed_with(ws)
    assert code == 1009
    await until(lambda: not acme.app.realtime.holds(sid, "visitor"))
    assert await acme.app.runtime.db.count("conversations") == 0


async def test_text_that_is_not_utf8_closes_with_1007(acme: LiveServer) -> None:
    async with raw_tcp(acme) as (reader, writer, head):
        assert head.startswith("HTTP/1.1 101 ")
        await read_frame(reader)  # the open packet
        writer.write(masked(0x1, b"4\xff\xfe"))
        opcode, payload = await read_frame(reader)
        assert (opcode, struct.unpack("!H", payload[:2])[0]) == (0x8, 1007)
    await until(lambda: acme.app.realtime.sio.eio.sockets == {})


async def test_an_unmasked_frame_closes_with_1002(acme: LiveServer) -> None:
    async with raw_tcp(acme) as (reader, writer, _):
        await read_frame(reader)
        writer.write(masked(0x1, b"6", mask=False))
        opcode, payload = await read_frame(reader)
        assert (opcode, struct.unpack("!H", payload[:2])[0]) == (0x8, 1002)
    await until(lambda: acme.app.realtime.sio.eio.sockets == {})


async def test_a_continuation_without_a_message_closes_with_1002(acme: LiveServer) -> None:
    async with raw_tcp(acme) as (reader, writer, _):
        await read_frame(reader)
        writer.write(masked(0x0, b"6"))
        opcode, payload = await read_frame(reader)
        assert (opcode, struct.unpack("!H", payload[:2])[0]) == (0x8, 1002)


async def test_something_that_is_not_engineio_closes_with_1002(acme: LiveServer) -> None:
    ws, sid = await visitor_socket(acme)
    await ws.send("hello")
    _, code = await closed_with(ws)
    assert code == 1002
    await until(lambda: not acme.app.realtime.holds(sid, "visitor"))


async def test_a_binary_message_closes_the_connection(acme: LiveServer) -> None:
    ws, sid = await visitor_socket(acme)
    await ws.send(b"\x04binary")
    _, code = await closed_with(ws)
    assert code == 1000
    await until(lambda: not acme.app.realtime.holds(sid, "visitor"))
    assert await acme.app.runtime.db.count("conversations") == 0


async def test_a_websocket_ping_is_answered(acme: LiveServer) -> None:
    async with raw_tcp(acme) as (reader, writer, _):
        await read_frame(reader)
        writer.write(masked(0x9, b"are you there"))
        assert await read_frame(reader) == (0xA, b"are you there")


# -- closing -------------------------------------------------------------------------------------------------


async def test_the_client_closing_runs_the_disconnect(acme: LiveServer) -> None:
    ws, sid = await visitor_socket(acme)
    assert await acme.app.runtime.db.count("sockets") == 1
    await ws.close()
    assert ws.protocol.close_rcvd is not None
    assert ws.protocol.close_rcvd.code == 1000  # echoed
    await until(lambda: not acme.app.realtime.holds(sid, "visitor"))
    assert await acme.app.runtime.db.count("sockets") == 0
    assert acme.app.realtime.sio.eio.sockets == {}


async def test_the_server_disconnecting_a_namespace_leaves_the_connection_to_the_client(
    acme: LiveServer,
) -> None:
    """Socket.IO's disconnect of a namespace is a packet; the client closes its connection, now unused."""
    ws, sid = await visitor_socket(acme)
    await acme.app.realtime.close_socket(sid, "visitor")
    assert await ws.recv() == "41/visitor,"
    assert await acme.app.runtime.db.count("sockets") == 0
    await ws.close()
    await until(lambda: acme.app.realtime.sio.eio.sockets == {})


async def test_the_server_closing_the_connection_says_so_and_closes_it(acme: LiveServer) -> None:
    ws, sid = await visitor_socket(acme)
    sio = acme.app.realtime.sio
    await sio.eio.disconnect(sio.manager.eio_sid_from_sid(sid, VISITOR))
    received, code = await closed_with(ws)
    assert received == ["1"]  # Engine.IO's close packet, then the closing handshake
    assert code == 1000
    assert not acme.app.realtime.holds(sid, "visitor")
    assert await acme.app.runtime.db.count("sockets") == 0
    assert sio.eio.sockets == {}


async def test_a_reader_that_takes_nothing_is_cut_off(acme: LiveServer) -> None:
    """Back-pressure: what a client does not read piles up to MAX_UNSENT at most, then it is cut off."""
    async with raw_tcp(acme) as (reader, writer, _):
        raw = writer.get_extra_info("socket")
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        _, opening = await read_frame(reader)
        eio = acme.app.realtime.sio.eio
        connection = eio.sockets[json.loads(opening[1:])["sid"]]
        payload = "x" * 60_000
        most = 0
        for _ in range(2000):  # bounded: the cut comes after MAX_UNSENT plus what the kernel buffers
            if connection.transport is None or connection.transport.is_closing():
                break
            await eio.send(connection.sid, payload)
            most = max(most, connection.transport.get_write_buffer_size())
            await asyncio.sleep(0)
        assert connection.transport.is_closing()
        assert most <= MAX_UNSENT + 60_100  # never more than the limit and the frame that crossed it
        await until(lambda: eio.sockets == {})


async def test_shutting_down_closes_with_1012_and_runs_the_disconnects(
    settings: Settings, clock: FakeClock, http: Any
) -> None:
    async with start_server(settings, clock, http) as live:
        await live.make_tenant("acme")
        ws, sid = await visitor_socket(live)
        realtime = live.app.realtime
    _, code = await closed_with(ws)
    assert code == 1012
    assert not realtime.holds(sid, "visitor")  # the disconnect ran before the server stopped


# -- the setting ---------------------------------------------------------------------------------------------


def test_the_setting_picks_the_layer(settings: Settings) -> None:
    from wschat.server.app import create_app

    assert isinstance(websocket_protocol(create_app(settings)), SocketLayer)
    assert websocket_protocol(create_app(replace(settings, socket_layer="standard"))) == STANDARD


@pytest.mark.parametrize(("value", "layer"), [(None, "lean"), ("standard", "standard"), ("LEAN", "lean")])
def test_the_environment_names_the_layer(tmp_path: Path, value: str | None, layer: str) -> None:
    env = {"WSCHAT_SECRET_KEY": "k" * 40, "WSCHAT_DATA_DIR": str(tmp_path)}
    if value is not None:
        env["WSCHAT_SOCKET_LAYER"] = value
    assert load_settings(env).socket_layer == layer


def test_an_unknown_layer_stops_the_start(tmp_path: Path) -> None:
    env = {"WSCHAT_SECRET_KEY": "k" * 40, "WSCHAT_DATA_DIR": str(tmp_path), "WSCHAT_SOCKET_LAYER": "fast"}
    with pytest.raises(ConfigError) as refused:
        load_settings(env)
    assert refused.value.variable == "WSCHAT_SOCKET_LAYER"
    assert "lean or standard" in str(refused.value)
