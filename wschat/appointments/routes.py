"""Appointments over HTTP: the admins' set-up (``/api/appointments/types``, ``…/hours/<agent>``,
``…/settings``), the console's list and cancel (``/api/appointments``), and the page the mail's link opens
(``/appointments/manage``), which cancels with a plain form post: no script, no request elsewhere."""

from __future__ import annotations

from quart import Blueprint, Response, request

from wschat.accounts.signed_in import current_principal
from wschat.appointments.booking import Bookings
from wschat.appointments.changes import Changes
from wschat.appointments.models import HoursBody, SettingsBody, TypeBody, UpcomingQuery
from wschat.appointments.page import error_page, manage_page
from wschat.appointments.setup import AppointmentSetup
from wschat.boundary.http import json_response, read_json, service
from wschat.errors import WsChatError
from wschat.web.csp import page_csp
from wschat.wire import parse

blueprint = Blueprint("appointments", __name__)
API = "/api/appointments"


@blueprint.get(f"{API}/types")
async def list_types() -> Response:
    """The tenant's types (agents read them to offer one)."""
    principal = await current_principal()
    types = await service(AppointmentSetup).types(principal.tenant.id)
    return json_response({"types": [kind.to_wire() for kind in types]})


@blueprint.post(f"{API}/types")
async def create_type() -> Response:
    principal = await current_principal()
    kind = await service(AppointmentSetup).put_type(principal, None, await read_json(TypeBody))
    return json_response({"type": kind.to_wire()}, 201)


@blueprint.put(f"{API}/types/<type_id>")
async def replace_type(type_id: str) -> Response:
    principal = await current_principal()
    kind = await service(AppointmentSetup).put_type(principal, type_id, await read_json(TypeBody))
    return json_response({"type": kind.to_wire()})


@blueprint.delete(f"{API}/types/<type_id>")
async def delete_type(type_id: str) -> Response:
    await service(AppointmentSetup).delete_type(await current_principal(), type_id)
    return Response(status=204)


@blueprint.get(f"{API}/hours/<agent_id>")
async def get_hours(agent_id: str) -> Response:
    hours = await service(AppointmentSetup).hours(await current_principal(), agent_id)
    return json_response({"hours": hours})


@blueprint.put(f"{API}/hours/<agent_id>")
async def put_hours(agent_id: str) -> Response:
    principal = await current_principal()
    hours = await service(AppointmentSetup).put_hours(principal, agent_id, await read_json(HoursBody))
    return json_response({"hours": hours})


@blueprint.get(f"{API}/settings")
async def get_settings() -> Response:
    principal = await current_principal()
    settings = await service(AppointmentSetup).settings(principal.tenant.id)
    return json_response({"settings": settings.to_wire()})


@blueprint.put(f"{API}/settings")
async def put_settings() -> Response:
    principal = await current_principal()
    settings = await service(AppointmentSetup).put_settings(principal, await read_json(SettingsBody))
    return json_response({"settings": settings.to_wire()})


@blueprint.get(API)
async def upcoming() -> Response:
    """Booked appointments of today or this week: an agent's own, an admin's for one agent or all."""
    principal = await current_principal()
    query = parse(UpcomingQuery, dict(request.args))
    found = await service(Changes).upcoming(principal, query)
    return json_response({"appointments": [appointment.to_wire() for appointment in found]})


@blueprint.post(f"{API}/<appointment_id>/cancel")
async def cancel(appointment_id: str) -> Response:
    appointment = await service(Changes).cancel_by_agent(await current_principal(), appointment_id)
    return json_response({"appointment": appointment.to_wire()})


@blueprint.get("/appointments/manage")
async def manage() -> Response:
    """The mail's link: the appointment, and a button to cancel it."""
    token = request.args.get("token", "")
    try:
        tenant, appointment = await service(Changes).by_link(token)
    except WsChatError as e:
        return _html(error_page(_lang(), e.message), e.status)
    settings = await service(AppointmentSetup).settings(tenant.id)
    return _html(manage_page(appointment, tenant, token, settings.time_zone))


@blueprint.post("/appointments/manage/cancel")
async def manage_cancel() -> Response:
    """The page's form: cancel the appointment its token names."""
    form = await request.form
    token = form.get("token", "")
    try:
        cancelled = await service(Changes).cancel_by_link(token)
        tenant, _ = await service(Changes).by_link(token)
    except WsChatError as e:
        return _html(error_page(_lang(), e.message), e.status)
    settings = await service(AppointmentSetup).settings(tenant.id)
    return _html(manage_page(cancelled, tenant, token, settings.time_zone))


def _lang() -> str:
    return request.accept_languages.best_match(["en", "de"], default="en") or "en"


def _html(page: str, status: int = 200) -> Response:
    response = Response(page, status=status, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = page_csp(embeddable=False)
    response.headers["Cache-Control"] = "no-store"  # the page holds the link's token
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response


__all__ = ["Bookings", "blueprint"]
