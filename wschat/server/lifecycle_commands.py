"""``wschat tenant contract | terminate | hold | release | show``: the operator drives a tenant's contract
(docs/privacy.md, *Lifecycle*). The same commands exist as ``/api/operator/tenants/…``."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from wschat.accounts.contract import Dates
from wschat.accounts.models import Tenant
from wschat.lifecycle.models import ContractRequest, HoldRequest, TerminateRequest
from wschat.server.runtime import Runtime
from wschat.wire import parse

ACTIONS = ("contract", "terminate", "hold", "release", "show")


def add_parsers(tenant: Any) -> None:
    """The lifecycle actions under ``wschat tenant``."""
    contract = tenant.add_parser("contract", help="a demo (or an ended contract) becomes a contract")
    contract.add_argument("slug")
    contract.add_argument("--email", help="where notices of the contract's end go")
    terminate = tenant.add_parser("terminate", help="end a contract (or a demo early) after its last day")
    terminate.add_argument("slug")
    terminate.add_argument("--last-day", required=True, help="the last day it works (YYYY-MM-DD, UTC)")
    hold = tenant.add_parser("hold", help="a legal hold: nothing of the tenant is deleted until released")
    hold.add_argument("slug")
    hold.add_argument("--reason", required=True, help="why (kept with the hold; never logged)")
    release = tenant.add_parser("release", help="lift the legal hold")
    release.add_argument("slug")
    show = tenant.add_parser("show", help="a tenant's contract state and every date of its lifecycle")
    show.add_argument("slug")


async def run(rt: Runtime, args: argparse.Namespace) -> None:
    lifecycle = rt.lifecycle
    if args.action == "contract":
        fields = {"contact_email": args.email} if args.email is not None else {}
        tenant = await lifecycle.contract(args.slug, parse(ContractRequest, fields))
        print(f"tenant {tenant.slug} has a contract")
    elif args.action == "terminate":
        tenant = await lifecycle.terminate(args.slug, parse(TerminateRequest, {"last_day": args.last_day}))
        print(f"tenant {tenant.slug} ends after {args.last_day}")
    elif args.action == "hold":
        tenant = await lifecycle.hold(args.slug, parse(HoldRequest, {"reason": args.reason}))
        print(f"tenant {tenant.slug} is under a legal hold: nothing of it is deleted until released")
    elif args.action == "release":
        tenant = await lifecycle.release(args.slug)
        print(f"released the legal hold of tenant {tenant.slug}")
    tenant, dates = await lifecycle.show(args.slug)
    if args.action == "show":
        print(describe(tenant, dates))


def describe(tenant: Tenant, dates: Dates) -> str:
    """The tenant's lifecycle as lines of ``name: value``."""
    hold = tenant.lifecycle.legal_hold
    rows: list[tuple[str, str]] = [
        ("tenant", f"{tenant.slug} ({tenant.name})"),
        (
            "state",
            dates.state.value + ("" if tenant.status.value == "active" else f", {tenant.status.value}"),
        ),
        ("contact", tenant.lifecycle.contact_email or "-"),
        ("created", _day(tenant.created_at)),
        ("contract since", _day(tenant.lifecycle.contract_since)),
        ("demo ends", _day(dates.demo_ends_at)),
        ("contract ends", _day(dates.contract_ends_at)),
        ("chat data deleted", _day(dates.chat_data_deleted_at)),
        ("export until", _day(dates.export_until)),
        ("master data deleted", _day(dates.master_data_deleted_at)),
        ("legal hold", f"since {_day(hold.since)}: {hold.reason}" if hold else "-"),
    ]
    rows += [(f"done: {step}", _day(at)) for step, at in sorted(tenant.lifecycle.done.items())]
    if (customer := tenant.lifecycle.customer) is not None:  # a demo sign-up (wschat/signup)
        rows += [
            ("signed up by", f"{customer.name} ({customer.company})"),
            ("signed up", f"{_day(customer.signed_up_at)}, confirmed {_day(customer.confirmed_at)}"),
            ("phone", f"{customer.phone}, consent {_day(customer.consent_at)}" if customer.phone else "-"),
        ]
    width = max(len(name) for name, _ in rows) + 1
    return "\n".join(f"{name + ':':<{width}} {value}" for name, value in rows)


def _day(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "-"
