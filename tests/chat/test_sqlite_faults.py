"""The SQLite file cannot be written mid-conversation — the disk is full, or another process holds the write
lock — and then can again: every message.send meanwhile is answered
UNAVAILABLE (never an ok ack for a message that is not stored), the sockets stay connected, and the chat goes
on by itself once the database can be written.

The data dir is a small tmpfs of the test's own (mounted here: the suite runs as root in CI, and these
tests say so and are skipped elsewhere), so the disk can really fill up. (A file system cannot be remounted
read-only while the server has the database open for writing, and a file's mode does not apply to a file
that is open already; a database that cannot be written is refused at start-up, see
tests/storage/test_sqlite_file.py.)
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from tests.support import PASSWORD, FakeClock, LiveServer, Peer, start_server
from wschat.accounts.models import Role
from wschat.config import Settings
from wschat.storage.sqlite import connections

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (CI runs as root)"),
    pytest.mark.timeout(120),
]


def _mount(*args: str) -> None:
    subprocess.run(["/usr/bin/mount", *args], check=True, capture_output=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs: room for the database, and little more."""
    where = tmp_path / "disk"
    where.mkdir()
    _mount("-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where))
    try:
        yield where
    finally:
        subprocess.run(["/usr/bin/umount", "-l", str(where)], check=False, capture_output=True)


@pytest.fixture
async def chat(
    settings: Settings,
    small_disk: Path,
    clock: FakeClock,
    http: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[LiveServer, Peer, Peer, str]]:
    # A write waits this long for a lock another process holds before it is given up (10 s in production).
    monkeypatch.setattr(connections, "BUSY_TIMEOUT_MS", 1000)
    async with start_server(replace(settings, data_dir=small_disk / "data"), clock, http) as s:
        tenant = await s.make_tenant("acme")
        await s.make_user(tenant, "bert", Role.AGENT)
        bert = await s.agent(await s.login("acme", "bert", PASSWORD))
        await bert.ok("status.set", {"status": "online"})
        visitor = await s.visitor()
        await visitor.ok("chat.start")
        cid = (await visitor.wait("chat.assigned"))["conversation_id"]
        await visitor.ok("message.send", {"conversation_id": cid, "client_id": "m0", "text": "before"})
        yield s, visitor, bert, cid


async def _refused_while_broken(visitor: Peer, bert: Peer, cid: str, client_id: str) -> None:
    reply = await visitor.call(
        "message.send", {"conversation_id": cid, "client_id": client_id, "text": "during"}
    )
    assert reply["ok"] is False, reply
    assert reply["error"]["code"] == "UNAVAILABLE"
    assert "Traceback" not in str(reply)
    assert visitor.client.connected
    assert bert.client.connected


async def _resumes(visitor: Peer, bert: Peer, cid: str, client_id: str) -> None:
    """The client resends with the same client_id, as a real one does: stored exactly once."""
    again = await visitor.call(
        "message.send", {"conversation_id": cid, "client_id": client_id, "text": "during"}
    )
    assert again["ok"] is True, again
    sync = await bert.ok("messages.sync", {"conversation_id": cid, "after_seq": 0})
    assert [m["text"] for m in sync["messages"] if m["kind"] == "text"] == ["before", "during"]


async def test_a_full_disk_refuses_messages_until_there_is_room_again(
    chat: tuple[LiveServer, Peer, Peer, str], small_disk: Path
) -> None:
    _, visitor, bert, cid = chat
    filler = small_disk / "filler"
    with filler.open("wb", buffering=0) as out:
        for chunk in (65536, 4096, 512, 1):  # to the last byte: not even one page is left
            try:
                while True:
                    out.write(b"\0" * chunk)
            except OSError:
                pass
    reply = await visitor.call("message.send", {"conversation_id": cid, "client_id": "f0", "text": "lost?"})
    assert reply["ok"] is False, "the disk never filled up"
    assert reply["error"]["code"] == "UNAVAILABLE"
    assert visitor.client.connected
    assert bert.client.connected
    filler.unlink()
    await _resumes(visitor, bert, cid, "m1")


async def test_a_write_lock_held_elsewhere_refuses_messages_until_it_is_let_go(
    chat: tuple[LiveServer, Peer, Peer, str],
) -> None:
    """Another process (here: a connection of the test's own) holds the write lock longer than the busy
    timeout: the writer gives up on that batch, answers UNAVAILABLE, and writes again once the lock is
    free."""
    s, visitor, bert, cid = chat
    path = s.settings.data_dir / "wschat.db"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        await _refused_while_broken(visitor, bert, cid, "m1")
    finally:
        other.execute("ROLLBACK")
        other.close()
    await _resumes(visitor, bert, cid, "m1")
