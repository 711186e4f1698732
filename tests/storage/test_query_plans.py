"""Every statement the SQLite stores run is answered through an index: no ``SCAN`` of a growing table.

The statements are captured, with their parameters bound, from the adapter's own connections while
:mod:`tests.storage.scenario` uses every store method; each distinct one is then explained with
``EXPLAIN QUERY PLAN`` (https://www.sqlite.org/eqp.html). A ``SEARCH … USING INDEX`` costs the rows it
returns; a ``SCAN`` costs the whole table, which is what made the embedded FerretDB slow down with data.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import sqlite3
import typing
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from tests.storage import scenario
from tests.storage.builders import at, message_builder, new_call, new_conversation, new_visitor, page_view
from wschat.accounts.models import Tenant, User
from wschat.chat.models import SYSTEM
from wschat.database_url import DatabaseUrl
from wschat.signalling.models import CallStatus, EndReason
from wschat.storage import Stores, open_database
from wschat.storage.sqlite import connections

#: Tables that stay small whatever the traffic: one row per server process, one per lease name.
SMALL_TABLES = {"nodes", "leases"}
#: FTS5's own settings rows (a handful per index, read when a full-text table is first used).
SMALL_TABLES |= {"main.messages_fts_config", "main.visitors_fts_config"}
#: Messages waiting for the full-text index: what the last quarter of a second stored, read in rowid order
#: a chunk at a time (wschat/storage/sqlite/search_index.py).
SMALL_TABLES |= {"messages_unindexed"}
#: Names a plan may SCAN that are no stored table.
NOT_TABLES = {"CONSTANT", "json_each", "json_tree"}
#: Steps a statement may take beyond 1.5× its work before the history was added (VM steps, not rows).
GROWTH_SLACK = 100
#: A full-text table answering a MATCH from its own index (FTS5 marks a MATCH constraint "M" in the plan).
MATCHED = re.compile(r"\bVIRTUAL TABLE INDEX \d+:=?M")
ARCHIVE_PAGE = "SELECT c.id AS id, c.tenant_id AS tenant_id"
#: The operator's usage report sums what a tenant has stored: its work is that tenant's data, by design
#: (docs/operations.md, *Usage per tenant*, measures it), read through the tenant's indexes.
USAGE_TOTALS = "SELECT count(DISTINCT c.id), count(m.seq)"
EXPLAINED = ("SELECT", "UPDATE", "DELETE", "WITH", "INSERT", "REPLACE")
SCAN = re.compile(r"\bSCAN (\S+)")
#: A WHERE clause that filters (``WHERE 1`` does not).
FILTERED = re.compile(r"\bWHERE\b(?!\s+1\b)", re.IGNORECASE)


def _scans_allowed(table: str, statement: str) -> bool:
    if table in SMALL_TABLES or table in NOT_TABLES or table.startswith("("):
        return True
    # Listing every tenant (the operator's overview) reads them all by definition; nothing else may.
    return table == "tenants" and not FILTERED.search(statement)


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the adapter's connections run from now on, parameters bound."""
    seen: list[str] = []
    original = connections.connect

    def traced(path: Path, **options: typing.Any) -> sqlite3.Connection:
        conn = original(path, **options)
        conn.set_trace_callback(seen.append)
        return conn

    monkeypatch.setattr(connections, "connect", traced)
    return seen


def _plan(conn: sqlite3.Connection, statement: str) -> list[str]:
    return [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}")]


async def test_query_plans_search_growing_tables_through_indexes(
    tmp_path: Path, statements: list[str]
) -> None:
    path = tmp_path / "wschat.db"
    db = await open_database(DatabaseUrl.parse(f"sqlite://{path}"))
    try:
        world = await scenario.populate(db.stores, chats=6, messages=30)
        await scenario.exercise(db.stores, world)
    finally:
        await db.close()

    distinct = sorted({s.strip() for s in statements if s.lstrip().upper().startswith(EXPLAINED)})
    assert len(distinct) > 50, f"the scenario ran too few statements to say anything: {distinct}"
    offending = []
    with closing(sqlite3.connect(path)) as conn:
        for statement in distinct:
            plan = _plan(conn, statement)
            scanned = [m.group(1) for line in plan if not MATCHED.search(line) for m in SCAN.finditer(line)]
            if any(not _scans_allowed(table, statement) for table in scanned):
                offending.append(f"{statement}\n    " + "\n    ".join(plan))

    assert not offending, "statements that read a whole growing table:\n\n" + "\n\n".join(offending)


