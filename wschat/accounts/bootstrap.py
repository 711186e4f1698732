"""First run: an empty installation gets tenant ``demo`` and an admin ``admin`` with a generated password."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from wschat.accounts.models import AgentCreate, Plan, Role
from wschat.accounts.service import AccountService
from wschat.errors import Conflict

DEMO_SLUG = "demo"
ADMIN_LOGIN = "admin"


@dataclass(frozen=True)
class FirstRun:
    tenant: str
    login: str
    password: str = field(repr=False)


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
    await accounts.create_user(tenant, spec)
    return FirstRun(tenant=DEMO_SLUG, login=ADMIN_LOGIN, password=password)
