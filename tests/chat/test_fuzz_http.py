"""Fuzzing every JSON endpoint under ``/api/``: hostile bodies, odd path segments, wrong content types.

Every route the app has is found from its URL map, so a new endpoint is fuzzed without being listed here.
For every request: never a 5xx; an error is JSON ``{"error": {"code", "message"}}`` with a documented code
(never ``INTERNAL``); nothing is logged at ERROR and no traceback. The strategies are those of the Socket.IO
fuzzing (``test_fuzz_events.py``), with the same example counts (``WSCHAT_FUZZ_EXAMPLES``, ``make fuzz``).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from tests.chat.conftest import Team
from tests.chat.test_fuzz_events import DOCUMENTED, FUZZING, HOSTILE, JSON, ODD_TEXT, Refusals
from tests.chat.test_fuzz_events import refusals as refusals

PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
#: Path segments; an over-long request line is answered by the HTTP server itself (uvicorn's 400) before
#: the app sees it, so segments stay under a kilobyte.
SEGMENTS = st.one_of(
    st.text(min_size=1, max_size=30),
    ODD_TEXT.filter(lambda text: 0 < len(text) < 1000),
    st.sampled_from(["acme", "..", "%2e%2e", "usr_0123456789abcdef01234567", "a" * 300, "$where"]),
)
BODY_KEYS = ["login", "password", "display_name", "role", "max_chats", "disabled", "token", "tenant"]
BODY_KEYS += ["allowed_origins", "branding", "auto_assign", "jitsi", "turn_urls", "stun_urls"]


def api_routes(team: Team) -> list[tuple[str, str]]:
    """(method, rule) of every JSON endpoint."""
    return sorted(
        (method, rule.rule)
        for rule in team.server.app.quart.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    )


@st.composite
def paths(draw: st.DrawFn, rule: str) -> str:
    def segment(match: re.Match[str]) -> str:
        if match.group(1) == "int":
            return str(draw(st.integers(min_value=0, max_value=2**40)))
        return quote(draw(SEGMENTS), safe="")

    return PARAMETER.sub(segment, rule)


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str, bytes]:
    """(content type, raw body)."""
    kind = draw(st.sampled_from(["hostile", "keys", "text", "none"]))
    if kind == "hostile":
        return "application/json", json.dumps(draw(HOSTILE)).encode()
    if kind == "keys":
        keys = draw(st.lists(st.sampled_from(BODY_KEYS), max_size=4, unique=True))
        return "application/json", json.dumps({key: draw(JSON) for key in keys}).encode()
    if kind == "text":
        return draw(st.sampled_from(["text/plain", "application/x-www-form-urlencoded"])), b'{"a": 1}'
    return "application/json", draw(st.sampled_from([b"", b"{", b"\xff\xfe", b"null", b"[]" * 10]))


@FUZZING
@given(data=st.data())
async def test_every_api_endpoint_answers_anything_with_a_clear_error(
    data: st.DataObject, team: Team, refusals: Refusals
) -> None:
    method, rule = data.draw(st.sampled_from(api_routes(team)), label="route")
    path = data.draw(paths(rule), label="path")
    content_type, body = data.draw(bodies(), label="body")
    headers = {"Content-Type": content_type, "Origin": team.server.origin}
    if data.draw(st.booleans(), label="signed in"):
        headers["Authorization"] = f"Bearer {team.tokens['anna']}"
    async with team.server.http.request(method, team.server.url + path, data=body, headers=headers) as r:
        raw = await r.read()
        where = f"{method} {path[:200]} {body[:200]!r} -> {r.status} {raw[:300]!r}"
        assert r.status < 500, where
        if r.status >= 400:
            assert r.content_type == "application/json", where
            error: Any = json.loads(raw)["error"]
            assert error["code"] in DOCUMENTED, where
            assert "Traceback" not in error["message"], where
    assert refusals.found == [], refusals.found
