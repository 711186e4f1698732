"""``wschat db copy`` and ``wschat db backup`` as an operator runs them: real SQLite files, the session's
FerretDB for MongoDB, the argument parser the ``wschat`` command uses, and the real command in a
subprocess for the exit codes and Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import secrets
import signal
import socket
import stat
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from tests.storage.installation import dump, populate, sqlite_content_hash
from wschat.config import DatabaseSettings, Secret, Settings
from wschat.database_url import DatabaseUrl
from wschat.records import Document
from wschat.server import db_commands
from wschat.storage import open_database


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def parse(*argv: str) -> argparse.Namespace:
    """``argv`` through the parser ``wschat`` builds for ``db`` (``db_commands.add_parser``)."""
    parser = argparse.ArgumentParser(prog="wschat")
    db_commands.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["db", *argv])


async def run_db(settings: Settings, *argv: str) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = await db_commands.run(settings, parse(*argv))
    return Outcome(code, out.getvalue(), err.getvalue())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """An installation with the default database: ``<data dir>/wschat.db``."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Settings(secret_key=Secret(secrets.token_urlsafe(48)), data_dir=data_dir)


@pytest.fixture
async def installed(settings: Settings) -> AsyncIterator[Document]:
    """The configured SQLite database, populated; yields its records (as ``dump`` reads them)."""
    db = await open_database(settings.database_url)
    try:
        await populate(db)
        yield await dump(db)
    finally:
        await db.close()


async def records_of(url: DatabaseUrl, mongo_database: str = "wschat") -> Document:
    db = await open_database(url, mongo_database=mongo_database)
    try:
        return await dump(db)
    finally:
        await db.close()


# -- copy ----------------------------------------------------------------------------------------------------


async def test_db_copy_to_another_sqlite_file_prints_progress_and_a_summary(
    settings: Settings, installed: Document, tmp_path: Path
) -> None:
    outcome = await run_db(settings, "copy", "--to", f"sqlite://{tmp_path}/copy.db")

    assert outcome.code == 0, outcome.err
    assert f"copying SQLite {settings.data_dir}/wschat.db → SQLite {tmp_path}/copy.db" in outcome.out
    assert "  tenants: 2 of 2\n" in outcome.out
    assert f"  messages: {len(installed['messages'])} of {len(installed['messages'])}\n" in outcome.out
    assert f"{sum(len(records) for records in installed.values())} records written" in outcome.out
    assert outcome.err == ""
    assert await records_of(DatabaseUrl.parse(f"sqlite://{tmp_path}/copy.db")) == installed


async def test_db_copy_to_mongodb_and_back_from_it(
    settings: Settings, installed: Document, tmp_path: Path, mongodb_uri: str
) -> None:
    name = f"cli_{secrets.token_hex(6)}"
    settings = replace(settings, database=DatabaseSettings(mongo_database=name))
    try:
        there = await run_db(settings, "copy", "--to", mongodb_uri)
        back = await run_db(settings, "copy", "--from", mongodb_uri, "--to", f"sqlite://{tmp_path}/back.db")
        in_mongo = await records_of(DatabaseUrl.parse(mongodb_uri), name)
    finally:
        mongo = await open_database(DatabaseUrl.parse(mongodb_uri), mongo_database=name)
        await mongo.drop()
        await mongo.close()

    assert there.code == 0, there.err
    assert back.code == 0, back.err
    assert in_mongo == installed
    assert await records_of(DatabaseUrl.parse(f"sqlite://{tmp_path}/back.db")) == installed


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--to", "postgres://db.internal/wschat"], "--to: must be sqlite:///<absolute path> or mongodb://"),
        (["--to", "sqlite://relative/wschat.db"], "--to: a SQLite URL names an absolute file path"),
        (["--to", "sqlite:///var/lib/wschat/"], "--to: a SQLite URL names an absolute file path"),
        (["--to", "mongodb://"], "--to: a MongoDB URL needs a host"),
        (["--from", "ferretdb://relative/db"], "--from: a ferretdb URL names the old data directory"),
        (["--from", "ferretdb:///old/db?x=1"], "--from: a ferretdb URL names the old data directory"),
        (["--from", "sqlite://{tmp}/missing.db"], "--from: there is no database file {tmp}/missing.db"),
        (
            ["--from", "ferretdb://{tmp}"],
            "--from: no wschat.sqlite in {tmp} (it holds no FerretDB database)",
        ),
        (["--to", "ferretdb://{tmp}/db"], "a ferretdb:// URL names an old installation to copy from"),
        ([], "name --from URL or --to URL (or both)"),
        (["--to", "sqlite://{tmp}/data/wschat.db"], "--from and --to are the same database"),
        (["--from", "sqlite://{tmp}/data/../data/wschat.db"], "--from and --to are the same database"),
    ],
)
async def test_db_copy_wrong_url_is_one_clear_line_and_exit_2_and_writes_nothing(
    settings: Settings, installed: Document, tmp_path: Path, argv: list[str], says: str
) -> None:
    before = sqlite_content_hash(settings.data_dir / "wschat.db")
    files = sorted(tmp_path.rglob("*"))

    outcome = await run_db(settings, "copy", *(arg.format(tmp=tmp_path) for arg in argv))

    assert outcome.code == 2
    assert outcome.err.startswith("wschat db copy: ")
    assert says.format(tmp=tmp_path) in outcome.err
    assert outcome.err.count("\n") == 1
    assert outcome.out == ""
    assert sorted(tmp_path.rglob("*")) == files  # no file created (a missing source is not made empty)
    assert sqlite_content_hash(settings.data_dir / "wschat.db") == before


