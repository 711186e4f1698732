"""What an address and a company name become: throw-away domains, the admin's login, the proposed slug;
and the confirmation link's token (signed, expiring, single purpose)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.storage.builders import at
from wschat.errors import LinkExpired, LinkInvalid
from wschat.signup.addresses import is_disposable, login_of, slug_of
from wschat.signup.links import ConfirmationLinks


@pytest.mark.parametrize(
    ("address", "disposable"),
    [
        ("dora@mailinator.com", True),
        ("dora@MAILINATOR.com", True),
        ("dora@eu.yopmail.com", True),
        ("dora@initrode.example", False),
        ("dora@notmailinator.com", False),
        ("dora@com", False),
    ],
)
def test_disposable_domains_and_their_subdomains_are_known(address: str, disposable: bool) -> None:
    assert is_disposable(address) is disposable


@pytest.mark.parametrize(
    ("address", "login"),
    [
        ("Dora@Initrode.example", "dora@initrode.example"),
        ("dora+demo@initrode.example", "dora-demo@initrode.example"),
        ("+++@x.example", "x.example"),
    ],
)
def test_login_is_the_address_made_a_login(address: str, login: str) -> None:
    assert login_of(address) == login


@pytest.mark.parametrize(
    ("company", "slug"),
    [
        ("Initrode AG", "initrode-ag"),
        ("Müller & Söhne GmbH", "mueller-soehne-gmbh"),
        ("Café Élysée", "cafe-elysee"),
        ("東京", "demo"),
        ("x" * 60, "x" * 40),
    ],
)
def test_slug_is_proposed_from_the_company(company: str, slug: str) -> None:
    assert slug_of(company) == slug


def test_a_link_token_is_tied_to_its_key_and_its_time() -> None:
    links = ConfirmationLinks(b"k" * 48)
    token = links.make("sgn_1", at(100))
    assert links.read(token, at(99)).signup_id == "sgn_1"
    with pytest.raises(LinkExpired):
        links.read(token, at(100))
    with pytest.raises(LinkInvalid):
        ConfirmationLinks(b"o" * 48).read(token, at(0))
    _, _, mac = token.partition(".")
    later = ConfirmationLinks(b"k" * 48).make("sgn_1", at(100) + timedelta(days=30))
    with pytest.raises(LinkInvalid):  # a later expiry with the old signature
        links.read(f"{later.partition('.')[0]}.{mac}", at(0))
