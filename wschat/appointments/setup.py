"""The admins' set-up of appointments: types, each agent's hours and exceptions, the tenant's settings.

Agents read the types (to offer one in a chat) and their own hours; only admins change anything. Every
agent a type or hours name must be a user of the tenant: another tenant's user is NOT_FOUND, as an
unknown one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from wschat.accounts.models import Principal
from wschat.accounts.store import UserStore
from wschat.appointments.audit import AppointmentAudit
from wschat.appointments.models import (
    AppointmentType,
    HoursBody,
    Settings,
    SettingsBody,
    TypeBody,
    hours_doc,
    hours_of,
    hours_wire,
)
from wschat.appointments.store import AppointmentStore
from wschat.clock import Clock, new_id
from wschat.errors import Forbidden, NotFound, ValidationFailed


def _admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("Only an admin may set up appointments.")


class AppointmentSetup:
    def __init__(
        self, store: AppointmentStore, users: UserStore, clock: Clock, audit: AppointmentAudit | None = None
    ) -> None:
        self.store = store
        self.users = users
        self.clock = clock
        #: Where admins' changes, and cancels and moves in the console, are recorded (None: nowhere).
        self.audit = audit

    async def types(self, tenant_id: str) -> list[AppointmentType]:
        return [AppointmentType.from_doc(doc) for doc in await self.store.types(tenant_id)]

    async def type_of(self, tenant_id: str, type_id: str) -> AppointmentType:
        """Raises NOT_FOUND (unknown, or another tenant's)."""
        doc = await self.store.type_of(tenant_id, type_id)
        if doc is None:
            raise NotFound("There is no such appointment type.")
        return AppointmentType.from_doc(doc)

    async def put_type(self, admin: Principal, type_id: str | None, body: TypeBody) -> AppointmentType:
        """Create a type (``type_id`` None) or replace one. Raises FORBIDDEN, NOT_FOUND (the type, an
        agent)."""
        _admin(admin)
        tenant_id = admin.tenant.id
        await self._check_agents(tenant_id, body.agent_ids)
        is_new = type_id is None
        if type_id is not None:
            created = (await self.type_of(tenant_id, type_id)).created_at
        else:
            type_id, created = new_id("apt"), self.clock()
        kind = AppointmentType(
            id=type_id,
            tenant_id=tenant_id,
            name={"en": body.name.en, "de": body.name.de},
            duration=body.duration,
            kind=body.kind,
            agent_ids=tuple(dict.fromkeys(body.agent_ids)),
            created_at=created,
            address=body.address.strip(),
            buffer_before=body.buffer_before,
            buffer_after=body.buffer_after,
            min_notice=body.min_notice,
            horizon_days=body.horizon_days,
        )
        await self.store.put_type(kind.to_doc())
        if self.audit:
            await self.audit.type_saved(admin, kind, created=is_new)
        return kind

    async def delete_type(self, admin: Principal, type_id: str) -> None:
        """Booked appointments of the type stay as they are. Raises FORBIDDEN, NOT_FOUND."""
        _admin(admin)
        if not await self.store.delete_type(admin.tenant.id, type_id):
            raise NotFound("There is no such appointment type.")
        if self.audit:
            await self.audit.type_deleted(admin, type_id)

    async def hours(self, principal: Principal, agent_id: str) -> dict[str, Any]:
        """An agent's hours: their own, or any agent's for an admin. Raises FORBIDDEN, NOT_FOUND."""
        if agent_id != principal.user.id:
            _admin(principal)
        await self._check_agents(principal.tenant.id, [agent_id])
        found = await self.store.hours(principal.tenant.id, [agent_id])
        wire = hours_wire(hours_of(found[0] if found else None, agent_id))
        return wire | {"email": found[0].get("email") if found else None}

    async def put_hours(self, admin: Principal, agent_id: str, body: HoursBody) -> dict[str, Any]:
        """Replace an agent's week and exceptions. Raises FORBIDDEN, NOT_FOUND, VALIDATION_FAILED (spans
        that overlap or end before they start, a date twice)."""
        _admin(admin)
        await self._check_agents(admin.tenant.id, [agent_id])
        try:
            hours = body.to_hours(agent_id)
        except ValueError as e:
            raise ValidationFailed(f"These hours are not valid: {e}.") from None
        await self.store.put_hours(hours_doc(admin.tenant.id, hours, self.clock()) | {"email": body.email})
        if self.audit:
            await self.audit.hours_saved(admin, agent_id, len(hours.week), len(hours.exceptions))
        return hours_wire(hours) | {"email": body.email}

    async def settings(self, tenant_id: str) -> Settings:
        found = await self.store.settings(tenant_id)
        return Settings.from_doc(found) if found else Settings(tenant_id)

    async def put_settings(self, admin: Principal, body: SettingsBody) -> Settings:
        """Raises FORBIDDEN, NOT_FOUND (a call-back type that is not the tenant's)."""
        _admin(admin)
        if body.callback_type_id is not None:
            await self.type_of(admin.tenant.id, body.callback_type_id)
        settings = replace(Settings(admin.tenant.id), **body.model_dump())
        await self.store.put_settings(settings.to_doc())
        if self.audit:
            await self.audit.settings_saved(admin, settings)
        return settings

    async def _check_agents(self, tenant_id: str, agent_ids: list[str]) -> None:
        for agent_id in agent_ids:
            if await self.users.by_id(tenant_id, agent_id) is None:
                raise NotFound("There is no such agent.")