async def test_db_copy_from_a_configured_database_that_does_not_exist_creates_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    outcome = await run_db(settings, "copy", "--to", f"sqlite://{tmp_path}/copy.db")

    assert outcome.code == 2
    assert outcome.err == (
        f"wschat db copy: the configured database (the source): there is no database file "
        f"{settings.data_dir}/wschat.db\n"
    )
    assert not (settings.data_dir / "wschat.db").exists()
    assert not (tmp_path / "copy.db").exists()


async def test_db_copy_into_a_non_empty_target_needs_merge(
    settings: Settings, installed: Document, tmp_path: Path
) -> None:
    other = DatabaseUrl.parse(f"sqlite://{tmp_path}/other.db")
    db = await open_database(other)
    try:
        await populate(db, ("initech",))
    finally:
        await db.close()
    before = sqlite_content_hash(tmp_path / "other.db")

    refused = await run_db(settings, "copy", "--to", f"sqlite://{tmp_path}/other.db")

    assert refused.code == 1
    assert "is not empty" in refused.err
    assert "add --merge" in refused.err
    assert sqlite_content_hash(tmp_path / "other.db") == before

    merged = await run_db(settings, "copy", "--to", f"sqlite://{tmp_path}/other.db", "--merge")

    assert merged.code == 0, merged.err
    slugs = sorted(doc["slug"] for doc in (await records_of(other))["tenants"])
    assert slugs == ["acme", "globex", "initech"]


async def test_db_copy_messages_never_show_the_password_of_a_mongodb_url(
    settings: Settings, installed: Document
) -> None:
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]

    outcome = await run_db(settings, "copy", "--to", f"mongodb://wschat:s3cret-pass@127.0.0.1:{port}/")

    assert outcome.code == 1
    assert f"MongoDB 127.0.0.1:{port}" in outcome.err
    assert "s3cret-pass" not in outcome.err + outcome.out


class CancelOn(io.StringIO):
    """Standard output that cancels a task when a line containing ``text`` is printed: Ctrl-C at a known
    point of the copy (asyncio.run turns Ctrl-C into cancelling the main task)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.task: asyncio.Task[int] | None = None

    def write(self, s: str) -> int:
        if self.text in s and self.task is not None:
            self.task.cancel()
        return super().write(s)


async def test_db_copy_interrupted_says_how_to_resume_and_the_same_command_finishes_it(
    settings: Settings, installed: Document, tmp_path: Path
) -> None:
    argv = ("copy", "--to", f"sqlite://{tmp_path}/copy.db")
    out, err = CancelOn("  visitors: "), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        out.task = asyncio.create_task(db_commands.run(settings, parse(*argv)))
        with pytest.raises(asyncio.CancelledError):
            await out.task

    assert "interrupted after copying visitors; nothing is lost" in err.getvalue()
    assert "Run the same command again to continue" in err.getvalue()
    partial = await records_of(DatabaseUrl.parse(f"sqlite://{tmp_path}/copy.db"))
    assert partial["visitors"] == installed["visitors"]
    assert partial["messages"] == []

    again = await run_db(settings, *argv)

    assert again.code == 0, again.err
    assert "resumed an earlier copy and finished it" in again.out
    assert await records_of(DatabaseUrl.parse(f"sqlite://{tmp_path}/copy.db")) == installed


# -- backup --------------------------------------------------------------------------------------------------


async def test_db_backup_writes_a_private_consistent_copy_while_the_database_is_in_use(
    settings: Settings, installed: Document, tmp_path: Path
) -> None:
    serving = await open_database(settings.database_url, server=True)  # as a running server holds it
    try:
        outcome = await run_db(settings, "backup", str(tmp_path / "backup.db"))
    finally:
        await serving.close()

    assert outcome.code == 0, outcome.err
    assert f"backed up SQLite {settings.data_dir}/wschat.db to {tmp_path}/backup.db" in outcome.out
    assert stat.S_IMODE((tmp_path / "backup.db").stat().st_mode) == 0o600
    assert await records_of(DatabaseUrl.parse(f"sqlite://{tmp_path}/backup.db")) == installed


async def test_db_backup_refuses_an_existing_file_and_leaves_it_alone(
    settings: Settings, installed: Document, tmp_path: Path
) -> None:
    existing = tmp_path / "backup.db"
    existing.write_bytes(b"an earlier backup")

    outcome = await run_db(settings, "backup", str(existing))

    assert outcome.code == 2
    assert outcome.err == f"wschat db backup: {existing} exists already; name a new file\n"
    assert existing.read_bytes() == b"an earlier backup"


async def test_db_backup_refuses_a_missing_directory(
    settings: Settings, installed: Document, tmp_path: Path
) -> None:
    outcome = await run_db(settings, "backup", str(tmp_path / "nowhere" / "backup.db"))

    assert outcome.code == 2
    assert f"{tmp_path}/nowhere is not a directory" in outcome.err
    assert not (tmp_path / "nowhere").exists()


async def test_db_backup_of_mongodb_points_to_its_own_tools(settings: Settings, tmp_path: Path) -> None:
    settings = replace(settings, database=DatabaseSettings(url=Secret("mongodb://db.internal:27017/")))

    outcome = await run_db(settings, "backup", str(tmp_path / "backup.db"))

    assert outcome.code == 2
    assert "mongodump" in outcome.err
    assert not (tmp_path / "backup.db").exists()


# -- the wschat command --------------------------------------------------------------------------------------


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSCHAT_")}
    env.update({"WSCHAT_DATA_DIR": str(data_dir), "WSCHAT_LOG_LEVEL": "warning"})
    return env


@asynccontextmanager
async def _wschat(data_dir: Path, *argv: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """``wschat <argv>`` on ``data_dir``; killed and reaped if the test ends while it runs."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "wschat",
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=_env(data_dir),
        cwd=data_dir.parent,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.communicate()


