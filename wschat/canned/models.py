"""A canned reply as the rules see it, and what a client sends to create or change one.

A reply is *shared* (``owner_id`` None: the tenant's, kept by its admins) or *personal* (``owner_id`` the
agent's id). Shortcuts are unique per owner scope: one shared ``greeting`` and, beside it, each agent's own
``greeting``, which wins for that agent (docs/console.md).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from wschat.wire import WireModel, clean_line, strip_invisible

MAX_TITLE = 80
MAX_SHORTCUT = 32
MAX_TEXT = 4000
#: How many replies one owner scope may hold: the tenant's shared ones, and each agent's own.
MAX_SHARED = 500
MAX_PERSONAL = 200
#: The placeholders the console fills in; any other ``{word}`` is left as typed (and flagged).
PLACEHOLDERS = ("visitor_name", "agent_name")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

Scope = Literal["shared", "personal"]


def _title(value: str) -> str:
    value = clean_line(value)
    if not value:
        raise ValueError("must not be empty")
    if len(value) > MAX_TITLE:
        raise ValueError(f"must be at most {MAX_TITLE} characters")
    return value


def _text(value: str) -> str:
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n")
    value = strip_invisible(_CONTROL.sub("", value)).strip()
    if len(value) > MAX_TEXT:
        raise ValueError(f"must be at most {MAX_TEXT} characters")
    return value


Title = Annotated[str, Field(max_length=4 * MAX_TITLE), AfterValidator(_title)]
Shortcut = Annotated[str, Field(min_length=1, max_length=MAX_SHORTCUT, pattern=r"^[a-z0-9-]+$")]
Text = Annotated[str, Field(max_length=2 * MAX_TEXT), AfterValidator(_text)]


class ReplyTexts(WireModel):
    """The reply in German and English; at least one of them."""

    de: Text | None = None
    en: Text | None = None

    @model_validator(mode="after")
    def _one_language(self) -> ReplyTexts:
        if not self.de and not self.en:
            raise ValueError("needs a text in at least one language (de or en)")
        return self

    def to_doc(self) -> dict[str, str]:
        return {lang: text for lang, text in (("de", self.de), ("en", self.en)) if text}


class ReplyCreate(WireModel):
    scope: Scope = "personal"
    title: Title
    shortcut: Shortcut
    text: ReplyTexts


class ReplyUpdate(WireModel):
    """A whole new content for a reply, based on ``version`` (the one the client read)."""

    version: Annotated[int, Field(ge=1)]
    title: Title
    shortcut: Shortcut
    text: ReplyTexts


@dataclass(frozen=True)
class CannedReply:
    id: str
    tenant_id: str
    #: None for the tenant's shared replies, the agent's id for their own.
    owner_id: str | None
    title: str
    shortcut: str
    text: dict[str, str]
    #: 1 when created, one more with every change: an update names the version it was based on.
    version: int
    created_at: datetime
    updated_at: datetime

    @property
    def scope(self) -> Scope:
        return "shared" if self.owner_id is None else "personal"

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "scope": self.scope,
            "title": self.title,
            "shortcut": self.shortcut,
            "text": dict(self.text),
            "version": self.version,
            "unknown_placeholders": unknown_placeholders(self.text),
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def unknown_placeholders(texts: dict[str, str]) -> list[str]:
    """``{words}`` in the texts that the console does not fill in, sorted: shown to the admin as a hint."""
    found = {name for text in texts.values() for name in _PLACEHOLDER.findall(text)}
    return sorted(found - set(PLACEHOLDERS))
