"""``/metrics`` on a listener of its own (``WSCHAT_METRICS_ADDRESS``), without the token: for a scraper on a
private network that the public port's reverse proxy never forwards to.

It speaks just enough HTTP/1.1 for a scraper: one request per connection (answered with
``Connection: close``), its head read within :data:`READ_TIMEOUT` seconds and at most :data:`HEAD_LIMIT`
bytes, ``GET`` or ``HEAD`` of ``/metrics`` (any query ignored). Anything else is answered with the same
JSON errors as the main port (``NOT_FOUND``, ``VALIDATION_FAILED``). It starts and stops with the app
(Quart's ``while_serving``), so every way of running the app has it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

import orjson

from wschat.errors import ConfigError, NotFound, ValidationFailed, WsChatError
from wschat.server.metrics import CONTENT_TYPE, Metrics

READ_TIMEOUT = 10.0
HEAD_LIMIT = 8192
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found"}


class MetricsListener:
    def __init__(self, metrics: Metrics, address: tuple[str, int]) -> None:
        self._metrics = metrics
        self._address = address
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        """The port it listens on (the one picked, for port 0)."""
        assert self._server is not None, "the listener has not started"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        """Listen; raises ConfigError naming WSCHAT_METRICS_ADDRESS if the address cannot be used."""
        sock = listening_socket(self._address)
        self._server = await asyncio.start_server(self._serve, sock=sock, limit=HEAD_LIMIT)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(READ_TIMEOUT):
                head = await reader.readuntil(b"\r\n\r\n")
            method, status, body, content_type = await self._answer(head)
            writer.write(_head(status, len(body), content_type) + (b"" if method == "HEAD" else body))
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass  # a scraper that went away or never finished its request: nothing to answer
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, head: bytes) -> tuple[str, int, bytes, str]:
        method, _, rest = head.split(b"\r\n", 1)[0].decode("latin-1").partition(" ")
        target, _, version = rest.partition(" ")
        if not version.startswith("HTTP/1."):
            return method, *_error(ValidationFailed("Not an HTTP/1.x request."))
        if method not in ("GET", "HEAD") or target.partition("?")[0] != "/metrics":
            return method, *_error(NotFound())
        return method, 200, await self._metrics.exposition(), CONTENT_TYPE


def listening_socket(address: tuple[str, int]) -> socket.socket:
    """A TCP socket bound to ``address`` and listening; raises ConfigError naming WSCHAT_METRICS_ADDRESS
    (``wschat serve`` calls it before it starts, so that a taken address stops it with one line)."""
    host, port = address
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise ConfigError("WSCHAT_METRICS_ADDRESS", f"cannot listen on {host}:{port}: {e.strerror}") from None
    sock.listen(64)
    return sock


def _error(error: WsChatError) -> tuple[int, bytes, str]:
    return error.status, orjson.dumps({"error": error.to_wire()}), "application/json"


def _head(status: int, length: int, content_type: str) -> bytes:
    lines = [
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}",
        f"Content-Type: {content_type}",
        f"Content-Length: {length}",
        "Cache-Control: no-store",
        "Connection: close",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()