async def _run(data_dir: Path, *argv: str, timeout: float = 60) -> Outcome:
    async with _wschat(data_dir, *argv) as process:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return Outcome(process.returncode, out.decode(), err.decode())


@pytest.mark.slow
async def test_wschat_db_copy_wrong_url_exits_2(settings: Settings, tmp_path: Path) -> None:
    outcome = await _run(settings.data_dir, "db", "copy", "--to", "postgres://user:pw@db.internal/wschat")

    assert outcome.code == 2
    assert outcome.err.startswith("wschat db copy: --to: must be sqlite:///")
    assert "pw@" not in outcome.err
    assert not (settings.data_dir / "wschat.db").exists()


@pytest.mark.slow
async def test_wschat_db_copy_ctrl_c_exits_130_and_running_it_again_completes(
    settings: Settings, tmp_path: Path
) -> None:
    db = await open_database(settings.database_url)
    try:
        await populate(db)
        # Enough messages that the copy is still running when Ctrl-C arrives.
        template = (await db.documents("messages", limit=1))[0]
        bulk = [
            {**template, "_id": f"msg_bulk_{n:06d}", "seq": 1000 + n, "client_id": f"b{n}"}
            for n in range(20_000)
        ]
        for start in range(0, len(bulk), 5000):
            await db.load("messages", bulk[start : start + 5000])
        installed = await dump(db, batch=5000)
    finally:
        await db.close()
    argv = ("db", "copy", "--to", f"sqlite://{tmp_path}/copy.db")

    async with _wschat(settings.data_dir, *argv) as process:
        assert process.stdout is not None
        while b"  transitions: " not in (line := await asyncio.wait_for(process.stdout.readline(), 30)):
            assert line, "the copy ended before it could be interrupted"
        process.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(process.communicate(), 30)

    assert process.returncode == 130
    assert "Run the same command again to continue" in err.decode()
    copied = await records_of(DatabaseUrl.parse(f"sqlite://{tmp_path}/copy.db"))
    assert len(copied["messages"]) < len(installed["messages"])

    again = await _run(settings.data_dir, *argv)

    assert again.code == 0, again.err
    assert "resumed an earlier copy" in again.out
    assert await records_of(DatabaseUrl.parse(f"sqlite://{tmp_path}/copy.db")) == installed


@pytest.mark.slow
async def test_wschat_operator_command_on_an_old_installation_points_to_db_copy_and_creates_nothing(
    settings: Settings,
) -> None:
    old = settings.data_dir / "db"
    old.mkdir()
    (old / "wschat.sqlite").write_bytes(b"SQLite format 3\x00")
    # Any command that opened the configured database would create an empty wschat.db, and from then on
    # start-up would take that for the copied data and serve an empty installation.
    outcome = await _run(settings.data_dir, "tenant", "list")

    assert outcome.code == 1
    assert f"wschat db copy --from ferretdb://{old}" in outcome.err
    assert not (settings.data_dir / "wschat.db").exists()
