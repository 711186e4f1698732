"""Python values to SQLite values and back: times as integer microseconds since the epoch (UTC), nested
maps as JSON text (times inside them as ``{"$date": <microseconds>}``), and maps of bytes as one blob."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DATE = "$date"


def to_time(value: datetime | None) -> int | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_time(value: int | None) -> datetime | None:
    return None if value is None else EPOCH + timedelta(microseconds=value)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_DATE: to_time(value)}
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot store a {type(value).__name__} in a JSON column")


def _hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _DATE in obj:
        return from_time(obj[_DATE])
    return obj


# Built once: json.dumps/loads with options build a new encoder/decoder on every call, a third of the cost of
# a message row's encoding.
_ENCODE = json.JSONEncoder(default=_default, separators=(",", ":"), ensure_ascii=False).encode
_DECODE = json.JSONDecoder(object_hook=_hook).decode


def to_json(value: Any) -> str | None:
    return None if value is None else _ENCODE(value)


def from_json(value: str | None) -> Any:
    return None if value is None else _DECODE(value)


def to_blobs(value: dict[str, bytes] | None) -> bytes | None:
    """A map of names to bytes as one blob: a JSON header line of offsets, then the bytes."""
    if value is None:
        return None
    index: dict[str, list[int]] = {}
    body = bytearray()
    for name, data in value.items():
        index[str(name)] = [len(body), len(data)]
        body += bytes(data)
    return json.dumps(index, separators=(",", ":")).encode() + b"\n" + bytes(body)


def from_blobs(value: bytes | None) -> dict[str, bytes] | None:
    if value is None:
        return None
    header, _, body = bytes(value).partition(b"\n")
    return {name: body[start : start + size] for name, (start, size) in json.loads(header).items()}
