"""What the services may ask of the socket layer: deliver an event, close or look up a socket.

The services define no transport; the wiring (wschat.server.realtime) implements these for Socket.IO, and
the CLI has a stand-in that reaches no socket.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from wschat.boundary.protocol import Event


class SocketCloser(Protocol):
    async def close_socket(self, sid: str, kind: str) -> None:
        """Disconnect one socket of this process ("agent" or "visitor")."""

    def holds(self, sid: str, kind: str) -> bool:
        """Whether this process has this socket (connected, or still connecting)."""

    async def socket_gone(self, sid: str) -> None:
        """The socket's record outlived the socket: do what its disconnect would have done."""

    async def reconnect_all(self, why: str) -> None:
        """Close every connection of this process the way a network failure would: its clients reconnect by
        themselves (their sockets are recorded again) and catch up."""


class Publisher(Protocol):
    """Delivers events to sockets; implemented by the Socket.IO layer (rooms, across processes).

    ``skip`` leaves one socket out: the one whose own action this event announces, which has it in its ack
    already (a message to the tab that sent it)."""

    async def to_visitor(
        self, visitor_id: str, event: Event, payload: Mapping[str, object], *, skip: str | None = None
    ) -> None: ...

    async def to_visitors(self, tenant_id: str, event: Event, payload: Mapping[str, object]) -> None: ...

    async def to_agent(
        self, user_id: str, event: Event, payload: Mapping[str, object], *, skip: str | None = None
    ) -> None: ...

    async def to_agents(self, tenant_id: str, event: Event, payload: Mapping[str, object]) -> None: ...
