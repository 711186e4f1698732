"""WebSocket frames and handshakes on wsChat's own socket layer (wschat.server.ws_frames, ws_handshake):
the real server on a free port, spoken to over raw TCP where the frames must be wrong, and with
websockets."""

from __future__ import annotations

import asyncio
import json
import struct

import pytest

from tests.support import LiveServer
from tests.ws_client import (
    closed_with,
    masked,
    raw_tcp,
    read_frame,
    token,
    until,
    visitor_socket,
)
from wschat.server import ws_frames as wf
from wschat.server.realtime import MAX_PACKET


@pytest.fixture
async def acme(server: LiveServer) -> LiveServer:
    await server.make_tenant("acme")
    return server


# -- messages in frames --------------------------------------------------------------------------------------


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


# -- the handshake -------------------------------------------------------------------------------------------


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
