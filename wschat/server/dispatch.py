"""How a client→server event reaches its handler: registered per namespace, and answered with an ack.

Every outcome becomes an ack, never an exception on the socket: ``{"ok": true, ...}`` or
``{"ok": false, "error": {"code", "message"}}``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, get_type_hints

from wschat.boundary.protocol import Event
from wschat.boundary.sockets import Ack, SocketContext, SocketLimiter
from wschat.errors import Unavailable, ValidationFailed, WsChatError
from wschat.server.metrics import Metrics
from wschat.storage import DATABASE_ERRORS
from wschat.wire import WireModel

if TYPE_CHECKING:
    import socketio

log = logging.getLogger(__name__)

M = TypeVar("M", bound=WireModel)
C = TypeVar("C", bound=SocketContext)


class Namespace(Generic[C]):
    """One namespace's events (wschat.boundary.sockets.Events): handlers, their models, per-socket limits."""

    def __init__(
        self, sio: socketio.AsyncServer, name: str, call: Callable[..., Awaitable[Ack]], metrics: Metrics
    ) -> None:
        self._sio = sio
        self._metrics = metrics
        self.name = name
        self._call = call
        self.models: dict[tuple[str, str], type[WireModel]] = {}
        #: (namespace, event) → the type of its ack's fields besides ``ok``: the handler's return type.
        self.acks: dict[tuple[str, str], object] = {}
        self._limiters: list[SocketLimiter] = []

    def on(self, event: Event, model: type[M]) -> Callable[[Callable[[C, M], Awaitable[Ack]]], Any]:
        def register(handler: Callable[[C, M], Awaitable[Ack]]) -> Callable[[C, M], Awaitable[Ack]]:
            async def dispatch(sid: str, *data: Any) -> Ack:
                began = time.perf_counter()
                ack = await _answer(self._call(sid, handler, model, data))
                outcome = "ok" if ack["ok"] is True else _code(ack)
                self._metrics.event(self.name, event, outcome, time.perf_counter() - began)
                return ack

            self._sio.on(event, dispatch, namespace=self.name)
            self.models[(self.name, event)] = model
            self.acks[(self.name, event)] = get_type_hints(handler)["return"]
            return handler

        return register

    def socket_limiter(
        self, burst: int, window: float, message: str, *, retry_after: int = 60
    ) -> SocketLimiter:
        limiter = SocketLimiter(burst, window, message, retry_after=retry_after)
        self._limiters.append(limiter)
        return limiter

    def forget(self, sid: str) -> None:
        """Drop a closed socket's windows."""
        for limiter in self._limiters:
            limiter.forget(sid)


def _code(ack: Ack) -> str:
    error = ack["error"]
    return str(error["code"]) if isinstance(error, dict) else "INTERNAL"


async def _answer(call: Awaitable[Ack]) -> Ack:
    """Run one event; every outcome becomes an ack, never an exception on the socket."""
    try:
        result = await call
    except WsChatError as e:
        return {"ok": False, "error": e.to_wire()}
    except DATABASE_ERRORS as e:
        log.error("database error in a socket event: %s", type(e).__name__)
        return {"ok": False, "error": Unavailable().to_wire()}
    except Exception:
        log.exception("unexpected error in a socket event")
        return {"ok": False, "error": WsChatError().to_wire()}
    return {"ok": True, **result}


def one_payload(arguments: tuple[Any, ...]) -> Any:
    """An event's single payload (``{}`` for none); raises ValidationFailed when a client sent several."""
    if len(arguments) > 1:
        raise ValidationFailed("An event carries one payload object.")
    return {} if not arguments or arguments[0] is None else arguments[0]
