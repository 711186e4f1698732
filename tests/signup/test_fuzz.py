"""Fuzzing the sign-up's API with the switch on (the suite-wide HTTP fuzzing runs with it off, where both
routes answer 404): hostile bodies and every mix of its fields with odd values. Never a 5xx, always a
documented code, nothing logged at ERROR and no traceback (the strategies of ``chat/test_fuzz_events.py``)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.chat.test_fuzz_events import DOCUMENTED, FUZZING, HOSTILE, JSON, Refusals
from tests.chat.test_fuzz_events import refusals as refusals
from tests.signup.conftest import form
from tests.support import LiveServer

FIELDS = ["name", "company", "email", "phone", "consent", "lang", "token", "slug", "password"]


@st.composite
def bodies(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["hostile", "fields", "one field bent"]))
    if kind == "hostile":
        return draw(HOSTILE)
    if kind == "fields":
        keys = draw(st.lists(st.sampled_from(FIELDS), max_size=6, unique=True))
        return {key: draw(JSON) for key in keys}
    return form(phone="+49 40 1", consent=True) | {draw(st.sampled_from(FIELDS)): draw(JSON)}


@FUZZING
@given(data=st.data())
async def test_signup_api_answers_anything_with_a_clear_error(
    data: st.DataObject, server: LiveServer, refusals: Refusals
) -> None:
    path = data.draw(st.sampled_from(["/api/signup", "/api/signup/confirm"]), label="path")
    body = json.dumps(data.draw(bodies(), label="body")).encode()
    headers = {"Content-Type": "application/json", "Origin": server.origin}
    async with server.http.post(server.url + path, data=body, headers=headers) as r:
        raw = await r.read()
        where = f"{path} {body[:300]!r} -> {r.status} {raw[:300]!r}"
        assert r.status < 500, where
        if r.status >= 400:
            error: Any = json.loads(raw)["error"]
            assert error["code"] in DOCUMENTED, where
            assert "Traceback" not in error["message"], where
    assert refusals.found == [], refusals.found
