"""Two processes on one database are two scrapes: each names its node, and counts its own sockets and events.

Real servers on port 0 sharing a MongoDB database (FerretDB), scraped over their metrics listeners."""

from __future__ import annotations

from dataclasses import replace

import aiohttp
import pytest

from tests.support import FakeClock, start_server
from tests.test_metrics_access import families, listener_url
from wschat.config import Settings


@pytest.fixture
def backend() -> str:
    """Two processes share one database: the MongoDB adapter (a SQLite file belongs to one process)."""
    return "mongodb"


async def test_two_processes_on_one_database_are_scraped_apart(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    shared = replace(settings, metrics_address=("127.0.0.1", 0))
    async with start_server(shared, clock, http) as a, start_server(shared, clock, http) as b:
        tenant = await a.make_tenant("acme")
        await a.make_user(tenant, "bert")
        await (await a.agent(await a.login("acme", "bert"))).ok("status.set", {"status": "online"})
        await b.visitor()
        scraped = {}
        for server in (a, b):
            async with http.get(f"{listener_url(server)}/metrics") as r:
                scraped[server.app.runtime.node_id] = families(await r.text())
        await a.app.runtime.db.drop()

    assert len(scraped) == 2
    for node, metrics in scraped.items():
        assert [s.labels["node"] for s in metrics["wschat_node_info"]] == [node]
    sockets = [{s.labels["namespace"]: s.value for s in m["wschat_sockets"]} for m in scraped.values()]
    assert sockets == [{"/agent": 1, "/visitor": 0}, {"/agent": 0, "/visitor": 1}]
    events = [
        {s.labels["event"] for s in m["wschat_socket_events"] if s.name.endswith("_total")}
        for m in scraped.values()
    ]
    assert events == [{"status.set"}, set()]
