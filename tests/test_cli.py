"""The ``wschat`` command as an operator uses it: real subprocesses, a real data dir, real clients."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import socketio

from tests.support import wait_for
from wschat.storage.sqlite import schema

PASSWORD = "operator chosen password"


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSCHAT_")}
    env.update({"WSCHAT_DATA_DIR": str(data_dir), "WSCHAT_LOG_LEVEL": "warning", **extra})
    return env


async def wschat(data_dir: Path, *args: str, stdin: str | None = None, **env: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "wschat",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=_env(data_dir, **env),
        cwd=data_dir.parent,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin.encode() if stdin else b""), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@dataclass
class Served:
    process: asyncio.subprocess.Process
    url: str
    banner: str


async def _serve(data_dir: Path, stdout: int, **env: str) -> asyncio.subprocess.Process:
    """``wschat serve --port 0`` on ``data_dir``, its standard output going to ``stdout``."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "wschat",
        "serve",
        "--port",
        "0",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=stdout,
        stderr=asyncio.subprocess.DEVNULL,
        env=_env(data_dir, **env),
        cwd=data_dir.parent,
    )


@asynccontextmanager
async def served(data_dir: Path, **env: str) -> AsyncIterator[Served]:
    process = await _serve(data_dir, asyncio.subprocess.PIPE, **env)
    assert process.stdout is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(30):
            while not (lines and lines[0].startswith("wsChat is ready on ")):
                line = (await process.stdout.readline()).decode()
                assert line, "wschat serve exited before it was ready"
                lines.append(line)
            # The first-run block follows immediately when there is one.
            try:
                async with asyncio.timeout(1):
                    while line := (await process.stdout.readline()).decode():
                        lines.append(line)
                        if line.startswith("  password:"):
                            break
            except TimeoutError:
                pass
        url = lines[0].removeprefix("wsChat is ready on ").strip()
        yield Served(process, url, "".join(lines))
    finally:
        if process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), 30)


async def test_serve_first_run_puts_the_admin_password_in_a_private_file_when_not_on_a_terminal(
    tmp_path: Path,
) -> None:
    """stdout is a pipe here, as under journald or in a container: the password must not go to the log."""
    data_dir = tmp_path / "var"
    async with served(data_dir) as server:
        found = re.search(r"password: in (\S+)", server.banner)
        assert found, server.banner
        path = Path(found.group(1))
        assert path == data_dir / "initial-admin-password"
        assert path.stat().st_mode & 0o777 == 0o600
        password = re.search(r"^password: (\S+)$", path.read_text(), re.MULTILINE)
        assert password, path.read_text()
        assert password.group(1) not in server.banner
        assert "login:    admin" in server.banner
        assert "tenant:   demo" in server.banner
        assert f"console:   {server.url}/console/" in server.banner
        assert f"demo site: {server.url}/demo" in server.banner
        async with aiohttp.ClientSession() as http:
            login = {"tenant": "demo", "login": "admin", "password": password.group(1)}
            async with http.post(f"{server.url}/api/auth/login", json=login) as reply:
                assert reply.status == 200
                token = (await reply.json())["token"]
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(
            server.url, namespaces=["/agent"], auth={"token": token}, transports=["websocket"]
        )
        assert client.connected
        await client.disconnect()
        server.process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal, as Unix programs should.
        assert await asyncio.wait_for(server.process.wait(), 30) in (0, -signal.SIGTERM)
    assert (data_dir / "wschat.db").exists()

    async with served(data_dir) as again:
        assert "password" not in again.banner, "the admin password is printed on the first start only"
        assert path.exists(), "the file stays until the password is changed"
        async with aiohttp.ClientSession() as http:
            login = {"tenant": "demo", "login": "admin", "password": password.group(1)}
            async with http.post(f"{again.url}/api/auth/login", json=login) as reply:
                body = await reply.json()
            headers = {"Authorization": f"Bearer {body['token']}"}
            change = {"password": "the admin's own passphrase"}
            async with http.patch(
                f"{again.url}/api/agents/{body['user']['id']}", json=change, headers=headers
            ) as reply:
                assert reply.status == 200
        # The running server's housekeeping notices the change (every 5 s).
        async with asyncio.timeout(20):
            while path.exists():
                await asyncio.sleep(0.1)


