"""An old installation's embedded FerretDB under ``<data dir>/db/``: start-up stops with the copy command
and changes nothing; that command, run for real on FerretDB's files, brings every record into SQLite."""

from __future__ import annotations

import argparse
import hashlib
import secrets
from pathlib import Path

import pytest
from pymongo import MongoClient

from tests.storage.installation import dump, populate, same_records, sqlite_content_hash
from wschat.config import Secret, Settings
from wschat.database_url import DatabaseUrl
from wschat.server import db_commands
from wschat.storage import StorageError, open_database
from wschat.storage.legacy import check_no_ferretdb_files
from wschat.storage.mongo.ferretdb import BINARY_NAME, EmbeddedDatabase, find_binary

REPO = Path(__file__).resolve().parents[2]


def fake_ferretdb_dir(data_dir: Path) -> Path:
    """The files FerretDB's SQLite backend and wsChat's wrapper leave in ``<data dir>/db``."""
    old = data_dir / "db"
    old.mkdir(parents=True)
    (old / "wschat.sqlite").write_bytes(b"SQLite format 3\x00" + secrets.token_bytes(64))
    (old / "wschat.sqlite-wal").write_bytes(secrets.token_bytes(32))
    (old / "ferretdb.lock").write_text("")
    (old / "ferretdb.log").write_text("level=WARN msg=started\n")
    return old


def snapshot(directory: Path) -> dict[str, tuple[str, int]]:
    """Every file below ``directory``: content hash and modification time."""
    return {
        str(path.relative_to(directory)): (
            hashlib.sha256(path.read_bytes()).hexdigest(),
            path.stat().st_mtime_ns,
        )
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_legacy_ferretdb_files_stop_start_up_with_the_copy_command_and_change_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    fake_ferretdb_dir(data_dir)
    before = snapshot(data_dir)

    with pytest.raises(StorageError) as stopped:
        check_no_ferretdb_files(data_dir)

    message = str(stopped.value)
    assert f"wschat db copy --from ferretdb://{data_dir}/db --to sqlite://{data_dir}/wschat.db" in message
    assert "wschat.sqlite" in message
    assert "\n" not in message
    assert snapshot(data_dir) == before
    assert not (data_dir / "wschat.db").exists()


def test_legacy_message_names_the_configured_sqlite_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    fake_ferretdb_dir(data_dir)
    configured = DatabaseUrl.parse(f"sqlite://{tmp_path}/elsewhere/chat.db")

    with pytest.raises(StorageError, match="wschat db copy") as stopped:
        check_no_ferretdb_files(data_dir, configured)

    assert f"--to sqlite://{tmp_path}/elsewhere/chat.db" in str(stopped.value)


def test_legacy_files_beside_an_existing_sqlite_database_are_left_alone(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    fake_ferretdb_dir(data_dir)
    (data_dir / "wschat.db").write_bytes(b"")  # the copy was made (or the operator started afresh)

    check_no_ferretdb_files(data_dir)


@pytest.mark.parametrize("layout", ["no db dir", "lock and log only"])
def test_legacy_check_passes_without_ferretdb_databases(tmp_path: Path, layout: str) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if layout == "lock and log only":
        (data_dir / "db").mkdir()
        (data_dir / "db" / "ferretdb.lock").write_text("")
        (data_dir / "db" / "ferretdb.log").write_text("")

    check_no_ferretdb_files(data_dir)


def test_legacy_check_ignores_the_old_files_when_mongodb_is_configured(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    fake_ferretdb_dir(data_dir)

    check_no_ferretdb_files(data_dir, DatabaseUrl.parse("mongodb://db.internal:27017/"))


@pytest.mark.slow
@pytest.mark.skipif(
    not (REPO / ".tools" / "bin" / BINARY_NAME).exists(),
    reason="needs the FerretDB binary (make test builds it)",
)
async def test_legacy_installation_is_copied_into_sqlite_by_db_copy(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    old_dir = data_dir / "db"
    settings = Settings(secret_key=Secret(secrets.token_urlsafe(48)), data_dir=data_dir)
    # An old installation: the embedded FerretDB on <data dir>/db, filled through the MongoDB stores, which
    # the old versions used unchanged.
    embedded = EmbeddedDatabase(find_binary(), old_dir)
    old = await open_database(DatabaseUrl.parse(embedded.start()), mongo_database="wschat")
    try:
        await populate(old)
        written = await dump(old)
        # The old versions did not have every index this one declares (visitors by last_seen came with it).
        with MongoClient(embedded.uri) as client:
            client.wschat.visitors.drop_index("last_seen")
    finally:
        await old.close()
        embedded.stop()
    assert (old_dir / "wschat.sqlite").is_file()
    old_content = sqlite_content_hash(old_dir / "wschat.sqlite")
    with pytest.raises(StorageError, match="wschat db copy --from ferretdb://"):
        check_no_ferretdb_files(data_dir)

    args = argparse.Namespace(action="copy", source=f"ferretdb://{old_dir}", target=None, merge=False)
    assert await db_commands.run(settings, args) == 0

    check_no_ferretdb_files(data_dir)  # start-up goes ahead now
    # FerretDB's database holds what it held (its tables, and its indexes' metadata): the copy wrote no
    # record and created no index there.
    assert sqlite_content_hash(old_dir / "wschat.sqlite") == old_content
    copied = await open_database(settings.database_url)
    try:
        assert same_records(await dump(copied)) == same_records(written)
    finally:
        await copied.close()
    # The old installation still holds everything, and the copy's FerretDB has let go of it (it holds the
    # directory's lock while it runs, so this start would fail).
    embedded = EmbeddedDatabase(find_binary(), old_dir)
    old = await open_database(DatabaseUrl.parse(embedded.start()), mongo_database="wschat")
    try:
        assert await dump(old) == written
    finally:
        await old.close()
        embedded.stop()
