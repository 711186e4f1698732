"""The archive's wire: the query of a page, its opaque cursor, and the shapes sent back."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field

from wschat.errors import InvalidCursor
from wschat.wire import Id, WireModel

#: The widest date range one query may ask for.
MAX_RANGE = timedelta(days=366)
PAGE = 25
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Outcome(StrEnum):
    ANSWERED = "answered"
    #: Never assigned to an agent.
    MISSED = "missed"
    #: Left through the widget's offline form.
    OFFLINE = "offline"


class ArchiveQuery(WireModel):
    """``GET /api/archive``: one page of past conversations, newest first."""

    # A query string holds only text: "25" is read as the number 25 here, as nowhere in a JSON body.
    model_config = ConfigDict(**WireModel.model_config | {"strict": False, "populate_by_name": True})

    since: datetime | None = Field(default=None, alias="from")
    until: datetime | None = Field(default=None, alias="to")
    agent_id: Id | None = None
    outcome: Outcome | None = None
    country: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")] | None = None
    #: Words searched in messages and contact data; never query syntax.
    q: Annotated[str, Field(max_length=200)] | None = None
    #: Words the visitor's name, alias or contact data must contain.
    visitor: Annotated[str, Field(max_length=200)] | None = None
    cursor: Annotated[str, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = PAGE


class AuditQuery(WireModel):
    model_config = ConfigDict(**WireModel.model_config | {"strict": False})

    cursor: Annotated[str, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = PAGE


class Cursors:
    """Opaque, signed keyset cursors: ``(time, id)`` of the last row of a page. A cursor that was changed
    (or made for another list) is refused with INVALID_CURSOR, never read as some other position."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def make(self, kind: str, at: datetime, row_id: str) -> str:
        micros = (at - _EPOCH) // timedelta(microseconds=1)
        body = f"{micros}.{row_id}"
        return _b64(body.encode()) + "." + self._mac(kind, body)

    def read(self, kind: str, cursor: str) -> tuple[datetime, str]:
        encoded, _, mac = cursor.partition(".")
        try:
            body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            raise InvalidCursor() from None
        if not hmac.compare_digest(mac, self._mac(kind, body)):
            raise InvalidCursor()
        micros, _, row_id = body.partition(".")
        return _EPOCH + timedelta(microseconds=int(micros)), row_id

    def _mac(self, kind: str, body: str) -> str:
        digest = hmac.new(self._key, f"{kind}:{body}".encode(), hashlib.sha256).digest()
        return _b64(digest[:18])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def aware(value: datetime | None) -> datetime | None:
    """A time without zone is taken as UTC (a date picker sends none)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
