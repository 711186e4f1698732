"""A tenant's contract states and the dates that follow from them (docs/privacy.md, *Lifecycle*).

The state is derived from stored dates and the clock, never stored itself: a demo is expired the moment its
14 days are over, in every process at once, whether or not the runner has passed since. What the runner
stores is what it has *done* (notices mailed, data deleted), so that each step happens exactly once.

::

    demo ──14 days──▶ demo_expired ──14 days──▶ everything deleted
      │ contract
      ▼
    contract ──terminate(end)──▶ terminated ──end──▶ ended ──6 months──▶ chat data deleted
                                                             ──4 years──▶ master data deleted

A legal hold stops every deletion until it is released; the dates stay what they are, and what was due
while the hold lasted is done at the next run after the release.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from wschat.errors import RetentionExpired

#: Chat data of a demo that did not become a contract is kept this long after the demo ended.
DEMO_DATA_KEPT = timedelta(days=14)
#: The admins hear this long before the demo ends.
DEMO_WARNING = timedelta(days=3)
#: Chat data (and everything derived from it) is kept this many months after a contract ended; no export
#: is made from then on (the privacy notice's rule).
CHAT_DATA_MONTHS = 6
#: Customer master data (the company, its contact, the contract dates) is kept this many years after the
#: contract ended (commercial and tax records).
MASTER_DATA_YEARS = 4


class ContractState(StrEnum):
    DEMO = "demo"
    DEMO_EXPIRED = "demo_expired"
    CONTRACT = "contract"
    TERMINATED = "terminated"
    ENDED = "ended"


class Notice(StrEnum):
    """What the runner has done once for a tenant (kept in ``lifecycle.done``)."""

    DEMO_ENDS_SOON = "demo_ends_soon"
    DEMO_EXPIRED = "demo_expired"
    CONTRACT_ENDED = "contract_ended"
    CHAT_DATA_DELETED = "chat_data_deleted"


@dataclass(frozen=True)
class LegalHold:
    reason: str
    since: datetime


@dataclass(frozen=True)
class Customer:
    """Who signed up for a demo (wschat/signup): customer master data, kept and deleted with the tenant."""

    name: str
    company: str
    signed_up_at: datetime
    confirmed_at: datetime
    phone: str | None = None
    #: The consent text the person ticked (as shown, in their language) and when; only with a phone.
    consent_text: str | None = None
    consent_at: datetime | None = None
    #: The language they signed up in (``en`` or ``de``): the lifecycle's notices to them use it.
    lang: str | None = None


@dataclass(frozen=True)
class Lifecycle:
    """What the operator set and the runner did, beyond the tenant's plan and its two end dates."""

    #: Where notices of the lifecycle go (the sign-up's address, or set by the operator).
    contact_email: str | None = None
    #: When the demo became a contract.
    contract_since: datetime | None = None
    legal_hold: LegalHold | None = None
    #: Steps done once (:class:`Notice`), each with when.
    done: dict[str, datetime] = field(default_factory=dict)
    #: The demo sign-up's data, for a tenant made by one (None for tenants the operator created).
    customer: Customer | None = None


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months later; the 31st becomes the month's last day."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class Dates:
    """Every date of a tenant's lifecycle as it stands; None where it does not apply (yet)."""

    state: ContractState
    demo_ends_at: datetime | None
    contract_ends_at: datetime | None
    #: When the tenant's chat data is deleted (demo end + 14 days, or contract end + 6 months).
    chat_data_deleted_at: datetime | None
    #: The last moment an export is made (contracts only; a demo's data is deleted before that matters).
    export_until: datetime | None
    #: When the tenant itself (company, contact, dates) is deleted: with the chat data after a demo,
    #: 4 years after the end of a contract.
    master_data_deleted_at: datetime | None

    def to_wire(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            **{
                name: value.isoformat() if value else None
                for name, value in (
                    ("demo_ends_at", self.demo_ends_at),
                    ("contract_ends_at", self.contract_ends_at),
                    ("chat_data_deleted_at", self.chat_data_deleted_at),
                    ("export_until", self.export_until),
                    ("master_data_deleted_at", self.master_data_deleted_at),
                )
            },
        }


def contract_state(
    is_demo: bool, demo_ends_at: datetime | None, ends_at: datetime | None, now: datetime
) -> ContractState:
    if is_demo:
        return (
            ContractState.DEMO if demo_ends_at is None or now < demo_ends_at else ContractState.DEMO_EXPIRED
        )
    if ends_at is None:
        return ContractState.CONTRACT
    return ContractState.TERMINATED if now < ends_at else ContractState.ENDED


def dates_of(is_demo: bool, demo_ends_at: datetime | None, ends_at: datetime | None, now: datetime) -> Dates:
    state = contract_state(is_demo, demo_ends_at, ends_at, now)
    if is_demo:
        deleted = demo_ends_at + DEMO_DATA_KEPT if demo_ends_at else None
        return Dates(state, demo_ends_at, None, deleted, None, deleted)
    if ends_at is None:
        return Dates(state, None, None, None, None, None)
    chat_data = add_months(ends_at, CHAT_DATA_MONTHS)
    master = add_months(ends_at, MASTER_DATA_YEARS * 12)
    return Dates(state, None, ends_at, chat_data, chat_data, master)


def end_of_day(day: date) -> datetime:
    """A contract ends at the start of the day after its last day, in UTC (last day 2027-06-30: it works
    through 30 June)."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=UTC)


def check_export(dates: Dates, now: datetime) -> None:
    """Raises RetentionExpired from six months after a contract ended on (the privacy notice's rule)."""
    if dates.export_until is not None and now >= dates.export_until:
        raise RetentionExpired(
            f"The contract ended on {dates.contract_ends_at:%Y-%m-%d}; its chat data is no longer exported "
            f"(since {dates.export_until:%Y-%m-%d})."
        )
