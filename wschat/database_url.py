"""``WSCHAT_DATABASE_URL`` parsed: which storage adapter, and where its data is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed ``WSCHAT_DATABASE_URL``: ``sqlite:///<absolute path>`` or ``mongodb[+srv]://…``."""

    kind: str
    #: The SQLite file (for ``sqlite``).
    path: Path | None = None
    #: The full URI (for ``mongodb``); holds credentials, never logged.
    uri: str | None = None

    @classmethod
    def parse(cls, value: str) -> DatabaseUrl:
        """Raises ValueError with a message fit for the operator."""
        if value.startswith(("mongodb://", "mongodb+srv://")):
            if not urlsplit(value).netloc:
                raise ValueError("a MongoDB URL needs a host, e.g. mongodb://db.internal:27017/")
            return cls("mongodb", uri=value)
        if value.startswith("sqlite:"):
            parts = urlsplit(value)
            path = unquote(parts.path)
            if (
                parts.netloc
                or not path.startswith("/")
                or parts.query
                or parts.fragment
                or path.endswith("/")
            ):
                raise ValueError(
                    "a SQLite URL names an absolute file path: sqlite:///var/lib/wschat/wschat.db"
                )
            return cls("sqlite", path=Path("/" + path.lstrip("/")))
        raise ValueError(
            "must be sqlite:///<absolute path> or mongodb://… / mongodb+srv://… "
            "(e.g. sqlite:///var/lib/wschat/wschat.db)"
        )

    def describe(self) -> str:
        if self.kind == "sqlite":
            return f"SQLite {self.path}"
        parts = urlsplit(self.uri or "")
        return f"MongoDB {parts.hostname or '?'}{f':{parts.port}' if parts.port else ''}"