def test_query_plans_scenario_calls_every_store_method() -> None:
    """The plan check above is only as good as its scenario: it must call every method of every store."""
    source = inspect.getsource(scenario)
    missing = []
    for name, interface in typing.get_type_hints(Stores).items():
        for method in (m for m in vars(interface) if not m.startswith("_")):
            if callable(getattr(interface, method)) and f"stores.{name}.{method}(" not in source:
                missing.append(f"{name}.{method}")

    assert not missing, f"tests/storage/scenario.py never calls {missing}"


# -- work that stays flat as history grows -------------------------------------------------------------------


def _work(conn: sqlite3.Connection, statement: str) -> int:
    """How many virtual-machine steps ``statement`` takes (a deterministic measure of the rows it reads);
    a write is rolled back."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    conn.set_progress_handler(count, 1)
    conn.execute("BEGIN")
    try:
        conn.execute(statement).fetchall()
    finally:
        conn.execute("ROLLBACK")
        conn.set_progress_handler(None, 1)
    return steps


async def _add_history(stores: Stores, world: scenario.World, chats: int) -> None:
    """Closed chats with their visitors, page trails, messages, transitions and calls: what months of
    traffic leave behind, none of it live."""
    for tenant in (world.acme, world.globex):
        agent = world.anna if tenant is world.acme else world.carl
        for start in range(0, chats, 25):
            await asyncio.gather(*(_old_chat(stores, tenant, agent, n) for n in range(start, start + 25)))


async def _old_chat(stores: Stores, tenant: Tenant, agent: User, n: int) -> None:
    visitor = new_visitor(tenant, seen=-86400 + n)
    await stores.visitors.insert(visitor, f"old-token-{visitor.id}")
    for step in range(3):
        view = page_view(tenant, visitor, step, entered=-86400 + n + step)
        await stores.pages.insert(view)
        await stores.pages.close(tenant.id, view["_id"], at(-86400 + n + step + 1))
    chat = new_conversation(tenant, visitor.id, created=-86400 + n)
    assert await stores.conversations.insert(chat)
    await stores.visitors.mark_engaged(tenant.id, visitor.id)
    chat = await stores.conversations.transition(
        chat,
        "assign",
        {"status": "active", "agent_id": agent.id, "assigned_at": at(-86400 + n)},
        {},
        at(-86400),
    )
    for m in range(4):
        build = message_builder(chat, f"old-{m}", f"old message {m}", created=-86400 + n + m)
        await stores.messages.append(tenant.id, chat.id, f"old-{m}", build)
    call = new_call(
        tenant, chat.id, agent_id=agent.id, visitor_id=visitor.id, sid=f"sid_old_{n}", created=-86000
    )
    assert await stores.calls.insert(call)
    ended = replace(call, status=CallStatus.ENDED, ended_at=at(-85990), end_reason=EndReason.HANGUP)
    await stores.calls.transition(call, ended, at(-85990))
    await stores.conversations.transition(
        chat,
        "close",
        {"status": "closed", "closed_at": at(-85900), "closed_by": SYSTEM.to_doc()},
        {},
        at(-85900),
    )


async def test_query_work_stays_flat_as_history_grows(tmp_path: Path, statements: list[str]) -> None:
    """An index can still read a tenant's whole history (a range on one column, then a filter on the rows
    it finds): measured, not guessed. Each statement of the scenario is run again after 200 closed chats
    with all their records were added; none of them may take notably more work."""
    path = tmp_path / "wschat.db"
    db = await open_database(DatabaseUrl.parse(f"sqlite://{path}"), synchronous="NORMAL")
    try:
        world = await scenario.populate(db.stores)
        await scenario.exercise(db.stores, world)
        reads = sorted({s.strip() for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))})
        writes = sorted(
            {s.strip() for s in statements if s.lstrip().upper().startswith(("UPDATE", "DELETE"))}
        )
        # An archive page returns up to its limit of the history: it grows with the answer (by design), and a
        # filter that few chats match walks further back (docs/archive.md, "Cost"; bench/ measures it).
        # The full-text index's catch-up reads what waits, a chunk at most (search_index.CHUNK), whatever the
        # history; right after a burst of writes that is a whole chunk.
        measured = [
            s
            for s in reads + writes
            if not s.startswith((ARCHIVE_PAGE, USAGE_TOTALS)) and "messages_unindexed" not in s
        ]
        with closing(sqlite3.connect(path, isolation_level=None)) as conn:
            before = {s: _work(conn, s) for s in measured}
        await _add_history(db.stores, world, chats=100)
        with closing(sqlite3.connect(path, isolation_level=None)) as conn:
            after = {s: _work(conn, s) for s in measured}
    finally:
        await db.close()

    grown = [
        f"{before[s]} → {after[s]} steps: {s}" for s in measured if after[s] > before[s] * 1.5 + GROWTH_SLACK
    ]
    assert not grown, "statements whose work grows with stored history:\n" + "\n".join(grown)
