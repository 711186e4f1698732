"""The appointments' tables (wschat/appointments): their columns, and the schema step that creates them.

Claims (``appointment_claims``) are the unique keys of booked time: a row per five-minute cell of an
appointment, id ``<tenant id>:<agent id>@<cell>``, and a row per change of an appointment, id
``<appointment id>#…`` (its ``at`` is null). Each query of ``sqlite/appointments.py`` goes through one
of these indexes.
"""

from __future__ import annotations

from wschat.storage.sqlite.table_spec import Column, Table

APPOINTMENT_TYPES = Table(
    "appointment_types",
    (
        Column("id"),
        Column("tenant_id"),
        Column("name", "json"),
        Column("duration", "int"),
        Column("kind"),
        Column("address"),
        Column("buffer_before", "int"),
        Column("buffer_after", "int"),
        Column("min_notice", "int"),
        Column("horizon_days", "int"),
        Column("agent_ids", "json"),
        Column("created_at", "time"),
    ),
)
APPOINTMENT_HOURS = Table(
    "appointment_hours",
    (
        Column("id"),
        Column("tenant_id"),
        Column("agent_id"),
        Column("week", "json"),
        Column("exceptions", "json"),
        Column("email"),
        Column("updated_at", "time"),
    ),
)
APPOINTMENT_SETTINGS = Table(
    "appointment_settings",
    (
        Column("id"),
        Column("tenant_id"),
        Column("time_zone"),
        Column("callback_offline", "bool"),
        Column("reminder", "bool"),
        Column("callback_type_id"),
    ),
)
APPOINTMENTS = Table(
    "appointments",
    (
        Column("id"),
        Column("tenant_id"),
        Column("type_id"),
        Column("title", "json"),
        Column("kind"),
        Column("agent_id"),
        Column("starts_at", "time"),
        Column("ends_at", "time"),
        Column("blocked_from", "time"),
        Column("blocked_until", "time"),
        Column("name"),
        Column("email"),
        Column("lang"),
        Column("time_zone"),
        Column("created_at", "time"),
        Column("status"),
        Column("location"),
        Column("phone"),
        Column("visitor_id"),
        Column("conversation_id"),
        Column("sequence", "int"),
        Column("remind_at", "time"),
        Column("cancelled_at", "time"),
        Column("cancelled_by"),
    ),
)
APPOINTMENT_CLAIMS = Table(
    "appointment_claims",
    (Column("id"), Column("tenant_id"), Column("agent_id"), Column("appointment_id"), Column("at", "time")),
)

APPOINTMENT_TABLES = (
    APPOINTMENT_TYPES,
    APPOINTMENT_HOURS,
    APPOINTMENT_SETTINGS,
    APPOINTMENTS,
    APPOINTMENT_CLAIMS,
)

#: The appointments step: types, hours, settings, appointments and their claims.
V17 = [
    """CREATE TABLE appointment_types (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        duration INTEGER NOT NULL,
        kind TEXT NOT NULL,
        address TEXT NOT NULL DEFAULT '',
        buffer_before INTEGER NOT NULL DEFAULT 0,
        buffer_after INTEGER NOT NULL DEFAULT 0,
        min_notice INTEGER NOT NULL DEFAULT 0,
        horizon_days INTEGER NOT NULL,
        agent_ids TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL
    )""",
    "CREATE INDEX appointment_types_tenant ON appointment_types (tenant_id)",
    """CREATE TABLE appointment_hours (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        agent_id TEXT NOT NULL,
        week TEXT NOT NULL DEFAULT '{}',
        exceptions TEXT NOT NULL DEFAULT '{}',
        email TEXT,
        updated_at INTEGER,
        UNIQUE (tenant_id, agent_id)
    )""",
    """CREATE TABLE appointment_settings (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        time_zone TEXT NOT NULL,
        callback_offline INTEGER NOT NULL DEFAULT 0,
        reminder INTEGER NOT NULL DEFAULT 1,
        callback_type_id TEXT
    )""",
    """CREATE TABLE appointments (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        type_id TEXT NOT NULL,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        blocked_from INTEGER NOT NULL,
        blocked_until INTEGER NOT NULL,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        lang TEXT NOT NULL,
        time_zone TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        location TEXT NOT NULL DEFAULT '',
        phone TEXT,
        visitor_id TEXT,
        conversation_id TEXT,
        sequence INTEGER NOT NULL DEFAULT 0,
        remind_at INTEGER,
        cancelled_at INTEGER,
        cancelled_by TEXT
    )""",
    "CREATE INDEX appointments_start ON appointments (tenant_id, starts_at)",
    "CREATE INDEX appointments_agent ON appointments (tenant_id, agent_id, starts_at)",
    "CREATE INDEX appointments_end ON appointments (tenant_id, ends_at)",
    "CREATE INDEX appointments_visitor ON appointments (tenant_id, visitor_id)",
    "CREATE INDEX appointments_conversation ON appointments (tenant_id, conversation_id)",
    "CREATE INDEX appointments_reminders ON appointments (remind_at) WHERE remind_at IS NOT NULL",
    """CREATE TABLE appointment_claims (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        agent_id TEXT NOT NULL,
        appointment_id TEXT NOT NULL,
        at INTEGER
    )""",
    "CREATE INDEX appointment_claims_cells ON appointment_claims (tenant_id, agent_id, at)",
    "CREATE INDEX appointment_claims_appointment ON appointment_claims (tenant_id, appointment_id)",
]
