"""The operator's lifecycle API: ``/api/operator/tenants`` (list) and ``/api/operator/tenants/<slug>``
(show, and ``/contract``, ``/terminate``, ``/hold``, ``/release``), for the bearer of
``WSCHAT_OPERATOR_TOKEN``; without that setting these routes do not exist (docs/privacy.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from quart import Blueprint, Response

from wschat.accounts.contract import Customer, Dates
from wschat.accounts.models import Tenant
from wschat.boundary.http import json_response, read_json, require_bearer, service
from wschat.config import Settings
from wschat.lifecycle.models import ContractRequest, HoldRequest, TerminateRequest
from wschat.lifecycle.service import LifecycleService

blueprint = Blueprint("operator", __name__, url_prefix="/api/operator/tenants")


@blueprint.before_request
async def operator_only() -> None:
    """Only for the bearer of the operator's token; no such routes when the operator set none."""
    require_bearer(service(Settings).operator_token)


@blueprint.get("")
async def list_tenants() -> Response:
    lifecycle = service(LifecycleService)
    now = lifecycle.clock()
    tenants = await lifecycle.tenants.all()
    return json_response({"tenants": [operator_wire(t, t.dates(now)) for t in tenants]})


@blueprint.get("/<slug>")
async def show_tenant(slug: str) -> Response:
    tenant, dates = await service(LifecycleService).show(slug)
    return json_response({"tenant": operator_wire(tenant, dates)})


@blueprint.post("/<slug>/contract")
async def make_contract(slug: str) -> Response:
    return await _answer(await service(LifecycleService).contract(slug, await read_json(ContractRequest)))


@blueprint.post("/<slug>/terminate")
async def terminate(slug: str) -> Response:
    return await _answer(await service(LifecycleService).terminate(slug, await read_json(TerminateRequest)))


@blueprint.post("/<slug>/hold")
async def hold(slug: str) -> Response:
    return await _answer(await service(LifecycleService).hold(slug, await read_json(HoldRequest)))


@blueprint.post("/<slug>/release")
async def release(slug: str) -> Response:
    return await _answer(await service(LifecycleService).release(slug))


async def _answer(tenant: Tenant) -> Response:
    return json_response({"tenant": operator_wire(tenant, tenant.dates(service(LifecycleService).clock()))})


def operator_wire(tenant: Tenant, dates: Dates) -> dict[str, Any]:
    """What the operator sees of a tenant: its contract, every date, the hold and the steps done."""
    hold = tenant.lifecycle.legal_hold
    return {
        "id": tenant.id,
        "slug": tenant.slug,
        "name": tenant.name,
        "plan": tenant.plan.value,
        "status": tenant.status.value,
        "created_at": tenant.created_at.isoformat(),
        "contact_email": tenant.lifecycle.contact_email,
        "contract_since": _iso(tenant.lifecycle.contract_since),
        **dates.to_wire(),
        "legal_hold": {"reason": hold.reason, "since": hold.since.isoformat()} if hold else None,
        "done": {step: at.isoformat() for step, at in sorted(tenant.lifecycle.done.items())},
        "customer": _customer(tenant.lifecycle.customer),
    }


def _customer(customer: Customer | None) -> dict[str, Any] | None:
    """Who signed up for the demo (wschat/signup); None for a tenant the operator created."""
    if customer is None:
        return None
    return {
        "name": customer.name,
        "company": customer.company,
        "phone": customer.phone,
        "consent_text": customer.consent_text,
        "consent_at": _iso(customer.consent_at),
        "signed_up_at": customer.signed_up_at.isoformat(),
        "confirmed_at": customer.confirmed_at.isoformat(),
        "lang": customer.lang,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
