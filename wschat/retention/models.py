"""The admin's retention settings on the wire: ``GET``/``PATCH /api/tenant/retention`` (docs/protocol.md)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from wschat.accounts.models import Tenant
from wschat.config import RetentionSettings
from wschat.retention.rules import RULES, Category, IpAction, days_kept, ip_action
from wschat.wire import WireModel

#: Category names arrive as JSON strings; strict mode would only take enum members.
CategoryName = Annotated[Category, Field(strict=False)]
IpActionName = Annotated[IpAction, Field(strict=False)]
#: Whole days (``30.0``, ``"30"`` and ``true`` are refused); each category's bounds are checked against
#: the operator's maxima by the service.
Days = Annotated[int, Field(ge=0)]


class RetentionPatch(WireModel):
    """Days per category (``null``: back to the operator's maximum), and what becomes of an address."""

    days: dict[CategoryName, Days | None] | None = None
    ip_action: IpActionName | None = None


def retention_wire(tenant: Tenant, limits: RetentionSettings) -> dict[str, Any]:
    """The tenant's retention as its admins see it: per category the days kept, the operator's maximum,
    the fewest days allowed and whether the tenant chose (else it keeps the maximum)."""
    settings = tenant.settings
    categories = {
        rule.category.value: {
            "days": days_kept(settings, limits, rule.category),
            "max_days": rule.maximum(limits),
            "min_days": min(rule.minimum, rule.maximum(limits)),
            "chosen": rule.category.value in settings.retention_days,
        }
        for rule in RULES
    }
    return {
        "categories": categories,
        "ip_action": ip_action(settings).value,
        # Nothing is deleted while the operator holds the tenant's data (its reason is the operator's).
        "legal_hold": tenant.lifecycle.legal_hold is not None,
    }
