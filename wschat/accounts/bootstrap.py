"""First run: an empty installation gets tenant ``demo`` and an admin ``admin`` with a generated password.

The password is shown once. On a terminal it is printed; otherwise (journald, a container's log) it would
stay in a log for good, so it goes to ``<data dir>/initial-admin-password`` (mode 0600) and only the path
is printed. That file is removed as soon as the admin's password changes, or anything else gives the account
a new password version (disabled, deleted, another role): checked at start-up, by the housekeeping of a
running server, and by ``wschat user passwd``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from wschat.accounts.models import AgentCreate, Plan, Role
from wschat.accounts.service import AccountService
from wschat.errors import Conflict

log = logging.getLogger(__name__)

DEMO_SLUG = "demo"
ADMIN_LOGIN = "admin"
PASSWORD_FILE = "initial-admin-password"  # noqa: S105 - a file name


@dataclass(frozen=True)
class FirstRun:
    tenant: str
    login: str
    password: str = field(repr=False)
    #: The admin's password version (not secret): the file goes once it changes.
    password_version: str = ""


async def ensure_demo_tenant(accounts: AccountService) -> FirstRun | None:
    """Create the demo tenant and its admin if there is no tenant at all; None on every later start."""
    if await accounts.tenants.any_exists():
        return None
    try:
        tenant = await accounts.create_tenant(DEMO_SLUG, "Demo company", Plan.CONTRACT)
    except Conflict:
        return None  # another process won the race on the unique slug index
    password = secrets.token_urlsafe(12)
    spec = AgentCreate(login=ADMIN_LOGIN, display_name="Admin", password=password, role=Role.ADMIN)
    admin = await accounts.create_user(tenant, spec)
    return FirstRun(DEMO_SLUG, ADMIN_LOGIN, password, admin.password_version)


def write_password_file(data_dir: Path, first: FirstRun) -> Path:
    """The first-run login in a file only its owner can read; returns its path."""
    path = data_dir / PASSWORD_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    text = (
        "wsChat's first admin; this file is removed when the password is changed.\n"
        f"tenant:   {first.tenant}\nlogin:    {first.login}\npassword: {first.password}\n"
        f"version:  {first.password_version}\n"
    )
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # never write into a file (or a link) that someone else put there
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


async def forget_changed_password(data_dir: Path, accounts: AccountService) -> bool:
    """Remove the first-run password file once the admin's password is no longer the one in it (or the
    admin is gone). True when it was removed."""
    path = data_dir / PASSWORD_FILE
    try:
        text = await asyncio.to_thread(path.read_text)
    except FileNotFoundError:
        return False
    lines = (line.partition(":") for line in text.splitlines()[1:])
    fields = {key.strip(): value.strip() for key, _, value in lines}
    tenant = await accounts.tenants.by_slug(fields.get("tenant", ""))
    admin = await accounts.users.by_login(tenant.id, fields.get("login", "")) if tenant else None
    if admin is not None and admin.password_version == fields.get("version"):
        return False
    await asyncio.to_thread(path.unlink, missing_ok=True)
    log.info("the first admin's password was changed: removed %s", path)
    return True
