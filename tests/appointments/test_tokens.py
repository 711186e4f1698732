"""The manage link's signed, single-purpose token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wschat.appointments.tokens import AppointmentLinks
from wschat.errors import LinkExpired, LinkInvalid
from wschat.signup.links import ConfirmationLinks

SECRET = b"k" * 32
END = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
APPOINTMENT = "apt_0123456789abcdef01234567"
TENANT = "ten_0123456789abcdef01234567"


def test_a_token_names_its_appointment_until_the_appointment_ends() -> None:
    links = AppointmentLinks(SECRET)
    token = links.make(TENANT, APPOINTMENT, END)

    grant = links.read(token, END - timedelta(seconds=1))
    assert (grant.tenant_id, grant.appointment_id) == (TENANT, APPOINTMENT)
    with pytest.raises(LinkExpired):
        links.read(token, END)


def test_a_changed_cut_or_foreign_token_is_invalid() -> None:
    links = AppointmentLinks(SECRET)
    token = links.make(TENANT, APPOINTMENT, END)
    now = END - timedelta(days=1)
    body, _, mac = token.partition(".")
    other = links.make(TENANT, "apt_ffffffffffffffffffffffff", END)

    for bad in (
        token[:-1],
        token + "A",
        body + "." + other.partition(".")[2],
        other.partition(".")[0] + "." + mac,
        "",
        "....",
        "not a token",
        AppointmentLinks(b"x" * 32).make(TENANT, APPOINTMENT, END),
        links.make(TENANT, APPOINTMENT, END, action="other"),
        # A sign-up's confirmation token, signed with the same secret for its own purpose.
        ConfirmationLinks(SECRET).make(APPOINTMENT, END),
    ):
        with pytest.raises(LinkInvalid):
            links.read(bad, now)
