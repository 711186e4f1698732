"""What the socket layer offers the services (:class:`Transport`), and its stand-in where there are no
sockets (:class:`NoTransport`: the CLI, tests and benchmarks that build a runtime without a server)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from wschat.accounts.service import SessionRevoker
from wschat.boundary.protocol import Event
from wschat.boundary.publisher import SocketCloser
from wschat.signalling.service import CallPublisher


class Transport(SessionRevoker, CallPublisher, SocketCloser, Protocol):
    """What the socket layer offers the services."""


class NoTransport:
    """For the CLI: no sockets here. A running server re-checks each socket's user on its next event."""

    async def revoke_user(self, user_id: str) -> None:
        return None

    async def revoke_session(self, user_id: str, session_id: str) -> None:
        return None

    async def close_socket(self, sid: str, kind: str) -> None:
        return None

    def holds(self, sid: str, kind: str) -> bool:
        return True  # the CLI runs no janitor: nothing here is ever reconciled

    async def socket_gone(self, sid: str) -> None:
        return None

    async def reconnect_all(self, why: str) -> None:
        return None

    async def to_socket(self, sid: str, side: str, event: Event, payload: Mapping[str, object]) -> None:
        return None

    async def to_visitor(
        self, visitor_id: str, event: Event, payload: Mapping[str, object], *, skip: str | None = None
    ) -> None:
        return None

    async def to_visitors(self, tenant_id: str, event: Event, payload: Mapping[str, object]) -> None:
        return None

    async def to_agent(
        self, user_id: str, event: Event, payload: Mapping[str, object], *, skip: str | None = None
    ) -> None:
        return None

    async def to_agents(self, tenant_id: str, event: Event, payload: Mapping[str, object]) -> None:
        return None
