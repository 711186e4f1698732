"""The admin's mail endpoints: the outbox (``/api/mail/outbox``), the tenant's own mail server
(``/api/mail/settings``; the password goes in, never out) and a test mail (``/api/mail/test``)."""

from __future__ import annotations

from quart import Blueprint, Response, request

from wschat.accounts.signed_in import current_principal
from wschat.boundary.http import json_response, read_json, service
from wschat.mail.models import MailCheck, MailSettingsPut, OutboxQuery, TenantMailSettings
from wschat.mail.service import MailService
from wschat.wire import parse

blueprint = Blueprint("mail", __name__, url_prefix="/api/mail")


@blueprint.get("/outbox")
async def outbox() -> Response:
    """The tenant's mails in one state (``?status=failed`` by default), newest first, by pages."""
    principal = await current_principal()
    query = parse(OutboxQuery, request.args.to_dict())
    mails, before = await service(MailService).outbox(principal, query)
    return json_response({"mails": [mail.to_wire() for mail in mails], "next_before": before})


@blueprint.post("/outbox/<mail_id>/retry")
async def retry(mail_id: str) -> Response:
    """Queue a failed mail again, to be tried now."""
    mail = await service(MailService).retry(await current_principal(), mail_id)
    return json_response({"mail": mail.to_wire()})


@blueprint.get("/settings")
async def get_settings() -> Response:
    """The tenant's own mail server, without its password."""
    mail = service(MailService)
    return _settings(mail, await mail.settings(await current_principal()))


@blueprint.put("/settings")
async def put_settings() -> Response:
    """Set, or remove, the tenant's own mail server."""
    principal = await current_principal()
    mail = service(MailService)
    return _settings(mail, await mail.put_settings(principal, await read_json(MailSettingsPut)))


@blueprint.post("/test")
async def send_test() -> Response:
    """Queue a test mail to one address."""
    principal = await current_principal()
    mail = await service(MailService).send_check(principal, await read_json(MailCheck))
    return json_response({"mail": mail.to_wire()}, 202)


def _settings(mail: MailService, settings: TenantMailSettings) -> Response:
    return json_response({"mail": settings.to_wire(operator_server=mail.has_operator_server())})
