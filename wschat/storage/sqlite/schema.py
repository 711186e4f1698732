"""The SQLite schema and its versions. ``PRAGMA user_version`` says which steps a file has had.

Each entry of :data:`MIGRATIONS` takes a file from version ``n`` to ``n + 1`` and runs in one transaction
with the version bump, so a crash leaves the file at one version or the next. Never edit a step that has
shipped: add the next one. A file whose version is above :data:`LATEST` was written by a newer wsChat and
is refused, unchanged.

Every query a store makes is answered through one of these indexes (``EXPLAIN QUERY PLAN`` in
``tests/storage/test_query_plans.py``). Times are integer microseconds since the epoch, UTC.
"""

from __future__ import annotations

from wschat.storage.sqlite.appointment_tables import V17
from wschat.storage.sqlite.schema_reports import V16
from wschat.storage.sqlite.schema_steps import V8, V9, V10, V11, V12, V13, V14, V15
from wschat.storage.sqlite.search_index import V18

_V1 = [
    """CREATE TABLE tenants (
        id TEXT PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        plan TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER,
        demo_ends_at INTEGER,
        contract_ended_at INTEGER,
        allowed_origins TEXT NOT NULL DEFAULT '[]',
        settings TEXT NOT NULL DEFAULT '{}',
        branding TEXT NOT NULL DEFAULT '{}',
        video TEXT
    )""",
    """CREATE TABLE users (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        login TEXT NOT NULL,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        password_version TEXT NOT NULL,
        password_changed_at INTEGER,
        max_chats INTEGER NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        photo_id TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER,
        revoked_sessions TEXT NOT NULL DEFAULT '[]',
        UNIQUE (tenant_id, login)
    )""",
    "CREATE INDEX users_tenant_role ON users (tenant_id, role)",
    """CREATE TABLE visitors (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        token_hash TEXT NOT NULL,
        name TEXT,
        alias TEXT,
        contact TEXT NOT NULL DEFAULT '{}',
        ip TEXT,
        country TEXT,
        user_agent TEXT,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        current_page TEXT,
        engaged INTEGER NOT NULL DEFAULT 0,
        UNIQUE (tenant_id, token_hash)
    )""",
    # The live visitor list: who has a page open, most recently active first.
    "CREATE INDEX visitors_on_site ON visitors (tenant_id, last_seen) WHERE current_page IS NOT NULL",
    # Housekeeping: page visitors who never chatted, by when they were last seen.
    "CREATE INDEX visitors_idle ON visitors (last_seen) WHERE engaged = 0 AND current_page IS NULL",
    """CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        visitor_id TEXT NOT NULL,
        open_key TEXT NOT NULL,
        status TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        agent_id TEXT,
        created_at INTEGER NOT NULL,
        assigned_at INTEGER,
        closed_at INTEGER,
        closed_by TEXT,
        visitor_read_seq INTEGER NOT NULL DEFAULT 0,
        agent_read_seq INTEGER NOT NULL DEFAULT 0,
        visitor_left_at INTEGER,
        UNIQUE (tenant_id, open_key)
    )""",
    "CREATE INDEX conversations_status ON conversations (tenant_id, status, created_at)",
    # Status before agent: an agent's active chats and the load per agent read open chats only, never the
    # closed history.
    "CREATE INDEX conversations_agent ON conversations (tenant_id, status, agent_id, created_at)",
    "CREATE INDEX conversations_left ON conversations (visitor_left_at) WHERE status != 'closed'",
    # Housekeeping across tenants: who holds active chats, which tenants have a queue (open chats only).
    "CREATE INDEX conversations_open ON conversations (status, tenant_id, agent_id)",
    """CREATE TABLE transitions (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        state TEXT NOT NULL,
        record TEXT,
        UNIQUE (conversation_id, epoch)
    )""",
    """CREATE TABLE messages (
        id TEXT NOT NULL UNIQUE,
        tenant_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        client_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        visibility TEXT NOT NULL DEFAULT 'all',
        event TEXT,
        data TEXT NOT NULL DEFAULT '{}',
        UNIQUE (conversation_id, seq),
        UNIQUE (conversation_id, client_id)
    )""",
    """CREATE TABLE presence (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'offline',
        changed_at INTEGER,
        disconnected_at INTEGER,
        last_assigned_at INTEGER
    )""",
    "CREATE INDEX presence_tenant ON presence (tenant_id)",
    "CREATE INDEX presence_gone ON presence (disconnected_at) WHERE status != 'offline'",
    """CREATE TABLE sockets (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        password_version TEXT,
        session_id TEXT,
        node_id TEXT NOT NULL,
        at INTEGER NOT NULL
    )""",
    "CREATE INDEX sockets_owner ON sockets (owner_id, tenant_id, kind, session_id)",
    "CREATE INDEX sockets_tenant ON sockets (tenant_id, kind, owner_id)",
    "CREATE INDEX sockets_node ON sockets (node_id, kind)",
    "CREATE TABLE nodes (id TEXT PRIMARY KEY, seen_at INTEGER NOT NULL)",
    "CREATE INDEX nodes_seen ON nodes (seen_at)",
    "CREATE TABLE tenant_presence (id TEXT PRIMARY KEY, online INTEGER NOT NULL)",
    """CREATE TABLE page_views (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        visitor_id TEXT NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        title TEXT,
        referrer TEXT,
        entered_at INTEGER NOT NULL,
        left_at INTEGER
    )""",
    "CREATE INDEX page_views_visitor ON page_views (visitor_id, entered_at)",
    """CREATE TABLE photos (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        variants BLOB NOT NULL,
        content_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL
    )""",
    "CREATE INDEX photos_owner ON photos (tenant_id, owner_id)",
    """CREATE TABLE calls (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        visitor_id TEXT NOT NULL,
        agent_id TEXT,
        kind TEXT NOT NULL,
        mode TEXT NOT NULL,
        room TEXT,
        epoch INTEGER NOT NULL,
        started_by TEXT NOT NULL,
        started_by_id TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        recorded INTEGER NOT NULL DEFAULT 0 CHECK (recorded = 0),
        status TEXT NOT NULL,
        participants TEXT NOT NULL DEFAULT '[]',
        sids TEXT NOT NULL DEFAULT '[]',
        started_at INTEGER,
        ended_at INTEGER,
        end_reason TEXT,
        ended_by TEXT,
        duration INTEGER,
        open_key TEXT NOT NULL,
        UNIQUE (tenant_id, open_key)
    )""",
    "CREATE INDEX calls_status ON calls (status, expires_at)",
    "CREATE INDEX calls_agent ON calls (tenant_id, agent_id, status)",
    "CREATE INDEX calls_conversation ON calls (conversation_id, created_at)",
    """CREATE TABLE call_transitions (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        state TEXT NOT NULL
    )""",
    "CREATE INDEX call_transitions_call ON call_transitions (call_id)",
    "CREATE TABLE leases (id TEXT PRIMARY KEY, holder TEXT NOT NULL, until INTEGER NOT NULL)",
]

