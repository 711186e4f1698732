"""Visitors as the rules see them, and the payloads of the widget endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from pydantic import Field

from wschat.wire import WireModel


@dataclass(frozen=True)
class Visitor:
    id: str
    tenant_id: str
    first_seen: datetime
    last_seen: datetime
    name: str | None = None
    alias: str | None = None
    contact: dict[str, str] = field(default_factory=dict)
    ip: str | None = None
    user_agent: str | None = None


class WidgetSessionRequest(WireModel):
    #: The token the widget kept from an earlier visit, or null for a new visitor.
    token: Annotated[str, Field(min_length=1, max_length=128)] | None = None
