"""The servers a soak runs against, as real processes it can kill: ``wschat serve`` on fixed loopback ports
(so that a restarted process is found where its clients left it), FerretDB for the MongoDB adapter, and a
``redis-server`` between the processes.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.redis_support import RedisServer, free_port
from wschat.accounts.models import AgentCreate, Plan, Role
from wschat.clock import utc_now
from wschat.config import DatabaseSettings, Secret, Settings
from wschat.server.runtime import build_runtime
from wschat.server.transport import NoTransport
from wschat.storage import Database, open_database
from wschat.storage.mongo.ferretdb import EmbeddedDatabase, find_binary

TENANT = "soak"
PASSWORD = "soak-password-1234"
#: Every agent may hold this many chats (the most an admin may give), so that all visitors can be served at
#: once by the agents who stay when two leave at the end, and a chat left in the queue is a fault, not a full
#: house (``scenario.run`` checks that the plan allows it).
MAX_CHATS = 50


@dataclass
class ServerProcess:
    """One ``wschat serve`` on a fixed port; its log (stderr) goes to a file beside the data."""

    name: str
    port: int
    env: dict[str, str]
    cwd: Path
    process: asyncio.subprocess.Process | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.cwd / f"{self.name}.log"

    async def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "wschat", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=log,
                env=self.env, cwd=self.cwd,
            )  # fmt: skip
        assert self.process.stdout is not None
        async with asyncio.timeout(60):
            while True:
                line = (await self.process.stdout.readline()).decode()
                assert line, f"{self.name}: wschat serve exited during start-up (see {self.log_path})"
                if line.startswith("wsChat is ready on "):
                    break
        self.starts += 1
        # Nothing else is printed to stdout; draining it anyway keeps a full pipe from blocking the server.
        asyncio.get_running_loop().create_task(self.process.stdout.read())

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, sockets and socket records are left as they were."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def wait_dead(self) -> None:
        assert self.process is not None
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.kill()
                await self.process.wait()

    def rss_bytes(self) -> int:
        """Resident memory of the process now (VmRSS)."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(row for row in status.splitlines() if row.startswith("VmRSS:"))
        return int(line.split()[1]) * 1024

    def tracebacks(self) -> int:
        return self.log_path.read_text(errors="replace").count("Traceback (most recent call last)")


@dataclass
class Deployment:
    """What the clients connect to, and the faults that can be done to it."""

    kind: str  # "cluster" (two processes, MongoDB adapter, Redis) or "sqlite" (one process)
    servers: list[ServerProcess]
    db: Database
    tenant_id: str
    agent_logins: list[str]
    redis: RedisServer | None = None
    #: The processes that are never killed: their memory is compared before and after.
    steady: list[ServerProcess] = field(default_factory=list)

    @property
    def victim(self) -> ServerProcess:
        """The process that is killed: the first one."""
        return self.servers[0]


def _environment(data_dir: Path, secret: str, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSCHAT_")}
    return (
        env
        | {
            "WSCHAT_SECRET_KEY": secret,
            "WSCHAT_DATA_DIR": str(data_dir),
            "WSCHAT_LOG_LEVEL": "warning",
            # All clients come from 127.0.0.1: the per-address limits would count them as one visitor.
            "WSCHAT_NEW_VISITORS_PER_MINUTE": "100000",
            "WSCHAT_VISITOR_CHATS_PER_HOUR": "1000",
            # A shorter grace than the default 30 s, so that the checks at the end need not wait as long.
            "WSCHAT_AGENT_GRACE_SECONDS": "10",
        }
        | extra
    )


async def _seed(db: Database, agents: int) -> tuple[str, list[str]]:
    settings = Settings(secret_key=Secret(secrets.token_urlsafe(48)))
    runtime = build_runtime(settings, db, utc_now, NoTransport())
    tenant = await runtime.accounts.create_tenant(TENANT, "Soak GmbH", Plan.CONTRACT)
    logins = [f"agent{n:02d}" for n in range(agents)]
    for login in logins:
        spec = AgentCreate(
            login=login, display_name=login.title(), password=PASSWORD, role=Role.AGENT, max_chats=MAX_CHATS
        )
        await runtime.accounts.create_user(tenant, spec)
    return tenant.id, logins


@asynccontextmanager
async def cluster(work: Path, agents: int) -> AsyncIterator[Deployment]:
    """Two ``wschat serve`` processes on one FerretDB (MongoDB adapter) and one Redis."""
    ferret = EmbeddedDatabase(find_binary(), data_dir=None)
    uri = ferret.start()
    redis = RedisServer()
    redis.start()
    database = f"soak_{secrets.token_hex(4)}"
    settings = Settings(
        secret_key=Secret(secrets.token_urlsafe(48)),
        database=DatabaseSettings(url=Secret(uri), mongo_database=database),
    )
    db = await open_database(settings.database_url, mongo_database=database)
    servers: list[ServerProcess] = []
    try:
        tenant_id, logins = await _seed(db, agents)
        env = _environment(
            work,
            settings.secret_key.reveal(),
            {"WSCHAT_DATABASE_URL": uri, "WSCHAT_MONGODB_DB": database, "WSCHAT_REDIS_URL": redis.url},
        )
        servers = [ServerProcess(name, free_port(), env, work) for name in ("a", "b")]
        await asyncio.gather(*(server.start() for server in servers))
        yield Deployment("cluster", servers, db, tenant_id, logins, redis, steady=servers[1:])
    finally:
        await asyncio.gather(*(server.stop() for server in servers))
        await db.close()
        redis.stop()
        ferret.stop()


@asynccontextmanager
async def single_sqlite(work: Path, agents: int) -> AsyncIterator[Deployment]:
    """One ``wschat serve`` on the embedded SQLite database, no Redis."""
    settings = Settings(secret_key=Secret(secrets.token_urlsafe(48)), data_dir=work)
    db = await open_database(settings.database_url)
    server = ServerProcess("sqlite", free_port(), _environment(work, settings.secret_key.reveal(), {}), work)
    try:
        tenant_id, logins = await _seed(db, agents)
        await server.start()
        yield Deployment("sqlite", [server], db, tenant_id, logins, steady=[server])
    finally:
        await server.stop()
        await db.close()
