"""``wschat stats [--tenant SLUG] [--json]``: every tenant's contract state, dates and usage, for the operator
who runs and bills the installation; the same as ``GET /api/operator/stats`` (docs/operations.md)."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from wschat.accounts.models import TenantStatus
from wschat.server.runtime import Runtime
from wschat.usage.models import StatsQuery, usage_wire
from wschat.usage.service import TenantUsage
from wschat.wire import parse

#: Columns of names and dates (to the left), then of figures (to the right).
WORDS = ("SLUG", "NAME", "STATE", "CREATED", "ENDS", "DELETED")
FIGURES = ("ADMINS", "AGENTS", "CHATS", "MESSAGES", "STORED")
HEADER = WORDS + FIGURES


def add_parser(commands: Any) -> None:
    stats = commands.add_parser("stats", help="every tenant's state, dates, users, last 30 days and storage")
    stats.add_argument("--tenant", metavar="SLUG", help="only this tenant")
    stats.add_argument("--json", action="store_true", help="as JSON (what GET /api/operator/stats answers)")
    stats.set_defaults(action=None)


async def run(rt: Runtime, args: argparse.Namespace) -> None:
    """Raises NotFound for an unknown tenant, ValidationFailed for a malformed slug."""
    query = parse(StatsQuery, {"tenant": args.tenant} if args.tenant is not None else {})
    found = [await rt.usage.tenant(query.tenant)] if query.tenant else await rt.usage.report()
    if args.json:
        print(json.dumps({"tenants": [usage_wire(item) for item in found]}, indent=2, ensure_ascii=False))
        return
    rows = [HEADER, *(_row(item) for item in found)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    for row in rows:
        cells = (_cell(cell, width, i) for i, (cell, width) in enumerate(zip(row, widths, strict=True)))
        print("  ".join(cells).rstrip())
    print("ENDS: the demo or contract; DELETED: its chat data; CHATS, MESSAGES: the last 30 days;")
    print("STORED: the bytes of its messages, photos and mails, approximately (docs/operations.md)")


def _row(item: TenantUsage) -> tuple[str, ...]:
    tenant, dates, usage = item.tenant, item.dates, item.usage
    state = (
        dates.state.value
        if tenant.status is TenantStatus.ACTIVE
        else f"{dates.state.value}, {tenant.status.value}"
    )
    return (
        tenant.slug,
        tenant.name,
        state + (", hold" if tenant.lifecycle.legal_hold else ""),
        _day(tenant.created_at),
        _day(dates.demo_ends_at or dates.contract_ends_at),
        _day(dates.chat_data_deleted_at),
        str(usage.admins),
        str(usage.agents),
        str(usage.recent_chats),
        str(usage.recent_messages),
        _bytes(usage.storage_bytes),
    )


def _cell(cell: str, width: int, column: int) -> str:
    return cell.ljust(width) if column < len(WORDS) else cell.rjust(width)


def _day(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d}" if moment else "-"


def _bytes(count: int) -> str:
    """Decimal units, as disks and bills count them."""
    if count < 1000:
        return f"{count} B"
    value = count / 1000
    for unit in ("KB", "MB", "GB"):
        if value < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"
