"""A tenant's video settings: the stored map read and written through :class:`VideoRecords`, with the
TURN and Jitsi secrets sealed with the server's key before they are written. A secret stored as plain
text (before sealing existed) is sealed in place the first time it is read.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Protocol

from wschat.config import Secret
from wschat.records import Document
from wschat.sealing import Sealer, Unsealable
from wschat.video.models import JitsiSettings, VideoSettings

log = logging.getLogger(__name__)

#: The stored fields that hold secrets: sealed before they are written (wschat/sealing.py).
SEALED_FIELDS = ("turn_secret", "jitsi.secret")


class VideoRecords(Protocol):
    """A tenant's video settings as stored: a nested map, secrets sealed (see VideoSettingsStore below)."""

    async def get(self, tenant_id: str) -> Document:
        """The stored map; empty if nothing was set (or there is no such tenant)."""

    async def update(self, tenant_id: str, values: dict[str, Any]) -> Document | None:
        """Sets keys (``"jitsi.domain"`` for a nested one) atomically; None for an unknown tenant."""


class VideoSettingsStore:
    """The tenant's video settings, kept apart from its other settings; secrets sealed at rest."""

    def __init__(self, records: VideoRecords, sealer: Sealer) -> None:
        self._records = records
        self._sealer = sealer
        self._warned: set[str] = set()

    async def get(self, tenant_id: str) -> VideoSettings:
        video = await self._records.get(tenant_id)
        await self._seal_plain(tenant_id, video)
        return self._video(tenant_id, video)

    async def update(self, tenant_id: str, changes: dict[str, Any]) -> VideoSettings | None:
        """Set the given fields (``jitsi.<name>`` for the Jitsi part); None for an unknown tenant."""
        values = {key: self._stored(tenant_id, key, value) for key, value in changes.items()}
        video = await self._records.update(tenant_id, values)
        return self._video(tenant_id, video) if video is not None else None

    def _stored(self, tenant_id: str, key: str, value: Any) -> Any:
        if key in SEALED_FIELDS and isinstance(value, str):
            return self._sealer.seal(value, place=_place(tenant_id, key))
        return value

    async def _seal_plain(self, tenant_id: str, video: Document) -> None:
        for key in SEALED_FIELDS:
            *parents, name = key.split(".")
            holder = video
            for parent in parents:
                inner = holder.get(parent)
                holder = inner if isinstance(inner, dict) else {}
            if isinstance(holder.get(name), str):
                holder[name] = self._stored(tenant_id, key, holder[name])
                await self._records.update(tenant_id, {key: holder[name]})
                log.info("sealed the stored %s of tenant %s", key, tenant_id)

    def _open(self, tenant_id: str, key: str, stored: Any) -> Secret | None:
        if stored is None:
            return None
        place = _place(tenant_id, key)
        try:
            return self._sealer.open(stored, place=place)
        except Unsealable:
            if place not in self._warned:
                self._warned.add(place)
                log.warning(
                    "the stored %s of tenant %s does not open with this server's secret key "
                    "(was WSCHAT_SECRET_KEY changed?): treated as not set until an admin sets it again",
                    key,
                    tenant_id,
                )
            return None

    def _video(self, tenant_id: str, doc: Document) -> VideoSettings:
        jitsi_doc: Document = doc.get("jitsi") or {}
        jitsi = JitsiSettings()
        jitsi = replace(
            jitsi,
            domain=jitsi_doc.get("domain"),
            app_id=jitsi_doc.get("app_id"),
            secret=self._open(tenant_id, "jitsi.secret", jitsi_doc.get("secret")),
            audience=jitsi_doc.get("audience") or jitsi.audience,
            sub=jitsi_doc.get("sub") or jitsi.sub,
            token_ttl_seconds=jitsi_doc.get("token_ttl_seconds") or jitsi.token_ttl_seconds,
        )
        video = VideoSettings()
        return replace(
            video,
            stun_urls=tuple(doc.get("stun_urls") or ()),
            turn_urls=tuple(doc.get("turn_urls") or ()),
            turn_secret=self._open(tenant_id, "turn_secret", doc.get("turn_secret")),
            turn_ttl_seconds=doc.get("turn_ttl_seconds") or video.turn_ttl_seconds,
            allow_visitor_calls=bool(doc.get("allow_visitor_calls", video.allow_visitor_calls)),
            allow_visitor_screen_share=bool(
                doc.get("allow_visitor_screen_share", video.allow_visitor_screen_share)
            ),
            invite_timeout_seconds=doc.get("invite_timeout_seconds") or video.invite_timeout_seconds,
            jitsi=jitsi,
        )


def _place(tenant_id: str, key: str) -> str:
    """What a sealed secret is bound to: its tenant and its field."""
    return f"tenants/{tenant_id}/video.{key}"
