"""Everything a request handler needs, built once per app when it starts serving."""

from __future__ import annotations

from dataclasses import dataclass

from wschat.accounts.service import AccountService, SessionRevoker
from wschat.accounts.store import TenantStore, UserStore
from wschat.accounts.tokens import TokenIssuer
from wschat.chat.store import VisitorStore
from wschat.chat.visitors import VisitorService
from wschat.clock import Clock
from wschat.config import Settings
from wschat.db import Database


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    accounts: AccountService
    visitors: VisitorService


def build_runtime(settings: Settings, db: Database, clock: Clock, revoker: SessionRevoker | None) -> Runtime:
    tokens = TokenIssuer(
        settings.secret_key,
        clock,
        access_ttl=settings.auth.token_ttl,
        session_ttl=settings.auth.session_ttl,
    )
    accounts = AccountService(
        TenantStore(db),
        UserStore(db),
        tokens,
        clock,
        login_failures_per_minute=settings.auth.login_failures_per_minute,
        revoker=revoker,
    )
    return Runtime(settings, db, clock, accounts, VisitorService(VisitorStore(db), clock))
