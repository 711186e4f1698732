"""The reports step of the SQLite schema (``schema.py`` lists it in ``MIGRATIONS``; its rules hold here: a
step that has shipped is never edited)."""

from __future__ import annotations

#: The reports step (wschat.reports): a tenant's figures per UTC day (its own, agent ``''``, and each
#: agent's), the chats started per page path, the visitors seen on the site, and one mark per counted
#: conversation, so that nothing counts twice. Rows hold counts, never personal data.
V16 = [
    """CREATE TABLE report_days (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        counts TEXT NOT NULL,
        -- Copies of what the admin's table of agents reads from each row, so that a year of 50 agents
        -- (18,000 rows) is summed without reading every row's whole counts.
        answered INTEGER NOT NULL,
        transfers INTEGER NOT NULL,
        first TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX report_days_day ON report_days (tenant_id, day, agent_id)",
    "CREATE INDEX report_days_agent ON report_days (tenant_id, agent_id, day)",
    """CREATE TABLE report_pages (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        path TEXT NOT NULL,
        chats INTEGER NOT NULL,
        UNIQUE (tenant_id, day, path)
    )""",
    """CREATE TABLE report_visitors (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        visitors INTEGER NOT NULL,
        UNIQUE (tenant_id, day)
    )""",
    """CREATE TABLE report_counted (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        conversation_id TEXT NOT NULL,
        day TEXT NOT NULL,
        -- The start page counted for the chat, so that a person's erasure can take it out again.
        path TEXT,
        UNIQUE (tenant_id, conversation_id)
    )""",
    "CREATE INDEX report_counted_day ON report_counted (tenant_id, day)",
]
