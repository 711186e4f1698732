"""The wiring of the webhooks (wschat/webhooks): the service, its worker, and what follows the events."""

from __future__ import annotations

from dataclasses import dataclass

from wschat.audit.service import AuditService
from wschat.boundary.domain_events import DomainEvents
from wschat.clock import Clock
from wschat.config import Settings
from wschat.proxies import parse_networks
from wschat.sealing import Sealer
from wschat.server.subscriptions import subscribe_webhooks
from wschat.storage import Stores
from wschat.webhooks.addresses import AddressGuard
from wschat.webhooks.feed import WebhookFeed
from wschat.webhooks.sender import WebhookSender
from wschat.webhooks.service import WebhookService
from wschat.webhooks.worker import DeliveryWorker


@dataclass(frozen=True)
class Webhooks:
    service: WebhookService
    #: Sends the queued deliveries; the app runs it in a task of its own, under a lease.
    worker: DeliveryWorker


def webhook_services(
    settings: Settings,
    stores: Stores,
    clock: Clock,
    events: DomainEvents,
    audit: AuditService,
    *,
    holder: str,
) -> Webhooks:
    guard = AddressGuard(parse_networks(settings.webhook_allow_networks))
    service = WebhookService(
        stores.webhook_endpoints,
        stores.webhook_deliveries,
        stores.visitors,
        guard,
        Sealer(settings.secret_key),
        clock,
        audit=audit,
        on_queued=lambda: worker.wake(),
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
    feed = WebhookFeed(service, stores.visitors, stores.conversations, stores.messages, clock)
    subscribe_webhooks(events, feed)
    return Webhooks(service, worker)