#: Version 2: housekeeping finds the transitions of the last minutes whose aftermath was interrupted
#: (wschat.chat.repair); ``at`` is the only way in that does not grow with the stored history.
_V2 = ["CREATE INDEX transitions_at ON transitions (at)"]

#: Version 3: the outbox (wschat.mail), a mail's claimed transitions, and a tenant's own mail server.
_V3 = [
    """CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        text TEXT NOT NULL,
        html TEXT NOT NULL,
        lang TEXT NOT NULL,
        message_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        epoch INTEGER NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER,
        lease_until INTEGER,
        last_error TEXT,
        sent_at INTEGER,
        attachments TEXT NOT NULL DEFAULT '[]',
        attachment_data BLOB
    )""",
    # The worker: mails to try now, of every tenant. Sent and failed mails are not in it, however many.
    "CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('queued', 'sending')",
    # The admin's outbox: a tenant's mails in one state, newest first (paged by created_at, id).
    "CREATE INDEX outbox_tenant_status ON outbox (tenant_id, status, created_at, id)",
    """CREATE TABLE outbox_transitions (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        mail_id TEXT NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        at INTEGER NOT NULL,
        state TEXT NOT NULL
    )""",
    "CREATE INDEX outbox_transitions_mail ON outbox_transitions (mail_id)",
    "ALTER TABLE tenants ADD COLUMN mail TEXT",
]

#: Version 4: canned replies (wschat.canned). The unique key is also the way in of every query: a tenant's
#: shared replies (owner_key '') and one user's own, counted per owner scope for the limit.
_V4 = [
    """CREATE TABLE canned_replies (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        owner_key TEXT NOT NULL,
        title TEXT NOT NULL,
        shortcut TEXT NOT NULL,
        text TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (tenant_id, owner_key, shortcut)
    )""",
]

#: Version 5: the transcripts sent of a conversation (wschat.chat.transcripts): a visitor's copies take
#: numbered slots (the primary key keeps the limit), an agent's forwards a random id.
_V5 = [
    """CREATE TABLE transcripts (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        recipient TEXT NOT NULL,
        at INTEGER NOT NULL,
        by_id TEXT,
        by_name TEXT NOT NULL,
        note TEXT
    )""",
    "CREATE INDEX transcripts_conversation ON transcripts (tenant_id, conversation_id, at, id)",
]

#: Version 6: how a conversation began ("chat", or "offline_form" for a message left while nobody was online).
_V6 = ["ALTER TABLE conversations ADD COLUMN origin TEXT NOT NULL DEFAULT 'chat'"]

#: Version 7: an offline message's to-answer state, the visitor's address and language for the answer, and
#: who marked it done when. The console's list and count of open items read only the open ones.
_V7 = [
    "ALTER TABLE conversations ADD COLUMN answer_state TEXT",
    "ALTER TABLE conversations ADD COLUMN answer_email TEXT",
    "ALTER TABLE conversations ADD COLUMN answer_lang TEXT",
    "ALTER TABLE conversations ADD COLUMN done_at INTEGER",
    "ALTER TABLE conversations ADD COLUMN done_by TEXT",
    "CREATE INDEX conversations_todo ON conversations (tenant_id, created_at, id)"
    " WHERE answer_state = 'open'",
]


#: Step ``n`` takes a file from version ``n`` to ``n + 1``.
MIGRATIONS: list[list[str]] = [
    *(_V1, _V2, _V3, _V4, _V5, _V6, _V7, V8, V9, V10),
    *(V11, V12, V13, V14, V15, V16, V17, V18),
]
LATEST = len(MIGRATIONS)
