"""The categories' rules without a server: the days a tenant keeps, and a sweep made from a store method that
only counts (the way the audit log's category will be added)."""

from __future__ import annotations

from datetime import datetime

from tests.storage.builders import at, new_tenant
from wschat.accounts.models import TenantSettings
from wschat.config import RetentionSettings
from wschat.privacy.ip import shorten_ip
from wschat.retention.rules import RULES, Category, IpAction, days_kept, ip_action
from wschat.retention.runner import counted

LIMITS = RetentionSettings(chat_days=365, ip_days=30, mail_days=90)


def test_every_category_has_one_rule_with_a_minimum_below_its_default_maximum() -> None:
    assert [rule.category for rule in RULES] == list(Category)
    assert all(0 <= rule.minimum <= rule.maximum(RetentionSettings()) for rule in RULES)


def test_a_tenant_keeps_its_choice_never_more_than_the_maximum_else_the_maximum() -> None:
    chosen = TenantSettings(retention_days={"chat": 30, "mail": 400})
    assert days_kept(chosen, LIMITS, Category.CHAT) == 30
    assert days_kept(chosen, LIMITS, Category.MAIL) == 90, "a maximum lowered after the choice"
    assert days_kept(chosen, LIMITS, Category.IP) == 30
    assert days_kept(TenantSettings(), RetentionSettings(ip_days=0), Category.IP) == 0


def test_addresses_are_deleted_unless_the_tenant_chose_to_shorten_them() -> None:
    assert ip_action(TenantSettings()) is IpAction.DELETE
    assert ip_action(TenantSettings(ip_retention="shorten")) is IpAction.SHORTEN
    assert ip_action(TenantSettings(ip_retention="something else")) is IpAction.DELETE
    assert [shorten_ip(a) for a in ("203.0.113.0", "2001:db8:1::", "::ffff:203.0.113.9", "junk")] == [
        "203.0.0.0",
        "2001:db8::",
        "203.0.0.0",
        "",
    ]


async def test_a_store_method_that_counts_becomes_a_sweep() -> None:
    left = {"acme": 3}
    asked: list[tuple[str, datetime, int]] = []

    async def delete_before(tenant_id: str, before: datetime, limit: int) -> int:
        asked.append((tenant_id, before, limit))
        deleted = min(limit, left.get(tenant_id, 0))
        left[tenant_id] = left.get(tenant_id, 0) - deleted
        return deleted

    sweep = counted("audit", delete_before)
    tenant = new_tenant("acme", id="acme")
    swept = [await sweep(tenant, at(0), 2) for _ in range(3)]

    assert [(s.taken, s.counts) for s in swept] == [(2, {"audit": 2}), (1, {"audit": 1}), (0, {})]
    assert asked[0] == ("acme", at(0), 2)
