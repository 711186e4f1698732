"""``wschat retention run`` as an operator uses it: a real subprocess on a real data dir."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from tests.storage.builders import T0, at, message_builder, new_conversation, new_tenant, new_visitor
from tests.test_cli import wschat
from wschat.chat.models import SYSTEM, ConversationStatus
from wschat.clock import utc_now
from wschat.database_url import DatabaseUrl
from wschat.storage import open_database


async def _old_chat(data_dir: Path) -> None:
    """A tenant with a chat closed 400 days ago (retention: 365) whose visitor's address is as old."""
    data_dir.mkdir(parents=True)
    db = await open_database(DatabaseUrl.parse(f"sqlite://{data_dir}/wschat.db"))
    try:
        stores = db.stores
        acme = new_tenant("acme")
        await stores.tenants.insert(acme)
        long_ago = (utc_now() - timedelta(days=400) - T0).total_seconds()
        visitor = new_visitor(acme, seen=long_ago, name="Zebulon", ip="198.51.100.0")
        await stores.visitors.insert(visitor, "token-hash")
        chat = new_conversation(acme, visitor.id, created=long_ago)
        assert await stores.conversations.insert(chat)
        await stores.visitors.mark_engaged(acme.id, visitor.id)
        build = message_builder(chat, "c1", "Frage zebulontext", created=long_ago)
        await stores.messages.append(acme.id, chat.id, "c1", build)
        closed = {"status": ConversationStatus.CLOSED.value, "closed_at": at(long_ago + 60)}
        await stores.conversations.transition(
            chat, "close", closed | {"closed_by": SYSTEM.to_doc()}, {}, at(long_ago + 60)
        )
        fresh = replace(new_visitor(acme, ip="203.0.113.0"), first_seen=utc_now(), last_seen=utc_now())
        await stores.visitors.insert(fresh, "token-hash-fresh")
    finally:
        await db.close()


async def test_retention_run_deletes_what_is_due_now_and_prints_the_counts(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    await _old_chat(data_dir)

    code, out, err = await wschat(data_dir, "retention", "run")

    assert code == 0, err
    assert out.splitlines() == ["acme: chat: conversations 1, messages 1, transitions 1, visitors 1"]
    assert "zebulon" not in out.lower()

    code, out, _ = await wschat(data_dir, "retention", "run")
    assert (code, out.strip()) == (0, "nothing was due")
