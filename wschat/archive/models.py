"""The archive's wire: the query of a page (its cursor: wschat/cursors.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field

from wschat.wire import Id, WireModel

#: The widest date range one query may ask for.
MAX_RANGE = timedelta(days=366)
PAGE = 25


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


class ExportsQuery(WireModel):
    """``GET /api/archive/exports``: one page of the exports made (the audit log's ``archive.exported``)."""

    model_config = ConfigDict(**WireModel.model_config | {"strict": False})

    cursor: Annotated[str, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = PAGE
