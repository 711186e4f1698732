"""The base of every payload model that crosses a boundary (HTTP bodies, Socket.IO events).

Unknown fields, wrong types, over-long strings, and any ``$``-prefixed or dotted key anywhere in the
payload are refused, so that no client-chosen operator can ever reach a MongoDB filter or update.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from wschat.errors import ValidationFailed

MAX_DEPTH = 8


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, str_max_length=10_000)

    @model_validator(mode="before")
    @classmethod
    def _no_operator_keys(cls, data: Any) -> Any:
        check_keys(data)
        return data


WireModelT = TypeVar("WireModelT", bound=WireModel)


def check_keys(value: Any, depth: int = 0) -> None:
    """Raise ValueError for ``$``-prefixed or dotted keys, or nesting deeper than MAX_DEPTH."""
    if depth > MAX_DEPTH:
        raise ValueError("the payload is nested too deeply")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("$") or "." in key or "\x00" in key:
                raise ValueError(f"the key {str(key)[:40]!r} is not allowed")
            check_keys(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_keys(item, depth + 1)


def parse(model: type[WireModelT], data: Any) -> WireModelT:
    """Validate ``data`` into ``model``; raises :class:`ValidationFailed` with the field errors."""
    if not isinstance(data, dict):
        raise ValidationFailed("The payload must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise ValidationFailed(details={"fields": _field_errors(e)}) from None


def _field_errors(error: ValidationError) -> list[dict[str, str]]:
    """Field errors without the offending input: it may be a password."""
    fields = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        location = ".".join(str(part) for part in item["loc"]) or "(payload)"
        fields.append({"field": location, "message": item["msg"]})
    return fields[:20]


#: Characters that show nothing, or change how the text around them is shown, and so could make what an
#: agent reads differ from what was sent (Unicode TR #36, "Trojan Source"): zero-width characters, direction
#: marks, embeddings, overrides and isolates, line/paragraph separators, the word joiner and invisible
#: operators, the byte-order mark, the soft hyphen, Hangul fillers and tag characters. Stripped from every
#: text a visitor or agent sends: messages, names, aliases, e-mail addresses, page titles, user agents.
INVISIBLE = (
    "\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\u3164\ufeff\uffa0\U000e0000-\U000e007f"
)
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{INVISIBLE}]")
_INVISIBLE = re.compile(f"[{INVISIBLE}]")


def clean_line(value: str) -> str:
    """A one-line human text: NFC, control and invisible characters and newlines removed, trimmed."""
    value = unicodedata.normalize("NFC", value).replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub("", value).strip()


def strip_invisible(value: str) -> str:
    """``value`` without the :data:`INVISIBLE` characters."""
    return _INVISIBLE.sub("", value)


def _non_empty_line(value: str) -> str:
    cleaned = clean_line(value)
    if not cleaned:
        raise ValueError("must not be empty")
    return cleaned


#: A display name, alias or company name: one line, 1–80 characters after cleaning.
DisplayName = Annotated[str, AfterValidator(_non_empty_line), AfterValidator(lambda v: _max_len(v, 80))]


def _max_len(value: str, limit: int) -> str:
    if len(value) > limit:
        raise ValueError(f"must be at most {limit} characters")
    return value


#: Ids the server hands out: a prefix, "_", hex. Anything else cannot name a record.
Id = Annotated[str, Field(min_length=5, max_length=64, pattern=r"^[a-z]{3}_[0-9a-f]{8,48}$")]


class Empty(WireModel):
    pass
