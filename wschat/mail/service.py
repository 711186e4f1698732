"""The mail rules: queueing a mail (stored before anything is sent), a tenant's outbox for its admin,
queueing a failed mail again, a tenant's own mail server, and the admin's test mail.

Without any mail server (neither the operator's ``WSCHAT_SMTP_URL`` nor the tenant's own), a mail is
refused with ``MAIL_NOT_CONFIGURED`` and nothing is stored: a feature that offers e-mail can say so at
once, and no personal data waits in a queue that nobody will send.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter, ValidationError

from wschat.accounts.models import Principal, Tenant
from wschat.clock import Clock, new_id
from wschat.errors import Conflict, Forbidden, MailNotConfigured, NotFound, ValidationFailed
from wschat.mail.models import (
    SYSTEM_NAME,
    SYSTEM_SENDER,
    Attachment,
    Lang,
    MailCheck,
    MailSettingsPut,
    MailStatus,
    OutboxQuery,
    OutgoingMail,
    Subject,
    TenantMailSettings,
)
from wschat.mail.render import Layout, Look, look_of, render_html, render_text
from wschat.mail.servers import MailServers
from wschat.mail.store import OutboxStore, Superseded
from wschat.mail.strings import check_mail
from wschat.secret import Secret
from wschat.smtp import EmailAddress

log = logging.getLogger(__name__)

_ADDRESS: TypeAdapter[str] = TypeAdapter(EmailAddress)
_SUBJECT: TypeAdapter[str] = TypeAdapter(Subject)


class MailService:
    def __init__(
        self,
        outbox: OutboxStore,
        servers: MailServers,
        clock: Clock,
        *,
        public_url: str,
        on_queued: Callable[[], None] = lambda: None,
    ) -> None:
        self._outbox = outbox
        self._servers = servers
        self._clock = clock
        self._host = urlsplit(public_url).hostname or "localhost"
        self._on_queued = on_queued

    async def enqueue(
        self,
        tenant: Tenant,
        to: str,
        subject: str,
        layout: Layout,
        lang: Lang,
        attachments: tuple[Attachment, ...] = (),
        *,
        mail_id: str | None = None,
    ) -> OutgoingMail:
        """Store a mail for the worker to send; returns it once it is stored. ``mail_id``: its id, where the
        caller must find the mail again from its own record (else a new one). Raises VALIDATION_FAILED
        (address, subject), MAIL_NOT_CONFIGURED (no server for this tenant); nothing is stored then."""
        to, subject = _checked("to", _ADDRESS, to), _checked("subject", _SUBJECT, subject)
        if await self._servers.for_tenant(tenant.id) is None:
            raise MailNotConfigured()
        look = look_of(tenant.name, tenant.branding, lang)
        return await self._store(tenant.id, to, subject, layout, look, attachments, mail_id)

    async def enqueue_system(self, to: str, subject: str, layout: Layout, lang: Lang) -> OutgoingMail:
        """A mail of the installation itself, for someone who belongs to no tenant (yet): through the
        operator's server (``WSCHAT_SMTP_URL``) as *wsChat*. Raises as :meth:`enqueue`."""
        to, subject = _checked("to", _ADDRESS, to), _checked("subject", _SUBJECT, subject)
        if self._servers.operator is None:
            raise MailNotConfigured()
        look = look_of(SYSTEM_NAME, {}, lang)
        return await self._store(SYSTEM_SENDER, to, subject, layout, look, ())

    async def _store(
        self,
        tenant_id: str,
        to: str,
        subject: str,
        layout: Layout,
        look: Look,
        attachments: tuple[Attachment, ...],
        mail_id: str | None = None,
    ) -> OutgoingMail:
        lang = look.lang
        now = self._clock()
        mail_id = mail_id or new_id("mai")
        mail = OutgoingMail(
            id=mail_id,
            tenant_id=tenant_id,
            to=to,
            subject=subject,
            text=render_text(layout, look),
            html=render_html(layout, look),
            lang=lang,
            message_id=f"<{mail_id.removeprefix('mai_')}@{self._host}>",
            created_at=now,
            next_attempt_at=now,
            attachments=attachments,
        )
        await self._outbox.insert(mail)
        log.info("mail %s of tenant %s queued", mail.id, tenant_id)
        self._on_queued()
        return mail

    async def sender_of(self, tenant: Tenant) -> str | None:
        """The address the tenant's mails come from (None: no server for its mail)."""
        server = await self._servers.for_tenant(tenant.id)
        return server.sender if server is not None else None

    async def can_send(self, tenant: Tenant) -> bool:
        """Whether the tenant's mail has a server (its own, or the operator's)."""
        return await self._servers.for_tenant(tenant.id) is not None

    async def outbox(self, admin: Principal, query: OutboxQuery) -> tuple[list[OutgoingMail], str | None]:
        """One page of the tenant's mails in a state, newest first, and the ``before`` of the next page
        (None on the last). Raises FORBIDDEN for agents, NOT_FOUND for an unknown ``before``."""
        _check_admin(admin)
        before = None
        if query.before is not None:
            before = await self._own(admin, query.before)
        mails = await self._outbox.page(admin.tenant.id, query.status, before, query.limit + 1)
        more = len(mails) > query.limit
        mails = mails[: query.limit]
        return mails, mails[-1].id if more else None

    async def retry(self, admin: Principal, mail_id: str) -> OutgoingMail:
        """Queue a failed (or waiting) mail for a try now, with all its tries again. Raises FORBIDDEN,
        NOT_FOUND, CONFLICT (sent, or being sent right now)."""
        _check_admin(admin)
        mail = await self._own(admin, mail_id)
        if mail.status not in (MailStatus.FAILED, MailStatus.QUEUED):
            raise Conflict(f"This mail is {mail.status.value}; only a failed or waiting mail can be retried.")
        now = self._clock()
        again = replace(mail, status=MailStatus.QUEUED, attempts=0, next_attempt_at=now, lease_until=None)
        try:
            again = await self._outbox.transition(mail, again, now)
        except Superseded:
            raise Conflict("This mail changed meanwhile; look at it again.") from None
        log.info("mail %s of tenant %s queued again by an admin", mail.id, admin.tenant.id)
        self._on_queued()
        return again

    async def settings(self, admin: Principal) -> TenantMailSettings:
        """Raises FORBIDDEN for agents."""
        _check_admin(admin)
        return await self._servers.store.get(admin.tenant.id)

    def has_operator_server(self) -> bool:
        return self._servers.operator is not None

    async def put_settings(self, admin: Principal, put: MailSettingsPut) -> TenantMailSettings:
        """Set (or with ``smtp_url: null`` remove) the tenant's own server. Raises FORBIDDEN,
        VALIDATION_FAILED (a URL without a sender address)."""
        _check_admin(admin)
        tenant_id = admin.tenant.id
        if put.smtp_url is not None and put.from_address is None:
            raise _invalid("from_address", "is needed with smtp_url: the sender of the tenant's mail")
        password: Secret | None = None
        if put.smtp_url is not None:
            if "password" not in put.model_fields_set:
                password = (await self._servers.store.get(tenant_id)).password
            elif put.password is not None:
                password = Secret(put.password)
        from_address = put.from_address if put.smtp_url is not None else None
        if not await self._servers.store.put(tenant_id, put.smtp_url, from_address, password):
            raise NotFound("There is no such tenant.")
        log.info("mail server of tenant %s %s", admin.tenant.slug, "set" if put.smtp_url else "removed")
        return await self._servers.store.get(tenant_id)

    async def send_check(self, admin: Principal, check: MailCheck) -> OutgoingMail:
        """Queue the test mail. Raises FORBIDDEN, MAIL_NOT_CONFIGURED."""
        _check_admin(admin)
        lang: Lang = check.lang or ("de" if admin.tenant.branding.get("language") == "de" else "en")
        subject, layout = check_mail(admin.tenant.name, admin.user.display_name, check.note, lang)
        return await self.enqueue(admin.tenant, check.to, subject, layout, lang)

    async def _own(self, admin: Principal, mail_id: str) -> OutgoingMail:
        mail = await self._outbox.get(admin.tenant.id, mail_id)
        if mail is None:
            raise NotFound("There is no such mail.")
        return mail


def _checked(name: str, adapter: TypeAdapter[str], value: Any) -> str:
    try:
        return adapter.validate_python(value)
    except ValidationError as e:
        raise _invalid(name, e.errors(include_input=False)[0]["msg"]) from None


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(details={"fields": [{"field": field, "message": message}]})


def _check_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("Only an admin may see the outbox or change the mail settings.")
