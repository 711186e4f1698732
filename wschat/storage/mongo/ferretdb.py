"""FerretDB (SQLite backend) as a child process: the MongoDB adapter's test server, and the way
``wschat db copy --from ferretdb://<dir>`` reads the data of a wsChat version that kept it in FerretDB.

The Go program in ``tools/ferretdb/`` prints ``listening on <host:port>`` once it accepts connections.
It is started with ``-stdin-watch`` and a pipe as its standard input: when this process ends in any way,
even ``SIGKILL``, the pipe closes and FerretDB exits, so it never outlives wsChat.

One data directory is served by one FerretDB process at a time. Whoever starts it holds an exclusive
``flock`` on ``<dir>/ferretdb.lock`` and writes the address to ``<dir>/ferretdb.addr``; whoever finds the
lock taken can reach the running one through that address (:func:`locate_running`).
"""

from __future__ import annotations

import atexit
import fcntl
import logging
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

from pymongo import MongoClient
from pymongo.errors import PyMongoError

log = logging.getLogger(__name__)

BINARY_NAME = "wschat-ferretdb"
LOCK_FILE = "ferretdb.lock"
ADDR_FILE = "ferretdb.addr"
LOG_FILE = "ferretdb.log"


class EmbeddedDatabaseError(RuntimeError):
    """The embedded database could not be found, started or reached."""


def mongodb_uri(address: str) -> str:
    return f"mongodb://{address}/?directConnection=true"


def find_binary(explicit: Path | None = None) -> Path:
    """The FerretDB binary: the configured path, else ``./.tools/bin``, the source checkout's, ``$PATH``."""
    if explicit is not None:
        candidates = [explicit]
    else:
        candidates = [
            Path.cwd() / ".tools" / "bin" / BINARY_NAME,
            Path(__file__).resolve().parent.parent / ".tools" / "bin" / BINARY_NAME,
        ]
        if on_path := shutil.which(BINARY_NAME):
            candidates.append(Path(on_path))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    looked = ", ".join(str(p) for p in candidates)
    raise EmbeddedDatabaseError(
        f"The embedded database ({BINARY_NAME}) was not found (looked in {looked}). "
        "Build it with `make .tools/bin/wschat-ferretdb` (needs Go) or set WSCHAT_FERRETDB_BIN to its path."
    )


class EmbeddedDatabase:
    """One FerretDB child process, on disk under ``data_dir`` or (``data_dir=None``) in memory."""

    def __init__(
        self,
        binary: Path,
        data_dir: Path | None,
        *,
        start_timeout: float = 30.0,
        stop_timeout: float = 10.0,
        listen: str = "127.0.0.1:0",
    ) -> None:
        self.binary = binary
        #: Where it listens; port 0 picks a free one (a test that restarts it names the port).
        self.listen = listen
        self.data_dir = data_dir
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.address: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._lock: IO[str] | None = None
        self._stderr: IO[bytes] | None = None

    @property
    def uri(self) -> str:
        if self.address is None:
            raise EmbeddedDatabaseError("the embedded database is not running")
        return mongodb_uri(self.address)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> str:
        """Start FerretDB, wait until ``ping`` answers; returns the MongoDB URI. Blocks: call in a thread."""
        if self._process is not None:
            return self.uri
        args = [str(self.binary), "-listen", self.listen, "-stdin-watch", "-log-level", "warn"]
        if self.data_dir is None:
            args.append("-memory")
            self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - kept open for the process's life
        else:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._take_lock()
            args += ["-data-dir", str(self.data_dir)]
            self._stderr = (self.data_dir / LOG_FILE).open("a+b")
        try:
            # Its own session: a terminal's Ctrl-C reaches wsChat only, which then stops FerretDB in order.
            self._process = subprocess.Popen(
                args,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                start_new_session=True,
            )
            self.address = self._read_address()
            _wait_for_ping(self.uri, self.start_timeout)
        except BaseException:
            self.stop()
            raise
        if self.data_dir is not None:
            (self.data_dir / ADDR_FILE).write_text(self.address)
        atexit.register(self.stop)
        log.info("embedded database listening on %s (pid %s)", self.address, self._process.pid)
        return self.uri

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after ``stop_timeout``; releases the data directory. Idempotent."""
        process, self._process = self._process, None
        if process is not None:
            if process.stdin:
                process.stdin.close()
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(self.stop_timeout)
                except subprocess.TimeoutExpired:
                    log.warning("embedded database did not stop in %.0f s; killing it", self.stop_timeout)
                    process.kill()
                    process.wait()
            if process.stdout:
                process.stdout.close()
            log.info("embedded database stopped")
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._lock is not None:
            if self.data_dir is not None:
                (self.data_dir / ADDR_FILE).unlink(missing_ok=True)
            self._lock.close()  # closing the descriptor releases the flock
            self._lock = None
        self.address = None
        atexit.unregister(self.stop)

    def _take_lock(self) -> None:
        assert self.data_dir is not None
        lock = (self.data_dir / LOCK_FILE).open("a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise EmbeddedDatabaseError(
                f"another wsChat process already runs the embedded database in {self.data_dir}"
            ) from None
        self._lock = lock

    def _read_address(self) -> str:
        assert self._process is not None
        assert self._process.stdout is not None
        stdout = self._process.stdout
        deadline = time.monotonic() + self.start_timeout
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise EmbeddedDatabaseError(
                    f"no answer within {self.start_timeout:.0f} s{self._stderr_tail()}"
                )
            ready, _, _ = select.select([stdout], [], [], remaining)
            if ready:
                chunk = os.read(stdout.fileno(), 256)
                if not chunk:
                    raise EmbeddedDatabaseError(f"it exited at start{self._stderr_tail()}")
                line += chunk
        text = line.decode().strip()
        if not text.startswith("listening on "):
            raise EmbeddedDatabaseError(f"unexpected output {text!r}")
        return text.removeprefix("listening on ")

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0, os.SEEK_END)
        size = self._stderr.tell()
        self._stderr.seek(max(0, size - 2000))
        tail = self._stderr.read().decode(errors="replace").strip()
        return f": {tail}" if tail else ""


def locate_running(data_dir: Path, timeout: float = 5.0) -> str | None:
    """The URI of the FerretDB another process runs on ``data_dir``, or None if nobody holds it."""
    lock_path = data_dir / LOCK_FILE
    if not lock_path.exists():
        return None
    with lock_path.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # held: a server runs it
        else:
            return None  # closing the file releases the lock we just took
    deadline = time.monotonic() + timeout
    addr_path = data_dir / ADDR_FILE
    while time.monotonic() < deadline:  # the owner writes the address right after its first ping
        if addr_path.exists() and (address := addr_path.read_text().strip()):
            return mongodb_uri(address)
        time.sleep(0.05)
    raise EmbeddedDatabaseError(f"the embedded database in {data_dir} is locked but has no address")


def _wait_for_ping(uri: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    client: MongoClient[dict[str, object]] = MongoClient(uri, serverSelectionTimeoutMS=500)
    try:
        while True:
            try:
                client.admin.command("ping")
                return
            except PyMongoError as e:
                if time.monotonic() > deadline:
                    raise EmbeddedDatabaseError(f"it does not answer ping: {e}") from e
                time.sleep(0.05)
    finally:
        client.close()
