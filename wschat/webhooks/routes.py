"""The admin's webhook endpoints (docs/webhooks.md): ``/api/webhooks`` (list, register),
``/api/webhooks/<id>`` (change, delete), ``/api/webhooks/deliveries`` (the log, by pages) and
``…/deliveries/<id>/resend``."""

from __future__ import annotations

from quart import Blueprint, Response, request

from wschat.accounts.signed_in import current_principal
from wschat.boundary.http import json_response, read_json, service
from wschat.webhooks.models import DeliveryQuery, EndpointCreate, EndpointUpdate, WebhookEvent
from wschat.webhooks.service import WebhookService
from wschat.wire import parse

blueprint = Blueprint("webhooks", __name__, url_prefix="/api/webhooks")


@blueprint.get("")
async def endpoints() -> Response:
    """The tenant's webhook endpoints (never their secrets), and the events one can subscribe to."""
    found = await service(WebhookService).endpoints(await current_principal())
    events = [event.value for event in WebhookEvent]
    return json_response({"endpoints": [e.to_wire() for e in found], "events": events})


@blueprint.post("")
async def create() -> Response:
    """Register an endpoint; the answer holds its signing secret, shown this once."""
    principal = await current_principal()
    endpoint, secret = await service(WebhookService).create(principal, await read_json(EndpointCreate))
    return json_response({"endpoint": endpoint.to_wire(), "secret": secret.reveal()}, 201)


@blueprint.patch("/<endpoint_id>")
async def update(endpoint_id: str) -> Response:
    """Change an endpoint; with ``rotate_secret`` the answer holds the new secret, shown this once."""
    principal = await current_principal()
    body = await read_json(EndpointUpdate)
    endpoint, secret = await service(WebhookService).update(principal, endpoint_id, body)
    answer = {"endpoint": endpoint.to_wire()}
    return json_response(answer | {"secret": secret.reveal()} if secret is not None else answer)


@blueprint.delete("/<endpoint_id>")
async def delete(endpoint_id: str) -> Response:
    """Delete an endpoint and its deliveries."""
    await service(WebhookService).delete(await current_principal(), endpoint_id)
    return Response(status=204)


@blueprint.get("/deliveries")
async def deliveries() -> Response:
    """The tenant's deliveries (``?endpoint_id=`` for one endpoint's), newest first, by pages."""
    principal = await current_principal()
    query = parse(DeliveryQuery, request.args.to_dict())
    found, before = await service(WebhookService).deliveries(principal, query)
    return json_response({"deliveries": [d.to_wire() for d in found], "next_before": before})


@blueprint.post("/deliveries/<delivery_id>/resend")
async def resend(delivery_id: str) -> Response:
    """Send a delivered or failed delivery again, now."""
    delivery = await service(WebhookService).send_again(await current_principal(), delivery_id)
    return json_response({"delivery": delivery.to_wire()}, 202)
