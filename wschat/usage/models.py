"""The usage report on the wire: ``GET /api/operator/stats`` and ``wschat stats --json`` give the same."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wschat.accounts.models import Slug
from wschat.usage.service import TenantUsage
from wschat.wire import WireModel


class StatsQuery(WireModel):
    """``GET /api/operator/stats[?tenant=<slug>]``: every tenant, or one."""

    tenant: Slug | None = None


def usage_wire(item: TenantUsage) -> dict[str, Any]:
    tenant, usage = item.tenant, item.usage
    return {
        "slug": tenant.slug,
        "name": tenant.name,
        "plan": tenant.plan.value,
        "status": tenant.status.value,
        "created_at": tenant.created_at.isoformat(),
        "contract_since": _iso(tenant.lifecycle.contract_since),
        **item.dates.to_wire(),
        "legal_hold": tenant.lifecycle.legal_hold is not None,
        "users": {"admins": usage.admins, "agents": usage.agents},
        "last_30_days": {
            "since": item.since.isoformat(),
            "chats": usage.recent_chats,
            "messages": usage.recent_messages,
        },
        "stored": {"chats": usage.chats, "messages": usage.messages, "bytes": usage.storage_bytes},
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
