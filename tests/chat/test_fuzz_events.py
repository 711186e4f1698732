"""Fuzzing every Socket.IO event: valid, almost-valid and hostile payloads from real clients.

Payloads are drawn from each event's own model (its JSON schema, read by ``schema_values`` below), then
bent (one field replaced by anything, a field dropped, an unknown or ``$``-key added), or replaced by
hostile JSON (wrong types, huge numbers, deep nesting, unicode edge cases, operator keys). For every one:

- the ack is ``{"ok": true, ...}`` or ``{"ok": false, "error": {"code", "message"}}`` with a documented
  code, never ``INTERNAL``;
- nothing is logged at ERROR and no traceback at all;
- the sockets stay connected, and afterwards the server still carries a chat message end to end.

CI runs a bounded, derandomised number of examples (``WSCHAT_FUZZ_EXAMPLES``, default 150); ``make fuzz``
runs many more with fresh randomness.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.chat.conftest import Team
from tests.support import Peer
from wschat.errors import ErrorCode
from wschat.server.realtime import MAX_PACKET
from wschat.wire import WireModel

EXAMPLES = int(os.environ.get("WSCHAT_FUZZ_EXAMPLES", "150"))
RANDOM = os.environ.get("WSCHAT_FUZZ_RANDOM") == "1"
DOCUMENTED = {code.value for code in ErrorCode} - {ErrorCode.INTERNAL.value}
FUZZING = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    # One server for every example is the point: it has to stay healthy through all of them.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\u0000",
        "\u202e evil",  # right-to-left override
        "\u200b\u200d\ufeff",  # zero-width characters
        "A\u0301" * 50,  # combining marks
        "🏳️‍🌈" * 100,
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "x" * 70_000,
        "sys:0",
        "$where",
        "a.b",
        "cnv_" + "0" * 24,
        "<script>alert(1)</script>",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=50),
    ODD_TEXT,
)
KEYS = st.one_of(st.text(max_size=12), st.sampled_from(["$where", "$gt", "a.b", "__proto__", "constructor"]))
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=30,
)


def deep(levels: int) -> Any:
    value: Any = "bottom"
    for i in range(levels):
        value = {"a": value} if i % 2 else [value]
    return value


HOSTILE = st.one_of(JSON, st.integers(min_value=10, max_value=200).map(deep))


def schema_values(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of the JSON schema pydantic writes for a payload model (the subset it uses). Strings are
    kept short but for their patterns; validators the schema cannot say (an e-mail's shape, ``sys:``
    ids) make some of these refused, which is as good a test."""
    if "$ref" in schema:
        return schema_values(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    if "anyOf" in schema:
        return st.one_of([schema_values(option, defs) for option in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    kind = schema.get("type")
    if kind == "string":
        if "pattern" in schema:
            low, high = schema.get("minLength", 0), schema.get("maxLength", 10_000)
            return st.from_regex(schema["pattern"], fullmatch=True).filter(lambda v: low <= len(v) <= high)
        return st.text(min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 200), 200))
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        items = schema_values(schema.get("items", {}), defs)
        return st.lists(items, min_size=schema.get("minItems", 0), max_size=min(schema.get("maxItems", 5), 5))
    if kind == "object":
        required = set(schema.get("required", ()))
        fields = {name: schema_values(sub, defs) for name, sub in schema.get("properties", {}).items()}
        return st.fixed_dictionaries(
            {name: fields[name] for name in required},
            optional={name: value for name, value in fields.items() if name not in required},
        )
    return JSON


def valid(model: type[WireModel]) -> st.SearchStrategy[Any]:
    schema = model.model_json_schema()
    return schema_values(schema, schema.get("$defs", {}))


@st.composite
def bent(draw: st.DrawFn, model: type[WireModel]) -> Any:
    payload = dict(draw(valid(model)))
    how = draw(st.sampled_from(["replace", "drop", "extra", "operator"]))
    if how in ("replace", "drop") and payload:
        key = draw(st.sampled_from(sorted(payload)))
        if how == "replace":
            payload[key] = draw(HOSTILE)
        else:
            del payload[key]
    elif how == "operator":
        payload[draw(st.sampled_from(["$where", "$set", "conversation_id.$", "a.b"]))] = draw(JSON)
    else:
        payload[draw(st.text(min_size=1, max_size=10))] = draw(JSON)
    return payload


def fits_a_packet(payload: Any) -> bool:
    """A larger packet closes the connection by design (tests/test_malformed_packets.py), with no ack."""
    return len(json.dumps(payload).encode()) < MAX_PACKET - 1024


def payloads(model: type[WireModel]) -> st.SearchStrategy[Any]:
    return st.one_of(valid(model), bent(model), HOSTILE).filter(fits_a_packet)


class Refusals(logging.Handler):
    """Every record at ERROR or above, and every record that carries a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.found.append(f"{record.name}: {record.getMessage()}")


def check_ack(event: str, payload: Any, reply: Any) -> None:
    where = f"{event} {payload!r:.300}"
    assert isinstance(reply, dict), where
    assert reply.get("ok") in (True, False), where
    if reply["ok"] is False:
        error = reply.get("error")
        assert isinstance(error, dict), where
        assert error.get("code") in DOCUMENTED, (where, error)
        assert isinstance(error.get("message"), str), (where, error)
        assert error["message"], (where, error)
        assert "Traceback" not in error["message"], where


@pytest.fixture
async def peers(team: Team) -> AsyncIterator[dict[str, Peer]]:
    """The fuzzed visitor and agent; after every example has run, the server still serves a new chat."""
    visitor = await team.server.visitor()
    agent = await team.agent("carl")
    yield {"/visitor": visitor, "/agent": agent}
    assert (await team.server.request("GET", "/healthz")).status == 200
    newcomer, colleague = await team.server.visitor(), await team.agent("bert")
    started = await newcomer.ok("chat.start", {"text": "still there?", "client_id": "after-fuzz"})
    cid = started["conversation"]["id"]
    await colleague.wait(
        "message.new", lambda p: p["message"]["conversation_id"] == cid and p["message"]["kind"] == "text"
    )


@pytest.fixture
async def conversation_id(peers: dict[str, Peer]) -> str:
    """A real chat between the fuzzed visitor and agent, so that payloads also reach past the lookups."""
    started = await peers["/visitor"].ok("chat.start", {"text": "hello", "client_id": "fuzz-start"})
    cid: str = started["conversation"]["id"]
    return cid


@pytest.fixture
def refusals() -> Any:
    handler = Refusals()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


@FUZZING
@given(data=st.data())
async def test_every_event_answers_any_payload_with_a_clear_ack(
    data: st.DataObject, team: Team, peers: dict[str, Peer], conversation_id: str, refusals: Refusals
) -> None:
    models = team.server.app.realtime.models
    namespace, event = data.draw(st.sampled_from(sorted(models)), label="event")
    payload = data.draw(payloads(models[(namespace, event)]), label="payload")
    if isinstance(payload, dict) and "conversation_id" in payload and data.draw(st.booleans(), label="real"):
        payload["conversation_id"] = conversation_id
    peer = peers[namespace]
    reply = await peer.call(event, payload)
    check_ack(event, payload, reply)
    assert peer.client.connected, f"{event} disconnected the socket"
    assert refusals.found == [], refusals.found
