"""The ``wschat`` command: ``serve``, and the operator's ``tenant …``, ``user …``, ``jitsi …``, ``retention
run`` and ``stats`` commands.

Passwords are read from a prompt or, with ``--password-stdin``, from standard input; never from argv,
where every user of the machine could read them. Commands other than ``serve`` work whether or not a
server is running: they open the same database (a SQLite file beside a running server: WAL allows it).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import socket
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace

from wschat import __version__
from wschat.accounts.bootstrap import FirstRun, forget_changed_password, write_password_file
from wschat.accounts.models import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    AgentCreate,
    Plan,
    Role,
    TenantCreate,
    TenantStatus,
)
from wschat.accounts.service import AccountService
from wschat.clock import utc_now
from wschat.config import Settings, load_settings
from wschat.config_parsing import default_public_url
from wschat.errors import ConfigError, ValidationFailed, WsChatError
from wschat.server import (
    db_commands,
    export_command,
    jitsi_commands,
    lifecycle_commands,
    reports_command,
    retention_command,
    stats_command,
)
from wschat.server.runtime import build_runtime
from wschat.server.transport import NoTransport
from wschat.storage import Database, StorageError, open_database
from wschat.storage.legacy import check_no_ferretdb_files
from wschat.wire import parse

log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        _configure_logging(settings.log_level)
        if args.command == "serve":
            return serve(settings, args.host, args.port)
        if args.command == "db":
            return asyncio.run(db_commands.run(settings, args))
        return asyncio.run(_operator_command(settings, args))
    except ConfigError as e:
        print(f"wschat: configuration error: {e}", file=sys.stderr)
        return 2
    except (StorageError, WsChatError) as e:
        print(f"wschat: {getattr(e, 'message', e)}", file=sys.stderr)
        for field in (getattr(e, "details", None) or {}).get("fields", []):
            print(f"  {field['field']}: {field['message']}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


# -- serve ---------------------------------------------------------------------------------------------------


def serve(settings: Settings, host: str | None, port: int | None) -> int:
    import uvicorn

    from wschat.server.app import create_app, open_server_database
    from wschat.server.metrics_listener import listening_socket
    from wschat.server.serving import settle_heap, uvicorn_config

    async def preflight() -> None:
        # A database that cannot be used stops the start here, with one line, before anything listens.
        await (await open_server_database(settings)).close()
        if settings.metrics_address is not None:  # so does a metrics address that is taken
            listening_socket(settings.metrics_address).close()

    asyncio.run(preflight())
    host = host or settings.server.host
    port = settings.server.port if port is None else port
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    server = settings.server
    if "WSCHAT_PUBLIC_URL" not in os.environ:
        server = replace(server, public_url=default_public_url(host, bound_port))
    settings = replace(settings, server=replace(server, host=host, port=bound_port))

    def on_ready(first: FirstRun | None) -> None:
        if settings.gc_tuning:
            settle_heap()
        _announce(settings, first)

    app = create_app(settings, on_ready=on_ready)
    config = uvicorn_config(app, log_level=settings.log_level, loop="uvloop")
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, so that an event loop sets TCP_NODELAY on the connections it accepts (asyncio's
    # own loop checks the protocol; without it every reused connection waits for a delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise ConfigError("WSCHAT_PORT", f"cannot listen on {host}:{port}: {e.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _announce(settings: Settings, first: FirstRun | None) -> None:
    url = settings.server.public_url.rstrip("/")
    print(f"wsChat is ready on {url}", flush=True)
    print(f"  console:   {url}/console/", flush=True)
    print(f"  demo site: {url}/demo  (the widget of tenant demo; ?tenant=<slug> for another)", flush=True)
    if first is None:
        return
    print("", flush=True)
    print("First start: created tenant and admin (shown only this once; change it in the console):")
    print(f"  tenant:   {first.tenant}")
    print(f"  login:    {first.login}")
    if sys.stdout.isatty():
        print(f"  password: {first.password}", flush=True)
        return
    # Not a terminal (journald, a container's log): a log keeps what it is given, so the password goes
    # to a file only the operator can read, and that file goes with the first password change.
    path = write_password_file(settings.data_dir, first)
    print(
        f"  password: in {path} (readable by this user only; removed once the password is changed)",
        flush=True,
    )


# -- operator commands ---------------------------------------------------------------------------------------


@asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[Database]:
    """The configured database, opened for one command (beside a running server, if there is one)."""
    # Opening creates the SQLite file: on an old installation's data dir that would hide its data.
    check_no_ferretdb_files(settings.data_dir, settings.database_url)
    db = await open_database(
        settings.database_url,
        mongo_database=settings.database.mongo_database,
        synchronous=settings.database.sqlite_synchronous,
    )
    try:
        yield db
    finally:
        await db.close()


async def _operator_command(settings: Settings, args: argparse.Namespace) -> int:
    async with _database(settings) as db:
        rt = build_runtime(settings, db, utc_now, NoTransport())
        try:
            if args.command == "jitsi":
                await jitsi_commands.run(rt, args)
            elif args.command == "export":
                await export_command.run(rt, args)
            elif args.command == "retention":
                await retention_command.run(rt, args)
            elif args.command == "reports":
                await reports_command.run(rt, args)
            elif args.command == "stats":
                await stats_command.run(rt, args)
            elif args.command == "tenant" and args.action in lifecycle_commands.ACTIONS:
                await lifecycle_commands.run(rt, args)
            else:
                await _HANDLERS[(args.command, args.action)](rt.accounts, args)
                await forget_changed_password(settings.data_dir, rt.accounts)
        finally:
            await rt.close()
    return 0


async def _tenant_create(accounts: AccountService, args: argparse.Namespace) -> None:
    spec = parse(TenantCreate, {"slug": args.slug, "name": args.name, "contact_email": args.email})
    tenant = await accounts.create_tenant(spec.slug, spec.name, Plan(args.plan), spec.contact_email)
    ends = f", demo ends {tenant.demo_ends_at:%Y-%m-%d %H:%M} UTC" if tenant.demo_ends_at else ""
    print(f"created tenant {tenant.slug} ({tenant.plan.value}{ends})")


async def _tenant_lock(accounts: AccountService, args: argparse.Namespace) -> None:
    tenant = await accounts.set_tenant_status(args.slug, TenantStatus.LOCKED)
    print(f"locked tenant {tenant.slug}")


async def _tenant_unlock(accounts: AccountService, args: argparse.Namespace) -> None:
    tenant = await accounts.set_tenant_status(args.slug, TenantStatus.ACTIVE)
    print(f"unlocked tenant {tenant.slug}")


async def _tenant_list(accounts: AccountService, args: argparse.Namespace) -> None:
    now = accounts.clock()
    rows = [("SLUG", "NAME", "PLAN", "STATE", "ENDS")]
    for t in await accounts.list_tenants():
        dates = t.dates(now)
        # The contract state (demo_expired, terminated, ended, …) unless the operator locked the tenant.
        status = dates.state.value if t.status is TenantStatus.ACTIVE else t.status.value
        end = dates.demo_ends_at or dates.contract_ends_at
        rows.append((t.slug, t.name, t.plan.value, status, f"{end:%Y-%m-%d %H:%M}" if end else "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


async def _user_create(accounts: AccountService, args: argparse.Namespace) -> None:
    tenant = await accounts.tenant(args.tenant)
    password = _read_password(args.password_stdin)
    spec = parse(
        AgentCreate,
        {
            "login": args.login,
            "display_name": args.display_name,
            "password": password,
            "role": Role(args.role),
            "max_chats": args.max_chats,
        },
    )
    user = await accounts.create_user(tenant, spec)
    print(f"created {user.role.value} {user.login} in tenant {tenant.slug}")


async def _user_passwd(accounts: AccountService, args: argparse.Namespace) -> None:
    tenant = await accounts.tenant(args.tenant)
    password = _read_password(args.password_stdin)
    user = await accounts.set_password(tenant, args.login.strip().lower(), password)
    print(f"changed the password of {user.login} in tenant {tenant.slug}; older sessions have ended")


_HANDLERS = {
    ("tenant", "create"): _tenant_create,
    ("tenant", "lock"): _tenant_lock,
    ("tenant", "unlock"): _tenant_unlock,
    ("tenant", "list"): _tenant_list,
    ("user", "create"): _user_create,
    ("user", "passwd"): _user_passwd,
}


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat:   ") != password:
            raise ValidationFailed("The passwords do not match.")
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"The password must have {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters."
        )
    return password


# -- arguments ---------------------------------------------------------------------------------------------


def _port(value: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError("must be a number from 0 to 65535")
    return int(value)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wschat", description="wsChat live chat server and admin tool.")
    parser.add_argument("--version", action="version", version=f"wschat {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve_cmd = commands.add_parser("serve", help="run the server (starts the embedded database if needed)")
    serve_cmd.add_argument("--host", help="address to listen on (default: WSCHAT_HOST or 127.0.0.1)")
    serve_cmd.add_argument("--port", type=_port, help="port (default: WSCHAT_PORT or 8080; 0 picks one)")
    serve_cmd.set_defaults(action=None)

    tenant = commands.add_parser(
        "tenant", help="create, list, lock tenants; their contract and legal hold"
    ).add_subparsers(dest="action", required=True)
    create = tenant.add_parser("create", help="create a tenant")
    create.add_argument("--slug", required=True, help="short name used in URLs and the widget, e.g. acme")
    create.add_argument("--name", required=True, help='company name, e.g. "ACME GmbH"')
    create.add_argument("--plan", choices=[p.value for p in Plan], required=True, help="demo: 14 days")
    create.add_argument("--email", help="the customer's contact: notices of the demo's or contract's end")
    for action in ("lock", "unlock"):
        cmd = tenant.add_parser(action, help=f"{action} a tenant")
        cmd.add_argument("slug")
    tenant.add_parser("list", help="list all tenants")
    lifecycle_commands.add_parsers(tenant)

    user = commands.add_parser("user", help="create users and set passwords").add_subparsers(
        dest="action", required=True
    )
    create_user = user.add_parser("create", help="create an admin or agent")
    create_user.add_argument("--tenant", required=True)
    create_user.add_argument("--login", required=True)
    create_user.add_argument("--role", choices=[r.value for r in Role], required=True)
    create_user.add_argument("--display-name", required=True, help="the name or alias visitors see")
    create_user.add_argument("--max-chats", type=int, default=3, help="concurrent chats (default 3)")
    create_user.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    passwd = user.add_parser("passwd", help="set a user's password (ends their sessions)")
    passwd.add_argument("--tenant", required=True)
    passwd.add_argument("--login", required=True)
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    jitsi_commands.add_parser(commands)
    export_command.add_parser(commands)
    retention_command.add_parser(commands)
    reports_command.add_parser(commands)
    stats_command.add_parser(commands)
    db_commands.add_parser(commands)
    return parser


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
