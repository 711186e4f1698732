"""Password hashing with argon2id, always in a worker thread: a hash takes tens of milliseconds of CPU."""

from __future__ import annotations

import asyncio

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

#: RFC 9106's second recommended option (t=3, m=64 MiB, p=4), argon2-cffi's default profile.
PRODUCTION = RFC_9106_LOW_MEMORY

_parameters = PRODUCTION
_hasher = PasswordHasher.from_parameters(PRODUCTION)
# Verified against when the login is unknown, so that unknown users cost the same time as wrong passwords.
_DUMMY_HASH = _hasher.hash("wsChat timing equaliser, not a password")


def use_profile(parameters: Parameters) -> Parameters:
    """Switch the cost parameters (the test suite uses a cheap profile); returns the previous ones.

    Hashes made with other parameters still verify; a login re-hashes them with the current ones.
    """
    global _parameters, _hasher, _DUMMY_HASH
    previous, _parameters = _parameters, parameters
    _hasher = PasswordHasher.from_parameters(parameters)
    _DUMMY_HASH = _hasher.hash("wsChat timing equaliser, not a password")
    return previous


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; with ``password_hash=None`` it does the same work and says False."""
    return await asyncio.to_thread(_verify, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
