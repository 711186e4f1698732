"""A tenant's retention settings: what its admins see and change, within the operator's maxima.

Deleting what is due is the runner's (``runner.py``); this only stores the choice, as tenant settings
(``settings.retention_days.<category>``, ``settings.ip_retention``), written field by field so that two
admins changing different categories do not undo each other.
"""

from __future__ import annotations

import logging
from typing import Any

from wschat.accounts.models import Principal, Tenant
from wschat.accounts.store import TenantStore
from wschat.clock import Clock
from wschat.config import RetentionSettings
from wschat.errors import Forbidden, NotFound, ValidationFailed
from wschat.retention.models import RetentionPatch, retention_wire
from wschat.retention.rules import BY_CATEGORY

log = logging.getLogger(__name__)


class RetentionService:
    def __init__(self, tenants: TenantStore, limits: RetentionSettings, clock: Clock) -> None:
        self.tenants = tenants
        self.limits = limits
        self.clock = clock

    def view(self, admin: Principal) -> dict[str, Any]:
        """The tenant's retention with the operator's maxima. Raises Forbidden for agents."""
        _check_admin(admin)
        return retention_wire(admin.tenant, self.limits)

    async def update(self, admin: Principal, patch: RetentionPatch) -> dict[str, Any]:
        """Change the days of the categories sent (``null``: back to the maximum) and the address action.
        Raises Forbidden for agents, ValidationFailed for days outside a category's bounds (nothing is
        changed then)."""
        _check_admin(admin)
        changes, removals = self.check_patch(patch)
        if not changes and not removals:
            return retention_wire(admin.tenant, self.limits)
        tenant = await self._store(admin.tenant, changes, removals)
        log.info("retention of tenant %s changed: %s", tenant.slug, ", ".join(sorted([*changes, *removals])))
        return retention_wire(tenant, self.limits)

    def check_patch(self, patch: RetentionPatch) -> tuple[dict[str, Any], list[str]]:
        """The stored fields the patch sets and removes. Raises ValidationFailed naming every bad field."""
        changes: dict[str, Any] = {}
        removals: list[str] = []
        errors: list[dict[str, str]] = []
        for category, days in (patch.days or {}).items():
            path = f"settings.retention_days.{category.value}"
            if days is None:
                removals.append(path)
                continue
            rule = BY_CATEGORY[category]
            maximum = rule.maximum(self.limits)
            minimum = min(rule.minimum, maximum)
            if not minimum <= days <= maximum:
                message = f"must be from {minimum} to {maximum} days (the most this installation allows)"
                errors.append({"field": f"days.{category.value}", "message": message})
            changes[path] = days
        if errors:
            raise ValidationFailed("A retention is outside what is allowed.", details={"fields": errors})
        if patch.ip_action is not None:
            changes["settings.ip_retention"] = patch.ip_action.value
        return changes, removals

    async def _store(self, tenant: Tenant, changes: dict[str, Any], removals: list[str]) -> Tenant:
        changed = await self.tenants.update(tenant.id, changes | {"updated_at": self.clock()}, removals)
        if changed is None:
            raise NotFound("There is no such tenant.")
        return changed


def _check_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("Only an admin may see or change how long data is kept.")
