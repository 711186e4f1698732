"""A table's columns and how a document's fields map onto them (``tables.py`` lists the tables)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from wschat.records import Document
from wschat.storage.sqlite import values

Kind = Literal["text", "int", "real", "bool", "time", "json", "blobs", "rest"]


def _to_bool(value: Any) -> int | None:
    return None if value is None else int(bool(value))


_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "time": values.to_time,
    "json": values.to_json,
    "rest": values.to_json,
    "bool": _to_bool,
    "blobs": values.to_blobs,
}
#: One column's encoding: its name, the document's field, the function (None: as it is), the default.
_Step = tuple[str, str, Callable[[Any], Any] | None, Any]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "text"

    @property
    def field(self) -> str:
        return "_id" if self.name == "id" else self.name

    def encode(self, value: Any) -> Any:
        encode = _ENCODERS.get(self.kind)
        return value if encode is None else encode(value)

    def decode(self, value: Any) -> Any:
        match self.kind:
            case "time":
                return values.from_time(value)
            case "json" | "rest":
                return values.from_json(value)
            case "bool":
                return None if value is None else bool(value)
            case "blobs":
                return values.from_blobs(value)
            case _:
                return value


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    #: Defaults for fields a document may lack (one written by an older version, or by the other adapter).
    defaults: Mapping[str, Any] | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    def encode(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """A document as column values; fields without a column go to the ``rest`` column, if any."""
        known, plan, rest = self._plan
        row: dict[str, Any] = {}
        for name, field, encode, default in plan:
            value = doc.get(field)
            if value is None:
                value = default
            row[name] = value if encode is None else encode(value)
        if rest is not None:
            row[rest.name] = rest.encode({k: v for k, v in doc.items() if k not in known} or None)
        elif not known.issuperset(doc):
            raise ValueError(f"{self.name} has no column for {sorted(set(doc) - known)}")
        return row

    @cached_property
    def _plan(self) -> tuple[frozenset[str], tuple[_Step, ...], Column | None]:
        """What :meth:`encode` does per column, worked out once (a message row is encoded per message)."""
        defaults = self.defaults or {}
        plan = tuple(
            (c.name, c.field, _ENCODERS.get(c.kind), defaults.get(c.field))
            for c in self.columns
            if c.kind != "rest"
        )
        rest = next((c for c in self.columns if c.kind == "rest"), None)
        return frozenset(c.field for c in self.columns), plan, rest

    def decode(self, row: sqlite3.Row | Mapping[str, Any]) -> Document:
        doc: Document = {}
        for c in self.columns:
            value = c.decode(row[c.name])
            if c.kind == "rest":
                doc.update(value or {})
            else:
                doc[c.field] = value
        return doc

    def insert_sql(self, *, skip_known_id: bool = False) -> str:
        """An INSERT of every column; ``skip_known_id`` makes a row whose id is stored a no-op (any other
        constraint still fails loudly)."""
        names = self.column_names
        sql = f"INSERT INTO {self.name} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})"
        return sql + " ON CONFLICT (id) DO NOTHING" if skip_known_id else sql

    def select_sql(self) -> str:
        return f"SELECT {', '.join(self.column_names)} FROM {self.name}"


def columns_of(*specs: str) -> tuple[Column, ...]:
    """Columns from ``"name"`` or ``"name:kind"``."""
    out = []
    for spec in specs:
        name, _, kind = spec.partition(":")
        out.append(Column(name, kind or "text"))  # type: ignore[arg-type]
    return tuple(out)
