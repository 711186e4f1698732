from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest

from tests.support import FakeClock
from wschat.accounts.models import Role, User
from wschat.accounts.tokens import TokenIssuer, TokenKind
from wschat.config import Secret
from wschat.errors import AuthInvalid

SECRET = Secret("s" * 48)


def _user(clock: FakeClock) -> User:
    return User(
        id="usr_1",
        tenant_id="ten_1",
        login="anna",
        display_name="Anna",
        role=Role.AGENT,
        password_hash="x",
        password_version="v1",
        created_at=clock(),
        password_changed_at=clock(),
    )


def _issuer(clock: FakeClock, secret: Secret = SECRET) -> TokenIssuer:
    return TokenIssuer(secret, clock, access_ttl=600, session_ttl=3600)


def test_token_round_trip_carries_the_claims() -> None:
    clock = FakeClock()
    token, expires = _issuer(clock).issue(_user(clock), TokenKind.ACCESS, session_id="ses_1")
    claims = _issuer(clock).verify(token, TokenKind.ACCESS)
    assert (claims.user_id, claims.tenant_id, claims.role, claims.password_version, claims.session_id) == (
        "usr_1",
        "ten_1",
        Role.AGENT,
        "v1",
        "ses_1",
    )
    assert expires - clock() == timedelta(seconds=600)


def test_token_without_a_session_id_has_none_and_a_bad_one_is_refused() -> None:
    """Tokens issued before sessions had ids stay valid; a ``sid`` that is not a string is refused."""
    clock = FakeClock()
    token, _ = _issuer(clock).issue(_user(clock), TokenKind.SESSION, session_id=None)
    assert _issuer(clock).verify(token, TokenKind.SESSION).session_id is None
    payload = jwt.decode(token, options={"verify_signature": False})
    for bad in (42, ["ses_1"], {"$ne": None}):
        forged = jwt.encode({**payload, "sid": bad}, SECRET.reveal(), algorithm="HS256")
        with pytest.raises(AuthInvalid):
            _issuer(clock).verify(forged, TokenKind.SESSION)


def test_session_end_covers_an_access_token_renewed_at_the_last_moment() -> None:
    clock = FakeClock()
    issuer = _issuer(clock)
    cookie, _ = issuer.issue(_user(clock), TokenKind.SESSION, session_id="ses_1")
    claims = issuer.verify(cookie, TokenKind.SESSION)
    clock.advance(seconds=3599)
    _, last = issuer.issue(_user(clock), TokenKind.ACCESS, session_id="ses_1")
    assert issuer.session_end(claims) >= last


def test_token_expires_on_the_injected_clock() -> None:
    clock = FakeClock()
    token, _ = _issuer(clock).issue(_user(clock), TokenKind.ACCESS, session_id="ses_1")
    clock.advance(seconds=601)
    with pytest.raises(AuthInvalid, match="expired"):
        _issuer(clock).verify(token, TokenKind.ACCESS)


def test_session_token_is_not_an_access_token() -> None:
    clock = FakeClock()
    token, _ = _issuer(clock).issue(_user(clock), TokenKind.SESSION, session_id="ses_1")
    with pytest.raises(AuthInvalid):
        _issuer(clock).verify(token, TokenKind.ACCESS)


def test_token_signed_with_another_secret_is_refused() -> None:
    clock = FakeClock()
    token, _ = _issuer(clock, Secret("o" * 48)).issue(_user(clock), TokenKind.ACCESS, session_id="ses_1")
    with pytest.raises(AuthInvalid):
        _issuer(clock).verify(token, TokenKind.ACCESS)


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_alg_none_and_tampered_tokens_are_refused() -> None:
    clock = FakeClock()
    token, _ = _issuer(clock).issue(_user(clock), TokenKind.ACCESS, session_id="ses_1")
    payload = jwt.decode(token, options={"verify_signature": False})
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."
    with pytest.raises(AuthInvalid):
        _issuer(clock).verify(unsigned, TokenKind.ACCESS)
    header, _, signature = token.split(".")
    promoted = f"{header}.{_b64({**payload, 'role': 'admin'})}.{signature}"
    with pytest.raises(AuthInvalid):
        _issuer(clock).verify(promoted, TokenKind.ACCESS)
    with pytest.raises(AuthInvalid):
        _issuer(clock).verify("garbage", TokenKind.ACCESS)
