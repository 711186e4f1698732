"""The operator's usage report: every tenant with its contract state and dates, and what it uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from wschat.accounts.contract import Dates
from wschat.accounts.models import Tenant
from wschat.accounts.store import TenantStore
from wschat.clock import Clock
from wschat.errors import NotFound
from wschat.usage.store import Usage, UsageStore

#: What "recent" means in the report: the chats and messages of the last 30 days.
WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class TenantUsage:
    tenant: Tenant
    dates: Dates
    usage: Usage
    #: Where the recent window starts.
    since: datetime


class UsageService:
    def __init__(self, tenants: TenantStore, usage: UsageStore, clock: Clock) -> None:
        self._tenants = tenants
        self._usage = usage
        self.clock = clock

    async def report(self) -> list[TenantUsage]:
        """Every tenant, by slug, one after the other (each costs what that tenant has stored)."""
        now = self.clock()
        tenants = sorted(await self._tenants.all(), key=lambda t: t.slug)
        return [await self._of(tenant, now) for tenant in tenants]

    async def tenant(self, slug: str) -> TenantUsage:
        """One tenant's figures; raises NotFound for an unknown slug."""
        tenant = await self._tenants.by_slug(slug)
        if tenant is None:
            raise NotFound("No such tenant.")
        return await self._of(tenant, self.clock())

    async def _of(self, tenant: Tenant, now: datetime) -> TenantUsage:
        since = now - WINDOW
        return TenantUsage(tenant, tenant.dates(now), await self._usage.usage(tenant.id, since), since)
