"""The sign-up's wire and records: what the page sends, a pending sign-up as stored, and the consent text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from wschat.accounts.models import Password, Slug
from wschat.mail.models import Lang
from wschat.smtp import EmailAddress
from wschat.visitors.models import Phone
from wschat.wire import DisplayName, WireModel

#: How long a confirmation link works; an unconfirmed sign-up is deleted then.
LINK_TTL = timedelta(hours=24)
#: Sign-ups one client address may send per hour, and per e-mail address per day.
PER_CLIENT_PER_HOUR = 5
PER_ADDRESS_PER_DAY = 3

#: The consent box's text, stored word for word with the time it was ticked.
CONSENT: dict[Lang, str] = {
    "en": "I agree that the wsChat team may call me at this number about my demo. I can withdraw this "
    "consent at any time by e-mail.",
    "de": "Ich bin einverstanden, dass mich das wsChat-Team unter dieser Nummer zu meiner Demo anruft. "
    "Diese Einwilligung kann ich jederzeit per E-Mail widerrufen.",
}


class SignupRequest(WireModel):
    """``POST /api/signup``. A phone number only with the consent box ticked, and the box only with one."""

    name: DisplayName
    company: DisplayName
    email: EmailAddress
    phone: Phone | None = None
    consent: bool = Field(default=False, validate_default=True)
    lang: Lang = "en"

    @field_validator("consent")
    @classmethod
    def _consent_goes_with_a_phone(cls, consent: bool, info: ValidationInfo) -> bool:
        phone = info.data.get("phone")
        if phone and not consent:
            raise ValueError("a phone number needs the consent box ticked")
        if consent and not phone:
            raise ValueError("the consent box applies to a phone number, and none was given")
        return consent


class ConfirmRequest(WireModel):
    """``POST /api/signup/confirm``: the link's token, the tenant's slug, the first admin's password."""

    token: Annotated[str, Field(min_length=1, max_length=300)]
    slug: Slug
    password: Password


@dataclass(frozen=True)
class Signup:
    """A sign-up waiting for its confirmation (confirmed ones move into their tenant, wschat/accounts)."""

    id: str
    #: Lower-cased; one pending sign-up per address.
    email: str
    name: str
    company: str
    lang: Lang
    created_at: datetime
    expires_at: datetime
    phone: str | None = None
    consent_text: str | None = None
    consent_at: datetime | None = None
    #: The confirmation mail in the outbox, deleted with the sign-up.
    mail_id: str | None = None
