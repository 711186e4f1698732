"""Webhooks across a hard kill: ``wschat serve`` as a process, SIGKILLed after an event was queued (and
tried once) while the receiver was down; after a restart with the receiver up, the delivery arrives
exactly once, at its next try (30 s after the first)."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import aiohttp
import pytest
import socketio

from tests.mail.test_hard_kill import _admin, _bearer
from tests.support import wait_for
from tests.test_cli import served
from tests.webhooks.receiver import Receiver


@pytest.mark.slow
@pytest.mark.both_backends
@pytest.mark.timeout(240)
async def test_hard_kill_a_queued_delivery_goes_out_once_after_the_restart(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest, receiver: Receiver
) -> None:
    data_dir = tmp_path / "var"
    env = {"WSCHAT_WEBHOOK_ALLOW_NETWORKS": "127.0.0.1/32"}
    if backend == "mongodb":
        env |= {
            "WSCHAT_DATABASE_URL": request.getfixturevalue("mongodb_uri"),
            "WSCHAT_MONGODB_DB": f"kill_{tmp_path.name}"[:60],
        }
    async with served(data_dir, **env) as server, aiohttp.ClientSession() as http:
        token = await _admin(http, server.url, data_dir)
        hook = {"url": receiver.url, "events": ["contact.submitted"]}
        async with http.post(f"{server.url}/api/webhooks", json=hook, headers=_bearer(token)) as reply:
            assert reply.status == 201, await reply.text()
        await receiver.stop()  # the CRM is down
        await _contact(http, server.url)
        await wait_for(lambda: _tried(http, server.url, token), timeout=30)
        server.process.send_signal(signal.SIGKILL)  # no shutdown, no flush
        await server.process.wait()
    assert receiver.received == []

    await receiver.start()
    async with served(data_dir, **env) as again, aiohttp.ClientSession() as http:
        # Its next try is 30 s after the first; should the kill have come while the dead process held the
        # delivery lease (between storing the outcome and letting go), the lease's 100 s come first.
        await wait_for(lambda: len(receiver.received) == 1, timeout=150)
        token = await _admin(http, again.url, data_dir)

        async def delivered() -> bool:
            async with http.get(f"{again.url}/api/webhooks/deliveries", headers=_bearer(token)) as r:
                return [d["status"] for d in (await r.json())["deliveries"]] == ["delivered"]

        await wait_for(delivered, timeout=30)
    [got] = receiver.received
    assert json.loads(got.body)["data"]["visitor"]["contact"]["email"] == "kim@example.org"


async def _tried(http: aiohttp.ClientSession, url: str, token: str) -> bool:
    async with http.get(f"{url}/api/webhooks/deliveries", headers=_bearer(token)) as reply:
        deliveries = (await reply.json())["deliveries"]
    return [(d["status"], d["attempts"]) for d in deliveries] == [("pending", 1)]


async def _contact(http: aiohttp.ClientSession, url: str) -> None:
    """A visitor of the demo tenant leaves an e-mail address in the widget."""
    async with http.post(f"{url}/api/widget/demo/session", json={"token": None}) as reply:
        token = (await reply.json())["token"]
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        url, namespaces=["/visitor"], auth={"tenant": "demo", "token": token}, transports=["websocket"]
    )
    try:
        ack = await client.call(
            "contact.submit", {"email": "kim@example.org"}, namespace="/visitor", timeout=10
        )
        assert ack["ok"] is True, ack
    finally:
        await client.disconnect()
