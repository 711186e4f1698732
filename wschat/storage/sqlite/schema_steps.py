"""Schema steps 8 on (the archive, the lifecycle, sign-ups, data-subject requests, the audit log);
``schema.py`` holds the first ones and the list of all, and its rules hold here: a step that has shipped is
never edited."""

from __future__ import annotations


def _words(row: str) -> str:
    """The searchable words of a visitor row (SQLite 3.40 has no concat_ws)."""
    parts = [f"{row}name", f"{row}alias"] + [
        f"json_extract({row}contact, '$.{key}')" for key in ("name", "email", "phone")
    ]
    return " || ' ' || ".join(f"coalesce({part}, '')" for part in parts)


#: Version 8: the archive (wschat.archive): past conversations newest first, paged by (closed_at, id);
#: full-text search over message text and visitors' contact data (FTS5, umlauts and accents folded), both
#: kept in step with their tables by triggers in the same transaction as the change; the export audit log.
V8 = [
    "CREATE INDEX conversations_archive ON conversations (tenant_id, status, closed_at, id)",
    # Which conversations an agent took part in: derived from the stored transitions (assign, transfer)
    # through this index, so chats of before this step count too.
    "CREATE INDEX transitions_agent ON transitions (tenant_id, json_extract(state, '$.agent_id'))",
    # The tenant is a column of the index too: a search ANDs the tenant's token with the words inside FTS5
    # (merging two doclists) instead of looking up every match of the installation to check its tenant.
    """CREATE VIRTUAL TABLE messages_fts USING fts5(
        text, tenant_id, content='messages', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')",
    """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, text, tenant_id) VALUES (new.rowid, new.text, new.tenant_id);
    END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text, tenant_id)
            VALUES ('delete', old.rowid, old.text, old.tenant_id);
    END""",
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, tenant_id ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text, tenant_id)
            VALUES ('delete', old.rowid, old.text, old.tenant_id);
        INSERT INTO messages_fts (rowid, text, tenant_id) VALUES (new.rowid, new.text, new.tenant_id);
    END""",
    # The visitor's name, alias and contact data; a table of its own (not external content), because
    # the contact fields sit inside a JSON column.
    "CREATE VIRTUAL TABLE visitors_fts USING fts5(words, tokenize='unicode61 remove_diacritics 2')",
    f"""INSERT INTO visitors_fts (rowid, words) SELECT rowid, {_words("")} FROM visitors""",
    f"""CREATE TRIGGER visitors_fts_insert AFTER INSERT ON visitors BEGIN
        INSERT INTO visitors_fts (rowid, words) VALUES (new.rowid, {_words("new.")});
    END""",
    f"""CREATE TRIGGER visitors_fts_update AFTER UPDATE OF name, alias, contact ON visitors BEGIN
        DELETE FROM visitors_fts WHERE rowid = old.rowid;
        INSERT INTO visitors_fts (rowid, words) VALUES (new.rowid, {_words("new.")});
    END""",
    """CREATE TRIGGER visitors_fts_delete AFTER DELETE ON visitors BEGIN
        DELETE FROM visitors_fts WHERE rowid = old.rowid;
    END""",
    """CREATE TABLE export_audit (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        user_name TEXT NOT NULL,
        format TEXT NOT NULL,
        filter TEXT NOT NULL,
        rows INTEGER NOT NULL,
        at INTEGER NOT NULL
    )""",
    "CREATE INDEX export_audit_tenant ON export_audit (tenant_id, at, id)",
]

#: Version 9: a tenant's lifecycle (wschat/accounts/contract.py: contact, legal hold, steps done). Deleting
#: a conversation (wschat/lifecycle) makes SQLite look up the rows that reference it in every child table:
#: transcripts were reached by tenant first, so without this index each deletion would read them all.
V9 = [
    "ALTER TABLE tenants ADD COLUMN lifecycle TEXT",
    "CREATE INDEX transcripts_conversation_fk ON transcripts (conversation_id)",
]

