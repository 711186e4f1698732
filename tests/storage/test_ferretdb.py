"""FerretDB as a child process (the MongoDB adapter's test server, and the reader of an earlier version's
data dir): start, ping, stop, one owner per data dir, never an orphan process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pymongo import MongoClient

from wschat.storage.mongo.ferretdb import EmbeddedDatabase, EmbeddedDatabaseError, find_binary, locate_running


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is gone for every practical purpose.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def _wait_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_embedded_database_starts_answers_and_stops(tmp_path: Path) -> None:
    database = EmbeddedDatabase(find_binary(), tmp_path / "db")
    uri = database.start()
    pid = database.pid
    assert pid is not None
    client: MongoClient[dict[str, object]] = MongoClient(uri, serverSelectionTimeoutMS=2000)
    try:
        client["probe"]["things"].insert_one({"_id": 1, "value": "kept"})
        assert client["probe"]["things"].find_one({"_id": 1}) == {"_id": 1, "value": "kept"}
    finally:
        client.close()
    database.stop()
    assert _wait_gone(pid)
    assert database.address is None
    assert list((tmp_path / "db").glob("*.sqlite")), "data must be on disk"


def test_embedded_database_keeps_data_across_restarts(tmp_path: Path) -> None:
    for expected in (None, "kept"):
        database = EmbeddedDatabase(find_binary(), tmp_path / "db")
        client: MongoClient[dict[str, object]] = MongoClient(database.start(), serverSelectionTimeoutMS=2000)
        try:
            found = client["probe"]["things"].find_one({"_id": 1})
            assert (found or {}).get("value") == expected
            client["probe"]["things"].replace_one({"_id": 1}, {"value": "kept"}, upsert=True)
        finally:
            client.close()
            database.stop()


def test_one_process_per_data_dir(tmp_path: Path) -> None:
    owner = EmbeddedDatabase(find_binary(), tmp_path / "db")
    uri = owner.start()
    try:
        with pytest.raises(EmbeddedDatabaseError, match="already runs"):
            EmbeddedDatabase(find_binary(), tmp_path / "db").start()
        assert locate_running(tmp_path / "db") == uri
    finally:
        owner.stop()
    assert locate_running(tmp_path / "db") is None


def test_missing_binary_says_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(EmbeddedDatabaseError) as info:
        find_binary(tmp_path / "no-such-binary")
    message = str(info.value)
    assert "make .tools/bin/wschat-ferretdb" in message
    assert "WSCHAT_FERRETDB_BIN" in message


def test_failed_start_reports_and_cleans_up(tmp_path: Path) -> None:
    fake = tmp_path / "fake-ferretdb"
    fake.write_text("#!/bin/sh\necho 'cannot open database' >&2\nexit 3\n")
    fake.chmod(0o755)
    database = EmbeddedDatabase(fake, tmp_path / "db", start_timeout=5)
    with pytest.raises(EmbeddedDatabaseError, match="cannot open database"):
        database.start()
    assert database.pid is None
    assert locate_running(tmp_path / "db") is None


_CHILD = """
import sys, time
from pathlib import Path
from wschat.storage.mongo.ferretdb import EmbeddedDatabase, find_binary
db = EmbeddedDatabase(find_binary(), Path(sys.argv[1]))
db.start()
print(db.pid, flush=True)
time.sleep(600)
"""


def test_no_orphan_when_the_owner_is_killed(tmp_path: Path) -> None:
    """SIGKILL leaves no chance to clean up: FerretDB must notice its closed stdin and exit by itself."""
    owner = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(tmp_path / "db")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert owner.stdout is not None
        ferretdb_pid = int(owner.stdout.readline())
        assert _alive(ferretdb_pid)
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        if owner.stdout:
            owner.stdout.close()
    assert _wait_gone(ferretdb_pid), "FerretDB outlived the process that started it"
    assert locate_running(tmp_path / "db") is None
