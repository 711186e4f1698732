"""``GET /api/archive`` and ``GET /api/archive/<id>`` through a live server: search, paging, access rules,
and every bad input named in the issue refused with its code, changing nothing."""

from __future__ import annotations

import pytest

from tests.archive.conftest import get, past_chat
from tests.chat.conftest import Team
from tests.support import stored

pytestmark = pytest.mark.both_backends


async def test_archive_search_finds_a_word_from_the_middle_and_opens_the_whole_chat(team: Team) -> None:
    cid = await past_chat(
        team, "bert", ["Guten Tag", "Wo bleibt meine Lieferung?", "Danke"], transfer_to="carl"
    )
    await past_chat(team, "bert", ["Rechnung bitte"])
    admin = team.tokens["anna"]

    reply = await get(team.server, admin, "/api/archive", q="lieferung")

    assert reply.status == 200, reply.body
    [hit] = reply.body["conversations"]
    assert hit["id"] == cid
    assert hit["outcome"] == "answered"
    assert {"text": "Lieferung", "hit": True} in hit["snippet"]
    opened = await get(team.server, admin, f"/api/archive/{cid}")
    assert opened.status == 200, opened.body
    texts = [m["text"] for m in opened.body["messages"]]
    assert "Wo bleibt meine Lieferung?" in texts
    assert "Bitte übernehmen" in texts, "the transfer note, marked agents-only"
    note = next(m for m in opened.body["messages"] if m["text"] == "Bitte übernehmen")
    assert note["visibility"] == "agents"
    assert [a["display_name"] for a in opened.body["conversation"]["agents"]] == ["Bert", "Carl"]
    assert opened.body["visitor"]["alias"] == "Sam"
    assert [h["kind"] for h in opened.body["history"]][-1] == "close"


async def test_archive_pages_by_an_opaque_cursor(team: Team) -> None:
    made = [await past_chat(team, "bert", [f"chat {n}"]) for n in range(3)]
    admin = team.tokens["anna"]

    first = await get(team.server, admin, "/api/archive", limit="2")
    second = await get(team.server, admin, "/api/archive", limit="2", cursor=first.body["next"])

    ids = [c["id"] for c in first.body["conversations"] + second.body["conversations"]]
    assert ids == made[::-1]
    assert second.body["next"] is None


async def test_archive_agents_see_only_chats_they_took_part_in(team: Team) -> None:
    berts = await past_chat(team, "bert", ["von Bert"])
    carls = await past_chat(team, "carl", ["von Carl"])

    seen = await get(team.server, team.tokens["bert"], "/api/archive")
    refused = await get(team.server, team.tokens["bert"], f"/api/archive/{carls}")
    colleague = await get(team.server, team.tokens["bert"], "/api/archive", agent_id=team.carl.id)

    assert [c["id"] for c in seen.body["conversations"]] == [berts]
    assert (refused.status, refused.code) == (403, "FORBIDDEN")
    assert "take part" in refused.body["error"]["message"]
    assert (colleague.status, colleague.code) == (403, "FORBIDDEN")

    await team.set_tenant(archive_open_to_agents=True)
    opened = await get(team.server, team.tokens["bert"], f"/api/archive/{carls}")
    assert opened.status == 200, opened.body


async def test_archive_search_full_of_operators_and_quotes_is_read_as_words(team: Team) -> None:
    cid = await past_chat(team, "bert", ['Bitte "NEAR" AND OR* prüfen'])
    await past_chat(team, "bert", ["etwas anderes"])

    for q in ['"NEAR', 'AND OR* "', 'NEAR(" AND', "text: -OR ^and", "' OR 1=1 --"]:
        reply = await get(team.server, team.tokens["anna"], "/api/archive", q=q)
        assert reply.status == 200, (q, reply.body)
        expected = [] if "text" in q or "1" in q else [cid]
        assert [c["id"] for c in reply.body["conversations"]] == expected, q

    nothing = await get(team.server, team.tokens["anna"], "/api/archive", q='"*" ()')
    assert (nothing.status, nothing.code) == (400, "VALIDATION_FAILED")


async def test_archive_bad_ranges_and_cursors_are_refused_and_change_nothing(team: Team) -> None:
    await past_chat(team, "bert", ["hallo"])
    admin = team.tokens["anna"]
    db = team.server.app.runtime.db
    before = {table: await stored(db, table) for table in ("conversations", "messages", "audit_log")}

    reversed_range = await get(
        team.server, admin, "/api/archive", **{"from": "2026-05-02", "to": "2026-05-01"}
    )
    wide = await get(team.server, admin, "/api/archive", **{"from": "2020-01-01", "to": "2026-01-01"})
    first = await get(team.server, admin, "/api/archive", limit="1")
    tampered = first.body["next"][:-2] + ("AA" if not first.body["next"].endswith("AA") else "BB")
    cursor = await get(team.server, admin, "/api/archive", cursor=tampered)
    garbage = await get(team.server, admin, "/api/archive", cursor="not a cursor at all")
    bad_date = await get(team.server, admin, "/api/archive", **{"from": "yesterday"})

    assert (reversed_range.status, reversed_range.code) == (400, "INVALID_RANGE")
    assert (wide.status, wide.code) == (400, "INVALID_RANGE")
    assert (cursor.status, cursor.code) == (400, "INVALID_CURSOR")
    assert (garbage.status, garbage.code) == (400, "INVALID_CURSOR")
    assert (bad_date.status, bad_date.code) == (400, "VALIDATION_FAILED")
    after = {table: await stored(db, table) for table in before}
    assert after == before


async def test_archive_of_another_tenant_is_not_found(team: Team) -> None:
    server = team.server
    other = await server.make_tenant("globex")
    await server.make_user(other, "gina", role=team.anna.role)
    cid = await past_chat(team, "bert", ["geheim"])
    token = await server.login("globex", "gina")

    opened = await get(server, token, f"/api/archive/{cid}")
    searched = await get(server, token, "/api/archive", q="geheim")

    assert (opened.status, opened.code) == (404, "NOT_FOUND")
    assert searched.body["conversations"] == []
