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


def test_a_token_is_for_its_action_only_and_verify_leaves_the_time_to_the_caller() -> None:
    """A join link's token opens no manage page and the other way round; ``verify`` checks the signature
    and the action, not the time (the services check it against the appointment's current end)."""
    links = AppointmentLinks(SECRET)
    join = links.make(TENANT, APPOINTMENT, END, action="join")
    manage = links.make(TENANT, APPOINTMENT, END)

    assert links.read(join, END - timedelta(minutes=1), action="join").action == "join"
    with pytest.raises(LinkInvalid):
        links.read(join, END - timedelta(minutes=1))
    with pytest.raises(LinkInvalid):
        links.verify(manage, "join")
    late = END + timedelta(days=3)
    assert links.verify(join, "join").expires_at == END
    with pytest.raises(LinkExpired):
        links.read(join, late, action="join")
    with pytest.raises(LinkInvalid):
        links.verify(join[:-1], "join")
