"""The data categories a running tenant keeps for a while, and how long: the operator allows a maximum per
category (``WSCHAT_RETENTION_*_DAYS``), the tenant's admins choose within it (docs/privacy.md, *Retention
inside a running tenant*).

A category is one entry of :data:`RULES`: its category, the fewest days a tenant may choose, and the
operator's maximum (a field of :class:`~wschat.config.RetentionSettings`); its sweeps are entries in the
runner (wschat/retention/runner.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from wschat.accounts.models import TenantSettings
from wschat.config import AUDIT_MIN_DAYS, RetentionSettings


class Category(StrEnum):
    #: Closed conversations with their messages, transitions, transcripts records and calls; the answer
    #: address of an offline message; a visitor whose chats all went, with their page trail.
    CHAT = "chat"
    #: A visitor's stored IP address.
    IP = "ip"
    #: Sent and finally failed mails of the outbox (transcripts, answers, notices).
    MAIL = "mail"
    #: Entries of the audit log (wschat/audit), counted from when they were recorded.
    AUDIT = "audit"


class IpAction(StrEnum):
    """What becomes of a visitor's address when its days are up."""

    DELETE = "delete"
    #: IPv4 /16, IPv6 /32 (wschat/privacy/ip.py): a provider and a region, no longer a line.
    SHORTEN = "shorten"


@dataclass(frozen=True)
class Rule:
    category: Category
    #: The fewest days a tenant may choose: 0 means "at the next run".
    minimum: int
    #: The operator's maximum for the category.
    maximum: Callable[[RetentionSettings], int]


RULES: tuple[Rule, ...] = (
    Rule(Category.CHAT, 1, lambda limits: limits.chat_days),
    Rule(Category.IP, 0, lambda limits: limits.ip_days),
    Rule(Category.MAIL, 1, lambda limits: limits.mail_days),
    # An audit trail that could be cut to a day would prove nothing: a tenant keeps it a month at least.
    Rule(Category.AUDIT, AUDIT_MIN_DAYS, lambda limits: limits.audit_days),
)
BY_CATEGORY = {rule.category: rule for rule in RULES}


def days_kept(settings: TenantSettings, limits: RetentionSettings, category: Category) -> int:
    """The days the tenant keeps ``category``: its choice, never above the operator's maximum (which may
    have been lowered since), the maximum if it chose nothing."""
    maximum = BY_CATEGORY[category].maximum(limits)
    chosen = settings.retention_days.get(category.value)
    return maximum if chosen is None else min(chosen, maximum)


def ip_action(settings: TenantSettings) -> IpAction:
    return IpAction.SHORTEN if settings.ip_retention == IpAction.SHORTEN.value else IpAction.DELETE
