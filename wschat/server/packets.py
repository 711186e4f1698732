"""The Socket.IO server, stricter about what arrives from the wire."""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson
import socketio

from wschat.server.send_queue import LeanEngineServer

log = logging.getLogger(__name__)

#: Socket.IO packet types with binary attachments (socket.io-protocol v5).
BINARY_EVENT, BINARY_ACK = "5", "6"
#: The key of a connection's environ that holds when it was opened (wall-clock seconds): a catch-up after a
#: lost event closes only the connections older than the loss (wschat.server.redis_manager).
OPENED_AT = "wschat.opened_at"


class TextPacket(socketio.packet.Packet):  # type: ignore[misc]
    """A packet that is never binary. python-socketio searches every payload it sends, recursively, for
    bytes to send as attachments; wsChat sends JSON only, and that search was an eighth of the server's time
    at 1,500 messages a second (docs/benchmarks.md). Binary packets that arrive are refused below."""

    uses_binary_events = False


class SocketJson:
    """The JSON of Socket.IO and Engine.IO packets, through orjson: a tenth of the standard library's time to
    encode an ack, a fifth to decode an event (python-socketio takes a module with ``dumps``/``loads``).
    Compact as before; characters outside ASCII go out as UTF-8 instead of ``\\u`` escapes (both are JSON).
    Stricter in: ``NaN``, a number beyond a double's range and half a surrogate pair do not decode, and
    such a packet closes its connection as any malformed packet does."""

    @staticmethod
    def dumps(value: Any, **_options: Any) -> str:
        return orjson.dumps(value).decode()

    @staticmethod
    def loads(text: str | bytes, **_options: Any) -> Any:
        return orjson.loads(text)


class PolicedServer(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server, stricter about what arrives from the wire.

    wsChat's protocol is JSON: a binary packet (``5…``/``6…``, attachments announced to follow) is never
    legitimate, and a client announcing thousands of attachments would have the server hold them all
    (CVE-2026-48804). Such a packet, and any packet that does not decode, closes that one connection with
    one log line at INFO, instead of a traceback per packet. What it sends is :class:`TextPacket`, encoded
    by :class:`SocketJson`; its Engine.IO server is :class:`LeanEngineServer` (a lighter send queue per
    connection).
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(serializer=TextPacket, json=SocketJson, **options)

    def _engineio_server_class(self) -> type[LeanEngineServer]:
        return LeanEngineServer

    async def _handle_eio_connect(self, eio_sid: str, environ: dict[str, Any]) -> None:
        environ[OPENED_AT] = time.time()
        await super()._handle_eio_connect(eio_sid, environ)

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        if not isinstance(data, str) or data[:1] in (BINARY_EVENT, BINARY_ACK):
            await self._drop(eio_sid, "a binary packet")
            return
        try:
            await super()._handle_eio_message(eio_sid, data)
        except (ValueError, TypeError, KeyError, IndexError) as e:  # raised while decoding the packet
            await self._drop(eio_sid, f"a malformed packet ({type(e).__name__})")

    async def _drop(self, eio_sid: str, what: str) -> None:
        log.info("closed a connection that sent %s", what)
        await self.eio.disconnect(eio_sid)
