"""The MongoDB adapter's database: one ``AsyncMongoClient``, the indexes every query needs, its stores.

The same code talks to MongoDB and to FerretDB (the test server); it stays inside the subset both support
(no transactions, no TTL or partial indexes). Races are settled by unique indexes. Every query a store
makes is served by an index declared in :data:`INDEXES` (on MongoDB; FerretDB scans whatever it is asked).
"""

from __future__ import annotations

import asyncio
import logging

from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from wschat.errors import Unavailable
from wschat.records import Document
from wschat.storage import EPHEMERAL_TABLES, TABLES, StorageError, Stores
from wschat.storage.mongo.webhook_indexes import WEBHOOK_INDEXES

log = logging.getLogger(__name__)

MongoHandle = AsyncDatabase[Document]

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
        IndexModel([("tenant_id", ASCENDING), ("last_seen", ASCENDING)], name="tenant_last_seen"),
        IndexModel([("last_seen", ASCENDING)], name="last_seen"),
        # The archive leaves out the tenant's restricted visitors (wschat/subjects).
        IndexModel([("tenant_id", ASCENDING), ("restricted", ASCENDING)], name="tenant_restricted"),
        # Retention (wschat/retention): visitors who chatted, by when they were last seen; addresses not
        # aged yet (``ip_aged`` missing or false), by when they were stored.
        IndexModel(
            [("tenant_id", ASCENDING), ("engaged", ASCENDING), ("last_seen", ASCENDING), ("_id", ASCENDING)],
            name="tenant_engaged_seen",
        ),
        IndexModel(
            [("tenant_id", ASCENDING), ("ip_aged", ASCENDING), ("first_seen", ASCENDING), ("_id", ASCENDING)],
            name="tenant_ip_due",
        ),
    ],
    # open_key is the visitor id while the conversation is open: one open conversation per visitor.
    "conversations": [
        IndexModel(
            [("tenant_id", ASCENDING), ("open_key", ASCENDING)], unique=True, name="tenant_open_unique"
        ),
        IndexModel([("tenant_id", ASCENDING), ("status", ASCENDING)], name="tenant_status"),
        IndexModel([("tenant_id", ASCENDING), ("agent_id", ASCENDING)], name="tenant_agent"),
        # A data subject's conversations (wschat/subjects), oldest first, keyset by (created_at, _id).
        IndexModel(
            [
                ("tenant_id", ASCENDING),
                ("visitor_id", ASCENDING),
                ("created_at", ASCENDING),
                ("_id", ASCENDING),
            ],
            name="tenant_visitor_created",
        ),
        IndexModel([("visitor_left_at", ASCENDING)], name="visitor_left_at"),
        IndexModel([("status", ASCENDING), ("tenant_id", ASCENDING)], name="status_tenant"),
        # A reports rebuild walks a tenant's closed chats by start (wschat/reports).
        IndexModel(
            [("tenant_id", ASCENDING), ("status", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
            name="tenant_status_created",
        ),
        # Offline messages to answer, oldest first (the console's list and count).
        IndexModel(
            [
                ("tenant_id", ASCENDING),
                ("answer_state", ASCENDING),
                ("created_at", ASCENDING),
                ("_id", ASCENDING),
            ],
            name="tenant_answer_created",
        ),
        # The archive: a tenant's closed chats, newest first, keyset by (closed_at, _id); retention's due
        # chats, oldest first.
        IndexModel(
            [("tenant_id", ASCENDING), ("status", ASCENDING), ("closed_at", ASCENDING), ("_id", ASCENDING)],
            name="tenant_status_closed",
        ),
    ],
    # _id is "<conversation id>:<epoch>": the primary key lets exactly one state change per epoch win.
    "transitions": [
        IndexModel([("tenant_id", ASCENDING), ("conversation_id", ASCENDING)], name="tenant_conv"),
        # Housekeeping reads the last minutes' transitions (wschat.chat.repair).
        IndexModel([("at", ASCENDING)], name="at"),
        # The archive: the chats an agent took part in (assigned or transferred to).
        IndexModel([("tenant_id", ASCENDING), ("state.agent_id", ASCENDING)], name="tenant_agent"),
        # A deleted agent's records and an agent's own data (wschat/agent_data), walked by _id: the
        # transitions that gave them a chat, and those they made.
        IndexModel(
            [("tenant_id", ASCENDING), ("state.agent_id", ASCENDING), ("_id", ASCENDING)],
            name="tenant_agent_id",
        ),
        IndexModel([("tenant_id", ASCENDING), ("by.id", ASCENDING), ("_id", ASCENDING)], name="tenant_by_id"),
    ],
    "messages": [
        IndexModel([("conversation_id", ASCENDING), ("seq", ASCENDING)], unique=True, name="conv_seq_unique"),
        IndexModel(
            [("conversation_id", ASCENDING), ("client_id", ASCENDING)], unique=True, name="conv_client_unique"
        ),
        IndexModel([("tenant_id", ASCENDING), ("conversation_id", ASCENDING)], name="tenant_conv"),
    ],
    "presence": [
        IndexModel([("tenant_id", ASCENDING)], name="tenant"),
        IndexModel([("disconnected_at", ASCENDING)], name="disconnected_at"),
    ],
    "sockets": [
        IndexModel([("tenant_id", ASCENDING), ("owner_id", ASCENDING)], name="tenant_owner"),
        IndexModel([("tenant_id", ASCENDING), ("kind", ASCENDING)], name="tenant_kind"),
        IndexModel([("owner_id", ASCENDING), ("kind", ASCENDING)], name="owner_kind"),
        IndexModel([("node_id", ASCENDING)], name="node"),
    ],
    "nodes": [IndexModel([("seen_at", ASCENDING)], name="seen_at")],
    "tenant_presence": [],
    "page_views": [
        IndexModel(
            [("tenant_id", ASCENDING), ("visitor_id", ASCENDING), ("entered_at", ASCENDING)],
            name="tenant_visitor_entered",
        ),
        IndexModel([("visitor_id", ASCENDING)], name="visitor"),
    ],
    "photos": [IndexModel([("tenant_id", ASCENDING), ("owner_id", ASCENDING)], name="tenant_owner")],
    # open_key is the conversation id while the call is open: one open call per conversation.
    "calls": [
        IndexModel(
            [("tenant_id", ASCENDING), ("open_key", ASCENDING)], unique=True, name="tenant_open_unique"
        ),
        IndexModel([("tenant_id", ASCENDING), ("conversation_id", ASCENDING)], name="tenant_conv"),
        IndexModel([("tenant_id", ASCENDING), ("agent_id", ASCENDING)], name="tenant_agent"),
        IndexModel([("status", ASCENDING), ("expires_at", ASCENDING)], name="status_expires"),
        IndexModel([("sids", ASCENDING)], name="sids"),
    ],
    # _id is "<call id>:<epoch>": the primary key lets exactly one change per epoch win. The tenant: its
    # deletion in batches (wschat/lifecycle).
    "call_transitions": [IndexModel([("tenant_id", ASCENDING)], name="tenant")],
    "outbox": [
        # The worker: mails to try now, of every tenant.
        IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="status_next"),
        # The admin's outbox: a tenant's mails in one state, newest first.
        IndexModel(
            [("tenant_id", ASCENDING), ("status", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
            name="tenant_status_created",
        ),
        # The mails to a data subject's addresses (wschat/subjects).
        IndexModel(
            [
                ("tenant_id", ASCENDING),
                ("recipient", ASCENDING),
                ("created_at", ASCENDING),
                ("_id", ASCENDING),
            ],
            name="tenant_recipient_created",
        ),
    ],
    # _id is "<mail id>:<epoch>": the primary key lets exactly one change per epoch win. The tenant: its
    # deletion in batches (wschat/lifecycle).
    "outbox_transitions": [IndexModel([("tenant_id", ASCENDING)], name="tenant")],
    # A tenant's shared replies (owner_key "") and one user's own; the unique key settles a shortcut twice.
    "canned_replies": [
        IndexModel(
            [("tenant_id", ASCENDING), ("owner_key", ASCENDING), ("shortcut", ASCENDING)],
            unique=True,
            name="tenant_owner_shortcut_unique",
        )
    ],
    # A visitor's copies take _id "<conversation id>:visitor:<n>": the primary key keeps their limit.
    "transcripts": [
        IndexModel(
            [("tenant_id", ASCENDING), ("conversation_id", ASCENDING), ("at", ASCENDING), ("_id", ASCENDING)],
            name="tenant_conv_at",
        ),
        # The forwards of a (deleted) agent (wschat/agent_data).
        IndexModel([("tenant_id", ASCENDING), ("by_id", ASCENDING), ("_id", ASCENDING)], name="tenant_by_id"),
    ],
    # The audit log (wschat/audit), newest first, keyset by (at, _id): the tenant's whole log, or one
    # action, family ("subject.*"), actor or target of it. Its retention deletes the oldest first.
    "audit_log": [
        IndexModel([("tenant_id", ASCENDING), ("at", ASCENDING), ("_id", ASCENDING)], name="tenant_at"),
        *(
            IndexModel(
                [("tenant_id", ASCENDING), (field, ASCENDING), ("at", ASCENDING), ("_id", ASCENDING)],
                name=f"tenant_{name}_at",
            )
            for field, name in (
                ("action", "action"),
                ("family", "family"),
                ("actor_id", "actor"),
                ("target_id", "target"),
            )
        ),
    ],
    # Reports (wschat/reports): a tenant's days, or one agent's; the marks by day (a rebuild's forget).
    "report_days": [
        IndexModel([("tenant_id", ASCENDING), ("day", ASCENDING)], name="tenant_day"),
        IndexModel(
            [("tenant_id", ASCENDING), ("agent_id", ASCENDING), ("day", ASCENDING)], name="tenant_agent_day"
        ),
    ],
    "report_pages": [IndexModel([("tenant_id", ASCENDING), ("day", ASCENDING)], name="tenant_day")],
    "report_visitors": [IndexModel([("tenant_id", ASCENDING), ("day", ASCENDING)], name="tenant_day")],
    "report_counted": [IndexModel([("tenant_id", ASCENDING), ("day", ASCENDING)], name="tenant_day")],
    # One pending sign-up per address (wschat/signup); housekeeping deletes them by expiry.
    "signups": [
        IndexModel([("email", ASCENDING)], unique=True, name="email_unique"),
        IndexModel([("expires_at", ASCENDING)], name="expires_at"),
    ],
    # Data-subject requests, newest first (wschat/subjects).
    "subject_requests": [
        IndexModel(
            [("tenant_id", ASCENDING), ("received_at", ASCENDING), ("_id", ASCENDING)], name="tenant_at"
        ),
        IndexModel([("tenant_id", ASCENDING), ("by_id", ASCENDING)], name="tenant_by"),
    ],
    # Appointments (wschat/appointments): a tenant's types, its settings (_id: the tenant's id; the tenant
    # for its deletion), one record of hours per agent.
    "appointment_types": [IndexModel([("tenant_id", ASCENDING), ("created_at", ASCENDING)], name="tenant")],
    "appointment_settings": [IndexModel([("tenant_id", ASCENDING)], name="tenant")],
    "appointment_hours": [
        IndexModel(
            [("tenant_id", ASCENDING), ("agent_id", ASCENDING)], unique=True, name="tenant_agent_unique"
        )
    ],
    # Upcoming lists (the tenant's, one agent's), a person's and a chat's appointments, retention by end,
    # and the reminders due across tenants.
    "appointments": [
        IndexModel([("tenant_id", ASCENDING), ("starts_at", ASCENDING)], name="tenant_start"),
        IndexModel(
            [("tenant_id", ASCENDING), ("agent_id", ASCENDING), ("starts_at", ASCENDING)],
            name="tenant_agent_start",
        ),
        IndexModel([("tenant_id", ASCENDING), ("ends_at", ASCENDING)], name="tenant_end"),
        IndexModel([("tenant_id", ASCENDING), ("visitor_id", ASCENDING)], name="tenant_visitor"),
        IndexModel([("tenant_id", ASCENDING), ("conversation_id", ASCENDING)], name="tenant_conversation"),
        IndexModel([("remind_at", ASCENDING)], name="remind_at"),
    ],
    # _id is "<tenant id>:<agent id>@<cell start>" (the unique key that settles a race for a slot: FerretDB
    # has no partial index, so a cancelled booking's cells are deleted rather than kept beside an index
    # condition), or "<appointment id>#<change>" for a claimed change. An agent's cells in a range; an
    # appointment's claims.
    "appointment_claims": [
        IndexModel(
            [("tenant_id", ASCENDING), ("agent_id", ASCENDING), ("at", ASCENDING)], name="tenant_agent_at"
        ),
        IndexModel([("tenant_id", ASCENDING), ("appointment_id", ASCENDING)], name="tenant_appointment"),
        # Claims of a booking or change under way (or left by a process that died in it): the repair's.
        IndexModel([("pending", ASCENDING)], name="pending"),
    ],
    # Deleted agents whose names are still being taken out of their chats, oldest first (wschat/agent_data).
    "former_agents": [
        IndexModel([("created_at", ASCENDING), ("_id", ASCENDING)], name="created"),
        IndexModel([("tenant_id", ASCENDING)], name="tenant"),
    ],
    **WEBHOOK_INDEXES,
    # _id is "<lease name>@<generation>": the primary key lets one change per generation win.
    "leases": [IndexModel([("name", ASCENDING), ("gen", ASCENDING)], name="name_gen")],
}


async def find_owned(collection: AsyncCollection[Document], doc_id: str, tenant_id: str) -> Document | None:
    """One document by primary key, and only if it belongs to ``tenant_id``.

    It is looked up by ``_id`` alone, the one filter that FerretDB answers from its primary key (with any
    other field in the filter it reads the whole collection), and the tenant is compared here.
    """
    doc = await collection.find_one({"_id": doc_id})
    return doc if doc is not None and doc.get("tenant_id") == tenant_id else None


class MongoDatabase:
    """The MongoDB adapter's :class:`~wschat.storage.Database`."""

    kind = "mongodb"

    def __init__(self, client: AsyncMongoClient[Document], name: str, description: str) -> None:
        from wschat.storage.mongo.stores import build_stores

        self.client = client
        self.db: MongoHandle = client[name]
        self._description = description
        self.stores: Stores = build_stores(self.db)

    @classmethod
    async def open(
        cls, uri: str, name: str, *, description: str = "MongoDB", source: bool = False
    ) -> MongoDatabase:
        """Connect, check that the server answers, create missing indexes (not in a ``source``, which is
        only read). Raises :class:`StorageError`."""
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
        from wschat.storage.mongo.audit import adopt_export_audit

        database = cls(client, name, description)
        try:
            await database.ping(within=10)
            if not source:
                await database.ensure_indexes()
                await adopt_export_audit(database.db)
        except (Unavailable, PyMongoError) as e:
            await client.close()
            raise StorageError(
                f"{description} does not answer ({type(e.__cause__ or e).__name__}); check "
                "WSCHAT_DATABASE_URL and that the server is running and reachable"
            ) from e
        return database

    def __getitem__(self, collection: str) -> AsyncCollection[Document]:
        return self.db[collection]

    def describe(self) -> str:
        return self._description

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

    async def documents(self, table: str, *, after: str | None = None, limit: int = 1000) -> list[Document]:
        _known(table)
        query: Document = {} if after is None else {"_id": {"$gt": after}}
        return [doc async for doc in self.db[table].find(query).sort("_id", ASCENDING).limit(limit)]

    async def count(self, table: str) -> int:
        _known(table)
        return await self.db[table].count_documents({})

    async def load(self, table: str, documents: list[Document]) -> int:
        _known(table)
        if not documents:
            return 0
        try:
            result = await self.db[table].insert_many(documents, ordered=False)
        except BulkWriteError as e:
            errors = e.details.get("writeErrors", [])
            if any(err.get("code") != 11000 for err in errors):
                raise
            # Only a known _id is skipped; a clash on another unique key (a slug) is a real conflict. The
            # error does not always say which key clashed (FerretDB's does not): look the ids up.
            refused = [err["op"]["_id"] for err in errors]
            stored = {doc["_id"] async for doc in self.db[table].find({"_id": {"$in": refused}}, {"_id": 1})}
            if set(refused) - stored:
                raise
            return int(e.details.get("nInserted", 0))
        except DuplicateKeyError:
            return 0
        return len(result.inserted_ids)


def _known(table: str) -> None:
    if table not in (*TABLES, *EPHEMERAL_TABLES):
        raise KeyError(f"no table {table!r}")
