"""Visitor sessions: the widget's token, of which only a hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from wschat.accounts.models import Tenant
from wschat.boundary.domain_events import DomainEvents
from wschat.boundary.protocol import Event
from wschat.boundary.publisher import Publisher
from wschat.clock import Clock, new_id
from wschat.errors import AuthInvalid, RateLimited, ValidationFailed
from wschat.limits.counter import HitCounter
from wschat.privacy.geo import country_of
from wschat.privacy.ip import stored_ip
from wschat.visitors.models import ContactSubmit, ContactSubmitted, Visitor
from wschat.visitors.store import VisitorStore
from wschat.wire import clean_line

MAX_USER_AGENT = 512


@dataclass(frozen=True)
class VisitorSession:
    visitor: Visitor
    token: str
    created: bool


def hash_token(token: str) -> str:
    # The token carries 256 random bits, so a plain SHA-256 is enough to make the stored value useless.
    return hashlib.sha256(token.encode()).hexdigest()


class VisitorService:
    def __init__(
        self,
        visitors: VisitorStore,
        clock: Clock,
        publisher: Publisher | None = None,
        *,
        new_sessions: HitCounter,
        events: DomainEvents | None = None,
    ) -> None:
        self.events = events or DomainEvents()
        self.visitors = visitors
        self.clock = clock
        self.publisher = publisher
        #: New sessions per client IP (WSCHAT_NEW_VISITORS_PER_MINUTE).
        self._new_sessions = new_sessions

    async def open_session(
        self, tenant: Tenant, token: str | None, *, ip: str | None, user_agent: str | None
    ) -> VisitorSession:
        """The visitor behind a known token, or a new visitor with a new 256-bit token.

        Raises RateLimited when ``ip`` opened too many new sessions in the last minute.
        """
        if token:
            known = await self.visitors.by_token_hash(tenant.id, hash_token(token))
            if known is not None:
                visitor = await self.visitors.touch(tenant.id, known.id, self.clock()) or known
                return VisitorSession(visitor, token, created=False)
        address = ip or "unknown"
        if await self._new_sessions.is_limited(address):
            raise RateLimited("Too many new chat sessions from this address. Please wait a minute.")
        await self._new_sessions.hit(address)
        now = self.clock()
        token = secrets.token_urlsafe(32)
        visitor = Visitor(
            id=new_id("vis"),
            tenant_id=tenant.id,
            first_seen=now,
            last_seen=now,
            ip=stored_ip(ip, truncate=tenant.settings.ip_truncation),
            # From the full address, before truncation; only the country code is kept.
            country=country_of(ip),
            user_agent=clean_line(user_agent or "")[:MAX_USER_AGENT] or None,
        )
        await self.visitors.insert(visitor, hash_token(token))
        return VisitorSession(visitor, token, created=True)

    async def submit_contact(self, visitor: Visitor, contact: ContactSubmit) -> Visitor:
        """Name, e-mail and phone left by the visitor; agents get ``visitor.updated``."""
        given = contact.model_dump(include={"name", "email", "phone"}, exclude_none=True)
        if not given:
            raise ValidationFailed("Leave at least a name, an e-mail address or a phone number.")
        updated = await self.visitors.set_contact(visitor.tenant_id, visitor.id, {**visitor.contact, **given})
        if updated is None:
            raise AuthInvalid("This chat session is unknown. Please reload the page.")
        if self.publisher is not None:
            await self.publisher.to_agents(
                visitor.tenant_id, Event.VISITOR_UPDATED, {"visitor": updated.to_wire()}
            )
        await self.events.publish(ContactSubmitted(updated, contact.conversation_id))
        return updated

    async def by_id(self, tenant_id: str, visitor_id: str) -> Visitor | None:
        return await self.visitors.by_id(tenant_id, visitor_id)

    async def authenticate(self, tenant: Tenant, token: str) -> Visitor:
        """Raises AuthInvalid for an unknown token."""
        visitor = await self.visitors.by_token_hash(tenant.id, hash_token(token)) if token else None
        if visitor is None:
            raise AuthInvalid("This chat session is unknown. Please reload the page.")
        return visitor
