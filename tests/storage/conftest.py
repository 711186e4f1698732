"""Fixtures for the store contract: every test that takes ``database`` runs against both adapters.

- ``sqlite``: a fresh file in the test's tmp_path, opened as ``wschat serve`` would (``sqlite:///<path>``).
- ``mongodb``: a fresh, randomly named database on the session's MongoDB-wire server (the embedded FerretDB,
  or the server ``WSCHAT_TEST_MONGODB_URI`` names), dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.storage.builders import new_tenant
from wschat.accounts.models import Tenant
from wschat.database_url import DatabaseUrl
from wschat.storage import Database, Stores, open_database

ADAPTERS = ("sqlite", "mongodb")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "atomic_update: the rule rests on one conditional single-document update, which MongoDB makes atomic "
        "and FerretDB v1.24 does not (its issue #3040)",
    )


@pytest.fixture(autouse=True)
def _known_ferretdb_gap(request: pytest.FixtureRequest) -> None:
    """On the embedded FerretDB (not on a real MongoDB, not on SQLite), a test marked ``atomic_update`` is
    expected to fail now and then: FerretDB's read-modify-write updates race. Named, counted by pytest as
    xfail/xpass, and listed in docs/storage.md, never hidden."""
    if request.node.get_closest_marker("atomic_update") is None:
        return
    kind = request.node.callspec.params.get("adapter") if hasattr(request.node, "callspec") else None
    if kind == "mongodb" and not os.environ.get("WSCHAT_TEST_MONGODB_URI"):
        request.applymarker(
            pytest.mark.xfail(reason="FerretDB does not make conditional updates atomic", strict=False)
        )


@dataclass(frozen=True)
class Adapter:
    """Where one test's data lives; :meth:`opened` gives another handle on it (as a second process)."""

    kind: str
    url: DatabaseUrl
    mongo_database: str

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[Database]:
        db = await open_database(self.url, mongo_database=self.mongo_database)
        try:
            yield db
        finally:
            await db.close()


def _adapter(request: pytest.FixtureRequest, directory: Path) -> Adapter:
    if request.param == "sqlite":
        return Adapter("sqlite", DatabaseUrl.parse(f"sqlite://{directory}/wschat.db"), "unused")
    # Looked up here, not declared: a run of only the SQLite cases never starts FerretDB.
    uri: str = request.getfixturevalue("mongodb_uri")
    return Adapter("mongodb", DatabaseUrl.parse(uri), f"test_{secrets.token_hex(6)}")


# Named apart from tests/conftest.py's ``backend`` (which picks the adapter of a live server).
@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest, tmp_path: Path) -> Adapter:
    return _adapter(request, tmp_path)


@pytest.fixture
async def database(adapter: Adapter) -> AsyncIterator[Database]:
    db = await open_database(adapter.url, mongo_database=adapter.mongo_database)
    try:
        yield db
    finally:
        if adapter.kind == "mongodb":
            await db.drop()
        await db.close()


@pytest.fixture
async def empty_twin(adapter: Adapter, tmp_path: Path) -> AsyncIterator[Database]:
    """A second, empty database of the same kind (a copy's target)."""
    if adapter.kind == "sqlite":
        (tmp_path / "twin").mkdir()
        url = DatabaseUrl.parse(f"sqlite://{tmp_path}/twin/wschat.db")
    else:
        url = adapter.url
    db = await open_database(url, mongo_database=f"{adapter.mongo_database}_twin")
    try:
        yield db
    finally:
        if adapter.kind == "mongodb":
            await db.drop()
        await db.close()


@pytest.fixture
def stores(database: Database) -> Stores:
    return database.stores


@dataclass(frozen=True)
class TwoTenants:
    """Two tenants, stored: ``a`` holds the data under test, ``b`` must never see it."""

    a: Tenant
    b: Tenant


@pytest.fixture
async def two(stores: Stores) -> TwoTenants:
    a = new_tenant("acme")
    b = new_tenant("globex")
    await stores.tenants.insert(a)
    await stores.tenants.insert(b)
    return TwoTenants(a, b)
