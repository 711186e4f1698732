"""Every query the MongoDB adapter sends is served by an index that ``ensure_indexes`` declares.

FerretDB cannot say (it scans whatever it is asked, and its ``explain`` says nothing about indexes), so the
check is made on the commands themselves: PyMongo's command monitoring records every ``find``, ``count``,
``update``, ``delete`` and ``findAndModify`` the stores send while :mod:`tests.storage.scenario` uses every
store method, and each filter must either name ``_id`` exactly or hold the leading field of one of the
collection's declared indexes (MongoDB then searches that index instead of reading the collection).
"""

from __future__ import annotations

import secrets
from functools import partial
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

from tests.storage import scenario
from wschat.database_url import DatabaseUrl
from wschat.storage import open_database
from wschat.storage.mongo import database as mongo_database
from wschat.storage.mongo.database import INDEXES

#: Commands that read or change documents chosen by a filter, and where each keeps its filters.
FILTERED = {
    "find": lambda cmd: [cmd.get("filter", {})],
    "count": lambda cmd: [cmd.get("query", {})],
    "findAndModify": lambda cmd: [cmd.get("query", {})],
    "update": lambda cmd: [u.get("q", {}) for u in cmd.get("updates", [])],
    "delete": lambda cmd: [d.get("q", {}) for d in cmd.get("deletes", [])],
    "aggregate": lambda cmd: [s["$match"] for s in cmd.get("pipeline", [])[:1] if "$match" in s],
}


class Recorder(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: list[tuple[str, str, dict[str, Any]]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        name = event.command_name
        if name in FILTERED:
            collection = event.command.get(name)
            for query in FILTERED[name](event.command):
                self.commands.append((name, str(collection), dict(query)))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    found = Recorder()
    monkeypatch.setattr(
        mongo_database, "AsyncMongoClient", partial(AsyncMongoClient, event_listeners=[found])
    )
    return found


def _served(collection: str, query: dict[str, Any]) -> bool:
    fields = {key for key in query if not key.startswith("$")}
    if "_id" in fields:
        return True
    if not query and collection == "tenants":
        return True  # the operator's list of every tenant (sorted by the slug index) reads them all anyway
    leading = {next(iter(index.document["key"])) for index in INDEXES.get(collection, [])}
    return bool(fields & leading)


async def test_every_mongodb_query_has_a_declared_index(mongodb_uri: str, recorder: Recorder) -> None:
    db = await open_database(DatabaseUrl.parse(mongodb_uri), mongo_database=f"test_{secrets.token_hex(6)}")
    try:
        world = await scenario.populate(db.stores, chats=3, messages=5)
        await scenario.exercise(db.stores, world)
    finally:
        await db.drop()
        await db.close()

    assert len(recorder.commands) > 50, "the scenario sent too few queries to say anything"
    unserved = sorted(
        {
            f"{name} {collection} {sorted(query)}"
            for name, collection, query in recorder.commands
            if not _served(collection, query)
        }
    )
    assert not unserved, "queries no declared index serves:\n" + "\n".join(unserved)