async def test_serve_first_run_prints_the_password_on_a_terminal_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    main, terminal = os.openpty()
    process = await _serve(data_dir, terminal)
    os.close(terminal)
    seen = b""
    try:
        async with asyncio.timeout(30):
            while not re.search(rb"password: \S+\r?\n", seen):
                seen += await asyncio.to_thread(os.read, main, 4096)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
        os.close(main)
    password = re.search(rb"password: (\S+)", seen)
    assert password, seen
    assert password.group(1) != b"in", seen
    assert not (data_dir / "initial-admin-password").exists()
    # The password shown works: the same data dir, a plain pipe now, signs the admin in.
    async with served(data_dir) as again, aiohttp.ClientSession() as http:
        login = {"tenant": "demo", "login": "admin", "password": password.group(1).decode()}
        async with http.post(f"{again.url}/api/auth/login", json=login) as reply:
            assert reply.status == 200


async def test_one_server_per_data_dir_and_commands_work_beside_it(tmp_path: Path) -> None:
    """A second ``serve`` on the same SQLite file is refused in one line; operator commands open the file
    beside the running server; a killed server leaves no lock behind."""
    data_dir = tmp_path / "var"
    async with served(data_dir) as server:
        code, out, err = await wschat(data_dir, "serve", "--port", "0")
        assert code == 1
        assert "another wsChat server" in err
        assert str(server.process.pid) in err
        assert "Traceback" not in err
        assert out == ""
        code, out, _ = await wschat(
            data_dir, "tenant", "create", "--slug", "acme", "--name", "ACME", "--plan", "contract"
        )
        assert code == 0, out
        code, out, _ = await wschat(data_dir, "tenant", "list")
        assert code == 0
        assert "acme" in out
        assert "demo" in out
        server.process.send_signal(signal.SIGKILL)
        await server.process.wait()
    async with served(data_dir) as again, aiohttp.ClientSession() as http:
        reply = await http.get(f"{again.url}/api/widget/acme")
        assert reply.status == 200
        reply.release()


