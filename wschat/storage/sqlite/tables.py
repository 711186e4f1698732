"""How each table's rows map onto documents (the shape both adapters share, see ``wschat/records.py``).

The column list is the one place that says which document field lives in which column and how its value
is kept; ``schema.py`` creates the tables, and a test checks the two agree.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from wschat.records import Document
from wschat.storage.sqlite import values, webhook_columns

Kind = Literal["text", "int", "real", "bool", "time", "json", "blobs", "rest"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "text"

    @property
    def field(self) -> str:
        return "_id" if self.name == "id" else self.name

    def encode(self, value: Any) -> Any:
        match self.kind:
            case "time":
                return values.to_time(value)
            case "json" | "rest":
                return values.to_json(value)
            case "bool":
                return None if value is None else int(bool(value))
            case "blobs":
                return values.to_blobs(value)
            case _:
                return value

    def decode(self, value: Any) -> Any:
        match self.kind:
            case "time":
                return values.from_time(value)
            case "json" | "rest":
                return values.from_json(value)
            case "bool":
                return None if value is None else bool(value)
            case "blobs":
                return values.from_blobs(value)
            case _:
                return value


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    #: Defaults for fields a document may lack (one written by an older version, or by the other adapter).
    defaults: Mapping[str, Any] | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    def encode(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """A document as column values; fields without a column go to the ``rest`` column, if any."""
        row: dict[str, Any] = {}
        known = {c.field for c in self.columns}
        for c in self.columns:
            if c.kind == "rest":
                row[c.name] = c.encode({k: v for k, v in doc.items() if k not in known} or None)
                continue
            value = doc.get(c.field)
            if value is None and self.defaults and c.field in self.defaults:
                value = self.defaults[c.field]
            row[c.name] = c.encode(value)
        unknown = set(doc) - known
        if unknown and not any(c.kind == "rest" for c in self.columns):
            raise ValueError(f"{self.name} has no column for {sorted(unknown)}")
        return row

    def decode(self, row: sqlite3.Row | Mapping[str, Any]) -> Document:
        doc: Document = {}
        for c in self.columns:
            value = c.decode(row[c.name])
            if c.kind == "rest":
                doc.update(value or {})
            else:
                doc[c.field] = value
        return doc

    def insert_sql(self, *, skip_known_id: bool = False) -> str:
        """An INSERT of every column; ``skip_known_id`` makes a row whose id is stored a no-op (any other
        constraint still fails loudly)."""
        names = self.column_names
        sql = f"INSERT INTO {self.name} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})"
        return sql + " ON CONFLICT (id) DO NOTHING" if skip_known_id else sql

    def select_sql(self) -> str:
        return f"SELECT {', '.join(self.column_names)} FROM {self.name}"


def _c(*specs: str) -> tuple[Column, ...]:
    """Columns from ``"name"`` or ``"name:kind"``."""
    out = []
    for spec in specs:
        name, _, kind = spec.partition(":")
        out.append(Column(name, kind or "text"))  # type: ignore[arg-type]
    return tuple(out)


TENANTS = Table(
    "tenants",
    _c(
        "id",
        "slug",
        "name",
        "plan",
        "status",
        "created_at:time",
        "updated_at:time",
        "demo_ends_at:time",
        "contract_ended_at:time",
        "allowed_origins:json",
        "settings:json",
        "branding:json",
        "video:json",
        "mail:json",
        "lifecycle:json",
    ),
    defaults={"allowed_origins": [], "settings": {}, "branding": {}, "lifecycle": {}},
)
USERS = Table(
    "users",
    _c(
        "id",
        "tenant_id",
        "login",
        "display_name",
        "role",
        "password_hash",
        "password_version",
        "password_changed_at:time",
        "max_chats:int",
        "disabled:bool",
        "photo_id",
        "created_at:time",
        "updated_at:time",
        "revoked_sessions:json",
    ),
    defaults={"disabled": False, "revoked_sessions": []},
)
VISITORS = Table(
    "visitors",
    _c(
        "id",
        "tenant_id",
        "token_hash",
        "name",
        "alias",
        "contact:json",
        "ip",
        "country",
        "user_agent",
        "first_seen:time",
        "last_seen:time",
        "current_page:json",
        "engaged:bool",
        "restricted:bool",
        # Set once retention deleted or shortened the address (wschat/retention): never taken again.
        "ip_aged:bool",
    ),
    defaults={"contact": {}, "engaged": False, "restricted": False, "ip_aged": False},
)
CONVERSATIONS = Table(
    "conversations",
    _c(
        "id",
        "tenant_id",
        "visitor_id",
        "open_key",
        "status",
        "epoch:int",
        "agent_id",
        "created_at:time",
        "assigned_at:time",
        "closed_at:time",
        "closed_by:json",
        "visitor_read_seq:int",
        "agent_read_seq:int",
        "visitor_left_at:time",
        "origin",
        "answer_state",
        "answer_email",
        "answer_lang",
        "done_at:time",
        "done_by",
    ),
    defaults={"visitor_read_seq": 0, "agent_read_seq": 0, "origin": "chat"},
)
TRANSITIONS = Table(
    "transitions",
    _c("id", "tenant_id", "conversation_id", "epoch:int", "kind", "at:time", "state:json", "record:rest"),
)
MESSAGES = Table(
    "messages",
    _c(
        "id",
        "tenant_id",
        "conversation_id",
        "seq:int",
        "client_id",
        "sender:json",
        "kind",
        "text",
        "created_at:time",
        "visibility",
        "event",
        "data:json",
    ),
    defaults={"visibility": "all", "data": {}},
)
PRESENCE = Table(
    "presence",
    _c("id", "tenant_id", "status", "changed_at:time", "disconnected_at:time", "last_assigned_at:time"),
    defaults={"status": "offline"},
)
SOCKETS = Table(
    "sockets",
    _c("id", "tenant_id", "owner_id", "kind", "password_version", "session_id", "node_id", "at:time"),
)
NODES = Table("nodes", _c("id", "seen_at:time"))
TENANT_PRESENCE = Table("tenant_presence", _c("id", "online:bool"))
PAGE_VIEWS = Table(
    "page_views",
    _c("id", "tenant_id", "visitor_id", "url", "title", "referrer", "entered_at:time", "left_at:time"),
)
PHOTOS = Table(
    "photos", _c("id", "tenant_id", "owner_id", "variants:blobs", "content_hash", "created_at:time")
)
CALLS = Table(
    "calls",
    _c(
        "id",
        "tenant_id",
        "conversation_id",
        "visitor_id",
        "agent_id",
        "kind",
        "mode",
        "room",
        "epoch:int",
        "started_by",
        "started_by_id",
        "created_at:time",
        "expires_at:time",
        "recorded:bool",
        "status",
        "participants:json",
        "sids:json",
        "started_at:time",
        "ended_at:time",
        "end_reason",
        "ended_by",
        "duration:int",
        "open_key",
    ),
    defaults={"recorded": False, "participants": [], "sids": []},
)
CALL_TRANSITIONS = Table("call_transitions", _c("id", "tenant_id", "call_id", "at:time", "state:json"))
OUTBOX = Table(
    "outbox",
    _c(
        "id",
        "tenant_id",
        "recipient",
        "subject",
        "text",
        "html",
        "lang",
        "message_id",
        "created_at:time",
        "epoch:int",
        "status",
        "attempts:int",
        "next_attempt_at:time",
        "lease_until:time",
        "last_error",
        "sent_at:time",
        "attachments:json",
        "attachment_data:blobs",
    ),
    defaults={"attachments": []},
)
OUTBOX_TRANSITIONS = Table(
    "outbox_transitions", _c("id", "tenant_id", "mail_id", "epoch:int", "at:time", "state:json")
)
TRANSCRIPTS = Table(
    "transcripts",
    _c("id", "tenant_id", "conversation_id", "kind", "recipient", "at:time", "by_id", "by_name", "note"),
    defaults={"by_name": ""},
)
#: The audit log (wschat/audit): who, what, to which record, when, and counts.
_WHO = ("actor_kind", "actor_id", "actor_name")
AUDIT_LOG = Table(
    "audit_log",
    _c("id", "tenant_id", "at:time", "action", "family", *_WHO, "target_kind", "target_id", "details:json"),
    defaults={"actor_name": "", "details": {}},
)
SUBJECT_REQUESTS = Table(
    "subject_requests",
    _c(
        "id",
        "tenant_id",
        "visitor_id",
        "kind",
        "state",
        "received_at:time",
        "due_at:time",
        "done_at:time",
        "by_id",
        "by_name",
        "detail:json",
    ),
    defaults={"detail": {}},
)
#: The deleted agents whose names are still being taken out of their chats (wschat/agent_data).
FORMER_AGENTS = Table("former_agents", _c("id", "tenant_id", "user_id", "created_at:time", "stage", "after"))
LEASES = Table("leases", _c("id", "holder", "until:time"))
SIGNUPS = Table(
    "signups",
    _c(
        "id",
        "email",
        "name",
        "company",
        "phone",
        "consent_text",
        "consent_at:time",
        "lang",
        "created_at:time",
        "expires_at:time",
        "mail_id",
    ),
)
CANNED_REPLIES = Table(
    "canned_replies",
    _c(
        "id",
        "tenant_id",
        "owner_key",
        "title",
        "shortcut",
        "text:json",
        "version:int",
        "created_at:time",
        "updated_at:time",
    ),
)

WEBHOOK_ENDPOINTS = Table("webhook_endpoints", _c(*webhook_columns.ENDPOINTS))
WEBHOOK_DELIVERIES = Table("webhook_deliveries", _c(*webhook_columns.DELIVERIES))
#: Every table, parents before children (the order a copy loads them in).
TABLES: tuple[Table, ...] = (
    TENANTS,
    USERS,
    VISITORS,
    CONVERSATIONS,
    TRANSITIONS,
    MESSAGES,
    PRESENCE,
    SOCKETS,
    NODES,
    TENANT_PRESENCE,
    PAGE_VIEWS,
    PHOTOS,
    CALLS,
    CALL_TRANSITIONS,
    OUTBOX,
    OUTBOX_TRANSITIONS,
    CANNED_REPLIES,
    TRANSCRIPTS,
    AUDIT_LOG,
    SIGNUPS,
    SUBJECT_REQUESTS,
    FORMER_AGENTS,
    WEBHOOK_ENDPOINTS,
    WEBHOOK_DELIVERIES,
    LEASES,
)
BY_NAME = {table.name: table for table in TABLES}
