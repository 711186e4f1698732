"""Deleting an agent keeps their messages under "former agent": login, alias, photo go at once; every copy
of the name and photo in the chats they took part in goes in batches that survive a crash; then a scan of
every table (on SQLite every table in the file, the full-text index's own tables too) finds nothing of them,
while the visitors, and a colleague called alike, keep everything."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agent_data.conftest import XAVER, XAVIER, office
from tests.lifecycle.conftest import traces
from tests.support import LiveServer, stored
from wschat.agent_data.forgetting import FormerAgents
from wschat.agent_data.former import FORMER_AGENT
from wschat.agent_data.store import FormerAgent, Stage
from wschat.lifecycle.models import HoldRequest
from wschat.server.agent_data import agent_data_services
from wschat.storage import TABLES, Database

#: Conversations per page of the walk: the deleted agent's six chats take more than one batch.
PAGE = 2


async def _everything(db: Database) -> dict[str, list[Any]]:
    return {table: await stored(db, table) for table in TABLES if table != "former_agents"}


def _messages(dump: dict[str, list[Any]], kind: str, user_id: str | None = None) -> list[Any]:
    return [
        m
        for m in dump["messages"]
        if m["sender"]["kind"] == kind and (user_id is None or m["sender"]["id"] == user_id)
    ]


async def _kept(db: Database, needles: tuple[str, ...]) -> dict[str, set[str]]:
    """Where ``needles`` are, but in the full-text index's own tables: a merge stores a word that shares a
    beginning with the one before it by its difference only, so bytes there say where a word is not."""
    return {table: found for table, found in (await traces(db, needles)).items() if "_fts" not in table}


def _restarted(server: LiveServer, holder: str) -> FormerAgents:
    """The deleted agents' runner of another process (or of this one after a restart)."""
    former_agents, _ = agent_data_services(server.app.runtime.db.stores, server.clock, holder=holder)
    former_agents.chats.page_size = PAGE
    return former_agents


@pytest.mark.both_backends
async def test_deleted_agent_keeps_messages_as_former_agent_and_their_name_is_nowhere(
    server: LiveServer,
) -> None:
    here = await office(server)
    db, xaver = server.app.runtime.db, here.xaver
    needles = (XAVER[0], "xaver", XAVER[1], here.photo_id)
    colleague = (XAVIER[0], XAVIER[1])
    visitors = ("Besucherin1", "Besucherin4", "Wartende", "Olga Offline", "Frage 3", "Rückruf")
    assert set(await traces(db, (XAVER[0],))) >= {"messages", "transitions", "conversations", "calls"}
    before = await _everything(db)
    colleague_before, visitors_before = await _kept(db, colleague), await _kept(db, visitors)

    deleted = await server.request("DELETE", f"/api/agents/{xaver.id}", token=here.tokens["anna"])
    assert deleted.status == 204, deleted.body
    assert await stored(db, "users", _id=xaver.id) == []
    assert await stored(db, "photos", owner_id=xaver.id) == []
    [todo] = await stored(db, "former_agents")
    assert (todo["user_id"], todo["stage"]) == (xaver.id, "held")
    assert XAVER[0] not in repr(todo)

    # Not before it has settled: a request of his on its way lands first.
    first = _restarted(server, "node_first")
    await first.run_once()
    assert await stored(db, "former_agents") == [todo]
    server.clock.advance(seconds=10)
    # One batch, then the process dies; another process (or this one restarted) goes on from there.
    [due] = await first.store.formers(server.clock(), 10)
    progressed = await first.step(due)
    assert progressed is not None
    assert progressed.after is not None
    [kept] = await stored(db, "former_agents")
    assert (kept["stage"], kept["after"]) == (progressed.stage.value, progressed.after)
    await _restarted(server, "node_second").run_once()
    assert await stored(db, "former_agents") == []

    left = await traces(db, needles)
    # Mails already sent (the forwarded transcript) keep what they said: docs/privacy.md, "Not yet".
    assert set(left) <= {"outbox"}, left
    assert await _kept(db, colleague) == colleague_before, "the colleague lost their name somewhere"
    assert await _kept(db, visitors) == visitors_before
    after = await _everything(db)
    theirs = _messages(after, "agent", xaver.id)
    assert [m["text"] for m in theirs] == [m["text"] for m in _messages(before, "agent", xaver.id)]
    assert {"Antwort 1", "Wir rufen zurück", "Stammkundin"} <= {m["text"] for m in theirs}
    assert {(m["sender"]["display_name"], m["sender"]["photo_url"]) for m in theirs} == {("", None)}
    assert _messages(after, "visitor") == _messages(before, "visitor")
    assert _messages(after, "agent", here.xavier.id) == _messages(before, "agent", here.xavier.id)
    system = {m["event"]: m for m in _messages(after, "system") if m["conversation_id"] == here.chats[0]}
    assert system["assigned"]["text"] == f"{FORMER_AGENT} joined the chat."
    assert system["assigned"]["data"] == {"agent": ""}
    assert system["call_started"]["text"] == f"{FORMER_AGENT} started a video call."
    assert system["closed_by_agent"]["text"] == f"{FORMER_AGENT} closed the chat."
    handed = [m for m in after["messages"] if m["event"] == "transferred"]
    assert [m["data"] for m in handed] == [{"from": "", "to": XAVIER[0]}]
    assert [m["text"] for m in handed] == [f"{XAVIER[0]} has taken over the chat."]
    # The archive's search finds him nowhere; his colleague as before.
    found = await server.request("GET", "/api/archive?q=Xaver", token=here.tokens["anna"])
    assert found.status == 200
    assert found.body["conversations"] == []
    found = await server.request("GET", "/api/archive?q=Xavier", token=here.tokens["anna"])
    assert [c["id"] for c in found.body["conversations"]] == [here.chats[1]]

    # Done twice (a crash before the to-do was deleted): nothing changes.
    await db.stores.agent_data.add_former(FormerAgent("fag_again", here.tenant.id, xaver.id, server.clock()))
    server.clock.advance(seconds=10)
    await _restarted(server, "node_third").run_once()
    assert await _everything(db) == after
    assert await stored(db, "former_agents") == []


