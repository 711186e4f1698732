"""What the audit log records of appointments (wschat/audit): an admin's changes to the set-up (types,
hours, settings), and an agent's or admin's cancel or move of a booked appointment. Never a person's
name or address: the appointment's id, its times and the visitor's id."""

from __future__ import annotations

from typing import Any

from wschat.accounts.models import Principal
from wschat.appointments.models import Appointment, AppointmentType, Settings
from wschat.audit.models import Action, Target, TargetKind, actor_of
from wschat.audit.service import AuditService


class AppointmentAudit:
    def __init__(self, audit: AuditService) -> None:
        self.audit = audit

    async def type_saved(self, admin: Principal, kind: AppointmentType, *, created: bool) -> None:
        details = {
            "type_id": kind.id,
            "created": created,
            "kind": kind.kind.value,
            "agents": len(kind.agent_ids),
        }
        await self._record(admin, Action.APPOINTMENT_TYPE_SAVED, _tenant(admin), details)

    async def type_deleted(self, admin: Principal, type_id: str) -> None:
        await self._record(admin, Action.APPOINTMENT_TYPE_DELETED, _tenant(admin), {"type_id": type_id})

    async def hours_saved(self, admin: Principal, agent_id: str, days: int, exceptions: int) -> None:
        details = {"days": days, "exceptions": exceptions}
        await self._record(admin, Action.APPOINTMENT_HOURS_SAVED, Target(TargetKind.USER, agent_id), details)

    async def settings_saved(self, admin: Principal, settings: Settings) -> None:
        details = settings.to_wire()
        await self._record(admin, Action.APPOINTMENT_SETTINGS_SAVED, _tenant(admin), details)

    async def cancelled(self, principal: Principal, appointment: Appointment) -> None:
        details = {"appointment_id": appointment.id, "start": appointment.starts_at.isoformat()}
        await self._record(principal, Action.APPOINTMENT_CANCELLED, _person(principal, appointment), details)

    async def moved(self, principal: Principal, before: Appointment, after: Appointment) -> None:
        details = {
            "appointment_id": after.id,
            "from": before.starts_at.isoformat(),
            "to": after.starts_at.isoformat(),
        }
        await self._record(principal, Action.APPOINTMENT_MOVED, _person(principal, after), details)

    async def _record(
        self, principal: Principal, action: Action, target: Target, details: dict[str, Any]
    ) -> None:
        await self.audit.record(principal.tenant.id, actor_of(principal), action, target, details)


def _tenant(principal: Principal) -> Target:
    return Target(TargetKind.TENANT, principal.tenant.id)


def _person(principal: Principal, appointment: Appointment) -> Target:
    """The person the appointment was booked by (so that an admin filtering by them finds it)."""
    if appointment.visitor_id is None:
        return _tenant(principal)
    return Target(TargetKind.VISITOR, appointment.visitor_id)
