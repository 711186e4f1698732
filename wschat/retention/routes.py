"""The admin's retention settings: ``GET``/``PATCH /api/tenant/retention``."""

from __future__ import annotations

from quart import Blueprint, Response

from wschat.accounts.signed_in import current_principal
from wschat.boundary.http import json_response, read_json, service
from wschat.retention.models import RetentionPatch
from wschat.retention.service import RetentionService

blueprint = Blueprint("retention", __name__, url_prefix="/api/tenant")


@blueprint.get("/retention")
async def get_retention() -> Response:
    """How long each data category is kept, with the operator's maxima (admins)."""
    retention = service(RetentionService).view(await current_principal())
    return json_response({"retention": retention})


@blueprint.patch("/retention")
async def update_retention() -> Response:
    """Change the days of data categories (within the maxima) or what becomes of IP addresses (admins)."""
    principal = await current_principal()
    retention = await service(RetentionService).update(principal, await read_json(RetentionPatch))
    return json_response({"retention": retention})