async def test_operator_commands_manage_tenants_and_users(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    code, out, err = await wschat(
        data_dir, "tenant", "create", "--slug", "acme", "--name", "ACME GmbH", "--plan", "demo"
    )
    assert code == 0, err
    assert "created tenant acme (demo, demo ends" in out
    code, out, err = await wschat(
        data_dir,
        "user",
        "create",
        "--tenant",
        "acme",
        "--login",
        "anna",
        "--role",
        "admin",
        "--display-name",
        "Anna",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    assert PASSWORD not in out + err
    code, out, _ = await wschat(data_dir, "tenant", "list")
    assert re.search(r"^acme\s+ACME GmbH\s+demo\s+demo\s+\d{4}-", out, re.MULTILINE), out

    async with served(data_dir) as server, aiohttp.ClientSession() as http:
        login = {"tenant": "acme", "login": "anna", "password": PASSWORD}
        async with http.post(f"{server.url}/api/auth/login", json=login) as reply:
            assert reply.status == 200
        # While the server runs, the CLI reuses its embedded database.
        code, out, err = await wschat(data_dir, "tenant", "lock", "acme")
        assert (code, out.strip()) == (0, "locked tenant acme"), err
        async with http.post(f"{server.url}/api/auth/login", json=login) as reply:
            assert (await reply.json())["error"]["code"] == "TENANT_LOCKED"
        code, _, err = await wschat(data_dir, "tenant", "unlock", "acme")
        assert code == 0, err
        code, _, err = await wschat(
            data_dir,
            "user",
            "passwd",
            "--tenant",
            "acme",
            "--login",
            "anna",
            "--password-stdin",
            stdin="another password\n",
        )
        assert code == 0, err
        async with http.post(f"{server.url}/api/auth/login", json=login) as reply:
            assert (await reply.json())["error"]["code"] == "INVALID_CREDENTIALS"
        async with http.post(
            f"{server.url}/api/auth/login", json={**login, "password": "another password"}
        ) as reply:
            assert reply.status == 200


async def test_operator_commands_refuse_bad_input(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    assert (
        await wschat(data_dir, "tenant", "create", "--slug", "acme", "--name", "ACME", "--plan", "contract")
    )[0] == 0
    code, _, err = await wschat(
        data_dir, "tenant", "create", "--slug", "acme", "--name", "Again", "--plan", "contract"
    )
    assert code == 1
    assert "exists already" in err
    code, _, err = await wschat(
        data_dir, "tenant", "create", "--slug", "Bad Slug!", "--name", "X", "--plan", "demo"
    )
    assert code == 1
    assert "slug" in err
    args = [
        "user",
        "create",
        "--tenant",
        "acme",
        "--login",
        "bob",
        "--role",
        "agent",
        "--display-name",
        "Bob",
    ]
    code, _, err = await wschat(data_dir, *args, "--password-stdin", stdin="short\n")
    assert code == 1
    assert "10 to 1024 characters" in err
    code, _, err = await wschat(
        data_dir, "user", "create", "--tenant", "nobody", *args[4:], "--password-stdin", stdin=PASSWORD
    )
    assert code == 1
    assert "no tenant 'nobody'" in err
    code, out, _ = await wschat(data_dir, "tenant", "list")
    assert "Again" not in out
    assert "Bad Slug" not in out
    # bob was never created: setting his password finds no such user.
    code, _, err = await wschat(
        data_dir, "user", "passwd", "--tenant", "acme", "--login", "bob", "--password-stdin", stdin=PASSWORD
    )
    assert code == 1
    assert "no user 'bob'" in err


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WSCHAT_PORT", "http"),
        ("WSCHAT_PORT", "99999"),
        ("WSCHAT_MONGODB_URI", "localhost"),
        ("WSCHAT_DATABASE_URL", "postgres://db.internal/wschat"),
        ("WSCHAT_DATABASE_URL", "sqlite:wschat.db"),
        ("WSCHAT_DATABASE_URL", "mongodb://"),
        ("WSCHAT_SQLITE_SYNCHRONOUS", "OFF"),
    ],
)
async def test_bad_setting_stops_start_up_naming_it(tmp_path: Path, variable: str, value: str) -> None:
    code, out, err = await wschat(tmp_path / "var", "serve", **{variable: value})
    assert code == 2
    assert variable in err
    assert "Traceback" not in err
    assert out == ""


def _newer(path: Path) -> None:
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {schema.LATEST + 1}")


def _damaged(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))


@pytest.mark.parametrize(
    ("prepare", "expected"),
    [(_newer, "newer wsChat"), (_damaged, "not a SQLite database or is damaged")],
)
async def test_an_unusable_database_file_stops_start_up_in_one_line_and_stays_as_it_was(
    tmp_path: Path, prepare: Callable[[Path], None], expected: str
) -> None:
    data_dir = tmp_path / "var"
    path = data_dir / "wschat.db"
    prepare(path)
    before = path.read_bytes()
    for command in (["serve", "--port", "0"], ["tenant", "list"]):
        code, out, err = await wschat(data_dir, *command)
        assert code == 1
        assert expected in err
        assert len(err.strip().splitlines()) == 1, err
        assert out == ""
    assert path.read_bytes() == before
    # No write-ahead log beside it: the file was not opened for writing. (The lock file is not data.)
    assert {p.name for p in data_dir.iterdir()} <= {"wschat.db", "wschat.db.lock", "secret_key"}


async def test_a_data_dir_that_cannot_be_written_stops_start_up_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    code, out, err = await wschat(
        tmp_path / "var", "serve", "--port", "0", WSCHAT_DATABASE_URL=f"sqlite://{blocker}/wschat.db"
    )
    assert code == 1
    assert str(blocker) in err
    assert len(err.strip().splitlines()) == 1, err
    assert out == ""
    assert blocker.read_text() == "a file where the data dir should be"


