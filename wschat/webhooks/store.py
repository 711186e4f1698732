"""What the webhook rules ask of storage: a tenant's endpoints, and the deliveries (a durable queue and the
log the console shows).

Every method that reads or changes one tenant's records takes the tenant and puts it into its query; only
:meth:`DeliveryStore.due` and :meth:`DeliveryStore.delete_older` look across tenants, for the worker.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from wschat.webhooks.models import Delivery, Endpoint


class EndpointStore(Protocol):
    async def insert(self, endpoint: Endpoint) -> None: ...

    async def get(self, tenant_id: str, endpoint_id: str) -> Endpoint | None: ...

    async def of_tenant(self, tenant_id: str) -> list[Endpoint]:
        """The tenant's endpoints, oldest first (a tenant has a handful)."""

    async def replace(self, endpoint: Endpoint) -> bool:
        """Store ``endpoint`` whole over the one with its id and tenant; False if there is none."""

    async def delete(self, tenant_id: str, endpoint_id: str) -> bool:
        """Delete the endpoint and its deliveries; False if there was none."""


class DeliveryStore(Protocol):
    async def insert(self, delivery: Delivery) -> bool:
        """Store a new delivery; False (and nothing changed) if its id is stored already: an event
        recorded again (an interrupted close completed by housekeeping) is queued once."""

    async def get(self, tenant_id: str, delivery_id: str) -> Delivery | None: ...

    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        """Pending deliveries of any tenant whose next try has come, the longest waiting first."""

    async def update(self, delivery: Delivery) -> bool:
        """Store the delivery's new state (everything but its id, tenant, endpoint, event and body)."""

    async def page(
        self, tenant_id: str, endpoint_id: str | None, before: Delivery | None, limit: int
    ) -> list[Delivery]:
        """The tenant's deliveries (of one endpoint, if given), newest first, after ``before``."""

    async def delete_older(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` deliveries of any tenant made before ``before``; how many went."""

    async def forget_visitor(self, tenant_id: str, visitor_id: str) -> int:
        """Delete the deliveries about one visitor (their data's erasure); how many went."""

    async def depth(self) -> dict[str, int]:
        """The queue of every tenant for the metrics: pending deliveries never tried (``queued``) and those
        waiting for another try (``retrying``); read through the index of pending ones only."""
