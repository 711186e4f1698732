"""A tenant's video settings: the admin's view and changes, the operator's Jitsi, the widget's features.

Secrets (the TURN secret, the Jitsi secret) go in and are never read back: the admin's view says only
whether each is set, and the log names the changed fields, never their values.
"""

from __future__ import annotations

import logging
from typing import Any

from wschat.accounts.models import Principal
from wschat.errors import Forbidden, NotFound
from wschat.video.models import VideoSettings, VideoSettingsPatch
from wschat.video.store import VideoSettingsStore

log = logging.getLogger(__name__)


class VideoSettingsService:
    def __init__(self, store: VideoSettingsStore) -> None:
        self.store = store

    async def get(self, tenant_id: str) -> VideoSettings:
        return await self.store.get(tenant_id)

    async def for_admin(self, admin: Principal) -> VideoSettings:
        """Raises FORBIDDEN for agents."""
        _check_admin(admin)
        return await self.store.get(admin.tenant.id)

    async def update(self, admin: Principal, patch: VideoSettingsPatch) -> VideoSettings:
        """Change the fields sent (``null`` clears an optional one). Raises FORBIDDEN for agents."""
        _check_admin(admin)
        return await self.apply(admin.tenant.id, patch, who=f"tenant {admin.tenant.slug}")

    async def apply(self, tenant_id: str, patch: VideoSettingsPatch, *, who: str) -> VideoSettings:
        """The operator's way in (``wschat jitsi set``): no principal. Raises NOT_FOUND."""
        changes = settings_changes(patch)
        if not changes:
            return await self.store.get(tenant_id)
        video = await self.store.update(tenant_id, changes)
        if video is None:
            raise NotFound("There is no such tenant.")
        log.info("video settings of %s changed: %s", who, ", ".join(sorted(changes)))
        return video

    async def widget_features(self, tenant_id: str) -> dict[str, bool]:
        """What the widget offers visitors: starting a video call, sharing their screen."""
        video = await self.store.get(tenant_id)
        return {
            "video": video.allow_visitor_calls,
            "screen_share": video.allow_visitor_calls and video.allow_visitor_screen_share,
        }


def settings_changes(patch: VideoSettingsPatch) -> dict[str, Any]:
    """The stored fields a patch sets: top-level names, and ``jitsi.<name>`` for the Jitsi part."""
    changes: dict[str, Any] = {
        name: getattr(patch, name) for name in patch.model_fields_set if name != "jitsi"
    }
    if patch.jitsi is not None:
        changes |= {f"jitsi.{name}": getattr(patch.jitsi, name) for name in patch.jitsi.model_fields_set}
    return changes


def _check_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("Only an admin may see or change the video settings.")
