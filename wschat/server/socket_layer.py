"""Which WebSocket connections uvicorn hands to wsChat's own Engine.IO layer, and which to the standard one.

uvicorn takes the class of its WebSocket protocol as a setting (``ws``) and calls it with its config and
state for every upgraded request. :class:`SocketLayer` is that callable: each connection starts as an
:class:`~wschat.server.engine_socket.EngineSocket`, which reads the request uvicorn passes on and

- for a new Engine.IO v4 connection over WebSocket (``/socket.io/?EIO=4&transport=websocket``, no ``sid``:
  the widget, and any socket.io-client that starts on WebSocket) completes the handshake itself and serves
  the connection as an Engine.IO socket of python-socketio's server (docs/architecture.md, *Sockets*);
- for anything else (an upgrade of a long-polling connection, which the console makes; an old protocol
  version; another path) hands the connection to uvicorn's standard protocol, which runs the ASGI app as
  before, and is gone.

``WSCHAT_SOCKET_LAYER=standard`` serves every connection the standard way (docs/operations.md).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from wschat.server.engine_socket import EngineSocket
from wschat.server.socket_headers import SOCKET_PATH
from wschat.server.ws_handshake import Request, accept, parse_request, refusal

#: uvicorn's WebSocket implementation for everything wsChat's layer does not take (and for all of it with
#: ``WSCHAT_SOCKET_LAYER=standard``).
STANDARD = "websockets-sansio"
LAYERS = ("lean", "standard")


def websocket_protocol(app: Any) -> Any:
    """uvicorn's ``ws`` setting for this app: wsChat's layer unless the settings say ``standard``."""
    realtime = getattr(app, "realtime", None)
    if realtime is None or realtime.settings.socket_layer == "standard":
        return STANDARD
    return SocketLayer(realtime.sio.eio)


class SocketLayer:
    """uvicorn's WebSocket protocol factory; the state every :class:`EngineSocket` of one server shares."""

    def __init__(self, engine: Any) -> None:
        #: python-socketio's Engine.IO server (wschat.server.send_queue.LeanEngineServer).
        self.engine = engine
        self.max_size: int = engine.max_http_buffer_size
        #: uvicorn's, from the first connection on: its graceful shutdown closes these and waits for those.
        self.connections: set[Any] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self._standard: dict[str, Any] = {}

    def __call__(
        self, config: Any, server_state: Any, app_state: dict[str, Any], _loop: Any = None
    ) -> asyncio.Protocol:
        if not self._standard:
            self._standard = {"config": config, "server_state": server_state, "app_state": app_state}
            self.connections, self.tasks = server_state.connections, server_state.tasks
        return EngineSocket(self)

    @staticmethod
    def release_http_protocol(protocol: asyncio.BaseProtocol) -> None:
        """uvicorn's HTTP protocol of the request that was upgraded, which is done: it and its parser refer
        to each other, so without this it would wait for the collector (under ``wschat serve`` every 50,000
        allocations), with the request's scope and every header, for each new socket (docs/benchmarks.md).
        uvicorn calls the WebSocket protocol's ``connection_made`` before it hands the transport over, and
        uses its HTTP protocol no more once the upgrade is handed on."""
        if isinstance(protocol, HttpToolsProtocol):
            protocol.parser = None  # type: ignore[assignment]
            protocol.scope = protocol.headers = None  # type: ignore[assignment]

    def handshake(self, socket: EngineSocket, data: bytes) -> None:
        """The request of a new connection: served here, handed to the standard protocol, or refused."""
        request = parse_request(data)
        if request is None or not takes(request):  # uvicorn's own protocol answers what is not ours
            self._hand_over(socket, data)
            return
        response, refused = accept(request)
        if response is None:
            self._refuse(socket, refused or refusal(400, "Bad request."))
            return
        environ = engine_environ(request)
        origin = environ.get("HTTP_ORIGIN")
        if self.engine.cors_allowed_origins != [] and origin:  # as python-engineio checks it
            allowed = self.engine._cors_allowed_origins(environ)
            if allowed is not None and origin not in allowed:
                self._refuse(socket, refusal(400, f"{origin} is not an accepted origin."))
                return
        socket.open(response, environ)

    def _refuse(self, socket: EngineSocket, response: bytes) -> None:
        assert socket.transport is not None
        socket.transport.write(response)
        socket.transport.close()

    def _hand_over(self, socket: EngineSocket, data: bytes) -> None:
        transport, socket.transport = socket.transport, None
        assert transport is not None
        standard = WebSocketsSansIOProtocol(**self._standard)
        standard.connection_made(transport)
        transport.set_protocol(standard)
        standard.data_received(data)


def takes(request: Request) -> bool:
    """A new Engine.IO v4 connection over WebSocket on the Socket.IO path."""
    query = request.query
    return (
        request.path in (SOCKET_PATH, SOCKET_PATH.rstrip("/"))
        and query.get("EIO") == ["4"]
        and query.get("transport") == ["websocket"]
        and "sid" not in query
        and "j" not in query
    )


#: The request headers a connection's environ keeps: what python-engineio's origin check and wsChat's
#: connect handlers (``Origin`` against the tenant's allowed origins, ``Host``) read.
ENVIRON_HEADERS = ("host", "origin", "x-forwarded-proto", "x-forwarded-host")


def engine_environ(request: Request) -> dict[str, Any]:
    """The WSGI-style environ python-socketio gets with the connect: the request line, the headers above."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "PATH_INFO": request.path,
        "QUERY_STRING": request.query_string,
    }
    for name in ENVIRON_HEADERS:
        if name in request.headers:
            environ["HTTP_" + name.upper().replace("-", "_")] = request.headers[name]
    environ["wsgi.url_scheme"] = environ.get("HTTP_X_FORWARDED_PROTO", "http")
    return environ
