"""An Engine.IO v4 connection over WebSocket that is its own asyncio protocol: no task while it is idle.

python-engineio runs each WebSocket connection as a chain of coroutines under uvicorn's ASGI task: a reader
waiting for the next message (a task per wait, under ``wait_for``), a writer task draining a send queue, a
ping task sleeping 25 s, uvicorn's receive queue and its handshake objects. Idle, a visitor's socket held
about 40 KB that way (docs/benchmarks.md, *Memory per socket*). :class:`EngineSocket` is the same Engine.IO
connection as one object with slots:

- frames are read as they arrive (wschat.server.ws_frames); Engine.IO's pong and noop are handled there;
- a message, the connect and the disconnect are jobs for python-socketio, run in order by a task that
  exists only while jobs are waiting (``async_handlers=False`` semantics: a socket's events one at a time);
  past :data:`INBOX_LIMIT` waiting jobs the connection stops reading until they are done;
- a send writes the frame to the transport at once; a reader that leaves more than :data:`MAX_UNSENT`
  bytes unread is cut off (the client reconnects and catches up, docs/protocol.md) instead of the server
  buffering for it without bound;
- the ping and the wait for its pong are one timer handle at a time.

To python-socketio it is a python-engineio socket: it sits in the Engine.IO server's ``sockets`` under its
sid, and has ``send``, ``close``, ``session``, ``closed``/``closing``, ``upgraded`` and
``check_ping_timeout``, which is all python-engineio's server methods (``send_packet``, ``disconnect``,
``get_session``, ``transport``, its service task) use of a socket.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from engineio import packet as eio_packet

from wschat.server import ws_frames as wf

if TYPE_CHECKING:
    from wschat.server.socket_layer import SocketLayer

log = logging.getLogger(__name__)

#: Jobs (messages) waiting for python-socketio before the connection stops reading from the client.
INBOX_LIMIT = 16
#: Bytes written and not yet taken by the client before it counts as gone (a slow or stalled reader).
MAX_UNSENT = 1024 * 1024
#: Seconds the server waits for the client to answer its close frame before it closes the connection.
CLOSE_WAIT = 5.0

HANDSHAKE, OPEN, CLOSING, GONE = 0, 1, 2, 3
CONNECT, MESSAGE, DISCONNECT = 0, 1, 2


class EngineSocket(asyncio.Protocol):
    """One WebSocket connection speaking Engine.IO v4 to python-socketio's server (see the module)."""

    __slots__ = (
        "_awaiting_pong",
        "_inbox",
        "_need",
        "_parts",
        "_parts_size",
        "_paused",
        "_rest",
        "_state",
        "_task",
        "_timer",
        "closed",
        "closing",
        "layer",
        "session",
        "sid",
        "transport",
    )

    #: What python-engineio's server reads of its sockets: connected over WebSocket from the start.
    connected = True
    upgraded = True
    upgrading = False

    def __init__(self, layer: SocketLayer) -> None:
        self.layer = layer
        self.transport: asyncio.Transport | None = None
        self.sid = ""
        self.session: dict[str, Any] = {}
        self.closing = self.closed = False
        self._state = HANDSHAKE
        self._timer: asyncio.TimerHandle | None = None
        self._awaiting_pong = False
        self._inbox: list[tuple[int, Any]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._rest: bytearray | None = None  # an unfinished frame
        self._need = 0  # the bytes it needs at least
        self._parts: list[bytes] | None = None  # an unfinished fragmented message (its opcode first)
        self._parts_size = 0
        self._paused = False

    # -- asyncio.Protocol --------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.layer.release_http_protocol(transport.get_protocol())

    def data_received(self, data: bytes) -> None:
        if self._state == HANDSHAKE:
            self.layer.handshake(self, data)
            return
        if self._state == GONE:
            return
        rest = self._rest
        if rest is not None:
            rest += data
            if len(rest) < self._need:
                return  # the frame is not complete yet: nothing to parse again
        buffer = data if rest is None else rest
        try:
            frames, used, self._need = wf.read_frames(buffer, self.layer.max_size, self._parts_size)
            for frame in frames:
                self._frame(frame)
        except wf.FrameError as e:
            log.info("closed a WebSocket that broke the protocol: %s", e.reason)
            self._fail(e.code, e.reason)
            return
        if used == len(buffer) or self._state not in (OPEN, CLOSING):
            self._rest = None
        elif rest is None:
            self._rest = bytearray(memoryview(data)[used:])
        elif used:
            del rest[:used]

    def connection_lost(self, exc: Exception | None) -> None:
        self.layer.connections.discard(self)
        self._state = GONE
        self._rest = self._parts = None
        self._cancel_timer()
        if self.sid and not self.closing:
            self._enqueue(DISCONNECT, (self.layer.engine.reason.TRANSPORT_CLOSE, True))

    def pause_writing(self) -> None:
        pass  # sends never wait: what the client does not take is bounded by MAX_UNSENT instead

    def resume_writing(self) -> None:
        pass

    def shutdown(self) -> None:
        """uvicorn's graceful shutdown: a close frame (1012, the server restarts) and the connection closes;
        the disconnect runs as for any closed connection, and uvicorn waits for it."""
        if self._state == OPEN:
            self._end(wf.RESTART)
        if self.transport is not None:
            self.transport.close()  # as uvicorn's own protocols: no wait for the client's answer

    # -- opened by the layer ---------------------------------------------------------------------------------

    def open(self, response: bytes, environ: dict[str, Any]) -> None:
        """The handshake was accepted: the 101 response, Engine.IO's open packet, the connect as first job."""
        assert self.transport is not None
        engine = self.layer.engine
        self.sid = engine.generate_id()
        engine.sockets[self.sid] = self
        self.layer.connections.add(self)
        self._state = OPEN
        opening = eio_packet.Packet(
            eio_packet.OPEN,
            {
                "sid": self.sid,
                "upgrades": [],
                "pingTimeout": int(engine.ping_timeout * 1000),
                "pingInterval": int(engine.ping_interval + engine.ping_interval_grace_period) * 1000,
                "maxPayload": engine.max_http_buffer_size,
            },
        )
        self.transport.write(response + wf.frame(wf.TEXT, opening.encode().encode()))
        self._enqueue(CONNECT, environ)
        self._timer = asyncio.get_running_loop().call_later(engine.ping_interval, self._ping)

    # -- what python-engineio's server calls -----------------------------------------------------------------

    async def send(self, pkt: eio_packet.Packet) -> None:
        self.write_packet(pkt.encode())

    async def check_ping_timeout(self) -> bool:
        return not self.closed  # the socket's own timer closes it when a pong is late

    async def close(self, wait: bool = True, abort: bool = False, reason: str | None = None) -> None:
        """Engine.IO's close: the disconnect handler, then a close packet (unless aborted) and the
        WebSocket's closing handshake."""
        if self.closed or self.closing:
            return
        self.closing = True
        self._cancel_timer()
        engine = self.layer.engine
        await engine._trigger_event(
            "disconnect", self.sid, reason or engine.reason.SERVER_DISCONNECT, run_async=False
        )
        if not abort:
            self.write_packet(eio_packet.Packet(eio_packet.CLOSE).encode())
        self.closed = True
        if engine.sockets.get(self.sid) is self:
            del engine.sockets[self.sid]
        if self._state == OPEN:
            self._end(wf.NORMAL)

    # -- sending ---------------------------------------------------------------------------------------------

    def write_packet(self, encoded: str | bytes) -> None:
        """One Engine.IO packet as one WebSocket message, written now."""
        if self._state != OPEN or self.transport is None:
            return
        if isinstance(encoded, str):
            self.transport.write(wf.frame(wf.TEXT, encoded.encode()))
        else:
            self.transport.write(wf.frame(wf.BINARY, encoded))
        if self.transport.get_write_buffer_size() > MAX_UNSENT:
            log.info("cut off a socket whose client did not read %d bytes sent to it", MAX_UNSENT)
            self._state = GONE
            self.transport.abort()

    # -- receiving -------------------------------------------------------------------------------------------

    def _frame(self, frame: wf.Frame) -> None:
        opcode = frame.opcode
        if self._state != OPEN:
            if opcode == wf.CLOSE and self.transport is not None:
                self.transport.close()  # the client answered our close frame
            return
        if opcode in (wf.TEXT, wf.BINARY):
            if self._parts is not None:
                raise wf.FrameError(wf.PROTOCOL_ERROR, "a new message inside a fragmented one")
            if frame.fin:
                self._message(opcode, frame.payload)
            else:
                self._parts, self._parts_size = [bytes((opcode,)), frame.payload], len(frame.payload)
        elif opcode == wf.CONTINUATION:
            if self._parts is None:
                raise wf.FrameError(wf.PROTOCOL_ERROR, "a continuation without a message")
            self._parts.append(frame.payload)
            self._parts_size += len(frame.payload)
            if frame.fin:
                parts, self._parts, self._parts_size = self._parts, None, 0
                self._message(parts[0][0], b"".join(parts[1:]))
        elif opcode == wf.PING:
            self._write(wf.frame(wf.PONG, frame.payload))
        elif opcode == wf.CLOSE:
            code = wf.close_code(frame.payload)
            self._end(wf.NORMAL if code == 1005 else code)
            if self.transport is not None:
                self.transport.close()

    def _message(self, opcode: int, payload: bytes) -> None:
        if opcode == wf.BINARY:
            self._enqueue(MESSAGE, payload)  # python-socketio's server refuses it (wschat.server.packets)
            return
        try:
            text = payload.decode()
        except UnicodeDecodeError:
            raise wf.FrameError(wf.INVALID_DATA, "a text message that is not UTF-8") from None
        kind = text[:1]
        if kind == "4":
            self._enqueue(MESSAGE, text[1:])
        elif kind == "3":
            self._pong()
        elif kind == "1":
            self._enqueue(DISCONNECT, (self.layer.engine.reason.CLIENT_DISCONNECT, True))
        elif kind not in ("2", "5", "6"):  # a ping, upgrade or noop: nothing to do (as python-engineio)
            raise wf.FrameError(wf.PROTOCOL_ERROR, "not an Engine.IO packet")

    def _enqueue(self, kind: int, value: Any) -> None:
        if self._inbox is None:
            self._inbox = []
        self._inbox.append((kind, value))
        if len(self._inbox) >= INBOX_LIMIT and not self._paused and self._state == OPEN:
            self._paused = True
            assert self.transport is not None
            self.transport.pause_reading()
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._work())
            self.layer.tasks.add(self._task)
            self._task.add_done_callback(self.layer.tasks.discard)

    async def _work(self) -> None:
        """The waiting jobs, one at a time; the task ends when there are none."""
        try:
            while self._inbox:
                kind, value = self._inbox.pop(0)
                if self._paused and len(self._inbox) < INBOX_LIMIT // 2 and self._state == OPEN:
                    self._paused = False
                    assert self.transport is not None
                    self.transport.resume_reading()
                try:
                    await self._run(kind, value)
                except Exception:  # as python-engineio: logged, and the connection goes on
                    log.exception("error handling a socket's %s", ("connect", "message", "disconnect")[kind])
        finally:
            self._task = None
            if not self._inbox:
                self._inbox = None

    async def _run(self, kind: int, value: Any) -> None:
        engine = self.layer.engine
        if kind == MESSAGE:
            if not self.closing:
                await engine._trigger_event("message", self.sid, value, run_async=engine.async_handlers)
        elif kind == DISCONNECT:
            reason, abort = value
            await self.close(wait=False, abort=abort, reason=reason)
        elif kind == CONNECT:
            accepted = await engine._trigger_event("connect", self.sid, value, run_async=False)
            if accepted is not None and accepted is not True:  # refused: gone without a disconnect
                self.closing = self.closed = True
                engine.sockets.pop(self.sid, None)
                self._end(wf.POLICY)

    # -- pings -----------------------------------------------------------------------------------------------

    def _ping(self) -> None:
        self._timer = None
        if self._state != OPEN or self.closing:
            return
        self._awaiting_pong = True
        self.write_packet("2")
        self._timer = asyncio.get_running_loop().call_later(self.layer.engine.ping_timeout, self._pong_missed)

    def _pong(self) -> None:
        if not self._awaiting_pong:
            return
        self._awaiting_pong = False
        self._cancel_timer()
        self._timer = asyncio.get_running_loop().call_later(self.layer.engine.ping_interval, self._ping)

    def _pong_missed(self) -> None:
        self._timer = None
        if self._state == OPEN and not self.closing:
            # As python-engineio: the disconnect, a close packet (a half-open client learns it is closed).
            self._enqueue(DISCONNECT, (self.layer.engine.reason.PING_TIMEOUT, False))

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # -- closing ---------------------------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def _end(self, code: int) -> None:
        """Our close frame; the connection closes when the client answers it, or after CLOSE_WAIT."""
        if self._state != OPEN:
            return
        self._state = CLOSING
        self._rest = self._parts = None
        self._write(wf.close_frame(code))
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()  # to read the client's answer
        self._cancel_timer()
        if self.transport is not None:
            self._timer = asyncio.get_running_loop().call_later(CLOSE_WAIT, self.transport.close)

    def _fail(self, code: int, reason: str) -> None:
        """The client broke the protocol: a close frame with the code, and the connection closes now."""
        self._end(code)
        if self.transport is not None:
            self.transport.close()
