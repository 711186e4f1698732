"""What the mail rules ask of storage: the outbox, and a tenant's stored mail server settings.

Every method that reads or changes one tenant's records takes the tenant and puts it into its query; only
:meth:`OutboxStore.due` looks across tenants, since one worker per process sends every tenant's mail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from wschat.mail.models import MailStatus, OutgoingMail
from wschat.records import Document


class Superseded(Exception):
    """Another change of the same mail claimed its next epoch first (another worker, an admin's retry)."""


class OutboxStore(Protocol):
    async def insert(self, mail: OutgoingMail) -> None:
        """Store a new mail (its id is new); returns once it is durable."""

    async def get(self, tenant_id: str, mail_id: str) -> OutgoingMail | None: ...

    async def due(self, now: datetime, limit: int) -> list[OutgoingMail]:
        """Mails of any tenant to try now: queued ones whose next try has come, and sending ones whose
        lease ran out (their sender died), oldest first."""

    async def transition(self, mail: OutgoingMail, changed: OutgoingMail, now: datetime) -> OutgoingMail:
        """Store ``changed`` as the next epoch of ``mail``; raises :class:`Superseded` if someone else
        changed it first (neither change is then mixed into the other)."""

    async def page(
        self, tenant_id: str, status: MailStatus, before: OutgoingMail | None, limit: int
    ) -> list[OutgoingMail]:
        """The tenant's mails in ``status``, newest first, after ``before`` in that order."""

    async def depth(self) -> dict[str, int]:
        """The queue of every tenant: ``queued`` (waiting for their first try), ``retrying`` (waiting again
        after a failed try), ``sending`` (claimed now), counted through the index of the mails still to send;
        and ``failed`` (given up, kept until retention deletes them), through the tenants' status index."""


class MailRecords(Protocol):
    """A tenant's mail server settings as stored: a map, the password sealed (see settings_store.py)."""

    async def get(self, tenant_id: str) -> Document:
        """The stored map; empty if nothing was set (or there is no such tenant)."""

    async def replace(self, tenant_id: str, values: dict[str, Any]) -> bool:
        """Store ``values`` as the whole map; False for an unknown tenant."""
