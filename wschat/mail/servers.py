"""Which server a tenant's mail goes out through: the tenant's own, if its admin set one, else the
operator's (``WSCHAT_SMTP_URL``), else none."""

from __future__ import annotations

from wschat.mail.models import MailServer, TenantMailSettings
from wschat.mail.settings_store import MailSettingsStore


class MailServers:
    def __init__(self, store: MailSettingsStore, operator: MailServer | None) -> None:
        self.store = store
        self.operator = operator

    async def for_tenant(self, tenant_id: str) -> MailServer | None:
        own = await self.store.get(tenant_id)
        return self.choose(own)

    def choose(self, own: TenantMailSettings) -> MailServer | None:
        return own.server or self.operator
