"""What a feature's Socket.IO handlers register with, and the per-socket limits they use.

The wiring (wschat.server.realtime) implements :class:`Events` for the ``/agent`` and ``/visitor``
namespaces: it checks the socket's user, validates the payload into the handler's model, calls the
handler, and turns every outcome into an ack (``{"ok": true, ...}`` or ``{"ok": false, "error": ...}``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict, TypeVar

from wschat.boundary.protocol import Event
from wschat.boundary.services import Services
from wschat.clock import Clock
from wschat.errors import RateLimited
from wschat.limits.counter import SlidingWindows
from wschat.wire import WireModel

T = TypeVar("T")
M = TypeVar("M", bound=WireModel)
#: The fields of a successful ack besides ``ok``: each handler returns its own TypedDict.
Ack = Mapping[str, object]


@dataclass(frozen=True, kw_only=True)
class SocketContext:
    """One event on one socket: which socket, and the services and clock of the app that serves it."""

    sid: str
    services: Services
    clock: Clock

    def get(self, kind: type[T]) -> T:
        return self.services.get(kind)


C = TypeVar("C", bound=SocketContext, covariant=True)


class Events(Protocol[C]):
    """One namespace's events, for a feature to register its handlers with."""

    def on(self, event: Event, model: type[M]) -> Callable[[Callable[[C, M], Awaitable[Ack]]], Any]:
        """Registers the decorated handler for ``event``, its payload validated into ``model``."""

    def socket_limiter(
        self, burst: int, window: float, message: str, *, retry_after: int = 60
    ) -> SocketLimiter:
        """A sliding window per socket, forgotten when the socket closes."""


class SocketLimiter:
    """A sliding window per key, for events that are cheap to send and never worth a flood (typing, page
    views, WebRTC signals per socket; messages and new chats per visitor)."""

    def __init__(
        self, burst: int, window: float, message: str, *, retry_after: int = 60, max_keys: int | None = None
    ) -> None:
        # Keyed by socket, no bound is needed: every socket's window is forgotten when it disconnects.
        # Keyed by visitor (limits that hold across a visitor's tabs), ``max_keys`` bounds the memory.
        self._sent = SlidingWindows(burst, window, max_keys=max_keys)
        self.burst = burst
        self.window = window
        self.message = message
        self.retry_after = retry_after

    def check(self, key: str, now: float) -> None:
        """Counts one event of ``key`` at ``now`` (seconds); raises RateLimited when over the burst."""
        if self._sent.count(key, now) >= self.burst:
            raise RateLimited(self.message, retry_after=self.retry_after)
        self._sent.add(key, now)

    def forget(self, key: str) -> None:
        self._sent.forget(key)


def visitor_limiter(burst: int, window: float, message: str) -> SocketLimiter:
    """A sliding window per visitor, over all of the visitor's sockets in this process."""
    return SocketLimiter(burst, window, message, retry_after=max(1, round(window / burst)), max_keys=100_000)


class Done(TypedDict):
    """The ack of an event that answers nothing but ``ok``."""
