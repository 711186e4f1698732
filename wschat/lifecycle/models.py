"""The operator's lifecycle requests (CLI and ``/api/operator/…``)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from wschat.smtp import EmailAddress
from wschat.wire import WireModel

# -- the operator's requests ---------------------------------------------------------------------------------

Reason = Annotated[str, AfterValidator(str.strip), Field(min_length=3, max_length=500)]


def _iso_day(value: object) -> date:
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise ValueError("must be a day such as 2027-06-30")
    return date.fromisoformat(value)  # ValueError for a day that does not exist (2027-02-30)


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: A calendar day as JSON has it: ``"2027-06-30"``.
IsoDay = Annotated[date, BeforeValidator(_iso_day)]


class ContractRequest(WireModel):
    #: Where lifecycle notices go from now on (kept as it was when absent).
    contact_email: EmailAddress | None = None


class TerminateRequest(WireModel):
    #: The contract's last day (it works through that day, UTC).
    last_day: IsoDay


class HoldRequest(WireModel):
    reason: Reason
