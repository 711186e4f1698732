"""``GET /api/archive/export`` (CSV and JSONL, streamed) and its audit log ``GET /api/archive/exports``."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from tests.archive.conftest import past_chat
from tests.chat.conftest import Team
from tests.support import stored
from wschat.spreadsheet import neutralised

pytestmark = pytest.mark.both_backends


async def _download(team: Team, token: str, **query: str) -> tuple[int, str, str | None]:
    from urllib.parse import urlencode

    url = f"{team.server.url}/api/archive/export?{urlencode(query)}"
    async with team.server.http.get(url, headers={"Authorization": f"Bearer {token}"}) as reply:
        return reply.status, (await reply.read()).decode(), reply.headers.get("Content-Type")


async def test_export_csv_and_jsonl_hold_what_was_sent_and_are_audited(team: Team) -> None:
    cid = await past_chat(team, "bert", ['=HYPERLINK("http://evil")', "Lieferung nach Köln"], alias="@Sam")
    await past_chat(team, "bert", ["etwas anderes"])
    admin = team.tokens["anna"]

    status, body, kind = await _download(team, admin, q="köln", format="csv")
    assert status == 200, body
    assert kind is not None
    assert kind.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["id"] for r in rows] == [cid]
    assert rows[0]["visitor_name"] == "'@Sam", "a formula-like cell is neutralised"
    assert rows[0]["agents"] == "Bert"
    assert rows[0]["outcome"] == "answered"
    assert int(rows[0]["message_count"]) >= 2

    team.server.clock.advance(seconds=1)
    status, body, kind = await _download(team, admin, format="jsonl")
    assert status == 200, body
    lines = [json.loads(line) for line in body.splitlines()]
    assert len(lines) == 2
    mine = next(line for line in lines if line["conversation"]["id"] == cid)
    texts = [m["text"] for m in mine["messages"]]
    assert '=HYPERLINK("http://evil")' in texts
    assert "Lieferung nach Köln" in texts
    assert {"messages", "pages", "calls", "visitor", "history"} <= set(mine)

    log = await team.server.request("GET", "/api/archive/exports", token=admin)
    assert log.status == 200, log.body
    assert [(e["format"], e["rows"], e["user_name"]) for e in log.body["exports"]] == [
        ("jsonl", 2, "Anna"),
        ("csv", 1, "Anna"),
    ]
    assert log.body["exports"][1]["filter"] == {"q": "köln", "format": "csv"}


async def test_each_exported_chat_lists_the_export_as_done_with_it(team: Team) -> None:
    first = await past_chat(team, "bert", ["Lieferung nach Köln"])
    second = await past_chat(team, "bert", ["etwas anderes"])
    admin = team.tokens["anna"]

    status, _, _ = await _download(team, admin, q="köln", format="csv")
    assert status == 200
    team.server.clock.advance(seconds=1)
    status, _, _ = await _download(team, admin, format="jsonl")
    assert status == 200

    opened = await team.server.request("GET", f"/api/archive/{first}", token=admin)
    other = await team.server.request("GET", f"/api/archive/{second}", token=admin)
    bert = team.tokens["bert"]
    listed = await team.server.request("GET", f"/api/conversations/{first}/transcripts", token=bert)

    def exports(copies: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
        return [(c["kind"], c["to"], c["by"]["display_name"]) for c in copies]

    assert opened.status == 200, opened.body
    assert exports(opened.body["copies"]) == [("export", "csv", "Anna"), ("export", "jsonl", "Anna")]
    assert exports(other.body["copies"]) == [("export", "jsonl", "Anna")], "only what each export held"
    assert exports(listed.body["transcripts"]) == exports(opened.body["copies"])


async def test_export_is_for_admins_and_bad_filters_store_no_record(team: Team) -> None:
    await past_chat(team, "bert", ["hallo"])
    db = team.server.app.runtime.db

    agent = await _download(team, team.tokens["bert"], format="csv")
    log = await team.server.request("GET", "/api/archive/exports", token=team.tokens["bert"])
    reversed_range = await _download(team, team.tokens["anna"], **{"from": "2026-02-01", "to": "2026-01-01"})
    bad_format = await _download(team, team.tokens["anna"], format="xlsx")

    assert (agent[0], json.loads(agent[1])["error"]["code"]) == (403, "FORBIDDEN")
    assert (log.status, log.code) == (403, "FORBIDDEN")
    assert (reversed_range[0], json.loads(reversed_range[1])["error"]["code"]) == (400, "INVALID_RANGE")
    assert (bad_format[0], json.loads(bad_format[1])["error"]["code"]) == (400, "VALIDATION_FAILED")
    assert await stored(db, "audit_log") == []
    assert await stored(db, "transcripts") == []


async def test_export_of_another_tenants_chat_by_id_is_not_found(team: Team) -> None:
    cid = await past_chat(team, "bert", ["geheim"])
    other = await team.server.make_tenant("globex")
    await team.server.make_user(other, "gina", role=team.anna.role)
    token = await team.server.login("globex", "gina")

    status, body, _ = await _download(team, token, format="jsonl", q="geheim")
    opened = await team.server.request("GET", f"/api/archive/{cid}", token=token)

    assert (status, body) == (200, "")
    assert (opened.status, opened.code) == (404, "NOT_FOUND")


def test_export_neutralises_formula_cells() -> None:
    assert [neutralised(c) for c in ("=1+1", "+49 30", "-2", "@SUM(A1)", "\tx", "plain", "")] == [
        "'=1+1",
        "'+49 30",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "plain",
        "",
    ]
