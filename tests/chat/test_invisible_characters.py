"""Invisible and direction characters never reach an agent's screen (security review, item 7).

A right-to-left override turns ``Sam<RLO>fdp.exe`` into what reads as ``Samexe.pdf``; zero-width characters
make ``admin`` and ``adm<ZWSP>in`` look alike. The widget's every free text (name, alias, e-mail, page
title) and the browser's user agent are stored and shown without them, as messages already were.
"""

from __future__ import annotations

import pytest

from tests.chat.conftest import Team
from tests.support import stored
from wschat.wire import clean_line

RLO, ZWSP, LRI, PDI, BOM, WJ, SHY, TAG_A = (
    "\u202e",
    "\u200b",
    "\u2066",
    "\u2069",
    "\ufeff",
    "\u2060",
    "\u00ad",
    "\U000e0041",
)
HIDDEN = (RLO, ZWSP, LRI, PDI, BOM, WJ, SHY, TAG_A)


def _hidden_in(value: object) -> list[str]:
    text = repr(value) if not isinstance(value, str) else value
    return [f"U+{ord(c):04X}" for c in text if c in HIDDEN]


async def test_names_aliases_email_titles_and_user_agent_are_stored_without_invisible_characters(
    team: Team,
) -> None:
    server = team.server
    bert = await team.agent("bert")
    session = await server.request(
        "POST",
        "/api/widget/acme/session",
        json={"token": None},
        headers={"User-Agent": f"Mozilla/5.0 {RLO}(Windows){PDI} Safari{ZWSP}"},
    )
    sam = await server.visitor(token=session.body["token"])
    await sam.ok("page.view", {"url": "https://www.acme.example/", "title": f"Invoice{RLO}fdp.exe{BOM}"})
    started = await sam.ok("chat.start", {"name": f"Sa{ZWSP}m{TAG_A}", "alias": f"{LRI}adm{WJ}in{PDI}"})
    cid = started["conversation"]["id"]
    reply = await sam.ok(
        "contact.submit",
        {"conversation_id": cid, "name": f"Sam{SHY} Smith", "email": f"sa{ZWSP}m{RLO}@example.com"},
    )
    assert reply["visitor"]["contact"]["email"] == "sam@example.com"
    assert reply["visitor"]["contact"]["name"] == "Sam Smith"

    seen = await bert.wait("visitor.updated", lambda d: d["visitor"]["contact"]["email"])
    db = server.app.runtime.db
    record = (await stored(db, "visitors", _id=seen["visitor"]["id"]))[0]
    pages = await stored(db, "page_views")
    for where, value in (("agent's view", seen), ("visitor document", record), ("page views", pages)):
        assert _hidden_in(value) == [], where
    visitor = seen["visitor"]
    assert (visitor["name"], visitor["alias"]) == ("Sam", "admin")
    assert visitor["user_agent"] == "Mozilla/5.0 (Windows) Safari"
    assert visitor["current_page"]["title"] == "Invoicefdp.exe"


async def test_a_name_of_invisible_characters_only_is_refused_and_changes_nothing(team: Team) -> None:
    sam = await team.server.visitor()
    reply = await sam.call("chat.start", {"name": RLO + ZWSP + BOM})
    assert reply["ok"] is False
    assert reply["error"]["code"] == "VALIDATION_FAILED"
    assert await team.server.app.runtime.db.count("conversations") == 0


@pytest.mark.parametrize("char", list(HIDDEN))
def test_every_hidden_character_is_in_the_stripped_set(char: str) -> None:
    assert clean_line(f"a{char}b") == "ab"
