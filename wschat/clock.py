"""Time and ids, injected so that expiry and retention are tested without sleeping."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Now, in UTC, truncated to milliseconds (what BSON stores), so values round-trip unchanged."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def new_id(prefix: str) -> str:
    """A prefixed random id such as ``usr_3f9c…``: 96 bits, unguessable, sortable by nothing."""
    return f"{prefix}_{secrets.token_hex(12)}"


def aware(value: datetime | None) -> datetime | None:
    """A time without zone is taken as UTC (a date picker sends none)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
