"""How each table's rows map onto documents (the shape both adapters share, see ``wschat/records.py``).

The column list is the one place that says which document field lives in which column and how its value
is kept; ``schema.py`` creates the tables, and a test checks the two agree.
"""

from __future__ import annotations

from wschat.storage.sqlite import webhook_columns
from wschat.storage.sqlite.appointment_tables import APPOINTMENT_TABLES
from wschat.storage.sqlite.table_spec import Column, Kind, Table
from wschat.storage.sqlite.table_spec import columns_of as _c

__all__ = ["BY_NAME", "TABLES", "Column", "Kind", "Table"]


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
    *APPOINTMENT_TABLES,
    WEBHOOK_ENDPOINTS,
    WEBHOOK_DELIVERIES,
    LEASES,
)
BY_NAME = {table.name: table for table in TABLES}
