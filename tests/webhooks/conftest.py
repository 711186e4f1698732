"""Fixtures of the webhook tests: a real receiver on 127.0.0.1 (allowed through the operator's list, as
``WSCHAT_WEBHOOK_ALLOW_NETWORKS=127.0.0.1/32`` allows it), and the webhook service and worker over a real
database (SQLite file, or MongoDB for ``both_backends``) with a fake clock.

Host names resolve through :class:`Names`: the ones a test sets up answer with its addresses (as a DNS
server of the test's choosing would), every other name through the system's resolver.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace

import pytest

from tests.support import PASSWORD, FakeClock
from tests.webhooks.receiver import Receiver
from wschat.accounts.models import AgentCreate, Plan, Principal, Role
from wschat.config import Settings
from wschat.sealing import Sealer
from wschat.server.runtime import Runtime, build_runtime
from wschat.server.transport import NoTransport
from wschat.storage import Database, open_database
from wschat.webhooks.addresses import AddressGuard, system_resolve
from wschat.webhooks.models import EndpointCreate, WebhookEvent
from wschat.webhooks.sender import WebhookSender
from wschat.webhooks.service import WebhookService
from wschat.webhooks.worker import DeliveryWorker

#: The operator's list of the tests: the receiver's loopback address, nothing else.
ALLOWED = "127.0.0.1/32"


@dataclass
class Names:
    """A resolver a test can point names with."""

    table: dict[str, list[str]] = field(default_factory=dict)

    async def __call__(self, host: str, port: int) -> list[str]:
        if host in self.table:
            return self.table[host]
        return await system_resolve(host, port)


@dataclass
class Desk:
    """The webhook service and one process's worker over ``db``; tenant acme with admin Anna."""

    db: Database
    service: WebhookService
    worker: DeliveryWorker
    anna: Principal
    names: Names

    async def endpoint(self, url: str, *events: WebhookEvent) -> tuple[str, str]:
        """Register ``url`` for ``events`` (all if none); its id and secret."""
        body = EndpointCreate(url=url, events=list(events or WebhookEvent))
        endpoint, secret = await self.service.create(self.anna, body)
        return endpoint.id, secret.reveal()


def build_desk(db: Database, settings: Settings, clock: FakeClock, anna: Principal, *, holder: str) -> Desk:
    """The webhook parts as ``wschat serve`` builds them (wschat/server/webhooks.py), with :class:`Names`."""
    names = Names()
    guard = AddressGuard((ipaddress.ip_network(ALLOWED),), names)
    stores = db.stores
    service = WebhookService(
        stores.webhook_endpoints,
        stores.webhook_deliveries,
        stores.visitors,
        guard,
        Sealer(settings.secret_key),
        clock,
    )
    worker = DeliveryWorker(
        service,
        stores.webhook_endpoints,
        stores.webhook_deliveries,
        WebhookSender(guard),
        stores.leases,
        clock,
        holder=holder,
    )
    return Desk(db, service, worker, anna, names)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = Receiver()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def hook_settings(settings: Settings) -> Settings:
    return replace(settings, webhook_allow_networks=ALLOWED)


@pytest.fixture
async def runtime(hook_settings: Settings, clock: FakeClock) -> AsyncIterator[Runtime]:
    """A runtime as one ``wschat serve`` process builds it (no sockets); its MongoDB database is dropped."""
    db = await open_database(hook_settings.database_url, mongo_database=hook_settings.database.mongo_database)
    rt = build_runtime(hook_settings, db, clock, NoTransport())
    try:
        yield rt
    finally:
        await rt.close()
        if db.kind == "mongodb":
            await db.drop()
        await db.close()


@pytest.fixture
async def anna(runtime: Runtime) -> Principal:
    tenant = await runtime.accounts.create_tenant("acme", "ACME GmbH", Plan.CONTRACT)
    spec = AgentCreate(login="anna", display_name="Anna", password=PASSWORD, role=Role.ADMIN)
    return Principal(await runtime.accounts.create_user(tenant, spec), tenant)


@pytest.fixture
def desk(runtime: Runtime, hook_settings: Settings, clock: FakeClock, anna: Principal) -> Desk:
    return build_desk(runtime.db, hook_settings, clock, anna, holder="node_a")
