"""The request headers a Socket.IO connection keeps for its lifetime: only those read after the request.

python-engineio turns the request that opens a connection into a WSGI-style ``environ`` with every header,
and keeps it (and uvicorn its ASGI scope) for as long as the connection is open. A browser sends a dozen
headers with a WebSocket request (User-Agent, Accept-Language, Sec-WebSocket-*, caching headers) that
nothing reads afterwards; across thousands of idle visitor sockets they are memory held for nothing
(docs/benchmarks.md, *Memory per socket*).

So the app hands a Socket.IO request on with the headers that are read after it: by python-engineio 4
(CORS and its preflight, the WebSocket upgrade, a long-polling body, response compression) and by wsChat's
connect handlers (``Origin`` and ``Host``, wschat.server.realtime). The scope's header list is replaced,
not copied, so that uvicorn's own copy is freed too; uvicorn reads a WebSocket scope's client and path
afterwards (its log lines), never its headers. The client address behind a trusted proxy is taken from
``X-Forwarded-For`` before this (wschat.proxies).

This is the standard path's (long polling, its upgrade, ``WSCHAT_SOCKET_LAYER=standard``); the widget's
WebSocket connections on wsChat's own layer never have a scope, and their ``environ`` holds the request
line, Host, Origin and the forwarded headers only (wschat.server.socket_layer).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

#: The Socket.IO endpoint (python-engineio's default path, which wsChat keeps).
SOCKET_PATH = "/socket.io/"

#: Read after the request, by python-engineio or wsChat; every other header is dropped.
KEPT = frozenset(
    {
        b"host",
        b"origin",
        b"connection",
        b"upgrade",
        b"content-type",
        b"content-length",
        b"accept-encoding",
        b"access-control-request-headers",
        b"x-forwarded-proto",
        b"x-forwarded-host",
    }
)


def is_socket_request(scope: MutableMapping[str, Any]) -> bool:
    """Whether python-socketio's app takes this request (as it decides: by the path's prefix)."""
    path = scope.get("path", "")
    return isinstance(path, str) and (path if path.endswith("/") else path + "/").startswith(SOCKET_PATH)


def keep_socket_headers(scope: MutableMapping[str, Any]) -> None:
    """Drop the headers of a Socket.IO request that nothing reads after it, in place."""
    scope["headers"] = [(name, value) for name, value in scope["headers"] if name.lower() in KEPT]
