"""The widget's public configuration: branding, texts, language, whether the chat is online, features.

Only public data: nothing here may name an agent, a login or a setting that is not meant for visitors.
"""

from __future__ import annotations

from typing import Any, Protocol

from wschat.accounts.branding import effective
from wschat.accounts.models import Tenant
from wschat.video.service import VideoSettingsService


def widget_config(tenant: Tenant, *, online: bool, calls: dict[str, bool] | None = None) -> dict[str, Any]:
    branding = effective(tenant.branding, tenant.allowed_origins)
    texts = branding.pop("texts")
    return {
        "tenant": {"slug": tenant.slug, "name": tenant.name},
        "online": online,
        "language": branding.pop("language"),
        "branding": branding,
        "texts": texts,
        "features": {
            "contact_form": True,
            "offline_messages": True,
            "end_chat": True,
            # Visitor-started calls and screen sharing, as the tenant's video settings allow.
            "video": False,
            "screen_share": False,
            **(calls or {}),
        },
    }


class Availability(Protocol):
    async def online_for_visitor(self, tenant_id: str) -> bool:
        """Whether an agent of the tenant can take a chat now (wschat.chat.presence)."""


class WidgetService:
    """The configuration the widget fetches before it connects."""

    def __init__(self, availability: Availability, video: VideoSettingsService) -> None:
        self._availability = availability
        self._video = video

    async def config(self, tenant: Tenant) -> dict[str, Any]:
        online = await self._availability.online_for_visitor(tenant.id)
        return widget_config(tenant, online=online, calls=await self._video.widget_features(tenant.id))
