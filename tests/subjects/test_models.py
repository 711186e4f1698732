"""The deadline of a request: one month after receipt (GDPR Art. 12 (3))."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wschat.subjects.models import one_month_later


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2027-03-05T10:00:00", "2027-04-05T10:00:00"),
        ("2027-01-31T23:59:00", "2027-02-28T23:59:00"),
        ("2028-01-31T08:00:00", "2028-02-29T08:00:00"),
        ("2027-12-15T00:00:00", "2028-01-15T00:00:00"),
        ("2027-08-31T12:00:00", "2027-09-30T12:00:00"),
    ],
)
def test_request_deadline_is_one_month_after_receipt(received: str, due: str) -> None:
    at = datetime.fromisoformat(received).replace(tzinfo=UTC)
    assert one_month_later(at) == datetime.fromisoformat(due).replace(tzinfo=UTC)
