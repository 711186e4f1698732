"""The MongoDB connection: one ``AsyncMongoClient`` per app, collection handles, index creation.

The same code talks to MongoDB and to the embedded FerretDB; it stays inside the subset both support
(no transactions, no TTL or partial indexes, see DESIGN §6). Races are settled by unique indexes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from wschat.errors import Unavailable

log = logging.getLogger(__name__)

Document = dict[str, Any]

#: Indexes per collection; every tenant-owned collection leads with tenant_id.
INDEXES: dict[str, list[IndexModel]] = {
    "tenants": [IndexModel([("slug", ASCENDING)], unique=True, name="slug_unique")],
    "users": [
        IndexModel([("tenant_id", ASCENDING), ("login", ASCENDING)], unique=True, name="tenant_login_unique"),
        IndexModel([("tenant_id", ASCENDING), ("role", ASCENDING)], name="tenant_role"),
    ],
    "visitors": [
        IndexModel(
            [("tenant_id", ASCENDING), ("token_hash", ASCENDING)], unique=True, name="tenant_token_unique"
        ),
    ],
    # open_key is the visitor id while the conversation is open: one open conversation per visitor.
    "conversations": [
        IndexModel(
            [("tenant_id", ASCENDING), ("open_key", ASCENDING)], unique=True, name="tenant_open_unique"
        ),
        IndexModel([("tenant_id", ASCENDING), ("status", ASCENDING)], name="tenant_status"),
        IndexModel([("tenant_id", ASCENDING), ("agent_id", ASCENDING)], name="tenant_agent"),
    ],
    # _id is "<conversation id>:<epoch>": the primary key lets exactly one state change per epoch win.
    "transitions": [
        IndexModel([("tenant_id", ASCENDING), ("conversation_id", ASCENDING)], name="tenant_conv")
    ],
    "messages": [
        IndexModel([("conversation_id", ASCENDING), ("seq", ASCENDING)], unique=True, name="conv_seq_unique"),
        IndexModel(
            [("conversation_id", ASCENDING), ("client_id", ASCENDING)], unique=True, name="conv_client_unique"
        ),
        IndexModel([("tenant_id", ASCENDING), ("conversation_id", ASCENDING)], name="tenant_conv"),
    ],
    "presence": [IndexModel([("tenant_id", ASCENDING)], name="tenant")],
    "sockets": [
        IndexModel([("tenant_id", ASCENDING), ("owner_id", ASCENDING)], name="tenant_owner"),
        IndexModel([("node_id", ASCENDING)], name="node"),
    ],
    "nodes": [],
    "page_views": [
        IndexModel(
            [("tenant_id", ASCENDING), ("visitor_id", ASCENDING), ("entered_at", ASCENDING)],
            name="tenant_visitor_entered",
        )
    ],
    "photos": [IndexModel([("tenant_id", ASCENDING), ("owner_id", ASCENDING)], name="tenant_owner")],
    # open_key is the conversation id while the call is open: one open call per conversation.
    "calls": [
        IndexModel(
            [("tenant_id", ASCENDING), ("open_key", ASCENDING)], unique=True, name="tenant_open_unique"
        ),
        IndexModel([("tenant_id", ASCENDING), ("conversation_id", ASCENDING)], name="tenant_conv"),
        IndexModel([("status", ASCENDING), ("expires_at", ASCENDING)], name="status_expires"),
        IndexModel([("sids", ASCENDING)], name="sids"),
    ],
    # _id is "<call id>:<epoch>": the primary key lets exactly one change per epoch win.
    "call_transitions": [],
    # _id is the lease's name (e.g. "assign:<tenant id>"): the primary key lets one holder win.
    "leases": [],
}


async def find_owned(collection: AsyncCollection[Document], doc_id: str, tenant_id: str) -> Document | None:
    """One document by primary key, and only if it belongs to ``tenant_id``.

    It is looked up by ``_id`` alone, the one filter that FerretDB answers from its primary key (with any
    other field in the filter it reads the whole collection), and the tenant is compared here.
    """
    doc = await collection.find_one({"_id": doc_id})
    return doc if doc is not None and doc.get("tenant_id") == tenant_id else None


class Database:
    """Collection handles over one client; close with :meth:`close`."""

    def __init__(self, client: AsyncMongoClient[Document], name: str) -> None:
        self.client = client
        self.db: AsyncDatabase[Document] = client[name]

    @classmethod
    def connect(cls, uri: str, name: str) -> Database:
        client: AsyncMongoClient[Document] = AsyncMongoClient(
            uri,
            tz_aware=True,
            serverSelectionTimeoutMS=5000,
            connectTimeoutMS=5000,
            socketTimeoutMS=15000,
            appname="wschat",
            # A message is acknowledged to its sender only once stored: on a replica set "stored" means on
            # a majority of members and in their journals, so that it survives a crash and a fail-over.
            w="majority",
            journal=True,
        )
        return cls(client, name)

    def __getitem__(self, collection: str) -> AsyncCollection[Document]:
        return self.db[collection]

    @property
    def tenants(self) -> AsyncCollection[Document]:
        return self.db["tenants"]

    @property
    def users(self) -> AsyncCollection[Document]:
        return self.db["users"]

    @property
    def visitors(self) -> AsyncCollection[Document]:
        return self.db["visitors"]

    async def ensure_indexes(self) -> None:
        """Create collections and indexes; idempotent, so every start runs it."""
        for collection, indexes in INDEXES.items():
            handle = self.db[collection]
            existing = {index["name"] async for index in await handle.list_indexes()}
            # One at a time, and only the missing ones: FerretDB v1.24 panics when createIndexes names
            # several indexes of which some exist already ("slice bounds out of range").
            for index in indexes:
                if index.document["name"] not in existing:
                    await handle.create_indexes([index])

    async def ping(self, within: float = 2.0) -> None:
        """Raises :class:`Unavailable` if the database does not answer within ``within`` seconds."""
        try:
            await asyncio.wait_for(self.db.command("ping"), within)
        except (TimeoutError, PyMongoError) as e:
            raise Unavailable("The database does not answer.") from e

    async def drop(self) -> None:
        await self.client.drop_database(self.db.name)

    async def close(self) -> None:
        await self.client.close()
