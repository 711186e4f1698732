"""What photos need from storage. Tenant-owned records, served publicly by their unguessable id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Photo:
    id: str
    tenant_id: str
    owner_id: str
    variants: dict[int, bytes]
    content_hash: str
    created_at: datetime


class PhotoStore(Protocol):
    async def insert(self, photo: Photo) -> None: ...

    async def public(self, photo_id: str) -> Photo | None:
        """A photo by id alone: what visitors load. The id is random and changes with every photo."""

    async def delete(self, tenant_id: str, photo_id: str) -> None: ...

    async def delete_others(self, tenant_id: str, owner_id: str, *, keep: str | None) -> None:
        """Every photo of the owner but ``keep``."""

    async def count(self, tenant_id: str) -> int: ...
