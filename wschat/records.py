"""The plain shape of a stored record, shared by both storage adapters.

A ``Document`` is a dict of JSON-like values plus ``datetime`` (UTC) and ``bytes``; ``_id`` is its primary
key. It is how both adapters hand over records that have no model of their own (a transition's record,
a socket, a page view) and how ``wschat db copy`` moves every table: the MongoDB adapter stores it as is,
the SQLite adapter maps it onto a row (see ``wschat/storage/sqlite/tables.py``).
"""

from __future__ import annotations

from typing import Any

Document = dict[str, Any]
