"""Every event name and outbound payload has one typed definition, and the fixtures and docs agree with it.

- Event names: ``wschat.boundary.protocol.Event``; every one is handled or sent, and documented.
- Acks: each handler's return type (a TypedDict), collected by the dispatcher (``Realtime.acks``).
- Server events: ``wschat.server.protocol.SERVER_EVENTS``.

The fixtures in tests/fixtures/protocol/ are checked against those types here, strictly (no key missing,
none extra, every JSON type right); tests/chat/test_protocol_fixtures.py and
tests/signalling/test_protocol_fixtures.py check that real traffic has the fixtures' shape. The front end
reads the same fixtures, so the three agree.
"""

from __future__ import annotations

import json
import re
import types
import typing
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict

import pytest

from tests.support import LiveServer
from wschat.boundary.protocol import Event
from wschat.errors import ErrorWire
from wschat.server.protocol import SERVER_EVENTS

FIXTURES = Path(__file__).parent / "fixtures" / "protocol"
PROTOCOL_DOC = Path(__file__).parent.parent / "docs" / "protocol.md"


def fixtures(direction: str) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for path in sorted((FIXTURES / direction).rglob("*.json")):
        doc = json.loads(path.read_text())
        found[(doc["namespace"], doc["event"])] = doc
    return found


def mismatches(value: Any, expected: Any, where: str = "$") -> list[str]:
    """Where ``value`` (decoded JSON) does not have the type ``expected``; empty if it does."""
    origin = typing.get_origin(expected)
    if expected is Any:
        return []
    if expected is None or expected is type(None):
        return [] if value is None else [f"{where}: not null"]
    if origin in (typing.Union, types.UnionType):
        options = [mismatches(value, option, where) for option in typing.get_args(expected)]
        return [] if any(not found for found in options) else min(options, key=len)
    if origin is Literal:
        return [] if value in typing.get_args(expected) else [f"{where}: {value!r} not allowed"]
    if typing.is_typeddict(expected):
        return _typeddict_mismatches(value, expected, where)
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: not a list"]
        (item,) = typing.get_args(expected)
        return [m for i, element in enumerate(value) for m in mismatches(element, item, f"{where}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: not an object"]
        _, item = typing.get_args(expected)
        return [m for key, element in value.items() for m in mismatches(element, item, f"{where}.{key}")]
    if expected is bool:
        return [] if isinstance(value, bool) else [f"{where}: not a boolean"]
    if expected is int:
        return [] if isinstance(value, int) and not isinstance(value, bool) else [f"{where}: not an integer"]
    if expected is str:
        return [] if isinstance(value, str) else [f"{where}: not a string"]
    raise AssertionError(f"{where}: no check for {expected!r}")


def _typeddict_mismatches(value: Any, expected: Any, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: not an object"]
    # NotRequired is read from the hints: under ``from __future__ import annotations`` Python 3.11 counts a
    # NotRequired key among ``__required_keys__``.
    hints = typing.get_type_hints(expected, include_extras=True)
    optional = {key for key, hint in hints.items() if typing.get_origin(hint) is NotRequired}
    hints = {key: typing.get_args(hint)[0] if key in optional else hint for key, hint in hints.items()}
    required = expected.__required_keys__ - optional
    found = [f"{where}: missing {key}" for key in sorted(required - set(value))]
    found += [f"{where}: unexpected {key}" for key in sorted(set(value) - set(hints))]
    for key in set(value) & set(hints):
        found += mismatches(value[key], hints[key], f"{where}.{key}")
    return found


class _Sample(TypedDict):
    name: str
    count: int
    tags: list[str]
    note: NotRequired[str | None]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"name": "a", "count": 1}, "missing tags"),
        ({"name": "a", "count": 1, "tags": [], "more": 1}, "unexpected more"),
        ({"name": "a", "count": True, "tags": []}, "$.count: not an integer"),
        ({"name": None, "count": 1, "tags": []}, "$.name: not a string"),
        ({"name": "a", "count": 1, "tags": [3]}, "$.tags[0]: not a string"),
    ],
)
def test_the_checker_refuses_what_does_not_fit(value: dict[str, Any], problem: str) -> None:
    assert any(problem in found for found in mismatches(value, _Sample))
    assert mismatches({"name": "a", "count": 1, "tags": ["x"], "note": None}, _Sample) == []


def test_every_ack_fixture_fits_its_handlers_return_type(server: LiveServer) -> None:
    acks = server.app.realtime.acks
    client = fixtures("client")
    assert set(client) == set(acks)
    for key, doc in client.items():
        ack = dict(doc["ack"])
        assert ack.pop("ok") is True, key
        assert mismatches(ack, acks[key]) == [], key


def test_every_server_event_fixture_fits_its_payload_type() -> None:
    server_fixtures = fixtures("server")
    sent = {(f"/{namespace}", event.value): kind for (namespace, event), kind in SERVER_EVENTS.items()}
    assert set(server_fixtures) == set(sent)
    for key, doc in server_fixtures.items():
        assert mismatches(doc["payload"], sent[key]) == [], key


def test_the_error_ack_fixture_fits() -> None:
    doc = json.loads((FIXTURES / "error" / "ack.json").read_text())["payload"]
    assert doc.pop("ok") is False
    assert mismatches(doc["error"], ErrorWire) == []


def test_every_event_name_is_handled_or_sent(server: LiveServer) -> None:
    used = {event for _, event in server.app.realtime.models} | {event.value for _, event in SERVER_EVENTS}
    assert used == {event.value for event in Event}


def test_every_event_name_is_documented() -> None:
    documented = set(re.findall(r"`([a-z]+(?:\.[a-z]+)*)`", PROTOCOL_DOC.read_text()))
    assert {event.value for event in Event} - documented == set()
