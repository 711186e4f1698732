"""The delivery worker: each process runs one; the one that holds the lease (:data:`LEASE`) sends.

A round takes the due deliveries, sends them (a few at once), and stores each outcome. Deliveries are stored
before they are sent (wschat/webhooks/service.py), so a crash or ``SIGKILL`` loses none:

- before a try: the delivery is pending and due; the next round, in any process, sends it.
- after the receiver got it, before the outcome was stored: the delivery is still pending, and goes out
  again on the next round, with the same ``X-WsChat-Delivery`` id, which is how the receiver drops the
  second copy (at-least-once; docs/webhooks.md). The lease outlasts a round, so while its holder lives no
  other process sends the same delivery.

A failed try (any answer but 2xx, a timeout, a refused address) is tried again after 30 s, 1 min, 2 min …
doubling up to :data:`MAX_DELAY`; once a try fails after ``retry_until`` (24 h after the event), the delivery
is ``failed`` and waits for an admin's "send again" in the console.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta

from wschat import __version__
from wschat.chat.lease_store import LeaseStore
from wschat.clock import Clock
from wschat.sealing import Unsealable
from wschat.webhooks.models import Delivery, DeliveryStatus
from wschat.webhooks.sender import TIMEOUT, Outcome, WebhookSender
from wschat.webhooks.service import WebhookService
from wschat.webhooks.signing import HEADER, signature
from wschat.webhooks.store import DeliveryStore, EndpointStore

log = logging.getLogger(__name__)

LEASE = "webhooks"
#: Deliveries per round, and how many of them are sent at once.
BATCH = 40
PARALLEL = 8
#: Longer than a round can take (BATCH / PARALLEL tries of at most TIMEOUT each, plus the database).
LEASE_TIME = timedelta(seconds=BATCH / PARALLEL * TIMEOUT * 4)
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=4)
#: How long the console's log keeps a delivery (its body holds the event's personal data).
KEEP = timedelta(days=30)
_PURGE_BATCH = 500
#: How often a process deletes deliveries older than :data:`KEEP` (and the first time at once).
PURGE_EVERY = timedelta(minutes=10)


def next_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 30 s, 1 min, 2 min, … up to :data:`MAX_DELAY`."""
    delay: timedelta = FIRST_DELAY * 2 ** max(attempts - 1, 0)
    return min(delay, MAX_DELAY)


class DeliveryWorker:
    def __init__(
        self,
        webhooks: WebhookService,
        endpoints: EndpointStore,
        deliveries: DeliveryStore,
        sender: WebhookSender,
        leases: LeaseStore,
        clock: Clock,
        *,
        holder: str,
    ) -> None:
        self._webhooks = webhooks
        self._endpoints = endpoints
        self._deliveries = deliveries
        self._sender = sender
        self._leases = leases
        self._clock = clock
        self._holder = holder
        self._wake = asyncio.Event()
        self._purged_at: datetime | None = None

    def wake(self) -> None:
        """Start the next round now (a delivery was queued in this process)."""
        self._wake.set()

    async def wait(self, interval: float) -> None:
        """Until :meth:`wake` is called, or ``interval`` seconds pass."""
        try:
            async with asyncio.timeout(interval):
                await self._wake.wait()
        except TimeoutError:
            pass
        self._wake.clear()

    async def run_once(self) -> int:
        """Send every due delivery (up to :data:`BATCH`) if this process holds the lease; how many were
        delivered."""
        now = self._clock()
        purge = self._purged_at is None or now - self._purged_at >= PURGE_EVERY
        # Nothing due is the common case: one read through the queue's index, no lease taken.
        if not purge and not await self._deliveries.due(now, 1):
            return 0
        if not await self._leases.acquire(LEASE, self._holder, now, now + LEASE_TIME):
            return 0
        try:
            due = await self._deliveries.due(now, BATCH)
            gate = asyncio.Semaphore(PARALLEL)

            async def one(delivery: Delivery) -> bool:
                async with gate:
                    return await self._try(delivery)

            delivered = sum(await asyncio.gather(*(one(d) for d in due)))
            if purge:
                self._purged_at = now
                await self._deliveries.delete_older(now - KEEP, _PURGE_BATCH)
        finally:
            await self._leases.release(LEASE, self._holder)
        if len(due) == BATCH:
            self.wake()
        return delivered

    async def _try(self, delivery: Delivery) -> bool:
        outcome = await self._send(delivery)
        now = self._clock()
        stored = await self._deliveries.update(self._after(delivery, outcome, now))
        return stored and outcome.delivered

    async def _send(self, delivery: Delivery) -> Outcome:
        endpoint = await self._endpoints.get(delivery.tenant_id, delivery.endpoint_id)
        if endpoint is None:
            return Outcome(False, error="the endpoint was deleted", permanent=True)
        if not endpoint.enabled:
            return Outcome(False, error="the endpoint is switched off", permanent=True)
        if delivery.visitor_id is not None and await self._webhooks.restricted(
            delivery.tenant_id, delivery.visitor_id
        ):
            return Outcome(False, error="the visitor restricted the processing of their data", permanent=True)
        try:
            secret = self._webhooks.secret_of(endpoint)
        except Unsealable:
            log.error("the secret of webhook endpoint %s does not open with this server's key", endpoint.id)
            return Outcome(False, error="the endpoint's secret cannot be read; rotate it in the console")
        body = delivery.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"wsChat-Webhooks/{__version__}",
            "X-WsChat-Event": delivery.event.value,
            "X-WsChat-Delivery": delivery.id,
            HEADER: signature(secret.reveal(), int(self._clock().timestamp()), body),
        }
        return await self._sender.send(endpoint.url, headers, body)

    def _after(self, delivery: Delivery, outcome: Outcome, now: datetime) -> Delivery:
        tried = replace(
            delivery,
            attempts=delivery.attempts + 1,
            last_attempt_at=now,
            response_status=outcome.status,
            response_body=outcome.body,
            last_error=outcome.error,
        )
        if outcome.delivered:
            log.info("webhook delivery %s delivered (try %d)", delivery.id, tried.attempts)
            return replace(tried, status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None)
        if now >= delivery.retry_until or outcome.permanent:
            log.warning("webhook delivery %s failed for good: %s", delivery.id, outcome.error)
            return replace(tried, status=DeliveryStatus.FAILED, next_attempt_at=None)
        next_at = min(now + next_delay(tried.attempts), delivery.retry_until)
        log.info("webhook delivery %s not delivered (%s); next try %s", delivery.id, outcome.error, next_at)
        return replace(tried, next_attempt_at=next_at)
