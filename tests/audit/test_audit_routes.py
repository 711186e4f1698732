"""``GET /api/audit`` and ``GET /api/audit.csv`` through a live server: filters, keyset paging by a signed
cursor, the CSV download (cells that would be formulas neutralised), admins only, one tenant only, and
every bad filter refused with its code, changing nothing."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.audit.conftest import audit, entries
from tests.storage.builders import audit_entry
from tests.support import LiveServer
from wschat.accounts.models import Role, Tenant
from wschat.audit.models import Action, Actor, ActorKind, Target, TargetKind

pytestmark = pytest.mark.both_backends

CHAT = Target(TargetKind.CONVERSATION, "cnv_00000000000000c3")
PERSON = Target(TargetKind.VISITOR, "vis_00000000000000d4")


async def _log(server: LiveServer, tenant: Tenant, admin_id: str) -> None:
    """Six entries, a second apart: the admin's, an agent's (whose alias starts like a formula), the
    system's."""
    anna = Actor(ActorKind.ADMIN, admin_id, "Anna")
    formula = Actor(ActorKind.AGENT, "usr_00000000000000e5", '=HYPERLINK("https://evil.example")')
    made = [
        audit_entry(tenant, Action.ARCHIVE_VIEWED, actor=anna, target=CHAT),
        audit_entry(tenant, Action.SUBJECT_EXPORTED, actor=anna, target=PERSON, details={"conversations": 1}),
        audit_entry(tenant, Action.ARCHIVE_VIEWED, actor=formula, target=CHAT, details={"messages": 4}),
        audit_entry(
            tenant, Action.SUBJECT_ERASED, actor=anna, target=PERSON, details={"counts": {"visitors": 1}}
        ),
        audit_entry(tenant, Action.ARCHIVE_EXPORTED, actor=anna, details={"format": "csv", "rows": 2}),
        audit_entry(tenant, Action.LIFECYCLE_DEMO_ENDS_SOON, actor=Actor(ActorKind.SYSTEM, "system")),
    ]
    for n, entry in enumerate(made):
        entry["at"] = server.clock.now - timedelta(seconds=len(made) - n)
        await server.app.runtime.db.stores.audit.append(entry)


async def _admin(server: LiveServer, slug: str = "acme") -> tuple[Tenant, str, str, str]:
    """A tenant with an admin and an agent: the tenant, the admin's id, both tokens."""
    tenant = await server.make_tenant(slug)
    anna = await server.make_user(tenant, "anna", Role.ADMIN)
    await server.make_user(tenant, "bert")
    return tenant, anna.id, await server.login(slug, "anna"), await server.login(slug, "bert")


async def test_audit_lists_newest_first_filtered_and_paged_by_a_signed_cursor(server: LiveServer) -> None:
    tenant, anna_id, admin, _ = await _admin(server)
    await _log(server, tenant, anna_id)

    async def found(**query: str) -> list[str]:
        reply = await audit(server, admin, **query)
        assert reply.status == 200, reply.body
        return [e["action"] for e in reply.body["entries"]]

    everything = await found()
    assert everything == [
        "lifecycle.demo_ends_soon",
        "archive.exported",
        "subject.erased",
        "archive.viewed",
        "subject.exported",
        "archive.viewed",
    ]
    assert await found(action="archive.viewed") == ["archive.viewed", "archive.viewed"]
    assert await found(action="subject.*") == ["subject.erased", "subject.exported"]
    assert await found(actor_id="system") == ["lifecycle.demo_ends_soon"]
    assert await found(actor_id=anna_id, action="archive.*") == ["archive.exported", "archive.viewed"]
    assert await found(target_id=PERSON.id) == ["subject.erased", "subject.exported"]
    first = await audit(server, admin, limit="4")
    second = await audit(server, admin, limit="4", cursor=first.body["next"])
    assert [e["action"] for e in first.body["entries"] + second.body["entries"]] == everything
    assert second.body["next"] is None
    entry = first.body["entries"][2]
    assert entry["actor"] == {"kind": "admin", "id": anna_id, "name": "Anna"}
    assert entry["target"] == {"kind": "visitor", "id": PERSON.id}
    assert entry["details"] == {"counts": {"visitors": 1}}


async def test_audit_filters_by_dates(server: LiveServer) -> None:
    tenant, anna_id, admin, _ = await _admin(server)
    await _log(server, tenant, anna_id)
    stored = await entries(server)
    since, until = stored[1]["at"], stored[3]["at"]

    reply = await audit(server, admin, **{"from": since.isoformat(), "to": until.isoformat()})

    assert [e["action"] for e in reply.body["entries"]] == ["archive.viewed", "subject.exported"]
    naive = await audit(server, admin, **{"from": since.replace(tzinfo=None).isoformat()})
    assert len(naive.body["entries"]) == 5, "a time without zone is UTC"


