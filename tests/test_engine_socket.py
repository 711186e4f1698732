"""wsChat's own Engine.IO layer over WebSocket (wschat.server.engine_socket, socket_layer): the real server
on a free port, spoken to with a raw WebSocket client (websockets) or raw TCP where the frames themselves
must be wrong, and with python-socketio's client."""

from __future__ import annotations

import asyncio
import gc
import json
import socket
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import socketio
from engineio.async_socket import AsyncSocket

from tests.support import FakeClock, LiveServer, start_server
from tests.ws_client import (
    closed_with,
    open_socket,
    raw_tcp,
    read_frame,
    token,
    until,
    visitor_socket,
)
from wschat.config import Settings, load_settings
from wschat.errors import ConfigError
from wschat.server.engine_socket import MAX_UNSENT, EngineSocket
from wschat.server.realtime import MAX_PACKET, VISITOR
from wschat.server.socket_layer import STANDARD, SocketLayer, websocket_protocol


@pytest.fixture
async def acme(server: LiveServer) -> LiveServer:
    await server.make_tenant("acme")
    return server


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


async def test_a_connection_python_socketio_fails_to_take_is_closed_without_a_disconnect(
    acme: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    eio = acme.app.realtime.sio.eio
    disconnects: list[str] = []

    async def failing(sid: str, environ: dict[str, Any]) -> None:
        raise RuntimeError("the manager could not start")  # python-engineio logs it and refuses

    async def disconnect(sid: str, reason: str) -> None:
        disconnects.append(sid)

    monkeypatch.setitem(eio.handlers, "connect", failing)
    monkeypatch.setitem(eio.handlers, "disconnect", disconnect)
    ws, _ = await open_socket(acme)
    _, code = await closed_with(ws)
    assert code == 1008
    assert eio.sockets == {}
    assert disconnects == []


# -- the origin, and what a connection keeps -----------------------------------------------------------------


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