#: Version 10: pending demo sign-ups (wschat/signup), one per address; and the outbox without its foreign
#: key to tenants, because a sign-up's confirmation mail is sent before any tenant exists (its tenant_id is
#: ``wschat.mail.models.SYSTEM_SENDER``). SQLite cannot drop a constraint: the table is built anew and
#: renamed (https://www.sqlite.org/lang_altertable.html#otheralter; migrations run with foreign keys off, so
#: outbox_transitions keeps pointing at the table named outbox). A tenant's mails were and are deleted by
#: its lifecycle (wschat/lifecycle), not by the cascade.
V10 = [
    """CREATE TABLE signups (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        company TEXT NOT NULL,
        phone TEXT,
        consent_text TEXT,
        consent_at INTEGER,
        lang TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        mail_id TEXT
    )""",
    "CREATE INDEX signups_expires ON signups (expires_at)",
    """CREATE TABLE outbox_v10 (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
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
    "INSERT INTO outbox_v10 SELECT * FROM outbox",
    "DROP TABLE outbox",
    "ALTER TABLE outbox_v10 RENAME TO outbox",
    "CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('queued', 'sending')",
    "CREATE INDEX outbox_tenant_status ON outbox (tenant_id, status, created_at, id)",
]

#: Version 11: data-subject requests (wschat/subjects): a visitor's conversations and the mails to their
#: addresses, each through an index that leads with the tenant; the log of the requests and their deadlines;
#: a visitor's restriction of processing (Art. 18), which the archive's pages leave out.
V11 = [
    "ALTER TABLE visitors ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX conversations_visitor ON conversations (tenant_id, visitor_id, created_at, id)",
    "CREATE INDEX outbox_recipient ON outbox (tenant_id, recipient, created_at, id)",
    """CREATE TABLE subject_requests (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        visitor_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        done_at INTEGER,
        by_id TEXT NOT NULL,
        by_name TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
    )""",
    "CREATE INDEX subject_requests_tenant ON subject_requests (tenant_id, received_at, id)",
]

#: Version 12: the audit log (wschat/audit): one append-only table for every feature, read newest first
#: through an index per filter (the tenant's whole log, one action, one family such as ``subject.*``, one
#: actor, one target), each ending with (at, id) for keyset paging. Triggers refuse every UPDATE, and every
#: DELETE but the cascade of a deleted tenant and a purge that holds a permit in ``audit_purges`` (written
#: and taken back inside the purging transaction: wschat/storage/sqlite/audit.py). The export audit of
#: version 8 becomes entries ``archive.exported`` of the log (the CLI's as the operator's) and goes.
V12 = [
    """CREATE TABLE audit_log (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        action TEXT NOT NULL,
        family TEXT NOT NULL,
        actor_kind TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        actor_name TEXT NOT NULL DEFAULT '',
        target_kind TEXT,
        target_id TEXT,
        details TEXT NOT NULL DEFAULT '{}'
    )""",
    "CREATE INDEX audit_log_tenant ON audit_log (tenant_id, at, id)",
    "CREATE INDEX audit_log_action ON audit_log (tenant_id, action, at, id)",
    "CREATE INDEX audit_log_family ON audit_log (tenant_id, family, at, id)",
    "CREATE INDEX audit_log_actor ON audit_log (tenant_id, actor_id, at, id)",
    "CREATE INDEX audit_log_target ON audit_log (tenant_id, target_id, at, id)",
    """INSERT INTO audit_log (id, tenant_id, at, action, family, actor_kind, actor_id, actor_name,
            target_kind, target_id, details)
        SELECT id, tenant_id, at, 'archive.exported', 'archive',
            CASE WHEN user_id = 'operator' THEN 'operator' ELSE 'admin' END, user_id,
            CASE WHEN user_id = 'operator' THEN '' ELSE user_name END, 'tenant', tenant_id,
            json_object('format', format, 'filter', json(filter), 'rows', rows)
        FROM export_audit""",
    "DROP TABLE export_audit",
    "CREATE TABLE audit_purges (tenant_id TEXT PRIMARY KEY, before INTEGER NOT NULL)",
    """CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END""",
    """CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
        WHEN EXISTS (SELECT 1 FROM tenants WHERE id = old.tenant_id)
            AND NOT EXISTS (
                SELECT 1 FROM audit_purges WHERE tenant_id = old.tenant_id AND old.at < before
            )
    BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END""",
]

#: Version 13: retention inside a running tenant (wschat/retention). Each index holds only rows that can
#: be due, so that a run reads what it deletes, not what is kept: visitors whose address has not been aged
#: (``ip_aged`` is set once it was deleted or shortened; stored addresses count from ``first_seen``, when
#: they were stored), and visitors who chatted, by when they were last seen. Closed chats are found through
#: ``conversations_archive``, sent and failed mails through ``outbox_tenant_status``.
V13 = [
    "ALTER TABLE visitors ADD COLUMN ip_aged INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX visitors_ip_due ON visitors (tenant_id, first_seen) WHERE ip_aged = 0",
    "CREATE INDEX visitors_engaged ON visitors (tenant_id, last_seen) WHERE engaged = 1",
]

#: Version 14: what deleting an agent leaves (wschat/agent_data). ``former_agents`` is the durable to-do of
#: the deletions whose name-taking is not done yet (housekeeping works through it in batches, oldest first);
#: the records that name an agent are found by the agent's id through indexes that lead with the tenant: the
#: transitions they made (``by``), the transcripts they forwarded, their entries in the audit log (through
#: ``audit_log_actor``) and the data-subject requests they answered. (The transitions that gave them a chat
#: have had ``transitions_agent`` since 8.) The audit log stays append-only but for one change: an entry's
#: actor name may be emptied, and nothing else of it changed, when that agent is deleted.
V14 = [
    """CREATE TABLE former_agents (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        stage TEXT NOT NULL,
        after TEXT
    )""",
    "CREATE INDEX former_agents_created ON former_agents (created_at, id)",
    "CREATE INDEX former_agents_tenant ON former_agents (tenant_id)",
    "CREATE INDEX transitions_by ON transitions (tenant_id, json_extract(record, '$.by.id'))",
    "CREATE INDEX transcripts_by ON transcripts (tenant_id, by_id)",
    "DROP TRIGGER audit_log_append_only_update",
    """CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
        WHEN NOT (
            new.actor_name = '' AND new.id IS old.id AND new.tenant_id IS old.tenant_id AND new.at IS old.at
            AND new.action IS old.action AND new.family IS old.family AND new.actor_kind IS old.actor_kind
            AND new.actor_id IS old.actor_id AND new.target_kind IS old.target_kind
            AND new.target_id IS old.target_id AND new.details IS old.details
        )
    BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END""",
    "CREATE INDEX subject_requests_by ON subject_requests (tenant_id, by_id)",
]

#: The webhooks step (wschat/webhooks): a tenant's endpoints (the secret sealed), and the deliveries, which
#: are the worker's durable queue and the console's log at once. The worker reads the pending ones through a
#: partial index, however many were delivered; the console pages a tenant's (or one endpoint's) newest first;
#: erasure finds a visitor's; the clean-up takes the oldest of any tenant. A deleted endpoint or tenant takes
#: its deliveries with it (``ON DELETE CASCADE``, through indexes that lead with their keys).
V15 = [
    """CREATE TABLE webhook_endpoints (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        description TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        secret TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    )""",
    "CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, created_at, id)",
    """CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        event TEXT NOT NULL,
        body TEXT NOT NULL,
        visitor_id TEXT,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER,
        retry_until INTEGER NOT NULL,
        last_attempt_at INTEGER,
        delivered_at INTEGER,
        response_status INTEGER,
        response_body TEXT,
        last_error TEXT
    )""",
    "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'",
    "CREATE INDEX webhook_deliveries_tenant ON webhook_deliveries (tenant_id, created_at, id)",
    # Leads with the endpoint: its deletion cascades through it (a foreign key's child lookup).
    "CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at, id)",
    "CREATE INDEX webhook_deliveries_visitor ON webhook_deliveries (tenant_id, visitor_id)",
    "CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at)",
]
