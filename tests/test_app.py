from __future__ import annotations

from tests.support import LiveServer


async def test_healthz_answers(server: LiveServer) -> None:
    reply = await server.request("GET", "/healthz")
    assert (reply.status, reply.body) == (200, {"status": "ok"})


async def test_readyz_pings_the_database(server: LiveServer) -> None:
    reply = await server.request("GET", "/readyz")
    assert (reply.status, reply.body) == (200, {"status": "ready"})
