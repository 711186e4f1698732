"""A tenant's own mail server, read and written through :class:`MailRecords` with its password sealed
(wschat/sealing.py), as the Jitsi secret is: a copy of the database alone never reveals it."""

from __future__ import annotations

import logging
from typing import Any

from wschat.mail.models import TenantMailSettings
from wschat.mail.store import MailRecords
from wschat.sealing import Sealer, Unsealable
from wschat.secret import Secret
from wschat.smtp import parse_smtp_url

log = logging.getLogger(__name__)


class MailSettingsStore:
    def __init__(self, records: MailRecords, sealer: Sealer) -> None:
        self._records = records
        self._sealer = sealer
        self._warned: set[str] = set()

    async def get(self, tenant_id: str) -> TenantMailSettings:
        stored = await self._records.get(tenant_id)
        url = stored.get("smtp_url")
        return TenantMailSettings(
            url=parse_smtp_url(url) if isinstance(url, str) else None,
            from_address=stored.get("from_address"),
            password=self._open(tenant_id, stored.get("password")),
        )

    async def put(
        self, tenant_id: str, url: str | None, from_address: str | None, password: Secret | None
    ) -> bool:
        """Store the whole setting; False for an unknown tenant."""
        values: dict[str, Any] = {"smtp_url": url, "from_address": from_address, "password": None}
        if password is not None:
            values["password"] = self._sealer.seal(password.reveal(), place=_place(tenant_id))
        return await self._records.replace(tenant_id, values)

    def _open(self, tenant_id: str, stored: Any) -> Secret | None:
        if stored is None:
            return None
        try:
            return self._sealer.open(stored, place=_place(tenant_id))
        except Unsealable:
            if tenant_id not in self._warned:
                self._warned.add(tenant_id)
                log.warning(
                    "the stored SMTP password of tenant %s does not open with this server's secret key "
                    "(was WSCHAT_SECRET_KEY changed?): treated as not set until an admin sets it again",
                    tenant_id,
                )
            return None


def _place(tenant_id: str) -> str:
    """What the sealed password is bound to: its tenant and its field."""
    return f"tenants/{tenant_id}/mail.password"
