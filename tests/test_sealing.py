"""Sealing a secret for storage: AES-256-GCM, a key derived from the server key, bound to its place."""

from __future__ import annotations

import pytest

from wschat.config import Secret
from wschat.sealing import Sealer, Unsealable, is_sealed

PLACE = "tenants/ten_1/video.jitsi.secret"
JITSI_SECRET = "j" * 40


@pytest.fixture
def sealer() -> Sealer:
    return Sealer(Secret("server-secret-key-" + "k" * 40))


def test_a_sealed_secret_opens_again_and_shows_nothing_of_itself(sealer: Sealer) -> None:
    stored = sealer.seal(JITSI_SECRET, place=PLACE)
    assert is_sealed(stored)
    assert set(stored) == {"sealed", "nonce", "data"}
    assert JITSI_SECRET not in repr(stored)
    assert sealer.open(stored, place=PLACE).reveal() == JITSI_SECRET


def test_sealing_twice_gives_two_different_values(sealer: Sealer) -> None:
    first, second = sealer.seal(JITSI_SECRET, place=PLACE), sealer.seal(JITSI_SECRET, place=PLACE)
    assert first["nonce"] != second["nonce"]
    assert first["data"] != second["data"]


def test_a_sealed_secret_does_not_open_in_another_place(sealer: Sealer) -> None:
    stored = sealer.seal(JITSI_SECRET, place=PLACE)
    for elsewhere in ("tenants/ten_2/video.jitsi.secret", "tenants/ten_1/video.turn_secret"):
        with pytest.raises(Unsealable):
            sealer.open(stored, place=elsewhere)


def test_a_sealed_secret_does_not_open_with_another_server_key(sealer: Sealer) -> None:
    stored = sealer.seal(JITSI_SECRET, place=PLACE)
    with pytest.raises(Unsealable, match="does not open with this server's secret key"):
        Sealer(Secret("another-server-secret-key-" + "x" * 40)).open(stored, place=PLACE)


def test_a_tampered_or_malformed_value_does_not_open(sealer: Sealer) -> None:
    stored = sealer.seal(JITSI_SECRET, place=PLACE)
    flipped = stored["data"][:-4] + ("AAAA" if not stored["data"].endswith("AAAA") else "BBBB")
    bad: list[object] = [
        JITSI_SECRET,  # plain text
        None,
        {**stored, "data": flipped},
        {**stored, "nonce": "AAAA"},  # a nonce of the wrong length
        {**stored, "data": "not base64!"},
        {**stored, "sealed": 2},
        {"sealed": 1, "nonce": stored["nonce"]},
        [stored],
    ]
    for value in bad:
        with pytest.raises(Unsealable):
            sealer.open(value, place=PLACE)
