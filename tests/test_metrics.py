"""``GET /metrics``: Prometheus metrics of one process, for the bearer of ``WSCHAT_METRICS_TOKEN`` only.

Scraped from a real server after real traffic and parsed with ``prometheus_client.parser``."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import fields, replace
from datetime import timedelta

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from tests.storage.builders import new_mail
from tests.support import FakeClock, LiveServer, start_server, wait_for
from wschat import __version__
from wschat.clock import utc_now
from wschat.config import Secret, Settings
from wschat.mail.models import MailStatus
from wschat.storage.timed import TimedStore

TOKEN = secrets.token_urlsafe(32)


@pytest.fixture
async def watched(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> AsyncIterator[LiveServer]:
    chat = replace(settings.chat, janitor_interval=0.05)  # housekeeping is timed within the test
    async with start_server(replace(settings, metrics_token=Secret(TOKEN), chat=chat), clock, http) as live:
        yield live


async def _scrape(server: LiveServer) -> dict[str, list[Sample]]:
    async with server.http.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = await r.text()
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


async def test_events_sockets_and_the_node_are_counted(watched: LiveServer) -> None:
    tenant = await watched.make_tenant("acme")
    await watched.make_user(tenant, "bert")
    bert = await watched.agent(await watched.login("acme", "bert"))
    visitor = await watched.visitor()
    await bert.ok("status.set", {"status": "online"})
    await visitor.ok("chat.start")
    assert await visitor.error("message.send", {"conversation_id": "nonsense"}) == "VALIDATION_FAILED"
    metrics = await _scrape(watched)

    events = {
        (s.labels["namespace"], s.labels["event"], s.labels["outcome"]): s.value
        for s in metrics["wschat_socket_events"]
        if s.name.endswith("_total")
    }
    assert events[("/agent", "status.set", "ok")] == 1
    assert events[("/visitor", "chat.start", "ok")] == 1
    assert events[("/visitor", "message.send", "VALIDATION_FAILED")] == 1
    acks = {
        s.labels["namespace"]: s.value
        for s in metrics["wschat_socket_event_seconds"]
        if s.name.endswith("_count")
    }
    assert acks == {"/agent": 1, "/visitor": 2}
    sockets = {s.labels["namespace"]: s.value for s in metrics["wschat_sockets"]}
    assert sockets == {"/agent": 1, "/visitor": 1}
    [node] = metrics["wschat_node_info"]
    assert node.labels == {"node": watched.app.runtime.node_id, "version": __version__}
    assert "process_resident_memory_bytes" in metrics


async def test_housekeeping_steps_are_timed(watched: LiveServer) -> None:
    steps: set[str] = set()

    async def timed() -> bool:
        samples = (await _scrape(watched))["wschat_housekeeping_seconds"]
        steps.update(s.labels["step"] for s in samples if s.name.endswith("_count") and s.value >= 1)
        # The last step (the round is done), and the mail's own task.
        return {"clients catch up after a failed publish", "send queued mail"} <= steps

    await wait_for(timed)
    assert {"janitor", "expire call invitations", "clients catch up after a failed publish"} <= steps


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer " + "a" * 43]
)
async def test_metrics_need_the_token(watched: LiveServer, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    async with watched.http.get(f"{watched.url}/metrics", headers=headers) as r:
        assert r.status == 401
        assert (await r.json())["error"]["code"] == "AUTH_INVALID"
        assert TOKEN not in await r.text()


async def test_without_a_token_there_is_no_metrics_page(server: LiveServer) -> None:
    reply = await server.request("GET", "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert reply.status == 404
    assert reply.body["error"]["code"] == "NOT_FOUND"


async def test_store_calls_are_timed_by_store_and_operation(watched: LiveServer) -> None:
    tenant = await watched.make_tenant("acme")
    await watched.make_user(tenant, "bert")
    bert = await watched.agent(await watched.login("acme", "bert"))
    visitor = await watched.visitor()
    await bert.ok("status.set", {"status": "online"})
    started = await visitor.ok("chat.start")
    await visitor.ok(
        "message.send", {"conversation_id": started["conversation"]["id"], "text": "Hallo", "client_id": "c1"}
    )
    metrics = await _scrape(watched)

    calls = {
        (s.labels["store"], s.labels["operation"]): s.value
        for s in metrics["wschat_store_seconds"]
        if s.name.endswith("_count")
    }
    assert calls[("conversations", "insert")] >= 1
    assert calls[("messages", "append")] >= 1
    assert calls[("users", "by_login")] >= 1
    assert all(s.value == 0 for s in metrics["wschat_store_errors"])  # counted by their labels when they fail


async def test_stores_are_wrapped_only_when_metrics_are_on(watched: LiveServer) -> None:
    assert isinstance(watched.app.runtime.db.stores.messages, TimedStore)


async def test_stores_are_not_wrapped_when_metrics_are_off(server: LiveServer) -> None:
    stores = server.app.runtime.db.stores
    assert not any(isinstance(getattr(stores, f.name), TimedStore) for f in fields(stores))


async def test_the_outbox_queue_is_counted_by_state(watched: LiveServer) -> None:
    tenant = await watched.make_tenant("acme")
    later = utc_now() + timedelta(hours=1)  # not due: the worker leaves them where they are
    outbox = watched.app.runtime.db.stores.outbox
    for tried in (0, 0, 2):
        await outbox.insert(new_mail(tenant, next_attempt_at=later, attempts=tried))
    await outbox.insert(new_mail(tenant, status=MailStatus.FAILED, next_attempt_at=None, attempts=5))

    depth = {
        (s.labels["queue"], s.labels["state"]): s.value
        for s in (await _scrape(watched))["wschat_queue_depth"]
    }
    assert depth == {
        ("outbox", "queued"): 2,
        ("outbox", "retrying"): 1,
        ("outbox", "sending"): 0,
        ("outbox", "failed"): 1,
        ("webhooks", "queued"): 0,
        ("webhooks", "retrying"): 0,
    }