async def test_an_unreachable_mongodb_stops_start_up_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    secret_url = f"mongodb://wschat:hunter2-secret@127.0.0.1:{port}/?serverSelectionTimeoutMS=500"
    code, out, err = await wschat(tmp_path / "var", "serve", "--port", "0", WSCHAT_DATABASE_URL=secret_url)
    assert code == 1
    assert "does not answer" in err
    assert f"127.0.0.1:{port}" in err
    assert "hunter2" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert out == ""


@pytest.mark.both_backends
async def test_acknowledged_messages_survive_a_hard_kill(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    """Every message the server acknowledged is still there after SIGKILL (no shutdown, no flush) and a
    restart on the same data: an ack is sent only once the database has committed the message."""
    data_dir = tmp_path / "var"
    env: dict[str, str] = {}
    if backend == "mongodb":
        env = {
            "WSCHAT_DATABASE_URL": request.getfixturevalue("mongodb_uri"),
            "WSCHAT_MONGODB_DB": data_dir.parent.name,
        }
    texts = [f"message {n} before the crash" for n in range(8)]
    async with served(data_dir, **env) as server, aiohttp.ClientSession() as http:
        async with http.post(f"{server.url}/api/widget/demo/session", json={"token": None}) as reply:
            token = (await reply.json())["token"]
        visitor = await _visitor(server.url, token)
        started = await visitor.call("chat.start", {"alias": "Sam"}, namespace="/visitor")
        cid = started["conversation"]["id"]
        for n, text in enumerate(texts):
            ack = await visitor.call(
                "message.send",
                {"conversation_id": cid, "client_id": f"c{n}", "text": text},
                namespace="/visitor",
            )
            assert ack["ok"], ack
        server.process.send_signal(signal.SIGKILL)  # right after the last ack
        await server.process.wait()
        await visitor.disconnect()
    async with served(data_dir, **env) as again:
        visitor = await _visitor(again.url, token)
        synced = await visitor.call(
            "messages.sync", {"conversation_id": cid, "after_seq": 0}, namespace="/visitor"
        )
        await visitor.disconnect()
    stored = [m["text"] for m in synced["messages"] if m["sender"]["kind"] == "visitor"]
    assert stored == texts


async def test_messages_in_flight_at_a_hard_kill_are_stored_once_if_acked(tmp_path: Path) -> None:
    """SIGKILL while eight visitors keep forty messages in flight (the writer commits them in groups): every
    message that was acknowledged is stored exactly once, whatever was in flight is stored once or not at
    all, and the restarted server serves each conversation with its seqs unbroken. The small-scale version of
    the relay benchmark's ``--kill-at-rate`` (docs/benchmarks.md)."""
    data_dir = tmp_path / "var"
    limits = {"WSCHAT_VISITOR_MESSAGE_BURST": "100000", "WSCHAT_VISITOR_MESSAGES_PER_MINUTE": "1000000"}
    acked: set[str] = set()
    sent: set[str] = set()
    chats: list[tuple[str, str]] = []
    async with served(data_dir, **limits) as server, aiohttp.ClientSession() as http:
        visitors = []
        for _ in range(8):
            async with http.post(f"{server.url}/api/widget/demo/session", json={"token": None}) as reply:
                token = (await reply.json())["token"]
            visitor = await _visitor(server.url, token)
            started = await visitor.call("chat.start", {}, namespace="/visitor")
            visitors.append((visitor, started["conversation"]["id"]))
            chats.append((token, started["conversation"]["id"]))

        async def send(visitor: socketio.AsyncClient, cid: str, client_id: str) -> None:
            sent.add(client_id)
            payload = {"conversation_id": cid, "client_id": client_id, "text": f"text {client_id}"}
            with contextlib.suppress(Exception):  # the server is gone: no ack
                if (await visitor.call("message.send", payload, namespace="/visitor", timeout=3))["ok"]:
                    acked.add(client_id)

        async def keep_sending(n: int, visitor: socketio.AsyncClient, cid: str) -> None:
            for batch in itertools.count():
                if server.process.returncode is not None:
                    return
                await asyncio.gather(*(send(visitor, cid, f"k{n}-{batch}-{i}") for i in range(5)))

        senders = [asyncio.create_task(keep_sending(n, v, cid)) for n, (v, cid) in enumerate(visitors)]
        await wait_for(lambda: len(acked) >= 400, timeout=30)
        server.process.send_signal(signal.SIGKILL)
        await server.process.wait()
        await asyncio.gather(*senders)
        for visitor, _ in visitors:
            await visitor.disconnect()

    with sqlite3.connect(data_dir / "wschat.db") as db:
        stored = dict(
            db.execute("SELECT client_id, count(*) FROM messages WHERE client_id LIKE 'k%' GROUP BY 1")
        )
    assert sent - acked, "the kill must find messages in flight"
    assert acked <= stored.keys(), f"{len(acked - stored.keys())} acknowledged messages were lost"
    assert set(stored.values()) == {1}
    assert stored.keys() <= sent

    async with served(data_dir) as again:
        for token, cid in chats:
            visitor = await _visitor(again.url, token)
            synced = await visitor.call("messages.sync", {"conversation_id": cid}, namespace="/visitor")
            await visitor.disconnect()
            seqs = [m["seq"] for m in synced["messages"]]
            assert seqs == list(range(1, len(seqs) + 1))


async def _visitor(url: str, token: str) -> socketio.AsyncClient:
    """The demo tenant's widget socket for the visitor with ``token``."""
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        url, namespaces=["/visitor"], auth={"tenant": "demo", "token": token}, transports=["websocket"]
    )
    return client


