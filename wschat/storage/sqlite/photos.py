"""The SQLite adapter for photos: each photo's sizes in one blob column (see ``values.to_blobs``)."""

from __future__ import annotations

from wschat.media.store import Photo
from wschat.storage.documents import photo_doc, photo_from
from wschat.storage.sqlite.base import SqliteStore
from wschat.storage.sqlite.tables import PHOTOS


class SqlitePhotoStore(SqliteStore):
    async def insert(self, photo: Photo) -> None:
        row = PHOTOS.encode(photo_doc(photo))
        await self._db.write(lambda conn: conn.execute(PHOTOS.insert_sql(), row).rowcount)

    async def public(self, photo_id: str) -> Photo | None:
        doc = await self._one(PHOTOS, "id = ?", (photo_id,))
        return photo_from(doc) if doc else None

    async def delete(self, tenant_id: str, photo_id: str) -> None:
        sql = "DELETE FROM photos WHERE id = ? AND tenant_id = ?"
        await self._db.write(lambda conn: conn.execute(sql, (photo_id, tenant_id)).rowcount)

    async def delete_others(self, tenant_id: str, owner_id: str, *, keep: str | None) -> None:
        sql = "DELETE FROM photos WHERE tenant_id = ? AND owner_id = ? AND id != ?"
        await self._db.write(lambda conn: conn.execute(sql, (tenant_id, owner_id, keep or "")).rowcount)

    async def count(self, tenant_id: str) -> int:
        sql = "SELECT count(*) FROM photos WHERE tenant_id = ?"
        row = await self._db.read(lambda conn: conn.execute(sql, (tenant_id,)).fetchone())
        return int(row[0])
