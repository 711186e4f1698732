"""Appointments over HTTP: the admins' set-up (``/api/appointments/types``, ``…/hours/<agent>``,
``…/settings``), the console's list, cancel, move and call (``/api/appointments``), the page the mail's
manage link opens (``/appointments/manage``), which moves and cancels with plain form posts (no script, no
request elsewhere), and a video appointment's call page (``/appointments/join``)."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import Any

from quart import Blueprint, Response, request

from wschat.accounts.branding import effective
from wschat.accounts.models import Tenant
from wschat.accounts.signed_in import current_principal
from wschat.appointments.booking import Bookings
from wschat.appointments.call_page import early_page, join_page
from wschat.appointments.changes import Changes
from wschat.appointments.joining import JOIN_EARLY, Joins
from wschat.appointments.models import (
    Appointment,
    HoursBody,
    SettingsBody,
    SlotsQuery,
    Status,
    TypeBody,
    UpcomingQuery,
)
from wschat.appointments.moving import MoveBody, Moves
from wschat.appointments.page import MOVED, Extras, error_page, manage_page
from wschat.appointments.setup import AppointmentSetup
from wschat.appointments.tokens import JOIN
from wschat.boundary.http import json_response, read_json, service
from wschat.errors import NotFound, SlotNotOffered, SlotTaken, TooEarly, WsChatError
from wschat.video.service import VideoSettingsService
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


@blueprint.post(f"{API}/<appointment_id>/move")
async def move(appointment_id: str) -> Response:
    """An agent moves their own appointment, an admin any: ``{start, end}``, one of ``…/slots``."""
    principal = await current_principal()
    body = await read_json(MoveBody)
    appointment = await service(Moves).by_agent(principal, appointment_id, body)
    return json_response({"appointment": appointment.to_wire()})


@blueprint.get(f"{API}/<appointment_id>/slots")
async def move_slots(appointment_id: str) -> Response:
    """The free times an appointment can move to (``from``, ``days``, ``time_zone``: the tenant's if left
    out), as ``appointment.slots`` answers."""
    principal = await current_principal()
    appointment = await service(Moves).of_agent(principal, appointment_id)
    zone = (await service(AppointmentSetup).settings(principal.tenant.id)).time_zone
    query = parse(SlotsQuery, {"time_zone": zone} | dict(request.args))
    return json_response(await service(Moves).slots(principal.tenant.id, appointment, query))


@blueprint.post(f"{API}/<appointment_id>/conversation")
async def call_conversation(appointment_id: str) -> Response:
    """The agent's *Start video call*: the conversation with the visitor, opened for them (or made)."""
    conversation = await service(Joins).for_agent(await current_principal(), appointment_id)
    return json_response({"conversation_id": conversation.id})


@blueprint.get("/appointments/manage")
async def manage() -> Response:
    """The mail's link: the appointment, the times it can move to, and a button to cancel it."""
    token = request.args.get("token", "")
    try:
        tenant, appointment = await service(Changes).by_link(token)
        return await _manage_page(tenant, appointment, token, request.args.get("from"))
    except WsChatError as e:
        return _html(error_page(_lang(), e.message), e.status)


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


@blueprint.post("/appointments/manage/move")
async def manage_move() -> Response:
    """The page's form: move the appointment to the time picked (``slot``: ``<start>|<end>``)."""
    form = await request.form
    token = form.get("token", "")
    start, _, end = form.get("slot", "").partition("|")
    try:
        tenant, appointment = await service(Changes).by_link(token)
        body = parse(MoveBody, {"start": start, "end": end})
    except WsChatError as e:
        return _html(error_page(_lang(), e.message), e.status)
    try:
        moved = await service(Moves).by_link(token, body)
    except (SlotTaken, SlotNotOffered) as e:
        # Nothing changed: the times again, with what went wrong.
        return await _manage_page(tenant, appointment, token, None, alert=e.message, status=e.status)
    except WsChatError as e:
        return _html(error_page(_lang(), e.message), e.status)
    return await _manage_page(tenant, moved, token, None, notice=MOVED[moved.lang])


async def _manage_page(
    tenant: Tenant,
    appointment: Appointment,
    token: str,
    first: str | None,
    *,
    notice: str = "",
    alert: str = "",
    status: int = 200,
) -> Response:
    settings = await service(AppointmentSetup).settings(tenant.id)
    extras = Extras(notice=notice, alert=alert, join_link=service(Changes).notices.join_link(appointment))
    if appointment.status is Status.BOOKED:
        asked = {"time_zone": appointment.time_zone} | ({"from": first} if first else {})
        query = parse(SlotsQuery, asked)
        with contextlib.suppress(NotFound):  # its type was deleted: it can be cancelled, not moved
            extras = replace(extras, slots=await service(Moves).slots(tenant.id, appointment, query))
    page = manage_page(appointment, tenant, token, settings.time_zone, extras)
    return _html(page, status)


@blueprint.get("/appointments/join")
async def join() -> Response:
    """A video appointment's call page, in the tenant's design; before its time, when to come back."""
    token = request.args.get("token", "")
    joins = service(Joins)
    try:
        tenant, appointment = await joins.check(token)
    except TooEarly:
        tenant, appointment = await service(Changes).by_link(token, JOIN)
        opens = appointment.starts_at - JOIN_EARLY
        return _html(early_page(appointment, tenant, _branding(tenant), opens), 409)
    except WsChatError as e:
        return _html(error_page(_lang(), e.message), e.status)
    domain = (await service(VideoSettingsService).get(tenant.id)).jitsi.domain
    hosts = [domain] if domain else []
    response = _html(join_page(appointment, tenant, _branding(tenant), token))
    response.headers["Content-Security-Policy"] = page_csp(hosts, embeddable=False)
    return response


def _branding(tenant: Tenant) -> dict[str, Any]:
    return effective(tenant.branding, tenant.allowed_origins)


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