async def test_lifecycle_commands_show_every_date_and_refuse_the_wrong_state(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    create = ["tenant", "create", "--slug", "acme", "--name", "ACME GmbH", "--plan", "contract"]
    assert (await wschat(data_dir, *create, "--email", "chef@acme.example"))[0] == 0

    code, out, err = await wschat(data_dir, "tenant", "terminate", "acme", "--last-day", "2099-06-30")
    assert (code, out.strip()) == (0, "tenant acme ends after 2099-06-30"), err
    code, out, _ = await wschat(data_dir, "tenant", "show", "acme")
    assert code == 0
    shown = dict(re.fullmatch(r"(.+?):\s+(.*)", line).groups() for line in out.splitlines())  # type: ignore[union-attr]
    assert shown["created"] == shown["contract since"], "a contract from its creation"
    assert {k: v for k, v in shown.items() if k not in ("created", "contract since")} == {
        "tenant": "acme (ACME GmbH)",
        "state": "terminated",
        "contact": "chef@acme.example",
        "demo ends": "-",
        "contract ends": "2099-07-01 00:00 UTC",
        "chat data deleted": "2100-01-01 00:00 UTC",
        "export until": "2100-01-01 00:00 UTC",
        "master data deleted": "2103-07-01 00:00 UTC",
        "legal hold": "-",
    }
    code, out, _ = await wschat(data_dir, "tenant", "list")
    assert "terminated" in out
    assert "2099-07-01 00:00" in out

    code, _, err = await wschat(data_dir, "tenant", "terminate", "acme", "--last-day", "2099-07-30")
    assert code == 1
    assert "cannot be terminated: it is terminated" in err
    code, _, err = await wschat(data_dir, "tenant", "release", "acme")
    assert (code, "not under a legal hold" in err) == (1, True)
    code, out, _ = await wschat(data_dir, "tenant", "hold", "acme", "--reason", "Rechtsstreit 1 O 23/99")
    assert (code, "legal hold" in out) == (0, True)
    code, out, _ = await wschat(data_dir, "tenant", "show", "acme")
    assert re.search(
        r"^legal hold:\s+since \d{4}-\d\d-\d\d \d\d:\d\d UTC: Rechtsstreit 1 O 23/99$", out, re.M
    )
    code, _, err = await wschat(data_dir, "tenant", "terminate", "acme", "--last-day", "30.06.2099")
    assert (code, "last_day" in err) == (1, True)
    code, _, err = await wschat(data_dir, "tenant", "show", "nobody")
    assert (code, "no tenant 'nobody'" in err) == (1, True)
    assert "Traceback" not in err
