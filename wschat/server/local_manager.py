"""The Socket.IO manager of a single process (no Redis): python-socketio's, with a cheaper emit.

python-socketio's ``AsyncManager.emit`` encodes an event once and then starts one asyncio task per recipient
socket, and waits for all of them, only to put the packet on each socket's send queue (an unbounded
``asyncio.Queue``: the put never waits). For a chat, where most events go to one or two sockets, those tasks
cost more than the sending (docs/benchmarks.md). Here the packet is put on each queue in turn, in the
order of the recipients; what reaches the sockets, and when, is the same.

An emit that asks for a callback (not used by wsChat) keeps python-socketio's own path, as does the Redis
manager (wschat.server.redis_manager), whose local delivery runs inside python-socketio's pub/sub manager.
"""

from __future__ import annotations

from typing import Any

import socketio
from engineio import packet as eio_packet
from socketio import packet

from wschat.config import Settings
from wschat.server.redis_manager import WatchedRedisManager


def manager_for(settings: Settings) -> socketio.AsyncManager:
    """With Redis, the manager across processes; else this one."""
    # python-socketio >= 5.14 carries JSON only on the shared channel, never pickle (CVE-2025-61765).
    return WatchedRedisManager(settings.redis_url.reveal()) if settings.redis_url else LocalManager()


class LocalManager(socketio.AsyncManager):  # type: ignore[misc]
    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: str | None = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: str | None = None,
        **kwargs: Any,
    ) -> None:
        if callback is not None:
            await super().emit(event, data, namespace, room, skip_sid, callback, to, **kwargs)
            return
        if namespace not in self.rooms:
            return
        recipients = list(self.get_participants(namespace, to or room))
        skipped = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        recipients = [(sid, eio_sid) for sid, eio_sid in recipients if sid not in skipped]
        if not recipients:
            return  # nobody in the room: nothing to encode
        # As python-socketio's: a tuple is several arguments, None is none, anything else is one.
        arguments = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(
            packet.EVENT, namespace=namespace, data=[event, *arguments]
        ).encode()
        message = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        for _, eio_sid in recipients:
            await self.server._send_eio_packet(eio_sid, message)