async def test_audit_csv_holds_every_entry_the_filter_matches_with_formulas_neutralised(
    server: LiveServer,
) -> None:
    tenant, anna_id, admin, _ = await _admin(server)
    await _log(server, tenant, anna_id)

    status, headers, body = await _csv(server, admin, action="archive.*")

    assert status == 200
    assert headers["Content-Type"].startswith("text/csv")
    assert headers["Content-Disposition"] == 'attachment; filename="wschat-audit-acme.csv"'
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == [
        "at",
        "action",
        "actor_kind",
        "actor_id",
        "actor_name",
        "target_kind",
        "target_id",
        "details",
    ]
    assert [row[1] for row in rows[1:]] == ["archive.exported", "archive.viewed", "archive.viewed"]
    assert rows[2][4] == '\'=HYPERLINK("https://evil.example")', "a formula is shown as text"
    assert json.loads(rows[1][7]) == {"format": "csv", "rows": 2}
    assert rows[2][5:7] == ["conversation", CHAT.id]


async def test_audit_is_for_admins_and_for_their_own_tenant_only(server: LiveServer) -> None:
    tenant, anna_id, _, agent = await _admin(server)
    await _log(server, tenant, anna_id)
    _, _, other_admin, _ = await _admin(server, "globex")

    listed = await audit(server, agent)
    downloaded = await _csv(server, agent)
    other = await audit(server, other_admin)
    other_by_target = await audit(server, other_admin, target_id=PERSON.id)
    nobody = await server.request("GET", "/api/audit")

    assert (listed.status, listed.code) == (403, "FORBIDDEN")
    assert (downloaded[0], json.loads(downloaded[2])["error"]["code"]) == (403, "FORBIDDEN")
    assert other.body["entries"] == other_by_target.body["entries"] == []
    assert (nobody.status, nobody.code) == (401, "AUTH_INVALID")


BAD = [
    ({"action": "nope"}, "VALIDATION_FAILED"),
    ({"action": "subject.erased.twice"}, "VALIDATION_FAILED"),
    ({"action": "subject*"}, "VALIDATION_FAILED"),
    ({"action": "Subject.Erased"}, "VALIDATION_FAILED"),
    ({"action": "$ne"}, "VALIDATION_FAILED"),
    ({"actor_id": "anna"}, "VALIDATION_FAILED"),
    ({"actor_id": "usr_xyz"}, "VALIDATION_FAILED"),
    ({"target_id": "system"}, "VALIDATION_FAILED"),
    ({"target_id": "cnv_" + "0" * 100}, "VALIDATION_FAILED"),
    ({"from": "yesterday"}, "VALIDATION_FAILED"),
    ({"limit": "0"}, "VALIDATION_FAILED"),
    ({"limit": "101"}, "VALIDATION_FAILED"),
    ({"offset": "10"}, "VALIDATION_FAILED"),
    ({"from": "2026-05-02", "to": "2026-05-01"}, "INVALID_RANGE"),
    ({"from": "2026-05-01", "to": "2026-05-01"}, "INVALID_RANGE"),
    ({"cursor": "not a cursor at all"}, "INVALID_CURSOR"),
]


@pytest.mark.parametrize(("query", "code"), BAD)
async def test_audit_bad_filters_are_refused_and_change_nothing(
    server: LiveServer, query: dict[str, str], code: str
) -> None:
    tenant, anna_id, admin, _ = await _admin(server)
    await _log(server, tenant, anna_id)
    before = await entries(server)

    listed = await audit(server, admin, **query)
    downloaded = await _csv(server, admin, **query)

    assert (listed.status, listed.code) == (400, code)
    assert (downloaded[0], json.loads(downloaded[2])["error"]["code"]) == (400, code), "before the first row"
    assert await entries(server) == before


async def test_audit_cursor_changed_or_of_another_list_is_refused(server: LiveServer) -> None:
    tenant, anna_id, admin, _ = await _admin(server)
    await _log(server, tenant, anna_id)
    cursor = (await audit(server, admin, limit="2")).body["next"]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    exports = await server.request("GET", "/api/archive/exports?limit=1", token=admin)
    before = await entries(server)

    changed = await audit(server, admin, cursor=tampered)
    foreign = await audit(server, admin, cursor=exports.body["next"] or "x.y")
    reused = await server.request("GET", "/api/archive/exports?" + urlencode({"cursor": cursor}), token=admin)

    assert [r.code for r in (changed, foreign, reused)] == ["INVALID_CURSOR"] * 3
    assert await entries(server) == before


async def _csv(server: LiveServer, token: str, **query: str) -> tuple[int, Any, str]:
    path = "/api/audit.csv" + ("?" + urlencode(query) if query else "")
    async with server.http.get(server.url + path, headers={"Authorization": f"Bearer {token}"}) as reply:
        return reply.status, reply.headers, await reply.text()