async def test_deleted_agent_name_stays_while_the_tenant_is_under_a_legal_hold(server: LiveServer) -> None:
    here = await office(server)
    db = server.app.runtime.db
    await server.app.runtime.lifecycle.hold("acme", HoldRequest(reason="Rechtsstreit"))
    deleted = await server.request("DELETE", f"/api/agents/{here.xaver.id}", token=here.tokens["anna"])
    assert deleted.status == 204
    before = await _everything(db)
    server.clock.advance(seconds=10)

    await server.app.runtime.former_agents.run_once()

    assert await _everything(db) == before
    assert [t["stage"] for t in await stored(db, "former_agents")] == [Stage.HELD.value]
    await server.app.runtime.lifecycle.release("acme")
    await server.app.runtime.former_agents.run_once()
    assert await stored(db, "former_agents") == []
    assert set(await traces(db, (XAVER[0],))) <= {"outbox"}


async def test_a_todo_naming_a_user_who_exists_changes_nothing(server: LiveServer) -> None:
    here = await office(server)
    db = server.app.runtime.db
    before = await _everything(db)
    todo = FormerAgent("fag_mistaken", here.tenant.id, here.xaver.id, server.clock())
    await db.stores.agent_data.add_former(todo)
    server.clock.advance(seconds=10)

    await server.app.runtime.former_agents.run_once()

    assert await _everything(db) == before
    assert await stored(db, "former_agents") == []


async def test_a_refused_deletion_leaves_the_agent_and_records_no_todo(server: LiveServer) -> None:
    here = await office(server)
    db = server.app.runtime.db
    before = await _everything(db)
    admin = await server.accounts.users.by_login(here.tenant.id, "anna")
    assert admin is not None
    refused = {
        "not an admin": (f"/api/agents/{here.xavier.id}", here.tokens["q.xaver"], 403, "FORBIDDEN"),
        "no such user": ("/api/agents/usr_nobody", here.tokens["anna"], 404, "NOT_FOUND"),
        "the last active admin": (f"/api/agents/{admin.id}", here.tokens["anna"], 409, "CONFLICT"),
    }
    for why, (path, token, status, code) in refused.items():
        reply = await server.request("DELETE", path, token=token)
        assert (reply.status, reply.code) == (status, code), why

    assert await stored(db, "former_agents") == []
    assert await _everything(db) == before
