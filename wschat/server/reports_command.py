"""``wschat reports rebuild``: count a tenant's stored chats into its daily report rows again, replacing
the figures of the days in the period (docs/reports.md, *Rebuilding*). Safe beside a running server: a
chat closing meanwhile is counted once, by whichever comes first."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from wschat.errors import ValidationFailed
from wschat.reports.chats import day_of
from wschat.server.runtime import Runtime


def add_parser(commands: Any) -> None:
    reports = commands.add_parser("reports", help="the tenants' reports").add_subparsers(
        dest="action", required=True
    )
    rebuild = reports.add_parser("rebuild", help="count a tenant's stored chats into its reports again")
    rebuild.add_argument("--tenant", required=True, help="the tenant's slug")
    rebuild.add_argument("--from", dest="since", help="first day, YYYY-MM-DD (default: the tenant's first)")
    rebuild.add_argument("--to", dest="until", help="last day, YYYY-MM-DD (default: today, UTC)")


def _day(value: str | None, name: str, default: date) -> date:
    if value is None:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{name} must be a date as YYYY-MM-DD, not {value[:40]!r}.") from None


async def run(rt: Runtime, args: argparse.Namespace) -> None:
    """Raises NotFound (no such tenant), ValidationFailed (a malformed date), InvalidRange (reversed)."""
    tenant = await rt.accounts.tenant(args.tenant)
    since = _day(args.since, "--from", day_of(tenant.created_at))
    until = _day(args.until, "--to", day_of(rt.clock()))
    counted = await rt.report_counting.rebuild(tenant.id, since, until)
    print(f"reports of {tenant.slug} rebuilt from {since} to {until}: {counted} chats counted")
