"""``GET /api/operator/stats``: every tenant's contract state, dates and usage, for the bearer of
``WSCHAT_OPERATOR_TOKEN``; without that setting the route does not exist (docs/operations.md)."""

from __future__ import annotations

from quart import Blueprint, Response, request

from wschat.boundary.http import json_response, require_bearer, service
from wschat.config import Settings
from wschat.usage.models import StatsQuery, usage_wire
from wschat.usage.service import UsageService
from wschat.wire import parse

blueprint = Blueprint("operator_stats", __name__, url_prefix="/api/operator/stats")


@blueprint.before_request
async def operator_only() -> None:
    """Only for the bearer of the operator's token; no such route when the operator set none."""
    require_bearer(service(Settings).operator_token)


@blueprint.get("")
async def stats() -> Response:
    """Every tenant (or the one ``?tenant=`` names) with its state, dates, users, recent chats, storage."""
    query = parse(StatsQuery, request.args.to_dict())
    usage = service(UsageService)
    found = [await usage.tenant(query.tenant)] if query.tenant else await usage.report()
    return json_response({"tenants": [usage_wire(item) for item in found]})
