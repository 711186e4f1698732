"""The parts behind two metrics, on their own: a store call that the database fails counts as a failure of
that store and operation; a queue's depth is read once per TTL however often it is scraped, and a queue
whose count fails is left out while the rest is served."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from wschat.database_url import DatabaseUrl
from wschat.server.metrics import Metrics
from wschat.server.queues import QUEUE_TTL, Queues
from wschat.storage import open_database
from wschat.storage.timed import TimedStore, timed_stores


def _samples(metrics: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(metrics.decode())
        for s in family.samples
    }


async def test_a_failed_store_call_counts_as_an_error_of_its_operation(tmp_path: Path) -> None:
    """A real SQLite database, closed under its stores: the driver raises, as it would for a broken file."""
    metrics = Metrics(dict)
    db = await open_database(DatabaseUrl.parse(f"sqlite://{tmp_path}/wschat.db"))
    stores = timed_stores(db.stores, metrics.store_operation)
    assert await stores.tenants.by_slug("acme") is None
    assert await stores.conversations.todo_count("ten_x") == 0
    await db.close()
    with pytest.raises(sqlite3.ProgrammingError):
        await stores.tenants.by_slug("acme")

    samples = _samples(await metrics.exposition())
    by_slug = (("operation", "by_slug"), ("store", "tenants"))
    assert samples[("wschat_store_seconds_count", by_slug)] == 2
    assert samples[("wschat_store_errors_total", by_slug)] == 1
    assert ("wschat_store_errors_total", (("operation", "todo_count"), ("store", "conversations"))) in samples
    assert isinstance(stores.tenants, TimedStore)
    assert "by_slug" in vars(stores.tenants)  # built once, then found on the wrapper itself


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_queue_is_counted_once_per_ttl_whoever_scrapes() -> None:
    clock, reads = _Clock(), []

    async def depth() -> Mapping[str, int]:
        reads.append(clock.now)
        return {"pending": len(reads)}

    queues = Queues(clock)
    queues.add("webhooks", depth)
    for _ in range(3):
        await queues.refresh()
    clock.now += QUEUE_TTL + 0.1
    await queues.refresh()

    assert reads == [100.0, 100.0 + QUEUE_TTL + 0.1]
    [family] = list(queues.collect())
    assert [(s.labels, s.value) for s in family.samples] == [({"queue": "webhooks", "state": "pending"}, 2)]


async def test_a_queue_whose_count_fails_is_left_out(caplog: pytest.LogCaptureFixture) -> None:
    async def broken() -> Mapping[str, int]:
        raise sqlite3.OperationalError("database is locked")

    async def outbox() -> Mapping[str, int]:
        return {"queued": 4}

    metrics = Metrics(dict)
    metrics.queue("webhooks", broken)
    metrics.queue("outbox", outbox)
    samples = _samples(await metrics.exposition())

    depth = {labels: value for (name, labels), value in samples.items() if name == "wschat_queue_depth"}
    assert depth == {(("queue", "outbox"), ("state", "queued")): 4}
    assert "queue webhooks: its depth could not be read: OperationalError" in caplog.text
