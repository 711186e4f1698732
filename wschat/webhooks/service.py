"""The webhook rules: an admin's endpoints (checked against the address guard, the secret sealed and shown
once), the deliveries' log and "send again", and :meth:`WebhookService.enqueue`, which every event calls.

An event becomes one delivery per endpoint that subscribed to it, stored before anything is sent (the worker
sends it, wschat/webhooks/worker.py). A delivery's id is derived from the endpoint and the event's key, so
an event recorded again (housekeeping completing an interrupted close, a form sent twice) is queued once;
the id goes out as ``X-WsChat-Delivery``, the receiver's idempotency key.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import orjson

from wschat.accounts.models import Principal
from wschat.audit.models import Action, Target, TargetKind, actor_of
from wschat.audit.service import AuditService
from wschat.clock import Clock, new_id
from wschat.errors import Conflict, Forbidden, LimitReached, NotFound
from wschat.sealing import Sealer
from wschat.secret import Secret
from wschat.visitors.store import VisitorStore
from wschat.webhooks.addresses import AddressGuard, parse_url
from wschat.webhooks.models import (
    GIVE_UP_AFTER,
    MAX_ENDPOINTS,
    Delivery,
    DeliveryQuery,
    DeliveryStatus,
    Endpoint,
    EndpointCreate,
    EndpointUpdate,
    WebhookEvent,
    utc_iso,
)
from wschat.webhooks.signing import new_secret
from wschat.webhooks.store import DeliveryStore, EndpointStore

log = logging.getLogger(__name__)


def _place(endpoint: Endpoint) -> str:
    return f"webhook:{endpoint.tenant_id}:{endpoint.id}:secret"


class WebhookService:
    def __init__(
        self,
        endpoints: EndpointStore,
        deliveries: DeliveryStore,
        visitors: VisitorStore,
        guard: AddressGuard,
        sealer: Sealer,
        clock: Clock,
        *,
        audit: AuditService | None = None,
        on_queued: Callable[[], None] = lambda: None,
    ) -> None:
        #: Every endpoint registered, changed or deleted is recorded there (where the tenant's data goes).
        self._audit = audit
        self._endpoints = endpoints
        self._deliveries = deliveries
        self._visitors = visitors
        self._guard = guard
        self._sealer = sealer
        self._clock = clock
        self._on_queued = on_queued

    # -- the admin's endpoints ---------------------------------------------------------------------------

    async def endpoints(self, admin: Principal) -> list[Endpoint]:
        """Raises FORBIDDEN for agents."""
        _check_admin(admin)
        return await self._endpoints.of_tenant(admin.tenant.id)

    async def create(self, admin: Principal, body: EndpointCreate) -> tuple[Endpoint, Secret]:
        """Register an endpoint; returns it and its signing secret (shown this once). Raises FORBIDDEN,
        WEBHOOK_URL_INVALID, WEBHOOK_ADDRESS_FORBIDDEN, LIMIT_REACHED; nothing is stored then."""
        _check_admin(admin)
        await self._guard.check(body.url)
        tenant_id = admin.tenant.id
        if len(await self._endpoints.of_tenant(tenant_id)) >= MAX_ENDPOINTS:
            raise LimitReached(f"A tenant can have at most {MAX_ENDPOINTS} webhook endpoints.")
        now = self._clock()
        endpoint = Endpoint(
            id=new_id("whk"),
            tenant_id=tenant_id,
            url=body.url,
            events=tuple(body.events),
            created_at=now,
            updated_at=now,
            description=body.description,
            enabled=body.enabled,
        )
        secret = new_secret()
        endpoint = replace(endpoint, secret=self._sealer.seal(secret, place=_place(endpoint)))
        await self._endpoints.insert(endpoint)
        log.info("webhook endpoint %s registered in tenant %s", endpoint.id, admin.tenant.slug)
        await self._record(admin, Action.WEBHOOK_CREATED, endpoint, {})
        return endpoint, Secret(secret)

    async def update(
        self, admin: Principal, endpoint_id: str, body: EndpointUpdate
    ) -> tuple[Endpoint, Secret | None]:
        """Change the fields given; with ``rotate_secret`` a new secret is returned (shown this once).
        Raises FORBIDDEN, NOT_FOUND, WEBHOOK_URL_INVALID, WEBHOOK_ADDRESS_FORBIDDEN; nothing changes then."""
        _check_admin(admin)
        endpoint = await self._own_endpoint(admin, endpoint_id)
        if body.url is not None:
            await self._guard.check(body.url)
        changed = replace(
            endpoint,
            url=body.url if body.url is not None else endpoint.url,
            events=tuple(body.events) if body.events is not None else endpoint.events,
            description=body.description if body.description is not None else endpoint.description,
            enabled=body.enabled if body.enabled is not None else endpoint.enabled,
            updated_at=self._clock(),
        )
        secret = None
        if body.rotate_secret:
            secret = Secret(new_secret())
            changed = replace(changed, secret=self._sealer.seal(secret.reveal(), place=_place(changed)))
        if not await self._endpoints.replace(changed):
            raise NotFound("There is no such webhook endpoint.")
        fields = sorted(body.model_fields_set - {"rotate_secret"})
        await self._record(
            admin, Action.WEBHOOK_CHANGED, changed, {"fields": fields, "secret_rotated": secret is not None}
        )
        return changed, secret

    async def delete(self, admin: Principal, endpoint_id: str) -> None:
        """Delete the endpoint and its deliveries. Raises FORBIDDEN, NOT_FOUND."""
        _check_admin(admin)
        endpoint = await self._own_endpoint(admin, endpoint_id)
        if not await self._endpoints.delete(admin.tenant.id, endpoint_id):
            raise NotFound("There is no such webhook endpoint.")
        log.info("webhook endpoint %s deleted in tenant %s", endpoint_id, admin.tenant.slug)
        await self._record(admin, Action.WEBHOOK_DELETED, endpoint, {})

    def secret_of(self, endpoint: Endpoint) -> Secret:
        """The endpoint's signing secret. Raises :class:`~wschat.sealing.Unsealable`."""
        return self._sealer.open(endpoint.secret, place=_place(endpoint))

    # -- the deliveries ----------------------------------------------------------------------------------

    async def deliveries(self, admin: Principal, query: DeliveryQuery) -> tuple[list[Delivery], str | None]:
        """One page of the tenant's deliveries, newest first, and the ``before`` of the next page (None on
        the last). Raises FORBIDDEN, NOT_FOUND (an unknown ``before``)."""
        _check_admin(admin)
        before = await self._own_delivery(admin, query.before) if query.before is not None else None
        found = await self._deliveries.page(admin.tenant.id, query.endpoint_id, before, query.limit + 1)
        more = len(found) > query.limit
        found = found[: query.limit]
        return found, found[-1].id if more else None

    async def send_again(self, admin: Principal, delivery_id: str) -> Delivery:
        """Queue a delivered or failed delivery to be sent now, same id and body, tried for another 24 h.
        Raises FORBIDDEN, NOT_FOUND, CONFLICT (still pending)."""
        _check_admin(admin)
        delivery = await self._own_delivery(admin, delivery_id)
        if delivery.status is DeliveryStatus.PENDING:
            raise Conflict("This delivery is waiting to be sent already.")
        now = self._clock()
        again = replace(
            delivery,
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
            retry_until=now + GIVE_UP_AFTER,
            last_error=None,
        )
        if not await self._deliveries.update(again):
            raise NotFound("There is no such delivery.")
        log.info("webhook delivery %s queued again in tenant %s", delivery.id, admin.tenant.slug)
        self._on_queued()
        return again

    # -- events ------------------------------------------------------------------------------------------

    async def enqueue(
        self,
        tenant_id: str,
        event: WebhookEvent | str,
        data: dict[str, Any],
        *,
        key: str,
        visitor_id: str | None = None,
    ) -> list[Delivery]:
        """Queue ``event`` with ``data`` (JSON-ready) for each of the tenant's endpoints that subscribed to
        it; returns the deliveries new. ``key`` names the event itself (``"<conversation id>"``): the same
        key again queues nothing more. Nothing is queued about a visitor who restricted their data.
        Raises ValueError for an unknown event name."""
        event = WebhookEvent(event)
        if visitor_id is not None and await self.restricted(tenant_id, visitor_id):
            return []
        endpoints = [e for e in await self._endpoints.of_tenant(tenant_id) if e.enabled and event in e.events]
        now = self._clock()
        queued = []
        for endpoint in endpoints:
            delivery_id = _delivery_id(endpoint.id, event, key)
            envelope = {
                "id": delivery_id,
                "event": event.value,
                "created_at": utc_iso(now),
                "tenant_id": tenant_id,
                "data": data,
            }
            delivery = Delivery(
                id=delivery_id,
                tenant_id=tenant_id,
                endpoint_id=endpoint.id,
                event=event,
                body=orjson.dumps(envelope).decode(),
                created_at=now,
                retry_until=now + GIVE_UP_AFTER,
                visitor_id=visitor_id,
                next_attempt_at=now,
            )
            if await self._deliveries.insert(delivery):
                queued.append(delivery)
        if queued:
            log.info("webhook %s queued for %d endpoint(s) of tenant %s", event.value, len(queued), tenant_id)
            self._on_queued()
        return queued

    async def wanted(self, tenant_id: str, event: WebhookEvent) -> bool:
        """Whether any enabled endpoint of the tenant subscribed to ``event`` (before building a body)."""
        return any(e.enabled and event in e.events for e in await self._endpoints.of_tenant(tenant_id))

    async def restricted(self, tenant_id: str, visitor_id: str) -> bool:
        """Whether the visitor restricted the processing of their data (GDPR Art. 18): then nothing about
        them is sent anywhere."""
        visitor = await self._visitors.by_id(tenant_id, visitor_id)
        return visitor is not None and visitor.restricted

    async def _record(
        self, admin: Principal, action: Action, endpoint: Endpoint, more: dict[str, Any]
    ) -> None:
        """The audit entry: which endpoint, its host and events (never its path or query: they may hold a
        token of the receiver's)."""
        if self._audit is None:
            return
        details: dict[str, Any] = {"endpoint_id": endpoint.id, "host": parse_url(endpoint.url).host}
        details |= {"events": [e.value for e in endpoint.events], "enabled": endpoint.enabled} | more
        target = Target(TargetKind.TENANT, admin.tenant.id)
        await self._audit.record(admin.tenant.id, actor_of(admin), action, target, details)

    async def _own_endpoint(self, admin: Principal, endpoint_id: str) -> Endpoint:
        endpoint = await self._endpoints.get(admin.tenant.id, endpoint_id)
        if endpoint is None:
            raise NotFound("There is no such webhook endpoint.")
        return endpoint

    async def _own_delivery(self, admin: Principal, delivery_id: str) -> Delivery:
        delivery = await self._deliveries.get(admin.tenant.id, delivery_id)
        if delivery is None:
            raise NotFound("There is no such delivery.")
        return delivery


def _delivery_id(endpoint_id: str, event: WebhookEvent, key: str) -> str:
    digest = hashlib.sha256(f"{endpoint_id}\n{event.value}\n{key}".encode()).hexdigest()
    return f"whd_{digest[:24]}"


def _check_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("Only an admin may see or change the webhooks.")
