"""Schema step 10 on a file of version 9 that holds mail: the outbox keeps every row and its transitions
keep pointing at it, and a mail without a tenant (the sign-up's confirmation) can be stored."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from wschat.storage.sqlite import schema
from wschat.storage.sqlite.database import prepare

_OUTBOX = (
    "INSERT INTO outbox (id, tenant_id, recipient, subject, text, html, lang, message_id, created_at, epoch,"
    " status, attempts) VALUES (?, ?, 'a@b.example', 's', 't', 'h', 'en', '<m@x>', 1, 1, 'sent', 1)"
)


def test_step_10_keeps_the_outbox_and_lets_a_mail_be_sent_before_any_tenant_exists(tmp_path: Path) -> None:
    path = tmp_path / "wschat.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for step in schema.MIGRATIONS[:9]:
            for statement in step:
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 9")
        conn.execute(
            "INSERT INTO tenants (id, slug, name, plan, status, created_at) VALUES ('ten_1', 'acme', "
            "'Acme', 'demo', 'active', 1)"
        )
        conn.execute(_OUTBOX, ("mai_1", "ten_1"))
        conn.execute(
            "INSERT INTO outbox_transitions (id, tenant_id, mail_id, epoch, at, state) "
            "VALUES ('mai_1:1', 'ten_1', 'mai_1', 1, 1, '{}')"
        )

    prepare(path)

    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        assert conn.execute("SELECT id, tenant_id FROM outbox").fetchall() == [("mai_1", "ten_1")]
        assert conn.execute("SELECT id FROM outbox_transitions").fetchall() == [("mai_1:1",)], "kept"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute(_OUTBOX, ("mai_2", "system"))  # refused by the old foreign key
        conn.execute("DELETE FROM outbox WHERE id = 'mai_1'")
        assert conn.execute("SELECT count(*) FROM outbox_transitions").fetchone() == (0,), "still cascades"
