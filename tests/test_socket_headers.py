"""A Socket.IO connection keeps only the request headers read after its request
(wschat.server.socket_headers): the handlers still see what they check, over WebSocket and long polling,
and the rest is gone."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
import socketio

from tests.support import LiveServer, Peer
from wschat.accounts.models import Role
from wschat.config import Settings
from wschat.server.realtime import VISITOR
from wschat.server.socket_headers import is_socket_request, keep_socket_headers

SITE = "https://www.acme.example"
#: What a browser sends besides Origin; none of it is read after the request.
BROWSER = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0",
    "Accept-Language": "de-DE,de;q=0.9,en;q=0.8",
    "Cache-Control": "no-cache",
    "Cookie": "tracking=abc123",
}
DROPPED = ("HTTP_USER_AGENT", "HTTP_ACCEPT_LANGUAGE", "HTTP_CACHE_CONTROL", "HTTP_COOKIE")


@pytest.fixture(params=["lean", "standard"])
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """Both socket layers: wsChat's own (WebSocket) and python-engineio's (wschat.server.socket_layer)."""
    return replace(settings, socket_layer=request.param)


@pytest.fixture
async def acme(server: LiveServer) -> LiveServer:
    tenant = await server.make_tenant("acme")
    await server.make_user(tenant, "anna", Role.ADMIN)
    admin = await server.login("acme", "anna")
    await server.request("PATCH", "/api/tenant", json={"allowed_origins": [SITE]}, token=admin)
    return server


async def _visitor(server: LiveServer, transport: str, origin: str) -> Peer:
    reply = await server.request("POST", "/api/widget/acme/session", json={"token": None})
    client = socketio.AsyncClient(reconnection=False)
    server.clients.append(client)
    await client.connect(
        server.url,
        namespaces=[VISITOR],
        auth={"tenant": "acme", "token": reply.body["token"]},
        transports=[transport],
        headers={**BROWSER, "Origin": origin},
        wait_timeout=5,
    )
    return Peer(client, VISITOR)


def _environ(server: LiveServer, peer: Peer) -> dict[str, Any]:
    environ: dict[str, Any] = server.app.realtime.sio.get_environ(peer.client.get_sid(VISITOR), VISITOR)
    return environ


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_a_visitor_socket_keeps_only_the_headers_read_later(acme: LiveServer, transport: str) -> None:
    visitor = await _visitor(acme, transport, SITE)
    environ = _environ(acme, visitor)
    assert environ["HTTP_ORIGIN"] == SITE
    assert environ["HTTP_HOST"]
    for name in DROPPED:
        assert name not in environ, name
    if transport == "websocket" and acme.settings.socket_layer == "lean":
        assert "asgi.scope" not in environ  # wsChat's layer keeps no ASGI scope at all
    else:
        scope_headers = {name for name, _ in environ["asgi.scope"]["headers"]}
        assert not scope_headers & {b"user-agent", b"accept-language", b"cache-control", b"cookie"}
    # The socket works on: an event is handled and answered (a chat started) on the same connection.
    reply = await visitor.ok("chat.start")
    assert reply["conversation"]["status"] == "queued"  # no agent is on line
    assert await acme.app.runtime.db.count("conversations") == 1


async def test_the_origin_is_still_checked_with_the_headers_dropped(acme: LiveServer) -> None:
    """The headers kept are the ones the origin check reads: a foreign page is still refused."""
    with pytest.raises(socketio.exceptions.ConnectionError):
        await _visitor(acme, "websocket", "https://evil.example")
    assert await acme.app.runtime.db.count("conversations") == 0


def test_only_socket_requests_are_trimmed() -> None:
    for path in ("/socket.io", "/socket.io/", "/socket.io/?EIO=4"):
        assert is_socket_request({"path": path}), path
    for path in ("/socket.iox", "/api/widget/acme/session", "/", "/socket"):
        assert not is_socket_request({"path": path}), path
    scope = {"headers": [(b"host", b"a"), (b"user-agent", b"b"), (b"Origin", b"c"), (b"cookie", b"d")]}
    keep_socket_headers(scope)
    assert scope["headers"] == [(b"host", b"a"), (b"Origin", b"c")]
